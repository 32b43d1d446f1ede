use std::cell::OnceCell;
use std::collections::HashMap;

use crate::client::{ClientFile, ImportIndex, Query, is_service_key_name};
use crate::diagnostic::Diagnostic;
use crate::model::Relation;
use crate::rules::client::{Lookup, query_table};
use crate::rules::{ClientUnit, Context, declare_rule};
use crate::sql::ir::QName;
use crate::text::Span;

declare_rule! {
    /// ## What it does
    /// Reports a supabase-js query made through a client created with the
    /// service-role key, on a table that has an owner column, when the query
    /// does not filter on that column (`.eq('user_id', …)`, `.in()`,
    /// `.match({ user_id: … })`, an `.or()` naming it) or, for an insert or
    /// upsert, does not write it. An owner column is one with a foreign key
    /// to `auth.users`, or to a table whose primary key references
    /// `auth.users` (`profiles`); a table's own `id` counts when it
    /// references `auth.users`.
    ///
    /// The client is recognised when the query's receiver is bound in the
    /// same file to `createClient(url, <service-role key>)`, to a call of a
    /// function returning one, or is imported from a project module (a
    /// relative path or the `@/`, `~/` aliases) that binds or returns one.
    /// Other receivers are skipped, and so are head-only counts
    /// (`.select('id', { count: 'exact', head: true })`), which return no row.
    ///
    /// ## Why it matters
    /// The service-role key bypasses row level security: the query sees and
    /// changes every user's rows. Without a filter on the owner column, a
    /// route that takes an id from the request (`.eq('id', params.id)`) lets
    /// any signed-in user read or change other users' data.
    ///
    /// ## Example
    /// ```ts
    /// const { data } = await supabaseAdmin.from('datasets').select('*').eq('id', params.id);
    /// ```
    ///
    /// ## Fix
    /// There is no automatic fix. Scope the query to the signed-in user:
    /// ```ts
    /// const { data } = await supabaseAdmin
    ///   .from('datasets').select('*').eq('id', params.id).eq('user_id', user.id);
    /// ```
    /// or use the per-request client (`createServerClient` from
    /// `@supabase/ssr`) so that row level security applies.
    ///
    /// ## Reference
    /// Seed audit 000 §3.3 (CRITICAL: service role bypasses RLS).
    pub static SERVICE_ROLE_UNSCOPED_QUERY = {
        name: "service-role-unscoped-query",
        category: Security,
        severity: Warning,
        fix: false,
        effort: "1 hour",
        check: check,
    }
}

/// Deepest chain of imports followed to find where a client is created.
const MAX_HOPS: usize = 4;

/// The project's client files by path and indexed for import resolution,
/// built on the first import followed.
struct Imports<'c> {
    units: OnceCell<(ImportIndex<'c>, HashMap<&'c str, &'c ClientUnit<'c>>)>,
}

impl<'c> Imports<'c> {
    /// The file `spec` names when imported from `from` (as
    /// [`crate::client::resolve_import`] over every client file).
    fn resolve(&self, ctx: &'c Context, from: &str, spec: &str) -> Option<&'c ClientUnit<'c>> {
        let (index, by_path) = self.units.get_or_init(|| {
            let index = ImportIndex::new(ctx.clients.iter().map(|c| c.path));
            let mut by_path = HashMap::new();
            for c in ctx.clients {
                // the first file of a path, as a linear search finds it
                by_path.entry(c.path).or_insert(c);
            }
            (index, by_path)
        });
        by_path.get(index.resolve(from, spec)?).copied()
    }
}

/// Whether a function in `unit` (or a module it imports) named `name`
/// returns a service-role client.
fn service_factory<'c>(
    key: fn(&str) -> bool,
    ctx: &'c Context,
    imports: &Imports<'c>,
    unit: &ClientUnit,
    name: &str,
    hops: usize,
) -> bool {
    let ir = &unit.ir;
    if ir
        .clients
        .iter()
        .any(|c| c.factory && c.binding.as_deref() == Some(name))
    {
        return ir.clients.iter().any(|c| {
            c.factory && c.binding.as_deref() == Some(name) && c.key_env.as_deref().is_some_and(key)
        });
    }
    imported(ctx, imports, unit, name, hops).is_some_and(|(target, exported)| {
        service_factory(key, ctx, imports, target, &exported, hops + 1)
    })
}

/// Whether the variable `name` in `unit` holds a service-role client, at
/// `at` (the bindings in functions around `at`, or at module level).
fn service_variable<'c>(
    key: fn(&str) -> bool,
    ctx: &'c Context,
    imports: &Imports<'c>,
    unit: &ClientUnit,
    name: &str,
    at: Span,
    hops: usize,
) -> bool {
    let ir = &unit.ir;
    let visible = |s: Span| {
        s.start <= at.start
            && ir
                .functions
                .iter()
                .filter(|f| f.body.contains(s))
                .all(|f| f.body.contains(at))
    };
    // The last visible binding of the name: a client or a call.
    let client = ir
        .clients
        .iter()
        .filter(|c| !c.factory && c.binding.as_deref() == Some(name) && visible(c.span))
        .map(|c| {
            (
                c.span.start,
                Some(c.key_env.as_deref().is_some_and(key)),
                None,
            )
        })
        .chain(
            ir.call_bindings
                .iter()
                .filter(|b| b.name == name && visible(b.span))
                .map(|b| (b.span.start, None, Some(b.callee.as_str()))),
        )
        .max_by_key(|b| b.0);
    match client {
        Some((_, Some(service), _)) => service,
        Some((_, None, Some(callee))) => service_factory(key, ctx, imports, unit, callee, hops),
        _ => imported(ctx, imports, unit, name, hops).is_some_and(|(target, exported)| {
            service_variable(
                key,
                ctx,
                imports,
                target,
                &exported,
                Span::new(u32::MAX, u32::MAX),
                hops + 1,
            )
        }),
    }
}

/// The module and exported name an imported local refers to.
fn imported<'c>(
    ctx: &'c Context,
    imports: &Imports<'c>,
    unit: &ClientUnit,
    name: &str,
    hops: usize,
) -> Option<(&'c ClientUnit<'c>, String)> {
    if hops >= MAX_HOPS {
        return None;
    }
    let b = unit.ir.import_bindings.iter().find(|b| b.local == name)?;
    let target = imports.resolve(ctx, unit.path, &b.source)?;
    Some((target, b.imported.clone()))
}

/// Answers "does this query run through a service-role client?" for rules
/// outside this file, sharing one import index between questions.
pub(crate) struct ServiceRoleClients<'c>(Imports<'c>);

impl<'c> ServiceRoleClients<'c> {
    pub(crate) fn new() -> Self {
        ServiceRoleClients(Imports {
            units: OnceCell::new(),
        })
    }
    /// Whether the query's client was created with a public (anon or
    /// publishable) key read from a browser-visible env variable
    /// (`NEXT_PUBLIC_SUPABASE_ANON_KEY`): a request made with the user's session,
    /// under row level security.
    pub(crate) fn runs_query_with_public_key(
        &self,
        ctx: &'c Context,
        unit: &ClientUnit,
        q: &Query,
    ) -> bool {
        fn public_key(name: &str) -> bool {
            crate::client::public_prefix(name).is_some() && !is_service_key_name(name)
        }
        through_client_with(public_key, ctx, &self.0, unit, q)
    }
}

/// Whether the query's receiver is a service-role client.
fn through_service_role<'c>(
    ctx: &'c Context,
    imports: &Imports<'c>,
    unit: &ClientUnit,
    q: &Query,
) -> bool {
    through_client_with(is_service_key_name, ctx, imports, unit, q)
}

/// Whether the query's receiver is a client created with a key whose env
/// variable name satisfies `key`.
fn through_client_with<'c>(
    key: fn(&str) -> bool,
    ctx: &'c Context,
    imports: &Imports<'c>,
    unit: &ClientUnit,
    q: &Query,
) -> bool {
    let r = q.receiver.trim();
    let r = r.strip_prefix("await ").unwrap_or(r).trim();
    let ident = |s: &str| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$')
            && !s.starts_with(|c: char| c.is_ascii_digit())
    };
    if let Some(callee) = r.strip_suffix("()") {
        return ident(callee) && service_factory(key, ctx, imports, unit, callee, 0);
    }
    ident(r) && service_variable(key, ctx, imports, unit, r, q.span, 0)
}

/// Columns that hold the owning user's id: a foreign key to `auth.users`, or
/// to a table whose primary key references `auth.users`.
fn owner_columns(ctx: &Context, rel: &Relation) -> Vec<String> {
    let auth_users = QName::new(Some("auth"), "users");
    let is_user_table = |q: &QName| {
        *q == auth_users
            || ctx.model.relation(q).is_some_and(|r| {
                r.primary_key.as_ref().is_some_and(|pk| {
                    pk.len() == 1
                        && r.foreign_keys
                            .iter()
                            .any(|fk| fk.ref_table == auth_users && fk.columns == *pk)
                })
            })
    };
    rel.foreign_keys
        .iter()
        .filter(|fk| fk.columns.len() == 1 && is_user_table(&fk.ref_table))
        .map(|fk| fk.columns[0].clone())
        .collect()
}

/// Whether the query filters on (or writes) one of `columns`.
fn scoped(q: &Query, columns: &[String]) -> bool {
    use crate::client::Arg;
    let has = |c: &str| columns.iter().any(|o| o == c);
    q.ops
        .iter()
        .any(|op| match (op.method.as_str(), op.args.first()) {
            ("eq" | "in" | "is" | "filter" | "contains", Some(Arg::Str(s))) => has(&s.value),
            ("match", Some(Arg::Object { keys, .. })) => keys.iter().any(|(k, _)| has(k)),
            ("or", Some(Arg::Str(s))) => columns.iter().any(|c| s.value.contains(&format!("{c}."))),
            ("insert" | "upsert", Some(Arg::Object { keys, complete, .. })) => {
                !complete || keys.iter().any(|(k, _)| has(k))
            }
            ("insert" | "upsert", Some(Arg::Objects(objects))) => objects.iter().all(|o| match o {
                Arg::Object { keys, complete, .. } => !complete || keys.iter().any(|(k, _)| has(k)),
                _ => true,
            }),
            // A row built elsewhere: the IR cannot see its keys.
            ("insert" | "upsert", Some(Arg::Other(_))) => true,
            _ => false,
        })
}

/// `.select('id', { count: 'exact', head: true })`: a count, no row comes back.
fn head_only(text: &str, q: &Query) -> bool {
    use crate::client::Arg;
    q.op("select").is_some_and(|op| {
        op.args.iter().any(|a| match a {
            Arg::Object { keys, span, .. } => {
                keys.iter().any(|(k, _)| k == "head")
                    && text.get(span.range()).is_some_and(|t| {
                        let t: String = t.chars().filter(|c| !c.is_whitespace()).collect();
                        t.contains("head:true")
                    })
            }
            _ => false,
        })
    })
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let imports = Imports {
        units: OnceCell::new(),
    };
    for unit in ctx.clients {
        let ir: &ClientFile = &unit.ir;
        for q in &ir.queries {
            let Some((name, Lookup::Found(rel))) = query_table(ctx, q) else {
                continue;
            };
            let owners = owner_columns(ctx, rel);
            if owners.is_empty()
                || scoped(q, &owners)
                || head_only(unit.text, q)
                || !through_service_role(ctx, &imports, unit, q)
            {
                continue;
            }
            let cols = owners
                .iter()
                .map(|c| format!("`{c}`"))
                .collect::<Vec<_>>()
                .join(" or ");
            let span = Span::new(q.span.start, (name.span.end + 2).min(q.span.end));
            let mut d = SERVICE_ROLE_UNSCOPED_QUERY.diagnostic(
                unit.path,
                span,
                format!(
                    "query on `{}` through the service-role client `{}` does not filter on its owner column {cols}: row level security does not apply, so it reaches every user's rows",
                    name.value,
                    q.receiver.trim()
                ),
            );
            d.help = Some(format!(
                "scope the query to the signed-in user (`.eq('{}', user.id)`), or use the per-request client so that row level security applies",
                owners[0]
            ));
            out.push(d);
        }
    }
}
