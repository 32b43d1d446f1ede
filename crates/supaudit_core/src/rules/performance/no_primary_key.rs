use std::collections::{BTreeMap, BTreeSet};

use crate::diagnostic::Diagnostic;
use crate::model::{Origin, RelKind, Replay, StmtRef};
use crate::rules::{Context, declare_rule};
use crate::sql::{AlterActionKind, StmtContext, StmtKind};

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
        check: check,
    }
}

type Key = (String, String);

/// Replays the history again to find, per table, the statement that last
/// dropped its primary key, and which tables have keys the model cannot see
/// (partitions, tables created with `like`).
fn history(ctx: &Context) -> (BTreeMap<Key, Origin>, BTreeSet<Key>) {
    let mut replay = Replay::default();
    let mut dropped: BTreeMap<Key, Origin> = BTreeMap::new();
    let mut unknown_keys: BTreeSet<Key> = BTreeSet::new();
    for unit in ctx.sql {
        for stmt in &unit.sql.stmts {
            let sref = StmtRef {
                file: unit.file,
                order: unit.order,
                stmt,
            };
            if stmt.context == StmtContext::FunctionBody {
                continue;
            }
            match &stmt.kind {
                StmtKind::CreateTable(t) => {
                    let k = (t.name.schema_or_public().to_string(), t.name.name.clone());
                    if !(t.if_not_exists && replay.model.relation(&t.name).is_some()) {
                        dropped.remove(&k);
                        unknown_keys.remove(&k);
                        // Partitions take their key from the parent; `like` copies
                        // columns and keys the model does not see.
                        if t.partition_of || !t.like.is_empty() {
                            unknown_keys.insert(k);
                        }
                    }
                    replay.apply(sref);
                }
                StmtKind::AlterTable(a) => {
                    let k = (a.name.schema_or_public().to_string(), a.name.name.clone());
                    // The table's key after the statement's renames.
                    let mut to = k.clone();
                    for act in &a.actions {
                        match &act.kind {
                            AlterActionKind::RenameTable(n) => to.1 = n.clone(),
                            AlterActionKind::SetSchema(s) => to.0 = s.clone(),
                            _ => {}
                        }
                    }
                    let has_pk = |m: &crate::model::Model, k: &Key| {
                        m.relations.get(k).is_some_and(|r| r.primary_key.is_some())
                    };
                    let had = has_pk(&replay.model, &k);
                    replay.apply(sref);
                    if to != k {
                        if let Some(o) = dropped.remove(&k) {
                            dropped.insert(to.clone(), o);
                        }
                        if unknown_keys.remove(&k) {
                            unknown_keys.insert(to.clone());
                        }
                    }
                    if had && !has_pk(&replay.model, &to) {
                        let action = a.actions.iter().find(|x| {
                            matches!(
                                x.kind,
                                AlterActionKind::DropConstraint(_) | AlterActionKind::DropColumn(_)
                            )
                        });
                        dropped.insert(
                            to,
                            Origin {
                                file: unit.file,
                                order: unit.order,
                                stmt: stmt.span,
                                span: action.map_or(stmt.span, |x| x.span),
                            },
                        );
                    }
                }
                _ => replay.apply(sref),
            }
        }
    }
    (dropped, unknown_keys)
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let (dropped, unknown_keys) = history(ctx);
    for rel in ctx.model.project_relations() {
        if rel.kind != RelKind::Table || rel.primary_key.is_some() {
            continue;
        }
        let k = (rel.schema.clone(), rel.name.clone());
        if unknown_keys.contains(&k) {
            continue;
        }
        let mut d = match dropped.get(&k) {
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
