//! `supaudit-bench edit DIR FILE`: the cost of re-checking a project after a
//! one-character edit, as the language server does on every keystroke (parse
//! cache warm, the edited file re-parsed incrementally). Reports p50 / p95 of
//! the parse of the edited file and of the whole re-check.

use std::process::ExitCode;
use std::time::Instant;

use supaudit_core::{ParseCache, Settings};

use crate::Args;

pub fn run(args: &[String]) -> Result<ExitCode, String> {
    let args = Args::parse(args, &["edits", "seed"], &[])?;
    let [dir, file] = args.positional.as_slice() else {
        return Err("usage: supaudit-bench edit DIR FILE [--edits N] [--seed S]".into());
    };
    let edits: usize = args.number("edits", 200)?;
    let mut seed: u64 = args.number("seed", 1)?;
    let loaded = supaudit_fs::load(std::path::Path::new(dir)).map_err(|e| e.to_string())?;
    let mut project = loaded.project;
    let idx = project
        .files
        .iter()
        .position(|f| f.path == *file)
        .ok_or_else(|| format!("{file} is not a file of the project"))?;
    let settings = Settings::default();
    let mut cache = ParseCache::default();
    supaudit_core::analyze_with(&project, &settings, &mut cache);
    // Places inside `--` comments, where a space changes no finding.
    let text = project.files[idx].text.clone();
    let spots: Vec<usize> = text.match_indices("-- ").map(|(i, _)| i + 3).collect();
    if spots.is_empty() {
        return Err(format!("{file} has no `-- ` comment to edit"));
    }
    let (mut parse, mut check) = (Vec::new(), Vec::new());
    for i in 0..edits {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let at = spots[(seed % spots.len() as u64) as usize];
        let t = &mut project.files[idx].text;
        // Insert a space, then take it out again on the next edit: the text
        // stays valid and the spots stay where they are.
        if i % 2 == 0 {
            t.insert(at, ' ');
        } else {
            t.clear();
            t.push_str(&text);
        }
        let start = Instant::now();
        let mut c2 = std::mem::take(&mut cache);
        c2.parse(&project.files[idx].path, &project.files[idx].text);
        parse.push(start.elapsed().as_secs_f64() * 1e3);
        let start = Instant::now();
        supaudit_core::analyze_with(&project, &settings, &mut c2);
        check.push(start.elapsed().as_secs_f64() * 1e3 + parse.last().unwrap());
        cache = c2;
    }
    let pct = |v: &mut Vec<f64>, p: f64| {
        v.sort_by(|a, b| a.total_cmp(b));
        v[((v.len() as f64 - 1.0) * p).round() as usize]
    };
    let bytes: usize = project.files.iter().map(|f| f.text.len()).sum();
    let stats: Vec<usize> = supaudit_core::sql::REPARSE_STATS
        .iter()
        .map(|s| s.load(std::sync::atomic::Ordering::Relaxed))
        .collect();
    println!(
        "re-parses: {} of the edited statements only, {} to the end of the file, {} whole",
        stats[0], stats[1], stats[2]
    );
    println!(
        "{} files, {:.1} MB; {file}: {:.1} KB; {edits} edits",
        project.files.len(),
        bytes as f64 / 1e6,
        text.len() as f64 / 1e3
    );
    println!(
        "re-parse of the edited file: p50 {:.2} ms, p95 {:.2} ms",
        pct(&mut parse, 0.5),
        pct(&mut parse, 0.95)
    );
    println!(
        "whole re-check (parse + replay + rules): p50 {:.2} ms, p95 {:.2} ms, max {:.2} ms",
        pct(&mut check, 0.5),
        pct(&mut check, 0.95),
        pct(&mut check, 1.0)
    );
    Ok(ExitCode::SUCCESS)
}
