//! Client code: TypeScript / JavaScript files read with `oxc_parser` and lowered
//! into a small IR of what supaudit cares about — supabase-js query chains, env
//! variable reads, client creations, directives and imports. Shapes the IR does
//! not understand are skipped, never guessed. Only [`lower`] knows oxc's AST.

mod lower;
pub mod secrets;
pub mod select;

use crate::text::Span;

pub use lower::parse_client;

/// A module-level directive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Directive {
    UseClient,
    UseServer,
}

#[derive(Debug, Clone, Default)]
pub struct ClientFile {
    /// `'use client'` or `'use server'` at the top of the module, with its span.
    pub directive: Option<(Directive, Span)>,
    /// Module specifiers of static imports, re-exports and dynamic imports.
    pub imports: Vec<(String, Span)>,
    pub queries: Vec<Query>,
    pub env_refs: Vec<EnvRef>,
    /// `createClient(url, key)` and the SSR helpers.
    pub clients: Vec<ClientCreation>,
    /// String literals and template literal parts that look like keys (JWTs,
    /// `sb_secret_…`).
    pub key_literals: Vec<(String, Span)>,
    /// Loop bodies and per-item callbacks, outermost first.
    pub loops: Vec<Loop>,
    /// Awaited queries whose result is bound by a declaration, in source order.
    pub results: Vec<QueryResult>,
    /// SQL text built from values (a template literal with `${…}`, a `+`
    /// concatenation) whose static text looks like SQL, passed as a value of
    /// `.rpc(fn, { … })` or as the first argument of a raw-SQL call (see
    /// [`SQL_SINKS`]), directly or through a variable: the sink's name and the
    /// span of the building expression. Tagged templates are not recorded.
    pub sql_interpolations: Vec<(String, Span)>,
    /// Values written as HTML: `dangerouslySetInnerHTML={{ __html: X }}`,
    /// `el.innerHTML = X`, `el.outerHTML = X`.
    pub html_sinks: Vec<HtmlSink>,
    /// The parser gave up on the file (recoverable errors do not count).
    pub failed: bool,
    /// Syntax errors the parser reported (it may have recovered from them).
    pub syntax_errors: usize,
}

/// What kind of repetition a [`Loop`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoopKind {
    /// `for`, `for…of`, `for…in`.
    For,
    /// `while` and `do…while`.
    While,
    /// A callback of `.map()` / `.flatMap()`, or an `async` one of `.forEach()`.
    Callback,
}

/// A loop body or per-item callback.
#[derive(Debug, Clone)]
pub struct Loop {
    pub kind: LoopKind,
    /// The body (or the whole callback).
    pub body: Span,
    /// The condition of a `while` / `do…while` loop, as written.
    pub condition: Option<String>,
}

/// `const { data, error } = await q` or `const res = await q` for a query `q`.
/// Assignments to existing variables are not recorded.
#[derive(Debug, Clone)]
pub struct QueryResult {
    /// Index of the query in [`ClientFile::queries`].
    pub query: usize,
    /// The object pattern (`{ data, error }`) or the identifier (`res`).
    pub span: Span,
    /// Keys of an object pattern; `None` when the result is bound to a name.
    pub keys: Option<Vec<String>>,
    /// The pattern has a rest element or a computed key (it may hold `error`).
    pub open: bool,
    /// The local holding the error and its span: `error`, `e` for `error: e`,
    /// `res` for a plain binding. `None` when the pattern has no `error` key or
    /// destructures it further (`error: { message }`).
    pub error: Option<(String, Span)>,
    /// Whether that local is used after the declaration, in the declaration's
    /// scope (by name, ignoring shadowing). For a plain binding, only
    /// `res.error` and uses other than reading another property (`res.data`)
    /// count.
    pub error_read: bool,
}

/// Callees whose first argument is SQL text run as written.
pub const SQL_SINKS: &[&str] = &[
    "query",
    "sql",
    "execute",
    "unsafe",
    "raw",
    "$queryRawUnsafe",
    "$executeRawUnsafe",
];

/// A value written as HTML.
#[derive(Debug, Clone)]
pub struct HtmlSink {
    /// `dangerouslySetInnerHTML`, `innerHTML` or `outerHTML`.
    pub sink: &'static str,
    /// The value written.
    pub value: Span,
    /// The value is a string literal, or passes through a sanitizer: a call
    /// whose callee names `sanitize`, `purify` or `escape`, a
    /// `.replace(/</…)` escape, a `const` bound to one, or a callback
    /// (`useMemo(() => …)`) returning one.
    pub sanitized: bool,
}

/// `process.env.NAME`, `import.meta.env.NAME`, `Deno.env.get('NAME')`.
#[derive(Debug, Clone)]
pub struct EnvRef {
    pub name: String,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct ClientCreation {
    /// `createClient`, `createBrowserClient`, `createServerClient`.
    pub function: String,
    pub span: Span,
    /// The env variable the key argument reads, directly or through a `const`.
    pub key_env: Option<String>,
}

/// What a query chain starts from.
#[derive(Debug, Clone)]
pub enum Target {
    /// `.from('table')`, with `.schema('s')` when the chain names one.
    Table { name: Str, schema: Option<String> },
    /// `.rpc('fn', { arg: … })`: argument names when the object is a literal,
    /// with `.schema('s')` when the chain names one.
    Rpc {
        name: Str,
        args: Option<Vec<(String, Span)>>,
        schema: Option<String>,
    },
}

/// A string literal's value and the span of its contents (inside the quotes).
/// `exact` is false when escapes make the source differ from the value; spans
/// inside it are then not reliable and only the whole literal is pointed at.
#[derive(Debug, Clone)]
pub struct Str {
    pub value: String,
    pub span: Span,
    pub exact: bool,
}

/// An argument of a chained call, as far as the IR understands it.
#[derive(Debug, Clone)]
pub enum Arg {
    Str(Str),
    /// An object literal's static keys; `complete` is false when it has spreads
    /// or computed keys.
    Object {
        keys: Vec<(String, Span)>,
        complete: bool,
        span: Span,
    },
    /// An array of object literals (bulk insert).
    Objects(Vec<Arg>),
    Other(Span),
}

/// One `.method(args)` after the chain's target.
#[derive(Debug, Clone)]
pub struct Op {
    pub method: String,
    /// The method name.
    pub span: Span,
    pub args: Vec<Arg>,
}

/// A supabase-js query chain.
#[derive(Debug, Clone)]
pub struct Query {
    /// The whole chain expression.
    pub span: Span,
    /// The expression the chain starts from (`supabase`, `this.db`, …) as written.
    pub receiver: String,
    pub target: Target,
    pub ops: Vec<Op>,
    /// Directly under `await`.
    pub awaited: bool,
    /// The innermost loop body or per-item callback the chain runs in, if any
    /// (all of them are in [`ClientFile::loops`]).
    pub in_loop: Option<Span>,
}

impl Query {
    pub fn op(&self, method: &str) -> Option<&Op> {
        self.ops.iter().find(|o| o.method == method)
    }
    pub fn table(&self) -> Option<(&Str, Option<&str>)> {
        match &self.target {
            Target::Table { name, schema } => Some((name, schema.as_deref())),
            Target::Rpc { .. } => None,
        }
    }
}

/// Methods that make a `.from()` chain a supabase-js query builder.
pub const QUERY_METHODS: &[&str] = &["select", "insert", "update", "upsert", "delete"];

/// Filter methods whose first argument is a column name.
pub const COLUMN_FILTERS: &[&str] = &[
    "eq",
    "neq",
    "gt",
    "gte",
    "lt",
    "lte",
    "like",
    "ilike",
    "likeAllOf",
    "likeAnyOf",
    "ilikeAllOf",
    "ilikeAnyOf",
    "is",
    "in",
    "contains",
    "containedBy",
    "rangeGt",
    "rangeGte",
    "rangeLt",
    "rangeLte",
    "rangeAdjacent",
    "overlaps",
    "textSearch",
    "not",
    "filter",
    "order",
];

/// Whether an env variable name is a Supabase service-role (secret) key.
pub fn is_service_key_name(name: &str) -> bool {
    let n = name.to_ascii_uppercase();
    n.contains("SERVICE_ROLE")
        || (n.contains("SUPABASE") && (n.contains("SERVICE_KEY") || n.contains("SECRET_KEY")))
}

/// Prefixes that bundlers inline into browser code.
pub const PUBLIC_PREFIXES: &[&str] = &[
    "NEXT_PUBLIC_",
    "VITE_",
    "EXPO_PUBLIC_",
    "PUBLIC_",
    "REACT_APP_",
    "NUXT_PUBLIC_",
    "GATSBY_",
];

pub fn public_prefix(name: &str) -> Option<&'static str> {
    PUBLIC_PREFIXES
        .iter()
        .copied()
        .find(|p| name.starts_with(p))
}

/// A table or column name that client code uses, found under a cursor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameAt {
    /// `.schema('s')` of the chain, if any.
    pub schema: Option<String>,
    pub table: String,
    /// Set when the name is a column of `table`.
    pub column: Option<String>,
    /// Where the name is in the file.
    pub span: Span,
}

impl ClientFile {
    /// The table or column name at byte `offset`: the `.from('…')` string, an
    /// item of a `.select('…')` list (nested selects name their table), a
    /// filter's column or a key of a written object.
    pub fn name_at(&self, offset: u32) -> Option<NameAt> {
        let inside = |s: Span| s.start <= offset && offset <= s.end;
        let q = self.queries.iter().find(|q| inside(q.span))?;
        let (table, schema) = q.table()?;
        let name = |table: &str, column: Option<&str>, span: Span| NameAt {
            schema: schema.map(str::to_string),
            table: table.to_string(),
            column: column.map(str::to_string),
            span,
        };
        if inside(table.span) {
            return Some(name(&table.value, None, table.span));
        }
        for op in &q.ops {
            for arg in &op.args {
                match arg {
                    Arg::Str(s) if s.exact && inside(s.span) => {
                        let rel = offset - s.span.start;
                        if op.method == "select" {
                            let items = select::parse_select(&s.value)?;
                            return select_name_at(&items, &table.value, rel).map(
                                |(t, c, at, len)| {
                                    name(
                                        &t,
                                        c.as_deref(),
                                        Span::new(s.span.start + at, s.span.start + at + len),
                                    )
                                },
                            );
                        }
                        if COLUMN_FILTERS.contains(&op.method.as_str()) {
                            let col = s.value.split("->").next().unwrap_or("").trim();
                            if !col.is_empty() && (rel as usize) <= col.len() {
                                return Some(name(
                                    &table.value,
                                    Some(col),
                                    Span::new(s.span.start, s.span.start + col.len() as u32),
                                ));
                            }
                        }
                    }
                    Arg::Object { keys, .. }
                        if QUERY_METHODS.contains(&op.method.as_str()) || op.method == "match" =>
                    {
                        if let Some((k, span)) = keys.iter().find(|(_, sp)| inside(*sp)) {
                            return Some(name(&table.value, Some(k), *span));
                        }
                    }
                    Arg::Objects(objects) => {
                        for o in objects {
                            if let Arg::Object { keys, .. } = o
                                && let Some((k, span)) = keys.iter().find(|(_, sp)| inside(*sp))
                            {
                                return Some(name(&table.value, Some(k), *span));
                            }
                        }
                    }
                    _ => {}
                }
            }
        }
        None
    }
}

/// `(table, column, offset, len)` of the select item at `rel`.
fn select_name_at(
    items: &[select::SelectItem],
    table: &str,
    rel: u32,
) -> Option<(String, Option<String>, u32, u32)> {
    for item in items {
        match item {
            select::SelectItem::Column { name, at }
                if *at <= rel && rel <= at + name.len() as u32 =>
            {
                return Some((
                    table.to_string(),
                    Some(name.clone()),
                    *at,
                    name.len() as u32,
                ));
            }
            select::SelectItem::Embed {
                name, at, items, ..
            } => {
                if *at <= rel && rel <= at + name.len() as u32 {
                    return Some((name.clone(), None, *at, name.len() as u32));
                }
                if let Some(found) = select_name_at(items, name, rel) {
                    return Some(found);
                }
            }
            _ => {}
        }
    }
    None
}
