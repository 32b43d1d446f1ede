//! Per-rule fixture tests. Each rule has `tests/fixtures/<rule>/fires.txt`
//! (must report) and `passes.txt` (must not), plus optional extra cases
//! `fires-<case>.txt` / `passes-<case>.txt` for variants that need a project of
//! their own; snapshots of the rendered findings and of the fixed files, and
//! fixes proven by `fix_until_stable`.
//! With `SUPAUDIT_PG_DIR` set, the fixtures and fixed files are written there
//! for the PostgreSQL run (`scripts/pg-run.sh`).

mod common;

use common::*;

fn pg_dir() -> Option<std::path::PathBuf> {
    std::env::var_os("SUPAUDIT_PG_DIR").map(std::path::PathBuf::from)
}

/// The fixture files of a rule with the given stem: `fires.txt` first, then
/// extra cases `fires-<case>.txt` in name order (for projects that cannot share
/// one fixture, such as two `supabase/config.toml` variants). Returns
/// `(snapshot suffix, text)`: `fires`, `fires-<case>`.
fn cases(rule: &str, stem: &str) -> Vec<(String, String)> {
    let dir = fixtures_dir().join(rule);
    let main = std::fs::read_to_string(dir.join(format!("{stem}.txt")))
        .unwrap_or_else(|_| panic!("{rule}: missing tests/fixtures/{rule}/{stem}.txt"));
    let mut out = vec![(stem.to_string(), main)];
    let mut extra: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .filter_map(|n| {
            let case = n.strip_prefix(&format!("{stem}-"))?.strip_suffix(".txt")?;
            Some((format!("{stem}-{case}"), n))
        })
        .collect();
    extra.sort();
    for (name, file) in extra {
        out.push((name, std::fs::read_to_string(dir.join(file)).unwrap()));
    }
    out
}

fn run_rule(rule: &str) {
    assert!(
        supaudit_core::rules::by_name(rule).is_some(),
        "unknown rule {rule}"
    );
    let meta = supaudit_core::rules::by_name(rule).unwrap();

    // Must fire.
    let mut any_fix = false;
    for (case, text) in cases(rule, "fires") {
        let fx = parse_fixture(&text);
        let settings = settings_for(rule, &fx.project);
        let diags = supaudit_core::check(&fx.project, &settings);
        let mine = of_rule(&diags, rule);
        assert!(
            !mine.is_empty(),
            "{rule}: {case}.txt reported nothing for the rule:\n{}",
            render(&diags, &fx.project)
        );
        insta::assert_snapshot!(format!("{rule}__{case}"), render(&mine, &fx.project));

        let has_fix = mine.iter().any(|d| !d.fixes.is_empty());
        if case == "fires" {
            assert_eq!(
                has_fix,
                meta.fix,
                "{rule}: the registry says fix = {}, but fires.txt {} a fix",
                meta.fix,
                if has_fix { "offers" } else { "offers no" }
            );
        } else if has_fix {
            assert!(
                meta.fix,
                "{rule}: the registry says fix = false, but {case}.txt offers a fix"
            );
        }
        any_fix |= has_fix;
        let fixed = fix_until_stable(rule, &fx.project, &settings);
        if has_fix {
            let fixed_name = case.replacen("fires", "fixed", 1);
            insta::assert_snapshot!(
                format!("{rule}__{fixed_name}"),
                changed_files(&fx.project, &fixed)
            );
        }

        if let Some(out) = pg_dir()
            && fx.pg_skip.is_none()
        {
            let skip = fx.model_skip.as_deref();
            write_sql_for_postgres_checked(&fx.project, &out.join(format!("{rule}__{case}")), skip);
            if has_fix {
                write_sql_for_postgres_checked(
                    &fixed,
                    &out.join(format!("{rule}__{case}_fixed")),
                    skip,
                );
            }
        }
    }
    assert_eq!(any_fix, meta.fix);

    // Must not fire.
    for (case, text) in cases(rule, "passes") {
        let px = parse_fixture(&text);
        let settings = settings_for(rule, &px.project);
        let diags = supaudit_core::check(&px.project, &settings);
        let mine = of_rule(&diags, rule);
        assert!(
            mine.is_empty(),
            "{rule}: {case}.txt must not report:\n{}",
            render(&mine, &px.project)
        );
        if let Some(out) = pg_dir()
            && px.pg_skip.is_none()
        {
            write_sql_for_postgres_checked(
                &px.project,
                &out.join(format!("{rule}__{case}")),
                px.model_skip.as_deref(),
            );
        }
    }
}

macro_rules! rule_tests {
    ($($test:ident => $name:literal),* $(,)?) => {
        $(#[test] fn $test() { run_rule($name); })*

        #[test]
        fn every_rule_has_a_fixture_test() {
            let tested = [$($name),*];
            for r in supaudit_core::rules::ALL {
                assert!(tested.contains(&r.name), "rule {} has no fixture test in tests/rules.rs", r.name);
            }
        }
    };
}

rule_tests! {
    rls_disabled => "rls-disabled",
    sensitive_columns_exposed => "sensitive-columns-exposed",
    policy_exists_rls_disabled => "policy-exists-rls-disabled",
    rls_enabled_no_policy => "rls-enabled-no-policy",
    policy_always_true => "policy-always-true",
    policy_uses_user_metadata => "policy-uses-user-metadata",
    function_search_path_mutable => "function-search-path-mutable",
    security_definer_exposed => "security-definer-exposed",
    security_definer_view => "security-definer-view",
    auth_users_exposed => "auth-users-exposed",
    materialized_view_in_api => "materialized-view-in-api",
    foreign_table_in_api => "foreign-table-in-api",
    extension_in_public => "extension-in-public",
    unsupported_reg_types => "unsupported-reg-types",
    fkey_to_auth_unique => "fkey-to-auth-unique",
    public_bucket_listing => "public-bucket-listing",
    graphql_table_exposed => "graphql-table-exposed",
    insecure_queue_exposed => "insecure-queue-exposed",
    auth_rls_initplan => "auth-rls-initplan",
    unindexed_foreign_key => "unindexed-foreign-key",
    duplicate_index => "duplicate-index",
    no_primary_key => "no-primary-key",
    multiple_permissive_policies => "multiple-permissive-policies",
    syntax_error => "syntax-error",
    unparsed_statement => "unparsed-statement",
    unused_ignore => "unused-ignore",
    service_role_in_client => "service-role-in-client",
    client_unknown_table => "client-unknown-table",
    client_unknown_column => "client-unknown-column",
    column_renamed_in_use => "column-renamed-in-use",
    stats_extension_missing => "stats-extension-missing",
    client_unknown_function => "client-unknown-function",
    query_in_loop => "query-in-loop",
    unchecked_error => "unchecked-error",
    raw_sql_interpolation => "raw-sql-interpolation",
    unsanitized_html => "unsanitized-html",
    read_modify_write => "read-modify-write",
    non_atomic_writes => "non-atomic-writes",
    silent_stub_client => "silent-stub-client",
    service_role_unscoped_query => "service-role-unscoped-query",
    pooler_disabled => "pooler-disabled",
    secret_in_env_example => "secret-in-env-example",
    public_env_service_key => "public-env-service-key",
    auth_anonymous_sign_ins => "auth-anonymous-sign-ins",
    auth_weak_password_policy => "auth-weak-password-policy",
    server_module_in_client => "server-module-in-client",
    client_type_mismatch => "client-type-mismatch",
    missing_composite_index => "missing-composite-index",
    jsonb_filter_unindexed => "jsonb-filter-unindexed",
    missing_command_policy => "missing-command-policy",
    policy_service_role_check => "policy-service-role-check",
    policy_auth_role_deprecated => "policy-auth-role-deprecated",
    sensitive_column_plaintext => "sensitive-column-plaintext",
    grant_all_to_anon => "grant-all-to-anon",
    storage_bucket_unbounded => "storage-bucket-unbounded",
    storage_policy_unscoped => "storage-policy-unscoped",
    rls_subquery_in => "rls-subquery-in",
    policy_column_unindexed => "policy-column-unindexed",
    ivfflat_fixed_lists => "ivfflat-fixed-lists",
    index_predicate_not_immutable => "index-predicate-not-immutable",
    concurrently_in_transaction => "concurrently-in-transaction",
    refresh_concurrently_no_unique_index => "refresh-concurrently-no-unique-index",
    missing_foreign_key => "missing-foreign-key",
    array_of_references => "array-of-references",
    auth_fk_no_cascade => "auth-fk-no-cascade",
    inconsistent_on_delete => "inconsistent-on-delete",
    enum_like_text_unchecked => "enum-like-text-unchecked",
    email_unchecked => "email-unchecked",
    unbounded_text => "unbounded-text",
    timestamp_without_time_zone => "timestamp-without-time-zone",
    updated_at_no_trigger => "updated-at-no-trigger",
    migration_order => "migration-order",
    destructive_change => "destructive-change",
    add_not_null_without_default => "add-not-null-without-default",
    column_type_change => "column-type-change",
    index_without_concurrently => "index-without-concurrently",
    constraint_not_valid => "constraint-not-valid",
    prefer_identity => "prefer-identity",
    prefer_bigint => "prefer-bigint",
    missing_rollback => "missing-rollback",
}
