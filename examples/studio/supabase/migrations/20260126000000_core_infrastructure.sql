-- Core infrastructure: search, audit trail, credit functions, reporting views

create extension if not exists pg_trgm;

-- Prompt search in the gallery
create index idx_generations_prompt_trgm on public.generations using gin (prompt gin_trgm_ops);

-- Performance indexes
create index if not exists generations_user_id_idx on public.generations (user_id);
create index idx_training_jobs_user_status on public.training_jobs (user_id, status);

-- Audit trail
create table public.audit_logs (
  id serial primary key,
  table_name text not null,
  record_id uuid,
  action text not null,
  actor_id uuid,
  old_data jsonb,
  new_data jsonb,
  created_at timestamptz not null default now()
);

create or replace function public.audit_trigger_function()
returns trigger
language plpgsql
security definer
as $$
begin
  if tg_op = 'DELETE' then
    insert into audit_logs (table_name, record_id, action, actor_id, old_data)
    values (tg_table_name, old.id, tg_op, auth.uid(), to_jsonb(old));
    return old;
  end if;
  insert into audit_logs (table_name, record_id, action, actor_id, old_data, new_data)
  values (
    tg_table_name, new.id, tg_op, auth.uid(),
    case when tg_op = 'UPDATE' then to_jsonb(old) end,
    to_jsonb(new)
  );
  return new;
end;
$$;

create trigger training_jobs_audit
  after insert or update or delete on public.training_jobs
  for each row execute function public.audit_trigger_function();

-- Credits
-- Used by the billing webhook to top up a user's balance.
create or replace function public.grant_credits(p_user_id uuid, p_amount integer)
returns integer
language plpgsql
security definer
as $$
declare
  v_balance integer;
begin
  update users set credits = credits + p_amount
  where id = p_user_id
  returning credits into v_balance;
  return v_balance;
end;
$$;

-- Atomic spend, called from server code with the service role only.
create or replace function public.spend_credits(p_user_id uuid, p_amount integer default 1)
returns boolean
language plpgsql
security definer
set search_path = ''
as $$
begin
  update public.users
  set credits = credits - p_amount
  where id = p_user_id and credits >= p_amount;
  return found;
end;
$$;

revoke execute on function public.spend_credits(uuid, integer) from anon, authenticated, public;
grant execute on function public.spend_credits(uuid, integer) to service_role;

-- Views
create view public.conversation_summaries as
select
  c.id,
  c.user_id,
  c.title,
  count(m.id) as message_count,
  max(m.created_at) as last_message_at
from public.conversations c
left join public.messages m on m.conversation_id = c.id
group by c.id;

create view public.user_directory as
select u.id, u.email, p.display_name, p.avatar_url
from auth.users u
join public.users p on p.id = u.id;

create view public.public_gallery
with (security_invoker = true) as
select g.id, g.model, g.prompt, g.output_url, g.created_at
from public.generations g
where g.is_public and g.status = 'completed';

create materialized view public.model_usage_stats as
select
  model,
  count(*) as total_generations,
  count(distinct user_id) as distinct_users,
  sum(cost_credits) as credits_spent
from public.generations
where status = 'completed'
group by model;
