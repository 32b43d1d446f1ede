//! Moving parsed statements within their file: an edit before a statement
//! shifts every offset in it. Used by incremental re-parsing, which keeps the
//! statements an edit did not touch.

use super::ir::*;
use crate::text::Span;

fn span(s: &mut Span, d: i64) {
    s.start = (s.start as i64 + d) as u32;
    s.end = (s.end as i64 + d) as u32;
}

fn off(o: &mut u32, d: i64) {
    *o = (*o as i64 + d) as u32;
}

fn expr(e: &mut Expr, d: i64) {
    let mut stack = vec![e];
    while let Some(e) = stack.pop() {
        span(&mut e.span, d);
        stack.extend(e.children.iter_mut());
    }
}

fn column(c: &mut ColumnDef, d: i64) {
    span(&mut c.name_span, d);
    span(&mut c.span, d);
    if let Some(t) = &mut c.ty {
        span(&mut t.span, d);
    }
    if let Some(e) = &mut c.default {
        expr(e, d);
    }
    if let Some(fk) = &mut c.references {
        span(&mut fk.span, d);
    }
    c.checks.iter_mut().for_each(|e| expr(e, d));
}

fn constraint(c: &mut TableConstraint, d: i64) {
    span(&mut c.span, d);
    match &mut c.kind {
        ConstraintKind::ForeignKey(fk) => span(&mut fk.span, d),
        ConstraintKind::Check(e) => expr(e, d),
        ConstraintKind::PrimaryKey(_) | ConstraintKind::Unique(_) | ConstraintKind::Other => {}
    }
}

/// Moves every offset of `s` by `d` bytes.
pub fn stmt(s: &mut Stmt, d: i64) {
    if d == 0 {
        return;
    }
    span(&mut s.span, d);
    match &mut s.kind {
        StmtKind::CreateTable(t) => {
            span(&mut t.name_span, d);
            t.columns.iter_mut().for_each(|c| column(c, d));
            t.constraints.iter_mut().for_each(|c| constraint(c, d));
            if let Some(o) = &mut t.columns_end {
                off(o, d);
            }
            t.like.iter_mut().for_each(|(_, s)| span(s, d));
        }
        StmtKind::AlterTable(t) => {
            span(&mut t.name_span, d);
            for a in &mut t.actions {
                span(&mut a.span, d);
                match &mut a.kind {
                    AlterActionKind::AddColumn(c) => column(c, d),
                    AlterActionKind::AlterColumnType { ty: Some(t), .. } => span(&mut t.span, d),
                    AlterActionKind::SetDefault(_, Some(e)) => expr(e, d),
                    AlterActionKind::AddConstraint(c) => constraint(c, d),
                    _ => {}
                }
            }
        }
        StmtKind::CreatePolicy(p) => {
            p.using.iter_mut().for_each(|e| expr(e, d));
            p.with_check.iter_mut().for_each(|e| expr(e, d));
            p.roles_span.iter_mut().for_each(|s| span(s, d));
            off(&mut p.roles_at, d);
        }
        StmtKind::AlterPolicy(p) => {
            p.using.iter_mut().for_each(|e| expr(e, d));
            p.with_check.iter_mut().for_each(|e| expr(e, d));
        }
        StmtKind::CreateFunction(f) => {
            span(&mut f.name_span, d);
            f.body_span.iter_mut().for_each(|s| span(s, d));
            f.options_span.iter_mut().for_each(|s| span(s, d));
        }
        StmtKind::CreateIndex(i) => {
            i.items
                .iter_mut()
                .filter_map(|it| it.expr.as_mut())
                .for_each(|e| expr(e, d));
            i.predicate.iter_mut().for_each(|e| expr(e, d));
        }
        StmtKind::CreateView(v) => {
            span(&mut v.name_span, d);
            off(&mut v.insert_options_at, d);
            for t in v.query.iter_mut().flat_map(|q| q.targets.iter_mut()) {
                t.expr.iter_mut().for_each(|e| expr(e, d));
            }
        }
        StmtKind::Insert(i) => {
            for r in &mut i.rows {
                span(&mut r.span, d);
                r.values.iter_mut().for_each(|e| expr(e, d));
            }
            if let Some(o) = &mut i.columns_close {
                off(o, d);
            }
        }
        StmtKind::DropTable { .. }
        | StmtKind::Truncate { .. }
        | StmtKind::DropPolicy { .. }
        | StmtKind::AlterFunction(_)
        | StmtKind::DropFunction { .. }
        | StmtKind::DropIndex { .. }
        | StmtKind::AlterView(_)
        | StmtKind::DropView { .. }
        | StmtKind::RefreshMaterializedView { .. }
        | StmtKind::Grant(_)
        | StmtKind::AlterDefaultPrivileges(_)
        | StmtKind::CreateExtension { .. }
        | StmtKind::DropExtension { .. }
        | StmtKind::AlterExtensionSchema { .. }
        | StmtKind::CreateSchema { .. }
        | StmtKind::DropSchema { .. }
        | StmtKind::Comment { .. }
        | StmtKind::CreateTrigger(_)
        | StmtKind::DropTrigger { .. }
        | StmtKind::CreateType { .. }
        | StmtKind::AlterTypeAddValue { .. }
        | StmtKind::DropType { .. }
        | StmtKind::RenameType { .. }
        | StmtKind::AlterTypeAttributes { .. }
        | StmtKind::Begin
        | StmtKind::Commit
        | StmtKind::Do
        | StmtKind::Other { .. } => {}
    }
}

/// Moves errors and comments by `d` bytes.
pub fn error(e: &mut SyntaxError, d: i64) {
    span(&mut e.span, d);
}

pub fn comment(c: &mut Comment, d: i64) {
    span(&mut c.span, d);
}
