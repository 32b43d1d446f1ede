use std::collections::HashSet;

use super::{queries_on_known_tables, str_span};
use crate::client::{Arg, Query};
use crate::diagnostic::{Diagnostic, Fix};
use crate::model::{Model, RelKind, Relation};
use crate::rules::helpers::{new_migration, quote_ident, rel_sql_name};
use crate::rules::{Context, declare_rule};
use crate::text::Span;

declare_rule! {
    /// ## What it does
    /// Reports a supabase-js query that filters a table on a column and
    /// orders by another (`.eq('habit_id', id).order('completed_at')`), or
    /// filters on two or more columns (`.eq('user_id', u).eq('kind', k)`,
    /// `.match({ … })`), when no index of the table starts with those
    /// columns: the equality columns first (in any order), then the ordered
    /// one.
    ///
    /// To stay precise, the rule only looks at tables the migrations create,
    /// at columns they have, and at string column names. Boolean columns are
    /// left out of the wanted index (a flag is a poor index key; a partial
    /// index suits it better), as are orders on an embedded table
    /// (`{ referencedTable }`). A query that cannot return more than one row
    /// (its filters cover a primary key or a unique constraint) is skipped.
    /// Partial indexes count as covering.
    ///
    /// Only queries that no index narrows are reported: when some B-tree
    /// index (a primary key or unique constraint included) starts with one
    /// of the equality columns, PostgreSQL already reads just the rows
    /// matching that filter, and whether a composite index is worth its
    /// cost then depends on how many rows share a value (the breaks of one
    /// session, the lists of one board: a handful), which the migrations do
    /// not say. On a review of 30 findings of 27 real projects, all 22 such
    /// queries were of that kind; the 8 left, with no usable index, read the
    /// whole table. One exception: a query that orders the rows of one user
    /// (`.eq('user_id', u).order('created_at')`, the column named `user_id`
    /// or a foreign key to `auth.users`) is reported even when that column
    /// has its own index: a user's rows grow with use, and such lists are
    /// paged.
    ///
    /// ## Why it matters
    /// With no index on the filtered columns, PostgreSQL scans the whole
    /// table on every request (and sorts what matches). A composite index returns exactly the rows asked
    /// for, already in order, which keeps the query fast as the table grows
    /// (a `.limit(30)` then reads 30 index entries).
    ///
    /// ## Example
    /// ```ts
    /// // habit_completions has no index on habit_id
    /// await supabase.from('habit_completions').select('*')
    ///   .eq('habit_id', habitId).order('completed_at', { ascending: false }).limit(30);
    /// ```
    ///
    /// ## Fix
    /// The fix adds the index in a new migration
    /// (`<version>_add_<table>_<columns>_index.sql`, after the newest one;
    /// unsafe: an index slows writes down a little, and on a large live table
    /// you may prefer `create index concurrently` run outside a
    /// transaction). A B-tree index serves both sort directions.
    /// ```sql
    /// create index if not exists habit_completions_habit_id_completed_at_idx
    ///   on public.habit_completions (habit_id, completed_at);
    /// ```
    ///
    /// ## Reference
    /// Seed audit 004 part 5 #1 (`habit_completions(habit_id, completed_at
    /// desc)`); seed audit 000 §2.3.
    pub static MISSING_COMPOSITE_INDEX = {
        name: "missing-composite-index",
        category: Performance,
        severity: Info,
        fix: true,
        effort: "15 min",
        check: check,
    }
}

/// What a query needs from an index: equality columns, then an order.
struct Wanted {
    eq: Vec<String>,
    order: Option<String>,
    /// From the first filter or order used to the last.
    span: Span,
}

impl Wanted {
    fn columns(&self) -> Vec<String> {
        let mut cols = self.eq.clone();
        cols.extend(self.order.iter().cloned());
        cols
    }
}

/// A plain column name (no JSON path, no cast).
fn plain(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '$')
}

fn wanted(q: &Query, rel: &Relation) -> Option<Wanted> {
    let usable = |c: &str| {
        plain(c)
            && rel.column(c).is_some_and(|col| {
                col.ty
                    .as_ref()
                    .is_none_or(|t| !matches!(t.base(), "boolean" | "bool"))
            })
    };
    let mut eq: Vec<String> = Vec::new();
    let mut order = None;
    let (mut start, mut end) = (u32::MAX, 0);
    let mut extend = |from: u32, to: u32| {
        start = start.min(from);
        end = end.max(to);
    };
    for op in &q.ops {
        match (op.method.as_str(), op.args.first()) {
            ("eq", Some(Arg::Str(s))) if usable(&s.value) => {
                if !eq.contains(&s.value) {
                    eq.push(s.value.clone());
                }
                extend(op.span.start, str_span(s).end + u32::from(s.exact));
            }
            ("match", Some(Arg::Object { keys, span, .. })) => {
                for (k, _) in keys.iter().filter(|(k, _)| usable(k)) {
                    if !eq.contains(k) {
                        eq.push(k.clone());
                    }
                }
                extend(op.span.start, span.end);
            }
            ("order", Some(Arg::Str(s))) if order.is_none() => {
                // An order on an embedded resource sorts that resource.
                let embedded = op.args.get(1).is_some_and(|a| match a {
                    Arg::Object { keys, complete, .. } => {
                        !complete
                            || keys
                                .iter()
                                .any(|(k, _)| k == "foreignTable" || k == "referencedTable")
                    }
                    _ => true,
                });
                if embedded || !usable(&s.value) {
                    // Only the first order counts: stop at an unusable one.
                    order = Some(String::new());
                    continue;
                }
                order = Some(s.value.clone());
                extend(op.span.start, str_span(s).end + u32::from(s.exact));
            }
            _ => {}
        }
    }
    let order = order.filter(|o| !o.is_empty() && !eq.contains(o));
    if eq.is_empty() || eq.len() + usize::from(order.is_some()) < 2 || start >= end {
        return None;
    }
    Some(Wanted {
        eq,
        order,
        span: Span::new(start, end),
    })
}

/// Whether the equality columns pin at most one row.
fn unique_lookup(rel: &Relation, eq: &[String]) -> bool {
    rel.indexes.iter().any(|i| {
        i.unique
            && i.predicate.is_none()
            && !i.columns.is_empty()
            && i.columns
                .iter()
                .all(|c| c.as_ref().is_some_and(|c| eq.contains(c)))
    }) || rel
        .primary_key
        .as_ref()
        .is_some_and(|pk| !pk.is_empty() && pk.iter().all(|c| eq.contains(c)))
}

/// Whether a B-tree index starts with one of the equality columns, so that
/// PostgreSQL reads only the rows matching it. For an ordered query, an
/// index on a user column (`user_id`, or a foreign key to `auth.users`) does
/// not count: a user's rows grow with use, and per-user feeds are where the
/// composite index pays.
fn narrowed(rel: &Relation, w: &Wanted) -> bool {
    let user_column = |c: &str| {
        c == "user_id"
            || rel.foreign_keys.iter().any(|fk| {
                fk.columns.iter().any(|x| x == c)
                    && fk.ref_table.schema.as_deref() == Some("auth")
                    && fk.ref_table.name == "users"
            })
    };
    rel.indexes.iter().any(|i| {
        i.method.eq_ignore_ascii_case("btree")
            && i.columns
                .first()
                .and_then(|c| c.as_ref())
                .is_some_and(|c| w.eq.contains(c) && (w.order.is_none() || !user_column(c)))
    })
}

/// Whether an index starts with the equality columns (any order), then the
/// order column.
fn covered(rel: &Relation, w: &Wanted) -> bool {
    let n = w.eq.len();
    rel.indexes.iter().any(|i| {
        let cols = &i.columns;
        i.method.eq_ignore_ascii_case("btree")
            && cols.len() >= n + usize::from(w.order.is_some())
            && cols[..n]
                .iter()
                .all(|c| c.as_ref().is_some_and(|c| w.eq.contains(c)))
            && w.order
                .as_ref()
                .is_none_or(|o| cols[n].as_deref() == Some(o.as_str()))
    })
}

/// An index name not used by any relation or index of the model.
pub(crate) fn free_index_name(model: &Model, base: &str) -> String {
    let taken = |n: &str| {
        model
            .relations
            .values()
            .any(|r| r.name == n || r.indexes.iter().any(|i| i.name.as_deref() == Some(n)))
    };
    let mut base: String = base.chars().take(59).collect();
    while base.ends_with('_') {
        base.pop();
    }
    let mut name = base.clone();
    let mut k = 2;
    while taken(&name) {
        name = format!("{base}_{k}");
        k += 1;
    }
    name
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let mut seen: HashSet<(String, String, Vec<String>)> = HashSet::new();
    for (unit, q, rel) in queries_on_known_tables(ctx) {
        if rel.kind != RelKind::Table || rel.keys_from_elsewhere {
            continue;
        }
        let Some(w) = wanted(q, rel) else { continue };
        if unique_lookup(rel, &w.eq) || covered(rel, &w) || narrowed(rel, &w) {
            continue;
        }
        let cols = w.columns();
        if !seen.insert((unit.path.to_string(), rel.display_name(), cols.clone())) {
            continue;
        }
        let table = rel_sql_name(rel);
        let name = free_index_name(ctx.model, &format!("{}_{}_idx", rel.name, cols.join("_")));
        let sql = format!(
            "create index if not exists {} on {table} ({});",
            quote_ident(&name),
            cols.iter()
                .map(|c| quote_ident(c))
                .collect::<Vec<_>>()
                .join(", ")
        );
        let filters =
            w.eq.iter()
                .map(|c| format!("`{c}`"))
                .collect::<Vec<_>>()
                .join(" and ");
        let what = match &w.order {
            Some(o) => format!(
                "filters {} on {filters} and orders by `{o}`",
                rel.display_name()
            ),
            None => format!("filters {} on {filters}", rel.display_name()),
        };
        let mut d = MISSING_COMPOSITE_INDEX.diagnostic(
            unit.path,
            w.span,
            format!(
                "this query {what}, but no index starts with ({}): PostgreSQL reads every matching row{}",
                cols.join(", "),
                if w.order.is_some() { " and sorts them" } else { "" }
            ),
        );
        d.help = Some(format!(
            "add the index in a new migration (the fix does): `{sql}`"
        ));
        let migration = format!(
            "-- Added by supaudit (missing-composite-index): {path} {what}.\n{sql}\n",
            path = unit.path,
        );
        d.fixes.push(Fix::unsafe_(
            format!("Create index `{name}` in a new migration"),
            vec![new_migration(
                ctx.project,
                &format!("add_{}_{}_index", rel.name, cols.join("_")),
                &migration,
            )],
        ));
        out.push(d);
    }
}
