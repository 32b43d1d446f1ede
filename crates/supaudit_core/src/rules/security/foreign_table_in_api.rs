use super::api_reachable;
use crate::diagnostic::Diagnostic;
use crate::model::RelKind;
use crate::rules::{Context, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports foreign tables in an exposed schema that `anon` or `authenticated`
    /// can read or write.
    ///
    /// ## Why it matters
    /// Foreign tables (postgres_fdw, wrappers) do not support row level security.
    /// In an exposed schema the API serves every row of the remote data, and
    /// writes go straight to the remote table (postgres_fdw supports INSERT,
    /// UPDATE and DELETE), so revoking only SELECT is not enough.
    ///
    /// ## Example
    /// ```sql
    /// create foreign table public.stripe_customers (id text, email text) server stripe_server;
    /// ```
    ///
    /// ## Fix
    /// Create foreign tables in a private schema and expose what is needed through
    /// a security invoker view or a function that checks the caller.
    ///
    /// ## Reference
    /// Supabase linter `foreign_table_in_api`.
    pub static FOREIGN_TABLE_IN_API = {
        name: "foreign-table-in-api",
        category: Security,
        severity: Warning,
        fix: false,
        effort: "30 min",
        check: check,
    }
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for rel in ctx.model.project_relations() {
        if rel.kind != RelKind::ForeignTable || !api_reachable(ctx, rel) {
            continue;
        }
        let access = if rel.readable_by("anon") || rel.readable_by("authenticated") {
            "readable"
        } else {
            "writable"
        };
        let mut d = ctx.at(
            &FOREIGN_TABLE_IN_API,
            &rel.origin,
            format!(
                "foreign table {} is {access} through the API, and row level security cannot protect it",
                rel.display_name()
            ),
        );
        d.help = Some(
            "move it to a schema that is not exposed, or revoke all privileges from anon and authenticated"
                .into(),
        );
        out.push(d);
    }
}
