//! A project: the files supaudit reads, already in memory.

/// What a file is to supaudit, decided from its path alone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileKind {
    /// `supabase/migrations/<version>_<name>.sql`.
    Migration { version: String, name: String },
    /// A `supabase/migrations/*.sql` whose name has no `<version>_` prefix.
    MalformedMigration,
    /// A down script: `supabase/migrations/*.down.sql` or
    /// `supabase/rollbacks/*.sql`. Read (for `missing-rollback` and
    /// `migration-order`) but never replayed.
    Rollback,
    /// `supabase/schemas/*.sql` (declarative schemas).
    Schema,
    /// `supabase/seed.sql`.
    Seed,
    /// `supabase/config.toml`.
    SupabaseConfig,
    /// `.env`, `.env.local`, `.env.example`, ...
    Env,
    /// TypeScript / JavaScript source.
    Client,
    /// `tsconfig.json` / `jsconfig.json` at the project root: the import path
    /// aliases (`compilerOptions.paths`, `baseUrl`) client code is resolved with.
    TsConfig,
    /// Anything else (kept so that suppressions and edits can refer to it).
    Other,
}

impl FileKind {
    pub fn is_sql(&self) -> bool {
        matches!(
            self,
            FileKind::Migration { .. }
                | FileKind::MalformedMigration
                | FileKind::Schema
                | FileKind::Seed
        )
    }
}

#[derive(Debug, Clone)]
pub struct SourceFile {
    /// Path relative to the project root, with `/` separators.
    pub path: String,
    pub text: String,
    pub kind: FileKind,
}

impl SourceFile {
    pub fn new(path: impl Into<String>, text: impl Into<String>) -> Self {
        let path = path.into().replace('\\', "/");
        let kind = classify(&path);
        SourceFile {
            path,
            text: text.into(),
            kind,
        }
    }
}

/// A problem met while reading the project (unreadable file, binary data...),
/// reported as a diagnostic by the checker.
#[derive(Debug, Clone)]
pub struct LoadIssue {
    pub path: String,
    pub message: String,
}

#[derive(Debug, Clone, Default)]
pub struct Project {
    pub files: Vec<SourceFile>,
    /// Text of `supaudit.toml`, if any.
    pub config: Option<String>,
    pub load_issues: Vec<LoadIssue>,
}

impl Project {
    pub fn new(files: Vec<SourceFile>) -> Self {
        Project {
            files,
            config: None,
            load_issues: Vec::new(),
        }
    }

    pub fn file(&self, path: &str) -> Option<&SourceFile> {
        self.files.iter().find(|f| f.path == path)
    }

    /// SQL files in replay order: declarative schemas, then migrations by
    /// version (then name), then the seed.
    pub fn sql_files_in_order(&self) -> Vec<&SourceFile> {
        let mut files: Vec<&SourceFile> = self.files.iter().filter(|f| f.kind.is_sql()).collect();
        files.sort_by_key(|a| order_key(a));
        files
    }
}

/// Sort key of a file in replay order.
pub fn order_key(f: &SourceFile) -> (u8, String, String) {
    match &f.kind {
        FileKind::Schema => (0, String::new(), f.path.clone()),
        FileKind::Migration { version, name } => (1, format!("{version:0>20}"), name.clone()),
        FileKind::MalformedMigration => (1, String::new(), f.path.clone()),
        FileKind::Seed => (2, String::new(), f.path.clone()),
        _ => (3, String::new(), f.path.clone()),
    }
}

/// Decides a file's kind from its project-relative path.
pub fn classify(path: &str) -> FileKind {
    let file_name = path.rsplit('/').next().unwrap_or(path);
    let dir = &path[..path.len() - file_name.len()];
    if (dir.ends_with("supabase/migrations/") && file_name.ends_with(".down.sql"))
        || (dir.ends_with("supabase/rollbacks/") && file_name.ends_with(".sql"))
    {
        return FileKind::Rollback;
    }
    if dir.ends_with("supabase/migrations/") && file_name.ends_with(".sql") {
        let stem = &file_name[..file_name.len() - 4];
        if let Some((version, name)) = stem.split_once('_')
            && !version.is_empty()
            && version.bytes().all(|b| b.is_ascii_digit())
        {
            return FileKind::Migration {
                version: version.to_string(),
                name: name.to_string(),
            };
        }
        return FileKind::MalformedMigration;
    }
    if dir.ends_with("supabase/schemas/") && file_name.ends_with(".sql") {
        return FileKind::Schema;
    }
    if path == "supabase/seed.sql" || path.ends_with("/supabase/seed.sql") {
        return FileKind::Seed;
    }
    if path == "supabase/config.toml" || path.ends_with("/supabase/config.toml") {
        return FileKind::SupabaseConfig;
    }
    if file_name == ".env" || file_name.starts_with(".env.") {
        return FileKind::Env;
    }
    if path == "tsconfig.json" || path == "jsconfig.json" {
        return FileKind::TsConfig;
    }
    let ext = file_name.rsplit('.').next().unwrap_or("");
    if matches!(
        ext,
        "ts" | "tsx" | "js" | "jsx" | "mjs" | "cjs" | "mts" | "cts"
    ) && !file_name.ends_with(".d.ts")
    {
        return FileKind::Client;
    }
    FileKind::Other
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_paths() {
        assert_eq!(
            classify("supabase/migrations/20240101000000_init.sql"),
            FileKind::Migration {
                version: "20240101000000".into(),
                name: "init".into()
            }
        );
        assert_eq!(
            classify("supabase/migrations/init.sql"),
            FileKind::MalformedMigration
        );
        assert_eq!(classify("supabase/schemas/a.sql"), FileKind::Schema);
        // Down scripts are read but not replayed.
        for down in [
            "supabase/migrations/20240101000000_init.down.sql",
            "supabase/rollbacks/20240101000000_init.sql",
        ] {
            assert_eq!(classify(down), FileKind::Rollback, "{down}");
            assert!(!classify(down).is_sql(), "{down}");
        }
        assert_eq!(classify("supabase/config.toml"), FileKind::SupabaseConfig);
        assert_eq!(classify(".env.example"), FileKind::Env);
        assert_eq!(classify("src/a.tsx"), FileKind::Client);
        assert_eq!(classify("src/a.d.ts"), FileKind::Other);
        assert_eq!(classify("tsconfig.json"), FileKind::TsConfig);
        assert_eq!(classify("apps/web/tsconfig.json"), FileKind::Other);
    }
}
