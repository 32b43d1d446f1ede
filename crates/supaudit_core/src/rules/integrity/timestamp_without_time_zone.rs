use super::common::{editable_in_place, mentions_column, project_tables};
use crate::diagnostic::{Diagnostic, Edit, Fix};
use crate::model::{Column, Relation};
use crate::rules::helpers::{new_migration, quote_ident, rel_sql_name, stmt_at};
use crate::rules::{Context, declare_rule};
use crate::sql::{ExprKind, StmtContext, TypeName};

declare_rule! {
    /// ## What it does
    /// Reports table columns of type `timestamp` (`timestamp without time
    /// zone`, arrays included).
    ///
    /// ## Why it matters
    /// A `timestamp` stores a wall-clock reading with no time zone: the value
    /// written by `now()` depends on the session's `TimeZone`, an ISO string
    /// with an offset (`new Date().toISOString()`) silently loses it, and
    /// comparisons with `timestamptz` values shift by the server's offset.
    /// `timestamptz` stores an instant and costs the same 8 bytes.
    ///
    /// ## Example
    /// ```sql
    /// create table public.training_jobs (
    ///   id uuid primary key,
    ///   completed_at timestamp
    /// );
    /// ```
    ///
    /// ## Fix
    /// ```sql
    /// create table public.training_jobs (
    ///   id uuid primary key,
    ///   completed_at timestamptz
    /// );
    /// ```
    /// The fix rewrites the type in place when the column is declared in the
    /// newest migration (or a declarative schema file), which has likely not
    /// run anywhere yet. An older migration has run on deployed databases,
    /// where an edit changes nothing; the fix then writes a new migration:
    /// ```sql
    /// alter table public.training_jobs
    ///   alter column completed_at type timestamptz using completed_at at time zone 'UTC';
    /// ```
    /// which reads the stored values as UTC (change the zone if they were
    /// written in another) and rewrites the table under an exclusive lock. No
    /// new migration is offered when a view or policy uses the column
    /// (PostgreSQL refuses to change its type then). The fix is unsafe.
    ///
    /// ## Reference
    /// squawk `prefer-timestamptz`; PostgreSQL wiki "Don't Do This: Don't use
    /// timestamp (without time zone)".
    pub static TIMESTAMP_WITHOUT_TIME_ZONE = {
        name: "timestamp-without-time-zone",
        category: Integrity,
        severity: Warning,
        fix: true,
        effort: "30 min",
        check: check,
    }
}

fn without_time_zone(ty: &TypeName) -> bool {
    let t = ty.text.strip_prefix("pg_catalog.").unwrap_or(&ty.text);
    t.starts_with("timestamp")
        && !t.starts_with("timestamptz")
        && (!t.contains("with time zone") || t.contains("without time zone"))
}

/// `timestamptz` with the precision and array brackets of `ty`.
fn replacement(ty: &TypeName) -> String {
    let t = &ty.text;
    let precision = match (t.find('('), t.find(')')) {
        (Some(a), Some(b)) if a < b => &t[a..=b],
        _ => "",
    };
    let array = t.find('[').map_or("", |i| &t[i..]);
    format!("timestamptz{precision}{array}")
}

/// Whether a view or a policy depends on the column: `alter column … type`
/// fails then.
fn used_by_view_or_policy(ctx: &Context, rel: &Relation, col: &str) -> bool {
    let q = rel.qname();
    ctx.model.relations.values().any(|r| {
        r.view.as_ref().is_some_and(|v| v.reads.contains(&q))
            || r.policies.iter().any(|p| {
                p.using.iter().chain(p.with_check.iter()).any(|e| {
                    (r.schema == rel.schema && r.name == rel.name && mentions_column(e, col))
                        || e.walk().any(|x| {
                            matches!(&x.kind, ExprKind::Select { from, .. }
                                if from.iter().any(|f| f.schema_or_public() == rel.schema && f.name == rel.name))
                                && mentions_column(x, col)
                        })
                })
            })
    })
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for rel in project_tables(ctx) {
        for col in &rel.columns {
            let Some(ty) = &col.ty else { continue };
            if !without_time_zone(ty) {
                continue;
            }
            // A partition's copy of its parent's column: the parent reports it.
            if !col.origin.span.contains(ty.span) {
                continue;
            }
            let written = ctx
                .text(col.origin.file)
                .get(ty.span.range())
                .unwrap_or(&ty.text);
            let mut d = ctx.at(
                &TIMESTAMP_WITHOUT_TIME_ZONE,
                &col.origin,
                format!(
                    "{}.{} is `{written}`: it stores no time zone, so values depend on the session's TimeZone",
                    rel.display_name(),
                    col.name,
                ),
            );
            d.help = Some(format!("use `{}`", replacement(ty)));
            if let Some(f) = fix(ctx, rel, col, ty) {
                d.fixes.push(f);
            }
            out.push(d);
        }
    }
}

fn fix(ctx: &Context, rel: &Relation, col: &Column, ty: &TypeName) -> Option<Fix> {
    let new_ty = replacement(ty);
    let title = format!("Change {}.{} to `{new_ty}`", rel.display_name(), col.name);
    let stmt = stmt_at(ctx, &col.origin)?;
    if editable_in_place(ctx, col.origin.file) && stmt.context != StmtContext::FunctionBody {
        return Some(Fix::unsafe_(
            title,
            vec![Edit::replace(ctx.path(col.origin.file), ty.span, new_ty)],
        ));
    }
    if used_by_view_or_policy(ctx, rel, &col.name) {
        return None;
    }
    let c = quote_ident(&col.name);
    let using = if ty.is_array() {
        String::new()
    } else {
        format!(" using {c} at time zone 'UTC'")
    };
    let sql = format!(
        "alter table {}\n  alter column {c} type {new_ty}{using};",
        rel_sql_name(rel)
    );
    let slug: String = format!("{}_{}_timestamptz", rel.name, col.name)
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    Some(Fix::unsafe_(
        title,
        vec![new_migration(ctx.project, &slug, &sql)],
    ))
}
