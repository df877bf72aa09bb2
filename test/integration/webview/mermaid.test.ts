/**
 * The Markdown preview script (dist/webview/mermaid-preview.js, contributed as
 * `markdown.previewScripts`) in headless Chromium on a page imitating VS Code's
 * Markdown preview: the exported ```mermaid blocks of the retail ERD and star
 * schema become SVG diagrams with one node per table (which also proves the
 * exported Mermaid syntax parses); a broken block shows its error, not a blank.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, waitUntil } from './harness';
import { proposeErd } from '../../../src/core/model/erd-proposal';
import { proposeStar } from '../../../src/core/model/star-proposal';
import { detectHierarchies } from '../../../src/core/model/hierarchies';
import { exportModel } from '../../../src/core/model/export';
import { starTables } from '../../../src/core/model/export/tables';
import { retail } from '../../unit/model/builders';

const ORIGIN = 'https://kimball-preview.test';
const ROOT = join(__dirname, '..', '..', '..');
const SCRIPT = join(ROOT, 'dist', 'webview', 'mermaid-preview.js');
const NONCE = 'bWVybWFpZG5vbmNlMTIz';

const escapeHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** The HTML VS Code's Markdown preview makes of a ```mermaid fence, under its strict CSP. */
function previewHtml(blocks: string[], bodyClass: string): string {
  const csp = `default-src 'none'; img-src ${ORIGIN} https: data:; script-src 'nonce-${NONCE}'; style-src ${ORIGIN} 'unsafe-inline' https: data:; font-src ${ORIGIN} https: data:;`;
  const pres = blocks.map((b) => `<pre><code class="language-mermaid">${escapeHtml(b)}</code></pre>`).join('\n');
  return `<!DOCTYPE html><html><head><meta http-equiv="Content-Security-Policy" content="${csp}"></head>
<body class="${bodyClass}"><div class="markdown-body"><h1>model</h1>${pres}</div>
<script nonce="${NONCE}">window.__problems = []; document.addEventListener('securitypolicyviolation', function (e) { window.__problems.push('CSP ' + e.violatedDirective); });</script>
<script nonce="${NONCE}" src="${ORIGIN}/mermaid-preview.js"></script></body></html>`;
}

let browser: Browser | undefined;
before(async () => {
  if (!existsSync(SCRIPT)) throw new Error('dist/webview/mermaid-preview.js is missing: run `npm run build` first');
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

async function openPreview(blocks: string[], bodyClass = 'vscode-light'): Promise<{ page: Page; problems: () => Promise<string[]> }> {
  if (!browser) throw new Error('the browser is not launched');
  const page = await (await browser.newContext()).newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  const html = previewHtml(blocks, bodyClass);
  await page.route(`${ORIGIN}/**`, (route) => {
    const path = new URL(route.request().url()).pathname;
    if (path === '/index.html') return route.fulfill({ contentType: 'text/html', body: html });
    if (path === '/mermaid-preview.js') return route.fulfill({ contentType: 'text/javascript', body: readFileSync(SCRIPT) });
    return route.fulfill({ status: 404, body: 'not served' });
  });
  await page.goto(`${ORIGIN}/index.html`);
  return { page, problems: async () => [...errors, ...((await page.evaluate('window.__problems')) as string[])] };
}

/** Title (first label: the entity name) of every node (entity box) of each rendered diagram, sorted. */
async function diagramNodes(page: Page): Promise<string[][]> {
  const nodes = (await page.evaluate(
    `Array.from(document.querySelectorAll('.kimball-mermaid svg')).map((svg) => Array.from(svg.querySelectorAll('g.node')).map((n) => (n.querySelector('span, text') || {}).textContent || ''))`,
  )) as string[][];
  return nodes.map((titles) => titles.map((t) => t.trim()).sort());
}

function models() {
  const r = retail();
  const erd = proposeErd(r.catalog, { name: 'shop' });
  const star = detectHierarchies(proposeStar(erd, r.catalog), r.catalog, erd).star;
  return { erd, star };
}

test('the exported retail ERD and star schema render as SVG with one node per table, no errors', async () => {
  const { erd, star } = models();
  const erdText = exportModel(erd, 'mermaid')[0].text;
  const starText = exportModel(star, 'mermaid', { erd })[0].text;
  const { page, problems } = await openPreview([erdText, starText]);
  await waitUntil(page, `document.querySelectorAll('.kimball-mermaid').length === 2`, 30_000);
  assert.equal(await page.locator('pre > code.language-mermaid').count(), 0, 'the code blocks were replaced');
  assert.equal(await page.locator('.kimball-mermaid-error').count(), 0, 'no render error');
  const [erdNodes, starNodes] = await diagramNodes(page);
  assert.deepEqual(erdNodes, erd.entities.map((e) => e.name).sort(), 'one ERD node per entity, titled with its name');
  assert.deepEqual(starNodes, starTables(star, erd).tables.map((t) => t.name).sort(), 'one star node per fact and dimension');
  assert.ok(starNodes.length > 3 && erdNodes.length === 5);
  assert.deepEqual(await problems(), []);
  await page.context().close();
});

test('a broken block shows the error text in its place; new blocks render after updateContent', async () => {
  const { page, problems } = await openPreview(['erDiagram\n  a }o--|| \n'], 'vscode-dark');
  await waitUntil(page, `document.querySelectorAll('.kimball-mermaid').length === 1`, 30_000);
  const error = (await page.locator('.kimball-mermaid-error').textContent()) ?? '';
  assert.match(error, /^Mermaid diagram could not be rendered: \S/);
  // The preview replaces its content on edits and fires this event.
  await page.evaluate(
    `document.querySelector('.markdown-body').insertAdjacentHTML('beforeend', '<pre><code class="language-mermaid">erDiagram\\n  orders }o--|| customers : "customer_id"\\n</code></pre>');
     window.dispatchEvent(new CustomEvent('vscode.markdown.updateContent'));`,
  );
  await waitUntil(page, `document.querySelectorAll('.kimball-mermaid svg').length === 1`, 30_000);
  const [nodes] = await diagramNodes(page);
  assert.deepEqual(nodes, ['customers', 'orders']);
  assert.deepEqual(await problems(), []);
  await page.context().close();
});
