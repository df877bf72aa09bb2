// `npm run test:vscode`: the same in-host suite on a desktop VS Code through @vscode/test-electron, which
// downloads a VS Code build (so it needs the internet; it cannot run on the CI machine, which runs
// `npm run test:e2e` on code-server instead). Headless Linux: run under xvfb-run.
import { cpSync, mkdirSync, existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runTests } from '@vscode/test-electron';
import { buildSuite, SUITE_OUT } from './build-suite.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const project = join(here, '..', '..');
const dir = join(project, 'test', '.tmp', `vscode-${Date.now()}`);
const workspace = join(dir, 'workspace');
const resultFile = join(dir, 'in-host-result.json');

if (!existsSync(join(project, 'dist', 'extension.js'))) {
  console.error('test:vscode: dist/extension.js is missing: run `npm run build` first');
  process.exit(1);
}
await buildSuite();
mkdirSync(dir, { recursive: true });
// The suite generates its own models, so the fixture's hand-written ones stay out (as in test:e2e).
const fixture = join(here, 'fixtures', 'workspace');
cpSync(fixture, workspace, { recursive: true, filter: (src) => src !== join(fixture, 'models') });

let code = 0;
try {
  await runTests({
    version: process.env.KIMBALL_VSCODE_VERSION ?? 'stable',
    extensionDevelopmentPath: project,
    extensionTestsPath: SUITE_OUT,
    extensionTestsEnv: { KIMBALL_E2E_RESULT: resultFile },
    launchArgs: [workspace, '--disable-extensions'],
  });
} catch (err) {
  console.error(`test:vscode: ${err instanceof Error ? err.message : String(err)}`);
  code = 1;
}
if (existsSync(resultFile)) {
  const r = JSON.parse(readFileSync(resultFile, 'utf8'));
  for (const f of r.failed) console.log(`  ✗ ${f.title}\n      ${f.error.split('\n').join('\n      ')}`);
  for (const s of r.skipped) console.log(`  - SKIPPED ${s.title}: ${s.reason}`);
  for (const [k, v] of Object.entries(r.metrics)) console.log(`  ${k}: ${v}`);
  console.log(`${r.passed.length} passed, ${r.failed.length} failed, ${r.skipped.length} skipped`);
  if (r.failed.length > 0) code = 1;
}
process.exit(code);
