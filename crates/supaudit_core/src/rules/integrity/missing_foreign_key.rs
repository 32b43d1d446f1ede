use super::common::{
    column_anchor, column_comments, fresh_constraint_name, later, project_tables, renamed,
    top_level,
};
use crate::diagnostic::Diagnostic;
use crate::model::{Column, RelKind, Relation};
use crate::rules::helpers::{quote_ident, rel_sql_name};
use crate::rules::{Context, append_stmt_fix, declare_rule};
use crate::sql::TypeName;

declare_rule! {
    /// ## What it does
    /// Reports a `<name>_id` column (uuid, integer or bigint) with no foreign
    /// key when a table `<name>`, `<name>s`, `<name>es` or `<nam>ies` with an
    /// `id` key of the same type exists in the table's schema or in `public`,
    /// or when a comment on the column names the table (`task_id uuid, --
    /// References action_tasks`, or `comment on column`).
    ///
    /// `user_id` with no `users` table of the project's own is taken to
    /// reference `auth.users`. Columns of platform tables are not judged.
    ///
    /// ## Why it matters
    /// Without the constraint PostgreSQL accepts ids of rows that never
    /// existed and keeps ids of rows that were deleted: the application
    /// reads orphaned references, joins silently drop rows, and nothing
    /// says what should happen to the children when the parent goes.
    ///
    /// ## Example
    /// ```sql
    /// create table public.habits (
    ///   id uuid primary key default gen_random_uuid(),
    ///   task_id uuid, -- References action_tasks if exists
    ///   title text not null
    /// );
    /// ```
    ///
    /// ## Fix
    /// ```sql
    /// alter table public.habits add constraint habits_task_id_fkey
    ///   foreign key (task_id) references public.action_tasks (id) on delete set null;
    /// ```
    /// The fix appends the constraint after the statement that created the
    /// column (or the target table, if that comes later): `on delete set null`
    /// for a nullable column (the row outlives its target), `on delete
    /// cascade` for a NOT NULL one. It is unsafe: adding the key fails while
    /// orphaned ids exist
    /// (find them with a left join and clean them up first), and it decides
    /// what deletes do.
    ///
    /// ## Reference
    /// Seed audit 002 "Missing Foreign Key Constraints" (`template_id UUID, --
    /// Should reference dashboard_templates(id)`); seed audit 004 #3 "Missing
    /// Foreign Key on habits.task_id".
    pub static MISSING_FOREIGN_KEY = {
        name: "missing-foreign-key",
        category: Integrity,
        severity: Warning,
        fix: true,
        effort: "30 min",
        check: check,
    }
}

/// The key family of a type: a foreign key needs the same family on both sides.
fn key_family(ty: &TypeName) -> Option<&'static str> {
    if ty.is_array() {
        return None;
    }
    Some(match ty.base() {
        "uuid" => "uuid",
        "smallint" | "int2" | "integer" | "int" | "int4" | "bigint" | "int8" | "serial"
        | "serial4" | "bigserial" | "serial8" | "smallserial" | "serial2" => "int",
        _ => return None,
    })
}

/// Whether `rel` can be referenced by `(id)` from a column of `family`.
fn referencable<'a>(rel: &'a Relation, family: &str) -> Option<&'a Relation> {
    let id = vec!["id".to_string()];
    let keyed = rel.primary_key.as_ref() == Some(&id) || rel.uniques.contains(&id);
    let ty_ok = rel
        .column("id")
        .and_then(|c| c.ty.as_ref())
        .and_then(key_family)
        == Some(family);
    (rel.kind == RelKind::Table && keyed && ty_ok).then_some(rel)
}

/// Table names a `<stem>_id` column conventionally refers to.
fn table_names(stem: &str) -> Vec<String> {
    let mut v = vec![format!("{stem}s"), stem.to_string(), format!("{stem}es")];
    if let Some(s) = stem.strip_suffix('y') {
        v.push(format!("{s}ies"));
    }
    v
}

/// A table a comment names as the target of `stem`'s reference.
fn named_in_comment<'a>(
    ctx: &Context<'a>,
    rel: &Relation,
    stem: &str,
    family: &str,
    comment: &str,
) -> Option<&'a Relation> {
    let lower = comment.to_lowercase();
    let explicit = ["referenc", "refers", "points to", "foreign", "fk", "->"]
        .iter()
        .any(|k| lower.contains(k));
    let words = lower
        .split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '.'))
        .map(|w| w.trim_matches('.'))
        .filter(|w| !w.is_empty());
    for w in words {
        let found = match w.split_once('.') {
            Some((s, n)) => ctx.model.relations.get(&(s.to_string(), n.to_string())),
            None => [rel.schema.as_str(), "public"]
                .iter()
                .find_map(|s| ctx.model.relations.get(&(s.to_string(), w.to_string()))),
        };
        if let Some(t) = found.and_then(|t| referencable(t, family))
            && (explicit || t.name.contains(stem))
        {
            return Some(t);
        }
    }
    None
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for rel in project_tables(ctx) {
        if rel.keys_from_elsewhere {
            continue;
        }
        for col in &rel.columns {
            let Some(stem) = col.name.strip_suffix("_id").filter(|s| !s.is_empty()) else {
                continue;
            };
            let Some(family) = col.ty.as_ref().and_then(key_family) else {
                continue;
            };
            if rel
                .foreign_keys
                .iter()
                .any(|f| f.columns.contains(&col.name))
            {
                continue;
            }
            let from_comment = column_comments(ctx, col)
                .iter()
                .find_map(|c| named_in_comment(ctx, rel, stem, family, c));
            let mut schemas = vec![rel.schema.as_str(), "public"];
            if stem == "user" {
                schemas.push("auth");
            }
            let target = from_comment.or_else(|| {
                schemas.iter().find_map(|s| {
                    table_names(stem).iter().find_map(|n| {
                        ctx.model
                            .relations
                            .get(&(s.to_string(), n.clone()))
                            .and_then(|t| referencable(t, family))
                    })
                })
            });
            let Some(target) = target else { continue };
            let how = if from_comment.is_some() {
                "a comment names"
            } else {
                "its name points to"
            };
            let mut d = ctx.at(
                &MISSING_FOREIGN_KEY,
                &col.origin,
                format!(
                    "{}.{} has no foreign key, but {how} {}",
                    rel.display_name(),
                    col.name,
                    target.display_name()
                ),
            );
            d.help = Some(format!(
                "add `foreign key ({}) references {} (id)` so that PostgreSQL rejects ids of missing rows and decides what a delete does",
                quote_ident(&col.name),
                rel_sql_name(target)
            ));
            if let Some(fix) = fix(ctx, rel, col, target) {
                d.fixes.push(fix);
            }
            out.push(d);
        }
    }
}

fn fix(
    ctx: &Context,
    rel: &Relation,
    col: &Column,
    target: &Relation,
) -> Option<crate::diagnostic::Fix> {
    let mut at = column_anchor(ctx, rel, col)?;
    if !target.is_platform() {
        // After the target and its key exist, under their final names.
        at = later(at, target.origin);
        let id = ["id".to_string()];
        if let Some(key) = target
            .indexes
            .iter()
            .find(|i| i.unique && i.predicate.is_none() && i.items == id)
        {
            at = later(at, key.origin);
        }
        if renamed(ctx, target) {
            at = later(at, target.last_changed);
        }
        if !top_level(ctx, &at) {
            return None;
        }
    }
    // An optional reference loses its target; a required one goes with it.
    let action = if col.not_null { "cascade" } else { "set null" };
    let name = fresh_constraint_name(rel, &format!("{}_{}_fkey", rel.name, col.name));
    let sql = format!(
        "alter table {} add constraint {} foreign key ({}) references {} (id) on delete {action};",
        rel_sql_name(rel),
        quote_ident(&name),
        quote_ident(&col.name),
        rel_sql_name(target)
    );
    Some(append_stmt_fix(
        ctx,
        &at,
        format!(
            "Add a foreign key {}.{} -> {}(id)",
            rel.display_name(),
            col.name,
            target.display_name()
        ),
        &sql,
        false,
    ))
}
