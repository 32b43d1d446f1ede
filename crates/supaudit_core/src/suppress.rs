//! Suppression comments.
//!
//! - `-- supaudit-ignore rule[, rule]: reason` on its own line covers the next
//!   statement; at the end of a statement's last line it covers that statement;
//!   inside a statement (between columns, say) it covers the findings that
//!   start on the next line of code.
//! - `-- supaudit-ignore-file rule[, rule]: reason` anywhere covers the file.
//!
//! - In client code, `supabase/config.toml` and env files, the same
//!   comments after `//` (client code) or `#` (TOML, env) cover the next line
//!   of code, or their own line when they follow code.
//!
//! Without rule names, either form covers every rule (as squawk's
//! `-- squawk-ignore-file`). Names that are unknown, or that suppress nothing,
//! are reported as `unused-ignore`.

use crate::diagnostic::{Diagnostic, Edit, Fix};
use crate::project::FileKind;
use crate::rules::{self, SqlUnit};
use crate::text::Span;

#[derive(Debug, Clone)]
pub struct Suppression {
    pub file: String,
    /// The comment itself.
    pub comment: Span,
    /// Rule names as written; empty means every rule.
    pub rules: Vec<(String, Span)>,
    /// The range the suppression covers (a statement, or the whole file).
    pub scope: Span,
    pub whole_file: bool,
}

/// `supaudit-ignore[-file] names: reason` after a comment marker: whether it
/// covers the file, and the rule names with their spans. `body` starts right
/// after the marker, at offset `base` of the file.
fn directive(body: &str, base: u32) -> Option<(bool, Vec<(String, Span)>)> {
    let lead = body.len() - body.trim_start().len();
    let body = body.trim_start();
    let (whole_file, rest, kw_len) = if let Some(r) = body.strip_prefix("supaudit-ignore-file") {
        (true, r, "supaudit-ignore-file".len())
    } else if let Some(r) = body.strip_prefix("supaudit-ignore") {
        (false, r, "supaudit-ignore".len())
    } else {
        return None;
    };
    if !rest.is_empty() && !rest.starts_with(char::is_whitespace) && !rest.starts_with(':') {
        return None;
    }
    let names_part = rest.split(':').next().unwrap_or("");
    let names_part = names_part.split("*/").next().unwrap_or("");
    let base = base + lead as u32 + kw_len as u32;
    let mut rules = Vec::new();
    let mut offset = 0usize;
    for piece in names_part.split(',') {
        let trimmed = piece.trim();
        if !trimmed.is_empty() {
            let start = offset + piece.find(trimmed).unwrap_or(0);
            let s = base + start as u32;
            rules.push((trimmed.to_string(), Span::new(s, s + trimmed.len() as u32)));
        }
        offset += piece.len() + 1;
    }
    Some((whole_file, rules))
}

/// The comment marker of a line-oriented file: `//` in client code, `#` in
/// TOML and env files; `None` for other files.
pub fn line_comment_marker(kind: &FileKind) -> Option<&'static str> {
    match kind {
        FileKind::Client => Some("//"),
        FileKind::SupabaseConfig | FileKind::Env => Some("#"),
        _ => None,
    }
}

/// Finds the suppressions of a client, TOML or env file: a comment on its own
/// line covers the next line of code, one after code covers its own line, and
/// `supaudit-ignore-file` the file.
pub fn collect_lines(path: &str, text: &str, marker: &str) -> Vec<Suppression> {
    let mut out = Vec::new();
    let lines: Vec<(usize, &str)> = {
        let mut at = 0;
        text.split_inclusive('\n')
            .map(|l| {
                let r = (at, l.trim_end_matches(['\n', '\r']));
                at += l.len();
                r
            })
            .collect()
    };
    for (i, (start, line)) in lines.iter().enumerate() {
        let Some(pos) = line.find(marker) else {
            continue;
        };
        let body_at = start + pos + marker.len();
        let Some((whole_file, rules)) = directive(&line[pos + marker.len()..], body_at as u32)
        else {
            continue;
        };
        let comment = Span::new((start + pos) as u32, (start + line.len()) as u32);
        let own_line = line[..pos].trim().is_empty();
        let scope = if whole_file {
            Span::new(0, text.len() as u32)
        } else if !own_line {
            Span::new(*start as u32, (start + line.len()) as u32)
        } else {
            lines[i + 1..]
                .iter()
                .find(|(_, l)| !l.trim().is_empty() && !l.trim_start().starts_with(marker))
                .map(|(s, l)| Span::new(*s as u32, (s + l.len()) as u32))
                .unwrap_or(Span::empty(comment.end))
        };
        out.push(Suppression {
            file: path.to_string(),
            comment,
            rules,
            scope,
            whole_file,
        });
    }
    out
}

/// Finds the suppressions of one SQL file.
pub fn collect(unit: &SqlUnit) -> Vec<Suppression> {
    let mut out = Vec::new();
    for c in &unit.sql.comments {
        let Some(body) = c.text.strip_prefix("--") else {
            continue;
        };
        let Some((whole_file, rules)) = directive(body, c.span.start + 2) else {
            continue;
        };
        let scope = if whole_file {
            Span::new(0, unit.text.len() as u32)
        } else {
            statement_scope(unit, c.span)
        };
        out.push(Suppression {
            file: unit.path.to_string(),
            comment: c.span,
            rules,
            scope,
            whole_file,
        });
    }
    out
}

/// What a statement-level comment covers (see the module docs); empty when nothing.
fn statement_scope(unit: &SqlUnit, comment: Span) -> Span {
    let stmts = &unit.sql.stmts;
    let text = unit.text;
    // At the end of a statement's last line: that statement (the innermost one).
    if let Some(s) = stmts
        .iter()
        .filter(|s| {
            s.span.end <= comment.start
                && text[s.span.end as usize..comment.start as usize]
                    .chars()
                    .all(|ch| ch == ' ' || ch == '\t')
        })
        .max_by_key(|s| s.span.start)
    {
        return s.span;
    }
    // Inside a statement: its next line of code (findings that start there).
    if let Some(s) = stmts
        .iter()
        .filter(|s| s.span.start < comment.start && comment.end <= s.span.end)
        .max_by_key(|s| s.span.start)
    {
        let mut at = comment.end as usize;
        let end = s.span.end as usize;
        while at < end {
            let line_end = text[at..end].find('\n').map_or(end, |i| at + i);
            let line = text[at..line_end].trim();
            if !line.is_empty() && !line.starts_with("--") {
                return Span::new(comment.end, line_end as u32);
            }
            at = line_end + 1;
        }
        return Span::empty(comment.end);
    }
    // Otherwise the next statement.
    stmts
        .iter()
        .find(|s| s.span.start >= comment.end)
        .map(|s| s.span)
        .unwrap_or(Span::empty(comment.end))
}

/// Removes suppressed diagnostics and reports unknown or unused suppressions.
/// `enabled` tells whether a rule ran: a suppression of a rule turned off in
/// the settings is not reported as unused.
pub fn apply<'a>(
    diagnostics: &mut Vec<Diagnostic>,
    suppressions: &[Suppression],
    texts: &dyn Fn(&str) -> Option<&'a str>,
    enabled: &dyn Fn(&str) -> bool,
) -> Vec<Diagnostic> {
    // Per suppression: whether each named rule (or, with no names, the comment) was used.
    let mut used: Vec<Vec<bool>> = suppressions
        .iter()
        .map(|s| vec![false; s.rules.len().max(1)])
        .collect();
    diagnostics.retain(|d| {
        let mut keep = true;
        for (i, s) in suppressions.iter().enumerate() {
            if s.file != d.file
                || s.scope.is_empty()
                || !(s.scope.contains(Span::empty(d.range.start)) || s.scope.contains(d.range))
            {
                continue;
            }
            if s.rules.is_empty() {
                used[i][0] = true;
                keep = false;
            }
            for (j, (name, _)) in s.rules.iter().enumerate() {
                if name == d.rule {
                    used[i][j] = true;
                    keep = false;
                }
            }
        }
        keep
    });
    let rule = &rules::syntax::unused_ignore::UNUSED_IGNORE;
    let mut out = Vec::new();
    for (i, s) in suppressions.iter().enumerate() {
        let text = texts(&s.file).unwrap_or_default();
        let remove_comment = || {
            Fix::safe(
                "Remove the suppression comment",
                vec![Edit::delete(&s.file, line_extent(text, s.comment))],
            )
        };
        if s.rules.is_empty() {
            if !used[i][0] {
                let what = if s.whole_file {
                    "this file"
                } else {
                    "the statement it covers"
                };
                let mut d = rule.diagnostic(
                    &s.file,
                    s.comment,
                    format!("suppression comment without rule names suppresses nothing: no finding in {what}"),
                );
                d.help = Some("remove the comment".into());
                d.fixes.push(remove_comment());
                out.push(d);
            }
            continue;
        }
        let all_unused = used[i].iter().all(|u| !u);
        for (j, (name, span)) in s.rules.iter().enumerate() {
            if used[i][j] {
                continue;
            }
            let known = rules::by_name(name).is_some();
            if known && !enabled(name) {
                continue;
            }
            let suggestion = if known { None } else { did_you_mean(name) };
            let message = if known {
                format!("suppression of `{name}` is unused: no `{name}` finding here")
            } else {
                let hint = match &suggestion {
                    Some(Suggestion::Rule(c)) => format!(" (did you mean `{c}`?)"),
                    Some(Suggestion::Reason(c)) => {
                        format!(" (separate the reason with a colon: `{c}: …`)")
                    }
                    None => String::new(),
                };
                format!("suppression names unknown rule `{name}`{hint}")
            };
            let mut d = rule.diagnostic(&s.file, *span, message);
            d.help = Some(
                "remove the rule from the comment, or the comment if it names nothing else".into(),
            );
            d.fixes.push(if all_unused {
                remove_comment()
            } else {
                Fix::safe(
                    "Remove the unused rule name",
                    vec![Edit::delete(&s.file, list_item_extent(text, *span))],
                )
            });
            // Correcting a misspelt name makes it suppress a finding: offered, not applied.
            match suggestion {
                Some(Suggestion::Rule(c)) => d.fixes.push(Fix::unsafe_(
                    format!("Replace with `{c}`"),
                    vec![Edit::replace(&s.file, *span, c)],
                )),
                Some(Suggestion::Reason(c)) => d.fixes.push(Fix::unsafe_(
                    "Separate the reason with a colon",
                    vec![Edit::insert(&s.file, span.start + c.len() as u32, ":")],
                )),
                None => {}
            }
            out.push(d);
        }
    }
    out
}

enum Suggestion {
    /// A rule with a close name.
    Rule(&'static str),
    /// The name starts with a real rule followed by words: a reason without its colon.
    Reason(&'static str),
}

fn did_you_mean(name: &str) -> Option<Suggestion> {
    if let Some(first) = name.split_whitespace().next()
        && first.len() < name.len()
        && let Some(r) = rules::by_name(first)
    {
        return Some(Suggestion::Reason(r.name));
    }
    rules::closest(name).map(Suggestion::Rule)
}

fn line_extent(text: &str, comment: Span) -> Span {
    let bytes = text.as_bytes();
    let mut start = comment.start as usize;
    while start > 0 && matches!(bytes[start - 1], b' ' | b'\t') {
        start -= 1;
    }
    let mut end = comment.end as usize;
    // Alone on its line: the line goes. After code: the comment and the blanks before it.
    if start == 0 || bytes[start - 1] == b'\n' {
        if end < bytes.len() && bytes[end] == b'\r' {
            end += 1;
        }
        if end < bytes.len() && bytes[end] == b'\n' {
            end += 1;
        }
    }
    Span::new(start as u32, end as u32)
}

fn list_item_extent(text: &str, name: Span) -> Span {
    let bytes = text.as_bytes();
    let (mut s, mut e) = (name.start as usize, name.end as usize);
    // Prefer removing a following comma, else a preceding one.
    let mut k = e;
    while k < bytes.len() && bytes[k] == b' ' {
        k += 1;
    }
    if k < bytes.len() && bytes[k] == b',' {
        e = k + 1;
        while e < bytes.len() && bytes[e] == b' ' {
            e += 1;
        }
    } else {
        let mut k = s;
        while k > 0 && bytes[k - 1] == b' ' {
            k -= 1;
        }
        if k > 0 && bytes[k - 1] == b',' {
            s = k - 1;
        }
    }
    Span::new(s as u32, e as u32)
}
