/**
 * `npm run bench [-- <name>...]`: runs bench/cases/*.ts, prints a table and
 * writes bench/results.json (an array of BenchResult).
 */
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchCase, BenchResult } from './harness';

async function main(): Promise<void> {
  const wanted = process.argv.slice(2);
  const dir = join(__dirname, 'cases');
  const cases: BenchCase[] = [];
  for (const f of [...readdirSync(dir).filter((n) => n.endsWith('.ts')).sort(), '../accuracy/case.ts']) {
    const mod = (await import(join(dir, f))) as { default: BenchCase };
    if (wanted.length === 0 || wanted.some((w) => mod.default.name.includes(w))) cases.push(mod.default);
  }
  if (cases.length === 0) throw new Error(`No benchmark matches ${wanted.join(' ')}`);
  const results: BenchResult[] = [];
  for (const c of cases) {
    process.stderr.write(`▶ ${c.name}: ${c.description}\n`);
    results.push(...(await c.run()));
  }
  const rows = results.map((r) => [
    r.name,
    `${fmt(r.value)} ${r.unit}`,
    r.baseline === null ? '-' : `${fmt(r.baseline)} ${r.unit}`,
    r.ratio === null ? '-' : r.ratio.toFixed(2),
    r.target,
  ]);
  const head = ['benchmark', 'ours', 'baseline', 'ratio', 'target'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join('  ');
  process.stdout.write(`${line(head)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}\n${rows.map(line).join('\n')}\n`);
  writeFileSync(join(__dirname, 'results.json'), JSON.stringify(results, null, 2) + '\n');
}

function fmt(n: number): string {
  return Math.abs(n) >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(2);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
