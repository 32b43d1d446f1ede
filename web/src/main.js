// The playground page: files on the left, CodeMirror in the middle, findings on the right.
// Every edit re-analyses the whole project in a Web Worker (src/worker.js, the WASM core);
// results for an older version of the files are dropped. The state lives in the URL
// fragment (src/share.js).
import { javascript } from '@codemirror/lang-javascript';
import { PostgreSQL, sql } from '@codemirror/lang-sql';
import { StreamLanguage } from '@codemirror/language';
import { properties } from '@codemirror/legacy-modes/mode/properties';
import { toml } from '@codemirror/legacy-modes/mode/toml';
import { lintGutter, setDiagnostics } from '@codemirror/lint';
import { EditorState } from '@codemirror/state';
import { EditorView } from '@codemirror/view';
import { basicSetup } from 'codemirror';
import example from 'virtual:supaudit-example';
import { decodeState, encodeState, isPristine } from './share.js';

const SEVERITIES = ['error', 'warning', 'info'];
const SEVERITY_TITLE = { error: 'Errors', warning: 'Warnings', info: 'Info' };
const ANALYZE_DELAY_MS = 60;
const SHARE_DELAY_MS = 400;

const $ = (id) => document.getElementById(id);
const el = (tag, attrs = {}, ...children) => {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') node.className = v;
    else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) if (c !== null && c !== undefined) node.append(c);
  return node;
};

// ---------------------------------------------------------------------------------------
// The analyser worker. A stack overflow inside the module leaves its instance unusable,
// so such an error replaces the worker.

let worker;
let nextCall = 0;
const pending = new Map();

function startWorker() {
  worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
  worker.onmessage = ({ data }) => {
    const call = pending.get(data.id);
    if (!call) return;
    pending.delete(data.id);
    if (data.ok) call.resolve({ value: data.value, ms: data.ms });
    else {
      if (data.error.fatal) restartWorker();
      call.reject(Object.assign(new Error(data.error.message), data.error));
    }
  };
  worker.onerror = (event) => {
    event.preventDefault();
    restartWorker(new Error(event.message || 'the analyser stopped'));
  };
}

function restartWorker(error) {
  worker.terminate();
  const calls = [...pending.values()];
  pending.clear();
  startWorker();
  for (const call of calls) call.reject(Object.assign(error ?? new Error('the analyser was restarted'), { fatal: true }));
}

function call(op, args = {}) {
  const id = ++nextCall;
  return new Promise((resolve, reject) => {
    pending.set(id, { resolve, reject });
    worker.postMessage({ id, op, ...args });
  });
}

// ---------------------------------------------------------------------------------------
// Files: one CodeMirror state per file, one view showing the active one.

/** @type {Map<string, EditorState>} */
const states = new Map();
let order = [];
let active = null;
let edits = 0; // bumps on every change of any file
let lastResult = null; // {edits, diagnostics, ms}

function languageFor(path) {
  if (/\.sql$/i.test(path)) return sql({ dialect: PostgreSQL });
  if (/\.(ts|tsx|mts|cts)$/i.test(path)) return javascript({ typescript: true, jsx: /x$/i.test(path) });
  if (/\.(js|jsx|mjs|cjs)$/i.test(path)) return javascript({ jsx: /x$/i.test(path) });
  if (/\.toml$/i.test(path)) return StreamLanguage.define(toml);
  if (/(^|\/)\.env/.test(path)) return StreamLanguage.define(properties);
  return [];
}

const onChange = EditorView.updateListener.of((update) => {
  if (!update.docChanged) return;
  states.set(active, update.state);
  edits++;
  scheduleAnalysis();
  scheduleShare();
});

function newState(path, text) {
  return EditorState.create({
    doc: text,
    extensions: [basicSetup, lintGutter(), languageFor(path), onChange, EditorView.lineWrapping],
  });
}

const view = new EditorView({ parent: $('editor') });

function currentFiles() {
  return order.map((path) => ({ path, text: states.get(path).doc.toString() }));
}

function loadFiles(files, activePath) {
  states.clear();
  for (const f of files) states.set(f.path, newState(f.path, f.text));
  order = files.map((f) => f.path);
  edits++;
  openFile(order.includes(activePath) ? activePath : order[0] ?? null);
  renderFileList();
  analyzeNow();
}

function openFile(path, range) {
  if (path !== active && active && states.has(active)) states.set(active, view.state);
  active = path;
  $('active-path').textContent = path ?? 'No file';
  $('delete-file').hidden = !path;
  if (!path) {
    view.setState(EditorState.create({ doc: '' }));
    return;
  }
  if (view.state !== states.get(path)) view.setState(states.get(path));
  applyDiagnostics(path);
  if (range) {
    const doc = view.state.doc;
    const from = offsetOf(doc, range.start);
    const to = offsetOf(doc, range.end);
    view.dispatch({ selection: { anchor: from, head: Math.max(from, to) }, scrollIntoView: true });
    view.focus();
  }
  for (const li of $('file-list').querySelectorAll('li.file')) li.classList.toggle('active', li.dataset.path === path);
  scheduleShare();
}

function setText(path, text) {
  const state = path === active ? view.state : states.get(path);
  const old = state.doc.toString();
  if (old === text) return;
  // Replace only the changed middle, so the cursor and scroll position survive a fix.
  let start = 0;
  while (start < old.length && start < text.length && old[start] === text[start]) start++;
  let endOld = old.length;
  let endNew = text.length;
  while (endOld > start && endNew > start && old[endOld - 1] === text[endNew - 1]) endOld--, endNew--;
  const spec = { changes: { from: start, to: endOld, insert: text.slice(start, endNew) } };
  if (path === active) view.dispatch(spec);
  else {
    states.set(path, state.update(spec).state);
    edits++;
  }
}

// ---------------------------------------------------------------------------------------
// Analysis.

let analysisTimer = 0;
function scheduleAnalysis() {
  clearTimeout(analysisTimer);
  analysisTimer = setTimeout(analyzeNow, ANALYZE_DELAY_MS);
}

async function analyzeNow() {
  clearTimeout(analysisTimer);
  const version = edits;
  const files = currentFiles();
  try {
    const { value, ms } = await call('analyze', { files });
    if (version !== edits) return; // an edit came in meanwhile; its analysis follows
    lastResult = { edits: version, diagnostics: value.diagnostics, score: value.score, ms, files: files.length };
    hideBanner();
    render();
  } catch (e) {
    if (version !== edits) return;
    if (e.fatal) {
      showBanner(
        `The analyser ran out of stack on this input (${e.message}). ` +
          'Deeply nested code needs more stack than a browser gives; the CLI handles it. Findings are from the last analysis that finished.',
      );
    } else if (e.kind === 'config') {
      showBanner(`supaudit.toml: ${e.message}`);
    } else {
      showBanner(`The analysis failed: ${e.message}`);
    }
    setStatus(`analysis failed: ${e.message}`);
  }
}

function render() {
  for (const path of order) applyDiagnostics(path);
  renderFindings();
  renderSummary();
  renderFileList();
  const { diagnostics, ms, files } = lastResult;
  setStatus(
    `${files} files · ${diagnostics.length} findings · analysed in ${ms.toFixed(1)} ms in the browser · supaudit ${supauditVersion}`,
  );
  const root = document.documentElement;
  root.dataset.analyses = String(Number(root.dataset.analyses ?? 0) + 1);
  if (!root.dataset.readyMs) {
    root.dataset.readyMs = performance.now().toFixed(0);
    root.dataset.state = 'ready';
  }
}

function offsetOf(doc, pos) {
  const line = Math.min(pos.line + 1, doc.lines);
  const info = doc.line(line);
  return Math.min(info.from + pos.character, info.to);
}

function diagnosticsOf(path) {
  return lastResult ? lastResult.diagnostics.filter((d) => d.file === path) : [];
}

function applyDiagnostics(path) {
  const state = path === active ? view.state : states.get(path);
  if (!state || !lastResult) return;
  const doc = state.doc;
  const cm = diagnosticsOf(path).map((d) => {
    const from = offsetOf(doc, d.utf16.start);
    const to = Math.max(from, offsetOf(doc, d.utf16.end));
    return {
      from,
      to,
      severity: d.severity === 'info' ? 'info' : d.severity,
      source: d.rule,
      message: d.message,
      renderMessage: () => tooltip(d),
      actions: d.fixes.map((fix, index) => ({ name: fix.title, apply: () => applyFix(d, index) })),
    };
  });
  const spec = setDiagnostics(state, cm);
  if (path === active) view.dispatch(spec);
  else states.set(path, state.update(spec).state);
}

function docLink(rule) {
  return el('a', { class: 'rule', href: `./rules.html#${rule}`, target: '_blank', rel: 'noopener', title: 'Rule documentation' }, rule);
}

function tooltip(d) {
  return el(
    'div',
    { class: 'tip' },
    el('div', { class: 'tip-message' }, d.message),
    d.help ? el('div', { class: 'tip-help' }, d.help) : null,
    el('div', { class: 'tip-meta' }, docLink(d.rule), ` · ${d.category}`),
  );
}

// ---------------------------------------------------------------------------------------
// Findings panel and summary.

function renderFindings() {
  const box = $('findings');
  box.replaceChildren();
  const diagnostics = lastResult.diagnostics;
  if (!diagnostics.length) {
    box.append(el('p', { class: 'muted clean' }, 'No findings. 🎉'));
    return;
  }
  for (const severity of SEVERITIES) {
    const ofSeverity = diagnostics.filter((d) => d.severity === severity);
    if (!ofSeverity.length) continue;
    const section = el(
      'section',
      { class: `severity severity-${severity}`, 'data-severity': severity },
      el('h2', {}, SEVERITY_TITLE[severity], ' ', el('span', { class: 'count' }, String(ofSeverity.length))),
    );
    const paths = [...new Set(ofSeverity.map((d) => d.file))].sort(
      (a, b) => order.indexOf(a) - order.indexOf(b) || a.localeCompare(b),
    );
    for (const path of paths) {
      const items = ofSeverity
        .filter((d) => d.file === path)
        .sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.column - b.range.start.column);
      section.append(
        el(
          'div',
          { class: 'file-group', 'data-file': path },
          el('h3', {}, path),
          el('ul', {}, items.map(findingItem)),
        ),
      );
    }
    box.append(section);
  }
  applyFilter();
}

function findingItem(d) {
  const line = d.range.start.line;
  return el(
    'li',
    {
      class: `finding severity-${d.severity}`,
      'data-rule': d.rule,
      'data-file': d.file,
      'data-line': line,
      'data-severity': d.severity,
      'data-category': d.category,
    },
    el(
      'button',
      {
        class: 'location',
        type: 'button',
        title: `Open ${d.file} at line ${line}`,
        onclick: () => openFile(d.file, d.utf16),
      },
      `${line}:${d.range.start.column}`,
    ),
    el('div', { class: 'message' }, d.message),
    el('div', { class: 'meta' }, docLink(d.rule), el('span', { class: 'category' }, d.category)),
    d.help ? el('p', { class: 'help' }, d.help) : null,
    d.fixes.length
      ? el(
          'div',
          { class: 'fixes' },
          d.fixes.map((fix, index) =>
            el(
              'button',
              {
                type: 'button',
                class: `fix fix-${fix.applicability}`,
                'data-fix': index,
                'data-applicability': fix.applicability,
                title:
                  fix.applicability === 'safe'
                    ? 'Safe fix: keeps the meaning of the code'
                    : 'Unsafe fix: may change behaviour; review the result',
                onclick: () => applyFix(d, index),
              },
              fix.title,
            ),
          ),
        )
      : null,
  );
}

function applyFilter() {
  const text = $('filter').value.trim().toLowerCase();
  const shown = new Set(
    [...document.querySelectorAll('input[name=severity]')].filter((i) => i.checked).map((i) => i.value),
  );
  for (const li of document.querySelectorAll('#findings .finding')) {
    const hay = `${li.dataset.rule} ${li.dataset.file} ${li.dataset.category} ${li.textContent}`.toLowerCase();
    li.hidden = !shown.has(li.dataset.severity) || (text !== '' && !hay.includes(text));
  }
  for (const group of document.querySelectorAll('#findings .file-group, #findings .severity')) {
    group.hidden = !group.querySelector('.finding:not([hidden])');
  }
}

function renderSummary() {
  const diagnostics = lastResult.diagnostics;
  const box = $('summary');
  box.replaceChildren();
  for (const severity of SEVERITIES) {
    const n = diagnostics.filter((d) => d.severity === severity).length;
    box.append(
      el(
        'span',
        { class: `chip severity-${severity}`, 'data-summary-severity': severity, 'data-count': n },
        el('strong', {}, String(n)),
        ` ${n === 1 ? severity : SEVERITY_TITLE[severity].toLowerCase()}`,
      ),
    );
  }
  // The readiness score of `supaudit report` (docs/report.md), from the same findings.
  const { value, out_of: outOf } = lastResult.score;
  const level = value >= 8 ? 'good' : value >= 5 ? 'fair' : 'poor';
  box.prepend(
    el(
      'span',
      { class: `chip score score-${level}`, 'data-score': String(value), title: 'Production readiness, as the audit report scores it (Report downloads it)' },
      'readiness ',
      el('strong', {}, `${value.toFixed(1)}`),
      ` / ${outOf}`,
    ),
  );
  const categories = new Map();
  for (const d of diagnostics) categories.set(d.category, (categories.get(d.category) ?? 0) + 1);
  const byCategory = el('span', { class: 'categories' });
  for (const [category, n] of [...categories].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))) {
    byCategory.append(el('span', { class: 'chip category', 'data-summary-category': category, 'data-count': n }, `${category} ${n}`));
  }
  box.append(byCategory);
}

function renderFileList() {
  const list = $('file-list');
  list.replaceChildren();
  // A tree one level deep: files grouped under their folder, folders in first-use order.
  const folders = new Map();
  for (const path of order) {
    const slash = path.lastIndexOf('/');
    const dir = slash >= 0 ? path.slice(0, slash + 1) : '';
    if (!folders.has(dir)) folders.set(dir, []);
    folders.get(dir).push(path);
  }
  for (const [dir, paths] of folders) {
    if (dir) list.append(el('li', { class: 'folder', 'data-folder': dir }, dir));
    for (const path of paths) {
      const ds = diagnosticsOf(path);
      const worst = SEVERITIES.find((s) => ds.some((d) => d.severity === s));
      list.append(
        el(
          'li',
          { 'data-path': path, class: `file${path === active ? ' active' : ''}${dir ? ' nested' : ''}` },
          el(
            'button',
            { type: 'button', title: path, onclick: () => openFile(path) },
            el('span', { class: 'name' }, path.slice(dir.length)),
            ds.length
              ? el('span', { class: `badge severity-${worst}`, title: `${ds.length} findings` }, String(ds.length))
              : null,
          ),
        ),
      );
    }
  }
}

// ---------------------------------------------------------------------------------------
// Fixes.

async function applyFix(d, index) {
  await runFix({ rule: d.rule, file: d.file, start: d.bytes.start, index });
}

async function runFix(request) {
  const version = edits;
  try {
    const { value } = await call('applyFixes', { files: currentFiles(), request });
    if (version !== edits) return showBanner('The files changed while the fix was computed; try again.');
    let created = null;
    for (const f of value) {
      if (states.has(f.path)) setText(f.path, f.text);
      else {
        // The fix created a file (a new migration).
        states.set(f.path, newState(f.path, f.text));
        order.push(f.path);
        edits++;
        created ??= f.path;
      }
    }
    if (created) {
      openFile(created);
      renderFileList();
    }
    analyzeNow();
  } catch (e) {
    showBanner(`The fix could not be applied: ${e.message}`);
  }
}

// ---------------------------------------------------------------------------------------
// Sharing: the URL fragment follows the files.

let shareTimer = 0;
function scheduleShare() {
  clearTimeout(shareTimer);
  shareTimer = setTimeout(updateUrl, SHARE_DELAY_MS);
}

async function updateUrl() {
  clearTimeout(shareTimer);
  const files = currentFiles();
  const hash = isPristine(files, example) && active === example[0]?.path ? '' : await encodeState({ files, active }, example);
  const url = `${location.pathname}${location.search}${hash}`;
  if (url !== `${location.pathname}${location.search}${location.hash}`) history.replaceState(null, '', url);
  document.documentElement.dataset.shared = String(edits);
}

// ---------------------------------------------------------------------------------------
// Page chrome.

function showBanner(text) {
  const b = $('banner');
  b.textContent = text;
  b.hidden = false;
}
function hideBanner() {
  $('banner').hidden = true;
}
function setStatus(text) {
  $('status').textContent = text;
}

function suggestPath() {
  const d = new Date();
  const p = (n, w = 2) => String(n).padStart(w, '0');
  const stamp = `${d.getUTCFullYear()}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}`;
  return `supabase/migrations/${stamp}_new_migration.sql`;
}

function pathError(path) {
  if (!path) return 'Give the file a path, e.g. supabase/migrations/20260101000000_init.sql.';
  if (path.startsWith('/') || path.split('/').some((s) => s === '' || s === '.' || s === '..'))
    return 'Use a relative path without empty, "." or ".." parts.';
  if (states.has(path)) return `${path} already exists.`;
  return null;
}

function wireChrome() {
  const form = $('new-file-form');
  const input = $('new-file-path');
  $('new-file').addEventListener('click', () => {
    form.hidden = false;
    input.value = suggestPath();
    $('new-file-error').hidden = true;
    input.focus();
    input.select();
  });
  $('new-file-cancel').addEventListener('click', () => (form.hidden = true));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const path = input.value.trim();
    const error = pathError(path);
    if (error) {
      $('new-file-error').textContent = error;
      $('new-file-error').hidden = false;
      return;
    }
    form.hidden = true;
    states.set(path, newState(path, ''));
    order.push(path);
    edits++;
    openFile(path);
    renderFileList();
    view.focus();
    analyzeNow();
  });
  $('delete-file').addEventListener('click', () => {
    if (!active || !confirm(`Delete ${active}?`)) return;
    const i = order.indexOf(active);
    states.delete(active);
    order.splice(i, 1);
    active = null;
    edits++;
    openFile(order[Math.min(i, order.length - 1)] ?? null);
    renderFileList();
    analyzeNow();
  });
  $('reset').addEventListener('click', () => {
    if (!isPristine(currentFiles(), example) && !confirm('Discard your changes and load the example again?')) return;
    loadFiles(example, example[0]?.path);
    updateUrl();
  });
  $('fix-all').addEventListener('click', () => runFix('safe'));
  $('report').addEventListener('click', downloadReport);
  $('share').addEventListener('click', async () => {
    await updateUrl();
    const button = $('share');
    try {
      await navigator.clipboard.writeText(location.href);
      button.textContent = 'Link copied';
    } catch {
      button.textContent = 'Link is in the address bar';
    }
    setTimeout(() => (button.textContent = 'Copy link'), 2000);
  });
  $('filter').addEventListener('input', applyFilter);
  for (const box of document.querySelectorAll('input[name=severity]')) box.addEventListener('change', applyFilter);
  window.addEventListener('hashchange', async () => {
    const state = await decodeState(location.hash, example).catch(() => null);
    if (state) loadFiles(state.files, state.active);
  });
}

// The audit report as one self-contained HTML file, rule links to this site's rules page.
async function downloadReport() {
  const docsUrl = new URL('./rules.html#{rule}', location.href).href.replace('%7Brule%7D', '{rule}');
  try {
    const { value } = await call('report', { files: currentFiles(), format: 'html', docsUrl });
    const url = URL.createObjectURL(new Blob([value], { type: 'text/html' }));
    const a = el('a', { href: url, download: 'supaudit-report.html' });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  } catch (e) {
    showBanner(`The report failed: ${e.message}`);
  }
}

// Hooks for tests and the curious: `supauditPlayground.bench(30)` times `analyze` of the
// current files inside the worker.
window.supauditPlayground = {
  // Resolves once the current files are analysed and the URL holds them.
  settle: async () => {
    await analyzeNow();
    await updateUrl();
  },
  bench: async (runs = 30, warmup = 5, edit = 0) =>
    (await call('bench', { files: currentFiles(), runs, warmup, edit })).value,
  files: currentFiles,
  diagnostics: () => lastResult?.diagnostics ?? [],
};

let supauditVersion = '';

async function main() {
  startWorker();
  wireChrome();
  let initial = { files: example, active: example[0]?.path };
  try {
    initial = (await decodeState(location.hash, example)) ?? initial;
  } catch (e) {
    showBanner(`This link's files could not be read (${e.message}); showing the example project.`);
  }
  // Sent before the first analysis, so the worker answers it first.
  const rulesCall = call('rules').then(({ value }) => {
    supauditVersion = value.version;
  });
  loadFiles(initial.files, initial.active);
  // The editor and the file list are usable from here; findings follow from the worker.
  document.documentElement.dataset.interactiveMs = performance.now().toFixed(0);
  await rulesCall;
  if ('serviceWorker' in navigator && import.meta.env.PROD) {
    navigator.serviceWorker.register('./sw.js').catch(() => {});
  }
}

main();
