use crate::diagnostic::Diagnostic;
use crate::model::{Model, StmtRef};
use crate::rules::migration::{existing_table, in_migration};
use crate::rules::{Context, declare_rule};
use crate::sql::{AlterActionKind, ExprKind, StmtKind};

declare_rule! {
    /// ## What it does
    /// Reports `alter table … add column … not null` (or `primary key`)
    /// without a default on a table that an earlier migration file created.
    ///
    /// Tables created in the same migration file are not reported (they have
    /// no rows yet), nor identity, generated and `serial` columns, which fill
    /// existing rows themselves.
    ///
    /// ## Why it matters
    /// PostgreSQL fills the new column of every existing row with its default,
    /// here NULL, so the migration fails with `column "…" contains null values`
    /// (23502) as soon as the table has a row: it works on an empty local
    /// database and breaks on production. Code deployed before the migration
    /// that inserts rows without the column fails too.
    ///
    /// ## Example
    /// ```sql
    /// -- 20240301000000_add_timezone.sql (profiles was created earlier)
    /// alter table public.profiles add column timezone text not null;
    /// ```
    ///
    /// ## Fix
    /// ```sql
    /// alter table public.profiles add column timezone text not null default 'UTC';
    /// ```
    /// Or add the column as nullable, backfill it, and `set not null` in a
    /// later migration.
    ///
    /// ## Reference
    /// squawk `adding-required-field`.
    pub static ADD_NOT_NULL_WITHOUT_DEFAULT = {
        name: "add-not-null-without-default",
        category: Migration,
        severity: Error,
        fix: false,
        effort: "30 min",
        check_stmt: check_stmt,
    }
}

/// Pseudo-types whose column gets a sequence default.
pub(crate) fn is_serial(base: &str) -> bool {
    matches!(
        base,
        "serial" | "serial4" | "bigserial" | "serial8" | "smallserial" | "serial2"
    )
}

fn check_stmt(ctx: &Context, model: &Model, s: StmtRef, out: &mut Vec<Diagnostic>) {
    if !in_migration(ctx, s) {
        return;
    }
    let StmtKind::AlterTable(a) = &s.stmt.kind else {
        return;
    };
    let Some(rel) = existing_table(ctx, model, &a.name, s) else {
        return;
    };
    for act in &a.actions {
        let AlterActionKind::AddColumn(c) = &act.kind else {
            continue;
        };
        let has_default = c
            .default
            .as_ref()
            .is_some_and(|d| d.unparen().kind != ExprKind::Null);
        if !(c.not_null || c.primary_key)
            || has_default
            || c.identity
            || c.generated
            || c.ty.as_ref().is_some_and(|t| is_serial(t.base()))
            // `add column if not exists` of a column that exists: nothing happens.
            || rel.column(&c.name).is_some()
        {
            continue;
        }
        let what = if c.primary_key {
            "a primary key (NOT NULL)"
        } else {
            "NOT NULL"
        };
        let mut d = ADD_NOT_NULL_WITHOUT_DEFAULT.diagnostic(
            ctx.path(s.file),
            act.span,
            format!(
                "new column {}.{} is {what} without a default: adding it fails (23502) once {} has a row",
                rel.display_name(),
                c.name,
                rel.display_name()
            ),
        );
        d.help = Some(
            "give it a default (`… not null default <value>`), or add it as nullable, backfill it, and `set not null` in a later migration".into(),
        );
        out.push(d);
    }
}
