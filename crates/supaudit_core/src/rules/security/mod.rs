pub mod auth_users_exposed;
pub mod extension_in_public;
pub mod fkey_to_auth_unique;
pub mod foreign_table_in_api;
pub mod function_search_path_mutable;
pub mod grant_all_to_anon;
pub mod graphql_table_exposed;
pub mod insecure_queue_exposed;
pub mod materialized_view_in_api;
pub mod missing_command_policy;
pub mod policy_always_true;
pub mod policy_auth_role_deprecated;
pub mod policy_exists_rls_disabled;
pub mod policy_service_role_check;
pub mod policy_uses_user_metadata;
pub mod public_bucket_listing;
pub mod rls_disabled;
pub mod rls_enabled_no_policy;
pub mod security_definer_exposed;
pub mod security_definer_view;
pub mod sensitive_column_plaintext;
pub mod sensitive_columns_exposed;
pub mod storage_bucket_unbounded;
pub mod storage_policy_unscoped;
pub mod unsupported_reg_types;

use crate::diagnostic::Fix;
use crate::model::Relation;
use crate::rules::{Context, append_stmt_fix, helpers::rel_sql_name};

/// Whether the API roles can reach a relation in an exposed schema.
pub(crate) fn api_reachable(ctx: &Context, rel: &Relation) -> bool {
    ctx.is_exposed(&rel.schema)
        && ["anon", "authenticated"].iter().any(|r| {
            rel.grants.get(*r).is_some_and(|p| !p.is_empty())
                || rel.grants.get("public").is_some_and(|p| !p.is_empty())
        })
}

/// `phoneNumber`, `PhoneNumber`, `phone_number` -> `phone_number`.
fn snake_case(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 4);
    let mut prev_lower = false;
    for c in name.chars() {
        if c.is_ascii_uppercase() {
            if prev_lower {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
            prev_lower = false;
        } else {
            out.push(c);
            prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        }
    }
    out
}

/// Columns that hold personal data (quoted camelCase names such as
/// `"phoneNumber"` count as their snake_case form).
pub(crate) fn sensitive_columns(rel: &Relation) -> Vec<String> {
    const NAMES: &[&str] = &[
        "email",
        "email_address",
        "phone",
        "phone_number",
        "mobile",
        "ssn",
        "social_security_number",
        "address",
        "street_address",
        "home_address",
        "dob",
        "date_of_birth",
        "birthdate",
        "birth_date",
        "passport",
        "passport_number",
        "credit_card",
        "card_number",
        "cvv",
        "iban",
        "bank_account",
        "account_number",
        "tax_id",
        "national_id",
        "drivers_license",
        "driver_license",
        "ip_address",
        "password",
        "secret",
        "api_key",
        "access_token",
        "refresh_token",
        "full_name",
        "last_name",
    ];
    rel.columns
        .iter()
        .filter(|c| NAMES.contains(&snake_case(&c.name).as_str()))
        .map(|c| c.name.clone())
        .collect()
}

/// `alter table … enable row level security;` after the statement that last
/// changed the table (so a later rename or RLS change cannot undo it).
pub(crate) fn enable_rls_fix(ctx: &Context, rel: &Relation) -> Fix {
    append_stmt_fix(
        ctx,
        &rel.last_changed,
        format!("Enable row level security on {}", rel.display_name()),
        &format!(
            "alter table {} enable row level security;",
            rel_sql_name(rel)
        ),
        false,
    )
}
