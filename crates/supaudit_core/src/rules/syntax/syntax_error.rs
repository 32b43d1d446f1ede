use crate::diagnostic::Diagnostic;
use crate::rules::{Context, declare_rule};
use crate::text::Span;

declare_rule! {
    /// ## What it does
    /// Reports text that cannot be read: SQL the parser does not understand, a
    /// `supabase/config.toml` that is not valid TOML, or a file that is not text
    /// (binary, invalid UTF-8).
    ///
    /// At most one error is reported per line. The bodies of PL/pgSQL functions and `do` blocks are not checked: their
    /// parser is not yet reliable enough to report errors in them.
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
        effort: "15 min",
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
            out.push(SYNTAX_ERROR.diagnostic(unit.path, span, humanize(&e.message)));
        }
    }
}

/// The parser names tokens by their kind (`CREATE_KW`, `R_PAREN`); show them
/// as they are written instead.
fn humanize(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        out.push_str(&token_text(word).unwrap_or_else(|| word.clone()));
        word.clear();
    };
    for c in message.chars() {
        if c.is_ascii_uppercase() || c == '_' {
            word.push(c);
        } else if c.is_ascii_alphanumeric() && !word.is_empty() {
            // Part of a longer word: keep it as written.
            word.push(c);
            out.push_str(&word);
            word.clear();
        } else {
            flush(&mut word, &mut out);
            out.push(c);
        }
    }
    flush(&mut word, &mut out);
    // The parser's messages start in either case; ours start in lower case.
    let mut chars = out.chars();
    match (chars.next(), chars.next()) {
        (Some(a), Some(b)) if a.is_ascii_uppercase() && b.is_ascii_lowercase() => {
            a.to_ascii_lowercase().to_string() + &out[1..]
        }
        _ => out,
    }
}

fn token_text(kind: &str) -> Option<String> {
    if let Some(kw) = kind.strip_suffix("_KW")
        && !kw.is_empty()
    {
        return Some(format!("`{}`", kw.to_ascii_lowercase().replace('_', " ")));
    }
    let t = match kind {
        "EOF" => return Some("the end of the file".into()),
        "IDENT" => return Some("an identifier".into()),
        "SEMICOLON" => ";",
        "COMMA" => ",",
        "L_PAREN" => "(",
        "R_PAREN" => ")",
        "L_BRACK" => "[",
        "R_BRACK" => "]",
        "L_CURLY" => "{",
        "R_CURLY" => "}",
        "L_ANGLE" => "<",
        "R_ANGLE" => ">",
        "DOT" => ".",
        "DOT_DOT" => "..",
        "COLON" => ":",
        "COLON_EQ" => ":=",
        "EQ" => "=",
        "NEQ" => "!=",
        "NEQB" => "<>",
        "LTEQ" => "<=",
        "GTEQ" => ">=",
        "FAT_ARROW" => "=>",
        "STAR" => "*",
        "PLUS" => "+",
        "MINUS" => "-",
        "SLASH" => "/",
        "PERCENT" => "%",
        "CARET" => "^",
        "PIPE" => "|",
        "AMP" => "&",
        "TILDE" => "~",
        "BANG" => "!",
        "DOLLAR" => "$",
        "QUESTION" => "?",
        "POUND" => "#",
        "AT" => "@",
        _ => return None,
    };
    Some(format!("`{t}`"))
}

#[cfg(test)]
mod tests {
    use super::humanize;

    #[test]
    fn names_tokens_as_written() {
        assert_eq!(
            humanize("expected an expression, found CREATE_KW"),
            "expected an expression, found `create`"
        );
        assert_eq!(humanize("expected R_PAREN"), "expected `)`");
        assert_eq!(
            humanize("expected SELECT, TABLE, or VALUES statement, got EOF"),
            "expected SELECT, TABLE, or VALUES statement, got the end of the file"
        );
        assert_eq!(
            humanize("Missing semicolon between statements"),
            "missing semicolon between statements"
        );
    }
}
