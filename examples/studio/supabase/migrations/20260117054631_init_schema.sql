-- Generation Studio: core schema (profiles, chat, generations, usage)

-- Keeps updated_at current on every table that has one.
create or replace function public.set_updated_at()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  new.updated_at := now();
  return new;
end;
$$;

-- Profiles (one row per auth user)
create table public.users (
  id uuid primary key references auth.users (id) on delete cascade,
  display_name text,
  avatar_url text,
  plan text not null default 'free' check (plan in ('free', 'pro', 'team')),
  credits integer not null default 100 check (credits >= 0),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

alter table public.users enable row level security;

create policy "Users can view own profile" on public.users
  for select using (auth.uid() = id);

create policy "Users can update own profile" on public.users
  for update using (auth.uid() = id);

create trigger users_set_updated_at before update on public.users
  for each row execute function public.set_updated_at();

-- Create the profile row when someone signs up.
create or replace function public.handle_new_user()
returns trigger
language plpgsql
security definer
as $$
begin
  insert into public.users (id, display_name, avatar_url)
  values (new.id, new.raw_user_meta_data ->> 'full_name', new.raw_user_meta_data ->> 'avatar_url');
  return new;
end;
$$;

create trigger on_auth_user_created after insert on auth.users
  for each row execute function public.handle_new_user();

-- Conversations and messages
create table public.conversations (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references auth.users (id) on delete cascade,
  title text not null default 'Untitled',
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create index idx_conversations_user_id on public.conversations (user_id);
create index idx_conversations_updated_at on public.conversations (updated_at desc);

alter table public.conversations enable row level security;

create policy "Users can manage own conversations" on public.conversations
  for all using (auth.uid() = user_id);

create trigger conversations_set_updated_at before update on public.conversations
  for each row execute function public.set_updated_at();

create table public.messages (
  id uuid primary key default gen_random_uuid(),
  conversation_id uuid not null references public.conversations (id) on delete cascade,
  role text not null check (role in ('user', 'assistant', 'system')),
  content text not null,
  created_at timestamptz not null default now()
);

create index idx_messages_conversation_id on public.messages (conversation_id);

alter table public.messages enable row level security;

create policy "Users can view own messages" on public.messages
  for all using (
    conversation_id in (
      select id from public.conversations where user_id = auth.uid()
    )
  );

-- Generations (image / video / audio jobs)
create table public.generations (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references auth.users (id) on delete cascade,
  conversation_id uuid references public.conversations (id) on delete set null,
  model text not null,
  prompt text not null,
  status text not null default 'pending' check (status in ('pending', 'processing', 'completed', 'failed')),
  is_public boolean not null default false,
  provider_job_id text,
  output_url text,
  cost_credits integer not null default 1,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create index idx_generations_user_id on public.generations (user_id);
create index idx_generations_conversation_id on public.generations (conversation_id);
create index idx_generations_provider_job_id on public.generations (provider_job_id);

alter table public.generations enable row level security;

create policy "Users can manage own generations" on public.generations
  for all to authenticated
  using ((select auth.uid()) = user_id)
  with check ((select auth.uid()) = user_id);

create policy "Anyone can view public generations" on public.generations
  for select to anon, authenticated
  using (is_public);

create trigger generations_set_updated_at before update on public.generations
  for each row execute function public.set_updated_at();

-- API usage metering (written by the server with the service role only)
create table public.api_usage (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references auth.users (id) on delete cascade,
  endpoint text not null,
  tokens integer not null default 0,
  cost_usd numeric(10, 4) not null default 0,
  created_at timestamptz not null default now()
);

create index idx_api_usage_user_id on public.api_usage (user_id);

alter table public.api_usage enable row level security;
