//! End-to-end tests of the `supaudit` binary: formats, exit codes, fixes, errors.

mod common;

use std::path::{Path, PathBuf};

use common::temp_dir;
use std::process::{Command, Output};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

fn supaudit(args: &[&str], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_supaudit"))
        .args(args)
        .current_dir(cwd)
        .env_remove("NO_COLOR")
        .output()
        .expect("run supaudit")
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

#[test]
fn text_output_on_the_example() {
    let o = supaudit(&["check", "examples/studio", "--color", "never"], &repo());
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    insta::assert_snapshot!("example_text", stdout(&o));
}

/// examples/visionary reproduces seed audit 004 (see its README): the credit race, the
/// streak columns no migration creates, the unindexed `habit_id`, and nothing from the
/// parts written correctly (client setup, env file, config).
#[test]
fn text_output_on_the_seed_004_example() {
    let o = supaudit(
        &["check", "examples/visionary", "--color", "never"],
        &repo(),
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let out = stdout(&o);
    for (rule, at) in [
        ("read-modify-write", "services/storageService.ts:43:"),
        ("client-unknown-column", "services/habitService.ts:7:65:"),
        ("client-unknown-column", "services/habitService.ts:7:81:"),
        (
            "unindexed-foreign-key",
            "supabase/migrations/20241129000000_ai_agent_schema.sql:23:",
        ),
    ] {
        assert!(
            out.lines()
                .any(|l| l.starts_with(at) && l.contains(&format!("[{rule}]"))),
            "{rule} at {at}:\n{out}"
        );
    }
    for quiet in [
        "silent-stub-client",
        "service-role-in-client",
        "secret-in-env-example",
        "public-env-service-key",
        "pooler-disabled",
        "auth-weak-password-policy",
        "unchecked-error",
        "query-in-loop",
    ] {
        assert!(
            !out.contains(&format!("[{quiet}]")),
            "{quiet} fired:\n{out}"
        );
    }
    insta::assert_snapshot!("visionary_text", out);
}

#[test]
fn json_output_matches_the_contract() {
    let o = supaudit(&["check", "examples/studio", "--format", "json"], &repo());
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    let v: serde_json::Value = serde_json::from_str(&out).expect("valid JSON");
    assert_eq!(v["version"], 1);
    let diags = v["diagnostics"].as_array().unwrap();
    assert!(!diags.is_empty());
    for d in diags {
        for key in [
            "rule", "severity", "category", "file", "range", "message", "help", "fixes",
        ] {
            assert!(d.get(key).is_some(), "missing {key} in {d}");
        }
        assert!(["error", "warning", "info"].contains(&d["severity"].as_str().unwrap()));
        let file = d["file"].as_str().unwrap();
        assert!(!file.starts_with('/') && !file.contains('\\'), "{file}");
        for end in ["start", "end"] {
            assert!(d["range"][end]["line"].as_u64().unwrap() >= 1);
            assert!(d["range"][end]["column"].as_u64().unwrap() >= 1);
        }
        for f in d["fixes"].as_array().unwrap() {
            assert!(["safe", "unsafe"].contains(&f["applicability"].as_str().unwrap()));
            for e in f["edits"].as_array().unwrap() {
                assert!(
                    e["file"].is_string()
                        && e["new_text"].is_string()
                        && e["range"]["start"]["line"].is_u64()
                );
            }
        }
    }
    let rls = diags
        .iter()
        .find(|d| d["rule"] == "rls-disabled")
        .expect("rls-disabled finding");
    assert_eq!(
        rls["message"],
        "table public.audit_logs is exposed to the API without row level security"
    );
    insta::assert_snapshot!("example_json", out);
}

#[test]
fn sarif_output_is_sarif_2_1_0() {
    let o = supaudit(&["check", "examples/studio", "--format", "sarif"], &repo());
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("valid JSON");
    assert_eq!(v["version"], "2.1.0");
    let run = &v["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "supaudit");
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    assert_eq!(rules.len(), supaudit_rule_count());
    for r in rules {
        assert!(
            r["fullDescription"]["text"]
                .as_str()
                .unwrap()
                .contains("## What it does")
        );
    }
    for res in run["results"].as_array().unwrap() {
        let idx = res["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[idx]["id"], res["ruleId"]);
        assert!(["error", "warning", "note"].contains(&res["level"].as_str().unwrap()));
        assert!(
            res["locations"][0]["physicalLocation"]["region"]["startLine"]
                .as_u64()
                .unwrap()
                >= 1
        );
    }
    // Full schema validation runs in scripts/test.sh (scripts/validate-sarif.py).
    if let Some(path) = std::env::var_os("SUPAUDIT_SARIF_OUT") {
        std::fs::write(path, stdout(&o)).unwrap();
    }
}

fn supaudit_rule_count() -> usize {
    let o = supaudit(&["rules", "--format", "json"], &repo());
    serde_json::from_str::<serde_json::Value>(&stdout(&o))
        .unwrap()
        .as_array()
        .unwrap()
        .len()
}

#[test]
fn github_output_is_workflow_commands() {
    let o = supaudit(&["check", "examples/studio", "--format", "github"], &repo());
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    for line in out.lines() {
        assert!(
            line.starts_with("::error file=")
                || line.starts_with("::warning file=")
                || line.starts_with("::notice file="),
            "{line}"
        );
        assert!(
            line.contains(",line=") && line.contains(",col=") && line.contains("::"),
            "{line}"
        );
    }
    insta::assert_snapshot!("example_github", out);
}

#[test]
fn fail_on_sets_the_exit_code() {
    let dir = temp_dir("failon");
    std::fs::create_dir_all(dir.join("supabase/migrations")).unwrap();
    std::fs::write(
        dir.join("supabase/migrations/20240101000000_a.sql"),
        "create table public.t (id bigint primary key, user_id uuid references auth.users (id) on delete cascade);\nalter table public.t enable row level security;\n",
    )
    .unwrap();
    // Only info and warning findings here.
    assert_eq!(supaudit(&["check", "."], &dir).status.code(), Some(0));
    assert_eq!(
        supaudit(&["check", ".", "--fail-on", "info"], &dir)
            .status
            .code(),
        Some(1)
    );
    std::fs::write(
        dir.join("supaudit.toml"),
        "[rules]\nrls-enabled-no-policy = \"error\"\n",
    )
    .unwrap();
    assert_eq!(supaudit(&["check", "."], &dir).status.code(), Some(1));
    std::fs::write(dir.join("supaudit.toml"), "[rules]\nrls-enabled-no-policy = \"off\"\ngraphql-table-exposed = \"off\"\nunindexed-foreign-key = \"off\"\n").unwrap();
    let o = supaudit(&["check", ".", "--fail-on", "info"], &dir);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(stdout(&o).contains("No findings."));
}

#[test]
fn accepts_the_supabase_folder_itself() {
    let o = supaudit(
        &["check", "examples/studio/supabase", "--format", "json"],
        &repo(),
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("\"file\": \"supabase/migrations/"));
}

#[test]
fn missing_supabase_folder_is_an_error() {
    let dir = temp_dir("nosupabase");
    let o = supaudit(&["check", "."], &dir);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("no supabase/ folder"), "{}", stderr(&o));
    let o = supaudit(&["check", "does/not/exist"], &dir);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("does not exist"), "{}", stderr(&o));
}

#[test]
fn invalid_config_is_an_error_with_position() {
    let dir = temp_dir("badconfig");
    std::fs::create_dir_all(dir.join("supabase/migrations")).unwrap();
    std::fs::write(
        dir.join("supaudit.toml"),
        "exposed-schemas = [\"public\"]\nrulez = {}\n",
    )
    .unwrap();
    let o = supaudit(&["check", "."], &dir);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(
        err.contains("supaudit.toml:2:1") && err.contains("unknown field `rulez`"),
        "{err}"
    );
    std::fs::write(
        dir.join("supaudit.toml"),
        "[rules]\nrls-disable = \"off\"\n",
    )
    .unwrap();
    let err = stderr(&supaudit(&["check", "."], &dir));
    assert!(err.contains("did you mean `rls-disabled`"), "{err}");
}

#[test]
fn fix_applies_safe_fixes_and_reports_them() {
    let dir = common::example_copy("fix");
    let before = stdout(&supaudit(&["check", ".", "--format", "json"], &dir));
    let o = supaudit(&["check", ".", "--fix", "--format", "json"], &dir);
    let err = stderr(&o);
    assert!(err.starts_with("Fixed "), "{err}");
    assert!(err.contains("auth-rls-initplan"), "{err}");
    let after: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let left = |v: &serde_json::Value| {
        v["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| {
                d["fixes"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|f| f["applicability"] == "safe")
            })
            .count()
    };
    assert!(left(&serde_json::from_str(&before).unwrap()) > 0);
    assert_eq!(left(&after), 0, "safe fixes remain after --fix");
    // Unsafe fixes were not applied: rls-disabled is still reported.
    assert!(stdout(&o).contains("\"rls-disabled\""));
    let o = supaudit(&["check", ".", "--unsafe-fixes", "--format", "json"], &dir);
    assert!(!stdout(&o).contains("\"rls-disabled\""), "{}", stdout(&o));
    // A second run has nothing left to fix.
    let o = supaudit(&["check", ".", "--unsafe-fixes"], &dir);
    assert_eq!(stderr(&o).trim(), "No fixes applied.");
}

#[test]
fn bad_files_are_reported_not_fatal() {
    let dir = temp_dir("badfiles");
    std::fs::create_dir_all(dir.join("supabase/migrations")).unwrap();
    std::fs::write(
        dir.join("supabase/migrations/20240101000000_bin.sql"),
        b"\x00\x01\x02binary",
    )
    .unwrap();
    std::fs::write(
        dir.join("supabase/migrations/20240102000000_latin1.sql"),
        b"-- caf\xe9\nselect 1;",
    )
    .unwrap();
    std::fs::write(
        dir.join("supabase/migrations/20240103000000_ok.sql"),
        "create table public.t (id bigint primary key);\ncreate table public.u (\n",
    )
    .unwrap();
    let o = supaudit(&["check", ".", "--color", "never"], &dir);
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    assert!(out.contains("file is binary"), "{out}");
    assert!(out.contains("not valid UTF-8"), "{out}");
    assert!(out.contains("error[rls-disabled] table public.t"), "{out}");
    assert!(out.contains("error[syntax-error]"), "{out}");
}

#[test]
fn deep_nesting_and_huge_files_do_not_crash() {
    let dir = temp_dir("deep");
    std::fs::create_dir_all(dir.join("supabase/migrations")).unwrap();
    let deep = format!("select {}1{};\n", "(".repeat(5000), ")".repeat(5000));
    std::fs::write(
        dir.join("supabase/migrations/20240101000000_deep.sql"),
        deep,
    )
    .unwrap();
    let policy = format!(
        "create table public.t (id bigint primary key, a int);\nalter table public.t enable row level security;\ncreate policy p on public.t using ({}true{});\n",
        "(".repeat(3000),
        ")".repeat(3000)
    );
    std::fs::write(
        dir.join("supabase/migrations/20240102000000_policy.sql"),
        policy,
    )
    .unwrap();
    let big = "create table if not exists public.big (id bigint primary key);\n".repeat(50_000);
    std::fs::write(dir.join("supabase/migrations/20240103000000_big.sql"), big).unwrap();
    // Client code nested as deep as the parser is allowed to go, and deeper.
    std::fs::create_dir_all(dir.join("src")).unwrap();
    for (name, depth) in [("ok.ts", 990), ("deep.ts", 100_000)] {
        let code = format!(
            "export const x = {}1{};\n",
            "(".repeat(depth),
            ")".repeat(depth)
        );
        std::fs::write(dir.join("src").join(name), code).unwrap();
    }
    let jsx = format!(
        "export const X = () => {};\n",
        "<a>".repeat(3900) + &"</a>".repeat(3900)
    );
    std::fs::write(dir.join("src/deep.tsx"), jsx).unwrap();
    let chain = format!(
        "export const q = supabase.from('big').select('id'){};\n",
        ".eq('id', 1)".repeat(20_000)
    );
    std::fs::write(dir.join("src/chain.ts"), chain).unwrap();
    let o = supaudit(&["check", ".", "--format", "json"], &dir);
    assert!(matches!(o.status.code(), Some(0 | 1)), "{}", stderr(&o));
    serde_json::from_str::<serde_json::Value>(&stdout(&o)).expect("complete JSON output");
}

#[test]
fn rule_and_rules_commands() {
    let o = supaudit(&["rule", "rls-disabled"], &repo());
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).starts_with("# rls-disabled\n"));
    let o = supaudit(&["rule", "rls-disable"], &repo());
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("did you mean `rls-disabled`"));
    let o = supaudit(&["rules"], &repo());
    insta::assert_snapshot!("rules_list", stdout(&o));
}

/// Keys found in files are never printed whole, in any format: not the value,
/// and not any 16-character piece of it past the shown prefix.
#[test]
fn no_output_format_prints_a_key_whole() {
    let example = repo().join("examples/studio");
    let env = std::fs::read_to_string(example.join(".env.example")).unwrap();
    let keys: Vec<&str> = env
        .lines()
        .filter_map(|l| l.split_once('=').map(|(_, v)| v.trim()))
        .filter(|v| {
            v.starts_with("sb_secret_") || v.starts_with("sb_publishable_") || v.starts_with("eyJ")
        })
        .collect();
    assert_eq!(keys.len(), 3, "the example holds three fake keys");
    for format in ["text", "json", "sarif", "github"] {
        let o = supaudit(&["check", ".", "--format", format], &example);
        let out = stdout(&o) + &stderr(&o);
        assert!(
            out.contains("secret-in-env-example"),
            "{format}: no finding"
        );
        for key in &keys {
            // Past the kept prefix (at most 17 characters), no 16-character window appears.
            let tail = &key[17.min(key.len())..];
            for i in 0..tail.len().saturating_sub(16) {
                let piece = &tail[i..i + 16];
                assert!(
                    !out.contains(piece),
                    "{format} output shows `{piece}` of a key"
                );
            }
        }
    }
}

/// Fixes that add SQL to a schema that may be deployed write a new migration
/// (Supabase's `<version>_<name>.sql`, after the newest) instead of editing one.
#[test]
fn unsafe_fixes_create_new_migrations() {
    let dir = common::temp_dir("new-migration");
    common::copy_dir(&repo().join("examples/visionary"), &dir);
    let o = supaudit(&["check", ".", "--unsafe-fixes", "--color", "never"], &dir);
    let err = stderr(&o);
    let migrations = dir.join("supabase/migrations");
    for (name, sql) in [
        (
            "20251202000001_add_habits_current_streak.sql",
            "alter table public.habits add column if not exists current_streak integer;",
        ),
        (
            "20251202000002_add_habits_last_completed.sql",
            "alter table public.habits add column if not exists last_completed timestamptz;",
        ),
        (
            "20251202000003_add_habits_user_id_created_at_index.sql",
            "create index if not exists habits_user_id_created_at_idx on public.habits (user_id, created_at);",
        ),
        // habit_completions (habit_id, completed_at) is not created: the index
        // on habit_id that unindexed-foreign-key's fix adds narrows that query,
        // and missing-composite-index then stays quiet (see its doc).
    ] {
        assert!(
            err.contains(&format!("Created supabase/migrations/{name}.")),
            "{err}"
        );
        let text = std::fs::read_to_string(migrations.join(name)).expect(name);
        assert!(text.contains(sql), "{name}:\n{text}");
    }
    assert!(
        !stdout(&o).contains("[client-unknown-column]"),
        "{}",
        stdout(&o)
    );
    // Nothing more to create on a second run.
    let o = supaudit(&["check", ".", "--unsafe-fixes"], &dir);
    assert_eq!(stderr(&o).trim(), "No fixes applied.");
    assert_eq!(std::fs::read_dir(&migrations).unwrap().count(), 6);
}

/// The negative case for every rule: a clean Next.js + Supabase project gets no
/// error and no warning (examples/clean-nextjs/README.md says why for each rule).
#[test]
fn clean_project_has_no_error_or_warning() {
    let o = supaudit(
        &[
            "check",
            "examples/clean-nextjs",
            "--fail-on",
            "warning",
            "--format",
            "json",
        ],
        &repo(),
    );
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("JSON");
    let loud: Vec<_> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["severity"] != "info")
        .map(|d| {
            format!(
                "{} {}:{}",
                d["rule"], d["file"], d["range"]["start"]["line"]
            )
        })
        .collect();
    assert!(
        loud.is_empty(),
        "errors or warnings on the clean project: {loud:#?}"
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}
