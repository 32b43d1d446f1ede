use crate::diagnostic::{Diagnostic, Edit, Fix};
use crate::model::Index;
use crate::rules::{Context, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports indexes identical to another index on the same table: same columns
    /// or expressions in the same order, same method, same predicate.
    ///
    /// Renamed columns, quoting and the default `asc` do not matter; `include`
    /// columns and storage options must match too. Of two equal indexes the later one is reported. A unique index or a
    /// PRIMARY KEY / UNIQUE constraint also makes an equal plain index redundant,
    /// so the plain one is reported; an index that backs a constraint is never.
    ///
    /// ## Why it matters
    /// A duplicate index costs disk, memory and write time on every insert and
    /// update, and never speeds up a query the first one did not already serve.
    ///
    /// ## Example
    /// ```sql
    /// create index idx_generations_user on public.generations (user_id);
    /// create index generations_user_id_idx on public.generations (user_id);
    /// ```
    ///
    /// ## Fix
    /// Delete the reported `create index` statement. The fix is safe: the other
    /// index serves the same queries and enforces at least the same uniqueness.
    ///
    /// ## Reference
    /// Supabase linter `duplicate_index`.
    pub static DUPLICATE_INDEX = {
        name: "duplicate-index",
        category: Performance,
        severity: Warning,
        fix: true,
        effort: "5 min",
        check: check,
    }
}

/// An index item in a canonical form: the column's current name (so renamed
/// columns compare right) and the options without their defaults
/// (`asc`, `nulls last` after `asc`, `nulls first` after `desc`).
fn item_key(column: Option<&str>, text: &str) -> String {
    let rest = match column {
        Some(_) if text.starts_with('"') => {
            // Skip the quoted identifier, `""` included.
            let b = text.as_bytes();
            let mut i = 1;
            while i < b.len() {
                if b[i] == b'"' {
                    if b.get(i + 1) == Some(&b'"') {
                        i += 2;
                        continue;
                    }
                    i += 1;
                    break;
                }
                i += 1;
            }
            &text[i..]
        }
        Some(_) => text.trim_start_matches(|c: char| c.is_alphanumeric() || c == '_' || c == '$'),
        None => text,
    };
    let mut words: Vec<&str> = rest.split_whitespace().collect();
    let desc = words.contains(&"desc");
    let default_nulls = if desc { "first" } else { "last" };
    if let Some(i) = words.windows(2).position(|w| w == ["nulls", default_nulls]) {
        words.drain(i..i + 2);
    }
    words.retain(|w| *w != "asc");
    let rest = words.join(" ");
    match column {
        Some(c) => format!(
            "{}{}{rest}",
            crate::rules::helpers::quote_ident(c),
            if rest.is_empty() { "" } else { " " }
        ),
        None => rest,
    }
}

fn key(i: &Index) -> Vec<String> {
    i.items
        .iter()
        .enumerate()
        .map(|(k, text)| item_key(i.columns.get(k).and_then(|c| c.as_deref()), text))
        .collect()
}

/// Same method, predicate, storage and included columns (the keys are
/// compared by the caller).
fn same(a: &Index, b: &Index) -> bool {
    a.method == b.method && a.predicate == b.predicate && a.with == b.with && a.include == b.include
}

fn describe(i: &Index) -> String {
    let name = i.name.as_deref().unwrap_or("(unnamed)");
    if i.from_constraint {
        format!("constraint {name}")
    } else if i.unique {
        format!("unique index {name}")
    } else {
        format!("index {name}")
    }
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for rel in ctx.model.project_relations() {
        // Each index's normalized key, once per relation (not per pair).
        let keys: Vec<Vec<String>> = rel.indexes.iter().map(key).collect();
        for (j, later) in rel.indexes.iter().enumerate() {
            if later.from_constraint || later.origin.is_platform() {
                continue;
            }
            // `later` is redundant when another index serves the same queries with at
            // least its guarantees, and is either older, backs a constraint (so it cannot
            // be dropped), or is unique where `later` is not. Of two equal plain
            // indexes only the newer one is reported.
            let Some(first) = rel.indexes.iter().enumerate().find_map(|(k, i)| {
                let dominates = k != j
                    && same(i, later)
                    && keys[k] == keys[j]
                    && (i.unique || !later.unique)
                    && (k < j || i.from_constraint || (i.unique && !later.unique));
                dominates.then_some(i)
            }) else {
                continue;
            };
            let cols = keys[j].join(", ");
            let this = match &later.name {
                Some(n) => format!("index {n}"),
                None => "unnamed index".to_string(),
            };
            let mut d = ctx.at(
                &DUPLICATE_INDEX,
                &later.origin,
                format!(
                    "{this} on {} ({cols}) duplicates {}",
                    rel.display_name(),
                    describe(first)
                ),
            );
            d.range = later.origin.stmt;
            d.help = Some(format!(
                "drop it; {} already serves the same queries",
                describe(first)
            ));
            let text = ctx.text(later.origin.file);
            let mut end = later.origin.stmt.end as usize;
            if text[end..].starts_with("\r\n") {
                end += 2;
            } else if text[end..].starts_with('\n') {
                end += 1;
            }
            if later.origin.stmt.end as usize == text.len() || end > later.origin.stmt.end as usize
            {
                d.fixes.push(Fix::safe(
                    "Remove the duplicate index",
                    vec![Edit::delete(
                        ctx.path(later.origin.file),
                        crate::text::Span::new(later.origin.stmt.start, end as u32),
                    )],
                ));
            }
            out.push(d);
        }
    }
}
