-- catalog.sql: what the project created, as the lines supaudit's model prints
-- (crates/supaudit_core/src/model/catalog.rs), from a real PostgreSQL's catalog.
-- Run by scripts/pg-run.sh with PG_RUN_COMPARE=1:
--   psql -At -v floor=<largest oid after the Supabase stubs> -f scripts/catalog.sql
-- Objects with an oid above :floor were created by the migrations; objects that
-- belong to an extension are left out. Types print as format_type does, without
-- a schema; names in double quotes unless they are lower-case identifiers.
\set ON_ERROR_STOP on
set search_path = pg_catalog;

with
rels as (
  select c.oid, c.relkind, c.relname, n.nspname, c.relrowsecurity, c.relforcerowsecurity,
         c.reloptions, c.relacl, c.relowner,
         n.nspname || '.' || c.relname as name
  from pg_class c join pg_namespace n on n.oid = c.relnamespace
  where c.oid > :floor and c.relkind in ('r', 'p', 'v', 'm', 'f')
    and not exists (select 1 from pg_depend d
                    where d.classid = 'pg_class'::regclass and d.objid = c.oid and d.deptype = 'e')
),
typ as (
  select oid, regexp_replace(format_type(oid, null), '^[a-z_0-9]+\.', '') as base from pg_type
),
lines as (
  select case relkind when 'r' then 'table' when 'p' then 'table' when 'v' then 'view'
                      when 'm' then 'materialized view' else 'foreign table' end || ' ' || name as line
  from rels
  union all
  select 'view ' || name || ' security_invoker' from rels
  where relkind = 'v' and exists (select 1 from unnest(reloptions) o
      where lower(o) in ('security_invoker=true', 'security_invoker=on', 'security_invoker=1', 'security_invoker=yes'))
  union all
  select 'column ' || r.name || '.' || (case when a.attname ~ '^[a-z_][a-z0-9_]*$' then a.attname::text else '"' || replace(a.attname, '"', '""') || '"' end) || ' '
         || regexp_replace(format_type(a.atttypid, a.atttypmod), '^("[^"]+"|[a-z_0-9]+)\.', '')
         || case when a.attnotnull then ' not null' else '' end
  from rels r join pg_attribute a on a.attrelid = r.oid
  where r.relkind in ('r', 'p', 'f') and a.attnum > 0 and not a.attisdropped
  union all
  select 'rls ' || name || ' ' || case when relrowsecurity then 'enabled' else 'disabled' end
         || case when relforcerowsecurity then ' forced' else '' end
  from rels where relkind in ('r', 'p')
  union all
  select case con.contype when 'p' then 'primary key ' else 'unique ' end || r.name || ' ('
         || (select string_agg((case when a.attname ~ '^[a-z_][a-z0-9_]*$' then a.attname::text else '"' || replace(a.attname, '"', '""') || '"' end), ', ' order by k.i)
             from unnest(con.conkey) with ordinality k(attnum, i)
             join pg_attribute a on a.attrelid = con.conrelid and a.attnum = k.attnum) || ')'
  from rels r join pg_constraint con on con.conrelid = r.oid and con.contype in ('p', 'u')
  union all
  select 'foreign key ' || r.name || ' ('
         || (select string_agg((case when a.attname ~ '^[a-z_][a-z0-9_]*$' then a.attname::text else '"' || replace(a.attname, '"', '""') || '"' end), ', ' order by k.i)
             from unnest(con.conkey) with ordinality k(attnum, i)
             join pg_attribute a on a.attrelid = con.conrelid and a.attnum = k.attnum)
         || ') references ' || fn.nspname || '.' || fc.relname || ' ('
         || (select string_agg((case when a.attname ~ '^[a-z_][a-z0-9_]*$' then a.attname::text else '"' || replace(a.attname, '"', '""') || '"' end), ', ' order by k.i)
             from unnest(con.confkey) with ordinality k(attnum, i)
             join pg_attribute a on a.attrelid = con.confrelid and a.attnum = k.attnum)
         || ') on delete ' || case con.confdeltype when 'a' then 'no action' when 'r' then 'restrict'
              when 'c' then 'cascade' when 'n' then 'set null' else 'set default' end
  from rels r join pg_constraint con on con.conrelid = r.oid and con.contype = 'f'
  join pg_class fc on fc.oid = con.confrelid join pg_namespace fn on fn.oid = fc.relnamespace
  union all
  select 'index ' || r.name || ' ' || am.amname || case when i.indisunique then ' unique' else '' end || ' ('
         || (select string_agg(case when k.attnum = 0 then '(expr)' else (case when a.attname ~ '^[a-z_][a-z0-9_]*$' then a.attname::text else '"' || replace(a.attname, '"', '""') || '"' end) end, ', ' order by k.i)
             from unnest(i.indkey::int2[]) with ordinality k(attnum, i)
             left join pg_attribute a on a.attrelid = i.indrelid and a.attnum = k.attnum
             where k.i <= i.indnkeyatts) || ')'
         || coalesce(' where ' || pg_get_expr(i.indpred, i.indrelid, true), '')
  from rels r join pg_index i on i.indrelid = r.oid
  join pg_class ic on ic.oid = i.indexrelid join pg_am am on am.oid = ic.relam
  union all
  select 'grant ' || r.name || ' ' || g.role || ' ' || g.privs
  from rels r, lateral (
    select case when e.grantee = 0 then 'public' else pg_get_userbyid(e.grantee) end as role,
           string_agg(distinct lower(e.privilege_type), ',' order by lower(e.privilege_type)) as privs
    from aclexplode(coalesce(r.relacl, acldefault('r', r.relowner))) e
    where e.grantee = 0 or pg_get_userbyid(e.grantee) in ('anon', 'authenticated')
    group by 1) g
  union all
  select 'policy ' || pn.nspname || '.' || pc.relname || ' ' || (case when p.polname ~ '^[a-z_][a-z0-9_]*$' then p.polname::text else '"' || replace(p.polname, '"', '""') || '"' end) || ' '
         || case p.polcmd when 'r' then 'select' when 'a' then 'insert' when 'w' then 'update'
              when 'd' then 'delete' else 'all' end || ' '
         || case when p.polpermissive then 'permissive' else 'restrictive' end || ' to '
         || (select string_agg(case when ro = 0 then 'public' else pg_get_userbyid(ro) end, ','
                               order by case when ro = 0 then 'public' else pg_get_userbyid(ro)::text end)
             from unnest(p.polroles) ro)
  from pg_policy p join pg_class pc on pc.oid = p.polrelid join pg_namespace pn on pn.oid = pc.relnamespace
  where p.oid > :floor
  union all
  select 'function ' || n.nspname || '.' || p.proname || '('
         || coalesce((select string_agg(regexp_replace(format_type(t, null), '^("[^"]+"|[a-z_0-9]+)\.', ''), ', ' order by i)
                      from unnest(p.proargtypes::oid[]) with ordinality u(t, i)), '') || ')'
         || case when p.prosecdef then ' security definer' else '' end
         || coalesce((select ' search_path=' || regexp_replace(lower(substr(c, 13)), '\s', '', 'g')
                      from unnest(p.proconfig) c where c like 'search_path=%' limit 1), '')
         || ' execute=' || coalesce((
              select string_agg(role, ',' order by case role when 'anon' then 1 when 'authenticated' then 2 else 3 end)
              from (select distinct case when e.grantee = 0 then 'public' else pg_get_userbyid(e.grantee)::text end as role
                    from aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) e
                    where e.privilege_type = 'EXECUTE'
                      and (e.grantee = 0 or pg_get_userbyid(e.grantee) in ('anon', 'authenticated'))) x), '')
  from pg_proc p join pg_namespace n on n.oid = p.pronamespace
  where p.oid > :floor
    and not exists (select 1 from pg_depend d
                    where d.classid = 'pg_proc'::regclass and d.objid = p.oid and d.deptype = 'e')
  union all
  select 'enum ' || n.nspname || '.' || t.typname || ' ('
         || (select string_agg(e.enumlabel, ', ' order by e.enumsortorder) from pg_enum e where e.enumtypid = t.oid) || ')'
  from pg_type t join pg_namespace n on n.oid = t.typnamespace
  where t.oid > :floor and t.typtype = 'e'
    and not exists (select 1 from pg_depend d
                    where d.classid = 'pg_type'::regclass and d.objid = t.oid and d.deptype = 'e')
  union all
  select 'composite ' || n.nspname || '.' || t.typname || ' ('
         || coalesce((select string_agg(
                (case when a.attname ~ '^[a-z_][a-z0-9_]*$' then a.attname::text else '"' || replace(a.attname, '"', '""') || '"' end)
                || ' ' || regexp_replace(format_type(a.atttypid, a.atttypmod), '^("[^"]+"|[a-z_0-9]+)\.', ''),
                ', ' order by a.attnum)
              from pg_attribute a where a.attrelid = t.typrelid and a.attnum > 0 and not a.attisdropped), '') || ')'
  from pg_type t join pg_namespace n on n.oid = t.typnamespace join pg_class c on c.oid = t.typrelid
  where t.oid > :floor and t.typtype = 'c' and c.relkind = 'c'
    and not exists (select 1 from pg_depend d
                    where d.classid = 'pg_type'::regclass and d.objid = t.oid and d.deptype = 'e')
)
select line from lines where line is not null order by line collate "C";
