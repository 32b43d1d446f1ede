use crate::diagnostic::Diagnostic;
use crate::rules::{Context, declare_rule};
use crate::text::Span;

declare_rule! {
    /// ## What it does
    /// Reports a project whose migrations never enable `pg_stat_statements`.
    /// Off by default: hosted Supabase projects have it preinstalled, so turn
    /// the rule on (`[rules] stats-extension-missing = "info"`) when the
    /// database is self-hosted or the team wants the extension declared in the
    /// migration history.
    ///
    /// ## Why it matters
    /// Without query statistics nobody can tell which queries are slow or
    /// frequent; performance work (indexes, the N+1 loops this tool reports)
    /// starts from `pg_stat_statements`.
    ///
    /// ## Example
    /// A migration history with no `create extension pg_stat_statements`.
    ///
    /// ## Fix
    /// ```sql
    /// create extension if not exists pg_stat_statements with schema extensions;
    /// ```
    ///
    /// ## Reference
    /// Seed audit 000 §10.1 (database monitoring).
    pub static STATS_EXTENSION_MISSING = {
        name: "stats-extension-missing",
        category: Config,
        severity: Info,
        fix: false,
        effort: "5 min",
        default_enabled: false,
        check: check,
    }
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let Some(first) = ctx.sql.first() else {
        return;
    };
    let enabled_by_project = ctx.sql.iter().any(|u| {
        u.sql.stmts.iter().any(|s| {
            matches!(&s.kind, crate::sql::StmtKind::CreateExtension { name, .. } if name == "pg_stat_statements")
        })
    });
    if enabled_by_project {
        return;
    }
    // On the config file when there is one, else at the top of the first migration.
    let path = super::config(ctx).map_or(first.path, |(f, _)| f.path.as_str());
    let mut d = STATS_EXTENSION_MISSING.diagnostic(
        path,
        Span::empty(0),
        "no migration enables pg_stat_statements (query statistics)",
    );
    d.help = Some("add `create extension if not exists pg_stat_statements with schema extensions;` to a migration".to_string());
    out.push(d);
}
