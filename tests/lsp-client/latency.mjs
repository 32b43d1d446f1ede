// Benchmark (not a test): edit → diagnostics latency of `supaudit lsp` on a large project.
//
//   SUPAUDIT_BIN=../../target/release/supaudit node latency.mjs [N]      (N edits, default 200)
//
// Generates a project with 100 migrations (tables with RLS, policies, indexes, functions,
// triggers) whose first migration — a squashed baseline — is 10,000 lines, starts the server,
// opens the big migration and makes N single-character edits at random places that keep it
// valid (a space inserted into / removed from a comment, a letter of a string literal
// changed). Each edit waits for the publishDiagnostics of that file that follows it (matched
// by `version`; the first publish after the change if the server sends no version) and
// measures didChange sent → publish received. Prints p50 / p95 / max and a markdown row.
// Env: SEED (default 1), LATENCY_N (instead of the argument), KEEP=1 keeps the project.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BIN, Server, uriOf, lineStarts, positionAt, prng, within } from './lsp.mjs';

const N = Number(process.argv[2] ?? process.env.LATENCY_N ?? 200);
const SEED = Number(process.env.SEED ?? 1) >>> 0;
const MIGRATIONS = 100;
const BIG_LINES = 10000;
const rng = prng(SEED);

// ---------- project generator ----------

const COMMANDS = ['select', 'insert', 'update', 'delete'];

/** One table with its RLS, policies, indexes, a trigger function and a trigger. */
function tableBlock(name, parent, k) {
  const lines = [];
  lines.push(`-- ${name}: records of kind ${k} owned by a user (generated for the latency benchmark)`);
  lines.push(`create table public.${name} (`);
  lines.push(`  id uuid primary key default gen_random_uuid(),`);
  lines.push(`  owner_id uuid not null references auth.users (id) on delete cascade,`);
  if (parent) lines.push(`  parent_id uuid references public.${parent} (id) on delete set null,`);
  lines.push(`  title text not null default 'untitled',`);
  lines.push(`  status text not null default 'draft' check (status in ('draft', 'active', 'archived')),`);
  lines.push(`  payload jsonb not null default '{}'::jsonb,`);
  lines.push(`  amount numeric(12, 2) default 0,`);
  lines.push(`  created_at timestamptz not null default now(),`);
  lines.push(`  updated_at timestamptz not null default now()`);
  lines.push(`);`);
  lines.push('');
  // Most tables are done right; some leave findings (RLS off, unwrapped auth.uid(), no index).
  const rls = k % 17 !== 0;
  if (rls) lines.push(`alter table public.${name} enable row level security;`);
  lines.push(`create index ${name}_owner_id_idx on public.${name} (owner_id);`);
  if (parent && k % 5 !== 0) lines.push(`create index ${name}_parent_id_idx on public.${name} (parent_id);`);
  lines.push(`create index ${name}_status_created_idx on public.${name} (status, created_at desc);`);
  lines.push('');
  const uid = k % 7 === 0 ? 'auth.uid()' : '(select auth.uid())';
  for (const cmd of COMMANDS) {
    lines.push(`-- ${cmd} for the owner`);
    lines.push(`create policy "${name}_${cmd}_own" on public.${name}`);
    if (cmd === 'insert') {
      lines.push(`  for insert to authenticated with check (${uid} = owner_id);`);
    } else if (cmd === 'update') {
      lines.push(`  for update to authenticated using (${uid} = owner_id) with check (${uid} = owner_id);`);
    } else {
      lines.push(`  for ${cmd} to authenticated using (${uid} = owner_id);`);
    }
  }
  lines.push('');
  const definer = k % 11 === 0;
  lines.push(`create or replace function public.${name}_touch()`);
  lines.push(`returns trigger`);
  lines.push(`language plpgsql`);
  if (definer) lines.push(`security definer`);
  lines.push(k % 13 === 0 ? `-- search_path left mutable on purpose` : `set search_path = ''`);
  lines.push(`as $$`);
  lines.push(`begin`);
  lines.push(`  -- keep updated_at current`);
  lines.push(`  new.updated_at := now();`);
  lines.push(`  return new;`);
  lines.push(`end;`);
  lines.push(`$$;`);
  lines.push('');
  lines.push(`create trigger ${name}_touch before update on public.${name}`);
  lines.push(`  for each row execute function public.${name}_touch();`);
  lines.push('');
  return lines;
}

function generate(root) {
  const dir = path.join(root, 'supabase', 'migrations');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(
    path.join(root, 'supabase', 'config.toml'),
    'project_id = "latency"\n\n[api]\nenabled = true\nschemas = ["public", "graphql_public"]\n',
  );
  const files = [];
  // 1: the squashed baseline, exactly BIG_LINES lines.
  const big = ['-- Baseline schema (squashed), generated for the supaudit latency benchmark', ''];
  big.push('create extension if not exists pgcrypto with schema extensions;', '');
  let k = 0;
  let prev = null;
  while (big.length < BIG_LINES - 40) {
    const name = `base_${String(k).padStart(4, '0')}`;
    big.push(...tableBlock(name, prev, k));
    prev = k % 3 === 0 ? name : prev;
    k++;
  }
  while (big.length < BIG_LINES) big.push(`-- padding line ${big.length}`);
  const version = (i) => `2024${String(Math.floor(i / 28) + 1).padStart(2, '0')}${String((i % 28) + 1).padStart(2, '0')}120000`;
  files.push([`${version(0)}_baseline.sql`, big.slice(0, BIG_LINES).join('\n') + '\n']);
  // 2..100: incremental migrations that build on the baseline.
  for (let i = 1; i < MIGRATIONS; i++) {
    const lines = [`-- Migration ${i}`, ''];
    const parent = `base_${String((i * 7) % k).padStart(4, '0')}`;
    lines.push(...tableBlock(`feature_${i}_items`, parent, 1000 + i));
    if (i % 3 === 0) lines.push(...tableBlock(`feature_${i}_events`, `feature_${i}_items`, 2000 + i));
    lines.push(`alter table public.${parent} add column if not exists note_${i} text;`);
    lines.push(`comment on column public.${parent}.note_${i} is 'added by migration ${i}';`);
    if (i % 10 === 0) {
      lines.push(`create view public.feature_${i}_summary with (security_invoker = true) as`);
      lines.push(`  select owner_id, count(*) as items from public.feature_${i}_items group by owner_id;`);
    }
    lines.push('');
    files.push([`${version(i)}_feature_${i}.sql`, lines.join('\n')]);
  }
  for (const [name, text] of files) fs.writeFileSync(path.join(dir, name), text);
  return { bigFile: path.join(dir, files[0][0]), bigText: files[0][1], tables: k };
}

// ---------- edits ----------

/** A single-character edit that keeps the SQL valid: returns {start, end, text} (UTF-16 offsets). */
function randomEdit(text, state) {
  if (rng.next() < 0.5) {
    // A space into a comment (after "-- "), or remove one we added earlier.
    if (state.spaces.length && rng.next() < 0.5) {
      const at = state.spaces.splice(rng.int(state.spaces.length), 1)[0];
      return { start: at, end: at + 1, text: '', undo: at };
    }
    const starts = state.comments;
    const line = starts[rng.int(starts.length)];
    const lineEnd = text.indexOf('\n', line);
    const at = line + 3 + rng.int(Math.max(1, lineEnd - line - 3));
    return { start: at, end: at, text: ' ', add: at };
  }
  // A letter of a string literal: 'untitled' -> 'untitleq' (one character replaced).
  const lit = state.literals[rng.int(state.literals.length)];
  const at = lit + rng.int(8);
  return { start: at, end: at + 1, text: String.fromCharCode(97 + rng.int(26)) };
}

/** Shifts remembered offsets after an edit at `at` that changed the length by `delta`. */
function shift(state, at, delta) {
  if (!delta) return;
  const f = (o) => (o > at || (delta > 0 && o === at) ? o + delta : o);
  state.comments = state.comments.map((o) => (o > at ? o + delta : o));
  state.literals = state.literals.map(f);
  state.spaces = state.spaces.map(f);
}

function percentile(sorted, p) {
  if (!sorted.length) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}

// ---------- main ----------

async function main() {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'supaudit-latency-'));
  const root = path.join(tmp, 'project');
  const { bigFile, bigText, tables } = generate(root);
  const uri = uriOf(bigFile);
  const rel = path.relative(root, bigFile);
  let text = bigText;
  const totalLines = fs
    .readdirSync(path.join(root, 'supabase', 'migrations'))
    .reduce((n, f) => n + fs.readFileSync(path.join(root, 'supabase', 'migrations', f), 'utf8').split('\n').length - 1, 0);
  const bin = BIN;
  const command = `SUPAUDIT_BIN=${bin} SEED=${SEED} node latency.mjs ${N}`;
  console.log(`command: ${command}`);
  console.log(`server:  ${bin} lsp${/\/debug\//.test(bin) ? '   (a DEBUG build: set SUPAUDIT_BIN=../../target/release/supaudit)' : ''}`);
  console.log(`project: ${root}: ${MIGRATIONS} migrations, ${totalLines} lines; ${rel}: ${text.split('\n').length - 1} lines, ${tables} tables`);

  // Offsets of comment lines and of 'untitled' literals in the big file.
  const state = { comments: [], literals: [], spaces: [] };
  for (const s of lineStarts(text)) if (text.startsWith('-- ', s) && text.indexOf('\n', s) - s > 10) state.comments.push(s);
  for (let i = text.indexOf("'untitled'"); i !== -1; i = text.indexOf("'untitled'", i + 1)) state.literals.push(i + 1);

  let server;
  let exitCode;
  try {
    server = await Server.start(root, { bin });
    const t0 = performance.now();
    let version = 1;
    await server.open(bigFile, 'sql', text, version);
    const first = await server.waitForPublish(uri, (p) => p.version === version || p.version == null, { timeout: 120000 });
    const open = performance.now() - t0;
    const byVersion = first.version === version;
    console.log(
      `open → first publish: ${open.toFixed(0)} ms (${first.diagnostics.length} diagnostics in the big file; ` +
        `publish ${byVersion ? 'matched by version' : 'has no version: first publish after each change'})`,
    );
    await server.settle(300, 120000);

    const times = [];
    for (let i = 0; i < N; i++) {
      const e = randomEdit(text, state);
      const starts = lineStarts(text);
      const range = { start: positionAt(text, e.start, starts), end: positionAt(text, e.end, starts) };
      text = text.slice(0, e.start) + e.text + text.slice(e.end);
      shift(state, e.start, e.text.length - (e.end - e.start));
      if (e.add !== undefined) state.spaces.push(e.add);
      version += 1;
      const since = server.publishes.length;
      const v = version;
      const sent = performance.now();
      await server.change(uri, v, [{ range, text: e.text }]);
      const p = await server.waitForPublish(uri, (p) => (byVersion ? p.version === v : true), { since, timeout: 60000 });
      times.push(p.time - sent);
      if (!server.alive()) throw new Error(`server exited after edit ${i}: ${JSON.stringify(server.exited)}`);
    }
    // The edits kept the file valid: it must still have the findings it had when opened.
    const last = server.latest.get(uri);
    const sameCount = last.diagnostics.length === first.diagnostics.length;

    const sorted = [...times].sort((a, b) => a - b);
    const [p50, p95, max] = [percentile(sorted, 50), percentile(sorted, 95), sorted.at(-1)];
    const mean = times.reduce((a, b) => a + b, 0) / times.length;
    console.log(
      `${N} edits: p50 ${p50.toFixed(1)} ms, p95 ${p95.toFixed(1)} ms, max ${max.toFixed(1)} ms, mean ${mean.toFixed(1)} ms ` +
        `(includes the server's 5 ms debounce); diagnostics in the big file: ${first.diagnostics.length} → ` +
        `${last.diagnostics.length}${sameCount ? '' : ' (CHANGED: an edit was not neutral)'}`,
    );
    const build = /\/release\//.test(bin) ? 'release' : /\/debug\//.test(bin) ? 'debug' : path.basename(bin);
    console.log('');
    console.log('| binary | project | edited file | edits | open → first publish | p50 | p95 | max |');
    console.log('|---|---|---|---|---|---|---|---|');
    console.log(
      `| ${build} | ${MIGRATIONS} migrations, ${totalLines} lines | ${BIG_LINES} lines | ${N} | ${open.toFixed(0)} ms | ` +
        `${p50.toFixed(1)} ms | ${p95.toFixed(1)} ms | ${max.toFixed(1)} ms |`,
    );
    if (process.env.SUPAUDIT_LSP_TIMING) fs.writeFileSync("/tmp/lsp-timing.txt", server.stderr);
    const e = await server.stop();
    exitCode = e.code;
    if (e.code !== 0) console.log(`server exit: ${JSON.stringify(e)}`);
  } finally {
    server?.kill();
    if (process.env.KEEP !== '1') fs.rmSync(tmp, { recursive: true, force: true });
  }
  return exitCode === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
