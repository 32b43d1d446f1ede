//! Bad input through the binary (issue 6): a 50 MB migration, 10,000 nested
//! parentheses, a PNG renamed `.sql`, a half-typed statement under `--fix`. Each
//! gives a clear diagnostic, never a panic, a hang or lost output; the other
//! files are still checked. Invalid UTF-8, NUL bytes and 5,000-deep nesting are
//! in `cli.rs` (`bad_files_are_reported_not_fatal`,
//! `deep_nesting_and_huge_files_do_not_crash`). Measured times: docs/fuzzing.md.

mod common;

use std::path::Path;
use std::process::{Command, Output};

use common::temp_dir;

fn supaudit(args: &[&str], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_supaudit"))
        .args(args)
        .current_dir(cwd)
        .env_remove("NO_COLOR")
        .output()
        .expect("run supaudit")
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

/// A project with one good migration (an RLS finding that must still appear).
fn project(name: &str) -> std::path::PathBuf {
    let dir = temp_dir(name);
    std::fs::create_dir_all(dir.join("supabase/migrations")).unwrap();
    std::fs::write(
        dir.join("supabase/migrations/20240102000000_ok.sql"),
        "create table public.t (id bigint primary key);\n",
    )
    .unwrap();
    dir
}

fn assert_checked_the_rest(o: &Output) {
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let out = stdout(o);
    assert!(
        out.contains("error[rls-disabled] table public.t is exposed"),
        "{out}"
    );
    assert!(!String::from_utf8_lossy(&o.stderr).contains("panicked"));
}

/// Generated at test time (never committed): larger than the 32 MiB limit, so
/// refused with its size before it is read.
#[test]
fn a_50_mb_migration_is_refused_with_its_size() {
    let dir = project("50mb");
    let stmt = "create table if not exists public.big (id bigint primary key, name text);\n";
    let text = stmt.repeat(50 * 1024 * 1024 / stmt.len() + 1);
    std::fs::write(dir.join("supabase/migrations/20240101000000_big.sql"), text).unwrap();
    let o = supaudit(&["check", ".", "--color", "never"], &dir);
    assert_checked_the_rest(&o);
    assert!(
        stdout(&o).contains(
            "20240101000000_big.sql:1:1: error[syntax-error] file is 50 MiB, larger than the 32 MiB supaudit reads; skipped"
        ),
        "{}",
        stdout(&o)
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// 10,000 levels: the statements after it are still checked.
#[test]
fn ten_thousand_nested_parentheses() {
    let dir = project("deep10k");
    let deep = format!(
        "select {}1{};\ncreate table public.after_deep (id bigint primary key);\n",
        "(".repeat(10_000),
        ")".repeat(10_000)
    );
    std::fs::write(
        dir.join("supabase/migrations/20240101000000_deep.sql"),
        deep,
    )
    .unwrap();
    let o = supaudit(&["check", ".", "--color", "never"], &dir);
    assert_checked_the_rest(&o);
    assert!(
        stdout(&o).contains("table public.after_deep is exposed"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn a_png_renamed_sql_is_reported_as_binary() {
    let dir = project("png");
    // A 1x1 PNG.
    let png: &[u8] = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\nIDATx\x9cc\x00\x01\x00\x00\x05\x00\x01\r\n-\xb4\x00\x00\x00\x00IEND\xaeB`\x82";
    std::fs::write(dir.join("supabase/migrations/20240101000000_logo.sql"), png).unwrap();
    let o = supaudit(&["check", ".", "--format", "json"], &dir);
    assert_eq!(o.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("complete JSON output");
    let text = json.to_string();
    assert!(
        text.contains("file is binary (it contains NUL bytes); skipped"),
        "{text}"
    );
    assert!(text.contains("table public.t is exposed"), "{text}");
}

/// `--fix` on a migration with syntax errors (a broken statement, a half-typed
/// one at the end): no fix edits a file that does not parse, as in ruff, so the
/// file is left exactly as it was, instead of getting one `alter table` per fix
/// round (found by fuzzing); the findings are still reported.
#[test]
fn fix_leaves_a_file_with_syntax_errors_alone() {
    let dir = temp_dir("halftyped");
    std::fs::create_dir_all(dir.join("supabase/migrations")).unwrap();
    let path = dir.join("supabase/migrations/20240101000000_a.sql");
    let text = "create table public.z (# id int);\ncreate table public.w (id int\n";
    std::fs::write(&path, text).unwrap();
    let o = supaudit(
        &["check", ".", "--fix", "--unsafe-fixes", "--color", "never"],
        &dir,
    );
    assert!(
        matches!(o.status.code(), Some(0 | 1)),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert_eq!(std::fs::read_to_string(&path).unwrap(), text);
    let out = stdout(&o);
    assert!(out.contains("[syntax-error]"), "{out}");
    assert!(out.contains("[rls-disabled] table public.z"), "{out}");
}
