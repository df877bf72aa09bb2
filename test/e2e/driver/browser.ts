/** Pages of the workbench in the shared headless Chromium (test/helpers/browser.ts), their console kept in a log. */
import { appendFileSync } from 'node:fs';
import type { Browser, ConsoleMessage, Page } from 'playwright-core';

export async function newPage(browser: Browser, logFile: string, echo: (line: string) => void): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const page = await context.newPage();
  page.on('console', (m) => {
    void consoleLine(m).then((line) => {
      appendFileSync(logFile, line + '\n');
      echo(line);
    });
  });
  page.on('pageerror', (e) => appendFileSync(logFile, `[pageerror] ${e.message}\n`));
  return page;
}

/**
 * The extension host's console reaches the page as ('%c INFO', 'color: ...', fmt, ...args): drop the %c
 * directives and the CSS arguments they consume, keep the rest.
 */
export async function consoleLine(m: ConsoleMessage): Promise<string> {
  const args = await Promise.all(m.args().map((a) => a.jsonValue().catch(() => undefined)));
  if (args.length === 0 || typeof args[0] !== 'string' || !args[0].includes('%c')) return `[${m.type()}] ${m.text()}`;
  const format = args[0];
  const styles = (format.match(/%c/g) ?? []).length;
  const rest = args.slice(1 + styles).map((a) => (typeof a === 'string' ? a : JSON.stringify(a)));
  // What follows the styles is often a printf format of its own (mocha's reporter: '  ✔ %s (%dms)').
  if (rest.length > 0 && /%[sdifoOj]/.test(rest[0])) {
    const [fmt, ...values] = rest;
    let used = 0;
    const line = fmt.replace(/%[sdifoOj]/g, (spec) => (used < values.length ? values[used++] : spec));
    rest.splice(0, rest.length, line, ...values.slice(used));
  }
  return `[${m.type()}] ${[format.replace(/%c/g, '').trim(), ...rest].join(' ')}`;
}
