// Playground budgets in real Chromium (figures for docs/benchmarks.md):
//   npm run build && npm run bench -w web [-- --loads 10 --runs 50]
// - page loads: N loads, each in a fresh browser context (empty HTTP cache, no service
//   worker), of the built site from loopback: time from navigation start to the page being
//   interactive (editor and file list up) and to the first findings on screen;
// - analysis: `analyze` of the preloaded example inside the page's worker, `runs` calls
//   after 10 warm-up calls (the state a user is in after load), with the files unchanged
//   and with a one-character edit of the first migration before each call (typing);
// - transfer sizes, raw and gzip -9.
// Exits 1 when a budget is exceeded: interactive < 1.5 s (median of loads), analysis < 20 ms
// (median), WASM ≤ 1.2 MB gzip.
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { DIST, launch, serveSite, waitReady } from './browser.mjs';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const LOADS = arg('--loads', 10);
const RUNS = arg('--runs', 50);

const sorted = (xs) => [...xs].sort((a, b) => a - b);
const pct = (xs, p) => sorted(xs)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];
const median = (xs) => {
  const s = sorted(xs);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const ms = (x) => `${x.toFixed(1)} ms`;

const site = await serveSite();
const browser = await launch();
const chromiumVersion = browser.version();
const interactive = [];
const findings = [];
let analysis = [];
let analysisEdited = [];
try {
  for (let i = 0; i < LOADS; i++) {
    const context = await browser.newContext({ serviceWorkers: 'block' });
    const page = await context.newPage();
    await page.goto(site.url);
    await waitReady(page);
    const times = await page.evaluate(() => ({
      interactive: Number(document.documentElement.dataset.interactiveMs),
      ready: Number(document.documentElement.dataset.readyMs),
    }));
    interactive.push(times.interactive);
    findings.push(times.ready);
    if (i === LOADS - 1) {
      analysis = await page.evaluate((runs) => window.supauditPlayground.bench(runs, 10), RUNS);
      // Typing in the largest migration (file 1): it is parsed again on every call.
      analysisEdited = await page.evaluate((runs) => window.supauditPlayground.bench(runs, 10, 1), RUNS);
    }
    await context.close();
  }
} finally {
  await browser.close();
  await site.close();
}

console.log(`Chromium ${chromiumVersion}; ${LOADS} loads, ${RUNS} analyses`);
console.log('| | median | p90 | min | max |');
console.log('|---|---|---|---|---|');
for (const [name, xs] of [
  ['navigation → interactive (editor, file list)', interactive],
  ['navigation → first findings (WASM compiled, first analysis)', findings],
  ['`analyze` of the example in the worker, after load (files unchanged)', analysis],
  ['`analyze` after a one-character edit of a migration (typing)', analysisEdited],
]) {
  console.log(`| ${name} | ${ms(median(xs))} | ${ms(pct(xs, 90))} | ${ms(Math.min(...xs))} | ${ms(Math.max(...xs))} |`);
}

const assets = path.join(DIST, 'assets');
let wasmGzip = 0;
console.log('\n| file | bytes | gzip -9 |\n|---|---|---|');
for (const name of readdirSync(assets).sort()) {
  const bytes = readFileSync(path.join(assets, name));
  const gz = gzipSync(bytes, { level: 9 }).length;
  if (name.endsWith('.wasm')) wasmGzip = gz;
  console.log(`| ${name.replace(/-[A-Za-z0-9_-]{8}\./, '.')} | ${bytes.length.toLocaleString('en')} | ${gz.toLocaleString('en')} |`);
}

const failures = [];
if (median(interactive) >= 1500) failures.push(`interactive median ${ms(median(interactive))} ≥ 1.5 s`);
for (const xs of [analysis, analysisEdited]) {
  if (median(xs) >= 20) failures.push(`analysis median ${ms(median(xs))} ≥ 20 ms`);
}
if (wasmGzip > 1.2e6) failures.push(`WASM ${wasmGzip} B gzip > 1.2 MB`);
if (failures.length) {
  console.log(`\nover budget: ${failures.join('; ')}`);
  process.exit(1);
}
console.log('\nwithin budget: interactive < 1.5 s, analysis < 20 ms, WASM ≤ 1.2 MB gzip');
