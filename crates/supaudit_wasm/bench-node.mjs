// Time of `analyze(examples/studio)` in node with the wasm package (the `--target nodejs`
// build of scripts/build-wasm.sh): node crates/supaudit_wasm/bench-node.mjs [runs] [project]
// Prints the median, min and max of `runs` (default 20) calls after 3 warm-up calls (the
// instance keeps the parses between calls, so these re-parse nothing), then of `runs` calls
// that each follow an edit of one file (a comment added at the end of a different SQL or
// client file each time: that file is re-parsed), as in a playground.
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { REPO, loadWasm, readProject } from './tests/project.mjs';

const runs = Number(process.argv[2] ?? 20);
const root = path.resolve(process.argv[3] ?? path.join(REPO, 'examples/studio'));
const t0 = performance.now();
const wasm = loadWasm();
const load = performance.now() - t0;
const files = readProject(root);
const bytes = files.reduce((n, f) => n + Buffer.byteLength(f.text), 0);

const first0 = performance.now();
const n = wasm.analyze(files).diagnostics.length;
const first = performance.now() - first0;
for (let i = 0; i < 2; i++) wasm.analyze(files);
const times = [];
for (let i = 0; i < runs; i++) {
  const s = performance.now();
  wasm.analyze(files);
  times.push(performance.now() - s);
}
const editable = files
  .map((f, i) => [f, i])
  .filter(([f]) => /\.(sql|ts|tsx|js|jsx|mjs|cjs)$/.test(f.path));
const edited = [];
for (let i = 0; i < runs && editable.length; i++) {
  const [f, at] = editable[i % editable.length];
  const comment = f.path.endsWith('.sql') ? '--' : '//';
  const next = files.slice();
  next[at] = { ...f, text: `${f.text}\n${comment} edit ${i}\n` };
  const s = performance.now();
  wasm.analyze(next);
  edited.push(performance.now() - s);
}
const stats = (t) => {
  t.sort((a, b) => a - b);
  const k = t.length;
  const median = k % 2 ? t[(k - 1) / 2] : (t[k / 2 - 1] + t[k / 2]) / 2;
  return `median ${ms(median)}, min ${ms(t[0])}, max ${ms(t[k - 1])}`;
};
const ms = (x) => `${x.toFixed(2)} ms`;
console.log(`project: ${path.relative(process.cwd(), root) || '.'} (${files.length} files, ${bytes} bytes, ${n} findings)`);
console.log(`module load (compile + instantiate): ${ms(load)}; first analyze: ${ms(first)}`);
console.log(`analyze, ${runs} runs: ${stats(times)}`);
if (edited.length) console.log(`analyze after editing one file, ${runs} runs: ${stats(edited)}`);
