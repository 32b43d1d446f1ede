// Shared by the playground's browser test and benchmark: Debian's Chromium driven by
// playwright-core (`npx playwright install` cannot download browsers here), and the built
// site served from a sub-path on loopback.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { serve } from './serve.mjs';

export const WEB = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const REPO = path.resolve(WEB, '..');
export const DIST = path.join(WEB, 'dist');
export const PREFIX = '/tools/supaudit/playground/';

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export function executablePath() {
  const candidates = [process.env.CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser'].filter(Boolean);
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw new Error(`no Chromium found (tried ${candidates.join(', ')}); apt-get install -y chromium`);
  return found;
}

export function launch() {
  return chromium.launch({ executablePath: executablePath(), args: CHROMIUM_ARGS });
}

export function serveSite() {
  if (!existsSync(path.join(DIST, 'index.html'))) {
    throw new Error(`${DIST}/index.html is missing: run \`npm run build\` at the repository root first`);
  }
  return serve(DIST, { prefix: PREFIX });
}

/** Collects console errors and uncaught exceptions of a page (a test asserts there are none). */
export function watchErrors(page) {
  const errors = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console.error: ${m.text()}`);
  });
  return errors;
}

export async function waitReady(page, timeout = 30_000) {
  await page.waitForSelector('html[data-state=ready]', { timeout });
}

/** The findings panel as sorted `rule|file|line` keys. */
export async function panelFindings(page) {
  const keys = await page.$$eval('#findings .finding', (items) =>
    items.map((li) => `${li.dataset.rule}|${li.dataset.file}|${li.dataset.line}`),
  );
  return keys.sort();
}
