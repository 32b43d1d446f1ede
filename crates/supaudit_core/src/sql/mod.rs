//! The SQL front end: squawk-syntax behind one module, lowered to our IR.

mod incremental;
pub mod ir;
mod lower;
mod shift;
pub(crate) mod words;

pub use incremental::{STATS as REPARSE_STATS, reparse};
pub use ir::*;
pub use lower::{normalize_ident, parse_sql, parse_sql_at};
