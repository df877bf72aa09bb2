// Bundles the in-host suite (test/e2e/suite/index.ts) to test/e2e/out/suite/index.js: one CommonJS file the
// extension host requires; vscode comes from the host, mocha and chDB from the project's node_modules.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
export const SUITE_OUT = join(here, 'out', 'suite', 'index.js');

export async function buildSuite() {
  await esbuild.build({
    entryPoints: [join(here, 'suite', 'index.ts')],
    outfile: SUITE_OUT,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    sourcemap: 'inline',
    external: ['vscode', 'mocha', 'chdb', '@chdb/*', 'pg-native'],
    logLevel: 'warning',
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await buildSuite();
