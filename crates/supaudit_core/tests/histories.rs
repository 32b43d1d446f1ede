//! Realistic migration histories (`tests/histories/*.txt`: renames, drops,
//! CREATE OR REPLACE, default privileges, REVOKE ON FUNCTION, DO blocks…)
//! replayed into the model. Each one's catalog (the model as
//! `supaudit_core::model::catalog` prints it) is a snapshot here, and with
//! `SUPAUDIT_PG_DIR` set the history is written out for `scripts/pg-run.sh`,
//! which applies it to PostgreSQL and (with `PG_RUN_COMPARE=1`) compares the
//! catalog PostgreSQL builds with the model's.

mod common;

use common::*;

#[test]
fn histories_replay_into_the_model() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/histories");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .filter(|n| n.ends_with(".txt"))
        .collect();
    names.sort();
    assert!(names.len() >= 6, "histories missing: {names:?}");
    for name in names {
        let stem = name.trim_end_matches(".txt");
        let fx = parse_fixture(&std::fs::read_to_string(dir.join(&name)).unwrap());
        let analysis = supaudit_core::analyze(&fx.project, &supaudit_core::Settings::default());
        let unparsed: Vec<_> = analysis
            .diagnostics
            .iter()
            .filter(|d| matches!(d.rule, "syntax-error" | "unparsed-statement"))
            .map(|d| format!("{}: {}", d.rule, d.message))
            .collect();
        assert!(unparsed.is_empty(), "{name}: {unparsed:#?}");
        insta::assert_snapshot!(
            format!("history__{stem}"),
            supaudit_core::model::catalog::catalog(&analysis.model)
        );
        if let Some(out) = std::env::var_os("SUPAUDIT_PG_DIR") {
            let out = std::path::PathBuf::from(out).join(format!("history__{stem}"));
            write_sql_for_postgres_checked(&fx.project, &out, fx.model_skip.as_deref());
        }
    }
}
