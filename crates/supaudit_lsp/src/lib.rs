//! `supaudit lsp`: the language server. The only crate that knows LSP; it keeps a
//! [`workspace::Workspace`] (disk files overridden by open buffers), re-runs
//! `supaudit_core::check` on the whole project after changes (debounced; stale runs are
//! dropped) and publishes diagnostics for every file that has or had findings. Hover and
//! go-to-definition on table and column names in SQL files are in [`hover`].

pub mod convert;
pub mod hover;
pub mod workspace;

use std::collections::HashMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::*;
use tower_lsp_server::{Client, LanguageServer, LspService, Server};

use supaudit_core::model::Model;

use crate::convert::{Doc, FIX_ALL_KIND};
use crate::workspace::Workspace;

/// Files whose changes on disk matter (the client watches them for us when it can).
const WATCHED: &[&str] = &[
    "**/supabase/**",
    "**/supaudit.toml",
    "**/.env*",
    "**/*.{ts,tsx,js,jsx,mjs,cjs,mts,cts}",
];

/// How long edits must pause before the project is checked again. Short: a
/// check that a later edit makes stale is cancelled, so the delay only has to
/// coalesce the notifications of one keystroke.
const DEBOUNCE: Duration = Duration::from_millis(5);

/// `supaudit/status`, sent after each check is published: the project's
/// readiness score (the audit report's formula, docs/report.md) and its
/// findings by severity, for a status bar. Clients that do not know it ignore it.
pub enum StatusNotification {}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct StatusParams {
    /// Out of 10, one decimal.
    pub score: f64,
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
}

impl notification::Notification for StatusNotification {
    type Params = StatusParams;
    const METHOD: &'static str = "supaudit/status";
}

impl StatusParams {
    fn of(diagnostics: &[supaudit_core::Diagnostic]) -> StatusParams {
        use supaudit_core::Severity;
        let count = |s: Severity| diagnostics.iter().filter(|d| d.severity == s).count();
        StatusParams {
            score: supaudit_core::report::readiness(diagnostics).value,
            errors: count(Severity::Error),
            warnings: count(Severity::Warning),
            infos: count(Severity::Info),
        }
    }
}

/// Stack of the threads that run checks.
const STACK_SIZE: usize = 16 << 20;

/// Serves LSP on stdin/stdout until `exit`. Exit code 0 after `shutdown`, 1 otherwise.
pub fn run_stdio() -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        // Checks run on blocking threads; the core wants 8 MiB of stack for
        // deeply nested input (see ARCHITECTURE.md), give it room.
        .thread_stack_size(STACK_SIZE)
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("supaudit: error: cannot start the language server: {e}");
            return ExitCode::from(2);
        }
    };
    let shut_down = Arc::new(AtomicBool::new(false));
    let flag = shut_down.clone();
    runtime.block_on(async move {
        let (service, socket) = LspService::new(move |client| Backend::new(client, flag));
        Server::new(tokio::io::stdin(), tokio::io::stdout(), socket)
            .serve(service)
            .await;
    });
    // The stdin reader may still block in a helper thread; do not wait for it.
    runtime.shutdown_background();
    if shut_down.load(Ordering::SeqCst) {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

#[derive(Default)]
struct State {
    workspace: Option<Workspace>,
    /// What was last published for each file whose diagnostics were not empty,
    /// with the document version: unchanged files are not published again.
    published: HashMap<String, (Vec<Diagnostic>, Option<i32>)>,
    /// The client can watch files for us (dynamic registration of didChangeWatchedFiles).
    watch_files: bool,
    /// The schema model of the last completed check and the project it was
    /// built from (its origins index that project's files), for hover and definition.
    model: Option<(Arc<Model>, Arc<supaudit_core::Project>)>,
    /// The exposed schemas of the last completed check.
    exposed: Vec<String>,
}

struct Backend {
    client: Client,
    state: Arc<Mutex<State>>,
    /// Bumped by every change; an analysis whose generation is no longer current is dropped.
    generation: Arc<AtomicU64>,
    /// Serializes publishing so that an older analysis never publishes after a newer one.
    publishing: Arc<tokio::sync::Mutex<()>>,
    shut_down: Arc<AtomicBool>,
    /// Parses kept between checks: an edit re-parses only the edited file.
    parses: Arc<Mutex<supaudit_core::ParseCache>>,
}

fn lock(state: &Mutex<State>) -> MutexGuard<'_, State> {
    // A panic elsewhere must not take the server down with a poisoned lock.
    state.lock().unwrap_or_else(|p| p.into_inner())
}

/// Runs `f`, turning a panic into its message (the caller logs it and keeps serving).
fn guarded<T>(f: impl FnOnce() -> T) -> std::result::Result<T, String> {
    catch_unwind(AssertUnwindSafe(f)).map_err(|p| {
        p.downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| p.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".into())
    })
}

impl Backend {
    fn new(client: Client, shut_down: Arc<AtomicBool>) -> Self {
        Backend {
            client,
            state: Arc::default(),
            generation: Arc::default(),
            publishing: Arc::default(),
            shut_down,
            parses: Arc::default(),
        }
    }

    /// Runs `f` on the state, catching panics (logged; the server keeps serving).
    async fn with_state<T>(&self, what: &str, f: impl FnOnce(&mut State) -> T) -> Option<T> {
        match guarded(|| f(&mut lock(&self.state))) {
            Ok(v) => Some(v),
            Err(p) => {
                self.client
                    .log_message(
                        MessageType::ERROR,
                        format!("supaudit: panic while handling {what}: {p}"),
                    )
                    .await;
                None
            }
        }
    }

    /// Schedules a check of the whole project after the debounce delay.
    fn schedule(&self) {
        let generation = self.generation.fetch_add(1, Ordering::SeqCst) + 1;
        let current = self.generation.clone();
        let state = self.state.clone();
        let client = self.client.clone();
        let publishing = self.publishing.clone();
        let parses = self.parses.clone();
        let t0 = std::time::Instant::now();
        let timing = std::env::var_os("SUPAUDIT_LSP_TIMING").is_some();
        tokio::spawn(async move {
            tokio::time::sleep(DEBOUNCE).await;
            if current.load(Ordering::SeqCst) != generation {
                return;
            }
            let t_debounce = t0.elapsed();
            let snapshot = {
                let s = lock(&state);
                s.workspace
                    .as_ref()
                    .map(|w| (w.project(), w.versions(), w.root.clone()))
            };
            let Some((project, versions, root)) = snapshot else {
                return;
            };
            let cancel = current.clone();
            let analysis = tokio::task::spawn_blocking(move || {
                guarded(|| {
                    let (settings, config_error) = workspace::settings(&project);
                    let cancelled = || cancel.load(Ordering::SeqCst) != generation;
                    let mut cache = parses.lock().unwrap_or_else(|p| p.into_inner());
                    let analysis = supaudit_core::analyze_cancellable(
                        &project, &settings, &mut cache, &cancelled,
                    )?;
                    drop(cache);
                    let mut diagnostics = analysis.diagnostics;
                    diagnostics.extend(config_error);
                    Some((
                        convert::by_file(&project, &diagnostics),
                        (Arc::new(analysis.model), Arc::new(project)),
                        analysis.exposed_schemas,
                        StatusParams::of(&diagnostics),
                    ))
                })
            })
            .await;
            let t_analysis = t0.elapsed();
            let (by_file, model, exposed, status) = match analysis {
                Ok(Ok(Some(v))) => v,
                // Cancelled: a newer check is on its way.
                Ok(Ok(None)) => return,
                Ok(Err(p)) => {
                    client
                        .log_message(
                            MessageType::ERROR,
                            format!("supaudit: panic during analysis: {p}"),
                        )
                        .await;
                    return;
                }
                Err(e) => {
                    client
                        .log_message(
                            MessageType::ERROR,
                            format!("supaudit: analysis failed: {e}"),
                        )
                        .await;
                    return;
                }
            };
            let replaced = {
                let mut s = lock(&state);
                s.exposed = exposed;
                s.model.replace(model)
            };
            let _guard = publishing.lock().await;
            if current.load(Ordering::SeqCst) != generation {
                return;
            }
            let mut previous = std::mem::take(&mut lock(&state).published);
            let mut files: Vec<(String, Vec<Diagnostic>)> = by_file.into_iter().collect();
            files.extend(
                previous
                    .keys()
                    .filter(|f| !files.iter().any(|(g, _)| g == *f))
                    .map(|f| (f.clone(), Vec::new()))
                    .collect::<Vec<_>>(),
            );
            // Open files first (the one being edited is waited for), then by path.
            files.sort_by(|a, b| {
                (!versions.contains_key(&a.0), &a.0).cmp(&(!versions.contains_key(&b.0), &b.0))
            });
            let mut now = HashMap::new();
            for (rel, diagnostics) in files {
                let version = versions.get(&rel).copied();
                let last = previous.remove(&rel);
                let unchanged = match &last {
                    Some((d, v)) => *d == diagnostics && *v == version,
                    None => diagnostics.is_empty(),
                };
                if !diagnostics.is_empty() {
                    now.insert(rel.clone(), (diagnostics.clone(), version));
                }
                if unchanged {
                    continue;
                }
                let Some(uri) = Uri::from_file_path(root.join(&rel)) else {
                    continue;
                };
                client.publish_diagnostics(uri, diagnostics, version).await;
            }
            lock(&state).published = now;
            client.send_notification::<StatusNotification>(status).await;
            if timing {
                eprintln!(
                    "supaudit lsp timing: debounce {:?}, analysis done {:?}, published {:?}",
                    t_debounce,
                    t_analysis,
                    t0.elapsed()
                );
            }
            // The model this check replaced is freed after publishing.
            drop(replaced);
        });
    }

    /// Runs `f` on the model of the last check (or a fresh one when there is
    /// none yet) and the file at `uri` with its current text, off the async
    /// thread; panics are logged and give `None`.
    async fn navigate<T: Send + 'static>(
        &self,
        what: &'static str,
        uri: &Uri,
        f: impl FnOnce(&hover::Subject, &std::path::Path) -> Option<T> + Send + 'static,
    ) -> Option<T> {
        let snapshot = {
            let s = lock(&self.state);
            s.workspace.as_ref().and_then(|w| {
                Some((
                    w.project(),
                    w.relative(uri)?,
                    w.root.clone(),
                    s.model.clone(),
                    s.exposed.clone(),
                ))
            })
        };
        let (project, rel, root, model, exposed) = snapshot?;
        let parses = self.parses.clone();
        let result = tokio::task::spawn_blocking(move || {
            guarded(|| {
                let ((model, analyzed), exposed) = match model {
                    Some(m) => (m, exposed),
                    None => {
                        let (settings, _) = workspace::settings(&project);
                        let mut cache = parses.lock().unwrap_or_else(|p| p.into_inner());
                        let a = supaudit_core::analyze_with(&project, &settings, &mut cache);
                        (
                            (Arc::new(a.model), Arc::new(project.clone())),
                            a.exposed_schemas,
                        )
                    }
                };
                let file = project.file(&rel)?;
                // The parse cache may be busy with a check: then parse the one file here.
                let mut fresh = supaudit_core::ParseCache::default();
                let mut busy = parses.try_lock();
                let cache = match busy.as_deref_mut() {
                    Ok(c) => c,
                    Err(_) => &mut fresh,
                };
                let subject = hover::Subject {
                    project: &project,
                    analyzed: &analyzed,
                    model: &model,
                    exposed: &exposed,
                    rel: &rel,
                    sql: file.kind.is_sql().then(|| cache.parse(&rel, &file.text)),
                    client: (file.kind == supaudit_core::FileKind::Client)
                        .then(|| cache.parse_client(&rel, &file.text)),
                };
                drop(busy);
                f(&subject, &root)
            })
        })
        .await;
        let message = match result {
            Ok(Ok(v)) => return v,
            Ok(Err(p)) => format!("supaudit: panic while handling {what}: {p}"),
            Err(e) => format!("supaudit: {what} failed: {e}"),
        };
        self.client.log_message(MessageType::ERROR, message).await;
        None
    }

    fn fix_all_action(&self, uri: &Uri) -> Option<CodeAction> {
        let (project, rel) = {
            let s = lock(&self.state);
            let w = s.workspace.as_ref()?;
            (w.project(), w.relative(uri)?)
        };
        let original = project.file(&rel)?.text.clone();
        let (settings, _) = workspace::settings(&project);
        let fixed = convert::fix_all(project, &settings, &rel)?;
        let edit = convert::minimal_edit(&original, &fixed)?;
        Some(CodeAction {
            title: "Fix all safe supaudit findings".into(),
            kind: Some(CodeActionKind::new(FIX_ALL_KIND)),
            edit: Some(WorkspaceEdit {
                changes: Some([(uri.clone(), vec![edit])].into_iter().collect()),
                ..Default::default()
            }),
            ..Default::default()
        })
    }

    fn code_actions(&self, params: &CodeActionParams) -> Vec<CodeActionOrCommand> {
        let wants = |kind: &str| match &params.context.only {
            None => true,
            Some(only) => only
                .iter()
                .any(|k| kind == k.as_str() || kind.starts_with(&format!("{}.", k.as_str()))),
        };
        let uri = &params.text_document.uri;
        let mut out = Vec::new();
        if wants(CodeActionKind::QUICKFIX.as_str()) {
            let s = lock(&self.state);
            if let Some(w) = s.workspace.as_ref() {
                let uri_of = |rel: &str| w.uri(rel);
                let rel = w.relative(uri);
                let project = rel.as_ref().map(|_| w.project());
                // Where suppression comments can go, and their comment marker.
                let commentable = rel.as_ref().zip(project.as_ref()).and_then(|(rel, p)| {
                    let f = p.file(rel)?;
                    let marker = if f.kind.is_sql() {
                        "--"
                    } else {
                        supaudit_core::suppress::line_comment_marker(&f.kind)?
                    };
                    Some((f.text.as_str(), marker, f.kind.is_sql()))
                });
                let doc = commentable.map(|(text, marker, sql)| (Doc::new(text), marker, sql));
                for d in &params.context.diagnostics {
                    let fixes = convert::quick_fixes(d, &uri_of);
                    out.extend(fixes.into_iter().map(CodeActionOrCommand::CodeAction));
                    if let Some((doc, marker, sql)) = &doc
                        && let Some(a) = convert::ignore_action(d, uri, doc, marker, *sql)
                    {
                        out.push(CodeActionOrCommand::CodeAction(a));
                    }
                }
            }
        }
        if wants(FIX_ALL_KIND)
            && let Some(a) = self.fix_all_action(uri)
        {
            out.push(CodeActionOrCommand::CodeAction(a));
        }
        out
    }
}

fn root_of(params: &InitializeParams) -> Option<std::path::PathBuf> {
    let folder = params
        .workspace_folders
        .as_ref()
        .and_then(|f| f.first())
        .map(|f| f.uri.clone());
    #[allow(deprecated)]
    let uri = folder.or_else(|| params.root_uri.clone())?;
    uri.to_file_path().map(|p| p.into_owned())
}

impl LanguageServer for Backend {
    async fn initialize(&self, params: InitializeParams) -> Result<InitializeResult> {
        let message = match root_of(&params) {
            None => Some("supaudit: no workspace folder; nothing to check".to_string()),
            Some(root) => match Workspace::load(&root) {
                Ok(w) => {
                    lock(&self.state).workspace = Some(w);
                    None
                }
                Err(e) => Some(format!("supaudit: {e}")),
            },
        };
        lock(&self.state).watch_files = params
            .capabilities
            .workspace
            .as_ref()
            .and_then(|w| w.did_change_watched_files.as_ref())
            .and_then(|c| c.dynamic_registration)
            == Some(true);
        if let Some(m) = message {
            self.client.log_message(MessageType::WARNING, m).await;
        }
        Ok(InitializeResult {
            capabilities: ServerCapabilities {
                text_document_sync: Some(TextDocumentSyncCapability::Options(
                    TextDocumentSyncOptions {
                        open_close: Some(true),
                        change: Some(TextDocumentSyncKind::INCREMENTAL),
                        save: Some(TextDocumentSyncSaveOptions::Supported(true)),
                        ..Default::default()
                    },
                )),
                code_action_provider: Some(CodeActionProviderCapability::Options(
                    CodeActionOptions {
                        code_action_kinds: Some(vec![
                            CodeActionKind::QUICKFIX,
                            CodeActionKind::new(FIX_ALL_KIND),
                        ]),
                        ..Default::default()
                    },
                )),
                hover_provider: Some(HoverProviderCapability::Simple(true)),
                definition_provider: Some(OneOf::Left(true)),
                ..Default::default()
            },
            server_info: Some(ServerInfo {
                name: "supaudit".into(),
                version: Some(env!("CARGO_PKG_VERSION").into()),
            }),
            ..Default::default()
        })
    }

    async fn initialized(&self, _: InitializedParams) {
        self.schedule();
        if lock(&self.state).watch_files {
            let watchers = WATCHED
                .iter()
                .map(|glob| FileSystemWatcher {
                    glob_pattern: GlobPattern::String(glob.to_string()),
                    kind: None,
                })
                .collect();
            let registration = Registration {
                id: "supaudit-watched-files".into(),
                method: "workspace/didChangeWatchedFiles".into(),
                register_options: serde_json::to_value(DidChangeWatchedFilesRegistrationOptions {
                    watchers,
                })
                .ok(),
            };
            if let Err(e) = self.client.register_capability(vec![registration]).await {
                self.client
                    .log_message(
                        MessageType::WARNING,
                        format!("supaudit: cannot watch files: {e}"),
                    )
                    .await;
            }
        }
    }

    async fn shutdown(&self) -> Result<()> {
        self.shut_down.store(true, Ordering::SeqCst);
        Ok(())
    }

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        let doc = params.text_document;
        let changed = self
            .with_state("didOpen", |s| {
                let w = s.workspace.as_mut()?;
                let rel = w.relative(&doc.uri)?;
                w.open(rel, doc.text, doc.version).then_some(())
            })
            .await
            .flatten();
        if changed.is_some() {
            self.schedule();
        }
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        let uri = params.text_document.uri;
        let version = params.text_document.version;
        let changes = params.content_changes;
        let changed = self
            .with_state("didChange", |s| {
                let w = s.workspace.as_mut()?;
                let rel = w.relative(&uri)?;
                let (text, v) = w.buffer_mut(&rel)?;
                for change in changes {
                    convert::apply_change(text, change);
                }
                *v = version;
                Some(())
            })
            .await
            .flatten();
        if changed.is_some() {
            self.schedule();
        }
    }

    async fn did_save(&self, params: DidSaveTextDocumentParams) {
        let uri = params.text_document.uri;
        self.with_state("didSave", |s| {
            if let Some(w) = s.workspace.as_mut()
                && let Some(rel) = w.relative(&uri)
            {
                w.reread(&rel);
            }
        })
        .await;
        self.schedule();
    }

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        let uri = params.text_document.uri;
        self.with_state("didClose", |s| {
            if let Some(w) = s.workspace.as_mut()
                && let Some(rel) = w.relative(&uri)
            {
                w.close(&rel);
            }
        })
        .await;
        self.schedule();
    }

    async fn did_change_watched_files(&self, params: DidChangeWatchedFilesParams) {
        self.with_state("didChangeWatchedFiles", |s| {
            if let Some(w) = s.workspace.as_mut() {
                for change in &params.changes {
                    if let Some(rel) = w.relative(&change.uri)
                        && !w.is_open(&rel)
                    {
                        w.reread(&rel);
                    }
                }
            }
        })
        .await;
        self.schedule();
    }

    async fn hover(&self, params: HoverParams) -> Result<Option<Hover>> {
        let pos = params.text_document_position_params;
        let at = pos.position;
        Ok(self
            .navigate("hover", &pos.text_document.uri, move |subject, _| {
                hover::hover(subject, at)
            })
            .await)
    }

    async fn goto_definition(
        &self,
        params: GotoDefinitionParams,
    ) -> Result<Option<GotoDefinitionResponse>> {
        let pos = params.text_document_position_params;
        let at = pos.position;
        Ok(self
            .navigate(
                "definition",
                &pos.text_document.uri,
                move |subject, root| hover::definition(subject, at, root),
            )
            .await
            .map(GotoDefinitionResponse::Scalar))
    }

    async fn code_action(&self, params: CodeActionParams) -> Result<Option<CodeActionResponse>> {
        match guarded(|| self.code_actions(&params)) {
            Ok(actions) => Ok(Some(actions)),
            Err(p) => {
                self.client
                    .log_message(
                        MessageType::ERROR,
                        format!("supaudit: panic while computing code actions: {p}"),
                    )
                    .await;
                Ok(None)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn panics_become_messages() {
        assert_eq!(guarded(|| 1), Ok(1));
        let e = guarded(|| -> u32 { panic!("boom {}", 7) }).unwrap_err();
        assert_eq!(e, "boom 7");
        // A lock poisoned by a panic is still usable.
        let state = Mutex::new(State::default());
        let _ = guarded(|| {
            let _g = lock(&state);
            panic!("while locked")
        });
        assert!(lock(&state).workspace.is_none());
    }
}
