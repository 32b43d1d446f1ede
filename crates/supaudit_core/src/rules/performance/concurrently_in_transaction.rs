use crate::diagnostic::Diagnostic;
use crate::rules::{Context, declare_rule};
use crate::sql::{AlterActionKind, StmtContext, StmtKind};
use crate::text::Span;

declare_rule! {
    /// ## What it does
    /// Reports `create index concurrently`, `drop index concurrently`,
    /// `reindex … concurrently` and `detach partition … concurrently` where
    /// PostgreSQL refuses them: between `begin` and `commit` in a SQL file, in
    /// a function or procedure body (also through `execute '…'`) and in a `DO`
    /// block.
    ///
    /// A top-level `create index concurrently` in a migration file without
    /// `begin`/`commit` is not reported: the Supabase CLI runs each migration
    /// file in one transaction, but since v2.109 it takes these statements
    /// out of the batch and runs them on their own (older CLIs failed with
    /// "cannot be executed within a pipeline", SQLSTATE 25001; keep such a
    /// statement alone in its own migration file to work with every
    /// version). `refresh materialized view concurrently` is not reported
    /// either: PostgreSQL runs it inside transactions and functions.
    ///
    /// ## Why it matters
    /// A concurrent build runs in several transactions of its own and waits
    /// for others to finish, so PostgreSQL refuses it inside a transaction
    /// block ("cannot run inside a transaction block") and inside any function
    /// ("cannot be executed from a function"). The migration stops there, or
    /// the function fails every time it is called.
    ///
    /// ## Example
    /// ```sql
    /// create or replace function create_optimal_vector_index() returns void as $$
    /// begin
    ///   execute format('create index concurrently idx_documents_vector_optimized
    ///     on documents using ivfflat (embedding_vector vector_cosine_ops)
    ///     with (lists = %s)', 100);
    /// end;
    /// $$ language plpgsql;
    /// ```
    ///
    /// ## Fix
    /// Put the statement at the top level of its own migration file, outside
    /// `begin`/`commit`; or drop `concurrently` when a short write lock is
    /// acceptable (a new or small table).
    ///
    /// ## Reference
    /// Seed audit 002 (`create_optimal_vector_index`); supabase/cli#2898 and
    /// supabase/cli#5156 (pipeline-incompatible statements); PostgreSQL docs,
    /// CREATE INDEX "Building Indexes Concurrently".
    pub static CONCURRENTLY_IN_TRANSACTION = {
        name: "concurrently-in-transaction",
        category: Performance,
        severity: Error,
        fix: false,
        effort: "15 min",
        check: check,
    }
}

/// A word of SQL text (lower-cased) or `;`, with its span.
struct Word {
    text: String,
    span: Span,
}

/// The words of `text` (at file offset `base`) and its `;`, skipping
/// comments but not string literals (dynamic SQL lives in them).
fn words(text: &str, base: u32) -> Vec<Word> {
    use crate::sql::words::{Piece, pieces};
    pieces(text, base)
        .filter_map(|p| match p {
            Piece::Word(text, span) => Some(Word { text, span }),
            Piece::Punct(b';', span) => Some(Word {
                text: ";".into(),
                span,
            }),
            Piece::Punct(..) => None,
        })
        .collect()
}

/// Concurrent commands in a word list: (what, span from the first word to `concurrently`).
fn concurrent_commands(w: &[Word]) -> Vec<(&'static str, Span)> {
    let is = |i: usize, s: &str| w.get(i).is_some_and(|x| x.text == s);
    // `concurrently` within the next `n` words of the same statement.
    let conc_within = |from: usize, n: usize| {
        (from..(from + n).min(w.len()))
            .take_while(|&j| w[j].text != ";")
            .find(|&j| w[j].text == "concurrently")
    };
    let mut out = Vec::new();
    for i in 0..w.len() {
        let found = if is(i, "create") {
            let k = if is(i + 1, "unique") { i + 2 } else { i + 1 };
            (is(k, "index") && is(k + 1, "concurrently"))
                .then_some(("create index concurrently", k + 1))
        } else if is(i, "drop") && is(i + 1, "index") && is(i + 2, "concurrently") {
            Some(("drop index concurrently", i + 2))
        } else if is(i, "reindex") {
            conc_within(i + 1, 8).map(|j| ("reindex concurrently", j))
        } else if is(i, "detach") && is(i + 1, "partition") {
            conc_within(i + 2, 6).map(|j| ("detach partition concurrently", j))
        } else {
            None
        };
        if let Some((what, end)) = found {
            out.push((what, Span::new(w[i].span.start, w[end].span.end)));
        }
    }
    out
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let rule = &CONCURRENTLY_IN_TRANSACTION;
    for unit in ctx.sql {
        let mut begin: Option<Span> = None;
        for s in &unit.sql.stmts {
            if s.context != StmtContext::TopLevel {
                continue;
            }
            let text = &unit.text[s.span.range()];
            match &s.kind {
                StmtKind::Begin => begin = Some(s.span),
                StmtKind::Commit => begin = None,
                StmtKind::CreateFunction(f) => {
                    let kind = if f.is_procedure {
                        "procedure"
                    } else {
                        "function"
                    };
                    let Some(body) = f.body_span else { continue };
                    let Some(body_text) = unit.text.get(body.range()) else {
                        continue;
                    };
                    for (what, span) in concurrent_commands(&words(body_text, body.start)) {
                        let mut d = rule.diagnostic(
                            unit.path,
                            span,
                            format!(
                                "`{what}` in {kind} {}.{} fails whenever it is called: PostgreSQL refuses it inside a function",
                                f.name.schema_or_public(),
                                f.name.name
                            ),
                        );
                        d.help = Some(format!(
                            "run `{what}` as a top-level statement of its own migration file (outside `begin`/`commit`), or drop `concurrently`"
                        ));
                        out.push(d);
                    }
                }
                StmtKind::Do => {
                    for (what, span) in concurrent_commands(&words(text, s.span.start)) {
                        let mut d = rule.diagnostic(
                            unit.path,
                            span,
                            format!("`{what}` in a DO block: PostgreSQL refuses it inside a function, so this migration fails"),
                        );
                        d.help = Some(format!(
                            "move `{what}` out of the DO block, as a top-level statement of its own migration file, or drop `concurrently`"
                        ));
                        out.push(d);
                    }
                }
                _ => {
                    let Some(begin_span) = begin else { continue };
                    let concurrent = match &s.kind {
                        StmtKind::CreateIndex(ix) => ix.concurrently,
                        StmtKind::DropIndex { concurrently, .. } => *concurrently,
                        StmtKind::AlterTable(a) => a.actions.iter().any(|x| {
                            matches!(&x.kind, AlterActionKind::Other(t) if t.starts_with("detach partition"))
                        }),
                        StmtKind::Other { what, .. } => what == "reindex",
                        _ => false,
                    };
                    if !concurrent {
                        continue;
                    }
                    for (what, span) in concurrent_commands(&words(text, s.span.start)) {
                        let line = unit.text[..begin_span.start as usize].matches('\n').count() + 1;
                        let mut d = rule.diagnostic(
                            unit.path,
                            span,
                            format!("`{what}` inside the transaction block opened at line {line}: PostgreSQL refuses it there"),
                        );
                        d.help = Some(format!(
                            "move `{what}` after `commit`, into its own migration file, or drop `concurrently`"
                        ));
                        out.push(d);
                    }
                }
            }
        }
    }
}
