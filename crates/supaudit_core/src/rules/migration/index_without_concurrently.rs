use crate::diagnostic::Diagnostic;
use crate::model::{Model, StmtRef};
use crate::rules::migration::{existing_table, in_migration, leading_words, open_block};
use crate::rules::{Context, declare_rule};
use crate::sql::{StmtContext, StmtKind};
use crate::text::Span;

declare_rule! {
    /// ## What it does
    /// Reports `create index` without `concurrently` on a table that an
    /// earlier migration file created.
    ///
    /// Tables created in the same migration file are not reported (they are
    /// empty), nor `create index if not exists` of an index that exists, nor
    /// indexes built inside a `DO` block or a function, where PostgreSQL
    /// refuses `concurrently` (see `concurrently-in-transaction`).
    ///
    /// ## Why it matters
    /// A plain `create index` holds a SHARE lock on the table until the
    /// migration's transaction ends: reads go on, but every insert, update and
    /// delete waits while the whole table is read and sorted. On a large
    /// table, that is minutes of failed or stalled writes.
    /// `create index concurrently` builds the index without blocking writes.
    ///
    /// ## Example
    /// ```sql
    /// -- 20240301000000_index_habits.sql (habits was created earlier)
    /// create index habits_user_id_idx on public.habits (user_id);
    /// ```
    ///
    /// ## Fix
    /// ```sql
    /// -- 20240301000000_index_habits.sql: this statement alone in the file
    /// create index concurrently habits_user_id_idx on public.habits (user_id);
    /// ```
    /// Put it in a migration file of its own, with no other statement and no
    /// `begin`/`commit`. The Supabase CLI runs the statements of a migration
    /// file together in one transaction; since v2.109 it runs `create index
    /// concurrently` on its own, outside that transaction, but older versions
    /// fail with "cannot be executed within a pipeline" (SQLSTATE 25001) unless
    /// the statement is the only one of its file. If a concurrent build fails,
    /// it leaves an invalid index: drop it and run the migration again.
    ///
    /// ## Reference
    /// squawk `require-concurrent-index-creation`; supabase/cli#2898 and
    /// supabase/cli#5156; PostgreSQL docs, CREATE INDEX, "Building Indexes
    /// Concurrently".
    pub static INDEX_WITHOUT_CONCURRENTLY = {
        name: "index-without-concurrently",
        category: Migration,
        severity: Info,
        fix: false,
        effort: "15 min",
        check_stmt: check_stmt,
    }
}

fn check_stmt(ctx: &Context, model: &Model, s: StmtRef, out: &mut Vec<Diagnostic>) {
    // CONCURRENTLY cannot run in a DO block or a function: nothing to suggest there.
    if s.stmt.context != StmtContext::TopLevel || !in_migration(ctx, s) {
        return;
    }
    let StmtKind::CreateIndex(ix) = &s.stmt.kind else {
        return;
    };
    if ix.concurrently {
        return;
    }
    let Some(rel) = existing_table(ctx, model, &ix.table, s) else {
        return;
    };
    if let Some(name) = &ix.name
        && rel.indexes.iter().any(|i| i.name.as_deref() == Some(name))
    {
        return;
    }
    let text = ctx.text(s.file).get(s.stmt.span.range()).unwrap_or("");
    // `create [unique] index`: where `concurrently` goes.
    let words = leading_words(text, s.stmt.span.start, 3);
    let head = match words.iter().position(|(w, _)| w == "index") {
        Some(i) => Span::new(words[0].1.start, words[i].1.end),
        None => s.stmt.span,
    };
    let name = ix
        .name
        .as_ref()
        .map_or_else(|| "an index".to_string(), |n| format!("index {n}"));
    let mut d = INDEX_WITHOUT_CONCURRENTLY.diagnostic(
        ctx.path(s.file),
        head,
        format!(
            "creating {name} on {} without `concurrently` blocks writes to the table while the index builds",
            rel.display_name()
        ),
    );
    d.help = Some(match open_block(ctx, s) {
        Some(_) => "move it out of the `begin`/`commit` block into a migration file of its own, as `create index concurrently` (PostgreSQL refuses `concurrently` inside a transaction block)".into(),
        None => "use `create index concurrently`, alone in a migration file of its own: the Supabase CLI runs a file in one transaction, and versions before v2.109 refuse `concurrently` unless it is the file's only statement".into(),
    });
    out.push(d);
}
