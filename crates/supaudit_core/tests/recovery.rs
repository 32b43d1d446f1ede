//! A syntax error does not stop the analysis: the statements around it are
//! still replayed and checked.

mod common;

use common::*;

#[test]
fn statements_after_a_syntax_error_are_still_checked() {
    let text = std::fs::read_to_string(fixtures_dir().join("syntax-error/fires.txt")).unwrap();
    let fx = parse_fixture(&text);
    let diags = supaudit_core::check(&fx.project, &supaudit_core::Settings::default());
    let line_of = |d: &supaudit_core::Diagnostic| {
        let t = &fx.project.file(&d.file).unwrap().text;
        t[..d.range.start as usize].matches('\n').count() + 1
    };
    let first_error = diags
        .iter()
        .filter(|d| d.rule == "syntax-error" && d.file.ends_with("_init.sql"))
        .map(line_of)
        .min()
        .expect("fires.txt has a syntax error");
    // public.tags is created after the half-typed policy and still reported.
    let tags: Vec<_> = diags
        .iter()
        .filter(|d| d.rule == "rls-disabled" && d.message.contains("public.tags"))
        .collect();
    assert_eq!(tags.len(), 1, "{}", render(&diags, &fx.project));
    assert!(line_of(tags[0]) > first_error);
    // public.drafts has a syntax error of its own and is still in the model.
    assert!(
        diags
            .iter()
            .any(|d| d.rule == "rls-enabled-no-policy" && d.message.contains("public.drafts")),
        "{}",
        render(&diags, &fx.project)
    );
}

/// Half-typed statements, as an editor sends them: every fixture cut at every
/// word boundary must check without a panic and in bounded time (a rule once
/// looped forever on `create extension ` with no name yet).
#[test]
fn every_prefix_of_every_fixture_checks() {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::Builder::new()
        .stack_size(16 << 20)
        .spawn(move || {
            let mut checked = 0usize;
            let mut dirs: Vec<_> = std::fs::read_dir(fixtures_dir())
                .unwrap()
                .map(|e| e.unwrap().path())
                .collect();
            dirs.sort();
            // `fires.txt` and the extra cases `fires-<case>.txt` of every rule.
            let fixtures = dirs.into_iter().flat_map(|dir| {
                let mut names: Vec<_> = std::fs::read_dir(&dir)
                    .into_iter()
                    .flatten()
                    .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
                    .filter(|n| n.starts_with("fires") && n.ends_with(".txt"))
                    .collect();
                names.sort();
                names.into_iter().map(move |n| dir.join(n))
            });
            for path in fixtures {
                let Ok(text) = std::fs::read_to_string(&path) else {
                    continue;
                };
                let fx = parse_fixture(&text);
                for (i, f) in fx.project.files.iter().enumerate() {
                    let cuts = f
                        .text
                        .char_indices()
                        .filter(|(_, c)| c.is_whitespace())
                        .map(|(at, _)| at);
                    for at in cuts {
                        let mut p = fx.project.clone();
                        p.files[i].text.truncate(at);
                        tx.send(format!("{}: {} cut at {at}", path.display(), f.path))
                            .unwrap();
                        supaudit_core::check(&p, &supaudit_core::Settings::default());
                        checked += 1;
                    }
                }
            }
            tx.send(format!("done {checked}")).unwrap();
        })
        .unwrap();
    let mut last = String::new();
    loop {
        match rx.recv_timeout(std::time::Duration::from_secs(20)) {
            Ok(m) if m.starts_with("done") => {
                assert!(m != "done 0");
                break;
            }
            Ok(m) => last = m,
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => panic!("check hung on {last}"),
            Err(e) => panic!("check panicked on {last}: {e}"),
        }
    }
}
