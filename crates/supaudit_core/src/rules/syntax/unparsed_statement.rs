use crate::diagnostic::Diagnostic;
use crate::model::{Model, StmtRef};
use crate::rules::{Context, declare_rule};
use crate::sql::{StmtContext, StmtKind};

declare_rule! {
    /// ## What it does
    /// Reports statements that change objects the rules read (tables, columns,
    /// policies, functions, grants, views, indexes) but that supaudit's schema
    /// model does not replay yet, such as `create table … as select`.
    /// Comments, `set`, data statements and other harmless statements are not
    /// reported.
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
        check_stmt: check_stmt,
    }
}

fn check_stmt(ctx: &Context, _model: &Model, s: StmtRef, out: &mut Vec<Diagnostic>) {
    if s.stmt.context == StmtContext::FunctionBody {
        return;
    }
    if let StmtKind::Other {
        what,
        relevant: true,
    } = &s.stmt.kind
    {
        let mut d = UNPARSED_STATEMENT.diagnostic(
            ctx.path(s.file),
            s.stmt.span,
            format!("`{what}` is not replayed into the schema model; findings about the objects it changes may be incomplete"),
        );
        d.help = Some("check the objects it changes by hand".into());
        out.push(d);
    }
}
