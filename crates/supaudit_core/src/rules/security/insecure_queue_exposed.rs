use super::enable_rls_fix;
use crate::diagnostic::Diagnostic;
use crate::model::RelKind;
use crate::rules::{Context, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports pgmq queue tables (`pgmq.q_<name>`) without row level security
    /// while the `pgmq_public` schema is exposed.
    ///
    /// ## Why it matters
    /// Exposing `pgmq_public` lets API users send, read and delete queue messages
    /// through its functions; without RLS on the queue table nothing limits
    /// which messages they can read or remove.
    ///
    /// ## Example
    /// ```sql
    /// create table pgmq.q_emails (msg_id bigint primary key, message jsonb);
    /// ```
    /// with `schemas = ["public", "pgmq_public"]` in `supabase/config.toml`.
    ///
    /// ## Fix
    /// ```sql
    /// alter table pgmq.q_emails enable row level security;
    /// ```
    ///
    /// ## Reference
    /// Supabase linter `insecure_queue_exposed_in_api`.
    pub static INSECURE_QUEUE_EXPOSED = {
        name: "insecure-queue-exposed",
        category: Security,
        severity: Error,
        fix: true,
        effort: "15 min",
        check: check,
    }
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    if !ctx.is_exposed("pgmq_public") {
        return;
    }
    for rel in ctx.model.project_relations() {
        if rel.schema != "pgmq"
            || !rel.name.starts_with("q_")
            || rel.kind != RelKind::Table
            || rel.rls_enabled
        {
            continue;
        }
        let mut d = ctx.at(
            &INSECURE_QUEUE_EXPOSED,
            &rel.origin,
            format!(
                "queue table {} has no row level security while pgmq_public is exposed",
                rel.display_name()
            ),
        );
        d.help = Some(
            "enable RLS on the queue table and add policies for the roles that use the queue"
                .into(),
        );
        d.fixes.push(enable_rls_fix(ctx, rel));
        out.push(d);
    }
}
