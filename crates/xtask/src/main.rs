//! `cargo xtask new-rule <category> <rule-name>`: scaffolds a rule so that
//! adding rule 61 is as easy as rule 1. It creates the rule file with its doc
//! comment sections, registers it in its category's `mod.rs` and in
//! `rules::ALL`, creates `fires.txt` / `passes.txt` fixtures and adds the
//! fixture test line. Then fill in the check, the docs and the fixtures.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

const CATEGORIES: &[(&str, &str)] = &[
    ("security", "Security"),
    ("performance", "Performance"),
    ("integrity", "Integrity"),
    ("migration", "Migration"),
    ("client", "Client"),
    ("config", "Config"),
    ("syntax", "Syntax"),
];

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["new-rule", category, name] => match new_rule(category, name) {
            Ok(created) => {
                for c in created {
                    println!("created or updated {}", c.display());
                }
                println!(
                    "next: write the check and the docs, fill the fixtures, then\n  INSTA_UPDATE=always cargo test -p supaudit_core --test rules\n  UPDATE_DOCS=1 cargo test -p supaudit --test docs"
                );
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("xtask: {e}");
                ExitCode::from(2)
            }
        },
        _ => {
            eprintln!(
                "usage: cargo xtask new-rule <category> <rule-name>\ncategories: {}",
                CATEGORIES
                    .iter()
                    .map(|c| c.0)
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            ExitCode::from(2)
        }
    }
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn new_rule(category: &str, name: &str) -> Result<Vec<PathBuf>, String> {
    let Some((_, variant)) = CATEGORIES.iter().find(|c| c.0 == category) else {
        return Err(format!("unknown category `{category}`"));
    };
    if name.is_empty()
        || !name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    {
        return Err(format!("rule names are kebab-case: `{name}`"));
    }
    let snake = name.replace('-', "_");
    let upper = snake.to_ascii_uppercase();
    let rules = root().join("crates/supaudit_core/src/rules");
    let dir = rules.join(category);
    let file = dir.join(format!("{snake}.rs"));
    if file.exists() {
        return Err(format!("{} already exists", file.display()));
    }
    let mut touched = Vec::new();
    fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    fs::write(&file, template(name, &upper, variant)).map_err(|e| e.to_string())?;
    touched.push(file);

    // The category module.
    let module = dir.join("mod.rs");
    let mut m = fs::read_to_string(&module).unwrap_or_default();
    let is_new_category = m.is_empty();
    m = insert_sorted_mod(&m, &snake);
    fs::write(&module, m).map_err(|e| e.to_string())?;
    touched.push(module);

    // The registry.
    let registry = rules.join("mod.rs");
    let mut r = fs::read_to_string(&registry).map_err(|e| e.to_string())?;
    if is_new_category {
        r = r.replacen(
            "pub mod helpers;\n",
            &format!("pub mod helpers;\npub mod {category};\n"),
            1,
        );
    }
    let entry = format!("    &{category}::{snake}::{upper},\n");
    let end = r.find("];").ok_or("rules::ALL not found")?;
    let all_start = r.find("pub static ALL").ok_or("rules::ALL not found")?;
    // After the last entry of the same category, else before the closing bracket.
    let prefix = format!("    &{category}::");
    let at = r[all_start..end]
        .match_indices(&prefix)
        .last()
        .map(|(i, _)| all_start + i + r[all_start + i..].find('\n').unwrap() + 1)
        .unwrap_or(end);
    r.insert_str(at, &entry);
    fs::write(&registry, r).map_err(|e| e.to_string())?;
    touched.push(registry);

    // Fixtures and the fixture test.
    let fixtures = root()
        .join("crates/supaudit_core/tests/fixtures")
        .join(name);
    fs::create_dir_all(&fixtures).map_err(|e| e.to_string())?;
    fs::write(
        fixtures.join("fires.txt"),
        "-- file: supabase/migrations/20240101000000_init.sql\n-- TODO: statements that must be reported\n",
    )
    .map_err(|e| e.to_string())?;
    fs::write(
        fixtures.join("passes.txt"),
        "-- file: supabase/migrations/20240101000000_init.sql\n-- TODO: near misses that must not be reported\n",
    )
    .map_err(|e| e.to_string())?;
    touched.push(fixtures);
    let tests = root().join("crates/supaudit_core/tests/rules.rs");
    let t = fs::read_to_string(&tests).map_err(|e| e.to_string())?;
    let marker = "rule_tests! {\n";
    let i = t.find(marker).ok_or("rule_tests! not found")? + marker.len();
    let close = i + t[i..].find("\n}").ok_or("end of rule_tests! not found")? + 1;
    let t = format!("{}    {snake} => \"{name}\",\n{}", &t[..close], &t[close..]);
    fs::write(&tests, t).map_err(|e| e.to_string())?;
    touched.push(tests);
    Ok(touched)
}

fn insert_sorted_mod(m: &str, snake: &str) -> String {
    let line = format!("pub mod {snake};");
    let mut lines: Vec<&str> = m.lines().collect();
    let pos = lines
        .iter()
        .position(|l| l.starts_with("pub mod ") && *l > line.as_str())
        .unwrap_or_else(|| {
            lines
                .iter()
                .rposition(|l| l.starts_with("pub mod "))
                .map_or(0, |p| p + 1)
        });
    lines.insert(pos, &line);
    lines.join("\n") + "\n"
}

fn template(name: &str, upper: &str, variant: &str) -> String {
    format!(
        r#"use crate::diagnostic::Diagnostic;
use crate::rules::{{Context, declare_rule}};

declare_rule! {{
    /// ## What it does
    /// TODO: one paragraph; its first sentence is the rule's summary.
    ///
    /// ## Why it matters
    /// TODO
    ///
    /// ## Example
    /// ```sql
    /// -- TODO
    /// ```
    ///
    /// ## Fix
    /// TODO
    ///
    /// ## Reference
    /// TODO: seed audit section or tool lint.
    pub static {upper} = {{
        name: "{name}",
        category: {variant},
        severity: Warning,
        fix: false,
        effort: "30 min", // TODO: honest time to fix one finding ("15 min", "2-4 hours")
        check: check,
    }}
}}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {{
    let _ = (ctx, out);
}}
"#
    )
}
