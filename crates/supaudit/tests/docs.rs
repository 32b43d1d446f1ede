//! Generated documentation is committed and must be fresh: `docs/rules/<rule>.md`
//! (from each rule's doc comment) and the rule table in README.md.
//! Regenerate with `UPDATE_DOCS=1 cargo test -p supaudit --test docs`.

use std::path::{Path, PathBuf};
use std::process::Command;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

fn run(args: &[&str]) -> String {
    let o = Command::new(env!("CARGO_BIN_EXE_supaudit"))
        .args(args)
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8(o.stdout).unwrap()
}

fn update() -> bool {
    std::env::var_os("UPDATE_DOCS").is_some()
}

fn rule_names() -> Vec<String> {
    let v: serde_json::Value = serde_json::from_str(&run(&["rules", "--format", "json"])).unwrap();
    v.as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn every_rule_is_documented() {
    for name in rule_names() {
        let page = run(&["rule", &name]);
        for section in [
            "## What it does",
            "## Why it matters",
            "## Example",
            "## Fix",
            "## Reference",
        ] {
            assert!(
                page.contains(section),
                "rule {name} lacks a `{section}` section in its doc comment"
            );
        }
    }
}

#[test]
fn rule_pages_are_fresh() {
    let dir = repo().join("docs/rules");
    std::fs::create_dir_all(&dir).unwrap();
    let names = rule_names();
    let mut stale = Vec::new();
    for name in &names {
        let page = run(&["rule", name]);
        let path = dir.join(format!("{name}.md"));
        if std::fs::read_to_string(&path).ok().as_deref() != Some(page.as_str()) {
            if update() {
                std::fs::write(&path, &page).unwrap();
            } else {
                stale.push(name.clone());
            }
        }
    }
    for e in std::fs::read_dir(&dir).unwrap() {
        let file = e.unwrap().file_name().to_string_lossy().to_string();
        let rule = file.trim_end_matches(".md");
        if !names.iter().any(|n| n == rule) {
            if update() {
                std::fs::remove_file(dir.join(&file)).unwrap();
            } else {
                stale.push(format!("{file} (no such rule)"));
            }
        }
    }
    assert!(
        stale.is_empty(),
        "stale docs/rules pages: {stale:?}; run UPDATE_DOCS=1 cargo test -p supaudit --test docs"
    );
}

#[test]
fn readme_rule_table_is_fresh() {
    let path = repo().join("README.md");
    let readme = std::fs::read_to_string(&path).unwrap();
    let (begin, end) = ("<!-- rules:begin -->\n", "<!-- rules:end -->");
    let a = readme
        .find(begin)
        .expect("README lacks <!-- rules:begin -->")
        + begin.len();
    let b = readme.find(end).expect("README lacks <!-- rules:end -->");
    let table = run(&["rules", "--format", "markdown"]);
    if readme[a..b] != table {
        if update() {
            std::fs::write(&path, format!("{}{}{}", &readme[..a], table, &readme[b..])).unwrap();
        } else {
            panic!(
                "README rule table is stale; run UPDATE_DOCS=1 cargo test -p supaudit --test docs"
            );
        }
    }
}

#[test]
fn config_schema_is_fresh() {
    let path = repo().join("docs/supaudit.schema.json");
    let schema =
        serde_json::to_string_pretty(&supaudit_core::settings::json_schema()).unwrap() + "\n";
    if std::fs::read_to_string(&path).ok().as_deref() != Some(schema.as_str()) {
        if update() {
            std::fs::write(&path, schema).unwrap();
        } else {
            panic!(
                "docs/supaudit.schema.json is stale; run UPDATE_DOCS=1 cargo test -p supaudit --test docs"
            );
        }
    }
}
