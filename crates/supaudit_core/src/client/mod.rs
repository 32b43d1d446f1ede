//! Client code: TypeScript / JavaScript files read with `oxc_parser` and lowered
//! into a small IR of what supaudit cares about — supabase-js query chains, env
//! variable reads, client creations, directives and imports. Shapes the IR does
//! not understand are skipped, never guessed. Only [`lower`] knows oxc's AST.

mod lower;
pub mod resolve;
pub mod secrets;
pub mod select;

use std::collections::HashMap;

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
    /// Module specifiers of static imports, re-exports, dynamic imports and
    /// `require` calls.
    pub imports: Vec<Import>,
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
    /// supabase-js Storage calls: `client.storage.from('bucket').upload(…)`.
    pub storage: Vec<StorageCall>,
    /// Functions (declarations, expressions, arrows, methods) with a body,
    /// outermost first.
    pub functions: Vec<Function>,
    /// Values written by `.insert/.update/.upsert({ col: value })`, one per key.
    pub written: Vec<WrittenValue>,
    /// `if … else …` and `c ? a : b`: the two branches, of which one runs.
    pub exclusive: Vec<(Span, Span)>,
    /// Named imports: `import { a as b } from 'm'` gives local `b`,
    /// imported `a`; a default import gives `default`.
    pub import_bindings: Vec<ImportBinding>,
    /// `const x = f(…)` and `const x = await f(…)` for a plain callee `f`.
    pub call_bindings: Vec<CallBinding>,
    /// What the module does when Supabase env variables are missing: a
    /// fallback value instead of an error (see [`EnvFallback`]).
    pub env_fallbacks: Vec<EnvFallback>,
    /// Env variables tested by an `if` whose branch throws (directly, or under
    /// a `NODE_ENV` test): the code fails when they are missing.
    pub env_throws: Vec<String>,
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
    /// The member path that holds `data`: `["profile"]` for
    /// `{ data: profile }`, `["data"]` for `{ data }`, `["res", "data"]` for a
    /// plain binding `res`; `None` when `data` is destructured further.
    pub data: Option<Vec<String>>,
    /// Whether an `if` after the declaration, in its scope, tests that `data`
    /// path for null (`!data`, `data == null`, `!data?.length`, one side of
    /// `||`) and throws or returns (or calls `notFound()` / `redirect()`).
    pub data_guarded: bool,
    /// End of the declarator (`const { data } = await q` without the `;`),
    /// where a fix inserts the error check after the statement.
    pub decl_end: u32,
}

/// A function with a body.
#[derive(Debug, Clone)]
pub struct Function {
    /// The declared name, or the name it is bound to (`const f = () => …`,
    /// a method or property key); `None` when anonymous.
    pub name: Option<String>,
    /// The whole function.
    pub span: Span,
    /// Its body (an arrow's expression body included).
    pub body: Span,
}

/// One key of an object written by `.insert()`, `.update()` or `.upsert()`.
#[derive(Debug, Clone)]
pub struct WrittenValue {
    /// Index of the query in [`ClientFile::queries`].
    pub query: usize,
    pub column: String,
    /// The key.
    pub key: Span,
    /// The value expression.
    pub value: Span,
    /// Values the expression reads, as member paths rooted at an identifier
    /// (`profile.credits` is `["profile", "credits"]`, `amount` is
    /// `["amount"]`), through `const` bindings of the file (last declaration
    /// wins). Computed members end a path.
    pub reads: Vec<Vec<String>>,
    /// The value is computed (arithmetic, a call, a template…), not a plain
    /// copy of a variable, member or literal.
    pub computed: bool,
    /// The value's type, when it is obvious (see [`Shape`]).
    pub shape: Option<Shape>,
}

/// How a module is imported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportKind {
    /// `import … from 'm'`, `import 'm'`.
    Static,
    /// `export … from 'm'`, `export * from 'm'`.
    ReExport,
    /// `import type …`, `export type … from`, or an import whose specifiers
    /// are all `type`: erased by the compiler, nothing is bundled.
    TypeOnly,
    /// `import('m')`.
    Dynamic,
    /// `require('m')`.
    Require,
}

/// One module a file imports.
#[derive(Debug, Clone)]
pub struct Import {
    /// The module specifier, as written.
    pub source: String,
    /// The specifier's string literal.
    pub span: Span,
    pub kind: ImportKind,
}

impl Import {
    /// Imports that put the module into the importer's bundle: static imports
    /// and re-exports (not type-only ones, not dynamic imports).
    pub fn is_static(&self) -> bool {
        matches!(self.kind, ImportKind::Static | ImportKind::ReExport)
    }
}

/// What the IR knows of a value's JavaScript type, for literals and the few
/// expressions whose type is obvious. Anything else is not given a shape.
#[derive(Debug, Clone, PartialEq)]
pub enum Shape {
    /// A string literal (or a template without substitutions) and its value.
    Str(String),
    /// An ISO date-and-time string or a `Date` (sent as one):
    /// `x.toISOString()`, `new Date(…).toJSON()`, `new Date(…)`.
    Timestamp,
    /// Milliseconds since the epoch: `Date.now()`, `new Date(…).getTime()`.
    EpochMillis,
    /// A number literal (`-` included); `integer` when it has no fraction.
    Number {
        integer: bool,
    },
    Bool,
    Null,
    /// An array literal.
    Array,
    /// An object literal.
    Object,
}

#[derive(Debug, Clone)]
pub struct ImportBinding {
    pub local: String,
    pub imported: String,
    pub source: String,
}

#[derive(Debug, Clone)]
pub struct CallBinding {
    /// The variable.
    pub name: String,
    /// The called function's name.
    pub callee: String,
    pub span: Span,
}

/// What a missing-configuration branch falls back to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FallbackKind {
    /// A stub or mock: a call or `new` whose name says so (`createMockClient()`,
    /// `new StubClient()`), a `Proxy`, or an object literal; the text as written.
    Stub(String),
    /// Another client of the module (`return supabase`), by name.
    Client(String),
    /// A placeholder URL or key literal (`|| 'https://placeholder.supabase.co'`).
    Placeholder(String),
}

/// A fallback taken when Supabase env variables are missing: a branch of
/// `if (!url || !key)` (or the `else` of `if (url && key)`, or a conditional
/// expression) that returns a stub or another client instead of throwing, or
/// a placeholder default (`process.env.X || 'placeholder'`). Branches that
/// throw are not recorded.
#[derive(Debug, Clone)]
pub struct EnvFallback {
    /// The env variables whose absence leads here.
    pub envs: Vec<String>,
    pub kind: FallbackKind,
    /// The fallback value.
    pub span: Span,
    /// The branch throws under a `NODE_ENV` test (`if (process.env.NODE_ENV
    /// === 'production') throw …`).
    pub guarded: bool,
    /// When the branch is a block whose first statement starts a line: the
    /// offset of that line's start and the statement's indentation, where a
    /// guard can be inserted.
    pub insert_at: Option<(u32, String)>,
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
    /// The variable the client is bound to (`const admin = createClient(…)`),
    /// or the named function that returns it (`function createAdmin() {
    /// return createClient(…) }`, with `factory` set).
    pub binding: Option<String>,
    pub factory: bool,
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
/// `recv.storage.from('bucket').method(…)`: a Storage API call on a bucket.
/// Only a string-literal bucket and a known Storage method make one.
#[derive(Debug, Clone)]
pub struct StorageCall {
    pub bucket: Str,
    /// `upload`, `download`, `list`, `remove`, `createSignedUrl`, …
    pub method: String,
    /// The path argument (`'avatars/' + id` is not a string): the first argument
    /// of `upload`, `download`, `createSignedUrl`, … when it is a string.
    pub path: Option<Str>,
    /// Source text of the client (`supabase` in `supabase.storage.from(…)`).
    pub receiver: String,
    /// The whole call, `recv.storage.from('b').upload(…)`.
    pub span: Span,
}

/// Methods of a Storage bucket client (`StorageFileApi` in supabase-js).
pub const STORAGE_METHODS: &[&str] = &[
    "upload",
    "update",
    "move",
    "copy",
    "createSignedUrl",
    "createSignedUrls",
    "createSignedUploadUrl",
    "uploadToSignedUrl",
    "download",
    "info",
    "exists",
    "getPublicUrl",
    "remove",
    "list",
];

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
    /// The type of each argument, when obvious (see [`Shape`]); one entry per
    /// argument.
    pub shapes: Vec<Option<Shape>>,
}

/// Tests and scripts: test directories (`test/`, `tests/`, `__tests__/`,
/// `e2e/`, `playwright/`, `cypress/`), `*.test.*` / `*.spec.*` files, and
/// `scripts/` (seeding, maintenance).
pub fn is_test_or_script_path(path: &str) -> bool {
    let p = format!("/{}", path.to_ascii_lowercase());
    let file = p.rsplit('/').next().unwrap_or("");
    [
        "/test/",
        "/tests/",
        "/__tests__/",
        "/e2e/",
        "/playwright/",
        "/cypress/",
        "/scripts/",
    ]
    .iter()
    .any(|d| p.contains(d))
        || [".test.", ".spec."].iter().any(|m| file.contains(m))
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
    /// `await chain;` as a statement of its own: the result is dropped.
    pub discarded: bool,
    /// The innermost loop body or per-item callback the chain runs in, if any
    /// (all of them are in [`ClientFile::loops`]).
    pub in_loop: Option<Span>,
    /// Index in [`ClientFile::functions`] of the innermost function the chain
    /// runs in; `None` at module level.
    pub function: Option<usize>,
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

/// The client file an import specifier names, among `paths`: relative
/// specifiers (`./x`, `../x`) from the importing file's folder, and the
/// `@/x` / `~/x` aliases of Next.js and Nuxt templates as a path ending in
/// `x` (when several files match, the one sharing the longest prefix with the
/// importer; `None` on a tie). Extensions and `index` files are tried;
/// package names are not resolved.
///
/// This walks every path; to resolve many imports against the same files,
/// build an [`ImportIndex`] once.
pub fn resolve_import<'p>(
    from: &str,
    spec: &str,
    paths: impl Iterator<Item = &'p str>,
) -> Option<&'p str> {
    let (wanted, alias) = import_wanted(from, spec)?;
    closest_import(
        from,
        paths.filter(|p| {
            let s = import_stem(p);
            if alias {
                s == wanted
                    || (s.ends_with(wanted.as_str()) && s[..s.len() - wanted.len()].ends_with('/'))
            } else {
                s == wanted
            }
        }),
    )
}

/// [`resolve_import`] over a fixed set of paths, indexed once by every
/// `/`-separated suffix of each path's stem, so that a lookup costs the
/// paths that match instead of all of them. Same answers as
/// [`resolve_import`] over the same paths (in any order).
pub struct ImportIndex<'p> {
    /// By stem (the path without its extension and `/index`) and by each part
    /// of a stem after one of its `/`: the paths, as many times as given.
    by_suffix: HashMap<&'p str, Vec<&'p str>>,
}

impl<'p> ImportIndex<'p> {
    pub fn new(paths: impl Iterator<Item = &'p str>) -> Self {
        let mut by_suffix: HashMap<&'p str, Vec<&'p str>> = HashMap::new();
        for p in paths {
            let s = import_stem(p);
            by_suffix.entry(s).or_default().push(p);
            for (i, _) in s.match_indices('/') {
                by_suffix.entry(&s[i + 1..]).or_default().push(p);
            }
        }
        ImportIndex { by_suffix }
    }

    /// [`resolve_import`] `from` / `spec` among the indexed paths.
    pub fn resolve(&self, from: &str, spec: &str) -> Option<&'p str> {
        let (wanted, alias) = import_wanted(from, spec)?;
        let candidates = self.by_suffix.get(wanted.as_str())?;
        closest_import(
            from,
            candidates
                .iter()
                .copied()
                .filter(|p| alias || import_stem(p) == wanted),
        )
    }
}

const IMPORT_EXTS: &[&str] = &["ts", "tsx", "js", "jsx", "mjs", "cjs", "mts", "cts"];

/// A path without its extension and a trailing `/index`.
fn import_stem(p: &str) -> &str {
    let p = match p.rsplit_once('.') {
        Some((base, ext)) if IMPORT_EXTS.contains(&ext) => base,
        _ => p,
    };
    p.strip_suffix("/index").unwrap_or(p)
}

/// The stem an import specifier asks for, and whether it is an alias (`@/x`,
/// `~/x`: any path ending in it) rather than a relative path (that very path).
fn import_wanted(from: &str, spec: &str) -> Option<(String, bool)> {
    let wanted: String;
    let alias = if spec.starts_with("./") || spec.starts_with("../") {
        let mut parts: Vec<&str> = from.split('/').collect();
        parts.pop();
        for seg in spec.split('/') {
            match seg {
                "." | "" => {}
                ".." => {
                    parts.pop()?;
                }
                s => parts.push(s),
            }
        }
        wanted = parts.join("/");
        false
    } else if let Some(rest) = spec.strip_prefix("@/").or_else(|| spec.strip_prefix("~/")) {
        wanted = rest.to_string();
        true
    } else {
        return None;
    };
    Some((import_stem(&wanted).to_string(), alias))
}

/// Among the paths an import matches, the one sharing the longest prefix of
/// folders with the importer; `None` on a tie (whatever the order).
fn closest_import<'p>(from: &str, hits: impl Iterator<Item = &'p str>) -> Option<&'p str> {
    let mut best: Option<(&str, usize)> = None;
    let mut tie = false;
    for p in hits {
        let common = from
            .split('/')
            .zip(p.split('/'))
            .take_while(|(a, b)| a == b)
            .count();
        match best {
            Some((_, c)) if c > common => {}
            Some((_, c)) if c == common => tie = true,
            _ => {
                best = Some((p, common));
                tie = false;
            }
        }
    }
    if tie { None } else { best.map(|b| b.0) }
}
