use crate::diagnostic::{Diagnostic, Edit, Fix};
use crate::rules::{Context, declare_rule};
use crate::text::Span;

declare_rule! {
    /// ## What it does
    /// Reports `create extension` statements that install into `public`, either
    /// explicitly or by not naming a schema.
    ///
    /// ## Why it matters
    /// Extension objects in `public` are exposed through the API like your own
    /// functions and tables, clutter the generated types, and make a later move
    /// hard. Supabase installs extensions into the `extensions` schema.
    ///
    /// ## Example
    /// ```sql
    /// create extension if not exists pg_trgm;
    /// ```
    ///
    /// ## Fix
    /// ```sql
    /// create extension if not exists pg_trgm with schema extensions;
    /// ```
    /// An explicit `schema public` is replaced by `schema extensions`.
    /// The fix is unsafe: code that calls the extension's functions unqualified
    /// must find them on its search_path.
    ///
    /// ## Reference
    /// Supabase linter `extension_in_public`.
    pub static EXTENSION_IN_PUBLIC = {
        name: "extension-in-public",
        category: Security,
        severity: Warning,
        fix: true,
        effort: "30 min",
        check: check,
    }
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for ext in ctx.model.extensions.values() {
        if ext.origin.is_platform() || ext.schema.as_deref().is_some_and(|s| s != "public") {
            continue;
        }
        let mut d = ctx.at(
            &EXTENSION_IN_PUBLIC,
            &ext.origin,
            format!("extension {} is installed in the public schema", ext.name),
        );
        d.help = Some("install extensions `with schema extensions`".into());
        let path = ctx.path(ext.origin.file);
        let edit = if ext.schema.is_none() {
            schema_insert_at(ctx.text(ext.origin.file), ext.origin.stmt, &ext.name)
                .map(|(at, text)| Edit::insert(path, at, text))
        } else {
            schema_public_span(ctx.text(ext.origin.file), ext.origin.stmt)
                .map(|span| Edit::replace(path, span, "extensions"))
        };
        if let Some(edit) = edit {
            d.fixes.push(Fix::unsafe_(
                "Install into the extensions schema",
                vec![edit],
            ));
        }
        out.push(d);
    }
}

/// Where to add the schema: right after the extension's name, before any
/// `version`/`cascade` option (`create extension x with schema extensions cascade`),
/// or after a `with` that is already there.
fn schema_insert_at(text: &str, stmt: Span, name: &str) -> Option<(u32, &'static str)> {
    if name.is_empty() {
        return None;
    }
    let s = text.get(stmt.range())?;
    let lower = s.to_ascii_lowercase();
    let kw = lower.find("extension")? + "extension".len();
    let quoted = format!("\"{name}\"");
    let word = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '$';
    let mut from = kw;
    let end = loop {
        let rest = &s[from..];
        let (i, len) = match (
            rest.find(&quoted),
            lower[from..].find(&name.to_ascii_lowercase()),
        ) {
            (Some(q), _) => (q, quoted.len()),
            (None, Some(u)) => (u, name.len()),
            (None, None) => return None,
        };
        let (a, b) = (from + i, from + i + len);
        let bounded = !lower[..a].chars().next_back().is_some_and(word)
            && !lower[b..].chars().next().is_some_and(word);
        if bounded {
            break b;
        }
        // Always move on, by at least one character.
        from = b.max(a + lower[a..].chars().next().map_or(1, char::len_utf8));
    };
    let after = &lower[end..];
    let next = end + (after.len() - after.trim_start().len());
    if lower[next..].starts_with("with") && !lower[next + 4..].chars().next().is_some_and(word) {
        Some((stmt.start + (next + 4) as u32, " schema extensions"))
    } else {
        Some((stmt.start + end as u32, " with schema extensions"))
    }
}

/// The `public` (or `"public"`) after the `schema` keyword in a statement.
fn schema_public_span(text: &str, stmt: Span) -> Option<Span> {
    let s = text.get(stmt.range())?;
    let lower = s.to_ascii_lowercase();
    let word = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '$';
    let mut from = 0;
    while let Some(i) = lower[from..].find("schema") {
        let start = from + i;
        let end = start + "schema".len();
        from = end;
        let before_ok = !lower[..start].chars().next_back().is_some_and(word);
        let rest = &lower[end..];
        let name_at = end + (rest.len() - rest.trim_start().len());
        if !before_ok || name_at == end {
            continue;
        }
        for name in ["public", "\"public\""] {
            if lower[name_at..].starts_with(name)
                && !lower[name_at + name.len()..]
                    .chars()
                    .next()
                    .is_some_and(word)
            {
                let at = stmt.start + name_at as u32;
                return Some(Span::new(at, at + name.len() as u32));
            }
        }
    }
    None
}
