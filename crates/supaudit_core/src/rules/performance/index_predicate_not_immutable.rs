use crate::diagnostic::Diagnostic;
use crate::model::{Model, Relation, StmtRef};
use crate::rules::{Context, declare_rule};
use crate::sql::{Expr, ExprKind, QName, StmtKind};

declare_rule! {
    /// ## What it does
    /// Reports `create index` statements whose predicate (`where …`) or
    /// expressions call a function that is not immutable: `now()`,
    /// `current_date`, `current_timestamp`, `random()`, `clock_timestamp()`,
    /// `gen_random_uuid()`, `auth.uid()`, one-argument `age(x)` and
    /// `to_tsvector(x)`, `concat`, `format`, `to_char`, `unaccent`, casts of a
    /// `timestamptz` column to `date` or `text`, and project functions not
    /// declared `immutable`.
    ///
    /// ## Why it matters
    /// An index must give the same answer for a row forever, so PostgreSQL
    /// rejects the statement ("functions in index predicate must be marked
    /// IMMUTABLE") and the migration stops there. A "recent rows" partial index
    /// (`where created_at > now() - interval '30 days'`) cannot work: the set
    /// of rows it covers would change with the clock.
    ///
    /// ## Example
    /// ```sql
    /// create index idx_recent_activities on user_activity_log (user_id, timestamp)
    /// where timestamp > now() - interval '30 days';
    /// ```
    ///
    /// ## Fix
    /// ```sql
    /// -- index the column; the planner uses it for `timestamp > now() - interval '30 days'`
    /// create index idx_recent_activities on user_activity_log (user_id, timestamp);
    /// ```
    /// For text search, pass the configuration (`to_tsvector('english', body)`);
    /// for other functions use an immutable form, or declare your own wrapper
    /// `immutable` only when its result really never changes.
    ///
    /// ## Reference
    /// Seed audit 002 (`idx_recent_activities`, the audit's own partial-index
    /// advice); PostgreSQL docs, CREATE INDEX ("All functions and operators
    /// used in an index definition must be immutable").
    pub static INDEX_PREDICATE_NOT_IMMUTABLE = {
        name: "index-predicate-not-immutable",
        category: Performance,
        severity: Error,
        fix: false,
        effort: "30 min",
        check_stmt: check_stmt,
    }
}

/// SQL value functions written without parentheses; all are stable.
const VALUE_FUNCTIONS: &[&str] = &[
    "current_date",
    "current_time",
    "current_timestamp",
    "localtime",
    "localtimestamp",
    "current_user",
    "session_user",
    "current_role",
    "current_catalog",
    "current_schema",
    "user",
];

/// Built-in functions that are volatile or stable whatever their arguments.
const NOT_IMMUTABLE: &[&str] = &[
    "now",
    "clock_timestamp",
    "statement_timestamp",
    "transaction_timestamp",
    "timeofday",
    "random",
    "random_normal",
    "setseed",
    "gen_random_uuid",
    "uuid_generate_v1",
    "uuid_generate_v1mc",
    "uuid_generate_v4",
    "nextval",
    "currval",
    "lastval",
    "txid_current",
    "pg_current_xact_id",
    "pg_backend_pid",
    "current_setting",
    "current_database",
    "current_schema",
    "current_schemas",
    "inet_client_addr",
    "version",
    "concat",
    "concat_ws",
    "format",
    "array_to_string",
    "to_char",
    "to_date",
    "unaccent",
    "json_build_object",
    "jsonb_build_object",
    "json_build_array",
    "jsonb_build_array",
];

/// Built-in functions that are stable with one argument (the session's
/// time zone or text search configuration) and immutable with more.
const NOT_IMMUTABLE_ONE_ARG: &[&str] = &[
    "age",
    "to_tsvector",
    "to_tsquery",
    "plainto_tsquery",
    "phraseto_tsquery",
    "websearch_to_tsquery",
];

fn is_builtin_schema(schema: Option<&str>) -> bool {
    matches!(schema, None | Some("pg_catalog") | Some("extensions"))
}

/// Why `e` is not immutable, if it is not (the name shown to the user).
fn not_immutable(e: &Expr, text: &str, rel: Option<&Relation>, model: &Model) -> Option<String> {
    let src = text.get(e.span.range()).unwrap_or("").trim();
    match &e.kind {
        ExprKind::Call { name } => {
            let (schema, fname) = match name.as_slice() {
                [f] => (None, f.as_str()),
                [s, f] => (Some(s.as_str()), f.as_str()),
                _ => return None,
            };
            let args = e.children.len();
            if schema == Some("auth") && matches!(fname, "uid" | "jwt" | "role" | "email") {
                return Some(format!("auth.{fname}()"));
            }
            if is_builtin_schema(schema) {
                if NOT_IMMUTABLE.contains(&fname)
                    || (args == 1 && NOT_IMMUTABLE_ONE_ARG.contains(&fname))
                    || (args == 2 && fname == "to_timestamp")
                {
                    return Some(format!("{fname}()"));
                }
                if args == 0 && VALUE_FUNCTIONS.contains(&fname) {
                    return Some(fname.to_string());
                }
            }
            // A project function: immutable only when declared so.
            let q = QName::new(schema, fname);
            let overloads: Vec<_> = model
                .functions_named(&q)
                .filter(|f| !f.origin.is_platform())
                .filter(|f| {
                    f.params
                        .iter()
                        .filter(|p| !p.mode.starts_with("out"))
                        .count()
                        >= args
                })
                .collect();
            if !overloads.is_empty()
                && overloads
                    .iter()
                    .all(|f| f.volatility.as_deref() != Some("immutable"))
            {
                let f = overloads[0];
                return Some(format!(
                    "{}.{}() ({})",
                    f.schema,
                    f.name,
                    f.volatility.as_deref().unwrap_or("volatile by default")
                ));
            }
            None
        }
        ExprKind::Column { path } if path.len() == 1 && !src.starts_with('"') => {
            let w = src.to_ascii_lowercase();
            VALUE_FUNCTIONS.contains(&w.as_str()).then_some(w)
        }
        ExprKind::Other if e.children.is_empty() || src.contains('(') => {
            let w = src.to_ascii_lowercase();
            let head = w.split('(').next().unwrap_or("").trim();
            (VALUE_FUNCTIONS.contains(&head)
                && matches!(
                    head,
                    "current_time" | "current_timestamp" | "localtime" | "localtimestamp"
                )
                || VALUE_FUNCTIONS.contains(&w.as_str()))
            .then(|| head.to_string())
        }
        ExprKind::Cast { ty } => {
            let col = e.children.first()?.unparen();
            let ExprKind::Column { path } = &col.kind else {
                return None;
            };
            let c = rel?.column(path.last()?)?;
            let from = c.ty.as_ref()?.text.as_str();
            let to = ty.as_str();
            let tz = |t: &str| t == "timestamptz" || t == "timestamp with time zone";
            let stable = if tz(from) {
                matches!(
                    to,
                    "date"
                        | "time"
                        | "timestamp"
                        | "timestamp without time zone"
                        | "text"
                        | "varchar"
                        | "character varying"
                )
            } else if matches!(from, "date" | "timestamp" | "timestamp without time zone") {
                tz(to) || (from != "date" && to == "text")
            } else {
                false
            };
            stable.then(|| format!("the cast {from} -> {to}"))
        }
        _ => None,
    }
}

fn check_stmt(ctx: &Context, model: &Model, s: StmtRef, out: &mut Vec<Diagnostic>) {
    let StmtKind::CreateIndex(ix) = &s.stmt.kind else {
        return;
    };
    let text = ctx.text(s.file);
    let rel = model.relation(&ix.table);
    let mut found: Vec<(&Expr, String, bool)> = Vec::new();
    let sources = ix.predicate.iter().map(|p| (p, true)).chain(
        ix.items
            .iter()
            .filter_map(|i| i.expr.as_ref())
            .map(|e| (e, false)),
    );
    for (e, in_predicate) in sources {
        for x in e.walk() {
            if let Some(why) = not_immutable(x, text, rel, model) {
                found.push((x, why, in_predicate));
            }
        }
    }
    let Some((first, _, in_predicate)) = found.first() else {
        return;
    };
    let mut names: Vec<&str> = found.iter().map(|(_, w, _)| w.as_str()).collect();
    names.dedup();
    let index = match &ix.name {
        Some(n) => format!("index {n}"),
        None => "index".to_string(),
    };
    let table = format!("{}.{}", ix.table.schema_or_public(), ix.table.name);
    let place = if *in_predicate {
        "predicate"
    } else {
        "expression"
    };
    let mut d = INDEX_PREDICATE_NOT_IMMUTABLE.diagnostic(
        ctx.path(s.file),
        first.span,
        format!(
            "{index} on {table}: its {place} uses {}, which is not immutable; PostgreSQL rejects the index",
            names.join(", ")
        ),
    );
    let clock = names.iter().any(|n| {
        n.starts_with("now")
            || n.starts_with("current_")
            || n.starts_with("local")
            || n.contains("timestamp")
            || n.starts_with("age")
    });
    let caller = names
        .iter()
        .any(|n| n.starts_with("auth.") || n.contains("user"));
    d.help = Some(if caller {
        "an index is shared by every user: index the plain column and let the query or the policy compare it with the caller".into()
    } else if clock && *in_predicate {
        "an index cannot follow the clock: drop the time condition and index the column (the planner uses it for `col > now() - interval '30 days'`), or compare with a constant date".into()
    } else {
        "use an immutable form (e.g. `to_tsvector('english', …)`, `coalesce(a, '') || ' ' || b` instead of concat), or index the plain column".into()
    });
    out.push(d);
}
