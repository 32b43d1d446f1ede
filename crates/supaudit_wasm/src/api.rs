//! The package's operations over plain serde values, independent of
//! wasm-bindgen so that they run (and are tested) natively too. `lib.rs` only
//! converts between these values and JavaScript.
//!
//! Nothing here panics on any input: every failure is an [`Error`].

use std::cell::OnceCell;
use std::collections::{BTreeMap, HashMap, HashSet};

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use supaudit_core::checker::ParseCache;
use supaudit_core::diagnostic::apply_edits;
use supaudit_core::project::LoadIssue;
use supaudit_core::text::{LineCol, LineIndex, Span};
use supaudit_core::{
    Applicability, Category, Diagnostic, Edit, FixOptions, Project, Settings, Severity, SourceFile,
};

/// The package version (the workspace's).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Version of the JSON contract (`supaudit check --format json`).
pub const JSON_VERSION: u32 = 1;

/// A file named so in the input is the project's `supaudit.toml`, as on disk.
pub const CONFIG_PATH: &str = "supaudit.toml";

/// Files larger than this are reported and skipped, as `supaudit_fs` does.
const MAX_FILE_BYTES: usize = 32 * 1024 * 1024;

/// One file of the project: path relative to the project root, with `/`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileIn {
    pub path: String,
    pub text: String,
}

/// A failure reported to the caller (a JavaScript `Error` in the wasm build).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    /// `"config"` (invalid `supaudit.toml`), `"input"` (bad arguments) or
    /// `"fix"` (the requested fix does not exist or no longer applies).
    pub kind: &'static str,
    pub message: String,
    /// 1-based position in the config text, for `"config"` errors when known.
    pub line: Option<u32>,
    pub column: Option<u32>,
}

impl Error {
    pub fn input(message: impl Into<String>) -> Error {
        Error {
            kind: "input",
            message: message.into(),
            line: None,
            column: None,
        }
    }
    fn fix(message: impl Into<String>) -> Error {
        Error {
            kind: "fix",
            ..Error::input(message)
        }
    }
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// Builds the project and settings from the caller's files. `config` (the text
/// of a `supaudit.toml`) wins over a file named `supaudit.toml` in `files`.
/// Files the CLI would refuse (NUL bytes, over 32 MiB) become load issues, as
/// on disk.
pub fn load(files: &[FileIn], config: Option<&str>) -> Result<(Project, Settings), Error> {
    let mut seen = HashSet::new();
    let mut project = Project::default();
    let mut config_file = None;
    for f in files {
        let path = normalize_path(&f.path);
        if path.is_empty() {
            return Err(Error::input("a file has an empty path"));
        }
        if !seen.insert(path.clone()) {
            return Err(Error::input(format!("file `{path}` is given twice")));
        }
        if path == CONFIG_PATH {
            config_file = Some(f.text.as_str());
            continue;
        }
        if f.text.len() > MAX_FILE_BYTES {
            project.load_issues.push(LoadIssue {
                path,
                message: format!(
                    "file is {} MiB, larger than the {} MiB supaudit reads; skipped",
                    f.text.len() / (1024 * 1024),
                    MAX_FILE_BYTES / (1024 * 1024)
                ),
            });
            continue;
        }
        if f.text.as_bytes().iter().take(8192).any(|b| *b == 0) {
            project.load_issues.push(LoadIssue {
                path,
                message: "file is binary (it contains NUL bytes); skipped".into(),
            });
            continue;
        }
        project.files.push(SourceFile::new(path, f.text.clone()));
    }
    let config_text = config.or(config_file);
    project.config = config_text.map(str::to_string);
    let settings = match config_text {
        Some(text) => Settings::from_toml(text).map_err(|e| {
            let lc = e.span.map(|s| LineIndex::new(text).line_col(s.start, text));
            let at = lc
                .map(|lc| format!(":{}:{}", lc.line, lc.column))
                .unwrap_or_default();
            Error {
                kind: "config",
                message: format!("invalid config {CONFIG_PATH}{at}: {}", e.message),
                line: lc.map(|lc| lc.line),
                column: lc.map(|lc| lc.column),
            }
        })?,
        None => Settings::default(),
    };
    Ok((project, settings))
}

/// `./a\b` -> `a/b`, as paths relative to the project root are written.
fn normalize_path(path: &str) -> String {
    let p = path.replace('\\', "/");
    let mut p = p.as_str();
    while let Some(rest) = p.strip_prefix("./") {
        p = rest;
    }
    p.to_string()
}

/// `analyze(files, config?)`: `{version, supaudit, diagnostics}`.
pub fn analyze(files: &[FileIn], config: Option<&str>) -> Result<Value, Error> {
    Analyzer::default().analyze(files, config)
}

/// Repeated analyses that keep the parse of each file between calls (the
/// core's [`ParseCache`], as the language server does): a call re-parses only
/// the files whose text changed since the previous call, and only the
/// statements around the edit in a changed SQL file. The result is the same as
/// a fresh analysis's. Memory stays bounded: after a call the cache holds
/// entries only for the paths of that call (a copy of the text and its parse).
#[derive(Default)]
pub struct Analyzer {
    cache: ParseCache,
}

impl Analyzer {
    /// [`analyze`], reusing the parses of the previous calls.
    pub fn analyze(&mut self, files: &[FileIn], config: Option<&str>) -> Result<Value, Error> {
        let json = self.analyze_json(files, config)?;
        serde_json::from_str(&json)
            .map_err(|e| Error::input(format!("cannot build the result: {e}")))
    }

    /// The result of [`Analyzer::analyze`] as JSON text, written directly from
    /// the diagnostics (no intermediate `serde_json::Value` tree: building one
    /// per diagnostic cost more than the analysis of an unchanged project).
    pub fn analyze_json(
        &mut self,
        files: &[FileIn],
        config: Option<&str>,
    ) -> Result<String, Error> {
        let (project, settings) = load(files, config)?;
        let diagnostics =
            supaudit_core::checker::analyze_with(&project, &settings, &mut self.cache).diagnostics;
        let out = ResultOut {
            diagnostics: DiagnosticsOut {
                list: &diagnostics,
                pos: &Positions::new(&project),
            },
            score: serde_json::to_value(supaudit_core::report::readiness(&diagnostics))
                .map_err(|e| Error::input(format!("cannot build the result: {e}")))?,
            supaudit: VERSION,
            version: JSON_VERSION,
        };
        serde_json::to_string(&out)
            .map_err(|e| Error::input(format!("cannot build the result: {e}")))
    }
}

/// Line indexes for the positions of each range, built for the files that have one.
struct Positions<'a> {
    files: HashMap<&'a str, (&'a str, OnceCell<LineIndex>)>,
}

impl<'a> Positions<'a> {
    fn new(project: &'a Project) -> Self {
        let files = project
            .files
            .iter()
            .map(|f| (f.path.as_str(), (f.text.as_str(), OnceCell::new())))
            .collect();
        Positions { files }
    }

    /// `range` (1-based line and character column, as
    /// [`supaudit_core::render::diagnostic_json`]: 1:1 in a file the project does not hold),
    /// `utf16` (0-based line and UTF-16 column; 0:0 there) and `bytes`.
    fn ranges(&self, path: &str, span: Span) -> Ranges {
        let file = self
            .files
            .get(path)
            .map(|(text, idx)| (*text, idx.get_or_init(|| LineIndex::new(text))));
        let line_col = |offset| match file {
            Some((text, idx)) => idx.line_col(offset, text),
            None => LineCol { line: 1, column: 1 },
        };
        let utf16 = |offset| {
            let (line, character) = match file {
                Some((text, idx)) => idx.utf16_position(offset, text),
                None => (0, 0),
            };
            Utf16Pos { character, line }
        };
        Ranges {
            bytes: BytesOut {
                end: span.end,
                start: span.start,
            },
            range: RangeOut {
                end: PosOut::from(line_col(span.end)),
                start: PosOut::from(line_col(span.start)),
            },
            utf16: Utf16Out {
                end: utf16(span.end),
                start: utf16(span.start),
            },
        }
    }
}

// The result, serialized field by field. A diagnostic is the CLI's JSON
// contract ([`supaudit_core::render::diagnostic_json`]) plus `utf16` and `bytes` next to each
// `range`. Fields are declared in alphabetical order, the order of the keys of
// a `serde_json::Value` object, so the JSON text (and the key order of the
// JavaScript objects) is what `supaudit_core::render::diagnostic_json` gives; a test compares
// the two.

#[derive(Serialize)]
struct ResultOut<'a> {
    diagnostics: DiagnosticsOut<'a>,
    /// The report's readiness score of these findings (docs/report.md), as
    /// a `Value` for its keys in alphabetical order too.
    score: Value,
    supaudit: &'a str,
    version: u32,
}

struct DiagnosticsOut<'a> {
    list: &'a [Diagnostic],
    pos: &'a Positions<'a>,
}

impl Serialize for DiagnosticsOut<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.list.iter().map(|d| DiagnosticOut::new(d, self.pos)))
    }
}

#[derive(Serialize)]
struct DiagnosticOut<'a> {
    bytes: BytesOut,
    category: Category,
    file: &'a str,
    fixes: Vec<FixOut<'a>>,
    help: Option<&'a str>,
    message: &'a str,
    range: RangeOut,
    rule: &'a str,
    severity: Severity,
    utf16: Utf16Out,
}

impl<'a> DiagnosticOut<'a> {
    fn new(d: &'a Diagnostic, pos: &Positions) -> Self {
        let Ranges {
            bytes,
            range,
            utf16,
        } = pos.ranges(&d.file, d.range);
        DiagnosticOut {
            bytes,
            category: d.category,
            file: &d.file,
            fixes: d
                .fixes
                .iter()
                .map(|f| FixOut {
                    applicability: f.applicability,
                    edits: f
                        .edits
                        .iter()
                        .map(|e| {
                            let Ranges {
                                bytes,
                                range,
                                utf16,
                            } = pos.ranges(&e.file, e.range);
                            EditOut {
                                bytes,
                                file: &e.file,
                                new_text: &e.new_text,
                                range,
                                utf16,
                            }
                        })
                        .collect(),
                    title: &f.title,
                })
                .collect(),
            help: d.help.as_deref(),
            message: &d.message,
            range,
            rule: d.rule,
            severity: d.severity,
            utf16,
        }
    }
}

#[derive(Serialize)]
struct FixOut<'a> {
    applicability: Applicability,
    edits: Vec<EditOut<'a>>,
    title: &'a str,
}

#[derive(Serialize)]
struct EditOut<'a> {
    bytes: BytesOut,
    file: &'a str,
    new_text: &'a str,
    range: RangeOut,
    utf16: Utf16Out,
}

struct Ranges {
    bytes: BytesOut,
    range: RangeOut,
    utf16: Utf16Out,
}

#[derive(Serialize)]
struct BytesOut {
    end: u32,
    start: u32,
}

#[derive(Serialize)]
struct RangeOut {
    end: PosOut,
    start: PosOut,
}

#[derive(Serialize)]
struct PosOut {
    column: u32,
    line: u32,
}

impl From<LineCol> for PosOut {
    fn from(lc: LineCol) -> Self {
        PosOut {
            column: lc.column,
            line: lc.line,
        }
    }
}

#[derive(Serialize)]
struct Utf16Out {
    end: Utf16Pos,
    start: Utf16Pos,
}

#[derive(Serialize)]
struct Utf16Pos {
    character: u32,
    line: u32,
}

/// What `applyFixes` should do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FixRequest {
    /// Every fix (safe only, or safe and unsafe), repeatedly until nothing more
    /// applies, optionally limited to one file and/or one rule.
    All {
        allow_unsafe: bool,
        file: Option<String>,
        rule: Option<String>,
    },
    /// Fix number `index` of the diagnostic of `rule` in `file` that starts at
    /// byte `start`. Applied whatever its applicability: the caller chose it.
    One {
        rule: String,
        file: String,
        start: u32,
        index: usize,
    },
}

impl FixRequest {
    /// Reads `"safe"`, `"unsafe"`, `{mode?, rule?, file?}` or
    /// `{rule, file, start | bytes: {start}, index?}` (a diagnostic returned by
    /// `analyze` qualifies, `index` defaulting to 0).
    pub fn from_value(v: &Value) -> Result<FixRequest, Error> {
        const USAGE: &str = "expected \"safe\", \"unsafe\", {mode?: \"safe\" | \"unsafe\", rule?, file?} \
                             or {rule, file, start, index?}";
        let str_field = |key: &str| -> Result<Option<String>, Error> {
            match v.get(key) {
                None | Some(Value::Null) => Ok(None),
                Some(Value::String(s)) => Ok(Some(s.clone())),
                Some(_) => Err(Error::input(format!("`{key}` must be a string; {USAGE}"))),
            }
        };
        let mode = |m: &str| match m {
            "safe" => Ok(false),
            "unsafe" => Ok(true),
            other => Err(Error::input(format!("unknown mode `{other}`; {USAGE}"))),
        };
        match v {
            Value::String(m) => Ok(FixRequest::All {
                allow_unsafe: mode(m)?,
                file: None,
                rule: None,
            }),
            Value::Object(o) => {
                let start = o
                    .get("start")
                    .or_else(|| o.get("bytes").and_then(|b| b.get("start")));
                match start {
                    Some(start) => {
                        let start = start
                            .as_u64()
                            .and_then(|s| u32::try_from(s).ok())
                            .ok_or_else(|| {
                                Error::input(
                                    "`start` must be a byte offset (a non-negative integer)",
                                )
                            })?;
                        let index = match o.get("index") {
                            None | Some(Value::Null) => 0,
                            Some(i) => i
                                .as_u64()
                                .and_then(|i| usize::try_from(i).ok())
                                .ok_or_else(|| {
                                    Error::input("`index` must be a non-negative integer")
                                })?,
                        };
                        Ok(FixRequest::One {
                            rule: str_field("rule")?.ok_or_else(|| {
                                Error::input(format!("`rule` is required with `start`; {USAGE}"))
                            })?,
                            file: str_field("file")?.map(|f| normalize_path(&f)).ok_or_else(
                                || {
                                    Error::input(format!(
                                        "`file` is required with `start`; {USAGE}"
                                    ))
                                },
                            )?,
                            start,
                            index,
                        })
                    }
                    None => Ok(FixRequest::All {
                        allow_unsafe: match str_field("mode")? {
                            Some(m) => mode(&m)?,
                            None => false,
                        },
                        file: str_field("file")?.map(|f| normalize_path(&f)),
                        rule: str_field("rule")?,
                    }),
                }
            }
            _ => Err(Error::input(USAGE)),
        }
    }
}

/// `applyFixes(files, request, config?)`: the files, in the input order, with
/// the fixes applied (files the request does not touch are returned as given).
pub fn apply_fixes(
    files: &[FileIn],
    request: &FixRequest,
    config: Option<&str>,
) -> Result<Vec<FileIn>, Error> {
    let (project, settings) = load(files, config)?;
    let mut new_texts: BTreeMap<String, String> = BTreeMap::new();
    match request {
        FixRequest::All {
            allow_unsafe,
            file,
            rule,
        } => {
            if let Some(r) = rule
                && supaudit_core::rules::by_name(r).is_none()
            {
                return Err(Error::input(format!("unknown rule `{r}`")));
            }
            let fixed = supaudit_core::fix(
                &project,
                &settings,
                FixOptions {
                    allow_unsafe: *allow_unsafe,
                    only_file: file.as_deref(),
                    only_rule: rule.as_deref(),
                },
            );
            for path in &fixed.changed {
                if let Some(f) = fixed.project.file(path) {
                    new_texts.insert(path.clone(), f.text.clone());
                }
            }
        }
        FixRequest::One {
            rule,
            file,
            start,
            index,
        } => {
            let diagnostics = supaudit_core::check(&project, &settings);
            let d = diagnostics
                .iter()
                .find(|d| d.rule == rule && d.file == *file && d.range.start == *start)
                .ok_or_else(|| {
                    Error::fix(format!(
                        "no `{rule}` finding starts at byte {start} of {file} (analyze again: the text may have changed)"
                    ))
                })?;
            let fix = d.fixes.get(*index).ok_or_else(|| {
                Error::fix(format!(
                    "this `{rule}` finding has {} fix(es), not one at index {index}",
                    d.fixes.len()
                ))
            })?;
            let mut by_file: BTreeMap<&str, Vec<&Edit>> = BTreeMap::new();
            for e in &fix.edits {
                by_file.entry(e.file.as_str()).or_default().push(e);
            }
            for (path, edits) in by_file {
                let text = project.file(path).map(|f| f.text.as_str()).unwrap_or("");
                let (out, applied) = apply_edits(text, &edits);
                if applied != edits.len() {
                    return Err(Error::fix(format!(
                        "fix `{}` does not apply to {path}: overlapping edits or out of range",
                        fix.title
                    )));
                }
                new_texts.insert(path.to_string(), out);
            }
        }
    }
    let mut out: Vec<FileIn> = files
        .iter()
        .map(|f| {
            let path = normalize_path(&f.path);
            match new_texts.remove(&path) {
                Some(text) => FileIn { path, text },
                None => f.clone(),
            }
        })
        .collect();
    // A fix that creates a file (a new migration) adds it at the end.
    out.extend(
        new_texts
            .into_iter()
            .map(|(path, text)| FileIn { path, text }),
    );
    Ok(out)
}

/// `report(files, format, config?, docsUrl?)`: the audit report of
/// `supaudit report --format md | html | json`. `docs_url` is the rule doc
/// link prefix or `{rule}` template (default `docs/rules/`).
pub fn report(
    files: &[FileIn],
    format: &str,
    config: Option<&str>,
    docs_url: Option<&str>,
) -> Result<String, Error> {
    use supaudit_core::report;
    let render: fn(&report::Report) -> String = match format {
        "md" => report::markdown,
        "html" => report::html,
        "json" => report::json,
        other => {
            return Err(Error::input(format!(
                "unknown report format `{other}`: expected md, html or json"
            )));
        }
    };
    let (project, settings) = load(files, config)?;
    let analysis = supaudit_core::analyze(&project, &settings);
    let mut options = report::ReportOptions::default();
    if let Some(url) = docs_url {
        options.docs_base = url.to_string();
    }
    Ok(render(&report::build(
        &project, &analysis, &settings, &options,
    )))
}

/// `rules()`: every rule with its defaults and documentation.
pub fn rules() -> Value {
    Value::Array(
        supaudit_core::rules::ALL
            .iter()
            .map(|r| {
                json!({
                    "name": r.name,
                    "category": r.category.as_str(),
                    "severity": r.severity.as_str(),
                    "fix": r.fix,
                    "defaultEnabled": r.default_enabled,
                    "effort": r.effort,
                    "summary": r.summary(),
                    "docs": r.documentation(),
                })
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use supaudit_core::render::{self, Sources};

    fn file(path: &str, text: &str) -> FileIn {
        FileIn {
            path: path.into(),
            text: text.into(),
        }
    }

    const MIGRATION: &str = "supabase/migrations/20240101000000_init.sql";

    #[test]
    fn analyze_adds_editor_positions_to_the_cli_contract() {
        let files = [file(
            MIGRATION,
            "-- é\ncreate table public.logs (id bigint primary key, body text);\n",
        )];
        let v = analyze(&files, None).unwrap();
        assert_eq!(v["version"], 1);
        let d = v["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["rule"] == "rls-disabled")
            .expect("rls-disabled");
        assert_eq!(d["range"]["start"]["line"], 2);
        assert_eq!(d["utf16"]["start"]["line"], 1);
        let start = d["bytes"]["start"].as_u64().unwrap() as usize;
        assert!(files[0].text[start..].starts_with("create table") || start > 5);
        // The CLI's object is a subset.
        let project = Project::new(vec![SourceFile::new(MIGRATION, files[0].text.clone())]);
        let cli = supaudit_core::check(&project, &Settings::default());
        let sources = Sources::new(&project);
        let mut mine = d.clone();
        let m = mine.as_object_mut().unwrap();
        m.remove("utf16");
        m.remove("bytes");
        for f in m.get_mut("fixes").unwrap().as_array_mut().unwrap() {
            for e in f["edits"].as_array_mut().unwrap() {
                e.as_object_mut().unwrap().remove("utf16");
                e.as_object_mut().unwrap().remove("bytes");
            }
        }
        let want = cli.iter().find(|d| d.rule == "rls-disabled").unwrap();
        assert_eq!(mine, render::diagnostic_json(want, &sources));
    }

    #[test]
    fn config_errors_and_bad_input_are_errors() {
        let files = [file(MIGRATION, "select 1;")];
        let e = analyze(&files, Some("[rules]\nrls-disabld = \"off\"\n")).unwrap_err();
        assert_eq!(e.kind, "config");
        assert!(e.message.contains("did you mean"), "{}", e.message);
        assert_eq!(e.line, Some(2));
        let e = analyze(&[file("supaudit.toml", "nope = 1")], None).unwrap_err();
        assert_eq!(e.kind, "config");
        let e = analyze(&[file("a.sql", ""), file("./a.sql", "")], None).unwrap_err();
        assert_eq!(e.kind, "input");
        assert!(FixRequest::from_value(&json!("sometimes")).is_err());
        assert!(FixRequest::from_value(&json!(3)).is_err());
        assert!(FixRequest::from_value(&json!({"start": -1, "rule": "x", "file": "y"})).is_err());
    }

    #[test]
    fn binary_files_are_skipped_with_a_finding() {
        let v = analyze(&[file(MIGRATION, "a\0b")], None).unwrap();
        let d = &v["diagnostics"][0];
        assert_eq!(d["rule"], "syntax-error");
        assert!(d["message"].as_str().unwrap().contains("binary"));
    }

    #[test]
    fn one_fix_and_all_fixes() {
        let files = [file(
            MIGRATION,
            "create table public.t (id bigint primary key, owner uuid);\n\
             alter table public.t enable row level security;\n\
             create policy p on public.t for select using (owner = auth.uid());\n",
        )];
        let v = analyze(&files, None).unwrap();
        let d = v["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| !d["fixes"].as_array().unwrap().is_empty())
            .expect("a finding with a fix")
            .clone();
        let req = FixRequest::from_value(&d).unwrap();
        let fixed = apply_fixes(&files, &req, None).unwrap();
        assert_ne!(fixed[0].text, files[0].text);
        let again = analyze(&fixed, None).unwrap();
        assert!(
            !again["diagnostics"]
                .as_array()
                .unwrap()
                .iter()
                .any(|x| x["rule"] == d["rule"] && x["message"] == d["message"])
        );
        // Once applied, the same request no longer finds its diagnostic.
        assert!(apply_fixes(&fixed, &req, None).is_err());
        let all = apply_fixes(
            &files,
            &FixRequest::from_value(&json!("unsafe")).unwrap(),
            None,
        )
        .unwrap();
        assert_eq!(all.len(), 1);
        assert!(
            apply_fixes(
                &files,
                &FixRequest::from_value(&json!({"rule": "no-such-rule"})).unwrap(),
                None
            )
            .is_err()
        );
    }

    #[test]
    fn rules_have_docs() {
        let v = rules();
        let a = v.as_array().unwrap();
        assert_eq!(a.len(), supaudit_core::rules::ALL.len());
        assert!(
            a.iter()
                .all(|r| r["docs"].as_str().is_some_and(|d| !d.is_empty()))
        );
    }
}
