use crate::diagnostic::Diagnostic;
use crate::model::RelKind;
use crate::rules::{Context, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports tables without a primary key.
    ///
    /// The table is judged at the end of the migration history; when a later
    /// migration dropped the key, the finding points at that
    /// statement. Partitions are not reported: they take their key from the
    /// partitioned table; nor are tables created with `like`, whose copied keys
    /// the model does not see (`unparsed-statement` reports those).
    ///
    /// ## Why it matters
    /// Without a primary key rows cannot be addressed reliably: the API cannot
    /// update or delete one row, logical replication (Realtime, read replicas)
    /// cannot replicate updates and deletes, and duplicate rows creep in.
    ///
    /// ## Example
    /// ```sql
    /// create table public.generation_tags (generation_id uuid, tag text);
    /// ```
    ///
    /// ## Fix
    /// ```sql
    /// create table public.generation_tags (generation_id uuid, tag text, primary key (generation_id, tag));
    /// ```
    ///
    /// ## Reference
    /// Supabase linter `no_primary_key`.
    pub static NO_PRIMARY_KEY = {
        name: "no-primary-key",
        category: Performance,
        severity: Info,
        fix: false,
        effort: "30 min",
        check: check,
    }
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for rel in ctx.model.project_relations() {
        if rel.kind != RelKind::Table || rel.primary_key.is_some() {
            continue;
        }
        // Partitions take their key from the parent; `like` copies keys the model does not see.
        if rel.keys_from_elsewhere {
            continue;
        }
        let mut d = match &rel.primary_key_dropped {
            Some(o) => ctx.at(
                &NO_PRIMARY_KEY,
                o,
                format!(
                    "table {} has no primary key: this statement drops it",
                    rel.display_name()
                ),
            ),
            None => ctx.at(
                &NO_PRIMARY_KEY,
                &rel.origin,
                format!("table {} has no primary key", rel.display_name()),
            ),
        };
        d.help = Some("add a primary key, e.g. `id bigint generated always as identity primary key`, or a composite key".into());
        out.push(d);
    }
}
