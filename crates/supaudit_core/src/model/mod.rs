//! The schema model: migrations replayed in order into the state a database
//! would have at the end of the history, starting from the Supabase platform
//! (roles, `auth`, `storage`, default grants). Objects remember where they
//! were created and last changed.

pub mod catalog;
mod platform;
mod replay;

use std::collections::{BTreeMap, BTreeSet};

use crate::sql::{Attribute, Expr, PolicyCommand, QName, TypeName};
use crate::text::Span;

pub use replay::{Replay, StmtRef};

/// Index of a file in `Project::files`; `FileId::PLATFORM` for objects that
/// Supabase itself provides.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FileId(pub u32);

impl FileId {
    pub const PLATFORM: FileId = FileId(u32::MAX);
}

/// Where an object was created or changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Origin {
    pub file: FileId,
    /// Position of the file in replay order (lower runs first).
    pub order: u32,
    /// The whole statement.
    pub stmt: Span,
    /// The part a diagnostic should point at (name, column, clause).
    pub span: Span,
}

impl Origin {
    pub const PLATFORM: Origin = Origin {
        file: FileId::PLATFORM,
        order: 0,
        stmt: Span::new(0, 0),
        span: Span::new(0, 0),
    };
    pub fn is_platform(&self) -> bool {
        self.file == FileId::PLATFORM
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RelKind {
    Table,
    View,
    MaterializedView,
    ForeignTable,
}

impl RelKind {
    pub fn as_str(self) -> &'static str {
        match self {
            RelKind::Table => "table",
            RelKind::View => "view",
            RelKind::MaterializedView => "materialized view",
            RelKind::ForeignTable => "foreign table",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Column {
    pub name: String,
    pub ty: Option<TypeName>,
    pub not_null: bool,
    pub default: Option<Expr>,
    pub identity: bool,
    /// `generated always as identity`: clients may not write it.
    pub identity_always: bool,
    /// A generated (computed, stored) column.
    pub generated: bool,
    pub checks: Vec<Expr>,
    /// Where the column was added, or where its type was last changed.
    pub origin: Origin,
    pub comment: Option<String>,
}

#[derive(Debug, Clone)]
pub struct ForeignKey {
    pub name: Option<String>,
    pub columns: Vec<String>,
    pub ref_table: QName,
    pub ref_columns: Vec<String>,
    pub on_delete: Option<String>,
    pub origin: Origin,
}

#[derive(Debug, Clone)]
pub struct Check {
    pub name: Option<String>,
    pub expr: Expr,
    /// Column this check was declared on, if a column constraint.
    pub column: Option<String>,
    pub origin: Origin,
}

#[derive(Debug, Clone)]
pub struct Index {
    pub name: Option<String>,
    /// One entry per item: the column for plain-column items, `None` for expressions.
    pub columns: Vec<Option<String>>,
    /// Normalized text of each item.
    pub items: Vec<String>,
    pub unique: bool,
    pub method: String,
    pub predicate: Option<String>,
    pub predicate_expr: Option<Expr>,
    pub item_exprs: Vec<Expr>,
    pub with: Vec<(String, String)>,
    /// Non-key columns of `include (...)`.
    pub include: Vec<String>,
    /// Implied by a PRIMARY KEY or UNIQUE constraint.
    pub from_constraint: bool,
    pub origin: Origin,
}

impl Index {
    /// Whether the index's leading columns are exactly `cols` (in any order).
    pub fn leads_with(&self, cols: &[String]) -> bool {
        if cols.is_empty() || self.columns.len() < cols.len() || self.predicate.is_some() {
            return false;
        }
        if let [col] = cols {
            // The common case, without building sets.
            return self.columns[0].as_deref() == Some(col.as_str());
        }
        let lead: BTreeSet<&str> = self.columns[..cols.len()]
            .iter()
            .filter_map(|c| c.as_deref())
            .collect();
        // Compared as sets: a column listed twice (`foreign key (a, a)`) is one.
        let wanted: BTreeSet<&str> = cols.iter().map(String::as_str).collect();
        lead == wanted
    }
}

#[derive(Debug, Clone)]
pub struct Policy {
    pub name: String,
    pub command: PolicyCommand,
    pub permissive: bool,
    /// Lower-cased roles; `public` when the policy names none.
    pub roles: Vec<String>,
    pub using: Option<Expr>,
    pub with_check: Option<Expr>,
    pub origin: Origin,
}

impl Policy {
    /// Whether the policy applies to `role` (directly or through `public`).
    pub fn applies_to(&self, role: &str) -> bool {
        self.roles.iter().any(|r| r == role || r == "public")
    }
}

#[derive(Debug, Clone)]
pub struct Trigger {
    pub name: String,
    pub function: Option<QName>,
    pub events: Vec<String>,
    pub timing: String,
    pub origin: Origin,
}

#[derive(Debug, Clone)]
pub struct ViewInfo {
    pub options: Vec<(String, String)>,
    pub reads: Vec<QName>,
    pub insert_options_at: u32,
    /// The view's SELECT, when it is one (for the types of its columns).
    pub query: Option<crate::sql::ViewQuery>,
}

impl ViewInfo {
    pub fn option(&self, name: &str) -> Option<&str> {
        self.options
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Table-like objects: tables, views, materialized views, foreign tables.
#[derive(Debug, Clone)]
pub struct Relation {
    pub schema: String,
    pub name: String,
    pub kind: RelKind,
    pub origin: Origin,
    pub last_changed: Origin,
    pub columns: Vec<Column>,
    pub primary_key: Option<Vec<String>>,
    /// The ALTER TABLE action that dropped the primary key, while none replaced it.
    pub primary_key_dropped: Option<Origin>,
    /// Keys come from elsewhere (a partition's parent, `like`): the model cannot see them.
    pub keys_from_elsewhere: bool,
    pub uniques: Vec<Vec<String>>,
    pub foreign_keys: Vec<ForeignKey>,
    pub checks: Vec<Check>,
    pub indexes: Vec<Index>,
    pub rls_enabled: bool,
    pub rls_forced: bool,
    /// The statement that last enabled or disabled RLS.
    pub rls_origin: Option<Origin>,
    pub policies: Vec<Policy>,
    pub triggers: Vec<Trigger>,
    /// Privileges by grantee (`anon`, `authenticated`, `public`...).
    pub grants: BTreeMap<String, BTreeSet<String>>,
    pub view: Option<ViewInfo>,
    pub comment: Option<String>,
    /// End of the column list in the CREATE TABLE, for fixes that add constraints.
    pub columns_end: Option<u32>,
}

impl Relation {
    pub fn qname(&self) -> QName {
        QName::new(Some(&self.schema), &self.name)
    }
    pub fn display_name(&self) -> String {
        format!("{}.{}", self.schema, self.name)
    }
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }
    pub fn has_privilege(&self, role: &str, privilege: &str) -> bool {
        [role, "public"].iter().any(|r| {
            self.grants
                .get(*r)
                .is_some_and(|p| p.contains(privilege) || p.contains("all"))
        })
    }
    /// Whether `role` can read it over the API (SELECT privilege).
    pub fn readable_by(&self, role: &str) -> bool {
        self.has_privilege(role, "select")
    }
    pub fn is_platform(&self) -> bool {
        self.origin.is_platform()
    }
}

#[derive(Debug, Clone)]
pub struct Function {
    pub schema: String,
    pub name: String,
    /// Input argument types.
    pub arg_types: Vec<String>,
    pub params: Vec<crate::sql::Param>,
    pub returns: Option<String>,
    pub language: Option<String>,
    pub security_definer: bool,
    pub config: Vec<(String, String)>,
    pub volatility: Option<String>,
    pub body: Option<String>,
    pub is_procedure: bool,
    pub origin: Origin,
    pub last_changed: Origin,
    /// Start of the option list in the CREATE FUNCTION, for fixes.
    pub options_at: Option<u32>,
    /// Roles that may execute it (`public` included when PUBLIC may).
    pub execute: BTreeSet<String>,
}

impl Function {
    pub fn display_name(&self) -> String {
        format!(
            "{}.{}({})",
            self.schema,
            self.name,
            self.arg_types.join(", ")
        )
    }
    pub fn returns_trigger(&self) -> bool {
        self.returns
            .as_deref()
            .is_some_and(|r| r == "trigger" || r == "event_trigger")
    }
    pub fn search_path(&self) -> Option<&str> {
        self.config
            .iter()
            .rev()
            .find(|(k, _)| k == "search_path")
            .map(|(_, v)| v.as_str())
    }
    pub fn executable_by(&self, role: &str) -> bool {
        self.execute.contains(role) || self.execute.contains("public")
    }
}

#[derive(Debug, Clone)]
pub struct Extension {
    pub name: String,
    pub schema: Option<String>,
    pub origin: Origin,
}

#[derive(Debug, Clone)]
pub struct Bucket {
    pub id: String,
    pub public: bool,
    pub has_size_limit: bool,
    pub has_mime_types: bool,
    pub origin: Origin,
    /// The VALUES row of the insert, for fixes.
    pub row: Span,
    pub columns_close: Option<u32>,
}

#[derive(Debug, Clone, Default)]
pub struct Model {
    pub schemas: BTreeSet<String>,
    pub relations: BTreeMap<(String, String), Relation>,
    pub functions: Vec<Function>,
    pub extensions: BTreeMap<String, Extension>,
    pub enums: BTreeMap<(String, String), Vec<String>>,
    /// Composite types (`create type … as (…)`): their attributes in order.
    pub composites: BTreeMap<(String, String), Vec<Attribute>>,
    pub buckets: Vec<Bucket>,
    /// Default privileges: (schema, object type) -> grantee -> privileges.
    pub default_privileges: BTreeMap<(String, String), BTreeMap<String, BTreeSet<String>>>,
}

impl Model {
    /// The Supabase platform before any migration runs.
    pub fn supabase() -> Model {
        platform::supabase()
    }

    pub fn relation(&self, name: &QName) -> Option<&Relation> {
        self.relations
            .get(&(name.schema_or_public().to_string(), name.name.clone()))
    }

    pub fn relation_mut(&mut self, name: &QName) -> Option<&mut Relation> {
        self.relations
            .get_mut(&(name.schema_or_public().to_string(), name.name.clone()))
    }

    /// Relations created by the project (not the platform).
    pub fn project_relations(&self) -> impl Iterator<Item = &Relation> {
        self.relations.values().filter(|r| !r.is_platform())
    }

    pub fn project_functions(&self) -> impl Iterator<Item = &Function> {
        self.functions.iter().filter(|f| !f.origin.is_platform())
    }

    pub fn functions_named<'a>(&'a self, name: &QName) -> impl Iterator<Item = &'a Function> + 'a {
        let schema = name.schema_or_public().to_string();
        let fname = name.name.clone();
        self.functions
            .iter()
            .filter(move |f| f.schema == schema && f.name == fname)
    }

    pub fn has_extension(&self, name: &str) -> bool {
        self.extensions.contains_key(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index(cols: &[&str]) -> Index {
        Index {
            name: None,
            columns: cols.iter().map(|c| Some(c.to_string())).collect(),
            items: cols.iter().map(|c| c.to_string()).collect(),
            unique: false,
            method: "btree".into(),
            predicate: None,
            predicate_expr: None,
            item_exprs: Vec::new(),
            with: Vec::new(),
            include: Vec::new(),
            from_constraint: false,
            origin: Origin::PLATFORM,
        }
    }

    fn cols(c: &[&str]) -> Vec<String> {
        c.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn leads_with_compares_column_sets() {
        assert!(index(&["a", "b", "c"]).leads_with(&cols(&["b", "a"])));
        assert!(!index(&["a", "c", "b"]).leads_with(&cols(&["a", "b"])));
        // A foreign key that lists a column twice (found by fuzzing: the index
        // created for it never counted, and fixes looped).
        assert!(index(&["a", "b", "b"]).leads_with(&cols(&["a", "b", "b"])));
        assert!(!index(&["a"]).leads_with(&cols(&["a", "b"])));
        // One column: only the first index column counts; an expression
        // (no column) or a partial index never does.
        assert!(index(&["a", "b"]).leads_with(&cols(&["a"])));
        assert!(!index(&["b", "a"]).leads_with(&cols(&["a"])));
        let mut expr = index(&["a"]);
        expr.columns = vec![None];
        assert!(!expr.leads_with(&cols(&["a"])));
        let mut partial = index(&["a"]);
        partial.predicate = Some("deleted_at is null".into());
        assert!(!partial.leads_with(&cols(&["a"])));
    }
}
