use std::collections::BTreeSet;

use crate::diagnostic::Diagnostic;
use crate::model::RelKind;
use crate::rules::helpers::{quote_ident, rel_sql_name};
use crate::rules::{Context, append_stmt_fix, declare_rule};
use crate::sql::StmtKind;

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

/// Every relation and index name the project uses anywhere in its history
/// (index names share the relation namespace, and an index dropped later may
/// still be created by an earlier statement under the same name).
fn used_names(ctx: &Context) -> BTreeSet<String> {
    let mut names: BTreeSet<String> = BTreeSet::new();
    for rel in ctx.model.relations.values() {
        names.insert(rel.name.clone());
        names.extend(rel.indexes.iter().filter_map(|i| i.name.clone()));
    }
    for unit in ctx.sql {
        for s in &unit.sql.stmts {
            match &s.kind {
                StmtKind::CreateIndex(ix) => names.extend(ix.name.clone()),
                StmtKind::CreateTable(t) => {
                    names.insert(t.name.name.clone());
                }
                StmtKind::CreateView(v) => {
                    names.insert(v.name.name.clone());
                }
                _ => {}
            }
        }
    }
    names
}

/// `base` cut to PostgreSQL's 63-byte identifier limit, on a character boundary.
fn truncate_ident(base: &str, max: usize) -> &str {
    let mut end = base.len().min(max);
    while !base.is_char_boundary(end) {
        end -= 1;
    }
    &base[..end]
}

/// A name like PostgreSQL's own (`table_col_idx`) that no other object uses.
fn unique_index_name(base: &str, used: &mut BTreeSet<String>) -> String {
    let mut name = truncate_ident(base, 63).to_string();
    let mut n = 1;
    while used.contains(&name) {
        let suffix = n.to_string();
        name = format!("{}{suffix}", truncate_ident(base, 63 - suffix.len()));
        n += 1;
    }
    used.insert(name.clone());
    name
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let mut used = used_names(ctx);
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
            let name = unique_index_name(
                &format!("{}_{}_idx", rel.name, fk.columns.join("_")),
                &mut used,
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
