use super::{Lookup, query_table, str_span};
use crate::client::{Arg, Shape};
use crate::diagnostic::Diagnostic;
use crate::model::Relation;
use crate::rules::helpers::rel_sql_name;
use crate::rules::{Context, declare_rule};
use crate::sql::ir::TypeName;
use crate::text::Span;

declare_rule! {
    /// ## What it does
    /// Reports a value that client code writes with `.insert()`, `.update()`
    /// or `.upsert()`, or compares with `.eq()`, `.neq()`, `.gt()`, `.gte()`,
    /// `.lt()`, `.lte()`, whose JavaScript type clearly disagrees with the
    /// column's type at the end of the migration history: a date-time
    /// (`new Date().toISOString()`, `new Date()`) written into a `date`
    /// column, a string that is not a number into an integer or numeric
    /// column, a string that is not a UUID (or a number) into a `uuid`
    /// column, `Date.now()` into a date or timestamp column, a boolean into a
    /// text or number column, an array or object into a scalar column.
    ///
    /// Only literals and values whose type is obvious are judged; variables,
    /// calls and other shapes are skipped. Enums, domains and unknown types
    /// are not checked.
    ///
    /// ## Why it matters
    /// PostgREST hands the values to PostgreSQL, which either rejects the
    /// whole request (`invalid input syntax for type uuid`, error `22P02`),
    /// so the write or the read fails at run time, or converts the value
    /// silently: a date-time into a `date` keeps only the (UTC) day and drops
    /// the time, a boolean into `text` becomes the word `true`. The code and
    /// the schema disagree about what the column holds.
    ///
    /// ## Example
    /// ```ts
    /// // habit_completions.completed_at is `date`
    /// await supabase.from('habit_completions').insert({ habit_id, completed_at: new Date().toISOString() });
    /// ```
    ///
    /// ## Fix
    /// There is no automatic fix: decide which side is right. Send the type
    /// the column holds (`new Date().toISOString().slice(0, 10)` for a
    /// date), or change the column in a new migration:
    /// ```sql
    /// alter table public.habit_completions
    ///   alter column completed_at type timestamptz using completed_at::timestamptz;
    /// ```
    ///
    /// ## Reference
    /// Seed audit 004 #5: `completed_at date`, written as
    /// `new Date().toISOString()` ("time information is lost").
    pub static CLIENT_TYPE_MISMATCH = {
        name: "client-type-mismatch",
        category: Integrity,
        severity: Info,
        fix: false,
        effort: "15 min",
        check: check,
    }
}

/// Column types the rule judges.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Col {
    /// `smallint`, `integer`.
    Int,
    BigInt,
    Numeric,
    Bool,
    Uuid,
    Date,
    Timestamp,
    Text,
    Json,
    Array,
}

fn column_kind(ty: &TypeName) -> Option<Col> {
    if ty.is_array() {
        return Some(Col::Array);
    }
    Some(match ty.base() {
        "smallint" | "int2" | "integer" | "int" | "int4" | "serial" | "serial4" | "smallserial"
        | "serial2" => Col::Int,
        "bigint" | "int8" | "bigserial" | "serial8" => Col::BigInt,
        "numeric" | "decimal" | "real" | "float4" | "double precision" | "float8" | "float" => {
            Col::Numeric
        }
        "boolean" | "bool" => Col::Bool,
        "uuid" => Col::Uuid,
        "date" => Col::Date,
        "timestamp"
        | "timestamptz"
        | "timestamp with time zone"
        | "timestamp without time zone" => Col::Timestamp,
        "text" | "varchar" | "character varying" | "char" | "character" | "bpchar" | "citext" => {
            Col::Text
        }
        "json" | "jsonb" => Col::Json,
        _ => return None,
    })
}

/// What happens to a value of `shape` in a column of kind `col`.
enum Verdict {
    /// PostgreSQL refuses it.
    Rejected,
    /// It is stored, changed: what is lost.
    Lossy(&'static str),
}

fn judge(col: Col, shape: &Shape) -> Option<Verdict> {
    use Verdict::*;
    Some(match (col, shape) {
        (_, Shape::Null) | (Col::Json, _) => return None,
        (Col::Array, Shape::Array | Shape::Str(_)) => return None,
        (Col::Array, _) => Rejected,
        (Col::Text, Shape::Bool) => Lossy("it is stored as the word `true` or `false`"),
        (Col::Text, Shape::Array | Shape::Object) => Lossy("it is stored as JSON text"),
        (Col::Text, _) => return None,
        (_, Shape::Array | Shape::Object) => Rejected,
        (Col::Int | Col::BigInt, Shape::Str(s)) if !is_integer(s) => Rejected,
        (Col::Int | Col::BigInt, Shape::Number { integer: false }) => Rejected,
        (Col::Int, Shape::EpochMillis) => Rejected,
        (Col::Int | Col::BigInt | Col::Numeric, Shape::Bool | Shape::Timestamp) => Rejected,
        (Col::Numeric, Shape::Str(s)) if !is_number(s) => Rejected,
        (Col::Bool, Shape::Str(s)) if !is_bool(s) => Rejected,
        (Col::Bool, Shape::Timestamp | Shape::EpochMillis) => Rejected,
        (Col::Uuid, Shape::Str(s)) if !is_uuid(s) => Rejected,
        (Col::Uuid, Shape::Str(_)) => return None,
        (Col::Uuid, _) => Rejected,
        (Col::Date, Shape::Timestamp) => {
            Lossy("the time of day is dropped and only the UTC day is kept")
        }
        (Col::Date | Col::Timestamp, Shape::EpochMillis | Shape::Number { .. } | Shape::Bool) => {
            Rejected
        }
        _ => return None,
    })
}

fn is_integer(s: &str) -> bool {
    let t = s.trim();
    let t = t.strip_prefix(['+', '-']).unwrap_or(t);
    !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit() || b == b'_')
}

fn is_number(s: &str) -> bool {
    let t = s.trim();
    t.parse::<f64>().is_ok()
        || matches!(
            t.to_ascii_lowercase().as_str(),
            "nan" | "infinity" | "-infinity" | "+infinity"
        )
}

fn is_bool(s: &str) -> bool {
    let t = s.trim().to_ascii_lowercase();
    !t.is_empty()
        && (["true", "false", "yes", "no"]
            .iter()
            .any(|w| w.starts_with(&t))
            || matches!(t.as_str(), "on" | "off" | "of" | "1" | "0"))
}

fn is_uuid(s: &str) -> bool {
    let t = s.trim();
    let t = t
        .strip_prefix('{')
        .and_then(|t| t.strip_suffix('}'))
        .unwrap_or(t);
    let hex: Vec<u8> = t.bytes().filter(|b| *b != b'-').collect();
    hex.len() == 32 && hex.iter().all(u8::is_ascii_hexdigit)
}

fn describe(shape: &Shape) -> String {
    match shape {
        Shape::Str(s) if s.is_empty() => "an empty string".to_string(),
        Shape::Str(s) => {
            let short: String = s.chars().take(40).collect();
            let ell = if short.len() < s.len() { "…" } else { "" };
            format!("the string '{short}{ell}'")
        }
        Shape::Timestamp => "a date-time (ISO string or `Date`)".to_string(),
        Shape::EpochMillis => "a millisecond timestamp (a number)".to_string(),
        Shape::Number { .. } => "a number".to_string(),
        Shape::Bool => "a boolean".to_string(),
        Shape::Null => "null".to_string(),
        Shape::Array => "an array".to_string(),
        Shape::Object => "an object".to_string(),
    }
}

/// Methods comparing a column with their second argument.
const COMPARISONS: &[&str] = &["eq", "neq", "gt", "gte", "lt", "lte"];

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for unit in ctx.clients {
        let ir = &unit.ir;
        let table_of = |q: usize| match ir.queries.get(q).and_then(|q| query_table(ctx, q)) {
            Some((_, Lookup::Found(rel))) => Some(rel),
            _ => None,
        };
        for w in &ir.written {
            let (Some(rel), Some(shape)) = (table_of(w.query), &w.shape) else {
                continue;
            };
            report(unit.path, rel, &w.column, shape, w.value, true, out);
        }
        for (qi, q) in ir.queries.iter().enumerate() {
            let Some(rel) = table_of(qi) else { continue };
            for op in &q.ops {
                if !COMPARISONS.contains(&op.method.as_str()) {
                    continue;
                }
                let (Some(Arg::Str(col)), Some(Some(shape)), Some(value)) =
                    (op.args.first(), op.shapes.get(1), op.args.get(1))
                else {
                    continue;
                };
                let at = match value {
                    Arg::Str(s) => str_span(s),
                    Arg::Other(span) | Arg::Object { span, .. } => *span,
                    Arg::Objects(_) => continue,
                };
                report(unit.path, rel, &col.value, shape, at, false, out);
            }
        }
    }
}

fn report(
    path: &str,
    rel: &Relation,
    column: &str,
    shape: &Shape,
    at: Span,
    write: bool,
    out: &mut Vec<Diagnostic>,
) {
    let Some(col) = rel.column(column) else {
        return;
    };
    let Some(ty) = &col.ty else { return };
    let Some(kind) = column_kind(ty) else { return };
    let verdict = match judge(kind, shape) {
        Some(v) => v,
        None => return,
    };
    let what = describe(shape);
    let ty_text = &ty.text;
    let (message, help) = match verdict {
        Verdict::Rejected => (
            format!(
                "`{column}` is `{ty_text}` but {} {what}: PostgreSQL rejects the {} (invalid input for type {ty_text})",
                if write {
                    "receives"
                } else {
                    "is compared with"
                },
                if write { "write" } else { "query" },
            ),
            format!(
                "send a value of the column's type, or change `{}.{column}` in a new migration if the code is right",
                rel_sql_name(rel)
            ),
        ),
        // Conversions only matter for writes: a comparison converts the
        // constant once and is usually what was meant.
        Verdict::Lossy(_) if !write => return,
        Verdict::Lossy(lost) => {
            let help = if kind == Col::Date {
                format!(
                    "send the day only (`new Date().toISOString().slice(0, 10)`), or store the time: `alter table {} alter column {column} type timestamptz using {column}::timestamptz;` in a new migration",
                    rel_sql_name(rel)
                )
            } else {
                format!(
                    "send a value of the column's type, or change `{}.{column}` in a new migration if the code is right",
                    rel_sql_name(rel)
                )
            };
            (
                format!("`{column}` is `{ty_text}` but receives {what}: {lost}"),
                help,
            )
        }
    };
    let mut d = CLIENT_TYPE_MISMATCH.diagnostic(path, at, message);
    d.help = Some(help);
    out.push(d);
}
