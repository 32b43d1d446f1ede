use super::{Lookup, did_you_mean, inner_span, lookup, queries_on_known_tables};
use crate::client::select::{SelectItem, filter_columns, parse_select};
use crate::client::{Arg, COLUMN_FILTERS, Query, Str};
use crate::diagnostic::{Diagnostic, Edit, Fix};
use crate::model::Relation;
use crate::rules::helpers::{new_migration, rel_sql_name};
use crate::rules::{ClientUnit, Context, declare_rule};
use crate::text::Span;

declare_rule! {
    /// ## What it does
    /// Reports columns that client code selects, filters on, orders by, inserts
    /// or updates, when the table has no such column at the end of the
    /// migration history. Nested selects (`author:profiles(name)`) are checked
    /// against the embedded table.
    ///
    /// ## Why it matters
    /// PostgREST rejects the whole request (`column "x" does not exist`, error
    /// `42703`), so the page shows nothing or the write is lost. This happens
    /// when code is written against a column that a migration never added, or
    /// that a later migration renamed or dropped.
    ///
    /// Only plain string arguments are checked; computed columns (functions
    /// taking the table's row type) count as columns.
    ///
    /// ## Example
    /// ```ts
    /// // public.habits has id, user_id, streak
    /// await supabase.from('habits').select('id, current_streak');
    /// ```
    ///
    /// ## Fix
    /// ```ts
    /// await supabase.from('habits').select('id, streak');
    /// ```
    /// When a column with a close name exists the fix renames the reference
    /// (unsafe: check it is the column you meant). Otherwise the fix adds the
    /// column in a new migration (`<version>_add_<table>_<column>.sql`, after
    /// the newest one), with a type guessed from the name (`*_at` and
    /// `last_<verb>ed` timestamptz, `*_date` date, `is_*`/`has_*` boolean,
    /// `*_id` uuid, counts and streaks integer, amounts numeric, metadata jsonb,
    /// else text); unsafe: check the type and add a default if rows need one.
    /// ```sql
    /// alter table public.habits add column if not exists current_streak integer;
    /// ```
    ///
    /// ## Reference
    /// Seed audit 004 #4: `current_streak` and `last_completed` used by the app,
    /// created by no migration.
    pub static CLIENT_UNKNOWN_COLUMN = {
        name: "client-unknown-column",
        category: Client,
        severity: Error,
        fix: true,
        effort: "30 min",
        check: check,
    }
}

/// Write methods whose first argument is an object (or objects) of columns.
const WRITES: &[&str] = &["insert", "update", "upsert"];

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for (unit, q, rel) in queries_on_known_tables(ctx) {
        check_query(ctx, unit, q, rel, out);
    }
}

fn check_query(
    ctx: &Context,
    unit: &ClientUnit,
    q: &Query,
    rel: &Relation,
    out: &mut Vec<Diagnostic>,
) {
    let mut report = |rel: &Relation, name: &str, span: Span, fixable: bool| {
        // Renamed or dropped by a migration: `column-renamed-in-use` says so.
        if crate::rules::migration::column_renamed_in_use::history(ctx, rel, name).is_some() {
            return;
        }
        let suggestion = did_you_mean(name, rel.columns.iter().map(|c| c.name.as_str()));
        let mut d = CLIENT_UNKNOWN_COLUMN.diagnostic(
            unit.path,
            span,
            format!("column `{name}` does not exist on {}", rel.display_name()),
        );
        match suggestion {
            Some(s) => {
                d.help = Some(format!("did you mean `{s}`?"));
                if fixable {
                    d.fixes.push(Fix::unsafe_(
                        format!("Use column `{s}`"),
                        vec![Edit::replace(unit.path, span, s)],
                    ));
                }
            }
            None => {
                d.help = Some(format!(
                    "no migration adds it; add it in a new migration (`alter table {} add column {name} …`) or remove it from the query",
                    rel.display_name()
                ));
                if fixable && is_plain_identifier(name) {
                    let ty = guess_type(name);
                    let table = rel_sql_name(rel);
                    let sql = format!(
                        "-- Added by supaudit (client-unknown-column): {path}\n\
                         -- uses {table}.{name}, which no migration created. The type is\n\
                         -- guessed from the name: check it, and add a default if rows need one.\n\
                         alter table {table} add column if not exists {name} {ty};\n",
                        path = unit.path,
                    );
                    d.fixes.push(Fix::unsafe_(
                        format!(
                            "Add column `{name} {ty}` to {} in a new migration",
                            rel.display_name()
                        ),
                        vec![new_migration(
                            ctx.project,
                            &format!("add_{}_{name}", rel.name),
                            &sql,
                        )],
                    ));
                }
            }
        }
        out.push(d);
    };
    missing_columns(ctx, q, rel, &mut report);
}

/// Calls `f(table, column, span, exact)` for every column a query uses that
/// its table (or an embedded table) does not have.
pub(crate) fn missing_columns(
    ctx: &Context,
    q: &Query,
    rel: &Relation,
    f: &mut dyn FnMut(&Relation, &str, Span, bool),
) {
    let mut report = |rel: &Relation, name: &str, span: Span, fixable: bool| {
        if !has_column(ctx, rel, name) {
            f(rel, name, span, fixable);
        }
    };
    for op in &q.ops {
        let method = op.method.as_str();
        // Options naming a referenced (embedded) table make the column not ours.
        let foreign = op.args.iter().skip(1).any(|a| match a {
            Arg::Object { keys, .. } => keys
                .iter()
                .any(|(k, _)| k == "foreignTable" || k == "referencedTable"),
            _ => false,
        });
        match (method, op.args.first()) {
            ("select", Some(Arg::Str(s))) => {
                if let Some(items) = parse_select(&s.value) {
                    select_items(ctx, rel, s, &items, false, &mut report);
                }
            }
            ("or", Some(Arg::Str(s))) if !foreign => {
                for (name, at) in filter_columns(&s.value) {
                    report(rel, &name, inner_span(s, at, name.len()), s.exact);
                }
            }
            ("match", Some(Arg::Object { keys, complete, .. })) if *complete => {
                for (k, span) in keys {
                    report(rel, k, *span, true);
                }
            }
            (m, Some(Arg::Str(s))) if COLUMN_FILTERS.contains(&m) && !foreign => {
                let name = s.value.split("->").next().unwrap_or("").trim();
                if name.is_empty() || name.contains(['.', '(', ',', ' ']) {
                    continue;
                }
                report(rel, name, inner_span(s, 0, name.len()), s.exact);
            }
            (m, Some(arg)) if WRITES.contains(&m) => {
                let objects: Vec<&Arg> = match arg {
                    Arg::Objects(items) => items.iter().collect(),
                    other => vec![other],
                };
                for o in objects {
                    if let Arg::Object { keys, .. } = o {
                        for (k, span) in keys {
                            report(rel, k, *span, true);
                        }
                    }
                }
            }
            _ => {}
        }
    }
}

fn select_items(
    ctx: &Context,
    rel: &Relation,
    s: &Str,
    items: &[SelectItem],
    embedded: bool,
    report: &mut impl FnMut(&Relation, &str, Span, bool),
) {
    for item in items {
        match item {
            // Inside an embed, a bare `count` is PostgREST's aggregate
            // (`comments(count)`), not a column.
            SelectItem::Column { name, .. } if embedded && name == "count" => {}
            SelectItem::Column { name, at } => {
                report(rel, name, inner_span(s, *at, name.len()), s.exact)
            }
            SelectItem::Embed { name, items, .. } => {
                // `comments(count)` is an aggregate over the embedded rows.
                let aggregate = items.iter().all(|i| {
                    matches!(i, SelectItem::Column { name, .. } if name == "count")
                        || matches!(i, SelectItem::Aggregate)
                });
                if aggregate {
                    continue;
                }
                // The embedded name may be a table or a foreign key column; only
                // tables the model knows are checked.
                if let Lookup::Found(embedded) = lookup(ctx, name, Some(&rel.schema))
                    && !embedded.columns.is_empty()
                {
                    select_items(ctx, embedded, s, items, true, report);
                }
            }
            SelectItem::Star | SelectItem::Aggregate => {}
        }
    }
}

/// A column, or a computed column (a function taking the table's row type).
fn has_column(ctx: &Context, rel: &Relation, name: &str) -> bool {
    rel.column(name).is_some()
        || ctx.model.functions.iter().any(|f| {
            f.name == name
                && f.arg_types.first().is_some_and(|t| {
                    let t = row_type(t);
                    t == rel.name || t == format!("{}.{}", rel.schema, rel.name)
                })
        })
}

/// A row type as written (`posts`, `"public"."posts"`, `public . posts`)
/// without quotes or spaces around its parts.
fn row_type(t: &str) -> String {
    t.split('.')
        .map(|p| p.trim().trim_matches('"'))
        .collect::<Vec<_>>()
        .join(".")
}

fn is_plain_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && !crate::rules::helpers::quote_ident(name).starts_with('"')
}

/// A column type from a column name, for the "add the column" fix.
fn guess_type(name: &str) -> &'static str {
    let words: Vec<&str> = name.split('_').filter(|w| !w.is_empty()).collect();
    let last = words.last().copied().unwrap_or("");
    let first = words.first().copied().unwrap_or("");
    let has = |list: &[&str]| words.iter().any(|w| list.contains(w));
    if matches!(last, "at" | "time" | "timestamp")
        || (first == "last"
            && words.len() > 1
            && (last.ends_with("ed")
                || matches!(last, "login" | "seen" | "sync" | "run" | "activity")))
    {
        "timestamptz"
    } else if matches!(last, "date" | "on" | "birthday" | "dob") {
        "date"
    } else if matches!(first, "is" | "has" | "can" | "should" | "allow")
        || matches!(
            last,
            "enabled" | "verified" | "active" | "archived" | "deleted" | "completed" | "public"
        ) && words.len() == 1
    {
        "boolean"
    } else if last == "id" {
        "uuid"
    } else if has(&[
        "price",
        "amount",
        "cost",
        "balance",
        "rate",
        "ratio",
        "percent",
        "percentage",
        "latitude",
        "longitude",
        "lat",
        "lng",
    ]) {
        "numeric"
    } else if has(&[
        "count", "streak", "total", "number", "num", "quantity", "qty", "score", "points",
        "credits", "level", "rank", "position", "index", "age", "attempts", "retries", "views",
        "likes",
    ]) {
        "integer"
    } else if has(&[
        "metadata",
        "meta",
        "settings",
        "config",
        "payload",
        "preferences",
        "json",
        "data",
        "attributes",
        "properties",
    ]) {
        "jsonb"
    } else {
        "text"
    }
}

#[cfg(test)]
mod tests {
    use super::guess_type;

    #[test]
    fn guesses_types_from_names() {
        for (name, ty) in [
            ("current_streak", "integer"),
            ("last_completed", "timestamptz"),
            ("last_name", "text"),
            ("completed_at", "timestamptz"),
            ("due_date", "date"),
            ("is_active", "boolean"),
            ("archived", "boolean"),
            ("team_id", "uuid"),
            ("total_price", "numeric"),
            ("total_count", "integer"),
            ("price", "numeric"),
            ("metadata", "jsonb"),
            ("title", "text"),
        ] {
            assert_eq!(guess_type(name), ty, "{name}");
        }
    }
}
