//! The audit report (`supaudit report`): the findings of one analysis arranged
//! as a launch review — executive summary, readiness score, top critical
//! issues with fix effort, a scorecard by area with real denominators from the
//! model, what is working well, the checklist before launch and every finding —
//! and its renderers (Markdown, one self-contained HTML file, JSON through
//! serde). Pure, like the rest of the core: no clock, no file system.
//!
//! # The readiness score
//!
//! Each finding weighs its severity times its area:
//!
//! | severity | weight |   | area | weight |
//! |---|---|---|---|---|
//! | error | 1.0 | | RLS and policies | 1.5 |
//! | warning | 0.3 | | secrets and keys | 1.5 |
//! | info | 0.05 | | functions and grants | 1.2 |
//! | | | | input validation and integrity | 1.0 |
//! | | | | client code | 0.8 |
//! | | | | migrations and recovery | 0.8 |
//! | | | | performance | 0.6 |
//!
//! A rule's penalty is its area weight times the sum of its findings' severity
//! weights, capped at twice the weight of its worst finding (so one noisy rule
//! with fifty findings costs what two of them cost). With `P` the sum of every
//! rule's penalty, the score is `10 × e^(−P / 10)`, rounded to one decimal.
//! No findings score 10; one table without RLS (P = 1.5) scores 8.6; fifteen
//! errors across the security areas score about 1.
//!
//! # The scorecard
//!
//! Each area holds checks. A check counts objects of the model (exposed
//! tables, functions, env files, migrations…) and fails the distinct objects
//! that findings of its rules point at, so "RLS on 13 of 14 exposed tables"
//! has 14 = the exposed tables of the model. Rules of an area that no check
//! counts objects for form one more check, "other checks", whose denominator
//! is the number of those rules that ran. An area's percentage is its checks'
//! passed over total (rounded down, so 100% means nothing failed); its status
//! is Excellent (≥ 95%), Good (≥ 80%), Needs work (≥ 60%), At risk (below),
//! and no better than Needs work while the area has an error. The overall
//! grade (A ≥ 90%, B ≥ 80%, C ≥ 70%, D ≥ 60%, F) is no better than C while
//! the project has an error.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::Serialize;

use crate::checker::Analysis;
use crate::diagnostic::{Category, Diagnostic, Severity};
use crate::model::{Model, Origin, RelKind, Relation};
use crate::project::{FileKind, Project};
use crate::rules::{self, Rule};
use crate::settings::Settings;
use crate::text::{LineIndex, Span};

/// How the report names the project and links rule docs.
#[derive(Debug, Clone)]
pub struct ReportOptions {
    /// Used when `supabase/config.toml` has no `project_id`.
    pub name: Option<String>,
    /// Prefix of rule doc links: `docs/rules/` (the default, relative to the
    /// repository root) or a URL; the link is `<prefix><rule>.md`. A prefix
    /// holding `{rule}` is a template instead: `rules.html#{rule}`.
    pub docs_base: String,
}

impl Default for ReportOptions {
    fn default() -> Self {
        ReportOptions {
            name: None,
            docs_base: "docs/rules/".into(),
        }
    }
}

/// An area of the scorecard.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Area {
    RlsPolicies,
    FunctionsGrants,
    SecretsKeys,
    InputIntegrity,
    Performance,
    Migrations,
    ClientCode,
}

impl Area {
    pub const ALL: [Area; 7] = [
        Area::RlsPolicies,
        Area::FunctionsGrants,
        Area::SecretsKeys,
        Area::InputIntegrity,
        Area::Performance,
        Area::Migrations,
        Area::ClientCode,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Area::RlsPolicies => "RLS and policies",
            Area::FunctionsGrants => "Functions and grants",
            Area::SecretsKeys => "Secrets and keys",
            Area::InputIntegrity => "Input validation and integrity",
            Area::Performance => "Performance",
            Area::Migrations => "Migrations and recovery",
            Area::ClientCode => "Client code",
        }
    }

    /// The area's weight in the readiness score.
    pub fn weight(self) -> f64 {
        match self {
            Area::RlsPolicies | Area::SecretsKeys => 1.5,
            Area::FunctionsGrants => 1.2,
            Area::InputIntegrity => 1.0,
            Area::ClientCode | Area::Migrations => 0.8,
            Area::Performance => 0.6,
        }
    }

    /// Whether warnings of this area belong on the must-fix list.
    pub fn critical(self) -> bool {
        self.weight() >= 1.2
    }
}

/// The area a rule's findings count in.
pub fn area_of(rule: &str, category: Category) -> Area {
    match rule {
        "rls-disabled"
        | "sensitive-columns-exposed"
        | "policy-exists-rls-disabled"
        | "rls-enabled-no-policy"
        | "policy-always-true"
        | "policy-uses-user-metadata"
        | "missing-command-policy"
        | "policy-service-role-check"
        | "policy-auth-role-deprecated"
        | "public-bucket-listing"
        | "storage-bucket-unbounded"
        | "storage-policy-unscoped"
        | "insecure-queue-exposed" => Area::RlsPolicies,
        "function-search-path-mutable"
        | "security-definer-exposed"
        | "security-definer-view"
        | "auth-users-exposed"
        | "materialized-view-in-api"
        | "foreign-table-in-api"
        | "extension-in-public"
        | "unsupported-reg-types"
        | "fkey-to-auth-unique"
        | "graphql-table-exposed"
        | "grant-all-to-anon" => Area::FunctionsGrants,
        "service-role-in-client"
        | "server-module-in-client"
        | "service-role-unscoped-query"
        | "sensitive-column-plaintext"
        | "secret-in-env-example"
        | "public-env-service-key"
        | "auth-anonymous-sign-ins"
        | "auth-weak-password-policy" => Area::SecretsKeys,
        "raw-sql-interpolation" | "unsanitized-html" => Area::InputIntegrity,
        "query-in-loop"
        | "missing-composite-index"
        | "jsonb-filter-unindexed"
        | "pooler-disabled"
        | "stats-extension-missing" => Area::Performance,
        "client-type-mismatch" | "column-renamed-in-use" => Area::ClientCode,
        _ => match category {
            Category::Security => Area::RlsPolicies,
            Category::Performance => Area::Performance,
            Category::Integrity => Area::InputIntegrity,
            Category::Migration | Category::Syntax => Area::Migrations,
            Category::Client => Area::ClientCode,
            Category::Config => Area::SecretsKeys,
        },
    }
}

fn rule_area(rule: &str) -> Area {
    let category = rules::by_name(rule).map_or(Category::Syntax, |r| r.category);
    area_of(rule, category)
}

/// The score's weight of one finding's severity.
pub fn severity_weight(s: Severity) -> f64 {
    match s {
        Severity::Error => 1.0,
        Severity::Warning => 0.3,
        Severity::Info => 0.05,
    }
}

/// The formula's constant: a penalty of `SCORE_SCALE` divides the score by e.
pub const SCORE_SCALE: f64 = 10.0;

/// The readiness score of a set of findings (see the module docs).
pub fn readiness(diagnostics: &[Diagnostic]) -> Score {
    let mut by_rule: BTreeMap<&str, (f64, f64)> = BTreeMap::new();
    for d in diagnostics {
        let w = severity_weight(d.severity);
        let e = by_rule.entry(d.rule).or_insert((0.0, 0.0));
        e.0 += w;
        e.1 = e.1.max(w);
    }
    let mut by_area: BTreeMap<Area, f64> = BTreeMap::new();
    for (rule, (sum, worst)) in &by_rule {
        let area = rule_area(rule);
        *by_area.entry(area).or_insert(0.0) += area.weight() * sum.min(2.0 * worst);
    }
    let penalty: f64 = by_area.values().sum();
    let value = round1(SCORE_SCALE * (-penalty / SCORE_SCALE).exp());
    Score {
        value,
        out_of: 10,
        penalty: round2(penalty),
        penalty_by_area: by_area
            .into_iter()
            .map(|(area, p)| AreaPenalty {
                area,
                penalty: round2(p),
            })
            .collect(),
    }
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

#[derive(Debug, Clone, Serialize)]
pub struct Score {
    /// Out of 10, one decimal.
    pub value: f64,
    pub out_of: u32,
    /// `P` of the formula.
    pub penalty: f64,
    pub penalty_by_area: Vec<AreaPenalty>,
}

#[derive(Debug, Clone, Serialize)]
pub struct AreaPenalty {
    pub area: Area,
    pub penalty: f64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub error: usize,
    pub warning: usize,
    pub info: usize,
    pub total: usize,
}

impl Counts {
    fn add(&mut self, s: Severity) {
        match s {
            Severity::Error => self.error += 1,
            Severity::Warning => self.warning += 1,
            Severity::Info => self.info += 1,
        }
        self.total += 1;
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub project: String,
    pub status: Status,
    pub score: Score,
    pub counts: Counts,
    /// Effort to clear the must-fix list, from the rules' estimates.
    pub must_fix_effort: Option<String>,
    pub top_issues: Vec<TopIssue>,
    pub scorecard: Vec<AreaScore>,
    pub overall: Overall,
    pub working_well: Vec<WorkingWell>,
    pub checklist: Checklist,
    /// Every finding, errors first.
    pub findings: Vec<Finding>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Status {
    /// `not-ready`, `ready-with-caveats` or `ready`.
    pub level: &'static str,
    pub line: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct TopIssue {
    pub rule: &'static str,
    pub severity: Severity,
    pub area: Area,
    pub message: String,
    /// `file:line` of the first finding.
    pub location: String,
    /// Findings of the same rule beyond the first.
    pub more: usize,
    /// First paragraph of the rule's "Why it matters".
    pub why: String,
    /// The finding's fix title, or its help.
    pub fix: String,
    pub effort: &'static str,
    pub doc: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct AreaScore {
    pub area: Area,
    pub name: &'static str,
    pub passed: usize,
    pub total: usize,
    /// `None` when no check of the area ran.
    pub percent: Option<u32>,
    pub status: &'static str,
    pub checks: Vec<CheckResult>,
    pub findings: Counts,
}

#[derive(Debug, Clone, Serialize)]
pub struct CheckResult {
    /// "RLS on 14 of 14 exposed tables".
    pub label: String,
    pub passed: usize,
    pub total: usize,
    pub rules: Vec<&'static str>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Overall {
    pub passed: usize,
    pub total: usize,
    pub percent: Option<u32>,
    pub grade: &'static str,
}

#[derive(Debug, Clone, Serialize)]
pub struct WorkingWell {
    pub area: Area,
    pub text: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Checklist {
    /// Errors, and warnings of the security areas.
    pub must_fix: Vec<ChecklistItem>,
    pub should_fix: Vec<ChecklistItem>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ChecklistItem {
    pub rule: &'static str,
    pub severity: Severity,
    pub area: Area,
    /// What to do: the first finding's fix title, or its message.
    pub title: String,
    pub count: usize,
    /// `file:line` of up to five findings.
    pub locations: Vec<String>,
    pub effort: &'static str,
    pub doc: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    pub severity: Severity,
    pub rule: &'static str,
    pub area: Area,
    pub file: String,
    pub line: u32,
    pub column: u32,
    pub message: String,
    pub help: Option<String>,
    pub doc: String,
}

impl Finding {
    pub fn location(&self) -> String {
        format!("{}:{}", self.file, self.line)
    }
}

/// Builds the report of one analysis of `project`.
pub fn build(
    project: &Project,
    analysis: &Analysis,
    settings: &Settings,
    options: &ReportOptions,
) -> Report {
    let diags = &analysis.diagnostics;
    let doc = |rule: &str| {
        if options.docs_base.contains("{rule}") {
            options.docs_base.replace("{rule}", rule)
        } else {
            format!("{}{rule}.md", options.docs_base)
        }
    };
    let lines = Lines::new(project);

    let mut counts = Counts::default();
    for d in diags {
        counts.add(d.severity);
    }

    // Every finding, errors first, otherwise in the checker's order.
    let mut sorted: Vec<&Diagnostic> = diags.iter().collect();
    sorted.sort_by_key(|d| std::cmp::Reverse(d.severity));
    let findings: Vec<Finding> = sorted
        .iter()
        .map(|d| {
            let (line, column) = lines.at(&d.file, d.range.start);
            Finding {
                severity: d.severity,
                rule: d.rule,
                area: rule_area(d.rule),
                file: d.file.clone(),
                line,
                column,
                message: d.message.clone(),
                help: d.help.clone(),
                doc: doc(d.rule),
            }
        })
        .collect();

    // Findings grouped by rule, ordered by importance.
    let mut groups: Vec<Group> = Vec::new();
    for (d, f) in sorted.iter().zip(&findings) {
        match groups.iter_mut().find(|g| g.rule == d.rule) {
            Some(g) => {
                g.severity = g.severity.max(d.severity);
                g.items.push((d, f));
            }
            None => groups.push(Group {
                rule: d.rule,
                severity: d.severity,
                area: f.area,
                items: vec![(d, f)],
            }),
        }
    }
    let rule_index = |r: &str| rules::ALL.iter().position(|x| x.name == r);
    groups.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then(b.area.weight().total_cmp(&a.area.weight()))
            .then(rule_index(a.rule).cmp(&rule_index(b.rule)))
            .then(a.rule.cmp(b.rule))
    });
    let must = |g: &Group| {
        g.severity == Severity::Error || (g.severity == Severity::Warning && g.area.critical())
    };

    let top_issues: Vec<TopIssue> = groups
        .iter()
        .filter(|g| must(g))
        .take(3)
        .map(|g| {
            let (d, f) = g.items[0];
            let rule = rules::by_name(g.rule);
            TopIssue {
                rule: g.rule,
                severity: g.severity,
                area: g.area,
                message: d.message.clone(),
                location: f.location(),
                more: g.items.len() - 1,
                why: rule.map(why_it_matters).unwrap_or_default(),
                fix: fix_text(d),
                effort: rule.map_or("", |r| r.effort),
                doc: doc(g.rule),
            }
        })
        .collect();

    let item = |g: &Group| {
        let (d, _) = g.items[0];
        ChecklistItem {
            rule: g.rule,
            severity: g.severity,
            area: g.area,
            title: fix_text(d),
            count: g.items.len(),
            locations: g.items.iter().take(5).map(|(_, f)| f.location()).collect(),
            effort: rules::by_name(g.rule).map_or("", |r| r.effort),
            doc: doc(g.rule),
        }
    };
    let checklist = Checklist {
        must_fix: groups.iter().filter(|g| must(g)).map(item).collect(),
        should_fix: groups.iter().filter(|g| !must(g)).map(item).collect(),
    };
    let must_fix_effort = total_effort(&checklist.must_fix);

    let scorecard = scorecard(project, analysis, settings);
    let (passed, total) = scorecard
        .iter()
        .fold((0, 0), |(p, t), a| (p + a.passed, t + a.total));
    let overall_percent = percent(passed, total);
    let overall = Overall {
        passed,
        total,
        percent: overall_percent,
        grade: match grade(overall_percent) {
            "A" | "B" if counts.error > 0 => "C",
            g => g,
        },
    };
    let mut working_well = Vec::new();
    for a in &scorecard {
        let full = |c: &CheckResult| {
            let mut text = c.label.clone();
            if c.label.contains("other checks") {
                text.push_str(&format!(" ({})", c.rules.join(", ")));
            }
            text
        };
        if a.total > 0 && a.passed == a.total {
            let list: Vec<String> = a.checks.iter().map(full).collect();
            working_well.push(WorkingWell {
                area: a.area,
                text: format!(
                    "{}: all {} checks pass: {}",
                    a.name,
                    a.total,
                    list.join("; ")
                ),
            });
            continue;
        }
        for c in a
            .checks
            .iter()
            .filter(|c| c.total > 0 && c.passed == c.total)
        {
            working_well.push(WorkingWell {
                area: a.area,
                text: format!("{}: {}", a.name, full(c)),
            });
        }
    }

    let score = readiness(diags);
    let critical_warnings: usize = groups
        .iter()
        .filter(|g| must(g))
        .flat_map(|g| &g.items)
        .filter(|(d, _)| d.severity == Severity::Warning)
        .count();
    let status = if counts.error > 0 {
        Status {
            level: "not-ready",
            line: format!(
                "Not production ready: {} must be fixed before launch",
                plural(counts.error, "error")
            ),
        }
    } else if critical_warnings > 0 {
        Status {
            level: "ready-with-caveats",
            line: format!(
                "Ready with caveats: no errors, {} to fix before launch",
                plural(critical_warnings, "security warning")
            ),
        }
    } else {
        Status {
            level: "ready",
            line: "Production ready: no errors and no security warnings".into(),
        }
    };

    Report {
        project: project_name(project, options),
        status,
        score,
        counts,
        must_fix_effort,
        top_issues,
        scorecard,
        overall,
        working_well,
        checklist,
        findings,
    }
}

struct Group<'a> {
    rule: &'static str,
    severity: Severity,
    area: Area,
    items: Vec<(&'a Diagnostic, &'a Finding)>,
}

fn plural(n: usize, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}

fn fix_text(d: &Diagnostic) -> String {
    d.fixes
        .first()
        .map(|f| f.title.clone())
        .or_else(|| d.help.clone())
        .unwrap_or_else(|| d.message.clone())
}

/// The first paragraph of a rule's "Why it matters", on one line.
pub fn why_it_matters(rule: &Rule) -> String {
    let doc = rule.documentation();
    let Some(body) = doc.split("## Why it matters").nth(1) else {
        return String::new();
    };
    body.trim_start()
        .split("\n\n")
        .next()
        .unwrap_or("")
        .split("\n## ")
        .next()
        .unwrap_or("")
        .replace('\n', " ")
        .trim()
        .to_string()
}

/// Minutes of an effort estimate: "15 min", "1 hour", "2-4 hours".
pub fn effort_minutes(effort: &str) -> Option<(u32, u32)> {
    let (num, unit) = effort.trim().split_once(' ')?;
    let scale = match unit.trim() {
        "min" | "mins" | "minutes" => 1,
        "hour" | "hours" => 60,
        "day" | "days" => 480,
        _ => return None,
    };
    let (lo, hi) = match num.split_once('-') {
        Some((a, b)) => (a.parse::<u32>().ok()?, b.parse::<u32>().ok()?),
        None => {
            let n = num.parse::<u32>().ok()?;
            (n, n)
        }
    };
    Some((lo.saturating_mul(scale), hi.saturating_mul(scale)))
}

fn total_effort(items: &[ChecklistItem]) -> Option<String> {
    if items.is_empty() {
        return None;
    }
    let (mut lo, mut hi) = (0u32, 0u32);
    for i in items {
        let (a, b) = effort_minutes(i.effort)?;
        let n = i.count as u32;
        lo = lo.saturating_add(a.saturating_mul(n));
        hi = hi.saturating_add(b.saturating_mul(n));
    }
    Some(format_minutes(lo, hi))
}

fn format_minutes(lo: u32, hi: u32) -> String {
    if hi < 60 {
        return if lo == hi {
            format!("{hi} min")
        } else {
            format!("{lo}-{hi} min")
        };
    }
    // Whole hours: the low end rounded down, the high end rounded up.
    let l = (lo / 60).max(1);
    let h = hi.div_ceil(60);
    if l == h {
        format!("about {h} hour{}", if h == 1 { "" } else { "s" })
    } else {
        format!("{l}-{h} hours")
    }
}

fn percent(passed: usize, total: usize) -> Option<u32> {
    (total > 0).then(|| (passed * 100 / total) as u32)
}

fn grade(percent: Option<u32>) -> &'static str {
    match percent {
        None => "n/a",
        Some(p) if p >= 90 => "A",
        Some(p) if p >= 80 => "B",
        Some(p) if p >= 70 => "C",
        Some(p) if p >= 60 => "D",
        Some(_) => "F",
    }
}

fn project_name(project: &Project, options: &ReportOptions) -> String {
    let from_config = project
        .files
        .iter()
        .find(|f| f.kind == FileKind::SupabaseConfig)
        .and_then(|f| f.text.parse::<toml::Table>().ok())
        .and_then(|t| t.get("project_id")?.as_str().map(str::to_string))
        .filter(|s| !s.trim().is_empty());
    from_config
        .or_else(|| options.name.clone())
        .unwrap_or_else(|| "Supabase project".into())
}

/// 1-based lines of the project's files, built on first use.
struct Lines<'a> {
    project: &'a Project,
    index: std::cell::RefCell<HashMap<String, LineIndex>>,
}

impl<'a> Lines<'a> {
    fn new(project: &'a Project) -> Self {
        Lines {
            project,
            index: Default::default(),
        }
    }
    fn at(&self, path: &str, offset: u32) -> (u32, u32) {
        let Some(file) = self.project.file(path) else {
            return (1, 1);
        };
        let mut index = self.index.borrow_mut();
        let idx = index
            .entry(path.to_string())
            .or_insert_with(|| LineIndex::new(&file.text));
        let offset = offset.min(file.text.len() as u32);
        let lc = idx.line_col(offset, &file.text);
        (lc.line, lc.column)
    }
}

// ---------------------------------------------------------------------------
// The scorecard.

/// What a check counts, and so which findings fail the same object.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Subject {
    /// The relation whose statements hold the finding.
    Relation,
    /// The function whose statements hold the finding.
    Function,
    /// The finding's file.
    File,
    /// The finding itself (its file and offset).
    Location,
}

struct CheckSpec {
    area: Area,
    rules: &'static [&'static str],
    total: usize,
    subject: Subject,
    label: fn(usize, usize) -> String,
}

fn exposed(analysis: &Analysis, schema: &str) -> bool {
    analysis.exposed_schemas.iter().any(|s| s == schema)
}

/// Whether the API roles can reach a relation (the rules' `api_reachable`).
fn api_reachable(analysis: &Analysis, rel: &Relation) -> bool {
    exposed(analysis, &rel.schema)
        && ["anon", "authenticated", "public"]
            .iter()
            .any(|r| rel.grants.get(*r).is_some_and(|p| !p.is_empty()))
}

fn specs(project: &Project, analysis: &Analysis) -> Vec<CheckSpec> {
    let model = &analysis.model;
    let tables: Vec<&crate::model::Relation> = model
        .project_relations()
        .filter(|r| r.kind == RelKind::Table)
        .collect();
    let exposed_tables: Vec<&crate::model::Relation> = tables
        .iter()
        .copied()
        .filter(|r| api_reachable(analysis, r))
        .collect();
    let files =
        |pred: fn(&FileKind) -> bool| project.files.iter().filter(|f| pred(&f.kind)).count();
    let clients = files(|k| *k == FileKind::Client);
    let migrations =
        files(|k| matches!(k, FileKind::Migration { .. } | FileKind::MalformedMigration));
    use Area::*;
    use Subject::*;
    vec![
        CheckSpec {
            area: RlsPolicies,
            rules: &[
                "rls-disabled",
                "sensitive-columns-exposed",
                "policy-exists-rls-disabled",
            ],
            total: exposed_tables.len(),
            subject: Relation,
            label: |p, t| format!("RLS on {p} of {t} exposed tables"),
        },
        CheckSpec {
            area: RlsPolicies,
            rules: &[
                "rls-enabled-no-policy",
                "policy-always-true",
                "policy-uses-user-metadata",
                "missing-command-policy",
                "policy-service-role-check",
                "policy-auth-role-deprecated",
            ],
            total: exposed_tables.iter().filter(|r| r.rls_enabled).count(),
            subject: Relation,
            label: |p, t| format!("sound policies on {p} of {t} tables with RLS"),
        },
        CheckSpec {
            area: RlsPolicies,
            rules: &[
                "public-bucket-listing",
                "storage-bucket-unbounded",
                "storage-policy-unscoped",
            ],
            total: model
                .buckets
                .iter()
                .filter(|b| !b.origin.is_platform())
                .count(),
            subject: Location,
            label: |p, t| format!("{p} of {t} storage buckets scoped and bounded"),
        },
        CheckSpec {
            area: FunctionsGrants,
            rules: &["function-search-path-mutable"],
            total: model
                .project_functions()
                .filter(|f| matches!(f.language.as_deref(), Some("sql" | "plpgsql") | None))
                .count(),
            subject: Function,
            label: |p, t| format!("{p} of {t} functions pin search_path"),
        },
        CheckSpec {
            area: FunctionsGrants,
            rules: &["security-definer-exposed"],
            total: model
                .project_functions()
                .filter(|f| f.security_definer)
                .count(),
            subject: Function,
            label: |p, t| format!("{p} of {t} SECURITY DEFINER functions closed to the API roles"),
        },
        CheckSpec {
            area: FunctionsGrants,
            rules: &[
                "security-definer-view",
                "auth-users-exposed",
                "materialized-view-in-api",
                "foreign-table-in-api",
            ],
            total: model
                .project_relations()
                .filter(|r| r.kind != RelKind::Table && exposed(analysis, &r.schema))
                .count(),
            subject: Relation,
            label: |p, t| format!("{p} of {t} views in exposed schemas safe for the API"),
        },
        CheckSpec {
            area: FunctionsGrants,
            rules: &["extension-in-public"],
            total: model
                .extensions
                .values()
                .filter(|e| !e.origin.is_platform())
                .count(),
            subject: Location,
            label: |p, t| format!("{p} of {t} extensions installed outside public"),
        },
        CheckSpec {
            area: SecretsKeys,
            rules: &["secret-in-env-example", "public-env-service-key"],
            total: files(|k| *k == FileKind::Env),
            subject: File,
            label: |p, t| format!("env files without real or public service keys: {p} of {t}"),
        },
        CheckSpec {
            area: SecretsKeys,
            rules: &[
                "service-role-in-client",
                "server-module-in-client",
                "service-role-unscoped-query",
            ],
            total: clients,
            subject: File,
            label: |p, t| {
                format!("{p} of {t} client modules keep the service-role key server-side")
            },
        },
        CheckSpec {
            area: InputIntegrity,
            rules: &[
                "missing-foreign-key",
                "array-of-references",
                "auth-fk-no-cascade",
                "inconsistent-on-delete",
                "enum-like-text-unchecked",
                "email-unchecked",
                "unbounded-text",
                "timestamp-without-time-zone",
                "updated-at-no-trigger",
            ],
            total: tables.len(),
            subject: Relation,
            label: |p, t| format!("{p} of {t} tables pass the integrity checks"),
        },
        CheckSpec {
            area: InputIntegrity,
            rules: &["raw-sql-interpolation", "unsanitized-html"],
            total: clients,
            subject: File,
            label: |p, t| format!("{p} of {t} client modules free of SQL and HTML injection"),
        },
        CheckSpec {
            area: Performance,
            rules: &["unindexed-foreign-key"],
            total: tables.iter().map(|r| r.foreign_keys.len()).sum(),
            subject: Location,
            label: |p, t| format!("foreign keys indexed: {p} of {t}"),
        },
        CheckSpec {
            area: Performance,
            rules: &[
                "auth-rls-initplan",
                "rls-subquery-in",
                "policy-column-unindexed",
            ],
            total: model
                .relations
                .values()
                .flat_map(|r| &r.policies)
                .filter(|p| !p.origin.is_platform())
                .count(),
            subject: Location,
            label: |p, t| format!("{p} of {t} policies evaluate efficiently"),
        },
        CheckSpec {
            area: Performance,
            rules: &["no-primary-key"],
            total: tables.len(),
            subject: Relation,
            label: |p, t| format!("{p} of {t} tables have a primary key"),
        },
        CheckSpec {
            area: Performance,
            rules: &[
                "duplicate-index",
                "ivfflat-fixed-lists",
                "index-predicate-not-immutable",
            ],
            total: model
                .project_relations()
                .flat_map(|r| &r.indexes)
                .filter(|i| !i.from_constraint && !i.origin.is_platform())
                .count(),
            subject: Location,
            label: |p, t| format!("{p} of {t} indexes distinct and sound"),
        },
        CheckSpec {
            area: Migrations,
            rules: &["migration-order"],
            total: migrations,
            subject: File,
            label: |p, t| format!("{p} of {t} migration files apply in order"),
        },
        CheckSpec {
            area: Migrations,
            rules: &[
                "destructive-change",
                "add-not-null-without-default",
                "column-type-change",
                "index-without-concurrently",
                "constraint-not-valid",
            ],
            total: migrations,
            subject: File,
            label: |p, t| format!("{p} of {t} migrations safe to deploy on live data"),
        },
        CheckSpec {
            area: Migrations,
            rules: &["missing-rollback"],
            total: migrations,
            subject: File,
            label: |p, t| format!("{p} of {t} migrations have a down script"),
        },
        CheckSpec {
            area: Migrations,
            rules: &["syntax-error", "unparsed-statement"],
            total: files(|k| k.is_sql()),
            subject: File,
            label: |p, t| format!("{p} of {t} SQL files read completely"),
        },
        CheckSpec {
            area: ClientCode,
            rules: &[
                "client-unknown-table",
                "client-unknown-column",
                "client-unknown-function",
                "client-type-mismatch",
                "column-renamed-in-use",
            ],
            total: clients,
            subject: File,
            label: |p, t| format!("{p} of {t} client modules match the schema"),
        },
        CheckSpec {
            area: ClientCode,
            rules: &[
                "unchecked-error",
                "read-modify-write",
                "non-atomic-writes",
                "silent-stub-client",
            ],
            total: clients,
            subject: File,
            label: |p, t| format!("{p} of {t} client modules handle errors and writes safely"),
        },
    ]
}

/// Maps a finding to the model object whose statements hold it.
struct Subjects {
    files: HashMap<String, u32>,
    /// (file index, statement span, subject key).
    relations: Vec<(u32, Span, String)>,
    functions: Vec<(u32, Span, String)>,
}

impl Subjects {
    fn new(project: &Project, model: &Model) -> Self {
        let files = project
            .files
            .iter()
            .enumerate()
            .map(|(i, f)| (f.path.clone(), i as u32))
            .collect();
        let mut relations = Vec::new();
        let mut add = |o: &Origin, key: &str| {
            if !o.is_platform() {
                relations.push((o.file.0, o.stmt, key.to_string()));
            }
        };
        for r in model.relations.values() {
            let key = r.display_name();
            for o in [
                Some(&r.origin),
                Some(&r.last_changed),
                r.rls_origin.as_ref(),
            ]
            .into_iter()
            .flatten()
            {
                add(o, &key);
            }
            for c in &r.columns {
                add(&c.origin, &key);
            }
            for p in &r.policies {
                add(&p.origin, &key);
            }
            for fk in &r.foreign_keys {
                add(&fk.origin, &key);
            }
            for c in &r.checks {
                add(&c.origin, &key);
            }
            for i in &r.indexes {
                add(&i.origin, &key);
            }
            for t in &r.triggers {
                add(&t.origin, &key);
            }
        }
        let mut functions = Vec::new();
        for f in model.project_functions() {
            for o in [&f.origin, &f.last_changed] {
                functions.push((o.file.0, o.stmt, f.display_name()));
            }
        }
        Subjects {
            files,
            relations,
            functions,
        }
    }

    fn key(&self, subject: Subject, d: &Diagnostic) -> String {
        let location = || format!("{}@{}", d.file, d.range.start);
        let find = |list: &[(u32, Span, String)]| {
            let file = *self.files.get(&d.file)?;
            list.iter()
                .filter(|(f, s, _)| {
                    *f == file && s.start <= d.range.start && d.range.start <= s.end
                })
                // The innermost statement: a DO block holds several.
                .min_by_key(|(_, s, _)| s.len())
                .map(|(_, _, k)| k.clone())
        };
        match subject {
            Subject::File => d.file.clone(),
            Subject::Location => location(),
            Subject::Relation => find(&self.relations).unwrap_or_else(location),
            Subject::Function => find(&self.functions).unwrap_or_else(location),
        }
    }
}

fn scorecard(project: &Project, analysis: &Analysis, settings: &Settings) -> Vec<AreaScore> {
    let enabled = |name: &str| rules::by_name(name).is_some_and(|r| settings.enabled(r));
    let subjects = Subjects::new(project, &analysis.model);
    let specs: Vec<CheckSpec> = specs(project, analysis)
        .into_iter()
        .filter(|s| s.total > 0 && s.rules.iter().any(|r| enabled(r)))
        .collect();
    let counted: BTreeSet<&str> = specs.iter().flat_map(|s| s.rules.iter().copied()).collect();
    let mut out = Vec::new();
    for area in Area::ALL {
        let mut checks = Vec::new();
        for s in specs.iter().filter(|s| s.area == area) {
            let failed: BTreeSet<String> = analysis
                .diagnostics
                .iter()
                .filter(|d| s.rules.contains(&d.rule))
                .map(|d| subjects.key(s.subject, d))
                .collect();
            let passed = s.total - failed.len().min(s.total);
            checks.push(CheckResult {
                label: (s.label)(passed, s.total),
                passed,
                total: s.total,
                rules: s.rules.iter().copied().filter(|r| enabled(r)).collect(),
            });
        }
        // The area's other rules, one check each.
        let others: Vec<&'static str> = rules::ALL
            .iter()
            .filter(|r| area_of(r.name, r.category) == area)
            .filter(|r| settings.enabled(r) && !counted.contains(r.name))
            .map(|r| r.name)
            .collect();
        if !others.is_empty() {
            let failing: Vec<&str> = others
                .iter()
                .copied()
                .filter(|r| analysis.diagnostics.iter().any(|d| d.rule == *r))
                .collect();
            let total = others.len();
            let passed = total - failing.len();
            let mut label = format!("{passed} of {total} other checks pass");
            if !failing.is_empty() {
                label.push_str(&format!(" (failing: {})", failing.join(", ")));
            }
            checks.push(CheckResult {
                label,
                passed,
                total,
                rules: others,
            });
        }
        let (passed, total) = checks
            .iter()
            .fold((0, 0), |(p, t), c| (p + c.passed, t + c.total));
        let mut findings = Counts::default();
        for d in &analysis.diagnostics {
            if rule_area(d.rule) == area {
                findings.add(d.severity);
            }
        }
        let pct = percent(passed, total);
        let mut status = match pct {
            None => "Not measured",
            Some(p) if p >= 95 => "Excellent",
            Some(p) if p >= 80 => "Good",
            Some(p) if p >= 60 => "Needs work",
            Some(_) => "At risk",
        };
        if findings.error > 0 && matches!(status, "Excellent" | "Good") {
            status = "Needs work";
        }
        out.push(AreaScore {
            area,
            name: area.name(),
            passed,
            total,
            percent: pct,
            status,
            checks,
            findings,
        });
    }
    out
}

// ---------------------------------------------------------------------------
// Renderers.

fn severity_title(s: Severity) -> &'static str {
    match s {
        Severity::Error => "Errors",
        Severity::Warning => "Warnings",
        Severity::Info => "Info",
    }
}

fn status_icon(status: &str) -> &'static str {
    match status {
        "Excellent" => "✅",
        "Good" => "🟢",
        "Needs work" => "⚠️",
        "At risk" => "❌",
        _ => "➖",
    }
}

fn level_icon(level: &str) -> &'static str {
    match level {
        "ready" => "🟢",
        "ready-with-caveats" => "🟡",
        _ => "🔴",
    }
}

fn pct_text(p: Option<u32>) -> String {
    p.map_or_else(|| "n/a".into(), |p| format!("{p}%"))
}

/// A table cell: one line, `|` escaped.
fn cell(s: &str) -> String {
    s.replace('\n', " ").replace('|', "\\|")
}

/// The Markdown report (GitHub-flavoured: tables and task lists).
pub fn markdown(r: &Report) -> String {
    use std::fmt::Write;
    let mut s = String::new();
    let _ = writeln!(s, "# Supabase audit report: {}\n", r.project);
    s.push_str("Generated by supaudit from the project's migrations, client code, config and env files; no database was contacted.\n\n");

    s.push_str("## Executive summary\n\n");
    let _ = writeln!(
        s,
        "**Status:** {} **{}**\n",
        level_icon(r.status.level),
        r.status.line
    );
    let _ = writeln!(
        s,
        "**Production readiness score: {:.1}/10**\n",
        r.score.value
    );
    s.push_str("| Severity | Findings |\n|---|---:|\n");
    let _ = writeln!(s, "| Error | {} |", r.counts.error);
    let _ = writeln!(s, "| Warning | {} |", r.counts.warning);
    let _ = writeln!(s, "| Info | {} |", r.counts.info);
    let _ = writeln!(s, "| **Total** | **{}** |\n", r.counts.total);
    if let Some(e) = &r.must_fix_effort {
        let _ = writeln!(s, "**Estimated effort for the must-fix list:** {e}\n");
    }
    let _ = writeln!(
        s,
        "Scorecard overall: {} of {} checks pass ({}, grade {}).\n",
        r.overall.passed,
        r.overall.total,
        pct_text(r.overall.percent),
        r.overall.grade
    );

    let _ = writeln!(s, "## Top {} critical issues\n", r.top_issues.len());
    if r.top_issues.is_empty() {
        s.push_str("No errors and no security warnings.\n\n");
    }
    for (i, t) in r.top_issues.iter().enumerate() {
        let _ = writeln!(
            s,
            "### {}. ❌ {} ({})\n",
            i + 1,
            t.message,
            t.severity.as_str().to_uppercase()
        );
        let more = if t.more > 0 {
            format!(" and {} more", t.more)
        } else {
            String::new()
        };
        let _ = writeln!(s, "- **Rule:** [`{}`]({})", t.rule, t.doc);
        let _ = writeln!(s, "- **Where:** `{}`{more}", t.location);
        let _ = writeln!(s, "- **Why it matters:** {}", t.why);
        let _ = writeln!(s, "- **Fix:** {}", t.fix);
        let _ = writeln!(s, "- **Fix time:** {}\n", t.effort);
    }

    s.push_str("## Security scorecard\n\n");
    s.push_str("| Area | Score | Status | Checks |\n|---|---:|---|---|\n");
    for a in &r.scorecard {
        let checks: Vec<String> = a.checks.iter().map(|c| cell(&c.label)).collect();
        let _ = writeln!(
            s,
            "| {} | {} | {} {} | {} |",
            a.name,
            pct_text(a.percent),
            status_icon(a.status),
            a.status,
            if checks.is_empty() {
                "no checks ran".into()
            } else {
                checks.join("<br>")
            }
        );
    }
    let _ = writeln!(
        s,
        "| **Overall** | **{}** | **{}** | {} of {} checks pass |\n",
        pct_text(r.overall.percent),
        r.overall.grade,
        r.overall.passed,
        r.overall.total
    );

    s.push_str("## What's working well\n\n");
    if r.working_well.is_empty() {
        s.push_str("No check passes completely yet.\n");
    }
    for w in &r.working_well {
        let _ = writeln!(s, "- ✅ {}", w.text);
    }
    s.push('\n');

    s.push_str("## Before launch\n\n");
    for (title, items) in [
        ("Must fix", &r.checklist.must_fix),
        ("Should fix", &r.checklist.should_fix),
    ] {
        let _ = writeln!(s, "### {title}\n");
        if items.is_empty() {
            s.push_str("Nothing.\n\n");
            continue;
        }
        for i in items.iter() {
            let _ = writeln!(s, "- [ ] {}", checklist_line(i));
        }
        s.push('\n');
    }

    let _ = writeln!(s, "## All findings ({})\n", r.findings.len());
    if r.findings.is_empty() {
        s.push_str("No findings.\n");
    }
    for sev in [Severity::Error, Severity::Warning, Severity::Info] {
        let list: Vec<&Finding> = r.findings.iter().filter(|f| f.severity == sev).collect();
        if list.is_empty() {
            continue;
        }
        let _ = writeln!(s, "### {} ({})\n", severity_title(sev), list.len());
        s.push_str("| Rule | Where | Finding |\n|---|---|---|\n");
        for f in list {
            let _ = writeln!(
                s,
                "| [{}]({}) | `{}` | {} |",
                f.rule,
                f.doc,
                cell(&f.location()),
                cell(&f.message)
            );
        }
        s.push('\n');
    }
    s.truncate(s.trim_end().len());
    s.push('\n');
    s
}

fn checklist_line(i: &ChecklistItem) -> String {
    let mut locs: Vec<String> = i.locations.iter().map(|l| format!("`{l}`")).collect();
    if i.count > i.locations.len() {
        locs.push(format!("and {} more", i.count - i.locations.len()));
    }
    let effort = if i.count > 1 {
        format!("{} findings, {} each", i.count, i.effort)
    } else {
        i.effort.to_string()
    };
    let rule = format!("[`{}`]({})", i.rule, i.doc);
    format!(
        "{} ({effort}) — {rule} {}: {}",
        capitalize(&i.title),
        i.severity,
        locs.join(", ")
    )
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// Escapes text for HTML.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Escapes text for HTML, with Markdown `code` spans as `<code>`.
fn code_spans(s: &str) -> String {
    if !s.matches('`').count().is_multiple_of(2) {
        return esc(s);
    }
    s.split('`')
        .enumerate()
        .map(|(i, part)| {
            if i % 2 == 1 {
                format!("<code>{}</code>", esc(part))
            } else {
                esc(part)
            }
        })
        .collect()
}

const CSS: &str = r#"
:root { --err: #c62828; --warn: #ef8f00; --info: #1565c0; --ok: #2e7d32; --fg: #1d1d1f; --muted: #5f6368; --line: #d9dce1; }
* { box-sizing: border-box; }
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; color: var(--fg); max-width: 1040px; margin: 2rem auto; padding: 0 1.25rem; }
h1 { font-size: 1.7rem; margin-bottom: .2rem; }
h2 { border-bottom: 2px solid var(--line); padding-bottom: .25rem; margin-top: 2.2rem; }
code { font: 13px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; background: #f3f4f6; padding: 0 .25em; border-radius: 3px; overflow-wrap: anywhere; }
.muted { color: var(--muted); }
.summary { display: flex; flex-wrap: wrap; gap: 1rem; align-items: stretch; }
.card { border: 1px solid var(--line); border-radius: 8px; padding: .8rem 1.1rem; }
.score { font-size: 2.4rem; font-weight: 700; }
.status { font-weight: 700; font-size: 1.1rem; }
.status.not-ready { color: var(--err); } .status.ready-with-caveats { color: var(--warn); } .status.ready { color: var(--ok); }
table { border-collapse: collapse; width: 100%; margin: .6rem 0 1rem; }
th, td { border: 1px solid var(--line); padding: .35rem .55rem; text-align: left; vertical-align: top; }
th { background: #f5f6f8; }
td.num { text-align: right; }
.sev { display: inline-block; min-width: 4.6em; text-align: center; border-radius: 4px; color: #fff; font-size: 12px; padding: 0 .3em; }
.sev.error { background: var(--err); } .sev.warning { background: var(--warn); } .sev.info { background: var(--info); }
.issue { border-left: 4px solid var(--err); padding: .2rem 1rem; margin: 1rem 0; background: #fdf6f6; }
.issue.warning { border-color: var(--warn); background: #fffaf0; }
.dot { display: inline-block; width: .7em; height: .7em; border-radius: 50%; margin-right: .4em; background: #9aa0a6; }
.dot.excellent { background: var(--ok); } .dot.good { background: #7cb342; } .dot.needs-work { background: var(--warn); } .dot.at-risk { background: var(--err); }
dl { display: grid; grid-template-columns: 9em 1fr; gap: .2rem .8rem; }
dt { font-weight: 600; } dd { margin: 0; }
ul.checklist { list-style: none; padding-left: .2rem; }
ul.checklist li::before { content: "\2610"; margin-right: .5rem; }
ul.good li::marker { content: "\2714  "; color: var(--ok); }
svg text { font: 12px system-ui, sans-serif; fill: var(--fg); }
@media print {
  body { margin: 0; max-width: none; font-size: 11pt; }
  h2 { break-after: avoid; }
  .issue, tr, .card, svg { break-inside: avoid; }
  a { color: inherit; text-decoration: none; }
  .sev, .issue, th, .dot, svg rect { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
"#;

/// The HTML report: one self-contained file (inline CSS and SVG, no scripts,
/// no external references).
pub fn html(r: &Report) -> String {
    use std::fmt::Write;
    let mut s = String::new();
    s.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    s.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    let _ = writeln!(
        s,
        "<title>Supabase audit report: {}</title>",
        esc(&r.project)
    );
    let _ = writeln!(s, "<style>{CSS}</style>\n</head>\n<body>");
    let _ = writeln!(
        s,
        "<h1>Supabase audit report: {}</h1>\n<p class=\"muted\">Generated by supaudit from the project's migrations, client code, config and env files; no database was contacted.</p>",
        esc(&r.project)
    );

    // Executive summary.
    s.push_str("<section id=\"summary\">\n<h2>Executive summary</h2>\n<div class=\"summary\">\n");
    let _ = writeln!(
        s,
        "<div class=\"card\"><div class=\"muted\">Production readiness</div><div class=\"score\">{:.1}<span class=\"muted\">/10</span></div></div>",
        r.score.value
    );
    let _ = writeln!(
        s,
        "<div class=\"card\"><div class=\"status {}\">{}</div><table><tr><th>Errors</th><th>Warnings</th><th>Info</th><th>Total</th></tr><tr><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr></table>",
        r.status.level,
        esc(&r.status.line),
        r.counts.error,
        r.counts.warning,
        r.counts.info,
        r.counts.total
    );
    if let Some(e) = &r.must_fix_effort {
        let _ = writeln!(
            s,
            "<div>Estimated effort for the must-fix list: <strong>{}</strong></div>",
            esc(e)
        );
    }
    let _ = writeln!(
        s,
        "<div>Scorecard overall: {} of {} checks pass ({}, grade {})</div></div>\n</div>",
        r.overall.passed,
        r.overall.total,
        pct_text(r.overall.percent),
        r.overall.grade
    );
    s.push_str(&chart(r));
    s.push_str("</section>\n");

    // Top issues.
    let _ = writeln!(
        s,
        "<section id=\"top-issues\">\n<h2>Top {} critical issues</h2>",
        r.top_issues.len()
    );
    if r.top_issues.is_empty() {
        s.push_str("<p>No errors and no security warnings.</p>\n");
    }
    for (i, t) in r.top_issues.iter().enumerate() {
        let more = if t.more > 0 {
            format!(" and {} more", t.more)
        } else {
            String::new()
        };
        let _ = writeln!(
            s,
            "<div class=\"issue {}\"><h3>{}. {} <span class=\"sev {}\">{}</span></h3><dl>\
             <dt>Rule</dt><dd><a href=\"{}\"><code>{}</code></a></dd>\
             <dt>Where</dt><dd><code>{}</code>{}</dd>\
             <dt>Why it matters</dt><dd>{}</dd>\
             <dt>Fix</dt><dd>{}</dd>\
             <dt>Fix time</dt><dd>{}</dd></dl></div>",
            t.severity,
            i + 1,
            code_spans(&t.message),
            t.severity,
            t.severity,
            esc(&t.doc),
            t.rule,
            esc(&t.location),
            more,
            code_spans(&t.why),
            code_spans(&t.fix),
            esc(t.effort)
        );
    }
    s.push_str("</section>\n");

    // Scorecard.
    s.push_str("<section id=\"scorecard\">\n<h2>Security scorecard</h2>\n<table>\n<tr><th>Area</th><th>Score</th><th>Status</th><th>Checks</th></tr>\n");
    for a in &r.scorecard {
        let checks: Vec<String> = a.checks.iter().map(|c| esc(&c.label)).collect();
        let _ = writeln!(
            s,
            "<tr><td>{}</td><td class=\"num\">{}</td><td><span class=\"dot {}\"></span>{}</td><td>{}</td></tr>",
            esc(a.name),
            pct_text(a.percent),
            a.status.to_lowercase().replace(' ', "-"),
            a.status,
            if checks.is_empty() {
                "no checks ran".into()
            } else {
                checks.join("<br>")
            }
        );
    }
    let _ = writeln!(
        s,
        "<tr><th>Overall</th><th class=\"num\">{}</th><th>{}</th><th>{} of {} checks pass</th></tr>\n</table>\n</section>",
        pct_text(r.overall.percent),
        r.overall.grade,
        r.overall.passed,
        r.overall.total
    );

    // Working well.
    s.push_str("<section id=\"working-well\">\n<h2>What's working well</h2>\n");
    if r.working_well.is_empty() {
        s.push_str("<p>No check passes completely yet.</p>\n");
    } else {
        s.push_str("<ul class=\"good\">\n");
        for w in &r.working_well {
            let _ = writeln!(s, "<li>{}</li>", code_spans(&w.text));
        }
        s.push_str("</ul>\n");
    }
    s.push_str("</section>\n");

    // Checklist.
    s.push_str("<section id=\"checklist\">\n<h2>Before launch</h2>\n");
    for (title, items) in [
        ("Must fix", &r.checklist.must_fix),
        ("Should fix", &r.checklist.should_fix),
    ] {
        let _ = writeln!(s, "<h3>{title}</h3>");
        if items.is_empty() {
            s.push_str("<p>Nothing.</p>\n");
            continue;
        }
        s.push_str("<ul class=\"checklist\">\n");
        for i in items.iter() {
            let mut locs: Vec<String> = i
                .locations
                .iter()
                .map(|l| format!("<code>{}</code>", esc(l)))
                .collect();
            if i.count > i.locations.len() {
                locs.push(format!("and {} more", i.count - i.locations.len()));
            }
            let effort = if i.count > 1 {
                format!("{} findings, {} each", i.count, i.effort)
            } else {
                i.effort.to_string()
            };
            let _ = writeln!(
                s,
                "<li><strong>{}</strong> ({}) — <a href=\"{}\"><code>{}</code></a> <span class=\"sev {}\">{}</span> {}</li>",
                code_spans(&capitalize(&i.title)),
                esc(&effort),
                esc(&i.doc),
                i.rule,
                i.severity,
                i.severity,
                locs.join(", ")
            );
        }
        s.push_str("</ul>\n");
    }
    s.push_str("</section>\n");

    // Findings.
    let _ = writeln!(
        s,
        "<section id=\"findings\">\n<h2>All findings ({})</h2>",
        r.findings.len()
    );
    if r.findings.is_empty() {
        s.push_str("<p>No findings.</p>\n");
    }
    for sev in [Severity::Error, Severity::Warning, Severity::Info] {
        let list: Vec<&Finding> = r.findings.iter().filter(|f| f.severity == sev).collect();
        if list.is_empty() {
            continue;
        }
        let _ = writeln!(
            s,
            "<h3>{} ({})</h3>\n<table>\n<tr><th>Rule</th><th>Where</th><th>Finding</th></tr>",
            severity_title(sev),
            list.len()
        );
        for f in list {
            let _ = writeln!(
                s,
                "<tr><td><a href=\"{}\">{}</a></td><td><code>{}</code></td><td>{}</td></tr>",
                esc(&f.doc),
                f.rule,
                esc(&f.location()),
                code_spans(&f.message)
            );
        }
        s.push_str("</table>\n");
    }
    s.push_str("</section>\n</body>\n</html>\n");
    s
}

/// Inline SVG: findings by area, stacked by severity.
fn chart(r: &Report) -> String {
    use std::fmt::Write;
    const LABEL: u32 = 210;
    const BAR: u32 = 380;
    const ROW: u32 = 26;
    let max = r
        .scorecard
        .iter()
        .map(|a| a.findings.total)
        .max()
        .unwrap_or(0)
        .max(1);
    let height = ROW * r.scorecard.len() as u32 + 40;
    let width = LABEL + BAR + 60;
    let mut s = String::new();
    let _ = writeln!(
        s,
        "<figure><svg role=\"img\" aria-label=\"Findings by area and severity\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\">"
    );
    for (i, a) in r.scorecard.iter().enumerate() {
        let y = 6 + ROW * i as u32;
        let _ = writeln!(s, "<text x=\"0\" y=\"{}\">{}</text>", y + 14, esc(a.name));
        let mut x = LABEL;
        for (n, color) in [
            (a.findings.error, "#c62828"),
            (a.findings.warning, "#ef8f00"),
            (a.findings.info, "#1565c0"),
        ] {
            if n == 0 {
                continue;
            }
            let w = ((n as u32 * BAR) / max as u32).max(2);
            let _ = writeln!(
                s,
                "<rect x=\"{x}\" y=\"{y}\" width=\"{w}\" height=\"18\" fill=\"{color}\"><title>{n}</title></rect>"
            );
            x += w;
        }
        let _ = writeln!(
            s,
            "<text x=\"{}\" y=\"{}\">{}</text>",
            x + 6,
            y + 14,
            a.findings.total
        );
    }
    let y = ROW * r.scorecard.len() as u32 + 18;
    let mut x = LABEL;
    for (name, color) in [
        ("error", "#c62828"),
        ("warning", "#ef8f00"),
        ("info", "#1565c0"),
    ] {
        let _ = writeln!(
            s,
            "<rect x=\"{x}\" y=\"{}\" width=\"12\" height=\"12\" fill=\"{color}\"></rect><text x=\"{}\" y=\"{}\">{name}</text>",
            y,
            x + 16,
            y + 11
        );
        x += 90;
    }
    s.push_str(
        "</svg><figcaption class=\"muted\">Findings by area and severity</figcaption></figure>\n",
    );
    s
}

/// The JSON report: the [`Report`] through serde.
pub fn json(r: &Report) -> String {
    serde_json::to_string_pretty(r).unwrap_or_else(|_| "{}".into()) + "\n"
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::Span;

    fn diag(rule: &'static str, severity: Severity, at: u32) -> Diagnostic {
        let r = rules::by_name(rule).unwrap();
        let mut d = r.diagnostic("supabase/migrations/1_a.sql", Span::new(at, at + 1), "m");
        d.severity = severity;
        d
    }

    #[test]
    fn no_findings_score_ten() {
        assert_eq!(readiness(&[]).value, 10.0);
    }

    #[test]
    fn score_is_deterministic_and_order_free() {
        let mut ds = vec![
            diag("rls-disabled", Severity::Error, 1),
            diag("unindexed-foreign-key", Severity::Info, 2),
            diag("pooler-disabled", Severity::Warning, 3),
        ];
        let a = readiness(&ds).value;
        ds.reverse();
        assert_eq!(readiness(&ds).value, a);
        // 1.5 + 0.6 * 0.05 + 0.6 * 0.3 = 1.71 -> 10 e^-0.171 = 8.43
        assert_eq!(a, 8.4);
    }

    #[test]
    fn one_rls_error_costs_its_weights() {
        let s = readiness(&[diag("rls-disabled", Severity::Error, 1)]);
        assert_eq!(s.penalty, 1.5);
        assert_eq!(s.value, 8.6);
    }

    #[test]
    fn a_noisy_rule_is_capped() {
        let two: Vec<_> = (0..2)
            .map(|i| diag("graphql-table-exposed", Severity::Info, i))
            .collect();
        let many: Vec<_> = (0..500)
            .map(|i| diag("graphql-table-exposed", Severity::Info, i))
            .collect();
        assert_eq!(readiness(&two).penalty, readiness(&many).penalty);
        assert!(readiness(&many).value >= 9.8);
        let errors: Vec<_> = (0..500)
            .map(|i| diag("rls-disabled", Severity::Error, i))
            .collect();
        // Two RLS errors' worth: 3.0 -> 7.4, not zero.
        assert_eq!(readiness(&errors).value, 7.4);
    }

    #[test]
    fn more_severe_findings_score_lower() {
        let score = |s| readiness(&[diag("rls-disabled", s, 1)]);
        let (e, w, i) = (
            score(Severity::Error),
            score(Severity::Warning),
            score(Severity::Info),
        );
        assert!(e.value < w.value && w.value < i.value && i.value < 10.0);
        assert!(e.penalty > w.penalty && w.penalty > i.penalty && i.penalty > 0.0);
    }

    #[test]
    fn effort_parses() {
        assert_eq!(effort_minutes("15 min"), Some((15, 15)));
        assert_eq!(effort_minutes("1 hour"), Some((60, 60)));
        assert_eq!(effort_minutes("2-4 hours"), Some((120, 240)));
        assert_eq!(format_minutes(45, 45), "45 min");
        assert_eq!(format_minutes(90, 300), "1-5 hours");
    }

    #[test]
    fn every_rule_has_a_parsable_effort_and_why() {
        for r in rules::ALL {
            assert!(
                effort_minutes(r.effort).is_some(),
                "{}: {:?}",
                r.name,
                r.effort
            );
            assert!(!why_it_matters(r).is_empty(), "{}", r.name);
        }
    }

    #[test]
    fn checks_name_real_rules_of_their_area() {
        let analysis = Analysis {
            model: Model::supabase(),
            exposed_schemas: vec!["public".into()],
            diagnostics: Vec::new(),
        };
        for s in specs(&Project::default(), &analysis) {
            for r in s.rules {
                let rule = rules::by_name(r).unwrap_or_else(|| panic!("no rule {r}"));
                assert_eq!(area_of(r, rule.category), s.area, "{r}");
            }
        }
    }
}
