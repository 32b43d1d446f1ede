use crate::diagnostic::Diagnostic;
use crate::model::Policy;
use crate::rules::{Context, declare_rule};
use crate::sql::PolicyCommand;

declare_rule! {
    /// ## What it does
    /// Reports tables with more than one permissive policy for the same role and
    /// command.
    ///
    /// The roles are `anon` and `authenticated` (`public` covers both); a
    /// `for all` policy overlaps every command. Commands whose overlapping
    /// policies are the same are reported together, at the last of the policies.
    ///
    /// ## Why it matters
    /// PostgreSQL evaluates every permissive policy that applies and ORs the
    /// results, for every row. Two policies cost twice, and the combined rule is
    /// harder to review. Merge them into one policy with `or`.
    ///
    /// ## Example
    /// ```sql
    /// create policy "own" on public.generations for select to authenticated using ((select auth.uid()) = user_id);
    /// create policy "public" on public.generations for select to authenticated using (is_public);
    /// ```
    ///
    /// ## Fix
    /// ```sql
    /// create policy "own or public" on public.generations for select to authenticated
    ///   using ((select auth.uid()) = user_id or is_public);
    /// ```
    ///
    /// ## Reference
    /// Supabase linter `multiple_permissive_policies`.
    pub static MULTIPLE_PERMISSIVE_POLICIES = {
        name: "multiple-permissive-policies",
        category: Performance,
        severity: Warning,
        fix: false,
        effort: "1 hour",
        check: check,
    }
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for rel in ctx.model.relations.values() {
        // Per command: the roles with overlapping policies, and those policies.
        // Commands with the same roles and policies are reported together.
        let mut groups: Vec<(Vec<&str>, Vec<&Policy>, Vec<PolicyCommand>)> = Vec::new();
        for cmd in [
            PolicyCommand::Select,
            PolicyCommand::Insert,
            PolicyCommand::Update,
            PolicyCommand::Delete,
        ] {
            let mut roles_hit: Vec<&str> = Vec::new();
            let mut policies: Vec<&Policy> = Vec::new();
            for role in ["anon", "authenticated"] {
                let ps: Vec<&Policy> = rel
                    .policies
                    .iter()
                    .filter(|p| p.permissive && p.command.covers(cmd) && p.applies_to(role))
                    .collect();
                if ps.len() > 1 && ps.iter().any(|p| !p.origin.is_platform()) {
                    roles_hit.push(role);
                    for p in ps {
                        if !policies.iter().any(|x| x.name == p.name) {
                            policies.push(p);
                        }
                    }
                }
            }
            if roles_hit.is_empty() {
                continue;
            }
            policies.sort_by_key(|p| (p.origin.order, p.origin.stmt.start));
            match groups.iter_mut().find(|(r, ps, _)| {
                *r == roles_hit
                    && ps.len() == policies.len()
                    && ps.iter().zip(&policies).all(|(a, b)| a.name == b.name)
            }) {
                Some(g) => g.2.push(cmd),
                None => groups.push((roles_hit, policies, vec![cmd])),
            }
        }
        for (roles_hit, policies, cmds) in groups {
            let last = policies.last().unwrap();
            let names: Vec<String> = policies.iter().map(|p| format!("\"{}\"", p.name)).collect();
            let cmds: Vec<String> = cmds.iter().map(|c| c.as_str().to_uppercase()).collect();
            let mut d = ctx.at(
                &MULTIPLE_PERMISSIVE_POLICIES,
                &last.origin,
                format!(
                    "table {} has {} permissive policies for {} to {}: {}",
                    rel.display_name(),
                    policies.len(),
                    cmds.join(", "),
                    roles_hit.join(" and "),
                    names.join(", ")
                ),
            );
            d.range = last.origin.stmt;
            d.help = Some("merge them into one policy whose condition ORs theirs".into());
            out.push(d);
        }
    }
}
