use super::common::{column_anchor, later, project_tables};
use crate::diagnostic::{Diagnostic, Fix};
use crate::model::{Function, Relation, Trigger};
use crate::rules::helpers::{qualified, quote_ident, rel_sql_name};
use crate::rules::{Context, append_stmt_fix, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports tables with an `updated_at` column and no trigger that keeps it
    /// current: no trigger on the table whose function's name or body
    /// mentions `updated_at` (or is `moddatetime`). A BEFORE UPDATE trigger
    /// whose function the project does not define is given the benefit of
    /// the doubt.
    ///
    /// Not reported either when client code updates the table and every one of
    /// its `.update()` / `.upsert()` calls writes `updated_at` itself.
    ///
    /// ## Why it matters
    /// The column's `default now()` only runs on insert. Unless every write
    /// path remembers to set it, `updated_at` stays at the creation time:
    /// "recently changed" lists, sync by `updated_at > last_sync` and cache
    /// invalidation silently miss changed rows.
    ///
    /// ## Example
    /// ```sql
    /// create table public.profiles (
    ///   id uuid primary key,
    ///   display_name text,
    ///   updated_at timestamptz not null default now()
    /// );
    /// ```
    ///
    /// ## Fix
    /// ```sql
    /// create or replace function public.set_updated_at() returns trigger
    /// language plpgsql set search_path = '' as $$
    /// begin
    ///   new.updated_at := now();
    ///   return new;
    /// end;
    /// $$;
    /// create trigger profiles_set_updated_at before update on public.profiles
    ///   for each row execute function public.set_updated_at();
    /// ```
    /// The fix appends the trigger after the statement that created the
    /// column. It reuses the project's own trigger function when one defined
    /// before that point is generic (no arguments, returns trigger, sets only
    /// `new.updated_at`, such as `update_updated_at_column()` or
    /// `handle_updated_at()`); otherwise it creates (`create or replace`)
    /// `set_updated_at()` in the table's schema, with an empty `search_path`,
    /// under another name if the schema has an unrelated function of that
    /// name. It is unsafe: writes that set `updated_at` themselves are
    /// overridden. The `moddatetime`
    /// extension's trigger works too.
    ///
    /// ## Reference
    /// Seed audit 004 Part 2 "Trigger Functions: Auto-updating timestamps";
    /// seed audit 002 "Timestamp Management: consistent created_at/updated_at
    /// pattern".
    pub static UPDATED_AT_NO_TRIGGER = {
        name: "updated-at-no-trigger",
        category: Integrity,
        severity: Info,
        fix: true,
        effort: "15 min",
        check: check,
    }
}

/// Whether a trigger keeps `updated_at` current.
fn maintains(ctx: &Context, t: &Trigger) -> bool {
    let Some(fname) = &t.function else {
        return false;
    };
    let name = fname.name.to_ascii_lowercase();
    if name.contains("updated_at") || name.contains("moddatetime") {
        return true;
    }
    let mut defined = ctx.model.functions_named(fname).peekable();
    if defined.peek().is_none() {
        // A function the project does not define: trust a BEFORE UPDATE trigger.
        return t.timing.contains("before") && t.events.iter().any(|e| e == "update");
    }
    defined.any(|f| {
        f.body
            .as_deref()
            .is_some_and(|b| b.to_ascii_lowercase().contains("updated_at"))
    })
}

/// A generic trigger function that only sets `new.updated_at`.
fn reusable(f: &Function) -> bool {
    if !f.returns_trigger() || !f.arg_types.is_empty() || f.language.as_deref() != Some("plpgsql") {
        return false;
    }
    let Some(body) = &f.body else { return false };
    let b = body.to_ascii_lowercase();
    let compact: String = b.split_whitespace().collect();
    let sets = compact.contains("new.updated_at:=") || compact.contains("new.updated_at=");
    // Only `new.updated_at`: no other column of NEW, no table.
    let other_new = b
        .match_indices("new.")
        .any(|(i, _)| !b[i + 4..].starts_with("updated_at"));
    let touches_tables = ["insert ", "update ", "delete ", "select "]
        .iter()
        .any(|k| b.contains(k));
    sets && !other_new && !touches_tables
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for rel in project_tables(ctx) {
        let Some(col) = rel.column("updated_at") else {
            continue;
        };
        if rel.triggers.iter().any(|t| maintains(ctx, t)) || client_maintains(ctx, rel) {
            continue;
        }
        let mut d = ctx.at(
            &UPDATED_AT_NO_TRIGGER,
            &col.origin,
            format!(
                "{}.updated_at has no trigger keeping it current: it keeps its insert-time default after updates",
                rel.display_name()
            ),
        );
        d.help = Some(
            "add a BEFORE UPDATE trigger that sets `new.updated_at := now()` (or uses the moddatetime extension)"
                .into(),
        );
        if let Some(f) = fix(ctx, rel) {
            d.fixes.push(f);
        }
        out.push(d);
    }
}

/// Whether the project's client code updates the table and writes
/// `updated_at` itself in every `.update()` / `.upsert()` it makes (an object
/// with spreads or computed keys counts as writing it: it may).
fn client_maintains(ctx: &Context, rel: &Relation) -> bool {
    let mut updates = 0;
    for unit in ctx.clients {
        for q in &unit.ir.queries {
            let Some((table, schema)) = q.table() else {
                continue;
            };
            if table.value != rel.name || schema.unwrap_or("public") != rel.schema {
                continue;
            }
            for op in q
                .ops
                .iter()
                .filter(|o| matches!(o.method.as_str(), "update" | "upsert"))
            {
                updates += 1;
                let writes = |a: &crate::client::Arg| match a {
                    crate::client::Arg::Object { keys, complete, .. } => {
                        !complete || keys.iter().any(|(k, _)| k == "updated_at")
                    }
                    _ => true,
                };
                let ok = match op.args.first() {
                    Some(crate::client::Arg::Objects(items)) => items.iter().all(writes),
                    Some(a) => writes(a),
                    None => false,
                };
                if !ok {
                    return false;
                }
            }
        }
    }
    updates > 0
}

fn fix(ctx: &Context, rel: &Relation) -> Option<Fix> {
    let col = rel.column("updated_at")?;
    let at = column_anchor(ctx, rel, col)?;
    // A generic function the history defines before this point, preferably
    // in the table's schema.
    let existing = ctx
        .model
        .project_functions()
        .filter(|f| reusable(f) && later(f.last_changed, at) == at)
        .min_by_key(|f| (f.schema != rel.schema, f.origin.order, f.origin.stmt.start));
    let mut sql = String::new();
    let function = match existing {
        Some(f) => qualified(&f.schema, &f.name),
        None => {
            // `set_updated_at`, unless the schema already has a function of that name.
            let mut name = "set_updated_at".to_string();
            let mut n = 2;
            while ctx
                .model
                .functions
                .iter()
                .any(|f| f.schema == rel.schema && f.name == name)
            {
                name = format!("set_updated_at_{n}");
                n += 1;
            }
            let q = qualified(&rel.schema, &name);
            sql.push_str(&format!(
                "create or replace function {q}()\nreturns trigger\nlanguage plpgsql\nset search_path = ''\nas $$\nbegin\n  new.updated_at := now();\n  return new;\nend;\n$$;\n"
            ));
            q
        }
    };
    let mut trigger = format!("{}_set_updated_at", rel.name);
    let mut n = 2;
    while rel.triggers.iter().any(|t| t.name == trigger) {
        trigger = format!("{}_set_updated_at_{n}", rel.name);
        n += 1;
    }
    if trigger.len() > 63 {
        return None;
    }
    sql.push_str(&format!(
        "create trigger {} before update on {}\n  for each row execute function {function}();",
        quote_ident(&trigger),
        rel_sql_name(rel)
    ));
    Some(append_stmt_fix(
        ctx,
        &at,
        format!(
            "Keep {}.updated_at current with a trigger",
            rel.display_name()
        ),
        &sql,
        false,
    ))
}
