use super::common::{
    checks_on, in_foreign_key, is_textual, mentions_column as mentions, project_tables,
};
use crate::diagnostic::Diagnostic;
use crate::rules::helpers::quote_ident;
use crate::rules::{Context, declare_rule};
use crate::sql::{Expr, ExprKind};

declare_rule! {
    /// ## What it does
    /// Reports text columns named `email` or `*_email` (`text`, `varchar`,
    /// `citext`) with no CHECK that validates the format — one that compares
    /// the column with a pattern (`~`, `~*`, `like`, `similar to`) or passes
    /// it to a validation function — and no domain type. Length-only checks
    /// do not count. Tables of the platform (`auth.users`) are not judged.
    ///
    /// ## Why it matters
    /// Any string is stored as an address: typos, whitespace, values with no
    /// `@`. Mail sent to them bounces, look-ups by address miss (`Bob@x.io`
    /// and `bob@x.io` are two users), and the bad rows are found only when
    /// something fails downstream.
    ///
    /// ## Example
    /// ```sql
    /// create table public.users (
    ///   id uuid primary key references auth.users (id) on delete cascade,
    ///   email varchar(255) not null
    /// );
    /// ```
    ///
    /// ## Fix
    /// Add a format check (or a domain holding one and use it for every
    /// address column):
    /// ```sql
    /// alter table public.users add constraint users_email_check
    ///   check (email ~* '^[^@\s]+@[^@\s]+\.[^@\s]+$');
    /// ```
    /// Adding it fails while a row breaks it; clean those up first, or add it
    /// `not valid` and validate later. When the address copies
    /// `auth.users.email`, Supabase Auth has already validated it: say so with
    /// a suppression comment.
    ///
    /// ## Reference
    /// Seed audit 002 "Missing Input Validation: No email format validation"
    /// (`email VARCHAR(255) NOT NULL`); seed audit 000 "Email format
    /// validation".
    pub static EMAIL_UNCHECKED = {
        name: "email-unchecked",
        category: Integrity,
        severity: Info,
        fix: false,
        effort: "15 min",
        check: check,
    }
}

/// Functions that only measure or normalize a value: a check made of them
/// does not validate an address's format.
const NOT_FORMAT: &[&str] = &[
    "length",
    "char_length",
    "character_length",
    "octet_length",
    "lower",
    "upper",
    "trim",
    "btrim",
    "ltrim",
    "rtrim",
];

/// Whether a check validates the format of `col`: a pattern operator next
/// to it, or a call taking it that is not a length/normalization function.
fn validates_format(e: &Expr, col: &str) -> bool {
    e.walk().any(|x| match &x.kind {
        ExprKind::Binary { op } => {
            let pattern = op.contains('~') || op.contains("like") || op.contains("similar");
            pattern && x.children.iter().any(|c| mentions(c, col))
        }
        ExprKind::Call { name } => {
            let f = name.last().map(String::as_str).unwrap_or_default();
            !NOT_FORMAT.contains(&f)
                && x.children.iter().any(|c| mentions(c, col))
                && !matches!(f, "coalesce" | "nullif")
        }
        ExprKind::Other => {
            x.children.iter().any(|c| mentions(c, col))
                && x.children.iter().any(|c| c.string_value().is_some())
        }
        _ => false,
    })
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for rel in project_tables(ctx) {
        for col in &rel.columns {
            let n = col.name.as_str();
            if n != "email" && !n.ends_with("_email") {
                continue;
            }
            let Some(ty) = &col.ty else { continue };
            if !is_textual(ty) || in_foreign_key(rel, n) {
                continue;
            }
            if checks_on(rel, n).any(|e| validates_format(e, n)) {
                continue;
            }
            let mut d = ctx.at(
                &EMAIL_UNCHECKED,
                &col.origin,
                format!(
                    "{}.{n} is `{}` with no format check: any string is stored as an address",
                    rel.display_name(),
                    ty.text
                ),
            );
            d.help = Some(format!(
                "add a check such as `check ({} ~* '^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$')`, or use a domain type that has one",
                quote_ident(n)
            ));
            out.push(d);
        }
    }
}
