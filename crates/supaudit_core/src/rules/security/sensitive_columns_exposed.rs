use super::{api_reachable, enable_rls_fix, sensitive_columns};
use crate::diagnostic::Diagnostic;
use crate::model::RelKind;
use crate::rules::{Context, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports tables in an exposed schema, without row level security, that hold
    /// personal data: columns such as `email`, `phone`, `ssn`, `address`,
    /// `date_of_birth`, `password` or `access_token`. It is reported instead of
    /// `rls-disabled` and lists the columns.
    ///
    /// ## Why it matters
    /// Without RLS the Data API serves these columns to anyone holding the public
    /// `anon` key: a data breach waiting for someone to open the browser console.
    ///
    /// ## Example
    /// ```sql
    /// create table public.waitlist (id bigint primary key, email text, phone text);
    /// ```
    ///
    /// ## Fix
    /// ```sql
    /// alter table public.waitlist enable row level security;
    /// ```
    /// The fix is unsafe: after it, only policies grant access.
    ///
    /// ## Reference
    /// Supabase linter `sensitive_columns_exposed`.
    pub static SENSITIVE_COLUMNS_EXPOSED = {
        name: "sensitive-columns-exposed",
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
        {
            continue;
        }
        let cols = sensitive_columns(rel);
        if cols.is_empty() {
            continue;
        }
        let mut d = ctx.at(
            &SENSITIVE_COLUMNS_EXPOSED,
            &rel.origin,
            format!(
                "table {} exposes personal data ({}) to the API without row level security",
                rel.display_name(),
                cols.join(", ")
            ),
        );
        d.help = Some("enable RLS and add policies that limit each user to their own rows".into());
        d.fixes.push(enable_rls_fix(ctx, rel));
        out.push(d);
    }
}
