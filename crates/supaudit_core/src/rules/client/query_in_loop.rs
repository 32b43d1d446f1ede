use crate::client::Target;
use crate::diagnostic::Diagnostic;
use crate::rules::{Context, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports a supabase-js query inside a `for` / `for…of` / `for…in` loop or
    /// an `async` callback of `.map()`, `.forEach()` or `.flatMap()`: one
    /// request per item (the N+1 pattern).
    ///
    /// ## Why it matters
    /// Each query is an HTTP round trip to PostgREST. A page that lists 50
    /// conversations and then fetches each one's messages makes 51 requests;
    /// latency grows with the data and the connection pool fills under load.
    /// Paginated loops (`.range()`) are not reported.
    ///
    /// ## Example
    /// ```ts
    /// for (const c of conversations) {
    ///   const { data } = await supabase.from('messages').select('*').eq('conversation_id', c.id);
    /// }
    /// ```
    ///
    /// ## Fix
    /// ```ts
    /// const { data } = await supabase
    ///   .from('conversations')
    ///   .select('*, messages(*)');
    /// // or: .from('messages').select('*').in('conversation_id', ids)
    /// ```
    ///
    /// ## Reference
    /// Seed audit 000 §4.2 (N+1 queries).
    pub static QUERY_IN_LOOP = {
        name: "query-in-loop",
        category: Performance,
        severity: Warning,
        fix: false,
        check: check,
    }
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for unit in ctx.clients {
        for q in &unit.ir.queries {
            if q.in_loop.is_none() || q.op("range").is_some() {
                continue;
            }
            let (what, help) = match &q.target {
                Target::Table { name, .. } => (
                    format!("query on `{}`", name.value),
                    "fetch the rows for all items at once: `.in('column', ids)`, or embed them in the parent query with a nested select such as `.select('*, child_table(*)')`",
                ),
                Target::Rpc { name, .. } => (
                    format!("call to `{}`", name.value),
                    "pass all items to one call (an array argument) instead of calling once per item",
                ),
            };
            // From the receiver to the target's name: `supabase.from('messages')`.
            let (Target::Table { name, .. } | Target::Rpc { name, .. }) = &q.target;
            let span = crate::text::Span::new(q.span.start, (name.span.end + 2).min(q.span.end));
            let mut d = QUERY_IN_LOOP.diagnostic(
                unit.path,
                span,
                format!("{what} runs once per loop iteration (N+1 requests)"),
            );
            d.help = Some(help.to_string());
            out.push(d);
        }
    }
}
