use crate::client::{ClientFile, EnvFallback, FallbackKind};
use crate::diagnostic::{Diagnostic, Edit, Fix};
use crate::rules::{Context, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports a module that creates a Supabase client and, when the Supabase
    /// env variables are missing, falls back to something else instead of
    /// failing: a stub or mock client (`return createMockClient()`, an object
    /// literal with `from`/`auth`, a `Proxy`), another client of the module
    /// (`return supabase`, the anon client where the service-role one was
    /// asked for), or a placeholder URL or key
    /// (`process.env.NEXT_PUBLIC_SUPABASE_URL || 'https://placeholder.supabase.co'`).
    /// The fallback is found in the branch of `if (!url || !key)`, in the
    /// `else` of `if (url && key)`, and in `url && key ? … : …`.
    ///
    /// Not reported: a branch that throws, or that throws under a
    /// `process.env.NODE_ENV === 'production'` test; variables the module
    /// throws on when missing; and an empty-string default
    /// (`process.env.X ?? ''`), because supabase-js itself throws on an empty
    /// URL or key (`supabaseUrl is required.`).
    ///
    /// ## Why it matters
    /// A deployment with a missing or misspelt variable keeps running: reads
    /// return empty lists, writes silently go nowhere, and admin code runs
    /// with the anon key, so the failure shows up as missing data in
    /// production rather than as an error at start-up.
    ///
    /// ## Example
    /// ```ts
    /// if (!supabaseUrl || !supabaseAnonKey) {
    ///   console.warn('Supabase not configured - using stub client');
    ///   return createStubClient();
    /// }
    /// ```
    ///
    /// ## Fix
    /// Fail in production and keep the stub for local work only:
    /// ```ts
    /// if (!supabaseUrl || !supabaseAnonKey) {
    ///   if (process.env.NODE_ENV === 'production') {
    ///     throw new Error('Supabase is not configured: set NEXT_PUBLIC_SUPABASE_URL, NEXT_PUBLIC_SUPABASE_ANON_KEY');
    ///   }
    ///   console.warn('Supabase not configured - using stub client');
    ///   return createStubClient();
    /// }
    /// ```
    /// The unsafe fix inserts that guard as the first statement of the
    /// branch when the branch is a block; placeholders and expression
    /// branches get help only.
    ///
    /// ## Reference
    /// Seed audit 000 §1.1 (MEDIUM: fallback stub client in production).
    pub static SILENT_STUB_CLIENT = {
        name: "silent-stub-client",
        category: Client,
        severity: Warning,
        fix: true,
        effort: "30 min",
        check: check,
    }
}

/// Env variables that configure the Supabase client of this module.
fn supabase_envs<'f>(ir: &ClientFile, f: &'f EnvFallback) -> Vec<&'f str> {
    f.envs
        .iter()
        .map(String::as_str)
        .filter(|e| {
            e.to_ascii_uppercase().contains("SUPABASE")
                || ir.clients.iter().any(|c| c.key_env.as_deref() == Some(*e))
        })
        .collect()
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for unit in ctx.clients {
        let ir = &unit.ir;
        if ir.clients.is_empty() {
            continue;
        }
        for f in &ir.env_fallbacks {
            let envs = supabase_envs(ir, f);
            if f.guarded
                || envs.is_empty()
                || envs.iter().all(|e| ir.env_throws.iter().any(|t| t == e))
            {
                continue;
            }
            let names = envs
                .iter()
                .map(|e| format!("`{e}`"))
                .collect::<Vec<_>>()
                .join(" or ");
            let message = match &f.kind {
                FallbackKind::Stub(what) if what.starts_with("an ") => format!(
                    "when {names} is missing, this module falls back to a stub client ({what}) instead of failing"
                ),
                FallbackKind::Stub(what) => format!(
                    "when {names} is missing, this module falls back to a stub client (`{}`) instead of failing",
                    short(what)
                ),
                FallbackKind::Client(name) => format!(
                    "when {names} is missing, this module falls back to another client (`{name}`) instead of failing"
                ),
                FallbackKind::Placeholder(value) => format!(
                    "when {names} is missing, the client is created with the placeholder `{}` instead of failing",
                    short(value)
                ),
            };
            let mut d = SILENT_STUB_CLIENT.diagnostic(unit.path, f.span, message);
            d.help = Some(if matches!(f.kind, FallbackKind::Placeholder(_)) {
                "read the variable without a default and throw when it is missing: `const url = process.env.X; if (!url) throw new Error('X is not set');`".to_string()
            } else {
                "throw in production before falling back: `if (process.env.NODE_ENV === 'production') throw new Error('Supabase is not configured');`".to_string()
            });
            if let (Some((at, indent)), false) =
                (&f.insert_at, matches!(f.kind, FallbackKind::Placeholder(_)))
            {
                let all = envs.join(", ");
                let guard = format!(
                    "{indent}if (process.env.NODE_ENV === 'production') {{\n{indent}  throw new Error('Supabase is not configured: set {all}');\n{indent}}}\n"
                );
                d.fixes.push(Fix::unsafe_(
                    "throw in production before falling back",
                    vec![Edit::insert(unit.path, *at, guard)],
                ));
            }
            out.push(d);
        }
    }
}

/// A value for a message: its first line, cut at 60 characters.
fn short(s: &str) -> String {
    let line = s.lines().next().unwrap_or("");
    if line.chars().count() > 60 || line.len() < s.len() {
        let cut: String = line.chars().take(57).collect();
        format!("{cut}…")
    } else {
        line.to_string()
    }
}
