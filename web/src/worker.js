// The analysis runs here, off the main thread, with the WASM build of the core.
// Messages in:  {id, op: 'analyze' | 'applyFixes' | 'report' | 'rules' | 'bench', ...args}
// Messages out: {id, ok: true, value, ms} | {id, ok: false, error: {message, kind, fatal}}
// `ms` is the time of the core call alone. An error with `fatal: true` (the JS stack ran
// out inside the module, which leaves the instance unusable) tells the page to replace
// this worker.
import init, { analyze, applyFixes, report, rules, version } from '../pkg/supaudit_wasm.js';

const ready = init();

const ops = {
  analyze: ({ files }) => analyze(files),
  applyFixes: ({ files, request }) => applyFixes(files, request),
  // The audit report of `supaudit report` ('md' | 'html' | 'json'), rule links per `docsUrl`.
  report: ({ files, format, docsUrl }) => report(files, format, null, docsUrl),
  rules: () => ({ version: version(), rules: rules() }),
  // Timing of `analyze` on these files, `runs` times after `warmup` calls, in this worker.
  // With `edit`, each call first changes file number `edit - 1` (one more space at its
  // end), as typing does: that file is parsed again, the others come from the cache.
  bench: ({ files, runs = 30, warmup = 5, edit = 0 }) => {
    const current = files.map((f) => ({ ...f }));
    const step = () => {
      if (edit) current[edit - 1].text += ' ';
      analyze(current);
    };
    for (let i = 0; i < warmup; i++) step();
    const times = [];
    for (let i = 0; i < runs; i++) {
      const t = performance.now();
      step();
      times.push(performance.now() - t);
    }
    return times;
  },
};

self.onmessage = async (event) => {
  const { id, op, ...args } = event.data;
  try {
    await ready;
    const t = performance.now();
    const value = ops[op](args);
    self.postMessage({ id, ok: true, value, ms: performance.now() - t });
  } catch (e) {
    const fatal = e instanceof RangeError || e instanceof WebAssembly.RuntimeError;
    self.postMessage({
      id,
      ok: false,
      error: { message: String(e?.message ?? e), kind: e?.kind ?? (fatal ? 'stack' : 'internal'), fatal },
    });
  }
};
