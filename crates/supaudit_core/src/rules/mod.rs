//! The rule registry. One rule, one file: its doc comment is its documentation.

use crate::diagnostic::{Category, Diagnostic, Fix, Severity};
use crate::model::{FileId, Model, Origin, StmtRef};
use crate::project::Project;
use crate::sql::SqlFile;
use crate::text::Span;

pub mod helpers;

pub mod client;
pub mod config;
pub mod integrity;
pub mod migration;
pub mod performance;
pub mod security;
pub mod syntax;

/// A check over the final model.
pub type CheckFn = fn(&Context, &mut Vec<Diagnostic>);
/// A check of one statement, with the model as it was before the statement.
pub type CheckStmtFn = fn(&Context, &Model, StmtRef, &mut Vec<Diagnostic>);

/// A rule's identity, defaults and documentation.
pub struct Rule {
    pub name: &'static str,
    pub category: Category,
    pub severity: Severity,
    /// Whether the rule offers fixes.
    pub fix: bool,
    /// How long fixing one finding usually takes ("15 min", "2-4 hours"),
    /// for the audit report's effort estimates.
    pub effort: &'static str,
    pub default_enabled: bool,
    /// Markdown, from the rule file's doc comment.
    pub docs: &'static str,
    /// Runs once over the final model.
    pub check: Option<CheckFn>,
    /// Runs on each statement, with the model as it was before the statement.
    pub check_stmt: Option<CheckStmtFn>,
}

impl std::fmt::Debug for Rule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name)
    }
}

impl Rule {
    /// The docs with the one leading space of each `///` line removed.
    pub fn documentation(&self) -> String {
        let mut s = String::new();
        for line in self.docs.lines() {
            s.push_str(line.strip_prefix(' ').unwrap_or(line));
            s.push('\n');
        }
        s.trim().to_string() + "\n"
    }

    /// The first paragraph of "What it does".
    pub fn summary(&self) -> String {
        let doc = self.documentation();
        let body = doc
            .split("## What it does")
            .nth(1)
            .unwrap_or(&doc)
            .trim_start();
        body.split("\n\n")
            .next()
            .unwrap_or("")
            .replace('\n', " ")
            .trim()
            .to_string()
    }

    pub fn diagnostic(&self, file: &str, range: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            rule: self.name,
            severity: self.severity,
            category: self.category,
            file: file.to_string(),
            range,
            message: message.into(),
            help: None,
            fixes: Vec::new(),
        }
    }
}

/// Declares a rule: doc comment, metadata and its check functions.
macro_rules! declare_rule {
    (
        $(#[doc = $doc:literal])*
        pub static $id:ident = {
            name: $name:literal,
            category: $cat:ident,
            severity: $sev:ident,
            fix: $fix:literal,
            effort: $effort:literal,
            $(default_enabled: $def:literal,)?
            $(check: $check:expr,)?
            $(check_stmt: $check_stmt:expr,)?
        }
    ) => {
        $(#[doc = $doc])*
        pub static $id: $crate::rules::Rule = $crate::rules::Rule {
            name: $name,
            category: $crate::diagnostic::Category::$cat,
            severity: $crate::diagnostic::Severity::$sev,
            fix: $fix,
            effort: $effort,
            default_enabled: declare_rule!(@def $($def)?),
            docs: concat!($($doc, "\n"),*),
            check: declare_rule!(@opt $($check)?),
            check_stmt: declare_rule!(@opt $($check_stmt)?),
        };
    };
    (@def) => { true };
    (@def $e:literal) => { $e };
    (@opt) => { None };
    (@opt $e:expr) => { Some($e) };
}
pub(crate) use declare_rule;

/// Every rule, in documentation order.
pub static ALL: &[&Rule] = &[
    // security
    &security::rls_disabled::RLS_DISABLED,
    &security::sensitive_columns_exposed::SENSITIVE_COLUMNS_EXPOSED,
    &security::policy_exists_rls_disabled::POLICY_EXISTS_RLS_DISABLED,
    &security::rls_enabled_no_policy::RLS_ENABLED_NO_POLICY,
    &security::policy_always_true::POLICY_ALWAYS_TRUE,
    &security::policy_uses_user_metadata::POLICY_USES_USER_METADATA,
    &security::function_search_path_mutable::FUNCTION_SEARCH_PATH_MUTABLE,
    &security::security_definer_exposed::SECURITY_DEFINER_EXPOSED,
    &security::security_definer_view::SECURITY_DEFINER_VIEW,
    &security::auth_users_exposed::AUTH_USERS_EXPOSED,
    &security::materialized_view_in_api::MATERIALIZED_VIEW_IN_API,
    &security::foreign_table_in_api::FOREIGN_TABLE_IN_API,
    &security::extension_in_public::EXTENSION_IN_PUBLIC,
    &security::unsupported_reg_types::UNSUPPORTED_REG_TYPES,
    &security::fkey_to_auth_unique::FKEY_TO_AUTH_UNIQUE,
    &security::public_bucket_listing::PUBLIC_BUCKET_LISTING,
    &security::graphql_table_exposed::GRAPHQL_TABLE_EXPOSED,
    &security::insecure_queue_exposed::INSECURE_QUEUE_EXPOSED,
    &security::missing_command_policy::MISSING_COMMAND_POLICY,
    &security::policy_service_role_check::POLICY_SERVICE_ROLE_CHECK,
    &security::policy_auth_role_deprecated::POLICY_AUTH_ROLE_DEPRECATED,
    &security::sensitive_column_plaintext::SENSITIVE_COLUMN_PLAINTEXT,
    &security::grant_all_to_anon::GRANT_ALL_TO_ANON,
    &security::storage_bucket_unbounded::STORAGE_BUCKET_UNBOUNDED,
    &security::storage_policy_unscoped::STORAGE_POLICY_UNSCOPED,
    // performance
    &performance::auth_rls_initplan::AUTH_RLS_INITPLAN,
    &performance::unindexed_foreign_key::UNINDEXED_FOREIGN_KEY,
    &performance::duplicate_index::DUPLICATE_INDEX,
    &performance::no_primary_key::NO_PRIMARY_KEY,
    &performance::multiple_permissive_policies::MULTIPLE_PERMISSIVE_POLICIES,
    &performance::rls_subquery_in::RLS_SUBQUERY_IN,
    &performance::policy_column_unindexed::POLICY_COLUMN_UNINDEXED,
    &performance::ivfflat_fixed_lists::IVFFLAT_FIXED_LISTS,
    &performance::index_predicate_not_immutable::INDEX_PREDICATE_NOT_IMMUTABLE,
    &performance::concurrently_in_transaction::CONCURRENTLY_IN_TRANSACTION,
    &performance::refresh_concurrently_no_unique_index::REFRESH_CONCURRENTLY_NO_UNIQUE_INDEX,
    // integrity
    &integrity::missing_foreign_key::MISSING_FOREIGN_KEY,
    &integrity::array_of_references::ARRAY_OF_REFERENCES,
    &integrity::auth_fk_no_cascade::AUTH_FK_NO_CASCADE,
    &integrity::inconsistent_on_delete::INCONSISTENT_ON_DELETE,
    &integrity::enum_like_text_unchecked::ENUM_LIKE_TEXT_UNCHECKED,
    &integrity::email_unchecked::EMAIL_UNCHECKED,
    &integrity::unbounded_text::UNBOUNDED_TEXT,
    &integrity::timestamp_without_time_zone::TIMESTAMP_WITHOUT_TIME_ZONE,
    &integrity::updated_at_no_trigger::UPDATED_AT_NO_TRIGGER,
    // client code
    &client::service_role_in_client::SERVICE_ROLE_IN_CLIENT,
    &client::server_module_in_client::SERVER_MODULE_IN_CLIENT,
    &client::silent_stub_client::SILENT_STUB_CLIENT,
    &client::service_role_unscoped_query::SERVICE_ROLE_UNSCOPED_QUERY,
    &client::client_unknown_table::CLIENT_UNKNOWN_TABLE,
    &client::client_unknown_column::CLIENT_UNKNOWN_COLUMN,
    &client::client_unknown_function::CLIENT_UNKNOWN_FUNCTION,
    &client::client_type_mismatch::CLIENT_TYPE_MISMATCH,
    &client::query_in_loop::QUERY_IN_LOOP,
    &client::missing_composite_index::MISSING_COMPOSITE_INDEX,
    &client::jsonb_filter_unindexed::JSONB_FILTER_UNINDEXED,
    &client::read_modify_write::READ_MODIFY_WRITE,
    &client::non_atomic_writes::NON_ATOMIC_WRITES,
    &client::unchecked_error::UNCHECKED_ERROR,
    &client::raw_sql_interpolation::RAW_SQL_INTERPOLATION,
    &client::unsanitized_html::UNSANITIZED_HTML,
    // config and secrets
    &config::pooler_disabled::POOLER_DISABLED,
    &config::secret_in_env_example::SECRET_IN_ENV_EXAMPLE,
    &config::public_env_service_key::PUBLIC_ENV_SERVICE_KEY,
    &config::auth_anonymous_sign_ins::AUTH_ANONYMOUS_SIGN_INS,
    &config::auth_weak_password_policy::AUTH_WEAK_PASSWORD_POLICY,
    &config::stats_extension_missing::STATS_EXTENSION_MISSING,
    // migrations
    &migration::column_renamed_in_use::COLUMN_RENAMED_IN_USE,
    &migration::migration_order::MIGRATION_ORDER,
    &migration::destructive_change::DESTRUCTIVE_CHANGE,
    &migration::add_not_null_without_default::ADD_NOT_NULL_WITHOUT_DEFAULT,
    &migration::column_type_change::COLUMN_TYPE_CHANGE,
    &migration::index_without_concurrently::INDEX_WITHOUT_CONCURRENTLY,
    &migration::constraint_not_valid::CONSTRAINT_NOT_VALID,
    &migration::prefer_identity::PREFER_IDENTITY,
    &migration::prefer_bigint::PREFER_BIGINT,
    &migration::missing_rollback::MISSING_ROLLBACK,
    // syntax and meta
    &syntax::syntax_error::SYNTAX_ERROR,
    &syntax::unparsed_statement::UNPARSED_STATEMENT,
    &syntax::unused_ignore::UNUSED_IGNORE,
];

pub fn by_name(name: &str) -> Option<&'static Rule> {
    ALL.iter().copied().find(|r| r.name == name)
}

/// The rule name closest to a misspelt one, if any is close.
pub fn closest(name: &str) -> Option<&'static str> {
    ALL.iter()
        .map(|r| (helpers::edit_distance(name, r.name), r.name))
        .filter(|(d, n)| *d <= 3.max(n.len() / 4))
        .min()
        .map(|(_, n)| n)
}

/// A parsed SQL file with its place in replay order.
pub struct SqlUnit<'a> {
    pub file: FileId,
    pub order: u32,
    pub path: &'a str,
    pub text: &'a str,
    pub sql: std::sync::Arc<SqlFile>,
}

/// A client code file with its IR.
pub struct ClientUnit<'a> {
    pub file: FileId,
    pub path: &'a str,
    pub text: &'a str,
    pub ir: std::sync::Arc<crate::client::ClientFile>,
}

/// Everything a rule may read.
pub struct Context<'a> {
    pub project: &'a Project,
    pub model: &'a Model,
    pub sql: &'a [SqlUnit<'a>],
    pub clients: &'a [ClientUnit<'a>],
    /// `supabase/config.toml`, when it parsed.
    pub config: Option<(FileId, &'a toml::Table)>,
    /// Schemas reachable over the Data API.
    pub exposed_schemas: &'a [String],
    /// Answers the rules share, computed on first use (`Memo::default()`).
    pub memo: Memo,
}

/// Answers derived from a [`Context`] on first use and shared by its rules:
/// several rules ask the same question once per query, and some answers cost
/// a walk over the whole project.
#[derive(Default)]
pub struct Memo {
    /// Whether dynamic SQL of the migrations names a table, by name (see
    /// `client::lookup`).
    pub(crate) named_in_dynamic_sql: std::cell::RefCell<std::collections::HashMap<String, bool>>,
}

impl<'a> Context<'a> {
    pub fn path(&self, file: FileId) -> &'a str {
        &self.project.files[file.0 as usize].path
    }
    pub fn text(&self, file: FileId) -> &'a str {
        &self.project.files[file.0 as usize].text
    }
    pub fn is_exposed(&self, schema: &str) -> bool {
        self.exposed_schemas.iter().any(|s| s == schema)
    }
    /// A diagnostic at an object's origin.
    pub fn at(&self, rule: &Rule, origin: &Origin, message: impl Into<String>) -> Diagnostic {
        rule.diagnostic(self.path(origin.file), origin.span, message)
    }
    /// Where fixes append a statement after the one at `origin`, and whether a
    /// `;` must come first (a last statement written without one). A statement
    /// cut short by a syntax error is followed by the text the parser skipped,
    /// up to the next `;`: appending before that `;` would put the new statement
    /// inside the broken one, and fixing would append it again every round
    /// (found by fuzzing, docs/fuzzing.md). `None` when no `;` follows it (a
    /// half-typed statement at the end of the file): no place is safe.
    pub fn after_stmt(&self, origin: &Origin) -> Option<(u32, bool)> {
        let text = self.text(origin.file);
        let end = (origin.stmt.end as usize).min(text.len());
        if text[..end].trim_end().ends_with(';') {
            return Some((end as u32, false));
        }
        let next_semicolon = text[end..].find(';').map(|i| end + i + 1);
        let limit = next_semicolon.unwrap_or(text.len()) as u32;
        let broken = self
            .sql
            .iter()
            .filter(|u| u.file == origin.file)
            .flat_map(|u| u.sql.errors.iter())
            .any(|e| e.span.end > origin.stmt.start && e.span.start <= limit);
        match next_semicolon {
            Some(at) if broken || text[end..at - 1].trim().is_empty() => Some((at as u32, false)),
            _ if !broken => Some((end as u32, true)),
            _ => None,
        }
    }
    /// The offset of a statement's terminating `;` (or its end when it has none).
    pub fn before_semicolon(&self, file: FileId, stmt: Span) -> u32 {
        let text = self.text(file);
        let s = &text[stmt.range()];
        let trimmed = s.trim_end();
        match trimmed.strip_suffix(';') {
            Some(rest) => stmt.start + rest.trim_end().len() as u32,
            None => stmt.start + trimmed.len() as u32,
        }
    }
}

/// A fix that appends `sql` as a new statement after the one at `origin`.
pub fn append_stmt_fix(
    ctx: &Context,
    origin: &Origin,
    title: impl Into<String>,
    sql: &str,
    safe: bool,
) -> Fix {
    let title = title.into();
    let Some((at, semicolon)) = ctx.after_stmt(origin) else {
        // No edit: the checker drops fixes without edits.
        return Fix::unsafe_(title, Vec::new());
    };
    let sep = if semicolon { ";\n" } else { "\n" };
    let edit = crate::diagnostic::Edit::insert(ctx.path(origin.file), at, format!("{sep}{sql}"));
    if safe {
        Fix::safe(title, vec![edit])
    } else {
        Fix::unsafe_(title, vec![edit])
    }
}
