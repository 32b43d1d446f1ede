// The wasm package (crates/supaudit_wasm) in node, against the `--target nodejs` build of
// scripts/build-wasm.sh: node --test crates/supaudit_wasm/tests/node.test.mjs
// The CLI comparison runs target/debug/supaudit (or $SUPAUDIT_BIN).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { REPO, loadWasm, readProject, withoutEditorFields } from './project.mjs';

const wasm = loadWasm();
const STUDIO = path.join(REPO, 'examples/studio');
const files = readProject(STUDIO);
const INIT = 'supabase/migrations/20260117054631_init_schema.sql';
const CORE = 'supabase/migrations/20260126000000_core_infrastructure.sql';

const find = (diags, rule, file, line) =>
  diags.find((d) => d.rule === rule && d.file === file && d.range.start.line === line);

test('reads the example project', () => {
  const paths = files.map((f) => f.path);
  for (const p of ['.env.example', 'supabase/config.toml', INIT, 'src/app/dashboard/page.tsx']) {
    assert.ok(paths.includes(p), `${p} in ${paths}`);
  }
  assert.ok(!paths.includes('README.md'));
});

test('version() and the result version', () => {
  assert.match(wasm.version(), /^\d+\.\d+\.\d+/);
  const r = wasm.analyze([]);
  assert.equal(r.version, 1);
  assert.equal(r.supaudit, wasm.version());
  assert.deepEqual(r.diagnostics, []);
});

test('report() is `supaudit report` in each format; analyze() carries its score', () => {
  const bin = process.env.SUPAUDIT_BIN ?? path.join(REPO, 'target/debug/supaudit');
  for (const format of ['md', 'html', 'json']) {
    const cli = execFileSync(bin, ['report', STUDIO, '--format', format], { encoding: 'utf8' });
    assert.equal(wasm.report(files, format), cli, format);
  }
  const json = JSON.parse(wasm.report(files, 'json'));
  const { score } = wasm.analyze(files);
  assert.equal(score.value, json.score.value);
  assert.ok(score.value > 0 && score.value < 5, `studio scores ${score.value}`);
  assert.equal(wasm.analyze([]).score.value, 10);
  // A doc-link template.
  const html = wasm.report(files, 'html', null, 'https://example.test/rules#{rule}');
  assert.ok(html.includes('https://example.test/rules#rls-disabled'));
  assert.throws(() => wasm.report(files, 'pdf'), /unknown report format `pdf`/);
});

test('analyze examples/studio: findings at the right lines, with editor positions', () => {
  const { diagnostics } = wasm.analyze(files);
  for (const [rule, file, line] of [
    ['rls-disabled', CORE, 13],
    ['auth-rls-initplan', INIT, 29],
    ['security-definer-exposed', CORE, 51],
    ['service-role-in-client', 'src/lib/supabase/client.ts', 39],
    ['query-in-loop', 'src/app/dashboard/page.tsx', 22],
    ['pooler-disabled', 'supabase/config.toml', 33],
    ['secret-in-env-example', '.env.example', 7],
    ['unindexed-foreign-key', 'supabase/migrations/20260118000000_training_schema.sql', 57],
  ]) {
    const d = find(diagnostics, rule, file, line);
    assert.ok(d, `${rule} at ${file}:${line}`);
    // utf16 positions are 0-based; bytes point into the text.
    assert.equal(d.utf16.start.line, line - 1);
    const text = files.find((f) => f.path === file).text;
    const lines = text.split('\n');
    const lineStart = lines.slice(0, line - 1).reduce((n, l) => n + Buffer.byteLength(l) + 1, 0);
    assert.equal(
      d.bytes.start,
      lineStart + Buffer.byteLength(lines[line - 1].slice(0, d.utf16.start.character)),
      `${rule}: bytes.start agrees with utf16.start`,
    );
    assert.ok(d.bytes.end >= d.bytes.start);
    for (const f of d.fixes) for (const e of f.edits) assert.ok(e.utf16 && e.bytes, 'edit positions');
  }
});

test('analyze equals `supaudit check --format json`, minus the added fields', () => {
  const bin = process.env.SUPAUDIT_BIN ?? path.join(REPO, 'target/debug/supaudit');
  assert.ok(fs.existsSync(bin), `${bin} is missing: cargo build -p supaudit`);
  let out;
  try {
    out = execFileSync(bin, ['check', STUDIO, '--format', 'json'], { encoding: 'utf8' });
  } catch (e) {
    out = e.stdout; // exit code 1: findings
  }
  const cli = JSON.parse(out);
  const mine = wasm.analyze(files);
  assert.equal(mine.version, cli.version);
  assert.ok(cli.diagnostics.length > 40);
  assert.deepEqual(mine.diagnostics.map(withoutEditorFields), cli.diagnostics);
});

test('the parses kept between calls: edits give what a fresh instance gives', () => {
  const kept = wasm; // already used by the tests above
  const fresh = () => loadWasm({ fresh: true });
  assert.notEqual(fresh(), kept);
  const before = kept.analyze(files);
  assert.deepEqual(before, fresh().analyze(files));
  const edit = (fs_, p, f) => fs_.map((x) => (x.path === p ? { ...x, text: f(x.text) } : x));
  // A statement added, a policy's line changed, a client file edited, a file removed.
  const steps = [
    edit(files, INIT, (t) => `${t}\ncreate table public.added (id bigint primary key);\n`),
    edit(files, INIT, (t) => t.replace('auth.uid()', 'auth.jwt()')),
    edit(files, 'src/app/dashboard/page.tsx', (t) => t.replace(/\n/, "\nconst x = supabase.from('nope').select('*');\n")),
    files.filter((f) => f.path !== CORE),
    [files.find((f) => f.path === INIT)],
    files,
  ];
  for (const step of steps) {
    const mine = kept.analyze(step);
    assert.deepEqual(mine, fresh().analyze(step));
    assert.equal(JSON.stringify(mine), JSON.stringify(fresh().analyze(step)), 'same key order');
  }
  assert.notDeepEqual(kept.analyze(steps[0]).diagnostics, before.diagnostics);
  assert.deepEqual(kept.analyze(files), before);
});

test('a config (argument or supaudit.toml file) is applied; config errors throw', () => {
  const all = wasm.analyze(files).diagnostics;
  assert.ok(all.some((d) => d.rule === 'graphql-table-exposed'));
  const cfg = '[rules]\ngraphql-table-exposed = "off"\nrls-disabled = "warning"\n';
  for (const r of [wasm.analyze(files, cfg), wasm.analyze([...files, { path: 'supaudit.toml', text: cfg }])]) {
    assert.ok(!r.diagnostics.some((d) => d.rule === 'graphql-table-exposed'));
    assert.equal(find(r.diagnostics, 'rls-disabled', CORE, 13).severity, 'warning');
  }
  assert.throws(
    () => wasm.analyze(files, '[rules]\nrls-disabld = "off"\n'),
    (e) =>
      e instanceof Error &&
      e.kind === 'config' &&
      /invalid config supaudit\.toml:2:1: unknown rule `rls-disabld`.*did you mean `rls-disabled`/.test(e.message) &&
      e.line === 2 &&
      e.column === 1,
  );
  assert.throws(() => wasm.analyze(files, 'exposed-schemas = 3'), (e) => e.kind === 'config');
  assert.throws(() => wasm.analyze(files, 'not toml ['), /invalid config/);
});

test('bad arguments throw Errors', () => {
  assert.throws(() => wasm.analyze('nope'), (e) => e instanceof Error && e.kind === 'input');
  assert.throws(() => wasm.analyze([{ path: 'a.sql' }]), /files must be an array/);
  assert.throws(() => wasm.analyze(files, 42), /config must be/);
  assert.throws(() => wasm.applyFixes(files, 'safe', {}), /config must be/);
  assert.throws(() => wasm.applyFixes(files, 'sometimes'), /unknown mode/);
  assert.throws(() => wasm.applyFixes(files, { rule: 'nope' }), /unknown rule/);
  assert.throws(
    () => wasm.applyFixes(files, { rule: 'rls-disabled', file: CORE, start: 1 }),
    (e) => e.kind === 'fix' && /no `rls-disabled` finding/.test(e.message),
  );
  // Still usable after errors.
  assert.ok(wasm.analyze(files).diagnostics.length > 0);
});

test('applyFixes: one safe fix of one finding makes it disappear', () => {
  const before = wasm.analyze(files).diagnostics;
  const d = find(before, 'auth-rls-initplan', INIT, 29);
  assert.equal(d.fixes[0].applicability, 'safe');
  const fixed = wasm.applyFixes(files, { ...d, index: 0 });
  assert.equal(fixed.length, files.length);
  const changed = fixed.filter((f, i) => f.text !== files[i].text).map((f) => f.path);
  assert.deepEqual(changed, [INIT]);
  assert.match(fixed.find((f) => f.path === INIT).text, /\(select auth\.uid\(\)\)/);
  const after = wasm.analyze(fixed).diagnostics;
  assert.ok(!find(after, 'auth-rls-initplan', INIT, 29), 'the finding is gone');
  assert.equal(after.length, before.length - 1);
  // Same with the short form, and an index that does not exist.
  assert.deepEqual(wasm.applyFixes(files, { rule: d.rule, file: d.file, start: d.bytes.start }), fixed);
  assert.throws(() => wasm.applyFixes(files, { ...d, index: 3 }), /not one at index 3/);
});

test('applyFixes: all safe fixes, one rule, one file, unsafe', () => {
  const count = (fs_, rule) => wasm.analyze(fs_).diagnostics.filter((d) => !rule || d.rule === rule).length;
  const safeFixable = (fs_) =>
    wasm.analyze(fs_).diagnostics.filter((d) => d.fixes.some((f) => f.applicability === 'safe'));
  assert.ok(safeFixable(files).length > 0);
  const safe = wasm.applyFixes(files, 'safe');
  assert.deepEqual(safeFixable(safe), []);
  // Unsafe-only fixes are still there.
  assert.ok(wasm.analyze(safe).diagnostics.some((d) => d.rule === 'rls-disabled' && d.file === CORE));

  const oneRule = wasm.applyFixes(files, { rule: 'auth-rls-initplan' });
  assert.equal(count(oneRule, 'auth-rls-initplan'), 0);
  assert.equal(count(oneRule, 'duplicate-index'), count(files, 'duplicate-index'));

  const oneFile = wasm.applyFixes(files, { file: INIT });
  assert.deepEqual(
    oneFile.filter((f, i) => f.text !== files[i].text).map((f) => f.path),
    [INIT],
  );

  const all = wasm.applyFixes(files, 'unsafe');
  assert.ok(!wasm.analyze(all).diagnostics.some((d) => d.rule === 'rls-disabled'));
  assert.ok(count(all) < count(safe));
});

test('rules() lists every rule with docs', () => {
  const rules = wasm.rules();
  const cli = execFileSync(process.env.SUPAUDIT_BIN ?? path.join(REPO, 'target/debug/supaudit'), ['rules'], {
    encoding: 'utf8',
  });
  assert.ok(rules.length >= 30, `${rules.length} rules`);
  const names = new Set(rules.map((r) => r.name));
  assert.equal(names.size, rules.length);
  for (const r of rules) {
    assert.ok(cli.includes(r.name), `${r.name} in supaudit rules`);
    assert.match(r.category, /^(security|performance|integrity|migration|client|config|syntax)$/);
    assert.match(r.severity, /^(error|warning|info)$/);
    assert.equal(typeof r.fix, 'boolean');
    assert.equal(typeof r.defaultEnabled, 'boolean');
    assert.ok(r.summary.length > 10, r.name);
    assert.match(r.docs, /## What it does/, r.name);
    assert.ok(fs.existsSync(path.join(REPO, 'docs/rules', `${r.name}.md`)), `docs/rules/${r.name}.md`);
  }
  // Every rule the example triggers is listed.
  for (const d of wasm.analyze(files).diagnostics) assert.ok(names.has(d.rule), d.rule);
});

test('no secret value of .env.example appears whole in the output', () => {
  const env = files.find((f) => f.path === '.env.example').text;
  const secrets = [...env.matchAll(/^\s*[A-Z_]*(?:SERVICE_ROLE_KEY|SECRET|PUBLISHABLE|ANON_KEY)[A-Z_]*=(\S{20,})/gm)].map(
    (m) => m[1],
  );
  assert.ok(secrets.some((s) => s.startsWith('sb_secret_')));
  assert.ok(secrets.some((s) => s.startsWith('eyJ')));
  const out = JSON.stringify(wasm.analyze(files));
  for (const s of secrets.filter((s) => s.startsWith('sb_secret_') || s.startsWith('eyJ'))) {
    assert.ok(!out.includes(s), `secret ${s.slice(0, 12)}… printed whole`);
  }
  const fixed = JSON.stringify(wasm.analyze(wasm.applyFixes(files, 'unsafe')));
  for (const s of secrets.filter((s) => s.startsWith('sb_secret_'))) assert.ok(!fixed.includes(s));
});

// Wasm call frames live on the JS engine's native stack, not in the 8 MiB wasm stack: with
// node's default (~1 MB; `node --stack-size` or a Worker's `stackSizeMb` raise it) 5000
// nested parentheses in SQL or 900 in TypeScript throw `RangeError: Maximum call stack size
// exceeded`, and a trap leaves the instance unusable (its stack pointer is not restored).
// So these run in a Worker with a 16 MiB stack, as the playground should (a fresh one after
// a trap). The main-thread instance is checked to still work afterwards.
const GARBAGE = String.raw`
const { parentPort, workerData } = require('node:worker_threads');
const wasm = require(workerData.entry);
const mig = (name, text) => ({ path: 'supabase/migrations/20990101000000_' + name + '.sql', text });
let bin = '';
let x = 12345;
for (let i = 0; i < 20000; i++) {
  x = (x * 1103515245 + 12345) & 0x7fffffff;
  bin += String.fromCharCode(1 + (x % 0x2ff)); // control characters, Latin-1, no NUL
}
const deepSql = '('.repeat(5000) + '1' + ')'.repeat(5000);
const deepTs = '('.repeat(900) + '1' + ')'.repeat(900);
const deepArr = '['.repeat(900) + ']'.repeat(900);
const inputs = [
  [mig('bin', bin)],
  [mig('nul', 'select 1;\0\x01\x02')],
  [{ path: 'src/bin.ts', text: bin }],
  [{ path: 'supabase/config.toml', text: bin }],
  [{ path: '.env.example', text: bin }],
  [mig('deep', 'select ' + deepSql + ';')],
  [mig('deep_policy', 'create table public.t (id int primary key, o uuid);\n' +
    'alter table public.t enable row level security;\n' +
    'create policy p on public.t using (' + deepSql + ' = 1 and o = auth.uid());')],
  [mig('deep_do', 'do $$ begin perform ' + deepSql + '; end $$;')],
  [mig('unclosed', 'select ' + '('.repeat(5000))],
  [{ path: 'src/deep.ts', text: 'const x = ' + deepTs + ';\nconst y = ' + deepArr + ';\n' }],
  [{ path: 'src/deep_chain.ts', text: "supabase.from('t').select(" + deepTs + ');\n' }],
  [{ path: 'src/deeper.ts', text: 'const x = ' + '('.repeat(1100) + '1' + ')'.repeat(1100) + ';\n' }],
  [{ path: 'src/unclosed.tsx', text: 'export const A = () => <div>' + '{('.repeat(900) }],
];
const results = [];
try {
  for (const files of inputs) {
    const r = wasm.analyze(files);
    wasm.applyFixes(files, 'unsafe');
    results.push({ path: files[0].path, rules: r.diagnostics.map((d) => d.rule), messages: r.diagnostics.map((d) => d.message) });
  }
  const extra = inputs.flat().filter((f) => !workerData.files.some((g) => g.path === f.path));
  const all = wasm.analyze([...workerData.files, ...extra]);
  parentPort.postMessage({ results, all: all.diagnostics.length });
} catch (e) {
  parentPort.postMessage({ error: String(e && e.stack || e) });
}
`;

test('garbage and deep nesting do not crash (in a Worker with a 16 MiB stack)', async () => {
  const { Worker } = await import('node:worker_threads');
  const entry = process.env.SUPAUDIT_WASM_NODE ?? path.join(REPO, 'target/wasm-node/supaudit_wasm.js');
  const worker = new Worker(GARBAGE, {
    eval: true,
    workerData: { entry, files },
    resourceLimits: { stackSizeMb: 16 },
  });
  const msg = await new Promise((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`worker exited with ${code}`)));
  });
  await worker.terminate();
  assert.equal(msg.error, undefined, msg.error);
  assert.equal(msg.results.length, 13);
  const nul = msg.results.find((r) => r.path.endsWith('_nul.sql'));
  assert.match(nul.messages[0], /binary/);
  assert.ok(msg.all > 40);
  // The main-thread instance still works.
  assert.ok(wasm.analyze(files).diagnostics.length > 40);
});
