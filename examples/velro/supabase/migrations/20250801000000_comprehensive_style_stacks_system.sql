-- 008_comprehensive_style_stacks_system
-- Style stacks (reusable prompt/style bundles), built-in presets, model
-- prompt guides, usage tracking, contributors.

create table public.style_stacks (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references public.users (id) on delete cascade,
  name text not null,
  description text,
  style_config jsonb not null default '{}',
  model_adaptations jsonb not null default '{}',
  tags text[] not null default '{}',
  is_public boolean not null default false,
  is_featured boolean not null default false,
  usage_count integer not null default 0,
  last_used_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create index idx_style_stacks_user_id on public.style_stacks (user_id);
create index idx_style_stacks_style_config on public.style_stacks using gin (style_config);
create index idx_style_stacks_model_adaptations on public.style_stacks using gin (model_adaptations);
create index idx_style_stacks_tags on public.style_stacks using gin (tags);
create index idx_style_stacks_public on public.style_stacks (is_featured, usage_count desc) where is_public;

create table public.style_stack_presets (
  id uuid primary key default gen_random_uuid(),
  name text not null unique,
  category text not null,
  description text,
  style_config jsonb not null default '{}',
  preview_url text,
  sort_order integer not null default 0,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create index idx_style_stack_presets_style_config on public.style_stack_presets using gin (style_config);
create index idx_style_stack_presets_category on public.style_stack_presets (category, sort_order);

create table public.stack_contributors (
  id uuid primary key default gen_random_uuid(),
  stack_id uuid not null references public.style_stacks (id) on delete cascade,
  user_id uuid not null references public.users (id) on delete cascade,
  role text not null default 'editor',
  created_at timestamptz not null default now(),
  unique (stack_id, user_id)
);

create index idx_stack_contributors_user_id on public.stack_contributors (user_id);

-- AI models: prompt guides for the model adaptation system
alter table public.ai_models add column prompt_guide jsonb not null default '{}';
alter table public.ai_models add column supports_style_stacks boolean not null default true;

-- Generations remember the style stack they used
alter table public.generations add column style_stack_id uuid;

create trigger update_style_stacks_updated_at before update on public.style_stacks
  for each row execute function public.update_updated_at_column();
create trigger update_style_stack_presets_updated_at before update on public.style_stack_presets
  for each row execute function public.update_updated_at_column();

-- Usage tracking
create or replace function public.track_style_stack_usage()
returns trigger
language plpgsql
security definer
as $$
begin
  if new.style_stack_id is not null then
    update public.style_stacks
    set usage_count = usage_count + 1,
        last_used_at = now()
    where id = new.style_stack_id;
  end if;
  return new;
end;
$$;

create trigger on_generation_track_style_stack
  after insert on public.generations
  for each row execute function public.track_style_stack_usage();

-- Row level security
alter table public.style_stacks enable row level security;
alter table public.style_stack_presets enable row level security;

create policy "Users can view own or public style stacks" on public.style_stacks
  for select using (auth.uid() = user_id or is_public = true or is_featured = true);
create policy "Users can create own style stacks" on public.style_stacks
  for insert with check (auth.uid() = user_id);
create policy "Users can update own style stacks" on public.style_stacks
  for update using (auth.uid() = user_id);
create policy "Users can delete own style stacks" on public.style_stacks
  for delete using (auth.uid() = user_id);

create policy "Presets are readable by everyone" on public.style_stack_presets
  for select using (true);
