//! The grammar of the `structured_sql` target (fuzz_targets/structured_sql.rs):
//! the statements the schema model replays, generated with `arbitrary` and
//! rendered to text as several migrations, plus a supabase-js client file over
//! the same table and column names. Most inputs are valid SQL (so that replay,
//! rules and fixes go deep); `Stmt::Cut` adds half-typed statements.

use std::fmt::Write;

use arbitrary::Arbitrary;
use supaudit_core::{Project, SourceFile};

const TABLES: &[&str] = &["profiles", "posts", "orders", "teams", "items", "members"];
const COLUMNS: &[&str] = &[
    "id", "user_id", "owner_id", "team_id", "name", "status", "created_at", "email",
];
const FUNCTIONS: &[&str] = &["handle_new_user", "is_member", "get_items", "touch"];
const ROLES: &[&str] = &["anon", "authenticated", "service_role", "public", "postgres"];
const TYPES: &[&str] = &[
    "bigint", "uuid", "text", "integer", "timestamptz", "boolean", "jsonb", "text[]",
    "numeric(10, 2)", "varchar(20)",
];

#[derive(Arbitrary, Debug, Clone, Copy)]
pub enum Schema {
    Public,
    Private,
    Auth,
    Storage,
}

impl Schema {
    fn name(self) -> &'static str {
        match self {
            Schema::Public => "public",
            Schema::Private => "private",
            Schema::Auth => "auth",
            Schema::Storage => "storage",
        }
    }
}

#[derive(Arbitrary, Debug, Clone, Copy)]
pub struct Tbl(u8, Option<Schema>);
#[derive(Arbitrary, Debug, Clone, Copy)]
pub struct Col(u8);
#[derive(Arbitrary, Debug, Clone, Copy)]
pub struct Func(u8, Option<Schema>);
#[derive(Arbitrary, Debug, Clone, Copy)]
pub struct Role(u8);
#[derive(Arbitrary, Debug, Clone, Copy)]
pub struct Ty(u8);

fn pick<'a>(pool: &[&'a str], i: u8) -> &'a str {
    pool[i as usize % pool.len()]
}

impl Tbl {
    fn bare(self) -> &'static str {
        pick(TABLES, self.0)
    }
    fn render(self) -> String {
        match self.1 {
            Some(Schema::Auth) if self.0 % 2 == 0 => "auth.users".into(),
            Some(s) => format!("{}.{}", s.name(), self.bare()),
            None => self.bare().into(),
        }
    }
}

impl Col {
    fn name(self) -> &'static str {
        pick(COLUMNS, self.0)
    }
}

impl Func {
    fn render(self) -> String {
        let name = pick(FUNCTIONS, self.0);
        match self.1 {
            Some(s) => format!("{}.{name}", s.name()),
            None => name.into(),
        }
    }
}

#[derive(Arbitrary, Debug)]
pub enum ColDefault {
    None,
    Now,
    AuthUid,
    GenRandomUuid,
    Lit(i16),
    Str,
}

#[derive(Arbitrary, Debug)]
pub struct ColDef {
    col: Col,
    ty: Ty,
    not_null: bool,
    primary_key: bool,
    unique: bool,
    default: ColDefault,
    references: Option<(Tbl, Option<Col>, OnDelete)>,
    generated_identity: bool,
    check: Option<Expr>,
}

#[derive(Arbitrary, Debug, Clone, Copy)]
pub enum OnDelete {
    Nothing,
    Cascade,
    SetNull,
    Restrict,
}

#[derive(Arbitrary, Debug)]
pub enum TableConstraint {
    PrimaryKey(Vec<Col>),
    Unique(Vec<Col>),
    ForeignKey(Vec<Col>, Tbl, Vec<Col>, OnDelete),
    Check(Expr),
}

#[derive(Arbitrary, Debug)]
pub enum Expr {
    True,
    AuthUid,
    SelectAuthUid,
    AuthRole,
    AuthJwt,
    Col(Col),
    Int(i16),
    Str(u8),
    Null,
    Eq(Box<Expr>, Box<Expr>),
    Cmp(u8, Box<Expr>, Box<Expr>),
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    Not(Box<Expr>),
    IsNull(Box<Expr>, bool),
    /// `(((e)))`, up to 1,200 levels (deeper than the 200 the lowering follows).
    Nest(u16, Box<Expr>),
    InSelect(Col, Col, Tbl, Option<Box<Expr>>),
    Exists(Tbl, Box<Expr>),
    Call(Func, Vec<Expr>),
    Cast(Box<Expr>, Ty),
    Any(Col, Col, Tbl),
}

#[derive(Arbitrary, Debug, Clone, Copy)]
pub enum Cmd {
    All,
    Select,
    Insert,
    Update,
    Delete,
}

#[derive(Arbitrary, Debug, Clone, Copy)]
pub enum Priv {
    All,
    Select,
    Insert,
    Update,
    Delete,
    Truncate,
    References,
    Trigger,
    Usage,
    Execute,
}

#[derive(Arbitrary, Debug)]
pub enum GrantOn {
    Table(Tbl),
    AllTables(Schema),
    Function(Func, Vec<Ty>),
    AllFunctions(Schema),
    Schema(Schema),
    Sequence(Tbl),
}

#[derive(Arbitrary, Debug)]
pub enum Lang {
    Sql,
    Plpgsql,
}

#[derive(Arbitrary, Debug)]
pub enum Returns {
    Trigger,
    Void,
    Boolean,
    SetOf(Tbl),
    Table(Vec<(Col, Ty)>),
    Type(Ty),
}

#[derive(Arbitrary, Debug)]
pub enum SearchPath {
    Empty,
    Public,
    PublicExtensions,
    PgTemp,
}

#[derive(Arbitrary, Debug)]
pub enum Stmt {
    Begin,
    CreateTable {
        t: Tbl,
        if_not_exists: bool,
        cols: Vec<ColDef>,
        constraints: Vec<TableConstraint>,
        partition: bool,
    },
    AddColumn(Tbl, ColDef, bool),
    DropColumn(Tbl, Col, bool, bool),
    RenameColumn(Tbl, Col, Col),
    AlterColumnType(Tbl, Col, Ty),
    SetNotNull(Tbl, Col, bool),
    RenameTable(Tbl, Tbl),
    DropTable(Tbl, bool, bool),
    Rls(Tbl, u8),
    CreateIndex {
        concurrently: bool,
        unique: bool,
        if_not_exists: bool,
        name: Option<u8>,
        t: Tbl,
        cols: Vec<Col>,
        using_gin: bool,
        predicate: Option<Expr>,
    },
    DropIndex(u8, bool, bool),
    CreatePolicy {
        name: u8,
        t: Tbl,
        restrictive: bool,
        cmd: Cmd,
        roles: Vec<Role>,
        using: Option<Expr>,
        check: Option<Expr>,
    },
    AlterPolicy(u8, Tbl, Option<Expr>, Option<Expr>),
    DropPolicy(u8, Tbl, bool),
    CreateFunction {
        or_replace: bool,
        f: Func,
        args: Vec<(Col, Ty)>,
        returns: Returns,
        lang: Lang,
        security_definer: bool,
        search_path: Option<SearchPath>,
        stable: bool,
        body: Vec<Stmt>,
    },
    DropFunction(Func, bool),
    AlterFunction(Func, Option<SearchPath>, bool),
    CreateTrigger(u8, Tbl, Func, bool),
    Grant(Vec<Priv>, GrantOn, Vec<Role>),
    Revoke(Vec<Priv>, GrantOn, Vec<Role>),
    AlterDefaultPrivileges(Schema, Vec<Priv>, Role, bool),
    Commit,
    Rollback,
    Do(Vec<Stmt>),
    CreateView(Tbl, Tbl, Vec<Col>, bool, Option<Expr>),
    CreateMatView(Tbl, Tbl, Vec<Col>),
    RefreshMatView(Tbl, bool),
    CreateSchema(Schema),
    CreateExtension(u8, Option<Schema>),
    Select(Expr),
    Insert(Tbl, Vec<Col>),
    Update(Tbl, Col, Expr),
    Delete(Tbl, Option<Expr>),
    CreateType(u8, Vec<u8>),
    Comment(Tbl, Option<Col>),
    Bucket(u8, bool),
    /// A statement cut short, as an editor sends it.
    Cut(Box<Stmt>, u16),
    /// A statement twice, in one line, without a separator.
    Glued(Box<Stmt>, Box<Stmt>),
}

#[derive(Arbitrary, Debug)]
pub struct Migration {
    version_gap: u8,
    stmts: Vec<Stmt>,
}

#[derive(Arbitrary, Debug)]
pub enum Filter {
    Eq(Col),
    In(Col),
    Is(Col),
    Or(Col, Col),
    Match(Col),
}

#[derive(Arbitrary, Debug)]
pub enum Call {
    Select {
        t: Tbl,
        cols: Vec<Col>,
        embed: Option<(Tbl, Col)>,
        filters: Vec<Filter>,
        single: bool,
        reads_error: bool,
    },
    Insert(Tbl, Vec<Col>, bool),
    Upsert(Tbl, Vec<Col>, Option<Col>),
    Update(Tbl, Col, Filter),
    Delete(Tbl, Option<Filter>),
    Rpc(Func, Vec<Col>),
    Storage(u8, bool),
    Loop(Box<Call>),
    SqlTemplate(Tbl),
}

#[derive(Arbitrary, Debug)]
pub struct Input {
    pub migrations: Vec<Migration>,
    pub seed: Vec<Stmt>,
    pub calls: Vec<Call>,
    pub use_server: bool,
    pub service_key: bool,
    pub all_rules: bool,
    pub exposed_private: bool,
}

/// Expressions deeper than this render as a literal (keeps inputs small; deep
/// nesting comes from `Expr::Nest`).
const MAX_EXPR_DEPTH: usize = 12;
/// Function bodies and DO blocks nest at most this deep.
const MAX_BODY_DEPTH: usize = 3;

fn expr(out: &mut String, e: &Expr, depth: usize) {
    if depth > MAX_EXPR_DEPTH {
        out.push_str("true");
        return;
    }
    let d = depth + 1;
    match e {
        Expr::True => out.push_str("true"),
        Expr::AuthUid => out.push_str("auth.uid()"),
        Expr::SelectAuthUid => out.push_str("(select auth.uid())"),
        Expr::AuthRole => out.push_str("auth.role() = 'authenticated'"),
        Expr::AuthJwt => out.push_str("(auth.jwt() ->> 'role') = 'admin'"),
        Expr::Col(c) => out.push_str(c.name()),
        Expr::Int(i) => {
            let _ = write!(out, "{i}");
        }
        Expr::Str(i) => {
            let _ = write!(out, "'v{i}''s'");
        }
        Expr::Null => out.push_str("null"),
        Expr::Eq(a, b) => {
            expr(out, a, d);
            out.push_str(" = ");
            expr(out, b, d);
        }
        Expr::Cmp(op, a, b) => {
            expr(out, a, d);
            out.push_str(pick(&[" < ", " >= ", " <> ", " like ", " @> ", " ->> "], *op));
            expr(out, b, d);
        }
        Expr::And(a, b) | Expr::Or(a, b) => {
            out.push('(');
            expr(out, a, d);
            out.push_str(if matches!(e, Expr::And(..)) { " and " } else { " or " });
            expr(out, b, d);
            out.push(')');
        }
        Expr::Not(a) => {
            out.push_str("not ");
            expr(out, a, d);
        }
        Expr::IsNull(a, not) => {
            expr(out, a, d);
            out.push_str(if *not { " is not null" } else { " is null" });
        }
        Expr::Nest(n, a) => {
            let n = (*n % 1200) as usize;
            out.push_str(&"(".repeat(n));
            expr(out, a, d);
            out.push_str(&")".repeat(n));
        }
        Expr::InSelect(c, c2, t, w) => {
            let _ = write!(out, "{} in (select {} from {}", c.name(), c2.name(), t.render());
            if let Some(w) = w {
                out.push_str(" where ");
                expr(out, w, d);
            }
            out.push(')');
        }
        Expr::Exists(t, w) => {
            let _ = write!(out, "exists (select 1 from {} where ", t.render());
            expr(out, w, d);
            out.push(')');
        }
        Expr::Call(f, args) => {
            out.push_str(&f.render());
            out.push('(');
            for (i, a) in args.iter().take(4).enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                expr(out, a, d);
            }
            out.push(')');
        }
        Expr::Cast(a, ty) => {
            out.push('(');
            expr(out, a, d);
            let _ = write!(out, ")::{}", pick(TYPES, ty.0));
        }
        Expr::Any(c, c2, t) => {
            let _ = write!(
                out,
                "{} = any (array(select {} from {}))",
                c.name(),
                c2.name(),
                t.render()
            );
        }
    }
}

fn cols(out: &mut String, cs: &[Col]) {
    let cs: Vec<&str> = cs.iter().take(4).map(|c| c.name()).collect();
    out.push_str(if cs.is_empty() { "id" } else { "" });
    out.push_str(&cs.join(", "));
}

fn on_delete(out: &mut String, o: OnDelete) {
    out.push_str(match o {
        OnDelete::Nothing => "",
        OnDelete::Cascade => " on delete cascade",
        OnDelete::SetNull => " on delete set null",
        OnDelete::Restrict => " on delete restrict",
    });
}

fn col_def(out: &mut String, c: &ColDef) {
    let _ = write!(out, "{} {}", c.col.name(), pick(TYPES, c.ty.0));
    if c.generated_identity {
        out.push_str(" generated always as identity");
    }
    if c.primary_key {
        out.push_str(" primary key");
    }
    if c.not_null {
        out.push_str(" not null");
    }
    if c.unique {
        out.push_str(" unique");
    }
    if let ColDefault::Lit(i) = c.default {
        let _ = write!(out, " default {i}");
    }
    out.push_str(match c.default {
        ColDefault::None => "",
        ColDefault::Now => " default now()",
        ColDefault::AuthUid => " default auth.uid()",
        ColDefault::GenRandomUuid => " default gen_random_uuid()",
        ColDefault::Lit(_) => "",
        ColDefault::Str => " default 'draft'",
    });
    if let Some((t, c2, o)) = &c.references {
        let _ = write!(out, " references {}", t.render());
        if let Some(c2) = c2 {
            let _ = write!(out, " ({})", c2.name());
        }
        on_delete(out, *o);
    }
    if let Some(e) = &c.check {
        out.push_str(" check (");
        expr(out, e, 0);
        out.push(')');
    }
}

fn privs(out: &mut String, ps: &[Priv]) {
    if ps.is_empty() {
        out.push_str("all");
        return;
    }
    let names: Vec<&str> = ps
        .iter()
        .take(4)
        .map(|p| match p {
            Priv::All => "all privileges",
            Priv::Select => "select",
            Priv::Insert => "insert",
            Priv::Update => "update",
            Priv::Delete => "delete",
            Priv::Truncate => "truncate",
            Priv::References => "references",
            Priv::Trigger => "trigger",
            Priv::Usage => "usage",
            Priv::Execute => "execute",
        })
        .collect();
    out.push_str(&names.join(", "));
}

fn grant_on(out: &mut String, on: &GrantOn) {
    match on {
        GrantOn::Table(t) => {
            let _ = write!(out, "table {}", t.render());
        }
        GrantOn::AllTables(s) => {
            let _ = write!(out, "all tables in schema {}", s.name());
        }
        GrantOn::Function(f, args) => {
            let a: Vec<&str> = args.iter().take(3).map(|t| pick(TYPES, t.0)).collect();
            let _ = write!(out, "function {}({})", f.render(), a.join(", "));
        }
        GrantOn::AllFunctions(s) => {
            let _ = write!(out, "all functions in schema {}", s.name());
        }
        GrantOn::Schema(s) => {
            let _ = write!(out, "schema {}", s.name());
        }
        GrantOn::Sequence(t) => {
            let _ = write!(out, "sequence {}_id_seq", t.render());
        }
    }
}

fn roles(out: &mut String, rs: &[Role]) {
    let names: Vec<&str> = rs.iter().take(3).map(|r| pick(ROLES, r.0)).collect();
    out.push_str(if names.is_empty() { "authenticated" } else { "" });
    out.push_str(&names.join(", "));
}

fn search_path(out: &mut String, sp: &SearchPath) {
    out.push_str(match sp {
        SearchPath::Empty => " set search_path = ''",
        SearchPath::Public => " set search_path = public",
        SearchPath::PublicExtensions => " set search_path = public, extensions",
        SearchPath::PgTemp => " set search_path to pg_catalog, pg_temp",
    });
}

fn body(out: &mut String, stmts: &[Stmt], depth: usize, plpgsql: bool) {
    for s in stmts.iter().take(6) {
        out.push_str("  ");
        stmt(out, s, depth + 1);
        out.push('\n');
    }
    if plpgsql && stmts.is_empty() {
        out.push_str("  null;\n");
    }
}

fn stmt(out: &mut String, s: &Stmt, depth: usize) {
    if depth > MAX_BODY_DEPTH {
        out.push_str("select 1;");
        return;
    }
    match s {
        Stmt::Begin => out.push_str("begin;"),
        Stmt::Commit => out.push_str("commit;"),
        Stmt::Rollback => out.push_str("rollback;"),
        Stmt::CreateTable {
            t,
            if_not_exists,
            cols: cds,
            constraints,
            partition,
        } => {
            let _ = write!(
                out,
                "create table {}{} (\n",
                if *if_not_exists { "if not exists " } else { "" },
                t.render()
            );
            let mut parts = Vec::new();
            for c in cds.iter().take(8) {
                let mut p = String::from("  ");
                col_def(&mut p, c);
                parts.push(p);
            }
            for c in constraints.iter().take(4) {
                let mut p = String::from("  ");
                match c {
                    TableConstraint::PrimaryKey(cs) => {
                        p.push_str("primary key (");
                        cols(&mut p, cs);
                        p.push(')');
                    }
                    TableConstraint::Unique(cs) => {
                        p.push_str("unique (");
                        cols(&mut p, cs);
                        p.push(')');
                    }
                    TableConstraint::ForeignKey(cs, t2, cs2, o) => {
                        p.push_str("foreign key (");
                        cols(&mut p, cs);
                        let _ = write!(p, ") references {} (", t2.render());
                        cols(&mut p, cs2);
                        p.push(')');
                        on_delete(&mut p, *o);
                    }
                    TableConstraint::Check(e) => {
                        p.push_str("constraint chk check (");
                        expr(&mut p, e, 0);
                        p.push(')');
                    }
                }
                parts.push(p);
            }
            out.push_str(&parts.join(",\n"));
            out.push_str("\n)");
            if *partition {
                out.push_str(" partition by range (created_at)");
            }
            out.push(';');
        }
        Stmt::AddColumn(t, c, ine) => {
            let _ = write!(
                out,
                "alter table {} add column {}",
                t.render(),
                if *ine { "if not exists " } else { "" }
            );
            col_def(out, c);
            out.push(';');
        }
        Stmt::DropColumn(t, c, ie, cascade) => {
            let _ = write!(
                out,
                "alter table {} drop column {}{}{};",
                t.render(),
                if *ie { "if exists " } else { "" },
                c.name(),
                if *cascade { " cascade" } else { "" }
            );
        }
        Stmt::RenameColumn(t, a, b) => {
            let _ = write!(out, "alter table {} rename column {} to {};", t.render(), a.name(), b.name());
        }
        Stmt::AlterColumnType(t, c, ty) => {
            let _ = write!(
                out,
                "alter table {} alter column {} type {} using {}::{};",
                t.render(),
                c.name(),
                pick(TYPES, ty.0),
                c.name(),
                pick(TYPES, ty.0)
            );
        }
        Stmt::SetNotNull(t, c, set) => {
            let _ = write!(
                out,
                "alter table {} alter column {} {} not null;",
                t.render(),
                c.name(),
                if *set { "set" } else { "drop" }
            );
        }
        Stmt::RenameTable(t, to) => {
            let _ = write!(out, "alter table {} rename to {};", t.render(), to.bare());
        }
        Stmt::DropTable(t, ie, cascade) => {
            let _ = write!(
                out,
                "drop table {}{}{};",
                if *ie { "if exists " } else { "" },
                t.render(),
                if *cascade { " cascade" } else { "" }
            );
        }
        Stmt::Rls(t, how) => {
            let _ = write!(
                out,
                "alter table {} {} row level security;",
                t.render(),
                pick(&["enable", "disable", "force", "no force"], *how)
            );
        }
        Stmt::CreateIndex {
            concurrently,
            unique,
            if_not_exists,
            name,
            t,
            cols: cs,
            using_gin,
            predicate,
        } => {
            let _ = write!(
                out,
                "create {}index {}{}",
                if *unique { "unique " } else { "" },
                if *concurrently { "concurrently " } else { "" },
                if *if_not_exists { "if not exists " } else { "" },
            );
            if let Some(n) = name {
                let _ = write!(out, "idx_{n} ");
            }
            let _ = write!(out, "on {}{} (", t.render(), if *using_gin { " using gin" } else { "" });
            cols(out, cs);
            out.push(')');
            if let Some(p) = predicate {
                out.push_str(" where ");
                expr(out, p, 0);
            }
            out.push(';');
        }
        Stmt::DropIndex(n, concurrently, ie) => {
            let _ = write!(
                out,
                "drop index {}{}idx_{n};",
                if *concurrently { "concurrently " } else { "" },
                if *ie { "if exists " } else { "" }
            );
        }
        Stmt::CreatePolicy {
            name,
            t,
            restrictive,
            cmd,
            roles: rs,
            using,
            check,
        } => {
            let _ = write!(out, "create policy \"policy {name}\" on {}", t.render());
            if *restrictive {
                out.push_str(" as restrictive");
            }
            out.push_str(match cmd {
                Cmd::All => "",
                Cmd::Select => " for select",
                Cmd::Insert => " for insert",
                Cmd::Update => " for update",
                Cmd::Delete => " for delete",
            });
            if !rs.is_empty() {
                out.push_str(" to ");
                roles(out, rs);
            }
            if let Some(u) = using {
                out.push_str("\n  using (");
                expr(out, u, 0);
                out.push(')');
            }
            if let Some(c) = check {
                out.push_str("\n  with check (");
                expr(out, c, 0);
                out.push(')');
            }
            out.push(';');
        }
        Stmt::AlterPolicy(name, t, using, check) => {
            let _ = write!(out, "alter policy \"policy {name}\" on {}", t.render());
            if let Some(u) = using {
                out.push_str(" using (");
                expr(out, u, 0);
                out.push(')');
            }
            if let Some(c) = check {
                out.push_str(" with check (");
                expr(out, c, 0);
                out.push(')');
            }
            out.push(';');
        }
        Stmt::DropPolicy(name, t, ie) => {
            let _ = write!(
                out,
                "drop policy {}\"policy {name}\" on {};",
                if *ie { "if exists " } else { "" },
                t.render()
            );
        }
        Stmt::CreateFunction {
            or_replace,
            f,
            args,
            returns,
            lang,
            security_definer,
            search_path: sp,
            stable,
            body: b,
        } => {
            let _ = write!(
                out,
                "create {}function {}(",
                if *or_replace { "or replace " } else { "" },
                f.render()
            );
            let a: Vec<String> = args
                .iter()
                .take(3)
                .map(|(c, t)| format!("p_{} {}", c.name(), pick(TYPES, t.0)))
                .collect();
            out.push_str(&a.join(", "));
            out.push_str(")\nreturns ");
            match returns {
                Returns::Trigger => out.push_str("trigger"),
                Returns::Void => out.push_str("void"),
                Returns::Boolean => out.push_str("boolean"),
                Returns::SetOf(t) => out.push_str(&format!("setof {}", t.render())),
                Returns::Table(cs) => {
                    let c: Vec<String> = cs
                        .iter()
                        .take(3)
                        .map(|(c, t)| format!("{} {}", c.name(), pick(TYPES, t.0)))
                        .collect();
                    let _ = write!(out, "table ({})", c.join(", "));
                }
                Returns::Type(t) => out.push_str(pick(TYPES, t.0)),
            }
            let plpgsql = matches!(lang, Lang::Plpgsql);
            out.push_str(if plpgsql { "\nlanguage plpgsql" } else { "\nlanguage sql" });
            if *stable {
                out.push_str(" stable");
            }
            if *security_definer {
                out.push_str("\nsecurity definer");
            }
            if let Some(sp) = sp {
                search_path(out, sp);
            }
            out.push_str("\nas $$\n");
            if plpgsql {
                out.push_str("declare\n  v_id bigint;\nbegin\n");
                body(out, b, depth, true);
                if matches!(returns, Returns::Trigger) {
                    out.push_str("  return new;\n");
                }
                out.push_str("end;\n");
            } else {
                body(out, b, depth, false);
            }
            out.push_str("$$;");
        }
        Stmt::DropFunction(f, ie) => {
            let _ = write!(out, "drop function {}{};", if *ie { "if exists " } else { "" }, f.render());
        }
        Stmt::AlterFunction(f, sp, definer) => {
            let _ = write!(out, "alter function {}()", f.render());
            if let Some(sp) = sp {
                search_path(out, sp);
            }
            if *definer {
                out.push_str(" security invoker");
            }
            out.push(';');
        }
        Stmt::CreateTrigger(n, t, f, before) => {
            let _ = write!(
                out,
                "create trigger trg_{n} {} insert or update on {} for each row execute function {}();",
                if *before { "before" } else { "after" },
                t.render(),
                f.render()
            );
        }
        Stmt::Grant(ps, on, rs) | Stmt::Revoke(ps, on, rs) => {
            let grant = matches!(s, Stmt::Grant(..));
            out.push_str(if grant { "grant " } else { "revoke " });
            privs(out, ps);
            out.push_str(" on ");
            grant_on(out, on);
            out.push_str(if grant { " to " } else { " from " });
            roles(out, rs);
            out.push(';');
        }
        Stmt::AlterDefaultPrivileges(sch, ps, r, grant) => {
            let _ = write!(out, "alter default privileges in schema {} ", sch.name());
            out.push_str(if *grant { "grant " } else { "revoke " });
            privs(out, ps);
            out.push_str(" on tables ");
            out.push_str(if *grant { "to " } else { "from " });
            out.push_str(pick(ROLES, r.0));
            out.push(';');
        }
        Stmt::Do(b) => {
            out.push_str("do $$\nbegin\n");
            body(out, b, depth, true);
            out.push_str("end\n$$;");
        }
        Stmt::CreateView(v, t, cs, invoker, w) => {
            let _ = write!(out, "create or replace view {}", v.render());
            if *invoker {
                out.push_str(" with (security_invoker = true)");
            }
            out.push_str(" as select ");
            cols(out, cs);
            let _ = write!(out, " from {}", t.render());
            if let Some(w) = w {
                out.push_str(" where ");
                expr(out, w, 0);
            }
            out.push(';');
        }
        Stmt::CreateMatView(v, t, cs) => {
            let _ = write!(out, "create materialized view {}_mv as select ", v.render());
            cols(out, cs);
            let _ = write!(out, " from {};", t.render());
        }
        Stmt::RefreshMatView(v, concurrently) => {
            let _ = write!(
                out,
                "refresh materialized view {}{}_mv;",
                if *concurrently { "concurrently " } else { "" },
                v.render()
            );
        }
        Stmt::CreateSchema(sch) => {
            let _ = write!(out, "create schema if not exists {};", sch.name());
        }
        Stmt::CreateExtension(e, sch) => {
            let _ = write!(
                out,
                "create extension if not exists {}",
                pick(&["pg_trgm", "pgcrypto", "vector", "pg_net", "postgis"], *e)
            );
            if let Some(sch) = sch {
                let _ = write!(out, " with schema {}", sch.name());
            }
            out.push(';');
        }
        Stmt::Select(e) => {
            out.push_str("select ");
            expr(out, e, 0);
            out.push(';');
        }
        Stmt::Insert(t, cs) => {
            let _ = write!(out, "insert into {} (", t.render());
            cols(out, cs);
            out.push_str(") values (");
            let n = cs.len().clamp(1, 4);
            out.push_str(&vec!["default"; n].join(", "));
            out.push_str(") on conflict do nothing;");
        }
        Stmt::Update(t, c, e) => {
            let _ = write!(out, "update {} set {} = ", t.render(), c.name());
            expr(out, e, 0);
            out.push(';');
        }
        Stmt::Delete(t, w) => {
            let _ = write!(out, "delete from {}", t.render());
            if let Some(w) = w {
                out.push_str(" where ");
                expr(out, w, 0);
            }
            out.push(';');
        }
        Stmt::CreateType(n, labels) => {
            let l: Vec<String> = labels.iter().take(4).map(|l| format!("'l{l}'")).collect();
            let _ = write!(out, "create type public.kind_{n} as enum ({});", l.join(", "));
        }
        Stmt::Comment(t, c) => match c {
            Some(c) => {
                let _ = write!(out, "comment on column {}.{} is 'x';", t.render(), c.name());
            }
            None => {
                let _ = write!(out, "comment on table {} is 'x';", t.render());
            }
        },
        Stmt::Bucket(n, public) => {
            let _ = write!(
                out,
                "insert into storage.buckets (id, name, public) values ('b{n}', 'b{n}', {public});"
            );
        }
        Stmt::Cut(inner, at) => {
            let mut s = String::new();
            stmt(&mut s, inner, depth + 1);
            let mut at = (*at as usize).min(s.len());
            while !s.is_char_boundary(at) {
                at -= 1;
            }
            out.push_str(&s[..at]);
            out.push('\n');
        }
        Stmt::Glued(a, b) => {
            let mut s = String::new();
            stmt(&mut s, a, depth + 1);
            out.push_str(s.trim_end_matches(';'));
            out.push(' ');
            stmt(out, b, depth + 1);
        }
    }
}

fn filter(out: &mut String, f: &Filter) {
    match f {
        Filter::Eq(c) => {
            let _ = write!(out, ".eq('{}', userId)", c.name());
        }
        Filter::In(c) => {
            let _ = write!(out, ".in('{}', [1, 2])", c.name());
        }
        Filter::Is(c) => {
            let _ = write!(out, ".is('{}', null)", c.name());
        }
        Filter::Or(a, b) => {
            let _ = write!(out, ".or('{}.eq.1,{}.is.null')", a.name(), b.name());
        }
        Filter::Match(c) => {
            let _ = write!(out, ".match({{ {}: 1 }})", c.name());
        }
    }
}

fn call(out: &mut String, c: &Call, i: usize, depth: usize) {
    let _ = write!(out, "export async function q{i}_{depth}(userId: string, rows: any[]) {{\n");
    match c {
        Call::Select {
            t,
            cols: cs,
            embed,
            filters,
            single,
            reads_error,
        } => {
            let mut sel = String::new();
            cols(&mut sel, cs);
            if let Some((t2, c2)) = embed {
                let _ = write!(sel, ", {}({})", t2.bare(), c2.name());
            }
            let _ = write!(
                out,
                "  const {{ data, error }} = await supabase.from('{}').select('{sel}')",
                t.bare()
            );
            for f in filters.iter().take(4) {
                filter(out, f);
            }
            if *single {
                out.push_str(".single()");
            }
            out.push_str(";\n");
            if *reads_error {
                out.push_str("  if (error) throw error;\n");
            }
            out.push_str("  return data;\n");
        }
        Call::Insert(t, cs, many) => {
            let obj: Vec<String> = cs.iter().take(4).map(|c| format!("{}: userId", c.name())).collect();
            let obj = format!("{{ {} }}", obj.join(", "));
            let arg = if *many { format!("[{obj}, {obj}]") } else { obj };
            let _ = write!(
                out,
                "  const {{ error }} = await supabase.from('{}').insert({arg});\n  if (error) throw error;\n",
                t.bare()
            );
        }
        Call::Upsert(t, cs, on) => {
            let obj: Vec<String> = cs.iter().take(4).map(|c| format!("{}: 1", c.name())).collect();
            let _ = write!(out, "  await supabase.from('{}').upsert({{ {} }}", t.bare(), obj.join(", "));
            if let Some(on) = on {
                let _ = write!(out, ", {{ onConflict: '{}' }}", on.name());
            }
            out.push_str(");\n");
        }
        Call::Update(t, c, f) => {
            let _ = write!(out, "  await supabase.from('{}').update({{ {}: 'x' }})", t.bare(), c.name());
            filter(out, f);
            out.push_str(";\n");
        }
        Call::Delete(t, f) => {
            let _ = write!(out, "  await supabase.from('{}').delete()", t.bare());
            if let Some(f) = f {
                filter(out, f);
            }
            out.push_str(";\n");
        }
        Call::Rpc(f, args) => {
            let a: Vec<String> = args.iter().take(3).map(|c| format!("p_{}: 1", c.name())).collect();
            let name = pick(FUNCTIONS, f.0);
            match f.1 {
                Some(s) => {
                    let _ = write!(out, "  return supabase.schema('{}').rpc('{name}', {{ {} }});\n", s.name(), a.join(", "));
                }
                None => {
                    let _ = write!(out, "  return supabase.rpc('{name}', {{ {} }});\n", a.join(", "));
                }
            }
        }
        Call::Storage(b, upload) => {
            if *upload {
                let _ = write!(out, "  await supabase.storage.from('b{b}').upload(`${{userId}}/a.png`, rows[0]);\n");
            } else {
                let _ = write!(out, "  return supabase.storage.from('b{b}').getPublicUrl('a.png');\n");
            }
        }
        Call::Loop(inner) => {
            out.push_str("  for (const r of rows) {\n    await Promise.resolve(r);\n  }\n");
            if depth < 3 {
                let mut s = String::new();
                call(&mut s, inner, i, depth + 1);
                // The inner function's body, run per row.
                out.push_str("  for (const row of rows) {\n");
                out.push_str(&s.replace("export async function", "  async function"));
                out.push_str("  }\n");
            }
        }
        Call::SqlTemplate(t) => {
            let _ = write!(
                out,
                "  return supabase.rpc('exec_sql', {{ sql: `select * from {} where id = ${{userId}}` }});\n",
                t.render()
            );
        }
    }
    out.push_str("}\n\n");
}

/// The project an input stands for: migrations, a seed, a client file, a config.
pub fn render(input: &Input) -> Project {
    let mut project = Project::default();
    let mut version: u64 = 20240101000000;
    for (i, m) in input.migrations.iter().take(5).enumerate() {
        version += 1 + m.version_gap as u64;
        let mut text = String::new();
        for s in m.stmts.iter().take(24) {
            stmt(&mut text, s, 0);
            text.push_str("\n\n");
        }
        project.files.push(SourceFile::new(
            format!("supabase/migrations/{version}_m{i}.sql"),
            text,
        ));
    }
    if !input.seed.is_empty() {
        let mut text = String::new();
        for s in input.seed.iter().take(8) {
            stmt(&mut text, s, 0);
            text.push('\n');
        }
        project.files.push(SourceFile::new("supabase/seed.sql", text));
    }
    if !input.calls.is_empty() {
        let mut ts = String::new();
        if input.use_server {
            ts.push_str("'use server';\n");
        }
        ts.push_str("import { createClient } from '@supabase/supabase-js';\n\n");
        let key = if input.service_key {
            "SUPABASE_SERVICE_ROLE_KEY"
        } else {
            "NEXT_PUBLIC_SUPABASE_ANON_KEY"
        };
        let _ = write!(
            ts,
            "const supabase = createClient(process.env.NEXT_PUBLIC_SUPABASE_URL!, process.env.{key}!);\n\n"
        );
        for (i, c) in input.calls.iter().take(12).enumerate() {
            call(&mut ts, c, i, 0);
        }
        project.files.push(SourceFile::new("src/lib/queries.ts", ts));
    }
    if input.exposed_private {
        project.files.push(SourceFile::new(
            "supabase/config.toml",
            "[api]\nschemas = [\"public\", \"private\", \"graphql_public\"]\n",
        ));
    }
    project
}
