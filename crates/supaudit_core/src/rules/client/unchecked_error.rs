use crate::client::{Query, QueryResult, Target};
use crate::diagnostic::{Diagnostic, Edit, Fix};
use crate::rules::{Context, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports the result of an awaited supabase-js query that is destructured
    /// without `error` (`const { data } = await supabase.from('t').select()`),
    /// or whose `error` (also when renamed, `error: e`) is never read
    /// afterwards. A result kept whole (`const res = await …`) is reported only
    /// when nothing but other properties (`res.data`) is ever read from it.
    /// A write (`insert`, `update`, `upsert`, `delete`) or `rpc` awaited as a
    /// statement of its own (`await supabase.from('t').insert(row);`) drops
    /// its result, `error` included, and is reported too, except in tests and
    /// scripts (set-up and seeding code that drops results on purpose).
    /// Chains with `.throwOnError()` are not reported, nor results whose
    /// `data` is tested for null in the same scope by an `if` that throws or
    /// returns (`if (!data) throw new Error('not found')`, also `data == null`,
    /// `!data?.length`, or `notFound()` / `redirect()`): a failed request
    /// gives `data: null`, so that branch handles it deliberately, even if
    /// the error's message is lost.
    ///
    /// ## Why it matters
    /// supabase-js does not throw when a request fails: it resolves to
    /// `{ data: null, error }`. Code that ignores `error` treats a failed
    /// write as done and a failed read (a denied RLS policy, a renamed column,
    /// a timeout) as an empty list, so failures go unnoticed and users see
    /// wrong data instead of an error.
    ///
    /// ## Example
    /// ```ts
    /// const { data } = await supabase.from('datasets').select('*').eq('user_id', userId);
    /// return data ?? [];
    /// ```
    ///
    /// ## Fix
    /// ```ts
    /// const { data, error } = await supabase.from('datasets').select('*').eq('user_id', userId);
    /// if (error) throw error;
    /// return data;
    /// ```
    /// Or add `.throwOnError()` to the chain so that a failure throws.
    ///
    /// The fix (unsafe: the function now throws where it went on before)
    /// adds `error` to the destructuring when it is missing (as `queryError`
    /// when the file already uses the name `error`) and inserts
    /// `if (error) throw error;` after the declaration, indented as it. It is
    /// not offered for a declaration with several declarators. For a
    /// discarded result it appends `.throwOnError()` to the chain.
    ///
    /// ## Reference
    /// Seed audit 000 §4.1 (query patterns: error handling).
    pub static UNCHECKED_ERROR = {
        name: "unchecked-error",
        category: Client,
        severity: Warning,
        fix: true,
        effort: "15 min",
        check: check,
    }
}

const HELP: &str = "supabase-js does not throw when a request fails; check the error: `const { data, error } = await …; if (error) throw error;` (or add `.throwOnError()` to the chain)";

/// What the query is, for messages: "query on `t`", "call to `f`".
fn what(q: &Query) -> String {
    match &q.target {
        Target::Table { name, .. } => format!("query on `{}`", name.value),
        Target::Rpc { name, .. } => format!("call to `{}`", name.value),
    }
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for unit in ctx.clients {
        let ir = &unit.ir;
        for r in &ir.results {
            let Some(q) = ir.queries.get(r.query) else {
                continue;
            };
            // `.then()` / `.catch()` change what is awaited.
            if r.data_guarded
                || ["throwOnError", "then", "catch", "finally"]
                    .iter()
                    .any(|m| q.op(m).is_some())
            {
                continue;
            }
            let (span, message) = match (&r.keys, &r.error) {
                (Some(keys), _) if !keys.iter().any(|k| k == "error") => {
                    if r.open {
                        continue;
                    }
                    (
                        r.span,
                        format!(
                            "the result of this {} is destructured without `error`: a failed request goes unnoticed",
                            what(q)
                        ),
                    )
                }
                (Some(_), Some((name, at))) if !r.error_read => (
                    *at,
                    format!(
                        "`{name}` of this {} is never read: a failed request goes unnoticed",
                        what(q)
                    ),
                ),
                (None, Some((name, at))) if !r.error_read => (
                    *at,
                    format!(
                        "`{name}.error` of this {} is never read: a failed request goes unnoticed",
                        what(q)
                    ),
                ),
                _ => continue,
            };
            let mut d = UNCHECKED_ERROR.diagnostic(unit.path, span, message);
            d.help = Some(HELP.to_string());
            if let Some(fix) = fix(unit.path, unit.text, r) {
                d.fixes.push(fix);
            }
            out.push(d);
        }
        // `await supabase.from('t').insert(row);`: the result, `error`
        // included, is dropped. Reads are not reported (dropping a read is
        // pointless, not a silent failure).
        if crate::client::is_test_or_script_path(unit.path) {
            continue;
        }
        for q in ir.queries.iter().filter(|q| q.discarded) {
            let write = matches!(q.target, Target::Rpc { .. })
                || ["insert", "update", "upsert", "delete"]
                    .iter()
                    .any(|m| q.op(m).is_some());
            if !write
                || ["throwOnError", "then", "catch", "finally"]
                    .iter()
                    .any(|m| q.op(m).is_some())
            {
                continue;
            }
            let mut d = UNCHECKED_ERROR.diagnostic(
                unit.path,
                q.span,
                format!(
                    "the result of this {} is discarded: a failed write goes unnoticed",
                    what(q)
                ),
            );
            d.help = Some(HELP.to_string());
            d.fixes.push(Fix::unsafe_(
                "Add `.throwOnError()` so that a failure throws",
                vec![Edit::insert(unit.path, q.span.end, ".throwOnError()")],
            ));
            out.push(d);
        }
    }
}

/// Adds `error` to the binding if needed and `if (error) throw error;` after
/// the declaration.
fn fix(path: &str, text: &str, r: &QueryResult) -> Option<Fix> {
    let end = r.decl_end as usize;
    let rest = text.get(end..)?;
    let gap = rest.len() - rest.trim_start_matches([' ', '\t']).len();
    // After the declarator: `;`, the end of the line (no-semicolon style), or
    // another declarator (`, b = …`: no fix).
    let (insert_at, semi) = match rest[gap..].chars().next() {
        Some(';') => (end + gap + 1, ";"),
        None | Some('\n') | Some('\r') => (end, ""),
        _ => return None,
    };
    let line_start = text[..r.span.start as usize]
        .rfind('\n')
        .map_or(0, |i| i + 1);
    let indent: String = text[line_start..]
        .chars()
        .take_while(|c| *c == ' ' || *c == '\t')
        .collect();
    let mut edits = Vec::new();
    let checked = match (&r.keys, &r.error) {
        (Some(_), None) => {
            let pattern = text.get(r.span.start as usize..r.span.end as usize)?;
            // The pattern alone (`{ data }`), not a type annotation after it.
            let close = pattern.trim_end().strip_suffix('}')?.len();
            let before = pattern[..close].trim_end();
            let name = free_name(text);
            let key = if name == "error" {
                "error".to_string()
            } else {
                format!("error: {name}")
            };
            let insertion = if before.ends_with('{') {
                format!(" {key} ")
            } else if before.ends_with(',') {
                format!(" {key}")
            } else {
                format!(", {key}")
            };
            edits.push(Edit::insert(
                path,
                r.span.start + before.len() as u32,
                insertion,
            ));
            name
        }
        (Some(_), Some((name, _))) => name.clone(),
        (None, Some((name, _))) => format!("{name}.error"),
        (None, None) => return None,
    };
    edits.push(Edit::insert(
        path,
        insert_at as u32,
        format!("\n{indent}if ({checked}) throw {checked}{semi}"),
    ));
    Some(Fix::unsafe_(
        format!("Throw `{checked}` when the request fails"),
        edits,
    ))
}

/// `error`, or `queryError`, `queryError2`, … when the file already uses it as
/// a word (another binding in scope would be redeclared).
fn free_name(text: &str) -> String {
    let used = |name: &str| {
        text.match_indices(name).any(|(i, _)| {
            let before = text[..i].chars().next_back();
            let after = text[i + name.len()..].chars().next();
            let ident =
                |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '$');
            !ident(before) && !ident(after)
        })
    };
    for name in ["error", "queryError"] {
        if !used(name) {
            return name.to_string();
        }
    }
    (2..)
        .map(|n| format!("queryError{n}"))
        .find(|n| !used(n))
        .unwrap_or_default()
}
