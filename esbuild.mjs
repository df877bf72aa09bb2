// Bundles the extension, the CLI and the embedded engine (node, cjs) and the webviews (browser).
import * as esbuild from 'esbuild';
import { existsSync, readdirSync, rmSync } from 'node:fs';

const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');
// A production build must not ship stale source maps of an earlier development build.
if (production) rmSync('dist', { recursive: true, force: true });

const node = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: !production,
  minify: production,
  // chdb and resvg load native libraries next to their own files; vscode is provided by the host.
  external: ['vscode', 'chdb', '@chdb/*', '@resvg/*', 'pg-native'],
  // ESM entry first: UMD builds (jsonc-parser's "main") hide their internal requires from the bundler,
  // which then fail at run time in the extension host ("Cannot find module './impl/format'").
  mainFields: ['module', 'main'],
  logLevel: 'warning',
};

const webviewEntries = existsSync('webview')
  ? readdirSync('webview', { withFileTypes: true })
      .filter((d) => d.isDirectory() && d.name !== 'shared' && existsSync(`webview/${d.name}/main.ts`))
      .map((d) => ({ in: `webview/${d.name}/main.ts`, out: d.name }))
  : [];

const builds = [
  { ...node, entryPoints: { extension: 'src/extension.ts' }, outdir: 'dist' },
  { ...node, entryPoints: { cli: 'src/cli/main.ts' }, outdir: 'dist'},
  { ...node, entryPoints: { engine: 'src/core/warehouse/engine-main.ts' }, outdir: 'dist' },
];
if (webviewEntries.length > 0) {
  builds.push({
    bundle: true,
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    sourcemap: !production,
    minify: production,
    entryPoints: webviewEntries,
    outdir: 'dist/webview',
    logLevel: 'warning',
  });
}

if (watch) {
  for (const b of builds) await (await esbuild.context(b)).watch();
} else {
  await Promise.all(builds.map((b) => esbuild.build(b)));
}
