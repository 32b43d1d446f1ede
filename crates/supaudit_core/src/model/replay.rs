//! Replaying statements into the model.

use std::collections::{BTreeMap, BTreeSet};

use super::*;
use crate::sql::{
    AlterActionKind, AttributeAction, ColumnDef, ConstraintKind, CreateTable, GrantObject, Stmt,
    StmtContext, StmtKind, TableConstraint, TypeDef,
};

/// A statement with the file it came from, as given to per-statement rules.
#[derive(Debug, Clone, Copy)]
pub struct StmtRef<'a> {
    pub file: FileId,
    pub order: u32,
    pub stmt: &'a Stmt,
}

/// Drives a replay: feed statements in order with [`Replay::apply`].
pub struct Replay {
    pub model: Model,
}

impl Default for Replay {
    fn default() -> Self {
        Replay {
            model: Model::supabase(),
        }
    }
}

/// From the start of a statement to the end of the object's name: `create table public.t`.
fn header(stmt: Span, name: Span) -> Span {
    if stmt.contains(name) {
        Span::new(stmt.start, name.end)
    } else {
        name
    }
}

/// After `alter type schema.old rename to new`: columns and attributes
/// whose type was `old` (or `old[]`) now print as `new`.
fn rename_type_uses(m: &mut Model, schema: &str, old: &str, new: &str) {
    let rename = |t: &mut String| {
        let (base, dims) = match t.find('[') {
            Some(i) => t.split_at(i),
            None => (t.as_str(), ""),
        };
        let base = base.trim();
        let renamed = if base == old || (schema == "public" && base == format!("public.{old}")) {
            Some(if base.contains('.') {
                format!("public.{new}")
            } else {
                new.to_string()
            })
        } else if base == format!("{schema}.{old}") {
            Some(format!("{schema}.{new}"))
        } else {
            None
        };
        if let Some(r) = renamed {
            *t = format!("{r}{dims}");
        }
    };
    for rel in m.relations.values_mut() {
        for c in &mut rel.columns {
            if let Some(ty) = &mut c.ty {
                rename(&mut ty.text);
            }
        }
    }
    for attrs in m.composites.values_mut() {
        for a in attrs {
            rename(&mut a.ty);
        }
    }
}

fn key(q: &QName) -> (String, String) {
    (q.schema_or_public().to_string(), q.name.clone())
}

fn resolve(q: &QName) -> QName {
    QName::new(Some(q.schema_or_public()), &q.name)
}

impl Replay {
    /// Applies one statement. Statements in function bodies do not run at
    /// migration time and are ignored here.
    pub fn apply(&mut self, s: StmtRef<'_>) {
        if s.stmt.context == StmtContext::FunctionBody {
            return;
        }
        let origin = |span: Span| Origin {
            file: s.file,
            order: s.order,
            stmt: s.stmt.span,
            span,
        };
        let here = origin(s.stmt.span);
        let m = &mut self.model;
        match &s.stmt.kind {
            StmtKind::CreateTable(t) => {
                let k = key(&t.name);
                if m.relations.contains_key(&k) && t.if_not_exists {
                    return;
                }
                let rel = new_table(m, t, origin(header(s.stmt.span, t.name_span)), &origin);
                m.relations.insert(k, rel);
            }
            StmtKind::AlterTable(a) => {
                let k = key(&a.name);
                let Some(mut rel) = m.relations.remove(&k) else {
                    return;
                };
                rel.last_changed = here;
                let had_pk = rel.primary_key.is_some();
                let mut new_key = k.clone();
                for act in &a.actions {
                    let o = origin(act.span);
                    match &act.kind {
                        AlterActionKind::AddColumn(c) => {
                            if rel.column(&c.name).is_none() {
                                add_column(&mut rel, c, o);
                            }
                        }
                        AlterActionKind::DropColumn(c) => {
                            rel.columns.retain(|x| &x.name != c);
                            rel.indexes
                                .retain(|i| !i.columns.iter().any(|x| x.as_deref() == Some(c)));
                            rel.foreign_keys.retain(|f| !f.columns.contains(c));
                            rel.uniques.retain(|u| !u.contains(c));
                            if rel.primary_key.as_ref().is_some_and(|p| p.contains(c)) {
                                rel.primary_key = None;
                            }
                        }
                        AlterActionKind::RenameColumn { from, to } => {
                            rename_column(&mut rel, from, to)
                        }
                        AlterActionKind::RenameTable(to) => {
                            new_key = (new_key.0.clone(), to.clone());
                        }
                        AlterActionKind::SetSchema(to) => {
                            new_key = (to.clone(), new_key.1.clone());
                        }
                        AlterActionKind::AlterColumnType { column, ty } => {
                            if let Some(c) = rel.columns.iter_mut().find(|c| &c.name == column) {
                                c.ty = ty.clone();
                                // Findings about the type point at the change.
                                c.origin = o;
                            }
                        }
                        AlterActionKind::SetNotNull(c) | AlterActionKind::DropNotNull(c) => {
                            let nn = matches!(act.kind, AlterActionKind::SetNotNull(_));
                            if let Some(c) = rel.columns.iter_mut().find(|x| &x.name == c) {
                                c.not_null = nn;
                            }
                        }
                        AlterActionKind::SetDefault(c, e) => {
                            if let Some(c) = rel.columns.iter_mut().find(|x| &x.name == c) {
                                c.default = e.clone();
                            }
                        }
                        AlterActionKind::DropDefault(c) => {
                            if let Some(c) = rel.columns.iter_mut().find(|x| &x.name == c) {
                                c.default = None;
                            }
                        }
                        AlterActionKind::AddConstraint(con) => {
                            add_constraint(&mut rel, con, None, o)
                        }
                        AlterActionKind::DropConstraint(name) => drop_constraint(&mut rel, name),
                        AlterActionKind::EnableRls | AlterActionKind::DisableRls => {
                            rel.rls_enabled = matches!(act.kind, AlterActionKind::EnableRls);
                            rel.rls_origin = Some(o);
                        }
                        AlterActionKind::ForceRls => rel.rls_forced = true,
                        AlterActionKind::NoForceRls => rel.rls_forced = false,
                        AlterActionKind::ValidateConstraint(_) | AlterActionKind::Other(_) => {}
                    }
                }
                if had_pk && rel.primary_key.is_none() {
                    let action = a.actions.iter().find(|x| {
                        matches!(
                            x.kind,
                            AlterActionKind::DropConstraint(_) | AlterActionKind::DropColumn(_)
                        )
                    });
                    rel.primary_key_dropped = Some(origin(action.map_or(s.stmt.span, |x| x.span)));
                }
                if new_key != k {
                    rel.schema = new_key.0.clone();
                    rel.name = new_key.1.clone();
                    let (old, new) = (
                        QName::new(Some(&k.0), &k.1),
                        QName::new(Some(&new_key.0), &new_key.1),
                    );
                    for r in m.relations.values_mut() {
                        for fk in &mut r.foreign_keys {
                            if fk.ref_table == old {
                                fk.ref_table = new.clone();
                            }
                        }
                    }
                    for fk in &mut rel.foreign_keys {
                        if fk.ref_table == old {
                            fk.ref_table = new.clone();
                        }
                    }
                }
                m.relations.insert(new_key, rel);
            }
            StmtKind::DropTable { names } => {
                for n in names {
                    m.relations.remove(&key(n));
                }
            }
            StmtKind::CreatePolicy(p) => {
                if let Some(rel) = m.relation_mut(&p.table) {
                    rel.policies.retain(|x| x.name != p.name);
                    rel.policies.push(Policy {
                        name: p.name.clone(),
                        command: p.command,
                        permissive: p.permissive,
                        roles: if p.roles.is_empty() {
                            vec!["public".into()]
                        } else {
                            p.roles.clone()
                        },
                        using: p.using.clone(),
                        with_check: p.with_check.clone(),
                        origin: here,
                    });
                }
            }
            StmtKind::AlterPolicy(p) => {
                if let Some(rel) = m.relation_mut(&p.table)
                    && let Some(pol) = rel.policies.iter_mut().find(|x| x.name == p.name)
                {
                    if let Some(r) = &p.roles {
                        pol.roles = r.clone();
                    }
                    if p.using.is_some() {
                        pol.using = p.using.clone();
                    }
                    if p.with_check.is_some() {
                        pol.with_check = p.with_check.clone();
                    }
                    if let Some(n) = &p.rename_to {
                        pol.name = n.clone();
                    }
                    pol.origin = here;
                }
            }
            StmtKind::DropPolicy { name, table } => {
                if let Some(rel) = m.relation_mut(table) {
                    rel.policies.retain(|x| &x.name != name);
                }
            }
            StmtKind::CreateFunction(f) => {
                let schema = f.name.schema_or_public().to_string();
                let arg_types: Vec<String> = f
                    .params
                    .iter()
                    .filter(|p| !p.mode.starts_with("out"))
                    .map(|p| p.ty.clone())
                    .collect();
                let existing = m.functions.iter().position(|x| {
                    x.schema == schema && x.name == f.name.name && x.arg_types == arg_types
                });
                let execute = match existing {
                    Some(i) => m.functions[i].execute.clone(),
                    None => default_grantees(m, &schema, "functions", "execute"),
                };
                let func = Function {
                    schema,
                    name: f.name.name.clone(),
                    arg_types,
                    params: f.params.clone(),
                    returns: f.returns.clone(),
                    language: f.language.clone(),
                    security_definer: f.security_definer,
                    config: f.config.clone(),
                    volatility: f.volatility.clone(),
                    body: f.body.clone(),
                    is_procedure: f.is_procedure,
                    origin: origin(header(s.stmt.span, f.name_span)),
                    last_changed: here,
                    options_at: f.options_span.map(|s| s.start),
                    execute,
                };
                match existing {
                    Some(i) => m.functions[i] = func,
                    None => m.functions.push(func),
                }
            }
            StmtKind::AlterFunction(a) => {
                for f in matching_functions(m, &a.sig) {
                    if let Some(sd) = a.security_definer {
                        f.security_definer = sd;
                    }
                    for (k, v) in &a.config {
                        f.config.retain(|(x, _)| x != k);
                        f.config.push((k.clone(), v.clone()));
                    }
                    for r in &a.reset {
                        if r == "all" {
                            f.config.clear();
                        } else {
                            f.config.retain(|(x, _)| x != r);
                        }
                    }
                    if let Some(n) = &a.rename_to {
                        f.name = n.clone();
                    }
                    f.last_changed = here;
                }
            }
            StmtKind::DropFunction { sigs } => {
                for sig in sigs {
                    let schema = sig.name.schema_or_public().to_string();
                    m.functions.retain(|f| {
                        !(f.schema == schema
                            && f.name == sig.name.name
                            && sig
                                .arg_types
                                .as_ref()
                                .is_none_or(|a| types_match(a, &f.arg_types)))
                    });
                }
            }
            StmtKind::CreateIndex(ix) => {
                if let Some(rel) = m.relation_mut(&ix.table) {
                    if ix.name.is_some() && rel.indexes.iter().any(|i| i.name == ix.name) {
                        return;
                    }
                    rel.indexes.push(Index {
                        name: ix.name.clone(),
                        columns: ix.items.iter().map(|i| i.column.clone()).collect(),
                        items: ix.items.iter().map(|i| i.text.clone()).collect(),
                        unique: ix.unique,
                        method: ix.method.clone().unwrap_or_else(|| "btree".into()),
                        predicate: ix.predicate_text.clone(),
                        predicate_expr: ix.predicate.clone(),
                        item_exprs: ix.items.iter().filter_map(|i| i.expr.clone()).collect(),
                        with: ix.with.clone(),
                        include: ix.include.clone(),
                        from_constraint: false,
                        origin: here,
                    });
                }
            }
            StmtKind::DropIndex { names, .. } => {
                for n in names {
                    for rel in m.relations.values_mut() {
                        if n.schema.as_deref().is_none_or(|s| s == rel.schema) {
                            rel.indexes.retain(|i| i.name.as_deref() != Some(&n.name));
                        }
                    }
                }
            }
            StmtKind::CreateView(v) => {
                let k = key(&v.name);
                let grants = match m.relations.get(&k) {
                    Some(r) => r.grants.clone(),
                    None => default_grants(m, &k.0, "tables"),
                };
                let mut rel = empty_relation(
                    &k,
                    if v.materialized {
                        RelKind::MaterializedView
                    } else {
                        RelKind::View
                    },
                    origin(header(s.stmt.span, v.name_span)),
                );
                rel.grants = grants;
                rel.view = Some(ViewInfo {
                    options: v.options.clone(),
                    reads: v.reads.iter().map(resolve).collect(),
                    insert_options_at: v.insert_options_at,
                    query: v.query.clone(),
                });
                m.relations.insert(k, rel);
            }
            StmtKind::AlterView(a) => {
                let k = key(&a.name);
                if let Some(mut rel) = m.relations.remove(&k) {
                    rel.last_changed = here;
                    if let Some(v) = &mut rel.view {
                        for (n, val) in &a.set_options {
                            v.options.retain(|(x, _)| x != n);
                            v.options.push((n.clone(), val.clone()));
                        }
                        v.options.retain(|(x, _)| !a.reset_options.contains(x));
                    }
                    let mut nk = k;
                    if let Some(to) = &a.rename_to {
                        nk.1 = to.clone();
                        rel.name = to.clone();
                    }
                    m.relations.insert(nk, rel);
                }
            }
            StmtKind::DropView { names, .. } => {
                for n in names {
                    m.relations.remove(&key(n));
                }
            }
            StmtKind::Grant(g) => apply_grant(m, g),
            StmtKind::AlterDefaultPrivileges(d) => {
                let schemas = if d.in_schemas.is_empty() {
                    vec![String::new()]
                } else {
                    d.in_schemas.clone()
                };
                for schema in schemas {
                    let entry = m
                        .default_privileges
                        .entry((schema, d.object_type.clone()))
                        .or_default();
                    for role in &d.roles {
                        let set = entry.entry(role.clone()).or_default();
                        change_privileges(set, &d.privileges, d.is_grant);
                    }
                }
            }
            StmtKind::CreateExtension { name, schema } => {
                m.extensions.entry(name.clone()).or_insert(Extension {
                    name: name.clone(),
                    schema: schema.clone(),
                    origin: here,
                });
            }
            StmtKind::AlterExtensionSchema { name, schema } => {
                if let Some(ext) = m.extensions.get_mut(name) {
                    ext.schema = Some(schema.clone());
                    ext.origin = here;
                }
            }
            StmtKind::DropExtension { names } => {
                for n in names {
                    m.extensions.remove(n);
                }
            }
            StmtKind::CreateSchema { name } => {
                m.schemas.insert(name.clone());
            }
            StmtKind::DropSchema { names } => {
                for n in names {
                    m.schemas.remove(n);
                    m.relations.retain(|(s, _), _| s != n);
                    m.functions.retain(|f| &f.schema != n);
                }
            }
            StmtKind::Insert(ins)
                if ins.table.schema.as_deref() == Some("storage")
                    && ins.table.name == "buckets" =>
            {
                let pos = |c: &str| ins.columns.iter().position(|x| x == c);
                for row in &ins.rows {
                    let get = |c: &str| pos(c).and_then(|i| row.values.get(i));
                    let id = get("id")
                        .or_else(|| get("name"))
                        .and_then(|e| e.string_value())
                        .unwrap_or_default()
                        .to_string();
                    let public = get("public").is_some_and(|e| e.is_true());
                    let set = |c: &str| {
                        get(c).is_some_and(|e| !matches!(e.kind, crate::sql::ExprKind::Null))
                    };
                    m.buckets.retain(|b| b.id != id);
                    m.buckets.push(Bucket {
                        id,
                        public,
                        has_size_limit: set("file_size_limit"),
                        has_mime_types: set("allowed_mime_types"),
                        origin: origin(row.span),
                        row: row.span,
                        columns_close: ins.columns_close,
                    });
                }
            }
            StmtKind::Comment { target, text } => match target {
                crate::sql::CommentTarget::Table(t) => {
                    if let Some(r) = m.relation_mut(t) {
                        r.comment = text.clone();
                    }
                }
                crate::sql::CommentTarget::Column(t, c) => {
                    if let Some(r) = m.relation_mut(t)
                        && let Some(col) = r.columns.iter_mut().find(|x| &x.name == c)
                    {
                        col.comment = text.clone();
                    }
                }
                _ => {}
            },
            StmtKind::CreateTrigger(t) => {
                if let Some(rel) = m.relation_mut(&t.table) {
                    rel.triggers.retain(|x| x.name != t.name);
                    rel.triggers.push(Trigger {
                        name: t.name.clone(),
                        function: t.function.as_ref().map(resolve),
                        events: t.events.clone(),
                        timing: t.timing.clone(),
                        origin: here,
                    });
                }
            }
            StmtKind::DropTrigger { name, table } => {
                if let Some(rel) = m.relation_mut(table) {
                    rel.triggers.retain(|x| &x.name != name);
                }
            }
            StmtKind::CreateType { name, def } => match def {
                TypeDef::Enum(v) => {
                    m.enums.insert(key(name), v.clone());
                }
                TypeDef::Composite(attrs) => {
                    m.composites.insert(key(name), attrs.clone());
                }
                TypeDef::Other => {}
            },
            StmtKind::DropType { names } => {
                for n in names {
                    m.enums.remove(&key(n));
                    m.composites.remove(&key(n));
                }
            }
            StmtKind::RenameType { name, to } => {
                let (schema, old) = key(name);
                let new = (schema.clone(), to.clone());
                if let Some(v) = m.enums.remove(&(schema.clone(), old.clone())) {
                    m.enums.insert(new.clone(), v);
                }
                if let Some(v) = m.composites.remove(&(schema.clone(), old.clone())) {
                    m.composites.insert(new, v);
                }
                rename_type_uses(m, &schema, &old, to);
            }
            StmtKind::AlterTypeAttributes { name, actions } => {
                if let Some(attrs) = m.composites.get_mut(&key(name)) {
                    for a in actions {
                        match a {
                            AttributeAction::Add(at) => attrs.push(at.clone()),
                            AttributeAction::Drop(n) => attrs.retain(|x| &x.name != n),
                            AttributeAction::SetType { name, ty } => {
                                for x in attrs.iter_mut().filter(|x| &x.name == name) {
                                    x.ty = ty.clone();
                                }
                            }
                            AttributeAction::Rename { from, to } => {
                                for x in attrs.iter_mut().filter(|x| &x.name == from) {
                                    x.name = to.clone();
                                }
                            }
                        }
                    }
                }
            }
            StmtKind::AlterTypeAddValue {
                name,
                value,
                position,
            } => {
                if let Some(values) = m.enums.get_mut(&key(name))
                    && !values.contains(value)
                {
                    let at = position
                        .as_ref()
                        .and_then(|(before, w)| {
                            let i = values.iter().position(|v| v == w)?;
                            Some(if *before { i } else { i + 1 })
                        })
                        .unwrap_or(values.len());
                    values.insert(at, value.clone());
                }
            }
            _ => {}
        }
    }
}

/// Compares argument type lists loosely (`int` = `integer` = `int4`...).
pub fn types_match(a: &[String], b: &[String]) -> bool {
    a.len() == b.len()
        && a.iter()
            .zip(b)
            .all(|(x, y)| canonical_type(x) == canonical_type(y))
}

pub fn canonical_type(t: &str) -> String {
    let t = t.trim().to_ascii_lowercase();
    let t = t.strip_prefix("public.").unwrap_or(&t).to_string();
    let t = t.strip_prefix("pg_catalog.").unwrap_or(&t).to_string();
    match t.as_str() {
        "int" | "integer" | "int4" => "integer".into(),
        "bigint" | "int8" => "bigint".into(),
        "smallint" | "int2" => "smallint".into(),
        "bool" | "boolean" => "boolean".into(),
        "varchar" | "character varying" => "varchar".into(),
        "timestamptz" | "timestamp with time zone" => "timestamptz".into(),
        "timestamp" | "timestamp without time zone" => "timestamp".into(),
        "float8" | "double precision" => "float8".into(),
        "float4" | "real" => "float4".into(),
        "decimal" | "numeric" => "numeric".into(),
        _ => t,
    }
}

fn matching_functions<'a>(
    m: &'a mut Model,
    sig: &'a crate::sql::FuncSig,
) -> impl Iterator<Item = &'a mut Function> {
    let schema = sig.name.schema_or_public().to_string();
    m.functions.iter_mut().filter(move |f| {
        f.schema == schema
            && f.name == sig.name.name
            && sig
                .arg_types
                .as_ref()
                .is_none_or(|a| types_match(a, &f.arg_types))
    })
}

fn change_privileges(set: &mut BTreeSet<String>, privileges: &[String], grant: bool) {
    if grant {
        set.extend(privileges.iter().cloned());
    } else if privileges.iter().any(|p| p == "all") {
        set.clear();
    } else {
        if set.remove("all") {
            // `all` minus some: expand to the table privileges that remain.
            for p in [
                "select",
                "insert",
                "update",
                "delete",
                "truncate",
                "references",
                "trigger",
            ] {
                set.insert(p.to_string());
            }
        }
        for p in privileges {
            set.remove(p);
            // Revoking a table privilege revokes it on every column too.
            let prefix = format!("{p}(");
            set.retain(|q| !q.starts_with(&prefix));
        }
    }
}

fn apply_grant(m: &mut Model, g: &crate::sql::Grant) {
    let apply = |grants: &mut BTreeMap<String, BTreeSet<String>>| {
        for role in &g.roles {
            let set = grants.entry(role.clone()).or_default();
            change_privileges(set, &g.privileges, g.is_grant);
        }
    };
    match &g.object {
        GrantObject::Tables(names) => {
            for n in names {
                if let Some(r) = m.relation_mut(n) {
                    apply(&mut r.grants);
                }
            }
        }
        GrantObject::AllTablesInSchema(schemas) => {
            for r in m.relations.values_mut() {
                if schemas.contains(&r.schema) {
                    apply(&mut r.grants);
                }
            }
        }
        GrantObject::Functions(sigs) => {
            for sig in sigs {
                for f in matching_functions(m, sig) {
                    for role in &g.roles {
                        if g.is_grant {
                            f.execute.insert(role.clone());
                        } else {
                            f.execute.remove(role);
                        }
                    }
                }
            }
        }
        GrantObject::AllFunctionsInSchema(schemas) => {
            for f in m
                .functions
                .iter_mut()
                .filter(|f| schemas.contains(&f.schema))
            {
                for role in &g.roles {
                    if g.is_grant {
                        f.execute.insert(role.clone());
                    } else {
                        f.execute.remove(role);
                    }
                }
            }
        }
        GrantObject::Schemas(_) | GrantObject::Other => {}
    }
}

fn default_grants(m: &Model, schema: &str, object: &str) -> BTreeMap<String, BTreeSet<String>> {
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for s in ["", schema] {
        if let Some(d) = m
            .default_privileges
            .get(&(s.to_string(), object.to_string()))
        {
            for (role, p) in d {
                out.entry(role.clone())
                    .or_default()
                    .extend(p.iter().cloned());
            }
        }
    }
    out.retain(|_, p| !p.is_empty());
    out
}

fn default_grantees(m: &Model, schema: &str, object: &str, privilege: &str) -> BTreeSet<String> {
    default_grants(m, schema, object)
        .into_iter()
        .filter(|(_, p)| p.contains(privilege) || p.contains("all"))
        .map(|(r, _)| r)
        .collect()
}

fn empty_relation(k: &(String, String), kind: RelKind, origin: Origin) -> Relation {
    Relation {
        schema: k.0.clone(),
        name: k.1.clone(),
        kind,
        origin,
        last_changed: origin,
        columns: Vec::new(),
        primary_key: None,
        uniques: Vec::new(),
        foreign_keys: Vec::new(),
        checks: Vec::new(),
        indexes: Vec::new(),
        rls_enabled: false,
        rls_forced: false,
        rls_origin: None,
        policies: Vec::new(),
        triggers: Vec::new(),
        grants: BTreeMap::new(),
        view: None,
        comment: None,
        columns_end: None,
        primary_key_dropped: None,
        keys_from_elsewhere: false,
    }
}

fn new_table(m: &Model, t: &CreateTable, o: Origin, origin: &dyn Fn(Span) -> Origin) -> Relation {
    let k = key(&t.name);
    let kind = if t.foreign {
        RelKind::ForeignTable
    } else {
        RelKind::Table
    };
    let mut rel = empty_relation(&k, kind, o);
    rel.grants = default_grants(m, &k.0, "tables");
    rel.columns_end = t.columns_end;
    rel.keys_from_elsewhere = t.partition_of || !t.like.is_empty();
    // A partition has its parent's columns, and its keys and indexes (cloned
    // by PostgreSQL onto every partition), but not its RLS, policies or grants.
    if let Some(parent) = t.partition_parent.as_ref().and_then(|p| m.relation(p)) {
        rel.columns = parent
            .columns
            .iter()
            .map(|c| Column {
                origin: o,
                ..c.clone()
            })
            .collect();
        rel.primary_key = parent.primary_key.clone();
        rel.uniques = parent.uniques.clone();
        rel.foreign_keys = parent
            .foreign_keys
            .iter()
            .map(|f| ForeignKey {
                origin: o,
                ..f.clone()
            })
            .collect();
        rel.indexes = parent
            .indexes
            .iter()
            .map(|i| Index {
                origin: o,
                ..i.clone()
            })
            .collect();
    }
    for c in &t.columns {
        add_column(&mut rel, c, origin(c.span));
    }
    for con in &t.constraints {
        add_constraint(&mut rel, con, None, origin(con.span));
    }
    rel
}

fn add_column(rel: &mut Relation, c: &ColumnDef, o: Origin) {
    rel.columns.push(Column {
        name: c.name.clone(),
        ty: c.ty.clone(),
        not_null: c.not_null,
        default: c.default.clone(),
        identity: c.identity,
        identity_always: c.identity_always,
        generated: c.generated,
        checks: c.checks.clone(),
        origin: o,
        comment: None,
    });
    if c.primary_key {
        set_pk(rel, vec![c.name.clone()], None, o);
    }
    if c.unique {
        add_unique(rel, vec![c.name.clone()], None, o);
    }
    if let Some(fk) = &c.references {
        add_constraint(
            rel,
            &TableConstraint {
                name: None,
                span: fk.span,
                kind: ConstraintKind::ForeignKey(fk.clone()),
                not_valid: false,
            },
            Some(&c.name),
            o,
        );
    }
    for e in &c.checks {
        rel.checks.push(Check {
            name: None,
            expr: e.clone(),
            column: Some(c.name.clone()),
            origin: o,
        });
    }
}

/// The index behind the primary key: PostgreSQL names it after the constraint,
/// `<table>_pkey` unless the constraint is named.
fn is_pk_index(rel: &Relation, i: &Index) -> bool {
    i.from_constraint
        && rel.primary_key.as_ref() == Some(&i.items)
        && (i.name.as_deref() == Some(&format!("{}_pkey", rel.name))
            || !rel.uniques.contains(&i.items))
}

fn set_pk(rel: &mut Relation, cols: Vec<String>, name: Option<String>, o: Origin) {
    rel.primary_key_dropped = None;
    let old: Vec<Option<String>> = rel
        .indexes
        .iter()
        .filter(|i| is_pk_index(rel, i))
        .map(|i| i.name.clone())
        .collect();
    rel.indexes
        .retain(|i| !(i.from_constraint && old.contains(&i.name)));
    rel.indexes.push(Index {
        name: Some(name.unwrap_or_else(|| format!("{}_pkey", rel.name))),
        columns: cols.iter().cloned().map(Some).collect(),
        items: cols.clone(),
        unique: true,
        method: "btree".into(),
        predicate: None,
        predicate_expr: None,
        item_exprs: Vec::new(),
        with: Vec::new(),
        include: Vec::new(),
        from_constraint: true,
        origin: o,
    });
    for c in rel.columns.iter_mut().filter(|c| cols.contains(&c.name)) {
        c.not_null = true;
    }
    rel.primary_key = Some(cols);
}

fn add_unique(rel: &mut Relation, cols: Vec<String>, name: Option<String>, o: Origin) {
    rel.indexes.push(Index {
        name: name.or_else(|| Some(format!("{}_{}_key", rel.name, cols.join("_")))),
        columns: cols.iter().cloned().map(Some).collect(),
        items: cols.clone(),
        unique: true,
        method: "btree".into(),
        predicate: None,
        predicate_expr: None,
        item_exprs: Vec::new(),
        with: Vec::new(),
        include: Vec::new(),
        from_constraint: true,
        origin: o,
    });
    rel.uniques.push(cols);
}

fn add_constraint(rel: &mut Relation, con: &TableConstraint, column: Option<&String>, o: Origin) {
    match &con.kind {
        ConstraintKind::PrimaryKey(cols) => set_pk(rel, cols.clone(), con.name.clone(), o),
        ConstraintKind::Unique(cols) => add_unique(rel, cols.clone(), con.name.clone(), o),
        ConstraintKind::ForeignKey(fk) => {
            let mut ref_columns = fk.ref_columns.clone();
            let ref_table = resolve(&fk.ref_table);
            if ref_columns.is_empty()
                && ref_table.schema.as_deref() == Some("auth")
                && ref_table.name == "users"
            {
                ref_columns = vec!["id".into()];
            }
            let columns: Vec<String> = if fk.columns.is_empty() {
                column.into_iter().cloned().collect()
            } else {
                fk.columns.clone()
            };
            rel.foreign_keys.push(ForeignKey {
                // PostgreSQL's name for an unnamed key, so `drop constraint` finds it.
                name: con
                    .name
                    .clone()
                    .or_else(|| Some(format!("{}_{}_fkey", rel.name, columns.join("_")))),
                columns,
                ref_table,
                ref_columns,
                on_delete: fk.on_delete.clone(),
                origin: o,
            });
        }
        ConstraintKind::Check(e) => rel.checks.push(Check {
            name: con.name.clone(),
            expr: e.clone(),
            column: column.cloned(),
            origin: o,
        }),
        ConstraintKind::Other => {}
    }
}

fn drop_constraint(rel: &mut Relation, name: &str) {
    rel.foreign_keys.retain(|f| f.name.as_deref() != Some(name));
    rel.checks.retain(|c| c.name.as_deref() != Some(name));
    if name == format!("{}_pkey", rel.name)
        || rel
            .indexes
            .iter()
            .any(|i| i.name.as_deref() == Some(name) && is_pk_index(rel, i))
    {
        rel.primary_key = None;
    }
    let dropped: Vec<Vec<String>> = rel
        .indexes
        .iter()
        .filter(|i| i.from_constraint && i.name.as_deref() == Some(name))
        .map(|i| i.items.clone())
        .collect();
    rel.uniques.retain(|u| !dropped.contains(u));
    rel.indexes
        .retain(|i| !(i.from_constraint && i.name.as_deref() == Some(name)));
}

fn rename_column(rel: &mut Relation, from: &str, to: &str) {
    let r = |s: &mut String| {
        if s == from {
            *s = to.to_string();
        }
    };
    for c in &mut rel.columns {
        r(&mut c.name);
    }
    if let Some(pk) = &mut rel.primary_key {
        pk.iter_mut().for_each(r);
    }
    for u in &mut rel.uniques {
        u.iter_mut().for_each(r);
    }
    for fk in &mut rel.foreign_keys {
        fk.columns.iter_mut().for_each(r);
    }
    for i in &mut rel.indexes {
        for c in i.columns.iter_mut().flatten() {
            r(c);
        }
        for item in &mut i.items {
            *item = replace_ident(item, from, to);
        }
        if let Some(p) = &mut i.predicate {
            *p = replace_ident(p, from, to);
        }
    }
}

/// `text` with every identifier `from` (outside string literals) renamed `to`.
fn replace_ident(text: &str, from: &str, to: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_string = false;
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        if !word.is_empty() {
            out.push_str(if word == from { to } else { word });
            word.clear();
        }
    };
    for ch in text.chars() {
        if in_string {
            out.push(ch);
            if ch == '\'' {
                in_string = false;
            }
        } else if ch.is_alphanumeric() || ch == '_' {
            word.push(ch);
        } else {
            flush(&mut word, &mut out);
            if ch == '\'' {
                in_string = true;
            }
            out.push(ch);
        }
    }
    flush(&mut word, &mut out);
    out
}
