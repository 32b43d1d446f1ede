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
