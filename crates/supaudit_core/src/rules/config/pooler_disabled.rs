use super::{config, config_value, toml_entry, toml_tables};
use crate::diagnostic::{Diagnostic, Edit, Fix};
use crate::rules::{Context, declare_rule};
use crate::text::Span;

declare_rule! {
    /// ## What it does
    /// Reports a `supabase/config.toml` whose connection pooler is off:
    /// `[db.pooler] enabled = false`, or no `[db.pooler]` table at all.
    ///
    /// ## Why it matters
    /// Without the pooler (Supavisor) every server process, serverless function
    /// and migration tool opens its own PostgreSQL connection. Serverless
    /// platforms open one per invocation and exhaust `max_connections` under
    /// load; the local stack should match how production is reached, through
    /// the pooler in transaction mode.
    ///
    /// ## Example
    /// ```toml
    /// [db.pooler]
    /// enabled = false
    /// ```
    ///
    /// ## Fix
    /// ```toml
    /// [db.pooler]
    /// enabled = true
    /// pool_mode = "transaction"
    /// ```
    /// The fix is unsafe: the local stack starts the pooler container, and
    /// clients must connect through its port (`6543` by default) to use it.
    ///
    /// ## Reference
    /// Seed audit 000 §1.1 (CRITICAL #2: connection pooling disabled).
    pub static POOLER_DISABLED = {
        name: "pooler-disabled",
        category: Config,
        severity: Warning,
        fix: true,
        effort: "15 min",
        check: check,
    }
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let Some((file, table)) = config(ctx) else {
        return;
    };
    let enabled = config_value(table, "db.pooler", "enabled").and_then(|v| v.as_bool());
    if enabled == Some(true) {
        return;
    }
    let text = &file.text;
    let path = file.path.as_str();
    let has_mode = config_value(table, "db.pooler", "pool_mode").is_some();
    let message = "connection pooling is disabled in supabase/config.toml";
    if let Some(e) = toml_entry(text, "db.pooler", "enabled") {
        let mut edits = vec![Edit::replace(path, e.value, "true")];
        if !has_mode {
            edits.push(Edit::insert(
                path,
                e.line.end,
                "\npool_mode = \"transaction\"",
            ));
        }
        push(
            out,
            POOLER_DISABLED.diagnostic(path, e.line, message),
            Some(edits),
        );
        return;
    }
    let tables = toml_tables(text);
    let db = tables.iter().find(|(n, _, _)| n == "db");
    if let Some((_, header, _)) = tables.iter().find(|(n, _, _)| n == "db.pooler") {
        let d = POOLER_DISABLED.diagnostic(
            path,
            *header,
            "the connection pooler is not enabled in supabase/config.toml",
        );
        // `enabled` is there in a form the text search does not find: no fix.
        if config_value(table, "db.pooler", "enabled").is_some() {
            push(out, d, None);
            return;
        }
        let mut add = "\nenabled = true".to_string();
        if !has_mode {
            add.push_str("\npool_mode = \"transaction\"");
        }
        push(out, d, Some(vec![Edit::insert(path, header.end, add)]));
        return;
    }
    // `[db] pooler.enabled = false` or `pooler = { enabled = false }`: a
    // `[db.pooler]` table would define the key twice, so edit it in place.
    if config_value(table, "db", "pooler").is_some() {
        let found =
            db.and_then(|(_, header, end)| pooler_in_db(text, path, *header, *end, has_mode));
        match found {
            Some((span, edits)) => push(
                out,
                POOLER_DISABLED.diagnostic(path, span, message),
                Some(edits),
            ),
            None => {
                let span = db.map(|(_, h, _)| *h).unwrap_or_else(|| first_line(text));
                push(out, POOLER_DISABLED.diagnostic(path, span, message), None);
            }
        }
        return;
    }
    let table_text = "[db.pooler]\nenabled = true\npool_mode = \"transaction\"\n";
    let (span, edits) = match db {
        Some((_, header, end)) => {
            let insert_at = *end as usize;
            let before = &text[..insert_at];
            let prefix = if before.ends_with("\n\n") {
                ""
            } else if before.ends_with('\n') {
                "\n"
            } else {
                "\n\n"
            };
            // A blank line before the header that follows.
            let suffix = if insert_at < text.len() { "\n" } else { "" };
            (
                *header,
                Some(vec![Edit::insert(
                    path,
                    *end,
                    format!("{prefix}{table_text}{suffix}"),
                )]),
            )
        }
        // `db` given by dotted keys or an inline table elsewhere: no safe place.
        None if table.contains_key("db") => (first_line(text), None),
        None => {
            let prefix = if text.is_empty() || text.ends_with("\n\n") {
                ""
            } else if text.ends_with('\n') {
                "\n"
            } else {
                "\n\n"
            };
            (
                first_line(text),
                Some(vec![Edit::insert(
                    path,
                    text.len() as u32,
                    format!("{prefix}{table_text}"),
                )]),
            )
        }
    };
    push(out, POOLER_DISABLED.diagnostic(path, span, message), edits);
}

/// The first line with content, where a finding about the whole file points.
fn first_line(text: &str) -> Span {
    let mut at = 0usize;
    for line in text.split_inclusive('\n') {
        let t = line.trim();
        if !t.is_empty() {
            let start = at + (line.len() - line.trim_start().len());
            return Span::new(start as u32, (start + t.len()) as u32);
        }
        at += line.len();
    }
    Span::empty(0)
}

/// `key` (bare or quoted) at the start of `s`, followed by `rest`.
fn strip_key<'t>(s: &'t str, key: &str) -> Option<&'t str> {
    let rest = s
        .strip_prefix(key)
        .or_else(|| s.strip_prefix('"')?.strip_prefix(key)?.strip_prefix('"'))?;
    (!rest.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_' || c == '-')).then_some(rest)
}

/// The end of a bare value (`false`, `1`) starting at `s`.
fn bare_value_len(s: &str) -> usize {
    s.find(|c: char| c.is_whitespace() || matches!(c, ',' | '}' | '#'))
        .unwrap_or(s.len())
}

/// The contents of a one-line inline table (after its `{`) up to its `}`, and
/// its items with their offsets; `None` for nested tables or arrays.
fn inline_items(s: &str) -> Option<(&str, Vec<(usize, &str)>)> {
    let mut items = Vec::new();
    let (mut start, mut quote, mut escaped) = (0usize, None::<char>, false);
    for (i, c) in s.char_indices() {
        if let Some(q) = quote {
            if escaped {
                escaped = false;
            } else if c == '\\' && q == '"' {
                escaped = true;
            } else if c == q {
                quote = None;
            }
            continue;
        }
        match c {
            '"' | '\'' => quote = Some(c),
            '{' | '[' => return None,
            ',' => {
                items.push((start, &s[start..i]));
                start = i + 1;
            }
            '}' => {
                items.push((start, &s[start..i]));
                return Some((&s[..i], items));
            }
            _ => {}
        }
    }
    None
}

/// Enables the pooler where `[db]` (header `header`, ending at `end`) defines
/// it with dotted keys (`pooler.enabled = false`) or a one-line inline table
/// (`pooler = { enabled = false }`): the span to report and the edits.
fn pooler_in_db(
    text: &str,
    path: &str,
    header: Span,
    end: u32,
    has_mode: bool,
) -> Option<(Span, Vec<Edit>)> {
    let body = text.get(header.end as usize..end as usize)?;
    let mut at = header.end as usize;
    // The last `pooler.x = …` line: (line span, indentation).
    let mut last_dotted: Option<(Span, &str)> = None;
    for line in body.split_inclusive('\n') {
        let line_start = at;
        at += line.len();
        let content = line.trim_end();
        let trimmed = content.trim_start();
        let indent = &content[..content.len() - trimmed.len()];
        let line_span = Span::new(
            (line_start + indent.len()) as u32,
            (line_start + content.len()) as u32,
        );
        let Some(rest) = strip_key(trimmed, "pooler") else {
            continue;
        };
        let rest_t = rest.trim_start();
        let offset_of = |s: &str| line_start + (content.len() - s.len());
        if let Some(key) = rest_t.strip_prefix('.') {
            last_dotted = Some((line_span, indent));
            let Some(after) = strip_key(key.trim_start(), "enabled") else {
                continue;
            };
            let value = after.trim_start().strip_prefix('=')?.trim_start();
            let v_at = offset_of(value);
            let v_len = bare_value_len(value);
            if v_len == 0 {
                return None;
            }
            let mut edits = vec![Edit::replace(
                path,
                Span::new(v_at as u32, (v_at + v_len) as u32),
                "true",
            )];
            if !has_mode {
                edits.push(Edit::insert(
                    path,
                    line_span.end,
                    format!("\n{indent}pooler.pool_mode = \"transaction\""),
                ));
            }
            return Some((line_span, edits));
        }
        // `pooler = { … }` on one line.
        let inline = rest_t.strip_prefix('=')?.trim_start().strip_prefix('{')?;
        let inner_at = offset_of(inline);
        let (inner, items) = inline_items(inline)?;
        for (item_rel, item) in items {
            let t = item.trim_start();
            let item_at = inner_at + item_rel + (item.len() - t.len());
            let Some(after) = strip_key(t, "enabled") else {
                continue;
            };
            let after_t = after.trim_start();
            let value = after_t.strip_prefix('=')?.trim_start();
            let v_at = item_at + (t.len() - value.len());
            let v_len = bare_value_len(value);
            if v_len == 0 {
                return None;
            }
            let mut new = "true".to_string();
            if !has_mode {
                new.push_str(", pool_mode = \"transaction\"");
            }
            let edits = vec![Edit::replace(
                path,
                Span::new(v_at as u32, (v_at + v_len) as u32),
                new,
            )];
            return Some((line_span, edits));
        }
        // No `enabled` key: add it at the end of the table.
        let last = inner.trim_end();
        let mut add = if last.is_empty() {
            " enabled = true".to_string()
        } else {
            ", enabled = true".to_string()
        };
        if !has_mode {
            add.push_str(", pool_mode = \"transaction\"");
        }
        if last.is_empty() {
            add.push(' ');
        }
        let edits = vec![Edit::insert(path, (inner_at + last.len()) as u32, add)];
        return Some((line_span, edits));
    }
    // `pooler.port = …` without `pooler.enabled`: add it below.
    let (line, indent) = last_dotted?;
    let mut add = format!("\n{indent}pooler.enabled = true");
    if !has_mode {
        add.push_str(&format!("\n{indent}pooler.pool_mode = \"transaction\""));
    }
    Some((line, vec![Edit::insert(path, line.end, add)]))
}

fn push(out: &mut Vec<Diagnostic>, mut d: Diagnostic, edits: Option<Vec<Edit>>) {
    d.help = Some("enable the pooler (Supavisor) in transaction mode so that serverless and server code share a bounded number of connections".to_string());
    if let Some(edits) = edits {
        d.fixes.push(Fix::unsafe_(
            "Enable the connection pooler in transaction mode",
            edits,
        ));
    }
    out.push(d);
}
