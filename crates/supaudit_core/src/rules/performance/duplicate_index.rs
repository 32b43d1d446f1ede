use crate::diagnostic::{Diagnostic, Edit, Fix};
use crate::model::Index;
use crate::rules::{Context, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports indexes identical to another index on the same table: same columns
    /// or expressions in the same order, same method, same predicate.
    ///
    /// ## Why it matters
    /// A duplicate index costs disk, memory and write time on every insert and
    /// update, and never speeds up a query the first one did not already serve.
    ///
    /// ## Example
    /// ```sql
    /// create index idx_generations_user on public.generations (user_id);
    /// create index generations_user_id_idx on public.generations (user_id);
    /// ```
    ///
    /// ## Fix
    /// Delete the later `create index` statement. The fix is safe.
    ///
    /// ## Reference
    /// Supabase linter `duplicate_index`.
    pub static DUPLICATE_INDEX = {
        name: "duplicate-index",
        category: Performance,
        severity: Warning,
        fix: true,
        check: check,
    }
}

fn same(a: &Index, b: &Index) -> bool {
    a.items == b.items && a.method == b.method && a.predicate == b.predicate && a.with == b.with
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for rel in ctx.model.project_relations() {
        for (j, later) in rel.indexes.iter().enumerate() {
            if later.from_constraint || later.origin.is_platform() {
                continue;
            }
            // A unique index duplicates only another unique one; a plain one duplicates any.
            let Some(first) = rel.indexes[..j]
                .iter()
                .chain(rel.indexes[j + 1..].iter().filter(|i| i.from_constraint))
                .find(|i| same(i, later) && (i.unique || !later.unique))
            else {
                continue;
            };
            let first_name = first.name.clone().unwrap_or_else(|| "(unnamed)".into());
            let mut d = ctx.at(
                &DUPLICATE_INDEX,
                &later.origin,
                format!(
                    "index {} on {} duplicates {first_name}",
                    later.name.as_deref().unwrap_or("(unnamed)"),
                    rel.display_name()
                ),
            );
            d.range = later.origin.stmt;
            d.help = Some(format!(
                "drop one of them; {first_name} already serves the same queries"
            ));
            let text = ctx.text(later.origin.file);
            let mut end = later.origin.stmt.end as usize;
            if text[end..].starts_with("\r\n") {
                end += 2;
            } else if text[end..].starts_with('\n') {
                end += 1;
            }
            if later.origin.stmt.end as usize == text.len() || end > later.origin.stmt.end as usize
            {
                d.fixes.push(Fix::safe(
                    "Remove the duplicate index",
                    vec![Edit::delete(
                        ctx.path(later.origin.file),
                        crate::text::Span::new(later.origin.stmt.start, end as u32),
                    )],
                ));
            }
            out.push(d);
        }
    }
}
