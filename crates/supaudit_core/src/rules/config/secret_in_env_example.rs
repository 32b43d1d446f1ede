use super::{env_entries, env_files, is_example_env};
use crate::client::secrets::{KeyKind, classify, is_demo_jwt, mask};
use crate::diagnostic::{Diagnostic, Edit, Fix};
use crate::rules::{Context, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports real-looking keys in env files meant to be committed
    /// (`.env.example`, `.env.sample`, `.env.template` …): Supabase secret keys
    /// (`sb_secret_…`), service-role and other JWTs, and publishable keys of a
    /// hosted project. The local development keys (`supabase-demo` JWTs) are
    /// not reported.
    ///
    /// ## Why it matters
    /// Example env files are committed and copied around. A real service-role
    /// key there is a leaked key: it bypasses row level security for anyone who
    /// can read the repository, its forks and its history.
    ///
    /// ## Example
    /// ```sh
    /// SUPABASE_SERVICE_ROLE_KEY=eyJhbGciOiJIUzI1NiIs...
    /// ```
    ///
    /// ## Fix
    /// ```sh
    /// SUPABASE_SERVICE_ROLE_KEY=your-service-role-key
    /// ```
    /// The fix replaces the value with a placeholder. Rotate the key in the
    /// dashboard: it stays in the git history.
    ///
    /// ## Reference
    /// Seed audit 000 §1.2 (HIGH): real keys in `.env.example`.
    pub static SECRET_IN_ENV_EXAMPLE = {
        name: "secret-in-env-example",
        category: Security,
        severity: Error,
        fix: true,
        effort: "30 min",
        check: check,
    }
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for f in env_files(ctx).filter(|f| is_example_env(&f.path)) {
        for e in env_entries(&f.text) {
            let Some(kind) = classify(e.value) else {
                continue;
            };
            if matches!(
                kind,
                KeyKind::AnonJwt | KeyKind::OtherJwt | KeyKind::ServiceRoleJwt
            ) && is_demo_jwt(e.value)
            {
                continue;
            }
            let placeholder = format!("your-{}", e.name.to_ascii_lowercase().replace('_', "-"));
            let mut d = SECRET_IN_ENV_EXAMPLE.diagnostic(
                &f.path,
                e.value_span,
                format!(
                    "{} holds {} ({}) in a committed example file",
                    e.name,
                    kind.describe(),
                    mask(e.value)
                ),
            );
            d.help = Some(if kind.is_secret() {
                "this key bypasses row level security: replace it with a placeholder and rotate it in the dashboard".to_string()
            } else {
                "example files should hold placeholders, not a project's keys".to_string()
            });
            d.fixes.push(Fix::safe(
                "Replace the key with a placeholder",
                vec![Edit::replace(&f.path, e.value_span, placeholder)],
            ));
            out.push(d);
        }
    }
}
