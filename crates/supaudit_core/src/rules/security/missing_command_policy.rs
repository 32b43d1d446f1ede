use super::api_reachable;
use super::policy_auth_role_deprecated::{is_jwt_claim, unwrap_scalar};
use crate::diagnostic::Diagnostic;
use crate::model::{Origin, Policy, RelKind, Relation};
use crate::rules::client::service_role_unscoped_query::ServiceRoleClients;
use crate::rules::helpers::{quote_ident, rel_sql_name};
use crate::rules::{Context, append_stmt_fix, declare_rule};
use crate::sql::{Expr, ExprKind, PolicyCommand};

declare_rule! {
    /// ## What it does
    /// Reports exposed tables with row level security whose owner-style policies
    /// (a column compared with `auth.uid()`) let users write some of their rows,
    /// but where no policy covers INSERT or DELETE; the message names the
    /// missing commands.
    ///
    /// A command counts as covered by any permissive policy for it (or `for
    /// all`) that applies to `authenticated` (directly or through `public`).
    /// Not reported: tables whose only owner policies are for SELECT (read-only
    /// to users, written by the server); INSERT when a function body inserts
    /// into the table (a `handle_new_user`-style trigger creates the rows) or
    /// `authenticated` lacks the INSERT privilege; DELETE when the owner column
    /// is the whole primary key (one row per user, removed with the account by
    /// `on delete cascade`) or `authenticated` lacks the DELETE privilege. A
    /// missing UPDATE policy is not reported: append-only rows (messages, logs,
    /// completions) are common and intended.
    ///
    /// Client code changes that: when supabase-js code of the project inserts,
    /// upserts, updates or deletes rows of a table with row level security,
    /// through a client created with the public key
    /// (`NEXT_PUBLIC_SUPABASE_ANON_KEY`, `VITE_SUPABASE_PUBLISHABLE_KEY`…) outside
    /// edge functions, tests and scripts, and no policy allows that command,
    /// the finding names the calls (`src/services/projects.ts:12`), whatever the
    /// other policies are, UPDATE included.
    ///
    /// ## Why it matters
    /// Without a policy for a command, RLS denies it for every API user: an
    /// insert fails with "new row violates row-level security policy" and a
    /// delete silently removes nothing, which looks like a bug in the app
    /// rather than a missing policy.
    ///
    /// ## Example
    /// ```sql
    /// alter table public.users enable row level security;
    /// create policy "Users can view own profile" on public.users
    ///     for select using (auth.uid() = id);
    /// create policy "Users can update own profile" on public.users
    ///     for update using (auth.uid() = id);
    /// ```
    ///
    /// ## Fix
    /// A skeleton policy for each missing command, on the owner column the
    /// existing policies use:
    /// ```sql
    /// create policy "Users can insert their own users" on public.users
    ///   for insert to authenticated with check ((select auth.uid()) = id);
    /// ```
    /// The fix is unsafe: it grants access. Apply it only when users should
    /// create (or delete) these rows themselves.
    ///
    /// ## Reference
    /// Seed audit 000 §3.3 "No Policy for INSERT on Users Table".
    pub static MISSING_COMMAND_POLICY = {
        name: "missing-command-policy",
        category: Security,
        severity: Info,
        fix: true,
        effort: "30 min",
        check: check,
    }
}

/// Whether `e` is the requesting user's id: `auth.uid()`, `auth.jwt() ->> 'sub'`,
/// `current_setting('request.jwt.claim.sub', true)`, in parentheses, casts or
/// `(select …)`.
pub(crate) fn is_user_id(e: &Expr) -> bool {
    let e = unwrap_scalar(e);
    e.is_call("auth", "uid")
        || is_jwt_claim(e, "sub")
        || (matches!(e.call_name(), Some([f]) if f == "current_setting")
            && e.children.first().and_then(|a| a.string_value()) == Some("request.jwt.claim.sub"))
}

/// The columns of the row compared with the user's id in `e` (`user_id =
/// auth.uid()`, either way round, casts allowed), outside subqueries over
/// other tables.
pub(crate) fn user_id_columns(e: &Expr) -> Vec<String> {
    fn go(e: &Expr, out: &mut Vec<String>) {
        if let ExprKind::Select { from, .. } = &e.kind
            && !from.is_empty()
        {
            return;
        }
        if e.binary_op() == Some("=") && e.children.len() == 2 {
            let (a, b) = (&e.children[0], &e.children[1]);
            let col = if is_user_id(a) {
                b.column_name()
            } else if is_user_id(b) {
                a.column_name()
            } else {
                None
            };
            if let Some(c) = col {
                out.push(c.to_string());
                return;
            }
        }
        for c in &e.children {
            go(c, out);
        }
    }
    let mut out = Vec::new();
    go(e, &mut out);
    out
}

/// The owner column of an owner-style policy on `rel`.
fn owner_of(rel: &Relation, p: &Policy) -> Option<String> {
    p.using
        .iter()
        .chain(p.with_check.iter())
        .flat_map(user_id_columns)
        .find(|c| rel.column(c).is_some())
}

fn for_users(p: &Policy) -> bool {
    p.permissive && p.applies_to("authenticated")
}

/// Whether a function body inserts into `rel` (rows created by a trigger such
/// as `handle_new_user`). Bodies are read as text: most are not parsed.
fn inserted_by_function(ctx: &Context, rel: &Relation) -> bool {
    let names = [
        format!("{}.{}", rel.schema, rel.name),
        format!("\"{}\".\"{}\"", rel.schema, rel.name),
        rel.name.clone(),
        format!("\"{}\"", rel.name),
    ];
    ctx.model.project_functions().any(|f| {
        let Some(body) = &f.body else {
            return false;
        };
        let body = body.to_ascii_lowercase();
        let words: Vec<&str> = body.split_whitespace().collect();
        words.windows(3).any(|w| {
            w[0] == "insert"
                && w[1] == "into"
                && names.iter().any(|n| {
                    w[2].strip_prefix(n.as_str())
                        .is_some_and(|rest| rest.is_empty() || rest.starts_with('('))
                })
        })
    })
}

fn later(a: Origin, b: Origin) -> Origin {
    if (b.order, b.stmt.start) > (a.order, a.stmt.start) {
        b
    } else {
        a
    }
}

/// A write client code makes through the API (not with the service-role key).
struct ClientWrite {
    command: PolicyCommand,
    /// `path:line`.
    at: String,
}

/// Edge functions, tests and scripts: their writes are not the app's users'.
fn server_or_test_path(path: &str) -> bool {
    let p = format!("/{}", path.to_ascii_lowercase());
    p.contains("/supabase/functions/") || crate::client::is_test_or_script_path(path)
}

/// Writes (`.insert()`, `.upsert()`, `.update()`, `.delete()`) that client code
/// makes through RLS (a client created with the public anon or publishable
/// key, outside edge functions, tests and scripts), by table.
fn client_writes(ctx: &Context) -> std::collections::HashMap<(String, String), Vec<ClientWrite>> {
    let service = ServiceRoleClients::new();
    let mut out: std::collections::HashMap<(String, String), Vec<ClientWrite>> =
        std::collections::HashMap::new();
    for unit in ctx.clients {
        let mut lines = None;
        for q in &unit.ir.queries {
            let Some((table, schema)) = q.table() else {
                continue;
            };
            let commands: Vec<PolicyCommand> = q
                .ops
                .iter()
                .flat_map(|o| match o.method.as_str() {
                    "insert" => vec![PolicyCommand::Insert],
                    "upsert" => vec![PolicyCommand::Insert, PolicyCommand::Update],
                    "update" => vec![PolicyCommand::Update],
                    "delete" => vec![PolicyCommand::Delete],
                    _ => vec![],
                })
                .collect();
            if commands.is_empty()
                || !table.exact
                || server_or_test_path(unit.path)
                || !service.runs_query_with_public_key(ctx, unit, q)
            {
                continue;
            }
            let li = lines.get_or_insert_with(|| crate::text::LineIndex::new(unit.text));
            let at = format!("{}:{}", unit.path, li.line_of(q.span.start) + 1);
            let key = (schema.unwrap_or("public").to_string(), table.value.clone());
            for command in commands {
                out.entry(key.clone()).or_default().push(ClientWrite {
                    command,
                    at: at.clone(),
                });
            }
        }
    }
    out
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let writes = client_writes(ctx);
    for rel in ctx.model.project_relations() {
        if rel.kind != RelKind::Table || !rel.rls_enabled || !api_reachable(ctx, rel) {
            continue;
        }
        let owners: Vec<(&Policy, String)> = rel
            .policies
            .iter()
            .filter(|p| for_users(p))
            .filter_map(|p| Some((p, owner_of(rel, p)?)))
            .collect();
        let covered = |cmd: PolicyCommand| {
            rel.policies
                .iter()
                .any(|p| for_users(p) && p.command.covers(cmd))
        };
        // Writes client code makes that no policy allows: they fail at run time.
        let denied: Vec<&ClientWrite> = writes
            .get(&(rel.schema.clone(), rel.name.clone()))
            .map(|w| {
                w.iter()
                    .filter(|w| {
                        !covered(w.command)
                            && rel.has_privilege("authenticated", w.command.as_str())
                    })
                    .collect()
            })
            .unwrap_or_default();
        if !denied.is_empty() && !rel.policies.is_empty() {
            report_denied(ctx, rel, &owners, &denied, out);
            continue;
        }
        if !owners
            .iter()
            .any(|(p, _)| p.command != PolicyCommand::Select)
        {
            continue;
        }
        let owner = owners
            .iter()
            .find(|(p, _)| p.command != PolicyCommand::Select)
            .map(|(_, c)| c.clone())
            .unwrap_or_default();
        let mut missing = Vec::new();
        if !covered(PolicyCommand::Insert)
            && rel.has_privilege("authenticated", "insert")
            && !inserted_by_function(ctx, rel)
        {
            missing.push(PolicyCommand::Insert);
        }
        if !covered(PolicyCommand::Delete)
            && rel.has_privilege("authenticated", "delete")
            && rel.primary_key.as_deref() != Some(std::slice::from_ref(&owner))
        {
            missing.push(PolicyCommand::Delete);
        }
        if missing.is_empty() {
            continue;
        }
        let mut have: Vec<&str> = owners.iter().map(|(p, _)| p.command.as_str()).collect();
        have.sort();
        have.dedup();
        let names: Vec<&str> = missing.iter().map(|c| c.as_str()).collect();
        let origin = rel.rls_origin.unwrap_or(rel.origin);
        let mut d = ctx.at(
            &MISSING_COMMAND_POLICY,
            &origin,
            format!(
                "table {} has owner policies for {} but none for {}: users cannot {} their own rows through the API",
                rel.display_name(),
                have.join(", "),
                names.join(" or "),
                names.join(" or ")
            ),
        );
        d.help = Some(format!(
            "add a policy for {} on `{owner}` if users should do this themselves; if only the server should, ignore this finding",
            names.join(" and ")
        ));
        d.fixes.push(skeleton_fix(ctx, rel, &owner, &missing));
        out.push(d);
    }
}

/// The finding for writes that client code makes and no policy allows.
fn report_denied(
    ctx: &Context,
    rel: &Relation,
    owners: &[(&Policy, String)],
    denied: &[&ClientWrite],
    out: &mut Vec<Diagnostic>,
) {
    let mut commands: Vec<PolicyCommand> = Vec::new();
    for w in denied {
        if !commands.contains(&w.command) {
            commands.push(w.command);
        }
    }
    let names: Vec<&str> = commands.iter().map(|c| c.as_str()).collect();
    let mut places: Vec<&str> = denied.iter().map(|w| w.at.as_str()).collect();
    places.dedup();
    let shown = places.len().min(3);
    let more = if places.len() > shown {
        format!(" and {} more", places.len() - shown)
    } else {
        String::new()
    };
    let mut effects = Vec::new();
    if commands.contains(&PolicyCommand::Insert) {
        effects.push("inserts fail with \"new row violates row-level security policy\"");
    }
    let silent: Vec<&str> = commands
        .iter()
        .filter_map(|c| match c {
            PolicyCommand::Update => Some("updates"),
            PolicyCommand::Delete => Some("deletes"),
            _ => None,
        })
        .collect();
    let silent = format!("{} silently change no row", silent.join(" and "));
    if commands
        .iter()
        .any(|c| matches!(c, PolicyCommand::Update | PolicyCommand::Delete))
    {
        effects.push(&silent);
    }
    let origin = rel.rls_origin.unwrap_or(rel.origin);
    let mut d = ctx.at(
        &MISSING_COMMAND_POLICY,
        &origin,
        format!(
            "table {} has no policy for {}, but client code does it through the API ({}{more}): {}",
            rel.display_name(),
            names.join(" or "),
            places[..shown].join(", "),
            effects.join("; ")
        ),
    );
    d.help = Some(format!(
        "add a policy for {} that lets users write their own rows, or make these writes on the server with the service-role key",
        names.join(" and ")
    ));
    if let Some((_, owner)) = owners.first() {
        d.fixes.push(skeleton_fix(ctx, rel, owner, &commands));
    }
    out.push(d);
}

/// Skeleton owner policies for `missing`, appended after the table's last policy.
fn skeleton_fix(
    ctx: &Context,
    rel: &Relation,
    owner: &str,
    missing: &[PolicyCommand],
) -> crate::diagnostic::Fix {
    let names: Vec<&str> = missing.iter().map(|c| c.as_str()).collect();
    {
        // The owner column compared as text when it is not a uuid.
        let uid = match rel.column(owner).and_then(|c| c.ty.as_ref()) {
            Some(t) if t.base() != "uuid" => "(select auth.uid())::text",
            _ => "(select auth.uid())",
        };
        let mut sql = Vec::new();
        for cmd in missing {
            let verb = cmd.as_str();
            let mut name = format!("Users can {verb} their own {}", rel.name);
            let mut n = 2;
            while rel.policies.iter().any(|p| p.name == name) {
                name = format!("Users can {verb} their own {} ({n})", rel.name);
                n += 1;
            }
            let check = format!("({uid} = {})", quote_ident(owner));
            let clause = match cmd {
                PolicyCommand::Insert => format!("with check {check}"),
                PolicyCommand::Update => format!("using {check} with check {check}"),
                _ => format!("using {check}"),
            };
            sql.push(format!(
                "create policy {} on {} for {verb} to authenticated {clause};",
                quote_ident(&name),
                rel_sql_name(rel),
            ));
        }
        let anchor = rel
            .policies
            .iter()
            .map(|p| p.origin)
            .fold(rel.last_changed, later);
        append_stmt_fix(
            ctx,
            &anchor,
            format!("Add a policy for {} on {owner}", names.join(" and ")),
            &sql.join("\n"),
            false,
        )
    }
}
