-- Third-party integrations, sharing, feedback and the launch waitlist

-- OAuth connections (Google Drive import, Dropbox export)
create table public.oauth_connections (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references auth.users (id) on delete cascade,
  provider text not null check (provider in ('google_drive', 'dropbox')),
  provider_account_id text not null,
  access_token text not null, -- TODO: encrypt in production using Vault
  refresh_token text, -- TODO: encrypt
  expires_at timestamptz,
  created_at timestamptz not null default now(),
  unique (user_id, provider)
);

alter table public.oauth_connections enable row level security;

create policy "Users can manage own connections" on public.oauth_connections
  for all to authenticated
  using ((select auth.uid()) = user_id)
  with check ((select auth.uid()) = user_id);

-- Tags on generations (many-to-many with free-form labels)
create table public.generation_tags (
  generation_id uuid not null references public.generations (id) on delete cascade,
  tag text not null,
  created_at timestamptz not null default now()
);

create index idx_generation_tags_generation_id on public.generation_tags (generation_id);

alter table public.generation_tags enable row level security;

create policy "Users can manage tags on own generations" on public.generation_tags
  for all to authenticated
  using (
    exists (
      select 1 from public.generations g
      where g.id = generation_tags.generation_id
        and g.user_id = (select auth.uid())
    )
  );

-- Prompt templates shared in the community gallery
create table public.prompt_templates (
  id uuid primary key default gen_random_uuid(),
  owner_id uuid not null references auth.users (id) on delete cascade,
  title text not null,
  body text not null,
  is_public boolean not null default false,
  created_at timestamptz not null default now()
);

create index idx_prompt_templates_owner_id on public.prompt_templates (owner_id);

create policy "Templates are viewable when public or owned" on public.prompt_templates
  for select using (is_public or owner_id = (select auth.uid()));

-- In-app feedback widget (also shown on the landing page, before sign-in)
create table public.feedback (
  id uuid primary key default gen_random_uuid(),
  user_id uuid references auth.users (id) on delete cascade,
  page text,
  message text not null,
  created_at timestamptz not null default now()
);

create index idx_feedback_user_id on public.feedback (user_id);

alter table public.feedback enable row level security;

create policy "Anyone can send feedback" on public.feedback
  for insert to anon, authenticated
  with check (true);

create policy "Admins can read feedback" on public.feedback
  for select to authenticated
  using (((select auth.jwt()) -> 'user_metadata' ->> 'role') = 'admin');

-- Launch waitlist, filled from the marketing site
create table public.waitlist_signups (
  id uuid primary key default gen_random_uuid(),
  email text not null unique,
  phone text,
  full_name text,
  referral_source text,
  created_at timestamptz not null default now()
);

-- SMS notifications (training finished, credits low)
create table public.sms_notifications (
  id uuid primary key default gen_random_uuid(),
  phone text not null references auth.users (phone) on delete cascade,
  body text not null,
  sent_at timestamptz
);

create index idx_sms_notifications_phone on public.sms_notifications (phone);

alter table public.sms_notifications enable row level security;

create policy "Users can manage own SMS notifications" on public.sms_notifications
  for all to authenticated
  using (phone = ((select auth.jwt()) ->> 'phone'))
  with check (phone = ((select auth.jwt()) ->> 'phone'));
