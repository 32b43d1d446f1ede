use crate::diagnostic::{Diagnostic, Edit, Fix};
use crate::model::{Policy, Relation};
use crate::rules::helpers::stmt_at;
use crate::rules::{Context, declare_rule};
use crate::sql::{Expr, ExprKind, StmtContext, StmtKind};

declare_rule! {
    /// ## What it does
    /// Reports policies that test `auth.role() = 'authenticated'` (or `'anon'`)
    /// in their expression instead of naming the role with `to authenticated`.
    ///
    /// The same test written as `auth.jwt() ->> 'role' = 'authenticated'` or
    /// `current_setting('request.jwt.claim.role', true) = 'authenticated'` is
    /// reported too. Tests for `'service_role'` are `policy-service-role-check`.
    ///
    /// ## Why it matters
    /// `auth.role()` is deprecated in Supabase's RLS guide. A role test inside
    /// the expression is evaluated for every row and every role, while a `to`
    /// clause lets PostgreSQL skip the policy outright for the other roles (and
    /// makes the policy's audience visible in `pg_policies`). Written without
    /// `to`, the policy also applies to `public`, so the reader must work out
    /// from the expression who it is really for.
    ///
    /// ## Example
    /// ```sql
    /// create policy "Authenticated Uploads" on storage.objects
    /// for insert with check (
    ///   bucket_id = 'media'
    ///   and auth.role() = 'authenticated'
    ///   and (storage.foldername(name))[1] = auth.uid()::text
    /// );
    /// ```
    ///
    /// ## Fix
    /// ```sql
    /// create policy "Authenticated Uploads" on storage.objects
    /// for insert to authenticated with check (
    ///   bucket_id = 'media'
    ///   and (storage.foldername(name))[1] = auth.uid()::text
    /// );
    /// ```
    /// Offered when the policy names no role (or exactly that role), was not
    /// changed by a later `alter policy`, and the test is the whole expression
    /// (it becomes `true`) or one of its `and` terms (it is removed) in each of
    /// `using` and `with check`. The fix is unsafe: `to` checks the database
    /// role and `auth.role()` the JWT claim, which PostgREST keeps equal, but
    /// other connections may not.
    ///
    /// ## Reference
    /// Supabase RLS guide ("Specify roles in your policies"); seed audit 000 §8.1
    /// ("Authenticated Uploads").
    pub static POLICY_AUTH_ROLE_DEPRECATED = {
        name: "policy-auth-role-deprecated",
        category: Security,
        severity: Info,
        fix: true,
        effort: "15 min",
        check: check,
    }
}

/// Strips parentheses, casts and `(select …)` around a scalar expression.
pub(crate) fn unwrap_scalar(e: &Expr) -> &Expr {
    let mut e = e;
    loop {
        match &e.kind {
            ExprKind::Paren | ExprKind::Cast { .. } if e.children.len() == 1 => {
                e = &e.children[0];
            }
            ExprKind::Select { from, .. } if from.is_empty() && e.children.len() == 1 => {
                e = &e.children[0];
            }
            _ => return e,
        }
    }
}

fn is_current_setting(e: &Expr, setting: &str) -> bool {
    let e = unwrap_scalar(e);
    (matches!(e.call_name(), Some([f]) if f == "current_setting")
        || e.is_call("pg_catalog", "current_setting"))
        && e.children
            .first()
            .and_then(|a| a.string_value())
            .is_some_and(|s| s == setting)
}

/// `c ->> 'key'` where `c` is the JWT's claims: `auth.jwt()` or
/// `current_setting('request.jwt.claims', true)::jsonb`.
pub(crate) fn is_jwt_claim(e: &Expr, key: &str) -> bool {
    let e = unwrap_scalar(e);
    e.binary_op() == Some("->>")
        && e.children.len() == 2
        && e.children[1].string_value() == Some(key)
        && {
            let c = unwrap_scalar(&e.children[0]);
            c.is_call("auth", "jwt") || is_current_setting(c, "request.jwt.claims")
        }
}

/// Whether `e` reads the request's role: `auth.role()`, `auth.jwt() ->> 'role'`,
/// `current_setting('request.jwt.claim.role', …)`.
fn is_role_expr(e: &Expr) -> bool {
    let e = unwrap_scalar(e);
    e.is_call("auth", "role")
        || is_jwt_claim(e, "role")
        || is_current_setting(e, "request.jwt.claim.role")
}

/// The role `e` compares the request's role with, when `e` is such a test
/// (`auth.role() = 'authenticated'`, either way round).
pub(crate) fn role_test(e: &Expr) -> Option<&str> {
    let e = e.unparen();
    if e.binary_op() != Some("=") || e.children.len() != 2 {
        return None;
    }
    let (a, b) = (&e.children[0], &e.children[1]);
    if is_role_expr(a) {
        b.string_value()
    } else if is_role_expr(b) {
        a.string_value()
    } else {
        None
    }
}

/// The edit that takes the role test for `role` out of `e`: the whole
/// expression becomes `true`, an `and` term is removed. `None` when the test
/// sits anywhere else (under `or`, `not`, in a subquery).
pub(crate) fn remove_role_conjunct(
    e: &Expr,
    role: &str,
    file: &str,
    text: &str,
    replacement: &str,
) -> Option<Edit> {
    let u = e.unparen();
    if role_test(u) == Some(role) {
        return Some(Edit::replace(file, u.span, replacement));
    }
    fn in_and(u: &Expr, role: &str, file: &str, text: &str) -> Option<Edit> {
        if u.binary_op() != Some("and") || u.children.len() != 2 {
            return None;
        }
        for i in 0..2 {
            if role_test(&u.children[i]) == Some(role) {
                let other = &u.children[1 - i];
                return Some(Edit::replace(file, u.span, &text[other.span.range()]));
            }
        }
        u.children
            .iter()
            .find_map(|c| in_and(c.unparen(), role, file, text))
    }
    in_and(u, role, file, text)
}

/// Role tests for `anon` / `authenticated` anywhere in the policy.
fn tests(p: &Policy) -> Vec<(&Expr, &str)> {
    let mut out = Vec::new();
    for e in p.using.iter().chain(p.with_check.iter()) {
        for x in e.walk() {
            if let Some(r) = role_test(x)
                && matches!(r, "anon" | "authenticated")
                && !out.iter().any(|(y, _): &(&Expr, &str)| y.span == x.span)
            {
                out.push((x, r));
            }
        }
    }
    out
}

fn fix(ctx: &Context, p: &Policy, role: &str) -> Option<Fix> {
    let stmt = stmt_at(ctx, &p.origin)?;
    let StmtKind::CreatePolicy(cp) = &stmt.kind else {
        return None;
    };
    if stmt.context != StmtContext::TopLevel {
        return None;
    }
    let file = ctx.path(p.origin.file);
    let text = ctx.text(p.origin.file);
    let mut edits = Vec::new();
    if p.roles == ["public"] {
        match cp.roles_span {
            Some(s) => edits.push(Edit::replace(file, s, format!("to {role}"))),
            None => edits.push(Edit::insert(file, cp.roles_at, format!(" to {role}"))),
        }
    } else if p.roles != [role] {
        return None;
    }
    for e in cp.using.iter().chain(cp.with_check.iter()) {
        edits.push(remove_role_conjunct(e, role, file, text, "true")?);
    }
    Some(Fix::unsafe_(format!("Use `to {role}` instead"), edits))
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for rel in ctx.model.relations.values() {
        for p in &rel.policies {
            if p.origin.is_platform() {
                continue;
            }
            report(ctx, rel, p, out);
        }
    }
}

fn report(ctx: &Context, rel: &Relation, p: &Policy, out: &mut Vec<Diagnostic>) {
    let found = tests(p);
    let Some((first, role)) = found.first() else {
        return;
    };
    let text = ctx.text(p.origin.file);
    let mut d = ctx.at(
        &POLICY_AUTH_ROLE_DEPRECATED,
        &p.origin,
        format!(
            "policy \"{}\" on {} tests `{}` instead of naming the role with `to {role}`",
            p.name,
            rel.display_name(),
            &text[first.span.range()]
        ),
    );
    d.range = p.origin.stmt;
    d.help = Some(format!(
        "name the role in the policy, `to {role}`, and drop the test: PostgreSQL then skips the policy for other roles (`auth.role()` is deprecated)"
    ));
    let single_role = found.iter().all(|(_, r)| r == role);
    if single_role && let Some(f) = fix(ctx, p, role) {
        d.fixes.push(f);
    }
    out.push(d);
}
