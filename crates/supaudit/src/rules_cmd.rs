//! `supaudit rule` and `supaudit rules`.

use std::process::ExitCode;

use anyhow::bail;
use supaudit_core::rules;

use crate::ListFormat;

pub fn rule(name: &str) -> anyhow::Result<ExitCode> {
    let Some(r) = rules::by_name(name) else {
        let hint = rules::closest(name)
            .map(|c| format!(" (did you mean `{c}`?)"))
            .unwrap_or_default();
        bail!("unknown rule `{name}`{hint}; `supaudit rules` lists them");
    };
    print!("{}", rule_page(r));
    Ok(ExitCode::SUCCESS)
}

/// The Markdown page of a rule: a header with its metadata, then its doc comment.
pub fn rule_page(r: &rules::Rule) -> String {
    format!(
        "# {}\n\n- Category: {}\n- Default severity: {}\n- Enabled by default: {}\n- Fix: {}\n- Effort to fix: {}\n\n{}",
        r.name,
        r.category.as_str(),
        r.severity,
        if r.default_enabled { "yes" } else { "no" },
        if r.fix { "yes" } else { "no" },
        r.effort,
        r.documentation()
    )
}

pub fn rules(format: ListFormat) -> anyhow::Result<ExitCode> {
    match format {
        ListFormat::Text => {
            let w = rules::ALL.iter().map(|r| r.name.len()).max().unwrap_or(10);
            println!(
                "{:w$}  {:11}  {:8}  {:3}  summary",
                "rule", "category", "severity", "fix"
            );
            for r in rules::ALL {
                let off = if r.default_enabled {
                    ""
                } else {
                    " (off by default)"
                };
                println!(
                    "{:w$}  {:11}  {:8}  {:3}  {}{off}",
                    r.name,
                    r.category.as_str(),
                    r.severity.as_str(),
                    if r.fix { "yes" } else { "" },
                    r.summary()
                );
            }
        }
        ListFormat::Json => {
            let list: Vec<serde_json::Value> = rules::ALL
                .iter()
                .map(|r| {
                    serde_json::json!({
                        "name": r.name, "category": r.category.as_str(), "severity": r.severity.as_str(),
                        "fix": r.fix, "effort": r.effort, "default_enabled": r.default_enabled, "summary": r.summary(),
                    })
                })
                .collect();
            println!("{}", serde_json::to_string_pretty(&list)?);
        }
        ListFormat::Markdown => print!("{}", rules_table()),
    }
    Ok(ExitCode::SUCCESS)
}

/// The README's rule table.
pub fn rules_table() -> String {
    let mut s = String::from(
        "| rule | category | severity | fix | what it finds |\n|---|---|---|---|---|\n",
    );
    for r in rules::ALL {
        let sev = if r.default_enabled {
            r.severity.as_str().to_string()
        } else {
            format!("{}, off by default", r.severity)
        };
        s.push_str(&format!(
            "| [{0}](docs/rules/{0}.md) | {1} | {2} | {3} | {4} |\n",
            r.name,
            r.category.as_str(),
            sev,
            if r.fix { "yes" } else { "" },
            r.summary().replace('|', "\\|")
        ));
    }
    s
}
