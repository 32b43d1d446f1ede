//! The one entry point: `check(&Project, &Settings) -> Vec<Diagnostic>`.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

use crate::client::{self, ClientFile};
use crate::diagnostic::{Applicability, Diagnostic, Fix};
use crate::model::{FileId, Model, Replay, StmtRef};
use crate::project::{FileKind, Project, SourceFile};
use crate::rules::{self, ClientUnit, Context, SqlUnit};
use crate::settings::Settings;
use crate::sql;
use crate::suppress;
use crate::text::Span;

/// The default exposed schemas of a Supabase project.
pub const DEFAULT_EXPOSED: &[&str] = &["public", "graphql_public"];

/// What the checker derived from the project, for callers that want more than diagnostics.
pub struct Analysis {
    pub model: Model,
    pub exposed_schemas: Vec<String>,
    pub diagnostics: Vec<Diagnostic>,
}

pub fn check(project: &Project, settings: &Settings) -> Vec<Diagnostic> {
    analyze(project, settings).diagnostics
}

pub fn analyze(project: &Project, settings: &Settings) -> Analysis {
    analyze_with(project, settings, &mut ParseCache::default())
}

/// Parsed SQL files kept between analyses, keyed by path and text, so that a
/// caller that checks again after an edit (the language server) re-parses only
/// the files that changed. Parsing is most of the cost of a check.
#[derive(Default)]
pub struct ParseCache {
    /// By path: the text last parsed and its parse.
    files: HashMap<String, (String, Arc<sql::SqlFile>)>,
    clients: HashMap<String, (u64, usize, Arc<ClientFile>)>,
}

fn text_hash(text: &str) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    text.hash(&mut h);
    h.finish()
}

impl ParseCache {
    /// The parse of `text`: from the cache when `path` last had the same text,
    /// else re-parsing only the statements around what changed since (see
    /// [`sql::reparse`]).
    pub fn parse(&mut self, path: &str, text: &str) -> Arc<sql::SqlFile> {
        let parsed = match self.files.get(path) {
            Some((old_text, parsed)) if old_text == text => return parsed.clone(),
            Some((old_text, parsed)) => Arc::new(sql::reparse(parsed, old_text, text)),
            None => Arc::new(sql::parse_sql(text)),
        };
        self.files
            .insert(path.to_string(), (text.to_string(), parsed.clone()));
        parsed
    }

    /// The client IR of `text`, from the cache when `path` last had the same text.
    pub fn parse_client(&mut self, path: &str, text: &str) -> Arc<ClientFile> {
        let hash = text_hash(text);
        if let Some((hh, len, parsed)) = self.clients.get(path)
            && *hh == hash
            && *len == text.len()
        {
            return parsed.clone();
        }
        let parsed = Arc::new(client::parse_client(path, text));
        self.clients
            .insert(path.to_string(), (hash, text.len(), parsed.clone()));
        parsed
    }

    /// Forgets files that are no longer in the project.
    fn retain(&mut self, project: &Project) {
        if self.files.is_empty() && self.clients.is_empty() {
            return;
        }
        // A set, not `project.file` per entry: that is quadratic in the files.
        let paths: std::collections::HashSet<&str> =
            project.files.iter().map(|f| f.path.as_str()).collect();
        self.files.retain(|path, _| paths.contains(path.as_str()));
        self.clients.retain(|path, _| paths.contains(path.as_str()));
    }

    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }
}

/// [`analyze`], reusing the parses in `cache` for files whose text did not change.
pub fn analyze_with(project: &Project, settings: &Settings, cache: &mut ParseCache) -> Analysis {
    analyze_cancellable(project, settings, cache, &|| false)
        .expect("an analysis that cannot be cancelled completes")
}

/// [`analyze_with`] that gives up, returning `None`, as soon as `cancelled()`
/// says so: between files, every few hundred statements and between rules. The
/// language server cancels the check of a text that has since been edited.
pub fn analyze_cancellable(
    project: &Project,
    settings: &Settings,
    cache: &mut ParseCache,
    cancelled: &dyn Fn() -> bool,
) -> Option<Analysis> {
    cache.retain(project);
    let mut diags: Vec<Diagnostic> = Vec::new();

    // Exposed schemas: supaudit.toml, else supabase/config.toml, else the default.
    let mut exposed: Vec<String> = DEFAULT_EXPOSED.iter().map(|s| s.to_string()).collect();
    let mut config: Option<(FileId, toml::Table)> = None;
    for (idx, f) in project.files.iter().enumerate() {
        if f.kind == FileKind::SupabaseConfig && !settings.is_excluded(&f.path) {
            match read_config(&f.text) {
                Ok(table) => {
                    if let Some(s) = api_schemas(&table) {
                        exposed = s;
                    }
                    if config.is_none() || f.path == "supabase/config.toml" {
                        config = Some((FileId(idx as u32), table));
                    }
                }
                Err((message, span)) => {
                    diags.push(rules::syntax::syntax_error::SYNTAX_ERROR.diagnostic(
                        &f.path,
                        span,
                        format!("cannot read supabase/config.toml: {message}"),
                    ))
                }
            }
        }
    }
    if let Some(s) = &settings.exposed_schemas {
        exposed = s.clone();
    }

    // Parse SQL files, in replay order.
    let mut units: Vec<SqlUnit> = Vec::new();
    let mut ordered: Vec<(usize, &crate::project::SourceFile)> = project
        .files
        .iter()
        .enumerate()
        .filter(|(_, f)| f.kind.is_sql() && !settings.is_excluded(&f.path))
        .collect();
    ordered.sort_by_key(|(_, f)| crate::project::order_key(f));
    for (order, (idx, f)) in ordered.into_iter().enumerate() {
        if cancelled() {
            return None;
        }
        units.push(SqlUnit {
            file: FileId(idx as u32),
            order: order as u32,
            path: &f.path,
            text: &f.text,
            sql: cache.parse(&f.path, &f.text),
        });
    }

    // Read client code.
    let clients: Vec<ClientUnit> = project
        .files
        .iter()
        .enumerate()
        .filter(|(_, f)| f.kind == FileKind::Client && !settings.is_excluded(&f.path))
        .map(|(idx, f)| {
            (!cancelled()).then(|| ClientUnit {
                file: FileId(idx as u32),
                path: &f.path,
                text: &f.text,
                ir: cache.parse_client(&f.path, &f.text),
            })
        })
        .collect::<Option<_>>()?;
    let config = config.as_ref().map(|(id, t)| (*id, t));

    let enabled: Vec<&rules::Rule> = rules::ALL
        .iter()
        .copied()
        .filter(|r| settings.enabled(r))
        .collect();

    // Replay, running per-statement rules on the model as it was before each statement.
    let mut replay = Replay::default();
    let mut stmt_diags = Vec::new();
    {
        let stmt_rules: Vec<&rules::Rule> = enabled
            .iter()
            .copied()
            .filter(|r| r.check_stmt.is_some())
            .collect();
        let mut n = 0u32;
        for unit in &units {
            for stmt in &unit.sql.stmts {
                n = n.wrapping_add(1);
                if n.is_multiple_of(256) && cancelled() {
                    return None;
                }
                let sref = StmtRef {
                    file: unit.file,
                    order: unit.order,
                    stmt,
                };
                if !stmt_rules.is_empty() {
                    // The model as it is before this statement runs.
                    let ctx = Context {
                        project,
                        model: &replay.model,
                        sql: &units,
                        clients: &clients,
                        config,
                        exposed_schemas: &exposed,
                        memo: Default::default(),
                    };
                    for r in &stmt_rules {
                        (r.check_stmt.unwrap())(&ctx, &replay.model, sref, &mut stmt_diags);
                    }
                }
                replay.apply(sref);
            }
        }
    }
    diags.extend(stmt_diags);
    let model = replay.model;

    let ctx = Context {
        project,
        model: &model,
        sql: &units,
        clients: &clients,
        config,
        exposed_schemas: &exposed,
        memo: Default::default(),
    };
    for r in &enabled {
        if let Some(check) = r.check {
            if cancelled() {
                return None;
            }
            check(&ctx, &mut diags);
        }
    }
    // A fix with no edit is none (`append_stmt_fix` after a half-typed statement).
    for d in &mut diags {
        d.fixes.retain(|f| !f.edits.is_empty());
    }
    // As in ruff: no fix edits a file that does not parse. An edit could land
    // inside the broken text, never take effect, or break it further (found
    // by fuzzing: glued statements, unclosed quotes). Fixes come back once the
    // file parses again.
    let broken: std::collections::HashSet<String> = diags
        .iter()
        .filter(|d| d.rule == rules::syntax::syntax_error::SYNTAX_ERROR.name)
        .map(|d| d.file.clone())
        .collect();
    if !broken.is_empty() {
        for d in &mut diags {
            d.fixes
                .retain(|f| !f.edits.iter().any(|e| broken.contains(&e.file)));
        }
    }

    // Files that could not be read.
    for issue in &project.load_issues {
        diags.push(rules::syntax::syntax_error::SYNTAX_ERROR.diagnostic(
            &issue.path,
            Span::empty(0),
            issue.message.clone(),
        ));
    }

    // Suppressions.
    let mut suppressions: Vec<suppress::Suppression> =
        units.iter().flat_map(suppress::collect).collect();
    for f in &project.files {
        if let Some(marker) = suppress::line_comment_marker(&f.kind)
            && !settings.is_excluded(&f.path)
            && f.text.contains("supaudit-ignore")
        {
            suppressions.extend(suppress::collect_lines(&f.path, &f.text, marker));
        }
    }
    let texts = |path: &str| project.file(path).map(|f| f.text.as_str());
    let enabled = |name: &str| rules::by_name(name).is_some_and(|r| settings.enabled(r));
    let mut unused = suppress::apply(&mut diags, &suppressions, &texts, &enabled);
    if settings.enabled(&rules::syntax::unused_ignore::UNUSED_IGNORE) {
        diags.append(&mut unused);
    }

    // Settings: disabled rules, severity overrides, excluded paths.
    diags.retain(|d| {
        rules::by_name(d.rule).is_none_or(|r| settings.enabled(r)) && !settings.is_excluded(&d.file)
    });
    for d in &mut diags {
        if let Some(sev) = settings.severity_override(d.rule) {
            d.severity = sev;
        }
    }
    diags.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    diags.dedup_by(|a, b| {
        a.rule == b.rule && a.file == b.file && a.range == b.range && a.message == b.message
    });
    Some(Analysis {
        model,
        exposed_schemas: exposed,
        diagnostics: diags,
    })
}

/// What [`fix`] may change.
#[derive(Debug, Clone, Copy, Default)]
pub struct FixOptions<'a> {
    /// Apply unsafe fixes too.
    pub allow_unsafe: bool,
    /// Only edit this file.
    pub only_file: Option<&'a str>,
    /// Only apply fixes of this rule.
    pub only_rule: Option<&'a str>,
}

/// The result of [`fix`].
pub struct Fixed {
    pub project: Project,
    /// Fixes applied, by rule.
    pub applied: std::collections::BTreeMap<&'static str, usize>,
    /// Paths of the files whose text changed, and of the files fixes created
    /// (not in the original project).
    pub changed: Vec<String>,
    /// Findings after the last round.
    pub diagnostics: Vec<Diagnostic>,
    /// False when fixes still applied after the last allowed round.
    pub stable: bool,
}

/// Applies fixes, re-checking after each round, until nothing more applies
/// (fixes may enable other fixes) or `MAX_FIX_ROUNDS` is reached. The one loop
/// behind `--fix`, the language server's fix-all and the tests' fix invariants.
pub fn fix(project: &Project, settings: &Settings, opts: FixOptions) -> Fixed {
    const MAX_FIX_ROUNDS: usize = 20;
    let mut cache = ParseCache::default();
    let mut p = project.clone();
    let mut applied = std::collections::BTreeMap::new();
    let mut diagnostics = analyze_with(&p, settings, &mut cache).diagnostics;
    let mut stable = false;
    for _ in 0..MAX_FIX_ROUNDS {
        let mut changed = false;
        for i in 0..p.files.len() {
            let path = p.files[i].path.clone();
            if opts.only_file.is_some_and(|f| f != path) {
                continue;
            }
            let mine: Vec<&Diagnostic> = diagnostics
                .iter()
                .filter(|d| opts.only_rule.is_none_or(|r| r == d.rule))
                .collect();
            let (text, rules) =
                crate::diagnostic::apply_fixes(&path, &p.files[i].text, mine, opts.allow_unsafe);
            if rules.is_empty() || text == p.files[i].text {
                continue;
            }
            p.files[i].text = text;
            for r in rules {
                *applied.entry(r).or_insert(0) += 1;
            }
            changed = true;
        }
        // Fixes that create files (a new migration): one per round, since two of
        // them would pick the same next migration name; the next round's findings
        // name the one after it.
        if !changed
            && opts.only_file.is_none()
            && let Some((d, fix)) = diagnostics
                .iter()
                .filter(|d| opts.only_rule.is_none_or(|r| r == d.rule))
                .find_map(|d| creating_fix(d, &p, opts.allow_unsafe).map(|f| (d, f)))
        {
            for e in &fix.edits {
                p.files
                    .push(SourceFile::new(e.file.clone(), e.new_text.clone()));
            }
            *applied.entry(d.rule).or_insert(0) += 1;
            changed = true;
        }
        if !changed {
            stable = true;
            break;
        }
        diagnostics = analyze_with(&p, settings, &mut cache).diagnostics;
    }
    // Files whose text changed, then the files fixes created. The first file
    // of each path, as `Project::file` finds it, without a search per file.
    let mut before: HashMap<&str, &str> = HashMap::new();
    for f in &project.files {
        before.entry(f.path.as_str()).or_insert(f.text.as_str());
    }
    let changed = p
        .files
        .iter()
        .filter(|f| before.get(f.path.as_str()).is_none_or(|t| *t != f.text))
        .map(|f| f.path.clone())
        .collect();
    Fixed {
        project: p,
        applied,
        changed,
        diagnostics,
        stable,
    }
}

/// The diagnostic's first applicable fix when it only creates files the
/// project does not hold.
fn creating_fix<'d>(d: &'d Diagnostic, p: &Project, allow_unsafe: bool) -> Option<&'d Fix> {
    let fix = d
        .fixes
        .iter()
        .find(|f| allow_unsafe || f.applicability == Applicability::Safe)?;
    let creates = !fix.edits.is_empty()
        && fix
            .edits
            .iter()
            .all(|e| e.range.is_empty() && e.range.start == 0 && p.file(&e.file).is_none());
    creates.then_some(fix)
}

/// `supabase/config.toml`, parsed.
fn read_config(text: &str) -> Result<toml::Table, (String, Span)> {
    toml::from_str(text).map_err(|e| {
        let span = e
            .span()
            .map(|r| {
                // At the end of the file, point at its last character instead.
                let body = text.trim_end();
                if r.start >= body.len()
                    && let Some((i, c)) = body.char_indices().last()
                {
                    return Span::new(i as u32, (i + c.len_utf8()) as u32);
                }
                Span::new(
                    r.start as u32,
                    r.end.max(r.start + 1).min(text.len()) as u32,
                )
            })
            .unwrap_or_default();
        // The message may span lines (`invalid array\nexpected `]``).
        let message = e.message().trim().lines().collect::<Vec<_>>().join(": ");
        (message, span)
    })
}

/// `[api] schemas`.
fn api_schemas(config: &toml::Table) -> Option<Vec<String>> {
    config
        .get("api")
        .and_then(|a| a.get("schemas"))
        .and_then(|s| s.as_array())
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::project::SourceFile;

    #[test]
    fn cache_reparses_only_changed_files() {
        let a = "supabase/migrations/1_a.sql";
        let b = "supabase/migrations/2_b.sql";
        let mut project = Project::new(vec![
            SourceFile::new(a, "create table public.t (id int primary key);"),
            SourceFile::new(b, "alter table public.t enable row level security;"),
        ]);
        let mut cache = ParseCache::default();
        let first = analyze_with(&project, &Settings::default(), &mut cache).diagnostics;
        let pa = cache.parse(a, &project.files[0].text);
        project.files[1].text = "select 1;".into();
        let second = analyze_with(&project, &Settings::default(), &mut cache).diagnostics;
        assert!(
            Arc::ptr_eq(&pa, &cache.parse(a, &project.files[0].text)),
            "unchanged file re-parsed"
        );
        assert_eq!(
            second,
            check(&project, &Settings::default()),
            "cached analysis differs"
        );
        assert!(!first.iter().any(|d| d.rule == "rls-disabled"));
        assert!(second.iter().any(|d| d.rule == "rls-disabled"));
        project.files.pop();
        analyze_with(&project, &Settings::default(), &mut cache);
        assert_eq!(cache.len(), 1);
    }
}
