// ≥ 10,000 random incremental edits (UTF-16 ranges, half-typed SQL, quotes, $$, comments,
// non-ASCII, surrogate pairs) to one migration and one .tsx file of a copy of examples/studio.
// Checks: hover answers within 5 s every 500 edits; every published range (and every fix
// edit range in `data`) lies inside the text of the version it was published for; after the
// edits settle, each open file's last publish is for its final text; no panic is logged; the
// server is alive and exits with 0 after shutdown + exit.
//
// Reproduce a failure: SEED=<seed printed below> node --test random-edits.test.mjs
// Env: SEED (default 1; `random` for a new one), EDITS (default 10000), HOVER_TIMEOUT (ms, default
// 5000), VERBOSE=1 (print each hover time).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  Server,
  HoverRequest,
  copyExample,
  removeTemp,
  uriOf,
  pathOf,
  lineStarts,
  positionAt,
  prng,
  sleep,
  within,
  codeOf,
} from './lsp.mjs';

// A fixed seed by default (the suite is deterministic); SEED=random for a new one each run.
const SEED = process.env.SEED === 'random' ? (Math.random() * 2 ** 32) >>> 0 : Number(process.env.SEED ?? 1) >>> 0;
const EDITS = Number(process.env.EDITS ?? 10000);
const HOVER_EVERY = 500;
const HOVER_TIMEOUT = Number(process.env.HOVER_TIMEOUT ?? 5000);

const MIGRATION = 'supabase/migrations/20260126000000_core_infrastructure.sql';
const TSX = 'src/app/dashboard/page.tsx';

const SQL_SNIPPETS = [
  'create table x (', 'alter table ', 'select', 'select * from ', "'", '"', "''", '$$', '$body$', '--', '-- ',
  '/*', '*/', ';', ';\n', '\n', '\n\n', ' ', '  ', '\t', '(', ')', ',', '.', 'public.', 'é', '日本', '🎉', '😀é日本',
  '👩‍👩‍👧', 'e\u0301', '\ufeff', '\u2028', 'ß', 'Ω', '"café"', 'create table public."日本" (id int primary key);',
  'create table public.t (id uuid primary key, owner uuid references auth.users(id));\n',
  'alter table public.audit_logs enable row level security;\n',
  'alter table public.t enable row level security',
  'create policy p on public.audit_logs for select using (auth.uid() = actor_id);\n',
  'create policy "🎉" on public.t for all to anon using (true)',
  'create index on public.generations (user_id);\n',
  'drop table public.audit_logs;\n', 'drop table if exists ',
  'create or replace function public.f() returns void language sql security definer as $$ select 1 $$;\n',
  'create view public.v as select * from auth.users;\n', 'with (security_invoker = true)',
  'grant all on ', 'revoke execute on function ', 'to anon, authenticated', 'security definer', 'set search_path = ',
  "E'\\", "U&'\\0041", 'do $$ begin ', ' end $$;', 'begin;', 'commit;', 'create extension ', 'returns trigger',
  '-- supaudit-ignore rls-disabled: x\n', '-- supaudit-ignore-file no-primary-key\n', 'auth.uid()', '(select auth.uid())',
  'references ', 'not null', 'default now()', 'primary key', 'create materialized view ', 'as $$\nbegin\n',
];
const TSX_SNIPPETS = [
  "supabase.from('", ".from('conversations')", ".select('id, ", ".select('*')", "'", '"', '`', '`${', '}', '{', '(',
  ')', ';', '\n', ' ', '//', '/*', '*/', '<div>', '</div>', "'use client';\n", 'process.env.SUPABASE_SERVICE_ROLE_KEY',
  ".eq('user_id', ", 'await ', 'const x = ', 'é', '日本', '🎉', '😀', '👍🏽', '\u0301', 'createClient(url, key)',
];

const isHigh = (c) => c >= 0xd800 && c <= 0xdbff;
const isLow = (c) => c >= 0xdc00 && c <= 0xdfff;
/** Moves an offset off the middle of a surrogate pair. */
function boundary(text, off) {
  if (off > 0 && off < text.length && isHigh(text.charCodeAt(off - 1)) && isLow(text.charCodeAt(off))) return off - 1;
  return off;
}
function hasLoneSurrogate(s) {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (isHigh(c)) {
      if (!isLow(s.charCodeAt(i + 1))) return true;
      i++;
    } else if (isLow(c)) return true;
  }
  return false;
}

/** Why `pos` is not a valid position in `text` (line < lines, character <= line length in
 * UTF-16, not inside a surrogate pair), or null. */
function badPosition(text, starts, pos) {
  if (!Number.isInteger(pos?.line) || !Number.isInteger(pos?.character)) return `not a position: ${JSON.stringify(pos)}`;
  if (pos.line < 0 || pos.line >= starts.length) return `line ${pos.line} >= ${starts.length} lines`;
  const lineEnd = pos.line + 1 < starts.length ? starts[pos.line + 1] - 1 : text.length;
  const len = lineEnd - starts[pos.line];
  if (pos.character < 0 || pos.character > len) return `character ${pos.character} > line ${pos.line} length ${len}`;
  const off = starts[pos.line] + pos.character;
  if (boundary(text, off) !== off) return `position ${JSON.stringify(pos)} splits a surrogate pair`;
  return null;
}
function badRange(text, starts, r) {
  const why = badPosition(text, starts, r?.start) ?? badPosition(text, starts, r?.end);
  if (why) return why;
  if (r.start.line > r.end.line || (r.start.line === r.end.line && r.start.character > r.end.character)) {
    return `start after end: ${JSON.stringify(r)}`;
  }
  return null;
}

/** Saves the current texts (to check them with `supaudit check`); returns a message. */
function dump(docs, edits) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `supaudit-random-edits-seed${SEED}-`));
  fs.cpSync(root, dir, { recursive: true });
  for (const d of docs) fs.writeFileSync(path.join(dir, d.rel), d.text);
  return `the project with the open buffers after ${edits} edits is saved in ${dir} ` +
    `(try: supaudit check ${dir}; the server may have hung on an earlier version)`;
}

let root;
let server;
after(() => {
  server?.kill();
  if (root) removeTemp(root);
});

test(`supaudit lsp: ${EDITS} random edits (seed ${SEED})`, { timeout: 180000 }, async (t) => {
  console.log(`# random-edits: SEED=${SEED} EDITS=${EDITS} (reproduce: SEED=${SEED} node --test random-edits.test.mjs)`);
  t.diagnostic(`seed ${SEED}`);
  const rng = prng(SEED);
  root = copyExample('studio');
  server = await Server.start(root);

  const docs = [MIGRATION, TSX].map((rel) => {
    const file = path.join(root, rel);
    const text = fs.readFileSync(file, 'utf8');
    return { rel, file, uri: uriOf(file), text, version: 1, texts: new Map([[1, text]]), sql: rel.endsWith('.sql') };
  });
  const byUri = new Map(docs.map((d) => [d.uri, d]));
  const disk = new Map();
  const textOf = (rel) => {
    if (!disk.has(rel)) disk.set(rel, fs.readFileSync(path.join(root, rel), 'utf8'));
    return disk.get(rel);
  };

  // Check every publish as it arrives, against the text of the version it names.
  const problems = [];
  let checkedPublishes = 0;
  let checkedRanges = 0;
  const report = (what) => {
    if (problems.length < 20) problems.push(what);
  };
  const check = (p) => {
    const doc = byUri.get(p.uri);
    let text;
    if (doc) {
      if (p.version === undefined || p.version === null) {
        report(`publish for open ${doc.rel} without a version`);
        return;
      }
      text = doc.texts.get(p.version);
      if (text === undefined) {
        report(`publish for ${doc.rel} names version ${p.version}, not sent or older than an earlier publish`);
        return;
      }
      // Publishes arrive in order: older versions are not needed any more.
      for (const v of doc.texts.keys()) if (v < p.version) doc.texts.delete(v);
    } else {
      text = textOf(path.relative(root, pathOf(p.uri)).split(path.sep).join('/'));
    }
    const starts = lineStarts(text);
    checkedPublishes++;
    for (const d of p.diagnostics) {
      checkedRanges++;
      const why = badRange(text, starts, d.range);
      if (why) report(`${p.uri} v${p.version} ${codeOf(d)}: ${why}; range ${JSON.stringify(d.range)}`);
      for (const f of d.data?.fixes ?? []) {
        for (const e of f.edits) {
          // Edits in this file are checked against this version's text, edits in files
          // that are not open against the disk; other open buffers' versions are unknown here.
          const other = docs.find((x) => x.rel === e.file);
          if (other && other !== doc) continue;
          const etext = other ? text : textOf(e.file);
          const ewhy = badRange(etext, lineStarts(etext), e.range);
          if (ewhy) report(`${p.uri} v${p.version} ${codeOf(d)} fix "${f.title}" edit in ${e.file}: ${ewhy}`);
        }
      }
    }
  };
  server.onPublish(check);

  for (const d of docs) await server.open(d.file, d.sql ? 'sql' : 'typescriptreact', d.text, 1);
  await server.waitForPublish(docs[0].uri, (p) => p.version === 1);

  // One random edit of `doc`: returns the content change (sequentially applicable).
  const randomChange = (doc) => {
    const text = doc.text;
    const snippets = doc.sql ? SQL_SNIPPETS : TSX_SNIPPETS;
    const n = text.length;
    // Keep the size near the original: more deletions when it grows, insertions when it shrinks.
    const base = doc.initialLength;
    const grow = n < base * 0.5 ? 0.8 : n > base * 1.5 ? 0.2 : 0.5;
    const r = rng.next();
    let start = boundary(text, rng.int(n + 1));
    let end = start;
    let insert = '';
    if (r < grow) {
      // insertion: a snippet, or a piece of the document itself (copy-paste)
      insert = rng.next() < 0.85 ? rng.pick(snippets) : text.slice(...(() => {
        const a = boundary(text, rng.int(n + 1));
        return [a, boundary(text, Math.min(n, a + rng.int(80)))];
      })());
    } else {
      end = boundary(text, Math.min(n, start + 1 + rng.int(rng.next() < 0.9 ? 12 : 200)));
      if (rng.next() < 0.5) insert = rng.pick(snippets); // replacement
    }
    const starts = lineStarts(text);
    const range = { start: positionAt(text, start, starts), end: positionAt(text, end, starts) };
    doc.text = text.slice(0, start) + insert + text.slice(end);
    return { range, text: insert };
  };
  for (const d of docs) d.initialLength = d.text.length;

  const hoverTimes = [];
  let edits = 0;
  let messages = 0;
  const t0 = performance.now();
  while (edits < EDITS) {
    const doc = rng.next() < 0.7 ? docs[0] : docs[1];
    // Mostly one change per didChange; sometimes several, applied in order.
    const count = rng.next() < 0.9 ? 1 : 2 + rng.int(3);
    const changes = [];
    let hover = false;
    for (let k = 0; k < count && edits < EDITS; k++, edits++) {
      changes.push(randomChange(doc));
      if (edits % HOVER_EVERY === HOVER_EVERY - 1) hover = true;
    }
    doc.version += 1;
    doc.texts.set(doc.version, doc.text);
    await server.change(doc.uri, doc.version, changes);
    messages++;
    if (!server.alive()) {
      assert.fail(`server exited ${JSON.stringify(server.exited)} after edit ${edits} (seed ${SEED})\n${server.stderr}`);
    }
    if (hover) {
      const h = docs[0];
      const pos = positionAt(h.text, boundary(h.text, rng.int(h.text.length + 1)));
      const s = performance.now();
      try {
        await within(
          HOVER_TIMEOUT,
          server.conn.sendRequest(HoverRequest.type, { textDocument: { uri: h.uri }, position: pos }),
          `hover after ${edits} edits (seed ${SEED})`,
        );
      } catch (e) {
        e.message += `\n${dump(docs, edits)}`;
        throw e;
      }
      hoverTimes.push(performance.now() - s);
      if (process.env.VERBOSE) console.log(`# hover after ${edits} edits: ${Math.round(performance.now() - s)} ms, ${server.publishes.length} publishes so far`);
    }
    // Pause now and then so that the debounce (50 ms) lets an analysis of this state run.
    if (rng.next() < 0.02) await sleep(40 + rng.int(80));
  }
  const elapsed = (performance.now() - t0) / 1000;
  const rate = Math.round(edits / elapsed);

  await server.settle(500, 60000);
  const settled = (performance.now() - t0) / 1000;

  for (const d of docs) {
    assert.ok(!hasLoneSurrogate(d.text), `the client's own model of ${d.rel} has a lone surrogate`);
  }
  const summary = `${edits} edits in ${messages} didChange in ${elapsed.toFixed(1)} s (${rate} edits/s), ` +
    `settled at ${settled.toFixed(1)} s; ${server.publishes.length} publishes, ${checkedPublishes} checked with ` +
    `${checkedRanges} ranges; hover max ${Math.round(Math.max(...hoverTimes))} ms over ${hoverTimes.length} requests; ` +
    `final sizes ${docs.map((d) => `${d.rel.split('/').at(-1)}=${d.text.length}`).join(', ')}`;
  console.log(`# random-edits: ${summary}`);
  t.diagnostic(summary);

  assert.deepEqual(problems, [], `bad publishes (seed ${SEED})`);

  // After settling, each open file's last publish is for its final text (or, if the final
  // analysis had nothing to say about it, its last publish was empty).
  for (const d of docs) {
    const last = server.latest.get(d.uri);
    if (!last) continue; // never had findings (e.g. a file kind the server does not read)
    const starts = lineStarts(d.text);
    if (last.version !== d.version) {
      assert.deepEqual(last.diagnostics, [], `${d.rel}: last publish is for v${last.version}, final is v${d.version}`);
    }
    for (const diag of last.diagnostics) {
      const why = badRange(d.text, starts, diag.range);
      assert.equal(why, null, `${d.rel} final ${codeOf(diag)} ${JSON.stringify(diag.range)} (seed ${SEED})`);
    }
  }
  assert.ok(server.latest.get(docs[0].uri), 'the migration got diagnostics');

  const panics = server.logs.filter((l) => /panic/i.test(l.message));
  assert.deepEqual(panics, [], `panics logged (seed ${SEED})`);
  assert.ok(server.alive(), `server not alive: ${JSON.stringify(server.exited)}`);
  const e = await server.stop();
  assert.deepEqual(e, { code: 0, signal: null }, server.stderr);
});

// Statements typed one character at a time at the end of the migration, as in an editor:
// every prefix ("c", "cr", …, "create extension ", …) must be analysed and published within
// 5 s, with ranges inside the text, and hover must keep answering.
const TYPED = [
  'create extension pg_trgm;',
  'create table public.x (id int primary key, "é🎉" text);',
  'alter table public.audit_logs enable row level security;',
  'create policy p on public.audit_logs for select using (auth.uid() = actor_id);',
  "create function public.f() returns int language sql security definer as $$ select 1 $$;",
  'grant select on public.audit_logs to anon;',
];

test('supaudit lsp: typing half-typed statements character by character', { timeout: 180000 }, async (t) => {
  const typedRoot = copyExample('studio');
  const s = await Server.start(typedRoot);
  try {
    const file = path.join(typedRoot, MIGRATION);
    const uri = uriOf(file);
    let text = fs.readFileSync(file, 'utf8');
    let version = 1;
    await s.open(file, 'sql', text, version);
    await s.waitForPublish(uri, (p) => p.version === version);
    const t0 = performance.now();
    let chars = 0;
    for (const stmt of TYPED) {
      // Iterate by code point: an emoji is typed as one character (two UTF-16 units).
      for (const ch of ['\n', ...stmt]) {
        const end = positionAt(text, text.length);
        text += ch;
        version += 1;
        chars++;
        const since = s.publishes.length;
        await s.change(uri, version, [{ range: { start: end, end }, text: ch }]);
        let p;
        try {
          p = await s.waitForPublish(uri, (p) => p.version === version, { since, timeout: 5000 });
        } catch (e) {
          const typed = text.slice(text.lastIndexOf('\n') + 1);
          assert.fail(`no diagnostics within 5 s after typing ${JSON.stringify(typed)} at the end of ${MIGRATION}: ${e.message}`);
        }
        const starts = lineStarts(text);
        for (const d of p.diagnostics) {
          assert.equal(badRange(text, starts, d.range), null, `${codeOf(d)} ${JSON.stringify(d.range)} after ${JSON.stringify(stmt)}`);
        }
      }
      const at = positionAt(text, text.length - 2);
      await within(5000, s.conn.sendRequest(HoverRequest.type, { textDocument: { uri }, position: at }), `hover after ${JSON.stringify(stmt)}`);
    }
    const ms = performance.now() - t0;
    t.diagnostic(`${chars} characters typed, each analysed and published: ${(ms / chars).toFixed(0)} ms per character`);
    assert.deepEqual(s.logs.filter((l) => /panic/i.test(l.message)), []);
    assert.deepEqual(await s.stop(), { code: 0, signal: null }, s.stderr);
  } finally {
    s.kill();
    removeTemp(typedRoot);
  }
});
