// Runs node's test runner over test/<suite>/**/*.test.ts (Node 20 has no glob support in --test).
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const [suite, ...filters] = process.argv.slice(2);
const files = [];
(function walk(dir) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p);
    else if (name.endsWith('.test.ts') && (filters.length === 0 || filters.some((f) => p.includes(f)))) files.push(p);
  }
})(join('test', suite));
files.sort();
if (files.length === 0) {
  console.error(`No tests in test/${suite} matching ${filters.join(' ')}`);
  process.exit(1);
}
const concurrency = suite === 'unit' ? [] : ['--test-concurrency=1'];
const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', ...concurrency, '--test-reporter=spec', ...files], { stdio: 'inherit' });
process.exit(r.status ?? 1);
