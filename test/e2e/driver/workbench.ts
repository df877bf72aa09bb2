/**
 * Driving the code-server workbench the way a user does: palette, quick input, notifications, sidebar
 * trees, tabs and the webviews of custom editors. Selectors follow VS Code's DOM (1.100).
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { FrameLocator, Locator, Page } from 'playwright-core';

export const SCREENSHOTS = join(__dirname, '..', 'screenshots');

export const shot = (page: Page, name: string): Promise<unknown> => page.screenshot({ path: join(SCREENSHOTS, `${name}.png`) });

export const quickInput = (page: Page): Locator => page.locator('.quick-input-widget .quick-input-box input');

/** Error toasts carry the error icon (an info toast may well contain the word "failed": "0 failed"). */
const errorToasts = (page: Page): Locator =>
  page.locator('.notifications-toasts .notification-toast', { has: page.locator('.codicon-error') });

/** Error toasts already shown when the last command started: any other one is that command's failure. */
const errorsBefore = new WeakMap<Page, Set<string>>();

/** Remember the error toasts shown now: any other one shown later is the failure of what the user does next. */
export async function markErrors(page: Page): Promise<void> {
  errorsBefore.set(page, new Set(await errorToasts(page).allInnerTexts()));
}

/** F1, type the command's label, check it is the first row, Enter. */
export async function runCommand(page: Page, label: string): Promise<void> {
  await markErrors(page);
  await openPalette(page, 'F1');
  const input = quickInput(page);
  await input.fill(`>${label}`);
  const first = page.locator('.quick-input-widget .monaco-list-row').first();
  await first.filter({ hasText: label.replace(/^Kimball: /, '') }).waitFor({ timeout: 10_000 });
  await page.keyboard.press('Enter');
}

/**
 * runCommand for a command that comes from an extension's contributions, right after a (re)load: until the
 * extension host has registered them the palette does not list it (a cached view container may already be
 * drawn), so reopen the palette until it does.
 */
export async function runCommandWhenListed(page: Page, label: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await runCommand(page, label);
      return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await page.keyboard.press('Escape');
      await page.waitForTimeout(1_000);
    }
  }
}

export async function typeInQuickInput(page: Page, text: string): Promise<void> {
  const input = quickInput(page);
  await input.waitFor({ state: 'visible', timeout: 10_000 });
  await input.fill(text);
  await page.keyboard.press('Enter');
}

export function modelFiles(ws: string, suffix: string): string[] {
  const dir = join(ws, 'models');
  return existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith(suffix)) : [];
}

/** If a quick pick shows within a few seconds, choose the row labelled `label`. */
export async function answerPickIfAsked(page: Page, label: string): Promise<void> {
  const input = quickInput(page);
  try {
    await input.waitFor({ state: 'visible', timeout: 5_000 });
  } catch {
    return;
  }
  await input.fill(label);
  await page.locator('.quick-input-widget .monaco-list-row', { hasText: label }).first().waitFor({ timeout: 5_000 });
  await page.keyboard.press('Enter');
}

/**
 * Wait for `target` (an element to show, or a probe to return true), accepting the default of any prompt
 * (input box or pick) the command shows meanwhile; an error toast that was not there before fails at once.
 */
export async function acceptPromptsUntil(
  page: Page,
  target: Locator | (() => boolean | Promise<boolean>),
  timeoutMs: number,
  what = typeof target === 'function' ? 'the condition' : target.toString(),
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const failures = errorToasts(page);
  const seen = errorsBefore.get(page) ?? new Set(await failures.allInnerTexts());
  const reached = typeof target === 'function' ? target : () => target.isVisible();
  while (Date.now() < deadline) {
    if (await reached()) return;
    const fresh = (await failures.allInnerTexts()).find((t) => !seen.has(t));
    if (fresh) throw new Error(`the command failed: ${fresh.replace(/\s+/g, ' ')}`);
    if (await quickInput(page).isVisible()) await page.keyboard.press('Enter');
    await page.waitForTimeout(250);
  }
  throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
}

export function toast(page: Page, text: string | RegExp): Locator {
  return page.locator('.notifications-toasts .notification-toast', { hasText: text }).first();
}

export function pane(page: Page, title: string): Locator {
  return page.locator('.part.sidebar .pane', { has: page.locator('.pane-header h3.title', { hasText: new RegExp(`^${title}$`, 'i') }) });
}

export function row(tree: Locator, text: string): Locator {
  return tree.locator('.monaco-list-row', { hasText: text }).first();
}

/** A button of a view's title bar (VS Code shows them while the pointer is over the view or it has focus). */
export function viewAction(page: Page, view: string, label: string): Locator {
  return pane(page, view).locator('.pane-header .actions').getByRole('button', { name: label, exact: true });
}

/** Point at the view, as a user does to see its title-bar buttons, then click the one labelled `label`. */
export async function clickViewAction(page: Page, view: string, label: string): Promise<void> {
  await markErrors(page);
  await pane(page, view).locator('.pane-header').hover();
  const button = viewAction(page, view, label);
  await button.waitFor({ state: 'visible', timeout: 10_000 });
  await button.click();
}

export async function expectPaneTitles(page: Page, titles: string[]): Promise<void> {
  const shown = (await page.locator('.part.sidebar .pane-header h3.title').allInnerTexts()).map((t) => t.trim().toLowerCase());
  const missing = titles.filter((t) => !shown.includes(t.toLowerCase()));
  if (missing.length > 0) throw new Error(`sidebar views missing: ${missing.join(', ')} (shown: ${shown.join(', ')})`);
}

/**
 * Open the palette (F1) or Quick Open (Control+P). A focused webview keeps keys to itself, so when the
 * widget does not show, click on the workbench outside the webview and press again, as a user would.
 */
export async function openPalette(page: Page, key: 'F1' | 'Control+P'): Promise<void> {
  const input = quickInput(page);
  for (let attempt = 0; attempt < 3; attempt++) {
    await page.keyboard.press('Escape');
    await page.keyboard.press(key);
    try {
      await input.waitFor({ state: 'visible', timeout: 3_000 });
      return;
    } catch {
      // Clicking the sidebar's title takes focus out of the webview's frame without changing anything.
      await page.locator('.part.sidebar .composite.title').first().click().catch(() => undefined);
    }
  }
  await input.waitFor({ state: 'visible', timeout: 5_000 });
}

/** Quick Open the file; the custom editor is the default for it. Returns the webview's content frame. */
export async function openInEditor(page: Page, fileName: string): Promise<FrameLocator> {
  await openPalette(page, 'Control+P');
  await typeInQuickInputAfterRow(page, fileName);
  const tab = page.locator('.tabs-container .tab.active', { hasText: fileName });
  await tab.waitFor({ timeout: 30_000 });
  // Several webviews may exist (one per custom editor opened): the visible one is the active editor's.
  const frame = page.locator('iframe.webview.ready:visible').last();
  await frame.waitFor({ timeout: 30_000 });
  return page.frameLocator('iframe.webview.ready:visible >> nth=-1').frameLocator('#active-frame');
}

export async function typeInQuickInputAfterRow(page: Page, text: string): Promise<void> {
  const input = quickInput(page);
  await input.waitFor({ state: 'visible', timeout: 10_000 });
  await input.fill(text);
  await page.locator('.quick-input-widget .monaco-list-row', { hasText: text }).first().waitFor({ timeout: 10_000 });
  await page.keyboard.press('Enter');
}

export async function drag(page: Page, target: Locator, dx: number, dy: number): Promise<void> {
  const box = await target.boundingBox();
  if (!box) throw new Error('the entity to drag has no box on screen');
  const x = box.x + box.width / 2;
  const y = box.y + box.height / 2;
  await page.mouse.move(x, y);
  await page.mouse.down();
  for (let i = 1; i <= 10; i++) await page.mouse.move(x + (dx * i) / 10, y + (dy * i) / 10);
  await page.mouse.up();
}

export async function activeTabDirty(page: Page, dirty: boolean, why: string): Promise<void> {
  const tab = page.locator(dirty ? '.tabs-container .tab.active.dirty' : '.tabs-container .tab.active:not(.dirty)');
  try {
    await tab.waitFor({ timeout: 10_000 });
  } catch {
    throw new Error(why);
  }
}
