use crate::client::secrets::{classify, is_demo_jwt, mask};
use crate::client::{Directive, is_service_key_name, public_prefix};
use crate::diagnostic::Diagnostic;
use crate::rules::{Context, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports a Supabase service-role key that can reach browser code: read
    /// from the environment in a `'use client'` module, read under an env name
    /// with a public prefix (`NEXT_PUBLIC_`, `VITE_`, `EXPO_PUBLIC_`, `PUBLIC_`,
    /// `REACT_APP_`), or written into client code as a literal (`sb_secret_…`,
    /// a JWT whose role is `service_role`). The local stack's well-known keys
    /// (`supabase-demo` JWTs, printed by `supabase start`) are not reported.
    ///
    /// ## Why it matters
    /// The service-role key bypasses row level security: whoever holds it can
    /// read and change every row of every table. Bundlers inline public env
    /// variables into the JavaScript they ship, and a `'use client'` module is
    /// sent to the browser, so the key ends up in every visitor's hands.
    ///
    /// ## Example
    /// ```ts
    /// 'use client';
    /// const admin = createClient(url, process.env.SUPABASE_SERVICE_ROLE_KEY!);
    /// ```
    ///
    /// ## Fix
    /// Create the service-role client in a server-only module (a route handler,
    /// a server action, an Edge Function) marked with `import 'server-only'`,
    /// and keep the key in a variable without a public prefix. Rotate a key that
    /// has been shipped.
    ///
    /// ## Reference
    /// Seed audit 000 §1.1 (CRITICAL): service-role key reachable from a client module.
    pub static SERVICE_ROLE_IN_CLIENT = {
        name: "service-role-in-client",
        category: Security,
        severity: Error,
        fix: false,
        effort: "2-4 hours",
        check: check,
    }
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for unit in ctx.clients {
        let ir = &unit.ir;
        let client_module = matches!(ir.directive, Some((Directive::UseClient, _)));
        for e in &ir.env_refs {
            if !is_service_key_name(&e.name) {
                continue;
            }
            let message = if let Some(prefix) = public_prefix(&e.name) {
                format!(
                    "service-role key read from `{}`: the `{prefix}` prefix inlines it into the browser bundle",
                    e.name
                )
            } else if client_module {
                format!(
                    "service-role key `{}` read in a 'use client' module, which is shipped to the browser",
                    e.name
                )
            } else {
                continue;
            };
            let mut d = SERVICE_ROLE_IN_CLIENT.diagnostic(unit.path, e.span, message);
            d.help = Some("the service-role key bypasses row level security; create the admin client in a server-only module (`import 'server-only'`) and rotate the key if it shipped".to_string());
            out.push(d);
        }
        for (value, span) in &ir.key_literals {
            if is_demo_jwt(value) {
                continue;
            }
            let kind = classify(value)
                .map(|k| k.describe())
                .unwrap_or("a secret key");
            let mut d = SERVICE_ROLE_IN_CLIENT.diagnostic(
                unit.path,
                *span,
                format!("{kind} is written into client code ({})", mask(value)),
            );
            d.help = Some("anyone who sees this code can bypass row level security; rotate the key in the dashboard and read it from a server-only env variable".to_string());
            out.push(d);
        }
    }
}
