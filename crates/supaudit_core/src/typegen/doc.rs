//! A small pretty-printer with Prettier's layout algorithm (groups that
//! break when they do not fit in 80 columns, indentation, `ifBreak`), and the
//! few TypeScript shapes the generated file uses, printed the way Prettier
//! (`semi: false`, double quotes, trailing commas) prints them. Also the
//! key order of `String.prototype.localeCompare`, which postgres-meta sorts by.

use std::cmp::Ordering;

const WIDTH: usize = 80;

#[derive(Debug, Clone)]
pub enum Doc {
    Text(String),
    Cat(Vec<Doc>),
    Group {
        doc: Box<Doc>,
        brk: bool,
    },
    Indent(Box<Doc>),
    /// A space, or a new line when its group breaks.
    Line,
    /// Nothing, or a new line when its group breaks.
    SoftLine,
    HardLine,
    IfBreak(Box<Doc>, Box<Doc>),
}

pub fn text(s: impl Into<String>) -> Doc {
    Doc::Text(s.into())
}

pub fn cat(docs: Vec<Doc>) -> Doc {
    Doc::Cat(docs)
}

pub fn indent(d: Doc) -> Doc {
    Doc::Indent(Box::new(d))
}

pub fn if_break(broken: Doc, flat: Doc) -> Doc {
    Doc::IfBreak(Box::new(broken), Box::new(flat))
}

/// A group; it breaks when it holds a hard line break (as Prettier propagates them).
pub fn group(d: Doc) -> Doc {
    group_if(d, false)
}

pub fn group_if(d: Doc, brk: bool) -> Doc {
    let brk = brk || has_hard_break(&d);
    Doc::Group {
        doc: Box::new(d),
        brk,
    }
}

fn has_hard_break(d: &Doc) -> bool {
    match d {
        Doc::HardLine => true,
        Doc::Group { brk, .. } => *brk,
        Doc::Cat(v) => v.iter().any(has_hard_break),
        Doc::Indent(x) => has_hard_break(x),
        Doc::IfBreak(b, f) => has_hard_break(b) || has_hard_break(f),
        Doc::Text(_) | Doc::Line | Doc::SoftLine => false,
    }
}

pub fn join(sep: Doc, docs: Vec<Doc>) -> Doc {
    let mut out = Vec::with_capacity(docs.len() * 2);
    for (i, d) in docs.into_iter().enumerate() {
        if i > 0 {
            out.push(sep.clone());
        }
        out.push(d);
    }
    Doc::Cat(out)
}

fn width(s: &str) -> usize {
    s.chars().count()
}

/// Prints `doc` at most 80 columns wide where it can.
pub fn print(doc: &Doc) -> String {
    let mut out = String::new();
    let mut pos = 0usize;
    let mut stack: Vec<(usize, bool, &Doc)> = vec![(0, false, doc)];
    while let Some((ind, flat, d)) = stack.pop() {
        match d {
            Doc::Text(s) => {
                out.push_str(s);
                pos += width(s);
            }
            Doc::Cat(v) => stack.extend(v.iter().rev().map(|x| (ind, flat, x))),
            Doc::Indent(x) => stack.push((ind + 2, flat, x)),
            Doc::Group { doc, brk } => {
                let flat = flat || (!brk && fits(doc, &stack, WIDTH as isize - pos as isize));
                stack.push((ind, flat, doc));
            }
            Doc::Line if flat => {
                out.push(' ');
                pos += 1;
            }
            Doc::SoftLine if flat => {}
            Doc::Line | Doc::SoftLine | Doc::HardLine => {
                let trimmed = out.trim_end_matches(' ').len();
                out.truncate(trimmed);
                out.push('\n');
                out.push_str(&" ".repeat(ind));
                pos = ind;
            }
            Doc::IfBreak(b, f) => stack.push((ind, flat, if flat { f } else { b })),
        }
    }
    out
}

/// Whether `next`, flat, and what follows it up to the next line break fit in `rem` columns.
fn fits(next: &Doc, rest: &[(usize, bool, &Doc)], mut rem: isize) -> bool {
    let mut cmds: Vec<(bool, &Doc)> = vec![(true, next)];
    let mut rest_idx = rest.len();
    loop {
        if rem < 0 {
            return false;
        }
        let Some((flat, d)) = cmds.pop() else {
            if rest_idx == 0 {
                return true;
            }
            rest_idx -= 1;
            let (_, f, d) = rest[rest_idx];
            cmds.push((f, d));
            continue;
        };
        match d {
            Doc::Text(s) => rem -= width(s) as isize,
            Doc::Cat(v) => cmds.extend(v.iter().rev().map(|x| (flat, x))),
            Doc::Indent(x) => cmds.push((flat, x)),
            Doc::Group { doc, brk } => cmds.push((flat && !brk, doc)),
            Doc::Line if flat => rem -= 1,
            Doc::SoftLine if flat => {}
            Doc::Line | Doc::SoftLine | Doc::HardLine => return true,
            Doc::IfBreak(b, f) => cmds.push((flat, if flat { f } else { b })),
        }
    }
}

// ---- TypeScript shapes ----

/// An object type `{ a: T; b: U }`; `expanded` keeps it on several lines
/// (Prettier keeps an object expanded when the source had a line break after `{`).
pub fn object_type(members: Vec<Doc>, expanded: bool) -> Doc {
    if members.is_empty() {
        return text("{}");
    }
    group_if(
        cat(vec![
            text("{"),
            indent(cat(vec![
                Doc::Line,
                join(cat(vec![if_break(text(""), text(";")), Doc::Line]), members),
            ])),
            Doc::Line,
            text("}"),
        ]),
        expanded,
    )
}

/// An object literal `{ a: 1, b: 2 }` (trailing comma when broken).
pub fn object_value(members: Vec<Doc>, expanded: bool) -> Doc {
    if members.is_empty() {
        return text("{}");
    }
    group_if(
        cat(vec![
            text("{"),
            indent(cat(vec![
                Doc::Line,
                join(cat(vec![text(","), Doc::Line]), members),
                if_break(text(","), text("")),
            ])),
            Doc::Line,
            text("}"),
        ]),
        expanded,
    )
}

/// An array literal or tuple type `[a, b]` (trailing comma when broken).
pub fn array(items: Vec<Doc>) -> Doc {
    if items.is_empty() {
        return text("[]");
    }
    group(cat(vec![
        text("["),
        indent(cat(vec![
            Doc::SoftLine,
            join(cat(vec![text(","), Doc::Line]), items),
            if_break(text(","), text("")),
        ])),
        Doc::SoftLine,
        text("]"),
    ]))
}

/// A union type; a broken union puts each member on its own line after `| `.
/// An object with only `null` besides it stays hugged (`{ … } | null`).
pub fn union(members: Vec<Doc>, hug: bool) -> Doc {
    if members.len() == 1 {
        return members.into_iter().next().unwrap_or_else(|| text("never"));
    }
    if hug {
        return join(text(" | "), members);
    }
    group(indent(cat(vec![
        if_break(cat(vec![Doc::Line, text("| ")]), text("")),
        join(
            cat(vec![Doc::Line, text("| ")]),
            members.into_iter().map(indent).collect(),
        ),
    ])))
}

/// `key: type` or `key?: type`.
pub fn prop(key: &str, optional: bool, ty: Doc) -> Doc {
    cat(vec![
        text(format!(
            "{}{}: ",
            prop_key(key),
            if optional { "?" } else { "" }
        )),
        ty,
    ])
}

/// A property key as Prettier prints it (`quoteProps: "as-needed"`): bare
/// when it is an identifier name, else a string.
pub fn prop_key(key: &str) -> String {
    let mut chars = key.chars();
    let ident = chars
        .next()
        .is_some_and(|c| c == '_' || c == '$' || c.is_alphabetic())
        && chars.all(|c| c == '_' || c == '$' || c.is_alphanumeric());
    if ident { key.to_string() } else { string(key) }
}

/// A string literal as Prettier prints `JSON.stringify(s)`: double quotes,
/// unless the text holds more double than single quotes.
pub fn string(s: &str) -> String {
    let json = serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into());
    let doubles = s.matches('"').count();
    let singles = s.matches('\'').count();
    if doubles <= singles {
        return json;
    }
    let inner = &json[1..json.len() - 1];
    format!("'{}'", inner.replace("\\\"", "\"").replace('\'', "\\'"))
}

// ---- localeCompare ----

/// The order of `a.localeCompare(b)` under ICU's root collation, for the
/// names SQL allows: punctuation before digits before letters, letters
/// without regard to case first, then lower case before upper case.
pub fn locale_cmp(a: &str, b: &str) -> Ordering {
    let (pa, ta) = collation_key(a);
    let (pb, tb) = collation_key(b);
    pa.cmp(&pb).then(ta.cmp(&tb)).then_with(|| a.cmp(b))
}

fn collation_key(s: &str) -> (Vec<u32>, Vec<u8>) {
    const PUNCT: &str = "_-,;:!?.'\"()[]{}@*/\\&#%`^+<=>|~$";
    let mut primary = Vec::with_capacity(s.len());
    let mut tertiary = Vec::with_capacity(s.len());
    for c in s.chars() {
        let (p, t) = if c.is_whitespace() {
            (1, 0)
        } else if let Some(i) = PUNCT.find(c) {
            (10 + i as u32, 0)
        } else if c.is_ascii_digit() {
            (100 + c as u32 - '0' as u32, 0)
        } else if c.is_ascii_alphabetic() {
            (
                200 + c.to_ascii_lowercase() as u32 - 'a' as u32,
                u8::from(c.is_ascii_uppercase()),
            )
        } else {
            (1000 + c as u32, 0)
        };
        primary.push(p);
        tertiary.push(t);
    }
    (primary, tertiary)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn objects_fit_or_break() {
        let short = object_type(
            vec![
                prop("Args", false, text("never")),
                prop("Returns", false, text("number")),
            ],
            false,
        );
        assert_eq!(
            print(&prop("f", false, short)),
            "f: { Args: never; Returns: number }"
        );
        let long = object_type(
            vec![
                prop("Args", false, text("x".repeat(60))),
                prop("Returns", false, text("number")),
            ],
            false,
        );
        assert_eq!(
            print(&prop("f", false, long)),
            format!("f: {{\n  Args: {}\n  Returns: number\n}}", "x".repeat(60))
        );
    }

    #[test]
    fn long_unions_break_with_leading_bars() {
        let members = (0..8).map(|i| text(format!("\"value_{i}\""))).collect();
        assert_eq!(
            print(&prop("status", false, union(members, false))),
            "status:\n  | \"value_0\"\n  | \"value_1\"\n  | \"value_2\"\n  | \"value_3\"\n  | \"value_4\"\n  | \"value_5\"\n  | \"value_6\"\n  | \"value_7\""
        );
        let short = union(vec![text("\"a\""), text("\"b\"")], false);
        assert_eq!(print(&prop("s", false, short)), "s: \"a\" | \"b\"");
    }

    #[test]
    fn keys_and_strings() {
        assert_eq!(prop_key("user_id"), "user_id");
        assert_eq!(prop_key("user-id"), "\"user-id\"");
        assert_eq!(prop_key("1st"), "\"1st\"");
        assert_eq!(prop_key(""), "\"\"");
        assert_eq!(string("it's"), "\"it's\"");
        assert_eq!(string("say \"hi\""), "'say \"hi\"'");
    }

    #[test]
    fn locale_order() {
        let mut v = vec!["userid", "user_id", "User", "a1", "a_b", "ab", "user"];
        v.sort_by(|a, b| locale_cmp(a, b));
        assert_eq!(v, ["a_b", "a1", "ab", "user", "User", "user_id", "userid"]);
    }
}
