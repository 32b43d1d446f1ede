//! Recognising Supabase keys, and masking them: a key found in a file is never
//! printed whole, only a short prefix and a mask.

/// What a string that looks like a Supabase key is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyKind {
    /// `sb_secret_…`: bypasses RLS.
    SecretKey,
    /// `sb_publishable_…`: safe in browsers.
    PublishableKey,
    /// A JWT whose `role` claim is `service_role`.
    ServiceRoleJwt,
    /// A JWT whose `role` claim is `anon`.
    AnonJwt,
    /// Another JWT.
    OtherJwt,
}

impl KeyKind {
    /// Keys that bypass row level security.
    pub fn is_secret(self) -> bool {
        matches!(self, KeyKind::SecretKey | KeyKind::ServiceRoleJwt)
    }
    pub fn describe(self) -> &'static str {
        match self {
            KeyKind::SecretKey => "a Supabase secret key",
            KeyKind::PublishableKey => "a Supabase publishable key",
            KeyKind::ServiceRoleJwt => "a service_role JWT",
            KeyKind::AnonJwt => "an anon JWT",
            KeyKind::OtherJwt => "a JWT",
        }
    }
}

/// Classifies a value, or `None` when it does not look like a key.
pub fn classify(value: &str) -> Option<KeyKind> {
    let v = value.trim();
    if let Some(rest) = v.strip_prefix("sb_secret_") {
        return is_random_token(rest).then_some(KeyKind::SecretKey);
    }
    if let Some(rest) = v.strip_prefix("sb_publishable_") {
        return is_random_token(rest).then_some(KeyKind::PublishableKey);
    }
    let mut parts = v.split('.');
    let (Some(h), Some(p), Some(s), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return None;
    };
    if !h.starts_with("eyJ")
        || p.len() < 10
        || s.len() < 10
        || ![h, p, s].iter().all(|x| is_b64url(x))
    {
        return None;
    }
    let payload = base64url_decode(p)?;
    let payload = String::from_utf8_lossy(&payload);
    let role = json_string_field(&payload, "role");
    Some(match role.as_deref() {
        Some("service_role") => KeyKind::ServiceRoleJwt,
        Some("anon") => KeyKind::AnonJwt,
        _ => KeyKind::OtherJwt,
    })
}

/// A prefix of the value followed by a mask, safe to print.
pub fn mask(value: &str) -> String {
    let v = value.trim();
    let keep = if v.starts_with("sb_secret_") {
        "sb_secret_".len() + 2
    } else if v.starts_with("sb_publishable_") {
        "sb_publishable_".len() + 2
    } else {
        6.min(v.len() / 4)
    };
    let prefix: String = v.chars().take(keep).collect();
    format!(
        "{prefix}…[{} chars hidden]",
        v.chars().count() - prefix.chars().count()
    )
}

/// `line` with every key in it masked character for character (a prefix is
/// kept), so that snippets keep their columns and never show a key whole.
pub fn redact(line: &str) -> std::borrow::Cow<'_, str> {
    let token = |c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.');
    let mut out: Option<String> = None;
    let mut start = None;
    let chars: Vec<(usize, char)> = line.char_indices().collect();
    for i in 0..=chars.len() {
        let c = chars.get(i).map(|x| x.1);
        match (start, c.is_some_and(token)) {
            (None, true) => start = Some(i),
            (Some(s), false) => {
                let (a, b) = (chars[s].0, chars.get(i).map_or(line.len(), |x| x.0));
                let word = &line[a..b];
                if classify(word).is_some() {
                    let keep = mask(word).split('…').next().map_or(0, str::len);
                    let o = out.get_or_insert_with(|| line.to_string());
                    let masked = format!("{}{}", &word[..keep], "*".repeat(word.len() - keep));
                    o.replace_range(a..b, &masked);
                }
                start = None;
            }
            _ => {}
        }
    }
    match out {
        Some(s) => std::borrow::Cow::Owned(s),
        None => std::borrow::Cow::Borrowed(line),
    }
}

/// The random part of an `sb_…` key: base64url characters, upper and lower
/// case mixed (real keys are random; `sb_secret_alpha_should_not_leak` in a
/// test is not a key).
fn is_random_token(s: &str) -> bool {
    s.len() >= 8
        && is_token(s)
        && s.bytes().any(|b| b.is_ascii_uppercase())
        && s.bytes().any(|b| b.is_ascii_lowercase())
}

/// A JWT of the local stack (`supabase start`): its well-known keys carry
/// `"iss": "supabase-demo"` and are public, not secrets.
pub fn is_demo_jwt(value: &str) -> bool {
    let Some(payload) = value.trim().split('.').nth(1) else {
        return false;
    };
    // `supabase-demo` base64url-encoded at any alignment.
    [
        "c3VwYWJhc2UtZGVtby",
        "N1cGFiYXNlLWRlbW8",
        "zdXBhYmFzZS1kZW1v",
    ]
    .iter()
    .any(|p| payload.contains(p))
}

fn is_token(s: &str) -> bool {
    s.bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

fn is_b64url(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-' || b == b'=')
}

fn base64url_decode(s: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let mut buf = 0u32;
    let mut bits = 0;
    for b in s.bytes() {
        let v = match b {
            b'A'..=b'Z' => b - b'A',
            b'a'..=b'z' => b - b'a' + 26,
            b'0'..=b'9' => b - b'0' + 52,
            b'-' | b'+' => 62,
            b'_' | b'/' => 63,
            b'=' => break,
            _ => return None,
        };
        buf = (buf << 6) | v as u32;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((buf >> bits) as u8);
            buf &= (1 << bits) - 1;
        }
    }
    Some(out)
}

/// The string value of `"field": "…"` in a flat JSON object (enough for JWT claims).
fn json_string_field(json: &str, field: &str) -> Option<String> {
    let key = format!("\"{field}\"");
    let at = json.find(&key)? + key.len();
    let rest = json[at..].trim_start().strip_prefix(':')?.trim_start();
    let rest = rest.strip_prefix('"')?;
    Some(rest[..rest.find('"')?].to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    // {"alg":"HS256","typ":"JWT"} . {"iss":"supabase","role":"service_role"} . sig
    const SERVICE: &str = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZSIsInJvbGUiOiJzZXJ2aWNlX3JvbGUifQ.c2lnbmF0dXJlLXNpZ25hdHVyZQ";
    const ANON: &str = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZSIsInJvbGUiOiJhbm9uIn0.c2lnbmF0dXJlLXNpZ25hdHVyZQ";

    #[test]
    fn classifies_keys() {
        assert_eq!(classify(SERVICE), Some(KeyKind::ServiceRoleJwt));
        assert_eq!(classify(ANON), Some(KeyKind::AnonJwt));
        assert_eq!(
            classify("sb_secret_N7UND0UgjKTVK-Uodkm0Hg_xSvEMPvz"),
            Some(KeyKind::SecretKey)
        );
        assert_eq!(classify("sb_secret_"), None);
        assert_eq!(classify("your-service-role-key"), None);
        assert_eq!(classify("a.b.c"), None);
    }

    #[test]
    fn masks_never_show_the_whole_value() {
        for v in [SERVICE, ANON, "sb_secret_N7UND0UgjKTVK-Uodkm0Hg_xSvEMPvz"] {
            let m = mask(v);
            assert!(!m.contains(v));
            assert!(m.len() < v.len(), "{m}");
        }
        assert_eq!(
            mask("sb_secret_N7UND0UgjKTVK"),
            "sb_secret_N7…[11 chars hidden]"
        );
    }
}
