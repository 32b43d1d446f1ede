//! `supaudit-bench pipeline`: MB/s of each stage over a generated history.

use std::collections::BTreeMap;
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::{Duration, Instant};

use supaudit_core::checker::DEFAULT_EXPOSED;
use supaudit_core::model::{FileId, Replay, StmtRef};
use supaudit_core::project::order_key;
use supaudit_core::rules::SqlUnit;
use supaudit_core::settings::RuleLevel;
use supaudit_core::sql::{StmtContext, parse_sql};
use supaudit_core::{Project, Settings, SourceFile, analyze, check, rules};

use crate::rule_times::time_rules;
use crate::{Args, mb_per_s};

/// A measured stage: key for `--only`, name in the table, the work.
type Stage<'a> = (&'static str, &'static str, Box<dyn FnMut() -> usize + 'a>);

/// First version of the generated migration files (14 digits).
const FIRST_VERSION: u64 = 20240101000000;

pub fn run(args: &[String]) -> Result<ExitCode, String> {
    let args = Args::parse(
        args,
        &[
            "lines",
            "seed",
            "runs",
            "part-lines",
            "input",
            "generator",
            "only",
        ],
        &["per-rule"],
    )?;
    if let Some(p) = args.positional.first() {
        return Err(format!("unexpected argument {p}"));
    }
    let lines: usize = args.number("lines", 20_000)?;
    let seed: u64 = args.number("seed", 1)?;
    let runs: usize = args.number::<usize>("runs", 5)?.max(1);
    let part_lines: usize = args.number::<usize>("part-lines", 2000)?.max(1);

    let (text, source) = match args.value("input") {
        Some(path) => (
            supaudit_fs::read_text(Path::new(path)).map_err(|e| format!("{path}: {e}"))?,
            path.to_string(),
        ),
        None => {
            let generator = match args.value("generator") {
                Some(g) => PathBuf::from(g),
                None => default_generator()?,
            };
            let text = generate(&generator, lines, seed)?;
            (
                text,
                format!(
                    "python3 {} --lines {lines} --seed {seed}",
                    generator.display()
                ),
            )
        }
    };

    let project = split(&text, part_lines);
    let files: Vec<&SourceFile> = project.files.iter().collect();
    let bytes: usize = files.iter().map(|f| f.text.len()).sum();
    let line_count = text.lines().count();

    // Sanity: the split must not change what the parser sees.
    let whole = parse_sql(&text);
    let (mut top, mut nested, mut errors) = (0usize, 0usize, 0usize);
    for f in &files {
        let sql = parse_sql(&f.text);
        top += sql
            .stmts
            .iter()
            .filter(|s| s.context == StmtContext::TopLevel)
            .count();
        nested += sql
            .stmts
            .iter()
            .filter(|s| s.context != StmtContext::TopLevel)
            .count();
        errors += sql.errors.len();
    }
    let whole_top = whole
        .stmts
        .iter()
        .filter(|s| s.context == StmtContext::TopLevel)
        .count();
    if whole_top != top || whole.errors.len() != errors {
        eprintln!(
            "warning: splitting changed the parse: {whole_top} -> {top} statements, {} -> {errors} syntax errors",
            whole.errors.len()
        );
    }

    println!("input: {source}");
    println!(
        "  {bytes} bytes ({:.2} MB), {line_count} lines, {} migration files of ~{part_lines} lines",
        bytes as f64 / 1e6,
        files.len()
    );
    println!(
        "  {top} top-level statements (+ {nested} in DO blocks and function bodies), {errors} syntax errors"
    );
    println!("  best of {runs} runs, one thread; MB = 10^6 bytes");
    println!();

    let mut ordered: Vec<(usize, &SourceFile)> = project
        .files
        .iter()
        .enumerate()
        .filter(|(_, f)| f.kind.is_sql())
        .collect();
    ordered.sort_by_key(|(_, f)| order_key(f));
    let off = all_off();
    let defaults = Settings::default();

    // The stages, each a closure returning something derived from its result.
    let mut stages: Vec<Stage> = vec![
        (
            "parse",
            "parse (parse_sql on every file)",
            Box::new(|| {
                let mut n = 0;
                for f in &files {
                    n += black_box(parse_sql(black_box(&f.text))).stmts.len();
                }
                n
            }),
        ),
        (
            "model",
            "parse + model replay",
            Box::new(|| {
                // The way `analyze` feeds the replay, without rules.
                let parsed: Vec<_> = ordered
                    .iter()
                    .map(|(idx, f)| (*idx, parse_sql(&f.text)))
                    .collect();
                let mut replay = Replay::default();
                for (order, (idx, sql)) in parsed.iter().enumerate() {
                    for stmt in &sql.stmts {
                        replay.apply(StmtRef {
                            file: FileId(*idx as u32),
                            order: order as u32,
                            stmt,
                        });
                    }
                }
                black_box(&replay.model);
                black_box(parsed).len()
            }),
        ),
        (
            "off",
            "analyze, every rule off",
            Box::new(|| analyze(black_box(&project), &off).diagnostics.len()),
        ),
        (
            "check",
            "whole pipeline (check, default settings)",
            Box::new(|| check(black_box(&project), &defaults).len()),
        ),
    ];
    if let Some(only) = args.value("only") {
        // For profilers: run one stage `runs` times and report nothing else.
        let (_, _, f) = stages
            .iter_mut()
            .find(|(key, _, _)| *key == only)
            .ok_or_else(|| format!("--only: expected parse, model, off or check, got {only}"))?;
        let start = Instant::now();
        for _ in 0..runs {
            black_box(f());
        }
        let s = start.elapsed().as_secs_f64() / runs as f64;
        println!(
            "{only}: {:.1} ms per run, {:.1} MB/s",
            s * 1e3,
            mb_per_s(bytes, s)
        );
        return Ok(ExitCode::SUCCESS);
    }

    // Runs interleave the stages, so that a slow spell of the machine hits them all alike.
    let cpu_before = cpu_times();
    let wall = Instant::now();
    for (_, _, f) in stages.iter_mut() {
        black_box(f()); // warm-up
    }
    let mut times: Vec<Vec<Duration>> = vec![Vec::with_capacity(runs); stages.len()];
    for _ in 0..runs {
        for (i, (_, _, f)) in stages.iter_mut().enumerate() {
            let start = Instant::now();
            black_box(f());
            times[i].push(start.elapsed());
        }
    }
    let wall = wall.elapsed();
    let cpu_after = cpu_times();
    let names: Vec<&str> = stages.iter().map(|(_, name, _)| *name).collect();
    drop(stages);
    for t in &mut times {
        t.sort();
    }
    let best = |i: usize| times[i][0];
    let median = |i: usize| times[i][times[i].len() / 2];
    let (t_off, t_check) = (best(2), best(3));
    let diags = check(&project, &defaults);

    println!("| stage | best | median | MB/s (best) | MB/s (median) | statements/s (best) |");
    println!("|---|---:|---:|---:|---:|---:|");
    for (i, name) in names.iter().enumerate() {
        let (b, m) = (best(i).as_secs_f64(), median(i).as_secs_f64());
        println!(
            "| {name} | {:.1} ms | {:.1} ms | {:.1} | {:.1} | {:.0} |",
            b * 1e3,
            m * 1e3,
            mb_per_s(bytes, b),
            mb_per_s(bytes, m),
            top as f64 / b
        );
    }
    let rules_time = t_check.saturating_sub(t_off).as_secs_f64();
    println!();
    if let (Some(a), Some(b)) = (cpu_before, cpu_after) {
        let total: u64 = b.iter().zip(&a).map(|(x, y)| x - y).sum();
        if total > 0 {
            println!(
                "machine during the {:.1} s of measurement: {:.0}% of all cores busy, {:.1}% stolen by the hypervisor",
                wall.as_secs_f64(),
                100.0 * (total - (b[3] - a[3]) - (b[4] - a[4])) as f64 / total as f64,
                100.0 * (b[7] - a[7]) as f64 / total as f64
            );
        }
    }
    println!(
        "rules alone (check - analyze with rules off): {:.1} ms{}",
        rules_time * 1e3,
        if rules_time > 0.0 {
            format!(", {:.1} MB/s", mb_per_s(bytes, rules_time))
        } else {
            String::new()
        }
    );

    let mut by_rule: BTreeMap<&str, usize> = BTreeMap::new();
    for d in &diags {
        *by_rule.entry(d.rule).or_default() += 1;
    }
    let mut by_rule: Vec<_> = by_rule.into_iter().collect();
    by_rule.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    println!(
        "diagnostics: {} ({})",
        diags.len(),
        by_rule
            .iter()
            .map(|(r, n)| format!("{r} {n}"))
            .collect::<Vec<_>>()
            .join(", ")
    );

    if args.flag("per-rule") {
        per_rule(&project, &ordered, runs);
    }
    Ok(ExitCode::SUCCESS)
}

/// Times each rule alone ([`time_rules`]), best of `runs`.
fn per_rule(project: &Project, ordered: &[(usize, &SourceFile)], runs: usize) {
    let units: Vec<SqlUnit> = ordered
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
    let exposed: Vec<String> = DEFAULT_EXPOSED.iter().map(|s| s.to_string()).collect();
    let times = time_rules(project, &units, &[], &exposed, rules::ALL, runs);
    let (best, counts, replay_best) = (&times.best, &times.counts, times.replay);
    let n = best.len();
    let total = times.total();
    println!();
    println!(
        "per rule (each rule called alone the way analyze calls it, best of {runs}; raw findings before suppressions and settings):"
    );
    println!("| rule | time | share of rules | findings |");
    println!("|---|---:|---:|---:|");
    let mut rows: Vec<usize> = (0..n).collect();
    rows.sort_by(|a, b| best[*b].cmp(&best[*a]));
    for i in rows {
        println!(
            "| {} | {:.2} ms | {:.0}% | {} |",
            rules::ALL[i].name,
            best[i].as_secs_f64() * 1e3,
            100.0 * best[i].as_secs_f64() / total.as_secs_f64().max(1e-12),
            counts[i]
        );
    }
    println!(
        "| **all rules** | {:.2} ms | 100% | |",
        total.as_secs_f64() * 1e3
    );
    println!(
        "model replay alone (Replay::apply over every statement): {:.2} ms",
        replay_best.as_secs_f64() * 1e3
    );
}

/// The first eight fields of the `cpu` line of /proc/stat (user, nice, system,
/// idle, iowait, irq, softirq, steal), where there is one.
fn cpu_times() -> Option<Vec<u64>> {
    let stat = std::fs::read_to_string("/proc/stat").ok()?;
    let line = stat.lines().find(|l| l.starts_with("cpu "))?;
    let v: Vec<u64> = line
        .split_whitespace()
        .skip(1)
        .take(8)
        .filter_map(|x| x.parse().ok())
        .collect();
    (v.len() == 8).then_some(v)
}

/// Settings with every rule off.
fn all_off() -> Settings {
    Settings {
        rules: rules::ALL
            .iter()
            .map(|r| (r.name.to_string(), RuleLevel::Off))
            .collect(),
        ..Settings::default()
    }
}

/// `<repo root>/../shared/tools/gen_migrations.py`.
fn default_generator() -> Result<PathBuf, String> {
    let mut candidates = Vec::new();
    if let Ok(out) = Command::new("git")
        .args(["rev-parse", "--show-toplevel"])
        .output()
        && out.status.success()
    {
        let root = String::from_utf8_lossy(&out.stdout).trim().to_string();
        candidates.push(Path::new(&root).join("../shared/tools/gen_migrations.py"));
    }
    candidates.push(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/tools/gen_migrations.py"),
    );
    candidates
        .iter()
        .find(|p| p.is_file())
        .cloned()
        .ok_or_else(|| {
            format!(
                "gen_migrations.py not found (looked at {}); pass --generator PATH or --input FILE",
                candidates
                    .iter()
                    .map(|p| p.display().to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        })
}

fn generate(generator: &Path, lines: usize, seed: u64) -> Result<String, String> {
    let out = std::env::temp_dir().join(format!(
        "supaudit-bench-{}-{lines}-{seed}.sql",
        std::process::id()
    ));
    let status = Command::new("python3")
        .arg(generator)
        .args(["--lines", &lines.to_string(), "--seed", &seed.to_string()])
        .arg("-o")
        .arg(&out)
        .status()
        .map_err(|e| format!("cannot run python3: {e}"))?;
    if !status.success() {
        return Err(format!("{} failed: {status}", generator.display()));
    }
    let text = supaudit_fs::read_text(&out).map_err(|e| format!("{}: {e}", out.display()));
    let _ = std::fs::remove_file(&out);
    text
}

/// Splits one SQL text into `supabase/migrations/<version>_part_<n>.sql` files
/// of about `part_lines` lines, cutting only before a top-level statement.
pub fn split(text: &str, part_lines: usize) -> Project {
    let sql = parse_sql(text);
    let mut cuts = Vec::new();
    let (mut last, mut pos, mut lines) = (0usize, 0usize, 0usize);
    for stmt in sql
        .stmts
        .iter()
        .filter(|s| s.context == StmtContext::TopLevel)
    {
        let start = stmt.span.start as usize;
        // Cut at the start of the statement's line when only blanks precede it there.
        let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
        let cut = if text[line_start..start].trim().is_empty() {
            line_start
        } else {
            start
        };
        if cut <= last {
            continue;
        }
        lines += text.as_bytes()[pos..cut]
            .iter()
            .filter(|b| **b == b'\n')
            .count();
        pos = cut;
        if lines >= part_lines {
            cuts.push(cut);
            last = cut;
            lines = 0;
        }
    }
    cuts.push(text.len());
    let mut files = Vec::new();
    let mut from = 0;
    for (n, &to) in cuts.iter().enumerate() {
        if to <= from {
            continue;
        }
        files.push(SourceFile::new(
            format!(
                "supabase/migrations/{:014}_part_{}.sql",
                FIRST_VERSION + n as u64,
                n + 1
            ),
            &text[from..to],
        ));
        from = to;
    }
    Project::new(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_cuts_only_between_statements_and_keeps_every_byte() {
        let mut text = String::new();
        for i in 0..40 {
            text.push_str(&format!(
                "-- table {i}\ncreate table public.t{i} (\n  id bigint primary key,\n  body text\n);\n\ncreate function public.f{i}() returns int\nlanguage plpgsql as $$\nbegin\n  return 1;\nend;\n$$;\n\n"
            ));
        }
        let project = split(&text, 50);
        assert!(project.files.len() > 1, "{} files", project.files.len());
        let joined: String = project.files.iter().map(|f| f.text.as_str()).collect();
        assert_eq!(joined, text);
        let mut total = 0;
        for (n, f) in project.files.iter().enumerate() {
            assert!(
                matches!(f.kind, supaudit_core::FileKind::Migration { .. }),
                "{}",
                f.path
            );
            assert!(
                f.path.ends_with(&format!("_part_{}.sql", n + 1)),
                "{}",
                f.path
            );
            let sql = parse_sql(&f.text);
            assert!(sql.errors.is_empty(), "{}: {:?}", f.path, sql.errors);
            total += sql
                .stmts
                .iter()
                .filter(|s| s.context == StmtContext::TopLevel)
                .count();
        }
        assert_eq!(total, 80);
        // Replay order is the order of the parts.
        let ordered = project.sql_files_in_order();
        assert_eq!(ordered[0].path, project.files[0].path);
        assert_eq!(
            ordered.last().unwrap().path,
            project.files.last().unwrap().path
        );
    }

    #[test]
    fn split_of_a_small_text_is_one_file() {
        let project = split("select 1;\nselect 2;\n", 2000);
        assert_eq!(project.files.len(), 1);
        assert_eq!(
            project.files[0].path,
            "supabase/migrations/20240101000000_part_1.sql"
        );
    }
}
