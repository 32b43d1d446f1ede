use std::collections::HashMap;

use super::{EnvEntry, env_entries, env_files};
use crate::client::secrets::{classify, mask};
use crate::client::{is_service_key_name, public_prefix};
use crate::diagnostic::{Diagnostic, Edit, Fix};
use crate::rules::{Context, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports an env file that defines a service-role key under a public
    /// prefix (`NEXT_PUBLIC_`, `VITE_`, `EXPO_PUBLIC_`, `PUBLIC_`,
    /// `REACT_APP_`): by its name (`NEXT_PUBLIC_SUPABASE_SERVICE_ROLE_KEY`) or
    /// by its value (a `sb_secret_…` key or a service-role JWT).
    ///
    /// ## Why it matters
    /// Bundlers copy every variable with a public prefix into the JavaScript
    /// sent to browsers. A service-role key there bypasses row level security
    /// for every visitor.
    ///
    /// ## Example
    /// ```sh
    /// NEXT_PUBLIC_SUPABASE_SERVICE_ROLE_KEY=...
    /// ```
    ///
    /// ## Fix
    /// ```sh
    /// SUPABASE_SERVICE_ROLE_KEY=...
    /// ```
    /// The fix renames the variable (unsafe: code that reads the old name must
    /// change, and must run on the server). Rotate a key that has shipped.
    ///
    /// ## Reference
    /// Seed audit 000 §1.1 (CRITICAL).
    pub static PUBLIC_ENV_SERVICE_KEY = {
        name: "public-env-service-key",
        category: Security,
        severity: Error,
        fix: true,
        effort: "1 hour",
        check: check,
    }
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for f in env_files(ctx) {
        let entries = env_entries(&f.text);
        let secret_value = |e: &EnvEntry| classify(e.value).is_some_and(|k| k.is_secret());
        let reported = |e: &EnvEntry| {
            public_prefix(e.name).is_some() && (is_service_key_name(e.name) || secret_value(e))
        };
        // How many reported variables each name would have after the renames.
        let mut renamed_count: HashMap<&str, usize> = HashMap::new();
        for e in entries.iter().filter(|e| reported(e)) {
            let name = public_prefix(e.name).map_or(e.name, |p| &e.name[p.len()..]);
            *renamed_count.entry(name).or_default() += 1;
        }
        for e in entries.iter().filter(|e| reported(e)) {
            let Some(prefix) = public_prefix(e.name) else {
                continue;
            };
            let secret_value = secret_value(e);
            let what = if secret_value {
                format!("a service-role key ({})", mask(e.value))
            } else {
                "a service-role key".to_string()
            };
            let mut d = PUBLIC_ENV_SERVICE_KEY.diagnostic(
                &f.path,
                e.name_span,
                format!("{} holds {what} under the public prefix `{prefix}`", e.name),
            );
            d.help = Some(format!(
                "bundlers inline `{prefix}` variables into browser code; drop the prefix and read the key only on the server"
            ));
            let renamed = &e.name[prefix.len()..];
            // Renaming must not define a variable twice (`SUPABASE_…` is
            // already there, or two prefixed names lose their prefix).
            let clash = renamed_count.get(renamed).is_some_and(|n| *n > 1)
                || entries.iter().any(|o| o.name == renamed);
            if !clash {
                d.fixes.push(Fix::unsafe_(
                    format!("Rename to {renamed}"),
                    vec![Edit::replace(&f.path, e.name_span, renamed)],
                ));
            }
            out.push(d);
        }
    }
}
