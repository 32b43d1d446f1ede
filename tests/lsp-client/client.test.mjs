// supabase-js client files (TypeScript) in `supaudit lsp`: findings, hover and definition on
// `.from('<table>')`.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {
  Server,
  HoverRequest,
  DefinitionRequest,
  copyExample,
  removeTemp,
  uriOf,
  find,
  lineOf,
  codeOf,
  hoverText,
} from './lsp.mjs';

const PAGE = 'src/app/dashboard/page.tsx';
const CLIENT = 'src/lib/supabase/client.ts';
const INIT = 'supabase/migrations/20260117054631_init_schema.sql';

let root;
let server;
after(() => {
  server?.kill();
  if (root) removeTemp(root);
});

const keys = (diags) => diags.map((d) => `${codeOf(d)}@${d.range.start.line}:${d.range.start.character}`).sort().join(' ');

test('supaudit lsp: client files', async (t) => {
  root = copyExample('studio');
  server = await Server.start(root);
  const pageFile = path.join(root, PAGE);
  const pageUri = uriOf(pageFile);
  const pageText = fs.readFileSync(pageFile, 'utf8');
  const clientFile = path.join(root, CLIENT);
  const clientUri = uriOf(clientFile);
  const clientText = fs.readFileSync(clientFile, 'utf8');

  server.open(pageFile, 'typescriptreact', pageText, 1);
  server.open(clientFile, 'typescript', clientText, 1);

  await t.test('page.tsx: client-unknown-column on the line selecting current_streak', async () => {
    const line = lineOf(pageText, 'current_streak');
    const p = await server.waitForPublish(pageUri, (p) => p.version === 1);
    const d = p.diagnostics.find((d) => codeOf(d) === 'client-unknown-column' && d.range.start.line === line);
    assert.ok(d, `no client-unknown-column on line ${line}: ${keys(p.diagnostics)}`);
    assert.match(d.message, /current_streak/);
    assert.equal(d.codeDescription?.href, 'https://github.com/supaudit/supaudit/blob/main/docs/rules/client-unknown-column.md');
    // The range lies on the column name inside the select string.
    const lineText = pageText.split('\n')[line];
    assert.equal(lineText.slice(d.range.start.character, d.range.end.character), 'current_streak');
  });

  await t.test('client.ts: service-role-in-client on the line with SUPABASE_SERVICE_ROLE_KEY', async () => {
    const line = lineOf(clientText, 'SUPABASE_SERVICE_ROLE_KEY');
    const p = await server.waitForPublish(clientUri, (p) => p.version === 1);
    const d = p.diagnostics.find((d) => codeOf(d) === 'service-role-in-client' && d.range.start.line === line);
    assert.ok(d, `no service-role-in-client on line ${line}: ${keys(p.diagnostics)}`);
    assert.equal(d.codeDescription?.href, 'https://github.com/supaudit/supaudit/blob/main/docs/rules/service-role-in-client.md');
  });

  const at = find(pageText, `.from('conversations')`, { plus: ".from('conv".length });

  await t.test(".from('conversations'): hover shows the table's columns", async () => {
    const md = hoverText(await server.request(HoverRequest.type, { textDocument: { uri: pageUri }, position: at }));
    assert.match(md, /conversations/, md);
    assert.match(md, /Columns:/, md);
    assert.match(md, /`user_id`/, md);
    assert.match(md, /`updated_at`/, md);
  });

  await t.test(".from('conversations'): definition goes to its CREATE TABLE", async () => {
    const loc = await server.request(DefinitionRequest.type, { textDocument: { uri: pageUri }, position: at });
    const l = Array.isArray(loc) ? loc[0] : loc;
    assert.ok(l, 'no definition');
    const target = path.join(root, INIT);
    assert.equal(l.uri, uriOf(target));
    assert.equal(l.range.start.line, lineOf(fs.readFileSync(target, 'utf8'), 'create table public.conversations ('));
  });

  await t.test("hover on a select list's column shows the column", async () => {
    const pos = find(pageText, `select('id, title, updated_at')`, { plus: "select('id, ti".length });
    const md = hoverText(await server.request(HoverRequest.type, { textDocument: { uri: pageUri }, position: pos }));
    assert.match(md, /\*\*`title`\*\* \(column\)/, md);
    assert.match(md, /public\.conversations/, md);
  });

  await t.test('config.toml and .env.example get their findings', async () => {
    const cfg = uriOf(path.join(root, 'supabase/config.toml'));
    const p = await server.waitForPublish(cfg, (p) => p.diagnostics.some((d) => codeOf(d) === 'pooler-disabled'));
    assert.ok(p.diagnostics.some((d) => codeOf(d) === 'auth-anonymous-sign-ins'), keys(p.diagnostics));
    const envUri = uriOf(path.join(root, '.env.example'));
    const e = await server.waitForPublish(envUri, (p) => p.diagnostics.some((d) => codeOf(d) === 'secret-in-env-example'));
    // Messages never carry a key whole.
    const raw = fs.readFileSync(path.join(root, '.env.example'), 'utf8');
    for (const d of e.diagnostics) {
      for (const line of raw.split('\n')) {
        const value = line.split('=')[1]?.trim();
        if (value && value.length > 20) assert.ok(!d.message.includes(value), d.message);
      }
    }
  });

  await t.test('adding the column in a migration clears the finding in page.tsx', async () => {
    const file = path.join(root, INIT);
    const uri = uriOf(file);
    const text = fs.readFileSync(file, 'utf8');
    server.open(file, 'sql', text, 1);
    const since = server.publishes.length;
    const add = '\nalter table public.generations add column current_streak integer not null default 0;\n';
    const end = text.split('\n');
    server.change(uri, 2, [
      {
        range: { start: { line: end.length - 1, character: end.at(-1).length }, end: { line: end.length - 1, character: end.at(-1).length } },
        text: add,
      },
    ]);
    const p = await server.waitForPublish(pageUri, () => true, { since });
    assert.ok(
      !p.diagnostics.some((d) => codeOf(d) === 'client-unknown-column'),
      `page.tsx still has client-unknown-column: ${keys(p.diagnostics)}`,
    );
  });

  await t.test('an invalid supaudit.toml is a diagnostic on supaudit.toml', async () => {
    const file = path.join(root, 'supaudit.toml');
    const since = server.publishes.length;
    server.open(file, 'toml', '[rules]\nrls-disabld = "off"\n', 1);
    const p = await server.waitForPublish(uriOf(file), (p) => p.diagnostics.length > 0, { since });
    assert.match(p.diagnostics[0].message, /rls-disabled/, p.diagnostics[0].message);
    assert.equal(p.diagnostics[0].range.start.line, 1);
  });

  await t.test('shutdown + exit: code 0', async () => {
    assert.deepEqual(await server.stop(), { code: 0, signal: null }, server.stderr);
  });
});
