use super::common::project_tables;
use crate::diagnostic::Diagnostic;
use crate::rules::{Context, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports array columns that hold references: every `uuid[]` column, and
    /// `integer[]` / `bigint[]` columns named like a list of ids (`*_ids`,
    /// `ids`) or like a table of the same schema (`tag_ids`, `datasets`).
    ///
    /// ## Why it matters
    /// A foreign key cannot constrain the elements of an array: the column
    /// keeps ids of rows that were deleted and accepts ids that never existed,
    /// nothing cascades, and every lookup has to unnest the array (which no
    /// B-tree index serves).
    ///
    /// ## Example
    /// ```sql
    /// create table public.dashboards (
    ///   id uuid primary key default gen_random_uuid(),
    ///   data_sources uuid[] default '{}' -- No referential integrity
    /// );
    /// ```
    ///
    /// ## Fix
    /// Use a join table with foreign keys on both sides:
    /// ```sql
    /// create table public.dashboard_data_sources (
    ///   dashboard_id uuid not null references public.dashboards (id) on delete cascade,
    ///   dataset_id uuid not null references public.datasets (id) on delete cascade,
    ///   primary key (dashboard_id, dataset_id)
    /// );
    /// ```
    /// If the array must stay, validate its elements in a trigger.
    ///
    /// ## Reference
    /// Seed audit 002 "Missing Foreign Key Constraints" (`data_sources UUID[]
    /// DEFAULT '{}', -- No referential integrity`).
    pub static ARRAY_OF_REFERENCES = {
        name: "array-of-references",
        category: Integrity,
        severity: Info,
        fix: false,
        effort: "2-4 hours",
        check: check,
    }
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for rel in project_tables(ctx) {
        for col in &rel.columns {
            let Some(ty) = &col.ty else { continue };
            if !ty.is_array() {
                continue;
            }
            let reference_like = match ty.base() {
                "uuid" => true,
                "integer" | "int" | "int4" | "bigint" | "int8" => {
                    let n = col.name.as_str();
                    n == "ids"
                        || n.ends_with("_ids")
                        || ctx
                            .model
                            .relations
                            .contains_key(&(rel.schema.clone(), n.to_string()))
                }
                _ => false,
            };
            if !reference_like {
                continue;
            }
            let mut d = ctx.at(
                &ARRAY_OF_REFERENCES,
                &col.origin,
                format!(
                    "{}.{} (`{}`) holds ids that no foreign key checks",
                    rel.display_name(),
                    col.name,
                    ty.text
                ),
            );
            d.help = Some(
                "store the references in a join table with a foreign key to each side, or validate the elements in a trigger"
                    .into(),
            );
            out.push(d);
        }
    }
}
