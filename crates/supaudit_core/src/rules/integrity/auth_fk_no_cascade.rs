use super::common::{editable_in_place, project_tables};
use crate::diagnostic::{Diagnostic, Edit, Fix};
use crate::model::{ForeignKey, Relation};
use crate::rules::helpers::{new_migration, quote_ident, rel_sql_name, stmt_at};
use crate::rules::{Context, declare_rule};
use crate::sql::{ConstraintKind, QName, StmtContext, StmtKind};
use crate::text::Span;

declare_rule! {
    /// ## What it does
    /// Reports foreign keys to `auth.users` whose ON DELETE action is neither
    /// `cascade` nor `set null` (none given, `no action`, `restrict`).
    ///
    /// ## Why it matters
    /// Deleting a user (from the dashboard, `auth.admin.deleteUser()`, or a
    /// user closing their account) then fails with a foreign key violation as
    /// soon as the user has a row in the table, and the user cannot be
    /// removed without deleting their rows by hand first. Supabase's guide
    /// on user management asks for `on delete cascade` on every reference to
    /// `auth.users`.
    ///
    /// ## Example
    /// ```sql
    /// create table public.users (
    ///   id uuid primary key references auth.users (id),
    ///   email text not null
    /// );
    /// ```
    ///
    /// ## Fix
    /// ```sql
    /// create table public.users (
    ///   id uuid primary key references auth.users (id) on delete cascade,
    ///   email text not null
    /// );
    /// ```
    /// The fix adds `on delete cascade` in place when the key is declared in a
    /// CREATE TABLE of the newest migration (or of a declarative schema
    /// file), which has likely not run anywhere yet. Otherwise the migration
    /// has run on deployed databases, so the fix writes a new migration that
    /// replaces the constraint:
    /// ```sql
    /// alter table public.users
    ///   drop constraint users_id_fkey,
    ///   add constraint users_id_fkey foreign key (id) references auth.users (id) on delete cascade;
    /// ```
    /// It is unsafe: deleting a user then deletes their rows. Use
    /// `on delete set null` instead where the rows must outlive the user.
    ///
    /// ## Reference
    /// Supabase docs, "User Management" (`references auth.users on delete
    /// cascade`); seed audit 000 ("should be handled by CASCADE from
    /// auth.users").
    pub static AUTH_FK_NO_CASCADE = {
        name: "auth-fk-no-cascade",
        category: Integrity,
        severity: Warning,
        fix: true,
        effort: "15 min",
        check: check,
    }
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let auth_users = QName::new(Some("auth"), "users");
    for rel in project_tables(ctx) {
        for fk in &rel.foreign_keys {
            if fk.ref_table != auth_users
                || matches!(
                    fk.on_delete.as_deref(),
                    Some("cascade" | "set null" | "set default")
                )
            {
                continue;
            }
            let cols = fk.columns.join(", ");
            let action = match fk.on_delete.as_deref() {
                Some(a) => format!("`on delete {a}`"),
                None => "no ON DELETE action".to_string(),
            };
            let mut d = ctx.at(
                &AUTH_FK_NO_CASCADE,
                &fk.origin,
                format!(
                    "foreign key {}({cols}) -> auth.users has {action}: deleting a user who has rows here fails",
                    rel.display_name()
                ),
            );
            d.help = Some(
                "add `on delete cascade` (or `on delete set null` when the rows must outlive the user)"
                    .into(),
            );
            if let Some(f) = fix(ctx, rel, fk) {
                d.fixes.push(f);
            }
            out.push(d);
        }
    }
}

/// The span of the REFERENCES clause of `fk` in the CREATE TABLE it was
/// declared in, when it has no ON DELETE action and no deferrability clause
/// after which an action cannot go.
fn clause_in_create(ctx: &Context, fk: &ForeignKey) -> Option<Span> {
    let stmt = stmt_at(ctx, &fk.origin)?;
    if stmt.context != StmtContext::TopLevel || fk.on_delete.is_some() {
        return None;
    }
    let StmtKind::CreateTable(t) = &stmt.kind else {
        return None;
    };
    let span = t
        .columns
        .iter()
        .find(|c| c.span == fk.origin.span)
        .and_then(|c| c.references.as_ref())
        .map(|r| r.span)
        .or_else(|| {
            t.constraints.iter().find_map(|c| match &c.kind {
                ConstraintKind::ForeignKey(_) if c.span == fk.origin.span => Some(c.span),
                _ => None,
            })
        })?;
    let text = ctx.text(fk.origin.file)[span.range()].to_ascii_lowercase();
    (!text.contains("deferr") && !text.contains("initially")).then_some(span)
}

fn fix(ctx: &Context, rel: &Relation, fk: &ForeignKey) -> Option<Fix> {
    let title = "Delete the user's rows with the user (`on delete cascade`)";
    if editable_in_place(ctx, fk.origin.file)
        && let Some(span) = clause_in_create(ctx, fk)
    {
        return Some(Fix::unsafe_(
            title,
            vec![Edit::insert(
                ctx.path(fk.origin.file),
                span.end,
                " on delete cascade",
            )],
        ));
    }
    let name = fk.name.as_ref().filter(|n| n.len() <= 63)?;
    let cols: Vec<String> = fk.columns.iter().map(|c| quote_ident(c)).collect();
    let refs: Vec<String> = fk.ref_columns.iter().map(|c| quote_ident(c)).collect();
    let refs = if refs.is_empty() {
        "id".to_string()
    } else {
        refs.join(", ")
    };
    let sql = format!(
        "alter table {}\n  drop constraint {},\n  add constraint {} foreign key ({}) references auth.users ({refs}) on delete cascade;",
        rel_sql_name(rel),
        quote_ident(name),
        quote_ident(name),
        cols.join(", ")
    );
    let table: String = rel
        .name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    let slug = format!("{table}_auth_fk_cascade");
    Some(Fix::unsafe_(
        title,
        vec![new_migration(ctx.project, &slug, &sql)],
    ))
}
