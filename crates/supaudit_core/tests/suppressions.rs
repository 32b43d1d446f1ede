//! Suppression comments and `supaudit.toml`: what they silence, and what
//! `unused-ignore` says about the ones that silence nothing.

mod common;

use common::*;
use supaudit_core::{Diagnostic, Project, Settings, Severity};

/// Checks a fixture with the settings of its own `supaudit.toml` (or the defaults).
fn run(text: &str) -> (Vec<Diagnostic>, Project) {
    let fx = parse_fixture(text);
    let settings = match &fx.project.config {
        Some(t) => Settings::from_toml(t).expect("fixture supaudit.toml"),
        None => Settings::default(),
    };
    (supaudit_core::check(&fx.project, &settings), fx.project)
}

/// `(file name, line)` of each finding of `rule`.
fn found(diags: &[Diagnostic], project: &Project, rule: &str) -> Vec<(String, usize)> {
    diags
        .iter()
        .filter(|d| d.rule == rule)
        .map(|d| {
            let text = &project.file(&d.file).unwrap().text;
            let line = text[..d.range.start as usize].matches('\n').count() + 1;
            (d.file.rsplit('/').next().unwrap().to_string(), line)
        })
        .collect()
}

fn messages<'a>(diags: &'a [Diagnostic], rule: &str) -> Vec<&'a str> {
    diags
        .iter()
        .filter(|d| d.rule == rule)
        .map(|d| d.message.as_str())
        .collect()
}

const M: &str = "20240101000000_fixture.sql";

#[test]
fn statement_suppression_covers_only_the_next_statement() {
    let (d, p) = run("\
create table public.a (id bigint primary key);
-- supaudit-ignore rls-disabled: public reference data
create table public.b (id bigint primary key);
create table public.c (id bigint primary key);
");
    assert_eq!(
        found(&d, &p, "rls-disabled"),
        [(M.into(), 1), (M.into(), 4)],
        "{}",
        render(&d, &p)
    );
    assert!(
        messages(&d, "unused-ignore").is_empty(),
        "{}",
        render(&d, &p)
    );
}

#[test]
fn two_rules_in_one_comment() {
    let (d, p) = run("\
-- supaudit-ignore rls-disabled, no-primary-key: staging table
create table public.imports (code text, name text);
create table public.exports (code text, name text);
");
    assert_eq!(found(&d, &p, "rls-disabled"), [(M.into(), 3)]);
    assert_eq!(found(&d, &p, "no-primary-key"), [(M.into(), 3)]);
    assert!(
        messages(&d, "unused-ignore").is_empty(),
        "{}",
        render(&d, &p)
    );
}

#[test]
fn trailing_and_inline_comments_cover_their_statement() {
    let (d, p) = run("\
create table public.a (id bigint primary key); -- supaudit-ignore rls-disabled
create table public.b (
  id bigint primary key,
  -- supaudit-ignore unindexed-foreign-key: tiny table
  a_id bigint references public.a,
  other_id bigint references public.a
);
");
    assert_eq!(
        found(&d, &p, "rls-disabled"),
        [(M.into(), 2)],
        "{}",
        render(&d, &p)
    );
    // Inside a statement, only the next line is covered.
    assert_eq!(found(&d, &p, "unindexed-foreign-key"), [(M.into(), 6)]);
    assert!(
        messages(&d, "unused-ignore").is_empty(),
        "{}",
        render(&d, &p)
    );
}

#[test]
fn file_suppression_with_and_without_rule_names() {
    let (d, p) = run("\
-- file: supabase/migrations/20240101000000_a.sql
-- supaudit-ignore-file rls-disabled: prototype tables
create table public.a1 (id bigint primary key);
create table public.a2 (v text);
-- file: supabase/migrations/20240102000000_b.sql
create table public.b1 (id bigint primary key);
-- supaudit-ignore-file
create table public.b2 (v text);
-- file: supabase/migrations/20240103000000_c.sql
create table public.c1 (v text);
");
    // Named: only that rule, in that file.
    let rls: Vec<String> = found(&d, &p, "rls-disabled")
        .into_iter()
        .map(|(f, _)| f)
        .collect();
    assert_eq!(rls, ["20240103000000_c.sql"], "{}", render(&d, &p));
    assert_eq!(
        found(&d, &p, "no-primary-key"),
        [
            ("20240101000000_a.sql".into(), 3),
            ("20240103000000_c.sql".into(), 1)
        ]
    );
    // Bare: every rule, in that file only.
    assert!(
        d.iter().all(|x| !x.file.ends_with("_b.sql")),
        "{}",
        render(&d, &p)
    );
    assert!(
        messages(&d, "unused-ignore").is_empty(),
        "{}",
        render(&d, &p)
    );
}

#[test]
fn unknown_and_unused_rules_are_reported() {
    let (d, p) = run("\
-- supaudit-ignore rls-disable: typo
create table public.a (id bigint primary key);
-- supaudit-ignore frobnicate
create table public.b (id bigint primary key);
alter table public.b enable row level security;
-- supaudit-ignore rls-disabled, no-primary-key: one of them is stale
create table public.c (id bigint primary key);
-- supaudit-ignore rls-disabled reference data
create table public.d (id bigint primary key);
");
    assert_eq!(
        messages(&d, "unused-ignore"),
        [
            "suppression names unknown rule `rls-disable` (did you mean `rls-disabled`?)",
            "suppression names unknown rule `frobnicate`",
            "suppression of `no-primary-key` is unused: no `no-primary-key` finding here",
            "suppression names unknown rule `rls-disabled reference data` (separate the reason with a colon: `rls-disabled: …`)",
        ],
        "{}",
        render(&d, &p)
    );
    // The misspelt and colon-less suppressions suppress nothing.
    assert_eq!(
        found(&d, &p, "rls-disabled"),
        [(M.into(), 2), (M.into(), 9)]
    );
    // The finding points at the name, and its first fix removes only what is unused.
    let stale = d
        .iter()
        .find(|x| x.message.contains("`no-primary-key` is unused"))
        .unwrap();
    let text = &p.files[0].text;
    assert_eq!(
        &text[stale.range.start as usize..stale.range.end as usize],
        "no-primary-key"
    );
    let (fixed, _) = supaudit_core::diagnostic::apply_fixes(&stale.file, text, [stale], false);
    assert!(
        fixed.contains("-- supaudit-ignore rls-disabled: one of them is stale\n"),
        "{fixed}"
    );
    // A misspelt name also offers the correction, but not as the safe fix.
    let typo = d
        .iter()
        .find(|x| x.message.contains("`rls-disable`"))
        .unwrap();
    assert_eq!(typo.fixes.len(), 2);
    assert_eq!(typo.fixes[1].title, "Replace with `rls-disabled`");
    assert_eq!(
        typo.fixes[1].applicability,
        supaudit_core::Applicability::Unsafe
    );
}

#[test]
fn supaudit_toml_turns_rules_off_and_changes_severity() {
    let fixture = "\
create table public.a (v text);
-- supaudit-ignore rls-disabled: not checked while the rule is off
create table public.b (v text);
-- file: supaudit.toml
[rules]
rls-disabled = \"off\"
no-primary-key = \"error\"
";
    let (d, p) = run(fixture);
    assert!(
        found(&d, &p, "rls-disabled").is_empty(),
        "{}",
        render(&d, &p)
    );
    let npk: Vec<Severity> = d
        .iter()
        .filter(|x| x.rule == "no-primary-key")
        .map(|x| x.severity)
        .collect();
    assert_eq!(npk, [Severity::Error, Severity::Error]);
    // A suppression of a rule that is off is neither used nor reported.
    assert!(
        messages(&d, "unused-ignore").is_empty(),
        "{}",
        render(&d, &p)
    );

    // Without the config: the defaults.
    let (d, p) = run(fixture.split("-- file: supaudit.toml").next().unwrap());
    assert_eq!(found(&d, &p, "rls-disabled"), [(M.into(), 1)]);
    assert!(
        d.iter()
            .filter(|x| x.rule == "no-primary-key")
            .all(|x| x.severity == Severity::Info)
    );
}

#[test]
fn unused_ignore_can_be_turned_off() {
    let (d, p) = run("\
-- supaudit-ignore frobnicate
create table public.a (id bigint primary key);
-- file: supaudit.toml
[rules]
unused-ignore = \"off\"
");
    assert!(
        messages(&d, "unused-ignore").is_empty(),
        "{}",
        render(&d, &p)
    );
}

#[test]
fn line_comments_suppress_in_client_config_and_env_files() {
    let (diags, project) = run(
        r#"create table public.habits (id bigint primary key, streak int);
alter table public.habits enable row level security;
-- file: src/a.ts
export async function a(ids: number[]) {
  for (const id of ids) {
    // supaudit-ignore query-in-loop: at most three ids
    await supabase.from('habits').select('id').eq('id', id);
    await supabase.from('habits').select('id').eq('id', id); // supaudit-ignore query-in-loop: same
    await supabase.from('habits').select('id').eq('id', id);
  }
  // supaudit-ignore client-unknown-column: unused
  await supabase.from('habits').select('id');
}
# file: supabase/config.toml
[db.pooler]
# supaudit-ignore pooler-disabled: local only
enabled = false
# file: .env.example
# supaudit-ignore-file secret-in-env-example: documented test key
KEY=sb_secret_N7UND0UgjKTVKUodkm0HgxSvEMPvz
"#,
    );
    assert_eq!(
        found(&diags, &project, "query-in-loop"),
        [("a.ts".to_string(), 6)]
    );
    assert!(found(&diags, &project, "pooler-disabled").is_empty());
    assert!(found(&diags, &project, "secret-in-env-example").is_empty());
    assert_eq!(
        found(&diags, &project, "unused-ignore"),
        [("a.ts".to_string(), 8)]
    );
}
