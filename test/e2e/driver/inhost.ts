/**
 * The in-host mocha suite: the workbench URL carries extensionDevelopmentPath and extensionTestsPath
 * (code-server refuses them on its command line); the workbench calls window.codeAutomationExit(code)
 * when the suite ends, which the page exposes back to us.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import type { SuiteResult } from '../suite/index';
import { newPage } from './browser';
import type { Host } from './host';

export const SUITE = join(__dirname, '..', 'out', 'suite', 'index.js');

export interface InHostOutcome {
  exitCode: number;
  result?: SuiteResult;
  error?: string;
}

export async function runInHostSuite(browser: Browser, host: Host, resultFile: string, timeoutMs: number): Promise<InHostOutcome> {
  const ws = host.workspace('ws-host', ['models']);
  const page = await newPage(browser, join(host.dir, 'in-host-console.log'), (line) => {
    // The suite's own output (mocha's spec reporter, skip notices) is worth seeing live.
    // (skips and figures are repeated in the runner's summary, so only test lines and scripted-UI notes here)
    if (/\[e2e\]|passing|failing|pending|✔|\d+\) /.test(line)) console.log(`  host| ${line.replace(/^\[\w+\] (INFO )?/, '')}`);
  });
  let exited: (code: number) => void = () => undefined;
  const exit = new Promise<number>((resolve) => (exited = resolve));
  await page.exposeFunction('codeAutomationExit', (code: number) => exited(code));
  await page.goto(host.url(ws, SUITE));
  const timeout = new Promise<number>((resolve) => setTimeout(() => resolve(-1), timeoutMs));
  const exitCode = await Promise.race([exit, timeout]);
  await page.screenshot({ path: join(host.dir, 'in-host-end.png') }).catch(() => undefined);
  await page.context().close();
  const result = existsSync(resultFile) ? (JSON.parse(readFileSync(resultFile, 'utf8')) as SuiteResult) : undefined;
  if (exitCode === -1) return { exitCode, result, error: `the in-host suite did not finish within ${timeoutMs / 1000} s` };
  if (!result) return { exitCode, error: `the in-host suite exited with ${exitCode} without writing ${resultFile} (did the extension host start? see ${host.log})` };
  return { exitCode, result };
}
