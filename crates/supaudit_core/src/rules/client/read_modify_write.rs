use crate::client::select::{SelectItem, parse_select};
use crate::client::{Arg, ClientFile, Query, QueryResult, WrittenValue};
use crate::diagnostic::Diagnostic;
use crate::rules::{Context, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports a column value that is read by a supabase-js select, changed in
    /// code and written back by an `.update()` (or `.upsert()`) of the same
    /// table and column in the same function:
    /// `.update({ credits: profile.credits - 1 })` after
    /// `const { data: profile } = await supabase.from('profiles').select('credits')`.
    /// The value may go through a `const` (`const left = profile.credits - 1`).
    /// Writes that copy the value unchanged, that write another column, or
    /// whose update filters on the column itself or on a value read with it
    /// (`.eq('credits', profile.credits)`, `.eq('version', profile.version)`:
    /// optimistic locking) are not reported.
    ///
    /// ## Why it matters
    /// Two requests that run at the same time both read `credits = 5` and
    /// both write `4`: one decrement is lost (a lost update), and a balance
    /// check done in code (`if (profile.credits <= 0)`) lets both spend the
    /// last credit. Each supabase-js call is its own request and its own
    /// transaction, so nothing locks the row between the read and the write.
    ///
    /// ## Example
    /// ```ts
    /// const { data: profile } = await supabase
    ///   .from('profiles').select('credits').eq('id', user.id).single();
    /// if (profile.credits <= 0) return false;
    /// await supabase.from('profiles').update({ credits: profile.credits - 1 }).eq('id', user.id);
    /// ```
    ///
    /// ## Fix
    /// There is no automatic fix. Make the change in one SQL statement, in a
    /// function called through `rpc`:
    /// ```sql
    /// create function public.spend_credit(p_user_id uuid) returns boolean
    /// language sql set search_path = '' as $$
    ///   update public.profiles set credits = credits - 1
    ///   where id = p_user_id and credits > 0
    ///   returning true;
    /// $$;
    /// ```
    /// ```ts
    /// const { data: ok, error } = await supabase.rpc('spend_credit', { p_user_id: user.id });
    /// ```
    ///
    /// ## Reference
    /// Seed audit 004 #2 (race condition in the credit decrement).
    pub static READ_MODIFY_WRITE = {
        name: "read-modify-write",
        category: Client,
        severity: Warning,
        fix: false,
        effort: "1-2 hours",
        check: check,
    }
}

/// Whether a select list reads `column` (a `*` or the column itself).
fn selects(q: &Query, column: &str) -> bool {
    let Some(op) = q.op("select") else {
        return false;
    };
    match op.args.first() {
        None => true,
        Some(Arg::Str(s)) => parse_select(&s.value).is_some_and(|items| {
            items.iter().any(|i| match i {
                SelectItem::Star => true,
                SelectItem::Column { name, .. } => name == column,
                _ => false,
            })
        }),
        Some(_) => false,
    }
}

/// Whether the update also filters on `column`, or on another column
/// compared with the value read alongside it (optimistic locking).
fn compares(text: &str, q: &Query, column: &str, data: &[String]) -> bool {
    q.ops
        .iter()
        .any(|op| match (op.method.as_str(), op.args.as_slice()) {
            ("eq" | "is", [Arg::Str(c), value, ..]) => {
                if c.value == column {
                    return true;
                }
                let Arg::Other(v) = value else {
                    return false;
                };
                let read = format!("{}.{}", data.join("."), c.value);
                text.get(v.range())
                    .is_some_and(|t| t.replace("?.", ".").trim() == read)
            }
            ("match", [Arg::Object { keys, .. }, ..]) => keys.iter().any(|(k, _)| k == column),
            _ => false,
        })
}

/// The select result whose value `w` writes back, if any.
fn source<'f>(ir: &'f ClientFile, w: &WrittenValue, text: &str) -> Option<&'f QueryResult> {
    let wq = &ir.queries[w.query];
    if !w.computed
        || wq.function.is_none()
        || !(wq.op("update").is_some() || wq.op("upsert").is_some())
    {
        return None;
    }
    let (table, schema) = wq.table()?;
    ir.results.iter().find(|r| {
        let Some(rq) = ir.queries.get(r.query) else {
            return false;
        };
        let Some(data) = &r.data else {
            return false;
        };
        rq.function == wq.function
            && rq.span.end <= wq.span.start
            && rq
                .table()
                .is_some_and(|(t, s)| t.value == table.value && s == schema)
            && ["insert", "update", "upsert", "delete"]
                .iter()
                .all(|m| rq.op(m).is_none())
            && selects(rq, &w.column)
            && w.reads.iter().any(|p| {
                p.len() == data.len() + 1
                    && p[..data.len()] == data[..]
                    && p[data.len()] == w.column
            })
            && !compares(text, wq, &w.column, data)
    })
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for unit in ctx.clients {
        let ir = &unit.ir;
        for w in &ir.written {
            let Some(r) = source(ir, w, unit.text) else {
                continue;
            };
            let wq = &ir.queries[w.query];
            let Some((table, _)) = wq.table() else {
                continue;
            };
            let read = r.data.as_deref().unwrap_or_default().join(".");
            let mut d = READ_MODIFY_WRITE.diagnostic(
                unit.path,
                w.value,
                format!(
                    "`{col}` is read from `{t}` by an earlier select and written back computed from `{read}.{col}`: concurrent requests overwrite each other's change (lost update)",
                    col = w.column,
                    t = table.value,
                ),
            );
            d.help = Some(format!(
                "let the database compute the new value in one statement: a SQL function called with `supabase.rpc(…)` that runs `update {t} set {col} = <expression of {col}> where …` (for a counter: `set {col} = {col} - 1 where … and {col} > 0`)",
                t = table.value,
                col = w.column,
            ));
            out.push(d);
        }
    }
}
