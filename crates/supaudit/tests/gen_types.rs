//! `supaudit gen types`: the generated `database.types.ts` of every example
//! project, as snapshots, and `-o` writing the same text to a file.

use std::path::{Path, PathBuf};
use std::process::Command;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

fn gen_types(example: &str) -> String {
    let o = Command::new(env!("CARGO_BIN_EXE_supaudit"))
        .args(["gen", "types"])
        .arg(repo().join("examples").join(example))
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8(o.stdout).unwrap()
}

#[test]
fn studio() {
    insta::assert_snapshot!("gen_types_studio", gen_types("studio"));
}

#[test]
fn visionary() {
    insta::assert_snapshot!("gen_types_visionary", gen_types("visionary"));
}

#[test]
fn clean_nextjs() {
    insta::assert_snapshot!("gen_types_clean_nextjs", gen_types("clean-nextjs"));
}

#[test]
fn capability_hub() {
    insta::assert_snapshot!("gen_types_capability_hub", gen_types("capability-hub"));
}

#[test]
fn velro() {
    insta::assert_snapshot!("gen_types_velro", gen_types("velro"));
}

#[test]
fn output_file_and_options() {
    let dir = std::env::temp_dir().join(format!("supaudit-gen-types-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("database.types.ts");
    let o = Command::new(env!("CARGO_BIN_EXE_supaudit"))
        .args(["gen", "types"])
        .arg(repo().join("examples/clean-nextjs"))
        .arg("-o")
        .arg(&file)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(o.stdout.is_empty());
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        gen_types("clean-nextjs")
    );

    let o = Command::new(env!("CARGO_BIN_EXE_supaudit"))
        .args([
            "gen",
            "types",
            "--schema",
            "public",
            "--postgrest-version",
            "none",
        ])
        .arg(repo().join("examples/clean-nextjs"))
        .output()
        .unwrap();
    let out = String::from_utf8(o.stdout).unwrap();
    assert!(!out.contains("__InternalSupabase: {"));
    assert!(!out.contains("graphql_public"));
    std::fs::remove_dir_all(&dir).ok();
}
