#!/usr/bin/env node
// Smoke test of dist/extension.js without VS Code (which cannot be downloaded here):
// node scripts/activate-smoke.mjs [extensionDir]   (default: this extension's folder, after `npm run package`)
// Loads the bundle against a stub `vscode` module (explicit stubs for what the extension itself
// uses, a permissive proxy for the rest of vscode-languageclient's calls), activates it on a tiny
// Supabase project, waits until the status bar says the bundled server runs and the project's
// rls-disabled finding reaches the diagnostic collection and the status bar shows the
// readiness score the server sends (supaudit/status), then deactivates and checks the server
// process is gone. It proves the bundle loads, finds server/supaudit and
// completes the LSP handshake; it does not prove how VS Code renders anything.
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readdirSync, readlinkSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import Module from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const extDir = resolve(process.argv[2] ?? join(here, ".."));
const project = mkdtempSync(join(tmpdir(), "supaudit-activate-"));
mkdirSync(join(project, "supabase", "migrations"), { recursive: true });
writeFileSync(join(project, "supabase", "config.toml"), "");
writeFileSync(
  join(project, "supabase", "migrations", "20240101000000_init.sql"),
  "create table public.notes (id bigint primary key);\n",
);

const log = [];
const hardTimeout = setTimeout(() => {
  console.error(`not ok - timed out\n${log.join("\n")}`);
  process.exit(1);
}, 30_000);

/** Anything: callable, constructible, every property another `anything`; not a thenable. */
function anything(name) {
  const cache = new Map();
  const fn = function () {};
  return new Proxy(fn, {
    get(_t, prop) {
      if (prop === "then") return undefined;
      if (prop === Symbol.iterator) return function* () {};
      if (prop === Symbol.toPrimitive) return () => `[${name}]`;
      if (prop === "dispose") return () => {};
      if (!cache.has(prop)) cache.set(prop, anything(`${name}.${String(prop)}`));
      return cache.get(prop);
    },
    apply: () => anything(`${name}()`),
    construct: () => anything(`new ${name}`),
  });
}
function withFallback(name, explicit) {
  const fallback = anything(name);
  return new Proxy(explicit, {
    get: (t, prop) => (prop in t ? t[prop] : prop === "then" ? undefined : fallback[prop]),
  });
}

class Disposable {
  constructor(f) {
    this.f = f;
  }
  static from(...ds) {
    return new Disposable(() => ds.forEach((d) => d?.dispose?.()));
  }
  dispose() {
    this.f?.();
  }
}
class EventEmitter {
  listeners = new Set();
  event = (l, thisArg) => {
    const f = l.bind(thisArg);
    this.listeners.add(f);
    return new Disposable(() => this.listeners.delete(f));
  };
  fire(e) {
    [...this.listeners].forEach((l) => l(e));
  }
  dispose() {
    this.listeners.clear();
  }
}
const noEvent = () => new Disposable();
const uriOf = (fsPath) => ({
  scheme: "file",
  fsPath,
  path: fsPath,
  toString: () => pathToFileURL(fsPath).href,
  with() {
    return this;
  },
});
const statusItem = { show() {}, hide() {}, dispose() {} };
/** What the client put in its diagnostic collection: uri -> diagnostics. */
const published = new Map();
const diagnosticCollection = withFallback("diagnostics", {
  set(uri, diagnostics) {
    if (Array.isArray(uri)) uri.forEach(([u, d]) => published.set(String(u), d ?? []));
    else published.set(String(uri), diagnostics ?? []);
  },
  delete(uri) {
    published.delete(String(uri));
  },
  clear() {
    published.clear();
  },
  dispose() {},
});
const folder = { uri: uriOf(project), name: "project", index: 0 };
const outputChannel = (name) => {
  const line = (level) => (msg) => log.push(`[${name}] ${level} ${msg}`);
  return {
    name,
    logLevel: 2,
    onDidChangeLogLevel: noEvent,
    append: line(""),
    appendLine: line(""),
    replace() {},
    clear() {},
    show() {},
    hide() {},
    dispose() {},
    trace: line("trace"),
    debug: line("debug"),
    info: line("info"),
    warn: line("warn"),
    error: line("error"),
  };
};

const vscode = withFallback("vscode", {
  version: "1.91.0",
  Disposable,
  EventEmitter,
  ThemeColor: class {
    constructor(id) {
      this.id = id;
    }
  },
  StatusBarAlignment: { Left: 1, Right: 2 },
  CancellationTokenSource: class {
    token = { isCancellationRequested: false, onCancellationRequested: noEvent };
    cancel() {
      this.token.isCancellationRequested = true;
    }
    dispose() {}
  },
  Position: class {
    constructor(line, character) {
      Object.assign(this, { line, character });
    }
  },
  Range: class {
    constructor(start, end) {
      Object.assign(this, { start, end });
    }
  },
  Diagnostic: class {
    constructor(range, message, severity) {
      Object.assign(this, { range, message, severity });
    }
  },
  Uri: {
    file: uriOf,
    parse: (s) => (s.startsWith("file:") ? uriOf(fileURLToPath(s)) : { scheme: s.split(":")[0], toString: () => s }),
  },
  languages: withFallback("vscode.languages", {
    createDiagnosticCollection: () => diagnosticCollection,
  }),
  env: withFallback("vscode.env", { language: "en", appName: "stub", machineId: "stub" }),
  commands: withFallback("vscode.commands", {
    registerCommand: () => new Disposable(),
    executeCommand: async () => undefined,
  }),
  window: withFallback("vscode.window", {
    createOutputChannel: outputChannel,
    createStatusBarItem: () => statusItem,
    showErrorMessage: async (m) => (log.push(`[showErrorMessage] ${m}`), undefined),
    showInformationMessage: async () => undefined,
    showWarningMessage: async () => undefined,
    visibleTextEditors: [],
    activeTextEditor: undefined,
    onDidChangeVisibleTextEditors: noEvent,
    onDidChangeActiveTextEditor: noEvent,
  }),
  workspace: withFallback("vscode.workspace", {
    workspaceFolders: [folder],
    textDocuments: [],
    notebookDocuments: [],
    isTrusted: true,
    getConfiguration: () => ({ get: (_k, d) => d, has: () => false, inspect: () => undefined }),
    getWorkspaceFolder: () => folder,
    onDidChangeConfiguration: noEvent,
    onDidChangeWorkspaceFolders: noEvent,
    onDidGrantWorkspaceTrust: noEvent,
    onDidOpenTextDocument: noEvent,
    onDidCloseTextDocument: noEvent,
    onDidChangeTextDocument: noEvent,
    onDidSaveTextDocument: noEvent,
    onWillSaveTextDocument: noEvent,
    createFileSystemWatcher: () =>
      withFallback("watcher", {
        onDidCreate: noEvent,
        onDidChange: noEvent,
        onDidDelete: noEvent,
        dispose() {},
      }),
  }),
});

// `require("vscode")` from the bundle gets the stub.
const originalLoad = Module._load;
Module._load = function (request, ...rest) {
  return request === "vscode" ? vscode : originalLoad.call(this, request, ...rest);
};

const require = createRequire(import.meta.url);
const ext = require(join(extDir, "dist", "extension.js"));
const subscriptions = [];
let ok = false;
try {
  ext.activate({ subscriptions, extensionPath: extDir, extensionUri: uriOf(extDir) });
  const started = Date.now();
  while (!String(statusItem.text).includes("$(shield)")) {
    if (String(statusItem.text).includes("$(error)") || Date.now() - started > 20_000) {
      throw new Error(`the server did not reach "running": status ${statusItem.text}, ${statusItem.tooltip}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  const started_line = log.find((l) => l.includes("starting "));
  assert.ok(started_line?.includes(join(extDir, "server", "supaudit")), `not the bundled server: ${started_line}`);
  assert.match(statusItem.tooltip, /supaudit: running/);
  console.log(`ok - activate() starts the bundled server; status bar: ${statusItem.text}`);
  const migration = pathToFileURL(join(project, "supabase", "migrations", "20240101000000_init.sql")).href;
  while (!published.get(migration)?.some((d) => String(d.code?.value ?? d.code) === "rls-disabled")) {
    if (Date.now() - started > 20_000) {
      throw new Error(`no rls-disabled diagnostic for ${migration}; published: ${[...published.keys()].join(", ")}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  // The server's supaudit/status after the check: the readiness score in the status bar.
  while (!/ \d+\.\d\/10$/.test(String(statusItem.text))) {
    if (Date.now() - started > 20_000) {
      throw new Error(`no readiness score in the status bar: ${statusItem.text}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.match(statusItem.tooltip, /Readiness \d+\.\d \/ 10 .*: [1-9]\d* errors, \d+ warnings, \d+ info/);
  console.log(`ok - the status bar shows the readiness score: ${statusItem.text}`);
  console.log("ok - the project's findings reach the diagnostic collection (rls-disabled on the migration)");
  const server = join(extDir, "server", "supaudit");
  assert.ok(serverRunning(server), `no running ${server} process found in /proc`);
  await ext.deactivate();
  assert.match(statusItem.text, /circle-slash/);
  for (let i = 0; serverRunning(server); i++) {
    assert.ok(i < 40, `a ${server} process is still running after deactivate()`);
    await new Promise((r) => setTimeout(r, 50));
  }
  console.log(`ok - deactivate() stops it; status bar: ${statusItem.text}`);
  ok = true;
} catch (e) {
  console.error(`not ok - ${e.stack ?? e}\n--- log\n${log.join("\n")}`);
} finally {
  clearTimeout(hardTimeout);
  rmSync(project, { recursive: true, force: true });
}
process.exit(ok ? 0 : 1);

/** True when a process runs the executable `exe` (Linux /proc). */
function serverRunning(exe) {
  for (const pid of readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
    try {
      if (readlinkSync(`/proc/${pid}/exe`) === exe) return true;
    } catch {
      // gone, or not ours to read
    }
  }
  return false;
}
