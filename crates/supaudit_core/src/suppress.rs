//! Suppression comments: `-- supaudit-ignore rule[, rule]: reason` before a
//! statement, and `-- supaudit-ignore-file rule` anywhere in a file.

use crate::diagnostic::{Diagnostic, Edit, Fix};
use crate::rules::{self, SqlUnit};
use crate::sql::StmtContext;
use crate::text::Span;

#[derive(Debug, Clone)]
pub struct Suppression {
    pub file: String,
    /// The comment itself.
    pub comment: Span,
    /// Rule names as written.
    pub rules: Vec<(String, Span)>,
    /// The range the suppression covers (a statement, or the whole file).
    pub scope: Span,
    pub whole_file: bool,
}

/// Finds the suppressions of one SQL file.
pub fn collect(unit: &SqlUnit) -> Vec<Suppression> {
    let mut out = Vec::new();
    for c in &unit.sql.comments {
        let Some(body) = c.text.strip_prefix("--") else {
            continue;
        };
        let lead = body.len() - body.trim_start().len();
        let body = body.trim_start();
        let (whole_file, rest, kw_len) = if let Some(r) = body.strip_prefix("supaudit-ignore-file")
        {
            (true, r, "supaudit-ignore-file".len())
        } else if let Some(r) = body.strip_prefix("supaudit-ignore") {
            (false, r, "supaudit-ignore".len())
        } else {
            continue;
        };
        if !rest.is_empty() && !rest.starts_with(char::is_whitespace) {
            continue;
        }
        let names_part = rest.split(':').next().unwrap_or("");
        let base = c.span.start + 2 + lead as u32 + kw_len as u32;
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
        let scope = if whole_file {
            Span::new(0, unit.text.len() as u32)
        } else {
            unit.sql
                .stmts
                .iter()
                .filter(|s| s.context == StmtContext::TopLevel || s.span.start > c.span.end)
                .find(|s| s.span.start >= c.span.end)
                .map(|s| s.span)
                .unwrap_or(Span::empty(c.span.end))
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

/// Removes suppressed diagnostics and reports unknown or unused suppressions.
pub fn apply(
    diagnostics: &mut Vec<Diagnostic>,
    suppressions: &[Suppression],
    texts: &dyn Fn(&str) -> Option<String>,
) -> Vec<Diagnostic> {
    let mut used = vec![Vec::<bool>::new(); suppressions.len()];
    for (i, s) in suppressions.iter().enumerate() {
        used[i] = vec![false; s.rules.len()];
    }
    diagnostics.retain(|d| {
        let mut keep = true;
        for (i, s) in suppressions.iter().enumerate() {
            if s.file != d.file
                || !(s.scope.contains(Span::empty(d.range.start)) || s.scope.contains(d.range))
            {
                continue;
            }
            if s.scope.is_empty() {
                continue;
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
        for (j, (name, span)) in s.rules.iter().enumerate() {
            if used[i][j] {
                continue;
            }
            let known = rules::by_name(name).is_some();
            let message = if !known {
                let hint = rules::closest(name)
                    .map(|c| format!(" (did you mean `{c}`?)"))
                    .unwrap_or_default();
                format!("suppression names unknown rule `{name}`{hint}")
            } else {
                format!("suppression of `{name}` is unused: no `{name}` finding here")
            };
            let mut d = rule.diagnostic(&s.file, *span, message);
            d.help = Some(
                "remove the rule from the comment, or the comment if it names nothing else".into(),
            );
            let all_unused = used[i].iter().all(|u| !u);
            let edit = if all_unused {
                // Remove the whole comment line when the comment stands alone on it.
                Edit::delete(&s.file, line_extent(&text, s.comment))
            } else {
                Edit::delete(&s.file, list_item_extent(&text, *span))
            };
            d.fixes.push(Fix::safe(
                if all_unused {
                    "Remove the suppression comment"
                } else {
                    "Remove the unused rule name"
                },
                vec![edit],
            ));
            out.push(d);
        }
    }
    out
}

fn line_extent(text: &str, comment: Span) -> Span {
    let bytes = text.as_bytes();
    let mut start = comment.start as usize;
    while start > 0 && matches!(bytes[start - 1], b' ' | b'\t') {
        start -= 1;
    }
    let mut end = comment.end as usize;
    if start == 0 || bytes[start - 1] == b'\n' {
        if end < bytes.len() && bytes[end] == b'\r' {
            end += 1;
        }
        if end < bytes.len() && bytes[end] == b'\n' {
            end += 1;
        }
    } else {
        start = comment.start as usize;
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
