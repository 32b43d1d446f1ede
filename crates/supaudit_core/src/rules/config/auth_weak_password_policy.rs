use super::{config, config_value, toml_entry};
use crate::diagnostic::Diagnostic;
use crate::rules::{Context, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports a weak password policy in `supabase/config.toml`: a
    /// `minimum_password_length` under 8, no `password_requirements`, or email
    /// confirmations turned off (`[auth.email] enable_confirmations = false`).
    /// One finding lists every weak setting.
    ///
    /// ## Why it matters
    /// Short passwords without character requirements fall to credential
    /// stuffing, and without email confirmation anyone can sign up with an
    /// address they do not own. The hosted project's settings are changed in
    /// the dashboard; config.toml documents what the team intends.
    ///
    /// ## Example
    /// ```toml
    /// [auth]
    /// minimum_password_length = 6
    /// password_requirements = ""
    /// ```
    ///
    /// ## Fix
    /// ```toml
    /// [auth]
    /// minimum_password_length = 8
    /// password_requirements = "lower_upper_letters_digits"
    /// ```
    /// and enable leaked password protection in the dashboard.
    ///
    /// ## Reference
    /// Seed audit 003 ("leaked password protection disabled").
    pub static AUTH_WEAK_PASSWORD_POLICY = {
        name: "auth-weak-password-policy",
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
    let mut weak = Vec::new();
    let mut at = None;
    if let Some(n) =
        config_value(table, "auth", "minimum_password_length").and_then(|v| v.as_integer())
        && n < 8
    {
        weak.push(format!("minimum password length {n}"));
        at = at.or(toml_entry(&file.text, "auth", "minimum_password_length"));
    }
    if config_value(table, "auth", "password_requirements")
        .and_then(|v| v.as_str())
        .is_some_and(str::is_empty)
    {
        weak.push("no password requirements".to_string());
        at = at.or(toml_entry(&file.text, "auth", "password_requirements"));
    }
    if config_value(table, "auth.email", "enable_confirmations").and_then(|v| v.as_bool())
        == Some(false)
    {
        weak.push("email confirmations off".to_string());
        at = at.or(toml_entry(&file.text, "auth.email", "enable_confirmations"));
    }
    let Some(e) = at else { return };
    let mut d = AUTH_WEAK_PASSWORD_POLICY.diagnostic(
        &file.path,
        e.line,
        format!("weak password policy: {}", weak.join(", ")),
    );
    d.help = Some("require at least 8 characters with `password_requirements = \"lower_upper_letters_digits\"`, confirm emails, and enable leaked password protection".to_string());
    out.push(d);
}
