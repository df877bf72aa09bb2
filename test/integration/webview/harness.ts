/**
 * Loads a built model-editor bundle (dist/webview/<kind>.js) in headless
 * Chromium (test/helpers/browser.ts) with the real page (src/vscode/editors/html.ts: same CSP,
 * nonce, stylesheet), served from a fake origin. `acquireVsCodeApi` is a stub
 * that records what the webview posts; messages go in with window.postMessage,
 * as VS Code delivers them. Also used by bench/cases/editor-render.ts.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { after, afterEach, before, beforeEach } from 'node:test';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { webviewHtml } from '../../../src/vscode/editors/html';
import { launchChromium } from '../../helpers/browser';

const ORIGIN = 'https://kimball-webview.test';
const ROOT = join(__dirname, '..', '..', '..');
export const SCREENSHOTS = join(ROOT, 'test', 'e2e', 'screenshots');

export async function launchBrowser(): Promise<Browser> {
  const bundle = join(ROOT, 'dist', 'webview', 'erd.js');
  if (!existsSync(bundle)) throw new Error('dist/webview/erd.js is missing: run `npm run build` first');
  return launchChromium();
}

export interface EditorPage {
  page: Page;
  /** Messages the webview posted, in order. */
  posted(): Promise<unknown[]>;
  /** Forget the recorded messages. */
  clearPosted(): Promise<void>;
  send(message: unknown): Promise<void>;
  /** CSP violations and page errors seen so far (expected empty). */
  problems(): Promise<string[]>;
  screenshot(name: string): Promise<void>;
  /** What the webview last stored with setState. */
  state(): Promise<unknown>;
  close(): Promise<void>;
}

/** The stub of the VS Code webview API: records posted messages; also records CSP violations. */
const STUB_SCRIPT = `
window.__posted = [];
window.__problems = [];
window.__state = window.__state === undefined ? undefined : window.__state;
window.acquireVsCodeApi = function () {
  return {
    postMessage: function (m) { window.__posted.push(JSON.parse(JSON.stringify(m))); },
    getState: function () { return window.__state; },
    setState: function (s) { window.__state = JSON.parse(JSON.stringify(s)); },
  };
};
document.addEventListener('securitypolicyviolation', function (e) { window.__problems.push('CSP ' + e.violatedDirective + ' blocked ' + e.blockedURI); });
`;

export async function openEditor(
  browser: Browser,
  kind: 'erd' | 'star',
  opts: { viewport?: { width: number; height: number }; state?: unknown } = {},
): Promise<EditorPage> {
  const viewport = opts.viewport ?? { width: 1400, height: 900 };
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(`pageerror: ${e.message}`));
  // A string, not a function: tsx (esbuild keepNames) would wrap a function's inner arrows in a `__name` helper the page lacks.
  // Webview state kept by VS Code across reloads of the webview (set before the stub reads it).
  if (opts.state !== undefined) await page.addInitScript(`window.__state = ${JSON.stringify(opts.state)};`);
  await page.addInitScript(STUB_SCRIPT);
  const html = webviewHtml({
    title: `test ${kind}`,
    cspSource: ORIGIN,
    nonce: 'dGVzdG5vbmNlMTIzNDU2',
    scriptUri: `${ORIGIN}/dist/webview/${kind}.js`,
    styleUri: `${ORIGIN}/media/editor.css`,
    placeholder: 'Loading the diagram…',
  });
  await page.route(`${ORIGIN}/**`, async (route) => {
    const path = new URL(route.request().url()).pathname;
    if (path === '/index.html') return route.fulfill({ contentType: 'text/html', body: html });
    const file = join(ROOT, path);
    if (!path.startsWith('/dist/webview/') && !path.startsWith('/media/')) return route.fulfill({ status: 404, body: 'not served' });
    if (!existsSync(file)) return route.fulfill({ status: 404, body: 'missing' });
    const type = path.endsWith('.css') ? 'text/css' : path.endsWith('.js') ? 'text/javascript' : 'application/json';
    return route.fulfill({ contentType: type, body: readFileSync(file) });
  });
  await page.goto(`${ORIGIN}/index.html`);
  await waitUntil(page, `window.__posted.some((m) => m.type === 'ready')`);
  return {
    page,
    posted: () => page.evaluate('window.__posted') as Promise<unknown[]>,
    clearPosted: () => page.evaluate('void (window.__posted = [])') as Promise<void>,
    send: (message) => page.evaluate(`window.postMessage(${JSON.stringify(message)}, '*')`) as Promise<void>,
    problems: async () => [...pageErrors, ...((await page.evaluate('window.__problems')) as string[])],
    state: () => page.evaluate('window.__state'),
    screenshot: async (name) => {
      mkdirSync(SCREENSHOTS, { recursive: true });
      await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`) });
    },
    close: () => context.close(),
  };
}

/** The editor a test works on; `ed` is replaced when a test reopens it. */
export interface EditorFixture {
  readonly ed: EditorPage;
  /** Close the editor and open a fresh one with no model yet (e.g. restoring a saved webview state). */
  reopen(opts?: { state?: unknown }): Promise<EditorPage>;
}

/**
 * Registers the hooks every editor test file shares: one browser per file; before each test a fresh
 * editor showing `message()` with `boxes` boxes drawn and nothing posted yet; after each, no CSP
 * violations or page errors.
 */
export function editorFixture(kind: 'erd' | 'star', message: () => unknown, boxes: number): EditorFixture {
  let browser: Browser | undefined;
  let current: EditorPage | undefined;
  const open = async (opts: { state?: unknown } = {}): Promise<EditorPage> => {
    if (!browser) throw new Error('editorFixture: the browser is not launched yet');
    current = await openEditor(browser, kind, opts);
    return current;
  };
  before(async () => {
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
  });
  beforeEach(async () => {
    const ed = await open();
    await ed.send(message());
    await waitForBoxes(ed.page, boxes);
    await ed.clearPosted();
  });
  afterEach(async () => {
    assert.deepEqual(await fixture.ed.problems(), [], 'no CSP violations or page errors');
    await fixture.ed.close();
  });
  const fixture: EditorFixture = {
    get ed(): EditorPage {
      if (!current) throw new Error('editorFixture: no editor is open outside a test');
      return current;
    },
    reopen: async (opts) => {
      await current?.close();
      return open(opts);
    },
  };
  return fixture;
}

/** Wait until `n` boxes are drawn, then for one more frame (so the drawing is painted). */
export async function waitForBoxes(page: Page, n: number): Promise<void> {
  await waitUntil(page, `document.querySelectorAll('[data-box]').length === ${n}`);
  await nextFrame(page);
}

/*
 * Page-side code is passed as strings: the test tsconfig has no DOM lib, and tsx would wrap a passed
 * function's inner arrows in a helper the page lacks.
 */

/** Poll a page expression until true. (page.waitForFunction compiles its string with eval, which our CSP forbids.) */
export async function waitUntil(page: Page, expression: string, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await page.evaluate(expression))) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${expression}`);
    await new Promise((r) => setTimeout(r, 15));
  }
}

export function nextFrame(page: Page): Promise<unknown> {
  return page.evaluate('new Promise((r) => requestAnimationFrame(() => r(null)))');
}

/** An attribute of the focused element (null when absent). */
export async function focusedAttr(page: Page, attr: string): Promise<string | null> {
  return (await page.evaluate(`document.activeElement ? document.activeElement.getAttribute(${JSON.stringify(attr)}) : null`)) as string | null;
}

/** Screen centre of a box's header (where a user grabs it). */
export async function headerPoint(page: Page, box: string): Promise<{ x: number; y: number }> {
  const r = await page.locator(`[data-box="${box}"] .box-header`).boundingBox();
  if (!r) throw new Error(`box ${box} is not visible`);
  return { x: r.x + r.width / 2, y: r.y + r.height / 2 };
}

/** Current zoom factor of the canvas (world transform scale). */
export async function zoom(page: Page): Promise<number> {
  const t = (await page.locator('#canvas > g.world').getAttribute('transform')) ?? '';
  const m = /scale\(([\d.e-]+)\)/.exec(t);
  return m ? Number(m[1]) : 1;
}
