use crate::diagnostic::Diagnostic;
use crate::rules::{Context, declare_rule};
use crate::sql::PolicyCommand;

declare_rule! {
    /// ## What it does
    /// Reports INSERT, UPDATE, DELETE or ALL policies for `anon`, `authenticated`
    /// or `public` whose `USING` or `WITH CHECK` expression is just `true`.
    ///
    /// ## Why it matters
    /// Such a policy lets every API user write any row, including other users'
    /// rows, which defeats row level security for that command. Read-only
    /// (`for select`) policies that are `true` are a deliberate public read and
    /// are not reported, nor are restrictive policies (a restrictive `true`
    /// restricts nothing but grants nothing either).
    ///
    /// ## Example
    /// ```sql
    /// create policy "anyone can send feedback" on public.feedback
    ///   for insert to anon with check (true);
    /// ```
    ///
    /// ## Fix
    /// Constrain the row: `with check ((select auth.uid()) = user_id)`, or move the
    /// write behind a server endpoint or a validated RPC.
    ///
    /// ## Reference
    /// Seed audit 000 §3.1; Supabase linter `rls_policy_always_true`.
    pub static POLICY_ALWAYS_TRUE = {
        name: "policy-always-true",
        category: Security,
        severity: Warning,
        fix: false,
        effort: "1 hour",
        check: check,
    }
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for rel in ctx.model.relations.values() {
        for p in &rel.policies {
            if p.origin.is_platform() || !p.permissive || p.command == PolicyCommand::Select {
                continue;
            }
            if !p
                .roles
                .iter()
                .any(|r| matches!(r.as_str(), "anon" | "authenticated" | "public"))
            {
                continue;
            }
            let which = match (&p.using, &p.with_check) {
                (Some(u), _) if u.is_true() && p.command != PolicyCommand::Insert => "USING",
                (_, Some(c)) if c.is_true() => "WITH CHECK",
                // For ALL/UPDATE without WITH CHECK, USING is also the check.
                _ => continue,
            };
            let mut d = ctx.at(
                &POLICY_ALWAYS_TRUE,
                &p.origin,
                format!(
                    "policy \"{}\" on {} lets {} {} any row: its {which} is `true`",
                    p.name,
                    rel.display_name(),
                    p.roles.join(", "),
                    match p.command {
                        PolicyCommand::All => "read and write",
                        PolicyCommand::Insert => "insert",
                        PolicyCommand::Update => "update",
                        PolicyCommand::Delete => "delete",
                        PolicyCommand::Select => "read",
                    }
                ),
            );
            d.range = p.origin.stmt;
            d.help = Some("tie the row to the user, e.g. `with check ((select auth.uid()) = user_id)`, or restrict the roles".into());
            out.push(d);
        }
    }
}
