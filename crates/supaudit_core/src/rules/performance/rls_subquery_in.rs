use crate::diagnostic::{Diagnostic, Edit, Fix};
use crate::model::Relation;
use crate::rules::helpers::{is_auth_function, is_correlated};
use crate::rules::{Context, declare_rule};
use crate::sql::{Expr, ExprKind};

declare_rule! {
    /// ## What it does
    /// Reports a policy test `x in (select … from other_table where …)` whose
    /// subquery refers to the row being checked (it is correlated), so that
    /// PostgreSQL runs it once per row.
    ///
    /// An uncorrelated `team_id in (select team_id from team_user where
    /// user_id = (select auth.uid()))` is not reported: PostgreSQL runs it
    /// once per statement and probes a hash of its result, and it is the form
    /// the Supabase RLS guide recommends (rewriting it as a correlated
    /// `exists` is not faster: measured on PostgreSQL 15, the `in` form was
    /// as fast or faster).
    ///
    /// ## Why it matters
    /// A correlated subquery in a policy is evaluated for every row the query
    /// scans: a `select` over 100,000 rows runs 100,000 lookups in the other
    /// table. Turned around so that it does not mention the row, it runs once.
    ///
    /// ## Example
    /// ```sql
    /// create policy "team members" on projects for select using (
    ///   (select auth.uid()) in (
    ///     select user_id from team_user where team_user.team_id = projects.team_id
    ///   )
    /// );
    /// ```
    ///
    /// ## Fix
    /// ```sql
    /// create policy "team members" on projects for select using (
    ///   projects.team_id in (
    ///     select team_user.team_id from team_user where user_id = (select auth.uid())
    ///   )
    /// );
    /// ```
    /// Offered (unsafe: review it) when the subquery reads one table, selects
    /// one column and its `where` has one equality with the row's column; not
    /// when it has `group by`, `limit`, `union`, a join and the like. Otherwise
    /// move the lookup into a `stable security definer` function that returns
    /// the caller's team ids.
    ///
    /// ## Reference
    /// Seed audit 000 §3.3 (subqueries in policies); Supabase RLS performance
    /// guide ("Minimize joins").
    pub static RLS_SUBQUERY_IN = {
        name: "rls-subquery-in",
        category: Performance,
        severity: Info,
        fix: true,
        effort: "30 min",
        check: check,
    }
}

/// A `Select` expression like `sel` holding only `e`, to ask `is_correlated` about `e`.
fn only(sel: &Expr, e: &Expr) -> Expr {
    Expr {
        kind: sel.kind.clone(),
        span: e.span,
        children: vec![e.clone()],
    }
}

fn has_column(e: &Expr) -> bool {
    e.walk().any(|x| matches!(x.kind, ExprKind::Column { .. }))
}

/// The turned-around text of `lhs in (sel)`, when the rewrite is mechanical.
fn rewrite(ctx: &Context, text: &str, lhs: &Expr, sel: &Expr, rel: &Relation) -> Option<String> {
    let src = |e: &Expr| text.get(e.span.range()).map(str::to_string);
    let ExprKind::Select { from, .. } = &sel.kind else {
        return None;
    };
    if from.len() != 1 || sel.children.len() != 2 || has_column(lhs) {
        return None;
    }
    let sel_text = src(sel)?.to_ascii_lowercase();
    let words: Vec<&str> = sel_text
        .split(|c: char| !c.is_alphanumeric() && c != '_')
        .collect();
    const NOT_MECHANICAL: &[&str] = &[
        "group",
        "having",
        "limit",
        "offset",
        "union",
        "intersect",
        "except",
        "order",
        "distinct",
        "join",
        "with",
        "window",
        "fetch",
        "lateral",
    ];
    if words.iter().any(|w| NOT_MECHANICAL.contains(w)) {
        return None;
    }
    let (target, cond) = (&sel.children[0], &sel.children[1]);
    if !matches!(target.unparen().kind, ExprKind::Column { .. }) {
        return None;
    }
    // Exactly one conjunct refers to the row: `inner.y = outer.c`.
    let conjuncts = cond.conjuncts();
    let correlated: Vec<&&Expr> = conjuncts
        .iter()
        .filter(|c| is_correlated(&only(sel, c), rel, ctx.model))
        .collect();
    let [corr] = correlated.as_slice() else {
        return None;
    };
    if corr.binary_op() != Some("=") || corr.children.len() != 2 {
        return None;
    }
    let (a, b) = (&corr.children[0], &corr.children[1]);
    let outer_side = |e: &Expr| {
        matches!(e.unparen().kind, ExprKind::Column { .. })
            && is_correlated(&only(sel, e), rel, ctx.model)
    };
    let (inner, outer) = if outer_side(b) && !outer_side(a) {
        (a, b)
    } else if outer_side(a) && !outer_side(b) {
        (b, a)
    } else {
        return None;
    };
    if !matches!(inner.unparen().kind, ExprKind::Column { .. }) {
        return None;
    }
    // `select x from o where` -> the `from o` part.
    let middle = text.get(target.span.end as usize..cond.span.start as usize)?;
    let middle = middle.trim_end();
    let cut = middle.len().checked_sub(5)?;
    if !middle.get(cut..)?.eq_ignore_ascii_case("where") {
        return None;
    }
    let from_part = middle[..cut].trim();
    let lhs_text = src(lhs)?;
    // A `(select …)` operand's span leaves out its parentheses.
    let value = if matches!(lhs.kind, ExprKind::Select { .. }) {
        format!("({lhs_text})")
    } else if is_auth_function(lhs.unparen()) {
        format!("(select {lhs_text})")
    } else {
        lhs_text
    };
    let mut conds = vec![format!("{} = {value}", src(target)?)];
    for c in &conjuncts {
        if !std::ptr::eq(*c, **corr) {
            conds.push(src(c)?);
        }
    }
    Some(format!(
        "{} in (select {} {from_part} where {})",
        src(outer)?,
        src(inner)?,
        conds.join(" and ")
    ))
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for rel in ctx.model.project_relations() {
        for p in &rel.policies {
            if p.origin.is_platform() {
                continue;
            }
            let text = ctx.text(p.origin.file);
            let mut found: Vec<&Expr> = Vec::new();
            for e in p.using.iter().chain(p.with_check.iter()) {
                e.visit_with_ancestors(&mut |x, anc| {
                    if x.binary_op() != Some("in") || x.children.len() != 2 {
                        return;
                    }
                    // Only tests of the policy itself, not ones inside a subquery.
                    if anc
                        .iter()
                        .any(|a| matches!(a.kind, ExprKind::Select { .. }))
                    {
                        return;
                    }
                    let sel = x.children[1].unparen();
                    let ExprKind::Select { from, .. } = &sel.kind else {
                        return;
                    };
                    if from.is_empty() || !is_correlated(sel, rel, ctx.model) {
                        return;
                    }
                    if !found.iter().any(|f| f.span == x.span) {
                        found.push(x);
                    }
                });
            }
            for x in found {
                let sel = x.children[1].unparen();
                let ExprKind::Select { from, .. } = &sel.kind else {
                    continue;
                };
                let tables: Vec<String> = from.iter().map(|q| q.to_string()).collect();
                let mut d = ctx.at(
                    &RLS_SUBQUERY_IN,
                    &p.origin,
                    format!(
                        "policy \"{}\" on {}: the subquery over {} refers to the row being checked, so it runs once per row",
                        p.name,
                        rel.display_name(),
                        tables.join(", ")
                    ),
                );
                d.range = x.span;
                d.help = Some("turn it around so that it does not mention the row: `row_column in (select key from other where user_id = (select auth.uid()))`, or move the lookup into a stable security definer function".into());
                if let Some(new) = rewrite(ctx, text, &x.children[0], sel, rel) {
                    d.fixes.push(Fix::unsafe_(
                        "Rewrite as an uncorrelated `in (select …)`",
                        vec![Edit::replace(ctx.path(p.origin.file), x.span, new)],
                    ));
                }
                out.push(d);
            }
        }
    }
}
