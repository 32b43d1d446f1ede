-- Velro: AI image/video generation platform, core schema
-- users (synced from auth.users), projects, generations, credits, AI models

create or replace function public.update_updated_at_column()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  new.updated_at = now();
  return new;
end;
$$;

-- Public profile, kept in sync with auth.users by the triggers below
create table public.users (
  id uuid primary key references auth.users (id),
  email text not null,
  full_name text,
  avatar_url text,
  credits_balance integer not null default 100,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create table public.ai_models (
  id text primary key,
  name text not null,
  provider text not null,
  model_type text not null check (model_type in ('image', 'video', 'audio')),
  credits_per_generation integer not null default 1 check (credits_per_generation > 0),
  is_active boolean not null default true,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create table public.projects (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references public.users (id) on delete cascade,
  name text not null,
  description text,
  visibility text not null default 'private' check (visibility in ('private', 'team', 'public')),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create index idx_projects_user_id on public.projects (user_id);

create table public.generations (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references public.users (id) on delete cascade,
  project_id uuid references public.projects (id) on delete set null,
  model_id text not null references public.ai_models (id),
  prompt text not null,
  negative_prompt text,
  parameters jsonb not null default '{}',
  status text not null default 'pending',
  output_urls text[] not null default '{}',
  cost integer not null default 0,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create index idx_generations_user_id on public.generations (user_id);
create index idx_generations_project_id on public.generations (project_id);
create index idx_generations_model_id on public.generations (model_id);

create table public.credit_transactions (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references public.users (id) on delete cascade,
  generation_id uuid references public.generations (id) on delete set null,
  amount integer not null,
  transaction_type text not null check (transaction_type in ('grant', 'purchase', 'usage', 'refund')),
  description text,
  created_at timestamptz not null default now()
);

create index idx_credit_transactions_user_id on public.credit_transactions (user_id);
create index idx_credit_transactions_generation_id on public.credit_transactions (generation_id);

create trigger update_users_updated_at before update on public.users
  for each row execute function public.update_updated_at_column();
create trigger update_ai_models_updated_at before update on public.ai_models
  for each row execute function public.update_updated_at_column();
create trigger update_projects_updated_at before update on public.projects
  for each row execute function public.update_updated_at_column();
create trigger update_generations_updated_at before update on public.generations
  for each row execute function public.update_updated_at_column();

-- User synchronization: auth.users -> public.users
create or replace function public.handle_new_user()
returns trigger
language plpgsql
security definer
as $$
begin
  insert into public.users (id, email, full_name, avatar_url, credits_balance)
  values (
    new.id,
    new.email,
    coalesce(new.raw_user_meta_data ->> 'full_name', new.raw_user_meta_data ->> 'name'),
    new.raw_user_meta_data ->> 'avatar_url',
    100
  )
  on conflict (id) do update set
    email = excluded.email,
    full_name = coalesce(excluded.full_name, public.users.full_name),
    avatar_url = coalesce(excluded.avatar_url, public.users.avatar_url),
    updated_at = now();

  insert into public.credit_transactions (user_id, amount, transaction_type, description)
  values (new.id, 100, 'grant', 'Welcome credits');
  return new;
end;
$$;

create or replace function public.handle_updated_user()
returns trigger
language plpgsql
security definer
as $$
begin
  update public.users
  set email = new.email,
      full_name = coalesce(new.raw_user_meta_data ->> 'full_name', full_name),
      avatar_url = coalesce(new.raw_user_meta_data ->> 'avatar_url', avatar_url),
      updated_at = now()
  where id = new.id;
  return new;
end;
$$;

create trigger on_auth_user_created
  after insert on auth.users
  for each row execute function public.handle_new_user();

create trigger on_auth_user_updated
  after update on auth.users
  for each row execute function public.handle_updated_user();

-- Row level security
alter table public.users enable row level security;
alter table public.ai_models enable row level security;
alter table public.projects enable row level security;
alter table public.generations enable row level security;
alter table public.credit_transactions enable row level security;

create policy "Users can view own profile" on public.users
  for select using (auth.uid() = id);
create policy "Users can update own profile" on public.users
  for update using (auth.uid() = id);

create policy "Anyone can view active models" on public.ai_models
  for select using (is_active);

create policy "Users can view own projects" on public.projects
  for select using (auth.uid() = user_id);
create policy "Users can create own projects" on public.projects
  for insert with check (auth.uid() = user_id);
create policy "Users can update own projects" on public.projects
  for update using (auth.uid() = user_id);
create policy "Users can delete own projects" on public.projects
  for delete using (auth.uid() = user_id);

create policy "Users can view own generations" on public.generations
  for select using (auth.uid() = user_id);
create policy "Users can create own generations" on public.generations
  for insert with check (auth.uid() = user_id);
create policy "Users can update own generations" on public.generations
  for update using (auth.uid() = user_id);
create policy "Users can delete own generations" on public.generations
  for delete using (auth.uid() = user_id);

create policy "Users can view own credit transactions" on public.credit_transactions
  for select using (auth.uid() = user_id);
create policy "Service role can manage credit transactions" on public.credit_transactions
  for all using (auth.role() = 'service_role');
