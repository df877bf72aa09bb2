/**
 * Entry of the in-host suite (`extensionTestsPath`): the extension host requires this file and calls run().
 * Same contract as @vscode/test-electron's, so the one bundle runs under code-server (test/e2e/run.mjs) and
 * a desktop VS Code (test/e2e/vscode-test.mjs). The result, with skip reasons and figures, is also written as
 * JSON to $KIMBALL_E2E_RESULT when set, so the runner need not parse console output.
 */
import { writeFileSync } from 'node:fs';
import type { MochaConstructor } from './mocha-api';
import { metrics, registeredCommands, skipReasons } from './helpers';

export interface SuiteResult {
  passed: string[];
  failed: { title: string; error: string }[];
  skipped: { title: string; reason: string }[];
  metrics: Record<string, number>;
  registeredCommands: string[];
}

export function run(): Promise<void> {
  // mocha stays outside the bundle: it is loaded from the project's node_modules at run time.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const Mocha = require('mocha') as MochaConstructor;
  const mocha = new Mocha({ ui: 'bdd', timeout: 120_000, color: false, reporter: 'spec' });
  mocha.suite.emit('pre-require', globalThis, 'kimball-e2e', mocha);
  // Loaded after pre-require so describe/it exist; order = order of the user's path.
  /* eslint-disable @typescript-eslint/no-require-imports */
  require('./activation.test');
  require('./project.test');
  require('./pipeline.test');
  require('./editors.test');
  /* eslint-enable @typescript-eslint/no-require-imports */

  const result: SuiteResult = { passed: [], failed: [], skipped: [], metrics, registeredCommands: [] };
  return new Promise((resolve, reject) => {
    mocha
      .run((failures) => {
        void finish(result).then(() => (failures > 0 ? reject(new Error(`${failures} in-host test(s) failed`)) : resolve()));
      })
      .on('pass', (t) => result.passed.push(t.fullTitle()))
      .on('fail', (t, err) => result.failed.push({ title: t.fullTitle(), error: err instanceof Error ? err.message : String(err) }))
      .on('pending', (t) => result.skipped.push({ title: t.fullTitle(), reason: skipReasons.get(t.fullTitle()) ?? 'skipped' }));
  });
}

async function finish(result: SuiteResult): Promise<void> {
  result.registeredCommands = [...(await registeredCommands())].sort();
  const summary = `in-host: ${result.passed.length} passed, ${result.failed.length} failed, ${result.skipped.length} skipped`;
  console.log(summary);
  for (const s of result.skipped) console.log(`  SKIPPED ${s.title}: ${s.reason}`);
  for (const [k, v] of Object.entries(result.metrics)) console.log(`  METRIC ${k}: ${v}`);
  const out = process.env.KIMBALL_E2E_RESULT;
  if (out) writeFileSync(out, JSON.stringify(result, null, 2));
}
