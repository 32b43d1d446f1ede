use std::collections::BTreeSet;

use crate::diagnostic::Diagnostic;
use crate::model::{Origin, RelKind, Relation};
use crate::rules::helpers::{
    NamesInUse, fresh_index_name, quote_ident, rel_sql_name, relation_names_in_use,
};
use crate::rules::{Context, append_stmt_fix, declare_rule};
use crate::sql::{Expr, ExprKind};

declare_rule! {
    /// ## What it does
    /// Reports a column that a policy compares with the caller's identity
    /// (`user_id = (select auth.uid())`, `auth.uid() = owner_id`,
    /// `org_id = (auth.jwt() ->> 'org_id')::uuid`) when no index on the table
    /// starts with that column (a primary key or unique constraint counts).
    /// Reported once per column, at the first such policy.
    ///
    /// ## Why it matters
    /// The policy's test is added to every query on the table. Without an
    /// index on the column, each `select`, `update` or `delete` by a user reads
    /// the whole table to find that user's rows; with one it reads only them.
    /// When the column is also a foreign key, `unindexed-foreign-key` reports
    /// it too (at info level): this finding is the stronger reason to add the
    /// index, and both fixes create the same one.
    ///
    /// ## Example
    /// ```sql
    /// create table public.notes (id bigint primary key, user_id uuid not null, body text);
    /// alter table public.notes enable row level security;
    /// create policy "own notes" on public.notes for select using ((select auth.uid()) = user_id);
    /// ```
    ///
    /// ## Fix
    /// ```sql
    /// create index notes_user_id_idx on public.notes (user_id);
    /// ```
    ///
    /// ## Reference
    /// Supabase RLS performance guide ("Add indexes"); Supabase linter
    /// `unindexed_foreign_keys`.
    pub static POLICY_COLUMN_UNINDEXED = {
        name: "policy-column-unindexed",
        category: Performance,
        severity: Warning,
        fix: true,
        effort: "15 min",
        check: check,
    }
}

/// The text of an identity expression: an auth helper call, possibly wrapped
/// in `(select …)`, casts, parentheses or `->>`, and no column.
fn identity(e: &Expr) -> Option<&Expr> {
    let mut auth = None;
    for x in e.walk() {
        match &x.kind {
            ExprKind::Column { .. } => return None,
            ExprKind::Select { from, .. } if !from.is_empty() => return None,
            _ => {}
        }
        if auth.is_none()
            && let Some([s, f]) = x.call_name()
            && s == "auth"
            && matches!(f.as_str(), "uid" | "jwt" | "email")
        {
            auth = Some(x);
        }
    }
    auth
}

/// The policy table's column that `e` is, if it is one.
fn own_column<'a>(e: &'a Expr, rel: &Relation) -> Option<&'a str> {
    let mut e = e.unparen();
    while let ExprKind::Cast { .. } = e.kind {
        e = e.children.first()?.unparen();
    }
    let ExprKind::Column { path } = &e.kind else {
        return None;
    };
    let col = path.last()?;
    let qualifier_ok = match path.len() {
        1 => true,
        2 => path[0] == rel.name,
        3 => path[0] == rel.schema && path[1] == rel.name,
        _ => false,
    };
    (qualifier_ok && rel.column(col).is_some()).then_some(col.as_str())
}

/// (column, identity call) pairs compared with `=` outside subqueries.
fn compared(e: &Expr, rel: &Relation) -> Vec<(String, Expr)> {
    let mut out = Vec::new();
    e.visit_with_ancestors(&mut |x, anc| {
        if x.binary_op() != Some("=") || x.children.len() != 2 {
            return;
        }
        if anc
            .iter()
            .any(|a| matches!(a.kind, ExprKind::Select { .. }))
        {
            return;
        }
        let (l, r) = (&x.children[0], &x.children[1]);
        let pair = match (own_column(l, rel), own_column(r, rel)) {
            (Some(c), None) => identity(r).map(|a| (c, a)),
            (None, Some(c)) => identity(l).map(|a| (c, a)),
            _ => None,
        };
        if let Some((c, a)) = pair {
            out.push((c.to_string(), a.clone()));
        }
    });
    out
}

/// The later of two origins in replay order.
fn later(a: Origin, b: Origin) -> Origin {
    if (b.order, b.stmt.start) > (a.order, a.stmt.start) {
        b
    } else {
        a
    }
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let mut used: Option<NamesInUse> = None;
    for rel in ctx.model.project_relations() {
        if rel.kind != RelKind::Table {
            continue;
        }
        let mut policies: Vec<_> = rel
            .policies
            .iter()
            .filter(|p| !p.origin.is_platform())
            .collect();
        policies.sort_by_key(|p| (p.origin.order, p.origin.stmt.start));
        let mut done: BTreeSet<String> = BTreeSet::new();
        for p in policies {
            for e in p.using.iter().chain(p.with_check.iter()) {
                for (col, call) in compared(e, rel) {
                    if done.contains(&col) {
                        continue;
                    }
                    done.insert(col.clone());
                    let cols = [col.clone()];
                    if rel.indexes.iter().any(|i| i.leads_with(&cols)) {
                        continue;
                    }
                    let text = ctx.text(p.origin.file);
                    let call_text = text.get(call.span.range()).unwrap_or("auth.uid()");
                    let fk = rel.foreign_keys.iter().find(|f| f.columns == cols);
                    let mut d = ctx.at(
                        &POLICY_COLUMN_UNINDEXED,
                        &p.origin,
                        format!(
                            "policy \"{}\" compares {}.{col} with {call_text}, but no index starts with {col}: every query on the table reads all its rows",
                            p.name,
                            rel.display_name()
                        ),
                    );
                    d.help = Some(format!(
                        "add an index on {}({col}) so that each user's queries read only their rows",
                        rel.display_name()
                    ));
                    let used = used.get_or_insert_with(|| relation_names_in_use(ctx));
                    let name = fresh_index_name(&format!("{}_{col}_idx", rel.name), used);
                    // Where unindexed-foreign-key puts the same index, when it reports
                    // the column too (the two fixes then collide and only one applies);
                    // else after the policy or the table's last change.
                    let anchor = match fk {
                        Some(f) => later(f.origin, rel.last_changed),
                        None => later(p.origin, rel.last_changed),
                    };
                    d.fixes.push(append_stmt_fix(
                        ctx,
                        &anchor,
                        format!("Create an index on {}({col})", rel.display_name()),
                        &format!(
                            "create index {} on {} ({});",
                            quote_ident(&name),
                            rel_sql_name(rel),
                            quote_ident(&col)
                        ),
                        true,
                    ));
                    out.push(d);
                }
            }
        }
    }
}
