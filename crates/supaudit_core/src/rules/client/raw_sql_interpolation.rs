use crate::diagnostic::Diagnostic;
use crate::rules::{Context, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports SQL text built from values — a template literal with `${…}`
    /// or a `+` concatenation whose text reads like SQL (`select … from`,
    /// `where`, `insert into`, …) — passed as an argument of `.rpc(fn, { … })`
    /// or as the first argument of a raw-SQL call (`query`, `sql`, `execute`,
    /// `unsafe`, `raw`, `$queryRawUnsafe`, `$executeRawUnsafe`), directly or
    /// through a variable. Tagged templates (`` sql`… ${id}` `` in postgres.js,
    /// Drizzle, Prisma's `$queryRaw`) send the values as parameters and are
    /// not reported.
    ///
    /// Only values that can carry input count. Not reported: values fixed in
    /// the code — string and number literals, a `const` of the file bound to
    /// one (or to a template, concatenation or conditional of constants), an
    /// UPPER_CASE name (`${ISSUES_TABLE}`, also imported), an enum member
    /// (`${Table.Issues}`); a positional parameter's number (`$${i + 1}`) and
    /// lists of them (`cols.map((_, i) => `$${i + 1}`).join(', ')`); a
    /// double-quoted identifier (`"${table}"`). Raw-SQL calls on a database
    /// local to the device (a receiver named `powerSync`, `…sqlite…`,
    /// `…pglite…`, or any receiver in a file that imports PowerSync, SQLite
    /// or PGlite and no Postgres driver) are left out: this rule is about SQL
    /// that reaches the project's Postgres (`rpc` arguments, postgres.js
    /// `sql.unsafe`, `pg`'s `query`, Prisma's `$queryRawUnsafe`). A value the
    /// code cannot show to be constant (a function's result, an array filled
    /// by `push`) is still reported.
    ///
    /// ## Why it matters
    /// A value spliced into SQL text becomes SQL: a name such as
    /// `x'; drop table users; --` or `' or true --` changes the statement
    /// (SQL injection). A function that runs SQL text it is given
    /// (`exec_sql`) and a server-side pool run it with their own privileges,
    /// past row level security.
    ///
    /// ## Example
    /// ```ts
    /// await pool.query(`select * from orders where customer = '${name}'`);
    /// await supabase.rpc('exec_sql', { query: `delete from notes where id = ${id}` });
    /// ```
    ///
    /// ## Fix
    /// ```ts
    /// await pool.query('select * from orders where customer = $1', [name]);
    /// await sql`select * from orders where customer = ${name}`;
    /// await supabase.from('notes').delete().eq('id', id);
    /// ```
    /// Instead of a function that runs SQL text, write a SQL function that
    /// takes the values as arguments (and `format('%I', …)` for identifiers).
    ///
    /// ## Reference
    /// Seed audit 000 §5.3 (SQL injection prevention).
    pub static RAW_SQL_INTERPOLATION = {
        name: "raw-sql-interpolation",
        category: Security,
        severity: Error,
        fix: false,
        effort: "1-2 hours",
        check: check,
    }
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for unit in ctx.clients {
        for (sink, span) in &unit.ir.sql_interpolations {
            let how = if unit
                .text
                .get(span.range())
                .is_some_and(|t| t.starts_with('`'))
            {
                "template interpolation"
            } else {
                "string concatenation"
            };
            let to = if sink == "rpc" {
                "an argument of `rpc()`".to_string()
            } else {
                format!("`{sink}()`")
            };
            let mut d = RAW_SQL_INTERPOLATION.diagnostic(
                unit.path,
                *span,
                format!("SQL built by {how} is passed to {to}: the values become part of the statement (SQL injection)"),
            );
            d.help = Some(if sink == "rpc" {
                "do not send SQL text to a function; write a SQL function that takes the values as arguments (use `format('%I', …)` for identifiers), or use the query builder".to_string()
            } else {
                "pass the values as parameters: `query('… where id = $1', [id])`, or a tagged template such as sql`… where id = ${id}`".to_string()
            });
            out.push(d);
        }
    }
}
