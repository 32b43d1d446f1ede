//! Rules over client code (supabase-js), checked against the schema the
//! migrations build.

pub mod client_type_mismatch;
pub mod client_unknown_column;
pub mod client_unknown_function;
pub mod client_unknown_table;
pub mod jsonb_filter_unindexed;
pub mod missing_composite_index;
pub mod non_atomic_writes;
pub mod query_in_loop;
pub mod raw_sql_interpolation;
pub mod read_modify_write;
pub mod server_module_in_client;
pub mod service_role_in_client;
pub mod service_role_unscoped_query;
pub mod silent_stub_client;
pub mod unchecked_error;
pub mod unsanitized_html;

use crate::client::{Query, Str};
use crate::model::Relation;
use crate::rules::Context;
use crate::rules::helpers::osa_distance;
use crate::sql::ir::StmtKind;
use crate::text::Span;

/// What the schema model says about a table name used by client code.
pub(crate) enum Lookup<'m> {
    Found(&'m Relation),
    /// The model cannot tell (no migrations, a name it cannot resolve).
    Unknown,
    Missing,
}

/// Resolves `.from(name)` (with `.schema(s)` when given) against the model:
/// the named schema, else the exposed schemas in order.
pub(crate) fn lookup<'m>(ctx: &Context<'m>, name: &str, schema: Option<&str>) -> Lookup<'m> {
    if ctx.sql.is_empty() || ctx.model.project_relations().next().is_none() || name.contains('.') {
        return Lookup::Unknown;
    }
    let schemas: Vec<&str> = match schema {
        Some(s) => vec![s],
        None => ctx.exposed_schemas.iter().map(String::as_str).collect(),
    };
    for s in &schemas {
        if let Some(r) = ctx.model.relations.get(&(s.to_string(), name.to_string())) {
            return Lookup::Found(r);
        }
    }
    if let Some(s) = schema
        && !ctx.model.schemas.contains(s)
    {
        return Lookup::Unknown;
    }
    if named_in_dynamic_sql(ctx, name) {
        return Lookup::Unknown;
    }
    Lookup::Missing
}

/// Whether a `DO` block of the migrations runs dynamic SQL (`execute`) and
/// names `name`: the model cannot follow it (`foreach t in array
/// array['orders', …] loop execute format('alter table public.%I set schema
/// private', t)`), so it cannot tell that the relation is missing.
fn named_in_dynamic_sql(ctx: &Context, name: &str) -> bool {
    if let Some(&known) = ctx.memo.named_in_dynamic_sql.borrow().get(name) {
        return known;
    }
    let named = ctx.sql.iter().any(|u| {
        u.sql.stmts.iter().any(|s| {
            matches!(s.kind, StmtKind::Do)
                && u.text.get(s.span.range()).is_some_and(|t| {
                    has_word(t, name)
                        && (has_word(t, "execute") || has_word(&t.to_ascii_lowercase(), "execute"))
                })
        })
    });
    ctx.memo
        .named_in_dynamic_sql
        .borrow_mut()
        .insert(name.to_string(), named);
    named
}

/// `word` in `text` between non-identifier characters.
fn has_word(text: &str, word: &str) -> bool {
    let ident = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
    !word.is_empty()
        && text.match_indices(word).any(|(i, _)| {
            !ident(text[..i].chars().next_back()) && !ident(text[i + word.len()..].chars().next())
        })
}

/// Where a diagnostic about a string literal points: its contents, or the
/// whole literal when escapes make offsets unreliable.
pub(crate) fn str_span(s: &Str) -> Span {
    if s.exact {
        s.span
    } else {
        Span::new(s.span.start.saturating_sub(1), s.span.end + 1)
    }
}

/// The span of `len` bytes at `at` inside a string literal, when offsets are exact.
pub(crate) fn inner_span(s: &Str, at: u32, len: usize) -> Span {
    if s.exact {
        Span::new(s.span.start + at, s.span.start + at + len as u32)
    } else {
        str_span(s)
    }
}

/// The closest name among `candidates`, if one is close enough to be a typo.
pub(crate) fn did_you_mean<'c>(
    name: &str,
    candidates: impl Iterator<Item = &'c str>,
) -> Option<&'c str> {
    let limit = (name.len() / 3).clamp(1, 3);
    candidates
        .map(|c| (osa_distance(name, c), c))
        .filter(|(d, _)| *d <= limit)
        .min()
        .map(|(_, c)| c)
}

/// Every query of the client code whose table the model knows with its
/// columns: `(file, query, table)`.
pub(crate) fn queries_on_known_tables<'a>(
    ctx: &'a Context<'a>,
) -> impl Iterator<Item = (&'a crate::rules::ClientUnit<'a>, &'a Query, &'a Relation)> + 'a {
    ctx.clients.iter().flat_map(move |unit| {
        unit.ir
            .queries
            .iter()
            .filter_map(move |q| match query_table(ctx, q) {
                Some((_, Lookup::Found(rel))) if !rel.columns.is_empty() => Some((unit, q, rel)),
                _ => None,
            })
    })
}

/// The target table of a query, resolved.
pub(crate) fn query_table<'m, 'q>(
    ctx: &Context<'m>,
    q: &'q Query,
) -> Option<(&'q Str, Lookup<'m>)> {
    let (name, schema) = q.table()?;
    Some((name, lookup(ctx, &name.value, schema)))
}
