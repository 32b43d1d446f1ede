use crate::diagnostic::Diagnostic;
use crate::rules::{Context, declare_rule};
use crate::sql::ExprKind;

declare_rule! {
    /// ## What it does
    /// Reports policies that read `user_metadata` from the JWT
    /// (`auth.jwt() -> 'user_metadata'`, `auth.jwt() #>> '{user_metadata,role}'`)
    /// or the `raw_user_meta_data` column.
    ///
    /// ## Why it matters
    /// Users can change their own `user_metadata` with `supabase.auth.updateUser()`.
    /// A policy that trusts it (for a role, a tenant, a plan) lets any user grant
    /// themselves access. Use `app_metadata`, which only the server can write.
    ///
    /// ## Example
    /// ```sql
    /// create policy "admins" on public.reports for select
    ///   using ((auth.jwt() -> 'user_metadata' ->> 'role') = 'admin');
    /// ```
    ///
    /// ## Fix
    /// ```sql
    /// using (((select auth.jwt()) -> 'app_metadata' ->> 'role') = 'admin')
    /// ```
    ///
    /// ## Reference
    /// Supabase linter `rls_references_user_metadata`.
    pub static POLICY_USES_USER_METADATA = {
        name: "policy-uses-user-metadata",
        category: Security,
        severity: Error,
        fix: false,
        effort: "1-2 hours",
        check: check,
    }
}

/// `'user_metadata'`, or a path literal such as `'{user_metadata,role}'` (for `#>`/`#>>`).
fn names_user_metadata(s: &str) -> bool {
    if s == "user_metadata" {
        return true;
    }
    s.strip_prefix('{')
        .and_then(|r| r.strip_suffix('}'))
        .is_some_and(|path| {
            path.split(',')
                .any(|p| p.trim().trim_matches('"') == "user_metadata")
        })
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for rel in ctx.model.relations.values() {
        for p in &rel.policies {
            if p.origin.is_platform() {
                continue;
            }
            let hit = p.using.iter().chain(p.with_check.iter()).find_map(|e| {
                e.walk().find(|x| match &x.kind {
                    ExprKind::String(s) => names_user_metadata(s),
                    ExprKind::Column { path } => {
                        path.last().is_some_and(|c| c == "raw_user_meta_data")
                    }
                    _ => false,
                })
            });
            if let Some(hit) = hit {
                let mut d = ctx.at(
                    &POLICY_USES_USER_METADATA,
                    &p.origin,
                    format!(
                        "policy \"{}\" on {} trusts user_metadata, which every user can edit",
                        p.name,
                        rel.display_name()
                    ),
                );
                d.range = hit.span;
                d.help = Some("read authorization data from app_metadata (server-written) or a table the user cannot change".into());
                out.push(d);
            }
        }
    }
}
