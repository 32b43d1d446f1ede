// Time of `analyze(examples/studio)` in node with the wasm package (the `--target nodejs`
// build of scripts/build-wasm.sh): node crates/supaudit_wasm/bench-node.mjs [runs] [project]
// Prints the median, min and max of `runs` (default 20) calls after 3 warm-up calls.
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
times.sort((a, b) => a - b);
const median = runs % 2 ? times[(runs - 1) / 2] : (times[runs / 2 - 1] + times[runs / 2]) / 2;
const ms = (x) => `${x.toFixed(2)} ms`;
console.log(`project: ${path.relative(process.cwd(), root) || '.'} (${files.length} files, ${bytes} bytes, ${n} findings)`);
console.log(`module load (compile + instantiate): ${ms(load)}; first analyze: ${ms(first)}`);
console.log(`analyze, ${runs} runs: median ${ms(median)}, min ${ms(times[0])}, max ${ms(times[runs - 1])}`);
