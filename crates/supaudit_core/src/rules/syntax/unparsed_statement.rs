use crate::diagnostic::Diagnostic;
use crate::model::{Model, StmtRef};
use crate::rules::{Context, declare_rule};
use crate::sql::{AlterActionKind, StmtContext, StmtKind};

declare_rule! {
    /// ## What it does
    /// Reports statements that change objects the rules read (tables, columns,
    /// policies, functions, grants, views, indexes) but that supaudit's schema
    /// model does not replay yet, such as `create table … as select`.
    /// Comments, `set`, data statements and other harmless statements are not
    /// reported.
    ///
    /// Also reported: `alter index`, `create rule`, `like` clauses in `create
    /// table`, and the `alter table` actions `rename constraint`, `attach
    /// partition`, `inherit` and `alter column … add generated … as identity`.
    ///
    /// ## Why it matters
    /// Findings about the objects such a statement creates or changes may be
    /// missing or stale. This makes the gap visible instead of silent.
    ///
    /// ## Example
    /// ```sql
    /// create table public.archive as select * from public.events;
    /// ```
    ///
    /// ## Fix
    /// None needed; ignore it with `-- supaudit-ignore unparsed-statement: reason`
    /// once you have checked the objects by hand.
    ///
    /// ## Reference
    /// supaudit.
    pub static UNPARSED_STATEMENT = {
        name: "unparsed-statement",
        category: Syntax,
        severity: Info,
        fix: false,
        effort: "15 min",
        check_stmt: check_stmt,
    }
}

/// `alter table` actions the model skips although they change what rules read:
/// constraint names, identity columns, inheritance and partitions. Options,
/// ownership, storage, statistics, triggers and replica identity are harmless.
fn relevant_alter_action(text: &str) -> bool {
    const RELEVANT: &[&str] = &[
        "rename constraint",
        "attach partition",
        "detach partition",
        "inherit",
        "no inherit",
        "of ",
        "not of",
    ];
    const RELEVANT_COLUMN: &[&str] = &[
        "add generated",
        "set generated",
        "drop identity",
        "drop expression",
    ];
    if RELEVANT.iter().any(|p| text.starts_with(p)) {
        return true;
    }
    text.starts_with("alter column") && RELEVANT_COLUMN.iter().any(|p| text.contains(p))
}

fn check_stmt(ctx: &Context, _model: &Model, s: StmtRef, out: &mut Vec<Diagnostic>) {
    if s.stmt.context == StmtContext::FunctionBody {
        return;
    }
    match &s.stmt.kind {
        StmtKind::Other {
            what,
            relevant: true,
        } => {
            let mut d = UNPARSED_STATEMENT.diagnostic(
                ctx.path(s.file),
                s.stmt.span,
                format!("`{what}` is not replayed into the schema model; findings about the objects it changes may be incomplete"),
            );
            d.help = Some("check the objects it changes by hand".into());
            out.push(d);
        }
        StmtKind::CreateTable(t) => {
            for (source, span) in &t.like {
                let mut d = UNPARSED_STATEMENT.diagnostic(
                    ctx.path(s.file),
                    *span,
                    format!(
                        "the columns and keys that `like {source}` copies into {} are not replayed into the schema model; findings about the table may be incomplete",
                        t.name
                    ),
                );
                d.help = Some("list the columns explicitly, or check the table by hand".into());
                out.push(d);
            }
        }
        StmtKind::AlterTable(a) => {
            for act in &a.actions {
                let AlterActionKind::Other(text) = &act.kind else {
                    continue;
                };
                if !relevant_alter_action(text) {
                    continue;
                }
                let mut d = UNPARSED_STATEMENT.diagnostic(
                    ctx.path(s.file),
                    act.span,
                    format!(
                        "`{text}` in `alter table {}` is not replayed into the schema model; findings about the table may be incomplete",
                        a.name
                    ),
                );
                d.help = Some("check the table by hand".into());
                out.push(d);
            }
        }
        _ => {}
    }
}
