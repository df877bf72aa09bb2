/**
 * The end-to-end run: one code-server, one headless chromium; (a) the in-host mocha suite, (b) the
 * user-driven Playwright scenario. Prints every outcome, the figures measured, and a last line
 * `N passed, N failed[, N skipped]`; exits non-zero on any failure. The host's process group is killed
 * at the end whatever happens.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { measureDemo } from './demo';
import { runInHostSuite } from './inhost';
import { startHost, PROJECT, type Host } from './host';
import { runUiScenario, SCREENSHOTS } from './ui';
import { Tally } from './tally';
import { launchChromium } from '../../helpers/browser';

/** Parts to run (all by default): KIMBALL_E2E_ONLY=inhost,ui,demo picks some, for work on one of them. */
const ONLY = new Set((process.env.KIMBALL_E2E_ONLY ?? 'inhost,ui,demo').split(',').map((p) => p.trim()));

function declaredCommands(): string[] {
  const pkg = JSON.parse(readFileSync(join(PROJECT, 'package.json'), 'utf8')) as { contributes: { commands: { command: string }[] } };
  return pkg.contributes.commands.map((c) => c.command);
}

/** Past this the run is stuck: report it as a failure (the host is stopped on exit). */
const WATCHDOG_MS = 8 * 60_000;

async function main(): Promise<number> {
  const tmp = join(PROJECT, 'test', '.tmp');
  // Earlier runs' folders hold whole warehouses: drop them, but not one young enough to be a run in progress.
  const stale = (d: string): boolean => /^e2e-\d+$/.test(d) && Date.now() - Number(d.slice(4)) > 2 * WATCHDOG_MS;
  if (existsSync(tmp)) for (const d of readdirSync(tmp).filter(stale)) rmSync(join(tmp, d), { recursive: true, force: true });
  const dir = join(tmp, `e2e-${Date.now()}`);
  mkdirSync(dir, { recursive: true });
  setTimeout(() => {
    console.error(`e2e: still running after ${WATCHDOG_MS / 60_000} minutes: stopping (logs in ${dir})`);
    console.log('0 passed, 1 failed');
    process.exit(1);
  }, WATCHDOG_MS).unref();
  rmSync(SCREENSHOTS, { recursive: true, force: true });
  mkdirSync(SCREENSHOTS, { recursive: true });
  const resultFile = join(dir, 'in-host-result.json');
  const tally = new Tally();
  const started = Date.now();
  let host: Host | undefined;
  const browser = await launchChromium();
  try {
    host = await startHost(dir, { KIMBALL_E2E_RESULT: resultFile });
    console.log(`e2e: code-server on ${host.base} (logs and workspaces in ${dir})`);
    tally.metric('host start to /healthz ms', Date.now() - started);

    // The command list that guards later phases comes from the host; without the in-host part, from package.json.
    let registered = new Set(declaredCommands());
    if (ONLY.has('inhost')) {
      console.log('\n(a) in-host suite (mocha inside the extension host)');
      const inHost = await runInHostSuite(browser, host, resultFile, 150_000);
      tally.addInHost(inHost);
      registered = new Set(inHost.result?.registeredCommands ?? []);
    }
    if (ONLY.has('ui')) {
      console.log('\n(b) driven like a user (Playwright against the workbench)');
      await runUiScenario(browser, host, tally, registered);
    }
    if (ONLY.has('demo')) {
      console.log('\n(c) figures on the demo data (examples/retail-data.ts)');
      await measureDemo(browser, host, tally, registered);
    }
  } catch (err) {
    tally.fail('e2e harness', err instanceof Error ? (err.stack ?? err.message) : String(err));
  } finally {
    await browser.close().catch(() => undefined);
    host?.stop();
  }
  tally.metric('whole e2e run s', Math.round((Date.now() - started) / 100) / 10);
  return tally.report();
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
