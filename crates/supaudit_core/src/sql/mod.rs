//! The SQL front end: squawk-syntax behind one module, lowered to our IR.

pub mod ir;
mod lower;

pub use ir::*;
pub use lower::{normalize_ident, parse_sql};
