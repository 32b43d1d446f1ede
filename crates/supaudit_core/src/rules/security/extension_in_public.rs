use crate::diagnostic::{Diagnostic, Edit, Fix};
use crate::rules::{Context, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports `create extension` statements that install into `public`, either
    /// explicitly or by not naming a schema.
    ///
    /// ## Why it matters
    /// Extension objects in `public` are exposed through the API like your own
    /// functions and tables, clutter the generated types, and make a later move
    /// hard. Supabase installs extensions into the `extensions` schema.
    ///
    /// ## Example
    /// ```sql
    /// create extension if not exists pg_trgm;
    /// ```
    ///
    /// ## Fix
    /// ```sql
    /// create extension if not exists pg_trgm with schema extensions;
    /// ```
    /// The fix is unsafe: code that calls the extension's functions unqualified
    /// must find them on its search_path.
    ///
    /// ## Reference
    /// Supabase linter `extension_in_public`.
    pub static EXTENSION_IN_PUBLIC = {
        name: "extension-in-public",
        category: Security,
        severity: Warning,
        fix: true,
        check: check,
    }
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for ext in ctx.model.extensions.values() {
        if ext.origin.is_platform() || ext.schema.as_deref().is_some_and(|s| s != "public") {
            continue;
        }
        let mut d = ctx.at(
            &EXTENSION_IN_PUBLIC,
            &ext.origin,
            format!("extension {} is installed in the public schema", ext.name),
        );
        d.help = Some("install extensions `with schema extensions`".into());
        if ext.schema.is_none() {
            let at = ctx.before_semicolon(ext.origin.file, ext.origin.stmt);
            d.fixes.push(Fix::unsafe_(
                "Install into the extensions schema",
                vec![Edit::insert(
                    ctx.path(ext.origin.file),
                    at,
                    " with schema extensions",
                )],
            ));
        }
        out.push(d);
    }
}
