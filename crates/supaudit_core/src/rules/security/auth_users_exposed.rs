use super::api_reachable;
use crate::diagnostic::Diagnostic;
use crate::model::RelKind;
use crate::rules::{Context, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports views and materialized views in an exposed schema that read
    /// `auth.users`.
    ///
    /// ## Why it matters
    /// `auth.users` holds every user's email, phone and metadata. A view over it in
    /// an exposed schema publishes that data through the API; views run with their
    /// owner's rights by default and materialized views ignore RLS entirely.
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
        check: check,
    }
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for rel in ctx.model.project_relations() {
        if !matches!(rel.kind, RelKind::View | RelKind::MaterializedView)
            || !api_reachable(ctx, rel)
        {
            continue;
        }
        let Some(view) = &rel.view else { continue };
        if !view
            .reads
            .iter()
            .any(|q| q.schema.as_deref() == Some("auth") && q.name == "users")
        {
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
