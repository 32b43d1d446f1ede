use crate::diagnostic::Diagnostic;
use crate::rules::{Context, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports foreign keys into the `auth` schema that reference a unique column
    /// other than the primary key, such as `auth.users(email)` or `auth.users(phone)`.
    ///
    /// ## Why it matters
    /// Supabase manages the `auth` schema and may change or drop its unique
    /// constraints in an upgrade; a foreign key that depends on one blocks the
    /// upgrade or breaks. Only `auth.users(id)` is stable.
    ///
    /// ## Example
    /// ```sql
    /// create table public.sms_notifications (id bigint primary key, phone text references auth.users (phone));
    /// ```
    ///
    /// ## Fix
    /// ```sql
    /// create table public.sms_notifications (id bigint primary key, user_id uuid references auth.users (id));
    /// ```
    ///
    /// ## Reference
    /// Supabase linter `fkey_to_auth_unique`.
    pub static FKEY_TO_AUTH_UNIQUE = {
        name: "fkey-to-auth-unique",
        category: Security,
        severity: Error,
        fix: false,
        effort: "30 min",
        check: check,
    }
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for rel in ctx.model.project_relations() {
        for fk in &rel.foreign_keys {
            if fk.ref_table.schema.as_deref() != Some("auth") {
                continue;
            }
            let Some(target) = ctx.model.relation(&fk.ref_table) else {
                continue;
            };
            let pk = target.primary_key.clone().unwrap_or_default();
            if fk.ref_columns.is_empty() || fk.ref_columns == pk {
                continue;
            }
            let mut d = ctx.at(
                &FKEY_TO_AUTH_UNIQUE,
                &fk.origin,
                format!(
                    "foreign key {}({}) references {}({}), a unique column Supabase may change; reference its primary key",
                    rel.display_name(),
                    fk.columns.join(", "),
                    fk.ref_table,
                    fk.ref_columns.join(", ")
                ),
            );
            d.help = Some(format!(
                "reference {}({}) instead",
                fk.ref_table,
                pk.join(", ")
            ));
            out.push(d);
        }
    }
}
