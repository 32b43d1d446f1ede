use crate::diagnostic::Diagnostic;
use crate::model::{Model, StmtRef};
use crate::rules::migration::{display, existing_table, in_migration};
use crate::rules::{Context, declare_rule};
use crate::sql::{AlterActionKind, ConstraintKind, QName, Stmt, StmtKind, TableConstraint};
use crate::text::Span;

declare_rule! {
    /// ## What it does
    /// Reports a foreign key or check constraint added by `alter table … add
    /// constraint` to a table that an earlier migration file created, without
    /// `not valid`; and a `validate constraint` in the same migration file as
    /// the `not valid` constraint it validates.
    ///
    /// Tables created in the same migration file are not reported (they are
    /// empty), nor foreign keys declared inline by `add column … references`
    /// (`not valid` cannot be written there, and the new column holds no
    /// values yet).
    ///
    /// ## Why it matters
    /// Adding a constraint checks every existing row while holding a lock:
    /// ACCESS EXCLUSIVE for a check (reads and writes wait), SHARE ROW
    /// EXCLUSIVE on both tables for a foreign key (writes wait). With `not
    /// valid` the constraint applies to new rows at once and the existing rows
    /// are checked later by `validate constraint`, which lets reads and writes
    /// go on. The Supabase CLI runs a migration file in one transaction, so a
    /// `validate` in the same file still runs under the first lock: it
    /// belongs in a later migration file.
    ///
    /// ## Example
    /// ```sql
    /// -- 20240301000000_habit_owner.sql (habits was created earlier)
    /// alter table public.habits
    ///   add constraint habits_user_id_fkey foreign key (user_id) references auth.users (id);
    /// ```
    ///
    /// ## Fix
    /// ```sql
    /// -- 20240301000000_habit_owner.sql
    /// alter table public.habits
    ///   add constraint habits_user_id_fkey foreign key (user_id) references auth.users (id) not valid;
    /// -- 20240301000100_validate_habit_owner.sql
    /// alter table public.habits validate constraint habits_user_id_fkey;
    /// ```
    ///
    /// ## Reference
    /// squawk `constraint-missing-not-valid` and `adding-foreign-key-constraint`;
    /// PostgreSQL docs, ALTER TABLE, Notes.
    pub static CONSTRAINT_NOT_VALID = {
        name: "constraint-not-valid",
        category: Migration,
        severity: Info,
        fix: false,
        effort: "15 min",
        check_stmt: check_stmt,
    }
}

fn same_table(a: &QName, b: &QName) -> bool {
    a.schema_or_public() == b.schema_or_public() && a.name == b.name
}

/// The `not valid` constraint named `name` that an earlier statement of the
/// same file adds to `table`.
fn added_not_valid_before<'a>(
    stmts: &'a [Stmt],
    before: u32,
    table: &QName,
    name: &str,
) -> Option<&'a TableConstraint> {
    stmts
        .iter()
        .take_while(|st| st.span.start < before)
        .filter_map(|st| match &st.kind {
            StmtKind::AlterTable(t) if same_table(&t.name, table) => Some(t),
            _ => None,
        })
        .flat_map(|t| &t.actions)
        .filter_map(|a| match &a.kind {
            AlterActionKind::AddConstraint(c) => Some(c),
            _ => None,
        })
        .filter(|c| c.not_valid && c.name.as_deref() == Some(name))
        .last()
}

fn check_stmt(ctx: &Context, model: &Model, s: StmtRef, out: &mut Vec<Diagnostic>) {
    if !in_migration(ctx, s) {
        return;
    }
    let StmtKind::AlterTable(a) = &s.stmt.kind else {
        return;
    };
    let Some(rel) = existing_table(ctx, model, &a.name, s) else {
        return;
    };
    let path = ctx.path(s.file);
    let mut report = |span: Span, message: String, help: &str| {
        let mut d = CONSTRAINT_NOT_VALID.diagnostic(path, span, message);
        d.help = Some(help.to_string());
        out.push(d);
    };
    for act in &a.actions {
        match &act.kind {
            AlterActionKind::AddConstraint(c) if !c.not_valid => {
                let named = c
                    .name
                    .as_ref()
                    .map_or_else(String::new, |n| format!(" {n}"));
                let (what, lock) = match &c.kind {
                    ConstraintKind::ForeignKey(fk) => (
                        format!("foreign key{named} to {}", display(&fk.ref_table)),
                        "blocking writes to both tables",
                    ),
                    ConstraintKind::Check(_) => (
                        format!("check constraint{named}"),
                        "blocking its reads and writes",
                    ),
                    _ => continue,
                };
                report(
                    act.span,
                    format!(
                        "{what} is added to {} without `not valid`: every existing row is checked while {lock}",
                        rel.display_name()
                    ),
                    "add it with `not valid`, then `alter table … validate constraint …` in a later migration file (validation lets reads and writes go on)",
                );
            }
            AlterActionKind::ValidateConstraint(name) => {
                let Some(unit) = ctx.sql.iter().find(|u| u.file == s.file) else {
                    continue;
                };
                if added_not_valid_before(&unit.sql.stmts, s.stmt.span.start, &a.name, name)
                    .is_none()
                {
                    continue;
                }
                report(
                    act.span,
                    format!(
                        "constraint {name} of {} is validated in the migration file that adds it `not valid`: the file runs in one transaction, so the rows are checked under the lock `add constraint` took",
                        rel.display_name()
                    ),
                    "move `validate constraint` to a later migration file",
                );
            }
            _ => {}
        }
    }
}
