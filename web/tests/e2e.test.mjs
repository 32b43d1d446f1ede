// The playground end to end in real Chromium (Debian's, through playwright-core):
//   npm run build            (repository root: WASM package + web/dist)
//   SUPAUDIT_BIN=target/debug/supaudit npm test -w web
// Serves web/dist from a sub-path on loopback and checks what a user sees: the preloaded
// example's findings equal `supaudit check examples/studio` (rule, file, line), inline
// diagnostics with a docs link on hover, the readiness score and the downloaded report
// equal `supaudit report`, a new migration's finding, a fix that removes it, the share URL
// reproducing the state, recovery from an input that overflows the stack,
// offline reload through the service worker, the rules page, and a phone-sized layout.
// Screenshots go to $SUPAUDIT_TEST_OUT (default target/test-suite/playground).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { REPO, launch, panelFindings, serveSite, waitReady, watchErrors } from './browser.mjs';

const OUT = path.resolve(process.env.SUPAUDIT_TEST_OUT ?? path.join(REPO, 'target/test-suite/playground'));
const BIN = process.env.SUPAUDIT_BIN ?? path.join(REPO, 'target/debug/supaudit');
const NEW_MIGRATION = 'supabase/migrations/20990101000000_notes.sql';
const NOTES_SQL = 'create table public.notes (\n  id bigint primary key,\n  body text not null\n);\n';

let browser;
let site;
let context;
let page;
let errors;

function cliFindings() {
  let out;
  try {
    out = execFileSync(BIN, ['check', path.join(REPO, 'examples/studio'), '--format', 'json'], { encoding: 'utf8' });
  } catch (e) {
    out = e.stdout; // exit code 1: findings
  }
  return JSON.parse(out).diagnostics;
}

const finding = (rule, file, line) =>
  `#findings .finding[data-rule="${rule}"][data-file="${file}"]` + (line ? `[data-line="${line}"]` : '');

async function fileText(file) {
  const files = await page.evaluate(() => window.supauditPlayground.files());
  return files.find((f) => f.path === file)?.text;
}

before(async () => {
  mkdirSync(OUT, { recursive: true });
  site = await serveSite();
  browser = await launch();
  context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  page = await context.newPage();
  errors = watchErrors(page);
  await page.goto(site.url);
  await waitReady(page);
});

after(async () => {
  await browser?.close();
  await site?.close();
});

test('the preloaded example shows the same findings as the CLI, at the same lines', async () => {
  const cli = cliFindings();
  const expected = cli.map((d) => `${d.rule}|${d.file}|${d.range.start.line}`).sort();
  assert.ok(expected.length > 40, `the example should have many findings, the CLI found ${expected.length}`);
  assert.deepEqual(await panelFindings(page), expected);

  // The seed findings the example reproduces, named explicitly.
  for (const [rule, file, line] of [
    ['rls-disabled', 'supabase/migrations/20260126000000_core_infrastructure.sql', 13],
    ['function-search-path-mutable', 'supabase/migrations/20260117054631_init_schema.sql', 38],
    ['auth-rls-initplan', 'supabase/migrations/20260117054631_init_schema.sql', 29],
    ['unindexed-foreign-key', 'supabase/migrations/20260118000000_training_schema.sql', 57],
    ['service-role-in-client', 'src/lib/supabase/client.ts', 39],
    ['query-in-loop', 'src/app/dashboard/page.tsx', 22],
    ['client-unknown-column', 'src/app/dashboard/page.tsx', 32],
    ['pooler-disabled', 'supabase/config.toml', 33],
    ['secret-in-env-example', '.env.example', 5],
  ]) {
    assert.equal(await page.locator(finding(rule, file, line)).count(), 1, `${rule} at ${file}:${line}`);
  }

  // Summary counts by severity and category match.
  for (const severity of ['error', 'warning', 'info']) {
    const n = cli.filter((d) => d.severity === severity).length;
    assert.equal(await page.getAttribute(`[data-summary-severity=${severity}]`, 'data-count'), String(n), severity);
  }
  const security = cli.filter((d) => d.category === 'security').length;
  assert.equal(await page.getAttribute('[data-summary-category=security]', 'data-count'), String(security));

  // No secret from .env.example is shown whole anywhere on the page.
  const body = await page.evaluate(() => document.body.innerText);
  const html = await page.$eval('#findings', (n) => n.innerHTML + document.getElementById('summary').innerHTML);
  for (const key of ['sb_secret_Jqoj7p6m3na-4NQvtVc-cu_NpXYc7c2', 'x9vf5zepejO2JiZ59M4_Ih66pKKRKVMxWOA1-d7o6Ws']) {
    assert.ok(!html.includes(key.slice(8)), 'findings panel shows a key whole');
    // The editor shows the file itself, which is fine; the panel must not.
    assert.ok(body.split(key.slice(8)).length <= 2, 'a key appears outside the editor');
  }
});

test('the readiness score and the Report download are `supaudit report` of the same files', async () => {
  const studio = path.join(REPO, 'examples/studio');
  const json = JSON.parse(execFileSync(BIN, ['report', studio, '--format', 'json'], { encoding: 'utf8' }));
  assert.equal(await page.getAttribute('[data-score]', 'data-score'), String(json.score.value));
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#report')]);
  assert.equal(download.suggestedFilename(), 'supaudit-report.html');
  const html = readFileSync(await download.path(), 'utf8');
  const docsUrl = new URL('./rules.html#{rule}', site.url).href;
  const cli = execFileSync(BIN, ['report', studio, '--format', 'html', '--docs-url', docsUrl], { encoding: 'utf8' });
  assert.equal(html, cli);
  assert.ok(html.includes(`${new URL('./rules.html', site.url).href}#rls-disabled`), 'rule links to the rules page');
});

test('inline diagnostics: underlined in the editor, hover shows the message and a docs link', async () => {
  // The first file is the first migration; it has auth-rls-initplan warnings.
  await page.click('#file-list li[data-path="supabase/migrations/20260117054631_init_schema.sql"] button');
  const marks = page.locator('.cm-content .cm-lintRange-warning');
  assert.ok((await marks.count()) > 0, 'warnings are underlined');
  await page.locator('#findings .finding[data-rule="auth-rls-initplan"][data-line="29"] .location').click();
  const mark = page.locator('.cm-line').filter({ hasText: 'for select using (auth.uid() = id)' }).locator('.cm-lintRange-warning');
  await mark.first().hover();
  const tip = page.locator('.cm-tooltip-lint .tip');
  await tip.first().waitFor({ timeout: 5000 });
  assert.match(await tip.first().innerText(), /auth\.uid\(\)/);
  const href = await tip.first().locator('a.rule').getAttribute('href');
  assert.equal(href, './rules.html#auth-rls-initplan');
  await page.mouse.move(0, 0);
});

test('a new migration shows its finding; its fix removes it', async () => {
  await page.click('#new-file');
  await page.fill('#new-file-path', NEW_MIGRATION);
  await page.click('#new-file-form button[type=submit]');
  await page.waitForSelector(`#file-list li[data-path="${NEW_MIGRATION}"].active`);
  await page.click('.cm-content');
  await page.keyboard.insertText(NOTES_SQL);
  const item = page.locator(finding('rls-disabled', NEW_MIGRATION, 1));
  await item.waitFor({ timeout: 10_000 });
  assert.match(await item.locator('.message').innerText(), /public\.notes/);

  // Replace the text of an existing migration: its old findings go, the new one comes.
  const storage = 'supabase/migrations/20260117153000_storage_policies.sql';
  assert.equal(await page.locator(finding('public-bucket-listing', storage)).count(), 1);
  await page.click(`#file-list li[data-path="${storage}"] button`);
  await page.click('.cm-content');
  await page.keyboard.press('Control+A');
  await page.keyboard.insertText('create table public.tags (id bigint primary key, label text);\n');
  await page.locator(finding('rls-disabled', storage, 1)).waitFor({ timeout: 10_000 });
  assert.equal(await page.locator(finding('public-bucket-listing', storage)).count(), 0);

  // Fix the new migration's finding from the panel.
  await page.click(`#file-list li[data-path="${NEW_MIGRATION}"] button`);
  const fix = item.locator('button[data-fix="0"]');
  assert.match(await fix.innerText(), /row level security/i);
  await fix.click();
  await item.waitFor({ state: 'detached', timeout: 10_000 });
  assert.match(await fileText(NEW_MIGRATION), /alter table public\.notes enable row level security;/);
  assert.match(await page.locator('.cm-content').innerText(), /enable row level security/, 'the editor shows the fix');
  assert.deepEqual(errors, []);
});

test('a fix that adds a column creates a new migration', async () => {
  const item = page.locator(finding('client-unknown-column', 'src/app/dashboard/page.tsx', 32));
  const fix = item.locator('button[data-fix="0"]');
  assert.match(await fix.innerText(), /new migration/);
  await fix.click();
  const created = page.locator('#file-list li.active[data-path$="_add_generations_current_streak.sql"]');
  await created.waitFor({ timeout: 10_000 });
  const path = await created.getAttribute('data-path');
  // Named by the Supabase convention, after the newest migration (20990101000000_notes.sql).
  assert.equal(path, 'supabase/migrations/20990101000001_add_generations_current_streak.sql');
  await item.waitFor({ state: 'detached', timeout: 10_000 });
  assert.match(await fileText(path), /alter table public\.generations add column if not exists current_streak integer;/);
  assert.deepEqual(errors, []);
});

test('the URL reproduces the state', async () => {
  await page.evaluate(() => window.supauditPlayground.settle());
  const url = page.url();
  assert.match(url, /#p=[A-Za-z0-9_-]+$/);
  const before = await panelFindings(page);
  const files = await page.evaluate(() => window.supauditPlayground.files());
  const active = await page.textContent('#active-path');

  const other = await context.newPage();
  const otherErrors = watchErrors(other);
  await other.goto(url);
  await waitReady(other);
  assert.deepEqual(await other.evaluate(() => window.supauditPlayground.files()), files);
  assert.deepEqual(await panelFindings(other), before);
  assert.equal(await other.textContent('#active-path'), active);
  await other.screenshot({ path: path.join(OUT, 'playground-shared.png') });
  assert.deepEqual(otherErrors, []);
  await other.close();
});

test('a stack overflow in the analyser is reported and the next analysis works', async () => {
  const deep = 'supabase/migrations/20990102000000_deep.sql';
  await page.click('#new-file');
  await page.fill('#new-file-path', deep);
  await page.click('#new-file-form button[type=submit]');
  await page.click('.cm-content');
  const depth = 60_000;
  await page.keyboard.insertText(`select ${'('.repeat(depth)}1${')'.repeat(depth)};\n`);
  await page.evaluate(() => window.supauditPlayground.settle());
  const banner = page.locator('#banner');
  const overflowed = await banner.isVisible();
  if (overflowed) assert.match(await banner.innerText(), /stack/);
  // Either way, deleting the file brings back a working analysis with the findings of before.
  page.once('dialog', (d) => d.accept());
  await page.click('#delete-file');
  await page.evaluate(() => window.supauditPlayground.settle());
  assert.ok(await banner.isHidden(), 'the banner goes once an analysis succeeds');
  assert.equal(await page.locator(finding('rls-disabled', 'supabase/migrations/20260117153000_storage_policies.sql', 1)).count(), 1);
  console.log(`# deep nesting (${depth} parentheses): ${overflowed ? 'stack overflow reported, worker replaced' : 'analysed'}`);
});

test('the findings panel filters by text and severity', async () => {
  const visible = () => page.locator('#findings .finding:visible').count();
  const all = await page.locator('#findings .finding').count();
  await page.fill('#filter', 'pooler');
  assert.equal(await visible(), 1);
  assert.ok(await page.locator(finding('pooler-disabled', 'supabase/config.toml')).isVisible());
  await page.fill('#filter', '');
  await page.uncheck('input[name=severity][value=info]');
  const withoutInfo = await visible();
  assert.equal(withoutInfo, all - (await page.locator('#findings .finding[data-severity=info]').count()));
  assert.ok(await page.locator('#findings section[data-severity=info]').isHidden(), 'an emptied group is hidden');
  await page.check('input[name=severity][value=info]');
  assert.equal(await visible(), all);
});

test('"Apply safe fixes" applies every safe fix', async () => {
  const safe = page.locator('#findings .finding:has(button[data-applicability=safe])');
  assert.ok((await safe.count()) >= 5, 'the example has safe fixes');
  await page.click('#fix-all');
  await safe.first().waitFor({ state: 'detached', timeout: 10_000 });
  await page.evaluate(() => window.supauditPlayground.settle());
  assert.equal(await safe.count(), 0);
  const env = await fileText('.env.example');
  assert.ok(!env.includes('sb_secret_Jqoj7p6m3na'), 'the real key in .env.example is replaced by a placeholder');
  assert.deepEqual(errors, []);
});

test('the rules page documents every rule and anchors the links', async () => {
  const rules = await context.newPage();
  await rules.goto(new URL('rules.html#rls-disabled', site.url).href);
  await rules.waitForSelector('article.rule-doc#rls-disabled h3');
  const count = await rules.locator('article.rule-doc').count();
  const cli = JSON.parse(execFileSync(BIN, ['rules', '--format', 'json'], { encoding: 'utf8' }));
  assert.equal(count, (Array.isArray(cli) ? cli : cli.rules).length);
  assert.match(await rules.locator('#rls-disabled').innerText(), /Why it matters/);
  await rules.close();
});

test('works offline once loaded (service worker)', async () => {
  const offline = await browser.newContext({ viewport: { width: 1200, height: 800 } });
  const p = await offline.newPage();
  await p.goto(site.url);
  await waitReady(p);
  await p.evaluate(async () => {
    await navigator.serviceWorker.ready;
    if (!navigator.serviceWorker.controller) {
      await new Promise((resolve) => navigator.serviceWorker.addEventListener('controllerchange', resolve, { once: true }));
    }
  });
  const n = await p.locator('#findings .finding').count();
  await offline.setOffline(true);
  await p.reload();
  await waitReady(p);
  assert.equal(await p.locator('#findings .finding').count(), n);
  await p.goto(new URL('rules.html', site.url).href);
  await p.waitForSelector('article.rule-doc');
  await offline.close();
});

test('readable on a phone-sized screen', async () => {
  const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
  const p = await phone.newPage();
  await p.goto(site.url);
  await waitReady(p);
  const width = await p.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 390, `no horizontal scrolling (page is ${width}px wide)`);
  for (const sel of ['#summary', '.cm-editor', '#findings .finding']) {
    const box = await p.locator(sel).first().boundingBox();
    assert.ok(box && box.width >= 300 && box.x >= 0 && box.x + box.width <= 391, `${sel} fits the screen: ${JSON.stringify(box)}`);
  }
  const font = await p.$eval('#findings .finding .message', (n) => parseFloat(getComputedStyle(n).fontSize));
  assert.ok(font >= 13, `finding text is readable (${font}px)`);
  await p.screenshot({ path: path.join(OUT, 'playground-phone.png'), fullPage: false });
  await phone.close();
});

test('screenshot of the playground', async () => {
  await page.click('#file-list li[data-path="src/lib/supabase/client.ts"] button');
  await page.screenshot({ path: path.join(OUT, 'playground.png') });
  console.log(`# screenshots: ${OUT}/playground.png, playground-phone.png, playground-shared.png`);
});
