use super::common::{checks_on, column_anchor, fresh_constraint_name, project_tables};
use crate::diagnostic::Diagnostic;
use crate::rules::helpers::{quote_ident, rel_sql_name};
use crate::rules::{Context, append_stmt_fix, declare_rule};
use crate::sql::{Expr, ExprKind};

declare_rule! {
    /// ## What it does
    /// Reports user-facing text columns — `title`, `name`, `display_name`,
    /// `full_name`, `username`, `subject`, `description`, `bio`, `summary`,
    /// `caption`, `content`, `body`, `prompt`, `message`, `comment`, `note`,
    /// `notes` — of type `text` (or `varchar`/`citext` without a length) with
    /// no CHECK on their length (`char_length`, `length`). Off by default.
    ///
    /// ## Why it matters
    /// Whatever a client sends is stored: a megabyte-long title breaks
    /// layouts, bloats every query that selects it, and makes the table a
    /// free file store for anyone who can insert. A limit enforced only in
    /// the application does not hold for requests made to the API directly
    /// with the public key.
    ///
    /// ## Example
    /// ```sql
    /// create table public.conversations (
    ///   id uuid primary key default gen_random_uuid(),
    ///   title text not null
    /// );
    /// ```
    ///
    /// ## Fix
    /// ```sql
    /// alter table public.conversations add constraint conversations_title_length
    ///   check (char_length(title) <= 200);
    /// ```
    /// The fix appends the check after the statement that created the column,
    /// with a limit by name: 200 characters for names and titles, 1,000 for
    /// descriptions, bios, summaries and captions, 10,000 for content, bodies,
    /// prompts, messages, comments and notes. It is unsafe: adjust the limit to
    /// the product, and note that adding it fails while a longer value exists.
    ///
    /// ## Reference
    /// Seed audit 000 §2.4 "Potential TEXT Field Issues" (`conversations.title`,
    /// `messages.content`, `generations.prompt` without length limits).
    pub static UNBOUNDED_TEXT = {
        name: "unbounded-text",
        category: Integrity,
        severity: Info,
        fix: true,
        effort: "15 min",
        default_enabled: false,
        check: check,
    }
}

/// The length limit for a user-facing column, by name.
fn limit(name: &str) -> Option<u32> {
    Some(match name {
        "title" | "name" | "display_name" | "full_name" | "username" | "subject" | "headline" => {
            200
        }
        "description" | "bio" | "summary" | "caption" => 1000,
        "content" | "body" | "prompt" | "message" | "comment" | "note" | "notes" => 10000,
        _ => return None,
    })
}

/// Whether a check bounds the length of `col`.
fn bounds_length(e: &Expr, col: &str) -> bool {
    e.walk().any(|x| {
        matches!(&x.kind, ExprKind::Call { name } if matches!(
            name.last().map(String::as_str),
            Some("char_length" | "length" | "character_length" | "octet_length")
        )) && super::common::mentions_column(x, col)
    })
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for rel in project_tables(ctx) {
        for col in &rel.columns {
            let Some(max) = limit(&col.name) else {
                continue;
            };
            let Some(ty) = &col.ty else { continue };
            // `varchar(n)` is bounded; `varchar` without a length is not.
            if ty.is_array()
                || !matches!(
                    ty.base(),
                    "text" | "varchar" | "character varying" | "citext"
                )
                || ty.text.contains('(')
            {
                continue;
            }
            if checks_on(rel, &col.name).any(|e| bounds_length(e, &col.name)) {
                continue;
            }
            let mut d = ctx.at(
                &UNBOUNDED_TEXT,
                &col.origin,
                format!(
                    "{}.{} is `{}` with no length limit: clients can store text of any size",
                    rel.display_name(),
                    col.name,
                    ty.text
                ),
            );
            d.help = Some(format!(
                "add `check (char_length({}) <= {max})` (pick the limit the product needs)",
                quote_ident(&col.name)
            ));
            if let Some(at) = column_anchor(ctx, rel, col) {
                let name = fresh_constraint_name(rel, &format!("{}_{}_length", rel.name, col.name));
                let sql = format!(
                    "alter table {} add constraint {} check (char_length({}) <= {max});",
                    rel_sql_name(rel),
                    quote_ident(&name),
                    quote_ident(&col.name)
                );
                d.fixes.push(append_stmt_fix(
                    ctx,
                    &at,
                    format!(
                        "Limit {}.{} to {max} characters",
                        rel.display_name(),
                        col.name
                    ),
                    &sql,
                    false,
                ));
            }
            out.push(d);
        }
    }
}
