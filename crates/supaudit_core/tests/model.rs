//! The schema model after replaying statements: later statements win.

use supaudit_core::model::{FileId, Model, RelKind, Replay, StmtRef};
use supaudit_core::sql::{QName, parse_sql};

fn replay(files: &[&str]) -> Model {
    let mut r = Replay::default();
    for (i, text) in files.iter().enumerate() {
        let sql = parse_sql(text);
        assert!(sql.errors.is_empty(), "{:?}", sql.errors);
        for stmt in &sql.stmts {
            r.apply(StmtRef {
                file: FileId(i as u32),
                order: i as u32,
                stmt,
            });
        }
    }
    r.model
}

fn q(s: &str) -> QName {
    match s.split_once('.') {
        Some((a, b)) => QName::new(Some(a), b),
        None => QName::new(None, s),
    }
}

#[test]
fn platform_has_auth_storage_and_default_grants() {
    let m = Model::supabase();
    let users = m.relation(&q("auth.users")).unwrap();
    assert_eq!(users.primary_key, Some(vec!["id".to_string()]));
    assert!(users.uniques.contains(&vec!["phone".to_string()]));
    assert!(m.relation(&q("storage.objects")).unwrap().rls_enabled);
    assert!(m.has_extension("pg_graphql"));
    let m = replay(&[
        "create table public.t (id int primary key); create function public.f() returns int language sql as 'select 1';",
    ]);
    let t = m.relation(&q("t")).unwrap();
    assert!(t.readable_by("anon") && t.readable_by("authenticated"));
    let f = m.functions_named(&q("public.f")).next().unwrap();
    assert!(f.executable_by("anon"));
    assert!(f.execute.contains("public"));
}

#[test]
fn renames_and_drops_win() {
    let m = replay(&[
        "create table public.a (id int primary key, user_id uuid references auth.users, note text);
         create index a_user_idx on public.a (user_id);",
        "alter table public.a rename column user_id to owner_id;
         alter table public.a rename to b;
         alter table public.b drop column note, add column body text not null default '';
         drop index a_user_idx;",
    ]);
    assert!(m.relation(&q("a")).is_none());
    let b = m.relation(&q("b")).unwrap();
    let cols: Vec<&str> = b.columns.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(cols, ["id", "owner_id", "body"]);
    assert_eq!(b.foreign_keys[0].columns, ["owner_id"]);
    assert!(
        b.indexes
            .iter()
            .all(|i| i.name.as_deref() != Some("a_user_idx"))
    );
    assert_eq!(b.origin.file, FileId(0));
    assert_eq!(b.last_changed.file, FileId(1));
}

#[test]
fn rls_policies_and_their_changes() {
    let m = replay(&[
        "create table t (id int primary key, user_id uuid);
         alter table t enable row level security;
         create policy p on t for select to authenticated using (true);
         create policy q on t for delete using (false);",
        "alter policy p on t to anon, authenticated using (user_id = (select auth.uid()));
         drop policy q on t;
         alter table t force row level security;",
    ]);
    let t = m.relation(&q("t")).unwrap();
    assert!(t.rls_enabled && t.rls_forced);
    assert_eq!(t.policies.len(), 1);
    assert_eq!(t.policies[0].roles, ["anon", "authenticated"]);
    assert!(!t.policies[0].using.as_ref().unwrap().is_true());
    assert_eq!(t.rls_origin.unwrap().file, FileId(0));
}

#[test]
fn grants_revokes_and_default_privileges() {
    let m = replay(&[
        "revoke all on public.pre from anon;
         alter default privileges in schema public revoke all on tables from anon;
         create table public.t (id int primary key);
         create table public.u (id int primary key);
         revoke select on public.u from authenticated;
         grant select on table public.t to anon;
         create function public.f(a int, b text) returns int language sql security definer as 'select 1';
         create function public.f(a int) returns int language sql as 'select 1';
         revoke execute on function public.f(integer, text) from public, anon;",
    ]);
    let t = m.relation(&q("t")).unwrap();
    assert!(t.readable_by("anon"));
    assert!(!t.has_privilege("anon", "insert"));
    let u = m.relation(&q("u")).unwrap();
    assert!(!u.readable_by("anon") && !u.readable_by("authenticated"));
    assert!(u.has_privilege("authenticated", "insert"));
    let fs: Vec<_> = m.functions_named(&q("f")).collect();
    assert_eq!(fs.len(), 2);
    let two = fs.iter().find(|f| f.arg_types.len() == 2).unwrap();
    assert!(!two.executable_by("anon") && two.executable_by("authenticated"));
    let one = fs.iter().find(|f| f.arg_types.len() == 1).unwrap();
    assert!(one.executable_by("anon"));
}

#[test]
fn functions_views_extensions_and_buckets() {
    let m = replay(&[
        "create function public.f() returns trigger language plpgsql as $$ begin return new; end $$;
         alter function public.f() security definer set search_path = '';
         create view public.v as select u.email from auth.users u;
         alter view public.v set (security_invoker = true);
         create materialized view public.mv as select 1;
         create extension if not exists pg_trgm;
         create extension if not exists vector with schema extensions;
         insert into storage.buckets (id, name, public, file_size_limit) values ('avatars', 'avatars', true, 1024), ('docs', 'docs', false, null);
         do $$ begin create table public.from_do (id int primary key); end $$;
         create function public.g() returns void language plpgsql as $$ begin create table public.from_fn (id int); end $$;",
    ]);
    let f = m.functions_named(&q("f")).next().unwrap();
    assert!(f.security_definer && f.returns_trigger());
    assert_eq!(f.search_path(), Some("''"));
    let v = m.relation(&q("v")).unwrap();
    assert_eq!(v.kind, RelKind::View);
    assert_eq!(
        v.view.as_ref().unwrap().option("security_invoker"),
        Some("true")
    );
    assert_eq!(v.view.as_ref().unwrap().reads, [q("auth.users")]);
    assert_eq!(
        m.relation(&q("mv")).unwrap().kind,
        RelKind::MaterializedView
    );
    assert_eq!(m.extensions["pg_trgm"].schema, None);
    assert_eq!(m.extensions["vector"].schema.as_deref(), Some("extensions"));
    assert_eq!(m.buckets.len(), 2);
    assert!(m.buckets[0].public && m.buckets[0].has_size_limit && !m.buckets[0].has_mime_types);
    assert!(!m.buckets[1].public && !m.buckets[1].has_size_limit);
    assert!(
        m.relation(&q("from_do")).is_some(),
        "DDL in DO blocks runs at migration time"
    );
    assert!(
        m.relation(&q("from_fn")).is_none(),
        "DDL in function bodies does not"
    );
}

#[test]
fn create_or_replace_and_if_not_exists() {
    let m = replay(&["create table if not exists t (id int primary key);
         create table if not exists t (id int primary key, extra text);
         create or replace function f() returns int language sql as 'select 1';
         revoke execute on function f() from anon;
         create or replace function f() returns int language sql security definer as 'select 2';"]);
    assert_eq!(m.relation(&q("t")).unwrap().columns.len(), 1);
    let fs: Vec<_> = m.functions_named(&q("f")).collect();
    assert_eq!(fs.len(), 1);
    assert!(fs[0].security_definer);
    assert!(
        !fs[0].execute.contains("anon"),
        "CREATE OR REPLACE keeps privileges"
    );
}
