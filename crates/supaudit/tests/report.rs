//! `supaudit report`: snapshots of the Markdown and JSON reports of the
//! example projects, the HTML report's sections and self-containment, and the
//! scorecard's denominators against the model.
//! Update the snapshots with `INSTA_UPDATE=always cargo test -p supaudit --test report`.

use std::path::{Path, PathBuf};
use std::process::Command;

use supaudit_core::model::RelKind;
use supaudit_core::report::{self, Report, ReportOptions};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

fn report_cli(example: &str, format: &str) -> String {
    let o = Command::new(env!("CARGO_BIN_EXE_supaudit"))
        .args(["report", &format!("examples/{example}"), "--format", format])
        .current_dir(repo())
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "report {example} --format {format}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8(o.stdout).unwrap()
}

/// The analysis and report of an example, in process.
fn analyse(example: &str) -> (supaudit_core::Analysis, Report) {
    let loaded = supaudit_fs::load(&repo().join("examples").join(example)).unwrap();
    let settings = match &loaded.project.config {
        Some(text) => supaudit_core::Settings::from_toml(text).unwrap(),
        None => supaudit_core::Settings::default(),
    };
    let analysis = supaudit_core::analyze(&loaded.project, &settings);
    let r = report::build(
        &loaded.project,
        &analysis,
        &settings,
        &ReportOptions::default(),
    );
    (analysis, r)
}

#[test]
fn studio_markdown() {
    insta::assert_snapshot!(report_cli("studio", "md"));
}

#[test]
fn studio_json() {
    insta::assert_snapshot!(report_cli("studio", "json"));
}

#[test]
fn visionary_markdown() {
    insta::assert_snapshot!(report_cli("visionary", "md"));
}

#[test]
fn visionary_json() {
    insta::assert_snapshot!(report_cli("visionary", "json"));
}

#[test]
fn markdown_has_every_section() {
    let md = report_cli("studio", "md");
    for section in [
        "## Executive summary",
        "**Production readiness score: ",
        "## Top 3 critical issues",
        "**Why it matters:**",
        "**Fix time:**",
        "## Security scorecard",
        "| **Overall** |",
        "## What's working well",
        "## Before launch",
        "### Must fix",
        "### Should fix",
        "- [ ] ",
        "## All findings",
        "(docs/rules/rls-disabled.md)",
    ] {
        assert!(md.contains(section), "markdown lacks {section:?}");
    }
}

/// Every `attr="…"` value in the HTML.
fn attr_values<'a>(html: &'a str, attr: &str) -> Vec<&'a str> {
    let pat = format!("{attr}=\"");
    html.match_indices(&pat)
        .map(|(i, _)| {
            let rest = &html[i + pat.len()..];
            &rest[..rest.find('"').unwrap()]
        })
        .collect()
}

#[test]
fn html_has_every_section_and_no_external_reference() {
    for example in ["studio", "visionary", "clean-nextjs"] {
        let html = report_cli(example, "html");
        for section in [
            "<!DOCTYPE html>",
            "<style>",
            "@media print",
            "id=\"summary\"",
            "Production readiness",
            "<svg",
            "Findings by area and severity",
            "id=\"top-issues\"",
            "id=\"scorecard\"",
            "id=\"working-well\"",
            "id=\"checklist\"",
            "Must fix",
            "Should fix",
            "id=\"findings\"",
        ] {
            assert!(html.contains(section), "{example}: html lacks {section:?}");
        }
        let lower = html.to_lowercase();
        assert!(!lower.contains("http://"), "{example}: http:// in html");
        assert!(!lower.contains("https://"), "{example}: https:// in html");
        assert!(!lower.contains("@import"), "{example}: @import in html");
        assert!(!lower.contains("<script"), "{example}: script in html");
        assert!(!lower.contains("<link"), "{example}: link in html");
        assert!(!lower.contains("@font-face"), "{example}: font in html");
        for attr in ["src", "href", "xlink:href", "action", "srcset"] {
            for v in attr_values(&lower, attr) {
                assert!(
                    !v.starts_with("//") && !v.contains("://"),
                    "{example}: external {attr}={v:?}"
                );
            }
        }
        for (i, _) in lower.match_indices("url(") {
            let arg = lower[i + 4..].trim_start_matches(['"', '\'', ' ']);
            assert!(
                arg.starts_with("data:") || arg.starts_with('#'),
                "{example}: url({}…) in html",
                &arg[..arg.len().min(30)]
            );
        }
    }
}

#[test]
fn report_writes_to_a_file() {
    let dir = std::env::temp_dir().join(format!("supaudit-report-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let out = dir.join("audit.html");
    let o = Command::new(env!("CARGO_BIN_EXE_supaudit"))
        .args(["report", "examples/visionary", "--format", "html", "-o"])
        .arg(&out)
        .current_dir(repo())
        .output()
        .unwrap();
    assert!(o.status.success());
    assert!(o.stdout.is_empty());
    assert!(
        std::fs::read_to_string(&out)
            .unwrap()
            .ends_with("</html>\n")
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn json_matches_the_markdown_counts() {
    let v: serde_json::Value = serde_json::from_str(&report_cli("studio", "json")).unwrap();
    let md = report_cli("studio", "md");
    let errors = v["counts"]["error"].as_u64().unwrap();
    assert!(md.contains(&format!("| Error | {errors} |")));
    let score = v["score"]["value"].as_f64().unwrap();
    assert!(md.contains(&format!("**Production readiness score: {score:.1}/10**")));
    assert_eq!(
        v["findings"].as_array().unwrap().len() as u64,
        v["counts"]["total"].as_u64().unwrap()
    );
}

fn check<'a>(r: &'a Report, prefix: &str) -> &'a report::CheckResult {
    r.scorecard
        .iter()
        .flat_map(|a| &a.checks)
        .find(|c| c.label.starts_with(prefix) || c.label.contains(prefix))
        .unwrap_or_else(|| panic!("no check {prefix:?}"))
}

#[test]
fn scorecard_counts_come_from_the_model() {
    for example in ["studio", "visionary"] {
        let (analysis, r) = analyse(example);
        let model = &analysis.model;
        let exposed = |s: &str| analysis.exposed_schemas.iter().any(|e| e == s);
        let exposed_tables: Vec<_> = model
            .project_relations()
            .filter(|t| t.kind == RelKind::Table && exposed(&t.schema))
            .filter(|t| {
                ["anon", "authenticated", "public"]
                    .iter()
                    .any(|r| t.grants.get(*r).is_some_and(|p| !p.is_empty()))
            })
            .collect();
        assert!(!exposed_tables.is_empty());
        let rls = check(&r, "RLS on ");
        assert_eq!(rls.total, exposed_tables.len(), "{example}");
        // Passed = exposed tables with RLS enabled (no finding is suppressed
        // in the examples).
        let with_rls = exposed_tables.iter().filter(|t| t.rls_enabled).count();
        assert_eq!(rls.passed, with_rls, "{example}");
        assert_eq!(
            rls.label,
            format!(
                "RLS on {with_rls} of {} exposed tables",
                exposed_tables.len()
            )
        );

        let functions = model
            .project_functions()
            .filter(|f| matches!(f.language.as_deref(), Some("sql" | "plpgsql") | None))
            .collect::<Vec<_>>();
        let pinned = functions
            .iter()
            .filter(|f| f.search_path().is_some())
            .count();
        let c = check(&r, "functions pin search_path");
        assert_eq!((c.passed, c.total), (pinned, functions.len()), "{example}");

        let fks: usize = model
            .project_relations()
            .filter(|t| t.kind == RelKind::Table)
            .map(|t| t.foreign_keys.len())
            .sum();
        let c = check(&r, "foreign keys indexed");
        assert_eq!(c.total, fks, "{example}");
        let unindexed = analysis
            .diagnostics
            .iter()
            .filter(|d| d.rule == "unindexed-foreign-key")
            .count();
        assert_eq!(c.passed, fks - unindexed, "{example}");
    }
}

#[test]
fn studio_rls_line_and_score() {
    let (analysis, r) = analyse("studio");
    assert!(
        r.score.value < 5.0,
        "studio has many errors: {}",
        r.score.value
    );
    assert_eq!(r.top_issues.len(), 3);
    assert!(
        r.top_issues
            .iter()
            .all(|t| !t.why.is_empty() && !t.effort.is_empty())
    );
    assert_eq!(r.status.level, "not-ready");
    assert_eq!(r.findings.len(), analysis.diagnostics.len());
    // Must fix holds every error.
    let must: usize = r
        .checklist
        .must_fix
        .iter()
        .filter(|i| i.severity == supaudit_core::Severity::Error)
        .map(|i| i.count)
        .sum();
    assert!(must >= r.counts.error);
}

#[test]
fn a_clean_project_scores_near_ten() {
    let (_, r) = analyse("clean-nextjs");
    assert!(r.score.value >= 9.5, "{}", r.score.value);
    assert_eq!(r.counts.error, 0);
    assert!(r.checklist.must_fix.is_empty());
    assert!(!r.working_well.is_empty());
}

#[test]
fn docs_url_is_a_prefix_or_a_template() {
    let links = |url: &str| {
        let o = Command::new(env!("CARGO_BIN_EXE_supaudit"))
            .args([
                "report",
                "examples/studio",
                "--format",
                "md",
                "--docs-url",
                url,
            ])
            .current_dir(repo())
            .output()
            .unwrap();
        assert!(o.status.success());
        String::from_utf8(o.stdout).unwrap()
    };
    let prefix = links("https://example.test/docs");
    assert!(
        prefix.contains("(https://example.test/docs/rls-disabled.md)"),
        "{prefix}"
    );
    let template = links("https://example.test/rules#{rule}");
    assert!(
        template.contains("(https://example.test/rules#rls-disabled)"),
        "{template}"
    );
    assert!(!template.contains("{rule}"));
}
