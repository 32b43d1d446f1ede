use crate::diagnostic::Diagnostic;
use crate::rules::{Context, declare_rule};
use crate::text::Span;

declare_rule! {
    /// ## What it does
    /// Reports text that cannot be read: SQL the parser does not understand, a
    /// `supabase/config.toml` that is not valid TOML, or a file that is not text
    /// (binary, invalid UTF-8).
    ///
    /// ## Why it matters
    /// PostgreSQL will refuse the migration, and supaudit cannot check what it
    /// cannot read. The rest of the file is still analysed.
    ///
    /// ## Example
    /// ```sql
    /// create table public.notes (id bigint primary key,, body text);
    /// ```
    ///
    /// ## Fix
    /// Correct the statement; the message says what the parser expected.
    ///
    /// ## Reference
    /// Parser: squawk-syntax.
    pub static SYNTAX_ERROR = {
        name: "syntax-error",
        category: Syntax,
        severity: Error,
        fix: false,
        check: check,
    }
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for unit in ctx.sql {
        let len = unit.text.len() as u32;
        let mut last_line_reported = None;
        for e in &unit.sql.errors {
            // One error per line keeps cascades readable.
            let line = unit.text[..(e.span.start.min(len)) as usize]
                .matches('\n')
                .count();
            if last_line_reported == Some(line) {
                continue;
            }
            last_line_reported = Some(line);
            let mut span = e.span;
            if span.is_empty() {
                // Point at the next character, or the previous one at the end of the file.
                let end = unit.text[span.start as usize..]
                    .chars()
                    .next()
                    .map(|c| span.start + c.len_utf8() as u32);
                span = match end {
                    Some(end) => Span::new(span.start, end),
                    None => span,
                };
            }
            out.push(SYNTAX_ERROR.diagnostic(unit.path, span, e.message.clone()));
        }
    }
}
