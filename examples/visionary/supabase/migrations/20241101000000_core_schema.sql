-- Visionary AI v1.0–v1.2: profiles, vision boards, action tasks.

create table if not exists public.profiles (
  id uuid primary key references auth.users (id) on delete cascade,
  display_name text,
  subscription_tier text not null default 'FREE'
    check (subscription_tier in ('FREE', 'PRO', 'ELITE')),
  credits integer not null default 3,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
comment on table public.profiles is 'One row per user; credits gate AI generations on the free tier.';

alter table public.profiles enable row level security;

create policy "Users read their own profile" on public.profiles
  for select to authenticated using ((select auth.uid()) = id);
create policy "Users update their own profile" on public.profiles
  for update to authenticated using ((select auth.uid()) = id);

create table if not exists public.vision_boards (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references public.profiles (id) on delete cascade,
  title text not null,
  prompt text,
  image_url text,
  created_at timestamptz not null default now()
);
create index if not exists idx_vision_boards_user on public.vision_boards (user_id);

alter table public.vision_boards enable row level security;
create policy "Users manage their own boards" on public.vision_boards
  for all to authenticated
  using ((select auth.uid()) = user_id)
  with check ((select auth.uid()) = user_id);

create table if not exists public.action_tasks (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references public.profiles (id) on delete cascade,
  board_id uuid references public.vision_boards (id) on delete set null,
  title text not null,
  due_date date,
  is_completed boolean not null default false,
  created_at timestamptz not null default now()
);
create index if not exists idx_action_tasks_user on public.action_tasks (user_id);
create index if not exists idx_action_tasks_board on public.action_tasks (board_id);

alter table public.action_tasks enable row level security;
create policy "Users manage their own tasks" on public.action_tasks
  for all to authenticated
  using ((select auth.uid()) = user_id)
  with check ((select auth.uid()) = user_id);

-- Keep profiles.updated_at current (seed 004 part 2: "auto-updating timestamps").
create or replace function public.set_updated_at() returns trigger
language plpgsql set search_path = '' as $$
begin
  new.updated_at := now();
  return new;
end;
$$;
create trigger profiles_set_updated_at before update on public.profiles
  for each row execute function public.set_updated_at();
