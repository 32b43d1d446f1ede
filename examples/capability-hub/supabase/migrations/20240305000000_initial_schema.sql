-- Capability Hub: MCP capability marketplace, core schema
-- (users, organizations, projects, dashboards, capabilities, MCP integrations,
-- knowledge bases, activity log)

create or replace function public.update_updated_at_column()
returns trigger
language plpgsql
as $$
begin
  new.updated_at = now();
  return new;
end;
$$;

-- Organizations and users
create table public.organizations (
  id uuid primary key default gen_random_uuid(),
  name varchar(255) not null,
  slug varchar(100) not null unique,
  plan text not null default 'free' check (plan in ('free', 'team', 'enterprise')),
  settings jsonb not null default '{}',
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create table public.users (
  id uuid primary key references auth.users (id) on delete cascade,
  email varchar(255) not null,
  full_name varchar(255),
  avatar_url text,
  organization_id uuid references public.organizations (id) on delete set null,
  preferences jsonb not null default '{}',
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create index idx_users_organization on public.users (organization_id);

-- Projects and membership
create table public.projects (
  id uuid primary key default gen_random_uuid(),
  organization_id uuid not null references public.organizations (id) on delete cascade,
  owner_id uuid not null references public.users (id) on delete cascade,
  name varchar(255) not null,
  description text,
  status text not null default 'active',
  settings jsonb not null default '{}',
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create index idx_projects_organization on public.projects (organization_id);

create table public.project_members (
  id uuid primary key default gen_random_uuid(),
  project_id uuid not null references public.projects (id) on delete cascade,
  user_id uuid not null references public.users (id) on delete cascade,
  role text not null default 'viewer' check (role in ('owner', 'admin', 'editor', 'viewer')),
  created_at timestamptz not null default now(),
  unique (project_id, user_id)
);

create index idx_project_members_user on public.project_members (user_id);

-- Dashboards
create table public.dashboard_templates (
  id uuid primary key default gen_random_uuid(),
  name varchar(255) not null,
  description text,
  layout jsonb not null default '{}',
  is_public boolean not null default true,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create table public.dashboards (
  id uuid primary key default gen_random_uuid(),
  project_id uuid not null references public.projects (id) on delete cascade,
  owner_id uuid not null references public.users (id) on delete cascade,
  template_id uuid, -- Should reference dashboard_templates(id)
  name varchar(255) not null,
  layout jsonb not null default '{}',
  data_sources uuid[] default '{}', -- datasets or other dashboards
  version integer not null default 1,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create index idx_dashboards_project on public.dashboards (project_id);
create index idx_dashboards_owner on public.dashboards (owner_id);

create table public.datasets (
  id uuid primary key default gen_random_uuid(),
  project_id uuid not null references public.projects (id) on delete cascade,
  name varchar(255) not null,
  source_url text,
  schema_definition jsonb not null default '{}',
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create index idx_datasets_project on public.datasets (project_id);

-- Marketplace
create table public.capabilities (
  id uuid primary key default gen_random_uuid(),
  publisher_id uuid references public.users (id) on delete set null,
  project_id uuid references public.projects (id) on delete set null,
  name varchar(255) not null,
  description text not null default '',
  category varchar(100) not null,
  status text not null default 'draft', -- draft, published, archived
  approval_status text not null default 'pending', -- pending, approved, rejected
  featured boolean not null default false,
  version varchar(50) not null default '1.0.0',
  manifest jsonb not null default '{}',
  metrics jsonb not null default '{"rating": 0, "downloads": 0}',
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create index idx_capabilities_publisher on public.capabilities (publisher_id);
create index idx_capabilities_project on public.capabilities (project_id);

create table public.mcp_integrations (
  id uuid primary key default gen_random_uuid(),
  project_id uuid not null references public.projects (id) on delete cascade,
  capability_id uuid references public.capabilities (id) on delete set null,
  name varchar(255) not null,
  server_url text not null,
  transport text not null default 'http' check (transport in ('http', 'sse', 'stdio')),
  authentication jsonb default '{}', -- API keys, OAuth client secrets, bearer tokens
  enabled boolean not null default true,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create index idx_mcp_integrations_project on public.mcp_integrations (project_id);
create index idx_mcp_integrations_capability on public.mcp_integrations (capability_id);

-- Knowledge bases (RAG)
create table public.knowledge_bases (
  id uuid primary key default gen_random_uuid(),
  project_id uuid references public.projects (id) on delete set null,
  name varchar(255) not null,
  description text,
  embedding_model varchar(100) not null default 'text-embedding-3-small',
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create index idx_knowledge_bases_project on public.knowledge_bases (project_id);

create table public.documents (
  id uuid primary key default gen_random_uuid(),
  knowledge_base_id uuid not null references public.knowledge_bases (id) on delete cascade,
  title varchar(500) not null,
  content text not null,
  document_type varchar(50) not null default 'text',
  language varchar(10) not null default 'en',
  metadata jsonb not null default '{}',
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create index idx_documents_knowledge_base on public.documents (knowledge_base_id);

-- Activity
create table public.user_activity_log (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references public.users (id) on delete cascade,
  activity_type varchar(50) not null,
  entity_type varchar(50),
  entity_id uuid,
  details jsonb not null default '{}',
  "timestamp" timestamptz not null default now()
);

-- updated_at maintenance
create trigger update_organizations_updated_at before update on public.organizations
  for each row execute function public.update_updated_at_column();
create trigger update_users_updated_at before update on public.users
  for each row execute function public.update_updated_at_column();
create trigger update_projects_updated_at before update on public.projects
  for each row execute function public.update_updated_at_column();
create trigger update_dashboard_templates_updated_at before update on public.dashboard_templates
  for each row execute function public.update_updated_at_column();
create trigger update_dashboards_updated_at before update on public.dashboards
  for each row execute function public.update_updated_at_column();
create trigger update_datasets_updated_at before update on public.datasets
  for each row execute function public.update_updated_at_column();
create trigger update_capabilities_updated_at before update on public.capabilities
  for each row execute function public.update_updated_at_column();
create trigger update_mcp_integrations_updated_at before update on public.mcp_integrations
  for each row execute function public.update_updated_at_column();
create trigger update_knowledge_bases_updated_at before update on public.knowledge_bases
  for each row execute function public.update_updated_at_column();
create trigger update_documents_updated_at before update on public.documents
  for each row execute function public.update_updated_at_column();
