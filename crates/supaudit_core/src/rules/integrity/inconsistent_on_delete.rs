use std::collections::BTreeMap;

use super::common::project_tables;
use crate::diagnostic::Diagnostic;
use crate::model::{ForeignKey, Relation};
use crate::rules::{Context, declare_rule};
use crate::sql::QName;

declare_rule! {
    /// ## What it does
    /// Reports a table whose incoming foreign keys use different ON DELETE
    /// actions (`cascade` for some, `set null` or none for others), once per
    /// referenced table, listing the keys by action. The finding points at the
    /// first key whose action differs from the most common one.
    ///
    /// Keys to `auth.users` are not compared: rows a user owns (`on delete
    /// cascade`) and rows that only name a user (`on delete set null`) are both
    /// common and deliberate there, and a key that blocks the delete is
    /// `auth-fk-no-cascade`'s finding.
    ///
    /// ## Why it matters
    /// Deleting one parent row then does different things to its children:
    /// some disappear, some stay behind with a null reference, and a key
    /// with no action makes the whole delete fail. Mixed rules are often an
    /// oversight, and the result of a delete is hard to predict from any one
    /// migration.
    ///
    /// ## Example
    /// ```sql
    /// create table public.dashboards (
    ///   id uuid primary key,
    ///   project_id uuid not null references public.projects (id) on delete cascade
    /// );
    /// create table public.capabilities (
    ///   id uuid primary key,
    ///   project_id uuid references public.projects (id) on delete set null
    /// );
    /// ```
    ///
    /// ## Fix
    /// Decide, for each child table, whether its rows belong to the parent
    /// (`on delete cascade`) or only point to it (`on delete set null`), and
    /// make the keys say so; document the deliberate exceptions with a
    /// suppression comment.
    ///
    /// ## Reference
    /// Seed audit 002 "Inconsistent Cascading Rules" ("Some tables use
    /// `CASCADE`, others use `SET NULL` inconsistently").
    pub static INCONSISTENT_ON_DELETE = {
        name: "inconsistent-on-delete",
        category: Integrity,
        severity: Info,
        fix: false,
        effort: "30 min",
        check: check,
    }
}

fn action(fk: &ForeignKey) -> &str {
    fk.on_delete.as_deref().unwrap_or("no action")
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    // Parent -> its incoming keys, in replay order.
    let mut by_parent: BTreeMap<&QName, Vec<(&Relation, &ForeignKey)>> = BTreeMap::new();
    for rel in project_tables(ctx) {
        for fk in &rel.foreign_keys {
            if fk.ref_table.schema.as_deref() == Some("auth") {
                continue;
            }
            by_parent.entry(&fk.ref_table).or_default().push((rel, fk));
        }
    }
    for (parent, mut keys) in by_parent {
        keys.sort_by_key(|(_, f)| (f.origin.order, f.origin.stmt.start, f.origin.span.start));
        // Actions by how often they are used; ties go to the earliest.
        let mut counts: Vec<(&str, usize)> = Vec::new();
        for (_, fk) in &keys {
            match counts.iter_mut().find(|(a, _)| *a == action(fk)) {
                Some(c) => c.1 += 1,
                None => counts.push((action(fk), 1)),
            }
        }
        if counts.len() < 2 {
            continue;
        }
        let common = counts
            .iter()
            .enumerate()
            .max_by_key(|(i, (_, n))| (*n, std::cmp::Reverse(*i)))
            .map(|(_, (a, _))| *a)
            .unwrap_or_default();
        let Some((_, first_odd)) = keys.iter().find(|(_, f)| action(f) != common) else {
            continue;
        };
        let list: Vec<String> = counts
            .iter()
            .map(|(a, _)| {
                let ks: Vec<String> = keys
                    .iter()
                    .filter(|(_, f)| action(f) == *a)
                    .map(|(r, f)| format!("{}.{}", r.name, f.columns.join(", ")))
                    .collect();
                format!("{a} ({})", ks.join(", "))
            })
            .collect();
        let mut d = ctx.at(
            &INCONSISTENT_ON_DELETE,
            &first_odd.origin,
            format!(
                "foreign keys to {parent} use different ON DELETE actions: {}",
                list.join("; ")
            ),
        );
        d.help = Some(format!(
            "decide per child table whether its rows belong to {parent} (`on delete cascade`) or only point to it (`on delete set null`); suppress this finding where the difference is deliberate"
        ));
        out.push(d);
    }
}
