use crate::diagnostic::Diagnostic;
use crate::model::RelKind;
use crate::rules::{Context, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports materialized views in an exposed schema that `anon` or
    /// `authenticated` can read.
    ///
    /// ## Why it matters
    /// Materialized views cannot have row level security. Whatever rows they hold
    /// are served to every API user, whatever the policies of the tables they
    /// were built from.
    ///
    /// ## Example
    /// ```sql
    /// create materialized view public.model_usage_stats as
    ///   select user_id, count(*) from public.generations group by user_id;
    /// ```
    ///
    /// ## Fix
    /// Move it to a schema that is not exposed and read it through a security
    /// invoker function, or `revoke select on public.model_usage_stats from anon, authenticated;`.
    ///
    /// ## Reference
    /// Seed audit 002 (mv_capability_stats); Supabase linter `materialized_view_in_api`.
    pub static MATERIALIZED_VIEW_IN_API = {
        name: "materialized-view-in-api",
        category: Security,
        severity: Warning,
        fix: false,
        effort: "30 min",
        check: check,
    }
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for rel in ctx.model.project_relations() {
        // Materialized views cannot be written: only SELECT exposes them.
        if rel.kind != RelKind::MaterializedView
            || !ctx.is_exposed(&rel.schema)
            || !(rel.readable_by("anon") || rel.readable_by("authenticated"))
        {
            continue;
        }
        let mut d = ctx.at(
            &MATERIALIZED_VIEW_IN_API,
            &rel.origin,
            format!(
                "materialized view {} is readable through the API, and row level security cannot protect it",
                rel.display_name()
            ),
        );
        d.help = Some(
            "move it out of the exposed schemas or revoke select from anon and authenticated"
                .into(),
        );
        out.push(d);
    }
}
