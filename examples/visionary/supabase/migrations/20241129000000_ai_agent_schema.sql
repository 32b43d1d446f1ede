-- v1.4 AI agent foundation: habits and their completions.

create table if not exists public.habits (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references public.profiles (id) on delete cascade,
  task_id uuid, -- References action_tasks if exists
  title text not null,
  frequency text not null default 'daily' check (frequency in ('daily', 'weekly')),
  is_active boolean not null default true,
  created_at timestamptz not null default now()
);
comment on table public.habits is 'Recurring habits the agent checks in on.';
create index if not exists idx_habits_user on public.habits (user_id);

alter table public.habits enable row level security;
create policy "Users manage their own habits" on public.habits
  for all to authenticated
  using ((select auth.uid()) = user_id)
  with check ((select auth.uid()) = user_id);

create table if not exists public.habit_completions (
  id uuid primary key default gen_random_uuid(),
  habit_id uuid not null references public.habits (id) on delete cascade,
  user_id uuid not null references public.profiles (id) on delete cascade,
  completed_at date default current_date,
  note text
);
comment on table public.habit_completions is 'One row per day a habit was done.';
create index if not exists idx_habit_completions_user on public.habit_completions (user_id);

alter table public.habit_completions enable row level security;
create policy "Users manage their own completions" on public.habit_completions
  for all to authenticated
  using ((select auth.uid()) = user_id)
  with check ((select auth.uid()) = user_id);
