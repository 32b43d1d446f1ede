//! Rules about how the migration history changes the schema that code uses.

pub mod add_not_null_without_default;
pub mod column_renamed_in_use;
pub mod column_type_change;
pub mod constraint_not_valid;
pub mod destructive_change;
pub mod index_without_concurrently;
pub mod migration_order;
pub mod missing_rollback;
pub mod prefer_bigint;
pub mod prefer_identity;

use crate::model::{Model, RelKind, Relation, StmtRef};
use crate::project::FileKind;
use crate::rules::Context;
use crate::sql::{QName, StmtContext, StmtKind};
use crate::text::Span;

/// Whether a statement runs when a migration is applied: a top-level or `DO`
/// block statement of a `supabase/migrations/<version>_<name>.sql` file (not a
/// function body, which runs when called; not a declarative schema or seed).
pub(crate) fn in_migration(ctx: &Context, s: StmtRef) -> bool {
    s.stmt.context != StmtContext::FunctionBody
        && ctx
            .project
            .files
            .get(s.file.0 as usize)
            .is_some_and(|f| matches!(f.kind, FileKind::Migration { .. }))
}

/// The table `name` as it is before the statement, when an earlier migration
/// file (or the platform) created it. A table the statement's own file
/// created (or created again) is new: locking or rewriting it costs nothing.
/// A table a declarative schema (`supabase/schemas/`, replayed first) declares
/// exists only once an earlier migration file creates it too.
pub(crate) fn existing_table<'m>(
    ctx: &Context,
    model: &'m Model,
    name: &QName,
    s: StmtRef,
) -> Option<&'m Relation> {
    let is_migration = |file: crate::model::FileId| {
        ctx.project
            .files
            .get(file.0 as usize)
            .is_some_and(|f| matches!(f.kind, FileKind::Migration { .. }))
    };
    model.relation(name).filter(|r| {
        if r.origin.file == s.file || !matches!(r.kind, RelKind::Table | RelKind::MaterializedView)
        {
            return false;
        }
        if r.origin.is_platform() || is_migration(r.origin.file) {
            return true;
        }
        // Declared outside the migrations: look for an earlier migration that creates it.
        ctx.sql
            .iter()
            .filter(|u| u.order < s.order && u.file != s.file && is_migration(u.file))
            .flat_map(|u| u.sql.stmts.iter())
            .any(|st| match &st.kind {
                crate::sql::StmtKind::CreateTable(t) => {
                    t.name.name == r.name && t.name.schema_or_public() == r.schema
                }
                _ => false,
            })
    })
}

/// `schema.name` of a statement's table name (`public` when unqualified).
pub(crate) fn display(name: &QName) -> String {
    format!("{}.{}", name.schema_or_public(), name.name)
}

/// The first `n` words of `text`, lower-cased, with their spans shifted by
/// `base`; comments are skipped, quoted identifiers and strings end the scan.
pub(crate) fn leading_words(text: &str, base: u32, n: usize) -> Vec<(String, Span)> {
    use crate::sql::words::{Piece, pieces};
    pieces(text, base)
        .map_while(|p| match p {
            Piece::Word(w, span) if !w.starts_with(|c: char| c.is_ascii_digit()) => {
                Some(Some((w, span)))
            }
            Piece::Punct(b'(' | b')' | b',' | b'.', _) => Some(None),
            _ => None,
        })
        .flatten()
        .take(n)
        .collect()
}

/// Whether the words of `text` start with `prefix` (e.g. `["drop", "table", "if", "exists"]`).
pub(crate) fn starts_with_words(text: &str, prefix: &[&str]) -> bool {
    let w = leading_words(text, 0, prefix.len());
    w.len() == prefix.len() && w.iter().zip(prefix).all(|((a, _), b)| a == b)
}

/// The `begin` that opened the explicit transaction block a top-level
/// statement runs in, if any.
pub(crate) fn open_block(ctx: &Context, s: StmtRef) -> Option<Span> {
    let unit = ctx.sql.iter().find(|u| u.file == s.file)?;
    let mut begin = None;
    for st in &unit.sql.stmts {
        if st.span.start >= s.stmt.span.start {
            break;
        }
        if st.context != StmtContext::TopLevel {
            continue;
        }
        match st.kind {
            StmtKind::Begin => begin = Some(st.span),
            StmtKind::Commit => begin = None,
            _ => {}
        }
    }
    begin
}
