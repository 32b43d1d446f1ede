use std::collections::HashSet;

use super::missing_composite_index::free_index_name;
use super::{queries_on_known_tables, str_span};
use crate::client::{Arg, Query, Shape};
use crate::diagnostic::{Diagnostic, Fix};
use crate::model::{RelKind, Relation};
use crate::rules::helpers::{new_migration, quote_ident, rel_sql_name};
use crate::rules::{Context, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports a supabase-js filter on a `jsonb` column that no index can
    /// serve: a path filter (`.eq('metadata->>kind', 'x')`, `.gt('data->score',
    /// 5)`, `.filter('data->>tier', 'eq', 'pro')`) with no expression index on
    /// that column, or a containment filter on the column or a `->` path of it
    /// (`.contains('tags', …)`, `.containedBy()`, `.filter(col, 'cs', …)`) with
    /// no GIN index on it.
    ///
    /// To stay precise, any GIN index on the column, or any expression index
    /// that mentions it, counts as covering; queries that also filter with
    /// `.eq()` on an indexed column (the index narrows the rows first) are
    /// skipped; only tables the migrations create and columns they type as
    /// `jsonb` are looked at.
    ///
    /// ## Why it matters
    /// A B-tree index on other columns cannot look inside a `jsonb` value, so
    /// PostgreSQL decodes the column of every row to evaluate the filter: a
    /// full scan that gets slower with every row. A GIN index serves
    /// containment (`@>`) and an expression index serves a path compared
    /// with a value.
    ///
    /// ## Example
    /// ```ts
    /// await supabase.from('events').select('*').eq('metadata->>kind', 'signup');
    /// await supabase.from('events').select('*').contains('payload', { plan: 'pro' });
    /// ```
    ///
    /// ## Fix
    /// The fix adds the index in a new migration (`<version>_add_<index>.sql`,
    /// after the newest one; unsafe: an index slows writes down, and on a
    /// large live table you may prefer `create index concurrently` run
    /// outside a transaction).
    /// ```sql
    /// create index if not exists events_metadata_kind_idx on public.events ((metadata ->> 'kind'));
    /// create index if not exists events_payload_gin_idx on public.events using gin (payload);
    /// ```
    ///
    /// ## Reference
    /// Seed audit 003: "Performance indexes (GIN indexes for JSON fields)".
    pub static JSONB_FILTER_UNINDEXED = {
        name: "jsonb-filter-unindexed",
        category: Performance,
        severity: Info,
        fix: true,
        effort: "15 min",
        check: check,
    }
}

/// Filters whose first argument is a column or a JSON path.
const FILTERS: &[&str] = &[
    "eq",
    "neq",
    "gt",
    "gte",
    "lt",
    "lte",
    "like",
    "ilike",
    "in",
    "contains",
    "containedBy",
    "filter",
];

/// `col->a->>b`: the column and the path steps (`->>` when `text`).
struct JsonPath {
    column: String,
    steps: Vec<(bool, String)>,
}

fn parse_path(s: &str) -> Option<JsonPath> {
    let mut parts = s.split("->");
    let column = parts.next()?.trim().to_string();
    let ok = |t: &str| {
        !t.is_empty()
            && t.chars()
                .all(|c| c.is_alphanumeric() || c == '_' || c == '-')
    };
    if !ok(&column) {
        return None;
    }
    let mut steps = Vec::new();
    for p in parts {
        let (text, key) = match p.strip_prefix('>') {
            Some(k) => (true, k.trim()),
            None => (false, p.trim()),
        };
        if !ok(key) {
            return None;
        }
        steps.push((text, key.to_string()));
    }
    Some(JsonPath { column, steps })
}

impl JsonPath {
    /// The SQL expression PostgREST builds for the path.
    fn sql(&self) -> String {
        let mut s = quote_ident(&self.column);
        for (text, key) in &self.steps {
            let op = if *text { "->>" } else { "->" };
            if key.bytes().all(|b| b.is_ascii_digit()) {
                s.push_str(&format!(" {op} {key}"));
            } else {
                s.push_str(&format!(" {op} '{key}'"));
            }
        }
        s
    }
}

/// Whether an index of the table may serve filters on `column`: a GIN index
/// on it, or an expression index that mentions it.
fn column_indexed(rel: &Relation, column: &str) -> bool {
    rel.indexes.iter().any(|i| {
        let gin = i.method.eq_ignore_ascii_case("gin");
        i.columns.iter().zip(&i.items).any(|(c, text)| match c {
            Some(c) => gin && c == column,
            None => mentions(text, column),
        })
    })
}

/// Whether `text` names the identifier `column`.
fn mentions(text: &str, column: &str) -> bool {
    text.match_indices(column).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + column.len()..].chars().next();
        let ident = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
        !ident(before) && !ident(after)
    })
}

/// Whether the query also filters with `.eq()` on a column that leads an index.
fn narrowed_by_index(q: &Query, rel: &Relation) -> bool {
    q.ops
        .iter()
        .any(|op| match (op.method.as_str(), op.args.first()) {
            ("eq", Some(Arg::Str(s))) => rel.indexes.iter().any(|i| {
                i.method.eq_ignore_ascii_case("btree")
                    && i.columns.first().and_then(|c| c.as_deref()) == Some(s.value.as_str())
            }),
            ("match", Some(Arg::Object { keys, .. })) => keys.iter().any(|(k, _)| {
                rel.indexes.iter().any(|i| {
                    i.method.eq_ignore_ascii_case("btree")
                        && i.columns.first().and_then(|c| c.as_deref()) == Some(k.as_str())
                })
            }),
            _ => false,
        })
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let mut seen: HashSet<(String, String, String)> = HashSet::new();
    for (unit, q, rel) in queries_on_known_tables(ctx) {
        if rel.kind != RelKind::Table || narrowed_by_index(q, rel) {
            continue;
        }
        for op in &q.ops {
            if !FILTERS.contains(&op.method.as_str()) {
                continue;
            }
            let Some(Arg::Str(s)) = op.args.first() else {
                continue;
            };
            let Some(path) = parse_path(&s.value) else {
                continue;
            };
            let is_jsonb = rel
                .column(&path.column)
                .and_then(|c| c.ty.as_ref())
                .is_some_and(|t| t.base() == "jsonb" && !t.is_array());
            if !is_jsonb || column_indexed(rel, &path.column) {
                continue;
            }
            let containment = match op.method.as_str() {
                "contains" | "containedBy" => true,
                "filter" => {
                    matches!(op.shapes.get(1), Some(Some(Shape::Str(o))) if o == "cs" || o == "cd")
                }
                _ => false,
            };
            if path.steps.is_empty() && !containment {
                continue;
            }
            // A containment on a `->>` path compares text: no GIN.
            if containment && path.steps.last().is_some_and(|s| s.0) {
                continue;
            }
            let table = rel_sql_name(rel);
            let keys: Vec<&str> = path.steps.iter().map(|s| s.1.as_str()).collect();
            let (base, sql, kind) = if containment {
                let target = if path.steps.is_empty() {
                    quote_ident(&path.column)
                } else {
                    format!("({})", path.sql())
                };
                (
                    format!(
                        "{}_{}_{}gin_idx",
                        rel.name,
                        path.column,
                        keys.iter().map(|k| format!("{k}_")).collect::<String>()
                    ),
                    format!("on {table} using gin ({target})"),
                    "a GIN index",
                )
            } else {
                (
                    format!("{}_{}_{}_idx", rel.name, path.column, keys.join("_")),
                    format!("on {table} (({}))", path.sql()),
                    "an expression index",
                )
            };
            if !seen.insert((unit.path.to_string(), rel.display_name(), sql.clone())) {
                continue;
            }
            let name = free_index_name(ctx.model, &base.replace('-', "_"));
            let stmt = format!("create index if not exists {} {sql};", quote_ident(&name));
            let mut d = JSONB_FILTER_UNINDEXED.diagnostic(
                unit.path,
                str_span(s),
                format!(
                    "`.{}('{}', …)` filters inside the jsonb column {}.{} and no index covers it: every row is read and decoded",
                    op.method,
                    s.value,
                    rel.display_name(),
                    path.column
                ),
            );
            d.help = Some(format!(
                "add {kind} in a new migration (the fix does): `{stmt}`"
            ));
            let migration = format!(
                "-- Added by supaudit (jsonb-filter-unindexed): {} filters on {} of {}.\n{stmt}\n",
                unit.path,
                s.value,
                rel.display_name()
            );
            d.fixes.push(Fix::unsafe_(
                format!("Create index `{name}` in a new migration"),
                vec![new_migration(
                    ctx.project,
                    &format!("add_{name}"),
                    &migration,
                )],
            ));
            out.push(d);
        }
    }
}
