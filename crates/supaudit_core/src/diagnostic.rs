//! Diagnostics and fixes as plain data.

use serde::{Deserialize, Serialize};

use crate::text::Span;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

impl std::fmt::Display for Severity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Category {
    Security,
    Performance,
    Integrity,
    Migration,
    Client,
    Config,
    Syntax,
}

impl Category {
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Security => "security",
            Category::Performance => "performance",
            Category::Integrity => "integrity",
            Category::Migration => "migration",
            Category::Client => "client",
            Category::Config => "config",
            Category::Syntax => "syntax",
        }
    }
}

/// Whether a fix can be applied without review.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Applicability {
    /// Keeps the meaning the author intended; applied by `--fix`.
    Safe,
    /// Changes behaviour (access, data); applied only with `--unsafe-fixes`.
    Unsafe,
}

/// One text replacement in one file. An edit on a path the project does not
/// hold creates that file (its range is then `0..0` and `new_text` the whole
/// text; see [`Edit::create`]): fixes that add SQL to a deployed schema put it
/// in a new migration instead of editing one that may have run already.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Edit {
    pub file: String,
    pub range: Span,
    pub new_text: String,
}

impl Edit {
    pub fn insert(file: &str, at: u32, text: impl Into<String>) -> Edit {
        Edit {
            file: file.to_string(),
            range: Span::empty(at),
            new_text: text.into(),
        }
    }
    pub fn replace(file: &str, range: Span, text: impl Into<String>) -> Edit {
        Edit {
            file: file.to_string(),
            range,
            new_text: text.into(),
        }
    }
    pub fn delete(file: &str, range: Span) -> Edit {
        Edit::replace(file, range, "")
    }
    /// Creates `file` (a path not in the project) with `text`.
    pub fn create(file: &str, text: impl Into<String>) -> Edit {
        Edit::insert(file, 0, text)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Fix {
    pub title: String,
    pub applicability: Applicability,
    /// Sorted, non-overlapping edits.
    pub edits: Vec<Edit>,
}

impl Fix {
    pub fn safe(title: impl Into<String>, edits: Vec<Edit>) -> Fix {
        Fix::new(title, Applicability::Safe, edits)
    }
    pub fn unsafe_(title: impl Into<String>, edits: Vec<Edit>) -> Fix {
        Fix::new(title, Applicability::Unsafe, edits)
    }
    pub fn new(
        title: impl Into<String>,
        applicability: Applicability,
        mut edits: Vec<Edit>,
    ) -> Fix {
        edits.sort_by(|a, b| (&a.file, a.range).cmp(&(&b.file, b.range)));
        Fix {
            title: title.into(),
            applicability,
            edits,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub rule: &'static str,
    pub severity: Severity,
    pub category: Category,
    /// Path relative to the project root, with `/`.
    pub file: String,
    pub range: Span,
    pub message: String,
    pub help: Option<String>,
    pub fixes: Vec<Fix>,
}

impl Diagnostic {
    pub fn sort_key(&self) -> (&str, u32, u32, &str) {
        (&self.file, self.range.start, self.range.end, self.rule)
    }
}

/// Applies edits to one file's text. Edits must be sorted and non-overlapping;
/// overlapping ones after the first are skipped. Returns the new text and how
/// many edits were applied.
pub fn apply_edits(text: &str, edits: &[&Edit]) -> (String, usize) {
    let mut sorted: Vec<&Edit> = edits.to_vec();
    sorted.sort_by_key(|e| (e.range.start, e.range.end));
    let mut out = String::with_capacity(text.len());
    let mut last = 0usize;
    let mut applied = 0;
    for e in sorted {
        let (s, t) = (e.range.start as usize, e.range.end as usize);
        if s < last || t > text.len() || !text.is_char_boundary(s) || !text.is_char_boundary(t) {
            continue;
        }
        out.push_str(&text[last..s]);
        out.push_str(&e.new_text);
        last = t;
        applied += 1;
    }
    out.push_str(&text[last..]);
    (out, applied)
}

/// Picks, from many diagnostics, the first fix of each whose edits do not
/// overlap an already chosen fix, and applies them to `text` (edits for
/// `file` only). Returns the new text and the rules whose fixes were applied.
pub fn apply_fixes<'a>(
    file: &str,
    text: &str,
    diagnostics: impl IntoIterator<Item = &'a Diagnostic>,
    allow_unsafe: bool,
) -> (String, Vec<&'static str>) {
    let mut chosen: Vec<&Edit> = Vec::new();
    let mut rules = Vec::new();
    for d in diagnostics {
        let Some(fix) = d
            .fixes
            .iter()
            .find(|f| allow_unsafe || f.applicability == Applicability::Safe)
        else {
            continue;
        };
        if fix.edits.iter().any(|e| e.file != file) {
            continue;
        }
        let overlaps = fix.edits.iter().any(|e| {
            chosen.iter().any(|c| {
                e.range.start < c.range.end && c.range.start < e.range.end
                    || (e.range.is_empty() && c.range.is_empty() && e.range.start == c.range.start)
            })
        });
        if overlaps {
            continue;
        }
        chosen.extend(fix.edits.iter());
        rules.push(d.rule);
    }
    let (out, _) = apply_edits(text, &chosen);
    (out, rules)
}
