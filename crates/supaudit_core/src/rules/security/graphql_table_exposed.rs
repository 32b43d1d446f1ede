use crate::diagnostic::Diagnostic;
use crate::rules::{Context, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports tables and views in an exposed schema that `anon` or
    /// `authenticated` can read while the `pg_graphql` extension is installed
    /// (it is, by default, on Supabase).
    ///
    /// ## Why it matters
    /// pg_graphql publishes the name, columns and relationships of every relation
    /// a role can select from in its introspection schema. Even with RLS hiding the
    /// rows, the structure of your data is public. Revoke what clients never
    /// query, or drop pg_graphql if you do not use GraphQL.
    ///
    /// ## Example
    /// ```sql
    /// create table public.internal_flags (id bigint primary key, name text);
    /// ```
    ///
    /// ## Fix
    /// ```sql
    /// revoke select on public.internal_flags from anon;
    /// ```
    /// or `drop extension pg_graphql;` when the project does not use GraphQL.
    ///
    /// ## Reference
    /// Supabase linter `pg_graphql_anon_table_exposed` and
    /// `pg_graphql_authenticated_table_exposed`.
    pub static GRAPHQL_TABLE_EXPOSED = {
        name: "graphql-table-exposed",
        category: Security,
        severity: Info,
        fix: false,
        effort: "15 min",
        check: check,
    }
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    if !ctx.model.has_extension("pg_graphql") {
        return;
    }
    for rel in ctx.model.project_relations() {
        if !ctx.is_exposed(&rel.schema) {
            continue;
        }
        let roles: Vec<&str> = ["anon", "authenticated"]
            .into_iter()
            .filter(|r| rel.readable_by(r))
            .collect();
        if roles.is_empty() {
            continue;
        }
        let mut d = ctx.at(
            &GRAPHQL_TABLE_EXPOSED,
            &rel.origin,
            format!(
                "{} {} is visible in the GraphQL schema to {}",
                rel.kind.as_str(),
                rel.display_name(),
                roles.join(" and ")
            ),
        );
        d.help = Some(
            "revoke select from roles that never query it, or drop pg_graphql if GraphQL is unused"
                .into(),
        );
        out.push(d);
    }
}
