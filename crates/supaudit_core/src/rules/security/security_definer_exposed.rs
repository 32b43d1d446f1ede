use crate::diagnostic::Diagnostic;
use crate::rules::helpers::routine_sql_ref;
use crate::rules::{Context, append_stmt_fix, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports SECURITY DEFINER functions in an exposed schema that `anon` or
    /// `authenticated` can still execute (PostgreSQL lets PUBLIC execute every new
    /// function, and Supabase grants `public` functions to the API roles).
    /// Functions returning `trigger` are not reported: they cannot be called
    /// through the API.
    ///
    /// ## Why it matters
    /// Every function in an exposed schema is an RPC endpoint
    /// (`supabase.rpc('name')`). A SECURITY DEFINER function runs with its owner's
    /// rights and bypasses RLS, so any signed-in (or anonymous) user can call it
    /// with arguments of their choice.
    ///
    /// ## Example
    /// ```sql
    /// create function public.grant_credits(uid uuid, amount int) returns void
    /// language sql security definer set search_path = ''
    /// as $$ update public.users set credits = credits + amount where id = uid $$;
    /// ```
    ///
    /// ## Fix
    /// ```sql
    /// revoke execute on function public.grant_credits(uuid, int) from anon, authenticated, public;
    /// ```
    /// The fix is unsafe: clients that call the function over the API stop being
    /// able to. Grant it back to the roles that need it, or move the function to a
    /// schema that is not exposed.
    ///
    /// ## Reference
    /// Supabase linter `anon_security_definer_function_executable` and
    /// `authenticated_security_definer_function_executable`.
    pub static SECURITY_DEFINER_EXPOSED = {
        name: "security-definer-exposed",
        category: Security,
        severity: Warning,
        fix: true,
        effort: "30 min",
        check: check,
    }
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for f in ctx.model.project_functions() {
        if !f.security_definer || f.returns_trigger() || !ctx.is_exposed(&f.schema) {
            continue;
        }
        let roles: Vec<&str> = ["anon", "authenticated"]
            .into_iter()
            .filter(|r| f.executable_by(r))
            .collect();
        if roles.is_empty() {
            continue;
        }
        let mut d = ctx.at(
            &SECURITY_DEFINER_EXPOSED,
            &f.origin,
            format!(
                "security definer function {} can be called through the API by {}",
                f.display_name(),
                roles.join(" and ")
            ),
        );
        d.help = Some("revoke execute from anon, authenticated and public, then grant it only to the roles that need it".into());
        d.fixes.push(append_stmt_fix(
            ctx,
            &f.last_changed,
            format!("Revoke execute on {} from the API roles", f.display_name()),
            &format!(
                "revoke execute on {} from anon, authenticated, public;",
                routine_sql_ref(f)
            ),
            false,
        ));
        out.push(d);
    }
}
