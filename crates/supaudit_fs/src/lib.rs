//! Reads a Supabase project from disk into a [`supaudit_core::Project`].
//! The only IO besides the binaries; the core never touches the file system.

use std::fs;
use std::path::{Path, PathBuf};

use supaudit_core::project::{FileKind, LoadIssue, Project, SourceFile, classify};

/// Files larger than this are reported and skipped.
pub const MAX_FILE_BYTES: u64 = 32 * 1024 * 1024;

/// Folders never walked.
const SKIP_DIRS: &[&str] = &[
    "node_modules",
    ".git",
    "target",
    "dist",
    "build",
    ".next",
    "out",
    "coverage",
    ".vercel",
    ".turbo",
    ".svelte-kit",
    ".nuxt",
    ".output",
    ".expo",
    "vendor",
    ".cache",
];

#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("{0} does not exist")]
    NotFound(PathBuf),
    #[error(
        "no supabase/ folder in {0}: pass a project root that holds supabase/, or the supabase/ folder itself"
    )]
    NoSupabaseDir(PathBuf),
    #[error("cannot read {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// A loaded project and the directory its paths are relative to.
pub struct Loaded {
    pub root: PathBuf,
    pub project: Project,
}

/// Finds the project root for `path`: a folder holding `supabase/`, or the `supabase/` folder itself.
pub fn find_root(path: &Path) -> Result<PathBuf, LoadError> {
    if !path.exists() {
        return Err(LoadError::NotFound(path.to_path_buf()));
    }
    if path.join("supabase").is_dir() {
        return Ok(path.to_path_buf());
    }
    let is_supabase_dir = path.file_name().is_some_and(|n| n == "supabase")
        || path.join("migrations").is_dir()
        || path.join("config.toml").is_file();
    if is_supabase_dir && path.file_name().is_some_and(|n| n == "supabase") {
        let abs = path.canonicalize().map_err(|source| LoadError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        if let Some(parent) = abs.parent() {
            return Ok(parent.to_path_buf());
        }
    }
    Err(LoadError::NoSupabaseDir(path.to_path_buf()))
}

/// Loads every file supaudit reads below the project root.
pub fn load(path: &Path) -> Result<Loaded, LoadError> {
    let root = find_root(path)?;
    let mut project = Project::default();
    let mut paths = Vec::new();
    walk(&root, &root, &mut paths, &mut project.load_issues);
    paths.sort();
    for rel in paths {
        let full = root.join(&rel);
        match read_text(&full) {
            Ok(text) => project.files.push(SourceFile::new(rel, text)),
            Err(message) => project.load_issues.push(LoadIssue { path: rel, message }),
        }
    }
    let config = root.join("supaudit.toml");
    if config.is_file() {
        project.config = Some(fs::read_to_string(&config).map_err(|source| LoadError::Io {
            path: config.clone(),
            source,
        })?);
    }
    Ok(Loaded { root, project })
}

fn wanted(rel: &str) -> bool {
    !matches!(classify(rel), FileKind::Other)
}

/// Whether `load` reads the file at this root-relative path (with `/`): a file supaudit
/// analyses, outside the folders the walk skips. For callers that learn of files one by
/// one (the language server).
pub fn reads_path(rel: &str) -> bool {
    let mut dirs: Vec<&str> = rel.split('/').collect();
    dirs.pop();
    !dirs.iter().any(|d| skips_dir(d)) && wanted(rel)
}

/// Folders the walk never enters: dependencies, build output, dot-folders.
fn skips_dir(name: &str) -> bool {
    SKIP_DIRS.contains(&name) || (name.starts_with('.') && name != ".supabase")
}

fn walk(root: &Path, dir: &Path, out: &mut Vec<String>, issues: &mut Vec<LoadIssue>) {
    let entries = match fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => {
            issues.push(LoadIssue {
                path: relative(root, dir),
                message: format!("cannot read directory: {e}"),
            });
            return;
        }
    };
    let mut entries: Vec<_> = entries.filter_map(Result::ok).collect();
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().to_string();
        let Ok(ft) = entry.file_type() else { continue };
        if ft.is_dir() {
            if skips_dir(&name) {
                continue;
            }
            walk(root, &path, out, issues);
        } else if ft.is_file() {
            let rel = relative(root, &path);
            if wanted(&rel) {
                out.push(rel);
            }
        }
    }
}

fn relative(root: &Path, path: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .components()
        .map(|c| c.as_os_str().to_string_lossy().to_string())
        .collect::<Vec<_>>()
        .join("/")
}

/// Reads a text file, refusing binary data, invalid UTF-8 and huge files with a clear message.
pub fn read_text(path: &Path) -> Result<String, String> {
    let meta = fs::metadata(path).map_err(|e| format!("cannot read file: {e}"))?;
    if meta.len() > MAX_FILE_BYTES {
        return Err(format!(
            "file is {} MiB, larger than the {} MiB supaudit reads; skipped",
            meta.len() / (1024 * 1024),
            MAX_FILE_BYTES / (1024 * 1024)
        ));
    }
    let bytes = fs::read(path).map_err(|e| format!("cannot read file: {e}"))?;
    decode(bytes)
}

/// Decodes file bytes as UTF-8 text (a BOM is dropped).
pub fn decode(bytes: Vec<u8>) -> Result<String, String> {
    if bytes.iter().take(8192).any(|b| *b == 0) {
        return Err("file is binary (it contains NUL bytes); skipped".into());
    }
    let bytes = match bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        Some(rest) => rest.to_vec(),
        None => bytes,
    };
    String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let line = e.as_bytes()[..at].iter().filter(|b| **b == b'\n').count() + 1;
        format!("file is not valid UTF-8 (first bad byte at offset {at}, line {line}); skipped")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_and_refuses_bad_bytes() {
        assert_eq!(
            decode(b"\xEF\xBB\xBFselect 1;".to_vec()).unwrap(),
            "select 1;"
        );
        assert!(decode(b"a\0b".to_vec()).unwrap_err().contains("binary"));
        let e = decode(b"ok\n\xff".to_vec()).unwrap_err();
        assert!(e.contains("not valid UTF-8") && e.contains("line 2"), "{e}");
    }

    #[test]
    fn reads_path_matches_the_walk() {
        assert!(reads_path("supabase/migrations/20240101000000_init.sql"));
        // Down scripts (missing-rollback, migration-order).
        assert!(reads_path("supabase/rollbacks/20240101000000_init.sql"));
        assert!(reads_path(
            "supabase/migrations/20240101000000_init.down.sql"
        ));
        assert!(reads_path("src/lib/client.ts"));
        assert!(!reads_path("node_modules/x/index.js"));
        assert!(!reads_path(".git/x.ts"));
        assert!(!reads_path("README.md"));
    }
}
