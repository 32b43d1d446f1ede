//! The one entry point: `check(&Project, &Settings) -> Vec<Diagnostic>`.

use crate::diagnostic::Diagnostic;
use crate::model::{FileId, Model, Replay, StmtRef};
use crate::project::{FileKind, Project};
use crate::rules::{self, Context, SqlUnit};
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
    let mut diags: Vec<Diagnostic> = Vec::new();

    // Exposed schemas: supaudit.toml, else supabase/config.toml, else the default.
    let mut exposed: Vec<String> = DEFAULT_EXPOSED.iter().map(|s| s.to_string()).collect();
    for f in &project.files {
        if f.kind == FileKind::SupabaseConfig && !settings.is_excluded(&f.path) {
            match read_api_schemas(&f.text) {
                Ok(Some(s)) => exposed = s,
                Ok(None) => {}
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
        units.push(SqlUnit {
            file: FileId(idx as u32),
            order: order as u32,
            path: &f.path,
            text: &f.text,
            sql: sql::parse_sql(&f.text),
        });
    }

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
        for unit in &units {
            for stmt in &unit.sql.stmts {
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
                        exposed_schemas: &exposed,
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
        exposed_schemas: &exposed,
    };
    for r in &enabled {
        if let Some(check) = r.check {
            check(&ctx, &mut diags);
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
    let suppressions: Vec<suppress::Suppression> =
        units.iter().flat_map(suppress::collect).collect();
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
    Analysis {
        model,
        exposed_schemas: exposed,
        diagnostics: diags,
    }
}

/// `[api] schemas` from `supabase/config.toml`.
fn read_api_schemas(text: &str) -> Result<Option<Vec<String>>, (String, Span)> {
    let value: toml::Table = toml::from_str(text).map_err(|e| {
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
    })?;
    Ok(value
        .get("api")
        .and_then(|a| a.get("schemas"))
        .and_then(|s| s.as_array())
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        }))
}
