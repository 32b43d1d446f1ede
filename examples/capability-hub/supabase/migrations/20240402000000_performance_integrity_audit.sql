-- Phases 2-4 of the backend review: indexes, soft delete, referential
-- integrity, encryption, audit trail, caching.

-- Composite indexes for common query patterns
create index idx_projects_org_status_owner on public.projects (organization_id, status, owner_id);
create index idx_capabilities_category_status_featured on public.capabilities (category, status, featured);
create index idx_documents_kb_type_language on public.documents (knowledge_base_id, document_type, language);

-- Partial indexes for filtered queries
create index idx_active_capabilities on public.capabilities (category, created_at)
  where status = 'published' and approval_status = 'approved';

-- Expression indexes for computed fields
create index idx_capabilities_search_text on public.capabilities
  using gin (to_tsvector('english', name || ' ' || description));

-- Optimized vector index with dynamic lists
create or replace function public.create_optimal_vector_index()
returns void as $$
declare
  doc_count integer;
  optimal_lists integer;
begin
  select count(*) into doc_count from public.documents;
  optimal_lists := greatest(1, doc_count / 1000);

  execute format('create index concurrently idx_documents_vector_optimized
    on public.documents using ivfflat (embedding_vector vector_cosine_ops)
    with (lists = %s)', optimal_lists);
end;
$$ language plpgsql;

-- Rebuilds the search index without blocking writes.
create or replace function public.rebuild_capability_search_index()
returns void as $$
begin
  drop index if exists public.idx_capabilities_search_text;
  create index concurrently idx_capabilities_search_text on public.capabilities
    using gin (to_tsvector('english', name || ' ' || description));
end;
$$ language plpgsql;

-- Soft delete
alter table public.capabilities add column deleted_at timestamp with time zone;
alter table public.projects add column deleted_at timestamp with time zone;

create index idx_capabilities_active on public.capabilities (category, status)
  where deleted_at is null;

create or replace function public.soft_delete_capability(capability_uuid uuid)
returns void as $$
begin
  update public.capabilities
  set deleted_at = now(), status = 'archived'
  where id = capability_uuid;
end;
$$ language plpgsql security definer;

-- Referential integrity for dashboard data sources (template_id: see backlog)
create or replace function public.validate_data_sources(sources uuid[])
returns boolean as $$
declare
  source_id uuid;
begin
  foreach source_id in array sources
  loop
    if not exists (
      select 1 from public.datasets where id = source_id
      union
      select 1 from public.dashboards where id = source_id
    ) then
      return false;
    end if;
  end loop;
  return true;
end;
$$ language plpgsql;

-- Encrypted authentication storage
create extension if not exists pgcrypto with schema extensions;

alter table public.mcp_integrations
  add column authentication_encrypted bytea;

create or replace function public.encrypt_sensitive_data(data text)
returns bytea as $$
begin
  return extensions.pgp_sym_encrypt(data, current_setting('app.encryption_key'));
end;
$$ language plpgsql security definer;

-- Audit trail
create table public.audit_log (
  id uuid primary key default gen_random_uuid(),
  table_name varchar(100) not null,
  record_id uuid not null,
  operation varchar(10) not null, -- INSERT, UPDATE, DELETE
  old_values jsonb,
  new_values jsonb,
  changed_fields text[],
  user_id uuid references public.users (id),
  ip_address inet,
  user_agent text,
  "timestamp" timestamp with time zone default now()
);

create or replace function public.audit_trigger_function()
returns trigger as $$
begin
  if tg_op = 'DELETE' then
    insert into audit_log (table_name, record_id, operation, old_values, user_id)
    values (tg_table_name, old.id, tg_op, to_jsonb(old), auth.uid());
    return old;
  elsif tg_op = 'UPDATE' then
    insert into audit_log (table_name, record_id, operation, old_values, new_values, user_id)
    values (tg_table_name, new.id, tg_op, to_jsonb(old), to_jsonb(new), auth.uid());
    return new;
  elsif tg_op = 'INSERT' then
    insert into audit_log (table_name, record_id, operation, new_values, user_id)
    values (tg_table_name, new.id, tg_op, to_jsonb(new), auth.uid());
    return new;
  end if;
  return null;
end;
$$ language plpgsql security definer;

create trigger audit_projects
  after insert or update or delete on public.projects
  for each row execute function public.audit_trigger_function();
create trigger audit_mcp_integrations
  after insert or update or delete on public.mcp_integrations
  for each row execute function public.audit_trigger_function();

-- Materialized views for expensive queries
create materialized view public.mv_capability_stats as
select
  category,
  count(*) as total_capabilities,
  avg((metrics ->> 'rating')::decimal) as avg_rating,
  sum((metrics ->> 'downloads')::integer) as total_downloads
from public.capabilities
where status = 'published' and deleted_at is null
group by category;

create or replace function public.refresh_capability_stats()
returns void as $$
begin
  refresh materialized view concurrently public.mv_capability_stats;
end;
$$ language plpgsql security definer;
