//! Rules over `supabase/config.toml` and env files.

pub mod auth_anonymous_sign_ins;
pub mod auth_weak_password_policy;
pub mod pooler_disabled;
pub mod public_env_service_key;
pub mod secret_in_env_example;
pub mod stats_extension_missing;

use crate::project::{FileKind, SourceFile};
use crate::rules::Context;
use crate::text::Span;

/// A `key = value` line of a TOML table, found in the text (the parsed
/// `toml::Table` has the values, this has where they are).
pub(crate) struct TomlEntry {
    pub line: Span,
    pub value: Span,
}

/// The table headers of a TOML text: `(name, span of the header line, end of the table)`.
pub(crate) fn toml_tables(text: &str) -> Vec<(String, Span, u32)> {
    let mut out: Vec<(String, Span, u32)> = Vec::new();
    let mut at = 0u32;
    for line in text.split_inclusive('\n') {
        let t = line.trim();
        if t.starts_with('[') && !t.starts_with("[[") {
            if let Some(last) = out.last_mut() {
                last.2 = at;
            }
            let name = t
                .trim_start_matches('[')
                .split(']')
                .next()
                .unwrap_or("")
                .split('.')
                .map(|p| p.trim().trim_matches('"'))
                .collect::<Vec<_>>()
                .join(".");
            let start = at + (line.len() - line.trim_start().len()) as u32;
            out.push((
                name,
                Span::new(start, start + t.len() as u32),
                text.len() as u32,
            ));
        }
        at += line.len() as u32;
    }
    out
}

/// Finds `key = …` directly in `[table]`.
pub(crate) fn toml_entry(text: &str, table: &str, key: &str) -> Option<TomlEntry> {
    let (_, header, end) = toml_tables(text).into_iter().find(|(n, _, _)| n == table)?;
    let mut at = header.end;
    let body = text.get(at as usize..end as usize)?;
    for line in body.split_inclusive('\n') {
        let trimmed = line.trim_start();
        let lead = (line.len() - trimmed.len()) as u32;
        if let Some(rest) = trimmed.strip_prefix(key)
            && rest.trim_start().starts_with('=')
        {
            let eq = line.find('=')?;
            let raw = &line[eq + 1..];
            let value_start = eq + 1 + (raw.len() - raw.trim_start().len());
            let mut value_end = line.trim_end().len();
            // A trailing comment after an unquoted value.
            if let Some(h) = line[value_start..].find(" #")
                && !line[value_start..].starts_with('"')
            {
                value_end = value_start + h;
            }
            return Some(TomlEntry {
                line: Span::new(at + lead, at + line.trim_end().len() as u32),
                value: Span::new(at + value_start as u32, at + value_end as u32),
            });
        }
        at += line.len() as u32;
    }
    None
}

/// The `supabase/config.toml` file and its parsed table.
pub(crate) fn config<'a>(ctx: &Context<'a>) -> Option<(&'a SourceFile, &'a toml::Table)> {
    let (id, table) = ctx.config?;
    Some((&ctx.project.files[id.0 as usize], table))
}

/// `table.key` in the parsed config, walking dotted tables.
pub(crate) fn config_value<'t>(
    config: &'t toml::Table,
    table: &str,
    key: &str,
) -> Option<&'t toml::Value> {
    let mut t = config;
    for part in table.split('.') {
        t = t.get(part)?.as_table()?;
    }
    t.get(key)
}

/// One `NAME=value` line of an env file.
pub(crate) struct EnvEntry<'t> {
    pub name: &'t str,
    pub name_span: Span,
    pub value: &'t str,
    pub value_span: Span,
}

pub(crate) fn env_entries(text: &str) -> Vec<EnvEntry<'_>> {
    let mut out = Vec::new();
    let mut at = 0usize;
    for line in text.split_inclusive('\n') {
        let start = at;
        at += line.len();
        let content = line.trim_end_matches(['\n', '\r']);
        let trimmed = content.trim_start();
        if trimmed.starts_with('#') || !trimmed.contains('=') {
            continue;
        }
        let lead = content.len() - trimmed.len();
        let decl = match trimmed.strip_prefix("export") {
            Some(rest) if rest.starts_with([' ', '\t']) => rest.trim_start(),
            _ => trimmed,
        };
        let name_at = lead + (trimmed.len() - decl.len());
        let Some(eq) = decl.find('=') else { continue };
        let name = decl[..eq].trim_end();
        if name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
            continue;
        }
        let raw = &decl[eq + 1..];
        let rest = raw.trim_start();
        let (skip, value) = env_value(rest);
        let v_at = name_at + eq + 1 + (raw.len() - rest.len()) + skip;
        out.push(EnvEntry {
            name,
            name_span: Span::new(
                (start + name_at) as u32,
                (start + name_at + name.len()) as u32,
            ),
            value,
            value_span: Span::new((start + v_at) as u32, (start + v_at + value.len()) as u32),
        });
    }
    out
}

/// The value at the start of `rest` (what follows `=`): the contents of a
/// quoted value (`"…"` or `'…'`, whatever follows the closing quote, such as a
/// comment, is ignored), else the text up to a ` #` comment. Returns the
/// value's offset in `rest` and the value.
fn env_value(rest: &str) -> (usize, &str) {
    if let Some(q) = rest.chars().next().filter(|c| *c == '"' || *c == '\'') {
        let body = &rest[1..];
        let mut escaped = false;
        for (i, c) in body.char_indices() {
            if escaped {
                escaped = false;
            } else if c == '\\' && q == '"' {
                escaped = true;
            } else if c == q {
                return (1, &body[..i]);
            }
        }
        // No closing quote (a multi-line value): the line as written.
    }
    let end = [" #", "\t#"]
        .iter()
        .filter_map(|h| rest.find(h))
        .min()
        .unwrap_or(rest.len());
    (0, rest[..end].trim_end())
}

/// Env files in the project (not excluded).
pub(crate) fn env_files<'a>(ctx: &Context<'a>) -> impl Iterator<Item = &'a SourceFile> + 'a {
    ctx.project.files.iter().filter(|f| f.kind == FileKind::Env)
}

/// `.env.example`, `.env.sample`, `.env.template` …: files meant to be committed.
pub(crate) fn is_example_env(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    ["example", "sample", "template", "dist", "defaults"]
        .iter()
        .any(|w| name.contains(w))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_toml_entries() {
        let t = "[db]\nport = 1\n\n[db.pooler]\n# c\nenabled = false # off\npool_mode = \"transaction\"\n[auth]\nenabled = true\n";
        let e = toml_entry(t, "db.pooler", "enabled").unwrap();
        assert_eq!(&t[e.value.range()], "false");
        assert_eq!(&t[e.line.range()], "enabled = false # off");
        let e = toml_entry(t, "auth", "enabled").unwrap();
        assert_eq!(&t[e.value.range()], "true");
        assert!(toml_entry(t, "db", "enabled").is_none());
    }

    #[test]
    fn reads_env_lines() {
        let t = "# c\nA=1\nexport B = \"two words\"\nC='x' \nbad line\nD=v # note\nE='sb_secret_x' # server only\nF=\"a # b\" # c\nexport\tG=\"q\\\"x\"\nH=\"open\nexported=1\nI=\ta\t# t\n";
        let e = env_entries(t);
        let got: Vec<(&str, &str)> = e.iter().map(|e| (e.name, e.value)).collect();
        assert_eq!(
            got,
            [
                ("A", "1"),
                ("B", "two words"),
                ("C", "x"),
                ("D", "v"),
                ("E", "sb_secret_x"),
                ("F", "a # b"),
                ("G", "q\\\"x"),
                ("H", "\"open"),
                ("exported", "1"),
                ("I", "a"),
            ]
        );
        for x in &e {
            assert_eq!(&t[x.value_span.range()], x.value);
            assert_eq!(&t[x.name_span.range()], x.name);
        }
    }
}
