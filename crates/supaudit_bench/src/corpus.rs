//! `supaudit-bench corpus DIR`: statement parse coverage and panics over real projects.

use std::collections::BTreeMap;
use std::fs;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use supaudit_core::project::{FileKind, classify};
use supaudit_core::sql::{SqlFile, StmtContext, parse_sql};
use supaudit_core::text::{LineIndex, Span};
use supaudit_core::{Settings, check};

use crate::{Args, mb_per_s};

const SKIP_DIRS: &[&str] = &[".git", "node_modules", "target"];

#[derive(Default)]
struct Tally {
    projects: usize,
    files: usize,
    bytes: usize,
    stmts: usize,
    clean: usize,
    nested: usize,
    files_with_errors: usize,
    diagnostics: usize,
    panics: usize,
    unreadable: usize,
    parse_time: Duration,
    check_time: Duration,
    check_bytes: usize,
}

impl Tally {
    fn add(&mut self, o: &Tally) {
        self.projects += o.projects;
        self.files += o.files;
        self.bytes += o.bytes;
        self.stmts += o.stmts;
        self.clean += o.clean;
        self.nested += o.nested;
        self.files_with_errors += o.files_with_errors;
        self.diagnostics += o.diagnostics;
        self.panics += o.panics;
        self.unreadable += o.unreadable;
        self.parse_time += o.parse_time;
        self.check_time += o.check_time;
        self.check_bytes += o.check_bytes;
    }
}

struct ErrorFile {
    path: String,
    errors: usize,
    failed_stmts: usize,
    first: String,
}

pub fn run(args: &[String]) -> Result<ExitCode, String> {
    let args = Args::parse(args, &["errors"], &[])?;
    let [dir] = args.positional.as_slice() else {
        return Err("corpus: expected one DIR".into());
    };
    let max_listed: usize = args.number("errors", 200)?;
    let dir = PathBuf::from(dir);
    if !dir.is_dir() {
        return Err(format!("{} is not a directory", dir.display()));
    }
    let mut roots = Vec::new();
    find_roots(&dir, &mut roots);
    roots.sort();
    if roots.is_empty() {
        return Err(format!("no supabase/ folder under {}", dir.display()));
    }

    let mut by_repo: BTreeMap<String, Tally> = BTreeMap::new();
    let mut by_kind: BTreeMap<&'static str, Tally> = BTreeMap::new();
    let mut error_files = Vec::new();
    let mut panics = Vec::new();
    for root in &roots {
        let rel = root.strip_prefix(&dir).unwrap_or(root);
        let repo = rel
            .components()
            .next()
            .map(|c| c.as_os_str().to_string_lossy().to_string())
            .unwrap_or_else(|| ".".into());
        let tally = by_repo.entry(repo).or_default();
        tally.projects += 1;

        let mut sql_files = Vec::new();
        walk_sql(&root.join("supabase"), &mut sql_files);
        sql_files.sort();
        for path in sql_files {
            let shown = path
                .strip_prefix(&dir)
                .unwrap_or(&path)
                .display()
                .to_string();
            let text = match supaudit_fs::read_text(&path) {
                Ok(t) => t,
                Err(e) => {
                    tally.unreadable += 1;
                    eprintln!("{shown}: {e}");
                    continue;
                }
            };
            let kind = file_kind(root, &path);
            let kt = by_kind.entry(kind).or_default();
            kt.files += 1;
            kt.bytes += text.len();
            tally.files += 1;
            tally.bytes += text.len();
            let start = Instant::now();
            let parsed = catch_unwind(AssertUnwindSafe(|| parse_sql(&text)));
            tally.parse_time += start.elapsed();
            kt.parse_time += start.elapsed();
            let sql = match parsed {
                Ok(sql) => sql,
                Err(p) => {
                    tally.panics += 1;
                    kt.panics += 1;
                    panics.push(format!("parse_sql {shown}: {}", panic_message(&*p)));
                    continue;
                }
            };
            let cov = coverage(&sql);
            tally.stmts += cov.stmts;
            tally.clean += cov.clean;
            tally.nested += cov.nested;
            kt.stmts += cov.stmts;
            kt.clean += cov.clean;
            kt.nested += cov.nested;
            if !sql.errors.is_empty() {
                tally.files_with_errors += 1;
                kt.files_with_errors += 1;
                error_files.push(ErrorFile {
                    path: shown,
                    errors: sql.errors.len(),
                    failed_stmts: cov.stmts - cov.clean,
                    first: describe_first_error(&text, &sql),
                });
            }
        }

        // The whole checker on the project root.
        let shown = root
            .strip_prefix(&dir)
            .unwrap_or(root)
            .display()
            .to_string();
        match supaudit_fs::load(root) {
            Err(e) => eprintln!("{shown}: cannot load: {e}"),
            Ok(loaded) => {
                let settings = match &loaded.project.config {
                    Some(c) => Settings::from_toml(c).unwrap_or_default(),
                    None => Settings::default(),
                };
                let bytes: usize = loaded
                    .project
                    .files
                    .iter()
                    .filter(|f| f.kind.is_sql())
                    .map(|f| f.text.len())
                    .sum();
                let start = Instant::now();
                let result = catch_unwind(AssertUnwindSafe(|| check(&loaded.project, &settings)));
                tally.check_time += start.elapsed();
                tally.check_bytes += bytes;
                match result {
                    Ok(diags) => tally.diagnostics += diags.len(),
                    Err(p) => {
                        tally.panics += 1;
                        panics.push(format!("check {shown}: {}", panic_message(&*p)));
                    }
                }
            }
        }
    }

    let mut total = Tally::default();
    println!("corpus: {} ({} project roots)", dir.display(), roots.len());
    println!();
    println!(
        "| repository | projects | SQL files | KB | statements | parsed cleanly | coverage | files with errors | diagnostics | check ms | panics |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for (repo, t) in &by_repo {
        print_row(repo, t);
        total.add(t);
    }
    print_row("**total**", &total);
    println!();
    println!("by kind of file:");
    println!();
    println!(
        "| kind | SQL files | KB | statements | parsed cleanly | coverage | files with errors | panics |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|");
    for (kind, t) in &by_kind {
        println!(
            "| {kind} | {} | {:.0} | {} | {} | {:.2}% | {} | {} |",
            t.files,
            t.bytes as f64 / 1e3,
            t.stmts,
            t.clean,
            pct(t.clean, t.stmts),
            t.files_with_errors,
            t.panics
        );
    }
    println!();
    println!(
        "statements: top-level statements of supabase/**/*.sql, plus one per stretch of text between statements that holds a syntax error; {} more statements were lowered from DO blocks and function bodies (not counted).",
        total.nested
    );
    println!(
        "a statement is parsed cleanly when no syntax error starts inside its span (end included)."
    );
    println!(
        "files parsed without any error: {} of {} ({:.1}%)",
        total.files - total.files_with_errors,
        total.files,
        pct(total.files - total.files_with_errors, total.files)
    );
    if total.unreadable > 0 {
        println!("unreadable files skipped: {}", total.unreadable);
    }
    println!(
        "throughput on this corpus: parse {:.1} MB/s, check {:.1} MB/s (one pass, includes small-file overhead)",
        mb_per_s(total.bytes, total.parse_time.as_secs_f64()),
        mb_per_s(total.check_bytes, total.check_time.as_secs_f64())
    );
    println!("panics: {}", total.panics);
    for p in &panics {
        println!("  {p}");
    }

    if !error_files.is_empty() {
        println!();
        println!("files with syntax errors ({}):", error_files.len());
        for e in error_files.iter().take(max_listed) {
            println!(
                "- {} ({} errors, {} statements): {}",
                e.path, e.errors, e.failed_stmts, e.first
            );
        }
        if error_files.len() > max_listed {
            println!("  ... {} more", error_files.len() - max_listed);
        }
    }
    Ok(if total.panics > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

fn print_row(name: &str, t: &Tally) {
    println!(
        "| {name} | {} | {} | {:.0} | {} | {} | {:.2}% | {} | {} | {:.0} | {} |",
        t.projects,
        t.files,
        t.bytes as f64 / 1e3,
        t.stmts,
        t.clean,
        pct(t.clean, t.stmts),
        t.files_with_errors,
        t.diagnostics,
        t.check_time.as_secs_f64() * 1e3,
        t.panics
    );
}

fn pct(a: usize, b: usize) -> f64 {
    if b == 0 {
        100.0
    } else {
        100.0 * a as f64 / b as f64
    }
}

struct Coverage {
    /// Top-level statements, plus one for each stretch between statements that holds a
    /// syntax error (text the parser could not make into a statement at all).
    stmts: usize,
    clean: usize,
    nested: usize,
}

fn error_in(err: Span, stmt: Span) -> bool {
    stmt.start <= err.start && err.start <= stmt.end
}

fn coverage(sql: &SqlFile) -> Coverage {
    let mut c = Coverage {
        stmts: 0,
        clean: 0,
        nested: 0,
    };
    let mut top: Vec<Span> = Vec::new();
    for s in &sql.stmts {
        if s.context != StmtContext::TopLevel {
            c.nested += 1;
            continue;
        }
        top.push(s.span);
        c.stmts += 1;
        if !sql.errors.iter().any(|e| error_in(e.span, s.span)) {
            c.clean += 1;
        }
    }
    // Errors outside every statement: each gap between statements that holds one is
    // an unparsed statement (the lowering drops the parser's ERROR nodes).
    top.sort();
    let mut gaps = std::collections::BTreeSet::new();
    for e in &sql.errors {
        if top.iter().any(|s| error_in(e.span, *s)) {
            continue;
        }
        gaps.insert(top.partition_point(|s| s.end < e.span.start));
    }
    c.stmts += gaps.len();
    c
}

/// `line:col: message` of the first error, with the start of the statement it falls in.
fn describe_first_error(text: &str, sql: &SqlFile) -> String {
    let Some(e) = sql.errors.iter().min_by_key(|e| (e.span.start, e.span.end)) else {
        return String::new();
    };
    let lc = LineIndex::new(text).line_col(e.span.start, text);
    let stmt = sql
        .stmts
        .iter()
        .filter(|s| s.context == StmtContext::TopLevel && error_in(e.span, s.span))
        .min_by_key(|s| s.span.len());
    let around = match stmt {
        Some(s) => snippet(&text[s.span.range()]),
        None => {
            // Not inside a statement: show the text around the error.
            let from = floor_char(text, (e.span.start as usize).saturating_sub(40));
            let to = floor_char(text, (e.span.start as usize + 40).min(text.len()));
            format!(
                "(outside any statement) near `{}`",
                snippet(&text[from..to])
            )
        }
    };
    format!("{}:{}: {} — in `{around}`", lc.line, lc.column, e.message)
}

fn floor_char(text: &str, mut i: usize) -> usize {
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// The statement on one line, at most 160 characters.
fn snippet(s: &str) -> String {
    let one_line = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() > 160 {
        format!("{}…", one_line.chars().take(160).collect::<String>())
    } else {
        one_line
    }
}

fn panic_message(p: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = p.downcast_ref::<&str>() {
        s.to_string()
    } else if let Some(s) = p.downcast_ref::<String>() {
        s.clone()
    } else {
        "(non-string panic payload)".into()
    }
}

/// What a SQL file is to a Supabase project, from its path below the project root.
fn file_kind(root: &Path, path: &Path) -> &'static str {
    let rel = path
        .strip_prefix(root)
        .unwrap_or(path)
        .components()
        .map(|c| c.as_os_str().to_string_lossy().to_string())
        .collect::<Vec<_>>()
        .join("/");
    match classify(&rel) {
        FileKind::Migration { .. } | FileKind::MalformedMigration => {
            "migrations (supabase/migrations/*.sql)"
        }
        FileKind::Schema => "declarative schemas (supabase/schemas/*.sql)",
        FileKind::Seed => "seed (supabase/seed.sql)",
        _ => "other SQL under supabase/ (tests, snippets, …)",
    }
}

/// Folders holding a `supabase/` directory.
fn find_roots(dir: &Path, out: &mut Vec<PathBuf>) {
    if dir.join("supabase").is_dir() {
        out.push(dir.to_path_buf());
    }
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for e in entries.filter_map(Result::ok) {
        let name = e.file_name();
        let name = name.to_string_lossy();
        if name == "supabase" || SKIP_DIRS.contains(&name.as_ref()) {
            continue;
        }
        if e.file_type().is_ok_and(|t| t.is_dir()) {
            find_roots(&e.path(), out);
        }
    }
}

fn walk_sql(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for e in entries.filter_map(Result::ok) {
        let path = e.path();
        let Ok(t) = e.file_type() else { continue };
        if t.is_dir() {
            if !SKIP_DIRS.contains(&e.file_name().to_string_lossy().as_ref()) {
                walk_sql(&path, out);
            }
        } else if t.is_file() && path.extension().is_some_and(|x| x == "sql") {
            out.push(path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_statements_and_unparsed_stretches() {
        let sql = parse_sql("create table a (id int);\nselect 1;\n");
        let c = coverage(&sql);
        assert_eq!((c.stmts, c.clean), (2, 2));

        // Text the parser cannot make into a statement counts as one failed statement.
        let sql = parse_sql("create table a (id int);\n^^^ nonsense here;\nselect 1;\n");
        assert!(!sql.errors.is_empty());
        let c = coverage(&sql);
        assert!(
            c.stmts > c.clean,
            "{} statements, {} clean",
            c.stmts,
            c.clean
        );
    }

    #[test]
    fn error_starting_at_a_statement_end_belongs_to_it() {
        assert!(error_in(Span::new(10, 10), Span::new(0, 10)));
        assert!(error_in(Span::new(0, 3), Span::new(0, 10)));
        assert!(!error_in(Span::new(11, 12), Span::new(0, 10)));
    }

    #[test]
    fn finds_project_roots_and_sql_files() {
        let dir = std::env::temp_dir().join(format!("supaudit-bench-test-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(dir.join("repo_a/supabase/migrations")).unwrap();
        fs::create_dir_all(dir.join("repo_b/apps_api/supabase/tests")).unwrap();
        fs::write(
            dir.join("repo_a/supabase/migrations/1_init.sql"),
            "select 1;",
        )
        .unwrap();
        fs::write(dir.join("repo_a/supabase/seed.sql"), "select 2;").unwrap();
        fs::write(
            dir.join("repo_b/apps_api/supabase/tests/t.sql"),
            "select 3;",
        )
        .unwrap();
        fs::write(dir.join("repo_b/apps_api/supabase/tests/notes.md"), "x").unwrap();
        let mut roots = Vec::new();
        find_roots(&dir, &mut roots);
        roots.sort();
        assert_eq!(roots, vec![dir.join("repo_a"), dir.join("repo_b/apps_api")]);
        let mut files = Vec::new();
        walk_sql(&dir.join("repo_a/supabase"), &mut files);
        files.sort();
        assert_eq!(files.len(), 2);
        assert_eq!(
            file_kind(&dir.join("repo_a"), &files[0]),
            "migrations (supabase/migrations/*.sql)"
        );
        assert_eq!(
            file_kind(&dir.join("repo_a"), &files[1]),
            "seed (supabase/seed.sql)"
        );
        fs::remove_dir_all(&dir).unwrap();
    }
}
