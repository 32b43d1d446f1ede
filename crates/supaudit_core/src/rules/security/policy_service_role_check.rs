use super::policy_auth_role_deprecated::role_test;
use crate::diagnostic::{Diagnostic, Edit, Fix};
use crate::model::{Origin, Policy, Relation};
use crate::rules::helpers::{quote_ident, rel_sql_name, stmt_at};
use crate::rules::{Context, append_stmt_fix, declare_rule};
use crate::sql::{Expr, StmtContext, StmtKind};
use crate::text::Span;

declare_rule! {
    /// ## What it does
    /// Reports permissive policies that let a row through when the request's
    /// role is `service_role`: `auth.role() = 'service_role'`,
    /// `auth.jwt() ->> 'role' = 'service_role'` or
    /// `current_setting('request.jwt.claim.role', true) = 'service_role'`.
    ///
    /// ## Why it matters
    /// `service_role` has `BYPASSRLS`: no policy is ever evaluated for it. A test
    /// for it in a policy is never true when the policy runs, so a policy that
    /// only allows `service_role` does nothing, and an `or auth.role() =
    /// 'service_role'` branch is dead code that suggests the policy is what lets
    /// the server in. Seed audit 000 recommends exactly such a policy ("Service
    /// role can insert users"). Restrictive policies are not reported (there the
    /// test denies every other role, which is not dead weight).
    ///
    /// ## Example
    /// ```sql
    /// create policy "Service role can insert users" on public.users
    ///     for insert with check (auth.role() = 'service_role');
    /// ```
    ///
    /// ## Fix
    /// When every expression of the policy can only be true for service_role
    /// (the test, an `and` with it, an `or` of such tests), the policy never
    /// allows anything and the fix removes its `create policy` statement with
    /// the `--` comment lines right above it (safe: nothing changes for any
    /// role). When a later statement names the policy (`alter policy`,
    /// `comment on policy`), or the statement is not a top-level `create
    /// policy`, the fix appends `drop policy … on …;` after the last such
    /// statement instead. When the only test is one side of an `or`, an unsafe
    /// fix keeps the other side:
    /// ```sql
    /// create policy "own rows" on public.notes
    ///     for update using ((select auth.uid()) = user_id);
    /// ```
    /// was `… using ((select auth.uid()) = user_id or auth.role() = 'service_role')`.
    ///
    /// ## Reference
    /// Seed audit 000 §3.3 ("No Policy for INSERT on Users Table",
    /// recommendation); Supabase docs, "Bypassing Row Level Security".
    pub static POLICY_SERVICE_ROLE_CHECK = {
        name: "policy-service-role-check",
        category: Security,
        severity: Info,
        fix: true,
        effort: "15 min",
        check: check,
    }
}

/// Whether `e` can only be true for service_role: the test itself, an `and`
/// with such a term, an `or` of such expressions.
fn never_true(e: &Expr) -> bool {
    let u = e.unparen();
    if role_test(u) == Some("service_role") {
        return true;
    }
    match u.binary_op() {
        Some("and") if u.children.len() == 2 => u.children.iter().any(never_true),
        Some("or") if u.children.len() == 2 => u.children.iter().all(never_true),
        _ => false,
    }
}

/// Service-role tests reachable through `and` / `or` / parentheses, each with
/// the `or` node it is a direct side of (if any).
fn tests<'a>(
    e: &'a Expr,
    parent_or: Option<&'a Expr>,
    out: &mut Vec<(&'a Expr, Option<&'a Expr>)>,
) {
    let u = e.unparen();
    if role_test(u) == Some("service_role") {
        out.push((u, parent_or));
        return;
    }
    match u.binary_op() {
        Some("or") if u.children.len() == 2 => {
            for c in &u.children {
                tests(c, Some(u), out);
            }
        }
        Some("and") if u.children.len() == 2 => {
            for c in &u.children {
                tests(c, None, out);
            }
        }
        _ => {}
    }
}

/// The last statement after the policy's own that names it (by text):
/// `alter policy`, `comment on policy`.
fn last_reference(ctx: &Context, p: &Policy) -> Option<Origin> {
    let mut last = None;
    for u in ctx.sql {
        for s in &u.sql.stmts {
            let after = u.order > p.origin.order
                || (u.file == p.origin.file && s.span.start >= p.origin.stmt.end);
            if after && u.text[s.span.range()].contains(&p.name) {
                let o = Origin {
                    file: u.file,
                    order: u.order,
                    stmt: s.span,
                    span: s.span,
                };
                if last.is_none_or(|l: Origin| (o.order, o.stmt.start) > (l.order, l.stmt.start)) {
                    last = Some(o);
                }
            }
        }
    }
    last
}

/// The span of a statement with the `--` lines right above it and its line
/// break; one blank line around it goes too when blank lines surround it.
fn removal_span(text: &str, stmt: Span) -> Span {
    let line_start = |at: usize| text[..at].rfind('\n').map_or(0, |i| i + 1);
    let mut start = stmt.start as usize;
    if text[line_start(start)..start].trim().is_empty() {
        start = line_start(start);
        while start > 0 {
            let prev = line_start(start - 1);
            if text[prev..start].trim_start().starts_with("--") {
                start = prev;
            } else {
                break;
            }
        }
    }
    let mut end = stmt.end as usize;
    let rest = &text[end..];
    let line_end = rest.find('\n').map_or(rest.len(), |i| i + 1);
    if rest[..line_end].trim().is_empty() {
        end += line_end;
        let blank_before = start == 0 || text[line_start(start - 1)..start].trim().is_empty();
        let rest = &text[end..];
        let next = rest.find('\n').map_or(rest.len(), |i| i + 1);
        if blank_before && next > 0 && rest[..next].trim().is_empty() {
            end += next;
        }
    }
    Span::new(start as u32, end as u32)
}

fn drop_fix(ctx: &Context, rel: &Relation, p: &Policy) -> Fix {
    let title = format!("Drop policy \"{}\"", p.name);
    let reference = last_reference(ctx, p);
    let in_place = stmt_at(ctx, &p.origin).is_some_and(|s| {
        matches!(s.kind, StmtKind::CreatePolicy(_)) && s.context == StmtContext::TopLevel
    }) && reference.is_none();
    if in_place {
        let span = removal_span(ctx.text(p.origin.file), p.origin.stmt);
        return Fix::safe(title, vec![Edit::delete(ctx.path(p.origin.file), span)]);
    }
    let sql = format!(
        "drop policy {} on {};",
        quote_ident(&p.name),
        rel_sql_name(rel)
    );
    append_stmt_fix(ctx, &reference.unwrap_or(p.origin), title, &sql, true)
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for rel in ctx.model.relations.values() {
        for p in &rel.policies {
            if p.origin.is_platform() || !p.permissive {
                continue;
            }
            let preds: Vec<&Expr> = p.using.iter().chain(p.with_check.iter()).collect();
            let mut found = Vec::new();
            for e in &preds {
                tests(e, None, &mut found);
            }
            let Some((first, _)) = found.first() else {
                continue;
            };
            let text = ctx.text(p.origin.file);
            let test = &text[first.span.range()];
            let dead = preds.iter().all(|e| never_true(e));
            let message = if dead {
                format!(
                    "policy \"{}\" on {} only allows `{test}`, which never holds: service_role bypasses row level security, so the policy does nothing",
                    p.name,
                    rel.display_name()
                )
            } else {
                format!(
                    "policy \"{}\" on {} tests `{test}`, which never holds: service_role bypasses row level security",
                    p.name,
                    rel.display_name()
                )
            };
            let mut d = ctx.at(&POLICY_SERVICE_ROLE_CHECK, &p.origin, message);
            d.range = p.origin.stmt;
            d.help = Some(if dead {
                "service_role needs no policy; drop this one (server code using the service key is not subject to RLS)".into()
            } else {
                "service_role needs no policy; remove this test from the expression".into()
            });
            if dead {
                d.fixes.push(drop_fix(ctx, rel, p));
            } else if let [(t, Some(or))] = found.as_slice() {
                let other = or
                    .children
                    .iter()
                    .find(|c| c.unparen().span != t.span)
                    .map(|c| &text[c.span.range()]);
                if let Some(other) = other {
                    d.fixes.push(Fix::unsafe_(
                        "Remove the service_role test",
                        vec![Edit::replace(ctx.path(p.origin.file), or.span, other)],
                    ));
                }
            }
            out.push(d);
        }
    }
}
