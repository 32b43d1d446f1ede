use crate::diagnostic::{Diagnostic, Edit, Fix, Severity};
use crate::rules::helpers::routine_sql_ref;
use crate::rules::{Context, append_stmt_fix, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports functions that do not pin their `search_path` with a `SET
    /// search_path` option. SECURITY DEFINER functions are warnings; other
    /// functions are reported as info.
    ///
    /// ## Why it matters
    /// A function without a fixed search_path resolves unqualified names with the
    /// caller's search_path. For a SECURITY DEFINER function, a caller who can
    /// create objects in a schema on that path can shadow a table or operator and
    /// run code with the owner's privileges.
    ///
    /// ## Example
    /// ```sql
    /// create function public.grant_credits(uid uuid, amount int) returns void
    /// language plpgsql security definer as $$
    /// begin update users set credits = credits + amount where id = uid; end $$;
    /// ```
    ///
    /// ## Fix
    /// ```sql
    /// create function public.grant_credits(uid uuid, amount int) returns void
    /// set search_path = '' language plpgsql security definer as $$
    /// begin update public.users set credits = credits + amount where id = uid; end $$;
    /// ```
    /// When a later statement changed the function (`alter function … reset
    /// search_path`), the fix appends `alter function … set search_path = '';`
    /// after it instead.
    ///
    /// The fix is unsafe: with an empty search_path, every name in the body must
    /// be schema-qualified (`public.users`), so review the body.
    ///
    /// ## Reference
    /// Seed audits 002 (audit_trigger_function) and 003 "mutable search_path";
    /// Supabase linter `function_search_path_mutable`.
    pub static FUNCTION_SEARCH_PATH_MUTABLE = {
        name: "function-search-path-mutable",
        category: Security,
        severity: Warning,
        fix: true,
        effort: "15 min",
        check: check,
    }
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for f in ctx.model.project_functions() {
        if f.search_path().is_some() {
            continue;
        }
        if !matches!(f.language.as_deref(), Some("sql" | "plpgsql") | None) {
            continue;
        }
        let kind = if f.security_definer {
            "security definer function"
        } else {
            "function"
        };
        let mut d = ctx.at(
            &FUNCTION_SEARCH_PATH_MUTABLE,
            &f.origin,
            format!("{kind} {} has a mutable search_path", f.display_name()),
        );
        if !f.security_definer {
            d.severity = Severity::Info;
        }
        d.help =
            Some("add `set search_path = ''` and schema-qualify the names the body uses".into());
        // Into the CREATE when nothing changed the function since; otherwise an
        // ALTER after the statement that last changed it (e.g. `reset search_path`).
        let unchanged =
            f.last_changed.file == f.origin.file && f.last_changed.stmt == f.origin.stmt;
        if let Some(at) = f.options_at
            && unchanged
        {
            d.fixes.push(Fix::unsafe_(
                "Set an empty search_path",
                vec![Edit::insert(
                    ctx.path(f.origin.file),
                    at,
                    "set search_path = '' ",
                )],
            ));
        } else {
            let sql = format!("alter {} set search_path = '';", routine_sql_ref(f));
            d.fixes.push(append_stmt_fix(
                ctx,
                &f.last_changed,
                "Set an empty search_path",
                &sql,
                false,
            ));
        }
        out.push(d);
    }
}
