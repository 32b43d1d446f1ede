use crate::client::{LoopKind, Target};
use crate::diagnostic::Diagnostic;
use crate::rules::{Context, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports a supabase-js query inside a loop (`for`, `for…of`, `for…in`,
    /// `while`, `do…while`) or a per-item callback (`.map()`, `.flatMap()`, an
    /// `async` callback of `.forEach()`): one request per item (the N+1
    /// pattern).
    ///
    /// ## Why it matters
    /// Each query is an HTTP round trip to PostgREST. A page that lists 50
    /// conversations and then fetches each one's messages makes 51 requests;
    /// latency grows with the data and the connection pool fills under load.
    /// Paginated queries (`.range()`) are not reported, nor are `while` loops
    /// whose condition reads like a retry or a cursor (`attempt`, `retries`,
    /// `tries`, `hasMore`, `cursor`, `page`), nor `for` loops over chunks of
    /// the items (a step other than 1, `i += 100`, or a header naming a
    /// `chunk` or `batch`): one request per chunk is the fix, not the problem.
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
    /// Writes in a loop become one request too: one bulk `.insert([...])` /
    /// `.upsert([...])` with all the rows, or `.in('id', ids)` for the same
    /// update or delete on many rows.
    ///
    /// ## Reference
    /// Seed audit 000 §4.2 (N+1 queries).
    pub static QUERY_IN_LOOP = {
        name: "query-in-loop",
        category: Performance,
        severity: Warning,
        fix: false,
        effort: "1 hour",
        check: check,
    }
}

/// Words in a `while` condition that make it a retry or pagination loop.
const NOT_PER_ITEM: &[&str] = &[
    "attempt", "retr", "tries", "hasmore", "has_more", "cursor", "page",
];

/// A `for` loop over chunks of the items, one request per chunk: its header
/// steps by more than one (`for (let i = 0; i < ids.length; i += 100)`) or
/// names a chunk or batch (`for (const batch of batches)`).
fn chunked(text: &str, body_start: u32) -> bool {
    let Some(before) = text.get(..body_start as usize) else {
        return false;
    };
    let Some(at) = before.rfind("for") else {
        return false;
    };
    let header = &before[at..];
    if header.len() > 300 {
        return false;
    }
    let lower = header.to_ascii_lowercase();
    if lower.contains("chunk") || lower.contains("batch") {
        return true;
    }
    header.split("+=").skip(1).any(|step| {
        let step = step.trim_start();
        let end = step.find([')', ',', ';']).unwrap_or(step.len());
        let step = step[..end].trim();
        !step.is_empty() && step != "1"
    })
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for unit in ctx.clients {
        for q in &unit.ir.queries {
            if q.in_loop.is_none() || q.op("range").is_some() {
                continue;
            }
            // Some loop around the query repeats it per item.
            let per_item = unit
                .ir
                .loops
                .iter()
                .filter(|l| l.body.contains(q.span))
                .any(|l| match (l.kind, &l.condition) {
                    (LoopKind::While, Some(c)) => {
                        let c = c.to_ascii_lowercase();
                        !NOT_PER_ITEM.iter().any(|w| c.contains(w))
                    }
                    (LoopKind::For, _) => !chunked(unit.text, l.body.start),
                    _ => true,
                });
            if !per_item {
                continue;
            }
            let write = ["insert", "upsert", "update", "delete"]
                .into_iter()
                .find(|m| q.op(m).is_some());
            let (what, help) = match (&q.target, write) {
                (Target::Table { name, .. }, Some("insert" | "upsert")) => (
                    format!("query on `{}`", name.value),
                    "collect the rows and write them in one request: one bulk `.upsert([...])` (or `.insert([...])`) with an array of rows",
                ),
                (Target::Table { name, .. }, Some(_)) => (
                    format!("query on `{}`", name.value),
                    "change all the rows in one request: `.in('id', ids)` when every row gets the same change, else one bulk `.upsert([...])` with each row's new values",
                ),
                (Target::Table { name, .. }, None) => (
                    format!("query on `{}`", name.value),
                    "fetch the rows for all items at once: `.in('column', ids)`, or embed them in the parent query with a nested select such as `.select('*, child_table(*)')`",
                ),
                (Target::Rpc { name, .. }, _) => (
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
