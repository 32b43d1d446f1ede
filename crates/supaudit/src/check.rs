//! `supaudit check`.

use std::collections::BTreeMap;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use clap::{Args, ValueEnum};
use supaudit_core::render::{self, Sources, TextOptions};
use supaudit_core::{Applicability, Diagnostic, FixOptions, Project, Settings, Severity};

#[derive(Args)]
pub struct CheckArgs {
    /// Project root holding `supabase/`, or the `supabase/` folder itself.
    #[arg(default_value = ".")]
    path: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Apply safe fixes in place.
    #[arg(long)]
    fix: bool,
    /// Also apply unsafe fixes (implies --fix).
    #[arg(long)]
    unsafe_fixes: bool,
    /// Lowest severity that makes the exit code 1.
    #[arg(long, value_enum, default_value_t = FailOn::Error)]
    fail_on: FailOn,
    /// When to use colour in text output.
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    color: Color,
    /// Read this config file instead of `<root>/supaudit.toml`.
    #[arg(long)]
    config: Option<PathBuf>,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Text,
    Json,
    Sarif,
    Github,
}

#[derive(Clone, Copy, ValueEnum)]
enum FailOn {
    Error,
    Warning,
    Info,
}

#[derive(Clone, Copy, ValueEnum)]
enum Color {
    Auto,
    Always,
    Never,
}

fn load(args: &CheckArgs) -> anyhow::Result<(PathBuf, Project, Settings)> {
    load_project(&args.path, args.config.as_ref())
}

/// Reads the project at `path` and its settings (`config`, or
/// `<root>/supaudit.toml`); shared with `supaudit report`.
pub(crate) fn load_project(
    path: &std::path::Path,
    config: Option<&PathBuf>,
) -> anyhow::Result<(PathBuf, Project, Settings)> {
    let loaded = supaudit_fs::load(path)?;
    let config_text = match config {
        Some(p) => Some(
            std::fs::read_to_string(p).with_context(|| format!("cannot read {}", p.display()))?,
        ),
        None => loaded.project.config.clone(),
    };
    let settings = match config_text {
        Some(text) => Settings::from_toml(&text).map_err(|e| {
            let name = config
                .map(|p| p.display().to_string())
                .unwrap_or_else(|| "supaudit.toml".into());
            let at = e
                .span
                .map(|s| {
                    let idx = supaudit_core::text::LineIndex::new(&text);
                    let lc = idx.line_col(s.start, &text);
                    format!(":{}:{}", lc.line, lc.column)
                })
                .unwrap_or_default();
            anyhow::anyhow!("invalid config {name}{at}: {}", e.message)
        })?,
        None => Settings::default(),
    };
    Ok((loaded.root, loaded.project, settings))
}

pub fn run(args: CheckArgs) -> anyhow::Result<ExitCode> {
    let (root, mut project, settings) = load(&args)?;
    let fixing = args.fix || args.unsafe_fixes;
    let mut fixed = BTreeMap::new();
    let mut created = Vec::new();
    let mut diagnostics = supaudit_core::check(&project, &settings);
    if fixing {
        let result = supaudit_core::fix(
            &project,
            &settings,
            FixOptions {
                allow_unsafe: args.unsafe_fixes,
                ..FixOptions::default()
            },
        );
        for path in &result.changed {
            let text = &result.project.file(path).unwrap().text;
            let dest = root.join(path);
            // A fix may create a file (a new migration).
            if let Some(dir) = dest.parent() {
                std::fs::create_dir_all(dir)
                    .with_context(|| format!("cannot create the folder of {path}"))?;
            }
            std::fs::write(&dest, text).with_context(|| format!("cannot write {path}"))?;
        }
        created = (result.changed.iter())
            .filter(|p| project.file(p).is_none())
            .cloned()
            .collect();
        project = result.project;
        diagnostics = result.diagnostics;
        fixed = result.applied;
    }

    let sources = Sources::new(&project);
    let out = match args.format {
        Format::Text => {
            let color = match args.color {
                Color::Always => true,
                Color::Never => false,
                Color::Auto => {
                    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none()
                }
            };
            let mut s = render::text(
                &diagnostics,
                &sources,
                TextOptions {
                    color,
                    max_lines: 4,
                },
            );
            s.push_str(&summary(&diagnostics, fixing));
            s
        }
        Format::Json => render::json(&diagnostics, &sources) + "\n",
        Format::Sarif => render::sarif(&diagnostics, &sources, env!("CARGO_PKG_VERSION")) + "\n",
        Format::Github => render::github(&diagnostics, &sources),
    };
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(out.as_bytes())?;
    stdout.flush()?;
    if fixing {
        let total: usize = fixed.values().sum();
        let list: Vec<String> = fixed.iter().map(|(r, n)| format!("{r}: {n}")).collect();
        if total == 0 {
            eprintln!("No fixes applied.");
        } else {
            eprintln!(
                "Fixed {total} finding{} ({}).",
                if total == 1 { "" } else { "s" },
                list.join(", ")
            );
        }
        for path in &created {
            eprintln!("Created {path}.");
        }
    }
    let threshold = match args.fail_on {
        FailOn::Error => Severity::Error,
        FailOn::Warning => Severity::Warning,
        FailOn::Info => Severity::Info,
    };
    Ok(if diagnostics.iter().any(|d| d.severity >= threshold) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn summary(diagnostics: &[Diagnostic], fixing: bool) -> String {
    if diagnostics.is_empty() {
        return "No findings.\n".into();
    }
    let count = |s| diagnostics.iter().filter(|d| d.severity == s).count();
    let safe = diagnostics
        .iter()
        .filter(|d| {
            d.fixes
                .iter()
                .any(|f| f.applicability == Applicability::Safe)
        })
        .count();
    let unsafe_only = diagnostics
        .iter()
        .filter(|d| {
            !d.fixes.is_empty()
                && d.fixes
                    .iter()
                    .all(|f| f.applicability == Applicability::Unsafe)
        })
        .count();
    let mut s = format!(
        "Found {} finding{}: {} error{}, {} warning{}, {} info.\n",
        diagnostics.len(),
        if diagnostics.len() == 1 { "" } else { "s" },
        count(Severity::Error),
        if count(Severity::Error) == 1 { "" } else { "s" },
        count(Severity::Warning),
        if count(Severity::Warning) == 1 {
            ""
        } else {
            "s"
        },
        count(Severity::Info),
    );
    if !fixing && (safe > 0 || unsafe_only > 0) {
        s.push_str(&format!(
            "{safe} fixable with `--fix`; {unsafe_only} more with `--unsafe-fixes`.\n"
        ));
    }
    s
}
