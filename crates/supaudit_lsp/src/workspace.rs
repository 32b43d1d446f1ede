//! The project as the server sees it: files read from disk, overridden by open buffers.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use supaudit_core::{Project, Settings, SourceFile};
use tower_lsp_server::ls_types::Uri;

pub struct Workspace {
    pub root: PathBuf,
    /// `root`, canonicalized, to match URIs that name the real path.
    canonical_root: Option<PathBuf>,
    disk: Project,
    /// Open buffers by relative path: text and version.
    open: HashMap<String, (String, i32)>,
}

impl Workspace {
    /// Loads the project whose root holds (or is) `path`.
    pub fn load(path: &Path) -> Result<Workspace, String> {
        let loaded = supaudit_fs::load(path).map_err(|e| e.to_string())?;
        Ok(Workspace {
            canonical_root: loaded.root.canonicalize().ok(),
            root: loaded.root,
            disk: loaded.project,
            open: HashMap::new(),
        })
    }

    /// The path relative to the root, with `/`, of a `file:` URI under the root.
    pub fn relative(&self, uri: &Uri) -> Option<String> {
        if uri.scheme().as_str() != "file" {
            return None;
        }
        let path = uri.to_file_path()?;
        let rel = path
            .strip_prefix(&self.root)
            .ok()
            .or_else(|| path.strip_prefix(self.canonical_root.as_ref()?).ok())?;
        let parts: Vec<String> = rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        (!parts.is_empty()).then(|| parts.join("/"))
    }

    pub fn uri(&self, rel: &str) -> Option<Uri> {
        Uri::from_file_path(self.root.join(rel))
    }

    fn wanted(rel: &str) -> bool {
        rel == "supaudit.toml" || supaudit_fs::reads_path(rel)
    }

    pub fn open(&mut self, rel: String, text: String, version: i32) -> bool {
        if !Self::wanted(&rel) {
            return false;
        }
        self.open.insert(rel, (text, version));
        true
    }

    /// The open buffer of `rel`, to edit in place.
    pub fn buffer_mut(&mut self, rel: &str) -> Option<&mut (String, i32)> {
        self.open.get_mut(rel)
    }

    pub fn close(&mut self, rel: &str) {
        if self.open.remove(rel).is_some() {
            self.reread(rel);
        }
    }

    pub fn is_open(&self, rel: &str) -> bool {
        self.open.contains_key(rel)
    }

    pub fn version(&self, rel: &str) -> Option<i32> {
        self.open.get(rel).map(|(_, v)| *v)
    }

    /// Re-reads one file from disk (removing it when it is gone or unreadable).
    pub fn reread(&mut self, rel: &str) {
        if !Self::wanted(rel) {
            return;
        }
        let full = self.root.join(rel);
        if rel == "supaudit.toml" {
            self.disk.config = std::fs::read_to_string(&full).ok();
            return;
        }
        self.disk.files.retain(|f| f.path != rel);
        self.disk.load_issues.retain(|i| i.path != rel);
        if !full.is_file() {
            return;
        }
        match supaudit_fs::read_text(&full) {
            Ok(text) => {
                self.disk.files.push(SourceFile::new(rel, text));
                self.disk.files.sort_by(|a, b| a.path.cmp(&b.path));
            }
            Err(message) => self
                .disk
                .load_issues
                .push(supaudit_core::project::LoadIssue {
                    path: rel.to_string(),
                    message,
                }),
        }
    }

    /// The project to check: disk files with open buffers in their place.
    pub fn project(&self) -> Project {
        let mut project = self.disk.clone();
        for (rel, (text, _)) in &self.open {
            if rel == "supaudit.toml" {
                project.config = Some(text.clone());
                continue;
            }
            project.load_issues.retain(|i| &i.path != rel);
            match project.files.iter_mut().find(|f| &f.path == rel) {
                Some(f) => f.text = text.clone(),
                None => project
                    .files
                    .push(SourceFile::new(rel.as_str(), text.as_str())),
            }
        }
        project.files.sort_by(|a, b| a.path.cmp(&b.path));
        project
    }

    /// Versions of the open buffers, for publishDiagnostics.
    pub fn versions(&self) -> HashMap<String, i32> {
        self.open
            .iter()
            .map(|(k, (_, v))| (k.clone(), *v))
            .collect()
    }
}

/// The settings of a project (`supaudit.toml`), or the defaults and the error,
/// as a diagnostic on supaudit.toml.
pub fn settings(project: &Project) -> (Settings, Option<supaudit_core::Diagnostic>) {
    match &project.config {
        None => (Settings::default(), None),
        Some(text) => match Settings::from_toml(text) {
            Ok(s) => (s, None),
            Err(e) => {
                let span = e
                    .span
                    .map(|s| {
                        let end = (s.end.max(s.start + 1) as usize).min(text.len());
                        let start = (s.start as usize).min(end);
                        supaudit_core::text::Span::new(start as u32, end as u32)
                    })
                    .unwrap_or_default();
                let d = supaudit_core::rules::syntax::syntax_error::SYNTAX_ERROR.diagnostic(
                    crate::convert::CONFIG_FILE,
                    span,
                    format!("invalid supaudit.toml (the defaults apply): {}", e.message),
                );
                (Settings::default(), Some(d))
            }
        },
    }
}
