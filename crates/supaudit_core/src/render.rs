//! Renderers: diagnostics to text, JSON, SARIF and GitHub workflow commands.
//! Pure functions over strings; the CLI prints, the wasm build returns them.

use std::cell::OnceCell;
use std::collections::HashMap;
use std::fmt::Write;

use serde_json::{Value, json};

use crate::diagnostic::{Applicability, Diagnostic, Severity};
use crate::project::Project;
use crate::rules;
use crate::text::{LineCol, LineIndex, Span};

/// File texts with lazily built line indexes.
pub struct Sources<'a> {
    files: HashMap<&'a str, (&'a str, OnceCell<LineIndex>)>,
}

impl<'a> Sources<'a> {
    pub fn new(project: &'a Project) -> Self {
        Sources {
            files: project
                .files
                .iter()
                .map(|f| (f.path.as_str(), (f.text.as_str(), OnceCell::new())))
                .collect(),
        }
    }

    pub fn text(&self, path: &str) -> Option<&'a str> {
        self.files.get(path).map(|(t, _)| *t)
    }

    fn index(&self, path: &str) -> Option<(&'a str, &LineIndex)> {
        let (text, idx) = self.files.get(path)?;
        Some((text, idx.get_or_init(|| LineIndex::new(text))))
    }

    pub fn line_col(&self, path: &str, offset: u32) -> LineCol {
        match self.index(path) {
            Some((text, idx)) => idx.line_col(offset, text),
            None => LineCol { line: 1, column: 1 },
        }
    }

    fn range_json(&self, path: &str, span: Span) -> Value {
        let s = self.line_col(path, span.start);
        let e = self.line_col(path, span.end);
        json!({"start": {"line": s.line, "column": s.column}, "end": {"line": e.line, "column": e.column}})
    }
}

/// Options for the text renderer.
#[derive(Debug, Clone, Copy, Default)]
pub struct TextOptions {
    pub color: bool,
    /// Maximum source lines shown per diagnostic.
    pub max_lines: usize,
}

struct Style {
    on: bool,
}

impl Style {
    fn paint(&self, code: &str, s: &str) -> String {
        if self.on {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }
}

fn severity_color(s: Severity) -> &'static str {
    match s {
        Severity::Error => "1;31",
        Severity::Warning => "1;33",
        Severity::Info => "1;36",
    }
}

/// `file:line:col: severity[rule] message`, the source with the range
/// underlined, then help and fix titles.
pub fn text(diagnostics: &[Diagnostic], sources: &Sources, opts: TextOptions) -> String {
    let st = Style { on: opts.color };
    let max_lines = if opts.max_lines == 0 {
        4
    } else {
        opts.max_lines
    };
    let mut out = String::new();
    for d in diagnostics {
        let lc = sources.line_col(&d.file, d.range.start);
        let _ = writeln!(
            out,
            "{}:{}:{}: {}{} {}",
            st.paint("1", &d.file),
            lc.line,
            lc.column,
            st.paint(severity_color(d.severity), d.severity.as_str()),
            st.paint(severity_color(d.severity), &format!("[{}]", d.rule)),
            st.paint("1", &d.message)
        );
        if let Some((text, idx)) = sources.index(&d.file) {
            let first = idx.line_of(d.range.start.min(text.len() as u32));
            let last = idx.line_of(d.range.end.min(text.len() as u32).max(d.range.start));
            let last = if last > first && idx.line_start(last) == d.range.end {
                last - 1
            } else {
                last
            };
            let width = (last + 1).to_string().len();
            let gutter = " ".repeat(width);
            let _ = writeln!(out, "{} {}", gutter, st.paint("34", "|"));
            let shown = (last - first + 1).min(max_lines);
            for line in first..first + shown {
                let ls = idx.line_span(line, text);
                let line_text = &text[ls.range()];
                // Keys in the source are masked in snippets too.
                let line_text_shown: String = crate::client::secrets::redact(line_text)
                    .chars()
                    .take(200)
                    .collect();
                let _ = writeln!(
                    out,
                    "{} {} {}",
                    st.paint("34", &format!("{:>width$}", line + 1)),
                    st.paint("34", "|"),
                    line_text_shown.replace('\t', "    ")
                );
                let s = d.range.start.max(ls.start).min(ls.end);
                let e = d.range.end.min(ls.end).max(s);
                let pre: String = text[ls.start as usize..s as usize]
                    .chars()
                    .take(200)
                    .map(|c| if c == '\t' { "    " } else { " " })
                    .collect();
                let n = text[s as usize..e as usize].chars().count().clamp(1, 200);
                let _ = writeln!(
                    out,
                    "{} {} {}{}",
                    gutter,
                    st.paint("34", "|"),
                    pre,
                    st.paint(severity_color(d.severity), &"^".repeat(n))
                );
            }
            if last - first + 1 > shown {
                let _ = writeln!(out, "{} {} ...", gutter, st.paint("34", "|"));
            }
            if let Some(h) = &d.help {
                let _ = writeln!(out, "{} = {} {}", gutter, st.paint("1", "help:"), h);
            }
            for f in &d.fixes {
                let kind = match f.applicability {
                    Applicability::Safe => "fix:",
                    Applicability::Unsafe => "fix (unsafe):",
                };
                let _ = writeln!(out, "{} = {} {}", gutter, st.paint("1;32", kind), f.title);
            }
        } else if let Some(h) = &d.help {
            let _ = writeln!(out, "  = help: {h}");
        }
        out.push('\n');
    }
    out
}

/// The JSON contract (`version: 1`).
pub fn json(diagnostics: &[Diagnostic], sources: &Sources) -> String {
    let diags: Vec<Value> = diagnostics
        .iter()
        .map(|d| diagnostic_json(d, sources))
        .collect();
    serde_json::to_string_pretty(&json!({"version": 1, "diagnostics": diags})).unwrap_or_default()
}

pub fn diagnostic_json(d: &Diagnostic, sources: &Sources) -> Value {
    json!({
        "rule": d.rule,
        "severity": d.severity,
        "category": d.category,
        "file": d.file,
        "range": sources.range_json(&d.file, d.range),
        "message": d.message,
        "help": d.help,
        "fixes": d.fixes.iter().map(|f| json!({
            "title": f.title,
            "applicability": f.applicability,
            "edits": f.edits.iter().map(|e| json!({
                "file": e.file,
                "range": sources.range_json(&e.file, e.range),
                "new_text": e.new_text,
            })).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
    })
}

fn sarif_level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// SARIF 2.1.0, with every rule and its documentation.
pub fn sarif(diagnostics: &[Diagnostic], sources: &Sources, tool_version: &str) -> String {
    let all = rules::ALL;
    let rule_entries: Vec<Value> = all
        .iter()
        .map(|r| {
            json!({
                "id": r.name,
                "name": r.name,
                "shortDescription": {"text": r.summary()},
                "fullDescription": {"text": r.documentation()},
                "help": {"text": r.documentation(), "markdown": r.documentation()},
                "helpUri": format!("https://github.com/supaudit/supaudit/blob/main/docs/rules/{}.md", r.name),
                "defaultConfiguration": {"level": sarif_level(r.severity), "enabled": r.default_enabled},
                "properties": {"category": r.category.as_str(), "fixable": r.fix},
            })
        })
        .collect();
    let region = |path: &str, span: Span| {
        let s = sources.line_col(path, span.start);
        let e = sources.line_col(path, span.end);
        json!({"startLine": s.line, "startColumn": s.column, "endLine": e.line, "endColumn": e.column})
    };
    let results: Vec<Value> = diagnostics
        .iter()
        .map(|d| {
            let mut r = json!({
                "ruleId": d.rule,
                "level": sarif_level(d.severity),
                "message": {"text": match &d.help {
                    Some(h) => format!("{} ({h})", d.message),
                    None => d.message.clone(),
                }},
                "locations": [{"physicalLocation": {
                    "artifactLocation": {"uri": d.file},
                    "region": region(&d.file, d.range),
                }}],
            });
            if let Some(i) = all.iter().position(|x| x.name == d.rule) {
                r["ruleIndex"] = json!(i);
            }
            if !d.fixes.is_empty() {
                r["fixes"] = Value::Array(
                    d.fixes
                        .iter()
                        .map(|f| {
                            json!({
                                "description": {"text": f.title},
                                "artifactChanges": f.edits.iter().map(|e| json!({
                                    "artifactLocation": {"uri": e.file},
                                    "replacements": [{
                                        "deletedRegion": region(&e.file, e.range),
                                        "insertedContent": {"text": e.new_text},
                                    }],
                                })).collect::<Vec<_>>(),
                            })
                        })
                        .collect(),
                );
            }
            r
        })
        .collect();
    serde_json::to_string_pretty(&json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "supaudit",
                "version": tool_version,
                "informationUri": "https://github.com/supaudit/supaudit",
                "rules": rule_entries,
            }},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    }))
    .unwrap_or_default()
}

fn gh_escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn gh_escape_prop(s: &str) -> String {
    gh_escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// GitHub Actions workflow commands (`::error file=…::message`).
pub fn github(diagnostics: &[Diagnostic], sources: &Sources) -> String {
    let mut out = String::new();
    for d in diagnostics {
        let s = sources.line_col(&d.file, d.range.start);
        let e = sources.line_col(&d.file, d.range.end);
        let level = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "notice",
        };
        let msg = match &d.help {
            Some(h) => format!("{}\n{h}", d.message),
            None => d.message.clone(),
        };
        let _ = writeln!(
            out,
            "::{level} file={},line={},col={},endLine={},endColumn={},title={}::{}",
            gh_escape_prop(&d.file),
            s.line,
            s.column,
            e.line,
            e.column,
            gh_escape_prop(&format!("supaudit {}", d.rule)),
            gh_escape_data(&msg)
        );
    }
    out
}
