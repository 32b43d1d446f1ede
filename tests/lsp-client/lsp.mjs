// Shared helpers for the node LSP client tests of `supaudit lsp`: start the server over
// stdio with vscode-languageserver-protocol, record publishDiagnostics, wait for them,
// keep a text model with UTF-16 positions (JS string indices) and apply TextEdits.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  createProtocolConnection,
  StreamMessageReader,
  StreamMessageWriter,
  InitializeRequest,
  InitializedNotification,
  PublishDiagnosticsNotification,
  ShutdownRequest,
  ExitNotification,
  DidOpenTextDocumentNotification,
  DidChangeTextDocumentNotification,
  HoverRequest,
  DefinitionRequest,
  CodeActionRequest,
} from 'vscode-languageserver-protocol/node';

export {
  DidOpenTextDocumentNotification,
  DidChangeTextDocumentNotification,
  HoverRequest,
  DefinitionRequest,
  CodeActionRequest,
};

const here = path.dirname(fileURLToPath(import.meta.url));
export const REPO = path.resolve(here, '../..');
/** The server binary: $SUPAUDIT_BIN, else target/debug/supaudit of this repository. */
export const BIN = path.resolve(here, process.env.SUPAUDIT_BIN ?? '../../target/debug/supaudit');

export const uriOf = (file) => pathToFileURL(file).href;
export const pathOf = (uri) => fileURLToPath(uri);

/** Copies examples/<name> into a fresh temporary directory; returns the copy's root. */
export function copyExample(name = 'studio') {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'supaudit-lsp-'));
  const root = path.join(dir, name);
  fs.cpSync(path.join(REPO, 'examples', name), root, { recursive: true });
  return root;
}

export function removeTemp(root) {
  fs.rmSync(path.dirname(root), { recursive: true, force: true });
}

export function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}

/** Rejects after `ms` with `what` in the message unless `promise` settles first. */
export function within(ms, promise, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * A running `supaudit lsp` with an initialized connection.
 * `publishes` is the full history of publishDiagnostics ({seq, time, uri, version, diagnostics});
 * `latest` maps uri -> last publish.
 */
export class Server {
  static async start(root, { bin = BIN, args = ['lsp'], env = {} } = {}) {
    if (!fs.existsSync(bin)) {
      throw new Error(`server binary ${bin} does not exist (cargo build -p supaudit, or set SUPAUDIT_BIN)`);
    }
    const s = new Server(root, bin, args, env);
    await s.initialize();
    return s;
  }

  constructor(root, bin, args, env) {
    this.root = root;
    this.command = [bin, ...args];
    this.child = spawn(bin, args, {
      cwd: root,
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, ...env },
    });
    this.stderr = '';
    this.child.stderr.setEncoding('utf8');
    this.child.stderr.on('data', (d) => {
      this.stderr += d;
      if (this.stderr.length > 1e6) this.stderr = this.stderr.slice(-5e5);
    });
    this.exit = new Promise((resolve) => {
      this.child.on('exit', (code, signal) => {
        this.exited = { code, signal };
        resolve(this.exited);
      });
    });
    // Writes to a dead server must not crash the test process with EPIPE.
    this.child.stdin.on('error', (e) => {
      this.stdinError = e;
    });
    this.conn = createProtocolConnection(
      new StreamMessageReader(this.child.stdout),
      new StreamMessageWriter(this.child.stdin),
    );
    this.publishes = [];
    this.latest = new Map();
    this.logs = [];
    this.waiters = new Set();
    this.conn.onNotification(PublishDiagnosticsNotification.type, (p) => {
      const rec = { seq: this.publishes.length, time: performance.now(), ...p };
      this.publishes.push(rec);
      this.latest.set(p.uri, rec);
      for (const w of [...this.waiters]) w(rec);
    });
    this.statuses = [];
    this.conn.onNotification('supaudit/status', (p) => this.statuses.push(p));
    this.conn.onNotification('window/logMessage', (p) => this.logs.push(p));
    this.conn.onNotification('window/showMessage', (p) => this.logs.push(p));
    this.conn.onRequest('client/registerCapability', () => null);
    this.conn.onRequest('client/unregisterCapability', () => null);
    this.conn.onRequest('workspace/configuration', (p) => p.items.map(() => null));
    this.conn.onRequest('window/workDoneProgress/create', () => null);
    this.conn.onError(([e]) => {
      this.connError = e;
    });
    this.conn.listen();
  }

  async initialize() {
    const rootUri = uriOf(this.root);
    const died = this.exit.then((e) => {
      throw new Error(`${this.command.join(' ')} exited (${JSON.stringify(e)}) before answering initialize:\n${this.stderr}`);
    });
    const request = this.conn.sendRequest(InitializeRequest.type, {
        processId: process.pid,
        clientInfo: { name: 'supaudit-lsp-client-tests' },
        rootUri,
        workspaceFolders: [{ uri: rootUri, name: path.basename(this.root) }],
        capabilities: {
          general: { positionEncodings: ['utf-16'] },
          textDocument: {
            synchronization: { didSave: true, dynamicRegistration: false },
            publishDiagnostics: {
              relatedInformation: true,
              versionSupport: true,
              codeDescriptionSupport: true,
              dataSupport: true,
            },
            codeAction: {
              codeActionLiteralSupport: {
                codeActionKind: { valueSet: ['', 'quickfix', 'source', 'source.fixAll'] },
              },
              isPreferredSupport: true,
              dataSupport: true,
            },
            hover: { contentFormat: ['markdown', 'plaintext'] },
            definition: { linkSupport: false },
          },
          workspace: { workspaceFolders: true, applyEdit: false },
        },
      });
    // Keep the first error: the exit (with stderr) rather than the EPIPE it causes.
    this.init = await within(30000, Promise.race([died, request.catch((e) => died.then(() => { throw e; }))]), 'initialize');
    await this.conn.sendNotification(InitializedNotification.type, {});
    return this.init;
  }

  /** Calls `fn(publish)` for every publishDiagnostics from now on. */
  onPublish(fn) {
    this.waiters.add(fn);
  }

  /** Resolves with the first publish (already received with seq >= `since`, or future) for
   * `uri` that satisfies `pred(publish)`. */
  /** The first `supaudit/status` notification from index `since` on that satisfies `pred`. */
  async waitForStatus(pred = () => true, { since = 0, timeout = 15000 } = {}) {
    const deadline = performance.now() + timeout;
    for (;;) {
      const s = this.statuses.slice(since).find(pred);
      if (s) return s;
      if (this.exited) throw new Error(`server exited while waiting for supaudit/status\n${this.stderr}`);
      if (performance.now() > deadline) {
        throw new Error(`no supaudit/status within ${timeout} ms (got ${JSON.stringify(this.statuses)})`);
      }
      await sleep(10);
    }
  }

  waitForPublish(uri, pred = () => true, { since = 0, timeout = 15000 } = {}) {
    for (let i = since; i < this.publishes.length; i++) {
      const p = this.publishes[i];
      if (p.uri === uri && pred(p)) return Promise.resolve(p);
    }
    let waiter;
    const found = new Promise((resolve) => {
      waiter = (p) => {
        if (p.uri === uri && pred(p)) {
          this.waiters.delete(waiter);
          resolve(p);
        }
      };
      this.waiters.add(waiter);
    });
    const died = this.exit.then((e) => {
      throw new Error(`server exited (${JSON.stringify(e)}) while waiting for diagnostics of ${uri}\n${this.stderr}`);
    });
    return within(timeout, Promise.race([found, died]), `publishDiagnostics for ${uri}`).finally(() =>
      this.waiters.delete(waiter),
    );
  }

  /** Waits until no publish has arrived for `quiet` ms (at most `timeout` ms). */
  async settle(quiet = 500, timeout = 30000) {
    const start = performance.now();
    for (;;) {
      const last = this.publishes.at(-1)?.time ?? start;
      const idle = performance.now() - Math.max(last, start);
      if (idle >= quiet) return;
      if (performance.now() - start > timeout) throw new Error(`diagnostics did not settle in ${timeout} ms`);
      await sleep(Math.max(10, quiet - idle));
    }
  }

  open(file, languageId, text, version = 1) {
    return this.conn.sendNotification(DidOpenTextDocumentNotification.type, {
      textDocument: { uri: uriOf(file), languageId, version, text },
    });
  }

  change(uri, version, contentChanges) {
    return this.conn.sendNotification(DidChangeTextDocumentNotification.type, {
      textDocument: { uri, version },
      contentChanges,
    });
  }

  request(type, params, timeout = 15000) {
    return within(timeout, this.conn.sendRequest(type, params), type.method ?? String(type));
  }

  alive() {
    return this.exited === undefined;
  }

  /** shutdown + exit; resolves with {code, signal}. */
  async stop(timeout = 10000) {
    await within(timeout, this.conn.sendRequest(ShutdownRequest.type), 'shutdown');
    await this.conn.sendNotification(ExitNotification.type);
    const e = await within(timeout, this.exit, 'process exit after shutdown + exit');
    this.conn.dispose();
    return e;
  }

  /** Last resort in `finally`: kill our own child if it is still running. */
  kill() {
    try {
      this.conn.dispose();
    } catch {}
    if (this.alive()) this.child.kill('SIGKILL');
  }
}

// ---- text model: positions are UTF-16 code units, i.e. JS string indices ----

/** Start offsets of each line ('\n' ends a line, as in the server's LineIndex). */
export function lineStarts(text) {
  const starts = [0];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

export function offsetAt(text, { line, character }, starts = lineStarts(text)) {
  if (line >= starts.length) return text.length;
  const lineEnd = line + 1 < starts.length ? starts[line + 1] - 1 : text.length;
  return Math.min(starts[line] + character, lineEnd);
}

export function positionAt(text, offset, starts = lineStarts(text)) {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid] <= offset) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo, character: offset - starts[lo] };
}

/** Applies LSP TextEdits (all relative to the original text) and returns the new text. */
export function applyEdits(text, edits) {
  const starts = lineStarts(text);
  const spans = edits
    .map((e, i) => ({ i, s: offsetAt(text, e.range.start, starts), e: offsetAt(text, e.range.end, starts), t: e.newText }))
    .sort((a, b) => b.s - a.s || b.e - a.e || b.i - a.i);
  let out = text;
  for (const { s, e, t } of spans) out = out.slice(0, s) + t + out.slice(e);
  return out;
}

/** The first position of `needle` in `text` (optionally the nth match, and an offset into it). */
export function find(text, needle, { nth = 0, plus = 0 } = {}) {
  let at = -1;
  for (let k = 0; k <= nth; k++) {
    at = text.indexOf(needle, at + 1);
    if (at === -1) throw new Error(`${JSON.stringify(needle)} (#${nth}) not in text`);
  }
  return positionAt(text, at + plus);
}

/** The 0-based line of the first line containing `needle`. */
export function lineOf(text, needle) {
  const i = text.split('\n').findIndex((l) => l.includes(needle));
  if (i === -1) throw new Error(`${JSON.stringify(needle)} not in text`);
  return i;
}

export const codeOf = (d) => (typeof d.code === 'object' && d.code !== null ? d.code.value : d.code);

export function hoverText(h) {
  if (!h) return '';
  const c = h.contents;
  const one = (x) => (typeof x === 'string' ? x : x.value);
  return Array.isArray(c) ? c.map(one).join('\n') : one(c);
}

/** Seeded PRNG (mulberry32). */
export function prng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (n) => Math.floor(next() * n),
    pick: (xs) => xs[Math.floor(next() * xs.length)],
  };
}
