//! oxc AST -> client IR. The only module that knows oxc's AST.

use std::collections::{HashMap, HashSet};

use oxc_allocator::Allocator;
use oxc_ast::AstKind;
use oxc_ast::ast::*;
use oxc_ast_visit::{Visit, walk};
use oxc_parser::Parser;
use oxc_span::{GetSpan, SourceType};

use super::{
    Arg, CallBinding, ClientCreation, ClientFile, Directive, EnvFallback, EnvRef, FallbackKind,
    Function, HtmlSink, Import, ImportBinding, ImportKind, Loop, LoopKind, Op, QUERY_METHODS,
    Query, QueryResult, SQL_SINKS, STORAGE_METHODS, Shape, StorageCall, Str, Target, WrittenValue,
    secrets,
};
use crate::text::Span;

/// A TypeScript file: `.ts`, `.tsx`, `.mts`, `.cts`.
fn is_typescript(path: &str) -> bool {
    [".ts", ".tsx", ".mts", ".cts"]
        .iter()
        .any(|ext| path.ends_with(ext))
}

/// Parses one TypeScript / JavaScript file. Never fails: a file the parser
/// gives up on is returned with `failed` set and whatever was understood.
pub fn parse_client(path: &str, text: &str) -> ClientFile {
    if too_deep(text) {
        return ClientFile {
            failed: true,
            ..ClientFile::default()
        };
    }
    let allocator = Allocator::default();
    let source_type = SourceType::from_path(path)
        .unwrap_or_else(|_| SourceType::tsx())
        .with_jsx(!path.ends_with(".ts") && !path.ends_with(".mts") && !path.ends_with(".cts"));
    let ret = Parser::new(&allocator, text, source_type).parse();
    let mut file = ClientFile {
        failed: ret.panicked,
        syntax_errors: ret.diagnostics.len(),
        ..ClientFile::default()
    };
    for d in &ret.program.directives {
        let kind = match d.expression.value.as_str() {
            "use client" => Directive::UseClient,
            "use server" => Directive::UseServer,
            _ => continue,
        };
        file.directive = Some((kind, span(d.span)));
    }
    let mut v = Lowerer {
        text,
        file,
        consumed: HashSet::new(),
        awaited: HashSet::new(),
        discarded: HashSet::new(),
        const_env: HashMap::new(),
        depth: 0,
        refs: HashMap::new(),
        member_of: HashMap::new(),
        scopes: vec![(Span::new(0, text.len() as u32), true)],
        var_decl: false,
        const_decl: false,
        null_guards: Vec::new(),
        pending: Vec::new(),
        sql_consts: HashMap::new(),
        sanitized_consts: HashMap::new(),
        constant_consts: HashSet::new(),
        constant_objects: HashSet::new(),
        sql_safe_consts: HashSet::new(),
        fn_names: HashMap::new(),
        fn_stack: Vec::new(),
        returned: HashMap::new(),
        decls: Vec::new(),
        const_reads: HashMap::new(),
        const_envs: HashMap::new(),
        named_fallbacks: Vec::new(),
        stub_consts: HashSet::new(),
        in_type: 0,
        value_refs: HashSet::new(),
        import_locals: Vec::new(),
    };
    v.visit_program(&ret.program);
    // TypeScript drops an import none of whose bindings is used as a value
    // (import elision, as tsc, SWC and esbuild do): the module is not bundled.
    // JavaScript keeps every import (it may run for its side effects).
    if is_typescript(path) {
        for (index, locals) in &v.import_locals {
            if locals.iter().all(|l| !v.value_refs.contains(l)) {
                v.file.imports[*index].kind = ImportKind::TypeOnly;
            }
        }
    }
    let Lowerer {
        mut file,
        awaited,
        discarded,
        refs,
        member_of,
        pending,
        returned,
        decls,
        named_fallbacks,
        stub_consts,
        null_guards,
        ..
    } = v;
    for p in pending {
        let Some(query) = file.queries.iter().position(|q| q.span.start == p.call) else {
            continue;
        };
        let plain = p.keys.is_none();
        let error_read = p.error.as_ref().is_some_and(|(name, _)| {
            refs.get(name).is_some_and(|at| {
                at.iter().any(|at| {
                    *at >= p.after
                        && *at < p.scope_end
                        && (!plain || member_of.get(at).is_none_or(|prop| prop == "error"))
                })
            })
        });
        let data_guarded = p.data.as_ref().is_some_and(|path| {
            let path = path.join(".");
            null_guards
                .iter()
                .any(|(g, at)| *g == path && *at >= p.after && *at < p.scope_end)
        });
        file.results.push(QueryResult {
            query,
            span: p.span,
            keys: p.keys,
            open: p.open,
            error: p.error,
            error_read,
            data: p.data,
            data_guarded,
            decl_end: p.after,
        });
    }
    for q in &mut file.queries {
        q.awaited = awaited.contains(&q.span.start);
        q.discarded = q.awaited && discarded.contains(&q.span.start);
        q.in_loop = file
            .loops
            .iter()
            .filter(|l| l.body.contains(q.span))
            .min_by_key(|l| l.body.len())
            .map(|l| l.body);
        q.function = innermost_function(&file.functions, q.span);
    }
    // What each client is bound to: a variable, or the function returning it.
    for c in &mut file.clients {
        if let Some((name, ..)) = decls.iter().rev().find(|d| d.1 == c.span) {
            c.binding = Some(name.clone());
        } else if let Some(f) = returned.get(&c.span.start).map(|&i| &file.functions[i]) {
            if let Some(name) = &f.name {
                c.binding = Some(name.clone());
                c.factory = true;
            } else if let Some((name, ..)) = decls.iter().rev().find(|d| d.2 == Some(f.span.start))
            {
                // `const supabase = (() => { … return createClient(…) })()`.
                c.binding = Some(name.clone());
            }
        }
    }
    let is_client = |name: &str| {
        file.clients
            .iter()
            .any(|c| c.binding.as_deref() == Some(name))
    };
    for (mut fallback, name) in named_fallbacks {
        if stub_consts.contains(&name) {
            fallback.kind = FallbackKind::Stub(name);
        } else if is_client(&name)
            || file
                .call_bindings
                .iter()
                .any(|b| b.name == name && is_client(&b.callee))
        {
            fallback.kind = FallbackKind::Client(name);
        } else {
            continue;
        }
        file.env_fallbacks.push(fallback);
    }
    file.env_fallbacks.sort_by_key(|f| f.span.start);
    file
}

/// The innermost function whose body contains `at`.
fn innermost_function(functions: &[Function], at: Span) -> Option<usize> {
    functions
        .iter()
        .enumerate()
        .filter(|(_, f)| f.body.contains(at))
        .min_by_key(|(_, f)| f.body.len())
        .map(|(i, _)| i)
}

/// Deepest bracket nesting the parser is given, and most JSX closing tags (a
/// bound on JSX nesting): oxc's parser recurses once per level, and the core
/// must not overflow the stack (it needs 8 MiB for these limits; the CLI, the
/// language server and the WASM build give it that).
const MAX_BRACKET_DEPTH: usize = 1000;
const MAX_JSX_CLOSERS: usize = 4000;
/// Expression nesting below which the lowering does not descend.
const MAX_EXPR_DEPTH: usize = 400;

/// Whether `text` nests deeper than the parser can safely follow.
fn too_deep(text: &str) -> bool {
    let b = text.as_bytes();
    let (mut i, mut depth, mut closers) = (0usize, 0usize, 0usize);
    // Inside a template literal, the depth at which its `${` was opened.
    let mut templates: Vec<usize> = Vec::new();
    let mut in_template = false;
    while i < b.len() {
        let c = b[i];
        if in_template {
            match c {
                b'\\' => i += 1,
                b'`' => in_template = false,
                b'$' if b.get(i + 1) == Some(&b'{') => {
                    templates.push(depth);
                    depth += 1;
                    in_template = false;
                    i += 1;
                }
                _ => {}
            }
            i += 1;
            continue;
        }
        match c {
            b'/' if b.get(i + 1) == Some(&b'/') => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                i += 2;
                while i + 1 < b.len() && !(b[i] == b'*' && b[i + 1] == b'/') {
                    i += 1;
                }
                i += 1;
            }
            b'/' if b.get(i + 1) == Some(&b'>') => closers += 1,
            b'<' if b.get(i + 1) == Some(&b'/') => closers += 1,
            b'\'' | b'"' => {
                i += 1;
                while i < b.len() && b[i] != c && b[i] != b'\n' {
                    if b[i] == b'\\' {
                        i += 1;
                    }
                    i += 1;
                }
            }
            b'`' => in_template = true,
            b'(' | b'[' | b'{' => {
                depth += 1;
                if depth > MAX_BRACKET_DEPTH {
                    return true;
                }
            }
            b'}' if templates.last() == Some(&depth.saturating_sub(1)) => {
                templates.pop();
                depth -= 1;
                in_template = true;
            }
            b')' | b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
        i += 1;
    }
    closers > MAX_JSX_CLOSERS
}

fn span(s: oxc_span::Span) -> Span {
    Span::new(s.start, s.end)
}

struct Lowerer<'s> {
    text: &'s str,
    file: ClientFile,
    /// Calls already part of a recorded chain.
    consumed: HashSet<u32>,
    /// Starts of expressions directly under `await`.
    awaited: HashSet<u32>,
    /// Starts of awaited expressions whose result a statement drops (`await x;`).
    discarded: HashSet<u32>,
    /// `const key = process.env.X` in this file.
    const_env: HashMap<String, String>,
    /// Current expression nesting.
    depth: usize,
    /// Starts of identifier references, by name.
    refs: HashMap<String, Vec<u32>>,
    /// Start of an identifier -> the property read from it (`res.data`).
    member_of: HashMap<u32, String>,
    /// Enclosing scopes (function bodies and blocks), innermost last; `true`
    /// for a function body (or the program).
    scopes: Vec<(Span, bool)>,
    /// Inside a `var` declaration.
    var_decl: bool,
    /// Inside a `const` declaration.
    const_decl: bool,
    /// `if (!x) throw …` / `return …`: the tested value (`x`, `res.data`,
    /// optional chaining read as `.`) and the statement's start.
    null_guards: Vec<(String, u32)>,
    /// Query results waiting for the references after them.
    pending: Vec<PendingResult>,
    /// Variables bound to dynamic SQL text, last declaration wins.
    sql_consts: HashMap<String, Option<Span>>,
    /// Variables bound to sanitized HTML, last declaration wins.
    sanitized_consts: HashMap<String, bool>,
    /// `const` variables bound to a value fixed in the code (see
    /// [`Lowerer::constant`]), last declaration wins.
    constant_consts: HashSet<String>,
    /// `const` variables bound to an object or array literal of constants
    /// (`const THEMES = { light: '', dark: '.dark' } as const`).
    constant_objects: HashSet<String>,
    /// `const` variables bound to SQL text fixed in the code but for
    /// parameter numbers and quoted identifiers (see [`Lowerer::sql_safe`]).
    sql_safe_consts: HashSet<String>,
    /// Start of a function or arrow -> the name it is bound to.
    fn_names: HashMap<u32, String>,
    /// Indexes in `file.functions` of the enclosing functions, innermost last.
    fn_stack: Vec<usize>,
    /// Start of a call returned by a function (or an arrow's expression
    /// body) -> the function's index.
    returned: HashMap<u32, usize>,
    /// `const name = init`: the name, the init's span (under `await` and type
    /// assertions) and, for an immediately invoked function, its start.
    decls: Vec<(String, Span, Option<u32>)>,
    /// What a variable's initializer reads and whether it computes, last
    /// declaration wins.
    const_reads: HashMap<String, (Vec<Vec<String>>, bool)>,
    /// Env variables a variable's initializer reads, last declaration wins.
    const_envs: HashMap<String, Vec<String>>,
    /// Fallbacks to a name (a variable or a called function), kept when the
    /// name turns out to be a client or a stub.
    named_fallbacks: Vec<(EnvFallback, String)>,
    /// Variables bound to a stub (an object literal with client methods, a
    /// stub call).
    stub_consts: HashSet<String>,
    /// Inside a TypeScript type (annotation, alias, interface, `implements`).
    in_type: usize,
    /// Names referenced outside types: used as values.
    value_refs: HashSet<String>,
    /// Each `import` declaration with bindings: its index in `file.imports`
    /// and its local names.
    import_locals: Vec<(usize, Vec<String>)>,
}

/// A [`QueryResult`] before the file's references are known.
struct PendingResult {
    /// Start of the awaited call (the query chain, if it is one).
    call: u32,
    span: Span,
    keys: Option<Vec<String>>,
    open: bool,
    error: Option<(String, Span)>,
    /// The member path holding `data`.
    data: Option<Vec<String>>,
    /// References from here on count.
    after: u32,
    /// End of the binding's scope.
    scope_end: u32,
}

/// Deepest `+` / conditional nesting followed when reading SQL or HTML values.
const MAX_VALUE_DEPTH: usize = 64;

/// Whether static text reads like a SQL statement: it starts with a DML verb
/// (or `with`), or holds `where`, `select … from`, `insert into`, `delete from`
/// or `update … set` as words.
fn looks_like_sql(text: &str) -> bool {
    let t = text.to_ascii_lowercase();
    let words: Vec<&str> = t
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty())
        .collect();
    let trimmed = t.trim_start();
    let starts = ["select", "insert", "update", "delete", "with"]
        .iter()
        .any(|k| {
            trimmed
                .strip_prefix(k)
                .is_some_and(|rest| rest.starts_with(char::is_whitespace))
        });
    let has = |w: &str| words.contains(&w);
    let pair = |a: &str, b: &str| {
        words
            .iter()
            .position(|w| *w == a)
            .is_some_and(|i| words[i + 1..].contains(&b))
    };
    starts
        || has("where")
        || pair("select", "from")
        || words
            .windows(2)
            .any(|w| w == ["insert", "into"] || w == ["delete", "from"])
        || pair("update", "set")
}

impl<'s> Lowerer<'s> {
    /// Walks a TypeScript type: identifiers in it are not value uses.
    fn in_a_type(&mut self, walk: impl FnOnce(&mut Self)) {
        self.in_type += 1;
        walk(self);
        self.in_type -= 1;
    }

    fn src(&self, s: oxc_span::Span) -> &'s str {
        self.text
            .get(s.start as usize..s.end as usize)
            .unwrap_or("")
    }

    fn string(&self, e: &Expression) -> Option<Str> {
        match e.get_inner_expression() {
            Expression::StringLiteral(l) => Some(self.literal(l)),
            Expression::TemplateLiteral(t) if t.expressions.is_empty() && t.quasis.len() == 1 => {
                let q = &t.quasis[0];
                let value = q.value.cooked.as_ref()?.as_str().to_string();
                let inner = Span::new(t.span.start + 1, t.span.end.saturating_sub(1));
                let exact = self.text.get(inner.range()) == Some(value.as_str());
                Some(Str {
                    value,
                    span: inner,
                    exact,
                })
            }
            _ => None,
        }
    }

    fn literal(&self, l: &StringLiteral) -> Str {
        let inner = Span::new(l.span.start + 1, l.span.end.saturating_sub(1));
        let value = l.value.as_str().to_string();
        let exact = self.text.get(inner.range()) == Some(value.as_str());
        Str {
            value,
            span: inner,
            exact,
        }
    }

    fn arg(&self, a: &Argument) -> Arg {
        let Some(e) = a.as_expression() else {
            return Arg::Other(span(a.span()));
        };
        if let Some(s) = self.string(e) {
            return Arg::Str(s);
        }
        match e.get_inner_expression() {
            Expression::ObjectExpression(o) => self.object(o),
            Expression::ArrayExpression(arr) => {
                let mut items = Vec::new();
                for el in &arr.elements {
                    match el.as_expression().map(|e| e.get_inner_expression()) {
                        Some(Expression::ObjectExpression(o)) => items.push(self.object(o)),
                        _ => return Arg::Other(span(arr.span)),
                    }
                }
                Arg::Objects(items)
            }
            other => Arg::Other(span(other.span())),
        }
    }

    fn object(&self, o: &ObjectExpression) -> Arg {
        let mut keys = Vec::new();
        let mut complete = true;
        for p in &o.properties {
            match p {
                ObjectPropertyKind::ObjectProperty(p) if !p.computed => match &p.key {
                    PropertyKey::StaticIdentifier(id) => {
                        keys.push((id.name.as_str().to_string(), span(id.span)))
                    }
                    PropertyKey::StringLiteral(l) => {
                        let s = self.literal(l);
                        keys.push((s.value, if s.exact { s.span } else { span(l.span) }));
                    }
                    _ => complete = false,
                },
                _ => complete = false,
            }
        }
        Arg::Object {
            keys,
            complete,
            span: span(o.span),
        }
    }

    /// The span of `e` when it builds SQL text from values: a template literal
    /// with `${…}` or a `+` concatenation with a non-literal operand, whose
    /// static text looks like SQL; or a variable bound to one.
    fn dynamic_sql(&self, e: &Expression) -> Option<Span> {
        match e.get_inner_expression() {
            Expression::TemplateLiteral(t) if !t.expressions.is_empty() => {
                if self.sql_safe_template(t, 0) {
                    return None;
                }
                let text = template_text(t);
                looks_like_sql(&text).then(|| span(t.span))
            }
            Expression::BinaryExpression(b) if b.operator == BinaryOperator::Addition => {
                let (mut text, mut dynamic) = (String::new(), false);
                if !self.concat_parts(e, &mut text, &mut dynamic, 0) {
                    return None;
                }
                (dynamic && looks_like_sql(&text)).then(|| span(b.span))
            }
            Expression::Identifier(id) => self.sql_consts.get(id.name.as_str()).copied()?,
            _ => None,
        }
    }

    /// Whether a value is fixed when the code is written: a string, number or
    /// boolean literal; a template, `+` concatenation, conditional or `||` /
    /// `??` of constants (`isOpen ? 'open' : 'closed'`); `String.raw` over
    /// constants; a `const` of this file bound to one; an UPPER_CASE name (a
    /// constant by convention, also when imported); an enum member or a
    /// constant's property (`Table.Issues`, `TABLES.todos`, `x.MAX_ROWS`).
    fn constant(&self, e: &Expression, depth: usize) -> bool {
        if depth > MAX_VALUE_DEPTH {
            return false;
        }
        match e.get_inner_expression() {
            Expression::StringLiteral(_)
            | Expression::NumericLiteral(_)
            | Expression::BooleanLiteral(_)
            | Expression::NullLiteral(_) => true,
            Expression::TemplateLiteral(t) => {
                t.expressions.iter().all(|x| self.constant(x, depth + 1))
            }
            Expression::TaggedTemplateExpression(t) => {
                self.src(t.tag.span()) == "String.raw"
                    && t.quasi
                        .expressions
                        .iter()
                        .all(|x| self.constant(x, depth + 1))
            }
            Expression::BinaryExpression(b) if b.operator == BinaryOperator::Addition => {
                self.constant(&b.left, depth + 1) && self.constant(&b.right, depth + 1)
            }
            Expression::ConditionalExpression(c) => {
                self.constant(&c.consequent, depth + 1) && self.constant(&c.alternate, depth + 1)
            }
            Expression::LogicalExpression(l) => {
                self.constant(&l.left, depth + 1) && self.constant(&l.right, depth + 1)
            }
            Expression::Identifier(id) => {
                let name = id.name.as_str();
                self.constant_consts.contains(name) || upper_case_name(name)
            }
            Expression::StaticMemberExpression(m) => {
                upper_case_name(m.property.name.as_str())
                    || match m.object.get_inner_expression() {
                        Expression::Identifier(o) => {
                            let o = o.name.as_str();
                            self.constant_objects.contains(o)
                                || upper_case_name(o)
                                || (o.starts_with(|c: char| c.is_ascii_uppercase())
                                    && !self.refs_local(o))
                        }
                        _ => false,
                    }
            }
            _ => false,
        }
    }

    /// Whether `name` is bound by a non-constant declaration of this file
    /// (a capitalised name that is a variable, not an enum or namespace).
    fn refs_local(&self, name: &str) -> bool {
        self.const_reads.contains_key(name) && !self.constant_objects.contains(name)
    }

    /// Whether an object or array literal holds only constants (nested).
    fn constant_literal(&self, e: &Expression, depth: usize) -> bool {
        if depth > MAX_VALUE_DEPTH {
            return false;
        }
        match e.get_inner_expression() {
            Expression::ObjectExpression(o) => o.properties.iter().all(|p| match p {
                ObjectPropertyKind::ObjectProperty(p) => {
                    !p.computed && self.constant_literal(&p.value, depth + 1)
                }
                _ => false,
            }),
            Expression::ArrayExpression(a) => a.elements.iter().all(|el| {
                el.as_expression()
                    .is_some_and(|x| self.constant_literal(x, depth + 1))
            }),
            other => self.constant(other, depth + 1),
        }
    }

    /// Whether every `${…}` of a SQL template is harmless: a constant, a
    /// positional parameter's number (`$${i + 1}`), a double-quoted
    /// identifier (`"${table}"`), or a list of such
    /// (`cols.map((_, i) => `$${i + 1}`).join(', ')`).
    fn sql_safe_template(&self, t: &TemplateLiteral, depth: usize) -> bool {
        t.expressions.iter().enumerate().all(|(i, x)| {
            let before = t.quasis.get(i).map_or("", |q| q.value.raw.as_str());
            let after = t.quasis.get(i + 1).map_or("", |q| q.value.raw.as_str());
            before.ends_with('$')
                || (before.ends_with('"') && after.starts_with('"'))
                || self.sql_safe(x, depth + 1)
        })
    }

    /// A SQL fragment fixed in the code, or built only from constants,
    /// parameter numbers and quoted identifiers.
    fn sql_safe(&self, e: &Expression, depth: usize) -> bool {
        if depth > MAX_VALUE_DEPTH {
            return false;
        }
        if self.constant(e, depth) {
            return true;
        }
        match e.get_inner_expression() {
            Expression::Identifier(id) => self.sql_safe_consts.contains(id.name.as_str()),
            Expression::TemplateLiteral(t) => self.sql_safe_template(t, depth + 1),
            Expression::ConditionalExpression(c) => {
                self.sql_safe(&c.consequent, depth + 1) && self.sql_safe(&c.alternate, depth + 1)
            }
            // `xs.map((x, i) => `$${i + 1}`).join(', ')`
            Expression::CallExpression(c) => {
                let Expression::StaticMemberExpression(m) = c.callee.get_inner_expression() else {
                    return false;
                };
                if m.property.name != "join"
                    || !c.arguments.iter().all(|a| {
                        a.as_expression()
                            .is_some_and(|a| self.constant(a, depth + 1))
                    })
                {
                    return false;
                }
                let Expression::CallExpression(map) = m.object.get_inner_expression() else {
                    return false;
                };
                let Expression::StaticMemberExpression(mm) = map.callee.get_inner_expression()
                else {
                    return false;
                };
                mm.property.name == "map"
                    && match map.arguments.first().and_then(|a| a.as_expression()) {
                        Some(Expression::ArrowFunctionExpression(f)) => {
                            self.arrow_returns_sql_safe(f, depth + 1)
                        }
                        _ => false,
                    }
            }
            _ => false,
        }
    }

    /// An arrow whose returned values are all SQL-safe: an expression body, or
    /// a block whose top-level `return`s are (and that has one).
    fn arrow_returns_sql_safe(&self, f: &ArrowFunctionExpression, depth: usize) -> bool {
        if let Some(body) = f.get_expression() {
            return self.sql_safe(body, depth);
        }
        let ArrowFunctionBody::FunctionBody(body) = &f.body else {
            return false;
        };
        let mut returns = body.statements.iter().filter_map(|s| match s {
            Statement::ReturnStatement(r) => Some(r.argument.as_ref()),
            _ => None,
        });
        let mut any = false;
        let all = returns.all(|r| {
            any = true;
            r.is_some_and(|r| self.sql_safe(r, depth))
        });
        any && all
    }

    /// Collects the static text of a `+` concatenation and whether any operand
    /// is not SQL-safe (see [`Lowerer::sql_safe`]). False when the tree is too
    /// deep to follow.
    fn concat_parts(
        &self,
        e: &Expression,
        text: &mut String,
        dynamic: &mut bool,
        depth: usize,
    ) -> bool {
        if depth > MAX_VALUE_DEPTH {
            return false;
        }
        match e.get_inner_expression() {
            Expression::BinaryExpression(b) if b.operator == BinaryOperator::Addition => {
                self.concat_parts(&b.left, text, dynamic, depth + 1)
                    && self.concat_parts(&b.right, text, dynamic, depth + 1)
            }
            Expression::StringLiteral(l) => {
                text.push_str(l.value.as_str());
                true
            }
            Expression::TemplateLiteral(t) => {
                *dynamic |= !self.sql_safe_template(t, depth + 1);
                text.push_str(&template_text(t));
                true
            }
            Expression::NumericLiteral(_) => true,
            other => {
                *dynamic |= !self.sql_safe(other, depth + 1);
                text.push(' ');
                true
            }
        }
    }

    /// Whether a raw-SQL call runs on a database local to the device
    /// (PowerSync, SQLite, PGlite), not on the project's Postgres: its
    /// receiver is named so (`powerSync.execute`, `sqliteDb.query`), or the
    /// file imports such a package and no Postgres driver.
    fn local_sql(&self, callee: &Expression) -> bool {
        const LOCAL: &[&str] = &["powersync", "sqlite", "pglite"];
        if let Expression::StaticMemberExpression(m) = callee.get_inner_expression() {
            let receiver = self.src(m.object.span()).to_ascii_lowercase();
            if LOCAL.iter().any(|l| receiver.contains(l)) {
                return true;
            }
        }
        let postgres = |m: &str| {
            let m = m
                .trim_start_matches("npm:")
                .trim_start_matches("jsr:")
                .to_ascii_lowercase();
            m == "pg"
                || m.starts_with("pg@")
                || m.starts_with("pg/")
                || m.starts_with("postgres")
                || m.contains("@neondatabase/")
                || m.contains("@vercel/postgres")
                || m.contains("@prisma/")
                || m.contains("drizzle-orm")
                || m.contains("kysely")
                || m.contains("slonik")
                || m.contains("@db/postgres")
                || m.contains("deno.land/x/postgres")
        };
        let imports = &self.file.imports;
        imports.iter().any(|i| {
            let m = i.source.to_ascii_lowercase();
            LOCAL.iter().any(|l| m.contains(l))
        }) && !imports.iter().any(|i| postgres(&i.source))
    }

    fn push_sql(&mut self, sink: &str, e: &Expression) {
        if let Some(at) = self.dynamic_sql(e)
            && !self.file.sql_interpolations.iter().any(|(_, s)| *s == at)
        {
            self.file.sql_interpolations.push((sink.to_string(), at));
        }
    }

    /// Whether an HTML value is fixed in the code (see [`Lowerer::constant`]),
    /// passes through a sanitizer, or is shadcn/ui's chart style
    /// (`Object.entries(THEMES).map(…).join('\n')` over a constant object).
    fn sanitized(&self, e: &Expression, depth: usize) -> bool {
        if depth > MAX_VALUE_DEPTH {
            return false;
        }
        if self.constant(e, depth) || self.entries_of_constant(e) {
            return true;
        }
        match e.get_inner_expression() {
            Expression::Identifier(id) => self
                .sanitized_consts
                .get(id.name.as_str())
                .copied()
                .unwrap_or(false),
            Expression::ConditionalExpression(c) => {
                self.sanitized(&c.consequent, depth + 1) && self.sanitized(&c.alternate, depth + 1)
            }
            Expression::LogicalExpression(l) => {
                self.sanitized(&l.left, depth + 1) && self.sanitized(&l.right, depth + 1)
            }
            Expression::CallExpression(c) => {
                let callee = self.src(c.callee.span()).to_ascii_lowercase();
                if ["sanitize", "purify", "escape"]
                    .iter()
                    .any(|w| callee.contains(w))
                {
                    return true;
                }
                // `s.replace(/</g, '&lt;')`, `s.replaceAll('<', '\\u003c')`.
                if let Expression::StaticMemberExpression(m) = c.callee.get_inner_expression()
                    && matches!(m.property.name.as_str(), "replace" | "replaceAll")
                    && let Some(first) = c.arguments.first().and_then(|a| a.as_expression())
                {
                    let escapes_lt = match first.get_inner_expression() {
                        Expression::RegExpLiteral(r) => {
                            r.raw.as_ref().is_some_and(|raw| raw.as_str().contains('<'))
                        }
                        Expression::StringLiteral(l) => l.value.as_str() == "<",
                        _ => false,
                    };
                    if escapes_lt {
                        return true;
                    }
                }
                // `useMemo(() => DOMPurify.sanitize(html), [html])`.
                c.arguments.iter().any(|a| match a.as_expression() {
                    Some(Expression::ArrowFunctionExpression(f)) => f
                        .get_expression()
                        .is_some_and(|body| self.sanitized(body, depth + 1)),
                    _ => false,
                })
            }
            _ => false,
        }
    }

    /// `Object.entries(C).map(…).join(…)` (or `keys` / `values`) where `C` is
    /// a constant object: the chart component of shadcn/ui writes its CSS
    /// variables so, one block per theme of `THEMES`.
    fn entries_of_constant(&self, e: &Expression) -> bool {
        let Expression::CallExpression(join) = e.get_inner_expression() else {
            return false;
        };
        let Expression::StaticMemberExpression(j) = join.callee.get_inner_expression() else {
            return false;
        };
        let Expression::CallExpression(map) = j.object.get_inner_expression() else {
            return false;
        };
        let Expression::StaticMemberExpression(m) = map.callee.get_inner_expression() else {
            return false;
        };
        let Expression::CallExpression(entries) = m.object.get_inner_expression() else {
            return false;
        };
        j.property.name == "join"
            && m.property.name == "map"
            && matches!(
                self.src(entries.callee.span()),
                "Object.entries" | "Object.keys" | "Object.values"
            )
            && entries.arguments.len() == 1
            && match entries.arguments[0]
                .as_expression()
                .map(|a| a.get_inner_expression())
            {
                Some(Expression::Identifier(id)) => {
                    let n = id.name.as_str();
                    self.constant_objects.contains(n) || upper_case_name(n)
                }
                _ => false,
            }
    }

    fn push_html(&mut self, sink: &'static str, value: &Expression) {
        let sanitized = self.sanitized(value, 0);
        self.file.html_sinks.push(HtmlSink {
            sink,
            value: span(value.span()),
            sanitized,
        });
    }

    /// Records `const <pattern> = await <call>` for the query-result pass.
    fn pend_result(&mut self, it: &VariableDeclarator) {
        let Some(Expression::AwaitExpression(a)) =
            it.init.as_ref().map(|e| e.get_inner_expression())
        else {
            return;
        };
        let Expression::CallExpression(call) = a.argument.get_inner_expression() else {
            return;
        };
        let (mut keys, mut open, mut error, mut data) = (None, false, None, None);
        match &it.id {
            BindingPattern::BindingIdentifier(id) => {
                error = Some((id.name.as_str().to_string(), span(id.span)));
                data = Some(vec![id.name.as_str().to_string(), "data".to_string()]);
            }
            BindingPattern::ObjectPattern(p) => {
                let mut names = Vec::new();
                open = p.rest.is_some();
                for prop in &p.properties {
                    let key = match &prop.key {
                        PropertyKey::StaticIdentifier(id) if !prop.computed => id.name.as_str(),
                        PropertyKey::StringLiteral(l) if !prop.computed => l.value.as_str(),
                        _ => {
                            open = true;
                            continue;
                        }
                    };
                    let local = match &prop.value {
                        BindingPattern::AssignmentPattern(ap) => &ap.left,
                        other => other,
                    };
                    if let BindingPattern::BindingIdentifier(id) = local {
                        let name = id.name.as_str().to_string();
                        match key {
                            "error" => error = Some((name, span(id.span))),
                            "data" => data = Some(vec![name]),
                            _ => {}
                        }
                    }
                    names.push(key.to_string());
                }
                keys = Some(names);
            }
            _ => return,
        }
        let scope = if self.var_decl {
            self.scopes.iter().rev().find(|s| s.1)
        } else {
            self.scopes.last()
        };
        let scope_end = scope.map_or(u32::MAX, |s| s.0.end);
        self.pending.push(PendingResult {
            call: call.span.start,
            span: span(it.id.span()),
            keys,
            open,
            error,
            data,
            after: it.span.end,
            scope_end,
        });
    }

    fn push_loop(
        &mut self,
        kind: LoopKind,
        body: oxc_span::Span,
        condition: Option<oxc_span::Span>,
    ) {
        let condition = condition.map(|c| self.src(c).to_string());
        self.file.loops.push(Loop {
            kind,
            body: span(body),
            condition,
        });
    }

    /// The env variable an expression reads, directly or through a const.
    fn env_of(&self, e: &Expression) -> Option<String> {
        match e.get_inner_expression() {
            Expression::LogicalExpression(l) => self.env_of(&l.left),
            Expression::Identifier(id) => self.const_env.get(id.name.as_str()).cloned(),
            Expression::StaticMemberExpression(m) => {
                let obj = self.src(m.object.span());
                (obj == "process.env" || obj == "import.meta.env")
                    .then(|| m.property.name.as_str().to_string())
            }
            Expression::ComputedMemberExpression(m) => {
                let obj = self.src(m.object.span());
                if obj == "process.env" || obj == "import.meta.env" {
                    self.string(&m.expression).map(|s| s.value)
                } else {
                    None
                }
            }
            Expression::CallExpression(c) => deno_env(c, self),
            _ => None,
        }
    }

    /// Records `recv.storage.from('bucket').method(…)`.
    fn storage_call(&mut self, call: &CallExpression) -> Option<()> {
        let Expression::StaticMemberExpression(method) = call.callee.get_inner_expression() else {
            return None;
        };
        if !STORAGE_METHODS.contains(&method.property.name.as_str()) {
            return None;
        }
        let Expression::CallExpression(from) = method.object.get_inner_expression() else {
            return None;
        };
        let Expression::StaticMemberExpression(from_member) = from.callee.get_inner_expression()
        else {
            return None;
        };
        if from_member.property.name != "from" {
            return None;
        }
        let Expression::StaticMemberExpression(storage) = from_member.object.get_inner_expression()
        else {
            return None;
        };
        if storage.property.name != "storage" {
            return None;
        }
        let bucket = from
            .arguments
            .first()
            .and_then(|a| a.as_expression())
            .and_then(|e| self.string(e))?;
        let path = call
            .arguments
            .first()
            .and_then(|a| a.as_expression())
            .and_then(|e| self.string(e));
        let receiver = self.src(storage.object.span()).to_string();
        self.file.storage.push(StorageCall {
            bucket,
            method: method.property.name.to_string(),
            path,
            receiver,
            span: span(call.span),
        });
        Some(())
    }

    /// Records the query chain ending in `call`, if it is one.
    fn chain(&mut self, call: &CallExpression) -> Option<()> {
        struct Link<'b, 'a> {
            name: &'b str,
            name_span: oxc_span::Span,
            args: &'b oxc_allocator::Vec<'a, Argument<'a>>,
            call_start: u32,
        }
        let mut links: Vec<Link> = Vec::new();
        let mut cur = call;
        let (target, receiver) = loop {
            let Expression::StaticMemberExpression(m) = cur.callee.get_inner_expression() else {
                return None;
            };
            let name = m.property.name.as_str();
            links.push(Link {
                name,
                name_span: m.property.span,
                args: &cur.arguments,
                call_start: cur.span.start,
            });
            if name == "from" || name == "rpc" {
                let first = cur.arguments.first().and_then(|a| a.as_expression());
                if let Some(s) = first.and_then(|e| self.string(e)) {
                    let mut recv = m.object.get_inner_expression();
                    let mut schema = None;
                    if let Expression::CallExpression(c) = recv
                        && let Expression::StaticMemberExpression(sm) =
                            c.callee.get_inner_expression()
                        && sm.property.name == "schema"
                    {
                        schema = c
                            .arguments
                            .first()
                            .and_then(|a| a.as_expression())
                            .and_then(|e| self.string(e))
                            .map(|s| s.value);
                        recv = sm.object.get_inner_expression();
                    }
                    let recv_text = self.src(recv.span());
                    if is_foreign_receiver(recv, recv_text) {
                        return None;
                    }
                    let target = if name == "from" {
                        Target::Table { name: s, schema }
                    } else {
                        let args = match cur.arguments.get(1).map(|a| self.arg(a)) {
                            Some(Arg::Object { keys, complete, .. }) if complete => Some(keys),
                            None => Some(Vec::new()),
                            _ => None,
                        };
                        Target::Rpc {
                            name: s,
                            args,
                            schema,
                        }
                    };
                    break (target, recv_text.to_string());
                }
            }
            match m.object.get_inner_expression() {
                Expression::CallExpression(c) => cur = c,
                _ => return None,
            }
        };
        // `.from()` alone is too common a name: require a query builder method.
        let target_link = links.len() - 1;
        if matches!(target, Target::Table { .. })
            && !links[..target_link]
                .iter()
                .any(|l| QUERY_METHODS.contains(&l.name))
        {
            return None;
        }
        let ops = links[..target_link]
            .iter()
            .rev()
            .map(|l| Op {
                method: l.name.to_string(),
                span: span(l.name_span),
                args: l.args.iter().map(|a| self.arg(a)).collect(),
                shapes: l
                    .args
                    .iter()
                    .map(|a| a.as_expression().and_then(|e| self.shape(e)))
                    .collect(),
            })
            .collect();
        for l in &links {
            self.consumed.insert(l.call_start);
        }
        let query = self.file.queries.len();
        for l in &links[..target_link] {
            if !matches!(l.name, "insert" | "update" | "upsert") {
                continue;
            }
            let Some(first) = l.args.first().and_then(|a| a.as_expression()) else {
                continue;
            };
            match first.get_inner_expression() {
                Expression::ObjectExpression(o) => self.push_written(query, o),
                Expression::ArrayExpression(arr) => {
                    for el in &arr.elements {
                        if let Some(Expression::ObjectExpression(o)) =
                            el.as_expression().map(|e| e.get_inner_expression())
                        {
                            self.push_written(query, o);
                        }
                    }
                }
                _ => {}
            }
        }
        self.file.queries.push(Query {
            span: span(call.span),
            receiver,
            target,
            ops,
            awaited: false,
            discarded: false,
            in_loop: None,
            function: None,
        });
        Some(())
    }

    /// Notes a call returned by function `index`.
    fn mark_returned(&mut self, e: &Expression, index: usize) {
        let mut inner = e.get_inner_expression();
        if let Expression::AwaitExpression(a) = inner {
            inner = a.argument.get_inner_expression();
        }
        if let Expression::CallExpression(c) = inner {
            self.returned.insert(c.span.start, index);
        }
    }

    /// Records the keys of an object written by a query and what their values read.
    fn push_written(&mut self, query: usize, o: &ObjectExpression) {
        for p in &o.properties {
            let ObjectPropertyKind::ObjectProperty(p) = p else {
                continue;
            };
            if p.computed {
                continue;
            }
            let (column, key) = match &p.key {
                PropertyKey::StaticIdentifier(id) => (id.name.as_str().to_string(), span(id.span)),
                PropertyKey::StringLiteral(l) => (l.value.as_str().to_string(), span(l.span)),
                _ => continue,
            };
            let mut reads = Vec::new();
            self.reads(&p.value, &mut reads, 0);
            let computed = self.computes(&p.value);
            let shape = self.shape(&p.value);
            self.file.written.push(WrittenValue {
                query,
                column,
                key,
                value: span(p.value.span()),
                reads,
                computed,
                shape,
            });
        }
    }

    /// The member paths an expression reads, through `const` bindings.
    fn reads(&self, e: &Expression, out: &mut Vec<Vec<String>>, depth: usize) {
        if depth > MAX_VALUE_DEPTH {
            return;
        }
        let e = e.get_inner_expression();
        if let Some(path) = member_path(e, 0) {
            if path.len() == 1
                && let Some((inner, _)) = self.const_reads.get(&path[0])
            {
                out.extend(inner.iter().cloned());
            }
            out.push(path);
            return;
        }
        let d = depth + 1;
        match e {
            Expression::BinaryExpression(b) => {
                self.reads(&b.left, out, d);
                self.reads(&b.right, out, d);
            }
            Expression::LogicalExpression(l) => {
                self.reads(&l.left, out, d);
                self.reads(&l.right, out, d);
            }
            Expression::UnaryExpression(u) => self.reads(&u.argument, out, d),
            Expression::AwaitExpression(a) => self.reads(&a.argument, out, d),
            Expression::ConditionalExpression(c) => {
                self.reads(&c.test, out, d);
                self.reads(&c.consequent, out, d);
                self.reads(&c.alternate, out, d);
            }
            Expression::CallExpression(c) => {
                for a in &c.arguments {
                    match a {
                        Argument::SpreadElement(s) => self.reads(&s.argument, out, d),
                        other => {
                            if let Some(e) = other.as_expression() {
                                self.reads(e, out, d);
                            }
                        }
                    }
                }
            }
            Expression::TemplateLiteral(t) => {
                for e in &t.expressions {
                    self.reads(e, out, d);
                }
            }
            Expression::ArrayExpression(a) => {
                for el in &a.elements {
                    match el {
                        ArrayExpressionElement::SpreadElement(s) => self.reads(&s.argument, out, d),
                        other => {
                            if let Some(e) = other.as_expression() {
                                self.reads(e, out, d);
                            }
                        }
                    }
                }
            }
            Expression::ObjectExpression(o) => {
                for p in &o.properties {
                    match p {
                        ObjectPropertyKind::ObjectProperty(p) => self.reads(&p.value, out, d),
                        ObjectPropertyKind::SpreadProperty(s) => self.reads(&s.argument, out, d),
                    }
                }
            }
            _ => {}
        }
    }

    /// The type of a value when it is a literal or obviously typed.
    fn shape(&self, e: &Expression) -> Option<Shape> {
        if let Some(s) = self.string(e) {
            return Some(Shape::Str(s.value));
        }
        let is_new_date = |e: &Expression| {
            matches!(e.get_inner_expression(), Expression::NewExpression(n)
                if matches!(&n.callee, Expression::Identifier(id) if id.name == "Date"))
        };
        match e.get_inner_expression() {
            Expression::NumericLiteral(n) => Some(Shape::Number {
                integer: n.value.fract() == 0.0 && !self.src(n.span).contains('.'),
            }),
            Expression::UnaryExpression(u)
                if u.operator == UnaryOperator::UnaryNegation
                    && matches!(u.argument, Expression::NumericLiteral(_)) =>
            {
                self.shape(&u.argument)
            }
            Expression::BooleanLiteral(_) => Some(Shape::Bool),
            Expression::NullLiteral(_) => Some(Shape::Null),
            Expression::ArrayExpression(_) => Some(Shape::Array),
            Expression::ObjectExpression(_) => Some(Shape::Object),
            e if is_new_date(e) => Some(Shape::Timestamp),
            Expression::CallExpression(c) if c.arguments.is_empty() => {
                let Expression::StaticMemberExpression(m) = c.callee.get_inner_expression() else {
                    return None;
                };
                match m.property.name.as_str() {
                    // Only dates (and date libraries' objects) have it; it
                    // always gives the full date and time.
                    "toISOString" => Some(Shape::Timestamp),
                    "toJSON" if is_new_date(&m.object) => Some(Shape::Timestamp),
                    "getTime" | "valueOf" if is_new_date(&m.object) => Some(Shape::EpochMillis),
                    "now" if matches!(m.object.get_inner_expression(), Expression::Identifier(id) if id.name == "Date") => {
                        Some(Shape::EpochMillis)
                    }
                    _ => None,
                }
            }
            _ => None,
        }
    }

    /// Whether a written value computes something from what it reads, rather
    /// than copying a variable, a member or a literal.
    fn computes(&self, e: &Expression) -> bool {
        let e = e.get_inner_expression();
        if let Some(path) = member_path(e, 0) {
            return path.len() == 1 && self.const_reads.get(&path[0]).is_some_and(|c| c.1);
        }
        match e {
            Expression::TemplateLiteral(t) => !t.expressions.is_empty(),
            Expression::StringLiteral(_)
            | Expression::NumericLiteral(_)
            | Expression::BooleanLiteral(_)
            | Expression::NullLiteral(_)
            | Expression::BigIntLiteral(_) => false,
            _ => true,
        }
    }

    /// Env variables an expression reads: `process.env.X`, `Deno.env.get('X')`
    /// and variables bound to them.
    fn envs_in(&self, e: &Expression, out: &mut Vec<String>, depth: usize) {
        if depth > MAX_VALUE_DEPTH {
            return;
        }
        let d = depth + 1;
        if let Some(env) = self
            .env_of(e)
            .filter(|_| !matches!(e.get_inner_expression(), Expression::LogicalExpression(_)))
        {
            if !out.contains(&env) {
                out.push(env);
            }
            if !matches!(e.get_inner_expression(), Expression::Identifier(_)) {
                return;
            }
        }
        match e.get_inner_expression() {
            Expression::Identifier(id) => {
                for env in self.const_envs.get(id.name.as_str()).into_iter().flatten() {
                    if !out.contains(env) {
                        out.push(env.clone());
                    }
                }
            }
            Expression::UnaryExpression(u) => self.envs_in(&u.argument, out, d),
            Expression::LogicalExpression(l) => {
                self.envs_in(&l.left, out, d);
                self.envs_in(&l.right, out, d);
            }
            Expression::BinaryExpression(b) => {
                self.envs_in(&b.left, out, d);
                self.envs_in(&b.right, out, d);
            }
            Expression::ConditionalExpression(c) => {
                self.envs_in(&c.test, out, d);
                self.envs_in(&c.consequent, out, d);
                self.envs_in(&c.alternate, out, d);
            }
            Expression::CallExpression(c) => {
                if let Some(env) = deno_env(c, self) {
                    if !out.contains(&env) {
                        out.push(env);
                    }
                    return;
                }
                for a in &c.arguments {
                    if let Some(e) = a.as_expression() {
                        self.envs_in(e, out, d);
                    }
                }
            }
            Expression::StaticMemberExpression(m) => self.envs_in(&m.object, out, d),
            Expression::ChainExpression(c) => {
                if let ChainElement::StaticMemberExpression(m) = &c.expression {
                    self.envs_in(&m.object, out, d);
                }
            }
            _ => {}
        }
    }

    /// Whether a test decides on the deployment environment (`NODE_ENV`,
    /// `import.meta.env.PROD`, `VERCEL_ENV`).
    fn is_env_mode_test(&self, e: &Expression) -> bool {
        let mut envs = Vec::new();
        self.envs_in(e, &mut envs, 0);
        envs.iter().any(|e| {
            matches!(
                e.as_str(),
                "NODE_ENV" | "PROD" | "VERCEL_ENV" | "MODE" | "APP_ENV"
            )
        })
    }

    /// Records what a branch taken when env variables are missing does.
    fn missing_branch(&mut self, branch: &Statement, envs: &[String]) {
        let stmts: &[Statement] = match branch {
            Statement::BlockStatement(b) => &b.body,
            other => std::slice::from_ref(other),
        };
        let mut guarded = false;
        for s in stmts {
            match s {
                Statement::ThrowStatement(_) => {
                    self.file.env_throws.extend(envs.iter().cloned());
                    return;
                }
                Statement::IfStatement(i)
                    if throws(&i.consequent) && self.is_env_mode_test(&i.test) =>
                {
                    guarded = true;
                }
                _ => {}
            }
        }
        if guarded {
            self.file.env_throws.extend(envs.iter().cloned());
        }
        let insert_at = match branch {
            Statement::BlockStatement(b) => b.body.first().and_then(|first| {
                let start = first.span().start as usize;
                let line = self.text[..start].rfind('\n').map_or(0, |i| i + 1);
                let indent = &self.text[line..start];
                (line > b.span.start as usize && indent.chars().all(|c| c == ' ' || c == '\t'))
                    .then(|| (line as u32, indent.to_string()))
            }),
            _ => None,
        };
        for s in stmts {
            let value = match s {
                Statement::ReturnStatement(r) => r.argument.as_ref(),
                Statement::ExpressionStatement(e) => match &e.expression {
                    Expression::AssignmentExpression(a)
                        if a.operator == AssignmentOperator::Assign =>
                    {
                        Some(&a.right)
                    }
                    _ => None,
                },
                _ => None,
            };
            if let Some(value) = value {
                self.fallback_value(value, envs, guarded, insert_at.clone());
            }
        }
    }

    /// Records a value used when env variables are missing, if it is a stub
    /// or (once the file's clients are known) another client.
    fn fallback_value(
        &mut self,
        value: &Expression,
        envs: &[String],
        guarded: bool,
        insert_at: Option<(u32, String)>,
    ) {
        let mut inner = value.get_inner_expression();
        if let Expression::AwaitExpression(a) = inner {
            inner = a.argument.get_inner_expression();
        }
        let fallback = |kind| EnvFallback {
            envs: envs.to_vec(),
            kind,
            span: span(inner.span()),
            guarded,
            insert_at: insert_at.clone(),
        };
        let text = self.src(inner.span()).to_string();
        match inner {
            Expression::CallExpression(c) => match callee_name(&c.callee) {
                Some(name) if is_stub_name(name) => {
                    self.file
                        .env_fallbacks
                        .push(fallback(FallbackKind::Stub(text)));
                }
                Some(name @ ("createClient" | "createBrowserClient" | "createServerClient")) => {
                    let literal_args = c
                        .arguments
                        .iter()
                        .take(2)
                        .all(|a| a.as_expression().and_then(|e| self.string(e)).is_some());
                    let kind = if literal_args {
                        FallbackKind::Stub(text)
                    } else {
                        FallbackKind::Client(format!("{name}(…)"))
                    };
                    self.file.env_fallbacks.push(fallback(kind));
                }
                Some(name)
                    if matches!(c.callee.get_inner_expression(), Expression::Identifier(_)) =>
                {
                    let f = fallback(FallbackKind::Stub(String::new()));
                    self.named_fallbacks.push((f, name.to_string()));
                }
                _ => {}
            },
            Expression::NewExpression(n) => {
                if let Expression::Identifier(id) = n.callee.get_inner_expression()
                    && (id.name == "Proxy" || is_stub_name(id.name.as_str()))
                {
                    self.file
                        .env_fallbacks
                        .push(fallback(FallbackKind::Stub(text)));
                }
            }
            Expression::ObjectExpression(o) if is_client_shaped(o) => {
                self.file.env_fallbacks.push(fallback(FallbackKind::Stub(
                    "an object literal".to_string(),
                )));
            }
            Expression::Identifier(id) => {
                let f = fallback(FallbackKind::Stub(String::new()));
                self.named_fallbacks.push((f, id.name.as_str().to_string()));
            }
            _ => {}
        }
    }
}

/// Receivers of `.from()` that are not supabase clients (`Array.from`, `Buffer.from`, …).
fn is_foreign_receiver(recv: &Expression, text: &str) -> bool {
    match recv {
        Expression::Identifier(id) => id.name.starts_with(|c: char| c.is_ascii_uppercase()),
        Expression::StaticMemberExpression(m) => m.property.name == "storage",
        _ => text.is_empty(),
    }
}

/// `a`, `a.b.c`, `a?.b`, `a[0].b` (numeric indexes are skipped) as a path of
/// names; `None` for other shapes.
fn member_path(e: &Expression, depth: usize) -> Option<Vec<String>> {
    if depth > MAX_VALUE_DEPTH {
        return None;
    }
    match e.get_inner_expression() {
        Expression::Identifier(id) => Some(vec![id.name.as_str().to_string()]),
        Expression::StaticMemberExpression(m) => {
            let mut p = member_path(&m.object, depth + 1)?;
            p.push(m.property.name.as_str().to_string());
            Some(p)
        }
        Expression::ComputedMemberExpression(m)
            if matches!(m.expression, Expression::NumericLiteral(_)) =>
        {
            member_path(&m.object, depth + 1)
        }
        Expression::ChainExpression(c) => match &c.expression {
            ChainElement::StaticMemberExpression(m) => {
                let mut p = member_path(&m.object, depth + 1)?;
                p.push(m.property.name.as_str().to_string());
                Some(p)
            }
            ChainElement::ComputedMemberExpression(m)
                if matches!(m.expression, Expression::NumericLiteral(_)) =>
            {
                member_path(&m.object, depth + 1)
            }
            _ => None,
        },
        _ => None,
    }
}

/// `Deno.env.get('X')`.
fn deno_env(c: &CallExpression, l: &Lowerer) -> Option<String> {
    let Expression::StaticMemberExpression(m) = c.callee.get_inner_expression() else {
        return None;
    };
    if m.property.name != "get" || l.src(m.object.span()) != "Deno.env" {
        return None;
    }
    l.string(c.arguments.first()?.as_expression()?)
        .map(|s| s.value)
}

/// Whether a statement throws: `throw …` or a block holding one at its top level.
fn throws(s: &Statement) -> bool {
    match s {
        Statement::ThrowStatement(_) => true,
        Statement::BlockStatement(b) => b
            .body
            .iter()
            .any(|s| matches!(s, Statement::ThrowStatement(_))),
        _ => false,
    }
}

/// The start of a function or arrow expression.
fn function_start(e: &Expression) -> Option<u32> {
    match e.get_inner_expression() {
        Expression::ArrowFunctionExpression(f) => Some(f.span.start),
        Expression::FunctionExpression(f) => Some(f.span.start),
        _ => None,
    }
}

/// Names that say a value is a stand-in.
fn is_stub_name(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    ["stub", "mock", "fake", "dummy", "noop", "placeholder"]
        .iter()
        .any(|w| n.contains(w))
}

/// An object literal with a key of a Supabase client (`from`, `auth`, `rpc`, `storage`).
fn is_client_shaped(o: &ObjectExpression) -> bool {
    o.properties.iter().any(|p| match p {
        ObjectPropertyKind::ObjectProperty(p) => p
            .key
            .static_name()
            .is_some_and(|k| matches!(k.as_ref(), "from" | "auth" | "rpc" | "storage")),
        ObjectPropertyKind::SpreadProperty(_) => false,
    })
}

/// A string literal that stands in for a real URL or key.
fn is_placeholder(v: &str) -> bool {
    let v = v.to_ascii_lowercase();
    !v.is_empty()
        && [
            "placeholder",
            "your-",
            "your_",
            "example",
            "dummy",
            "xxx",
            "changeme",
            "change-me",
            "stub",
            "mock",
            "fake",
            "replace",
            "<",
        ]
        .iter()
        .any(|w| v.contains(w))
}

/// Whether a test is true when values are missing (`!a || !b`, `a == null`)
/// (`Some(true)`), true when they are present (`a && b`) (`Some(false)`), or
/// neither.
fn tests_missing(e: &Expression, depth: usize) -> Option<bool> {
    if depth > MAX_VALUE_DEPTH {
        return None;
    }
    match e.get_inner_expression() {
        Expression::UnaryExpression(u) if u.operator == UnaryOperator::LogicalNot => {
            tests_missing(&u.argument, depth + 1).map(|m| !m)
        }
        Expression::LogicalExpression(l) => {
            let (a, b) = (
                tests_missing(&l.left, depth + 1)?,
                tests_missing(&l.right, depth + 1)?,
            );
            match l.operator {
                LogicalOperator::Or if a && b => Some(true),
                LogicalOperator::And if !a && !b => Some(false),
                _ => None,
            }
        }
        Expression::BinaryExpression(b) => {
            let missing_value = |e: &Expression| match e.get_inner_expression() {
                Expression::NullLiteral(_) => true,
                Expression::Identifier(id) => id.name == "undefined",
                Expression::StringLiteral(s) => s.value.is_empty() || s.value == "undefined",
                _ => false,
            };
            if !(missing_value(&b.right) || missing_value(&b.left)) {
                return None;
            }
            match b.operator {
                BinaryOperator::StrictEquality | BinaryOperator::Equality => Some(true),
                BinaryOperator::StrictInequality | BinaryOperator::Inequality => Some(false),
                _ => None,
            }
        }
        Expression::CallExpression(c) if matches!(c.callee.get_inner_expression(), Expression::Identifier(id) if id.name == "Boolean") => {
            Some(false)
        }
        Expression::Identifier(_)
        | Expression::StaticMemberExpression(_)
        | Expression::ComputedMemberExpression(_)
        | Expression::CallExpression(_) => Some(false),
        _ => None,
    }
}

/// The static text of a template literal, parts joined by a space.
fn template_text(t: &TemplateLiteral) -> String {
    t.quasis
        .iter()
        .map(|q| q.value.raw.as_str())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Whether a branch leaves: `throw`, `return`, or a Next.js `notFound()` /
/// `redirect(…)` (they throw), alone or as a statement of its block.
fn exits(s: &Statement) -> bool {
    match s {
        Statement::ThrowStatement(_) | Statement::ReturnStatement(_) => true,
        Statement::ExpressionStatement(e) => match e.expression.get_inner_expression() {
            Expression::CallExpression(c) => {
                matches!(callee_name(&c.callee), Some("notFound" | "redirect"))
            }
            _ => false,
        },
        Statement::BlockStatement(b) => b.body.iter().any(exits),
        _ => false,
    }
}

/// The values an `if` test rejects when null: `x` in `!x`, `x == null`,
/// `x === null`, `x === undefined`, `!x?.length`, and in each side of `||`.
fn null_tested(e: &Expression, out: &mut Vec<Span>, depth: usize) {
    if depth > MAX_VALUE_DEPTH {
        return;
    }
    match e.get_inner_expression() {
        Expression::UnaryExpression(u) if u.operator == UnaryOperator::LogicalNot => {
            let arg = u.argument.get_inner_expression();
            // `!x?.length`, `!x.length`: tests `x` too.
            if let Some(m) = arg.as_member_expression()
                && m.static_property_name() == Some("length")
            {
                out.push(span(m.object().span()));
            }
            if let Expression::ChainExpression(c) = arg
                && let Some(m) = c.expression.as_member_expression()
                && m.static_property_name() == Some("length")
            {
                out.push(span(m.object().span()));
            }
            out.push(span(arg.span()));
        }
        Expression::BinaryExpression(b)
            if matches!(
                b.operator,
                BinaryOperator::Equality | BinaryOperator::StrictEquality
            ) =>
        {
            let nullish = |x: &Expression| match x.get_inner_expression() {
                Expression::NullLiteral(_) => true,
                Expression::Identifier(id) => id.name == "undefined",
                _ => false,
            };
            if nullish(&b.right) {
                out.push(span(b.left.get_inner_expression().span()));
            } else if nullish(&b.left) {
                out.push(span(b.right.get_inner_expression().span()));
            }
        }
        Expression::LogicalExpression(l) if l.operator == LogicalOperator::Or => {
            null_tested(&l.left, out, depth + 1);
            null_tested(&l.right, out, depth + 1);
        }
        _ => {}
    }
}

/// A name written in UPPER_CASE (`ISSUES_TABLE`, `MAX`): a constant by
/// convention. At least two characters, one of them a letter.
fn upper_case_name(name: &str) -> bool {
    name.len() >= 2
        && name.chars().any(|c| c.is_ascii_uppercase())
        && name
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
}

/// The name a call's callee ends in: `query` for `pool.query(…)` and `query(…)`.
fn callee_name<'b>(callee: &'b Expression) -> Option<&'b str> {
    match callee.get_inner_expression() {
        Expression::Identifier(id) => Some(id.name.as_str()),
        Expression::StaticMemberExpression(m) => Some(m.property.name.as_str()),
        _ => None,
    }
}

impl<'a> Visit<'a> for Lowerer<'_> {
    fn visit_expression(&mut self, it: &Expression<'a>) {
        // Long call chains and operator chains nest deeply without brackets.
        if self.depth >= MAX_EXPR_DEPTH {
            return;
        }
        self.depth += 1;
        walk::walk_expression(self, it);
        self.depth -= 1;
    }

    fn visit_call_expression(&mut self, it: &CallExpression<'a>) {
        if !self.consumed.contains(&it.span.start) {
            self.chain(it);
        }
        self.storage_call(it);
        match callee_name(&it.callee) {
            Some(name) if SQL_SINKS.contains(&name) && !self.local_sql(&it.callee) => {
                if let Some(first) = it.arguments.first().and_then(|a| a.as_expression()) {
                    self.push_sql(name, first);
                }
            }
            Some("rpc")
                if matches!(
                    it.callee.get_inner_expression(),
                    Expression::StaticMemberExpression(_)
                ) =>
            {
                if let Some(Expression::ObjectExpression(o)) = it
                    .arguments
                    .get(1)
                    .and_then(|a| a.as_expression())
                    .map(|e| e.get_inner_expression())
                {
                    for p in &o.properties {
                        if let ObjectPropertyKind::ObjectProperty(p) = p {
                            self.push_sql("rpc", &p.value);
                        }
                    }
                }
            }
            _ => {}
        }
        match it.callee.get_inner_expression() {
            Expression::Identifier(id) => {
                let name = id.name.as_str();
                if matches!(
                    name,
                    "createClient" | "createBrowserClient" | "createServerClient"
                ) {
                    let key_env = it
                        .arguments
                        .get(1)
                        .and_then(|a| a.as_expression())
                        .and_then(|e| self.env_of(e));
                    self.file.clients.push(ClientCreation {
                        function: name.to_string(),
                        span: span(it.span),
                        key_env,
                        binding: None,
                        factory: false,
                    });
                }
                if name == "require"
                    && let Some(s) = it
                        .arguments
                        .first()
                        .and_then(|a| a.as_expression())
                        .and_then(|e| self.string(e))
                {
                    self.file.imports.push(Import {
                        source: s.value,
                        span: s.span,
                        kind: ImportKind::Require,
                    });
                }
            }
            Expression::StaticMemberExpression(m) => {
                let method = m.property.name.as_str();
                // A `.map()` / `.flatMap()` callback runs once per item whether
                // or not it is async (it may return the query's promise); a
                // `.forEach()` callback only starts a request per item when it
                // is async (a sync one cannot await, and rarely holds a query).
                if matches!(method, "map" | "forEach" | "flatMap")
                    && let Some(cb) = it.arguments.first().and_then(|a| a.as_expression())
                {
                    let (is_function, is_async) = match cb.get_inner_expression() {
                        Expression::ArrowFunctionExpression(f) => (true, f.r#async),
                        Expression::FunctionExpression(f) => (true, f.r#async),
                        _ => (false, false),
                    };
                    if is_function && (is_async || method != "forEach") {
                        self.push_loop(LoopKind::Callback, cb.span(), None);
                    }
                }
                if method == "get"
                    && self.src(m.object.span()) == "Deno.env"
                    && let Some(s) = it
                        .arguments
                        .first()
                        .and_then(|a| a.as_expression())
                        .and_then(|e| self.string(e))
                {
                    self.file.env_refs.push(EnvRef {
                        name: s.value,
                        span: span(it.span),
                    });
                }
            }
            _ => {}
        }
        walk::walk_call_expression(self, it);
    }

    fn visit_expression_statement(&mut self, it: &ExpressionStatement<'a>) {
        if let Expression::AwaitExpression(a) = it.expression.get_inner_expression() {
            self.discarded
                .insert(a.argument.get_inner_expression().span().start);
        }
        walk::walk_expression_statement(self, it);
    }

    fn visit_await_expression(&mut self, it: &AwaitExpression<'a>) {
        self.awaited
            .insert(it.argument.get_inner_expression().span().start);
        walk::walk_await_expression(self, it);
    }

    fn visit_static_member_expression(&mut self, it: &StaticMemberExpression<'a>) {
        if let Expression::Identifier(id) = it.object.get_inner_expression() {
            self.member_of
                .insert(id.span.start, it.property.name.as_str().to_string());
        }
        let obj = self.src(it.object.span());
        if obj == "process.env" || obj == "import.meta.env" {
            self.file.env_refs.push(EnvRef {
                name: it.property.name.as_str().to_string(),
                span: span(it.span),
            });
        }
        walk::walk_static_member_expression(self, it);
    }

    fn visit_computed_member_expression(&mut self, it: &ComputedMemberExpression<'a>) {
        let obj = self.src(it.object.span());
        if (obj == "process.env" || obj == "import.meta.env")
            && let Some(s) = self.string(&it.expression)
        {
            self.file.env_refs.push(EnvRef {
                name: s.value,
                span: span(it.span),
            });
        }
        walk::walk_computed_member_expression(self, it);
    }

    fn visit_variable_declaration(&mut self, it: &VariableDeclaration<'a>) {
        let outer = (self.var_decl, self.const_decl);
        self.var_decl = it.kind == VariableDeclarationKind::Var;
        self.const_decl = it.kind == VariableDeclarationKind::Const;
        walk::walk_variable_declaration(self, it);
        (self.var_decl, self.const_decl) = outer;
    }

    fn visit_variable_declarator(&mut self, it: &VariableDeclarator<'a>) {
        if let BindingPattern::BindingIdentifier(id) = &it.id
            && let Some(init) = &it.init
        {
            let name = id.name.as_str();
            if let Some(start) = function_start(init) {
                self.fn_names.insert(start, name.to_string());
            }
            let mut inner = init.get_inner_expression();
            if let Expression::AwaitExpression(a) = inner {
                inner = a.argument.get_inner_expression();
            }
            let mut iife = None;
            if let Expression::CallExpression(c) = inner {
                iife = function_start(&c.callee);
                if let Expression::Identifier(callee) = c.callee.get_inner_expression() {
                    self.file.call_bindings.push(CallBinding {
                        name: name.to_string(),
                        callee: callee.name.as_str().to_string(),
                        span: span(it.span),
                    });
                }
                if callee_name(&c.callee).is_some_and(is_stub_name) {
                    self.stub_consts.insert(name.to_string());
                }
            }
            if let Expression::ObjectExpression(o) = inner
                && is_client_shaped(o)
            {
                self.stub_consts.insert(name.to_string());
            }
            self.decls
                .push((name.to_string(), span(inner.span()), iife));
            let mut reads = Vec::new();
            self.reads(init, &mut reads, 0);
            let computed = self.computes(init);
            self.const_reads.insert(name.to_string(), (reads, computed));
            let mut envs = Vec::new();
            self.envs_in(init, &mut envs, 0);
            self.const_envs.insert(name.to_string(), envs);
            if let Some(env) = self.env_of(init) {
                self.const_env.insert(name.to_string(), env);
            }
            let sql = self.dynamic_sql(init);
            self.sql_consts.insert(name.to_string(), sql);
            let fixed = self.const_decl;
            if fixed && self.constant(init, 0) {
                self.constant_consts.insert(name.to_string());
            } else {
                self.constant_consts.remove(name);
            }
            if fixed && self.sql_safe(init, 0) {
                self.sql_safe_consts.insert(name.to_string());
            } else {
                self.sql_safe_consts.remove(name);
            }
            if fixed
                && matches!(
                    init.get_inner_expression(),
                    Expression::ObjectExpression(_) | Expression::ArrayExpression(_)
                )
                && self.constant_literal(init, 0)
            {
                self.constant_objects.insert(name.to_string());
            } else {
                self.constant_objects.remove(name);
            }
            let clean = self.sanitized(init, 0);
            self.sanitized_consts.insert(name.to_string(), clean);
        }
        self.pend_result(it);
        walk::walk_variable_declarator(self, it);
    }

    fn visit_ts_type(&mut self, it: &TSType<'a>) {
        self.in_a_type(|v| walk::walk_ts_type(v, it));
    }

    fn visit_ts_type_alias_declaration(&mut self, it: &TSTypeAliasDeclaration<'a>) {
        self.in_a_type(|v| walk::walk_ts_type_alias_declaration(v, it));
    }

    fn visit_ts_interface_declaration(&mut self, it: &TSInterfaceDeclaration<'a>) {
        self.in_a_type(|v| walk::walk_ts_interface_declaration(v, it));
    }

    fn visit_ts_class_implements(&mut self, it: &TSClassImplements<'a>) {
        self.in_a_type(|v| walk::walk_ts_class_implements(v, it));
    }

    fn visit_identifier_reference(&mut self, it: &IdentifierReference<'a>) {
        if self.in_type == 0 {
            self.value_refs.insert(it.name.as_str().to_string());
        }
        self.refs
            .entry(it.name.as_str().to_string())
            .or_default()
            .push(it.span.start);
    }

    fn visit_function_body(&mut self, it: &FunctionBody<'a>) {
        self.scopes.push((span(it.span), true));
        walk::walk_function_body(self, it);
        self.scopes.pop();
    }

    fn visit_block_statement(&mut self, it: &BlockStatement<'a>) {
        self.scopes.push((span(it.span), false));
        walk::walk_block_statement(self, it);
        self.scopes.pop();
    }

    /// `el.innerHTML = X`, `el.outerHTML += X`.
    fn visit_assignment_expression(&mut self, it: &AssignmentExpression<'a>) {
        if let AssignmentTarget::StaticMemberExpression(m) = &it.left
            && matches!(
                it.operator,
                AssignmentOperator::Assign | AssignmentOperator::Addition
            )
        {
            match m.property.name.as_str() {
                "innerHTML" => self.push_html("innerHTML", &it.right),
                "outerHTML" => self.push_html("outerHTML", &it.right),
                _ => {}
            }
        }
        walk::walk_assignment_expression(self, it);
    }

    /// `dangerouslySetInnerHTML={{ __html: X }}`.
    fn visit_jsx_attribute(&mut self, it: &JSXAttribute<'a>) {
        if let JSXAttributeName::Identifier(name) = &it.name
            && name.name == "dangerouslySetInnerHTML"
            && let Some(JSXAttributeValue::ExpressionContainer(c)) = &it.value
            && let Some(Expression::ObjectExpression(o)) = c
                .expression
                .as_expression()
                .map(|e| e.get_inner_expression())
        {
            for p in &o.properties {
                if let ObjectPropertyKind::ObjectProperty(p) = p
                    && !p.computed
                    && p.key.static_name().is_some_and(|k| k == "__html")
                {
                    self.push_html("dangerouslySetInnerHTML", &p.value);
                }
            }
        }
        walk::walk_jsx_attribute(self, it);
    }

    fn visit_string_literal(&mut self, it: &StringLiteral<'a>) {
        if secrets::classify(it.value.as_str()).is_some_and(|k| k.is_secret()) {
            let s = self.literal(it);
            self.file.key_literals.push((s.value, span(it.span)));
        }
    }

    /// `` `sb_secret_…` `` and the static parts of `` `${a}sb_secret_…` ``.
    fn visit_template_literal(&mut self, it: &TemplateLiteral<'a>) {
        let whole = it.expressions.is_empty() && it.quasis.len() == 1;
        for q in &it.quasis {
            let Some(value) = q.value.cooked.as_ref().map(|c| c.as_str()) else {
                continue;
            };
            if secrets::classify(value).is_some_and(|k| k.is_secret()) {
                let at = if whole { it.span } else { q.span };
                self.file.key_literals.push((value.to_string(), span(at)));
            }
        }
        walk::walk_template_literal(self, it);
    }

    fn visit_import_declaration(&mut self, it: &ImportDeclaration<'a>) {
        let s = self.literal(&it.source);
        // `import type …`, or `import { type A, type B }` (elided whole).
        let type_only = it.import_kind.is_type()
            || it.specifiers.as_ref().is_some_and(|specs| {
                !specs.is_empty()
                    && specs.iter().all(|sp| {
                        matches!(sp, ImportDeclarationSpecifier::ImportSpecifier(sp)
                            if sp.import_kind.is_type())
                    })
            });
        for spec in it.specifiers.iter().flatten() {
            let (local, imported) = match spec {
                ImportDeclarationSpecifier::ImportSpecifier(sp) => (
                    sp.local.name.as_str(),
                    sp.imported.name().as_str().to_string(),
                ),
                ImportDeclarationSpecifier::ImportDefaultSpecifier(sp) => {
                    (sp.local.name.as_str(), "default".to_string())
                }
                ImportDeclarationSpecifier::ImportNamespaceSpecifier(_) => continue,
            };
            self.file.import_bindings.push(ImportBinding {
                local: local.to_string(),
                imported,
                source: s.value.clone(),
            });
        }
        let locals: Vec<String> = it
            .specifiers
            .iter()
            .flatten()
            .filter(|sp| {
                !matches!(sp, ImportDeclarationSpecifier::ImportSpecifier(sp)
                    if sp.import_kind.is_type())
            })
            .map(|sp| sp.local().name.as_str().to_string())
            .collect();
        if !type_only && !locals.is_empty() {
            self.import_locals.push((self.file.imports.len(), locals));
        }
        self.file.imports.push(Import {
            source: s.value,
            span: span(it.source.span),
            kind: if type_only {
                ImportKind::TypeOnly
            } else {
                ImportKind::Static
            },
        });
    }

    fn enter_node(&mut self, kind: AstKind<'a>) {
        let (whole, body, name) = match kind {
            AstKind::Function(f) => {
                let Some(body) = &f.body else {
                    return;
                };
                (
                    f.span,
                    body.span,
                    f.id.as_ref().map(|id| id.name.as_str().to_string()),
                )
            }
            AstKind::ArrowFunctionExpression(f) => (f.span, f.body.span(), None),
            _ => return,
        };
        let name = name.or_else(|| self.fn_names.get(&whole.start).cloned());
        self.file.functions.push(Function {
            name,
            span: span(whole),
            body: span(body),
        });
        let index = self.file.functions.len() - 1;
        self.fn_stack.push(index);
        if let AstKind::ArrowFunctionExpression(f) = kind
            && let Some(e) = f.get_expression()
        {
            self.mark_returned(e, index);
        }
    }

    fn leave_node(&mut self, kind: AstKind<'a>) {
        match kind {
            AstKind::Function(f) if f.body.is_some() => {
                self.fn_stack.pop();
            }
            AstKind::ArrowFunctionExpression(_) => {
                self.fn_stack.pop();
            }
            _ => {}
        }
    }

    fn visit_return_statement(&mut self, it: &ReturnStatement<'a>) {
        if let (Some(e), Some(&index)) = (&it.argument, self.fn_stack.last()) {
            self.mark_returned(e, index);
        }
        walk::walk_return_statement(self, it);
    }

    fn visit_method_definition(&mut self, it: &MethodDefinition<'a>) {
        if let Some(name) = it.key.static_name() {
            self.fn_names.insert(it.value.span.start, name.to_string());
        }
        walk::walk_method_definition(self, it);
    }

    fn visit_object_property(&mut self, it: &ObjectProperty<'a>) {
        if let Some(name) = it.key.static_name()
            && let Some(start) = function_start(&it.value)
        {
            self.fn_names.insert(start, name.to_string());
        }
        walk::walk_object_property(self, it);
    }

    fn visit_property_definition(&mut self, it: &PropertyDefinition<'a>) {
        if let Some(name) = it.key.static_name()
            && let Some(start) = it.value.as_ref().and_then(function_start)
        {
            self.fn_names.insert(start, name.to_string());
        }
        walk::walk_property_definition(self, it);
    }

    /// `if (!url || !key) { return stub }`, `if (url && key) … else …`.
    fn visit_if_statement(&mut self, it: &IfStatement<'a>) {
        if let Some(alternate) = &it.alternate {
            self.file
                .exclusive
                .push((span(it.consequent.span()), span(alternate.span())));
        }
        let mut envs = Vec::new();
        self.envs_in(&it.test, &mut envs, 0);
        if !envs.is_empty() && !self.is_env_mode_test(&it.test) {
            match tests_missing(&it.test, 0) {
                Some(true) => self.missing_branch(&it.consequent, &envs),
                Some(false) => {
                    if let Some(alternate) = &it.alternate {
                        self.missing_branch(alternate, &envs);
                    }
                }
                None => {}
            }
        }
        if exits(&it.consequent) {
            let mut tested = Vec::new();
            null_tested(&it.test, &mut tested, 0);
            for t in tested {
                let path = self
                    .text
                    .get(t.range())
                    .unwrap_or("")
                    .replace("?.", ".")
                    .replace('!', "");
                self.null_guards.push((path, it.span.start));
            }
        }
        walk::walk_if_statement(self, it);
    }

    /// `url && key ? createClient(url, key) : createStubClient()`.
    fn visit_conditional_expression(&mut self, it: &ConditionalExpression<'a>) {
        self.file
            .exclusive
            .push((span(it.consequent.span()), span(it.alternate.span())));
        let mut envs = Vec::new();
        self.envs_in(&it.test, &mut envs, 0);
        if !envs.is_empty() && !self.is_env_mode_test(&it.test) {
            match tests_missing(&it.test, 0) {
                Some(true) => self.fallback_value(&it.consequent, &envs, false, None),
                Some(false) => self.fallback_value(&it.alternate, &envs, false, None),
                None => {}
            }
        }
        walk::walk_conditional_expression(self, it);
    }

    /// `process.env.X || 'https://placeholder.supabase.co'`.
    fn visit_logical_expression(&mut self, it: &LogicalExpression<'a>) {
        if matches!(it.operator, LogicalOperator::Or | LogicalOperator::Coalesce)
            && let Some(s) = self.string(&it.right)
            && is_placeholder(&s.value)
        {
            let mut envs = Vec::new();
            self.envs_in(&it.left, &mut envs, 0);
            if !envs.is_empty() {
                self.file.env_fallbacks.push(EnvFallback {
                    envs,
                    kind: FallbackKind::Placeholder(s.value),
                    span: span(it.right.span()),
                    guarded: false,
                    insert_at: None,
                });
            }
        }
        walk::walk_logical_expression(self, it);
    }

    fn visit_export_all_declaration(&mut self, it: &ExportAllDeclaration<'a>) {
        let s = self.literal(&it.source);
        self.file.imports.push(Import {
            source: s.value,
            span: span(it.source.span),
            kind: if it.export_kind.is_type() {
                ImportKind::TypeOnly
            } else {
                ImportKind::ReExport
            },
        });
        walk::walk_export_all_declaration(self, it);
    }

    fn visit_export_from_declaration(&mut self, it: &ExportFromDeclaration<'a>) {
        let s = self.literal(&it.source);
        let type_only = it.export_kind.is_type()
            || (!it.specifiers.is_empty()
                && it.specifiers.iter().all(|sp| sp.export_kind.is_type()));
        self.file.imports.push(Import {
            source: s.value,
            span: span(it.source.span),
            kind: if type_only {
                ImportKind::TypeOnly
            } else {
                ImportKind::ReExport
            },
        });
        walk::walk_export_from_declaration(self, it);
    }

    fn visit_import_expression(&mut self, it: &ImportExpression<'a>) {
        if let Some(s) = self.string(&it.source) {
            self.file.imports.push(Import {
                source: s.value,
                span: span(it.source.span()),
                kind: ImportKind::Dynamic,
            });
        }
        walk::walk_import_expression(self, it);
    }

    fn visit_for_of_statement(&mut self, it: &ForOfStatement<'a>) {
        self.push_loop(LoopKind::For, it.body.span(), None);
        walk::walk_for_of_statement(self, it);
    }

    fn visit_for_in_statement(&mut self, it: &ForInStatement<'a>) {
        self.push_loop(LoopKind::For, it.body.span(), None);
        walk::walk_for_in_statement(self, it);
    }

    fn visit_for_statement(&mut self, it: &ForStatement<'a>) {
        self.push_loop(LoopKind::For, it.body.span(), None);
        walk::walk_for_statement(self, it);
    }

    fn visit_while_statement(&mut self, it: &WhileStatement<'a>) {
        self.push_loop(LoopKind::While, it.body.span(), Some(it.test.span()));
        walk::walk_while_statement(self, it);
    }

    fn visit_do_while_statement(&mut self, it: &DoWhileStatement<'a>) {
        self.push_loop(LoopKind::While, it.body.span(), Some(it.test.span()));
        walk::walk_do_while_statement(self, it);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lowers_chains_env_and_directives() {
        let src = r#"'use client';
import { createClient } from '@supabase/supabase-js';
const key = process.env.SUPABASE_SERVICE_ROLE_KEY!;
const admin = createClient(process.env.NEXT_PUBLIC_SUPABASE_URL!, key);
export async function load(ids: string[]) {
  const { data } = await admin.from('profiles').select('id, name').eq('user_id', ids[0]).order('created_at');
  for (const id of ids) {
    await admin.schema('api').from('items').update({ qty: 1, 'note': 'x' }).eq('id', id);
  }
  await Promise.all(ids.map(async (id) => admin.rpc('bump', { p_id: id })));
  Array.from('abc');
}
"#;
        let f = parse_client("a.tsx", src);
        assert!(!f.failed);
        assert_eq!(f.directive.map(|d| d.0), Some(Directive::UseClient));
        assert_eq!(f.imports[0].source, "@supabase/supabase-js");
        assert_eq!(f.clients.len(), 1);
        assert_eq!(
            f.clients[0].key_env.as_deref(),
            Some("SUPABASE_SERVICE_ROLE_KEY")
        );
        let names: Vec<&str> = f.env_refs.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(
            names,
            ["SUPABASE_SERVICE_ROLE_KEY", "NEXT_PUBLIC_SUPABASE_URL"]
        );
        assert_eq!(f.queries.len(), 3, "{:#?}", f.queries);
        let q = &f.queries[0];
        let (t, schema) = q.table().unwrap();
        assert_eq!((t.value.as_str(), schema), ("profiles", None));
        assert_eq!(&src[t.span.range()], "profiles");
        let methods: Vec<&str> = q.ops.iter().map(|o| o.method.as_str()).collect();
        assert_eq!(methods, ["select", "eq", "order"]);
        assert!(q.awaited && q.in_loop.is_none());
        let q = &f.queries[1];
        assert_eq!(q.table().unwrap().1, Some("api"));
        assert!(q.awaited && q.in_loop.is_some());
        match &q.ops[0].args[0] {
            Arg::Object { keys, complete, .. } => {
                assert!(complete);
                assert_eq!(keys[1].0, "note");
                assert_eq!(&src[keys[1].1.range()], "note");
            }
            other => panic!("{other:?}"),
        }
        let q = &f.queries[2];
        assert!(q.in_loop.is_some());
        match &q.target {
            Target::Rpc { name, args, .. } => {
                assert_eq!(name.value, "bump");
                assert_eq!(args.as_ref().unwrap()[0].0, "p_id");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn lowers_loops_template_keys_and_rpc_schema() {
        let src = r#"
const k = `sb_secret_RoqthptUrVDdl4IFg0CxzP_le72n7qL`;
const h = `Bearer ${x}`;
async function f(ids) {
  while (queue.length) { await supabase.from('a').select('id'); }
  do { await supabase.from('b').select('id'); } while (attempt++ < 3);
  await Promise.all(ids.map((id) => supabase.from('c').select('id').eq('id', id)));
  ids.forEach((id) => supabase.from('d').select('id'));
  await supabase.schema('billing').rpc('spend');
}
"#;
        let f = parse_client("a.ts", src);
        assert_eq!(f.key_literals.len(), 1, "{:?}", f.key_literals);
        assert_eq!(
            &src[f.key_literals[0].1.range()],
            "`sb_secret_RoqthptUrVDdl4IFg0CxzP_le72n7qL`"
        );
        let kinds: Vec<(LoopKind, Option<&str>)> = f
            .loops
            .iter()
            .map(|l| (l.kind, l.condition.as_deref()))
            .collect();
        assert_eq!(
            kinds,
            [
                (LoopKind::While, Some("queue.length")),
                (LoopKind::While, Some("attempt++ < 3")),
                (LoopKind::Callback, None),
            ]
        );
        let in_loop: Vec<bool> = f.queries.iter().map(|q| q.in_loop.is_some()).collect();
        assert_eq!(in_loop, [true, true, true, false, false]);
        match &f.queries[4].target {
            Target::Rpc { name, schema, .. } => {
                assert_eq!(
                    (name.value.as_str(), schema.as_deref()),
                    ("spend", Some("billing"))
                );
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn lowers_query_results() {
        let src = r#"
async function f(id) {
  const { data } = await supabase.from('a').select('id');
  const { data: b, error: e } = await supabase.from('b').select('id');
  const { data: c, error } = await supabase.from('c').select('id');
  if (error) throw error;
  const res = await supabase.from('d').select('id');
  console.log(res.data);
  const res2 = await supabase.from('e').select('id');
  return res2;
  const { data: f, ...rest } = await supabase.rpc('g');
  const { error: { message } } = await supabase.from('h').delete().eq('id', id);
  const user = await fetchUser(id);
}
async function g() {
  if (e) {}
  { const { error } = await supabase.from('i').insert({}); }
  if (error) {}
}
"#;
        let f = parse_client("a.ts", src);
        type Row<'f> = (String, Option<Vec<String>>, bool, Option<&'f str>, bool);
        let got: Vec<Row> = f
            .results
            .iter()
            .map(|r| {
                let (t, _) = f.queries[r.query]
                    .table()
                    .map_or(("rpc", None), |(t, s)| (t.value.as_str(), s));
                (
                    t.to_string(),
                    r.keys.clone(),
                    r.open,
                    r.error.as_ref().map(|e| e.0.as_str()),
                    r.error_read,
                )
            })
            .collect();
        let k = |v: &[&str]| Some(v.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        assert_eq!(
            got,
            [
                ("a".into(), k(&["data"]), false, None, false),
                ("b".into(), k(&["data", "error"]), false, Some("e"), false),
                (
                    "c".into(),
                    k(&["data", "error"]),
                    false,
                    Some("error"),
                    true
                ),
                ("d".into(), None, false, Some("res"), false),
                ("e".into(), None, false, Some("res2"), true),
                ("rpc".into(), k(&["data"]), true, None, false),
                ("h".into(), k(&["error"]), false, None, false),
                // `error` read after the block that binds it: another variable.
                ("i".into(), k(&["error"]), false, Some("error"), false),
            ]
        );
        let r = &f.results[1];
        assert_eq!(&src[r.span.range()], "{ data: b, error: e }");
        assert_eq!(&src[r.error.as_ref().unwrap().1.range()], "e");
    }

    #[test]
    fn lowers_sql_interpolations() {
        let src = r#"
const q = `select * from items where owner = '${owner}'`;
await pool.query(q);
await pool.query(`SELECT * FROM t WHERE id = ${id}`);
await db.execute("delete from t where id = " + id);
await prisma.$queryRawUnsafe(`update t set a = ${a}`);
await supabase.rpc('exec_sql', { query: `select * from ${table}`, p_name: `${first} ${last}` });
await sql`select * from t where id = ${id}`;
await pool.query('select * from t where id = $1', [id]);
await pool.query(`select 1`);
toast.query(`Please ${verb} now`);
log("select " + x);
"#;
        let f = parse_client("a.ts", src);
        let got: Vec<(&str, &str)> = f
            .sql_interpolations
            .iter()
            .map(|(sink, at)| (sink.as_str(), &src[at.range()]))
            .collect();
        assert_eq!(
            got,
            [
                ("query", "`select * from items where owner = '${owner}'`"),
                ("query", "`SELECT * FROM t WHERE id = ${id}`"),
                ("execute", "\"delete from t where id = \" + id"),
                ("$queryRawUnsafe", "`update t set a = ${a}`"),
                ("rpc", "`select * from ${table}`"),
            ]
        );
        assert!(looks_like_sql("  SELECT\n id"));
        assert!(!looks_like_sql("Please update your profile"));
        assert!(!looks_like_sql("selected items"));
    }

    #[test]
    fn lowers_storage_calls() {
        let src = r#"
export async function save(file: File, id: string) {
  const { error } = await supabase.storage.from('avatars').upload(`${id}/avatar.png`, file, { upsert: true });
  const { data } = admin.storage.from('exports').getPublicUrl('report.csv');
  await supabase.storage.from(bucketName).remove([id]);
  await supabase.storage.from('avatars').unknownMethod();
  await supabase.from('avatars').select('id');
  return Array.from(files).map((f) => f.name);
}
"#;
        let f = parse_client("a.ts", src);
        let got: Vec<(&str, &str, Option<&str>, &str)> = f
            .storage
            .iter()
            .map(|c| {
                (
                    c.bucket.value.as_str(),
                    c.method.as_str(),
                    c.path.as_ref().map(|p| p.value.as_str()),
                    c.receiver.as_str(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                ("avatars", "upload", None, "supabase"),
                ("exports", "getPublicUrl", Some("report.csv"), "admin"),
            ]
        );
        // The table query is still a query, not a Storage call.
        assert_eq!(f.queries.len(), 1);
    }

    #[test]
    fn lowers_html_sinks() {
        let src = r#"
function A({ html, md }) {
  const clean = DOMPurify.sanitize(html);
  const memo = useMemo(() => sanitizeHtml(md), [md]);
  el.innerHTML = html;
  el.innerHTML = '';
  el.outerHTML += `<b>${name}</b>`;
  el.textContent = html;
  return <>
    <div dangerouslySetInnerHTML={{ __html: html }} />
    <div dangerouslySetInnerHTML={{ __html: clean }} />
    <div dangerouslySetInnerHTML={{ __html: memo }} />
    <div dangerouslySetInnerHTML={{ __html: DOMPurify.sanitize(marked(md)) }} />
    <script dangerouslySetInnerHTML={{ __html: JSON.stringify(ld).replace(/</g, '\\u003c') }} />
    <script dangerouslySetInnerHTML={{ __html: JSON.stringify(ld) }} />
    <div dangerouslySetInnerHTML={props.body} />
  </>;
}
"#;
        let f = parse_client("a.tsx", src);
        let got: Vec<(&str, &str, bool)> = f
            .html_sinks
            .iter()
            .map(|h| (h.sink, &src[h.value.range()], h.sanitized))
            .collect();
        assert_eq!(
            got,
            [
                ("innerHTML", "html", false),
                ("innerHTML", "''", true),
                ("outerHTML", "`<b>${name}</b>`", false),
                ("dangerouslySetInnerHTML", "html", false),
                ("dangerouslySetInnerHTML", "clean", true),
                ("dangerouslySetInnerHTML", "memo", true),
                (
                    "dangerouslySetInnerHTML",
                    "DOMPurify.sanitize(marked(md))",
                    true
                ),
                (
                    "dangerouslySetInnerHTML",
                    r"JSON.stringify(ld).replace(/</g, '\\u003c')",
                    true
                ),
                ("dangerouslySetInnerHTML", "JSON.stringify(ld)", false),
            ]
        );
    }

    #[test]
    fn garbage_does_not_panic() {
        for src in [
            "",
            "supabase.from(",
            "supabase.from('x').select(`a${b}`)",
            "\u{0}\u{1}",
            "}}}}((((",
            "`${`${(`",
        ] {
            let _ = parse_client("x.ts", src);
        }
        // Deep nesting is refused before the parser sees it (2 MiB test stack).
        for (src, refused) in [
            ("(".repeat(10_000) + "1" + &")".repeat(10_000), true),
            ("[".repeat(3000), true),
            (
                format!("x = {};", "<a>".repeat(9000) + &"</a>".repeat(9000)),
                true,
            ),
            ("(".repeat(900) + "1" + &")".repeat(900), false),
            (format!("x = a{};", ".b()".repeat(100_000)), false),
            (format!("x = {}1;", "a+".repeat(100_000)), false),
            (
                format!("x = `${{{}1{}}}`;", "(".repeat(900), ")".repeat(900)),
                false,
            ),
        ] {
            assert_eq!(
                parse_client("x.tsx", &src).failed,
                refused,
                "{}",
                &src[..20]
            );
        }
    }
}

#[cfg(test)]
mod name_at_tests {
    use super::*;
    use crate::client::NameAt;

    #[test]
    fn names_under_the_cursor() {
        let src = "await supabase.from('posts').select('id, author:profiles(full_name)').eq('status', 1).insert({ title: 'x' });";
        let f = parse_client("a.ts", src);
        let at = |needle: &str| f.name_at(src.find(needle).unwrap() as u32 + 1);
        let n = |t: &str, c: Option<&str>, needle: &str| {
            let start = src.find(needle).unwrap() as u32;
            Some(NameAt {
                schema: None,
                table: t.into(),
                column: c.map(Into::into),
                span: Span::new(start, start + needle.len() as u32),
            })
        };
        assert_eq!(at("posts"), n("posts", None, "posts"));
        assert_eq!(at("id,"), n("posts", Some("id"), "id"));
        assert_eq!(at("profiles("), n("profiles", None, "profiles"));
        assert_eq!(
            at("full_name"),
            n("profiles", Some("full_name"), "full_name")
        );
        assert_eq!(at("status"), n("posts", Some("status"), "status"));
        assert_eq!(at("title"), n("posts", Some("title"), "title"));
        assert_eq!(at("await"), None);
    }
}
