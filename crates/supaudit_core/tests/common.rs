//! Shared test harness: multi-file fixtures, rendering, fix invariants.

#![allow(dead_code)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use supaudit_core::client::secrets::redact;
use supaudit_core::diagnostic::apply_fixes;
use supaudit_core::render::{self, Sources, TextOptions};
use supaudit_core::settings::RuleLevel;
use supaudit_core::{Diagnostic, FileKind, Project, Settings, Severity, SourceFile};

pub const DEFAULT_MIGRATION: &str = "supabase/migrations/20240101000000_fixture.sql";

pub fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// A fixture: one text holding several files, each after a `-- file: <path>` line
/// (`# file:` for TOML and env files). Text before the first header belongs to
/// the default migration. Lines `-- pg: skip <reason>` at the top keep the
/// fixture out of the PostgreSQL run; `-- model: skip <reason>` runs it but does
/// not compare the model with PostgreSQL's catalog (for statements the model
/// knowingly does not replay).
pub struct Fixture {
    pub project: Project,
    pub pg_skip: Option<String>,
    pub model_skip: Option<String>,
}

pub fn parse_fixture(text: &str) -> Fixture {
    let mut files: Vec<(String, String)> = Vec::new();
    let mut current = (DEFAULT_MIGRATION.to_string(), String::new());
    let mut pg_skip = None;
    let mut model_skip = None;
    for line in text.split_inclusive('\n') {
        let t = line.trim_end();
        if let Some(reason) = t.strip_prefix("-- pg: skip") {
            pg_skip = Some(reason.trim().to_string());
            continue;
        }
        if let Some(reason) = t.strip_prefix("-- model: skip") {
            model_skip = Some(reason.trim().to_string());
            continue;
        }
        let header = t
            .strip_prefix("-- file:")
            .or_else(|| t.strip_prefix("# file:"));
        if let Some(path) = header {
            if !current.1.trim().is_empty() || current.0 != DEFAULT_MIGRATION {
                files.push(std::mem::take(&mut current));
            }
            current = (path.trim().to_string(), String::new());
        } else {
            current.1.push_str(line);
        }
    }
    if !current.1.trim().is_empty() || current.0 != DEFAULT_MIGRATION {
        files.push(current);
    }
    let mut project = Project::default();
    for (path, text) in files {
        if path == "supaudit.toml" {
            project.config = Some(text);
        } else {
            project.files.push(SourceFile::new(path, text));
        }
    }
    Fixture {
        project,
        pg_skip,
        model_skip,
    }
}

/// Settings that turn `rule` on (rules off by default included).
pub fn settings_for(rule: &str, project: &Project) -> Settings {
    let mut s = match &project.config {
        Some(t) => Settings::from_toml(t).expect("fixture supaudit.toml"),
        None => Settings::default(),
    };
    s.rules.entry(rule.to_string()).or_insert(RuleLevel::On);
    s
}

pub fn render(diags: &[Diagnostic], project: &Project) -> String {
    render::text(
        diags,
        &Sources::new(project),
        TextOptions {
            color: false,
            max_lines: 6,
        },
    )
}

pub fn of_rule(diags: &[Diagnostic], rule: &str) -> Vec<Diagnostic> {
    diags.iter().filter(|d| d.rule == rule).cloned().collect()
}

fn errors(diags: &[Diagnostic]) -> BTreeSet<(String, String)> {
    diags
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| (d.rule.to_string(), d.message.clone()))
        .collect()
}

/// Applies every fix of `rule` (safe and unsafe) until nothing changes, and
/// checks the invariants: the result parses, the fixed findings are gone, no
/// new error appears, and fixing is stable. Returns the fixed project.
pub fn fix_until_stable(rule: &str, project: &Project, settings: &Settings) -> Project {
    let before = supaudit_core::check(project, settings);
    let before_errors = errors(&before);
    let fixable_before = of_rule(&before, rule)
        .iter()
        .filter(|d| !d.fixes.is_empty())
        .count();
    let fixed = supaudit_core::fix(
        project,
        settings,
        supaudit_core::FixOptions {
            allow_unsafe: true,
            only_rule: Some(rule),
            ..Default::default()
        },
    );
    assert!(fixed.stable, "{rule}: fixes did not reach a stable state");
    let p = fixed.project;
    let after = supaudit_core::check(&p, settings);
    if fixable_before > 0 {
        let left: Vec<&Diagnostic> = after
            .iter()
            .filter(|d| d.rule == rule && !d.fixes.is_empty())
            .collect();
        assert!(
            left.is_empty(),
            "{rule}: fixable findings remain after fixing:\n{}",
            render(&after, &p)
        );
        assert!(
            of_rule(&after, rule).len() < of_rule(&before, rule).len(),
            "{rule}: fixing did not remove any finding"
        );
    }
    let new_errors: Vec<_> = errors(&after).difference(&before_errors).cloned().collect();
    assert!(
        new_errors.is_empty(),
        "{rule}: fixing introduced new errors: {new_errors:?}\n{}",
        render(&after, &p)
    );
    for f in p.files.iter() {
        let original = project.file(&f.path).map(|o| o.text.as_str());
        if f.kind.is_sql() {
            let orig_errors = original
                .map(|t| supaudit_core::sql::parse_sql(t).errors.len())
                .unwrap_or(0);
            let now = supaudit_core::sql::parse_sql(&f.text).errors.len();
            assert!(
                now <= orig_errors,
                "{rule}: fixed {} no longer parses:\n{}",
                f.path,
                f.text
            );
        } else if f.kind == FileKind::Client {
            let orig_errors = original
                .map(|t| supaudit_core::client::parse_client(&f.path, t).syntax_errors)
                .unwrap_or(0);
            let now = supaudit_core::client::parse_client(&f.path, &f.text).syntax_errors;
            assert!(
                now <= orig_errors,
                "{rule}: fixed client file {} has new syntax errors ({orig_errors} -> {now}):\n{}",
                f.path,
                f.text
            );
        } else if f.kind == FileKind::SupabaseConfig {
            let parsed_before = original.is_none_or(|t| toml::from_str::<toml::Table>(t).is_ok());
            if parsed_before && let Err(e) = toml::from_str::<toml::Table>(&f.text) {
                panic!(
                    "{rule}: fixed {} is no longer valid TOML: {e}\n{}",
                    f.path, f.text
                );
            }
        }
    }
    // Stable: a second pass changes nothing.
    let again = supaudit_core::check(&p, settings);
    for f in &p.files {
        let mine: Vec<&Diagnostic> = again.iter().filter(|d| d.rule == rule).collect();
        let (text, _) = apply_fixes(&f.path, &f.text, mine, true);
        assert_eq!(text, f.text, "{rule}: fixing {} again changes it", f.path);
    }
    p
}

/// Files that differ between two projects, as a snapshot-friendly string.
/// Keys (JWTs, `sb_secret_…`) are masked as the renderer masks them, so that a
/// snapshot never holds one whole.
pub fn changed_files(before: &Project, after: &Project) -> String {
    let mut out = String::new();
    for f in &after.files {
        let header = match before.file(&f.path) {
            Some(b) if b.text != f.text => "file",
            None => "new file",
            Some(_) => continue,
        };
        {
            out.push_str(&format!("-- {header}: {}\n", f.path));
            for line in f.text.split_inclusive('\n') {
                out.push_str(&redact(line));
            }
            if !f.text.ends_with('\n') {
                out.push('\n');
            }
        }
    }
    out
}

/// Writes a project's SQL files, in replay order, into `dir` for the PostgreSQL run.
/// Writes the project's SQL files in replay order for `scripts/pg-run.sh`, and
/// the model's catalog lines (`catalog.txt`) for its comparison with
/// PostgreSQL's catalog (`PG_RUN_COMPARE=1`); `model_skip` writes
/// `catalog.skip` with the reason instead.
pub fn write_sql_for_postgres_checked(project: &Project, dir: &Path, model_skip: Option<&str>) {
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir).unwrap();
    for (i, f) in project.sql_files_in_order().into_iter().enumerate() {
        let name = f.path.rsplit('/').next().unwrap();
        std::fs::write(dir.join(format!("{i:04}_{name}")), &f.text).unwrap();
    }
    match model_skip {
        Some(reason) => std::fs::write(dir.join("catalog.skip"), format!("{reason}\n")).unwrap(),
        None => {
            let settings = Settings::default();
            let model = supaudit_core::analyze(project, &settings).model;
            std::fs::write(
                dir.join("catalog.txt"),
                supaudit_core::model::catalog::catalog(&model),
            )
            .unwrap();
        }
    }
}
