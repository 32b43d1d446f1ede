use super::{config, config_value, toml_entry, toml_tables};
use crate::diagnostic::{Diagnostic, Edit, Fix};
use crate::rules::{Context, declare_rule};
use crate::text::Span;

declare_rule! {
    /// ## What it does
    /// Reports a `supabase/config.toml` whose connection pooler is off:
    /// `[db.pooler] enabled = false`, or no `[db.pooler]` table at all.
    ///
    /// ## Why it matters
    /// Without the pooler (Supavisor) every server process, serverless function
    /// and migration tool opens its own PostgreSQL connection. Serverless
    /// platforms open one per invocation and exhaust `max_connections` under
    /// load; the local stack should match how production is reached, through
    /// the pooler in transaction mode.
    ///
    /// ## Example
    /// ```toml
    /// [db.pooler]
    /// enabled = false
    /// ```
    ///
    /// ## Fix
    /// ```toml
    /// [db.pooler]
    /// enabled = true
    /// pool_mode = "transaction"
    /// ```
    /// The fix is unsafe: the local stack starts the pooler container, and
    /// clients must connect through its port (`6543` by default) to use it.
    ///
    /// ## Reference
    /// Seed audit 000 §1.1 (CRITICAL #2: connection pooling disabled).
    pub static POOLER_DISABLED = {
        name: "pooler-disabled",
        category: Config,
        severity: Warning,
        fix: true,
        check: check,
    }
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let Some((file, table)) = config(ctx) else {
        return;
    };
    let enabled = config_value(table, "db.pooler", "enabled").and_then(|v| v.as_bool());
    if enabled == Some(true) {
        return;
    }
    let text = &file.text;
    let has_mode = config_value(table, "db.pooler", "pool_mode").is_some();
    let (span, edits) = match toml_entry(text, "db.pooler", "enabled") {
        Some(e) => {
            let mut edits = vec![Edit::replace(&file.path, e.value, "true")];
            if !has_mode {
                edits.push(Edit::insert(
                    &file.path,
                    e.line.end,
                    "\npool_mode = \"transaction\"",
                ));
            }
            (e.line, edits)
        }
        None => {
            let tables = toml_tables(text);
            let at = match tables.iter().find(|(n, _, _)| n == "db.pooler") {
                Some((_, header, _)) => {
                    let mut add = "\nenabled = true".to_string();
                    if !has_mode {
                        add.push_str("\npool_mode = \"transaction\"");
                    }
                    let edits = vec![Edit::insert(&file.path, header.end, add)];
                    let d = POOLER_DISABLED.diagnostic(
                        &file.path,
                        *header,
                        "the connection pooler is not enabled in supabase/config.toml",
                    );
                    push(out, d, edits);
                    return;
                }
                None => tables
                    .iter()
                    .find(|(n, _, _)| n == "db")
                    .map(|(_, header, end)| (*header, *end)),
            };
            let (span, insert_at) = at.unwrap_or((Span::empty(0), text.len() as u32));
            let prefix = if insert_at > 0 && !text[..insert_at as usize].ends_with("\n\n") {
                if text[..insert_at as usize].ends_with('\n') {
                    "\n"
                } else {
                    "\n\n"
                }
            } else {
                ""
            };
            let edits = vec![Edit::insert(
                &file.path,
                insert_at,
                format!("{prefix}[db.pooler]\nenabled = true\npool_mode = \"transaction\"\n"),
            )];
            (span, edits)
        }
    };
    let d = POOLER_DISABLED.diagnostic(
        &file.path,
        span,
        "connection pooling is disabled in supabase/config.toml",
    );
    push(out, d, edits);
}

fn push(out: &mut Vec<Diagnostic>, mut d: Diagnostic, edits: Vec<Edit>) {
    d.help = Some("enable the pooler (Supavisor) in transaction mode so that serverless and server code share a bounded number of connections".to_string());
    d.fixes.push(Fix::unsafe_(
        "Enable the connection pooler in transaction mode",
        edits,
    ));
    out.push(d);
}
