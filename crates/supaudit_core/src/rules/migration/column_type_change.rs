use crate::diagnostic::Diagnostic;
use crate::model::{Model, StmtRef};
use crate::rules::migration::{existing_table, in_migration, leading_words};
use crate::rules::{Context, declare_rule};
use crate::sql::{AlterActionKind, StmtKind};

declare_rule! {
    /// ## What it does
    /// Reports `alter table … alter column … type …` on a table that an
    /// earlier migration file created.
    ///
    /// Changes that PostgreSQL makes without rewriting the table are not
    /// reported: `varchar(n)` to `text` or to a longer or unbounded `varchar`,
    /// `text` to unbounded `varchar`, `numeric(p, s)` to a larger precision
    /// with the same scale or to unbounded `numeric`, and the same type again
    /// (all without a `using` clause). Tables created in the same migration
    /// file are not reported.
    ///
    /// ## Why it matters
    /// Any other type change rewrites the whole table and rebuilds its indexes
    /// while holding an ACCESS EXCLUSIVE lock: every read and write of the
    /// table waits until it is done, which on a large table is an outage.
    /// Clients that read the column may also break on the new type.
    ///
    /// ## Example
    /// ```sql
    /// -- 20240301000000_widen_ids.sql (orders was created earlier)
    /// alter table public.orders alter column quantity type bigint;
    /// ```
    ///
    /// ## Fix
    /// On a table that may be large: add a column of the new type, fill it in
    /// batches (and keep it in step with a trigger), switch the code to it,
    /// then drop the old column. Small tables can take the lock: suppress the
    /// finding with a reason.
    ///
    /// ## Reference
    /// squawk `changing-column-type`; PostgreSQL docs, ALTER TABLE, Notes.
    pub static COLUMN_TYPE_CHANGE = {
        name: "column-type-change",
        category: Migration,
        severity: Warning,
        fix: false,
        effort: "1-2 hours",
        check_stmt: check_stmt,
    }
}

/// A type reduced to what decides a rewrite: canonical name, modifiers, array.
#[derive(PartialEq)]
struct Ty {
    name: String,
    mods: Option<Vec<u32>>,
    array: bool,
}

fn parse(text: &str) -> Ty {
    let t = text.trim();
    let array = t.ends_with(']');
    let t = t.trim_end_matches("[]").trim();
    let (base, mods) = match t.split_once('(') {
        Some((b, rest)) => {
            let inner = rest.split(')').next().unwrap_or("");
            let mods: Option<Vec<u32>> = inner.split(',').map(|x| x.trim().parse().ok()).collect();
            (b.trim(), mods.or(Some(Vec::new())))
        }
        None => (t, None),
    };
    let base = base.strip_prefix("pg_catalog.").unwrap_or(base);
    let name = match base {
        "character varying" | "varchar" => "varchar",
        "decimal" | "numeric" => "numeric",
        "int" | "integer" | "int4" => "int4",
        "bigint" | "int8" => "int8",
        "smallint" | "int2" => "int2",
        "timestamptz" | "timestamp with time zone" => "timestamptz",
        "timestamp" | "timestamp without time zone" => "timestamp",
        "bool" | "boolean" => "bool",
        other => other,
    };
    Ty {
        name: name.to_string(),
        mods,
        array,
    }
}

/// Whether changing `from` to `to` keeps the table as it is (binary-coercible
/// changes that only relax a limit).
fn no_rewrite(from: &str, to: &str) -> bool {
    let (a, b) = (parse(from), parse(to));
    if a == b {
        return true;
    }
    if a.array != b.array {
        return false;
    }
    match (a.name.as_str(), b.name.as_str()) {
        ("varchar", "text") => true,
        ("text", "varchar") => b.mods.is_none(),
        ("varchar", "varchar") => match (&a.mods, &b.mods) {
            (_, None) => true,
            (Some(x), Some(y)) => matches!((x.first(), y.first()), (Some(n), Some(m)) if m >= n),
            (None, Some(_)) => false,
        },
        ("numeric", "numeric") => match (&a.mods, &b.mods) {
            (_, None) => true,
            (Some(x), Some(y)) => {
                let (p1, s1) = (x.first().copied(), x.get(1).copied().unwrap_or(0));
                let (p2, s2) = (y.first().copied(), y.get(1).copied().unwrap_or(0));
                matches!((p1, p2), (Some(p1), Some(p2)) if p2 >= p1) && s1 == s2
            }
            (None, Some(_)) => false,
        },
        _ => false,
    }
}

fn check_stmt(ctx: &Context, model: &Model, s: StmtRef, out: &mut Vec<Diagnostic>) {
    if !in_migration(ctx, s) {
        return;
    }
    let StmtKind::AlterTable(a) = &s.stmt.kind else {
        return;
    };
    let Some(rel) = existing_table(ctx, model, &a.name, s) else {
        return;
    };
    let text = ctx.text(s.file);
    for act in &a.actions {
        let AlterActionKind::AlterColumnType { column, ty } = &act.kind else {
            continue;
        };
        let Some(col) = rel.column(column) else {
            continue;
        };
        let using = leading_words(text.get(act.span.range()).unwrap_or(""), 0, 64)
            .iter()
            .any(|(w, _)| w == "using");
        let old = col.ty.as_ref().map(|t| t.text.as_str());
        let new = ty.as_ref().map(|t| t.text.as_str());
        if let (Some(old), Some(new)) = (old, new)
            && !using
            && no_rewrite(old, new)
        {
            continue;
        }
        let change = match (old, new) {
            (Some(o), Some(n)) => format!("from {o} to {n}"),
            (None, Some(n)) => format!("to {n}"),
            _ => String::new(),
        };
        let mut d = COLUMN_TYPE_CHANGE.diagnostic(
            ctx.path(s.file),
            act.span,
            format!(
                "changing the type of {}.{column} {change} locks {} (ACCESS EXCLUSIVE: reads and writes wait) while every row is rewritten or checked and its indexes rebuilt",
                rel.display_name(),
                rel.display_name()
            )
            .replace("  ", " "),
        );
        d.help = Some(
            "on a large table, add a column of the new type, backfill it in batches, switch the code, then drop the old column; widening varchar or numeric, or varchar to text, needs no rewrite".into(),
        );
        out.push(d);
    }
}

#[cfg(test)]
mod tests {
    use super::no_rewrite;

    #[test]
    fn relaxing_changes_keep_the_table() {
        for (a, b) in [
            ("varchar(10)", "text"),
            ("character varying(10)", "varchar(20)"),
            ("varchar(10)", "varchar"),
            ("text", "varchar"),
            ("numeric(10,2)", "numeric(12,2)"),
            ("numeric(10,2)", "numeric"),
            ("text", "text"),
            ("varchar(10)[]", "text[]"),
        ] {
            assert!(no_rewrite(a, b), "{a} -> {b}");
        }
        for (a, b) in [
            ("integer", "bigint"),
            ("varchar(20)", "varchar(10)"),
            ("text", "varchar(10)"),
            ("numeric(10,2)", "numeric(12,3)"),
            ("text", "jsonb"),
            ("varchar", "text[]"),
            ("timestamp", "timestamptz"),
        ] {
            assert!(!no_rewrite(a, b), "{a} -> {b}");
        }
    }
}
