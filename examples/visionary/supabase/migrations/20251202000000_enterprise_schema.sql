-- v2.0 Enterprise & Teams: chat integrations.

create table if not exists public.slack_installations (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references public.profiles (id) on delete cascade,
  team_id text not null,
  team_name text,
  bot_user_id text,
  access_token text not null, -- TODO: Encrypt in production using Vault
  installed_at timestamptz not null default now(),
  unique (user_id, team_id)
);
comment on table public.slack_installations is 'Slack workspaces connected for check-in reminders.';

alter table public.slack_installations enable row level security;
create policy "Users read their own Slack installations" on public.slack_installations
  for select to authenticated using ((select auth.uid()) = user_id);

create table if not exists public.teams_installations (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references public.profiles (id) on delete cascade,
  tenant_id text not null,
  access_token text, -- TODO: Encrypt in production using Vault
  refresh_token text,
  expires_at timestamptz,
  installed_at timestamptz not null default now(),
  unique (user_id, tenant_id)
);
comment on table public.teams_installations is 'Microsoft Teams tenants connected for check-in reminders.';

alter table public.teams_installations enable row level security;
create policy "Users read their own Teams installations" on public.teams_installations
  for select to authenticated using ((select auth.uid()) = user_id);
