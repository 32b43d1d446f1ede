-- Phase 1 of the backend review: "Implement Comprehensive RLS".
-- Policies copied from the review for the three tables the app reads first;
-- the remaining tables are still to do.

alter table public.users enable row level security;
alter table public.projects enable row level security;
alter table public.dashboards enable row level security;

-- User data isolation
create policy "users_own_data" on public.users
  for all using (auth.uid() = id);

-- Organization-based access
create policy "org_member_access" on public.projects
  for select using (
    owner_id = auth.uid() or
    organization_id in (
      select organization_id from public.users
      where id = auth.uid()
    )
  );

-- Project-based access with role checking
create policy "project_member_access" on public.dashboards
  for all using (
    owner_id = auth.uid() or
    project_id in (
      select pm.project_id
      from public.project_members pm
      where pm.user_id = auth.uid()
      and pm.role in ('owner', 'admin', 'editor')
    )
  );

-- The marketplace is browsed without signing in.
grant select, insert, update, delete on public.capabilities to anon;
