//! The only module that knows squawk-syntax: turns its lossless tree into
//! our statement IR. Parsing never fails; what cannot be read becomes a
//! `SyntaxError` and the rest of the file is still lowered.

use rowan::TextRange;
use squawk_syntax::ast::{self, AstNode};
use squawk_syntax::{SourceFile, SyntaxKind as K, SyntaxNode};

use super::ir::*;
use crate::text::Span;

/// Nesting guard: expressions deeper than this are kept as opaque `Other`.
const MAX_EXPR_DEPTH: usize = 200;

pub fn parse_sql(text: &str) -> SqlFile {
    parse_sql_at(text, 0)
}

/// Parses `text` as if it started at byte `base` of its file: every span is
/// moved by `base` (incremental re-parsing parses one region of a file).
pub fn parse_sql_at(text: &str, base: u32) -> SqlFile {
    let parse = SourceFile::parse(text);
    let root = parse.syntax_node();
    let at = |r: TextRange| {
        let s = span_of(r);
        Span::new(s.start + base, s.end + base)
    };
    let mut errors: Vec<SyntaxError> = parse
        .errors()
        .into_iter()
        .map(|e| SyntaxError {
            span: at(e.range()),
            message: e.message().to_string(),
        })
        .collect();
    sort_errors(&mut errors);
    let mut comments = collect_comments(&root);
    for c in &mut comments {
        c.span = Span::new(c.span.start + base, c.span.end + base);
    }
    let mut stmts = Vec::new();
    let top = Lower {
        map: &at,
        context: StmtContext::TopLevel,
    };
    for node in root.children() {
        top.stmt(&node, &mut stmts);
    }
    SqlFile {
        stmts,
        errors,
        comments,
    }
}

/// Errors in text order, without repeats (the parser and the validation pass
/// may report the same problem).
pub(super) fn sort_errors(errors: &mut Vec<SyntaxError>) {
    errors.sort_by(|a, b| {
        (a.span.start, a.span.end, &a.message).cmp(&(b.span.start, b.span.end, &b.message))
    });
    errors.dedup_by(|a, b| a.span == b.span && a.message == b.message);
}

/// Comment tokens, found by walking the green tree (no cursor allocations).
fn collect_comments(root: &SyntaxNode) -> Vec<Comment> {
    let comment = rowan::SyntaxKind(K::COMMENT.into());
    let green = root.green();
    let mut out = Vec::new();
    let mut stack: Vec<(&rowan::GreenNodeData, u32)> = vec![(&green, 0)];
    while let Some((node, mut offset)) = stack.pop() {
        let mut later = Vec::new();
        for child in node.children() {
            let len: u32 = child.text_len().into();
            match child {
                rowan::NodeOrToken::Node(n) => later.push((n, offset)),
                rowan::NodeOrToken::Token(t) if t.kind() == comment => out.push(Comment {
                    span: Span::new(offset, offset + len),
                    text: t.text().to_string(),
                }),
                rowan::NodeOrToken::Token(_) => {}
            }
            offset += len;
        }
        stack.extend(later.into_iter().rev());
    }
    out.sort_by_key(|c| c.span.start);
    out
}

fn span_of(r: TextRange) -> Span {
    Span::new(r.start().into(), r.end().into())
}

/// Normalizes an identifier: quoted ones keep their case, others fold to lower case.
pub fn normalize_ident(text: &str) -> String {
    let t = text.trim();
    if t.len() >= 2 && t.starts_with('"') && t.ends_with('"') {
        t[1..t.len() - 1].replace("\"\"", "\"")
    } else {
        t.to_ascii_lowercase()
    }
}

/// Lower-cases and collapses whitespace, dropping spaces next to punctuation.
fn normalize_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut pending_space = false;
    let mut in_string = false;
    let mut in_ident = false;
    for c in text.chars() {
        if in_string || in_ident {
            out.push(c);
            if c == '\'' && in_string {
                in_string = false;
            }
            if c == '"' && in_ident {
                in_ident = false;
            }
            continue;
        }
        if c.is_whitespace() {
            pending_space = true;
            continue;
        }
        if pending_space {
            let prev = out.chars().last();
            let punct = |ch: char| matches!(ch, '(' | ')' | ',' | '.' | '[' | ']' | ':');
            if !out.is_empty() && !prev.is_some_and(punct) && !punct(c) {
                out.push(' ');
            }
            pending_space = false;
        }
        if c == '\'' {
            in_string = true;
            out.push(c);
        } else if c == '"' {
            // keep quoted identifiers as written
            in_ident = true;
            out.push(c);
        } else {
            out.push(c.to_ascii_lowercase());
        }
    }
    out
}

fn child(node: &SyntaxNode, kind: K) -> Option<SyntaxNode> {
    node.children().find(|c| c.kind() == kind)
}

fn children(node: &SyntaxNode, kind: K) -> impl Iterator<Item = SyntaxNode> {
    node.children().filter(move |c| c.kind() == kind)
}

fn descendant(node: &SyntaxNode, kind: K) -> Option<SyntaxNode> {
    node.descendants().find(|c| c.kind() == kind)
}

fn has_token(node: &SyntaxNode, kind: K) -> bool {
    node.children_with_tokens()
        .any(|c| c.as_token().is_some_and(|t| t.kind() == kind))
}

fn text(node: &SyntaxNode) -> String {
    node.text().to_string()
}

fn ident(node: &SyntaxNode) -> String {
    // Names are usually one token: read it without building the node's text.
    match (node.first_token(), node.last_token()) {
        (Some(a), Some(b)) if a == b => normalize_ident(a.text()),
        _ => normalize_ident(&text(node)),
    }
}

/// A dotted name below `node`: the last segment is the name, the one before it the schema.
fn qname(node: &SyntaxNode) -> QName {
    let segs: Vec<String> = node
        .descendants()
        .filter(|n| matches!(n.kind(), K::PATH_SEGMENT | K::PATH_SEGMENT_REF))
        .map(|n| ident(&n))
        .collect();
    match segs.len() {
        0 => QName {
            schema: None,
            name: ident(node),
        },
        1 => QName {
            schema: None,
            name: segs[0].clone(),
        },
        n => QName {
            schema: Some(segs[n - 2].clone()),
            name: segs[n - 1].clone(),
        },
    }
}

/// The type an `alter type` names.
fn type_ref(node: &SyntaxNode) -> QName {
    child(node, K::TYPE_NAME_REF)
        .or_else(|| child(node, K::TYPE_NAME))
        .map(|n| qname(&n))
        .unwrap_or_else(|| QName::new(None, ""))
}

/// The type of a composite attribute or column: the first type child, normalized.
fn type_text(node: &SyntaxNode) -> Option<String> {
    node.children()
        .find(|c| is_type_kind(c.kind()))
        .map(|t| normalize_text(&text(&t)))
}

/// One `name type` of a composite type's field list.
fn attribute(node: &SyntaxNode) -> Option<Attribute> {
    Some(Attribute {
        name: ident(&child(node, K::COMPOSITE_FIELD)?),
        ty: type_text(node)?,
    })
}

fn attribute_actions(node: &SyntaxNode) -> Vec<AttributeAction> {
    let field_ref = |n: &SyntaxNode| child(n, K::COMPOSITE_FIELD_REF).map(|f| ident(&f));
    let mut actions = Vec::new();
    let list = child(node, K::ALTER_TYPE_ATTRIBUTE_ACTION_LIST);
    let items = list
        .iter()
        .flat_map(|l| l.children())
        .chain(child(node, K::RENAME_ATTRIBUTE));
    for a in items {
        let action = match a.kind() {
            K::ADD_ATTRIBUTE => (|| {
                Some(AttributeAction::Add(Attribute {
                    name: ident(&child(&a, K::COMPOSITE_FIELD)?),
                    ty: type_text(&a)?,
                }))
            })(),
            K::DROP_ATTRIBUTE => field_ref(&a).map(AttributeAction::Drop),
            K::ALTER_ATTRIBUTE => (|| {
                Some(AttributeAction::SetType {
                    name: field_ref(&a)?,
                    ty: type_text(&a)?,
                })
            })(),
            K::RENAME_ATTRIBUTE => (|| {
                Some(AttributeAction::Rename {
                    from: field_ref(&a)?,
                    to: ident(&child(&a, K::COMPOSITE_FIELD)?),
                })
            })(),
            _ => None,
        };
        actions.extend(action);
    }
    actions
}

fn is_type_kind(k: K) -> bool {
    matches!(
        k,
        K::PATH_TYPE
            | K::ARRAY_TYPE
            | K::TIMESTAMP_TYPE
            | K::TIME_TYPE
            | K::CHARACTER_TYPE
            | K::VARCHAR_TYPE
            | K::DOUBLE_TYPE
            | K::BIT_TYPE
            | K::BIT_VARYING_TYPE
            | K::INTERVAL_TYPE
            | K::PERCENT_TYPE
    )
}

fn is_expr_kind(k: K) -> bool {
    matches!(
        k,
        K::ARRAY_EXPR
            | K::BETWEEN_EXPR
            | K::BIN_EXPR
            | K::CALL_EXPR
            | K::CASE_EXPR
            | K::CAST_EXPR
            | K::FIELD_EXPR
            | K::INDEX_EXPR
            | K::PAREN_EXPR
            | K::POSTFIX_EXPR
            | K::PREFIX_EXPR
            | K::SLICE_EXPR
            | K::TUPLE_EXPR
            | K::LITERAL
            | K::NAME_REF
            | K::SELECT
            | K::COMPOUND_SELECT
            | K::PAREN_SELECT
    )
}

fn is_select_kind(k: K) -> bool {
    matches!(
        k,
        K::SELECT | K::COMPOUND_SELECT | K::PAREN_SELECT | K::SELECT_INTO
    )
}

/// The first expression child of a clause node (skipping keywords and parentheses).
fn expr_child(node: &SyntaxNode) -> Option<SyntaxNode> {
    node.children().find(|c| is_expr_kind(c.kind()))
}

struct Lower<'a> {
    map: &'a dyn Fn(TextRange) -> Span,
    context: StmtContext,
}

impl Lower<'_> {
    fn span(&self, node: &SyntaxNode) -> Span {
        (self.map)(node.text_range())
    }

    fn stmt(&self, node: &SyntaxNode, out: &mut Vec<Stmt>) {
        if node.kind() == K::ERROR {
            return;
        }
        let kind = self.stmt_kind(node);
        let is_do = matches!(kind, StmtKind::Do);
        // Function bodies are parsed only when they may hold statements the
        // model or the rules read; most bodies only query and write data.
        let is_fn = matches!(&kind, StmtKind::CreateFunction(f) if f.body.as_deref().is_some_and(may_hold_ddl));
        out.push(Stmt {
            span: self.span(node),
            context: self.context,
            kind,
        });
        // Statements inside DO blocks and function bodies.
        if is_do && let Some(d) = ast::Do::cast(node.clone()) {
            if let Some(body) = d.plpgsql() {
                self.nested(
                    &body.syntax(),
                    &|r| self.map_body(&body, r),
                    StmtContext::DoBlock,
                    out,
                );
            }
        } else if is_fn && let Some(f) = ast::CreateFunction::cast(node.clone()) {
            if let Some(body) = f.plpgsql() {
                self.nested(
                    &body.syntax(),
                    &|r| self.map_body(&body, r),
                    StmtContext::FunctionBody,
                    out,
                );
            } else if let Some(body) = f.sql_body() {
                let root = body.syntax();
                let map = |r| self.map_sql_body(&body, r);
                let inner = Lower {
                    map: &map,
                    context: StmtContext::FunctionBody,
                };
                for n in root.children() {
                    inner.stmt(&n, out);
                }
            }
        }
    }

    fn map_body(&self, body: &squawk_syntax::plpgsql::Plpgsql, r: TextRange) -> Span {
        (self.map)(body.source_range(r))
    }

    fn map_sql_body(&self, body: &squawk_syntax::sql_body::SqlBody, r: TextRange) -> Span {
        (self.map)(body.source_range(r))
    }

    /// Finds SQL statements inside a PL/pgSQL tree.
    fn nested(
        &self,
        root: &SyntaxNode,
        map: &dyn Fn(TextRange) -> Span,
        context: StmtContext,
        out: &mut Vec<Stmt>,
    ) {
        let inner = Lower { map, context };
        for n in root.descendants() {
            match n.kind() {
                K::PLPGSQL_EXEC_SQL_STMT => {
                    for c in n.children() {
                        let at = out.len();
                        inner.stmt(&c, out);
                        // The `;` belongs to the PL/pgSQL statement; include it, as at top level.
                        if let Some(s) = out.get_mut(at) {
                            s.span = inner.span(&n);
                        }
                    }
                }
                // What the PL/pgSQL grammar could not read (e.g. `select … into`):
                // re-parse it as SQL to recover the statements inside.
                K::ERROR if n.parent().is_some_and(|p| p.kind() == K::PLPGSQL_BODY) => {
                    let text = n.text().to_string();
                    let base = n.text_range().start();
                    let parsed = SourceFile::parse(&text);
                    let shifted = |r: TextRange| map(r + base);
                    let again = Lower {
                        map: &shifted,
                        context,
                    };
                    for c in parsed.syntax_node().children() {
                        again.stmt(&c, out);
                    }
                }
                _ => {}
            }
        }
    }

    fn stmt_kind(&self, node: &SyntaxNode) -> StmtKind {
        match node.kind() {
            K::CREATE_TABLE => StmtKind::CreateTable(self.create_table(node, false)),
            K::CREATE_FOREIGN_TABLE => StmtKind::CreateTable(self.create_table(node, true)),
            K::ALTER_TABLE => StmtKind::AlterTable(self.alter_table(node)),
            K::DROP_TABLE => StmtKind::DropTable {
                names: node
                    .descendants()
                    .filter(|n| n.kind() == K::TABLE_NAME_REF)
                    .map(|n| qname(&n))
                    .collect(),
            },
            K::TRUNCATE => StmtKind::Truncate {
                tables: node
                    .descendants()
                    .filter(|n| n.kind() == K::TABLE_NAME_REF)
                    .map(|n| qname(&n))
                    .collect(),
            },
            K::CREATE_POLICY => StmtKind::CreatePolicy(self.create_policy(node)),
            K::ALTER_POLICY => StmtKind::AlterPolicy(self.alter_policy(node)),
            K::DROP_POLICY => StmtKind::DropPolicy {
                name: child(node, K::POLICY_REF)
                    .map(|n| ident(&n))
                    .unwrap_or_default(),
                table: child(node, K::ON_TABLE)
                    .map(|n| qname(&n))
                    .unwrap_or_else(|| QName::new(None, "")),
            },
            K::CREATE_FUNCTION | K::CREATE_PROCEDURE => {
                StmtKind::CreateFunction(self.create_function(node))
            }
            K::ALTER_FUNCTION | K::ALTER_PROCEDURE | K::ALTER_ROUTINE => {
                StmtKind::AlterFunction(self.alter_function(node))
            }
            K::DROP_FUNCTION | K::DROP_PROCEDURE => StmtKind::DropFunction {
                sigs: node
                    .descendants()
                    .filter(|n| is_sig_kind(n.kind()))
                    .map(|n| func_sig(&n))
                    .collect(),
            },
            K::CREATE_INDEX => StmtKind::CreateIndex(self.create_index(node)),
            K::DROP_INDEX => StmtKind::DropIndex {
                names: children(node, K::INDEX_REF).map(|n| qname(&n)).collect(),
                concurrently: has_token(node, K::CONCURRENTLY_KW),
            },
            K::CREATE_VIEW => StmtKind::CreateView(self.create_view(node, false)),
            K::CREATE_MATERIALIZED_VIEW => StmtKind::CreateView(self.create_view(node, true)),
            K::ALTER_VIEW | K::ALTER_MATERIALIZED_VIEW => StmtKind::AlterView(alter_view(node)),
            K::DROP_VIEW | K::DROP_MATERIALIZED_VIEW => StmtKind::DropView {
                names: node
                    .descendants()
                    .filter(|n| n.kind() == K::VIEW_REF)
                    .map(|n| qname(&n))
                    .collect(),
                materialized: node.kind() == K::DROP_MATERIALIZED_VIEW,
            },
            K::REFRESH => StmtKind::RefreshMaterializedView {
                name: child(node, K::VIEW_REF)
                    .map(|n| qname(&n))
                    .unwrap_or_else(|| QName::new(None, "")),
                concurrently: has_token(node, K::CONCURRENTLY_KW),
            },
            K::GRANT | K::REVOKE => match grant(node) {
                Some(g) => StmtKind::Grant(g),
                None => StmtKind::Other {
                    what: "grant of a role".into(),
                    relevant: false,
                },
            },
            K::ALTER_DEFAULT_PRIVILEGES => {
                StmtKind::AlterDefaultPrivileges(default_privileges(node))
            }
            K::CREATE_EXTENSION => StmtKind::CreateExtension {
                name: child(node, K::EXTENSION)
                    .map(|n| ident(&n))
                    .unwrap_or_default(),
                schema: descendant(node, K::SCHEMA_REF).map(|n| ident(&n)),
            },
            K::ALTER_EXTENSION if child(node, K::SET_SCHEMA).is_some() => {
                StmtKind::AlterExtensionSchema {
                    name: child(node, K::EXTENSION_REF)
                        .map(|n| ident(&n))
                        .unwrap_or_default(),
                    schema: child(node, K::SET_SCHEMA)
                        .and_then(|s| child(&s, K::SCHEMA_REF))
                        .map(|n| ident(&n))
                        .unwrap_or_default(),
                }
            }
            K::DROP_EXTENSION => StmtKind::DropExtension {
                names: children(node, K::EXTENSION_REF)
                    .map(|n| ident(&n))
                    .collect(),
            },
            K::CREATE_SCHEMA => StmtKind::CreateSchema {
                name: descendant(node, K::SCHEMA)
                    .or_else(|| descendant(node, K::ROLE_REF))
                    .map(|n| ident(&n))
                    .unwrap_or_default(),
            },
            K::DROP_SCHEMA => StmtKind::DropSchema {
                names: children(node, K::SCHEMA_REF).map(|n| ident(&n)).collect(),
            },
            K::INSERT => StmtKind::Insert(self.insert(node)),
            K::COMMENT_ON => self.comment_on(node),
            K::CREATE_TRIGGER => StmtKind::CreateTrigger(create_trigger(node)),
            K::DROP_TRIGGER => StmtKind::DropTrigger {
                name: child(node, K::TRIGGER_REF)
                    .map(|n| ident(&n))
                    .unwrap_or_default(),
                table: child(node, K::ON_RELATION)
                    .map(|n| qname(&n))
                    .unwrap_or_else(|| QName::new(None, "")),
            },
            K::CREATE_TYPE => StmtKind::CreateType {
                name: child(node, K::TYPE_NAME)
                    .map(|n| qname(&n))
                    .unwrap_or_else(|| QName::new(None, "")),
                def: if let Some(e) = child(node, K::ENUM_TYPE) {
                    TypeDef::Enum(
                        e.descendants()
                            .filter(|n| n.kind() == K::LITERAL)
                            .filter_map(|n| ast::Literal::cast(n)?.string_value())
                            .collect(),
                    )
                } else if let Some(c) = child(node, K::COMPOSITE_TYPE) {
                    TypeDef::Composite(
                        c.descendants()
                            .filter(|n| n.kind() == K::COMPOSITE_FIELD_DEF)
                            .filter_map(|f| attribute(&f))
                            .collect(),
                    )
                } else {
                    TypeDef::Other
                },
            },
            K::DROP_TYPE => StmtKind::DropType {
                names: children(node, K::TYPE_NAME_REF)
                    .map(|n| qname(&n))
                    .collect(),
            },
            K::ALTER_TYPE if child(node, K::TYPE_RENAME_TO).is_some() => StmtKind::RenameType {
                name: type_ref(node),
                to: child(node, K::TYPE_RENAME_TO)
                    .and_then(|r| child(&r, K::TYPE_NAME))
                    .map(|n| qname(&n).name)
                    .unwrap_or_default(),
            },
            K::ALTER_TYPE
                if child(node, K::ALTER_TYPE_ATTRIBUTE_ACTION_LIST).is_some()
                    || child(node, K::RENAME_ATTRIBUTE).is_some() =>
            {
                StmtKind::AlterTypeAttributes {
                    name: type_ref(node),
                    actions: attribute_actions(node),
                }
            }
            K::ALTER_TYPE if node.descendants().any(|n| n.kind() == K::ADD_VALUE) => {
                let add = node
                    .descendants()
                    .find(|n| n.kind() == K::ADD_VALUE)
                    .unwrap();
                let values: Vec<String> = add
                    .descendants()
                    .filter(|n| n.kind() == K::LITERAL)
                    .filter_map(|n| ast::Literal::cast(n)?.string_value())
                    .collect();
                let before = add
                    .descendants_with_tokens()
                    .any(|t| t.kind() == K::BEFORE_KW);
                StmtKind::AlterTypeAddValue {
                    name: type_ref(node),
                    value: values.first().cloned().unwrap_or_default(),
                    position: values.get(1).map(|w| (before, w.clone())),
                }
            }
            K::BEGIN => StmtKind::Begin,
            K::COMMIT_TRANSACTION | K::ROLLBACK_TRANSACTION => StmtKind::Commit,
            K::DO => StmtKind::Do,
            other => {
                let what = format!("{other:?}").to_ascii_lowercase().replace('_', " ");
                let relevant = matches!(
                    other,
                    K::CREATE_TABLE_AS
                        | K::SELECT_INTO
                        | K::ALTER_INDEX
                        | K::ALTER_SCHEMA
                        | K::CREATE_RULE
                        | K::ALTER_FOREIGN_TABLE
                        | K::ALTER_EXTENSION
                        | K::SECURITY_LABEL
                        | K::IMPORT_FOREIGN_SCHEMA
                );
                StmtKind::Other { what, relevant }
            }
        }
    }

    fn create_table(&self, node: &SyntaxNode, foreign: bool) -> CreateTable {
        let name_node = child(node, K::TABLE_NAME);
        let mut t = CreateTable {
            name: name_node
                .as_ref()
                .map(qname)
                .unwrap_or_else(|| QName::new(None, "")),
            name_span: name_node
                .as_ref()
                .map(|n| self.span(n))
                .unwrap_or(self.span(node)),
            if_not_exists: child(node, K::IF_NOT_EXISTS).is_some(),
            foreign,
            partition_of: child(node, K::PARTITION_OF).is_some(),
            partition_parent: child(node, K::PARTITION_OF)
                .and_then(|p| child(&p, K::TABLE_NAME_REF))
                .map(|n| qname(&n)),
            columns: Vec::new(),
            constraints: Vec::new(),
            columns_end: None,
            like: Vec::new(),
        };
        if let Some(args) = child(node, K::TABLE_ARG_LIST) {
            for c in args.children() {
                if c.kind() == K::COLUMN {
                    t.columns.push(self.column(&c));
                } else if c.kind() == K::LIKE_CLAUSE {
                    let source = child(&c, K::RELATION_NAME_REF)
                        .map(|n| qname(&n))
                        .unwrap_or_else(|| QName::new(None, ""));
                    t.like.push((source, self.span(&c)));
                } else if let Some(con) = self.table_constraint(&c) {
                    t.constraints.push(con);
                }
            }
            t.columns_end = args
                .children_with_tokens()
                .filter_map(|e| e.into_token())
                .filter(|tok| tok.kind() == K::R_PAREN)
                .last()
                .map(|tok| (self.map)(tok.text_range()).start);
        }
        t
    }

    fn column(&self, node: &SyntaxNode) -> ColumnDef {
        let name_node = child(node, K::COLUMN_NAME);
        let mut c = ColumnDef {
            name: name_node.as_ref().map(ident).unwrap_or_default(),
            name_span: name_node
                .as_ref()
                .map(|n| self.span(n))
                .unwrap_or(self.span(node)),
            span: self.span(node),
            ty: None,
            not_null: false,
            primary_key: false,
            unique: false,
            default: None,
            identity: false,
            identity_always: false,
            generated: false,
            references: None,
            checks: Vec::new(),
        };
        for ch in node.children() {
            match ch.kind() {
                k if is_type_kind(k) => {
                    c.ty = Some(TypeName {
                        text: normalize_text(&text(&ch)),
                        span: self.span(&ch),
                    })
                }
                K::NOT_NULL_CONSTRAINT => c.not_null = true,
                K::PRIMARY_KEY_CONSTRAINT => {
                    c.primary_key = true;
                    c.not_null = true
                }
                K::UNIQUE_CONSTRAINT => c.unique = true,
                K::DEFAULT_CONSTRAINT => c.default = expr_child(&ch).map(|e| self.expr(&e)),
                K::REFERENCES_CONSTRAINT => {
                    c.references = Some(ForeignKey {
                        columns: vec![c.name.clone()],
                        ref_table: child(&ch, K::TABLE_NAME_REF)
                            .map(|n| qname(&n))
                            .unwrap_or_else(|| QName::new(None, "")),
                        ref_columns: ch
                            .descendants()
                            .filter(|n| n.kind() == K::COLUMN_NAME_REF)
                            .map(|n| ident(&n))
                            .collect(),
                        on_delete: on_delete(&ch),
                        span: self.span(&ch),
                    })
                }
                K::CHECK_CONSTRAINT => {
                    if let Some(e) = expr_child(&ch) {
                        c.checks.push(self.expr(&e))
                    }
                }
                K::GENERATED_CONSTRAINT => {
                    if descendant(&ch, K::GENERATED_IDENTITY).is_some() {
                        c.identity = true;
                        c.identity_always = !normalize_text(&text(&ch)).contains("by default");
                    } else {
                        c.generated = true
                    }
                }
                _ => {}
            }
        }
        c
    }

    fn table_constraint(&self, node: &SyntaxNode) -> Option<TableConstraint> {
        let name = child(node, K::CONSTRAINT_NAME_CLAUSE)
            .and_then(|n| child(&n, K::CONSTRAINT_NAME))
            .map(|n| ident(&n));
        let cols = |n: &SyntaxNode| -> Vec<String> {
            n.descendants()
                .filter(|d| d.kind() == K::CONSTRAINT_COLUMN_REF_LIST)
                .take(1)
                .flat_map(|l| {
                    l.descendants()
                        .filter(|d| d.kind() == K::COLUMN_NAME_REF)
                        .map(|d| ident(&d))
                        .collect::<Vec<_>>()
                })
                .collect()
        };
        let kind = match node.kind() {
            K::PRIMARY_KEY_CONSTRAINT => ConstraintKind::PrimaryKey(cols(node)),
            K::UNIQUE_CONSTRAINT => ConstraintKind::Unique(cols(node)),
            K::FOREIGN_KEY_CONSTRAINT => {
                let mut lists = children(node, K::FOREIGN_KEY_COLUMN_LIST).map(|l| {
                    l.children()
                        .filter(|d| d.kind() == K::COLUMN_NAME_REF)
                        .map(|d| ident(&d))
                        .collect::<Vec<_>>()
                });
                let columns = lists.next().unwrap_or_default();
                let ref_columns = lists.next().unwrap_or_default();
                ConstraintKind::ForeignKey(ForeignKey {
                    columns,
                    ref_table: child(node, K::TABLE_NAME_REF)
                        .map(|n| qname(&n))
                        .unwrap_or_else(|| QName::new(None, "")),
                    ref_columns,
                    on_delete: on_delete(node),
                    span: self.span(node),
                })
            }
            K::CHECK_CONSTRAINT => ConstraintKind::Check(self.expr(&expr_child(node)?)),
            K::EXCLUDE_CONSTRAINT => ConstraintKind::Other,
            _ => return None,
        };
        Some(TableConstraint {
            name,
            span: self.span(node),
            kind,
            not_valid: child(node, K::NOT_VALID).is_some(),
        })
    }

    fn alter_table(&self, node: &SyntaxNode) -> AlterTable {
        let name_node =
            child(node, K::TABLE_RELATION_NAME).and_then(|n| child(&n, K::TABLE_NAME_REF));
        let mut t = AlterTable {
            name: name_node
                .as_ref()
                .map(qname)
                .unwrap_or_else(|| QName::new(None, "")),
            name_span: name_node
                .as_ref()
                .map(|n| self.span(n))
                .unwrap_or(self.span(node)),
            actions: Vec::new(),
        };
        for a in node.children() {
            let col_ref = || {
                child(&a, K::COLUMN_NAME_REF)
                    .map(|n| ident(&n))
                    .unwrap_or_default()
            };
            let kind = match a.kind() {
                K::TABLE_RELATION_NAME => continue,
                K::ADD_COLUMN => AlterActionKind::AddColumn(self.column(&a)),
                K::DROP_COLUMN => AlterActionKind::DropColumn(col_ref()),
                K::RENAME_COLUMN => AlterActionKind::RenameColumn {
                    from: col_ref(),
                    to: child(&a, K::COLUMN_NAME)
                        .map(|n| ident(&n))
                        .unwrap_or_default(),
                },
                K::TABLE_RENAME_TO => AlterActionKind::RenameTable(qname(&a).name),
                K::SET_SCHEMA => AlterActionKind::SetSchema(
                    a.children().last().map(|n| ident(&n)).unwrap_or_default(),
                ),
                K::ALTER_COLUMN => {
                    let column = col_ref();
                    let sub = a.children().find(|c| c.kind() != K::COLUMN_NAME_REF);
                    match sub.as_ref().map(|s| s.kind()) {
                        Some(K::SET_TYPE) => AlterActionKind::AlterColumnType {
                            column,
                            ty: sub.as_ref().and_then(|s| {
                                s.children()
                                    .find(|c| is_type_kind(c.kind()))
                                    .map(|t| TypeName {
                                        text: normalize_text(&text(&t)),
                                        span: self.span(&t),
                                    })
                            }),
                        },
                        Some(K::SET_NOT_NULL) => AlterActionKind::SetNotNull(column),
                        Some(K::DROP_NOT_NULL) => AlterActionKind::DropNotNull(column),
                        Some(K::SET_DEFAULT) => AlterActionKind::SetDefault(
                            column,
                            sub.as_ref().and_then(expr_child).map(|e| self.expr(&e)),
                        ),
                        Some(K::DROP_DEFAULT) => AlterActionKind::DropDefault(column),
                        // The action's text already starts with `alter column`.
                        _ => AlterActionKind::Other(normalize_text(&text(&a))),
                    }
                }
                K::ADD_CONSTRAINT => match a.children().find_map(|c| self.table_constraint(&c)) {
                    Some(c) => AlterActionKind::AddConstraint(c),
                    None => AlterActionKind::Other(normalize_text(&text(&a))),
                },
                K::DROP_CONSTRAINT => AlterActionKind::DropConstraint(
                    child(&a, K::CONSTRAINT_NAME_REF)
                        .map(|n| ident(&n))
                        .unwrap_or_default(),
                ),
                K::VALIDATE_CONSTRAINT => AlterActionKind::ValidateConstraint(
                    child(&a, K::CONSTRAINT_NAME_REF)
                        .map(|n| ident(&n))
                        .unwrap_or_default(),
                ),
                K::ENABLE_RLS => AlterActionKind::EnableRls,
                K::DISABLE_RLS => AlterActionKind::DisableRls,
                K::FORCE_RLS => AlterActionKind::ForceRls,
                K::NO_FORCE_RLS => AlterActionKind::NoForceRls,
                _ => AlterActionKind::Other(normalize_text(&text(&a))),
            };
            t.actions.push(AlterAction {
                span: self.span(&a),
                kind,
            });
        }
        t
    }

    fn create_policy(&self, node: &SyntaxNode) -> CreatePolicy {
        let command = child(node, K::POLICY_COMMAND)
            .and_then(|c| c.children().next())
            .map(|c| match c.kind() {
                K::POLICY_COMMAND_SELECT => PolicyCommand::Select,
                K::POLICY_COMMAND_INSERT => PolicyCommand::Insert,
                K::POLICY_COMMAND_UPDATE => PolicyCommand::Update,
                K::POLICY_COMMAND_DELETE => PolicyCommand::Delete,
                _ => PolicyCommand::All,
            })
            .unwrap_or(PolicyCommand::All);
        CreatePolicy {
            name: child(node, K::POLICY)
                .map(|n| ident(&n))
                .unwrap_or_default(),
            table: child(node, K::ON_TABLE)
                .map(|n| qname(&n))
                .unwrap_or_else(|| QName::new(None, "")),
            permissive: !child(node, K::AS_POLICY_TYPE)
                .is_some_and(|n| text(&n).to_ascii_lowercase().contains("restrictive")),
            command,
            roles: child(node, K::POLICY_ROLES)
                .map(|r| roles(&r))
                .unwrap_or_default(),
            using: child(node, K::USING_EXPR_CLAUSE)
                .and_then(|c| expr_child(&c))
                .map(|e| self.expr(&e)),
            with_check: child(node, K::WITH_CHECK_EXPR_CLAUSE)
                .and_then(|c| expr_child(&c))
                .map(|e| self.expr(&e)),
            roles_span: child(node, K::POLICY_ROLES).map(|r| self.span(&r)),
            roles_at: [K::POLICY_COMMAND, K::AS_POLICY_TYPE, K::ON_TABLE]
                .iter()
                .find_map(|k| child(node, *k))
                .map_or(self.span(node).end, |n| self.span(&n).end),
        }
    }

    fn alter_policy(&self, node: &SyntaxNode) -> AlterPolicy {
        AlterPolicy {
            name: child(node, K::POLICY_REF)
                .map(|n| ident(&n))
                .unwrap_or_default(),
            table: child(node, K::ON_TABLE)
                .map(|n| qname(&n))
                .unwrap_or_else(|| QName::new(None, "")),
            rename_to: descendant(node, K::POLICY_RENAME_TO)
                .and_then(|n| n.children().last())
                .map(|n| ident(&n)),
            roles: descendant(node, K::ROLE_REF_LIST).map(|r| roles(&r)),
            using: descendant(node, K::USING_EXPR_CLAUSE)
                .and_then(|c| expr_child(&c))
                .map(|e| self.expr(&e)),
            with_check: descendant(node, K::WITH_CHECK_EXPR_CLAUSE)
                .and_then(|c| expr_child(&c))
                .map(|e| self.expr(&e)),
        }
    }

    fn create_function(&self, node: &SyntaxNode) -> CreateFunction {
        let name_node = child(node, K::FUNCTION_NAME).or_else(|| child(node, K::PROCEDURE_NAME));
        let mut f = CreateFunction {
            name: name_node
                .as_ref()
                .map(qname)
                .unwrap_or_else(|| QName::new(None, "")),
            name_span: name_node
                .as_ref()
                .map(|n| self.span(n))
                .unwrap_or(self.span(node)),
            is_procedure: node.kind() == K::CREATE_PROCEDURE,
            params: child(node, K::PARAM_LIST)
                .map(|l| params(&l))
                .unwrap_or_default(),
            returns: child(node, K::RET_TYPE).map(|r| {
                let t = normalize_text(&text(&r));
                t.strip_prefix("returns").unwrap_or(&t).trim().to_string()
            }),
            language: None,
            security_definer: false,
            config: Vec::new(),
            volatility: None,
            body: None,
            body_span: None,
            options_span: None,
        };
        if let Some(opts) = child(node, K::FUNC_OPTION_LIST) {
            f.options_span = Some(self.span(&opts));
            let o = func_options(&opts);
            f.language = o.language;
            f.security_definer = o.security_definer.unwrap_or(false);
            f.config = o.config;
            f.volatility = o.volatility;
            if let Some(lit) =
                descendant(&opts, K::AS_DEFINITION).and_then(|d| child(&d, K::LITERAL))
            {
                f.body_span = Some(self.span(&lit));
                f.body = ast::Literal::cast(lit).and_then(|l| l.string_value());
            }
        }
        f
    }

    fn alter_function(&self, node: &SyntaxNode) -> AlterFunction {
        let o = child(node, K::FUNC_OPTION_LIST)
            .map(|o| func_options(&o))
            .unwrap_or_default();
        AlterFunction {
            sig: node
                .children()
                .find(|c| is_sig_kind(c.kind()))
                .map(|s| func_sig(&s))
                .unwrap_or(FuncSig {
                    name: QName::new(None, ""),
                    arg_types: None,
                }),
            security_definer: o.security_definer,
            config: o.config,
            reset: o.reset,
            rename_to: node
                .children()
                .find(|c| {
                    matches!(
                        c.kind(),
                        K::FUNCTION_RENAME_TO | K::PROCEDURE_RENAME_TO | K::ROUTINE_RENAME_TO
                    )
                })
                .and_then(|n| n.children().last())
                .map(|n| qname(&n).name),
        }
    }

    fn create_index(&self, node: &SyntaxNode) -> CreateIndex {
        let items = child(node, K::PARTITION_ITEM_LIST)
            .map(|l| {
                children(&l, K::PARTITION_ITEM)
                    .map(|it| {
                        let first = it.children().next();
                        let column = first
                            .as_ref()
                            .filter(|f| f.kind() == K::NAME_REF)
                            .map(ident);
                        IndexItem {
                            column,
                            text: normalize_text(&text(&it)),
                            expr: first
                                .filter(|f| is_expr_kind(f.kind()))
                                .map(|f| self.expr(&f)),
                        }
                    })
                    .collect()
            })
            .unwrap_or_default();
        let predicate = child(node, K::WHERE_CLAUSE).and_then(|w| expr_child(&w));
        CreateIndex {
            name: child(node, K::INDEX).map(|n| qname(&n).name),
            table: child(node, K::TABLE_RELATION_NAME)
                .map(|n| qname(&n))
                .unwrap_or_else(|| QName::new(None, "")),
            unique: has_token(node, K::UNIQUE_KW),
            concurrently: has_token(node, K::CONCURRENTLY_KW),
            method: child(node, K::USING_METHOD)
                .and_then(|m| m.children().last())
                .map(|n| ident(&n)),
            items,
            predicate_text: predicate.as_ref().map(|p| normalize_text(&text(p))),
            predicate: predicate.map(|p| self.expr(&p)),
            with: child(node, K::WITH_PARAMS)
                .map(|w| attributes(&w))
                .unwrap_or_default(),
            include: child(node, K::INDEX_INCLUDE_CLAUSE)
                .and_then(|c| child(&c, K::PARTITION_ITEM_LIST))
                .map(|l| {
                    children(&l, K::PARTITION_ITEM)
                        .map(|it| normalize_text(&text(&it)))
                        .collect()
                })
                .unwrap_or_default(),
        }
    }

    fn create_view(&self, node: &SyntaxNode, materialized: bool) -> CreateView {
        let name_node = child(node, K::VIEW);
        let insert_after = node
            .children()
            .take_while(|c| !matches!(c.kind(), K::WITH_PARAMS) && !is_select_kind(c.kind()))
            .filter(|c| matches!(c.kind(), K::VIEW | K::COLUMN_LIST))
            .last();
        CreateView {
            name: name_node
                .as_ref()
                .map(qname)
                .unwrap_or_else(|| QName::new(None, "")),
            name_span: name_node
                .as_ref()
                .map(|n| self.span(n))
                .unwrap_or(self.span(node)),
            materialized,
            options: child(node, K::WITH_PARAMS)
                .map(|w| attributes(&w))
                .unwrap_or_default(),
            reads: node
                .descendants()
                .filter(|n| n.kind() == K::RELATION_NAME_REF)
                .map(|n| qname(&n))
                .collect(),
            insert_options_at: insert_after
                .map(|n| self.span(&n).end)
                .unwrap_or(self.span(node).start),
            columns: view_columns(node),
            group_by: node
                .children()
                .find(|c| c.kind() == K::SELECT)
                .and_then(|s| child(&s, K::GROUP_BY_CLAUSE))
                .and_then(|g| {
                    let list = child(&g, K::GROUP_BY_LIST)?;
                    list.children()
                        .map(|item| plain_column(&item))
                        .collect::<Option<Vec<String>>>()
                }),
            query: self.view_query(node),
        }
    }

    /// The view's SELECT (see `CreateView::query`).
    fn view_query(&self, node: &SyntaxNode) -> Option<ViewQuery> {
        let select = node.children().find(|c| c.kind() == K::SELECT)?;
        let list = child(&select, K::SELECT_CLAUSE).and_then(|c| child(&c, K::TARGET_LIST))?;
        let names: Option<Vec<String>> = child(node, K::COLUMN_LIST).map(|l| {
            l.descendants()
                .filter(|n| n.kind() == K::COLUMN)
                .map(|c| ident(&c))
                .collect()
        });
        let mut targets: Vec<ViewTarget> = children(&list, K::TARGET)
            .map(|t| {
                let e = t.children().find(|c| is_expr_kind(c.kind()));
                let star = if child(&t, K::STAR).is_some() {
                    Some(None)
                } else {
                    e.as_ref()
                        .filter(|e| e.kind() == K::FIELD_EXPR && child(e, K::STAR).is_some())
                        .map(|e| child(e, K::NAME_REF).map(|n| ident(&n)))
                };
                ViewTarget {
                    name: child(&t, K::AS_NAME)
                        .and_then(|a| a.children().last())
                        .map(|n| ident(&n)),
                    expr: if star.is_some() {
                        None
                    } else {
                        e.map(|e| self.expr(&e))
                    },
                    star,
                }
            })
            .collect();
        if let Some(names) = names {
            for (t, n) in targets.iter_mut().zip(names) {
                t.name = Some(n);
            }
        }
        let from_clause = child(&select, K::FROM_CLAUSE);
        let from: Vec<(QName, Option<String>)> = from_clause
            .iter()
            .flat_map(|f| f.descendants())
            .filter(|n| n.kind() == K::RELATION_FROM_ITEM)
            .filter_map(|item| {
                let name = child(&item, K::RELATION_NAME_REF)?;
                let alias = child(&item, K::FROM_ALIAS)
                    .and_then(|a| child(&a, K::TABLE_ALIAS))
                    .map(|a| ident(&a));
                Some((qname(&name), alias))
            })
            .collect();
        let items = from_clause.as_ref().map_or(0, |f| {
            f.children().filter(|c| c.kind() != K::FROM_KW).count()
        });
        let simple = from.len() == 1
            && items == 1
            && from_clause.as_ref().is_some_and(|f| {
                !f.children().any(|c| c.kind() == K::JOIN_EXPR)
                    && !f.descendants().any(|c| is_select_kind(c.kind()))
            })
            && !select.children().any(|c| {
                matches!(
                    c.kind(),
                    K::DISTINCT_CLAUSE
                        | K::GROUP_BY_CLAUSE
                        | K::HAVING_CLAUSE
                        | K::LIMIT_CLAUSE
                        | K::OFFSET_CLAUSE
                        | K::WITH_CLAUSE
                        | K::WINDOW_CLAUSE
                        | K::FETCH_CLAUSE
                )
            })
            && child(&select, K::SELECT_CLAUSE)
                .is_none_or(|c| child(&c, K::DISTINCT_CLAUSE).is_none());
        Some(ViewQuery {
            targets,
            from,
            simple,
        })
    }

    fn insert(&self, node: &SyntaxNode) -> Insert {
        let cols = child(node, K::COLUMN_TARGET_LIST);
        Insert {
            table: child(node, K::RELATION_NAME_REF)
                .map(|n| qname(&n))
                .unwrap_or_else(|| QName::new(None, "")),
            columns: cols
                .as_ref()
                .map(|l| {
                    l.descendants()
                        .filter(|n| n.kind() == K::COLUMN_NAME_REF)
                        .map(|n| ident(&n))
                        .collect()
                })
                .unwrap_or_default(),
            columns_close: cols.as_ref().map(|l| self.span(l).end),
            rows: child(node, K::VALUES)
                .and_then(|v| child(&v, K::ROW_LIST))
                .map(|rl| {
                    children(&rl, K::ROW)
                        .map(|r| InsertRow {
                            span: self.span(&r),
                            values: r
                                .children()
                                .filter(|c| is_expr_kind(c.kind()))
                                .map(|c| self.expr(&c))
                                .collect(),
                        })
                        .collect()
                })
                .unwrap_or_default(),
        }
    }

    fn comment_on(&self, node: &SyntaxNode) -> StmtKind {
        let lit = child(node, K::LITERAL).and_then(|l| ast::Literal::cast(l)?.string_value());
        let target = node
            .children()
            .find_map(|c| match c.kind() {
                K::OBJECT_TABLE => Some(CommentTarget::Table(qname(&c))),
                K::OBJECT_COLUMN => {
                    let q = qname(&c);
                    let segs: Vec<String> = c
                        .descendants()
                        .filter(|n| matches!(n.kind(), K::PATH_SEGMENT | K::PATH_SEGMENT_REF))
                        .map(|n| ident(&n))
                        .collect();
                    let table = match segs.len() {
                        0 | 1 => QName::new(None, ""),
                        2 => QName::new(None, &segs[0]),
                        n => QName::new(Some(&segs[n - 3]), &segs[n - 2]),
                    };
                    Some(CommentTarget::Column(table, q.name))
                }
                K::OBJECT_FUNCTION => Some(CommentTarget::Function(qname(&c))),
                _ => None,
            })
            .unwrap_or(CommentTarget::Other);
        StmtKind::Comment { target, text: lit }
    }

    fn expr(&self, node: &SyntaxNode) -> Expr {
        self.expr_depth(node, 0)
    }

    fn expr_depth(&self, node: &SyntaxNode, depth: usize) -> Expr {
        let span = self.span(node);
        if depth > MAX_EXPR_DEPTH {
            return Expr {
                kind: ExprKind::Other,
                span,
                children: Vec::new(),
            };
        }
        let d = depth + 1;
        let mk = |kind, children| Expr {
            kind,
            span,
            children,
        };
        match node.kind() {
            K::CALL_EXPR => {
                if let Some(ex) = child(node, K::EXISTS_FN) {
                    return mk(ExprKind::Exists, self.inner(&ex, d));
                }
                let mut it = node.children();
                let head = it.next();
                let name = match head.as_ref().map(|h| h.kind()) {
                    Some(K::NAME_REF) => vec![ident(head.as_ref().unwrap())],
                    Some(K::FIELD_EXPR) => head
                        .as_ref()
                        .unwrap()
                        .children()
                        .filter(|c| c.kind() == K::NAME_REF)
                        .map(|c| ident(&c))
                        .collect(),
                    _ => Vec::new(),
                };
                let args = child(node, K::ARG_LIST)
                    .map(|a| self.inner(&a, d))
                    .unwrap_or_default();
                mk(ExprKind::Call { name }, args)
            }
            K::BIN_EXPR => {
                let kids: Vec<SyntaxNode> = node.children().collect();
                if kids.len() >= 2 {
                    let (l, r) = (&kids[0], &kids[kids.len() - 1]);
                    // Only the operator's text: copying the whole expression at every
                    // level would be quadratic on long `and` chains.
                    let base = node.text_range().start();
                    let between =
                        TextRange::new(l.text_range().end() - base, r.text_range().start() - base);
                    let op = normalize_text(&node.text().slice(between).to_string());
                    mk(
                        ExprKind::Binary { op },
                        vec![self.expr_depth(l, d), self.expr_depth(r, d)],
                    )
                } else {
                    mk(ExprKind::Other, self.inner(node, d))
                }
            }
            K::PAREN_EXPR => {
                let inner = node.children().next();
                match inner {
                    Some(s) if is_select_kind(s.kind()) => self.expr_depth(&s, d),
                    Some(e) if is_expr_kind(e.kind()) => {
                        mk(ExprKind::Paren, vec![self.expr_depth(&e, d)])
                    }
                    _ => mk(ExprKind::Other, self.inner(node, d)),
                }
            }
            k if is_select_kind(k) => mk(
                ExprKind::Select {
                    from: node
                        .descendants()
                        .filter(|n| n.kind() == K::RELATION_NAME_REF)
                        .map(|n| qname(&n))
                        .collect(),
                    aliases: node
                        .descendants()
                        .filter(|n| n.kind() == K::TABLE_ALIAS)
                        .map(|n| ident(&n))
                        .collect(),
                },
                self.inner(node, d),
            ),
            K::NAME_REF => mk(
                ExprKind::Column {
                    path: vec![ident(node)],
                },
                Vec::new(),
            ),
            K::FIELD_EXPR => {
                let kids: Vec<SyntaxNode> = node.children().collect();
                if kids.iter().all(|k| k.kind() == K::NAME_REF) {
                    mk(
                        ExprKind::Column {
                            path: kids.iter().map(ident).collect(),
                        },
                        Vec::new(),
                    )
                } else {
                    mk(ExprKind::Other, self.inner(node, d))
                }
            }
            K::LITERAL => {
                let tok = node.first_token().map(|t| t.kind());
                let kind = match tok {
                    Some(K::TRUE_KW) => ExprKind::Bool(true),
                    Some(K::FALSE_KW) => ExprKind::Bool(false),
                    Some(K::NULL_KW) => ExprKind::Null,
                    Some(K::INT_NUMBER | K::NUMERIC_NUMBER) => ExprKind::Number(text(node)),
                    _ => match ast::Literal::cast(node.clone()).and_then(|l| l.string_value()) {
                        Some(s) => ExprKind::String(s),
                        None => ExprKind::Other,
                    },
                };
                mk(kind, Vec::new())
            }
            K::CAST_EXPR => {
                let ty = node
                    .children()
                    .find(|c| is_type_kind(c.kind()))
                    .map(|t| normalize_text(&text(&t)))
                    .unwrap_or_default();
                let operand = node.children().find(|c| is_expr_kind(c.kind()));
                mk(
                    ExprKind::Cast { ty },
                    operand
                        .map(|o| vec![self.expr_depth(&o, d)])
                        .unwrap_or_default(),
                )
            }
            K::PREFIX_EXPR => {
                let op = node
                    .first_token()
                    .map(|t| t.text().to_ascii_lowercase())
                    .unwrap_or_default();
                mk(ExprKind::Unary { op }, self.inner(node, d))
            }
            K::TUPLE_EXPR => mk(ExprKind::Tuple, self.inner(node, d)),
            _ => mk(ExprKind::Other, self.inner(node, d)),
        }
    }

    /// Lowers the expressions found below `node`, not descending into them.
    fn inner(&self, node: &SyntaxNode, depth: usize) -> Vec<Expr> {
        let mut out = Vec::new();
        let mut stack: Vec<SyntaxNode> = node.children().collect();
        stack.reverse();
        while let Some(c) = stack.pop() {
            if is_expr_kind(c.kind()) {
                out.push(self.expr_depth(&c, depth));
            } else {
                let mut kids: Vec<SyntaxNode> = c.children().collect();
                kids.reverse();
                stack.extend(kids);
            }
        }
        out
    }
}

/// The output column names of a view (see `CreateView::columns`).
fn view_columns(node: &SyntaxNode) -> Vec<Option<String>> {
    let Some(select) = node.children().find(|c| c.kind() == K::SELECT) else {
        return Vec::new();
    };
    if let Some(list) = child(node, K::COLUMN_LIST) {
        return list
            .descendants()
            .filter(|n| n.kind() == K::COLUMN)
            .map(|c| Some(ident(&c)))
            .collect();
    }
    let Some(targets) = child(&select, K::SELECT_CLAUSE).and_then(|c| child(&c, K::TARGET_LIST))
    else {
        return Vec::new();
    };
    children(&targets, K::TARGET)
        .map(|t| {
            if let Some(alias) = child(&t, K::AS_NAME) {
                return alias.children().last().map(|n| ident(&n));
            }
            plain_column(&t)
        })
        .collect()
}

/// The column name of an item that is a plain (possibly qualified) column.
fn plain_column(item: &SyntaxNode) -> Option<String> {
    let e = item.children().find(|c| is_expr_kind(c.kind()))?;
    match e.kind() {
        K::NAME_REF => Some(ident(&e)),
        K::FIELD_EXPR if e.children().all(|k| k.kind() == K::NAME_REF) => {
            e.children().last().map(|n| ident(&n))
        }
        _ => None,
    }
}

/// Whether a function body may contain DDL or privilege statements (a cheap
/// case-insensitive scan that lets most bodies skip a second parse).
fn may_hold_ddl(body: &str) -> bool {
    const WORDS: &[&[u8]] = &[
        b"create",
        b"alter",
        b"drop",
        b"grant",
        b"revoke",
        b"refresh",
        b"comment",
        b"truncate",
    ];
    let bytes = body.as_bytes();
    bytes.windows(5).enumerate().any(|(i, w)| {
        let lower = |b: u8| b.to_ascii_lowercase();
        let first = lower(w[0]);
        matches!(first, b'c' | b'a' | b'd' | b'g' | b'r' | b't')
            && (i == 0 || !bytes[i - 1].is_ascii_alphanumeric() && bytes[i - 1] != b'_')
            && WORDS.iter().any(|word| {
                bytes.len() >= i + word.len()
                    && bytes[i..i + word.len()]
                        .iter()
                        .zip(word.iter())
                        .all(|(a, b)| lower(*a) == *b)
                    && bytes
                        .get(i + word.len())
                        .is_none_or(|c| !c.is_ascii_alphanumeric() && *c != b'_')
            })
    })
}

fn on_delete(node: &SyntaxNode) -> Option<String> {
    let a = child(node, K::ON_DELETE_ACTION)?;
    let t = normalize_text(&text(&a));
    Some(t.strip_prefix("on delete").unwrap_or(&t).trim().to_string())
}

fn roles(node: &SyntaxNode) -> Vec<String> {
    node.descendants()
        .filter(|n| n.kind() == K::ROLE_REF)
        .map(|n| ident(&n))
        .collect()
}

fn params(list: &SyntaxNode) -> Vec<Param> {
    children(list, K::PARAM)
        .map(|p| Param {
            name: child(&p, K::PARAM_NAME).map(|n| ident(&n)),
            ty: p
                .children()
                .find(|c| is_type_kind(c.kind()))
                .map(|t| normalize_text(&text(&t)))
                .unwrap_or_default(),
            mode: p
                .children()
                .find(|c| {
                    matches!(
                        c.kind(),
                        K::PARAM_IN | K::PARAM_OUT | K::PARAM_IN_OUT | K::PARAM_VARIADIC
                    )
                })
                .map(|m| normalize_text(&text(&m)))
                .unwrap_or_default(),
            has_default: child(&p, K::PARAM_DEFAULT).is_some(),
        })
        .collect()
}

/// `f(int)` in DROP/ALTER/GRANT: functions, procedures and routines.
fn is_sig_kind(k: K) -> bool {
    matches!(k, K::FUNCTION_SIG | K::PROCEDURE_SIG | K::ROUTINE_SIG)
}

fn func_sig(node: &SyntaxNode) -> FuncSig {
    FuncSig {
        name: node
            .children()
            .find(|c| {
                matches!(
                    c.kind(),
                    K::FUNCTION_NAME_REF | K::PROCEDURE_NAME_REF | K::ROUTINE_NAME_REF
                )
            })
            .map(|n| qname(&n))
            .unwrap_or_else(|| QName::new(None, "")),
        arg_types: child(node, K::PARAM_LIST).map(|l| {
            params(&l)
                .into_iter()
                .filter(|p| !p.mode.starts_with("out"))
                .map(|p| p.ty)
                .collect()
        }),
    }
}

#[derive(Default)]
struct FuncOptions {
    language: Option<String>,
    security_definer: Option<bool>,
    config: Vec<(String, String)>,
    reset: Vec<String>,
    volatility: Option<String>,
}

fn func_options(opts: &SyntaxNode) -> FuncOptions {
    let mut o = FuncOptions::default();
    for opt in opts.children() {
        match opt.kind() {
            K::LANGUAGE_FUNC_OPTION => {
                // `language plpgsql` or the old `language 'plpgsql'`.
                o.language = opt
                    .children()
                    .last()
                    .map(|n| ident(&n).trim_matches('\'').to_ascii_lowercase());
            }
            K::SECURITY_DEFINER_FUNC_OPTION => o.security_definer = Some(true),
            K::SECURITY_INVOKER_FUNC_OPTION => o.security_definer = Some(false),
            K::SET_FUNC_OPTION => {
                if let Some(p) = descendant(&opt, K::CONFIG_PARAMETER_REF) {
                    let value = p
                        .next_sibling()
                        .map(|v| {
                            let t = text(&v);
                            let t = t.trim_start();
                            let t = t.strip_prefix('=').unwrap_or(t);
                            let t = t.trim_start();
                            let t = if t.len() >= 2 && t[..2].eq_ignore_ascii_case("to") {
                                &t[2..]
                            } else {
                                t
                            };
                            t.trim().to_string()
                        })
                        .unwrap_or_else(|| {
                            // `set search_path from current`
                            "from current".to_string()
                        });
                    o.config.push((ident(&p), value));
                }
            }
            K::RESET_FUNC_OPTION => {
                if let Some(p) = descendant(&opt, K::CONFIG_PARAMETER_REF) {
                    o.reset.push(ident(&p));
                } else {
                    o.reset.push("all".into());
                }
            }
            K::VOLATILE | K::STABLE | K::IMMUTABLE => {
                o.volatility = Some(text(&opt).trim().to_ascii_lowercase())
            }
            _ => {}
        }
    }
    o
}

fn attributes(node: &SyntaxNode) -> Vec<(String, String)> {
    node.descendants()
        .filter(|n| n.kind() == K::ATTRIBUTE_OPTION)
        .map(|a| {
            let name = child(&a, K::ATTRIBUTE_NAME)
                .map(|n| ident(&n))
                .unwrap_or_default();
            let value = child(&a, K::ATTRIBUTE_VALUE)
                .map(|v| {
                    let t = text(&v).trim().to_string();
                    t.trim_matches('\'').to_ascii_lowercase()
                })
                .unwrap_or_else(|| "true".into());
            (name, value)
        })
        .collect()
}

fn alter_view(node: &SyntaxNode) -> AlterView {
    AlterView {
        name: child(node, K::VIEW_REF)
            .map(|n| qname(&n))
            .unwrap_or_else(|| QName::new(None, "")),
        set_options: child(node, K::SET_OPTIONS)
            .map(|w| attributes(&w))
            .unwrap_or_default(),
        reset_options: child(node, K::RESET_OPTIONS)
            .map(|w| {
                w.descendants()
                    .filter(|n| n.kind() == K::ATTRIBUTE_NAME || n.kind() == K::ATTRIBUTE_OPTION)
                    .filter_map(|n| {
                        if n.kind() == K::ATTRIBUTE_OPTION {
                            child(&n, K::ATTRIBUTE_NAME).map(|c| ident(&c))
                        } else if n.parent().is_some_and(|p| p.kind() == K::ATTRIBUTE_OPTION) {
                            None
                        } else {
                            Some(ident(&n))
                        }
                    })
                    .collect()
            })
            .unwrap_or_default(),
        rename_to: node
            .children()
            .find(|c| matches!(c.kind(), K::VIEW_RENAME_TO | K::TABLE_RENAME_TO))
            .map(|n| qname(&n).name),
    }
}

fn privileges(node: &SyntaxNode, is_grant: bool) -> Vec<String> {
    let mut p: Vec<String> = node
        .descendants()
        .filter(|n| n.kind() == K::REVOKE_COMMAND)
        // Revoking a column privilege leaves the table privilege in place.
        .filter(|n| is_grant || child(n, K::COLUMN_REF_LIST).is_none())
        .map(|n| {
            let t = normalize_text(&text(&n));
            let name = t.split(['(', ' ']).next().unwrap_or_default().to_string();
            // A column privilege is not the table privilege: `update(a,b)`.
            match child(&n, K::COLUMN_REF_LIST) {
                Some(cols) => format!(
                    "{name}({})",
                    normalize_text(&text(&cols)).replace([' ', '(', ')'], "")
                ),
                None => name,
            }
        })
        .collect();
    if p.is_empty() && (child(node, K::ALL_PRIVILEGES).is_some() || has_token(node, K::ALL_KW)) {
        p.push("all".into());
    }
    p
}

fn grant(node: &SyntaxNode) -> Option<Grant> {
    let objects = child(node, K::ON_PRIVILEGE_OBJECTS_CLAUSE)?;
    let target = objects.children().next();
    let object = match target.as_ref().map(|t| t.kind()) {
        Some(K::PRIVILEGE_TABLE | K::PRIVILEGE_DEFAULT) => GrantObject::Tables(
            children(target.as_ref().unwrap(), K::RELATION_NAME_REF)
                .map(|n| qname(&n))
                .collect(),
        ),
        Some(K::PRIVILEGE_ALL_TABLES_IN_SCHEMA) => GrantObject::AllTablesInSchema(
            target
                .as_ref()
                .unwrap()
                .descendants()
                .filter(|n| n.kind() == K::SCHEMA_REF)
                .map(|n| ident(&n))
                .collect(),
        ),
        Some(K::PRIVILEGE_FUNCTION | K::PRIVILEGE_ROUTINE | K::PRIVILEGE_PROCEDURE) => {
            GrantObject::Functions(
                target
                    .as_ref()
                    .unwrap()
                    .descendants()
                    .filter(|n| is_sig_kind(n.kind()))
                    .map(|n| func_sig(&n))
                    .collect(),
            )
        }
        Some(
            K::PRIVILEGE_ALL_FUNCTIONS_IN_SCHEMA
            | K::PRIVILEGE_ALL_ROUTINES_IN_SCHEMA
            | K::PRIVILEGE_ALL_PROCEDURES_IN_SCHEMA,
        ) => GrantObject::AllFunctionsInSchema(
            target
                .as_ref()
                .unwrap()
                .descendants()
                .filter(|n| n.kind() == K::SCHEMA_REF)
                .map(|n| ident(&n))
                .collect(),
        ),
        Some(K::PRIVILEGE_SCHEMA) => GrantObject::Schemas(
            target
                .as_ref()
                .unwrap()
                .descendants()
                .filter(|n| n.kind() == K::SCHEMA_REF)
                .map(|n| ident(&n))
                .collect(),
        ),
        _ => GrantObject::Other,
    };
    Some(Grant {
        is_grant: node.kind() == K::GRANT,
        privileges: privileges(node, node.kind() == K::GRANT),
        object,
        roles: child(node, K::ROLE_REF_LIST)
            .map(|r| roles(&r))
            .unwrap_or_default(),
    })
}

fn default_privileges(node: &SyntaxNode) -> AlterDefaultPrivileges {
    let inner = node.children().find(|c| {
        matches!(
            c.kind(),
            K::GRANT_DEFAULT_PRIVILEGES | K::REVOKE_DEFAULT_PRIVILEGES
        )
    });
    let object_type = inner
        .as_ref()
        .and_then(|i| {
            i.children().find_map(|c| match c.kind() {
                K::PRIVILEGE_TARGET_TABLES => Some("tables"),
                K::PRIVILEGE_TARGET_FUNCTIONS | K::PRIVILEGE_TARGET_ROUTINES => Some("functions"),
                K::PRIVILEGE_TARGET_SEQUENCES => Some("sequences"),
                K::PRIVILEGE_TARGET_TYPES => Some("types"),
                K::PRIVILEGE_TARGET_SCHEMAS => Some("schemas"),
                _ => None,
            })
        })
        .unwrap_or("")
        .to_string();
    AlterDefaultPrivileges {
        is_grant: inner
            .as_ref()
            .is_some_and(|i| i.kind() == K::GRANT_DEFAULT_PRIVILEGES),
        in_schemas: child(node, K::IN_SCHEMAS)
            .map(|s| {
                s.descendants()
                    .filter(|n| n.kind() == K::SCHEMA_REF)
                    .map(|n| ident(&n))
                    .collect()
            })
            .unwrap_or_default(),
        privileges: inner
            .as_ref()
            .map(|i| privileges(i, i.kind() == K::GRANT_DEFAULT_PRIVILEGES))
            .unwrap_or_default(),
        object_type,
        roles: inner
            .as_ref()
            .and_then(|i| child(i, K::ROLE_REF_LIST))
            .map(|r| roles(&r))
            .unwrap_or_default(),
    }
}

fn create_trigger(node: &SyntaxNode) -> CreateTrigger {
    CreateTrigger {
        name: child(node, K::TRIGGER)
            .map(|n| ident(&n))
            .unwrap_or_default(),
        table: child(node, K::ON_RELATION)
            .map(|n| qname(&n))
            .unwrap_or_else(|| QName::new(None, "")),
        function: child(node, K::CALL_EXPR).and_then(|c| {
            let head = c.children().next()?;
            let segs: Vec<String> = std::iter::once(head.clone())
                .chain(head.descendants())
                .filter(|n| n.kind() == K::NAME_REF)
                .map(|n| ident(&n))
                .collect();
            match segs.len() {
                0 => None,
                1 => Some(QName::new(None, &segs[0])),
                n => Some(QName::new(Some(&segs[n - 2]), &segs[n - 1])),
            }
        }),
        events: child(node, K::TRIGGER_EVENT_LIST)
            .map(|l| {
                l.children()
                    .map(|e| {
                        normalize_text(&text(&e))
                            .split(' ')
                            .next()
                            .unwrap_or_default()
                            .to_string()
                    })
                    .collect()
            })
            .unwrap_or_default(),
        timing: node
            .children()
            .find(|c| format!("{:?}", c.kind()).starts_with("TIMING_"))
            .map(|t| normalize_text(&text(&t)))
            .unwrap_or_default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes_identifiers() {
        assert_eq!(normalize_ident("Foo"), "foo");
        assert_eq!(normalize_ident("\"Foo\"\"x\""), "Foo\"x");
    }

    #[test]
    fn lowers_a_policy_with_wrapped_and_bare_calls() {
        let f = parse_sql(
            "create policy p on public.t as restrictive for update to authenticated \
             using (auth.uid() = user_id) with check ((select auth.uid()) = user_id);",
        );
        assert!(f.errors.is_empty(), "{:?}", f.errors);
        let StmtKind::CreatePolicy(p) = &f.stmts[0].kind else {
            panic!("{:?}", f.stmts[0].kind)
        };
        assert_eq!(p.table, QName::new(Some("public"), "t"));
        assert!(!p.permissive);
        assert_eq!(p.command, PolicyCommand::Update);
        assert_eq!(p.roles, vec!["authenticated"]);
        let using = p.using.as_ref().unwrap();
        assert_eq!(using.binary_op(), Some("="));
        assert!(using.children[0].is_call("auth", "uid"));
        let check = p.with_check.as_ref().unwrap();
        assert!(matches!(check.children[0].kind, ExprKind::Select { .. }));
    }

    #[test]
    fn finds_statements_inside_do_blocks() {
        let f = parse_sql(
            "do $$ begin if true then alter table public.t enable row level security; end if; end $$;",
        );
        assert_eq!(f.stmts.len(), 2);
        assert_eq!(f.stmts[1].context, StmtContext::DoBlock);
        let s = f.stmts[1].span;
        assert_eq!(
            &"do $$ begin if true then alter table public.t enable row level security; end if; end $$;"
                [s.range()],
            "alter table public.t enable row level security;"
        );
    }

    #[test]
    fn recovers_sql_the_plpgsql_grammar_misses() {
        let src = "do $$ declare n int; begin select count(*) into n from t; alter table public.t enable row level security; end $$;";
        let f = parse_sql(src);
        let texts: Vec<&str> = f.stmts.iter().map(|s| &src[s.span.range()]).collect();
        assert!(
            texts
                .iter()
                .any(|t| t.starts_with("select count(*) into n from t")),
            "{texts:?}"
        );
        assert!(
            texts.contains(&"alter table public.t enable row level security;"),
            "{texts:?}"
        );
    }

    #[test]
    fn ddl_prefilter() {
        assert!(may_hold_ddl("begin CREATE TABLE x(); end"));
        assert!(may_hold_ddl(
            "begin\n  alter table t enable row level security;"
        ));
        assert!(!may_hold_ddl(
            "begin insert into t values (new.id); return new; end"
        ));
        assert!(!may_hold_ddl(
            "select created_at, altered, dropped_at from t"
        ));
    }
}
