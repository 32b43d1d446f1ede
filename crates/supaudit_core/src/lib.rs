//! supaudit's core: a pure library (no IO, no printing) that reads a Supabase
//! project held in memory, replays its migrations into a schema model and
//! reports diagnostics with fixes.

pub mod checker;
pub mod client;
pub mod diagnostic;
pub mod model;
pub mod project;
pub mod render;
pub mod report;
pub mod rules;
pub mod settings;
pub mod sql;
pub mod suppress;
pub mod text;
pub mod typegen;

pub use checker::{
    Analysis, FixOptions, Fixed, ParseCache, analyze, analyze_cancellable, analyze_with, check, fix,
};
pub use diagnostic::{Applicability, Category, Diagnostic, Edit, Fix, Severity};
pub use project::{FileKind, Project, SourceFile};
pub use settings::Settings;
