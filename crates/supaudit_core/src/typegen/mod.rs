//! `supaudit gen types`: the `Database` TypeScript type that
//! `supabase gen types typescript` prints, from the schema model alone.
//!
//! The output follows postgres-meta's TypeScript template
//! (`src/server/templates/typescript.ts`, the generator behind the Supabase
//! CLI), formatted as its Prettier pass formats it: schemas, tables, views,
//! functions, enums and columns sorted with `localeCompare`, Row / Insert /
//! Update per table, `Relationships` (one-to-one detection on, as the CLI
//! runs it), the helper types and `Constants`. Pure: a `String` from a model.

mod doc;
mod types;

use std::collections::BTreeMap;

use crate::model::{Function, Model, RelKind, Relation};
use doc::{
    Doc, array, cat, locale_cmp, object_type, object_value, print, prop, string, text, union,
};
use types::{TypeRef, ViewColumn, has_aggregate, parse_type, relation_columns};

/// The PostgREST version written in `__InternalSupabase` by default: the one
/// the Supabase CLI's local stack runs.
pub const DEFAULT_POSTGREST_VERSION: &str = "14.12";

/// What to generate.
#[derive(Debug, Clone)]
pub struct Options {
    /// Schemas to type (the CLI adds `public` to `[api] schemas`).
    pub schemas: Vec<String>,
    /// `__InternalSupabase.PostgrestVersion`; `None` leaves the member out.
    pub postgrest_version: Option<String>,
}

impl Options {
    /// The schemas `supabase gen types` types for a project exposing `exposed`.
    pub fn for_exposed(exposed: &[String]) -> Options {
        let mut schemas = vec!["public".to_string()];
        for s in exposed {
            if !schemas.contains(s) {
                schemas.push(s.clone());
            }
        }
        Options {
            schemas,
            postgrest_version: Some(DEFAULT_POSTGREST_VERSION.to_string()),
        }
    }
}

/// The generated `database.types.ts`.
pub fn typescript(model: &Model, options: &Options) -> String {
    let mut schemas: Vec<String> = options
        .schemas
        .iter()
        .filter(|s| model.schemas.contains(*s))
        .cloned()
        .collect();
    schemas.sort_by(|a, b| locale_cmp(a, b));
    schemas.dedup();
    let g = Gen::new(model, schemas);
    let mut members = Vec::new();
    if let Some(v) = &options.postgrest_version {
        members.push(cat(vec![
            text("// Allows to automatically instantiate createClient with right options"),
            Doc::HardLine,
            text("// instead of createClient<Database, { PostgrestVersion: 'XX' }>(URL, KEY)"),
            Doc::HardLine,
            prop(
                "__InternalSupabase",
                false,
                object_type(vec![prop("PostgrestVersion", false, text(string(v)))], true),
            ),
        ]));
    }
    for s in &g.schemas {
        members.push(prop(s, false, g.schema(s)));
    }
    let database = cat(vec![
        text("export type Database = "),
        object_type(members, true),
    ]);
    let constants = cat(vec![
        text("export const Constants = "),
        object_value(
            g.schemas
                .iter()
                .map(|s| {
                    let enums = g
                        .enums(s)
                        .into_iter()
                        .map(|(name, values)| {
                            prop(
                                name,
                                false,
                                array(values.iter().map(|v| text(string(v))).collect()),
                            )
                        })
                        .collect();
                    prop(
                        s,
                        false,
                        object_value(vec![prop("Enums", false, object_value(enums, true))], true),
                    )
                })
                .collect(),
            true,
        ),
        text(" as const"),
    ]);
    let mut out = String::from(JSON_TYPE);
    out.push('\n');
    out.push_str(&print(&database));
    out.push_str("\n\n");
    out.push_str(HELPERS);
    out.push('\n');
    out.push_str(&print(&constants));
    out.push('\n');
    out
}

const JSON_TYPE: &str = "export type Json =
  | string
  | number
  | boolean
  | null
  | { [key: string]: Json | undefined }
  | Json[]
";

const HELPERS: &str = include_str!("helpers.ts");

/// A function as postgres-meta describes it.
#[derive(Debug, Clone)]
struct FnInfo {
    schema: String,
    name: String,
    /// Sorted by name, as postgres-meta sorts them.
    args: Vec<FnArg>,
    ret: Ret,
    is_set: bool,
    /// `pg_get_function_arguments` / `pg_get_function_result`, approximately (for ordering overloads).
    arg_text: String,
    ret_text: String,
}

#[derive(Debug, Clone)]
struct FnArg {
    /// Empty for an unnamed argument.
    name: String,
    ty: TypeRef,
    /// `in`, `out`, `inout`, `variadic` or `table`.
    mode: String,
    has_default: bool,
}

impl FnArg {
    fn is_input(&self) -> bool {
        matches!(self.mode.as_str(), "in" | "inout" | "variadic")
    }
}

#[derive(Debug, Clone)]
enum Ret {
    Type(TypeRef),
    /// `returns table (...)`: the columns are the `table` arguments.
    Table,
}

/// One foreign-key relationship, as postgres-meta lists them.
#[derive(Debug, Clone)]
struct Relationship {
    fk_name: String,
    schema: String,
    relation: String,
    columns: Vec<String>,
    is_one_to_one: bool,
    ref_schema: String,
    ref_relation: String,
    ref_columns: Vec<String>,
}

struct Gen<'a> {
    model: &'a Model,
    schemas: Vec<String>,
    relationships: Vec<Relationship>,
    /// Included functions by schema, sorted by name then overload.
    functions: BTreeMap<String, Vec<FnInfo>>,
    view_columns: BTreeMap<(String, String), Vec<ViewColumn>>,
}

fn is_table(r: &Relation) -> bool {
    matches!(r.kind, RelKind::Table | RelKind::ForeignTable)
}

fn is_view(r: &Relation) -> bool {
    matches!(r.kind, RelKind::View | RelKind::MaterializedView)
}

impl<'a> Gen<'a> {
    fn new(model: &'a Model, schemas: Vec<String>) -> Gen<'a> {
        let mut g = Gen {
            model,
            schemas,
            relationships: Vec::new(),
            functions: BTreeMap::new(),
            view_columns: BTreeMap::new(),
        };
        for r in model.relations.values().filter(|r| is_view(r)) {
            g.view_columns.insert(
                (r.schema.clone(), r.name.clone()),
                relation_columns(model, r),
            );
        }
        g.relationships = g.collect_relationships();
        for s in g.schemas.clone() {
            let fns = g.collect_functions(&s);
            g.functions.insert(s, fns);
        }
        g
    }

    fn included(&self, schema: &str) -> bool {
        self.schemas.iter().any(|s| s == schema)
    }

    fn relations_in(&self, schema: &str, pick: fn(&Relation) -> bool) -> Vec<&'a Relation> {
        let mut v: Vec<&Relation> = self
            .model
            .relations
            .values()
            .filter(|r| r.schema == schema && pick(r))
            .collect();
        v.sort_by(|a, b| locale_cmp(&a.name, &b.name));
        v
    }

    fn schema(&self, schema: &str) -> Doc {
        let never = || vec![text("[_ in never]: never")];
        let or_never = |v: Vec<Doc>| if v.is_empty() { never() } else { v };
        let tables: Vec<Doc> = self
            .relations_in(schema, is_table)
            .into_iter()
            .map(|r| prop(&r.name, false, self.table(r)))
            .collect();
        let views: Vec<Doc> = self
            .relations_in(schema, is_view)
            .into_iter()
            .map(|r| prop(&r.name, false, self.view(r)))
            .collect();
        let enums: Vec<Doc> = self
            .enums(schema)
            .into_iter()
            .map(|(name, values)| {
                prop(
                    name,
                    false,
                    union(values.iter().map(|v| text(string(v))).collect(), false),
                )
            })
            .collect();
        object_type(
            vec![
                prop("Tables", false, object_type(or_never(tables), true)),
                prop("Views", false, object_type(or_never(views), true)),
                prop(
                    "Functions",
                    false,
                    object_type(or_never(self.functions_doc(schema)), true),
                ),
                prop("Enums", false, object_type(or_never(enums), true)),
                prop(
                    "CompositeTypes",
                    false,
                    object_type(or_never(self.composites_doc(schema)), true),
                ),
            ],
            true,
        )
    }

    /// postgres-meta's `CompositeTypes`: each attribute is `T | null`, in
    /// attribute order (a composite type's attributes cannot be NOT NULL).
    fn composites_doc(&self, schema: &str) -> Vec<Doc> {
        in_schema(&self.model.composites, schema)
            .into_iter()
            .map(|(name, attrs)| {
                let members = attrs
                    .iter()
                    .map(|a| {
                        prop(
                            &a.name,
                            false,
                            self.column_ts(Some(&parse_type(&a.ty)), schema, true),
                        )
                    })
                    .collect();
                prop(name, false, object_type(members, true))
            })
            .collect()
    }

    fn enums(&self, schema: &str) -> Vec<(&'a str, &'a Vec<String>)> {
        in_schema(&self.model.enums, schema)
    }

    // ---- tables and views ----

    fn table(&self, r: &Relation) -> Doc {
        let pk: &[String] = r.primary_key.as_deref().unwrap_or(&[]);
        let mut cols: Vec<&crate::model::Column> = r.columns.iter().collect();
        cols.sort_by(|a, b| locale_cmp(&a.name, &b.name));
        let mut row = Vec::new();
        let mut insert = Vec::new();
        let mut update = Vec::new();
        for c in cols {
            let ty = c.ty.as_ref().map(|t| parse_type(&t.text));
            let serial = c.ty.as_ref().is_some_and(|t| {
                matches!(
                    t.text.as_str(),
                    "serial" | "serial4" | "bigserial" | "serial8" | "smallserial" | "serial2"
                )
            });
            let nullable = !(c.not_null || c.identity || serial || pk.contains(&c.name));
            let has_default = c.default.is_some() || serial || c.generated;
            let ts = self.column_ts(ty.as_ref(), &r.schema, nullable);
            row.push(prop(&c.name, false, ts.clone()));
            if c.identity_always {
                insert.push(prop(&c.name, true, text("never")));
                update.push(prop(&c.name, true, text("never")));
            } else {
                insert.push(prop(
                    &c.name,
                    nullable || c.identity || has_default,
                    ts.clone(),
                ));
                update.push(prop(&c.name, true, ts));
            }
        }
        row.extend(self.computed_fields(r));
        object_type(
            vec![
                prop("Row", false, object_type(row, true)),
                prop("Insert", false, object_type(insert, true)),
                prop("Update", false, object_type(update, true)),
                prop("Relationships", false, self.relationships_doc(r)),
            ],
            true,
        )
    }

    fn view(&self, r: &Relation) -> Doc {
        let empty = Vec::new();
        let mut cols: Vec<&ViewColumn> = self
            .view_columns
            .get(&(r.schema.clone(), r.name.clone()))
            .unwrap_or(&empty)
            .iter()
            .collect();
        cols.sort_by(|a, b| locale_cmp(&a.name, &b.name));
        let mut row: Vec<Doc> = cols
            .iter()
            .map(|c| {
                prop(
                    &c.name,
                    false,
                    self.column_ts(c.ty.as_ref(), &r.schema, true),
                )
            })
            .collect();
        row.extend(self.computed_fields(r));
        let mut members = vec![prop("Row", false, object_type(row, true))];
        if self.view_updatable(r, &cols) {
            let write: Vec<Doc> = cols
                .iter()
                .map(|c| {
                    if c.updatable {
                        prop(
                            &c.name,
                            true,
                            self.column_ts(c.ty.as_ref(), &r.schema, true),
                        )
                    } else {
                        prop(&c.name, true, text("never"))
                    }
                })
                .collect();
            members.push(prop("Insert", false, object_type(write.clone(), true)));
            members.push(prop("Update", false, object_type(write, true)));
        }
        members.push(prop("Relationships", false, self.relationships_doc(r)));
        object_type(members, true)
    }

    /// PostgreSQL's automatic updatability: a simple view over one table (or
    /// updatable view) with at least one plain column.
    fn view_updatable(&self, r: &Relation, cols: &[&ViewColumn]) -> bool {
        if r.kind != RelKind::View {
            return false;
        }
        let Some(q) = r.view.as_ref().and_then(|v| v.query.as_ref()) else {
            return false;
        };
        if !q.simple
            || q.targets
                .iter()
                .filter_map(|t| t.expr.as_ref())
                .any(has_aggregate)
        {
            return false;
        }
        let Some(base) = q.from.first().and_then(|(n, _)| self.model.relation(n)) else {
            return false;
        };
        let base_ok = match base.kind {
            RelKind::Table => true,
            RelKind::View => {
                let base_cols = self
                    .view_columns
                    .get(&(base.schema.clone(), base.name.clone()))
                    .map(|v| v.iter().collect::<Vec<_>>())
                    .unwrap_or_default();
                self.view_updatable(base, &base_cols)
            }
            _ => false,
        };
        base_ok && cols.iter().any(|c| c.updatable)
    }

    /// A column's type, `| null` when nullable.
    fn column_ts(&self, ty: Option<&TypeRef>, schema: &str, nullable: bool) -> Doc {
        let mut parts = match ty {
            Some(t) => self.ts_type(t, schema),
            None => vec!["unknown".to_string()],
        };
        nullable_parts(&mut parts, nullable);
        union(parts.into_iter().map(text).collect(), false)
    }

    /// postgres-meta's `pgTypeToTsType`, as union members.
    fn ts_type(&self, t: &TypeRef, schema: &str) -> Vec<String> {
        if t.dims > 0 {
            let inner = self.ts_type(&t.clone().element(), schema);
            return vec![if inner.len() == 1 {
                format!("{}[]", inner[0])
            } else {
                format!("({})[]", inner.join(" | "))
            }];
        }
        let simple = match t.name.as_str() {
            "bool" => Some("boolean"),
            "int2" | "int4" | "int8" | "float4" | "float8" | "numeric" => Some("number"),
            "bytea" | "bpchar" | "varchar" | "date" | "text" | "citext" | "time" | "timetz"
            | "timestamp" | "timestamptz" | "uuid" | "vector" | "interval" => Some("string"),
            "json" | "jsonb" => Some("Json"),
            "void" => Some("undefined"),
            "record" => Some("Record<string, unknown>"),
            _ => None,
        };
        if let Some(s) = simple {
            return vec![s.to_string()];
        }
        // Enums, then table and view row types, preferring the current schema.
        let pick = |candidates: Vec<&String>| -> Option<String> {
            candidates
                .iter()
                .find(|s| Some(s.as_str()) == t.schema.as_deref())
                .or_else(|| candidates.iter().find(|s| s.as_str() == schema))
                .or_else(|| candidates.first())
                .map(|s| s.to_string())
        };
        let enum_schemas = schemas_naming(&self.model.enums, &t.name);
        if let Some(s) = pick(enum_schemas) {
            if self.included(&s) {
                return vec![format!(
                    "Database[{}][\"Enums\"][{}]",
                    string(&s),
                    string(&t.name)
                )];
            }
            let values = &self.model.enums[&(s, t.name.clone())];
            return values.iter().map(|v| string(v)).collect();
        }
        let composite_schemas = schemas_naming(&self.model.composites, &t.name);
        if let Some(s) = pick(composite_schemas) {
            if self.included(&s) {
                return vec![format!(
                    "Database[{}][\"CompositeTypes\"][{}]",
                    string(&s),
                    string(&t.name)
                )];
            }
            return vec!["unknown".to_string()];
        }
        for (kind, pick_rel) in [
            (
                "Tables",
                (|r: &Relation| r.kind == RelKind::Table) as fn(&Relation) -> bool,
            ),
            ("Views", |r: &Relation| r.kind == RelKind::View),
        ] {
            let rel_schemas: Vec<&String> = self
                .model
                .relations
                .values()
                .filter(|r| r.name == t.name && pick_rel(r) && self.included(&r.schema))
                .map(|r| &r.schema)
                .collect();
            if let Some(s) = pick(rel_schemas) {
                return vec![format!(
                    "Database[{}][{}][{}][\"Row\"]",
                    string(&s),
                    string(kind),
                    string(&t.name)
                )];
            }
        }
        vec!["unknown".to_string()]
    }

    // ---- relationships ----

    fn collect_relationships(&self) -> Vec<Relationship> {
        let mut out = Vec::new();
        for r in self.model.relations.values() {
            if !self.included(&r.schema) || !is_table(r) || r.keys_from_elsewhere {
                continue;
            }
            for fk in &r.foreign_keys {
                let Some(target) = self.model.relation(&fk.ref_table) else {
                    continue;
                };
                let ref_columns = if fk.ref_columns.is_empty() {
                    target.primary_key.clone().unwrap_or_default()
                } else {
                    fk.ref_columns.clone()
                };
                // One-to-one: the key columns are exactly a primary key or
                // unique constraint of the table (in column order).
                let position = |c: &String| r.columns.iter().position(|x| &x.name == c);
                let is_one_to_one = r.primary_key.iter().chain(r.uniques.iter()).any(|k| {
                    let mut k = k.clone();
                    k.sort_by_key(position);
                    k == fk.columns
                });
                out.push(Relationship {
                    fk_name: fk.name.clone().unwrap_or_default(),
                    schema: r.schema.clone(),
                    relation: r.name.clone(),
                    columns: fk.columns.clone(),
                    is_one_to_one,
                    ref_schema: target.schema.clone(),
                    ref_relation: target.name.clone(),
                    ref_columns,
                });
            }
        }
        out.extend(self.view_relationships(&out));
        out.sort_by(|a, b| {
            locale_cmp(&a.fk_name, &b.fk_name)
                .then_with(|| locale_cmp(&a.ref_relation, &b.ref_relation))
                .then_with(|| {
                    locale_cmp(
                        &serde_json::to_string(&a.ref_columns).unwrap_or_default(),
                        &serde_json::to_string(&b.ref_columns).unwrap_or_default(),
                    )
                })
        });
        out
    }

    /// Relationships through views that show a key's columns unchanged
    /// (PostgREST's view key dependencies, as postgres-meta derives them).
    fn view_relationships(&self, tables: &[Relationship]) -> Vec<Relationship> {
        struct KeyDep<'v> {
            view_schema: &'v str,
            view_name: &'v str,
            /// For each key column, the view columns showing it.
            view_columns: Vec<Vec<String>>,
        }
        // Key dependencies: (table schema, table, constraint, "f" | "f_ref").
        let deps = |schema: &str, table: &str, cols: &[String]| -> Vec<KeyDep<'_>> {
            let mut out = Vec::new();
            for ((vs, vn), vcols) in &self.view_columns {
                if !self.included(vs) {
                    continue;
                }
                let per_col: Vec<Vec<String>> = cols
                    .iter()
                    .map(|c| {
                        vcols
                            .iter()
                            .filter(|v| {
                                v.origin.as_ref().is_some_and(|(s, t, col)| {
                                    s == schema && t == table && col == c
                                })
                            })
                            .map(|v| v.name.clone())
                            .collect()
                    })
                    .collect();
                if !cols.is_empty() && per_col.iter().all(|v| !v.is_empty()) {
                    out.push(KeyDep {
                        view_schema: vs,
                        view_name: vn,
                        view_columns: per_col,
                    });
                }
            }
            out
        };
        fn product(cols: &[Vec<String>]) -> Vec<Vec<String>> {
            cols.iter().fold(vec![Vec::new()], |acc, options| {
                acc.iter()
                    .flat_map(|prefix| {
                        options.iter().map(move |o| {
                            let mut p = prefix.clone();
                            p.push(o.clone());
                            p
                        })
                    })
                    .collect()
            })
        }
        let mut out = Vec::new();
        for r in tables {
            let from_views = deps(&r.schema, &r.relation, &r.columns);
            let to_views = deps(&r.ref_schema, &r.ref_relation, &r.ref_columns);
            for v in &from_views {
                for cols in product(&v.view_columns) {
                    out.push(Relationship {
                        schema: v.view_schema.to_string(),
                        relation: v.view_name.to_string(),
                        columns: cols,
                        ..r.clone()
                    });
                }
            }
            for v in &to_views {
                for cols in product(&v.view_columns) {
                    out.push(Relationship {
                        ref_schema: v.view_schema.to_string(),
                        ref_relation: v.view_name.to_string(),
                        ref_columns: cols,
                        ..r.clone()
                    });
                }
            }
            for a in &from_views {
                for cols in product(&a.view_columns) {
                    for b in &to_views {
                        for ref_cols in product(&b.view_columns) {
                            out.push(Relationship {
                                schema: a.view_schema.to_string(),
                                relation: a.view_name.to_string(),
                                columns: cols.clone(),
                                ref_schema: b.view_schema.to_string(),
                                ref_relation: b.view_name.to_string(),
                                ref_columns: ref_cols,
                                ..r.clone()
                            });
                        }
                    }
                }
            }
        }
        out
    }

    fn relationships_doc(&self, r: &Relation) -> Doc {
        let strings = |v: &[String]| array(v.iter().map(|s| text(string(s))).collect());
        array(
            self.relationships
                .iter()
                .filter(|x| {
                    x.schema == r.schema && x.relation == r.name && x.ref_schema == r.schema
                })
                .map(|x| {
                    object_type(
                        vec![
                            prop("foreignKeyName", false, text(string(&x.fk_name))),
                            prop("columns", false, strings(&x.columns)),
                            prop("isOneToOne", false, text(x.is_one_to_one.to_string())),
                            prop("referencedRelation", false, text(string(&x.ref_relation))),
                            prop("referencedColumns", false, strings(&x.ref_columns)),
                        ],
                        true,
                    )
                })
                .collect(),
        )
    }

    // ---- functions ----

    fn collect_functions(&self, schema: &str) -> Vec<FnInfo> {
        let mut fns: Vec<FnInfo> = self
            .model
            .functions
            .iter()
            .filter(|f| f.schema == schema && !f.is_procedure && !f.returns_trigger())
            .map(fn_info)
            .collect();
        if schema == "graphql_public" {
            fns.push(graphql_function());
        }
        if schema == "public"
            && self
                .model
                .extensions
                .get("pg_trgm")
                .is_some_and(|e| e.schema.as_deref().is_none_or(|s| s == "public"))
        {
            fns.extend(pg_trgm_functions());
        }
        fns.retain(|f| self.function_included(f));
        fns.sort_by(|a, b| {
            locale_cmp(&a.name, &b.name)
                .then_with(|| locale_cmp(&a.arg_text, &b.arg_text))
                .then_with(|| locale_cmp(&a.ret_text, &b.ret_text))
        });
        fns
    }

    /// Whether PostgREST can call it (postgres-meta's filter on input arguments).
    fn function_included(&self, f: &FnInfo) -> bool {
        let inputs: Vec<&FnArg> = f.args.iter().filter(|a| a.is_input()).collect();
        inputs.is_empty()
            || inputs.iter().all(|a| !a.name.is_empty())
            || inputs
                .iter()
                .all(|a| !a.name.is_empty() || (a.has_default && valid_unnamed(&a.ty)))
            || (inputs.len() == 1
                && inputs[0].name.is_empty()
                && (valid_unnamed(&inputs[0].ty) || self.relation_type(&inputs[0].ty).is_some()))
    }

    /// The table, view or composite type whose row type `t` is, as
    /// (schema, name): postgres-meta's types with a `type_relation_id`.
    fn relation_type(&self, t: &TypeRef) -> Option<(String, String)> {
        if let Some(r) = self.row_type(t) {
            return Some((r.schema.clone(), r.name.clone()));
        }
        let key = (
            t.schema.clone().unwrap_or_else(|| "public".to_string()),
            t.name.clone(),
        );
        (t.dims == 0 && self.model.composites.contains_key(&key)).then_some(key)
    }

    /// The relation whose row type `t` is.
    fn row_type(&self, t: &TypeRef) -> Option<&'a Relation> {
        if t.dims > 0 {
            return None;
        }
        let schema = t.schema.as_deref().unwrap_or("public");
        self.model
            .relations
            .get(&(schema.to_string(), t.name.clone()))
    }

    fn functions_doc(&self, schema: &str) -> Vec<Doc> {
        let fns = self.functions.get(schema).map(Vec::as_slice).unwrap_or(&[]);
        let mut groups: Vec<(&str, Vec<&FnInfo>)> = Vec::new();
        for f in fns {
            match groups.iter_mut().find(|(n, _)| *n == f.name) {
                Some((_, v)) => v.push(f),
                None => groups.push((&f.name, vec![f])),
            }
        }
        groups
            .into_iter()
            .map(|(name, group)| {
                let sigs = group.iter().map(|f| self.signature(f, &group)).collect();
                prop(name, false, union(sigs, false))
            })
            .collect()
    }

    fn signature(&self, f: &FnInfo, group: &[&FnInfo]) -> Doc {
        let inputs: Vec<&FnArg> = f.args.iter().filter(|a| a.is_input()).collect();
        let args = if inputs.is_empty() {
            text("never")
        } else {
            object_type(
                inputs
                    .iter()
                    .map(|a| {
                        prop(
                            &a.name,
                            a.has_default,
                            union(
                                self.ts_type(&a.ty, &f.schema)
                                    .into_iter()
                                    .map(text)
                                    .collect(),
                                false,
                            ),
                        )
                    })
                    .collect(),
                false,
            )
        };
        let error = |msg: String| {
            cat(vec![
                object_type(vec![prop("error", false, text("true"))], false),
                text(" & "),
                text(string(&msg)),
            ])
        };
        let returns = if let Some(msg) = self.conflict(f, group) {
            error(msg)
        } else if self.table_row_error(f) {
            error(format!(
                "the function {}.{} with parameter or with a single unnamed json/jsonb parameter, but no matches were found in the schema cache",
                f.schema, f.name
            ))
        } else {
            self.return_type(f)
        };
        // SetofOptions and the array suffix.
        let ret_rel = match &f.ret {
            Ret::Type(t) => self.relation_type(t),
            Ret::Table => None,
        };
        let return_table_name = ret_rel.as_ref().map(|(_, name)| name.clone());
        let returns_set_of_table = f.is_set && ret_rel.is_some();
        let multiple_rows = f.is_set;
        let mut setof: Option<(String, String, bool, bool)> = return_table_name
            .as_ref()
            .map(|to| ("*".to_string(), to.clone(), !multiple_rows, f.is_set));
        if f.args.len() == 1
            && let Some((source_schema, source)) = self.relation_type(&f.args[0].ty)
            && let Some(to) = &return_table_name
        {
            let from = if source_schema == "public" {
                source
            } else {
                format!("{source_schema}.{source}")
            };
            setof = Some(if returns_set_of_table {
                (from, to.clone(), !multiple_rows, true)
            } else {
                (from, to.clone(), true, false)
            });
        }
        let collapsible = !multiple_rows && return_table_name.is_some();
        let returns = if f.is_set && !collapsible {
            cat(vec![returns, text("[]")])
        } else {
            returns
        };
        let mut members = vec![prop("Args", false, args), prop("Returns", false, returns)];
        if let Some((from, to, one, set)) = setof {
            members.push(prop(
                "SetofOptions",
                false,
                object_type(
                    vec![
                        prop("from", false, text(string(&from))),
                        prop("to", false, text(string(&to))),
                        prop("isOneToOne", false, text(one.to_string())),
                        prop("isSetofReturn", false, text(set.to_string())),
                    ],
                    true,
                ),
            ));
        }
        object_type(members, false)
    }

    /// postgres-meta's `getFunctionReturnType`.
    fn return_type(&self, f: &FnInfo) -> Doc {
        match &f.ret {
            Ret::Table => object_type(
                f.args
                    .iter()
                    .filter(|a| a.mode == "table")
                    .map(|a| {
                        prop(
                            &a.name,
                            false,
                            union(
                                self.ts_type(&a.ty, &f.schema)
                                    .into_iter()
                                    .map(text)
                                    .collect(),
                                false,
                            ),
                        )
                    })
                    .collect(),
                true,
            ),
            Ret::Type(t) => {
                if let Some(rel) = self.row_type(t).filter(|r| r.schema == f.schema) {
                    return object_type(self.row_members(rel), true);
                }
                union(
                    self.ts_type(t, &f.schema).into_iter().map(text).collect(),
                    false,
                )
            }
        }
    }

    /// A relation's Row members (columns only).
    fn row_members(&self, r: &Relation) -> Vec<Doc> {
        if is_view(r) {
            let mut cols: Vec<&ViewColumn> = self
                .view_columns
                .get(&(r.schema.clone(), r.name.clone()))
                .map(|v| v.iter().collect())
                .unwrap_or_default();
            cols.sort_by(|a, b| locale_cmp(&a.name, &b.name));
            return cols
                .iter()
                .map(|c| {
                    prop(
                        &c.name,
                        false,
                        self.column_ts(c.ty.as_ref(), &r.schema, true),
                    )
                })
                .collect();
        }
        let pk: &[String] = r.primary_key.as_deref().unwrap_or(&[]);
        let mut cols: Vec<&crate::model::Column> = r.columns.iter().collect();
        cols.sort_by(|a, b| locale_cmp(&a.name, &b.name));
        cols.iter()
            .map(|c| {
                let nullable = !(c.not_null || c.identity || pk.contains(&c.name));
                let ty = c.ty.as_ref().map(|t| parse_type(&t.text));
                prop(
                    &c.name,
                    false,
                    self.column_ts(ty.as_ref(), &r.schema, nullable),
                )
            })
            .collect()
    }

    /// Functions taking the relation's row as their one unnamed argument
    /// (PostgREST computed fields): listed in the relation's Row.
    fn computed_fields(&self, r: &Relation) -> Vec<Doc> {
        let fns = self
            .functions
            .get(&r.schema)
            .map(Vec::as_slice)
            .unwrap_or(&[]);
        fns.iter()
            .filter(|f| {
                f.args.len() == 1
                    && f.args[0].name.is_empty()
                    && f.args[0].mode == "in"
                    && !f.args[0].has_default
                    && f.args[0].ty.schema.as_deref().is_none_or(|s| s == "public")
                    && f.args[0].ty.dims == 0
                    && f.args[0].ty.name == r.name
            })
            .map(|f| {
                let ret = self.return_type(f);
                let is_object = match &f.ret {
                    Ret::Table => true,
                    Ret::Type(t) => self.row_type(t).is_some_and(|x| x.schema == f.schema),
                };
                let ty = if is_object {
                    cat(vec![ret, text(" | null")])
                } else {
                    let mut parts = match &f.ret {
                        Ret::Type(t) => self.ts_type(t, &f.schema),
                        Ret::Table => vec![],
                    };
                    nullable_parts(&mut parts, true);
                    union(parts.into_iter().map(text).collect(), false)
                };
                prop(&f.name, false, ty)
            })
            .collect()
    }

    fn table_row_error(&self, f: &FnInfo) -> bool {
        let inputs: Vec<&FnArg> = f.args.iter().filter(|a| a.is_input()).collect();
        let returns_row = match &f.ret {
            Ret::Type(t) => self.relation_type(t).is_some(),
            Ret::Table => false,
        };
        inputs.len() == 1
            && inputs[0].name.is_empty()
            && self.relation_type(&inputs[0].ty).is_some()
            && !returns_row
    }

    /// postgres-meta's `getConflictError`: overloads PostgREST cannot tell apart.
    fn conflict(&self, f: &FnInfo, group: &[&FnInfo]) -> Option<String> {
        if group.len() <= 1 {
            return None;
        }
        let inputs = |x: &FnInfo| -> Vec<FnArg> {
            x.args.iter().filter(|a| a.is_input()).cloned().collect()
        };
        let mine = inputs(f);
        let same = |a: &FnInfo, b: &FnInfo| std::ptr::eq(a, b);
        if mine.is_empty() {
            let other = group.iter().find(|o| {
                let oi = inputs(o);
                !same(o, f) && oi.len() == 1 && oi[0].name.is_empty() && oi[0].has_default
            })?;
            let ret = match &other.ret {
                Ret::Type(t) => t.display_internal(),
                Ret::Table => "record".into(),
            };
            return Some(format!(
                "Could not choose the best candidate function between: {s}.{n}(), {s}.{n}( => {ret}). Try renaming the parameters or the function itself in the database so function overloading can be resolved",
                s = f.schema,
                n = f.name
            ));
        }
        if mine.len() == 1 && !mine[0].name.is_empty() {
            let mut all: Vec<(&FnInfo, Vec<FnArg>)> = vec![(f, mine.clone())];
            for o in group {
                let oi = inputs(o);
                if !same(o, f)
                    && oi.len() == 1
                    && oi[0].name == mine[0].name
                    && oi[0].ty != mine[0].ty
                {
                    all.push((o, oi));
                }
            }
            if all.len() > 1 {
                all.sort_by_key(|(_, a)| type_oid(&a[0].ty));
                let list: Vec<String> = all
                    .iter()
                    .map(|(_, a)| {
                        format!(
                            "{}.{}({})",
                            f.schema,
                            f.name,
                            a.iter()
                                .map(|x| format!("{} => {}", x.name, x.ty.display_internal()))
                                .collect::<Vec<_>>()
                                .join(", ")
                        )
                    })
                    .collect();
                return Some(format!(
                    "Could not choose the best candidate function between: {}. Try renaming the parameters or the function itself in the database so function overloading can be resolved",
                    list.join(", ")
                ));
            }
        }
        None
    }
}

impl TypeRef {
    /// The name postgres-meta's types list gives it (`int4`, `_text`).
    fn display_internal(&self) -> String {
        format!("{}{}", "_".repeat(self.dims.min(1)), self.name)
    }
}

/// `T | null` unless T is `unknown` (which holds null already).
/// The entries of a `(schema, name)` map in `schema`, by name as
/// `localeCompare` sorts them.
fn in_schema<'m, T>(map: &'m BTreeMap<(String, String), T>, schema: &str) -> Vec<(&'m str, &'m T)> {
    let mut v: Vec<(&str, &T)> = map
        .iter()
        .filter(|((s, _), _)| s == schema)
        .map(|((_, n), x)| (n.as_str(), x))
        .collect();
    v.sort_by(|a, b| locale_cmp(a.0, b.0));
    v
}

/// The schemas of a `(schema, name)` map that hold `name`.
fn schemas_naming<'m, T>(map: &'m BTreeMap<(String, String), T>, name: &str) -> Vec<&'m String> {
    map.keys()
        .filter(|(_, n)| n == name)
        .map(|(s, _)| s)
        .collect()
}

fn nullable_parts(parts: &mut Vec<String>, nullable: bool) {
    let unknown = parts.len() == 1 && (parts[0] == "unknown" || parts[0] == "any");
    if nullable && !unknown {
        parts.push("null".into());
    }
}

/// json, jsonb and text: the unnamed argument types PostgREST accepts.
fn valid_unnamed(t: &TypeRef) -> bool {
    t.dims == 0 && matches!(t.name.as_str(), "json" | "jsonb" | "text")
}

/// Built-in type OIDs, for ordering conflicting overloads as postgres-meta does.
fn type_oid(t: &TypeRef) -> u32 {
    if t.dims > 0 {
        return 1000;
    }
    match t.name.as_str() {
        "bool" => 16,
        "bytea" => 17,
        "int8" => 20,
        "int2" => 21,
        "int4" => 23,
        "text" => 25,
        "json" => 114,
        "float4" => 700,
        "float8" => 701,
        "bpchar" => 1042,
        "varchar" => 1043,
        "date" => 1082,
        "time" => 1083,
        "timestamp" => 1114,
        "timestamptz" => 1184,
        "interval" => 1186,
        "numeric" => 1700,
        "uuid" => 2950,
        "jsonb" => 3802,
        _ => u32::MAX,
    }
}

fn fn_info(f: &Function) -> FnInfo {
    let mut args: Vec<FnArg> = f
        .params
        .iter()
        .map(|p| FnArg {
            name: p.name.clone().unwrap_or_default(),
            ty: parse_type(&p.ty),
            mode: if p.mode.is_empty() {
                "in".into()
            } else {
                p.mode.clone()
            },
            has_default: p.has_default,
        })
        .collect();
    let arg_text = args
        .iter()
        .map(|a| {
            let mode = match a.mode.as_str() {
                "in" => "",
                "out" => "OUT ",
                "inout" => "INOUT ",
                _ => "VARIADIC ",
            };
            let name = if a.name.is_empty() {
                String::new()
            } else {
                format!("{} ", a.name)
            };
            let ty = f
                .params
                .iter()
                .find(|p| p.name.clone().unwrap_or_default() == a.name)
                .map(|p| crate::model::catalog::pg_type(&p.ty))
                .unwrap_or_default();
            format!(
                "{mode}{name}{ty}{}",
                if a.has_default { " DEFAULT" } else { "" }
            )
        })
        .collect::<Vec<_>>()
        .join(", ");
    let returns = f.returns.clone().unwrap_or_default();
    let (is_set, ret, ret_text) = if let Some(cols) = returns
        .strip_prefix("table")
        .map(str::trim_start)
        .and_then(|r| r.strip_prefix('('))
        .and_then(|r| r.strip_suffix(')'))
    {
        for (name, ty) in split_columns(cols) {
            args.push(FnArg {
                name,
                ty: parse_type(&ty),
                mode: "table".into(),
                has_default: false,
            });
        }
        (true, Ret::Table, format!("TABLE({cols})"))
    } else if let Some(t) = returns.strip_prefix("setof ") {
        (
            true,
            Ret::Type(parse_type(t)),
            format!("SETOF {}", crate::model::catalog::pg_type(t)),
        )
    } else if returns.is_empty() {
        // No RETURNS: the OUT arguments make the result.
        let outs: Vec<&FnArg> = args
            .iter()
            .filter(|a| a.mode == "out" || a.mode == "inout")
            .collect();
        let t = match outs.as_slice() {
            [one] => one.ty.clone(),
            [] => TypeRef::named("void"),
            _ => TypeRef::named("record"),
        };
        (false, Ret::Type(t.clone()), t.display())
    } else {
        (
            false,
            Ret::Type(parse_type(&returns)),
            crate::model::catalog::pg_type(&returns),
        )
    };
    args.sort_by(|a, b| locale_cmp(&a.name, &b.name));
    FnInfo {
        schema: f.schema.clone(),
        name: f.name.clone(),
        args,
        ret,
        is_set,
        arg_text,
        ret_text,
    }
}

/// `id int, name text` -> [(id, int), (name, text)].
fn split_columns(s: &str) -> Vec<(String, String)> {
    let mut parts = Vec::new();
    let (mut depth, mut start, mut quoted) = (0i32, 0usize, false);
    for (i, c) in s.char_indices() {
        match c {
            '"' => quoted = !quoted,
            '(' if !quoted => depth += 1,
            ')' if !quoted => depth -= 1,
            ',' if !quoted && depth == 0 => {
                parts.push(&s[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&s[start..]);
    parts
        .into_iter()
        .filter_map(|p| {
            let p = p.trim();
            let (name, ty) = if let Some(rest) = p.strip_prefix('"') {
                let end = rest.find('"')?;
                (format!("\"{}\"", &rest[..end]), rest[end + 1..].trim())
            } else {
                let (n, t) = p.split_once(char::is_whitespace)?;
                (n.to_string(), t.trim())
            };
            Some((crate::sql::normalize_ident(&name), ty.to_string()))
        })
        .collect()
}

fn synthetic(schema: &str, name: &str, args: &[(&str, &str, bool)], ret: &str) -> FnInfo {
    let mut args: Vec<FnArg> = args
        .iter()
        .map(|(n, t, d)| FnArg {
            name: n.to_string(),
            ty: parse_type(t),
            mode: "in".into(),
            has_default: *d,
        })
        .collect();
    args.sort_by(|a, b| locale_cmp(&a.name, &b.name));
    FnInfo {
        schema: schema.into(),
        name: name.into(),
        args,
        ret: Ret::Type(parse_type(ret)),
        is_set: false,
        arg_text: String::new(),
        ret_text: ret.into(),
    }
}

/// `graphql_public.graphql`, which Supabase installs with pg_graphql.
fn graphql_function() -> FnInfo {
    synthetic(
        "graphql_public",
        "graphql",
        &[
            ("operationName", "text", true),
            ("query", "text", true),
            ("variables", "jsonb", true),
            ("extensions", "jsonb", true),
        ],
        "jsonb",
    )
}

/// The functions of pg_trgm PostgREST can call, when it is installed in `public`.
fn pg_trgm_functions() -> Vec<FnInfo> {
    vec![
        synthetic("public", "show_limit", &[], "real"),
        synthetic("public", "show_trgm", &[("", "text", false)], "text[]"),
    ]
}

#[cfg(test)]
mod tests;
