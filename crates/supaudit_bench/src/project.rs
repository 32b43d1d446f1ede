//! `supaudit-bench project DIR`: the whole check of one real project (a
//! repository, loaded as `clients` loads it), its time, optionally its
//! findings as JSON and the time of each phase and rule.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use supaudit_core::checker::DEFAULT_EXPOSED;
use supaudit_core::client::parse_client;
use supaudit_core::model::FileId;
use supaudit_core::project::order_key;
use supaudit_core::render::{Sources, json};
use supaudit_core::rules::{ClientUnit, SqlUnit};
use supaudit_core::sql::parse_sql;
use supaudit_core::{FileKind, Project, Settings, analyze, rules};

use crate::Args;
use crate::clients::{load, supabase_roots};
use crate::rule_times::time_rules;

/// The core needs up to 8 MiB of stack; the binaries give it 16.
const STACK: usize = 16 * 1024 * 1024;

pub fn run(args: &[String]) -> Result<ExitCode, String> {
    let args = Args::parse(args, &["runs", "json"], &["per-rule"])?;
    let [dir] = args.positional.as_slice() else {
        return Err("project: expected one DIR".into());
    };
    let runs: usize = args.number("runs", 1)?;
    let per_rule = args.flag("per-rule");
    let json_out = args.value("json").map(PathBuf::from);
    let dir = PathBuf::from(dir);
    std::thread::Builder::new()
        .stack_size(STACK)
        .spawn(move || one(&dir, runs.max(1), per_rule, json_out.as_deref()))
        .map_err(|e| format!("cannot start a thread: {e}"))?
        .join()
        .map_err(|_| "the check panicked".to_string())?
}

/// The projects to check in `dir`: the repository itself, or each of its
/// Supabase folders when it holds several (as `clients` does).
fn projects(dir: &Path) -> Result<Vec<(String, Project)>, String> {
    let (project, _) = load(dir)?;
    let roots = supabase_roots(dir);
    if roots.len() > 1 {
        roots
            .iter()
            .map(|root| {
                let rel = root.strip_prefix(dir).unwrap_or(root).display().to_string();
                supaudit_fs::load(root)
                    .map(|l| (rel.clone(), l.project))
                    .map_err(|e| format!("{rel}: cannot load: {e}"))
            })
            .collect()
    } else {
        Ok(vec![(String::new(), project)])
    }
}

fn one(
    dir: &Path,
    runs: usize,
    per_rule: bool,
    json_out: Option<&Path>,
) -> Result<ExitCode, String> {
    let start = Instant::now();
    let projects = projects(dir)?;
    println!(
        "project: {} ({} checked project(s), loaded in {:.0} ms)",
        dir.display(),
        projects.len(),
        start.elapsed().as_secs_f64() * 1e3
    );
    let mut out = String::new();
    for (prefix, project) in &projects {
        let settings = match &project.config {
            Some(c) => Settings::from_toml(c).unwrap_or_default(),
            None => Settings::default(),
        };
        let mut best = Duration::MAX;
        let mut best_cpu = Duration::MAX;
        let mut analysis = None;
        for _ in 0..runs {
            let cpu = thread_cpu();
            let start = Instant::now();
            let a = analyze(project, &settings);
            best = best.min(start.elapsed());
            if let (Some(before), Some(after)) = (cpu, thread_cpu()) {
                best_cpu = best_cpu.min(after.saturating_sub(before));
            }
            analysis = Some(a);
        }
        let analysis = analysis.expect("runs >= 1");
        let sql = project.files.iter().filter(|f| f.kind.is_sql()).count();
        let client = project
            .files
            .iter()
            .filter(|f| f.kind == FileKind::Client)
            .count();
        println!(
            "{}: {} files ({sql} SQL, {client} client), {} findings, whole check {:.0} ms (best of {runs}; CPU time of the thread {})",
            if prefix.is_empty() { "." } else { prefix },
            project.files.len(),
            analysis.diagnostics.len(),
            best.as_secs_f64() * 1e3,
            if best_cpu == Duration::MAX {
                "unknown".to_string()
            } else {
                format!("{:.0} ms", best_cpu.as_secs_f64() * 1e3)
            }
        );
        if json_out.is_some() {
            out.push_str(&format!("## {prefix}\n"));
            out.push_str(&json(&analysis.diagnostics, &Sources::new(project)));
            out.push('\n');
        }
        if per_rule {
            phases(project, &settings, runs);
        }
    }
    if let Some(path) = json_out {
        fs::write(path, out).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    Ok(ExitCode::SUCCESS)
}

/// CPU time (user + system) of the calling thread, from
/// `/proc/thread-self/stat` (10 ms ticks), where there is one: on a machine
/// shared with other work it varies less than the wall clock.
fn thread_cpu() -> Option<Duration> {
    let stat = fs::read_to_string("/proc/thread-self/stat").ok()?;
    // Fields after the command name, which ends with the last `)`.
    let rest = &stat[stat.rfind(')')? + 2..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of the line, 12 and 13 of `rest`.
    let ticks: u64 = f.get(11)?.parse::<u64>().ok()? + f.get(12)?.parse::<u64>().ok()?;
    Some(Duration::from_millis(ticks * 10))
}

/// Times the phases of `analyze` and each enabled rule ([`time_rules`]); best
/// of `runs`. Exposed schemas and `config.toml` are
/// not read here (the defaults), so raw counts may differ slightly from the
/// whole check's.
fn phases(project: &Project, settings: &Settings, runs: usize) {
    let time = |f: &mut dyn FnMut()| {
        let start = Instant::now();
        f();
        start.elapsed()
    };
    let mut ordered: Vec<(usize, &supaudit_core::SourceFile)> = project
        .files
        .iter()
        .enumerate()
        .filter(|(_, f)| f.kind.is_sql() && !settings.is_excluded(&f.path))
        .collect();
    ordered.sort_by_key(|(_, f)| order_key(f));
    let mut units = Vec::new();
    let sql_time = time(&mut || {
        units = ordered
            .iter()
            .enumerate()
            .map(|(order, (idx, f))| SqlUnit {
                file: FileId(*idx as u32),
                order: order as u32,
                path: &f.path,
                text: &f.text,
                sql: std::sync::Arc::new(parse_sql(&f.text)),
            })
            .collect();
    });
    let mut clients = Vec::new();
    // (time, bytes, path) of each client file's parse_client
    let mut slowest: Vec<(Duration, usize, &str)> = Vec::new();
    let client_time = time(&mut || {
        clients = project
            .files
            .iter()
            .enumerate()
            .filter(|(_, f)| f.kind == FileKind::Client && !settings.is_excluded(&f.path))
            .map(|(idx, f)| {
                let start = Instant::now();
                let ir = std::sync::Arc::new(parse_client(&f.path, &f.text));
                slowest.push((start.elapsed(), f.text.len(), f.path.as_str()));
                ClientUnit {
                    file: FileId(idx as u32),
                    path: &f.path,
                    text: &f.text,
                    ir,
                }
            })
            .collect();
    });
    slowest.sort_by_key(|b| std::cmp::Reverse(b.0));
    let exposed: Vec<String> = match &settings.exposed_schemas {
        Some(s) => s.clone(),
        None => DEFAULT_EXPOSED.iter().map(|s| s.to_string()).collect(),
    };
    let enabled: Vec<&rules::Rule> = rules::ALL
        .iter()
        .copied()
        .filter(|r| settings.enabled(r))
        .collect();
    let n = enabled.len();
    let times = time_rules(project, &units, &clients, &exposed, &enabled, runs);
    let (best, counts, replay_best) = (&times.best, &times.counts, times.replay);
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    let rules_total = times.total();
    println!();
    println!("| phase | time |");
    println!("|---|---:|");
    println!(
        "| SQL front end ({} files) | {:.1} ms |",
        units.len(),
        ms(sql_time)
    );
    println!(
        "| client front end ({} files) | {:.1} ms |",
        clients.len(),
        ms(client_time)
    );
    println!(
        "| model replay (best of {runs}) | {:.1} ms |",
        ms(replay_best)
    );
    println!("| all rules (best of {runs}) | {:.1} ms |", ms(rules_total));
    println!();
    println!("| rule | time | share of rules | raw findings |");
    println!("|---|---:|---:|---:|");
    let mut rows: Vec<usize> = (0..n).collect();
    rows.sort_by(|a, b| best[*b].cmp(&best[*a]));
    for i in rows.into_iter().take(25) {
        println!(
            "| {} | {:.1} ms | {:.0}% | {} |",
            enabled[i].name,
            ms(best[i]),
            100.0 * best[i].as_secs_f64() / rules_total.as_secs_f64().max(1e-12),
            counts[i]
        );
    }
    println!("(the 25 slowest rules of {n})");
    println!();
    println!("slowest client files (parse_client):");
    for (t, bytes, path) in slowest.iter().take(10) {
        println!(
            "  {:.1} ms  {:.0} KB  {:.1} MB/s  {path}",
            ms(*t),
            *bytes as f64 / 1e3,
            *bytes as f64 / 1e6 / t.as_secs_f64().max(1e-9)
        );
    }
}
