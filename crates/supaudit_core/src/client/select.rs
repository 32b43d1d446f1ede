//! PostgREST column syntax: `select('id, author:profiles!inner(name), data->>k::text')`
//! and the filter strings of `.or('a.eq.1,and(b.gt.2,c.is.null)')`.

/// One item of a select list. Offsets are relative to the string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SelectItem {
    /// A column (possibly aliased, cast, JSON-pathed or aggregated).
    Column { name: String, at: u32 },
    /// `*`.
    Star,
    /// `count()` and other aggregates without a column.
    Aggregate,
    /// An embedded resource: `profiles(...)`, `author:profiles!fk(...)`.
    Embed {
        name: String,
        at: u32,
        hint: Option<String>,
        items: Vec<SelectItem>,
    },
}

/// Parses a select list; `None` when it is not in a shape this parser knows.
pub fn parse_select(s: &str) -> Option<Vec<SelectItem>> {
    let mut p = P {
        s: s.as_bytes(),
        i: 0,
    };
    let items = p.list(0)?;
    p.ws();
    (p.i == p.s.len()).then_some(items)
}

struct P<'a> {
    s: &'a [u8],
    i: usize,
}

impl P<'_> {
    fn ws(&mut self) {
        while self.i < self.s.len() && self.s[self.i].is_ascii_whitespace() {
            self.i += 1;
        }
    }
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }
    fn eat(&mut self, t: &str) -> bool {
        if self.s[self.i..].starts_with(t.as_bytes()) {
            self.i += t.len();
            true
        } else {
            false
        }
    }
    fn ident(&mut self) -> Option<(String, u32)> {
        self.ws();
        let start = self.i;
        if self.peek() == Some(b'"') {
            self.i += 1;
            let from = self.i;
            while self.i < self.s.len() && self.s[self.i] != b'"' {
                self.i += 1;
            }
            let name = std::str::from_utf8(&self.s[from..self.i]).ok()?.to_string();
            self.i += 1;
            return Some((name, from as u32));
        }
        while self.i < self.s.len()
            && (self.s[self.i].is_ascii_alphanumeric()
                || self.s[self.i] == b'_'
                || self.s[self.i] == b'$'
                || self.s[self.i] >= 0x80)
        {
            self.i += 1;
        }
        if self.i == start {
            return None;
        }
        Some((
            std::str::from_utf8(&self.s[start..self.i])
                .ok()?
                .to_string(),
            start as u32,
        ))
    }

    fn list(&mut self, depth: usize) -> Option<Vec<SelectItem>> {
        if depth > 32 {
            return None;
        }
        let mut items = Vec::new();
        loop {
            self.ws();
            if self.peek().is_none() || self.peek() == Some(b')') {
                // Empty list or trailing comma.
                return Some(items);
            }
            items.push(self.item(depth)?);
            self.ws();
            if !self.eat(",") {
                return Some(items);
            }
        }
    }

    fn item(&mut self, depth: usize) -> Option<SelectItem> {
        self.ws();
        self.eat("...");
        self.ws();
        if self.eat("*") {
            return Some(SelectItem::Star);
        }
        let (mut name, mut at) = self.ident()?;
        self.ws();
        if self.peek() == Some(b':') && !self.s[self.i..].starts_with(b"::") {
            self.i += 1;
            (name, at) = self.ident()?;
            self.ws();
        }
        let mut hint = None;
        if self.eat("!") {
            hint = Some(self.ident()?.0);
            self.ws();
        }
        if self.eat("(") {
            let items = self.list(depth + 1)?;
            self.ws();
            if !self.eat(")") {
                return None;
            }
            if items.is_empty() && hint.is_none() {
                // count(), sum() ...
                self.suffix()?;
                return Some(SelectItem::Aggregate);
            }
            return Some(SelectItem::Embed {
                name,
                at,
                hint,
                items,
            });
        }
        // `amount.sum()`
        if self.peek() == Some(b'.') {
            self.i += 1;
            self.ident()?;
            self.ws();
            if !(self.eat("(") && {
                self.ws();
                self.eat(")")
            }) {
                return None;
            }
        }
        self.suffix()?;
        Some(SelectItem::Column { name, at })
    }

    /// JSON paths (`->`, `->>`) and casts (`::type`).
    fn suffix(&mut self) -> Option<()> {
        loop {
            self.ws();
            if self.eat("->>") || self.eat("->") {
                self.ws();
                if self.peek() == Some(b'\'') {
                    self.i += 1;
                    while self.i < self.s.len() && self.s[self.i] != b'\'' {
                        self.i += 1;
                    }
                    self.i += 1;
                } else {
                    self.ident()?;
                }
            } else if self.eat("::") {
                self.ident()?;
                self.eat("[]");
            } else {
                return Some(());
            }
        }
    }
}

/// Column names used by a PostgREST logic filter string (`.or(...)`), with
/// offsets. Columns of embedded resources (`author.name`) are left out.
pub fn filter_columns(s: &str) -> Vec<(String, u32)> {
    let mut out = Vec::new();
    collect_filter(s, 0, &mut out, 0);
    out
}

fn collect_filter(s: &str, base: u32, out: &mut Vec<(String, u32)>, depth: usize) {
    if depth > 32 {
        return;
    }
    for (piece, at) in split_top(s) {
        let trimmed = piece.trim_start();
        let at = at + (piece.len() - trimmed.len()) as u32;
        let inner_logic = ["and(", "or(", "not.and(", "not.or("]
            .iter()
            .find(|p| trimmed.starts_with(**p));
        if let Some(p) = inner_logic {
            let inner = &trimmed[p.len()..];
            let inner = inner.strip_suffix(')').unwrap_or(inner);
            collect_filter(inner, base + at + p.len() as u32, out, depth + 1);
            continue;
        }
        let end = trimmed.find(['.', '-', ':']).unwrap_or(trimmed.len());
        let col = &trimmed[..end];
        // `author.name.eq.x` names an embedded resource's column: skip it.
        let rest = &trimmed[end..];
        let op = rest
            .strip_prefix('.')
            .map(|r| r.split('.').next().unwrap_or(""));
        if !col.is_empty() && (op.is_some_and(is_operator) || rest.starts_with("->")) {
            out.push((col.to_string(), base + at));
        }
    }
}

fn is_operator(op: &str) -> bool {
    matches!(
        op,
        "eq" | "neq"
            | "gt"
            | "gte"
            | "lt"
            | "lte"
            | "like"
            | "ilike"
            | "match"
            | "imatch"
            | "is"
            | "isdistinct"
            | "in"
            | "cs"
            | "cd"
            | "ov"
            | "sl"
            | "sr"
            | "nxl"
            | "nxr"
            | "adj"
            | "fts"
            | "plfts"
            | "phfts"
            | "wfts"
            | "not"
            | "like(any)"
            | "like(all)"
    )
}

/// Splits on commas outside parentheses and double quotes.
fn split_top(s: &str) -> Vec<(&str, u32)> {
    let mut out = Vec::new();
    let (mut depth, mut quoted, mut start) = (0i32, false, 0usize);
    for (i, c) in s.char_indices() {
        match c {
            '"' => quoted = !quoted,
            '(' if !quoted => depth += 1,
            ')' if !quoted => depth -= 1,
            ',' if !quoted && depth == 0 => {
                out.push((&s[start..i], start as u32));
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push((&s[start..], start as u32));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cols(items: &[SelectItem]) -> Vec<String> {
        items
            .iter()
            .map(|i| match i {
                SelectItem::Column { name, .. } => name.clone(),
                SelectItem::Star => "*".into(),
                SelectItem::Aggregate => "agg".into(),
                SelectItem::Embed { name, items, .. } => {
                    format!("{name}({})", cols(items).join(","))
                }
            })
            .collect()
    }

    #[test]
    fn parses_select_lists() {
        let s = "id, title:name, author:profiles!inner(id, full_name), data->>key::text, amount.sum(), count(), *, ...teams(name)";
        let items = parse_select(s).unwrap();
        assert_eq!(
            cols(&items),
            [
                "id",
                "name",
                "profiles(id,full_name)",
                "data",
                "amount",
                "agg",
                "*",
                "teams(name)"
            ]
        );
        match &items[1] {
            SelectItem::Column { at, .. } => assert_eq!(&s[*at as usize..*at as usize + 4], "name"),
            _ => unreachable!(),
        }
        assert_eq!(parse_select("").unwrap(), vec![]);
        assert!(parse_select("id, (").is_none());
        assert!(parse_select("a b").is_none());
        assert!(parse_select(&"x(".repeat(100)).is_none());
    }

    #[test]
    fn finds_filter_columns() {
        let s = "status.eq.open,and(priority.gt.2,owner.is.null),author.name.eq.x,data->>k.eq.1";
        let cols: Vec<String> = filter_columns(s).into_iter().map(|(c, _)| c).collect();
        assert_eq!(cols, ["status", "priority", "owner", "data"]);
        for (c, at) in filter_columns(s) {
            assert_eq!(&s[at as usize..at as usize + c.len()], c);
        }
    }
}
