#!/usr/bin/env node
// Copies the supaudit binary into server/ so `vsce package --target linux-x64` bundles it.
// Source: $SUPAUDIT_BIN, else the newer of ../../target/release/supaudit and ../../target/debug/supaudit
// (release when only it exists or it is newer). Fails clearly when there is none or it has no `lsp`.
// Strips symbols when `strip` is available (a release build: ~65 MB -> ~4 MB; SUPAUDIT_NO_STRIP=1 keeps
// them). Keeps the exec bit; checks that the binary is a Linux x86-64 executable (the .vsix target).
import { chmodSync, copyFileSync, existsSync, mkdirSync, openSync, readSync, closeSync, rmSync, statSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const extDir = resolve(here, "..");
const repo = resolve(extDir, "../..");

function fail(message) {
  console.error(`bundle-server: error: ${message}`);
  process.exit(1);
}

let source;
if (process.env.SUPAUDIT_BIN) {
  source = resolve(process.env.SUPAUDIT_BIN);
  if (!existsSync(source) || !statSync(source).isFile()) {
    fail(`SUPAUDIT_BIN=${process.env.SUPAUDIT_BIN} is not a file`);
  }
} else {
  // The release build unless the debug build is newer (a stale release binary is a trap:
  // `cargo test` rebuilds only the debug one).
  const candidates = [join(repo, "target/release/supaudit"), join(repo, "target/debug/supaudit")].filter(
    (p) => existsSync(p) && statSync(p).isFile(),
  );
  if (candidates.length === 0) {
    fail(
      "no supaudit binary: looked for target/release/supaudit and target/debug/supaudit; " +
        "build it first (`cargo build --release -p supaudit`) or set SUPAUDIT_BIN",
    );
  }
  source = candidates.reduce((a, b) => (statSync(b).mtimeMs > statSync(a).mtimeMs ? b : a));
  if (source !== candidates[0]) {
    console.log(`bundle-server: ${relative(repo, source)} is newer than ${relative(repo, candidates[0])}; bundling it`);
  }
}

// ELF header: magic, 64-bit class, little endian, e_machine 62 (x86-64).
const header = Buffer.alloc(20);
const fd = openSync(source, "r");
readSync(fd, header, 0, header.length, 0);
closeSync(fd);
const isElf = header.readUInt32BE(0) === 0x7f454c46;
if (!isElf || header[4] !== 2 || header[5] !== 1 || header.readUInt16LE(18) !== 62) {
  fail(`${source} is not a Linux x86-64 executable; the package targets linux-x64`);
}

// The binary must know the `lsp` subcommand (an old build does not).
const probe = spawnSync(source, ["lsp", "--help"], { encoding: "utf8", timeout: 20_000 });
if (probe.error || probe.status !== 0 || !/Usage:.*\blsp\b/.test(probe.stdout)) {
  fail(
    `${source} cannot run \`supaudit lsp\` (${probe.error?.message ?? (probe.stderr.trim().split("\n")[0] || `exit ${probe.status}`)}); ` +
      "rebuild it (`cargo build --release -p supaudit`) or set SUPAUDIT_BIN",
  );
}

const serverDir = join(extDir, "server");
rmSync(serverDir, { recursive: true, force: true });
mkdirSync(serverDir, { recursive: true });
const target = join(serverDir, "supaudit");
copyFileSync(source, target);
chmodSync(target, 0o755);
let note = "";
if (process.env.SUPAUDIT_NO_STRIP) {
  note = ", not stripped (SUPAUDIT_NO_STRIP)";
} else {
  const r = spawnSync("strip", [target], { stdio: ["ignore", "inherit", "inherit"] });
  if (r.error || r.status !== 0) {
    console.warn(`bundle-server: warning: strip ${r.error ? `unavailable (${r.error.message})` : "failed"}; bundling the binary unstripped`);
    copyFileSync(source, target);
    chmodSync(target, 0o755);
    note = ", not stripped";
  } else {
    note = ", stripped";
  }
}
chmodSync(target, 0o755);
const mb = (statSync(target).size / 1024 / 1024).toFixed(1);
console.log(`bundle-server: ${relative(process.cwd(), source) || source} -> ${relative(process.cwd(), target)} (${mb} MB${note})`);
