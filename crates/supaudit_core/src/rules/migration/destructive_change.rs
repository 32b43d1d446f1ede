use crate::diagnostic::Diagnostic;
use crate::model::{Model, RelKind, StmtRef};
use crate::rules::migration::{display, in_migration, leading_words, starts_with_words};
use crate::rules::{Context, declare_rule};
use crate::sql::{AlterActionKind, StmtKind};
use crate::text::Span;

declare_rule! {
    /// ## What it does
    /// Reports migrations that delete data: `drop table`, `alter table … drop
    /// column`, `truncate` and `drop schema … cascade` of a schema that holds
    /// tables, on objects that an earlier migration file (or the platform)
    /// created.
    ///
    /// Objects created in the same migration file are not reported (a
    /// temporary table created and dropped by one migration holds no data
    /// yet), nor `drop … if exists` of a table or column no migration created
    /// (there is nothing to lose as far as the files tell). A `drop table`
    /// without `if exists` of a table the migrations never created is
    /// reported: the migration fails unless the table exists, so it holds
    /// data created elsewhere. `drop schema` without `cascade` is not
    /// reported: PostgreSQL refuses to drop a schema that is not empty.
    ///
    /// ## Why it matters
    /// A dropped table or column, or truncated rows, cannot be brought back by
    /// another migration: only a backup restores them. Code that still reads
    /// the table or column breaks the moment the migration is deployed, and a
    /// rollback of the application does not bring the data back.
    ///
    /// ## Example
    /// ```sql
    /// -- 20240301000000_cleanup.sql (the table was created in an earlier migration)
    /// drop table public.habit_logs;
    /// alter table public.habits drop column legacy_streak;
    /// ```
    ///
    /// ## Fix
    /// Make sure the data is no longer needed or is backed up, deploy the code
    /// that stops using the object first, and only then drop it (expand, then
    /// contract). When the drop is intended, suppress the finding with a
    /// reason: `-- supaudit-ignore destructive-change: data moved to habit_events`.
    ///
    /// ## Reference
    /// squawk `ban-drop-table`, `ban-drop-column`, `ban-truncate-cascade`,
    /// `ban-drop-schema`.
    pub static DESTRUCTIVE_CHANGE = {
        name: "destructive-change",
        category: Migration,
        severity: Warning,
        fix: false,
        effort: "1 hour",
        check_stmt: check_stmt,
    }
}

const HELP: &str = "check that no code still uses it and that its data is backed up or no longer needed; deploy the code that stops using it first, then drop it";

fn check_stmt(ctx: &Context, model: &Model, s: StmtRef, out: &mut Vec<Diagnostic>) {
    if !in_migration(ctx, s) {
        return;
    }
    let path = ctx.path(s.file);
    let text = ctx.text(s.file).get(s.stmt.span.range()).unwrap_or("");
    let mut report = |span: Span, message: String, help: &str| {
        let mut d = DESTRUCTIVE_CHANGE.diagnostic(path, span, message);
        d.help = Some(help.to_string());
        out.push(d);
    };
    // The statement's head (`drop table`, `truncate table`), where the finding points.
    let head = |n: usize| {
        let w = leading_words(text, s.stmt.span.start, n);
        match (w.first(), w.last()) {
            (Some(a), Some(b)) => Span::new(a.1.start, b.1.end),
            _ => s.stmt.span,
        }
    };
    match &s.stmt.kind {
        StmtKind::DropTable { names } => {
            let if_exists = starts_with_words(text, &["drop", "table", "if", "exists"]);
            for n in names {
                match model.relation(n) {
                    // Created by this migration file: no data yet.
                    Some(r) if r.origin.file == s.file => {}
                    // Views and foreign tables hold no rows of their own.
                    Some(r) if r.kind != RelKind::Table => {}
                    Some(r) => report(
                        head(2),
                        format!(
                            "drop table {} deletes the table and every row in it",
                            r.display_name()
                        ),
                        HELP,
                    ),
                    None if if_exists => {}
                    None => report(
                        head(2),
                        format!(
                            "drop table {} deletes the table and every row in it (no migration created it: it holds data created elsewhere)",
                            display(n)
                        ),
                        HELP,
                    ),
                }
            }
        }
        StmtKind::Truncate { tables } => {
            let cascade = leading_words(text, 0, 64)
                .iter()
                .any(|(w, _)| w == "cascade");
            for t in tables {
                if model.relation(t).is_some_and(|r| r.origin.file == s.file) {
                    continue;
                }
                let name = model
                    .relation(t)
                    .map_or_else(|| display(t), |r| r.display_name());
                let also = if cascade {
                    ", and with `cascade` every row of the tables that reference it"
                } else {
                    ""
                };
                report(
                    head(1),
                    format!("truncate {name} deletes every row of the table{also}"),
                    "a migration runs on every environment, production included: delete test data in `supabase/seed.sql` (local only), or make sure the rows are no longer needed",
                );
            }
        }
        StmtKind::DropSchema { names } => {
            let cascade = leading_words(text, 0, 64)
                .iter()
                .any(|(w, _)| w == "cascade");
            if !cascade {
                return;
            }
            for schema in names {
                let tables: Vec<String> = model
                    .relations
                    .values()
                    .filter(|r| {
                        &r.schema == schema && r.kind == RelKind::Table && r.origin.file != s.file
                    })
                    .map(|r| r.display_name())
                    .collect();
                if tables.is_empty() {
                    continue;
                }
                let mut list = tables
                    .iter()
                    .take(3)
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", ");
                if tables.len() > 3 {
                    list.push_str(&format!(" and {} more", tables.len() - 3));
                }
                report(
                    head(2),
                    format!(
                        "drop schema {schema} cascade deletes its tables and their rows: {list}"
                    ),
                    HELP,
                );
            }
        }
        StmtKind::AlterTable(a) => {
            for act in &a.actions {
                let AlterActionKind::DropColumn(col) = &act.kind else {
                    continue;
                };
                let act_text = ctx.text(s.file).get(act.span.range()).unwrap_or("");
                let if_exists = starts_with_words(act_text, &["drop", "column", "if", "exists"])
                    || starts_with_words(act_text, &["drop", "if", "exists"]);
                match model.relation(&a.name) {
                    Some(r) if r.origin.file == s.file || r.kind != RelKind::Table => {}
                    Some(r) => {
                        // A column added by this migration file holds no data yet.
                        let Some(c) = r.column(col) else { continue };
                        if c.origin.file == s.file {
                            continue;
                        }
                        report(
                            act.span,
                            format!(
                                "drop column {}.{col} deletes the column and its data",
                                r.display_name()
                            ),
                            HELP,
                        );
                    }
                    None if if_exists => {}
                    None => report(
                        act.span,
                        format!(
                            "drop column {}.{col} deletes the column and its data",
                            display(&a.name)
                        ),
                        HELP,
                    ),
                }
            }
        }
        _ => {}
    }
}
