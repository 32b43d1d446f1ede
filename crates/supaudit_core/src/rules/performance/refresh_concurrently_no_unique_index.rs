use crate::diagnostic::Diagnostic;
use crate::model::{Model, RelKind, Relation, StmtRef};
use crate::rules::helpers::{fresh_index_name, quote_ident, rel_sql_name, relation_names_in_use};
use crate::rules::{Context, append_stmt_fix, declare_rule};
use crate::sql::{CreateView, Stmt, StmtContext, StmtKind};

declare_rule! {
    /// ## What it does
    /// Reports `refresh materialized view concurrently v` when `v` has no
    /// unique index on plain columns without a `where` clause: at that point of
    /// the migrations, or, for a refresh in a function body, at the end of
    /// them.
    ///
    /// ## Why it matters
    /// A concurrent refresh matches the new rows with the old ones through such
    /// an index; without one PostgreSQL refuses the refresh ("cannot refresh
    /// materialized view concurrently"), so the migration stops, or the
    /// function that refreshes the cache fails every time it runs.
    ///
    /// ## Example
    /// ```sql
    /// create materialized view mv_capability_stats as
    /// select category, count(*) as total_capabilities
    /// from capabilities group by category;
    ///
    /// create or replace function refresh_capability_stats() returns void as $$
    /// begin
    ///   refresh materialized view concurrently mv_capability_stats;
    /// end;
    /// $$ language plpgsql security definer;
    /// ```
    ///
    /// ## Fix
    /// ```sql
    /// create unique index mv_capability_stats_category_key on public.mv_capability_stats (category);
    /// ```
    /// The fix is offered when the view's query shows a unique column set: the
    /// columns of its `group by` (safe), or a first column named `id` (unsafe:
    /// a guess). Otherwise the help says what to index.
    ///
    /// ## Reference
    /// Seed audit 002 (`refresh_capability_stats`); PostgreSQL docs, REFRESH
    /// MATERIALIZED VIEW ("CONCURRENTLY … only allowed if there is at least one
    /// UNIQUE index on the materialized view which uses only column names and
    /// includes all rows").
    pub static REFRESH_CONCURRENTLY_NO_UNIQUE_INDEX = {
        name: "refresh-concurrently-no-unique-index",
        category: Performance,
        severity: Error,
        fix: true,
        effort: "15 min",
        check: check,
        check_stmt: check_stmt,
    }
}

/// Refreshes that run at migration time: judged with the model before them.
fn check_stmt(ctx: &Context, model: &Model, s: StmtRef, out: &mut Vec<Diagnostic>) {
    if s.stmt.context != StmtContext::FunctionBody {
        report(ctx, model, ctx.path(s.file), s.stmt, out);
    }
}

/// Refreshes in function bodies run later: judged with the final model.
fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for unit in ctx.sql {
        for s in &unit.sql.stmts {
            if s.context == StmtContext::FunctionBody {
                report(ctx, ctx.model, unit.path, s, out);
            }
        }
    }
}

/// The statement that created a view, from its origin.
fn definition<'a>(ctx: &'a Context, rel: &Relation) -> Option<&'a CreateView> {
    let unit = ctx.sql.iter().find(|u| u.file == rel.origin.file)?;
    unit.sql.stmts.iter().find_map(|s| match &s.kind {
        StmtKind::CreateView(v) if s.span == rel.origin.stmt => Some(v),
        _ => None,
    })
}

/// Columns known to identify a row of the view, and whether that is certain.
fn unique_columns(v: &CreateView) -> Option<(Vec<String>, bool)> {
    let names: Vec<&str> = v
        .columns
        .iter()
        .map(|c| c.as_deref().unwrap_or(""))
        .collect();
    if let Some(g) = &v.group_by {
        // Group by columns the view outputs under the same name.
        if !g.is_empty() && g.iter().all(|c| names.contains(&c.as_str())) {
            let mut cols = g.clone();
            cols.dedup();
            return Some((cols, true));
        }
        return None;
    }
    if names.first() == Some(&"id") {
        return Some((vec!["id".into()], false));
    }
    None
}

fn report(ctx: &Context, model: &Model, path: &str, s: &Stmt, out: &mut Vec<Diagnostic>) {
    let StmtKind::RefreshMaterializedView {
        name,
        concurrently: true,
    } = &s.kind
    else {
        return;
    };
    let Some(rel) = model.relation(name) else {
        return;
    };
    if rel.kind != RelKind::MaterializedView {
        return;
    }
    let usable = rel
        .indexes
        .iter()
        .any(|i| i.unique && i.predicate.is_none() && i.columns.iter().all(Option::is_some));
    if usable {
        return;
    }
    let when = if s.context == StmtContext::FunctionBody {
        "fails whenever the function runs"
    } else {
        "fails, so the migration stops"
    };
    let mut d = REFRESH_CONCURRENTLY_NO_UNIQUE_INDEX.diagnostic(
        path,
        s.span,
        format!(
            "`refresh materialized view concurrently {}` {when}: the view has no unique index on plain columns",
            rel.display_name()
        ),
    );
    let known = definition(ctx, rel).and_then(unique_columns);
    match known {
        Some((cols, certain)) => {
            let list: Vec<String> = cols.iter().map(|c| quote_ident(c)).collect();
            let mut used = relation_names_in_use(ctx);
            let index =
                fresh_index_name(&format!("{}_{}_key", rel.name, cols.join("_")), &mut used);
            let sql = format!(
                "create unique index {} on {} ({});",
                quote_ident(&index),
                rel_sql_name(rel),
                list.join(", ")
            );
            d.help = Some(if certain {
                format!(
                    "the view's `group by` ({}) identifies its rows: add `{sql}`",
                    cols.join(", ")
                )
            } else {
                format!(
                    "if `id` identifies a row of the view, add `{sql}`; otherwise index the columns that do"
                )
            });
            let anchor = if rel.last_changed.is_platform() {
                rel.origin
            } else {
                rel.last_changed
            };
            d.fixes.push(append_stmt_fix(
                ctx,
                &anchor,
                format!(
                    "Create a unique index on {} ({})",
                    rel.display_name(),
                    cols.join(", ")
                ),
                &sql,
                certain,
            ));
        }
        None => {
            d.help = Some(format!(
                "add a unique index on {} over plain columns that identify a row (no expression, no `where`), or refresh without `concurrently`",
                rel.display_name()
            ));
        }
    }
    out.push(d);
}
