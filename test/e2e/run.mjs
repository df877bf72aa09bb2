// `npm run test:e2e` (after `npm run build`): installs the host when missing (test/e2e/install.sh),
// bundles the in-host suite to test/e2e/out/suite/index.js, then runs the driver (test/e2e/driver/main.ts).
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';
import { buildSuite } from './build-suite.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const project = join(here, '..', '..');
const codeServer = join(here, 'host', 'node_modules', 'code-server', 'out', 'node', 'entry.js');

if (!existsSync(join(project, 'dist', 'extension.js'))) {
  console.error('e2e: dist/extension.js is missing: run `npm run build` first (npm run test:e2e does)');
  process.exit(1);
}
if (!existsSync(codeServer)) {
  const r = spawnSync('bash', [join(here, 'install.sh')], { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

await buildSuite();
const r = spawnSync(process.execPath, ['--import', 'tsx', join(here, 'driver', 'main.ts')], { stdio: 'inherit', cwd: project });
process.exit(r.status ?? 1);
