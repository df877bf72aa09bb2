/**
 * CSV into embedded bronze: our acquire (sniffing, staging table, lineage
 * columns, rejects recording, atomic exchange, load record) against chDB's own
 * `INSERT INTO <all-String table> SELECT * FROM file(...)` of the same file in
 * the same engine. Ratio = ours rows/s / baseline rows/s (higher is better).
 * N rows from KIMBALL_BENCH_ROWS (default 5,000,000) x 10 columns. Five
 * interleaved rounds, best of each: the machine is shared, so single runs are noisy.
 * A second figure compares against the same baseline with whitespace trimming
 * off (chDB trims unquoted values by default; bronze keeps text exactly), to
 * separate Kimball's own overhead from the cost of exact text.
 */
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchCase, BenchResult } from '../harness';
import { BENCH_DATA, enginePids, mergesSettled, timed, withWorkspace, writeLines } from '../harness';
import { writeSource } from '../../src/core/sources';
import { acquire } from '../../src/core/acquire';

/** A deterministic CSV: ids, codes with leading zeros, decimals, dates, quoted text with commas. */
export async function generateCsv(file: string, rows: number): Promise<void> {
  const cities = ['Oslo', 'Bergen', 'Lyon', 'São Paulo', 'Kyiv'];
  const line = (i: number): string => {
    const d = new Date(Date.UTC(2020, 0, 1) + (i % 1500) * 86400000).toISOString().slice(0, 10);
    return `${i},${String(i % 10000).padStart(5, '0')},C${i % 50000},${(i % 9973) / 100},${i % 17},${d},${cities[i % 5]},${i % 3 ? 'open' : 'closed'},"note ${i}, with comma",${i % 2}\n`;
  };
  await writeLines(file, rows, line, 'id,code,customer,amount,qty,day,city,status,note,flag\n');
}

/** CPU milliseconds used so far by this process's engine child (utime + stime from /proc). */
function engineCpuMs(): number {
  const [pid] = enginePids();
  if (!pid) return 0;
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

/** Wall and CPU time (engine + this process) of one step. */
async function measured(fn: () => Promise<unknown>): Promise<{ ms: number; cpu: number }> {
  const e0 = engineCpuMs();
  const n0 = process.cpuUsage();
  const { ms } = await timed(fn);
  const n = process.cpuUsage(n0);
  return { ms, cpu: engineCpuMs() - e0 + (n.user + n.system) / 1000 };
}

const bench: BenchCase = {
  name: 'acquire-csv',
  description: 'CSV (N x 10) into embedded bronze: ours vs INSERT ... SELECT * FROM file() in the same engine',
  async run(): Promise<BenchResult[]> {
    const rows = Number(process.env.KIMBALL_BENCH_ROWS ?? 5_000_000);
    const csvDir = join(BENCH_DATA, `csv-${rows}`);
    const file = join(csvDir, 'facts.csv');
    if (!existsSync(file)) {
      mkdirSync(csvDir, { recursive: true });
      await generateCsv(file, rows);
    }
    return withWorkspace('acquire-csv', async ({ paths, wh, context }) => {
      const ctx = context();
      writeSource(paths, { kind: 'files', name: 'bench', path: csvDir });
      const cols = ['id', 'code', 'customer', 'amount', 'qty', 'day', 'city', 'status', 'note', 'flag'];
      await wh.command(`CREATE TABLE bronze.baseline (${cols.map((c) => `${c} String`).join(', ')}) ENGINE = MergeTree ORDER BY tuple()`);
      // Warm-up: the engine starts and the file sits in the page cache for both.
      await wh.query("SELECT count() FROM file({p:String}, 'CSVWithNames', 'a String')", { params: { p: file } });
      const ours: { ms: number; cpu: number }[] = [];
      const base: { ms: number; cpu: number }[] = [];
      const exact: { ms: number; cpu: number }[] = [];
      const baseline = (settings: Record<string, number>) =>
        measured(() =>
          wh.command("INSERT INTO bronze.baseline SELECT * FROM file({p:String}, 'CSVWithNames', {s:String})", {
            params: { p: file, s: cols.map((c) => `${c} String`).join(', ') },
            settings,
          }),
        );
      // Each step starts with the engine quiet: no merges left over from the step before.
      const settled = async () => {
        await wh.command('TRUNCATE TABLE bronze.baseline');
        await mergesSettled(wh);
      };
      for (let i = 0; i < 5; i++) {
        await settled();
        base.push(await baseline({}));
        // chDB's default trims spaces around unquoted CSV values; keeping text exact costs CPU of its own.
        await settled();
        exact.push(await baseline({ input_format_csv_trim_whitespaces: 0 }));
        await settled();
        let result: Awaited<ReturnType<typeof acquire>> = [];
        ours.push(await measured(async () => (result = await acquire(ctx, { sources: ['bench'], force: true }))));
        if (result[0]?.status !== 'loaded' || result[0].rows !== rows) throw new Error(`acquire-csv: ${JSON.stringify(result[0])}`);
      }
      const best = (xs: { ms: number; cpu: number }[], k: 'ms' | 'cpu') => Math.min(...xs.map((x) => x[k]));
      const rate = (xs: { ms: number; cpu: number }[], k: 'ms' | 'cpu') => rows / (best(xs, k) / 1000);
      process.stderr.write(
        `  file ${(statSync(file).size / 1048576).toFixed(0)} MB, ${rows} rows (wall / CPU ms): ours ${best(ours, 'ms').toFixed(0)} / ${best(ours, 'cpu').toFixed(0)}, ` +
          `baseline ${best(base, 'ms').toFixed(0)} / ${best(base, 'cpu').toFixed(0)}, untrimmed baseline ${best(exact, 'ms').toFixed(0)} / ${best(exact, 'cpu').toFixed(0)}\n`,
      );
      const label = `acquire CSV ${rows.toLocaleString('en-US')} x 10`;
      const result = (name: string, k: 'ms' | 'cpu', against: typeof base, target: string): BenchResult => ({
        name,
        value: rate(ours, k),
        unit: k === 'ms' ? 'rows/s' : 'rows/CPU-s',
        baseline: rate(against, k),
        ratio: rate(ours, k) / rate(against, k),
        target,
      });
      return [
        result(`${label} (rows/s)`, 'ms', base, '>= 0.8'),
        // Per CPU-second (engine + Node): the same comparison, insensitive to other load on a shared machine.
        result(`${label} (rows per CPU-s)`, 'cpu', base, '>= 0.8'),
        result(`${label} vs untrimmed baseline (rows per CPU-s)`, 'cpu', exact, 'report'),
      ];
    });
  },
};

export default bench;
