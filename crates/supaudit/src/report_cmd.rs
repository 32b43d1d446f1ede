//! `supaudit report`: the audit report (docs/report.md) in Markdown, HTML or JSON.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use clap::{Args, ValueEnum};
use supaudit_core::report::{self, ReportOptions};

#[derive(Args)]
pub struct ReportArgs {
    /// Project root holding `supabase/`, or the `supabase/` folder itself.
    #[arg(default_value = ".")]
    path: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ReportFormat::Md)]
    format: ReportFormat,
    /// Write the report to this file instead of standard output.
    #[arg(short, long)]
    output: Option<PathBuf>,
    /// Read this config file instead of `<root>/supaudit.toml`.
    #[arg(long)]
    config: Option<PathBuf>,
    /// Prefix of the rule doc links (default `docs/rules/`), e.g. a URL of the
    /// docs; each link is `<prefix><rule>.md`. With `{rule}` in it, a template:
    /// `https://example.com/rules#{rule}`.
    #[arg(long, value_name = "PREFIX")]
    docs_url: Option<String>,
}

#[derive(Clone, Copy, ValueEnum)]
enum ReportFormat {
    Md,
    Html,
    Json,
}

/// Writes the report; exit code 0 whatever it finds (use `check` to gate CI).
pub fn run(args: ReportArgs) -> anyhow::Result<ExitCode> {
    let (root, project, settings) = crate::check::load_project(&args.path, args.config.as_ref())?;
    let analysis = supaudit_core::analyze(&project, &settings);
    let name = root
        .canonicalize()
        .unwrap_or(root)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned());
    let mut options = ReportOptions {
        name,
        ..ReportOptions::default()
    };
    if let Some(mut base) = args.docs_url {
        if !base.is_empty() && !base.ends_with('/') && !base.contains("{rule}") {
            base.push('/');
        }
        options.docs_base = base;
    }
    let r = report::build(&project, &analysis, &settings, &options);
    let out = match args.format {
        ReportFormat::Md => report::markdown(&r),
        ReportFormat::Html => report::html(&r),
        ReportFormat::Json => report::json(&r),
    };
    match &args.output {
        Some(path) => {
            std::fs::write(path, out).with_context(|| format!("cannot write {}", path.display()))?
        }
        None => {
            let mut stdout = std::io::stdout().lock();
            stdout.write_all(out.as_bytes())?;
            stdout.flush()?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
