//! The model as catalog lines: one sorted line per fact, in the form
//! `scripts/catalog.sql` prints from a real PostgreSQL's `pg_catalog`, so the
//! two can be diffed (`scripts/pg-run.sh` with `PG_RUN_COMPARE=1`). Only what
//! the project created is listed (not the Supabase platform), and only the facts
//! the rules read: relations and columns (type, nullability), keys with ON
//! DELETE, indexes (method, columns, predicate), RLS, policies, functions
//! (SECURITY DEFINER, `search_path`, who may execute), view options and grants
//! to the API roles.
//!
//! Types are printed as PostgreSQL's `format_type` prints them, without a
//! schema (`int4` -> `integer`, `varchar(20)` -> `character varying(20)`,
//! `serial` -> `integer`). Index expressions are printed as `(expr)`; index
//! predicates as written (the diff script compares them loosely).

use std::collections::BTreeSet;

use super::{Model, RelKind, Relation};
use crate::sql::PolicyCommand;

/// The roles whose privileges are compared.
const API_ROLES: &[&str] = &["anon", "authenticated", "public"];

const TABLE_PRIVILEGES: &[&str] = &[
    "delete",
    "insert",
    "references",
    "select",
    "trigger",
    "truncate",
    "update",
];

/// The catalog lines of what the project created, sorted, one per line.
pub fn catalog(model: &Model) -> String {
    let mut lines: BTreeSet<String> = BTreeSet::new();
    for rel in model.relations.values() {
        if !rel.is_platform() {
            relation_lines(model, rel, &mut lines);
        }
        for p in rel.policies.iter().filter(|p| !p.origin.is_platform()) {
            let mut roles = p.roles.clone();
            roles.sort();
            roles.dedup();
            lines.insert(format!(
                "policy {} {} {} {} to {}",
                rel.display_name(),
                quote(&p.name),
                command(p.command),
                if p.permissive {
                    "permissive"
                } else {
                    "restrictive"
                },
                roles.join(",")
            ));
        }
    }
    for f in model.project_functions() {
        let args: Vec<String> = f.arg_types.iter().map(|t| pg_type(t)).collect();
        let mut line = format!("function {}.{}({})", f.schema, f.name, args.join(", "));
        if f.security_definer {
            line.push_str(" security definer");
        }
        if let Some(sp) = f.search_path() {
            line.push_str(&format!(" search_path={}", search_path(sp)));
        }
        let exec: Vec<&str> = API_ROLES
            .iter()
            .copied()
            .filter(|r| f.execute.contains(*r))
            .collect();
        line.push_str(&format!(" execute={}", exec.join(",")));
        lines.insert(line);
    }
    for ((schema, name), values) in &model.enums {
        lines.insert(format!("enum {schema}.{name} ({})", values.join(", ")));
    }
    for ((schema, name), attrs) in &model.composites {
        let attrs: Vec<String> = attrs
            .iter()
            .map(|a| format!("{} {}", quote(&a.name), pg_type(&a.ty)))
            .collect();
        lines.insert(format!("composite {schema}.{name} ({})", attrs.join(", ")));
    }
    lines.into_iter().map(|l| l + "\n").collect()
}

fn relation_lines(model: &Model, rel: &Relation, lines: &mut BTreeSet<String>) {
    let name = rel.display_name();
    lines.insert(format!("{} {name}", rel.kind.as_str()));
    if let Some(v) = &rel.view {
        let invoker = v.option("security_invoker").is_some_and(|o| {
            matches!(o.to_ascii_lowercase().as_str(), "true" | "on" | "1" | "yes")
        });
        if rel.kind == RelKind::View && invoker {
            lines.insert(format!("view {name} security_invoker"));
        }
    }
    if matches!(rel.kind, RelKind::Table | RelKind::ForeignTable) {
        let pk: &[String] = rel.primary_key.as_deref().unwrap_or(&[]);
        for c in &rel.columns {
            let ty = c.ty.as_ref().map_or("?".to_string(), |t| pg_type(&t.text));
            // Identity and serial columns are NOT NULL without saying so.
            let serial = c.ty.as_ref().is_some_and(|t| {
                matches!(
                    t.text.as_str(),
                    "serial" | "serial4" | "bigserial" | "serial8" | "smallserial" | "serial2"
                )
            });
            let not_null = c.not_null || c.identity || serial || pk.contains(&c.name);
            lines.insert(format!(
                "column {name}.{} {ty}{}",
                quote(&c.name),
                if not_null { " not null" } else { "" }
            ));
        }
    }
    if rel.kind == RelKind::Table {
        lines.insert(format!(
            "rls {name} {}{}",
            if rel.rls_enabled {
                "enabled"
            } else {
                "disabled"
            },
            if rel.rls_forced { " forced" } else { "" }
        ));
    }
    if let Some(pk) = &rel.primary_key {
        let cols: Vec<String> = pk.iter().map(|c| quote(c)).collect();
        lines.insert(format!("primary key {name} ({})", cols.join(", ")));
    }
    for u in &rel.uniques {
        let cols: Vec<String> = u.iter().map(|c| quote(c)).collect();
        lines.insert(format!("unique {name} ({})", cols.join(", ")));
    }
    for fk in &rel.foreign_keys {
        let target = model.relation(&fk.ref_table);
        let ref_columns = if fk.ref_columns.is_empty() {
            target
                .and_then(|t| t.primary_key.clone())
                .unwrap_or_default()
        } else {
            fk.ref_columns.clone()
        };
        let ref_name = target.map_or_else(
            || format!("{}.{}", fk.ref_table.schema_or_public(), fk.ref_table.name),
            |t| t.display_name(),
        );
        lines.insert(format!(
            "foreign key {name} ({}) references {ref_name} ({}) on delete {}",
            fk.columns.join(", "),
            ref_columns.join(", "),
            fk.on_delete
                .as_deref()
                .map_or("no action".to_string(), |a| a.to_ascii_lowercase())
        ));
    }
    for ix in &rel.indexes {
        let items: Vec<String> = ix
            .columns
            .iter()
            .map(|c| c.clone().map_or("(expr)".to_string(), |c| quote(&c)))
            .collect();
        let mut line = format!(
            "index {name} {}{} ({})",
            ix.method.to_ascii_lowercase(),
            if ix.unique { " unique" } else { "" },
            items.join(", ")
        );
        if let Some(p) = &ix.predicate {
            line.push_str(&format!(" where {p}"));
        }
        lines.insert(line);
    }
    for role in API_ROLES {
        let Some(privs) = rel.grants.get(*role) else {
            continue;
        };
        let mut set: BTreeSet<&str> = BTreeSet::new();
        for p in privs {
            if p == "all" {
                set.extend(TABLE_PRIVILEGES);
            } else if TABLE_PRIVILEGES.contains(&p.as_str()) {
                set.insert(p);
            }
        }
        if !set.is_empty() {
            lines.insert(format!(
                "grant {name} {role} {}",
                set.into_iter().collect::<Vec<_>>().join(",")
            ));
        }
    }
}

fn command(c: PolicyCommand) -> &'static str {
    match c {
        PolicyCommand::All => "all",
        PolicyCommand::Select => "select",
        PolicyCommand::Insert => "insert",
        PolicyCommand::Update => "update",
        PolicyCommand::Delete => "delete",
    }
}

/// Names as PostgreSQL's `quote_ident` prints them.
fn quote(name: &str) -> String {
    let plain = name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if plain {
        name.to_string()
    } else {
        format!("\"{}\"", name.replace('"', "\"\""))
    }
}

/// `search_path` as a comparable list: `'', public` -> `"",public`.
pub fn search_path(v: &str) -> String {
    v.split(',')
        .map(|p| {
            let p = p.trim().trim_matches('\'');
            let p = p.trim_matches('"');
            if p.is_empty() {
                "\"\"".to_string()
            } else {
                p.to_ascii_lowercase()
            }
        })
        .collect::<Vec<_>>()
        .join(",")
}

/// A type as `format_type` prints it, without a schema.
pub fn pg_type(text: &str) -> String {
    // Lower-case, except quoted names: `public."Point 2D"` keeps its case.
    let mut quoted = false;
    let t: String = text
        .trim()
        .chars()
        .map(|c| {
            if c == '"' {
                quoted = !quoted;
            }
            if quoted { c } else { c.to_ascii_lowercase() }
        })
        .collect();
    let t: String = t.split_whitespace().collect::<Vec<_>>().join(" ");
    // Array suffixes: `int[]`, `int[3]`, `integer array`.
    let (mut base, mut dims) = (t.as_str(), 0);
    loop {
        let b = base.trim_end();
        if let Some(open) = b.strip_suffix(']').and_then(|s| s.rfind('[')) {
            base = &b[..open];
            dims += 1;
        } else if let Some(s) = b.strip_suffix(" array") {
            base = s;
            dims += 1;
        } else {
            break;
        }
    }
    let base = base.trim();
    let base = base.rsplit_once('.').map_or(base, |(schema, n)| {
        // Keep a quoted name whole; drop the schema.
        if schema.ends_with('"') && !n.starts_with('"') && n.ends_with('"') {
            base
        } else {
            n
        }
    });
    // `"posts"` is `posts`.
    let unquoted = base.strip_prefix('"').and_then(|b| b.strip_suffix('"'));
    let base = match unquoted {
        Some(u)
            if !u.is_empty()
                && u.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_') =>
        {
            u
        }
        _ => base,
    };
    // `timestamp(3) with time zone`: the modifier, and the name without it.
    let (name, modifier) = match (base.find('('), base.find(')')) {
        (Some(i), Some(j)) if j > i => (
            format!("{}{}", base[..i].trim(), &base[j + 1..]),
            Some(base[i..=j].replace(' ', "")),
        ),
        _ => (base.to_string(), None),
    };
    let name = name.as_str();
    let m = modifier.clone().unwrap_or_default();
    let out = match name {
        "int" | "int4" | "integer" | "serial" | "serial4" => "integer".to_string(),
        "int8" | "bigint" | "bigserial" | "serial8" => "bigint".to_string(),
        "int2" | "smallint" | "smallserial" | "serial2" => "smallint".to_string(),
        "bool" | "boolean" => "boolean".to_string(),
        "float8" | "double precision" => "double precision".to_string(),
        "float" => match modifier.as_deref() {
            Some(p)
                if p.trim_matches(|c| c == '(' || c == ')')
                    .parse::<u32>()
                    .is_ok_and(|n| n <= 24) =>
            {
                "real".to_string()
            }
            _ => "double precision".to_string(),
        },
        "float4" | "real" => "real".to_string(),
        "decimal" | "numeric" => format!("numeric{m}"),
        "varchar" | "character varying" => format!("character varying{m}"),
        "char" | "character" | "bpchar" => {
            if m.is_empty() {
                "character(1)".to_string()
            } else {
                format!("character{m}")
            }
        }
        "timestamptz" => format!("timestamp{m} with time zone"),
        "timetz" => format!("time{m} with time zone"),
        "varbit" | "bit varying" => format!("bit varying{m}"),
        _ => {
            if let Some(rest) = name.strip_prefix("timestamp") {
                let zone = if rest.contains("with time zone") && !rest.contains("without") {
                    "with time zone"
                } else {
                    "without time zone"
                };
                format!("timestamp{m} {zone}")
            } else if let Some(rest) = name.strip_prefix("time")
                && (rest.is_empty() || rest.starts_with(' '))
            {
                let zone = if rest.contains("with time zone") && !rest.contains("without") {
                    "with time zone"
                } else {
                    "without time zone"
                };
                format!("time{m} {zone}")
            } else if name == "bit" && m.is_empty() {
                "bit(1)".to_string()
            } else {
                format!("{name}{m}")
            }
        }
    };
    out + &"[]".repeat(dims)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_print_like_format_type() {
        for (a, b) in [
            ("int", "integer"),
            ("serial", "integer"),
            ("bigserial", "bigint"),
            ("varchar(20)", "character varying(20)"),
            ("varchar", "character varying"),
            ("numeric(10, 2)", "numeric(10,2)"),
            ("timestamptz", "timestamp with time zone"),
            ("timestamp", "timestamp without time zone"),
            ("timestamp(3) with time zone", "timestamp(3) with time zone"),
            ("timestamp with time zone", "timestamp with time zone"),
            ("time", "time without time zone"),
            ("text[]", "text[]"),
            ("int4[]", "integer[]"),
            ("extensions.vector(1536)", "vector(1536)"),
            ("public.mood", "mood"),
            ("\"posts\"", "posts"),
            ("double precision", "double precision"),
            ("char(2)", "character(2)"),
        ] {
            assert_eq!(pg_type(a), b, "{a}");
        }
    }

    #[test]
    fn search_paths_compare_loosely() {
        assert_eq!(search_path("''"), "\"\"");
        assert_eq!(search_path("public, extensions"), "public,extensions");
        assert_eq!(search_path("\"\""), "\"\"");
    }
}
