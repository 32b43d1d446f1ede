//! What a Supabase database has before the first migration.

use std::collections::{BTreeMap, BTreeSet};

use super::*;
use crate::sql::TypeName;

fn col(name: &str, ty: &str, not_null: bool) -> Column {
    Column {
        name: name.to_string(),
        ty: Some(TypeName {
            text: ty.to_string(),
            span: Span::default(),
        }),
        not_null,
        default: None,
        identity: false,
        identity_always: false,
        generated: false,
        checks: Vec::new(),
        origin: Origin::PLATFORM,
        comment: None,
    }
}

fn table(schema: &str, name: &str, columns: Vec<Column>, pk: &str, uniques: &[&str]) -> Relation {
    let mut indexes = vec![Index {
        name: Some(format!("{name}_pkey")),
        columns: vec![Some(pk.to_string())],
        items: vec![pk.to_string()],
        unique: true,
        method: "btree".into(),
        predicate: None,
        predicate_expr: None,
        item_exprs: Vec::new(),
        with: Vec::new(),
        include: Vec::new(),
        from_constraint: true,
        origin: Origin::PLATFORM,
    }];
    for u in uniques {
        indexes.push(Index {
            name: Some(format!("{name}_{u}_key")),
            columns: vec![Some(u.to_string())],
            items: vec![u.to_string()],
            unique: true,
            method: "btree".into(),
            predicate: None,
            predicate_expr: None,
            item_exprs: Vec::new(),
            with: Vec::new(),
            include: Vec::new(),
            from_constraint: true,
            origin: Origin::PLATFORM,
        });
    }
    Relation {
        schema: schema.into(),
        name: name.into(),
        kind: RelKind::Table,
        origin: Origin::PLATFORM,
        last_changed: Origin::PLATFORM,
        columns,
        primary_key: Some(vec![pk.to_string()]),
        uniques: uniques.iter().map(|u| vec![u.to_string()]).collect(),
        foreign_keys: Vec::new(),
        checks: Vec::new(),
        indexes,
        rls_enabled: true,
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

fn privs(list: &[&str]) -> BTreeSet<String> {
    list.iter().map(|s| s.to_string()).collect()
}

pub(super) fn supabase() -> Model {
    let mut m = Model::default();
    for s in [
        "public",
        "auth",
        "storage",
        "extensions",
        "graphql",
        "graphql_public",
        "realtime",
        "vault",
    ] {
        m.schemas.insert(s.to_string());
    }
    let users = table(
        "auth",
        "users",
        vec![
            col("id", "uuid", true),
            col("email", "text", false),
            col("phone", "text", false),
            col("encrypted_password", "text", false),
            col("raw_user_meta_data", "jsonb", false),
            col("raw_app_meta_data", "jsonb", false),
            col("created_at", "timestamptz", false),
            col("updated_at", "timestamptz", false),
            col("last_sign_in_at", "timestamptz", false),
            col("is_anonymous", "boolean", true),
            col("is_sso_user", "boolean", true),
        ],
        "id",
        &["phone", "email"],
    );
    let buckets = table(
        "storage",
        "buckets",
        vec![
            col("id", "text", true),
            col("name", "text", true),
            col("owner", "uuid", false),
            col("owner_id", "text", false),
            col("public", "boolean", false),
            col("file_size_limit", "bigint", false),
            col("allowed_mime_types", "text[]", false),
            col("created_at", "timestamptz", false),
            col("updated_at", "timestamptz", false),
        ],
        "id",
        &["name"],
    );
    let objects = table(
        "storage",
        "objects",
        vec![
            col("id", "uuid", true),
            col("bucket_id", "text", false),
            col("name", "text", false),
            col("owner", "uuid", false),
            col("owner_id", "text", false),
            col("metadata", "jsonb", false),
            col("path_tokens", "text[]", false),
            col("created_at", "timestamptz", false),
            col("updated_at", "timestamptz", false),
        ],
        "id",
        &[],
    );
    for r in [users, buckets, objects] {
        m.relations.insert((r.schema.clone(), r.name.clone()), r);
    }
    for (name, schema) in [
        ("plpgsql", "pg_catalog"),
        ("pg_graphql", "graphql"),
        ("pgcrypto", "extensions"),
        ("uuid-ossp", "extensions"),
        ("pg_stat_statements", "extensions"),
        ("supabase_vault", "vault"),
    ] {
        m.extensions.insert(
            name.to_string(),
            Extension {
                name: name.into(),
                schema: Some(schema.into()),
                origin: Origin::PLATFORM,
            },
        );
    }
    // Supabase grants everything in `public` to the API roles by default.
    let api = ["anon", "authenticated", "service_role"];
    for (object, p) in [
        ("tables", "all"),
        ("sequences", "all"),
        ("functions", "execute"),
    ] {
        let entry = m
            .default_privileges
            .entry(("public".to_string(), object.to_string()))
            .or_default();
        for role in api {
            entry.insert(role.to_string(), privs(&[p]));
        }
    }
    // PostgreSQL itself lets PUBLIC execute every new function.
    m.default_privileges
        .entry((String::new(), "functions".to_string()))
        .or_default()
        .insert("public".to_string(), privs(&["execute"]));
    m
}
