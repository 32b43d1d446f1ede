use crate::diagnostic::Diagnostic;
use crate::model::RelKind;
use crate::rules::helpers::{fresh_index_name, quote_ident, rel_sql_name, relation_names_in_use};
use crate::rules::{Context, append_stmt_fix, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports foreign keys whose columns are not the leading columns of any index
    /// on the referencing table.
    ///
    /// ## Why it matters
    /// PostgreSQL indexes the referenced key, not the referencing columns. Joins
    /// and filters on the foreign key (`.eq('user_id', …)`, RLS policies on
    /// `user_id`) scan the whole table, and every delete or key update on the
    /// parent scans the child table to check or cascade.
    ///
    /// ## Example
    /// ```sql
    /// create table public.training_jobs (
    ///   id uuid primary key,
    ///   dataset_id uuid references public.datasets (id)
    /// );
    /// ```
    ///
    /// ## Fix
    /// ```sql
    /// create index training_jobs_dataset_id_idx on public.training_jobs (dataset_id);
    /// ```
    ///
    /// ## Reference
    /// Seed audit 000 §2.3; Supabase linter `unindexed_foreign_keys`.
    pub static UNINDEXED_FOREIGN_KEY = {
        name: "unindexed-foreign-key",
        category: Performance,
        severity: Info,
        fix: true,
        effort: "15 min",
        check: check,
    }
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    // Built on the first finding: most checks have none to name.
    let mut used = None;
    for rel in ctx.model.project_relations() {
        if rel.kind != RelKind::Table {
            continue;
        }
        for fk in &rel.foreign_keys {
            if fk.columns.is_empty() || rel.indexes.iter().any(|i| i.leads_with(&fk.columns)) {
                continue;
            }
            let cols = fk.columns.join(", ");
            let mut d = ctx.at(
                &UNINDEXED_FOREIGN_KEY,
                &fk.origin,
                format!(
                    "foreign key {}({cols}) -> {} has no index on its columns",
                    rel.display_name(),
                    fk.ref_table
                ),
            );
            d.help = Some("add an index that starts with the foreign key's columns".into());
            let name = fresh_index_name(
                &format!("{}_{}_idx", rel.name, fk.columns.join("_")),
                used.get_or_insert_with(|| relation_names_in_use(ctx)),
            );
            let col_list: Vec<String> = fk.columns.iter().map(|c| quote_ident(c)).collect();
            // After the statement that created the key, or the table's last change if later.
            let anchor = if rel.last_changed.order > fk.origin.order
                || (rel.last_changed.order == fk.origin.order
                    && rel.last_changed.stmt.start > fk.origin.stmt.start)
            {
                rel.last_changed
            } else {
                fk.origin
            };
            d.fixes.push(append_stmt_fix(
                ctx,
                &anchor,
                format!("Create an index on {}({cols})", rel.display_name()),
                &format!(
                    "create index {} on {} ({});",
                    quote_ident(&name),
                    rel_sql_name(rel),
                    col_list.join(", ")
                ),
                true,
            ));
            out.push(d);
        }
    }
}
