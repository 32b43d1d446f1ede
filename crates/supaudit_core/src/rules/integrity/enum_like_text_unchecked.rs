use std::collections::BTreeSet;

use super::common::{
    checks_on, column_anchor, column_comments, fresh_constraint_name, in_foreign_key, is_textual,
    project_tables, sql_literal,
};
use crate::client::{Arg, Shape};
use crate::diagnostic::Diagnostic;
use crate::model::{Column, Relation};
use crate::rules::client::{Lookup, query_table};
use crate::rules::helpers::{quote_ident, rel_sql_name};
use crate::rules::{Context, append_stmt_fix, declare_rule};
use crate::sql::{Expr, ExprKind, StmtKind};

declare_rule! {
    /// ## What it does
    /// Reports text columns named like a fixed set of values — `status`,
    /// `state`, `type`, `kind`, `role`, `tier`, `priority`, or ending in
    /// `_status`, `_type`, `_kind`, `_role`, `_tier`, `_priority` (not
    /// `content_type`, `mime_type`, `media_type`) — with no CHECK that
    /// mentions them, no foreign key to a lookup table, and not typed as an
    /// enum or a domain.
    ///
    /// ## Why it matters
    /// Any string is accepted: a typo (`'complete'` for `'completed'`), a
    /// value from an old client, or a value that a policy or a `where status
    /// = 'published'` never matches. The rows look valid and are silently
    /// left out of queries; RLS policies comparing the column are bypassed or
    /// never satisfied.
    ///
    /// ## Example
    /// ```sql
    /// create table public.projects (
    ///   id uuid primary key,
    ///   status text not null default 'active'
    /// );
    /// ```
    ///
    /// ## Fix
    /// ```sql
    /// alter table public.projects add constraint projects_status_check
    ///   check (status in ('active', 'archived'));
    /// ```
    /// The fix is offered when client code shows the values: the strings it
    /// writes into the column with `.insert()`, `.update()`, `.upsert()` or
    /// compares it with in `.eq()`, `.neq()`, `.in()`; the list also takes
    /// the column's literal default, values listed in a comment on the column
    /// (`-- draft, published, archived`), the values the migrations and seed
    /// insert, and the literals SQL compares the column with (`status =
    /// 'archived'` in functions, policies, indexes). It is appended after the
    /// statement that created the column, and is unsafe: review the list,
    /// since adding the constraint fails while a row holds another value. An
    /// enum type (`create type … as enum`) is the alternative.
    ///
    /// ## Reference
    /// Seed audit 002 "Missing enum validation for critical fields"; seed
    /// audit 004 "Check Constraints: Enum-style constraints on status/type
    /// fields".
    pub static ENUM_LIKE_TEXT_UNCHECKED = {
        name: "enum-like-text-unchecked",
        category: Integrity,
        severity: Info,
        fix: true,
        effort: "15 min",
        check: check,
    }
}

fn enum_like(name: &str) -> bool {
    const EXACT: &[&str] = &[
        "status", "state", "type", "kind", "role", "tier", "priority",
    ];
    const SUFFIXES: &[&str] = &["_status", "_type", "_kind", "_role", "_tier", "_priority"];
    const FREE_FORM: &[&str] = &["content_type", "mime_type", "media_type", "mimetype"];
    EXACT.contains(&name)
        || (SUFFIXES.iter().any(|s| name.ends_with(s))
            && !FREE_FORM.iter().any(|f| name.ends_with(f)))
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for rel in project_tables(ctx) {
        for col in &rel.columns {
            let Some(ty) = &col.ty else { continue };
            if !enum_like(&col.name)
                || !is_textual(ty)
                || in_foreign_key(rel, &col.name)
                || checks_on(rel, &col.name).next().is_some()
            {
                continue;
            }
            let mut d = ctx.at(
                &ENUM_LIKE_TEXT_UNCHECKED,
                &col.origin,
                format!(
                    "{}.{} is `{}` with no CHECK: any string is accepted",
                    rel.display_name(),
                    col.name,
                    ty.text
                ),
            );
            d.help = Some(format!(
                "restrict it to its values: `check ({} in (…))`, or use an enum type",
                quote_ident(&col.name)
            ));
            let client = client_values(ctx, rel, &col.name);
            if !client.is_empty()
                && let Some(at) = column_anchor(ctx, rel, col)
            {
                let mut values = client;
                values.extend(sql_values(ctx, rel, col));
                let list: Vec<String> = values.iter().map(|v| sql_literal(v)).collect();
                let name = fresh_constraint_name(rel, &format!("{}_{}_check", rel.name, col.name));
                let sql = format!(
                    "alter table {} add constraint {} check ({} in ({}));",
                    rel_sql_name(rel),
                    quote_ident(&name),
                    quote_ident(&col.name),
                    list.join(", ")
                );
                d.fixes.push(append_stmt_fix(
                    ctx,
                    &at,
                    format!("Allow only the values in use: {}", list.join(", ")),
                    &sql,
                    false,
                ));
            }
            out.push(d);
        }
    }
}

/// String values client code writes into `rel.col` or compares it with.
fn client_values(ctx: &Context, rel: &Relation, col: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for unit in ctx.clients {
        let ir = &unit.ir;
        let on_rel: Vec<bool> = ir
            .queries
            .iter()
            .map(|q| {
                matches!(query_table(ctx, q), Some((_, Lookup::Found(r)))
                    if r.schema == rel.schema && r.name == rel.name)
            })
            .collect();
        for w in &ir.written {
            if on_rel.get(w.query) == Some(&true)
                && w.column == col
                && let Some(Shape::Str(s)) = &w.shape
            {
                out.insert(s.clone());
            }
        }
        for (qi, q) in ir.queries.iter().enumerate() {
            if !on_rel[qi] {
                continue;
            }
            for op in &q.ops {
                let Some(Arg::Str(c)) = op.args.first() else {
                    continue;
                };
                if c.value != col {
                    continue;
                }
                match op.method.as_str() {
                    "eq" | "neq" => {
                        if let Some(Some(Shape::Str(s))) = op.shapes.get(1) {
                            out.insert(s.clone());
                        }
                    }
                    "in" => match op.args.get(1) {
                        Some(Arg::Other(span)) => {
                            out.extend(js_string_array(&unit.text[span.range()]));
                        }
                        Some(Arg::Str(s)) => {
                            out.insert(s.value.clone());
                        }
                        _ => {}
                    },
                    _ => {}
                }
            }
        }
    }
    out
}

/// The string literals of a JavaScript array literal (`['a', "b"]`).
fn js_string_array(text: &str) -> Vec<String> {
    let t = text.trim();
    let Some(inner) = t.strip_prefix('[').and_then(|t| t.strip_suffix(']')) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut chars = inner.chars().peekable();
    while let Some(c) = chars.next() {
        if matches!(c, '\'' | '"' | '`') {
            let mut s = String::new();
            let mut ok = true;
            loop {
                match chars.next() {
                    None => {
                        ok = false;
                        break;
                    }
                    Some('\\') => match chars.next() {
                        Some(e) => s.push(e),
                        None => {
                            ok = false;
                            break;
                        }
                    },
                    Some(x) if x == c => break,
                    Some('$') if c == '`' && chars.peek() == Some(&'{') => {
                        ok = false;
                        s.push('$');
                    }
                    Some(x) => s.push(x),
                }
            }
            if ok {
                out.push(s);
            }
        }
    }
    out
}

/// Values the SQL side gives the column: its literal default, values the
/// migrations and seed insert, literals statements about the table compare
/// or assign it (`status = 'archived'`, `status in ('a', 'b')`).
fn sql_values(ctx: &Context, rel: &Relation, col: &Column) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    if let Some(v) = col.default.as_ref().and_then(Expr::string_value) {
        out.insert(v.to_string());
    }
    for c in column_comments(ctx, col) {
        out.extend(listed_values(&c));
    }
    for unit in ctx.sql {
        for s in &unit.sql.stmts {
            if let StmtKind::Insert(ins) = &s.kind
                && ins.table.schema_or_public() == rel.schema
                && ins.table.name == rel.name
                && let Some(i) = ins.columns.iter().position(|c| c == &col.name)
            {
                for row in &ins.rows {
                    if let Some(v) = row.values.get(i).and_then(Expr::string_value) {
                        out.insert(v.to_string());
                    }
                }
            }
            let text = &unit.text[s.span.range()];
            if text
                .to_ascii_lowercase()
                .contains(&rel.name.to_ascii_lowercase())
            {
                out.extend(compared_literals(text, &col.name));
            }
        }
    }
    for e in rel
        .policies
        .iter()
        .flat_map(|p| p.using.iter().chain(p.with_check.iter()))
        .chain(rel.indexes.iter().filter_map(|i| i.predicate_expr.as_ref()))
    {
        for x in e.walk() {
            if matches!(x.kind, ExprKind::Binary { .. })
                && x.children
                    .iter()
                    .any(|c| c.column_name() == Some(col.name.as_str()))
            {
                for c in x.children.iter().flat_map(|c| c.walk()) {
                    if let Some(v) = c.string_value() {
                        out.insert(v.to_string());
                    }
                }
            }
        }
    }
    out
}

/// The values a comment lists: `-- draft, published, archived`,
/// `-- 'a' | 'b'`. Only comments made of nothing but two or more such words.
fn listed_values(comment: &str) -> Vec<String> {
    let body = comment
        .trim()
        .trim_start_matches("--")
        .trim_start_matches("/*")
        .trim_end_matches("*/")
        .trim();
    let parts: Vec<&str> = body
        .split([',', '|', '/'])
        .map(|p| p.trim().trim_matches(|c| c == '\'' || c == '"'))
        .collect();
    let word = |p: &str| {
        !p.is_empty()
            && p.len() <= 40
            && p.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    };
    if parts.len() >= 2 && parts.iter().all(|p| word(p)) {
        parts.iter().map(|p| p.to_string()).collect()
    } else {
        Vec::new()
    }
}

/// Literals that `text` compares or assigns the column `col` with:
/// `col = 'x'`, `col <> 'x'`, `col := 'x'`, `col in ('x', 'y')`.
fn compared_literals(text: &str, col: &str) -> Vec<String> {
    let lower = text.to_ascii_lowercase();
    let col = col.to_ascii_lowercase();
    let bytes = lower.as_bytes();
    let ident = |b: u8| b.is_ascii_alphanumeric() || b == b'_' || b == b'$';
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(i) = lower[from..].find(&col).map(|i| i + from) {
        from = i + col.len();
        if (i > 0 && ident(bytes[i - 1])) || bytes.get(from).is_some_and(|b| ident(*b)) {
            continue;
        }
        let rest = lower[from..].trim_start();
        let (after_op, list) = if let Some(r) = rest
            .strip_prefix(":=")
            .or_else(|| rest.strip_prefix("<>"))
            .or_else(|| rest.strip_prefix("!="))
            .or_else(|| rest.strip_prefix('='))
        {
            (r, false)
        } else if let Some(r) = rest.strip_prefix("in") {
            match r.trim_start().strip_prefix('(') {
                Some(r) if !r.is_empty() => (r, true),
                _ => continue,
            }
        } else {
            continue;
        };
        // Read literals from the original text (values keep their case).
        let mut pos = text.len() - after_op.len();
        loop {
            let r = &text[pos..];
            let r_trim = r.trim_start();
            pos += r.len() - r_trim.len();
            let Some(body) = r_trim.strip_prefix('\'') else {
                break;
            };
            let mut value = String::new();
            let mut chars = body.char_indices();
            let mut end = None;
            while let Some((j, c)) = chars.next() {
                if c == '\'' {
                    if body[j + 1..].starts_with('\'') {
                        value.push('\'');
                        chars.next();
                    } else {
                        end = Some(j + 1);
                        break;
                    }
                } else {
                    value.push(c);
                }
            }
            let Some(end) = end else { break };
            out.push(value);
            pos += 1 + end;
            if !list {
                break;
            }
            let r = text[pos..].trim_start();
            match r.strip_prefix(',') {
                Some(rest) => pos = text.len() - rest.len(),
                None => break,
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_literals() {
        assert_eq!(
            js_string_array("['a', \"b\", `c`, x, `d${e}`]"),
            vec!["a", "b", "c"]
        );
        assert_eq!(
            listed_values("-- draft, published, archived"),
            vec!["draft", "published", "archived"]
        );
        assert!(listed_values("-- see the docs, section 2").is_empty());
        assert_eq!(
            compared_literals(
                "set status = 'archived' where Status in ('Draft', 'it''s') and xstatus = 'no'",
                "status"
            ),
            vec!["archived", "Draft", "it's"]
        );
        assert!(enum_like("approval_status"));
        assert!(!enum_like("content_type"));
        assert!(!enum_like("statuses"));
    }
}
