use crate::diagnostic::{Diagnostic, Edit, Fix};
use crate::model::Relation;
use crate::rules::client::client_unknown_column::missing_columns;
use crate::rules::client::queries_on_known_tables;
use crate::rules::{Context, declare_rule};
use crate::sql::{AlterActionKind, QName, StmtKind};
use crate::text::Span;

declare_rule! {
    /// ## What it does
    /// Reports client code that still uses a column a migration renamed or
    /// dropped: `.select()`, filters, ordering and written keys are checked
    /// against the history of the table, not only its final state.
    ///
    /// ## Why it matters
    /// A rename in a migration is a breaking change for every query that names
    /// the old column: PostgREST answers `column "x" does not exist` (42703) and
    /// the page or the write fails as soon as the migration is deployed. The
    /// migration history says what the column became, so the code can follow.
    ///
    /// ## Example
    /// ```sql
    /// alter table public.profiles rename column username to handle;
    /// ```
    /// ```ts
    /// await supabase.from('profiles').select('id, username');
    /// ```
    ///
    /// ## Fix
    /// ```ts
    /// await supabase.from('profiles').select('id, handle');
    /// ```
    /// The fix uses the column's current name (renames followed through every
    /// migration). A dropped column has no fix: remove it from the query, or
    /// restore it in a new migration.
    ///
    /// ## Reference
    /// Cross-file check (no linter that reads SQL or client code alone can see it).
    pub static COLUMN_RENAMED_IN_USE = {
        name: "column-renamed-in-use",
        category: Migration,
        severity: Error,
        fix: true,
        effort: "1 hour",
        check: check,
    }
}

/// What the migrations did to a column that no longer exists.
pub(crate) enum Change {
    /// Renamed (possibly several times); `to` is its current name.
    Renamed {
        to: String,
        path: String,
        at: Span,
    },
    Dropped {
        path: String,
        at: Span,
    },
}

/// The last rename or drop of column `name` of `rel` in the migrations,
/// following renames to the current name. `None` when the column never existed
/// under that name (or its fate cannot be told).
pub(crate) fn history(ctx: &Context, rel: &Relation, name: &str) -> Option<Change> {
    let same_table = |q: &QName| q.schema_or_public() == rel.schema && q.name == rel.name;
    let mut current = name.to_string();
    let mut found: Option<Change> = None;
    for unit in ctx.sql {
        for stmt in &unit.sql.stmts {
            let StmtKind::AlterTable(t) = &stmt.kind else {
                continue;
            };
            if !same_table(&t.name) {
                continue;
            }
            for a in &t.actions {
                match &a.kind {
                    AlterActionKind::RenameColumn { from, to } if *from == current => {
                        current = to.clone();
                        found = Some(Change::Renamed {
                            to: to.clone(),
                            path: unit.path.to_string(),
                            at: a.span,
                        });
                    }
                    AlterActionKind::DropColumn(c) if *c == current => {
                        found = Some(Change::Dropped {
                            path: unit.path.to_string(),
                            at: a.span,
                        });
                    }
                    _ => {}
                }
            }
        }
    }
    match found {
        Some(Change::Renamed { ref to, .. }) if rel.column(to).is_none() => None,
        other => other,
    }
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for (unit, q, rel) in queries_on_known_tables(ctx) {
        missing_columns(ctx, q, rel, &mut |rel, name, span, exact| {
            let Some(change) = history(ctx, rel, name) else {
                return;
            };
            let line = |path: &str, at: Span| {
                let text = ctx.project.file(path).map_or("", |f| f.text.as_str());
                text[..(at.start as usize).min(text.len())]
                    .matches('\n')
                    .count()
                    + 1
            };
            let d = match change {
                Change::Renamed { to, path, at } => {
                    let mut d = COLUMN_RENAMED_IN_USE.diagnostic(
                        unit.path,
                        span,
                        format!(
                            "column `{name}` of {} was renamed to `{to}` ({path}:{})",
                            rel.display_name(),
                            line(&path, at)
                        ),
                    );
                    d.help = Some(format!(
                        "use `{to}`: queries that name `{name}` fail with 42703 once the migration is deployed"
                    ));
                    if exact {
                        d.fixes.push(Fix::safe(
                            format!("Use the new name `{to}`"),
                            vec![Edit::replace(unit.path, span, to.as_str())],
                        ));
                    }
                    d
                }
                Change::Dropped { path, at } => {
                    let mut d = COLUMN_RENAMED_IN_USE.diagnostic(
                        unit.path,
                        span,
                        format!(
                            "column `{name}` of {} was dropped ({path}:{})",
                            rel.display_name(),
                            line(&path, at)
                        ),
                    );
                    d.help = Some(
                        "remove it from the query, or restore the column in a new migration"
                            .to_string(),
                    );
                    d
                }
            };
            out.push(d);
        });
    }
}
