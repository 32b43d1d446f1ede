//! `supaudit.toml`: which rules run, at what severity, on which paths.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::diagnostic::Severity;
use crate::rules;

/// What a rule is set to in `[rules]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RuleLevel {
    Off,
    On,
    Info,
    Warning,
    Error,
}

/// The file as written. Unknown keys are errors.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ConfigFile {
    /// Schemas reachable over the API; overrides `[api] schemas` in `supabase/config.toml`.
    pub exposed_schemas: Option<Vec<String>>,
    /// Glob patterns (relative to the project root) of files not to analyse.
    #[serde(default)]
    pub exclude: Vec<String>,
    /// Per-rule level: `off`, `on`, `info`, `warning`, `error`.
    #[serde(default)]
    pub rules: BTreeMap<String, RuleLevel>,
}

/// Resolved settings used by the checker.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    pub exposed_schemas: Option<Vec<String>>,
    pub exclude: Vec<String>,
    pub rules: BTreeMap<String, RuleLevel>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub message: String,
    /// Byte range in the config text, when known.
    pub span: Option<crate::text::Span>,
}

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl Settings {
    /// Parses `supaudit.toml`. Unknown keys, unknown rule names and bad values are errors.
    pub fn from_toml(text: &str) -> Result<Settings, ConfigError> {
        let file: ConfigFile = toml::from_str(text).map_err(|e| ConfigError {
            message: e.message().to_string(),
            span: e
                .span()
                .map(|r| crate::text::Span::new(r.start as u32, r.end as u32)),
        })?;
        for name in file.rules.keys() {
            if rules::by_name(name).is_none() {
                let hint = rules::closest(name)
                    .map(|c| format!(" (did you mean `{c}`?)"))
                    .unwrap_or_default();
                let span = text
                    .find(name.as_str())
                    .map(|i| crate::text::Span::new(i as u32, (i + name.len()) as u32));
                return Err(ConfigError {
                    message: format!(
                        "unknown rule `{name}` in [rules]{hint}; `supaudit rules` lists them"
                    ),
                    span,
                });
            }
        }
        for pat in &file.exclude {
            if pat.trim().is_empty() {
                return Err(ConfigError {
                    message: "empty pattern in `exclude`".into(),
                    span: None,
                });
            }
        }
        Ok(Settings {
            exposed_schemas: file.exposed_schemas,
            exclude: file.exclude,
            rules: file.rules,
        })
    }

    /// Whether `rule` runs, given its default.
    pub fn enabled(&self, rule: &rules::Rule) -> bool {
        match self.rules.get(rule.name) {
            Some(RuleLevel::Off) => false,
            Some(_) => true,
            None => rule.default_enabled,
        }
    }

    pub fn severity_override(&self, rule: &str) -> Option<Severity> {
        match self.rules.get(rule)? {
            RuleLevel::Info => Some(Severity::Info),
            RuleLevel::Warning => Some(Severity::Warning),
            RuleLevel::Error => Some(Severity::Error),
            _ => None,
        }
    }

    pub fn is_excluded(&self, path: &str) -> bool {
        self.exclude.iter().any(|p| glob_match(p, path))
    }
}

/// Minimal glob: `*` (within a segment), `**` (any number of segments), `?`.
/// A pattern without `/` matches against the file name or any leading directory.
pub fn glob_match(pattern: &str, path: &str) -> bool {
    let pattern = pattern.trim_start_matches("./");
    if !pattern.contains('/') {
        return path
            .split('/')
            .any(|seg| match_segment(pattern.as_bytes(), seg.as_bytes()));
    }
    let pattern = pattern.trim_end_matches('/');
    let p: Vec<&str> = pattern.split('/').collect();
    let s: Vec<&str> = path.split('/').collect();
    match_parts(&p, &s) || {
        // A directory pattern matches everything below it.
        (1..s.len()).any(|n| match_parts(&p, &s[..n]))
    }
}

fn match_parts(p: &[&str], s: &[&str]) -> bool {
    match p.first() {
        None => s.is_empty(),
        Some(&"**") => (0..=s.len()).any(|i| match_parts(&p[1..], &s[i..])),
        Some(seg) => {
            !s.is_empty()
                && match_segment(seg.as_bytes(), s[0].as_bytes())
                && match_parts(&p[1..], &s[1..])
        }
    }
}

fn match_segment(p: &[u8], s: &[u8]) -> bool {
    // Iterative wildcard matching with backtracking on the last `*`.
    let (mut pi, mut si) = (0, 0);
    let (mut star, mut mark) = (None, 0);
    while si < s.len() {
        if pi < p.len() && (p[pi] == b'?' || p[pi] == s[si]) {
            pi += 1;
            si += 1;
        } else if pi < p.len() && p[pi] == b'*' {
            star = Some(pi);
            mark = si;
            pi += 1;
        } else if let Some(st) = star {
            pi = st + 1;
            mark += 1;
            si = mark;
        } else {
            return false;
        }
    }
    while pi < p.len() && p[pi] == b'*' {
        pi += 1;
    }
    pi == p.len()
}

/// JSON Schema of `supaudit.toml`, generated from the rule registry
/// (committed as `docs/supaudit.schema.json` for editor completion).
pub fn json_schema() -> serde_json::Value {
    let levels = serde_json::json!({"enum": ["off", "on", "info", "warning", "error"]});
    let rules: serde_json::Map<String, serde_json::Value> = rules::ALL
        .iter()
        .map(|r| {
            let mut level = levels.clone();
            level["description"] = serde_json::Value::String(format!(
                "{} (default: {}{})",
                r.summary(),
                r.severity,
                if r.default_enabled { "" } else { ", off" }
            ));
            (r.name.to_string(), level)
        })
        .collect();
    serde_json::json!({
        "$schema": "http://json-schema.org/draft-07/schema#",
        "title": "supaudit.toml",
        "type": "object",
        "additionalProperties": false,
        "properties": {
            "exposed-schemas": {
                "description": "Schemas reachable over the API; overrides [api] schemas in supabase/config.toml.",
                "type": "array", "items": {"type": "string"}
            },
            "exclude": {
                "description": "Glob patterns (relative to the project root) of files not to analyse.",
                "type": "array", "items": {"type": "string", "minLength": 1}
            },
            "rules": {
                "description": "Per-rule level.",
                "type": "object", "additionalProperties": false, "properties": rules
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs() {
        assert!(glob_match(
            "supabase/migrations/*_legacy.sql",
            "supabase/migrations/001_legacy.sql"
        ));
        assert!(glob_match("**/*.sql", "a/b/c.sql"));
        assert!(glob_match("vendor", "src/vendor/x.ts"));
        assert!(glob_match(
            "supabase/migrations",
            "supabase/migrations/1_a.sql"
        ));
        assert!(!glob_match("*.ts", "a/b.sql"));
    }

    #[test]
    fn unknown_keys_are_errors() {
        let e = Settings::from_toml("exposed_schema = []").unwrap_err();
        assert!(
            e.message.contains("unknown field `exposed_schema`"),
            "{}",
            e.message
        );
        let e = Settings::from_toml("[rules]\nrls-disable = \"off\"").unwrap_err();
        assert!(
            e.message.contains("did you mean `rls-disabled`"),
            "{}",
            e.message
        );
        let s =
            Settings::from_toml("exposed-schemas = [\"api\"]\n[rules]\nno-primary-key = \"off\"")
                .unwrap();
        assert_eq!(s.exposed_schemas, Some(vec!["api".to_string()]));
    }
}
