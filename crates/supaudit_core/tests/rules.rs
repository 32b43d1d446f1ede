//! Per-rule fixture tests. Each rule has `tests/fixtures/<rule>/fires.txt`
//! (must report) and `passes.txt` (must not), snapshots of the rendered
//! findings and of the fixed files, and fixes proven by `fix_until_stable`.
//! With `SUPAUDIT_PG_DIR` set, the fixtures and fixed files are written there
//! for the PostgreSQL run (`scripts/pg-run.sh`).

mod common;

use common::*;

fn pg_dir() -> Option<std::path::PathBuf> {
    std::env::var_os("SUPAUDIT_PG_DIR").map(std::path::PathBuf::from)
}

fn run_rule(rule: &str) {
    assert!(
        supaudit_core::rules::by_name(rule).is_some(),
        "unknown rule {rule}"
    );
    let dir = fixtures_dir().join(rule);
    let fires = std::fs::read_to_string(dir.join("fires.txt"))
        .unwrap_or_else(|_| panic!("{rule}: missing tests/fixtures/{rule}/fires.txt"));
    let passes = std::fs::read_to_string(dir.join("passes.txt"))
        .unwrap_or_else(|_| panic!("{rule}: missing tests/fixtures/{rule}/passes.txt"));

    // Must fire.
    let fx = parse_fixture(&fires);
    let settings = settings_for(rule, &fx.project);
    let diags = supaudit_core::check(&fx.project, &settings);
    let mine = of_rule(&diags, rule);
    assert!(
        !mine.is_empty(),
        "{rule}: fires.txt reported nothing for the rule:\n{}",
        render(&diags, &fx.project)
    );
    insta::assert_snapshot!(format!("{rule}__fires"), render(&mine, &fx.project));

    let meta = supaudit_core::rules::by_name(rule).unwrap();
    let has_fix = mine.iter().any(|d| !d.fixes.is_empty());
    assert_eq!(
        has_fix,
        meta.fix,
        "{rule}: the registry says fix = {}, but fires.txt {} a fix",
        meta.fix,
        if has_fix { "offers" } else { "offers no" }
    );
    let fixed = fix_until_stable(rule, &fx.project, &settings);
    if has_fix {
        insta::assert_snapshot!(format!("{rule}__fixed"), changed_files(&fx.project, &fixed));
    }

    // Must not fire.
    let px = parse_fixture(&passes);
    let settings = settings_for(rule, &px.project);
    let diags = supaudit_core::check(&px.project, &settings);
    let mine = of_rule(&diags, rule);
    assert!(
        mine.is_empty(),
        "{rule}: passes.txt must not report:\n{}",
        render(&mine, &px.project)
    );

    if let Some(out) = pg_dir() {
        if fx.pg_skip.is_none() {
            write_sql_for_postgres(&fx.project, &out.join(format!("{rule}__fires")));
            if has_fix {
                write_sql_for_postgres(&fixed, &out.join(format!("{rule}__fires_fixed")));
            }
        }
        if px.pg_skip.is_none() {
            write_sql_for_postgres(&px.project, &out.join(format!("{rule}__passes")));
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
}
