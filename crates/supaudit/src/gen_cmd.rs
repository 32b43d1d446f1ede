//! `supaudit gen types`: the TypeScript `Database` type from the migrations.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, Subcommand};
use supaudit_core::typegen;

#[derive(Subcommand)]
pub enum GenCommand {
    /// Print the `Database` TypeScript type that `supabase gen types typescript`
    /// prints, from the migrations alone (no database needed).
    Types(TypesArgs),
}

#[derive(Args)]
pub struct TypesArgs {
    /// Project folder (holding `supabase/`).
    #[arg(default_value = ".")]
    path: PathBuf,
    /// Write the types to this file instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Schema to type (repeatable); default: `public` and the exposed schemas
    /// (`[api] schemas` of supabase/config.toml, or `exposed-schemas` of supaudit.toml).
    #[arg(long = "schema", value_name = "NAME")]
    schemas: Vec<String>,
    /// PostgREST version written in `__InternalSupabase`; `none` leaves it out.
    #[arg(long, value_name = "VERSION", default_value = typegen::DEFAULT_POSTGREST_VERSION)]
    postgrest_version: String,
    /// Settings file (default: `supaudit.toml` in the project root).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
}

pub fn run(cmd: GenCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        GenCommand::Types(args) => types(args),
    }
}

fn types(args: TypesArgs) -> anyhow::Result<ExitCode> {
    let (_root, project, settings) = crate::check::load_project(&args.path, args.config.as_ref())?;
    let analysis = supaudit_core::analyze(&project, &settings);
    let mut options = if args.schemas.is_empty() {
        typegen::Options::for_exposed(&analysis.exposed_schemas)
    } else {
        typegen::Options::for_exposed(&[])
    };
    if !args.schemas.is_empty() {
        options.schemas = args.schemas.clone();
    }
    options.postgrest_version = match args.postgrest_version.as_str() {
        "none" | "" => None,
        v => Some(v.to_string()),
    };
    let out = typegen::typescript(&analysis.model, &options);
    match &args.output {
        Some(file) => {
            std::fs::write(file, out).with_context(|| format!("cannot write {}", file.display()))?
        }
        None => print!("{out}"),
    }
    Ok(ExitCode::SUCCESS)
}
