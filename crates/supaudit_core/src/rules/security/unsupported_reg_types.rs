use crate::diagnostic::Diagnostic;
use crate::rules::{Context, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports columns of the `reg*` types that `pg_upgrade` cannot carry over:
    /// `regproc`, `regprocedure`, `regoper`, `regoperator`, `regnamespace`,
    /// `regconfig`, `regdictionary`, `regcollation`.
    ///
    /// ## Why it matters
    /// These types store object identifiers. A project with such a column cannot be
    /// upgraded to a new PostgreSQL major version in place.
    ///
    /// ## Example
    /// ```sql
    /// create table public.search_configs (id bigint primary key, config regconfig);
    /// ```
    ///
    /// ## Fix
    /// Store the name as `text` and cast when used: `config::regconfig`.
    ///
    /// ## Reference
    /// Supabase linter `unsupported_reg_types`.
    pub static UNSUPPORTED_REG_TYPES = {
        name: "unsupported-reg-types",
        category: Security,
        severity: Warning,
        fix: false,
        effort: "1 hour",
        check: check,
    }
}

const TYPES: &[&str] = &[
    "regproc",
    "regprocedure",
    "regoper",
    "regoperator",
    "regnamespace",
    "regconfig",
    "regdictionary",
    "regcollation",
];

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for rel in ctx.model.project_relations() {
        for c in &rel.columns {
            let Some(ty) = &c.ty else { continue };
            if TYPES.contains(&ty.base()) {
                let mut d = ctx.at(
                    &UNSUPPORTED_REG_TYPES,
                    &c.origin,
                    format!(
                        "column {}.{} has type {}, which blocks pg_upgrade",
                        rel.display_name(),
                        c.name,
                        ty.base()
                    ),
                );
                d.help = Some("store the object's name as text and cast it when used".into());
                out.push(d);
            }
        }
    }
}
