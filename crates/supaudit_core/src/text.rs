//! Byte ranges in the core; line/column conversions at the edges.

use serde::Serialize;

/// A half-open byte range `start..end` into one file's text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize)]
pub struct Span {
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub const fn new(start: u32, end: u32) -> Self {
        Span { start, end }
    }
    pub const fn empty(at: u32) -> Self {
        Span { start: at, end: at }
    }
    pub fn len(self) -> u32 {
        self.end - self.start
    }
    pub fn is_empty(self) -> bool {
        self.start == self.end
    }
    pub fn contains(self, other: Span) -> bool {
        self.start <= other.start && other.end <= self.end
    }
    pub fn shift(self, by: u32) -> Span {
        Span::new(self.start + by, self.end + by)
    }
    pub fn range(self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }
}

/// 1-based line and column. Columns count Unicode scalar values (characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct LineCol {
    pub line: u32,
    pub column: u32,
}

/// Maps byte offsets of one text to lines and columns.
#[derive(Debug, Clone)]
pub struct LineIndex {
    /// Byte offset at which each line starts.
    starts: Vec<u32>,
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(
            text.bytes()
                .enumerate()
                .filter(|(_, b)| *b == b'\n')
                .map(|(i, _)| i as u32 + 1),
        );
        LineIndex { starts }
    }

    pub fn line_count(&self) -> usize {
        self.starts.len()
    }

    /// 0-based line of a byte offset.
    pub fn line_of(&self, offset: u32) -> usize {
        match self.starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        }
    }

    pub fn line_start(&self, line: usize) -> u32 {
        self.starts[line]
    }

    /// Byte range of a 0-based line, without its line terminator.
    pub fn line_span(&self, line: usize, text: &str) -> Span {
        let start = self.starts[line];
        let mut end = self
            .starts
            .get(line + 1)
            .map(|s| s - 1)
            .unwrap_or(text.len() as u32);
        if end > start && text.as_bytes().get(end as usize - 1) == Some(&b'\r') {
            end -= 1;
        }
        Span::new(start, end)
    }

    /// 1-based line and character column of a byte offset.
    pub fn line_col(&self, offset: u32, text: &str) -> LineCol {
        let offset = clamp_to_char(text, offset);
        let line = self.line_of(offset);
        let start = self.starts[line] as usize;
        let column = text[start..offset as usize].chars().count() as u32 + 1;
        LineCol {
            line: line as u32 + 1,
            column,
        }
    }

    /// 0-based line and UTF-16 column (for LSP and browser editors).
    pub fn utf16_position(&self, offset: u32, text: &str) -> (u32, u32) {
        let offset = clamp_to_char(text, offset);
        let line = self.line_of(offset);
        let start = self.starts[line] as usize;
        let col = text[start..offset as usize]
            .chars()
            .map(|c| c.len_utf16() as u32)
            .sum();
        (line as u32, col)
    }

    /// Byte offset of a 0-based line and UTF-16 column; clamps to the line end.
    pub fn offset_of_utf16(&self, line: u32, col: u32, text: &str) -> u32 {
        let Some(&start) = self.starts.get(line as usize) else {
            return text.len() as u32;
        };
        let span = self.line_span(line as usize, text);
        let mut units = 0;
        for (i, c) in text[span.range()].char_indices() {
            if units >= col {
                return start + i as u32;
            }
            units += c.len_utf16() as u32;
        }
        span.end
    }
}

fn clamp_to_char(text: &str, offset: u32) -> u32 {
    let mut o = (offset as usize).min(text.len());
    while !text.is_char_boundary(o) {
        o -= 1;
    }
    o as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_characters() {
        let text = "ab\néé x\r\nz";
        let idx = LineIndex::new(text);
        assert_eq!(idx.line_col(0, text), LineCol { line: 1, column: 1 });
        let x = text.find('x').unwrap() as u32;
        assert_eq!(idx.line_col(x, text), LineCol { line: 2, column: 4 });
        assert_eq!(idx.line_span(1, text), Span::new(3, 9));
        let z = text.find('z').unwrap() as u32;
        assert_eq!(idx.line_col(z, text), LineCol { line: 3, column: 1 });
        assert_eq!(idx.utf16_position(x, text), (1, 3));
        assert_eq!(idx.offset_of_utf16(1, 3, text), x);
    }
}
