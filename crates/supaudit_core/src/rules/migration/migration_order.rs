use std::collections::BTreeMap;

use crate::diagnostic::Diagnostic;
use crate::project::FileKind;
use crate::rules::{Context, declare_rule};
use crate::text::Span;

declare_rule! {
    /// ## What it does
    /// Reports migration files that the Supabase CLI skips, applies twice
    /// under one version, or applies in another order than their versions
    /// say: a file in `supabase/migrations/` whose name does not match
    /// `<digits>_<name>.sql`; two migrations with the same version; a
    /// `*.down.sql` down script in `supabase/migrations/` (its name matches the
    /// pattern, so the CLI applies it as a migration); a migration whose
    /// version is smaller than that of a file the CLI applies before it
    /// (versions of different lengths: `9_b.sql` runs after
    /// `20240101000000_a.sql`); a 14-digit version that is not a real
    /// date and time (`20241399000000`).
    ///
    /// Which migrations a database has already applied is not in the files:
    /// a new migration that sorts before the newest applied one (a branch
    /// merged late) cannot be seen here; `supabase migration list` shows it.
    /// supaudit replays migrations by version number, then name.
    ///
    /// ## Why it matters
    /// The CLI reads `supabase/migrations/` in file-name order (as text),
    /// skips names that do not match `<version>_<name>.sql`, and records each
    /// applied version in `supabase_migrations.schema_migrations`, whose key
    /// is the version. A skipped file never runs, so its tables are missing
    /// in every environment; a second file with a taken version fails with
    /// `duplicate key value violates unique constraint "schema_migrations_pkey"`
    /// (23505) after its statements ran; a down script applied as a migration
    /// drops what the migration created; files applied in an unexpected order
    /// fail or build another schema. `supabase db push` also refuses a local
    /// migration that sorts before one the database already applied.
    ///
    /// ## Example
    /// ```text
    /// supabase/migrations/20240101000000_init.sql
    /// supabase/migrations/20240101000000_add_profiles.sql   -- same version
    /// supabase/migrations/add_indexes.sql                   -- skipped by the CLI
    /// supabase/migrations/20240101000000_init.down.sql      -- applied as a migration
    /// ```
    ///
    /// ## Fix
    /// Name migrations `<UTC timestamp, 14 digits>_<name>.sql` (as `supabase
    /// migration new <name>` does), one version per file, ordered after the
    /// migrations they depend on; move down scripts to `supabase/rollbacks/`.
    /// Renaming a migration that a database already applied makes the CLI see
    /// it as new: repair the history with `supabase migration repair`.
    ///
    /// ## Reference
    /// Supabase CLI migration file naming (`<timestamp>_name.sql`,
    /// `supabase migration new`, `supabase db push --include-all`).
    pub static MIGRATION_ORDER = {
        name: "migration-order",
        category: Migration,
        severity: Error,
        fix: false,
        effort: "30 min",
        check: check,
    }
}

/// A migration the CLI applies: its path, file name and version.
struct Entry<'a> {
    path: &'a str,
    file_name: &'a str,
    version: &'a str,
}

fn split_path(path: &str) -> (&str, &str) {
    let file_name = path.rsplit('/').next().unwrap_or(path);
    (&path[..path.len() - file_name.len()], file_name)
}

/// The version the CLI reads from a file name (`^([0-9]+)_(.*)\.sql$`).
fn cli_version(file_name: &str) -> Option<&str> {
    let stem = file_name.strip_suffix(".sql")?;
    let (version, _) = stem.split_once('_')?;
    (!version.is_empty() && version.bytes().all(|b| b.is_ascii_digit())).then_some(version)
}

/// Versions compared as numbers.
fn numeric_key(v: &str) -> (usize, &str) {
    let digits = v.trim_start_matches('0');
    (digits.len(), digits)
}

/// What makes a 14-digit version not a date and time, if anything.
fn invalid_timestamp(v: &str) -> Option<String> {
    if v.len() != 14 {
        return None;
    }
    let n = |r: std::ops::Range<usize>| v[r].parse::<u32>().unwrap_or(0);
    let (year, month, day) = (n(0..4), n(4..6), n(6..8));
    let (hour, minute, second) = (n(8..10), n(10..12), n(12..14));
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let days = match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    };
    if !(1..=12).contains(&month) {
        Some(format!("month {month:02}"))
    } else if !(1..=days).contains(&day) {
        Some(format!("day {day:02}"))
    } else if hour > 23 {
        Some(format!("hour {hour:02}"))
    } else if minute > 59 {
        Some(format!("minute {minute:02}"))
    } else if second > 59 {
        Some(format!("second {second:02}"))
    } else {
        None
    }
}

const RENAME_HELP: &str = "give it a version of its own: a 14-digit UTC timestamp (`supabase migration new <name>` makes one) after the migrations it depends on";

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let mut report = |path: &str, message: String, help: String| {
        let mut d = MIGRATION_ORDER.diagnostic(path, Span::empty(0), message);
        d.help = Some(help);
        out.push(d);
    };
    let mut dirs: BTreeMap<&str, Vec<Entry>> = BTreeMap::new();
    for f in &ctx.project.files {
        let (dir, file_name) = split_path(&f.path);
        match &f.kind {
            FileKind::Migration { version, .. } => dirs.entry(dir).or_default().push(Entry {
                path: &f.path,
                file_name,
                version,
            }),
            FileKind::MalformedMigration => report(
                &f.path,
                format!(
                    "{file_name} does not match `<version>_<name>.sql`: the Supabase CLI skips it, so it never runs"
                ),
                "rename it `<timestamp>_<name>.sql` with a 14-digit UTC timestamp (`supabase migration new <name>` makes one) after the migrations it depends on".into(),
            ),
            FileKind::Rollback if dir.ends_with("supabase/migrations/") => {
                let Some(version) = cli_version(file_name) else {
                    continue;
                };
                let up_name = file_name.replace(".down.sql", ".sql");
                let up = format!("{dir}{up_name}");
                let stem = up_name.strip_suffix(".sql").unwrap_or(&up_name);
                let also = if ctx.project.file(&up).is_some() {
                    format!(
                        ": it runs before {up_name} (file names sort as text), which then fails with a duplicate version (23505)"
                    )
                } else {
                    String::new()
                };
                let supabase = dir.strip_suffix("migrations/").unwrap_or(dir);
                report(
                    &f.path,
                    format!(
                        "the Supabase CLI applies the down script {file_name} as migration {version}{also}"
                    ),
                    format!(
                        "move it to {supabase}rollbacks/{stem}.sql, a folder the CLI does not read"
                    ),
                );
            }
            _ => {}
        }
    }
    for entries in dirs.values_mut() {
        // The CLI's order: file names as text.
        entries.sort_by(|a, b| a.file_name.cmp(b.file_name));
        let mut first_of: BTreeMap<&str, &str> = BTreeMap::new();
        for (i, e) in entries.iter().enumerate() {
            if let Some(first) = first_of.get(e.version) {
                report(
                    e.path,
                    format!(
                        "version {} is also the version of {first}: the Supabase CLI records migrations by version, so this one fails to apply (duplicate key, 23505)",
                        e.version
                    ),
                    RENAME_HELP.into(),
                );
                continue;
            }
            first_of.insert(e.version, e.file_name);
            if let Some(g) = entries[..i]
                .iter()
                .find(|g| numeric_key(g.version) > numeric_key(e.version))
            {
                report(
                    e.path,
                    format!(
                        "{} runs after {} under the Supabase CLI, though its version is smaller: the CLI orders files by name as text, where versions of different lengths do not sort as numbers",
                        e.file_name, g.file_name
                    ),
                    "use 14-digit timestamp versions for every migration, so that name order and version order agree (supaudit replays by version)".into(),
                );
            }
            if let Some(what) = invalid_timestamp(e.version) {
                report(
                    e.path,
                    format!(
                        "version {} is not a valid timestamp ({what}): migrations named with the real time sort unexpectedly against it",
                        e.version
                    ),
                    "use the UTC time the migration was written: `supabase db push` refuses a new migration that sorts before one the database already applied".into(),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps() {
        assert_eq!(invalid_timestamp("20240229235959"), None);
        assert_eq!(invalid_timestamp("2024010100000"), None);
        assert_eq!(
            invalid_timestamp("20241399000000").as_deref(),
            Some("month 13")
        );
        assert_eq!(
            invalid_timestamp("20230229000000").as_deref(),
            Some("day 29")
        );
        assert_eq!(
            invalid_timestamp("20240101240000").as_deref(),
            Some("hour 24")
        );
        assert_eq!(
            cli_version("20240101000000_init.down.sql"),
            Some("20240101000000")
        );
        assert_eq!(cli_version("init.down.sql"), None);
        assert!(numeric_key("9") < numeric_key("20240101000000"));
        assert!(numeric_key("0010") > numeric_key("9"));
    }
}
