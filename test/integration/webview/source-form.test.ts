/**
 * The Add / Edit Data Source form (dist/webview/source-form.js) in headless Chromium, on the real page
 * (src/vscode/forms/source-form-html.ts: same CSP, nonce and stylesheet as in VS Code) with the stub
 * VS Code webview API the editor tests use: the fields of each kind render with labels, errors show
 * next to their fields, Save / Test / Browse post the expected messages, and a test result renders.
 */
import { test, before, after, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, waitUntil } from './harness';
import { webviewHtml } from '../../../src/vscode/editors/html';
import type { HostMessage } from '../../../webview/source-form/protocol';
import type { SourceConfig } from '../../../src/core/sources';

const ORIGIN = 'https://kimball-form.test';
const ROOT = join(__dirname, '..', '..', '..');
const BUNDLE = join(ROOT, 'dist', 'webview', 'source-form.js');

/** The stub of acquireVsCodeApi (as in harness.ts): records posted messages and the webview state. */
const STUB = `
window.__posted = [];
window.__problems = [];
window.acquireVsCodeApi = function () {
  return {
    postMessage: function (m) { window.__posted.push(JSON.parse(JSON.stringify(m))); },
    getState: function () { return window.__state; },
    setState: function (s) { window.__state = JSON.parse(JSON.stringify(s)); },
  };
};
document.addEventListener('securitypolicyviolation', function (e) { window.__problems.push('CSP ' + e.violatedDirective + ' blocked ' + e.blockedURI); });
`;

interface Posted {
  type: string;
  config?: Record<string, unknown>;
  secret?: string;
}

let browser: Browser | undefined;
let page: Page;
let errors: string[] = [];

before(async () => {
  if (!existsSync(BUNDLE)) throw new Error('dist/webview/source-form.js is missing: run `npm run build` first');
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

async function openForm(state?: unknown): Promise<void> {
  if (!browser) throw new Error('no browser');
  page = await (await browser.newContext({ viewport: { width: 900, height: 1000 } })).newPage();
  errors = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  if (state !== undefined) await page.addInitScript(`window.__state = ${JSON.stringify(state)};`);
  await page.addInitScript(STUB);
  const html = webviewHtml({ title: 'test form', cspSource: ORIGIN, nonce: 'Zm9ybW5vbmNlMTIzNDU2', scriptUri: `${ORIGIN}/dist/webview/source-form.js`, styleUri: `${ORIGIN}/media/source-form.css` });
  await page.route(`${ORIGIN}/**`, (route) => {
    const path = new URL(route.request().url()).pathname;
    if (path === '/index.html') return route.fulfill({ contentType: 'text/html', body: html });
    if (path === '/dist/webview/source-form.js') return route.fulfill({ contentType: 'text/javascript', body: readFileSync(BUNDLE) });
    if (path === '/media/source-form.css') return route.fulfill({ contentType: 'text/css', body: readFileSync(join(ROOT, 'media', 'source-form.css')) });
    return route.fulfill({ status: 404, body: 'not served' });
  });
  await page.goto(`${ORIGIN}/index.html`);
  await waitUntil(page, `window.__posted.some((m) => m.type === 'ready')`);
  await page.evaluate('void (window.__posted = [])');
}

async function send(m: HostMessage): Promise<void> {
  await page.evaluate(`window.postMessage(${JSON.stringify(m)}, '*')`);
}

async function init(config: SourceConfig, extra: Partial<Extract<HostMessage, { type: 'init' }>> = {}): Promise<void> {
  await send({ type: 'init', mode: 'edit', config, settingsFile: `.kimball/sources/${config.name}.json`, ...extra });
  await waitUntil(page, `document.querySelector('form') !== null`);
}

const posted = () => page.evaluate('window.__posted') as Promise<Posted[]>;
const byId = (path: string) => `#f${path.replace(/[^A-Za-z0-9]/g, '-')}`;
const errorOf = (path: string) => page.locator(`${byId(path)}-error`).textContent();

/** Every input, select and textarea has a <label for> naming it. */
async function unlabelled(): Promise<string[]> {
  return (await page.evaluate(
    `Array.from(document.querySelectorAll('input, select, textarea')).filter((el) => !el.id || !document.querySelector('label[for="' + el.id + '"]')).map((el) => el.outerHTML)`,
  )) as string[];
}

beforeEach(async () => openForm());
afterEach(async () => {
  const csp = (await page.evaluate('window.__problems')) as string[];
  assert.deepEqual([...errors, ...csp], [], 'no CSP violations or page errors');
  await page.context().close();
});

test('a files source renders its fields with their values, a Browse button and the settings-file link', async () => {
  await init({ kind: 'files', name: 'shop', path: 'data', glob: '**/*.csv', delimiter: '\t', header: false, encoding: 'latin1', sheets: ['A', 'B'] });
  assert.equal(await page.inputValue(byId('/path')), 'data');
  assert.equal(await page.inputValue(byId('/glob')), '**/*.csv');
  assert.equal(await page.inputValue(byId('/delimiter')), '\\t');
  assert.equal(await page.inputValue(byId('/header')), 'false');
  assert.equal(await page.inputValue(byId('/encoding')), 'latin1');
  assert.equal(await page.inputValue(byId('/sheets')), 'A, B');
  assert.equal(await page.getAttribute(byId('/name'), 'readonly'), '', 'the name is read-only on edit');
  assert.equal(await page.locator('#browse').count(), 1);
  assert.equal(await page.locator('input[type="password"]').count(), 0, 'a files source has no secret');
  assert.deepEqual(await unlabelled(), []);
  await page.click('#browse');
  await page.click('#open-settings');
  assert.deepEqual((await posted()).map((m) => m.type), ['browse', 'openSettings']);
  await send({ type: 'picked', path: '/abs/elsewhere' });
  await waitUntil(page, `document.querySelector('${byId('/path')}').value === '/abs/elsewhere'`);
});

test('a PostgreSQL source renders connection fields, a password that is never echoed, and cursor rows', async () => {
  await init(
    { kind: 'postgres', name: 'pg', host: 'db', port: 5433, database: 'shop', user: 'u', sslMode: 'require', schemas: ['public', 'sales'], cursors: { orders: 'updated_at' } },
    { secret: { field: 'password', label: 'Password', stored: true } },
  );
  for (const [p, v] of [['/host', 'db'], ['/port', '5433'], ['/database', 'shop'], ['/user', 'u'], ['/sslMode', 'require'], ['/schemas', 'public, sales'], ['/cursors/#0', 'orders'], ['/cursors/#0/value', 'updated_at']]) {
    assert.equal(await page.inputValue(byId(p)), v, p);
  }
  assert.equal(await page.getAttribute(byId('/secret'), 'type'), 'password');
  assert.equal(await page.inputValue(byId('/secret')), '', 'a stored secret is never sent to the webview');
  assert.match((await page.locator(`${byId('/secret')}-hint`).textContent()) ?? '', /Stored .*Leave empty to keep it/);
  assert.deepEqual(await unlabelled(), []);
  await page.fill(byId('/secret'), 's3cret-typed');
  await page.fill(byId('/port'), '5434');
  assert.ok(!JSON.stringify(await page.evaluate('window.__state')).includes('s3cret-typed'), 'the secret is not in the webview state');
  await page.click('#save');
  const [save] = await posted();
  assert.deepEqual(save, {
    type: 'save',
    secret: 's3cret-typed',
    config: { kind: 'postgres', name: 'pg', host: 'db', port: 5434, database: 'shop', user: 'u', sslMode: 'require', schemas: ['public', 'sales'], cursors: { orders: 'updated_at' } },
  });
});

test('an S3 source renders bucket, endpoint, path-style and the secret access key as "not stored"', async () => {
  await init(
    { kind: 's3', name: 'lake', bucket: 'b', prefix: 'raw/', region: 'eu-west-1', endpoint: 'http://localhost:9000', pathStyle: true, accessKeyId: 'AK' },
    { secret: { field: 'secretAccessKey', label: 'Secret access key', stored: false } },
  );
  assert.equal(await page.inputValue(byId('/bucket')), 'b');
  assert.equal(await page.inputValue(byId('/endpoint')), 'http://localhost:9000');
  assert.equal(await page.isChecked(byId('/pathStyle')), true);
  assert.equal(await page.inputValue(byId('/accessKeyId')), 'AK');
  assert.match((await page.locator(`${byId('/secret')}-hint`).textContent()) ?? '', /Not stored yet/);
  assert.deepEqual(await unlabelled(), []);
  await page.uncheck(byId('/pathStyle'));
  await page.fill(byId('/prefix'), '');
  await page.click('#save');
  const [save] = await posted();
  assert.deepEqual(save.config, { kind: 's3', name: 'lake', bucket: 'b', region: 'eu-west-1', endpoint: 'http://localhost:9000', accessKeyId: 'AK' });
  assert.equal(save.secret, '', 'empty: keep the stored secret');
});

test('a REST source edits its endpoint list: add, paginate, remove', async () => {
  await init(
    { kind: 'http', name: 'api', baseUrl: 'https://api.example.com', authHeader: 'Authorization', authScheme: 'Bearer', endpoints: [{ name: 'orders', path: '/orders', recordsPath: 'data', pagination: { kind: 'page', param: 'page' } }] },
    { secret: { field: 'token', label: 'API token', stored: false } },
  );
  assert.equal(await page.inputValue(byId('/endpoints/0/name')), 'orders');
  assert.equal(await page.inputValue(byId('/endpoints/0/pagination/kind')), 'page');
  assert.equal(await page.inputValue(byId('/endpoints/0/pagination/param')), 'page');
  await page.click('#add-endpoint');
  assert.equal(await page.evaluate('document.activeElement.id'), byId('/endpoints/1/name').slice(1), 'focus moves to the new endpoint');
  await page.fill(byId('/endpoints/1/name'), 'customers');
  await page.fill(byId('/endpoints/1/path'), '/customers');
  await page.selectOption(byId('/endpoints/1/pagination/kind'), 'offset');
  await page.fill(byId('/endpoints/1/pagination/param'), 'offset');
  await page.fill(byId('/endpoints/1/pagination/limitParam'), 'limit');
  await page.fill(byId('/endpoints/1/pagination/limit'), '100');
  await page.click('#add-endpoint');
  await page.click('[aria-label="Remove endpoint 3"]');
  assert.equal(await page.locator(byId('/endpoints/2/name')).count(), 0);
  assert.deepEqual(await unlabelled(), []);
  await page.click('#save');
  const [save] = await posted();
  assert.deepEqual(save.config, {
    kind: 'http',
    name: 'api',
    baseUrl: 'https://api.example.com',
    authHeader: 'Authorization',
    authScheme: 'Bearer',
    endpoints: [
      { name: 'orders', path: '/orders', recordsPath: 'data', pagination: { kind: 'page', param: 'page' } },
      { name: 'customers', path: '/customers', pagination: { kind: 'offset', param: 'offset', limitParam: 'limit', limit: 100 } },
    ],
  });
});

test('invalid values show errors next to their fields, focus the first, and post nothing', async () => {
  await init({ kind: 'postgres', name: 'pg', host: 'db', port: 5432, database: 'shop', user: 'u' });
  await page.fill(byId('/port'), '99999');
  await page.fill(byId('/database'), '');
  await page.click('#save');
  assert.deepEqual(await posted(), []);
  assert.match((await errorOf('/port')) ?? '', /port number/);
  assert.match((await errorOf('/database')) ?? '', /Required/);
  assert.equal(await page.getAttribute(byId('/port'), 'aria-invalid'), 'true');
  assert.equal(await page.evaluate('document.activeElement.id'), byId('/port').slice(1));
  // Errors follow the typing once shown.
  await page.fill(byId('/port'), '5432');
  assert.equal(await page.locator(`${byId('/port')}-error`).isHidden(), true);
  await page.click('#test');
  assert.deepEqual(await posted(), [], 'Test checks first too');

  await page.fill(byId('/database'), 'shop');
  await page.click('[id="add-cursors"]');
  await page.fill(byId('/cursors/#0'), 'bad name');
  await page.fill(byId('/cursors/#0/value'), 'ts');
  await page.click('#save');
  assert.match((await errorOf('/cursors/#0')) ?? '', /not an object name/);
  assert.deepEqual(await posted(), []);
});

test('a new source: the name is editable and checked; Enter saves; the extension\'s problems show by field', async () => {
  await send({ type: 'init', mode: 'add', config: { kind: 'files', name: '', path: '' } });
  await waitUntil(page, `document.querySelector('form') !== null`);
  assert.equal(await page.locator('#open-settings').count(), 0, 'no settings file yet');
  assert.equal(await page.evaluate('document.activeElement.id'), byId('/name').slice(1), 'the name has the focus');
  // By their labels, as a user (and the e2e driver) finds them.
  await page.getByLabel('Name', { exact: true }).fill('9 lives');
  await page.click('#save');
  assert.match((await errorOf('/name')) ?? '', /letter/);
  assert.match((await errorOf('/path')) ?? '', /Required/);
  await page.fill(byId('/name'), 'shop');
  await page.getByLabel('File or folder', { exact: true }).fill('data');
  await page.press(byId('/path'), 'Enter');
  const [save] = await posted();
  assert.deepEqual(save, { type: 'save', config: { kind: 'files', name: 'shop', path: 'data' }, secret: '' });
  await send({ type: 'problems', problems: [{ path: '/name', message: 'A source named shop exists.' }, { path: '', message: 'Disk full.' }] });
  await waitUntil(page, `document.querySelector('${byId('/name')}-error').textContent.includes('exists')`);
  assert.match((await page.locator('#general-errors').textContent()) ?? '', /Disk full/);
});

test('Test posts the current values and renders the result inline', async () => {
  await init({ kind: 'files', name: 'shop', path: 'data' });
  await page.fill(byId('/glob'), '*.csv');
  await page.click('#test');
  const [t] = await posted();
  assert.deepEqual(t, { type: 'test', config: { kind: 'files', name: 'shop', path: 'data', glob: '*.csv' }, secret: '' });
  assert.match((await page.locator('#test-result').textContent()) ?? '', /Testing/);
  assert.equal(await page.isDisabled('#test'), true, 'one test at a time');
  await send({ type: 'testResult', ok: false, message: 'data does not exist' });
  await waitUntil(page, `document.getElementById('test-result').classList.contains('failed')`);
  assert.equal(await page.locator('#test-result').textContent(), 'Test failed: data does not exist');
  assert.equal(await page.isDisabled('#test'), false);
  await page.click('#test');
  await send({ type: 'testResult', ok: true, message: '3 files in data' });
  await waitUntil(page, `document.getElementById('test-result').classList.contains('ok')`);
  assert.equal(await page.locator('#test-result').textContent(), 'Test passed: 3 files in data');
  await page.click('#cancel');
  assert.equal((await posted()).at(-1)?.type, 'cancel');
});

test('typed values survive a reload of the webview (state), a malformed host message is dropped', async () => {
  await init({ kind: 'files', name: 'shop', path: 'data' });
  await page.fill(byId('/glob'), '**/*.parquet');
  const state = await page.evaluate('window.__state');
  await page.context().close();
  await openForm(state);
  await init({ kind: 'files', name: 'shop', path: 'data' });
  assert.equal(await page.inputValue(byId('/glob')), '**/*.parquet');
  await send({ type: 'init', mode: 'edit' } as unknown as HostMessage);
  await send({ type: 'testResult', ok: 'yes', message: 1 } as unknown as HostMessage);
  assert.equal(await page.inputValue(byId('/glob')), '**/*.parquet', 'nothing changed');
});

test('problems before any source (an unreadable settings file) are shown instead of a form', async () => {
  await send({ type: 'problems', problems: [{ path: '', message: '.kimball/sources/shop.json at /port: must be integer' }] });
  await waitUntil(page, `document.querySelector('.general-errors') !== null`);
  assert.match((await page.locator('.general-errors').textContent()) ?? '', /at \/port: must be integer/);
  assert.equal(await page.locator('form').count(), 0);
});
