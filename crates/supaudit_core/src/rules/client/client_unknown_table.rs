use super::{Lookup, did_you_mean, query_table, str_span};
use crate::diagnostic::{Diagnostic, Edit, Fix};
use crate::rules::{Context, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports `.from('name')` calls in client code whose table or view no
    /// migration creates, or creates only in a schema the API does not expose.
    ///
    /// ## Why it matters
    /// The query fails at run time with `relation "public.name" does not exist`
    /// (PostgREST error `42P01`), usually in a code path nobody tried locally:
    /// the schema drifted from the code, a migration was never committed, or the
    /// name has a typo. supaudit replays the migrations, so it knows every table
    /// the database will have.
    ///
    /// The name is looked up in the schema given by `.schema('s')`, else in the
    /// exposed schemas (`[api] schemas` in `supabase/config.toml`). Projects
    /// without migrations are not checked.
    ///
    /// ## Example
    /// ```ts
    /// // the migrations create public.profiles
    /// const { data } = await supabase.from('profile').select('id');
    /// ```
    ///
    /// ## Fix
    /// ```ts
    /// const { data } = await supabase.from('profiles').select('id');
    /// ```
    /// When a table with a close name exists, the fix renames the reference. It
    /// is unsafe: check that the suggested table is the one you meant.
    ///
    /// ## Reference
    /// Seed audit 004 #4 (schema/code drift).
    pub static CLIENT_UNKNOWN_TABLE = {
        name: "client-unknown-table",
        category: Client,
        severity: Error,
        fix: true,
        effort: "30 min",
        check: check,
    }
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for unit in ctx.clients {
        for q in &unit.ir.queries {
            let Some((name, Lookup::Missing)) = query_table(ctx, q) else {
                continue;
            };
            let schema = q.table().and_then(|t| t.1);
            // The name exists, but in a schema PostgREST does not serve.
            if schema.is_none()
                && let Some(r) = ctx
                    .model
                    .relations
                    .values()
                    .find(|r| r.name == name.value && !ctx.is_exposed(&r.schema))
            {
                let mut d = CLIENT_UNKNOWN_TABLE.diagnostic(
                    unit.path,
                    str_span(name),
                    format!(
                        "`{}` exists in schema `{}`, which the API does not expose",
                        name.value, r.schema
                    ),
                );
                d.help = Some(format!(
                    "add `{}` to `[api] schemas` in supabase/config.toml (with grants), or read it through a view or function in an exposed schema; the query fails at run time",
                    r.schema
                ));
                out.push(d);
                continue;
            }
            let candidates = ctx.model.project_relations().filter(|r| match schema {
                Some(s) => r.schema == s,
                None => ctx.is_exposed(&r.schema),
            });
            let suggestion = did_you_mean(&name.value, candidates.map(|r| r.name.as_str()));
            let mut d = CLIENT_UNKNOWN_TABLE.diagnostic(
                unit.path,
                str_span(name),
                format!(
                    "no migration creates a table or view `{}`{}",
                    name.value,
                    schema
                        .map(|s| format!(" in schema `{s}`"))
                        .unwrap_or_default()
                ),
            );
            match suggestion {
                Some(s) => {
                    d.help = Some(format!("did you mean `{s}`?"));
                    if name.exact {
                        d.fixes.push(Fix::unsafe_(
                            format!("Use table `{s}`"),
                            vec![Edit::replace(unit.path, name.span, s)],
                        ));
                    }
                }
                None => {
                    d.help = Some(
                        "create the table in a migration, or fix the name; the query fails with 42P01 at run time"
                            .to_string(),
                    )
                }
            }
            out.push(d);
        }
    }
}
