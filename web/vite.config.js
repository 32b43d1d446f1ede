// Vite build of the playground: `npm run build` (root: builds the WASM package first) or
// `npm run build -w web` (needs web/pkg/ from scripts/build-wasm.sh) → web/dist/, a static
// site with relative URLs (`base: './'`), so it works from any host and any sub-path.
//
// Two small plugins:
// - `virtual:supaudit-example` — the preloaded project, read from examples/studio at build
//   time (every file but README.md), so the playground shows exactly what the CLI's
//   example shows;
// - the offline service worker `sw.js`, written after the bundle with the list of every
//   emitted file, so one visit caches the whole site (WASM included).
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = path.dirname(fileURLToPath(import.meta.url));
const exampleRoot = path.resolve(here, '../examples/studio');

function listFiles(dir, rel = '') {
  const out = [];
  for (const entry of readdirSync(path.join(dir, rel), { withFileTypes: true })) {
    const p = rel ? `${rel}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...listFiles(dir, p));
    else if (entry.isFile() && p !== 'README.md') out.push(p);
  }
  return out;
}

function exampleProject() {
  const id = 'virtual:supaudit-example';
  return {
    name: 'supaudit-example',
    resolveId: (source) => (source === id ? `\0${id}` : null),
    load(resolved) {
      if (resolved !== `\0${id}`) return null;
      const files = listFiles(exampleRoot)
        .sort(exampleOrder)
        .map((p) => {
          this.addWatchFile(path.join(exampleRoot, p));
          return { path: p, text: readFileSync(path.join(exampleRoot, p), 'utf8') };
        });
      return `export default ${JSON.stringify(files)};`;
    },
  };
}

// Migrations first (in name order, as they run), then client code, then config and env.
function exampleOrder(a, b) {
  const rank = (p) =>
    p.startsWith('supabase/migrations/') ? 0 : p.startsWith('supabase/') ? 2 : p.startsWith('.') ? 3 : 1;
  return rank(a) - rank(b) || a.localeCompare(b);
}

function serviceWorker() {
  return {
    name: 'supaudit-service-worker',
    apply: 'build',
    // After Vite's own generateBundle hooks, so the HTML pages are in `bundle` too.
    generateBundle: { order: 'post', handler(_options, bundle) {
      const files = Object.keys(bundle).sort();
      const version = createHash('sha256').update(files.join('\n')).digest('hex').slice(0, 16);
      const template = readFileSync(path.join(here, 'src/sw-template.js'), 'utf8');
      const assets = ['./', ...files.map((f) => `./${f}`)];
      this.emitFile({
        type: 'asset',
        fileName: 'sw.js',
        source: template
          .replace('__SUPAUDIT_CACHE__', JSON.stringify(`supaudit-playground-${version}`))
          .replace('__SUPAUDIT_ASSETS__', JSON.stringify(assets)),
      });
    } },
  };
}

export default defineConfig({
  root: here,
  base: './',
  plugins: [exampleProject(), serviceWorker()],
  worker: { format: 'es' },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    reportCompressedSize: false,
    // CodeMirror with the SQL and TypeScript grammars is ≈ 570 kB (≈ 190 kB gzip) in one chunk.
    chunkSizeWarningLimit: 800,
    rollupOptions: {
      input: {
        index: path.join(here, 'index.html'),
        rules: path.join(here, 'rules.html'),
      },
    },
  },
  server: { fs: { allow: [path.resolve(here, '..')] } },
});
