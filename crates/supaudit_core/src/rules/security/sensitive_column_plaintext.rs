use crate::diagnostic::Diagnostic;
use crate::model::{Column, RelKind, Relation};
use crate::rules::{Context, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports columns that hold a credential (`access_token`, `refresh_token`,
    /// `api_key`, `secret`, `client_secret`, `password`, `private_key`, `token`,
    /// an `authentication` or `credentials` document, …) stored as
    /// `text`/`varchar`/`json`/`jsonb`. A comment on the column saying it still
    /// needs encrypting (`-- TODO: Encrypt in production using Vault`, `--
    /// Should be encrypted`, on the column's line or the line above, or in
    /// `comment on column`) is quoted in the message.
    ///
    /// Names match as a whole or as a suffix (`slack_access_token`,
    /// `stripe_api_key`), camelCase too. Not reported: hashes and ciphertext
    /// (`password_hash`, `*_hashed`, `*_encrypted`, `encrypted_*`,
    /// `*_ciphertext`, `bytea` columns), non-text columns (`token_count
    /// integer`), names that only start with a credential word (`token_type`,
    /// `api_key_prefix`), device push tokens, tables of the platform's own
    /// schemas (`auth`, `storage`, `vault`), and columns whose comment says the
    /// value is already encrypted (and not that it should be).
    ///
    /// ## Why it matters
    /// Everything in a table is in every backup, dump, read replica, log of a
    /// slow query and in the hands of anyone who gets SQL access or a leaked
    /// service key. A third-party OAuth token or API key read from there lets
    /// the reader act as your users on the other service.
    ///
    /// ## Example
    /// ```sql
    /// create table public.slack_installations (
    ///   id uuid primary key default gen_random_uuid(),
    ///   team_id text not null,
    ///   access_token text not null -- TODO: Encrypt in production using Vault
    /// );
    /// ```
    ///
    /// ## Fix
    /// Keep the secret in Supabase Vault (`vault.create_secret(...)`, store the
    /// returned id and read it through `vault.decrypted_secrets` from server
    /// code) or encrypt the column (pgsodium / `pgp_sym_encrypt` into a `bytea`
    /// column), and drop the plain-text column. Store only a hash of values you
    /// need to compare but never read back (passwords, invite tokens).
    ///
    /// ## Reference
    /// Seed audit 002 "Plain text authentication storage"; seed audit 004 #1
    /// "OAuth Tokens Stored in Plain Text".
    pub static SENSITIVE_COLUMN_PLAINTEXT = {
        name: "sensitive-column-plaintext",
        category: Security,
        severity: Warning,
        fix: false,
        effort: "2-4 hours",
        check: check,
    }
}

/// Credential names, matched as the whole (snake_case) name or after a `_`.
const CREDENTIALS: &[&str] = &[
    "access_token",
    "refresh_token",
    "id_token",
    "auth_token",
    "bearer_token",
    "oauth_token",
    "oauth_token_secret",
    "api_key",
    "apikey",
    "api_secret",
    "secret",
    "client_secret",
    "secret_key",
    "signing_secret",
    "webhook_secret",
    "password",
    "passwd",
    "private_key",
    "token",
    "authentication",
    "credentials",
    "service_account_key",
];

/// Tokens that identify a device rather than authenticate anyone.
const NOT_CREDENTIALS: &[&str] = &[
    "push_token",
    "device_token",
    "fcm_token",
    "apns_token",
    "expo_push_token",
    "notification_token",
    "csrf_token",
];

const TEXT_TYPES: &[&str] = &[
    "text",
    "varchar",
    "character varying",
    "char",
    "character",
    "bpchar",
    "citext",
    "json",
    "jsonb",
];

/// `accessToken` -> `access_token`.
fn snake(name: &str) -> String {
    let mut out = String::new();
    let mut prev_lower = false;
    for c in name.chars() {
        if c.is_ascii_uppercase() {
            if prev_lower {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
            prev_lower = false;
        } else {
            out.push(c);
            prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        }
    }
    out
}

fn is_credential_name(name: &str) -> bool {
    let n = snake(name);
    let hashed = ["hash", "hashed", "encrypted", "digest", "ciphertext", "enc"];
    if n.split('_').any(|w| hashed.contains(&w)) || n.starts_with("encrypted") {
        return false;
    }
    // `x` or `…_x`, without building `_x` for every column and word.
    let is_or_ends_with = |x: &str| {
        n.strip_suffix(x)
            .is_some_and(|rest| rest.is_empty() || rest.ends_with('_'))
    };
    if NOT_CREDENTIALS.iter().any(|x| is_or_ends_with(x)) {
        return false;
    }
    CREDENTIALS.iter().any(|c| is_or_ends_with(c))
}

/// What a comment says about encryption: `Some(true)` when it asks for it
/// (`TODO: encrypt`, `should be encrypted`, `plain text`), `Some(false)` when
/// it states the value is encrypted (or hashed) already.
fn encryption_note(comment: &str) -> Option<bool> {
    let c = comment.to_ascii_lowercase();
    let mentions = [
        "encrypt",
        "vault",
        "pgsodium",
        "plain text",
        "plaintext",
        "hash",
        "bcrypt",
        "argon",
    ]
    .iter()
    .any(|w| c.contains(w));
    if !mentions {
        return None;
    }
    let todo = [
        "todo",
        "fixme",
        "should",
        "must",
        "need",
        "not encrypted",
        "unencrypted",
        "plain text",
        "plaintext",
        "in production",
        "later",
        "until",
    ]
    .iter()
    .any(|w| c.contains(w));
    if todo {
        Some(true)
    } else if ["encrypted", "ciphertext", "hash", "bcrypt", "argon"]
        .iter()
        .any(|w| c.contains(w))
    {
        Some(false)
    } else {
        None
    }
}

/// The comments on the column: `--` comments on its line or alone on the line
/// above, and `comment on column`.
fn comments<'a>(ctx: &'a Context, col: &'a Column) -> Vec<&'a str> {
    let mut out: Vec<&str> = col.comment.iter().map(String::as_str).collect();
    if col.origin.is_platform() {
        return out;
    }
    let Some(unit) = ctx.sql.iter().find(|u| u.file == col.origin.file) else {
        return out;
    };
    let text = unit.text;
    let start = col.origin.span.start as usize;
    let end = col.origin.span.end as usize;
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[end..].find('\n').map_or(text.len(), |i| end + i);
    let prev_start = if line_start == 0 {
        None
    } else {
        Some(text[..line_start - 1].rfind('\n').map_or(0, |i| i + 1))
    };
    for c in &unit.sql.comments {
        let cs = c.span.start as usize;
        let same_line = cs >= end && cs <= line_end;
        let above =
            prev_start.is_some_and(|p| cs >= p && cs < line_start && text[p..cs].trim().is_empty());
        if same_line || above {
            out.push(&c.text);
        }
    }
    out
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for rel in ctx.model.project_relations() {
        if rel.kind != RelKind::Table || matches!(rel.schema.as_str(), "auth" | "storage" | "vault")
        {
            continue;
        }
        for col in &rel.columns {
            report(ctx, rel, col, out);
        }
    }
}

fn report(ctx: &Context, rel: &Relation, col: &Column, out: &mut Vec<Diagnostic>) {
    let Some(ty) = &col.ty else {
        return;
    };
    if !TEXT_TYPES.contains(&ty.base()) || !is_credential_name(&col.name) {
        return;
    }
    let notes = comments(ctx, col);
    let mut todo = None;
    for c in &notes {
        match encryption_note(c) {
            Some(true) => todo = Some(c.trim()),
            Some(false) if todo.is_none() => return,
            _ => {}
        }
    }
    let mut message = format!(
        "column {}.{} holds a credential in plain {}",
        rel.display_name(),
        col.name,
        ty.text
    );
    if let Some(t) = todo {
        let t = t.trim_start_matches("--").trim();
        message.push_str(&format!(
            "; its comment says it still needs encrypting (\"{t}\")"
        ));
    }
    let mut d = ctx.at(&SENSITIVE_COLUMN_PLAINTEXT, &col.origin, message);
    d.help = Some("keep the secret in Supabase Vault (store the secret's id, read it via `vault.decrypted_secrets` on the server) or encrypt it with pgsodium / pgcrypto into a bytea column; store only a hash of values you compare but never read back".into());
    out.push(d);
}
