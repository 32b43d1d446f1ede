//! SQL types as postgres-meta names them (`int4`, `_text`, `timestamptz`),
//! and the types of a view's columns inferred from its SELECT.

use std::collections::HashSet;

use crate::model::{Model, RelKind, Relation};
use crate::sql::{Expr, ExprKind, ViewQuery};

/// A type: optional schema, internal name (`int4`, `job_priority`), array dimensions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypeRef {
    pub schema: Option<String>,
    pub name: String,
    pub dims: usize,
}

impl TypeRef {
    pub fn named(name: &str) -> TypeRef {
        TypeRef {
            schema: None,
            name: name.to_string(),
            dims: 0,
        }
    }
    pub fn array(mut self) -> TypeRef {
        self.dims += 1;
        self
    }
    pub fn element(mut self) -> TypeRef {
        self.dims = self.dims.saturating_sub(1);
        self
    }
    /// `format_type`-like text, for ordering overloads.
    pub fn display(&self) -> String {
        format!("{}{}", self.name, "[]".repeat(self.dims))
    }
}

/// Parses type text as written (`varchar(20)[]`, `public.mood`, `setof`-free).
pub fn parse_type(text: &str) -> TypeRef {
    let t = text.trim();
    let schema = schema_of(t);
    let printed = crate::model::catalog::pg_type(t);
    let mut base = printed.as_str();
    let mut dims = 0;
    while let Some(b) = base.strip_suffix("[]") {
        base = b;
        dims += 1;
    }
    // Drop modifiers: `numeric(10,2)`, `timestamp(3) with time zone`.
    let mut name = String::new();
    let mut depth = 0;
    for c in base.chars() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            _ if depth == 0 => name.push(c),
            _ => {}
        }
    }
    let name = name.split_whitespace().collect::<Vec<_>>().join(" ");
    let name = match name.as_str() {
        "integer" => "int4",
        "bigint" => "int8",
        "smallint" => "int2",
        "boolean" => "bool",
        "real" => "float4",
        "double precision" => "float8",
        "character varying" => "varchar",
        "character" => "bpchar",
        "timestamp without time zone" => "timestamp",
        "timestamp with time zone" => "timestamptz",
        "time without time zone" => "time",
        "time with time zone" => "timetz",
        "bit varying" => "varbit",
        other => other,
    };
    let name = name
        .strip_prefix('"')
        .and_then(|n| n.strip_suffix('"'))
        .map(|n| n.replace("\"\"", "\""))
        .unwrap_or_else(|| name.to_string());
    TypeRef { schema, name, dims }
}

/// The schema a type name is qualified with, if any (`public.mood` -> `public`).
fn schema_of(t: &str) -> Option<String> {
    let head = t.split(['(', '[']).next().unwrap_or(t);
    let mut in_quote = false;
    for (i, c) in head.char_indices() {
        match c {
            '"' => in_quote = !in_quote,
            '.' if !in_quote => {
                return Some(crate::sql::normalize_ident(&head[..i]));
            }
            _ => {}
        }
    }
    None
}

/// A column of a view: name, type, and the table column it shows unchanged.
#[derive(Debug, Clone)]
pub struct ViewColumn {
    pub name: String,
    pub ty: Option<TypeRef>,
    /// `(schema, table, column)` a plain column reference comes from (through
    /// other views too).
    pub origin: Option<(String, String, String)>,
    /// A plain column of the view's one relation (PostgreSQL can write it).
    pub updatable: bool,
}

/// A relation's columns as a view sees them.
struct Source<'a> {
    rel: &'a Relation,
    alias: Option<String>,
    columns: Vec<ViewColumn>,
}

/// The columns of `rel` (a table's, or a view's inferred from its SELECT).
pub fn relation_columns(model: &Model, rel: &Relation) -> Vec<ViewColumn> {
    relation_columns_guarded(model, rel, &mut HashSet::new())
}

fn relation_columns_guarded(
    model: &Model,
    rel: &Relation,
    seen: &mut HashSet<(String, String)>,
) -> Vec<ViewColumn> {
    let key = (rel.schema.clone(), rel.name.clone());
    if !seen.insert(key.clone()) {
        return Vec::new();
    }
    let out = match (&rel.kind, rel.view.as_ref().and_then(|v| v.query.as_ref())) {
        (RelKind::View | RelKind::MaterializedView, Some(q)) => view_columns(model, q, seen),
        (RelKind::View | RelKind::MaterializedView, None) => Vec::new(),
        _ => rel
            .columns
            .iter()
            .map(|c| ViewColumn {
                name: c.name.clone(),
                ty: c.ty.as_ref().map(|t| parse_type(&t.text)),
                origin: Some((rel.schema.clone(), rel.name.clone(), c.name.clone())),
                updatable: true,
            })
            .collect(),
    };
    seen.remove(&key);
    out
}

fn view_columns(
    model: &Model,
    q: &ViewQuery,
    seen: &mut HashSet<(String, String)>,
) -> Vec<ViewColumn> {
    let sources: Vec<Source> = q
        .from
        .iter()
        .filter_map(|(name, alias)| {
            let rel = model.relation(name)?;
            Some(Source {
                rel,
                alias: alias.clone(),
                columns: relation_columns_guarded(model, rel, seen),
            })
        })
        .collect();
    let find_source = |qual: &str| {
        sources.iter().find(|s| match &s.alias {
            Some(a) => a == qual,
            None => s.rel.name == qual,
        })
    };
    let mut out = Vec::new();
    for t in &q.targets {
        match (&t.star, &t.expr) {
            (Some(None), _) => {
                for s in &sources {
                    out.extend(s.columns.iter().cloned());
                }
            }
            (Some(Some(qual)), _) => {
                if let Some(s) = find_source(qual) {
                    out.extend(s.columns.iter().cloned());
                }
            }
            (None, Some(e)) => {
                let plain = plain_ref(e, &sources, &find_source);
                let name = t.name.clone().unwrap_or_else(|| column_name(e));
                match plain {
                    Some(c) => out.push(ViewColumn {
                        name,
                        ty: c.ty.clone(),
                        origin: c.origin.clone(),
                        updatable: c.updatable,
                    }),
                    None => out.push(ViewColumn {
                        name,
                        ty: infer(e, &sources, &find_source),
                        origin: None,
                        updatable: false,
                    }),
                }
            }
            (None, None) => {}
        }
    }
    out
}

/// The source column a plain column reference names.
fn plain_ref<'a>(
    e: &Expr,
    sources: &'a [Source],
    find_source: &dyn Fn(&str) -> Option<&'a Source<'a>>,
) -> Option<&'a ViewColumn> {
    let ExprKind::Column { path } = &e.kind else {
        return None;
    };
    match path.as_slice() {
        [col] => sources
            .iter()
            .find_map(|s| s.columns.iter().find(|c| &c.name == col)),
        [.., qual, col] => find_source(qual)?.columns.iter().find(|c| &c.name == col),
        _ => None,
    }
}

/// The name PostgreSQL gives an unnamed output column (`FigureColname`).
fn column_name(e: &Expr) -> String {
    match &e.kind {
        ExprKind::Column { path } => path.last().cloned().unwrap_or_default(),
        ExprKind::Call { name } => name.last().cloned().unwrap_or_default(),
        ExprKind::Cast { ty } => match e.children.first().map(column_name) {
            Some(n) if n != "?column?" => n,
            _ => parse_type(ty).name,
        },
        ExprKind::Paren => e
            .children
            .first()
            .map(column_name)
            .unwrap_or_else(|| "?column?".into()),
        ExprKind::Exists => "exists".into(),
        _ => "?column?".into(),
    }
}

const COMPARISONS: &[&str] = &[
    "=",
    "<>",
    "!=",
    "<",
    ">",
    "<=",
    ">=",
    "and",
    "or",
    "is",
    "is not",
    "like",
    "ilike",
    "not like",
    "not ilike",
    "in",
    "not in",
    "~",
    "~*",
    "!~",
    "!~*",
    "@>",
    "<@",
    "?",
    "?|",
    "?&",
    "&&",
    "between",
    "not between",
    "is distinct from",
    "is not distinct from",
    "similar to",
    "@@",
];

/// The type of an expression in a view's SELECT, where it is clear.
fn infer<'a>(
    e: &Expr,
    sources: &'a [Source],
    find_source: &dyn Fn(&str) -> Option<&'a Source<'a>>,
) -> Option<TypeRef> {
    let arg = |i: usize| {
        e.children
            .get(i)
            .and_then(|c| infer(c, sources, find_source))
    };
    let first_known = || {
        e.children
            .iter()
            .find_map(|c| infer(c, sources, find_source))
    };
    let t = TypeRef::named;
    match &e.kind {
        ExprKind::Column { .. } => plain_ref(e, sources, find_source).and_then(|c| c.ty.clone()),
        ExprKind::Cast { ty } => Some(parse_type(ty)),
        ExprKind::Paren => arg(0),
        ExprKind::String(_) | ExprKind::Null => Some(t("text")),
        ExprKind::Bool(_) => Some(t("bool")),
        ExprKind::Number(n) => Some(if n.contains(['.', 'e', 'E']) {
            t("numeric")
        } else if n.parse::<i32>().is_ok() {
            t("int4")
        } else if n.parse::<i64>().is_ok() {
            t("int8")
        } else {
            t("numeric")
        }),
        ExprKind::Exists => Some(t("bool")),
        ExprKind::Unary { op } if op == "not" => Some(t("bool")),
        ExprKind::Unary { .. } => arg(0),
        ExprKind::Binary { op } => {
            let op = op.as_str();
            if COMPARISONS.contains(&op) {
                Some(t("bool"))
            } else if op == "->>" || op == "#>>" {
                Some(t("text"))
            } else if op == "||" {
                let (l, r) = (arg(0), arg(1));
                match (&l, &r) {
                    (Some(x), _) if x.name == "jsonb" || x.dims > 0 => l,
                    (_, Some(y)) if y.name == "jsonb" || y.dims > 0 => r,
                    _ => Some(t("text")),
                }
            } else {
                arg(0).or_else(|| arg(1))
            }
        }
        ExprKind::Call { name } => {
            let f = name.last().map(String::as_str).unwrap_or("");
            let qualified = name.len() == 2;
            if qualified && name[0] == "auth" {
                return match f {
                    "uid" => Some(t("uuid")),
                    "jwt" => Some(t("jsonb")),
                    "role" | "email" => Some(t("text")),
                    _ => None,
                };
            }
            match f {
                "count" | "row_number" | "rank" | "dense_rank" | "ntile" => Some(t("int8")),
                "sum" => arg(0).map(|a| match a.name.as_str() {
                    "int2" | "int4" => t("int8"),
                    "float4" | "float8" | "numeric" | "interval" | "money" => a,
                    _ => t("numeric"),
                }),
                "avg" => arg(0).map(|a| match a.name.as_str() {
                    "float4" | "float8" => t("float8"),
                    "interval" => a,
                    _ => t("numeric"),
                }),
                "min" | "max" | "abs" | "ceil" | "ceiling" | "floor" | "lag" | "lead"
                | "first_value" | "last_value" => arg(0),
                "coalesce" | "nullif" | "greatest" | "least" => first_known(),
                "round" | "trunc" => arg(0).map(|a| {
                    if e.children.len() > 1 {
                        t("numeric")
                    } else {
                        a
                    }
                }),
                "array_agg" => arg(0).map(TypeRef::array),
                "unnest" => arg(0).map(TypeRef::element),
                "now"
                | "current_timestamp"
                | "to_timestamp"
                | "statement_timestamp"
                | "clock_timestamp"
                | "transaction_timestamp" => Some(t("timestamptz")),
                "current_date" => Some(t("date")),
                "date_trunc" => arg(1),
                "extract" | "date_part" => Some(t("numeric")),
                "age" => Some(t("interval")),
                "string_agg" | "concat" | "concat_ws" | "lower" | "upper" | "trim" | "btrim"
                | "ltrim" | "rtrim" | "substring" | "substr" | "replace" | "left" | "right"
                | "initcap" | "format" | "to_char" | "md5" | "encode" | "split_part"
                | "regexp_replace" | "lpad" | "rpad" | "repeat" | "reverse" | "translate" => {
                    Some(t("text"))
                }
                "json_agg" | "json_build_object" | "json_build_array" | "to_json"
                | "row_to_json" | "json_object_agg" => Some(t("json")),
                "jsonb_agg" | "jsonb_build_object" | "jsonb_build_array" | "to_jsonb"
                | "jsonb_object_agg" | "jsonb_set" | "jsonb_strip_nulls" => Some(t("jsonb")),
                "bool_and" | "bool_or" | "every" => Some(t("bool")),
                "length" | "char_length" | "character_length" | "octet_length" | "array_length"
                | "cardinality" | "position" | "strpos" => Some(t("int4")),
                "gen_random_uuid" | "uuid_generate_v4" => Some(t("uuid")),
                _ => None,
            }
        }
        _ => None,
    }
}

/// Aggregates, window and set-returning functions: a view that computes
/// one is not automatically updatable.
pub fn has_aggregate(e: &Expr) -> bool {
    e.walk().any(|x| match &x.kind {
        ExprKind::Call { name } => matches!(
            name.last().map(String::as_str),
            Some(
                "count"
                    | "sum"
                    | "avg"
                    | "min"
                    | "max"
                    | "array_agg"
                    | "string_agg"
                    | "json_agg"
                    | "jsonb_agg"
                    | "json_object_agg"
                    | "jsonb_object_agg"
                    | "bool_and"
                    | "bool_or"
                    | "every"
                    | "row_number"
                    | "rank"
                    | "dense_rank"
                    | "ntile"
                    | "lag"
                    | "lead"
                    | "first_value"
                    | "last_value"
                    | "unnest"
                    | "generate_series"
            )
        ),
        _ => false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_parse_to_internal_names() {
        for (text, schema, name, dims) in [
            ("integer", None, "int4", 0),
            ("int8", None, "int8", 0),
            ("varchar(20)[]", None, "varchar", 1),
            ("timestamp(3) with time zone", None, "timestamptz", 0),
            ("timestamp", None, "timestamp", 0),
            ("public.job_priority", Some("public"), "job_priority", 0),
            ("text[][]", None, "text", 2),
            ("extensions.vector(1536)", Some("extensions"), "vector", 0),
            ("double precision", None, "float8", 0),
            ("serial", None, "int4", 0),
        ] {
            let t = parse_type(text);
            assert_eq!(
                (t.schema.as_deref(), t.name.as_str(), t.dims),
                (schema, name, dims),
                "{text}"
            );
        }
    }
}
