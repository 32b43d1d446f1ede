use crate::diagnostic::Diagnostic;
use crate::project::FileKind;
use crate::rules::{Context, declare_rule};
use crate::text::Span;

declare_rule! {
    /// ## What it does
    /// Reports migrations without a down script: a file that undoes the
    /// migration, `supabase/rollbacks/<same name>.sql` (or any
    /// `supabase/rollbacks/<version>_*.sql`), or `<same name>.down.sql` beside
    /// the migration. Off by default. Migrations with no statement are not
    /// reported.
    ///
    /// ## Why it matters
    /// Supabase migrations are forward-only: when a deployed migration breaks
    /// something, undoing it means writing the reverse SQL by hand, under
    /// pressure, against production. A down script written with the migration
    /// (and tried locally) makes the way back a known step.
    ///
    /// ## Example
    /// ```sql
    /// -- supabase/migrations/20260118000000_training_schema.sql, and no down script
    /// create table public.datasets (id uuid primary key default gen_random_uuid());
    /// ```
    ///
    /// ## Fix
    /// ```sql
    /// -- supabase/rollbacks/20260118000000_training_schema.sql
    /// drop table if exists public.datasets;
    /// ```
    /// Keep down scripts in `supabase/rollbacks/`, which the Supabase CLI does
    /// not read. A `<name>.down.sql` in `supabase/migrations/` matches the
    /// CLI's `<version>_<name>.sql` pattern, so the CLI applies it as a
    /// migration (see `migration-order`).
    ///
    /// ## Reference
    /// Seed audit 000 §9.2 (no rollback migrations).
    pub static MISSING_ROLLBACK = {
        name: "missing-rollback",
        category: Migration,
        severity: Info,
        fix: false,
        effort: "30 min",
        default_enabled: false,
        check: check,
    }
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let rollbacks: Vec<&str> = ctx
        .project
        .files
        .iter()
        .filter(|f| f.kind == FileKind::Rollback)
        .map(|f| f.path.as_str())
        .collect();
    for unit in ctx.sql {
        let Some(file) = ctx.project.files.get(unit.file.0 as usize) else {
            continue;
        };
        let FileKind::Migration { version, .. } = &file.kind else {
            continue;
        };
        if unit.sql.stmts.is_empty() {
            continue;
        }
        let file_name = unit.path.rsplit('/').next().unwrap_or(unit.path);
        let dir = &unit.path[..unit.path.len() - file_name.len()];
        let stem = file_name.strip_suffix(".sql").unwrap_or(file_name);
        let supabase = dir.strip_suffix("migrations/").unwrap_or(dir);
        let rollback_dir = format!("{supabase}rollbacks/");
        let beside = format!("{dir}{stem}.down.sql");
        let found = rollbacks.iter().any(|p| {
            *p == beside
                || p.strip_prefix(rollback_dir.as_str())
                    .is_some_and(|n| !n.contains('/') && n.starts_with(&format!("{version}_")))
        });
        if found {
            continue;
        }
        let mut d = MISSING_ROLLBACK.diagnostic(
            unit.path,
            Span::empty(0),
            format!("migration {file_name} has no down script"),
        );
        d.help = Some(format!(
            "write {rollback_dir}{stem}.sql with the statements that undo it (the Supabase CLI does not read that folder; a `.down.sql` in the migrations folder would be applied as a migration)"
        ));
        out.push(d);
    }
}
