use crate::diagnostic::{Diagnostic, Edit, Fix};
use crate::model::Relation;
use crate::rules::helpers::{is_auth_function, is_correlated};
use crate::rules::{Context, declare_rule};
use crate::sql::{Expr, ExprKind};

declare_rule! {
    /// ## What it does
    /// Reports calls to `auth.uid()`, `auth.jwt()`, `auth.role()`, `auth.email()`
    /// and `current_setting()` in a policy that are not wrapped in `(select …)`.
    ///
    /// The decision is made on the expression tree: a call inside an
    /// uncorrelated subquery (`(select auth.uid())`, `org_id in (select … where
    /// user_id = auth.uid())`) is evaluated once per statement and is fine; a call
    /// at the top level of the policy, or inside a subquery that refers to the
    /// row being checked (a correlated `exists (…)`), is evaluated once per row.
    ///
    /// ## Why it matters
    /// PostgreSQL evaluates a bare function call in a policy for every row it
    /// scans. Wrapping it in a scalar subquery lets the planner compute it once
    /// (an "initPlan"), which on large tables makes queries many times faster.
    ///
    /// ## Example
    /// ```sql
    /// create policy "own rows" on public.todos for select using (auth.uid() = user_id);
    /// ```
    ///
    /// ## Fix
    /// ```sql
    /// create policy "own rows" on public.todos for select using ((select auth.uid()) = user_id);
    /// ```
    /// The fix is safe: the result is the same for every row.
    ///
    /// ## Reference
    /// Supabase linter `auth_rls_initplan`; Supabase RLS performance guide.
    pub static AUTH_RLS_INITPLAN = {
        name: "auth-rls-initplan",
        category: Performance,
        severity: Warning,
        fix: true,
        effort: "15 min",
        check: check,
    }
}

/// Calls evaluated per row in `e`.
fn per_row_calls<'a>(e: &'a Expr, rel: &Relation, ctx: &Context) -> Vec<&'a Expr> {
    let mut found = Vec::new();
    e.visit_with_ancestors(&mut |x, anc| {
        if !is_auth_function(x) {
            return;
        }
        // Inside another auth call's arguments (current_setting inside something)? Report the outer only.
        if anc.iter().any(|a| is_auth_function(a)) {
            return;
        }
        let once = anc.iter().any(|a| {
            matches!(a.kind, ExprKind::Select { .. }) && !is_correlated(a, rel, ctx.model)
        });
        if !once {
            found.push(x);
        }
    });
    found
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for rel in ctx.model.relations.values() {
        for p in &rel.policies {
            if p.origin.is_platform() {
                continue;
            }
            let mut calls: Vec<&Expr> = Vec::new();
            for e in p.using.iter().chain(p.with_check.iter()) {
                calls.extend(per_row_calls(e, rel, ctx));
            }
            if calls.is_empty() {
                continue;
            }
            calls.sort_by_key(|c| c.span.start);
            calls.dedup_by_key(|c| c.span);
            let file = ctx.path(p.origin.file);
            let text = ctx.text(p.origin.file);
            let names: Vec<String> = calls
                .iter()
                .map(|c| text[c.span.range()].to_string())
                .collect();
            let mut uniq = names.clone();
            uniq.dedup();
            let mut d = ctx.at(
                &AUTH_RLS_INITPLAN,
                &p.origin,
                format!(
                    "policy \"{}\" on {} calls {} once per row",
                    p.name,
                    rel.display_name(),
                    uniq.join(", ")
                ),
            );
            d.range = calls[0].span;
            d.help = Some("wrap the call in a subquery, `(select auth.uid())`, so it is evaluated once per statement".into());
            d.fixes.push(Fix::safe(
                "Wrap in (select …)",
                calls
                    .iter()
                    .map(|c| {
                        Edit::replace(file, c.span, format!("(select {})", &text[c.span.range()]))
                    })
                    .collect(),
            ));
            out.push(d);
        }
    }
}
