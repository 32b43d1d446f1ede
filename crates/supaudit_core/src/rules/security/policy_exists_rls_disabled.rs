use super::enable_rls_fix;
use crate::diagnostic::Diagnostic;
use crate::model::RelKind;
use crate::rules::{Context, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports tables that have policies while row level security is disabled.
    ///
    /// ## Why it matters
    /// Policies only apply once RLS is enabled. Until then they are dead code that
    /// makes the table look protected while every row is open to the API.
    ///
    /// ## Example
    /// ```sql
    /// create table public.notes (id bigint primary key, user_id uuid);
    /// create policy "own notes" on public.notes using ((select auth.uid()) = user_id);
    /// ```
    ///
    /// ## Fix
    /// ```sql
    /// alter table public.notes enable row level security;
    /// ```
    /// The fix is unsafe: it changes who can read the table (to what the policies say).
    ///
    /// ## Reference
    /// Supabase linter `policy_exists_rls_disabled`.
    pub static POLICY_EXISTS_RLS_DISABLED = {
        name: "policy-exists-rls-disabled",
        category: Security,
        severity: Error,
        fix: true,
        effort: "15 min",
        check: check,
    }
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for rel in ctx.model.project_relations() {
        if rel.kind != RelKind::Table || rel.rls_enabled || rel.policies.is_empty() {
            continue;
        }
        let names: Vec<String> = rel
            .policies
            .iter()
            .map(|p| format!("\"{}\"", p.name))
            .collect();
        let origin = rel.rls_origin.unwrap_or(rel.origin);
        let mut d = ctx.at(
            &POLICY_EXISTS_RLS_DISABLED,
            &origin,
            format!(
                "table {} has policies ({}) but row level security is disabled, so they do nothing",
                rel.display_name(),
                names.join(", ")
            ),
        );
        d.help = Some("enable row level security on the table".into());
        d.fixes.push(enable_rls_fix(ctx, rel));
        out.push(d);
    }
}
