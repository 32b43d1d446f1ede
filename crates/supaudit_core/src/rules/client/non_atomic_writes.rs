use crate::client::{ClientFile, Query};
use crate::diagnostic::Diagnostic;
use crate::rules::{Context, declare_rule};
use crate::text::Span;

declare_rule! {
    /// ## What it does
    /// Reports a function that writes (`.insert()`, `.update()`, `.upsert()`,
    /// `.delete()`) to two or more different tables with separate supabase-js
    /// requests, one after the other (awaited, or chained with `.then()`).
    /// Writes in different functions (a callback is a function of its own)
    /// and writes in the two branches of an `if … else` or a `? :` are not
    /// counted together. The finding points at the first write to a second
    /// table.
    ///
    /// ## Why it matters
    /// Each request is its own transaction. When a later write fails (a
    /// constraint, a policy, a timeout, the function being stopped), the
    /// earlier ones stay committed: a training job without its dataset marked
    /// as processing, an order without its line items. supabase-js has no
    /// client-side transactions.
    ///
    /// ## Example
    /// ```ts
    /// export async function startTraining(datasetId: string, config: Config) {
    ///   await supabase.from('training_jobs').insert({ dataset_id: datasetId, config });
    ///   await supabase.from('datasets').update({ status: 'processing' }).eq('id', datasetId);
    /// }
    /// ```
    ///
    /// ## Fix
    /// There is no automatic fix. Move the writes into one SQL function (its
    /// body runs in one transaction) and call it with `rpc`:
    /// ```sql
    /// create function public.start_training(p_dataset_id uuid, p_config jsonb)
    /// returns uuid language plpgsql set search_path = '' as $$
    /// declare v_job_id uuid;
    /// begin
    ///   insert into public.training_jobs (dataset_id, config) values (p_dataset_id, p_config)
    ///   returning id into v_job_id;
    ///   update public.datasets set status = 'processing' where id = p_dataset_id;
    ///   return v_job_id;
    /// end $$;
    /// ```
    /// ```ts
    /// const { data: jobId, error } = await supabase.rpc('start_training', { p_dataset_id: datasetId, p_config: config });
    /// ```
    ///
    /// ## Reference
    /// Seed audit 000 §4.3 (no transaction support for critical operations).
    pub static NON_ATOMIC_WRITES = {
        name: "non-atomic-writes",
        category: Client,
        severity: Info,
        fix: false,
        effort: "2-4 hours",
        check: check,
    }
}

const WRITES: &[&str] = &["insert", "update", "upsert", "delete"];

fn is_write(q: &Query) -> bool {
    WRITES.iter().any(|m| q.op(m).is_some()) && (q.awaited || q.op("then").is_some())
}

/// Whether two queries sit in the two branches of one `if … else` or `? :`.
fn exclusive(ir: &ClientFile, a: Span, b: Span) -> bool {
    ir.exclusive
        .iter()
        .any(|(x, y)| (x.contains(a) && y.contains(b)) || (x.contains(b) && y.contains(a)))
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for unit in ctx.clients {
        let ir = &unit.ir;
        for (fi, f) in ir.functions.iter().enumerate() {
            let writes: Vec<&Query> = ir
                .queries
                .iter()
                .filter(|q| q.function == Some(fi) && q.table().is_some() && is_write(q))
                .collect();
            let found = writes.iter().enumerate().find_map(|(i, later)| {
                let (t, s) = later.table()?;
                let first = writes[..i].iter().find(|earlier| {
                    earlier
                        .table()
                        .is_some_and(|(et, es)| (et.value.as_str(), es) != (t.value.as_str(), s))
                        && !exclusive(ir, earlier.span, later.span)
                })?;
                Some((*first, *later))
            });
            let Some((first, second)) = found else {
                continue;
            };
            let (Some((t1, _)), Some((t2, _))) = (first.table(), second.table()) else {
                continue;
            };
            let mut tables: Vec<&str> = Vec::new();
            for q in &writes {
                if let Some((t, _)) = q.table()
                    && !tables.contains(&t.value.as_str())
                {
                    tables.push(&t.value);
                }
            }
            let who = f
                .name
                .as_deref()
                .map_or("this function".to_string(), |n| format!("`{n}`"));
            let list = tables
                .iter()
                .map(|t| format!("`{t}`"))
                .collect::<Vec<_>>()
                .join(", ");
            let span = Span::new(second.span.start, (t2.span.end + 2).min(second.span.end));
            let mut d = NON_ATOMIC_WRITES.diagnostic(
                unit.path,
                span,
                format!(
                    "{who} writes to {list} in separate requests: if this write to `{}` fails, the earlier write to `{}` stays committed",
                    t2.value, t1.value
                ),
            );
            d.help = Some("move the writes into one SQL function (its body runs in one transaction) and call it with `supabase.rpc(…)`".to_string());
            out.push(d);
        }
    }
}
