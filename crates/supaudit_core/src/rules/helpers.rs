//! Small helpers shared by rules.

use crate::diagnostic::Edit;
use crate::model::{Function, Model, Relation};
use crate::project::{FileKind, Project};
use crate::sql::{Expr, ExprKind, QName};

/// Levenshtein distance, for did-you-mean hints.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur.push((prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

/// Optimal string alignment distance: Levenshtein plus the transposition of
/// two adjacent characters as one edit (`titel` -> `title` is 1), for
/// did-you-mean hints.
pub fn osa_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    // Rows i-2, i-1 and i of the distance matrix.
    let mut prev2: Vec<usize> = vec![0; b.len() + 1];
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for i in 1..=a.len() {
        let mut cur = vec![i; b.len() + 1];
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut d = (prev[j - 1] + cost).min(prev[j] + 1).min(cur[j - 1] + 1);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d = d.min(prev2[j - 2] + 1);
            }
            cur[j] = d;
        }
        prev2 = std::mem::replace(&mut prev, cur);
    }
    prev[b.len()]
}

/// Quotes an identifier when PostgreSQL needs it.
pub fn quote_ident(name: &str) -> String {
    let plain = !name.is_empty()
        && name
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '$')
        && !is_reserved(name);
    if plain {
        name.to_string()
    } else {
        format!("\"{}\"", name.replace('"', "\"\""))
    }
}

fn is_reserved(name: &str) -> bool {
    matches!(
        name,
        "all"
            | "and"
            | "any"
            | "array"
            | "as"
            | "asc"
            | "case"
            | "check"
            | "column"
            | "constraint"
            | "create"
            | "default"
            | "desc"
            | "distinct"
            | "do"
            | "else"
            | "end"
            | "false"
            | "for"
            | "foreign"
            | "from"
            | "grant"
            | "group"
            | "having"
            | "in"
            | "into"
            | "is"
            | "join"
            | "limit"
            | "not"
            | "null"
            | "offset"
            | "on"
            | "or"
            | "order"
            | "primary"
            | "references"
            | "select"
            | "table"
            | "then"
            | "to"
            | "true"
            | "union"
            | "unique"
            | "user"
            | "using"
            | "when"
            | "where"
            | "with"
            | "window"
    )
}

pub fn qualified(schema: &str, name: &str) -> String {
    format!("{}.{}", quote_ident(schema), quote_ident(name))
}

/// `function public.f(uuid, integer)` (or `procedure …`), as ALTER / GRANT / REVOKE name it.
pub fn routine_sql_ref(f: &Function) -> String {
    format!(
        "{} {}({})",
        if f.is_procedure {
            "procedure"
        } else {
            "function"
        },
        qualified(&f.schema, &f.name),
        f.arg_types.join(", ")
    )
}

pub fn rel_sql_name(r: &Relation) -> String {
    qualified(&r.schema, &r.name)
}

/// Names of the auth helpers whose result is the same for every row.
pub fn is_auth_function(e: &Expr) -> bool {
    match e.call_name() {
        Some([s, f]) if s == "auth" => matches!(f.as_str(), "uid" | "jwt" | "role" | "email"),
        Some([f]) => f == "current_setting",
        Some([s, f]) if s == "pg_catalog" => f == "current_setting",
        _ => false,
    }
}

/// The column in `rel` that holds the owning user's id, if one is evident:
/// a foreign key to `auth.users`, or a conventionally named uuid column.
pub fn owner_column(rel: &Relation) -> Option<String> {
    for fk in &rel.foreign_keys {
        if fk.ref_table == QName::new(Some("auth"), "users") && fk.columns.len() == 1 {
            return Some(fk.columns[0].clone());
        }
    }
    for name in [
        "user_id",
        "owner_id",
        "profile_id",
        "created_by",
        "author_id",
    ] {
        if rel
            .column(name)
            .is_some_and(|c| c.ty.as_ref().is_some_and(|t| t.base() == "uuid"))
        {
            return Some(name.to_string());
        }
    }
    None
}

/// Whether a subquery refers to the outer row (and so runs once per row).
pub fn is_correlated(select: &Expr, outer: &Relation, model: &Model) -> bool {
    let ExprKind::Select { from, aliases } = &select.kind else {
        return false;
    };
    let inner_rels: Vec<&Relation> = from.iter().filter_map(|q| model.relation(q)).collect();
    let known: Vec<&str> = from
        .iter()
        .map(|q| q.name.as_str())
        .chain(aliases.iter().map(String::as_str))
        .collect();
    select.walk().any(|e| match &e.kind {
        ExprKind::Column { path } if path.len() >= 2 => {
            let q = &path[path.len() - 2];
            !known.contains(&q.as_str()) && (q == &outer.name || !q.is_empty())
        }
        ExprKind::Column { path } if path.len() == 1 => {
            let c = &path[0];
            inner_rels.len() == from.len()
                && !inner_rels.is_empty()
                && inner_rels.iter().all(|r| r.column(c).is_none())
                && outer.column(c).is_some()
        }
        _ => false,
    })
}

/// The statement an origin points at (its file and whole-statement span), for
/// fixes that need the statement's own spans.
pub fn stmt_at<'a>(
    ctx: &'a crate::rules::Context,
    origin: &crate::model::Origin,
) -> Option<&'a crate::sql::Stmt> {
    let unit = ctx.sql.iter().find(|u| u.file == origin.file)?;
    unit.sql.stmts.iter().find(|s| s.span == origin.stmt)
}

/// Names taken in the relation namespace, borrowed from the model and the
/// statements (no copy of every name), plus the names fixes add.
pub type NamesInUse<'a> = std::collections::HashSet<std::borrow::Cow<'a, str>>;

/// Every relation and index name the project uses anywhere in its history
/// (index names share the relation namespace), for naming new indexes.
pub fn relation_names_in_use<'a>(ctx: &crate::rules::Context<'a>) -> NamesInUse<'a> {
    use crate::sql::StmtKind;
    use std::borrow::Cow::Borrowed;
    let mut names = NamesInUse::new();
    for rel in ctx.model.relations.values() {
        names.insert(Borrowed(rel.name.as_str()));
        names.extend(
            rel.indexes
                .iter()
                .filter_map(|i| i.name.as_deref().map(Borrowed)),
        );
    }
    for unit in ctx.sql {
        for s in &unit.sql.stmts {
            match &s.kind {
                StmtKind::CreateIndex(ix) => names.extend(ix.name.as_deref().map(Borrowed)),
                StmtKind::CreateTable(t) => {
                    names.insert(Borrowed(t.name.name.as_str()));
                }
                StmtKind::CreateView(v) => {
                    names.insert(Borrowed(v.name.name.as_str()));
                }
                _ => {}
            }
        }
    }
    names
}

/// A name like PostgreSQL's own (`table_col_idx`), cut to 63 bytes, that no
/// name in `used` has; it is added to `used`.
pub fn fresh_index_name(base: &str, used: &mut NamesInUse) -> String {
    fn cut(base: &str, max: usize) -> &str {
        let mut end = base.len().min(max);
        while !base.is_char_boundary(end) {
            end -= 1;
        }
        &base[..end]
    }
    let mut name = cut(base, 63).to_string();
    let mut n = 1;
    while used.contains(name.as_str()) {
        let suffix = n.to_string();
        name = format!("{}{suffix}", cut(base, 63 - suffix.len()));
        n += 1;
    }
    used.insert(std::borrow::Cow::Owned(name.clone()));
    name
}

/// An edit that creates a new migration holding `sql`, named by Supabase's
/// convention, `<version>_<name>.sql`, in the folder of the newest migration
/// (else next to `supabase/config.toml`, else `supabase/migrations/`). The
/// version is the newest migration's plus one, so the new file runs last
/// whatever clock the author has (the core reads no clock); with no migration,
/// `00000000000001`. Fixes that change a schema which may already be deployed
/// use this instead of editing a migration that has run.
pub fn new_migration(project: &Project, name: &str, sql: &str) -> Edit {
    let newest = project
        .files
        .iter()
        .filter_map(|f| match &f.kind {
            FileKind::Migration { version, .. } => Some((version.as_str(), f.path.as_str())),
            _ => None,
        })
        .max_by(|a, b| {
            fn key(v: &str) -> (usize, &str) {
                let digits = v.trim_start_matches('0');
                (digits.len(), digits)
            }
            key(a.0).cmp(&key(b.0))
        });
    let (dir, version) = match newest {
        Some((version, path)) => (
            path[..path.rfind('/').map_or(0, |i| i + 1)].to_string(),
            increment_digits(version),
        ),
        None => {
            let dir = project
                .files
                .iter()
                .find(|f| f.kind == FileKind::SupabaseConfig)
                .map(|f| {
                    format!(
                        "{}migrations/",
                        &f.path[..f.path.len() - "config.toml".len()]
                    )
                })
                .unwrap_or_else(|| "supabase/migrations/".to_string());
            (dir, "00000000000001".to_string())
        }
    };
    let mut path = format!("{dir}{version}_{name}.sql");
    // Never collide with an existing file (a migration with the same version).
    let mut n = 2;
    while project.file(&path).is_some() {
        path = format!("{dir}{version}_{name}_{n}.sql");
        n += 1;
    }
    let mut text = sql.to_string();
    if !text.ends_with('\n') {
        text.push('\n');
    }
    Edit::create(&path, text)
}

/// `digits` plus one, keeping its width (`"0099"` → `"0100"`, `"99"` → `"100"`).
fn increment_digits(digits: &str) -> String {
    let mut out: Vec<u8> = digits.bytes().collect();
    for b in out.iter_mut().rev() {
        if *b == b'9' {
            *b = b'0';
        } else {
            *b += 1;
            return String::from_utf8(out).unwrap_or_default();
        }
    }
    let mut s = String::from("1");
    s.push_str(&String::from_utf8(out).unwrap_or_default());
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances() {
        for (a, b, lev, osa) in [
            ("", "", 0, 0),
            ("", "abc", 3, 3),
            ("abc", "", 3, 3),
            ("title", "title", 0, 0),
            ("titel", "title", 2, 1),
            ("ab", "ba", 2, 1),
            ("abc", "ca", 3, 3),
            ("statuss", "status", 1, 1),
            ("kitten", "sitting", 3, 3),
            ("usernme", "username", 1, 1),
            ("émoi", "éomi", 2, 1),
        ] {
            assert_eq!(edit_distance(a, b), lev, "levenshtein {a} {b}");
            assert_eq!(osa_distance(a, b), osa, "osa {a} {b}");
            assert_eq!(osa_distance(b, a), osa, "osa {b} {a}");
        }
    }

    #[test]
    fn new_migrations_run_last() {
        use crate::project::{Project, SourceFile};
        assert_eq!(super::increment_digits("20251202000000"), "20251202000001");
        assert_eq!(super::increment_digits("0099"), "0100");
        assert_eq!(super::increment_digits("99"), "100");
        let p = Project::new(vec![
            SourceFile::new("app/supabase/migrations/20240101000000_a.sql", ""),
            SourceFile::new("app/supabase/migrations/9_b.sql", ""),
            SourceFile::new("app/supabase/migrations/20240301000000_c.sql", ""),
        ]);
        let e = super::new_migration(&p, "add_x", "select 1;");
        assert_eq!(e.file, "app/supabase/migrations/20240301000001_add_x.sql");
        assert_eq!(e.new_text, "select 1;\n");
        let none = Project::new(vec![SourceFile::new("web/supabase/config.toml", "")]);
        assert_eq!(
            super::new_migration(&none, "add_x", "").file,
            "web/supabase/migrations/00000000000001_add_x.sql"
        );
    }
}
