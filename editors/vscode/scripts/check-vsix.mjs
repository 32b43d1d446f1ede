#!/usr/bin/env node
// Checks the packaged extension: node scripts/check-vsix.mjs [file.vsix]
// (default: supaudit-linux-x64.vsix next to package.json). Reads the .vsix (a zip) with the small
// reader below, asserts what it must and must not contain, the server's exec bits and the
// manifest, then extracts server/supaudit and runs it: `--version`, and an LSP session on a tiny
// project that must publish an rls-disabled finding; last, extracts the extension and runs
// scripts/activate-smoke.mjs on it (dist/extension.js activated against a stub `vscode`).
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { inflateRawSync } from "node:zlib";

const here = dirname(fileURLToPath(import.meta.url));
const vsixPath = resolve(process.argv[2] ?? join(here, "..", "supaudit-linux-x64.vsix"));
let passed = 0;
function check(name, fn) {
  try {
    fn();
  } catch (e) {
    console.error(`not ok - ${name}\n${e.stack ?? e}`);
    process.exit(1);
  }
  passed++;
  console.log(`ok - ${name}`);
}

/** The entries of a zip file: name -> { mode, data() }. Stored and deflated entries only. */
function readZip(buf) {
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 0xffff); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error("not a zip file (no end of central directory record)");
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  const entries = new Map();
  for (let n = 0; n < count; n++) {
    if (buf.readUInt32LE(p) !== 0x02014b50) throw new Error(`bad central directory entry at ${p}`);
    const madeBy = buf.readUInt16LE(p + 4) >> 8; // 3: Unix, the external attributes hold st_mode
    const method = buf.readUInt16LE(p + 10);
    const compressedSize = buf.readUInt32LE(p + 20);
    const size = buf.readUInt32LE(p + 24);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    const external = buf.readUInt32LE(p + 38);
    const local = buf.readUInt32LE(p + 42);
    const name = buf.toString("utf8", p + 46, p + 46 + nameLen);
    p += 46 + nameLen + extraLen + commentLen;
    entries.set(name, {
      size,
      mode: madeBy === 3 ? external >>> 16 : undefined,
      data() {
        if (buf.readUInt32LE(local) !== 0x04034b50) throw new Error(`bad local header for ${name}`);
        const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
        const raw = buf.subarray(start, start + compressedSize);
        if (method === 0) return raw;
        if (method === 8) return inflateRawSync(raw);
        throw new Error(`${name}: unsupported compression method ${method}`);
      },
    });
  }
  return entries;
}

console.log(`checking ${vsixPath}`);
const zip = readZip(readFileSync(vsixPath));
const names = [...zip.keys()];

check("contains the manifest, package.json, README, LICENSE, the bundle and the server", () => {
  for (const name of [
    "extension.vsixmanifest",
    "extension/package.json",
    "extension/readme.md",
    "extension/LICENSE.txt",
    "extension/dist/extension.js",
    "extension/server/supaudit",
  ]) {
    const found = names.find((n) => n.toLowerCase() === name.toLowerCase());
    assert.ok(found, `${name} missing; entries: ${names.join(", ")}`);
  }
});

check("leaves out sources, scripts, tests and node_modules", () => {
  const unwanted = names.filter((n) =>
    /^extension\/(src|scripts|dist-test|node_modules)\/|^extension\/tsconfig\.json$|\.vsix$/.test(n),
  );
  assert.deepEqual(unwanted, []);
});

check("server/supaudit is executable (Unix mode bits in the zip)", () => {
  const { mode } = zip.get("extension/server/supaudit");
  assert.notEqual(mode, undefined, "the zip entry carries no Unix mode");
  assert.equal(mode & 0o170000, 0o100000, `not a regular file: mode ${mode.toString(8)}`);
  assert.equal(mode & 0o111, 0o111, `not executable by all: mode ${(mode & 0o7777).toString(8)}`);
});

const pkg = JSON.parse(zip.get("extension/package.json").data().toString("utf8"));
check("package.json: main, engines, activation events", () => {
  assert.equal(pkg.main, "./dist/extension.js");
  assert.equal(pkg.engines.vscode, "^1.91.0");
  assert.ok(pkg.publisher && pkg.license && pkg.repository, "publisher, license and repository are set");
  for (const event of [
    "workspaceContains:supabase/config.toml",
    "workspaceContains:**/supabase/migrations/*.sql",
  ]) {
    assert.ok(pkg.activationEvents.includes(event), `activationEvents lacks ${event}`);
  }
  assert.ok(!pkg.activationEvents.includes("*"), "must not activate on startup everywhere");
});

check("package.json: commands and settings", () => {
  const commands = pkg.contributes.commands.map((c) => c.command).sort();
  assert.deepEqual(commands, ["supaudit.restart", "supaudit.showOutput"]);
  const props = pkg.contributes.configuration.properties;
  assert.equal(props["supaudit.enable"].type, "boolean");
  assert.equal(props["supaudit.path"].type, "string");
  assert.deepEqual(props["supaudit.trace.server"].enum, ["off", "messages", "verbose"]);
});

check("manifest targets linux-x64", () => {
  const manifest = zip.get("extension.vsixmanifest").data().toString("utf8");
  assert.match(manifest, /TargetPlatform="linux-x64"/);
  assert.match(manifest, /Id="supaudit"/);
});

check("dist/extension.js is a bundle that leaves `vscode` to the host", () => {
  const js = zip.get("extension/dist/extension.js").data().toString("utf8");
  assert.match(js, /require\(["']vscode["']\)/);
  assert.doesNotMatch(js, /require\(["']vscode-languageclient/, "vscode-languageclient must be bundled");
  assert.ok(js.includes("supaudit.restart") && js.includes("lsp"), "the bundle holds the extension code");
});

// Run the bundled server.
const tmp = mkdtempSync(join(tmpdir(), "supaudit-vsix-"));
process.on("exit", () => rmSync(tmp, { recursive: true, force: true }));
const server = join(tmp, "supaudit");
writeFileSync(server, zip.get("extension/server/supaudit").data());
chmodSync(server, zip.get("extension/server/supaudit").mode & 0o777);

check("the bundled server runs (--version)", () => {
  const r = spawnSync(server, ["--version"], { encoding: "utf8", timeout: 10_000 });
  assert.equal(r.status, 0, `exit ${r.status}: ${r.error ?? r.stderr}`);
  assert.match(r.stdout, /^supaudit \d+\.\d+\.\d+/);
});

await lspSession();

check("the packaged extension activates and runs its server (activate-smoke.mjs on the extracted .vsix)", () => {
  const extDir = join(tmp, "extension");
  for (const [name, entry] of zip) {
    if (!name.startsWith("extension/") || name.endsWith("/")) continue;
    const out = join(tmp, name);
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, entry.data());
    if (entry.mode !== undefined) chmodSync(out, entry.mode & 0o777);
  }
  const r = spawnSync(process.execPath, [join(here, "activate-smoke.mjs"), extDir], { encoding: "utf8", timeout: 60_000 });
  process.stdout.write(r.stdout.replace(/^(?=.)/gm, "    "));
  assert.equal(r.status, 0, `activate-smoke failed (${r.error ?? `exit ${r.status}`}):\n${r.stderr}`);
});
console.log(`${passed} passed, 0 failed`);
process.exit(0); // do not wait for the pending timeouts

/** initialize, open a migration with a table without RLS, expect rls-disabled, shutdown, exit 0. */
async function lspSession() {
  const project = join(tmp, "project");
  mkdirSync(join(project, "supabase", "migrations"), { recursive: true });
  const file = join(project, "supabase", "migrations", "20240101000000_init.sql");
  const sql = "create table public.notes (id bigint primary key, body text);\n";
  writeFileSync(file, sql);
  const rootUri = pathToFileURL(project).href;
  const uri = pathToFileURL(file).href;

  const child = spawn(server, ["lsp"], { cwd: project, stdio: ["pipe", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (d) => (stderr += d));
  const exited = new Promise((res) => child.on("exit", (code, signal) => res(code ?? signal)));
  let finished = false;
  const died = exited.then((code) => {
    if (!finished) throw new Error(`the server exited early (${code}):\n${stderr}`);
  });
  child.on("error", (e) => console.error(`not ok - cannot start the server: ${e.message}`) || process.exit(1));
  const pending = new Map();
  const waiters = [];
  let buffer = Buffer.alloc(0);
  child.stdout.on("data", (chunk) => {
    buffer = Buffer.concat([buffer, chunk]);
    for (;;) {
      const headerEnd = buffer.indexOf("\r\n\r\n");
      if (headerEnd < 0) return;
      const length = Number(/Content-Length: (\d+)/i.exec(buffer.toString("ascii", 0, headerEnd))?.[1]);
      if (buffer.length < headerEnd + 4 + length) return;
      const msg = JSON.parse(buffer.toString("utf8", headerEnd + 4, headerEnd + 4 + length));
      buffer = buffer.subarray(headerEnd + 4 + length);
      if (msg.id !== undefined && msg.method === undefined) {
        pending.get(msg.id)?.(msg);
      } else if (msg.id !== undefined) {
        send({ jsonrpc: "2.0", id: msg.id, result: null }); // client/registerCapability and the like
      } else {
        for (const w of [...waiters]) w(msg);
      }
    }
  });
  const send = (msg) => {
    const body = Buffer.from(JSON.stringify(msg), "utf8");
    child.stdin.write(`Content-Length: ${body.length}\r\n\r\n`);
    child.stdin.write(body);
  };
  let nextId = 1;
  const request = (method, params) =>
    new Promise((res) => {
      const id = nextId++;
      pending.set(id, res);
      send({ jsonrpc: "2.0", id, method, params });
    });
  const notification = (method, predicate) =>
    new Promise((res) => {
      const w = (msg) => {
        if (msg.method === method && predicate(msg.params)) {
          waiters.splice(waiters.indexOf(w), 1);
          res(msg.params);
        }
      };
      waiters.push(w);
    });
  const timeout = (ms, what) =>
    new Promise((_, rej) => setTimeout(() => rej(new Error(`timed out after ${ms} ms: ${what}\n${stderr}`)), ms));

  try {
    const init = await Promise.race([
      request("initialize", {
        processId: process.pid,
        rootUri,
        workspaceFolders: [{ uri: rootUri, name: "project" }],
        capabilities: { textDocument: { publishDiagnostics: {} } },
      }),
      timeout(10_000, "initialize"),
      died,
    ]);
    check("LSP: initialize answers with capabilities", () => {
      assert.equal(init.error, undefined, JSON.stringify(init.error));
      assert.ok(init.result.capabilities.textDocumentSync !== undefined);
    });
    send({ jsonrpc: "2.0", method: "initialized", params: {} });
    const diagnostics = notification(
      "textDocument/publishDiagnostics",
      (p) => p.uri === uri && p.diagnostics.some((d) => d.code === "rls-disabled"),
    );
    send({
      jsonrpc: "2.0",
      method: "textDocument/didOpen",
      params: { textDocument: { uri, languageId: "sql", version: 1, text: sql } },
    });
    const published = await Promise.race([diagnostics, timeout(10_000, "rls-disabled diagnostics"), died]);
    check("LSP: publishes rls-disabled for a table without RLS", () => {
      const d = published.diagnostics.find((x) => x.code === "rls-disabled");
      assert.equal(d.range.start.line, 0);
    });
    const shutdown = await Promise.race([request("shutdown", null), timeout(10_000, "shutdown"), died]);
    finished = true;
    send({ jsonrpc: "2.0", method: "exit" });
    const code = await Promise.race([exited, timeout(10_000, "exit after shutdown")]);
    check("LSP: shutdown and exit end the server with status 0", () => {
      assert.equal(shutdown.error, undefined);
      assert.equal(code, 0);
    });
  } catch (e) {
    child.kill("SIGKILL");
    console.error(`not ok - LSP session\n${e.stack ?? e}`);
    process.exit(1);
  }
}
