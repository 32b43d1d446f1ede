//! Core diagnostics and fixes to LSP types, and the code actions built from them.
//! Byte offsets stay in the core; UTF-16 positions exist only here.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use supaudit_core::text::LineIndex;
use supaudit_core::{Applicability, Diagnostic, Project, Severity};
use tower_lsp_server::ls_types as lsp;

pub const SOURCE: &str = "supaudit";
pub const FIX_ALL_KIND: &str = "source.fixAll.supaudit";
const DOCS_BASE: &str = "https://github.com/supaudit/supaudit/blob/main/docs/rules";

/// One document's text and line index.
pub struct Doc<'a> {
    pub text: &'a str,
    index: LineIndex,
}

impl<'a> Doc<'a> {
    pub fn new(text: &'a str) -> Self {
        Doc {
            text,
            index: LineIndex::new(text),
        }
    }

    pub fn position(&self, offset: u32) -> lsp::Position {
        let (line, character) = self.index.utf16_position(offset, self.text);
        lsp::Position { line, character }
    }

    pub fn range(&self, span: supaudit_core::text::Span) -> lsp::Range {
        lsp::Range {
            start: self.position(span.start),
            end: self.position(span.end),
        }
    }

    pub fn offset(&self, pos: lsp::Position) -> u32 {
        self.index
            .offset_of_utf16(pos.line, pos.character, self.text)
    }

    pub fn end(&self) -> lsp::Position {
        self.position(self.text.len() as u32)
    }
}

/// The fixes of a diagnostic, carried in its `data` so that code actions need no re-analysis.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct DiagnosticData {
    pub fixes: Vec<FixData>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct FixData {
    pub title: String,
    /// `safe` or `unsafe`.
    pub applicability: String,
    pub edits: Vec<EditData>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct EditData {
    /// Path relative to the project root, with `/`.
    pub file: String,
    pub range: lsp::Range,
    pub new_text: String,
    /// The fix creates this file (a new migration) with `new_text`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub create: bool,
}

/// Line indexes of a project's files, built on demand.
pub struct Docs<'a> {
    project: &'a Project,
    docs: HashMap<&'a str, Doc<'a>>,
}

impl<'a> Docs<'a> {
    pub fn new(project: &'a Project) -> Self {
        Docs {
            project,
            docs: HashMap::new(),
        }
    }

    pub fn get(&mut self, path: &str) -> Option<&Doc<'a>> {
        let (key, text) = match self.project.file(path) {
            Some(file) => (file.path.as_str(), file.text.as_str()),
            // supaudit.toml is the project's config, not one of its files.
            None if path == CONFIG_FILE => ("supaudit.toml", self.project.config.as_deref()?),
            None => return None,
        };
        Some(self.docs.entry(key).or_insert_with(|| Doc::new(text)))
    }
}

/// The settings file, relative to the root.
pub const CONFIG_FILE: &str = "supaudit.toml";

pub fn doc_url(rule: &str) -> String {
    format!("{DOCS_BASE}/{rule}.md")
}

/// Converts one core diagnostic (its file must be in `docs`' project).
pub fn to_lsp(d: &Diagnostic, docs: &mut Docs) -> Option<lsp::Diagnostic> {
    let range = docs.get(&d.file)?.range(d.range);
    let mut fixes = Vec::new();
    'fixes: for fix in &d.fixes {
        let mut edits = Vec::new();
        for e in &fix.edits {
            let Some(doc) = docs.get(&e.file) else {
                // A file the project does not hold: the fix creates it.
                if e.range.is_empty() && e.range.start == 0 {
                    edits.push(EditData {
                        file: e.file.clone(),
                        range: lsp::Range::default(),
                        new_text: e.new_text.clone(),
                        create: true,
                    });
                    continue;
                }
                continue 'fixes;
            };
            edits.push(EditData {
                file: e.file.clone(),
                range: doc.range(e.range),
                new_text: e.new_text.clone(),
                create: false,
            });
        }
        fixes.push(FixData {
            title: fix.title.clone(),
            applicability: match fix.applicability {
                Applicability::Safe => "safe",
                Applicability::Unsafe => "unsafe",
            }
            .into(),
            edits,
        });
    }
    let mut message = d.message.clone();
    if let Some(help) = &d.help {
        message.push('\n');
        message.push_str(help);
    }
    Some(lsp::Diagnostic {
        range,
        severity: Some(match d.severity {
            Severity::Error => lsp::DiagnosticSeverity::ERROR,
            Severity::Warning => lsp::DiagnosticSeverity::WARNING,
            Severity::Info => lsp::DiagnosticSeverity::INFORMATION,
        }),
        code: Some(lsp::NumberOrString::String(d.rule.to_string())),
        code_description: doc_url(d.rule)
            .parse()
            .ok()
            .map(|href| lsp::CodeDescription { href }),
        source: Some(SOURCE.to_string()),
        message,
        related_information: None,
        tags: None,
        data: serde_json::to_value(DiagnosticData { fixes }).ok(),
    })
}

/// Groups a project's diagnostics by file, converted to LSP.
pub fn by_file(
    project: &Project,
    diagnostics: &[Diagnostic],
) -> HashMap<String, Vec<lsp::Diagnostic>> {
    let mut docs = Docs::new(project);
    let mut out: HashMap<String, Vec<lsp::Diagnostic>> = HashMap::new();
    for d in diagnostics {
        if let Some(l) = to_lsp(d, &mut docs) {
            out.entry(d.file.clone()).or_default().push(l);
        }
    }
    out
}

fn rule_of(d: &lsp::Diagnostic) -> Option<&str> {
    if d.source.as_deref() != Some(SOURCE) {
        return None;
    }
    match &d.code {
        Some(lsp::NumberOrString::String(s)) => Some(s),
        _ => None,
    }
}

/// One quick fix per fix carried in the diagnostic's `data`.
pub fn quick_fixes(
    d: &lsp::Diagnostic,
    uri_of: &dyn Fn(&str) -> Option<lsp::Uri>,
) -> Vec<lsp::CodeAction> {
    if rule_of(d).is_none() {
        return Vec::new();
    }
    let Some(data) = d
        .data
        .clone()
        .and_then(|v| serde_json::from_value::<DiagnosticData>(v).ok())
    else {
        return Vec::new();
    };
    let mut out = Vec::new();
    'fixes: for fix in data.fixes {
        let mut changes: HashMap<lsp::Uri, Vec<lsp::TextEdit>> = HashMap::new();
        // Fixes that create a file need `documentChanges`: create, then write it.
        let mut operations = Vec::new();
        for e in fix.edits {
            let Some(uri) = uri_of(&e.file) else {
                continue 'fixes;
            };
            let edit = lsp::TextEdit {
                range: e.range,
                new_text: e.new_text,
            };
            if e.create {
                operations.push(lsp::DocumentChangeOperation::Op(lsp::ResourceOp::Create(
                    lsp::CreateFile {
                        uri: uri.clone(),
                        options: Some(lsp::CreateFileOptions {
                            overwrite: Some(false),
                            ignore_if_exists: Some(false),
                        }),
                        annotation_id: None,
                    },
                )));
                operations.push(lsp::DocumentChangeOperation::Edit(lsp::TextDocumentEdit {
                    text_document: lsp::OptionalVersionedTextDocumentIdentifier {
                        uri,
                        version: None,
                    },
                    edits: vec![lsp::OneOf::Left(edit)],
                }));
            } else {
                changes.entry(uri).or_default().push(edit);
            }
        }
        let workspace_edit = if operations.is_empty() {
            lsp::WorkspaceEdit {
                changes: Some(changes),
                ..Default::default()
            }
        } else {
            for (uri, edits) in changes {
                operations.push(lsp::DocumentChangeOperation::Edit(lsp::TextDocumentEdit {
                    text_document: lsp::OptionalVersionedTextDocumentIdentifier {
                        uri,
                        version: None,
                    },
                    edits: edits.into_iter().map(lsp::OneOf::Left).collect(),
                }));
            }
            lsp::WorkspaceEdit {
                document_changes: Some(lsp::DocumentChanges::Operations(operations)),
                ..Default::default()
            }
        };
        let safe = fix.applicability == "safe";
        out.push(lsp::CodeAction {
            title: if safe {
                fix.title
            } else {
                format!("{} (unsafe)", fix.title)
            },
            kind: Some(lsp::CodeActionKind::QUICKFIX),
            diagnostics: Some(vec![d.clone()]),
            edit: Some(workspace_edit),
            is_preferred: Some(safe),
            ..Default::default()
        });
    }
    out
}

/// "Ignore <rule> for this statement": a suppression comment on a new line before the
/// diagnostic's first line, indented as that line.
/// "Ignore <rule> for this statement" (SQL) or "… for this line" (client code,
/// TOML, env files, whose comments start with `marker`).
pub fn ignore_action(
    d: &lsp::Diagnostic,
    uri: &lsp::Uri,
    doc: &Doc,
    marker: &str,
    statement: bool,
) -> Option<lsp::CodeAction> {
    let rule = rule_of(d)?;
    if rule == "unused-ignore" {
        return None;
    }
    let line = d.range.start.line;
    let start = doc.offset(lsp::Position { line, character: 0 }) as usize;
    let rest = &doc.text[start..];
    let indent: String = rest
        .chars()
        .take_while(|c| *c == ' ' || *c == '\t')
        .collect();
    let at = lsp::Position { line, character: 0 };
    let edit = lsp::TextEdit {
        range: lsp::Range { start: at, end: at },
        new_text: format!("{indent}{marker} supaudit-ignore {rule}: \n"),
    };
    let scope = if statement { "statement" } else { "line" };
    Some(lsp::CodeAction {
        title: format!("Ignore {rule} for this {scope}"),
        kind: Some(lsp::CodeActionKind::QUICKFIX),
        diagnostics: Some(vec![d.clone()]),
        edit: Some(lsp::WorkspaceEdit {
            changes: Some(HashMap::from([(uri.clone(), vec![edit])])),
            ..Default::default()
        }),
        is_preferred: Some(false),
        ..Default::default()
    })
}

/// The smallest single edit turning `old` into `new` (common prefix and suffix kept).
pub fn minimal_edit(old: &str, new: &str) -> Option<lsp::TextEdit> {
    if old == new {
        return None;
    }
    let mut prefix = old
        .bytes()
        .zip(new.bytes())
        .take_while(|(a, b)| a == b)
        .count();
    while !old.is_char_boundary(prefix) || !new.is_char_boundary(prefix) {
        prefix -= 1;
    }
    let max_suffix = (old.len() - prefix).min(new.len() - prefix);
    let mut suffix = old
        .bytes()
        .rev()
        .zip(new.bytes().rev())
        .take(max_suffix)
        .take_while(|(a, b)| a == b)
        .count();
    while !old.is_char_boundary(old.len() - suffix) || !new.is_char_boundary(new.len() - suffix) {
        suffix -= 1;
    }
    let doc = Doc::new(old);
    Some(lsp::TextEdit {
        range: lsp::Range {
            start: doc.position(prefix as u32),
            end: doc.position((old.len() - suffix) as u32),
        },
        new_text: new[prefix..new.len() - suffix].to_string(),
    })
}

/// Applies every safe fix of one file, re-checking until nothing more applies.
/// Returns the new text of the file.
pub fn fix_all(project: Project, settings: &supaudit_core::Settings, path: &str) -> Option<String> {
    let result = supaudit_core::fix(
        &project,
        settings,
        supaudit_core::FixOptions {
            only_file: Some(path),
            ..Default::default()
        },
    );
    result
        .changed
        .iter()
        .any(|p| p == path)
        .then(|| result.project.file(path).map(|f| f.text.clone()))
        .flatten()
}

/// Applies an LSP content change to a text (a whole-document change when it has no range).
pub fn apply_change(text: &mut String, change: lsp::TextDocumentContentChangeEvent) {
    match change.range {
        None => *text = change.text,
        Some(range) => {
            let doc = Doc::new(text);
            let start = doc.offset(range.start) as usize;
            let end = (doc.offset(range.end) as usize).max(start);
            text.replace_range(start..end, &change.text);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use supaudit_core::SourceFile;

    fn pos(line: u32, character: u32) -> lsp::Position {
        lsp::Position { line, character }
    }

    #[test]
    fn positions_are_utf16() {
        let text = "-- é😀\nselect 1;";
        let doc = Doc::new(text);
        let off = text.find('\n').unwrap() as u32;
        assert_eq!(doc.position(off), pos(0, 6));
        assert_eq!(doc.offset(pos(0, 6)), off);
        assert_eq!(doc.offset(pos(1, 3)), off + 4);
    }

    #[test]
    fn incremental_changes_use_utf16_ranges() {
        let mut text = "a😀b\nc".to_string();
        apply_change(
            &mut text,
            lsp::TextDocumentContentChangeEvent {
                range: Some(lsp::Range {
                    start: pos(0, 1),
                    end: pos(0, 3),
                }),
                range_length: None,
                text: "é".into(),
            },
        );
        assert_eq!(text, "aéb\nc");
    }

    #[test]
    fn minimal_edit_keeps_common_parts() {
        let e = minimal_edit("abc é xyz", "abc éé xyz").unwrap();
        assert_eq!(e.new_text, "é");
        assert_eq!(minimal_edit("same", "same"), None);
        let e = minimal_edit("aaa", "aaaa").unwrap();
        assert_eq!((e.range.start, e.new_text.as_str()), (pos(0, 3), "a"));
    }

    #[test]
    fn diagnostics_carry_fixes_and_links() {
        let path = "supabase/migrations/20240101000000_init.sql";
        let project = Project::new(vec![SourceFile::new(
            path,
            "-- ünï\ncreate table public.t (id bigint primary key);\n",
        )]);
        let diags = supaudit_core::check(&project, &Default::default());
        let files = by_file(&project, &diags);
        let rls = files[path]
            .iter()
            .find(|d| d.code == Some(lsp::NumberOrString::String("rls-disabled".into())))
            .expect("rls-disabled");
        assert_eq!(rls.range.start, pos(1, 0));
        assert_eq!(
            rls.code_description.as_ref().unwrap().href.as_str(),
            "https://github.com/supaudit/supaudit/blob/main/docs/rules/rls-disabled.md"
        );
        let uri: lsp::Uri = "file:///p/supabase/migrations/20240101000000_init.sql"
            .parse()
            .unwrap();
        let actions = quick_fixes(rls, &|_| Some(uri.clone()));
        assert_eq!(actions.len(), 1);
        assert_eq!(actions[0].is_preferred, Some(false));
        let text = &project.files[0].text;
        let ignore = ignore_action(rls, &uri, &Doc::new(text), "--", true).unwrap();
        let edit = &ignore.edit.unwrap().changes.unwrap()[&uri][0];
        assert_eq!(edit.range.start, pos(1, 0));
        assert_eq!(edit.new_text, "-- supaudit-ignore rls-disabled: \n");
    }

    #[test]
    fn a_fix_that_creates_a_migration_is_a_create_file_operation() {
        let migration = "supabase/migrations/20240101000000_init.sql";
        let client = "src/habits.ts";
        let project = Project::new(vec![
            SourceFile::new(
                migration,
                "create table public.habits (id bigint primary key);\n\
                 alter table public.habits enable row level security;\n",
            ),
            SourceFile::new(
                client,
                "const { data, error } = await supabase.from('habits').select('id, current_streak');\n",
            ),
        ]);
        let diags = supaudit_core::check(&project, &Default::default());
        let files = by_file(&project, &diags);
        let d = files[client]
            .iter()
            .find(|d| d.code == Some(lsp::NumberOrString::String("client-unknown-column".into())))
            .expect("client-unknown-column");
        let uri_of = |rel: &str| format!("file:///p/{rel}").parse::<lsp::Uri>().ok();
        let actions = quick_fixes(d, &uri_of);
        let add = actions
            .iter()
            .find(|a| a.title.contains("new migration"))
            .expect("the add-column fix");
        let edit = add.edit.as_ref().unwrap();
        assert!(edit.changes.is_none());
        let Some(lsp::DocumentChanges::Operations(ops)) = &edit.document_changes else {
            panic!("documentChanges operations expected: {edit:?}");
        };
        let new_uri = uri_of("supabase/migrations/20240101000001_add_habits_current_streak.sql");
        match &ops[..] {
            [
                lsp::DocumentChangeOperation::Op(lsp::ResourceOp::Create(create)),
                lsp::DocumentChangeOperation::Edit(write),
            ] => {
                assert_eq!(Some(&create.uri), new_uri.as_ref());
                assert_eq!(Some(&write.text_document.uri), new_uri.as_ref());
                let lsp::OneOf::Left(text) = &write.edits[0] else {
                    panic!("plain text edit expected")
                };
                assert!(
                    text.new_text.contains(
                        "alter table public.habits add column if not exists current_streak integer;"
                    ),
                    "{}",
                    text.new_text
                );
            }
            other => panic!("create + edit expected, got {other:?}"),
        }
    }

    #[test]
    fn fix_all_applies_safe_fixes_only() {
        let path = "supabase/migrations/20240101000000_init.sql";
        let sql = "create table public.t (id uuid primary key);\n\
                   alter table public.t enable row level security;\n\
                   create policy p on public.t for select using (auth.uid() = id);\n";
        let project = Project::new(vec![SourceFile::new(path, sql)]);
        let fixed = fix_all(project, &Default::default(), path).unwrap();
        assert!(fixed.contains("(select auth.uid()) = id"), "{fixed}");
    }

    /// Random edits (insertions, deletions, half-typed statements, non-ASCII) through the
    /// same path as didChange: the analysis never panics and every range is inside the text.
    #[test]
    fn random_edits_keep_ranges_inside_the_document() {
        let path = "supabase/migrations/20240101000000_init.sql";
        let mut text = String::from(
            "create table public.t (id uuid primary key, owner uuid);\n\
             create policy p on public.t for select using (auth.uid() = owner);\n",
        );
        let pieces = [
            "create table public.",
            "é",
            "😀",
            "\n",
            ";",
            "(",
            ")",
            " using (auth.uid() = id)",
            "alter table public.t enable row level security;",
            "-- supaudit-ignore rls-disabled: x\n",
            "'",
            "$$",
            "create policy q on public.t for all to anon using (true);",
            "\u{fe0f}",
            "create view public.v as select * from auth.users;",
            "\r\n",
            "\"ü\"",
        ];
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = |n: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n.max(1) as u64) as usize
        };
        for _ in 0..2000 {
            let doc = Doc::new(&text);
            let end = doc.end();
            let a = pos(next(end.line as usize + 1) as u32, next(40) as u32);
            let b = pos(a.line + next(2) as u32, next(40) as u32);
            let (start, stop) = if doc.offset(a) <= doc.offset(b) {
                (a, b)
            } else {
                (b, a)
            };
            let insert = if next(3) == 0 {
                ""
            } else {
                pieces[next(pieces.len())]
            };
            apply_change(
                &mut text,
                lsp::TextDocumentContentChangeEvent {
                    range: Some(lsp::Range { start, end: stop }),
                    range_length: None,
                    text: insert.into(),
                },
            );
            let project = Project::new(vec![SourceFile::new(path, text.as_str())]);
            let diags = supaudit_core::check(&project, &Default::default());
            let doc = Doc::new(&text);
            let last = doc.end();
            for d in by_file(&project, &diags).values().flatten() {
                assert!(
                    d.range.start <= d.range.end && d.range.end <= last,
                    "{d:?} in {text:?}"
                );
                let data: DiagnosticData = serde_json::from_value(d.data.clone().unwrap()).unwrap();
                for e in data.fixes.iter().flat_map(|f| &f.edits) {
                    assert!(e.range.start <= e.range.end && e.range.end <= last, "{e:?}");
                }
            }
        }
    }
}
