//! The `supaudit` binary: a thin layer over `supaudit_core`.

mod check;
mod gen_cmd;
mod report_cmd;
mod rules_cmd;

use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

#[derive(Parser)]
#[command(
    name = "supaudit",
    version,
    about = "Static audit of Supabase projects: migrations, client code, config and secrets"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check a project and report findings.
    Check(check::CheckArgs),
    /// Write an audit report (score, scorecard, checklist, findings) as Markdown, HTML or JSON.
    Report(report_cmd::ReportArgs),
    /// Print the documentation of one rule.
    Rule {
        /// Rule name, e.g. `rls-disabled`.
        name: String,
    },
    /// List every rule with its category, default severity and whether it fixes.
    Rules {
        #[arg(long, value_enum, default_value_t = ListFormat::Text)]
        format: ListFormat,
    },
    /// Generate code from the schema the migrations build (`gen types`).
    Gen {
        #[command(subcommand)]
        command: gen_cmd::GenCommand,
    },
    /// Run the language server on stdin/stdout (for editors).
    Lsp,
    /// Print the schema model as catalog lines (what `scripts/catalog.sql`
    /// prints from PostgreSQL), for the model-vs-PostgreSQL test.
    #[command(hide = true)]
    Catalog {
        /// Project folder (holding `supabase/`).
        #[arg(default_value = ".")]
        path: std::path::PathBuf,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum ListFormat {
    Text,
    Json,
    Markdown,
}

fn main() -> ExitCode {
    // The core wants 8 MiB of stack for deeply nested input (ARCHITECTURE.md);
    // run on a thread that has it whatever the platform's main thread gets.
    match std::thread::Builder::new()
        .name("supaudit".into())
        .stack_size(16 << 20)
        .spawn(run)
    {
        Ok(handle) => handle.join().unwrap_or_else(|_| {
            eprintln!("supaudit: error: internal error (panic)");
            ExitCode::from(2)
        }),
        Err(e) => {
            eprintln!("supaudit: error: cannot start: {e}");
            ExitCode::from(2)
        }
    }
}

fn run() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Check(args) => check::run(args),
        Command::Report(args) => report_cmd::run(args),
        Command::Rule { name } => rules_cmd::rule(&name),
        Command::Rules { format } => rules_cmd::rules(format),
        Command::Gen { command } => gen_cmd::run(command),
        Command::Lsp => Ok(supaudit_lsp::run_stdio()),
        Command::Catalog { path } => catalog(&path),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("supaudit: error: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn catalog(path: &std::path::Path) -> anyhow::Result<ExitCode> {
    let loaded = supaudit_fs::load(path)?;
    let settings = match &loaded.project.config {
        Some(text) => supaudit_core::Settings::from_toml(text)
            .map_err(|e| anyhow::anyhow!("supaudit.toml: {e}"))?,
        None => supaudit_core::Settings::default(),
    };
    let analysis = supaudit_core::analyze(&loaded.project, &settings);
    print!(
        "{}",
        supaudit_core::model::catalog::catalog(&analysis.model)
    );
    Ok(ExitCode::SUCCESS)
}
