use crate::diagnostic::Diagnostic;
use crate::model::RelKind;
use crate::rules::{Context, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports tables without a primary key.
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
        check: check,
    }
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for rel in ctx.model.project_relations() {
        if rel.kind != RelKind::Table || rel.primary_key.is_some() {
            continue;
        }
        let mut d = ctx.at(
            &NO_PRIMARY_KEY,
            &rel.origin,
            format!("table {} has no primary key", rel.display_name()),
        );
        d.help = Some("add a primary key, e.g. `id bigint generated always as identity primary key`, or a composite key".into());
        out.push(d);
    }
}
