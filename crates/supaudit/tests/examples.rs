//! The example projects reproduce the seed audits: every row of the findings
//! table in `examples/<name>/README.md` names a rule and where it fires
//! (`M1:28`, `M2:3–5` for the migrations listed as **M1**, **M2**… in the
//! README, or `src/app/page.tsx:13`, `supabase/config.toml:32`, `:93` for the
//! previous file). `supaudit check examples/<name>` must report that rule at one
//! of the places its row names (a line inside a range counts). Rows whose
//! status says "not built" are skipped, and there must be none once every rule
//! exists.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

/// (file, first line, last line) places named in a README table row.
fn places(row: &str, legend: &BTreeMap<String, String>) -> Vec<(String, u32, u32)> {
    let mut out = Vec::new();
    let mut last_file: Option<String> = None;
    let bytes: Vec<char> = row.chars().collect();
    let mut i = 0;
    while i < bytes.len() {
        // A path-like token or `M<n>` followed by `:<line>`.
        let start = i;
        while i < bytes.len()
            && (bytes[i].is_ascii_alphanumeric() || matches!(bytes[i], '/' | '.' | '_' | '-'))
        {
            i += 1;
        }
        let token: String = bytes[start..i].iter().collect();
        if i < bytes.len() && bytes[i] == ':' {
            let mut j = i + 1;
            let mut first = String::new();
            while j < bytes.len() && bytes[j].is_ascii_digit() {
                first.push(bytes[j]);
                j += 1;
            }
            if !first.is_empty() {
                let mut last = first.clone();
                if j < bytes.len() && matches!(bytes[j], '–' | '-') {
                    let mut k = j + 1;
                    let mut l = String::new();
                    while k < bytes.len() && bytes[k].is_ascii_digit() {
                        l.push(bytes[k]);
                        k += 1;
                    }
                    if !l.is_empty() {
                        last = l;
                        j = k;
                    }
                }
                let file = if token.is_empty() {
                    last_file.clone()
                } else if let Some(f) = legend.get(&token) {
                    Some(f.clone())
                } else if token.contains('.') || token.contains('/') {
                    Some(token.clone())
                } else {
                    None
                };
                if let Some(f) = file {
                    out.push((f.clone(), first.parse().unwrap(), last.parse().unwrap()));
                    last_file = Some(f);
                }
                i = j;
                continue;
            }
        }
        if i == start {
            i += 1;
        }
    }
    out
}

#[test]
fn every_seed_finding_of_the_examples_is_reported() {
    let root = repo();
    let rules: Vec<&str> = supaudit_core::rules::ALL.iter().map(|r| r.name).collect();
    let mut checked = 0;
    let mut examples: Vec<PathBuf> = std::fs::read_dir(root.join("examples"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("README.md").is_file())
        .collect();
    examples.sort();
    let mut failures = Vec::new();
    for ex in examples {
        let readme = std::fs::read_to_string(ex.join("README.md")).unwrap();
        // **M1** `20240101000000_init.sql` → supabase/migrations/…
        let mut legend = BTreeMap::new();
        for part in readme.split("**M").skip(1) {
            let Some((n, rest)) = part.split_once("**") else {
                continue;
            };
            let Some(file) = rest.split('`').nth(1) else {
                continue;
            };
            if n.chars().all(|c| c.is_ascii_digit()) && file.ends_with(".sql") {
                legend.insert(format!("M{n}"), format!("supabase/migrations/{file}"));
            }
        }
        let o = Command::new(env!("CARGO_BIN_EXE_supaudit"))
            .args(["check", ex.to_str().unwrap(), "--format", "json"])
            .current_dir(&root)
            .output()
            .unwrap();
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON output");
        let found: Vec<(String, String, u32)> = v["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| {
                (
                    d["rule"].as_str().unwrap().to_string(),
                    d["file"].as_str().unwrap().to_string(),
                    d["range"]["start"]["line"].as_u64().unwrap() as u32,
                )
            })
            .collect();
        // Only the findings tables: from a "findings" heading to the next heading.
        let mut in_table = false;
        for line in readme.lines() {
            if line.starts_with('#') {
                in_table = line.to_ascii_lowercase().contains("findings");
                continue;
            }
            if !in_table || !line.starts_with('|') || line.starts_with("|---") {
                continue;
            }
            let cells: Vec<&str> = line.split('|').map(str::trim).collect();
            let Some(rule) = cells.iter().find_map(|c| {
                let first = c.split([' ', '(']).next().unwrap_or("").trim_matches('`');
                rules.contains(&first).then_some(first)
            }) else {
                continue;
            };
            let name = ex.file_name().unwrap().to_string_lossy();
            if line.contains("not built") {
                failures.push(format!(
                    "{name}: {rule}: the README still says \"not built\""
                ));
                continue;
            }
            let where_ = places(line, &legend);
            checked += 1;
            let of_rule: Vec<_> = found.iter().filter(|f| f.0 == rule).collect();
            if of_rule.is_empty() {
                failures.push(format!("{name}: {rule} is not reported at all"));
                continue;
            }
            if !where_.is_empty()
                && !where_.iter().any(|(file, a, b)| {
                    of_rule
                        .iter()
                        .any(|f| f.1.ends_with(file.as_str()) && f.2 >= *a && f.2 <= *b)
                })
            {
                failures.push(format!(
                    "{name}: {rule} is reported at {:?}, not at any of {where_:?}",
                    of_rule
                        .iter()
                        .map(|f| format!("{}:{}", f.1, f.2))
                        .collect::<Vec<_>>()
                ));
            }
        }
    }
    assert!(checked >= 40, "only {checked} README rows checked");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
