-- Security advisor: "stack_contributors table: missing RLS policies"

alter table public.stack_contributors enable row level security;

create policy "Contributors can view their stacks' contributors" on public.stack_contributors
  for select using (
    stack_id in (
      select id from public.style_stacks where user_id = auth.uid()
    )
    or user_id = auth.uid()
  );

create policy "Stack owners can add contributors" on public.stack_contributors
  for insert with check (
    stack_id in (
      select id from public.style_stacks where user_id = auth.uid()
    )
  );
