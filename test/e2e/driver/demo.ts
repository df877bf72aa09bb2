/**
 * Figures on the demo data (examples/retail-data.ts: five files, 20,000 orders), driven like a user in a
 * workspace of its own: "Kimball: Discover" to the catalog tree populated, and the first paint of the
 * demo ERD in its custom editor. Skipped, with the reason, while the phases it needs have not landed.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { writeRetailData } from '../../../examples/retail-data';
import { newPage } from './browser';
import type { Host } from './host';
import type { Tally } from './tally';
import { SCREENSHOTS, acceptPromptsUntil, modelFiles, openInEditor, pane, row, runCommand, shot, toast } from './workbench';

const NEEDS = ['kimball.initProject', 'kimball.refreshSources', 'kimball.acquire', 'kimball.discover', 'kimball.generateErd'];
const TITLE = 'demo data: acquire, Discover to catalog tree populated, Generate ERD, ERD first paint';

export async function measureDemo(browser: Browser, host: Host, tally: Tally, registered: Set<string>): Promise<void> {
  const missing = NEEDS.filter((c) => !registered.has(c));
  if (missing.length > 0) {
    tally.fail(`ui: ${TITLE}`, `${missing.join(', ')} not registered`);
    return;
  }
  const ws = join(host.dir, 'ws-demo');
  const files = writeRetailData(join(ws, 'data'));
  const page = await newPage(browser, join(host.dir, 'demo-console.log'), () => undefined);
  try {
    await demo(page, host.url(ws), ws, files.length, tally);
    tally.pass(`ui: ${TITLE}`);
  } catch (err) {
    await shot(page, 'failed-demo').catch(() => undefined);
    tally.fail(`ui: ${TITLE}`, `${err instanceof Error ? err.message : String(err)} (screenshot failed-demo.png)`);
  } finally {
    await page.context().close();
  }
}

async function demo(page: Page, url: string, ws: string, objects: number, tally: Tally): Promise<void> {
  await page.goto(url);
  await page.locator('.activitybar [aria-label*="Kimball"]').first().click({ timeout: 60_000 });
  await runCommand(page, 'Kimball: Initialize Project');
  await acceptPromptsUntil(page, toast(page, 'Kimball project ready'), 60_000);
  mkdirSync(join(ws, '.kimball', 'sources'), { recursive: true });
  writeFileSync(join(ws, '.kimball', 'sources', 'retail.json'), JSON.stringify({ kind: 'files', name: 'retail', path: 'data' }, null, 2) + '\n');
  await runCommand(page, 'Kimball: Refresh Data Sources');
  await row(pane(page, 'Data Sources'), 'retail').waitFor({ timeout: 15_000 });

  let started = Date.now();
  await runCommand(page, 'Kimball: Acquire All Sources');
  const warehouse = pane(page, 'Warehouse');
  await acceptPromptsUntil(page, warehouse.locator('.monaco-list-row', { hasText: 'retail__' }).nth(objects - 1), 120_000);
  tally.metric('ui demo data: "Kimball: Acquire All Sources" to every bronze table in the tree ms', Date.now() - started);

  const catalog = pane(page, 'Catalog');
  started = Date.now();
  await runCommand(page, 'Kimball: Discover');
  await acceptPromptsUntil(page, catalog.locator('.monaco-list-row', { hasText: 'retail__' }).nth(objects - 1), 180_000);
  tally.metric('ui demo data: "Kimball: Discover" to catalog tree populated ms', Date.now() - started);
  await page.locator('.part.sidebar').screenshot({ path: join(SCREENSHOTS, 'demo-catalog-tree.png') });

  await runCommand(page, 'Kimball: Generate ERD');
  await acceptPromptsUntil(page, toast(page, 'Kimball: ERD with'), 120_000);
  const erd = modelFiles(ws, '.erd.json')[0];
  if (!erd) throw new Error('Generate ERD wrote no models/*.erd.json');
  // First paint of a cold editor: close what Generate ERD opened, then open the file as a user would.
  await page.keyboard.press('Escape');
  await runCommand(page, 'View: Close All Editors');
  // Let the closed webview go before a new one starts (they share the page's resource service worker).
  await waitUntil(async () => (await page.locator('iframe.webview').count()) === 0, 15_000);
  started = Date.now();
  let frame = await openInEditor(page, erd);
  const drawn = () => frame.getByText(/customer/i).filter({ visible: true }).first().waitFor({ timeout: 30_000 });
  try {
    await drawn();
  } catch (err) {
    // code-server's webview service worker now and then never delivers a fresh webview's page or script:
    // the frame shows the static placeholder, or nothing at all. Only that host hiccup is retried (once,
    // and reported); a script that ran (its toolbar is there) and drew nothing fails the test.
    if ((await frame.locator('#search').count().catch(() => 0)) > 0) throw err;
    console.log('  note: the webview script was never delivered by the host; reopening the editor once');
    await runCommand(page, 'View: Close All Editors');
    await waitUntil(async () => (await page.locator('iframe.webview').count()) === 0, 15_000);
    started = Date.now();
    frame = await openInEditor(page, erd);
    await drawn();
  }
  tally.metric('ui demo data: ERD editor first paint ms (Quick Open to entities drawn)', Date.now() - started);
  await shot(page, 'demo-erd-editor');
}

async function waitUntil(probe: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
