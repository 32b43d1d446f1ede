use crate::diagnostic::Diagnostic;
use crate::model::Origin;
use crate::rules::helpers::qualified;
use crate::rules::{Context, declare_rule};
use crate::sql::{Grant, GrantObject, QName, StmtContext, StmtKind};

declare_rule! {
    /// ## What it does
    /// Reports `grant` statements of the project that give `anon` (or `public`,
    /// which includes `anon`) `all` privileges or a write privilege (`insert`,
    /// `update`, `delete`, `truncate`) on a table in an exposed schema, or on
    /// all tables of one.
    ///
    /// The grants Supabase itself makes (its default privileges in `public`)
    /// are not findings: only GRANT statements in the project are reported, at
    /// the statement. Also not reported: grants restating those defaults the
    /// way `supabase db dump` writes them (`grant all … to anon`, or the full
    /// privilege list, with the same grant to `service_role` in the same file), column-level grants
    /// (`grant update (col)`), grants in function bodies (not run by the
    /// migration), and grants whose table was dropped or whose privileges were
    /// revoked again by the end of the history (a table renamed later is not
    /// followed).
    ///
    /// ## Why it matters
    /// `anon` is everybody holding the public API key, which ships in every
    /// browser bundle. An explicit write grant to it says "visitors may change
    /// this table": only row level security policies stand between it and
    /// every row, and without RLS anyone can rewrite or empty the table. It is
    /// the "weak access controls" of seed audit 002.
    ///
    /// ## Example
    /// ```sql
    /// -- The marketplace is browsed without signing in.
    /// grant select, insert, update, delete on public.capabilities to anon;
    /// ```
    ///
    /// ## Fix
    /// Grant `anon` only what visitors need, usually `select`, and let signed-in
    /// users write through `authenticated` and RLS policies:
    /// ```sql
    /// revoke insert, update, delete, truncate on public.capabilities from anon;
    /// ```
    ///
    /// ## Reference
    /// Seed audit 002 "Weak access controls"; Supabase docs, "Securing your API".
    pub static GRANT_ALL_TO_ANON = {
        name: "grant-all-to-anon",
        category: Security,
        severity: Warning,
        fix: false,
        effort: "30 min",
        check: check,
    }
}

const WRITES: &[&str] = &["all", "insert", "update", "delete", "truncate"];

/// Whether the same file also grants `service_role` at least the same
/// privileges on the same object (the shape of `supabase db dump` output,
/// which restates the platform's default grants to `anon`, `authenticated` and
/// `service_role` table by table, as `all` or as the full privilege list).
fn restates_defaults(ctx: &Context, file: crate::model::FileId, g: &Grant) -> bool {
    let covers = |o: &Grant| {
        o.privileges.iter().any(|p| p == "all")
            || g.privileges.iter().all(|p| o.privileges.contains(p))
    };
    if g.roles.iter().any(|r| r == "service_role") {
        return true;
    }
    ctx.sql
        .iter()
        .filter(|u| u.file == file)
        .flat_map(|u| u.sql.stmts.iter())
        .any(|s| {
            matches!(&s.kind, StmtKind::Grant(o)
                if o.is_grant
                    && o.object == g.object
                    && o.roles.iter().any(|r| r == "service_role")
                    && covers(o))
        })
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for unit in ctx.sql {
        for s in &unit.sql.stmts {
            let StmtKind::Grant(g) = &s.kind else {
                continue;
            };
            if !g.is_grant || s.context == StmtContext::FunctionBody {
                continue;
            }
            let roles: Vec<&str> = g
                .roles
                .iter()
                .map(String::as_str)
                .filter(|r| matches!(*r, "anon" | "public"))
                .collect();
            let privs: Vec<&str> = g
                .privileges
                .iter()
                .map(String::as_str)
                .filter(|p| WRITES.contains(p))
                .collect();
            if roles.is_empty() || privs.is_empty() || restates_defaults(ctx, unit.file, g) {
                continue;
            }
            // Objects the grant still matters for at the end of the history.
            let (targets, rls_off) = match &g.object {
                GrantObject::Tables(names) => {
                    let mut targets = Vec::new();
                    let mut rls_off = false;
                    for n in names {
                        let schema = n.schema_or_public();
                        if !ctx.is_exposed(schema) {
                            continue;
                        }
                        let Some(rel) = ctx.model.relation(&QName::new(Some(schema), &n.name))
                        else {
                            continue;
                        };
                        let still = roles.iter().any(|r| {
                            privs.iter().any(|p| {
                                rel.grants
                                    .get(*r)
                                    .is_some_and(|set| set.contains(*p) || set.contains("all"))
                            })
                        });
                        if still {
                            rls_off |= !rel.rls_enabled;
                            targets.push(qualified(schema, &n.name));
                        }
                    }
                    (targets, rls_off)
                }
                GrantObject::AllTablesInSchema(schemas) => (
                    schemas
                        .iter()
                        .filter(|s| ctx.is_exposed(s))
                        .map(|s| format!("every table in schema {s}"))
                        .collect(),
                    false,
                ),
                _ => continue,
            };
            if targets.is_empty() {
                continue;
            }
            let origin = Origin {
                file: unit.file,
                order: unit.order,
                stmt: s.span,
                span: s.span,
            };
            let what = if privs.contains(&"all") {
                "all privileges".to_string()
            } else {
                privs
                    .iter()
                    .map(|p| p.to_ascii_uppercase())
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            let who: Vec<&str> = roles
                .iter()
                .map(|r| {
                    if *r == "public" {
                        "PUBLIC (anon included)"
                    } else {
                        r
                    }
                })
                .collect();
            let mut message = format!(
                "grant gives {} {what} on {}",
                who.join(" and "),
                targets.join(", ")
            );
            if rls_off {
                message.push_str(", which has no row level security: anyone with the anon key can change its rows");
            } else {
                message.push_str(": row level security policies are all that stand between visitors and the rows");
            }
            let mut d = ctx.at(&GRANT_ALL_TO_ANON, &origin, message);
            d.help = Some(format!(
                "grant {} only what visitors need (usually `select`) and let signed-in users write as `authenticated` through RLS policies",
                roles.join(" and ")
            ));
            out.push(d);
        }
    }
}
