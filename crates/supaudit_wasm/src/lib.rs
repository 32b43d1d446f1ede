//! supaudit for JavaScript: the pure core compiled to WebAssembly with
//! wasm-bindgen. Built by `scripts/build-wasm.sh` (`--target web` into
//! `web/pkg/`, `--target nodejs` into `target/wasm-node/`).
//!
//! ```js
//! import init, { analyze, applyFixes, report, rules, version } from './pkg/supaudit_wasm.js';
//! await init();
//! const files = [{ path: 'supabase/migrations/20240101000000_init.sql', text: '...' }];
//! const { diagnostics } = analyze(files);            // optional 2nd argument: supaudit.toml text
//! const fixed = applyFixes(files, 'safe');           // or 'unsafe', {mode, rule, file}
//! const one = applyFixes(files, { ...diagnostics[0], index: 0 }); // one fix of one finding
//! ```
//!
//! - `analyze(files, config?)` → `{version: 1, supaudit, diagnostics, score}`: each diagnostic is
//!   exactly the object of `supaudit check --format json` (1-based lines, character columns)
//!   plus `utf16: {start: {line, character}, end}` (0-based, UTF-16 code units, for editors)
//!   and `bytes: {start, end}` (UTF-8 byte offsets); fix edits get the same two additions.
//!   A file named `supaudit.toml` among `files` is the config unless `config` is given.
//!   Files with NUL bytes or over 32 MiB are skipped with a `syntax-error`, as on disk.
//!   `score` is the readiness score of `supaudit report` for these findings.
//! - `applyFixes(files, request, config?)` → the files (`{path, text}[]`, input order):
//!   - `"safe"` / `"unsafe"` / `{mode?: "safe" | "unsafe", rule?, file?}`: every fix of that
//!     applicability (unsafe includes safe), optionally of one rule and/or in one file,
//!     repeated until nothing more applies (`supaudit check --fix` / `--unsafe-fixes`);
//!   - `{rule, file, start, index?}` (or a diagnostic from `analyze`, whose `bytes.start`
//!     is used): fix number `index` (default 0) of that finding, safe or not.
//! - `report(files, format, config?, docsUrl?)` → the text of `supaudit report --format
//!   md | html | json`; `docsUrl` is the rule link prefix, or a template with `{rule}`.
//! - `rules()` → `[{name, category, severity, fix, defaultEnabled, effort, summary, docs}]`.
//! - `version()` → the package version.
//!
//! The instance keeps the parse of each file between `analyze` calls (the core's
//! `ParseCache`, as the language server does; [`api::Analyzer`]): a call re-parses only
//! the files whose text changed since the previous call, and only the statements around
//! the edit in a changed SQL file, so a playground that analyses again after each edit
//! pays for the edited file only. The result is the same as a fresh instance's. Memory
//! stays bounded: after a call, entries exist only for the paths of that call (a copy of
//! each text and its parse). `applyFixes` does not use or change them.
//!
//! Every failure (invalid config, bad arguments, a fix that no longer applies) is thrown
//! as a JavaScript `Error` with `kind` (`"config"`, `"input"`, `"fix"`) and, for config
//! errors, `line` and `column`. Nothing panics across the boundary.

pub mod api;

use std::cell::Cell;

use serde::Serialize;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &'static str = r#"
export interface SupauditFile { path: string; text: string }
export interface Position { line: number; column: number }
export interface Utf16Position { line: number; character: number }
export interface Ranges {
  range: { start: Position; end: Position };
  utf16: { start: Utf16Position; end: Utf16Position };
  bytes: { start: number; end: number };
}
export interface SupauditEdit extends Ranges { file: string; new_text: string }
export interface SupauditFix { title: string; applicability: "safe" | "unsafe"; edits: SupauditEdit[] }
export interface SupauditDiagnostic extends Ranges {
  rule: string;
  severity: "error" | "warning" | "info";
  category: string;
  file: string;
  message: string;
  help: string | null;
  fixes: SupauditFix[];
}
export interface Score {
  value: number;
  out_of: 10;
  penalty: number;
  penalty_by_area: { area: string; penalty: number }[];
}
export interface AnalyzeResult { version: 1; supaudit: string; diagnostics: SupauditDiagnostic[]; score: Score }
export type ReportFormat = "md" | "html" | "json";
export type FixRequest =
  | "safe"
  | "unsafe"
  | { mode?: "safe" | "unsafe"; rule?: string; file?: string }
  | { rule: string; file: string; start: number; index?: number }
  | (SupauditDiagnostic & { index?: number });
export interface RuleInfo {
  name: string;
  category: string;
  severity: "error" | "warning" | "info";
  fix: boolean;
  defaultEnabled: boolean;
  effort: string;
  summary: string;
  docs: string;
}
"#;

fn to_js(e: api::Error) -> JsValue {
    let err = js_sys::Error::new(&e.message);
    let obj: &JsValue = err.as_ref();
    let _ = js_sys::Reflect::set(obj, &"kind".into(), &e.kind.into());
    if let (Some(line), Some(column)) = (e.line, e.column) {
        let _ = js_sys::Reflect::set(obj, &"line".into(), &line.into());
        let _ = js_sys::Reflect::set(obj, &"column".into(), &column.into());
    }
    err.into()
}

/// The result as plain JavaScript values. Serialized to JSON text in Rust and
/// parsed by the engine's `JSON.parse`: one string crosses the boundary instead
/// of one call per object, key and value (serde-wasm-bindgen), which made the
/// conversion several times slower. The objects are the same.
fn output<T: Serialize + ?Sized>(v: &T) -> Result<JsValue, JsValue> {
    let text = serde_json::to_string(v)
        .map_err(|e| to_js(api::Error::input(format!("cannot build the result: {e}"))))?;
    parse_json(&text)
}

fn parse_json(text: &str) -> Result<JsValue, JsValue> {
    js_sys::JSON::parse(text).map_err(|e| {
        to_js(api::Error::input(format!(
            "cannot build the result: {}",
            e.as_string().unwrap_or_else(|| "JSON.parse failed".into())
        )))
    })
}

thread_local! {
    /// The parses kept between `analyze` calls (see [`api::Analyzer`]). Taken
    /// out during a call and put back after it: a call interrupted by a trap
    /// (a JavaScript stack overflow) leaves it empty, and the next call starts
    /// with an empty cache instead of a half-updated one.
    static ANALYZER: Cell<Option<api::Analyzer>> = const { Cell::new(None) };
}

fn files_in(files: JsValue) -> Result<Vec<api::FileIn>, JsValue> {
    serde_wasm_bindgen::from_value(files).map_err(|e| {
        to_js(api::Error::input(format!(
            "files must be an array of {{path: string, text: string}}: {e}"
        )))
    })
}

fn config_in(config: Option<JsValue>) -> Result<Option<String>, JsValue> {
    let Some(config) = config.filter(|c| !c.is_undefined() && !c.is_null()) else {
        return Ok(None);
    };
    config.as_string().map(Some).ok_or_else(|| {
        to_js(api::Error::input(
            "config must be the text of a supaudit.toml",
        ))
    })
}

/// Analyzes a project given as files. Throws on an invalid config.
#[wasm_bindgen(unchecked_return_type = "AnalyzeResult")]
pub fn analyze(
    #[wasm_bindgen(unchecked_param_type = "SupauditFile[]")] files: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "string | null")] config: Option<JsValue>,
) -> Result<JsValue, JsValue> {
    let files = files_in(files)?;
    let config = config_in(config)?;
    let mut analyzer = ANALYZER.take().unwrap_or_default();
    let json = analyzer.analyze_json(&files, config.as_deref());
    ANALYZER.set(Some(analyzer));
    parse_json(&json.map_err(to_js)?)
}

/// Applies fixes and returns the files (input order). Throws when the request is
/// invalid or names a fix that does not exist (any more).
#[wasm_bindgen(js_name = applyFixes, unchecked_return_type = "SupauditFile[]")]
pub fn apply_fixes(
    #[wasm_bindgen(unchecked_param_type = "SupauditFile[]")] files: JsValue,
    #[wasm_bindgen(unchecked_param_type = "FixRequest")] request: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "string | null")] config: Option<JsValue>,
) -> Result<JsValue, JsValue> {
    let files = files_in(files)?;
    let request: serde_json::Value = serde_wasm_bindgen::from_value(request)
        .map_err(|e| to_js(api::Error::input(format!("invalid fix request: {e}"))))?;
    let request = api::FixRequest::from_value(&request).map_err(to_js)?;
    let config = config_in(config)?;
    let out = api::apply_fixes(&files, &request, config.as_deref()).map_err(to_js)?;
    output(&out)
}

/// Every rule with its defaults and documentation.
/// The audit report of `supaudit report` as text: Markdown, self-contained
/// HTML or JSON. `docsUrl` is the rule doc link prefix, or a template with
/// `{rule}`. Throws on an invalid config or format.
#[wasm_bindgen]
pub fn report(
    #[wasm_bindgen(unchecked_param_type = "SupauditFile[]")] files: JsValue,
    #[wasm_bindgen(unchecked_param_type = "ReportFormat")] format: String,
    #[wasm_bindgen(unchecked_optional_param_type = "string | null")] config: Option<JsValue>,
    #[wasm_bindgen(js_name = docsUrl, unchecked_optional_param_type = "string | null")]
    docs_url: Option<String>,
) -> Result<String, JsValue> {
    let files = files_in(files)?;
    let config = config_in(config)?;
    api::report(&files, &format, config.as_deref(), docs_url.as_deref()).map_err(to_js)
}

#[wasm_bindgen(unchecked_return_type = "RuleInfo[]")]
pub fn rules() -> Result<JsValue, JsValue> {
    output(&api::rules())
}

/// The supaudit version.
#[wasm_bindgen]
pub fn version() -> String {
    api::VERSION.to_string()
}
