//! Helpers shared by the integrity rules.

use std::collections::BTreeSet;

use crate::model::{Column, FileId, Origin, RelKind, Relation};
use crate::rules::Context;
use crate::sql::{Expr, ExprKind, StmtContext, TypeName};

/// Tables the project created (not the platform's, not views or foreign
/// tables).
pub(super) fn project_tables<'a>(ctx: &Context<'a>) -> impl Iterator<Item = &'a Relation> + 'a {
    ctx.model
        .project_relations()
        .filter(|r| r.kind == RelKind::Table)
}

/// Whether the column holds text: `text`, `varchar(n)`, `char(n)`, `citext`
/// (not arrays, not domains or enums).
pub(super) fn is_textual(ty: &TypeName) -> bool {
    !ty.is_array()
        && matches!(
            ty.base(),
            "text" | "varchar" | "character varying" | "citext" | "char" | "character" | "bpchar"
        )
}

/// Whether an expression mentions the column `col` (by its last name part).
pub(super) fn mentions_column(e: &Expr, col: &str) -> bool {
    e.walk().any(
        |x| matches!(&x.kind, ExprKind::Column { path } if path.last().is_some_and(|p| p == col)),
    )
}

/// The CHECK expressions of `rel` that mention column `col`, or were declared on it.
pub(super) fn checks_on<'a>(
    rel: &'a Relation,
    col: &'a str,
) -> impl Iterator<Item = &'a Expr> + 'a {
    rel.checks
        .iter()
        .filter(move |c| c.column.as_deref() == Some(col) || mentions_column(&c.expr, col))
        .map(|c| &c.expr)
}

/// Whether the column is one of the columns of a foreign key.
pub(super) fn in_foreign_key(rel: &Relation, col: &str) -> bool {
    rel.foreign_keys
        .iter()
        .any(|f| f.columns.iter().any(|c| c == col))
}

/// The origin that comes later in replay order.
pub(super) fn later(a: Origin, b: Origin) -> Origin {
    if (b.order, b.stmt.start) > (a.order, a.stmt.start) {
        b
    } else {
        a
    }
}

/// Where a fix appends a statement about a column of `rel`: after the
/// column's statement, or after the table's last ALTER if that comes later
/// (a rename, so the appended statement uses the final name). `None` when
/// that statement is not a top-level one (inside a `DO` block).
pub(super) fn column_anchor(ctx: &Context, rel: &Relation, col: &Column) -> Option<Origin> {
    let at = if renamed(ctx, rel) {
        later(col.origin, rel.last_changed)
    } else {
        col.origin
    };
    top_level(ctx, &at).then_some(at)
}

/// Whether the table had another name or schema when it was created.
pub(super) fn renamed(ctx: &Context, rel: &Relation) -> bool {
    match crate::rules::helpers::stmt_at(ctx, &rel.origin).map(|s| &s.kind) {
        Some(crate::sql::StmtKind::CreateTable(t)) => {
            t.name.schema_or_public() != rel.schema || t.name.name != rel.name
        }
        _ => true,
    }
}

/// Whether the statement at `origin` is a top-level statement of its file.
pub(super) fn top_level(ctx: &Context, origin: &Origin) -> bool {
    !origin.is_platform()
        && crate::rules::helpers::stmt_at(ctx, origin)
            .is_some_and(|s| s.context == StmtContext::TopLevel)
}

/// `base` cut to PostgreSQL's 63-byte identifier limit, on a character boundary.
pub(super) fn cut_ident(base: &str, max: usize) -> &str {
    let mut end = base.len().min(max);
    while !base.is_char_boundary(end) {
        end -= 1;
    }
    &base[..end]
}

/// Constraint names a table has, or that PostgreSQL gave its unnamed checks
/// and keys (`<table>_<column>_check`, `_fkey`, `_key`, `_pkey`).
pub(super) fn constraint_names(rel: &Relation) -> BTreeSet<String> {
    let mut used = BTreeSet::new();
    for c in &rel.checks {
        match (&c.name, &c.column) {
            (Some(n), _) => {
                used.insert(n.clone());
            }
            (None, Some(col)) => {
                used.insert(format!("{}_{col}_check", rel.name));
            }
            (None, None) => {
                used.insert(format!("{}_check", rel.name));
                for x in c.expr.walk() {
                    if let ExprKind::Column { path } = &x.kind
                        && let Some(p) = path.last()
                    {
                        used.insert(format!("{}_{p}_check", rel.name));
                    }
                }
            }
        }
    }
    used.extend(rel.foreign_keys.iter().filter_map(|f| f.name.clone()));
    used.extend(rel.indexes.iter().filter_map(|i| i.name.clone()));
    used
}

/// A constraint name based on `base` that `rel` does not use yet.
pub(super) fn fresh_constraint_name(rel: &Relation, base: &str) -> String {
    let used = constraint_names(rel);
    let mut name = cut_ident(base, 63).to_string();
    let mut n = 1;
    while used.contains(&name) {
        let suffix = n.to_string();
        name = format!("{}{suffix}", cut_ident(base, 63 - suffix.len()));
        n += 1;
    }
    name
}

/// Whether a fix may edit a statement of `file` in place: a declarative
/// schema file, or the newest migration (the one most likely not applied
/// yet). Older migrations have run on deployed databases, so an edit there
/// changes nothing; such fixes go into a new migration instead.
pub(super) fn editable_in_place(ctx: &Context, file: FileId) -> bool {
    use crate::project::FileKind;
    let files = &ctx.project.files;
    let Some(f) = files.get(file.0 as usize) else {
        return false;
    };
    match &f.kind {
        FileKind::Schema => true,
        FileKind::Migration { .. } => {
            let key = |v: &str| {
                let d = v.trim_start_matches('0');
                (d.len(), d.to_string())
            };
            let newest = files
                .iter()
                .filter_map(|x| match &x.kind {
                    FileKind::Migration { version, .. } => Some(key(version)),
                    _ => None,
                })
                .max();
            match &f.kind {
                FileKind::Migration { version, .. } => Some(key(version)) == newest,
                _ => false,
            }
        }
        _ => false,
    }
}

/// Text of the comments about a column: `comment on column`, and SQL
/// comments on the line of its definition.
pub(super) fn column_comments(ctx: &Context, col: &Column) -> Vec<String> {
    let mut out: Vec<String> = col.comment.iter().cloned().collect();
    if col.origin.is_platform() {
        return out;
    }
    let text = ctx.text(col.origin.file);
    let start = col.origin.span.start as usize;
    let end = col.origin.span.end as usize;
    let line_end = text[end..].find('\n').map_or(text.len(), |i| end + i) as u32;
    if let Some(unit) = ctx.sql.iter().find(|u| u.file == col.origin.file) {
        out.extend(
            unit.sql
                .comments
                .iter()
                .filter(|c| c.span.start as usize >= start && c.span.start < line_end)
                .map(|c| c.text.clone()),
        );
    }
    out
}

/// A string literal of SQL.
pub(super) fn sql_literal(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_and_names() {
        assert_eq!(sql_literal("it's"), "'it''s'");
        assert_eq!(cut_ident("abc", 2), "ab");
        assert_eq!(cut_ident("é", 1), "");
    }
}
