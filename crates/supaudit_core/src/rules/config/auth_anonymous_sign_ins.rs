use super::{config, config_value, toml_entry};
use crate::diagnostic::Diagnostic;
use crate::rules::{Context, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports `[auth] enable_anonymous_sign_ins = true` in `supabase/config.toml`.
    ///
    /// ## Why it matters
    /// Anonymous users get the `authenticated` role. Every policy written
    /// `to authenticated` (and every `auth.uid() is not null` check) admits
    /// them, so anyone can create an account with one API call and read what
    /// "logged-in users" may read. Policies that must exclude them have to test
    /// `(select (auth.jwt()->>'is_anonymous')::boolean) is false`.
    ///
    /// ## Example
    /// ```toml
    /// [auth]
    /// enable_anonymous_sign_ins = true
    /// ```
    ///
    /// ## Fix
    /// Turn it off unless the app needs guest sessions, and review the
    /// `authenticated` policies for the `is_anonymous` claim when it does.
    ///
    /// ## Reference
    /// Supabase linter 0012 `auth_allow_anonymous_sign_ins`.
    pub static AUTH_ANONYMOUS_SIGN_INS = {
        name: "auth-anonymous-sign-ins",
        category: Config,
        severity: Info,
        fix: false,
        effort: "5 min",
        check: check,
    }
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let Some((file, table)) = config(ctx) else {
        return;
    };
    if config_value(table, "auth", "enable_anonymous_sign_ins").and_then(|v| v.as_bool())
        != Some(true)
    {
        return;
    }
    let Some(e) = toml_entry(&file.text, "auth", "enable_anonymous_sign_ins") else {
        return;
    };
    let mut d = AUTH_ANONYMOUS_SIGN_INS.diagnostic(
        &file.path,
        e.line,
        "anonymous sign-ins are enabled: anonymous users get the `authenticated` role",
    );
    d.help = Some("policies `to authenticated` admit anonymous users; check `auth.jwt()->>'is_anonymous'` where they must not".to_string());
    out.push(d);
}
