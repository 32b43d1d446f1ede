// The rule catalog page: every rule's documentation, from the same WASM build as the
// playground (so it works offline and never disagrees with the analyser). Findings link
// here as `rules.html#<rule>`.
import init, { rules, version } from '../pkg/supaudit_wasm.js';
import { renderMarkdown } from './markdown.js';

const el = (tag, attrs = {}, html = '') => {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  node.innerHTML = html;
  return node;
};
const escape = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');

await init();
const list = rules().sort((a, b) => a.category.localeCompare(b.category) || a.name.localeCompare(b.name));
const main = document.getElementById('rules');
main.replaceChildren(
  el('p', { class: 'muted' }, `${list.length} rules in supaudit ${escape(version())}. Configure them in <code>supaudit.toml</code>.`),
);
for (const r of list) {
  const facts = [r.category, r.severity, r.fix ? 'has a fix' : 'no fix', r.defaultEnabled ? 'on by default' : 'off by default'];
  const article = el(
    'article',
    { id: r.name, class: 'rule-doc', 'data-rule': r.name },
    `<h2><a href="#${r.name}">${escape(r.name)}</a></h2>` +
      `<div class="rule-facts">${facts.map((f) => `<span class="chip">${escape(f)}</span>`).join('')}</div>` +
      renderMarkdown(r.docs),
  );
  main.append(article);
}
document.getElementById('rule-filter').addEventListener('input', (e) => {
  const q = e.target.value.trim().toLowerCase();
  for (const a of main.querySelectorAll('.rule-doc')) a.hidden = q !== '' && !a.textContent.toLowerCase().includes(q);
});
if (location.hash) document.getElementById(decodeURIComponent(location.hash.slice(1)))?.scrollIntoView();
