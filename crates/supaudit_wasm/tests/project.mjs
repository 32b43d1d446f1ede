// Helpers for the node tests and the timing script of the wasm package: load the
// nodejs-target build and read a project from disk as `{path, text}[]`.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** The `--target nodejs` build of scripts/build-wasm.sh (or $SUPAUDIT_WASM_NODE). */
export function loadWasm({ fresh = false } = {}) {
  const entry =
    process.env.SUPAUDIT_WASM_NODE ?? path.join(REPO, 'target/wasm-node/supaudit_wasm.js');
  if (!fs.existsSync(entry)) {
    throw new Error(`${entry} is missing: run scripts/build-wasm.sh first`);
  }
  const require = createRequire(import.meta.url);
  // A new instance (its own memory, nothing cached) instead of the module loaded before.
  if (fresh) delete require.cache[require.resolve(entry)];
  return require(entry);
}

const SKIP_DIRS = new Set(['node_modules', 'target', 'dist', 'build', '.next', '.git']);

/** What supaudit reads from a project: SQL under supabase/, config.toml, supaudit.toml,
 * client code and env files (README and the like are left out, as the CLI does). */
function wanted(rel) {
  const name = path.posix.basename(rel);
  return (
    (rel.includes('supabase/') && name.endsWith('.sql')) ||
    rel.endsWith('supabase/config.toml') ||
    rel === 'supaudit.toml' ||
    name === '.env' ||
    name.startsWith('.env.') ||
    (/\.(ts|tsx|js|jsx|mjs|cjs|mts|cts)$/.test(name) && !name.endsWith('.d.ts'))
  );
}

/** The project at `root` as `{path, text}[]`, paths relative with `/`, sorted. */
export function readProject(root) {
  const out = [];
  const walk = (dir) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) {
        if (SKIP_DIRS.has(e.name) || (e.name.startsWith('.') && e.name !== '.supabase')) continue;
        walk(full);
      } else if (e.isFile()) {
        const rel = path.relative(root, full).split(path.sep).join('/');
        if (wanted(rel)) out.push({ path: rel, text: fs.readFileSync(full, 'utf8') });
      }
    }
  };
  walk(root);
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** A diagnostic without the fields the wasm package adds to the CLI's JSON contract. */
export function withoutEditorFields(d) {
  const { utf16, bytes, ...rest } = d;
  return {
    ...rest,
    fixes: rest.fixes.map((f) => ({
      ...f,
      edits: f.edits.map(({ utf16, bytes, ...e }) => e),
    })),
  };
}
