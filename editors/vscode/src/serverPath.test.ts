// Unit tests of the server path resolution: `npm test` (esbuild bundles this file, `node --test` runs it).
import assert from "node:assert/strict";
import { test } from "node:test";
import { bundledServerPath, expandSetting, resolveServerPath, type ResolveInput } from "./serverPath";

function input(executables: string[], over: Partial<ResolveInput> = {}): ResolveInput {
  const set = new Set(executables);
  return {
    extensionPath: "/ext",
    workspaceFolder: "/work/project",
    homeDir: "/home/me",
    platform: "linux",
    env: { PATH: "/usr/local/bin:/usr/bin" },
    isExecutable: (p) => set.has(p),
    ...over,
  };
}

test("the bundled binary wins over PATH when no setting is given", () => {
  const r = resolveServerPath(input(["/ext/server/supaudit", "/usr/bin/supaudit"]));
  assert.deepEqual(r, { ok: true, command: "/ext/server/supaudit", source: "bundled" });
});

test("an empty or blank setting counts as not set", () => {
  for (const configured of ["", "   ", undefined]) {
    const r = resolveServerPath(input(["/ext/server/supaudit"], { configured }));
    assert.deepEqual(r, { ok: true, command: "/ext/server/supaudit", source: "bundled" });
  }
});

test("without a bundled binary, the first supaudit on PATH is used", () => {
  const r = resolveServerPath(input(["/usr/bin/supaudit", "/usr/local/bin/other"]));
  assert.deepEqual(r, { ok: true, command: "/usr/bin/supaudit", source: "path" });
  const first = resolveServerPath(input(["/usr/bin/supaudit", "/usr/local/bin/supaudit"]));
  assert.deepEqual(first, { ok: true, command: "/usr/local/bin/supaudit", source: "path" });
});

test("the setting wins over the bundled binary and PATH", () => {
  const r = resolveServerPath(
    input(["/opt/supaudit/bin/supaudit", "/ext/server/supaudit", "/usr/bin/supaudit"], {
      configured: "/opt/supaudit/bin/supaudit",
    }),
  );
  assert.deepEqual(r, { ok: true, command: "/opt/supaudit/bin/supaudit", source: "setting" });
});

test("a setting that points nowhere is an error, not a silent fallback", () => {
  const r = resolveServerPath(input(["/ext/server/supaudit"], { configured: "/missing/supaudit" }));
  assert.equal(r.ok, false);
  if (!r.ok) {
    assert.match(r.message, /\/missing\/supaudit/);
    assert.deepEqual(r.tried, ["/missing/supaudit"]);
  }
});

test("relative paths, ~ and ${workspaceFolder} in the setting", () => {
  const rel = resolveServerPath(input(["/work/project/target/debug/supaudit"], { configured: "./target/debug/supaudit" }));
  assert.deepEqual(rel, { ok: true, command: "/work/project/target/debug/supaudit", source: "setting" });
  const home = resolveServerPath(input(["/home/me/.cargo/bin/supaudit"], { configured: "~/.cargo/bin/supaudit" }));
  assert.deepEqual(home, { ok: true, command: "/home/me/.cargo/bin/supaudit", source: "setting" });
  const ws = resolveServerPath(
    input(["/work/project/bin/supaudit"], { configured: "${workspaceFolder}/bin/supaudit" }),
  );
  assert.deepEqual(ws, { ok: true, command: "/work/project/bin/supaudit", source: "setting" });
  const noFolder = resolveServerPath(input([], { configured: "bin/supaudit", workspaceFolder: undefined }));
  assert.equal(noFolder.ok, false);
  assert.equal(expandSetting("${userHome}/x", { homeDir: "/h", platform: "linux" }), "/h/x");
});

test("a bare name in the setting is looked up on PATH", () => {
  const r = resolveServerPath(input(["/usr/bin/supaudit-dev"], { configured: "supaudit-dev" }));
  assert.deepEqual(r, { ok: true, command: "/usr/bin/supaudit-dev", source: "setting" });
  const missing = resolveServerPath(input(["/ext/server/supaudit"], { configured: "supaudit-dev" }));
  assert.equal(missing.ok, false);
});

test("nothing found: an error that lists what was tried", () => {
  const r = resolveServerPath(input([]));
  assert.equal(r.ok, false);
  if (!r.ok) {
    assert.deepEqual(r.tried, ["/ext/server/supaudit", "/usr/local/bin/supaudit", "/usr/bin/supaudit"]);
    assert.match(r.message, /supaudit\.path/);
  }
});

test("Windows: supaudit.exe bundled, PATHEXT on PATH", () => {
  assert.equal(bundledServerPath("C:\\ext", "win32"), "C:\\ext\\server\\supaudit.exe");
  const win = { platform: "win32" as const, extensionPath: "C:\\ext", env: { Path: "C:\\bin;D:\\tools", PATHEXT: ".COM;.EXE" } };
  const bundled = resolveServerPath(input(["C:\\ext\\server\\supaudit.exe"], win));
  assert.deepEqual(bundled, { ok: true, command: "C:\\ext\\server\\supaudit.exe", source: "bundled" });
  const onPath = resolveServerPath(input(["D:\\tools\\supaudit.exe"], win));
  assert.deepEqual(onPath, { ok: true, command: "D:\\tools\\supaudit.exe", source: "path" });
});
