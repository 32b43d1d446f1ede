//! `supaudit-bench clients DIR`: the client-code front end over real projects —
//! throughput, parse failures, panics, how many supabase-js call sites the IR
//! understands, and the whole check's client findings.
//!
//! Every folder directly under DIR is one project (one repository). It is loaded
//! with `supaudit_fs::load` when it holds `supabase/`; a monorepo whose
//! `supabase/` sits deeper (`apps/api/supabase`) is read with the same rules
//! (`supaudit_fs::reads_path`, `supaudit_fs::read_text`) from the repository
//! root, so that its client code and its migrations form one project. A
//! repository with several Supabase projects (several `supabase/` folders with
//! `migrations/` or `config.toml`) is parsed whole, but checked once per
//! project folder with `supaudit_fs::load`, as `supaudit check <folder>` would:
//! merging their migrations would mix unrelated schemas.
//!
//! "Understood": an independent textual scan finds the call sites
//! `.from(<string literal>)` and `.rpc(<string literal>)` (a literal with no
//! `${}`), outside comment lines, whose receiver is not `….storage` nor a
//! capitalised identifier (`Array.from`, `Buffer.from`). A site is understood
//! when the IR holds a `Query` whose target (table or function) name literal
//! starts at that very byte offset. `.storage.from(<literal>)` sites are
//! counted apart, understood when the IR holds a `StorageCall` whose bucket
//! literal starts there.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use supaudit_core::client::{ClientFile, Target, parse_client};
use supaudit_core::project::{FileKind, Project, SourceFile, classify};
use supaudit_core::text::LineIndex;
use supaudit_core::{Category, Settings, analyze};

use crate::{Args, mb_per_s};

/// The core needs up to 8 MiB of stack; the binaries give it 16.
const STACK: usize = 16 * 1024 * 1024;

#[derive(Default, Clone)]
struct Tally {
    files: usize,
    bytes: usize,
    /// Best of the runs: one pass of `parse_client` over every client file.
    parse_time: Duration,
    failed: usize,
    files_with_syntax_errors: usize,
    panics: usize,
    hangs: usize,
    from_sites: usize,
    from_understood: usize,
    rpc_sites: usize,
    rpc_understood: usize,
    storage_sites: usize,
    storage_understood: usize,
    comment_sites: usize,
    foreign_sites: usize,
    ir_queries: usize,
    ir_beyond_scan: usize,
    check_time: Duration,
    project_bytes: usize,
    client_findings: usize,
    all_findings: usize,
    load_note: Option<String>,
}

impl Tally {
    fn add(&mut self, o: &Tally) {
        self.files += o.files;
        self.bytes += o.bytes;
        self.parse_time += o.parse_time;
        self.failed += o.failed;
        self.files_with_syntax_errors += o.files_with_syntax_errors;
        self.panics += o.panics;
        self.hangs += o.hangs;
        self.from_sites += o.from_sites;
        self.from_understood += o.from_understood;
        self.rpc_sites += o.rpc_sites;
        self.rpc_understood += o.rpc_understood;
        self.storage_sites += o.storage_sites;
        self.storage_understood += o.storage_understood;
        self.comment_sites += o.comment_sites;
        self.foreign_sites += o.foreign_sites;
        self.ir_queries += o.ir_queries;
        self.ir_beyond_scan += o.ir_beyond_scan;
        self.check_time += o.check_time;
        self.project_bytes += o.project_bytes;
        self.client_findings += o.client_findings;
        self.all_findings += o.all_findings;
    }
}

/// What one project's run sends back.
#[derive(Default)]
struct Report {
    tally: Tally,
    by_rule: BTreeMap<&'static str, usize>,
    panics: Vec<String>,
    misses: Vec<String>,
    findings: Vec<String>,
}

pub fn run(args: &[String]) -> Result<ExitCode, String> {
    let args = Args::parse(args, &["runs", "findings", "misses", "timeout"], &[])?;
    let [dir] = args.positional.as_slice() else {
        return Err("clients: expected one DIR".into());
    };
    let runs: usize = args.number("runs", 3)?;
    let max_misses: usize = args.number("misses", 0)?;
    let timeout = Duration::from_secs(args.number("timeout", 300)?);
    let findings_out = args.value("findings").map(PathBuf::from);
    let dir = PathBuf::from(dir);
    let mut projects: Vec<PathBuf> = fs::read_dir(&dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    projects.sort();
    if projects.is_empty() {
        return Err(format!("no project folder under {}", dir.display()));
    }

    let mut by_repo: Vec<(String, Tally)> = Vec::new();
    let mut by_rule: BTreeMap<&'static str, usize> = BTreeMap::new();
    let mut panics = Vec::new();
    let mut misses = Vec::new();
    let mut findings = Vec::new();
    for path in &projects {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default();
        let (tx, rx) = mpsc::channel();
        let p = path.clone();
        let n = name.clone();
        let spawned = std::thread::Builder::new()
            .stack_size(STACK)
            .spawn(move || {
                let _ = tx.send(one_project(&n, &p, runs, max_misses));
            });
        if let Err(e) = spawned {
            return Err(format!("cannot start a thread: {e}"));
        }
        let report = match rx.recv_timeout(timeout) {
            Ok(r) => r,
            Err(_) => {
                // The thread is left behind (it cannot be stopped); the run goes on.
                panics.push(format!("{name}: no answer within {timeout:?} (hang)"));
                let mut r = Report::default();
                r.tally.hangs = 1;
                r
            }
        };
        for (rule, count) in &report.by_rule {
            *by_rule.entry(rule).or_default() += count;
        }
        panics.extend(report.panics);
        misses.extend(report.misses);
        findings.extend(report.findings);
        by_repo.push((name, report.tally));
    }

    println!(
        "clients: {} ({} projects, parse best of {runs} runs)",
        dir.display(),
        projects.len()
    );
    println!();
    println!(
        "| repository | client files | KB | parse ms | MB/s | files/s | failed | with syntax errors | `.from('…')` sites | understood | `.rpc('…')` sites | understood | storage sites | check ms | client findings | panics |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    let mut total = Tally::default();
    for (name, t) in &by_repo {
        print_row(name, t);
        total.add(t);
    }
    print_row("**total**", &total);
    println!();
    let sites = total.from_sites + total.rpc_sites;
    let understood = total.from_understood + total.rpc_understood;
    println!(
        "client front end (parse_client): {} files, {:.1} MB in {:.0} ms: {:.0} files/s, {:.2} MB/s",
        total.files,
        total.bytes as f64 / 1e6,
        total.parse_time.as_secs_f64() * 1e3,
        total.files as f64 / total.parse_time.as_secs_f64().max(1e-9),
        mb_per_s(total.bytes, total.parse_time.as_secs_f64().max(1e-9)),
    );
    println!(
        "whole check (supaudit_core::analyze, every file of the project): {:.1} MB in {:.0} ms: {:.2} MB/s",
        total.project_bytes as f64 / 1e6,
        total.check_time.as_secs_f64() * 1e3,
        mb_per_s(
            total.project_bytes,
            total.check_time.as_secs_f64().max(1e-9)
        ),
    );
    println!(
        "call sites with a literal name: {sites}; understood by the IR: {understood} ({:.1}%): `.from` {}/{} ({:.1}%), `.rpc` {}/{} ({:.1}%)",
        pct(understood, sites),
        total.from_understood,
        total.from_sites,
        pct(total.from_understood, total.from_sites),
        total.rpc_understood,
        total.rpc_sites,
        pct(total.rpc_understood, total.rpc_sites),
    );
    println!(
        "`.storage.from('…')` sites: {}; recorded as Storage calls (bucket literal and a Storage method): {} ({:.1}%)",
        total.storage_sites,
        total.storage_understood,
        pct(total.storage_understood, total.storage_sites),
    );
    println!(
        "not counted: {} sites on comment lines, {} on capitalised receivers (Array.from, …)",
        total.comment_sites, total.foreign_sites
    );
    println!(
        "IR queries: {} ({} whose target the scan did not find: names held in consts)",
        total.ir_queries, total.ir_beyond_scan
    );
    println!(
        "parse failures (parser gave up): {}; files with recovered syntax errors: {}",
        total.failed, total.files_with_syntax_errors
    );
    println!("panics: {}; hangs: {}", total.panics, total.hangs);
    for p in &panics {
        println!("  {p}");
    }
    println!();
    println!(
        "client findings by rule (rules of category client, and any finding in a client file):"
    );
    println!();
    println!("| rule | findings |");
    println!("|---|---:|");
    for (rule, count) in &by_rule {
        println!("| {rule} | {count} |");
    }
    println!("| **total** | {} |", total.client_findings);
    if max_misses > 0 {
        println!();
        println!("call sites not understood (at most {max_misses} per project):");
        for m in &misses {
            println!("  {m}");
        }
    }
    if let Some(out) = findings_out {
        let mut text = String::from("repository\trule\tlocation\tmessage\tline\n");
        for f in &findings {
            text.push_str(f);
            text.push('\n');
        }
        fs::write(&out, text).map_err(|e| format!("{}: {e}", out.display()))?;
        println!();
        println!("{} findings written to {}", findings.len(), out.display());
    }
    Ok(if total.panics + total.hangs == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn one_project(name: &str, path: &Path, runs: usize, max_misses: usize) -> Report {
    let mut r = Report::default();
    let project = match load(path) {
        Ok((p, note)) => {
            r.tally.load_note = note;
            p
        }
        Err(e) => {
            r.panics.push(format!("{name}: cannot load: {e}"));
            return r;
        }
    };
    let clients: Vec<&SourceFile> = project
        .files
        .iter()
        .filter(|f| f.kind == FileKind::Client)
        .collect();
    r.tally.files = clients.len();
    r.tally.bytes = clients.iter().map(|f| f.text.len()).sum();

    // Throughput: whole passes over the project's client files, best of `runs`.
    let mut parsed: Vec<Option<ClientFile>> = Vec::new();
    let mut best = Duration::MAX;
    for run in 0..runs.max(1) {
        let mut pass = Vec::with_capacity(clients.len());
        let start = Instant::now();
        for f in &clients {
            pass.push(catch_unwind(AssertUnwindSafe(|| parse_client(&f.path, &f.text))).ok());
        }
        best = best.min(start.elapsed());
        if run == 0 {
            parsed = pass;
        }
    }
    r.tally.parse_time = best;

    for (f, cf) in clients.iter().zip(&parsed) {
        let Some(cf) = cf else {
            r.tally.panics += 1;
            r.panics
                .push(format!("{name}/{}: parse_client panicked", f.path));
            continue;
        };
        r.tally.failed += usize::from(cf.failed);
        r.tally.files_with_syntax_errors += usize::from(cf.syntax_errors > 0);
        r.tally.ir_queries += cf.queries.len();
        let sites = scan(&f.text);
        let mut starts: Vec<(u32, bool)> = cf
            .queries
            .iter()
            .map(|q| match &q.target {
                Target::Table { name, .. } => (name.span.start, false),
                Target::Rpc { name, .. } => (name.span.start, true),
            })
            .collect();
        starts.sort();
        let mut buckets: Vec<u32> = cf.storage.iter().map(|c| c.bucket.span.start).collect();
        buckets.sort();
        let mut index = None;
        let mut shown = 0;
        let mut matched = 0;
        for s in &sites {
            match s.kind {
                SiteKind::Storage => {
                    r.tally.storage_sites += 1;
                    r.tally.storage_understood +=
                        usize::from(buckets.binary_search(&s.literal).is_ok());
                }
                SiteKind::Comment => r.tally.comment_sites += 1,
                SiteKind::Foreign => r.tally.foreign_sites += 1,
                SiteKind::From | SiteKind::Rpc => {
                    let rpc = s.kind == SiteKind::Rpc;
                    let ok = starts.binary_search(&(s.literal, rpc)).is_ok();
                    matched += usize::from(ok);
                    if rpc {
                        r.tally.rpc_sites += 1;
                        r.tally.rpc_understood += usize::from(ok);
                    } else {
                        r.tally.from_sites += 1;
                        r.tally.from_understood += usize::from(ok);
                    }
                    if !ok && shown < max_misses && r.misses.len() < max_misses {
                        shown += 1;
                        let idx = index.get_or_insert_with(|| LineIndex::new(&f.text));
                        let line = idx.line_of(s.literal);
                        let text = &f.text[idx.line_span(line, &f.text).range()];
                        r.misses.push(format!(
                            "{name}/{}:{}: {}",
                            f.path,
                            line + 1,
                            clip(text.trim())
                        ));
                    }
                }
            }
        }
        r.tally.ir_beyond_scan += cf.queries.len().saturating_sub(matched);
    }

    // The whole check, once per project (its parse is not reused from above).
    let roots = supabase_roots(path);
    if roots.len() > 1 {
        // Several Supabase projects in one repository: each is checked on its own, as
        // `supaudit check <folder>` would (merging their migrations would mix schemas).
        r.tally.load_note = Some(format!("{} supabase/ projects", roots.len()));
        for root in &roots {
            let rel = root
                .strip_prefix(path)
                .unwrap_or(root)
                .display()
                .to_string();
            match supaudit_fs::load(root) {
                Ok(l) => check_one(name, &rel, &l.project, &mut r),
                Err(e) => r.panics.push(format!("{name}/{rel}: cannot load: {e}")),
            }
        }
    } else {
        check_one(name, "", &project, &mut r);
    }
    r
}

/// Runs the whole check on one project and records its client findings;
/// `prefix` is the project's folder inside the repository.
fn check_one(name: &str, prefix: &str, project: &Project, r: &mut Report) {
    let settings = match &project.config {
        Some(c) => Settings::from_toml(c).unwrap_or_default(),
        None => Settings::default(),
    };
    r.tally.project_bytes += project.files.iter().map(|f| f.text.len()).sum::<usize>();
    let start = Instant::now();
    let result = catch_unwind(AssertUnwindSafe(|| analyze(project, &settings)));
    r.tally.check_time += start.elapsed();
    let shown = |file: &str| {
        if prefix.is_empty() {
            file.to_string()
        } else {
            format!("{prefix}/{file}")
        }
    };
    match result {
        Err(_) => {
            r.tally.panics += 1;
            r.panics.push(format!("{name}/{prefix}: check panicked"));
        }
        Ok(analysis) => {
            r.tally.all_findings += analysis.diagnostics.len();
            let mut indexes: BTreeMap<&str, LineIndex> = BTreeMap::new();
            for d in &analysis.diagnostics {
                let in_client = classify(&d.file) == FileKind::Client;
                if d.category != Category::Client && !in_client {
                    continue;
                }
                r.tally.client_findings += 1;
                *r.by_rule.entry(d.rule).or_default() += 1;
                let (loc, text) = match project.files.iter().find(|f| f.path == d.file) {
                    Some(file) => {
                        let idx = indexes
                            .entry(file.path.as_str())
                            .or_insert_with(|| LineIndex::new(&file.text));
                        let lc = idx.line_col(d.range.start, &file.text);
                        let line = idx.line_of(d.range.start);
                        (
                            format!("{}:{}:{}", shown(&d.file), lc.line, lc.column),
                            clip(file.text[idx.line_span(line, &file.text).range()].trim()),
                        )
                    }
                    None => (shown(&d.file), String::new()),
                };
                r.findings.push(format!(
                    "{name}\t{}\t{loc}\t{}\t{}",
                    d.rule,
                    d.message.replace(['\t', '\n'], " "),
                    text.replace('\t', " ")
                ));
            }
        }
    }
}

/// Folders of the repository holding a `supabase/` folder with `migrations/` or
/// `config.toml` (the walk's skipped folders excluded).
pub(crate) fn supabase_roots(repo: &Path) -> Vec<PathBuf> {
    fn go(dir: &Path, rel: &str, out: &mut Vec<PathBuf>) {
        let sb = dir.join("supabase");
        if sb.join("migrations").is_dir() || sb.join("config.toml").is_file() {
            out.push(dir.to_path_buf());
        }
        let Ok(entries) = fs::read_dir(dir) else {
            return;
        };
        let mut entries: Vec<_> = entries.filter_map(Result::ok).collect();
        entries.sort_by_key(|e| e.file_name());
        for e in entries {
            let n = e.file_name().to_string_lossy().to_string();
            let child = if rel.is_empty() {
                n.clone()
            } else {
                format!("{rel}/{n}")
            };
            if n == "supabase"
                || !e.file_type().is_ok_and(|t| t.is_dir())
                || !supaudit_fs::reads_path(&format!("{child}/x.ts"))
            {
                continue;
            }
            go(&e.path(), &child, out);
        }
    }
    let mut out = Vec::new();
    go(repo, "", &mut out);
    out
}

/// Loads a project: `supaudit_fs::load` when the folder holds `supabase/`, else
/// the same walk from the folder itself (a monorepo with a nested `supabase/`).
pub(crate) fn load(path: &Path) -> Result<(Project, Option<String>), String> {
    if path.join("supabase").is_dir() {
        return supaudit_fs::load(path)
            .map(|l| (l.project, None))
            .map_err(|e| e.to_string());
    }
    let mut rels = Vec::new();
    walk(path, path, &mut rels);
    rels.sort();
    let mut project = Project::default();
    for rel in rels {
        if let Ok(text) = supaudit_fs::read_text(&path.join(&rel)) {
            project.files.push(SourceFile::new(rel, text));
        }
    }
    let config = path.join("supaudit.toml");
    if config.is_file() {
        project.config = fs::read_to_string(&config).ok();
    }
    Ok((project, Some("nested supabase/".into())))
}

fn walk(root: &Path, dir: &Path, out: &mut Vec<String>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for e in entries.filter_map(Result::ok) {
        let path = e.path();
        let Ok(ft) = e.file_type() else { continue };
        let rel = path
            .strip_prefix(root)
            .unwrap_or(&path)
            .components()
            .map(|c| c.as_os_str().to_string_lossy().to_string())
            .collect::<Vec<_>>()
            .join("/");
        if ft.is_dir() {
            // a folder the walk skips makes any path below it unread
            if supaudit_fs::reads_path(&format!("{rel}/x.ts")) {
                walk(root, &path, out);
            }
        } else if ft.is_file() && supaudit_fs::reads_path(&rel) {
            out.push(rel);
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SiteKind {
    From,
    Rpc,
    Storage,
    Comment,
    Foreign,
}

#[derive(Debug)]
struct Site {
    kind: SiteKind,
    /// Byte offset of the literal's first character (inside the quotes).
    literal: u32,
}

/// The textual scan: `.from(` / `.rpc(` (also `?.from(`) followed by a string
/// literal without interpolation, independent of the parser.
fn scan(text: &str) -> Vec<Site> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    for (needle, rpc) in [(".from(", false), (".rpc(", true)] {
        let mut from = 0;
        while let Some(i) = text[from..].find(needle).map(|i| i + from) {
            from = i + needle.len();
            let mut j = from;
            while j < b.len() && b[j].is_ascii_whitespace() {
                j += 1;
            }
            let Some(&quote) = b.get(j) else { continue };
            if !matches!(quote, b'\'' | b'"' | b'`') {
                continue;
            }
            let start = j + 1;
            let mut k = start;
            let mut closed = false;
            while k < b.len() {
                match b[k] {
                    b'\\' => k += 2,
                    c if c == quote => {
                        closed = true;
                        break;
                    }
                    b'\n' if quote != b'`' => break,
                    _ => k += 1,
                }
            }
            if !closed || (quote == b'`' && text[start..k].contains("${")) {
                continue;
            }
            let line_start = text[..i].rfind('\n').map_or(0, |n| n + 1);
            let line = text[line_start..i].trim_start();
            let kind = if line.starts_with("//") || line.starts_with('*') || line.starts_with("/*")
            {
                SiteKind::Comment
            } else {
                match receiver_name(&text[..i]) {
                    Some("storage") => SiteKind::Storage,
                    Some(r) if r.starts_with(|c: char| c.is_ascii_uppercase()) => SiteKind::Foreign,
                    _ if rpc => SiteKind::Rpc,
                    _ => SiteKind::From,
                }
            };
            out.push(Site {
                kind,
                literal: start as u32,
            });
        }
    }
    out
}

/// The identifier just before `.from` (across whitespace and `?`), if any.
fn receiver_name(before: &str) -> Option<&str> {
    let t = before.trim_end();
    let t = t.strip_suffix('?').unwrap_or(t).trim_end();
    let start = t
        .char_indices()
        .rev()
        .take_while(|(_, c)| c.is_alphanumeric() || *c == '_' || *c == '$')
        .last()
        .map(|(i, _)| i)?;
    Some(&t[start..])
}

fn clip(s: &str) -> String {
    if s.chars().count() > 160 {
        format!("{}…", s.chars().take(160).collect::<String>())
    } else {
        s.to_string()
    }
}

fn pct(a: usize, b: usize) -> f64 {
    if b == 0 {
        100.0
    } else {
        a as f64 * 100.0 / b as f64
    }
}

fn print_row(name: &str, t: &Tally) {
    let secs = t.parse_time.as_secs_f64().max(1e-9);
    let mut row = String::new();
    let _ = write!(
        row,
        "| {name}{} | {} | {:.0} | {:.1} | {:.2} | {:.0} | {} | {} | {} | {} ({:.0}%) | {} | {} ({:.0}%) | {} | {:.0} | {} | {} |",
        t.load_note
            .as_deref()
            .map(|n| format!(" ({n})"))
            .unwrap_or_default(),
        t.files,
        t.bytes as f64 / 1e3,
        t.parse_time.as_secs_f64() * 1e3,
        mb_per_s(t.bytes, secs),
        t.files as f64 / secs,
        t.failed,
        t.files_with_syntax_errors,
        t.from_sites,
        t.from_understood,
        pct(t.from_understood, t.from_sites),
        t.rpc_sites,
        t.rpc_understood,
        pct(t.rpc_understood, t.rpc_sites),
        t.storage_sites,
        t.check_time.as_secs_f64() * 1e3,
        t.client_findings,
        t.panics + t.hangs,
    );
    println!("{row}");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scan_finds_literal_sites() {
        let text = "const a = await supabase\n  .from('todos').select()\n\
                    // supabase.from('x')\n\
                    supabase.storage.from('avatars').upload(p)\n\
                    Array.from('abc')\n\
                    db.rpc(\"f\", {})\n\
                    s?.from(`t`)\n\
                    s.from(`t_${x}`)\n\
                    s.from(name)\n";
        let kinds: Vec<SiteKind> = scan(text).iter().map(|s| s.kind).collect();
        assert_eq!(
            kinds,
            [
                SiteKind::From,
                SiteKind::Comment,
                SiteKind::Storage,
                SiteKind::Foreign,
                SiteKind::From,
                SiteKind::Rpc
            ]
        );
        let first = &scan(text)[0];
        assert_eq!(
            &text[first.literal as usize..first.literal as usize + 5],
            "todos"
        );
    }

    #[test]
    fn understood_matches_ir_targets() {
        let text = "async function f() { const { data, error } = await supabase.from('todos').select('id'); }";
        let cf = parse_client("a.ts", text);
        let sites = scan(text);
        assert_eq!(sites.len(), 1);
        assert!(cf.queries.iter().any(|q| matches!(&q.target,
            Target::Table { name, .. } if name.span.start == sites[0].literal)));
    }
}
