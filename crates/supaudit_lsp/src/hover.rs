//! Hover and go-to-definition for table and column names in SQL files, resolved
//! against the final schema model (the state at the end of the migrations).

use std::fmt::Write as _;
use std::path::Path;
use std::sync::Arc;

use supaudit_core::Project;
use supaudit_core::client::ClientFile;
use supaudit_core::model::{Column, Model, Origin, Relation};
use supaudit_core::sql::{QName, SqlFile, StmtKind};
use supaudit_core::text::{LineIndex, Span};
use tower_lsp_server::ls_types::*;

/// What a name under the cursor refers to.
#[derive(Debug, Clone, Copy)]
pub enum Target<'m> {
    Relation(&'m Relation),
    Column(&'m Relation, &'m Column),
}

impl Target<'_> {
    fn origin(&self) -> Origin {
        match self {
            Target::Relation(r) => r.origin,
            Target::Column(_, c) => c.origin,
        }
    }
}

/// A possibly dotted, possibly quoted name in the text: its parts (unquoted parts
/// lower-cased, quoted ones verbatim) and its byte span.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    pub parts: Vec<String>,
    pub span: Span,
}

fn ident_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'$' || b >= 0x80
}

/// The dotted name whose span contains (or ends at) the byte `offset` of `text`.
pub fn word_at(text: &str, offset: usize) -> Option<Word> {
    let offset = offset.min(text.len());
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[offset..].find('\n').map_or(text.len(), |i| offset + i);
    let bytes = text.as_bytes();
    let mut i = line_start;
    while i < line_end {
        let start = i;
        let mut parts = Vec::new();
        loop {
            if bytes[i] == b'"' {
                let mut j = i + 1;
                let mut closed = false;
                while j < line_end {
                    if bytes[j] == b'"' {
                        if bytes.get(j + 1) == Some(&b'"') && j + 1 < line_end {
                            j += 2;
                            continue;
                        }
                        closed = true;
                        break;
                    }
                    j += 1;
                }
                if !closed {
                    break;
                }
                parts.push(text[i + 1..j].replace("\"\"", "\""));
                i = j + 1;
            } else if ident_byte(bytes[i]) {
                let mut j = i;
                while j < line_end && ident_byte(bytes[j]) {
                    j += 1;
                }
                parts.push(text[i..j].to_lowercase());
                i = j;
            } else {
                break;
            }
            let next_starts_part = bytes
                .get(i + 1)
                .is_some_and(|&b| i + 1 < line_end && (b == b'"' || ident_byte(b)));
            if i < line_end && bytes[i] == b'.' && next_starts_part {
                i += 1;
            } else {
                break;
            }
        }
        if parts.is_empty() {
            i = start + 1;
            // Skip the rest of a multi-byte character.
            while i < line_end && !text.is_char_boundary(i) {
                i += 1;
            }
            continue;
        }
        if start <= offset && offset <= i {
            return Some(Word {
                parts,
                span: Span::new(start as u32, i as u32),
            });
        }
    }
    None
}

/// The table the statement at `offset` is about, when it names one.
fn context_table(sql: &SqlFile, offset: u32) -> Option<&QName> {
    let stmt = sql
        .stmts
        .iter()
        .find(|s| s.span.start <= offset && offset <= s.span.end)?;
    match &stmt.kind {
        StmtKind::CreateTable(t) => Some(&t.name),
        StmtKind::AlterTable(t) => Some(&t.name),
        StmtKind::CreatePolicy(p) => Some(&p.table),
        StmtKind::AlterPolicy(p) => Some(&p.table),
        StmtKind::CreateIndex(i) => Some(&i.table),
        StmtKind::CreateTrigger(t) => Some(&t.table),
        _ => None,
    }
}

/// What `word` names: a relation (unqualified names in `public`), or a column
/// (`schema.table.column`, `table.column`, or a bare name of the statement's table).
pub fn resolve<'m>(model: &'m Model, sql: &SqlFile, word: &Word) -> Option<Target<'m>> {
    let rel = |schema: Option<&str>, name: &str| model.relation(&QName::new(schema, name));
    let column = |r: &'m Relation, name: &str| r.column(name).map(|c| Target::Column(r, c));
    match word.parts.as_slice() {
        [schema, table, col] => column(rel(Some(schema), table)?, col),
        [a, b] => rel(Some(a), b)
            .map(Target::Relation)
            .or_else(|| column(rel(None, a)?, b)),
        [name] => {
            let context = context_table(sql, word.span.start)
                .filter(|q| &q.name != name)
                .and_then(|q| model.relation(q));
            context
                .and_then(|r| column(r, name))
                .or_else(|| rel(None, name).map(Target::Relation))
        }
        _ => None,
    }
}

fn column_line(c: &Column) -> String {
    let mut s = format!("`{}`", c.name);
    if let Some(ty) = &c.ty {
        let _ = write!(s, " {}", ty.text);
    }
    if c.not_null {
        s.push_str(" not null");
    }
    s
}

/// The Markdown shown on hover.
pub fn markdown(target: &Target) -> String {
    let mut out = String::new();
    match target {
        Target::Relation(r) => {
            let _ = writeln!(out, "**`{}`** ({})\n", r.display_name(), r.kind.as_str());
            let rls = match (r.rls_enabled, r.rls_forced) {
                (true, true) => "enabled, forced",
                (true, false) => "enabled",
                (false, true) => "disabled (forced)",
                (false, false) => "disabled",
            };
            let _ = writeln!(out, "Row level security: {rls}\n");
            if !r.columns.is_empty() {
                out.push_str("Columns:\n");
                for c in &r.columns {
                    let _ = writeln!(out, "- {}", column_line(c));
                }
                out.push('\n');
            }
            if !r.policies.is_empty() {
                out.push_str("Policies:\n");
                for p in &r.policies {
                    let _ = writeln!(
                        out,
                        "- `{}`: {} to {}{}",
                        p.name,
                        p.command.as_str(),
                        p.roles.join(", "),
                        if p.permissive { "" } else { " (restrictive)" }
                    );
                }
                out.push('\n');
            }
            if !r.indexes.is_empty() {
                out.push_str("Indexes:\n");
                for i in &r.indexes {
                    let name = i.name.as_deref().unwrap_or("(unnamed)");
                    let mut line = format!("- `{name}` ({})", i.items.join(", "));
                    if i.unique {
                        line.push_str(" unique");
                    }
                    if i.method != "btree" && !i.method.is_empty() {
                        let _ = write!(line, " using {}", i.method);
                    }
                    if let Some(p) = &i.predicate {
                        let _ = write!(line, " where {p}");
                    }
                    let _ = writeln!(out, "{line}");
                }
                out.push('\n');
            }
        }
        Target::Column(r, c) => {
            let _ = writeln!(out, "**`{}`** (column)\n", c.name);
            let _ = writeln!(out, "Of {} `{}`\n", r.kind.as_str(), r.display_name());
            let ty = c.ty.as_ref().map_or("(unknown type)", |t| t.text.as_str());
            let null = if c.not_null { "not null" } else { "nullable" };
            let _ = writeln!(out, "Type: `{ty}`, {null}");
        }
    }
    out.trim_end().to_string()
}

fn range(index: &LineIndex, text: &str, span: Span) -> Range {
    let (sl, sc) = index.utf16_position(span.start, text);
    let (el, ec) = index.utf16_position(span.end, text);
    Range::new(Position::new(sl, sc), Position::new(el, ec))
}

/// What hover and definition look at: the file under the cursor, parsed, and
/// the schema model of the project.
pub struct Subject<'a> {
    /// The project now (open buffers included).
    pub project: &'a Project,
    /// The project the model was built from: origins index its files.
    pub analyzed: &'a Project,
    pub model: &'a Model,
    pub exposed: &'a [String],
    pub rel: &'a str,
    pub sql: Option<Arc<SqlFile>>,
    pub client: Option<Arc<ClientFile>>,
}

/// The name at `pos` in the file and what it refers to: SQL names, and in
/// client code the table and column names of supabase-js query strings.
fn lookup<'m>(subject: &Subject<'m>, pos: Position) -> Option<(Target<'m>, Range)> {
    let text = &subject.project.file(subject.rel)?.text;
    let index = LineIndex::new(text);
    let offset = index.offset_of_utf16(pos.line, pos.character, text);
    if let Some(sql) = &subject.sql {
        let word = word_at(text, offset as usize)?;
        let target = resolve(subject.model, sql, &word)?;
        return Some((target, range(&index, text, word.span)));
    }
    let name = subject.client.as_ref()?.name_at(offset)?;
    let model = subject.model;
    let rel = match &name.schema {
        Some(s) => model.relations.get(&(s.clone(), name.table.clone())),
        None => subject
            .exposed
            .iter()
            .find_map(|s| model.relations.get(&(s.clone(), name.table.clone()))),
    }?;
    let target = match &name.column {
        Some(c) => Target::Column(rel, rel.column(c)?),
        None => Target::Relation(rel),
    };
    Some((target, range(&index, text, name.span)))
}

pub fn hover(subject: &Subject, pos: Position) -> Option<Hover> {
    let (target, r) = lookup(subject, pos)?;
    Some(Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value: markdown(&target),
        }),
        range: Some(r),
    })
}

pub fn definition(subject: &Subject, pos: Position, root: &Path) -> Option<Location> {
    let (target, _) = lookup(subject, pos)?;
    let origin = target.origin();
    if origin.is_platform() {
        return None;
    }
    let file = subject.analyzed.files.get(origin.file.0 as usize)?;
    let index = LineIndex::new(&file.text);
    let uri = Uri::from_file_path(root.join(&file.path))?;
    Some(Location::new(uri, range(&index, &file.text, origin.span)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn word(text: &str, at: &str) -> Option<Word> {
        word_at(text, text.find(at).unwrap())
    }

    #[test]
    fn words_under_the_cursor() {
        let text = "alter table public.\"My Tab\" add column x int;\non profiles (user_id)";
        let w = word(text, "lic.").unwrap();
        assert_eq!(w.parts, ["public", "My Tab"]);
        assert_eq!(&text[w.span.range()], "public.\"My Tab\"");
        assert_eq!(word(text, "Tab").unwrap().parts, ["public", "My Tab"]);
        assert_eq!(word(text, "user_id").unwrap().parts, ["user_id"]);
        // At the end of a word.
        let end = text.find("profiles").unwrap() + "profiles".len();
        assert_eq!(word_at(text, end).unwrap().parts, ["profiles"]);
        assert!(word(text, "(user").is_none());
        assert_eq!(word_at("é x", 3).unwrap().parts, ["x"]);
    }

    #[test]
    fn resolves_tables_and_columns() {
        let text = "create table public.profiles (id uuid primary key, name text not null);\n\
                    alter table profiles enable row level security;\n\
                    create policy \"own\" on profiles for select to authenticated using (id = auth.uid());\n\
                    create index profiles_name_idx on profiles (name);\n";
        let project = Project {
            files: vec![supaudit_core::SourceFile::new(
                "supabase/migrations/1_init.sql",
                text,
            )],
            ..Default::default()
        };
        let model = supaudit_core::analyze(&project, &Default::default()).model;
        let sql = supaudit_core::sql::parse_sql(text);
        let at = |needle: &str, nth: usize| {
            let offset = text.match_indices(needle).nth(nth).unwrap().0;
            resolve(&model, &sql, &word_at(text, offset).unwrap())
        };
        let Some(Target::Relation(r)) = at("profiles", 1) else {
            panic!("table");
        };
        assert!(r.rls_enabled);
        let md = markdown(&Target::Relation(r));
        assert!(md.contains("**`public.profiles`** (table)"), "{md}");
        assert!(md.contains("- `name` text not null"), "{md}");
        assert!(md.contains("- `own`: select to authenticated"), "{md}");
        let Some(Target::Column(_, c)) = at("id = ", 0) else {
            panic!("column in policy");
        };
        assert_eq!(c.name, "id");
        let Some(Target::Column(_, c)) = at("name text", 0) else {
            panic!("column in create table");
        };
        assert!(c.not_null);
        let Some(Target::Column(_, c)) = at("name);", 0) else {
            panic!("column in create index");
        };
        assert_eq!(c.name, "name");
        assert!(md.contains("Indexes:\n"), "{md}");
        assert!(md.contains("- `profiles_name_idx` (name)"), "{md}");
        assert!(at("auth.uid", 0).is_none());
    }
}
