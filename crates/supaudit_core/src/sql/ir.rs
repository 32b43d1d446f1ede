//! supaudit's own statement IR. Rules and the model read only these types;
//! nothing outside `sql::lower` sees squawk's tree.

use crate::text::Span;

/// A possibly schema-qualified name, normalized (unquoted identifiers folded to
/// lower case, quotes removed).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct QName {
    pub schema: Option<String>,
    pub name: String,
}

impl QName {
    pub fn new(schema: Option<&str>, name: &str) -> Self {
        QName {
            schema: schema.map(str::to_string),
            name: name.to_string(),
        }
    }
    /// The schema, defaulting to `public` (the search_path Supabase migrations run with).
    pub fn schema_or_public(&self) -> &str {
        self.schema.as_deref().unwrap_or("public")
    }
}

impl std::fmt::Display for QName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.schema {
            Some(s) => write!(f, "{s}.{}", self.name),
            None => f.write_str(&self.name),
        }
    }
}

#[derive(Debug, Clone)]
pub struct SqlFile {
    pub stmts: Vec<Stmt>,
    pub errors: Vec<SyntaxError>,
    /// `--` and `/* */` comments, in order.
    pub comments: Vec<Comment>,
}

#[derive(Debug, Clone)]
pub struct SyntaxError {
    pub span: Span,
    pub message: String,
}

#[derive(Debug, Clone)]
pub struct Comment {
    pub span: Span,
    pub text: String,
}

/// Where a statement runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StmtContext {
    TopLevel,
    /// Inside a `DO` block: runs when the migration runs.
    DoBlock,
    /// Inside a function body: runs when the function is called.
    FunctionBody,
}

#[derive(Debug, Clone)]
pub struct Stmt {
    pub span: Span,
    pub context: StmtContext,
    pub kind: StmtKind,
}

#[derive(Debug, Clone)]
pub enum StmtKind {
    CreateTable(CreateTable),
    AlterTable(AlterTable),
    DropTable {
        names: Vec<QName>,
    },
    Truncate {
        tables: Vec<QName>,
    },
    CreatePolicy(CreatePolicy),
    AlterPolicy(AlterPolicy),
    DropPolicy {
        name: String,
        table: QName,
    },
    CreateFunction(CreateFunction),
    AlterFunction(AlterFunction),
    DropFunction {
        sigs: Vec<FuncSig>,
    },
    CreateIndex(CreateIndex),
    DropIndex {
        names: Vec<QName>,
        /// `drop index concurrently`.
        concurrently: bool,
    },
    CreateView(CreateView),
    AlterView(AlterView),
    DropView {
        names: Vec<QName>,
        materialized: bool,
    },
    RefreshMaterializedView {
        name: QName,
        concurrently: bool,
    },
    Grant(Grant),
    AlterDefaultPrivileges(AlterDefaultPrivileges),
    CreateExtension {
        name: String,
        schema: Option<String>,
    },
    DropExtension {
        names: Vec<String>,
    },
    /// `alter extension … set schema …`; other ALTER EXTENSION forms are `Other`.
    AlterExtensionSchema {
        name: String,
        schema: String,
    },
    CreateSchema {
        name: String,
    },
    DropSchema {
        names: Vec<String>,
    },
    Insert(Insert),
    Comment {
        target: CommentTarget,
        text: Option<String>,
    },
    CreateTrigger(CreateTrigger),
    DropTrigger {
        name: String,
        table: QName,
    },
    CreateType {
        name: QName,
        def: TypeDef,
    },
    DropType {
        names: Vec<QName>,
    },
    /// `alter type … rename to …`.
    RenameType {
        name: QName,
        to: String,
    },
    /// `alter type … add / drop / alter / rename attribute …` on a composite type.
    AlterTypeAttributes {
        name: QName,
        actions: Vec<AttributeAction>,
    },
    /// `alter type … add value 'v' [before | after 'w']`.
    AlterTypeAddValue {
        name: QName,
        value: String,
        /// `(true, w)` for `before 'w'`, `(false, w)` for `after 'w'`.
        position: Option<(bool, String)>,
    },
    Begin,
    Commit,
    Do,
    /// Statements the model does not replay. `relevant` is true when the
    /// statement changes objects the rules read (see `unparsed-statement`).
    Other {
        what: String,
        relevant: bool,
    },
}

/// What a `create type` defines.
#[derive(Debug, Clone)]
pub enum TypeDef {
    /// `as enum ('a', 'b')`.
    Enum(Vec<String>),
    /// `as (street text, zip text)`.
    Composite(Vec<Attribute>),
    /// Base, range and shell types: not modelled.
    Other,
}

/// An attribute of a composite type: its name and normalized type text.
#[derive(Debug, Clone)]
pub struct Attribute {
    pub name: String,
    pub ty: String,
}

#[derive(Debug, Clone)]
pub enum AttributeAction {
    Add(Attribute),
    Drop(String),
    SetType { name: String, ty: String },
    Rename { from: String, to: String },
}

#[derive(Debug, Clone)]
pub struct TypeName {
    /// Lower-cased, whitespace-collapsed text, e.g. `timestamp with time zone`, `text[]`.
    pub text: String,
    pub span: Span,
}

impl TypeName {
    /// The type without array brackets or modifiers: `varchar(10)[]` -> `varchar`.
    pub fn base(&self) -> &str {
        let t = self.text.split('(').next().unwrap_or(&self.text);
        let t = t.trim_end_matches("[]").trim();
        t.rsplit('.').next().unwrap_or(t)
    }
    pub fn is_array(&self) -> bool {
        self.text.ends_with(']')
    }
}

#[derive(Debug, Clone)]
pub struct ColumnDef {
    pub name: String,
    pub name_span: Span,
    pub span: Span,
    pub ty: Option<TypeName>,
    pub not_null: bool,
    pub primary_key: bool,
    pub unique: bool,
    pub default: Option<Expr>,
    pub identity: bool,
    /// `generated always as identity` (not `by default`).
    pub identity_always: bool,
    /// `generated always as (expr) stored`.
    pub generated: bool,
    pub references: Option<ForeignKey>,
    pub checks: Vec<Expr>,
}

#[derive(Debug, Clone)]
pub struct ForeignKey {
    pub columns: Vec<String>,
    pub ref_table: QName,
    pub ref_columns: Vec<String>,
    /// Lower-cased action: `cascade`, `set null`, `set default`, `restrict`, `no action`.
    pub on_delete: Option<String>,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct TableConstraint {
    pub name: Option<String>,
    pub span: Span,
    pub kind: ConstraintKind,
    pub not_valid: bool,
}

#[derive(Debug, Clone)]
pub enum ConstraintKind {
    PrimaryKey(Vec<String>),
    Unique(Vec<String>),
    ForeignKey(ForeignKey),
    Check(Expr),
    Other,
}

#[derive(Debug, Clone)]
pub struct CreateTable {
    pub name: QName,
    pub name_span: Span,
    pub if_not_exists: bool,
    pub foreign: bool,
    pub partition_of: bool,
    /// The partitioned table of `create table … partition of <parent>`.
    pub partition_parent: Option<QName>,
    pub columns: Vec<ColumnDef>,
    pub constraints: Vec<TableConstraint>,
    /// Byte offset just before the closing `)` of the column list, if any.
    pub columns_end: Option<u32>,
    /// `like <table> ...` clauses (not replayed): the source table and the clause's span.
    pub like: Vec<(QName, Span)>,
}

#[derive(Debug, Clone)]
pub struct AlterTable {
    pub name: QName,
    pub name_span: Span,
    pub actions: Vec<AlterAction>,
}

#[derive(Debug, Clone)]
pub struct AlterAction {
    pub span: Span,
    pub kind: AlterActionKind,
}

#[derive(Debug, Clone)]
pub enum AlterActionKind {
    AddColumn(ColumnDef),
    DropColumn(String),
    RenameColumn {
        from: String,
        to: String,
    },
    RenameTable(String),
    SetSchema(String),
    AlterColumnType {
        column: String,
        ty: Option<TypeName>,
    },
    SetNotNull(String),
    DropNotNull(String),
    SetDefault(String, Option<Expr>),
    DropDefault(String),
    AddConstraint(TableConstraint),
    DropConstraint(String),
    ValidateConstraint(String),
    EnableRls,
    DisableRls,
    ForceRls,
    NoForceRls,
    Other(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PolicyCommand {
    All,
    Select,
    Insert,
    Update,
    Delete,
}

impl PolicyCommand {
    pub fn as_str(self) -> &'static str {
        match self {
            PolicyCommand::All => "all",
            PolicyCommand::Select => "select",
            PolicyCommand::Insert => "insert",
            PolicyCommand::Update => "update",
            PolicyCommand::Delete => "delete",
        }
    }
    /// Whether a policy for `self` applies to the command `cmd`.
    pub fn covers(self, cmd: PolicyCommand) -> bool {
        self == PolicyCommand::All || self == cmd
    }
}

#[derive(Debug, Clone)]
pub struct CreatePolicy {
    pub name: String,
    pub table: QName,
    pub permissive: bool,
    pub command: PolicyCommand,
    /// Lower-cased role names; empty means `public`.
    pub roles: Vec<String>,
    pub using: Option<Expr>,
    pub with_check: Option<Expr>,
    /// The `to …` clause, keyword included, when the statement has one.
    pub roles_span: Option<Span>,
    /// Where a `to …` clause goes when there is none: the end of the
    /// `for …` clause, else of `as …`, else of the table name.
    pub roles_at: u32,
}

#[derive(Debug, Clone)]
pub struct AlterPolicy {
    pub name: String,
    pub table: QName,
    pub rename_to: Option<String>,
    pub roles: Option<Vec<String>>,
    pub using: Option<Expr>,
    pub with_check: Option<Expr>,
}

#[derive(Debug, Clone)]
pub struct Param {
    pub name: Option<String>,
    pub ty: String,
    /// `in`, `out`, `inout`, `variadic`; empty for the default (`in`).
    pub mode: String,
    pub has_default: bool,
}

#[derive(Debug, Clone)]
pub struct FuncSig {
    pub name: QName,
    /// Argument types, when the statement lists them.
    pub arg_types: Option<Vec<String>>,
}

#[derive(Debug, Clone)]
pub struct CreateFunction {
    pub name: QName,
    pub name_span: Span,
    pub is_procedure: bool,
    pub params: Vec<Param>,
    /// Lower-cased return type text (`trigger`, `setof public.t`, `void`...).
    pub returns: Option<String>,
    pub language: Option<String>,
    pub security_definer: bool,
    /// `SET name = value` options: (lower-cased name, value text).
    pub config: Vec<(String, String)>,
    pub volatility: Option<String>,
    /// Decoded body text and its span in the file (the string literal).
    pub body: Option<String>,
    pub body_span: Option<Span>,
    /// Span of the option list; fixes insert options at its start.
    pub options_span: Option<Span>,
}

#[derive(Debug, Clone)]
pub struct AlterFunction {
    pub sig: FuncSig,
    pub security_definer: Option<bool>,
    pub config: Vec<(String, String)>,
    pub reset: Vec<String>,
    pub rename_to: Option<String>,
}

#[derive(Debug, Clone)]
pub struct IndexItem {
    /// Set when the item is a plain column.
    pub column: Option<String>,
    /// Normalized text of the item (for duplicate detection).
    pub text: String,
    pub expr: Option<Expr>,
}

#[derive(Debug, Clone)]
pub struct CreateIndex {
    pub name: Option<String>,
    pub table: QName,
    pub unique: bool,
    pub concurrently: bool,
    pub method: Option<String>,
    pub items: Vec<IndexItem>,
    pub predicate: Option<Expr>,
    /// Normalized text of the predicate.
    pub predicate_text: Option<String>,
    pub with: Vec<(String, String)>,
    /// Normalized text of the `include (...)` columns.
    pub include: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct CreateView {
    pub name: QName,
    pub name_span: Span,
    pub materialized: bool,
    pub options: Vec<(String, String)>,
    /// Relations the query reads (tables, views, functions in FROM are not listed).
    pub reads: Vec<QName>,
    /// Span of the view name; the `with (...)` fix inserts after it.
    pub insert_options_at: u32,
    /// Output column names, when the query is one SELECT (not a UNION…):
    /// the view's column list, else each target's alias or plain column
    /// name; `None` for an unnamed expression or `*`. Empty when unknown.
    pub columns: Vec<Option<String>>,
    /// The plain columns of the query's top-level `group by`, when it has
    /// one and every item is a plain column.
    pub group_by: Option<Vec<String>>,
    /// The query, when it is one SELECT: what `supaudit gen types` types the
    /// view's columns from.
    pub query: Option<ViewQuery>,
}

/// The top-level SELECT of a view.
#[derive(Debug, Clone)]
pub struct ViewQuery {
    pub targets: Vec<ViewTarget>,
    /// Relations in FROM (joined ones included), with their alias.
    pub from: Vec<(QName, Option<String>)>,
    /// One relation in FROM and no join, subquery, DISTINCT, GROUP BY,
    /// HAVING, LIMIT, OFFSET, WITH or WINDOW: the shape PostgreSQL can make
    /// automatically updatable (aggregates in the targets are not checked).
    pub simple: bool,
}

/// One output column (or `*`) of a view's SELECT.
#[derive(Debug, Clone)]
pub struct ViewTarget {
    /// The name: the view's column list, else the alias; `None` when
    /// PostgreSQL derives it from the expression.
    pub name: Option<String>,
    pub expr: Option<Expr>,
    /// `*` is `Some(None)`, `t.*` is `Some(Some("t"))`.
    pub star: Option<Option<String>>,
}

#[derive(Debug, Clone)]
pub struct AlterView {
    pub name: QName,
    pub set_options: Vec<(String, String)>,
    pub reset_options: Vec<String>,
    pub rename_to: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GrantObject {
    Tables(Vec<QName>),
    AllTablesInSchema(Vec<String>),
    Functions(Vec<FuncSig>),
    AllFunctionsInSchema(Vec<String>),
    Schemas(Vec<String>),
    Other,
}

impl PartialEq for FuncSig {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name && self.arg_types == other.arg_types
    }
}
impl Eq for FuncSig {}

#[derive(Debug, Clone)]
pub struct Grant {
    pub is_grant: bool,
    /// Lower-cased privileges (`all`, `select`, `insert`, `execute`...).
    pub privileges: Vec<String>,
    pub object: GrantObject,
    /// Lower-cased grantees; `public` for PUBLIC.
    pub roles: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct AlterDefaultPrivileges {
    pub is_grant: bool,
    pub in_schemas: Vec<String>,
    pub privileges: Vec<String>,
    /// `tables`, `functions`, `sequences`, `types`, `schemas`.
    pub object_type: String,
    pub roles: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct Insert {
    pub table: QName,
    pub columns: Vec<String>,
    pub rows: Vec<InsertRow>,
    /// End of the column list's `)`.
    pub columns_close: Option<u32>,
}

#[derive(Debug, Clone)]
pub struct InsertRow {
    pub span: Span,
    pub values: Vec<Expr>,
}

#[derive(Debug, Clone)]
pub enum CommentTarget {
    Table(QName),
    Column(QName, String),
    Function(QName),
    Other,
}

#[derive(Debug, Clone)]
pub struct CreateTrigger {
    pub name: String,
    pub table: QName,
    pub function: Option<QName>,
    pub events: Vec<String>,
    pub timing: String,
}

/// A lowered expression: enough structure for rules that reason about
/// policies, checks, defaults and index predicates.
#[derive(Debug, Clone, PartialEq)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
    pub children: Vec<Expr>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ExprKind {
    /// A function call; `name` is its path (`["auth", "uid"]`), children are the arguments.
    Call {
        name: Vec<String>,
    },
    /// A `(select ...)` or any SELECT; children are expressions inside it.
    Select {
        from: Vec<QName>,
        aliases: Vec<String>,
    },
    /// `exists (select ...)`; one child, the select.
    Exists,
    /// Binary operator, lower-cased with spaces collapsed (`=`, `and`, `in`, `->>`, `is not`).
    Binary {
        op: String,
    },
    /// Prefix operator (`not`, `-`).
    Unary {
        op: String,
    },
    /// A column or other name reference.
    Column {
        path: Vec<String>,
    },
    String(String),
    Number(String),
    Bool(bool),
    Null,
    /// `expr::type`; one child.
    Cast {
        ty: String,
    },
    /// Parenthesized expression; one child.
    Paren,
    /// `(a, b)` or row values.
    Tuple,
    /// Anything else; children are the expressions found inside.
    Other,
}

impl Expr {
    /// This expression and every expression below it, depth first.
    pub fn walk(&self) -> impl Iterator<Item = &Expr> {
        let mut stack = vec![self];
        std::iter::from_fn(move || {
            let e = stack.pop()?;
            stack.extend(e.children.iter().rev());
            Some(e)
        })
    }

    /// Visits every expression with the chain of its ancestors (outermost first).
    pub fn visit_with_ancestors<'a>(&'a self, f: &mut dyn FnMut(&'a Expr, &[&'a Expr])) {
        fn go<'a>(e: &'a Expr, anc: &mut Vec<&'a Expr>, f: &mut dyn FnMut(&'a Expr, &[&'a Expr])) {
            f(e, anc);
            anc.push(e);
            for c in &e.children {
                go(c, anc, f);
            }
            anc.pop();
        }
        go(self, &mut Vec::new(), f);
    }

    pub fn is_call(&self, schema: &str, name: &str) -> bool {
        match &self.kind {
            ExprKind::Call { name: n } => n.len() == 2 && n[0] == schema && n[1] == name,
            _ => false,
        }
    }

    pub fn call_name(&self) -> Option<&[String]> {
        match &self.kind {
            ExprKind::Call { name } => Some(name),
            _ => None,
        }
    }

    /// Strips parentheses.
    pub fn unparen(&self) -> &Expr {
        let mut e = self;
        while e.kind == ExprKind::Paren && e.children.len() == 1 {
            e = &e.children[0];
        }
        e
    }

    pub fn is_true(&self) -> bool {
        matches!(self.unparen().kind, ExprKind::Bool(true))
    }

    pub fn column_name(&self) -> Option<&str> {
        match &self.unparen().kind {
            ExprKind::Column { path } => path.last().map(String::as_str),
            ExprKind::Cast { .. } => self.unparen().children.first()?.column_name(),
            _ => None,
        }
    }

    pub fn string_value(&self) -> Option<&str> {
        match &self.unparen().kind {
            ExprKind::String(s) => Some(s),
            ExprKind::Cast { .. } => self.unparen().children.first()?.string_value(),
            _ => None,
        }
    }

    pub fn binary_op(&self) -> Option<&str> {
        match &self.kind {
            ExprKind::Binary { op } => Some(op),
            _ => None,
        }
    }

    /// Splits a conjunction `a and b and c` into its terms.
    pub fn conjuncts(&self) -> Vec<&Expr> {
        let e = self.unparen();
        if e.binary_op() == Some("and") && e.children.len() == 2 {
            let mut v = e.children[0].conjuncts();
            v.extend(e.children[1].conjuncts());
            v
        } else {
            vec![e]
        }
    }
}
