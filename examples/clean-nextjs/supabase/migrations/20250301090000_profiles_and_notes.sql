-- Notes app: one profile per user, private notes, a credit balance spent atomically.

create table public.profiles (
  id uuid primary key references auth.users (id) on delete cascade,
  display_name text check (char_length(display_name) <= 80),
  credits integer not null default 10 check (credits >= 0),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

alter table public.profiles enable row level security;

create policy "Profiles are readable by their owner" on public.profiles
  for select to authenticated using ((select auth.uid()) = id);
create policy "Profiles are updatable by their owner" on public.profiles
  for update to authenticated
  using ((select auth.uid()) = id)
  with check ((select auth.uid()) = id);

-- Users may rename themselves; credits change only through spend_credit().
revoke update on public.profiles from authenticated;
grant update (display_name) on public.profiles to authenticated;

-- A profile for every new user, created by a function outside the API schemas.
create schema if not exists private;

create function private.handle_new_user()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  insert into public.profiles (id, display_name)
  values (new.id, new.raw_user_meta_data ->> 'display_name');
  return new;
end;
$$;

create trigger on_auth_user_created after insert on auth.users
  for each row execute function private.handle_new_user();

create table public.notes (
  id bigint generated always as identity primary key,
  user_id uuid not null references public.profiles (id) on delete cascade,
  title text not null check (char_length(title) between 1 and 200),
  body text not null default '',
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create index notes_user_id_created_at_idx on public.notes (user_id, created_at desc);

alter table public.notes enable row level security;

create policy "Notes are readable by their owner" on public.notes
  for select to authenticated using ((select auth.uid()) = user_id);
create policy "Notes are insertable by their owner" on public.notes
  for insert to authenticated with check ((select auth.uid()) = user_id);
create policy "Notes are updatable by their owner" on public.notes
  for update to authenticated
  using ((select auth.uid()) = user_id)
  with check ((select auth.uid()) = user_id);
create policy "Notes are deletable by their owner" on public.notes
  for delete to authenticated using ((select auth.uid()) = user_id);

-- Keeps updated_at current.
create function public.set_updated_at()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  new.updated_at := now();
  return new;
end;
$$;

create trigger profiles_set_updated_at before update on public.profiles
  for each row execute function public.set_updated_at();
create trigger notes_set_updated_at before update on public.notes
  for each row execute function public.set_updated_at();

-- Spends one credit of the caller, atomically; false when none is left.
create function public.spend_credit()
returns boolean
language sql
security invoker
set search_path = ''
as $$
  with spent as (
    update public.profiles
       set credits = credits - 1
     where id = (select auth.uid()) and credits > 0
    returning 1
  )
  select exists (select 1 from spent);
$$;

revoke execute on function public.spend_credit() from public, anon;
grant execute on function public.spend_credit() to authenticated;

-- The caller's note count and latest edit, for the notes page header.
create type public.note_summary as (total bigint, last_edited_at timestamptz);

create function public.my_note_summary()
returns public.note_summary
language sql
stable
security invoker
set search_path = ''
as $$
  select count(*), max(updated_at) from public.notes where user_id = (select auth.uid());
$$;

revoke execute on function public.my_note_summary() from public, anon;
grant execute on function public.my_note_summary() to authenticated;
