//! A word-level scan of SQL text, for the few rules that read a statement's
//! words rather than its tree (leading keywords of a statement squawk could
//! not parse; `concurrently` inside dynamic SQL strings).

use crate::text::Span;

/// A piece of SQL text: a word (letters, digits, `_`, `$`; lower-cased) or
/// any other single byte. Whitespace and comments are skipped; quotes are
/// pieces too, so a scan decides itself whether to stop at a string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Piece {
    Word(String, Span),
    Punct(u8, Span),
}

/// The pieces of `text`, with spans shifted by `base` (its offset in the file).
pub(crate) fn pieces(text: &str, base: u32) -> impl Iterator<Item = Piece> + '_ {
    let b = text.as_bytes();
    let mut i = 0;
    std::iter::from_fn(move || {
        while i < b.len() {
            let c = b[i];
            if c == b'-' && b.get(i + 1) == Some(&b'-') {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            } else if c == b'/' && b.get(i + 1) == Some(&b'*') {
                i += 2;
                while i < b.len() && !(b[i] == b'*' && b.get(i + 1) == Some(&b'/')) {
                    i += 1;
                }
                i = (i + 2).min(b.len());
            } else if c.is_ascii_whitespace() {
                i += 1;
            } else if c.is_ascii_alphanumeric() || c == b'_' {
                let start = i;
                while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_' || b[i] == b'$')
                {
                    i += 1;
                }
                let span = Span::new(base + start as u32, base + i as u32);
                return Some(Piece::Word(text[start..i].to_ascii_lowercase(), span));
            } else {
                i += 1;
                return Some(Piece::Punct(
                    c,
                    Span::new(base + i as u32 - 1, base + i as u32),
                ));
            }
        }
        None
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_punctuation_and_comments() {
        let p: Vec<Piece> = pieces("Drop -- x\n/* y */ INDEX \"a\";", 10).collect();
        assert_eq!(
            p,
            vec![
                Piece::Word("drop".into(), Span::new(10, 14)),
                Piece::Word("index".into(), Span::new(28, 33)),
                Piece::Punct(b'"', Span::new(34, 35)),
                Piece::Word("a".into(), Span::new(35, 36)),
                Piece::Punct(b'"', Span::new(36, 37)),
                Piece::Punct(b';', Span::new(37, 38)),
            ]
        );
        // An unterminated block comment ends the text.
        assert_eq!(pieces("a /* b", 0).count(), 1);
    }
}
