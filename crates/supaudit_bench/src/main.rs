//! `supaudit-bench`: throughput of the SQL front end, the model replay and the
//! rules over a generated migration history (`pipeline`), and statement parse
//! coverage with zero panics over a real-world corpus (`corpus`), and the
//! client-code front end over real repositories (`clients`).
//!
//! Speed is measured here, never in timed tests. Everything runs on the
//! calling thread; figures are best of `--runs`.

mod clients;
mod corpus;
mod edit;
mod pipeline;
mod project;
mod rule_times;

use std::process::ExitCode;

const USAGE: &str = "\
usage:
  supaudit-bench pipeline [--lines N] [--seed S] [--runs R] [--part-lines L]
                          [--input FILE] [--generator PATH] [--per-rule]
                          [--only parse|model|off|check]
      Generates a migration history with gen_migrations.py (or reads --input),
      splits it into migration files of about L lines (default 2000) at statement
      boundaries and reports MB/s and statements/s for parse, parse + model
      replay, analyze with every rule off, and the whole check.
      Defaults: --lines 20000 --seed 1 --runs 5.
  supaudit-bench corpus DIR [--errors N]
      Finds every project (a folder holding supabase/) under DIR, parses each
      supabase/**/*.sql and checks each project, each inside catch_unwind;
      reports statement parse coverage, panics and the files with syntax errors
      (at most N listed, default 200).
  supaudit-bench clients DIR [--runs R] [--misses N] [--findings FILE] [--timeout SECS]
      Every folder under DIR is one project (a whole repository, see
      scripts/corpus-assemble.sh). Parses every client file (parse_client, best
      of R passes, default 3) and runs the whole check, each inside
      catch_unwind on a 16 MiB thread (a project silent for SECS, default 300,
      counts as a hang); reports files/s and MB/s, parse failures, panics, the
      `.from('…')` / `.rpc('…')` call sites a textual scan finds and how many of
      them the IR lowered to a Query, and client findings per rule. --misses N
      lists up to N sites not understood per project; --findings FILE writes
      every client finding as TSV.
  supaudit-bench edit DIR FILE [--edits N] [--seed S]
      Re-checks the project in DIR after N one-space edits inside `--` comments
      of FILE (a path relative to DIR), with a warm parse cache as the language
      server has; reports p50 / p95 of the edited file's re-parse and of the
      whole re-check.
  supaudit-bench project DIR [--runs R] [--per-rule] [--json FILE]
      Checks one repository loaded as `clients` loads it (a nested supabase/
      from the repository root; several Supabase projects one by one) and
      reports the whole check's time (best of R, default 1). --per-rule also
      times the front ends, the model replay and each rule; --json FILE writes
      the findings in the CLI's JSON format (one document per checked project).";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("pipeline") => pipeline::run(&args[1..]),
        Some("corpus") => corpus::run(&args[1..]),
        Some("clients") => clients::run(&args[1..]),
        Some("edit") => edit::run(&args[1..]),
        Some("project") => project::run(&args[1..]),
        Some("-h" | "--help" | "help") => {
            println!("{USAGE}");
            Ok(ExitCode::SUCCESS)
        }
        _ => Err(format!("expected a subcommand\n{USAGE}")),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("supaudit-bench: {e}");
            ExitCode::from(2)
        }
    }
}

/// A tiny flag parser: `--name value` pairs, bare `--flag`s and positionals.
pub(crate) struct Args {
    pairs: Vec<(String, Option<String>)>,
    pub positional: Vec<String>,
}

impl Args {
    pub fn parse(
        args: &[String],
        value_flags: &[&str],
        bool_flags: &[&str],
    ) -> Result<Args, String> {
        let mut pairs = Vec::new();
        let mut positional = Vec::new();
        let mut it = args.iter();
        while let Some(a) = it.next() {
            if let Some(name) = a.strip_prefix("--") {
                let (name, inline) = match name.split_once('=') {
                    Some((n, v)) => (n, Some(v.to_string())),
                    None => (name, None),
                };
                if value_flags.contains(&name) {
                    let v = match inline {
                        Some(v) => v,
                        None => it
                            .next()
                            .cloned()
                            .ok_or_else(|| format!("--{name} needs a value\n{USAGE}"))?,
                    };
                    pairs.push((name.to_string(), Some(v)));
                } else if bool_flags.contains(&name) && inline.is_none() {
                    pairs.push((name.to_string(), None));
                } else {
                    return Err(format!("unknown option --{name}\n{USAGE}"));
                }
            } else {
                positional.push(a.clone());
            }
        }
        Ok(Args { pairs, positional })
    }

    pub fn value(&self, name: &str) -> Option<&str> {
        self.pairs
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .and_then(|(_, v)| v.as_deref())
    }

    pub fn flag(&self, name: &str) -> bool {
        self.pairs.iter().any(|(n, _)| n == name)
    }

    pub fn number<T: std::str::FromStr>(&self, name: &str, default: T) -> Result<T, String> {
        match self.value(name) {
            None => Ok(default),
            Some(v) => v
                .parse()
                .map_err(|_| format!("--{name}: not a number: {v}")),
        }
    }
}

/// Bytes per second in MB/s (1 MB = 10^6 bytes).
pub(crate) fn mb_per_s(bytes: usize, secs: f64) -> f64 {
    bytes as f64 / 1e6 / secs
}
