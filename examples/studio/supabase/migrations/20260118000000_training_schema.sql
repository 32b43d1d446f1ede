-- Fine-tuning: datasets, dataset images, training jobs

do $$
begin
  if not exists (select 1 from pg_type where typname = 'job_priority') then
    create type public.job_priority as enum ('low', 'normal', 'high');
  end if;
end
$$;

create table public.datasets (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references auth.users (id) on delete cascade,
  name text not null,
  type text not null check (type in ('lora', 'dreambooth', 'textual_inversion', 'checkpoint')),
  status text not null default 'draft',
  image_count integer not null default 0,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create index idx_datasets_user_id on public.datasets (user_id);
create index idx_datasets_status on public.datasets (status);

alter table public.datasets enable row level security;

create policy "Users can manage own datasets" on public.datasets
  for all using (auth.uid() = user_id);

create trigger datasets_set_updated_at before update on public.datasets
  for each row execute function public.set_updated_at();

create table public.dataset_images (
  id uuid primary key default gen_random_uuid(),
  dataset_id uuid not null references public.datasets (id) on delete cascade,
  storage_path text not null,
  caption text,
  created_at timestamptz not null default now()
);

create index idx_dataset_images_dataset_id on public.dataset_images (dataset_id);

alter table public.dataset_images enable row level security;

create policy "Users can manage own dataset images" on public.dataset_images
  for all using (
    exists (
      select 1 from public.datasets
      where datasets.id = dataset_images.dataset_id
        and datasets.user_id = auth.uid()
    )
  );

create table public.training_jobs (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references auth.users (id) on delete cascade,
  dataset_id uuid not null references public.datasets (id) on delete cascade,
  status text not null default 'queued' check (status in ('queued', 'running', 'succeeded', 'failed')),
  priority public.job_priority not null default 'normal',
  config jsonb not null default '{}'::jsonb,
  error_message text,
  started_at timestamptz,
  completed_at timestamp,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create index idx_training_jobs_user_id on public.training_jobs (user_id);
create index idx_training_jobs_status on public.training_jobs (status);

alter table public.training_jobs enable row level security;

create policy "Users can manage own training jobs" on public.training_jobs
  for all to authenticated
  using ((select auth.uid()) = user_id)
  with check ((select auth.uid()) = user_id);

create trigger training_jobs_set_updated_at before update on public.training_jobs
  for each row execute function public.set_updated_at();

-- Profile fields for the new onboarding flow.
alter table public.users add column bio text;
alter table public.users add column onboarding_completed boolean not null default false;
