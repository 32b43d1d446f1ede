//! The package's result is written field by field (`api::Analyzer::analyze_json`) and
//! the parses are kept between calls. Both must give exactly what the CLI's JSON contract
//! (`render::diagnostic_json`) plus the editor ranges gives for a fresh analysis: same
//! JSON text, key order included. Checked on every rule fixture and the example projects,
//! each with its own config and with every rule on, and after edits with a kept cache.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::{Value, json};
use supaudit_core::render::{self, Sources};
use supaudit_core::text::{LineIndex, Span};
use supaudit_wasm::api::{self, Analyzer, FileIn};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A rule fixture: files after `-- file: <path>` / `# file: <path>` lines; text before
/// the first header is the default migration.
fn fixture_files(text: &str) -> Vec<FileIn> {
    const DEFAULT: &str = "supabase/migrations/20240101000000_fixture.sql";
    let mut files: Vec<(String, String)> = vec![(DEFAULT.into(), String::new())];
    for line in text.split_inclusive('\n') {
        let t = line.trim_end();
        if t.starts_with("-- pg: skip") {
            continue;
        }
        match t
            .strip_prefix("-- file:")
            .or_else(|| t.strip_prefix("# file:"))
        {
            Some(path) => files.push((path.trim().into(), String::new())),
            None => files.last_mut().unwrap().1.push_str(line),
        }
    }
    if files[0].1.trim().is_empty() {
        files.remove(0);
    }
    files
        .into_iter()
        .map(|(path, text)| FileIn { path, text })
        .collect()
}

fn dir_files(root: &Path) -> Vec<FileIn> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<FileIn>) {
        let mut entries: Vec<_> = std::fs::read_dir(dir).unwrap().flatten().collect();
        entries.sort_by_key(|e| e.file_name());
        for e in entries {
            let p = e.path();
            if p.is_dir() {
                if e.file_name() != "node_modules" {
                    walk(root, &p, out);
                }
            } else if let Ok(text) = std::fs::read_to_string(&p) {
                let rel = p
                    .strip_prefix(root)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/");
                out.push(FileIn { path: rel, text });
            }
        }
    }
    let mut out = Vec::new();
    walk(root, root, &mut out);
    out
}

/// Every project to compare on: (name, files).
fn projects() -> Vec<(String, Vec<FileIn>)> {
    let mut out = Vec::new();
    let fixtures = repo().join("crates/supaudit_core/tests/fixtures");
    let mut rules: Vec<_> = std::fs::read_dir(&fixtures)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    rules.sort();
    for dir in rules {
        for case in ["fires.txt", "passes.txt"] {
            if let Ok(text) = std::fs::read_to_string(dir.join(case)) {
                let name = format!("{}/{case}", dir.file_name().unwrap().to_string_lossy());
                out.push((name, fixture_files(&text)));
            }
        }
    }
    for example in ["examples/studio", "examples/visionary"] {
        out.push((example.into(), dir_files(&repo().join(example))));
    }
    assert!(out.len() > 40, "fixtures found: {}", out.len());
    out
}

/// The result as the first version of the package built it: `render::diagnostic_json`
/// of a fresh check, with `utf16` and `bytes` added next to each range.
fn reference(files: &[FileIn], config: Option<&str>) -> Result<Value, api::Error> {
    let (project, settings) = api::load(files, config)?;
    let diagnostics = supaudit_core::check(&project, &settings);
    let sources = Sources::new(&project);
    let index: BTreeMap<&str, (&str, LineIndex)> = project
        .files
        .iter()
        .map(|f| (f.path.as_str(), (f.text.as_str(), LineIndex::new(&f.text))))
        .collect();
    let utf16 = |path: &str, offset: u32| {
        let (line, character) = match index.get(path) {
            Some((text, idx)) => idx.utf16_position(offset, text),
            None => (0, 0),
        };
        json!({"line": line, "character": character})
    };
    let extend = |v: &mut Value, path: &str, range: Span| {
        let m = v.as_object_mut().unwrap();
        m.insert(
            "utf16".into(),
            json!({"start": utf16(path, range.start), "end": utf16(path, range.end)}),
        );
        m.insert(
            "bytes".into(),
            json!({"start": range.start, "end": range.end}),
        );
    };
    let diags: Vec<Value> = diagnostics
        .iter()
        .map(|d| {
            let mut v = render::diagnostic_json(d, &sources);
            extend(&mut v, &d.file, d.range);
            for (fv, f) in v["fixes"].as_array_mut().unwrap().iter_mut().zip(&d.fixes) {
                for (ev, e) in fv["edits"].as_array_mut().unwrap().iter_mut().zip(&f.edits) {
                    extend(ev, &e.file, e.range);
                }
            }
            v
        })
        .collect();
    let score = serde_json::to_value(supaudit_core::report::readiness(&diagnostics)).unwrap();
    Ok(
        json!({"version": api::JSON_VERSION, "supaudit": api::VERSION, "diagnostics": diags, "score": score}),
    )
}

fn all_rules_on() -> String {
    let mut s = String::from("[rules]\n");
    for r in supaudit_core::rules::ALL {
        s.push_str(&format!("{} = \"on\"\n", r.name));
    }
    s
}

#[test]
fn the_result_is_the_cli_contract_plus_editor_ranges_to_the_byte() {
    let all_on = all_rules_on();
    // One analyzer over every project in turn: its cache sees the same paths with
    // other texts (every fixture has the default migration) and projects shrinking.
    let mut kept = Analyzer::default();
    let mut findings = 0;
    for (name, files) in projects() {
        for config in [None, Some(all_on.as_str())] {
            let want = match reference(&files, config) {
                Ok(v) => serde_json::to_string(&v).unwrap(),
                Err(e) => {
                    // An invalid config in the fixture: both fail alike.
                    assert_eq!(
                        Analyzer::default()
                            .analyze_json(&files, config)
                            .unwrap_err(),
                        e
                    );
                    continue;
                }
            };
            let fresh = Analyzer::default().analyze_json(&files, config).unwrap();
            assert_eq!(fresh, want, "{name} (config: {})", config.is_some());
            let cached = kept.analyze_json(&files, config).unwrap();
            assert_eq!(cached, want, "{name} with a kept cache");
            // Again, every parse from the cache.
            assert_eq!(
                kept.analyze_json(&files, config).unwrap(),
                want,
                "{name} again"
            );
            findings += serde_json::from_str::<Value>(&want).unwrap()["diagnostics"]
                .as_array()
                .unwrap()
                .len();
        }
    }
    assert!(findings > 500, "{findings} findings compared");
}

#[test]
fn edits_with_a_kept_cache_give_a_fresh_analysis() {
    let mut kept = Analyzer::default();
    for (name, files) in projects() {
        kept.analyze_json(&files, None).ok();
        // Each SQL or client file in turn: a statement added at the top, a line
        // deleted from the middle, then the original text back.
        for i in 0..files.len() {
            let path = &files[i].path;
            if !(path.ends_with(".sql") || path.ends_with(".ts") || path.ends_with(".tsx")) {
                continue;
            }
            let text = &files[i].text;
            let mid = text[..text.len() / 2].rfind('\n').map_or(0, |i| i + 1);
            let line_end = text[mid..].find('\n').map_or(text.len(), |e| mid + e + 1);
            let edits = [
                format!("create table public.added (id int);\n{text}"),
                format!("{}{}", &text[..mid], &text[line_end..]),
                text.clone(),
            ];
            for edited in edits {
                let mut now = files.clone();
                now[i].text = edited;
                let want = Analyzer::default().analyze_json(&now, None);
                assert_eq!(kept.analyze_json(&now, None), want, "{name}: {path} edited");
            }
        }
    }
}
