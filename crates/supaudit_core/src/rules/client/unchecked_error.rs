use crate::client::{Query, Target};
use crate::diagnostic::Diagnostic;
use crate::rules::{Context, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports the result of an awaited supabase-js query that is destructured
    /// without `error` (`const { data } = await supabase.from('t').select()`),
    /// or whose `error` (also when renamed, `error: e`) is never read
    /// afterwards. A result kept whole (`const res = await …`) is reported only
    /// when nothing but other properties (`res.data`) is ever read from it.
    /// Chains with `.throwOnError()` are not reported, nor results whose
    /// `data` is tested for null in the same scope by an `if` that throws or
    /// returns (`if (!data) throw new Error('not found')`, also `data == null`,
    /// `!data?.length`, or `notFound()` / `redirect()`): a failed request
    /// gives `data: null`, so that branch handles it deliberately, even if
    /// the error's message is lost.
    ///
    /// ## Why it matters
    /// supabase-js does not throw when a request fails: it resolves to
    /// `{ data: null, error }`. Code that ignores `error` treats a failed
    /// write as done and a failed read (a denied RLS policy, a renamed column,
    /// a timeout) as an empty list, so failures go unnoticed and users see
    /// wrong data instead of an error.
    ///
    /// ## Example
    /// ```ts
    /// const { data } = await supabase.from('datasets').select('*').eq('user_id', userId);
    /// return data ?? [];
    /// ```
    ///
    /// ## Fix
    /// ```ts
    /// const { data, error } = await supabase.from('datasets').select('*').eq('user_id', userId);
    /// if (error) throw error;
    /// return data;
    /// ```
    /// Or add `.throwOnError()` to the chain so that a failure throws.
    ///
    /// ## Reference
    /// Seed audit 000 §4.1 (query patterns: error handling).
    pub static UNCHECKED_ERROR = {
        name: "unchecked-error",
        category: Client,
        severity: Warning,
        fix: false,
        check: check,
    }
}

const HELP: &str = "supabase-js does not throw when a request fails; check the error: `const { data, error } = await …; if (error) throw error;` (or add `.throwOnError()` to the chain)";

/// What the query is, for messages: "query on `t`", "call to `f`".
fn what(q: &Query) -> String {
    match &q.target {
        Target::Table { name, .. } => format!("query on `{}`", name.value),
        Target::Rpc { name, .. } => format!("call to `{}`", name.value),
    }
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for unit in ctx.clients {
        let ir = &unit.ir;
        for r in &ir.results {
            let Some(q) = ir.queries.get(r.query) else {
                continue;
            };
            // `.then()` / `.catch()` change what is awaited.
            if r.data_guarded
                || ["throwOnError", "then", "catch", "finally"]
                    .iter()
                    .any(|m| q.op(m).is_some())
            {
                continue;
            }
            let (span, message) = match (&r.keys, &r.error) {
                (Some(keys), _) if !keys.iter().any(|k| k == "error") => {
                    if r.open {
                        continue;
                    }
                    (
                        r.span,
                        format!(
                            "the result of this {} is destructured without `error`: a failed request goes unnoticed",
                            what(q)
                        ),
                    )
                }
                (Some(_), Some((name, at))) if !r.error_read => (
                    *at,
                    format!(
                        "`{name}` of this {} is never read: a failed request goes unnoticed",
                        what(q)
                    ),
                ),
                (None, Some((name, at))) if !r.error_read => (
                    *at,
                    format!(
                        "`{name}.error` of this {} is never read: a failed request goes unnoticed",
                        what(q)
                    ),
                ),
                _ => continue,
            };
            let mut d = UNCHECKED_ERROR.diagnostic(unit.path, span, message);
            d.help = Some(HELP.to_string());
            out.push(d);
        }
    }
}
