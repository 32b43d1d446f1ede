use super::api_reachable;
use crate::diagnostic::Diagnostic;
use crate::model::RelKind;
use crate::rules::{Context, declare_rule};
use crate::sql::QName;

declare_rule! {
    /// ## What it does
    /// Reports views and materialized views in an exposed schema that read
    /// `auth.users` and that `anon` or `authenticated` can use.
    ///
    /// Views created `with (security_invoker = true)` are not reported while the
    /// API roles have no privileges on `auth.users` (the Supabase default): they
    /// read it with the caller's rights, so the API gets nothing through them.
    ///
    /// ## Why it matters
    /// `auth.users` holds every user's email, phone and metadata. A view over it in
    /// an exposed schema publishes that data through the API; views run with their
    /// owner's rights by default and materialized views ignore RLS entirely. A
    /// simple view is also updatable, so write privileges on it let API users
    /// change `auth.users` rows.
    ///
    /// ## Example
    /// ```sql
    /// create view public.user_directory as select id, email from auth.users;
    /// ```
    ///
    /// ## Fix
    /// Keep a `public.profiles` table filled by a trigger on `auth.users`, with RLS,
    /// and expose only the columns users should see.
    ///
    /// ## Reference
    /// Supabase linter `auth_users_exposed`.
    pub static AUTH_USERS_EXPOSED = {
        name: "auth-users-exposed",
        category: Security,
        severity: Error,
        fix: false,
        effort: "1 hour",
        check: check,
    }
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let users = QName::new(Some("auth"), "users");
    // Whether the API roles hold any privilege on auth.users themselves.
    let users_granted = ctx.model.relation(&users).is_some_and(|u| {
        ["anon", "authenticated", "public"]
            .iter()
            .any(|r| u.grants.get(*r).is_some_and(|p| !p.is_empty()))
    });
    for rel in ctx.model.project_relations() {
        let reachable = match rel.kind {
            // Materialized views cannot be written: only SELECT exposes them.
            RelKind::MaterializedView => {
                ctx.is_exposed(&rel.schema)
                    && (rel.readable_by("anon") || rel.readable_by("authenticated"))
            }
            // Simple views are updatable: any privilege exposes them.
            RelKind::View => api_reachable(ctx, rel),
            _ => false,
        };
        if !reachable {
            continue;
        }
        let Some(view) = &rel.view else { continue };
        if !view.reads.contains(&users) {
            continue;
        }
        let invoker = view
            .option("security_invoker")
            .is_some_and(|v| matches!(v, "true" | "on" | "1" | "yes"));
        if rel.kind == RelKind::View && invoker && !users_granted {
            continue;
        }
        let mut d = ctx.at(
            &AUTH_USERS_EXPOSED,
            &rel.origin,
            format!(
                "{} {} exposes auth.users through the API",
                rel.kind.as_str(),
                rel.display_name()
            ),
        );
        d.help = Some("read from a profiles table with RLS instead, or move the view to a schema that is not exposed".into());
        out.push(d);
    }
}
