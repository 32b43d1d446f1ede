use super::{api_reachable, enable_rls_fix, sensitive_columns};
use crate::diagnostic::Diagnostic;
use crate::model::RelKind;
use crate::rules::{Context, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports tables in an exposed schema that do not have row level security
    /// enabled at the end of the migration history.
    ///
    /// ## Why it matters
    /// Everything in an exposed schema (`public` by default) is reachable through
    /// the Data API with the `anon` key, which ships in every browser bundle.
    /// Supabase grants `anon` and `authenticated` all privileges on new tables in
    /// `public`, so without RLS anyone can read and change every row.
    ///
    /// Tables whose API grants were revoked are not reported, and tables that hold
    /// personal data are reported as `sensitive-columns-exposed` instead, and
    /// tables that already have policies as `policy-exists-rls-disabled`.
    ///
    /// ## Example
    /// ```sql
    /// create table public.audit_logs (id bigint primary key, action text);
    /// ```
    ///
    /// ## Fix
    /// ```sql
    /// create table public.audit_logs (id bigint primary key, action text);
    /// alter table public.audit_logs enable row level security;
    /// ```
    /// The fix is unsafe: once RLS is on, the API sees no rows until policies
    /// allow it. Add the policies your clients need.
    ///
    /// ## Reference
    /// Seed audit 002 "No RLS policies"; Supabase linter `rls_disabled_in_public`.
    pub static RLS_DISABLED = {
        name: "rls-disabled",
        category: Security,
        severity: Error,
        fix: true,
        effort: "1 hour",
        check: check,
    }
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for rel in ctx.model.project_relations() {
        if rel.kind != RelKind::Table
            || rel.rls_enabled
            || !rel.policies.is_empty()
            || !api_reachable(ctx, rel)
            || !sensitive_columns(rel).is_empty()
        {
            continue;
        }
        let mut d = ctx.at(
            &RLS_DISABLED,
            &rel.origin,
            format!(
                "table {} is exposed to the API without row level security",
                rel.display_name()
            ),
        );
        d.help = Some("anyone with the anon key can read and write every row; enable RLS and add policies, or revoke API access from anon and authenticated".to_string());
        d.fixes.push(enable_rls_fix(ctx, rel));
        out.push(d);
    }
}
