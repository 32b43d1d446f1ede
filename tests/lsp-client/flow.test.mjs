// The editor flow against `supaudit lsp` on a copy of examples/studio: diagnostics of an
// open migration (and of one that is not open), a quick fix applied by the client, hover,
// go-to-definition, source.fixAll.supaudit, and shutdown + exit with code 0.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {
  BIN,
  Server,
  CodeActionRequest,
  HoverRequest,
  DefinitionRequest,
  copyExample,
  removeTemp,
  uriOf,
  applyEdits,
  find,
  lineOf,
  codeOf,
  hoverText,
} from './lsp.mjs';

const MIGRATIONS = 'supabase/migrations';
const CORE = `${MIGRATIONS}/20260126000000_core_infrastructure.sql`;
const INIT = `${MIGRATIONS}/20260117054631_init_schema.sql`;
const SHARING = `${MIGRATIONS}/20260120093000_integrations_and_sharing.sql`;
const DOCS = 'https://github.com/supaudit/supaudit/blob/main/docs/rules/';

const root = copyExample('studio');
let server;
after(() => {
  server?.kill();
  removeTemp(root);
});

/** The CLI's findings for the copy: "rule@line:col" (0-based, as LSP) per file. */
function cliFindings() {
  let out;
  try {
    out = execFileSync(BIN, ['check', root, '--format', 'json'], { encoding: 'utf8' });
  } catch (e) {
    if (e.status !== 1) throw e; // 1 = findings
    out = e.stdout;
  }
  const byFile = new Map();
  for (const d of JSON.parse(out).diagnostics) {
    const key = `${d.rule}@${d.range.start.line - 1}:${d.range.start.column - 1}`;
    byFile.set(d.file, [...(byFile.get(d.file) ?? []), key]);
  }
  return byFile;
}

const keys = (diags) => diags.map((d) => `${codeOf(d)}@${d.range.start.line}:${d.range.start.character}`).sort();
const has = (diags, rule, line) => diags.find((d) => codeOf(d) === rule && (line === undefined || d.range.start.line === line));

test('supaudit lsp: diagnostics, quick fix, hover, definition, fix all, exit 0', async (t) => {
  const file = path.join(root, CORE);
  const uri = uriOf(file);
  let text = fs.readFileSync(file, 'utf8');
  let version = 1;
  const cli = cliFindings();

  server = await Server.start(root);
  t.diagnostic(`server: ${server.command.join(' ')} (root ${root})`);

  await t.test('initialize: capabilities', () => {
    const caps = server.init.capabilities;
    assert.equal(server.init.serverInfo?.name, 'supaudit');
    // Incremental sync (2), so the edits below are sent as ranges.
    const sync = typeof caps.textDocumentSync === 'number' ? caps.textDocumentSync : caps.textDocumentSync?.change;
    assert.equal(sync, 2, 'textDocumentSync.change should be Incremental');
    assert.equal(caps.textDocumentSync.openClose, true);
    assert.ok(caps.hoverProvider, 'hoverProvider');
    assert.ok(caps.definitionProvider, 'definitionProvider');
    const kinds = caps.codeActionProvider?.codeActionKinds ?? [];
    assert.ok(kinds.includes('quickfix') && kinds.includes('source.fixAll.supaudit'), JSON.stringify(kinds));
  });

  server.open(file, 'sql', text, version);
  const first = await server.waitForPublish(uri, (p) => p.version === version);
  let diags = first.diagnostics;

  await t.test('didOpen: the migration gets the findings the CLI reports', () => {
    const line = (needle) => lineOf(text, needle);
    // Specific findings at specific lines.
    assert.ok(has(diags, 'extension-in-public', line('create extension if not exists pg_trgm')), keys(diags).join(' '));
    assert.ok(has(diags, 'duplicate-index', line('generations_user_id_idx')), keys(diags).join(' '));
    const rls = has(diags, 'rls-disabled', line('create table public.audit_logs'));
    assert.ok(rls, keys(diags).join(' '));
    assert.deepEqual(rls.range.start, { line: 12, character: 0 });
    assert.equal(rls.severity, 1);
    assert.match(rls.message, /audit_logs/);
    assert.ok(has(diags, 'security-definer-exposed', line('function public.grant_credits')));
    assert.ok(has(diags, 'security-definer-view', line('create view public.conversation_summaries')));
    assert.ok(has(diags, 'auth-users-exposed', line('create view public.user_directory')));
    assert.ok(has(diags, 'materialized-view-in-api', line('materialized view public.model_usage_stats')));
    // spend_credits pins its search_path: not reported.
    assert.ok(!has(diags, 'function-search-path-mutable', line('function public.spend_credits')));
    // Same findings as `supaudit check --format json` (the file is ASCII: columns = characters).
    assert.deepEqual(keys(diags), [...cli.get(CORE)].sort());
  });

  await t.test("supaudit/status: the report's readiness score and the counts by severity", async () => {
    const report = JSON.parse(execFileSync(BIN, ['report', root, '--format', 'json'], { encoding: 'utf8' }));
    const status = await server.waitForStatus();
    assert.deepEqual(status, {
      score: report.score.value,
      errors: report.counts.error,
      warnings: report.counts.warning,
      infos: report.counts.info,
    });
  });

  await t.test('every diagnostic: source, codeDescription.href, fixes in data', () => {
    for (const d of diags) {
      assert.equal(d.source, 'supaudit');
      assert.equal(d.codeDescription?.href, `${DOCS}${codeOf(d)}.md`, `codeDescription of ${codeOf(d)}`);
      assert.ok(Array.isArray(d.data?.fixes), `data.fixes of ${codeOf(d)}`);
    }
    assert.ok(has(diags, 'duplicate-index').data.fixes.some((f) => f.applicability === 'safe'));
  });

  await t.test('a migration that is not open gets its diagnostics too', async () => {
    const other = uriOf(path.join(root, SHARING));
    const p = await server.waitForPublish(other, (p) => p.diagnostics.length > 0);
    assert.equal(p.version ?? null, null, 'a file that is not open has no version');
    assert.ok(has(p.diagnostics, 'policy-exists-rls-disabled', 44), keys(p.diagnostics).join(' '));
    assert.deepEqual(keys(server.latest.get(other).diagnostics), [...cli.get(SHARING)].sort());
  });

  await t.test('quick fix for rls-disabled: the client applies it, the finding disappears', async () => {
    const rls = has(diags, 'rls-disabled');
    const actions = await server.request(CodeActionRequest.type, {
      textDocument: { uri },
      range: rls.range,
      context: { diagnostics: [rls], only: ['quickfix'] },
    });
    const titles = actions.map((a) => a.title);
    assert.ok(actions.every((a) => a.kind === 'quickfix'), titles.join(' | '));
    assert.ok(titles.includes('Ignore rls-disabled for this statement'), titles.join(' | '));
    const fix = actions.find((a) => /^Enable row level security/.test(a.title));
    assert.ok(fix, `no "Enable row level security" action in ${titles.join(' | ')}`);
    assert.match(fix.title, /\(unsafe\)$/);
    assert.equal(fix.isPreferred, false);
    assert.deepEqual(Object.keys(fix.edit.changes), [uri]);
    const edits = fix.edit.changes[uri];
    const fixed = applyEdits(text, edits);
    assert.match(fixed, /alter table public\.audit_logs enable row level security/i);
    // Send the same edits incrementally (last first, so that earlier ranges stay valid).
    const changes = [...edits]
      .sort((a, b) => b.range.start.line - a.range.start.line || b.range.start.character - a.range.start.character)
      .map((e) => ({ range: e.range, text: e.newText }));
    text = fixed;
    version += 1;
    const since = server.publishes.length;
    await server.change(uri, version, changes);
    const p = await server.waitForPublish(uri, (p) => p.version === version, { since });
    diags = p.diagnostics;
    assert.ok(!has(diags, 'rls-disabled'), keys(diags).join(' '));
    assert.ok(has(diags, 'duplicate-index', lineOf(text, 'generations_user_id_idx')));
    assert.ok(has(diags, 'auth-users-exposed', lineOf(text, 'create view public.user_directory')), 'later lines shifted');
  });

  await t.test('hover on a table name shows its columns and RLS', async () => {
    const at = find(text, 'audit_logs (', { plus: 3 });
    const h = await server.request(HoverRequest.type, { textDocument: { uri }, position: at });
    const md = hoverText(h);
    assert.match(md, /public\.audit_logs/);
    assert.match(md, /Row level security: enabled/, md);
    assert.match(md, /Columns:/, md);
    assert.match(md, /`table_name` text not null/, md);
    assert.match(md, /`created_at` timestamptz not null/, md);
    assert.deepEqual(h.range, { start: { line: at.line, character: 13 }, end: { line: at.line, character: 30 } });
  });

  await t.test('hover on a column name', async () => {
    const at = find(text, 'table_name text not null', { plus: 2 });
    const md = hoverText(await server.request(HoverRequest.type, { textDocument: { uri }, position: at }));
    assert.match(md, /table_name/);
    assert.match(md, /not null/);
  });

  await t.test('definition: table name -> its CREATE TABLE in another migration', async () => {
    const at = find(text, 'from public.conversations c', { plus: 'from public.conv'.length });
    const loc = await server.request(DefinitionRequest.type, { textDocument: { uri }, position: at });
    const l = Array.isArray(loc) ? loc[0] : loc;
    assert.ok(l, 'no definition');
    const target = path.join(root, INIT);
    assert.equal(l.uri, uriOf(target));
    const initText = fs.readFileSync(target, 'utf8');
    assert.equal(l.range.start.line, lineOf(initText, 'create table public.conversations ('));
    assert.equal(l.range.start.line, 53);
  });

  await t.test('definition: table name in the same file', async () => {
    const at = find(text, 'insert into audit_logs', { plus: 'insert into '.length + 2 });
    const l = await server.request(DefinitionRequest.type, { textDocument: { uri }, position: at });
    assert.ok(l, 'no definition for audit_logs inside a function body');
    assert.equal(l.uri, uri);
    assert.equal(l.range.start.line, lineOf(text, 'create table public.audit_logs'));
  });

  await t.test('source.fixAll.supaudit applies the safe fixes only', async () => {
    const all = await server.request(CodeActionRequest.type, {
      textDocument: { uri },
      range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
      context: { diagnostics: [], only: ['source.fixAll.supaudit'] },
    });
    assert.equal(all.length, 1, JSON.stringify(all.map((a) => a.title)));
    const [action] = all;
    assert.equal(action.kind, 'source.fixAll.supaudit');
    // `only: ["source.fixAll"]` (what editors send on save) also gets it.
    const generic = await server.request(CodeActionRequest.type, {
      textDocument: { uri },
      range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
      context: { diagnostics: [], only: ['source.fixAll'] },
    });
    assert.deepEqual(generic.map((a) => a.kind), ['source.fixAll.supaudit']);
    const edits = action.edit.changes[uri];
    assert.ok(edits?.length >= 1);
    const fixed = applyEdits(text, edits);
    assert.notEqual(fixed, text);
    text = fixed;
    version += 1;
    const since = server.publishes.length;
    await server.change(uri, version, [...edits].reverse().map((e) => ({ range: e.range, text: e.newText })));
    const p = await server.waitForPublish(uri, (p) => p.version === version, { since });
    diags = p.diagnostics;
    assert.ok(!has(diags, 'duplicate-index'), keys(diags).join(' '));
    assert.ok(!diags.some((d) => d.data.fixes.some((f) => f.applicability === 'safe')), 'a safe fix is left');
    // Unsafe fixes are not applied.
    assert.ok(has(diags, 'extension-in-public'), keys(diags).join(' '));
    assert.ok(has(diags, 'security-definer-exposed'), keys(diags).join(' '));
  });

  await t.test('no panic was logged', () => {
    const bad = server.logs.filter((l) => /panic/i.test(l.message));
    assert.deepEqual(bad, []);
  });

  await t.test('shutdown + exit: the server exits with code 0', async () => {
    const e = await server.stop();
    assert.deepEqual(e, { code: 0, signal: null }, server.stderr);
  });
});
