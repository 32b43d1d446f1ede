//! End-to-end test of `supaudit lsp`: a tiny JSON-RPC client over stdio drives the
//! server on a copy of the example project.

mod common;

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

const TIMEOUT: Duration = Duration::from_secs(20);
const CORE: &str = "supabase/migrations/20260126000000_core_infrastructure.sql";
const INIT: &str = "supabase/migrations/20260117054631_init_schema.sql";
const SHARING: &str = "supabase/migrations/20260120093000_integrations_and_sharing.sql";

struct Client {
    child: Child,
    stdin: ChildStdin,
    incoming: Receiver<Value>,
    /// Messages received but not yet consumed by a wait.
    pending: VecDeque<Value>,
    next_id: i64,
}

impl Client {
    fn start(cwd: &Path) -> Client {
        let mut child = Command::new(env!("CARGO_BIN_EXE_supaudit"))
            .arg("lsp")
            .current_dir(cwd)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start supaudit lsp");
        let stdin = child.stdin.take().unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, incoming) = channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            loop {
                let mut length = None;
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    let line = line.trim_end();
                    if line.is_empty() {
                        break;
                    }
                    if let Some(v) = line.strip_prefix("Content-Length:") {
                        length = v.trim().parse::<usize>().ok();
                    }
                }
                let mut body = vec![0; length.expect("Content-Length header")];
                if reader.read_exact(&mut body).is_err() {
                    return;
                }
                let msg: Value = serde_json::from_slice(&body).expect("JSON body");
                if tx.send(msg).is_err() {
                    return;
                }
            }
        });
        Client {
            child,
            stdin,
            incoming,
            pending: VecDeque::new(),
            next_id: 1,
        }
    }

    fn send(&mut self, msg: Value) {
        let body = msg.to_string();
        write!(self.stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
        self.stdin.flush().unwrap();
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        let reply = self.wait_for(&format!("response to {method}"), |m| {
            m.get("id") == Some(&json!(id)) && m.get("method").is_none()
        });
        assert!(reply.get("error").is_none(), "{method} failed: {reply}");
        reply["result"].clone()
    }

    /// The first message (pending or new) matching `pred`; answers server requests with null
    /// (and keeps them, so that a later wait can look for them).
    fn wait_for(&mut self, what: &str, mut pred: impl FnMut(&Value) -> bool) -> Value {
        if let Some(i) = self.pending.iter().position(&mut pred) {
            return self.pending.remove(i).unwrap();
        }
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let msg = match self.incoming.recv_timeout(left) {
                Ok(m) => m,
                Err(_) => panic!(
                    "timed out waiting for {what}; last messages: {:#?}",
                    self.pending.iter().rev().take(5).collect::<Vec<_>>()
                ),
            };
            if let (Some(id), Some(_)) = (msg.get("id"), msg.get("method")) {
                let id = id.clone();
                self.send(json!({"jsonrpc": "2.0", "id": id, "result": null}));
            }
            if pred(&msg) {
                return msg;
            }
            self.pending.push_back(msg);
        }
    }

    /// The next diagnostics published for `file` that satisfy `pred`.
    fn diagnostics(
        &mut self,
        file: &str,
        what: &str,
        mut pred: impl FnMut(Option<i64>, &[Value]) -> bool,
    ) -> Vec<Value> {
        let msg = self.wait_for(&format!("diagnostics of {file}: {what}"), |m| {
            m["method"] == "textDocument/publishDiagnostics"
                && m["params"]["uri"].as_str().unwrap().ends_with(file)
                && pred(
                    m["params"]["version"].as_i64(),
                    m["params"]["diagnostics"].as_array().unwrap(),
                )
        });
        msg["params"]["diagnostics"].as_array().unwrap().clone()
    }
}

fn has(diags: &[Value], rule: &str) -> bool {
    diags.iter().any(|d| d["code"] == rule)
}

fn find<'a>(diags: &'a [Value], rule: &str) -> &'a Value {
    diags.iter().find(|d| d["code"] == rule).unwrap()
}

/// Byte offset of an LSP position (UTF-16 column).
fn offset(text: &str, pos: &Value) -> usize {
    let (line, col) = (
        pos["line"].as_u64().unwrap(),
        pos["character"].as_u64().unwrap(),
    );
    let start: usize = text
        .split_inclusive('\n')
        .take(line as usize)
        .map(str::len)
        .sum();
    let mut units = 0;
    for (i, c) in text[start..].char_indices() {
        if units >= col || c == '\n' {
            return start + i;
        }
        units += c.len_utf16() as u64;
    }
    text.len()
}

/// Applies the edits for `uri` of a WorkspaceEdit (sorted from the end so offsets stay valid).
fn apply(text: &str, edit: &Value, uri: &str) -> String {
    let mut edits: Vec<&Value> = edit["changes"][uri].as_array().unwrap().iter().collect();
    edits.sort_by_key(|e| std::cmp::Reverse(offset(text, &e["range"]["start"])));
    let mut out = text.to_string();
    for e in edits {
        let (s, t) = (
            offset(text, &e["range"]["start"]),
            offset(text, &e["range"]["end"]),
        );
        out.replace_range(s..t, e["newText"].as_str().unwrap());
    }
    out
}

fn uri(root: &Path, rel: &str) -> String {
    format!("file://{}/{rel}", root.display())
}

#[test]
fn language_server_end_to_end() {
    let root: PathBuf = common::example_copy("lsp-e2e");
    let mut c = Client::start(&root);
    let init = c.request(
        "initialize",
        json!({"processId": null, "rootUri": format!("file://{}", root.display()),
               "capabilities": {"workspace": {"didChangeWatchedFiles": {"dynamicRegistration": true}}},
               "workspaceFolders": [{"uri": format!("file://{}", root.display()), "name": "studio"}]}),
    );
    assert_eq!(init["serverInfo"]["name"], "supaudit");
    c.notify("initialized", json!({}));

    // The whole project is checked at start: files that are not open get diagnostics too.
    let d = c.diagnostics(SHARING, "at start", |_, d| {
        has(d, "policy-exists-rls-disabled")
    });
    let p = find(&d, "policy-exists-rls-disabled");
    assert_eq!(p["source"], "supaudit");
    assert_eq!(
        p["codeDescription"]["href"],
        "https://github.com/supaudit/supaudit/blob/main/docs/rules/policy-exists-rls-disabled.md"
    );

    // The server asks the client to watch the project's files; a migration created on disk
    // is read on didChangeWatchedFiles and changes the findings of another file.
    let reg = c.wait_for("registerCapability", |m| {
        m["method"] == "client/registerCapability"
    });
    assert_eq!(
        reg["params"]["registrations"][0]["method"],
        "workspace/didChangeWatchedFiles"
    );
    assert!(has(&d, "sensitive-columns-exposed"));
    let new_file = "supabase/migrations/20260201000000_waitlist_rls.sql";
    std::fs::write(
        root.join(new_file),
        "alter table public.waitlist_signups enable row level security;\n",
    )
    .unwrap();
    c.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": uri(&root, new_file), "type": 1}]}),
    );
    c.diagnostics(SHARING, "after a new migration on disk", |_, d| {
        !has(d, "sensitive-columns-exposed")
    });

    // Open a migration: rls-disabled, with its fix in `data`.
    let core_uri = uri(&root, CORE);
    let mut text = std::fs::read_to_string(root.join(CORE)).unwrap();
    c.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": core_uri, "languageId": "sql", "version": 1, "text": text}}),
    );
    let d = c.diagnostics(CORE, "after didOpen", |v, d| {
        v == Some(1) && has(d, "rls-disabled")
    });
    let rls = find(&d, "rls-disabled").clone();
    assert_eq!(rls["range"]["start"], json!({"line": 12, "character": 0}));
    assert_eq!(rls["severity"], 1);
    assert_eq!(rls["data"]["fixes"][0]["applicability"], "unsafe");

    // Code actions: the fix, the suppression, and nothing else for this diagnostic.
    let actions = c.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": core_uri}, "range": rls["range"],
               "context": {"diagnostics": [rls], "only": ["quickfix"]}}),
    );
    let actions = actions.as_array().unwrap();
    let titles: Vec<&str> = actions
        .iter()
        .map(|a| a["title"].as_str().unwrap())
        .collect();
    assert!(
        titles.contains(&"Ignore rls-disabled for this statement"),
        "{titles:?}"
    );
    let fix = actions
        .iter()
        .find(|a| {
            a["title"]
                .as_str()
                .unwrap()
                .starts_with("Enable row level security")
        })
        .unwrap_or_else(|| panic!("no RLS fix in {titles:?}"));
    assert_eq!(fix["kind"], "quickfix");
    assert_eq!(fix["isPreferred"], false);
    text = apply(&text, &fix["edit"], &core_uri);
    assert!(text.contains("alter table public.audit_logs enable row level security;"));
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": core_uri, "version": 2}, "contentChanges": [{"text": text}]}),
    );
    let d = c.diagnostics(CORE, "after the fix", |v, _| v == Some(2));
    assert!(!has(&d, "rls-disabled"), "{d:#?}");

    // A change in one migration re-publishes another: enabling RLS on a table created in
    // another file clears that file's finding (incremental sync, at the end of the file).
    let end = {
        let lines: Vec<&str> = text.split('\n').collect();
        json!({"line": lines.len() - 1, "character": lines.last().unwrap().encode_utf16().count()})
    };
    let added = "\nalter table public.prompt_templates enable row level security;\n";
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": core_uri, "version": 3},
               "contentChanges": [{"range": {"start": end, "end": end}, "text": added}]}),
    );
    text.push_str(added);
    c.diagnostics(SHARING, "after enabling RLS elsewhere", |_, d| {
        !has(d, "policy-exists-rls-disabled")
    });

    // Non-ASCII before the finding: columns are UTF-16 code units.
    let line = "/* 😀é */ create table public.\"café\" (id bigint primary key);\n";
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": core_uri, "version": 4},
               "contentChanges": [{"range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}}, "text": line}]}),
    );
    text.insert_str(0, line);
    let d = c.diagnostics(CORE, "with non-ASCII", |v, _| v == Some(4));
    let rls = find(&d, "rls-disabled");
    // "/* 😀é */ " is 9 characters, 13 bytes and 10 UTF-16 units.
    assert_eq!(rls["range"]["start"], json!({"line": 0, "character": 10}));
    assert_eq!(
        rls["range"]["end"],
        json!({"line": 0, "character": 10 + "create table public.\"café\"".len() - 1})
    );

    // The suppression action silences the finding.
    let actions = c.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": core_uri}, "range": rls["range"],
               "context": {"diagnostics": [rls]}}),
    );
    let ignore = actions
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["title"] == "Ignore rls-disabled for this statement")
        .unwrap()
        .clone();
    text = apply(&text, &ignore["edit"], &core_uri);
    assert!(text.starts_with("-- supaudit-ignore rls-disabled: \n/* 😀é */"));
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": core_uri, "version": 5}, "contentChanges": [{"text": text}]}),
    );
    let d = c.diagnostics(CORE, "after ignoring", |v, _| v == Some(5));
    assert!(
        !has(&d, "rls-disabled") && !has(&d, "unused-ignore"),
        "{d:#?}"
    );

    // source.fixAll.supaudit applies the safe fixes of a file.
    let init_uri = uri(&root, INIT);
    let init_text = std::fs::read_to_string(root.join(INIT)).unwrap();
    c.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": init_uri, "languageId": "sql", "version": 1, "text": init_text}}),
    );
    c.diagnostics(INIT, "after didOpen", |v, d| {
        v == Some(1) && has(d, "auth-rls-initplan")
    });
    let actions = c.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": init_uri},
               "range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}},
               "context": {"diagnostics": [], "only": ["source.fixAll"]}}),
    );
    let actions = actions.as_array().unwrap();
    assert_eq!(actions.len(), 1, "{actions:#?}");
    assert_eq!(actions[0]["kind"], "source.fixAll.supaudit");
    let fixed = apply(&init_text, &actions[0]["edit"], &init_uri);
    assert!(fixed.contains("(select auth.uid())"));
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": init_uri, "version": 2}, "contentChanges": [{"text": fixed}]}),
    );
    let d = c.diagnostics(INIT, "after fix all", |v, _| v == Some(2));
    assert!(!has(&d, "auth-rls-initplan"), "{d:#?}");
    assert!(
        has(&d, "graphql-table-exposed"),
        "unsafe or fixless findings stay"
    );

    // Rapid edits do not queue analyses: stale ones are dropped, the last one is published.
    let mut text = fixed;
    for version in 3..=42 {
        text.push_str("-- typing\n");
        c.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": init_uri, "version": version}, "contentChanges": [{"text": text}]}),
        );
    }
    c.diagnostics(INIT, "after rapid edits", |v, _| v == Some(42));
    let intermediate = c
        .pending
        .iter()
        .filter(|m| {
            m["method"] == "textDocument/publishDiagnostics"
                && m["params"]["uri"].as_str().unwrap().ends_with(INIT)
                && m["params"]["version"].as_i64().is_some_and(|v| v >= 3)
        })
        .count();
    assert!(
        intermediate < 10,
        "{intermediate} analyses published for 40 edits"
    );

    // shutdown + exit end the process with 0.
    assert_eq!(c.request("shutdown", json!(null)), json!(null));
    c.notify("exit", json!(null));
    let deadline = Instant::now() + Duration::from_secs(5);
    let status = loop {
        if let Some(s) = c.child.try_wait().unwrap() {
            break s;
        }
        if Instant::now() > deadline {
            c.child.kill().unwrap();
            panic!("server did not exit after shutdown + exit");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(status.code(), Some(0));
    let _ = std::fs::remove_dir_all(&root);
}

const TRAINING: &str = "supabase/migrations/20260118000000_training_schema.sql";

/// The LSP position of the `nth` occurrence of `needle` in `text`, plus `delta` bytes (ASCII).
fn position(text: &str, needle: &str, nth: usize, delta: usize) -> Value {
    let at = text.match_indices(needle).nth(nth).unwrap().0 + delta;
    let line = text[..at].matches('\n').count();
    let start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    json!({"line": line, "character": text[start..at].encode_utf16().count()})
}

#[test]
fn hover_and_definition() {
    let root: PathBuf = common::example_copy("lsp-hover");
    let mut c = Client::start(&root);
    let init = c.request(
        "initialize",
        json!({"processId": null, "rootUri": format!("file://{}", root.display()),
               "capabilities": {}}),
    );
    assert_eq!(init["capabilities"]["hoverProvider"], true);
    assert_eq!(init["capabilities"]["definitionProvider"], true);
    c.notify("initialized", json!({}));

    let init_uri = uri(&root, INIT);
    let init_text = std::fs::read_to_string(root.join(INIT)).unwrap();
    c.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": init_uri, "languageId": "sql", "version": 1, "text": init_text}}),
    );
    let hover = |c: &mut Client, uri: &str, pos: Value| {
        c.request(
            "textDocument/hover",
            json!({"textDocument": {"uri": uri}, "position": pos}),
        )
    };

    // A table: the whole dotted name, its columns (with those added by later migrations),
    // RLS state and policies.
    let h = hover(
        &mut c,
        &init_uri,
        position(&init_text, "create table public.users", 0, 22),
    );
    assert_eq!(h["contents"]["kind"], "markdown");
    let md = h["contents"]["value"].as_str().unwrap();
    assert!(md.starts_with("**`public.users`** (table)"), "{md}");
    assert!(md.contains("Row level security: enabled"), "{md}");
    assert!(md.contains("- `id` uuid not null"), "{md}");
    assert!(md.contains("- `display_name` text\n"), "{md}");
    assert!(md.contains("- `plan` text not null"), "{md}");
    assert!(md.contains("- `bio` text"), "{md}");
    assert!(
        md.contains("- `Users can view own profile`: select to public"),
        "{md}"
    );
    assert_eq!(
        h["range"],
        json!({"start": {"line": 15, "character": 13}, "end": {"line": 15, "character": 25}})
    );

    // Columns: in a CREATE TABLE and in a policy's USING.
    let h = hover(
        &mut c,
        &init_uri,
        position(&init_text, "display_name text", 0, 3),
    );
    let md = h["contents"]["value"].as_str().unwrap();
    assert!(md.starts_with("**`display_name`** (column)"), "{md}");
    assert!(md.contains("Of table `public.users`"), "{md}");
    assert!(md.contains("Type: `text`, nullable"), "{md}");
    let h = hover(
        &mut c,
        &init_uri,
        position(&init_text, "auth.uid() = id);", 0, 14),
    );
    let md = h["contents"]["value"].as_str().unwrap();
    assert!(md.starts_with("**`id`** (column)"), "{md}");
    assert!(md.contains("Type: `uuid`, not null"), "{md}");

    // Nothing to say about punctuation or unknown names.
    let h = hover(&mut c, &init_uri, json!({"line": 15, "character": 26}));
    assert_eq!(h, Value::Null);

    // Definition: a table named in a later migration jumps to its CREATE TABLE, and a
    // column to where it was added.
    let training_uri = uri(&root, TRAINING);
    let training = std::fs::read_to_string(root.join(TRAINING)).unwrap();
    let def = c.request(
        "textDocument/definition",
        json!({"textDocument": {"uri": training_uri},
               "position": position(&training, "alter table public.users add column bio", 0, 20)}),
    );
    assert_eq!(def["uri"], init_uri.as_str(), "{def}");
    assert_eq!(def["range"]["start"]["line"], 15, "{def}");
    let def = c.request(
        "textDocument/definition",
        json!({"textDocument": {"uri": init_uri},
               "position": position(&init_text, "on public.users", 0, 12)}),
    );
    assert_eq!(def["uri"], init_uri.as_str(), "{def}");
    assert_eq!(def["range"]["start"]["line"], 15, "{def}");
    let bio = position(&training, "add column bio", 0, 12);
    let def = c.request(
        "textDocument/definition",
        json!({"textDocument": {"uri": training_uri}, "position": bio}),
    );
    assert_eq!(def["uri"], training_uri.as_str(), "{def}");
    assert_eq!(def["range"]["start"]["line"], bio["line"], "{def}");

    assert_eq!(c.request("shutdown", json!(null)), json!(null));
    c.notify("exit", json!(null));
    let deadline = Instant::now() + Duration::from_secs(5);
    while c.child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            c.child.kill().unwrap();
            panic!("server did not exit after shutdown + exit");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = std::fs::remove_dir_all(&root);
}
