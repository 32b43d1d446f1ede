//! Shared by the fuzz targets: runs supaudit's whole pipeline (check, render,
//! fix with unsafe fixes, check again) on a project and asserts invariants
//! beyond "no panic". See docs/fuzzing.md.

pub mod structured;

use std::collections::BTreeMap;

use supaudit_core::diagnostic::apply_fixes;
use supaudit_core::render::{self, Sources, TextOptions};
use supaudit_core::settings::RuleLevel;
use supaudit_core::{Diagnostic, FileKind, FixOptions, Project, Settings, SourceFile};

/// The core needs 8 MiB of stack for the deepest input it accepts
/// (ARCHITECTURE.md); the binaries give it 16 MiB. libFuzzer calls the target
/// on the main thread, whose stack may be smaller (and sanitizers use more),
/// so every input runs on a thread of its own with room to spare.
pub const STACK_BYTES: usize = 64 << 20;

/// Runs `f` on a thread with [`STACK_BYTES`] of stack. A panic there aborts
/// the process through libFuzzer's panic hook, so it is reported as a crash.
pub fn on_big_stack<F: FnOnce() + Send>(f: F) {
    std::thread::scope(|s| {
        std::thread::Builder::new()
            .stack_size(STACK_BYTES)
            .spawn_scoped(s, f)
            .expect("spawn the fuzz thread")
            .join()
            .expect("the pipeline panicked");
    });
}

/// Settings with every rule on, the ones off by default included.
pub fn all_rules() -> Settings {
    let mut s = Settings::default();
    for r in supaudit_core::rules::ALL {
        s.rules.insert(r.name.to_string(), RuleLevel::On);
    }
    s
}

/// Syntax findings, by file: what a fix must never add to.
fn syntax_findings(diags: &[Diagnostic]) -> BTreeMap<&str, usize> {
    let mut m = BTreeMap::new();
    for d in diags {
        if d.rule == "syntax-error" || d.rule == "unparsed-statement" {
            *m.entry(d.file.as_str()).or_insert(0) += 1;
        }
    }
    m
}

/// Every diagnostic and every fix edit points into its file, on character
/// boundaries (renderers and `apply_fixes` slice the text with these).
fn check_ranges(project: &Project, diags: &[Diagnostic]) {
    let fits = |file: &str, start: u32, end: u32| -> bool {
        let (s, e) = (start as usize, end as usize);
        match project.file(file) {
            Some(f) => s <= e && e <= f.text.len() && f.text.is_char_boundary(s) && f.text.is_char_boundary(e),
            // Load issues and files fixes create.
            None => s <= e,
        }
    };
    for d in diags {
        assert!(
            fits(&d.file, d.range.start, d.range.end),
            "{} points outside {} or inside a character: {:?}",
            d.rule,
            d.file,
            d.range
        );
        for fix in &d.fixes {
            for e in &fix.edits {
                if project.file(&e.file).is_none() {
                    // A fix that creates a file: it inserts at 0.
                    assert!(
                        e.range.start == 0 && e.range.end == 0,
                        "{}: an edit of {} (not in the project) is not a creation: {:?}",
                        d.rule,
                        e.file,
                        e.range
                    );
                    continue;
                }
                assert!(
                    fits(&e.file, e.range.start, e.range.end),
                    "{}: a fix edit points outside {} or inside a character: {:?}",
                    d.rule,
                    e.file,
                    e.range
                );
            }
        }
    }
}

/// The files fixing changed, for a failure message.
fn changed_texts(before: &Project, after: &Project) -> String {
    let mut out = String::new();
    for f in &after.files {
        if before.file(&f.path).map(|b| b.text.as_str()) != Some(f.text.as_str()) {
            out.push_str(&format!("-- fixed {}:\n{}\n", f.path, f.text));
        }
    }
    out
}

/// The whole pipeline on `project`, with the invariants:
/// - check, the four renderers and fix (unsafe fixes included) do not panic;
/// - diagnostics and fix edits point at character boundaries inside their file;
/// - fixed SQL and client files parse with no more syntax errors than before,
///   and a valid `supabase/config.toml` stays valid TOML;
/// - no file gets more `syntax-error` / `unparsed-statement` findings;
/// - fixing converges (or only keeps creating new migrations, one per round);
/// - the fix loop's last analysis (incremental re-parses through `ParseCache`)
///   equals a fresh check of the fixed project;
/// - a second fix round changes nothing.
pub fn run_pipeline(project: &Project, settings: &Settings) {
    let before = supaudit_core::check(project, settings);
    check_ranges(project, &before);
    let sources = Sources::new(project);
    let _ = render::text(
        &before,
        &sources,
        TextOptions {
            color: false,
            max_lines: 6,
        },
    );
    let _ = render::json(&before, &sources);
    let _ = render::sarif(&before, &sources, "fuzz");
    let _ = render::github(&before, &sources);

    let fixed = supaudit_core::fix(
        project,
        settings,
        FixOptions {
            allow_unsafe: true,
            ..Default::default()
        },
    );
    let p = &fixed.project;
    let created = p.files.len().saturating_sub(project.files.len());
    // Fixes that create files apply one per round (MAX_FIX_ROUNDS = 20), so a
    // project that needs many new migrations legitimately stops unstable.
    assert!(
        fixed.stable || created >= 5,
        "fixes did not converge (created {created} files), applied {:?}\n{}",
        fixed.applied,
        changed_texts(project, p)
    );

    for f in &p.files {
        let original = project.file(&f.path).map(|o| o.text.as_str());
        if original == Some(f.text.as_str()) {
            continue;
        }
        if f.kind.is_sql() {
            let was = original.map_or(0, |t| supaudit_core::sql::parse_sql(t).errors.len());
            let now = supaudit_core::sql::parse_sql(&f.text).errors.len();
            assert!(
                now <= was,
                "fixed {} has new syntax errors ({was} -> {now}), applied {:?}:\n{}",
                f.path,
                fixed.applied,
                f.text
            );
        } else if f.kind == FileKind::Client {
            let was = original.map_or(0, |t| supaudit_core::client::parse_client(&f.path, t).syntax_errors);
            let now = supaudit_core::client::parse_client(&f.path, &f.text).syntax_errors;
            assert!(
                now <= was,
                "fixed client file {} has new syntax errors ({was} -> {now}), applied {:?}:\n{}",
                f.path,
                fixed.applied,
                f.text
            );
        }
    }

    let after = supaudit_core::check(p, settings);
    check_ranges(p, &after);
    let (syn_before, syn_after) = (syntax_findings(&before), syntax_findings(&after));
    for (file, n) in &syn_after {
        let was = syn_before.get(file).copied().unwrap_or(0);
        assert!(*n <= was, "fixing added syntax findings to {file} ({was} -> {n})");
    }
    if fixed.stable {
        assert!(
            fixed.diagnostics == after,
            "the fix loop's cached analysis differs from a fresh check of the fixed project"
        );
        // A second round changes nothing.
        let all: Vec<&Diagnostic> = after.iter().collect();
        for f in &p.files {
            let (text, _) = apply_fixes(&f.path, &f.text, all.clone(), true);
            assert!(text == f.text, "fixing {} again changes it", f.path);
        }
    }
}

/// A project from `(path, bytes)` pairs. `lossy`: invalid UTF-8 is replaced
/// (text from an editor buffer or the WASM API is always a valid string, NUL
/// bytes included); else the bytes go through `supaudit_fs::decode` like the
/// CLI's files, and a refused file becomes a load issue. `supaudit.toml`
/// becomes the project's config.
pub fn project_from_bytes(files: Vec<(String, &[u8])>, lossy: bool) -> Project {
    let mut project = Project::default();
    for (path, bytes) in files {
        let text = if lossy {
            Ok(String::from_utf8_lossy(bytes).into_owned())
        } else {
            supaudit_fs::decode(bytes.to_vec())
        };
        match text {
            Ok(text) if path == "supaudit.toml" => project.config = Some(text),
            Ok(text) => project.files.push(SourceFile::new(path, text)),
            Err(message) => project
                .load_issues
                .push(supaudit_core::project::LoadIssue { path, message }),
        }
    }
    project
}

/// The settings the CLI would use: `supaudit.toml` when it parses, else the
/// defaults; `all_on` turns every rule on (over the file's levels).
pub fn settings_for(project: &Project, all_on: bool) -> Settings {
    let mut s = project
        .config
        .as_deref()
        .and_then(|t| Settings::from_toml(t).ok())
        .unwrap_or_default();
    if all_on {
        for r in supaudit_core::rules::ALL {
            s.rules.entry(r.name.to_string()).or_insert(RuleLevel::On);
        }
    }
    s
}

/// Where the parts of a `pipeline_bytes` input go (fuzz_targets/pipeline_bytes.rs).
pub const PIPELINE_PATHS: &[&str] = &[
    "supabase/migrations/20240101000000_init.sql",
    "src/lib/client.ts",
    "supabase/config.toml",
    ".env.example",
    "supabase/migrations/20240102000000_more.sql",
    "supaudit.toml",
    "supabase/seed.sql",
    "supabase/schemas/schema.sql",
    "src/app/page.tsx",
    "tsconfig.json",
];

/// At most this many files, so that an input is checked in milliseconds.
pub const PIPELINE_MAX_FILES: usize = 16;

/// The project and settings of a `pipeline_bytes` input: a flags byte, then
/// file contents separated by 0xFF (see fuzz_targets/pipeline_bytes.rs).
pub fn pipeline_bytes_input(data: &[u8]) -> Option<(Project, Settings)> {
    let (&flags, rest) = data.split_first()?;
    let files: Vec<(String, &[u8])> = rest
        .split(|b| *b == 0xFF)
        .take(PIPELINE_MAX_FILES)
        .enumerate()
        .filter(|(_, part)| !part.is_empty())
        .map(|(i, part)| {
            let path = match PIPELINE_PATHS.get(i) {
                Some(p) => p.to_string(),
                None => format!("supabase/migrations/202402{i:02}000000_extra.sql"),
            };
            (path, part)
        })
        .collect();
    let project = project_from_bytes(files, flags & 1 != 0);
    let settings = settings_for(&project, flags & 2 != 0);
    Some((project, settings))
}
