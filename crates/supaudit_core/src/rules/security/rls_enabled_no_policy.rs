use super::api_reachable;
use crate::diagnostic::Diagnostic;
use crate::model::RelKind;
use crate::rules::helpers::{owner_column, quote_ident, rel_sql_name};
use crate::rules::{Context, append_stmt_fix, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports exposed tables that have row level security enabled but no policy.
    ///
    /// ## Why it matters
    /// With RLS on and no policy, every query through the API returns nothing and
    /// every write fails: only `service_role` (which bypasses RLS) can use the
    /// table. That is sometimes intended (a server-only table), but often a
    /// policy was forgotten and the app silently shows empty lists.
    ///
    /// ## Example
    /// ```sql
    /// create table public.api_usage (id bigint primary key, user_id uuid references auth.users);
    /// alter table public.api_usage enable row level security;
    /// ```
    ///
    /// ## Fix
    /// When the table has an owner column (a foreign key to `auth.users`, or
    /// `user_id`/`owner_id`), a policy skeleton that lets users read their own rows:
    /// ```sql
    /// create policy "api_usage_select_own" on public.api_usage
    ///   for select to authenticated using ((select auth.uid()) = user_id);
    /// ```
    /// The fix is unsafe: review who should read the table before applying it.
    /// For a server-only table, revoke the API grants instead or ignore this rule
    /// for it.
    ///
    /// ## Reference
    /// Supabase linter `rls_enabled_no_policy`.
    pub static RLS_ENABLED_NO_POLICY = {
        name: "rls-enabled-no-policy",
        category: Security,
        severity: Info,
        fix: true,
        effort: "1 hour",
        check: check,
    }
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for rel in ctx.model.project_relations() {
        if rel.kind != RelKind::Table
            || !rel.rls_enabled
            || !rel.policies.is_empty()
            || !api_reachable(ctx, rel)
        {
            continue;
        }
        let origin = rel.rls_origin.unwrap_or(rel.origin);
        let mut d = ctx.at(
            &RLS_ENABLED_NO_POLICY,
            &origin,
            format!(
                "table {} has row level security enabled but no policy: the API can neither read nor write it",
                rel.display_name()
            ),
        );
        d.help = Some("add policies for the commands clients need, or revoke the table from anon and authenticated if only the server uses it".into());
        if let Some(owner) = owner_column(rel) {
            let sql = format!(
                "create policy {} on {} for select to authenticated using ((select auth.uid()) = {});",
                quote_ident(&format!("{}_select_own", rel.name)),
                rel_sql_name(rel),
                quote_ident(&owner)
            );
            d.fixes.push(append_stmt_fix(
                ctx,
                &rel.last_changed,
                format!("Add a policy letting users read their own rows (by {owner})"),
                &sql,
                false,
            ));
        }
        out.push(d);
    }
}
