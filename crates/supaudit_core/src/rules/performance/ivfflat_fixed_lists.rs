use crate::diagnostic::Diagnostic;
use crate::rules::{Context, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports pgvector `ivfflat` indexes built with a hard-coded `lists`
    /// (`with (lists = 100)`) in a migration.
    ///
    /// ## Why it matters
    /// An ivfflat index clusters the rows that exist when it is built into
    /// `lists` lists. Built by a migration, that is usually an empty or tiny
    /// table, and a fixed `lists` only fits one table size: recall drops as the
    /// table grows, and the index must be rebuilt (pgvector suggests
    /// `lists = rows / 1000` up to 1M rows and `sqrt(rows)` above). An `hnsw`
    /// index needs no such tuning, can be created on an empty table and keeps
    /// its recall as rows are added.
    ///
    /// ## Example
    /// ```sql
    /// create index idx_documents_vector on documents
    ///   using ivfflat (embedding_vector vector_cosine_ops)
    ///   with (lists = 100);
    /// ```
    ///
    /// ## Fix
    /// ```sql
    /// create index idx_documents_vector on documents
    ///   using hnsw (embedding_vector vector_cosine_ops);
    /// ```
    /// or keep ivfflat, build it once the table holds its data, with `lists`
    /// about rows / 1000 (sqrt(rows) over 1M rows), and rebuild it as it grows.
    ///
    /// ## Reference
    /// Seed audit 002 ("Inefficient Vector Index Configuration"); pgvector
    /// README, IVFFlat and HNSW.
    pub static IVFFLAT_FIXED_LISTS = {
        name: "ivfflat-fixed-lists",
        category: Performance,
        severity: Info,
        fix: false,
        effort: "30 min",
        check: check,
    }
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for rel in ctx.model.project_relations() {
        for ix in &rel.indexes {
            if ix.method != "ivfflat" || ix.origin.is_platform() {
                continue;
            }
            let Some((_, lists)) = ix.with.iter().rev().find(|(k, _)| k == "lists") else {
                continue;
            };
            let name = ix
                .name
                .as_deref()
                .map(|n| format!("{n} "))
                .unwrap_or_default();
            let mut d = ctx.at(
                &IVFFLAT_FIXED_LISTS,
                &ix.origin,
                format!(
                    "ivfflat index {name}on {} has a fixed lists = {lists}, which fits one table size only",
                    rel.display_name()
                ),
            );
            d.help = Some("use `using hnsw (…)`, which needs no tuning; or build the ivfflat index once the data is loaded, with lists ≈ rows / 1000 (sqrt(rows) over 1M rows), and rebuild it as the table grows".into());
            out.push(d);
        }
    }
}
