use super::api_reachable;
use crate::diagnostic::{Diagnostic, Edit, Fix};
use crate::model::RelKind;
use crate::rules::helpers::rel_sql_name;
use crate::rules::{Context, append_stmt_fix, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports views in an exposed schema that are not created with
    /// `security_invoker = true`.
    ///
    /// ## Why it matters
    /// By default a PostgreSQL view runs with its owner's privileges. Views created
    /// in migrations are owned by `postgres`, which bypasses row level security,
    /// so the view returns every row of the tables it reads, whatever their
    /// policies say.
    ///
    /// ## Example
    /// ```sql
    /// create view public.conversation_summaries as
    ///   select c.id, count(m.id) from public.conversations c join public.messages m on m.conversation_id = c.id group by c.id;
    /// ```
    ///
    /// ## Fix
    /// ```sql
    /// create view public.conversation_summaries with (security_invoker = true) as ...;
    /// ```
    /// The fix is unsafe: the view then applies the callers' RLS policies and may
    /// return fewer rows. Requires PostgreSQL 15.
    ///
    /// ## Reference
    /// Supabase linter `security_definer_view`.
    pub static SECURITY_DEFINER_VIEW = {
        name: "security-definer-view",
        category: Security,
        severity: Error,
        fix: true,
        effort: "15 min",
        check: check,
    }
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for rel in ctx.model.project_relations() {
        if rel.kind != RelKind::View || !api_reachable(ctx, rel) {
            continue;
        }
        let Some(view) = &rel.view else { continue };
        if view
            .option("security_invoker")
            .is_some_and(|v| matches!(v, "true" | "on" | "1" | "yes"))
        {
            continue;
        }
        // Turned off after the CREATE (`alter view … set (security_invoker = false)`):
        // point at the change.
        let at = if view.option("security_invoker").is_some()
            && (rel.last_changed.file, rel.last_changed.stmt) != (rel.origin.file, rel.origin.stmt)
        {
            &rel.last_changed
        } else {
            &rel.origin
        };
        let mut d = ctx.at(
            &SECURITY_DEFINER_VIEW,
            at,
            format!(
                "view {} runs with its owner's rights and bypasses row level security of the tables it reads",
                rel.display_name()
            ),
        );
        d.help = Some("create the view `with (security_invoker = true)`".into());
        let title = format!("Make {} a security invoker view", rel.display_name());
        if view.options.is_empty() && rel.last_changed == rel.origin {
            d.fixes.push(Fix::unsafe_(
                title,
                vec![Edit::insert(
                    ctx.path(rel.origin.file),
                    view.insert_options_at,
                    " with (security_invoker = true)",
                )],
            ));
        } else {
            d.fixes.push(append_stmt_fix(
                ctx,
                &rel.last_changed,
                title,
                &format!(
                    "alter view {} set (security_invoker = true);",
                    rel_sql_name(rel)
                ),
                false,
            ));
        }
        out.push(d);
    }
}
