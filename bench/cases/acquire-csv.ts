/**
 * CSV into embedded bronze: our acquire (sniffing, staging table, lineage
 * columns, rejects recording, atomic exchange, load record) against chDB's own
 * `INSERT INTO <all-String table> SELECT * FROM file(...)` of the same file in
 * the same engine. Ratio = ours rows/s / baseline rows/s (higher is better).
 * N rows from KIMBALL_BENCH_ROWS (default 5,000,000) x 10 columns. Three
 * interleaved rounds, best of each: the machine is shared, so single runs are noisy.
 */
import { createWriteStream, existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { once } from 'node:events';
import type { BenchCase, BenchResult } from '../harness';
import { timed } from '../harness';
import { initProjectFiles, loadProject } from '../../src/core/project/project';
import { EmbeddedWarehouse } from '../../src/core/warehouse/embedded';
import { DEFAULT_DATABASES } from '../../src/core/warehouse/warehouse';
import { ensureDatabases } from '../../src/core/warehouse/catalog-queries';
import { silentLogger, type CoreContext } from '../../src/core/context';
import { EnvSecretStore } from '../../src/core/sources/source';
import { writeSource } from '../../src/core/sources';
import { acquire } from '../../src/core/acquire';

const DATA = join(__dirname, '..', 'data');

/** A deterministic CSV: ids, codes with leading zeros, decimals, dates, quoted text with commas. */
export async function generateCsv(file: string, rows: number): Promise<void> {
  const out = createWriteStream(file);
  out.write('id,code,customer,amount,qty,day,city,status,note,flag\n');
  const cities = ['Oslo', 'Bergen', 'Lyon', 'São Paulo', 'Kyiv'];
  let buf = '';
  for (let i = 1; i <= rows; i++) {
    const d = new Date(Date.UTC(2020, 0, 1) + (i % 1500) * 86400000).toISOString().slice(0, 10);
    buf += `${i},${String(i % 10000).padStart(5, '0')},C${i % 50000},${(i % 9973) / 100},${i % 17},${d},${cities[i % 5]},${i % 3 ? 'open' : 'closed'},"note ${i}, with comma",${i % 2}\n`;
    if (buf.length > 1 << 20) {
      if (!out.write(buf)) await once(out, 'drain');
      buf = '';
    }
  }
  out.end(buf);
  await once(out, 'finish');
}

const bench: BenchCase = {
  name: 'acquire-csv',
  description: 'CSV (N x 10) into embedded bronze: ours vs INSERT ... SELECT * FROM file() in the same engine',
  async run(): Promise<BenchResult[]> {
    const rows = Number(process.env.KIMBALL_BENCH_ROWS ?? 5_000_000);
    mkdirSync(DATA, { recursive: true });
    const csvDir = join(DATA, `csv-${rows}`);
    const file = join(csvDir, 'facts.csv');
    if (!existsSync(file)) {
      mkdirSync(csvDir, { recursive: true });
      await generateCsv(file, rows);
    }
    const root = join(DATA, `ws-acquire-csv-${process.pid}`);
    rmSync(root, { recursive: true, force: true });
    const { paths } = initProjectFiles(root);
    const wh = new EmbeddedWarehouse(paths.warehouseDir, DEFAULT_DATABASES);
    try {
      await ensureDatabases(wh);
      const ctx: CoreContext = { paths, project: loadProject(root), warehouse: wh, secrets: new EnvSecretStore({}), log: silentLogger };
      writeSource(paths, { kind: 'files', name: 'bench', path: csvDir });
      const cols = ['id', 'code', 'customer', 'amount', 'qty', 'day', 'city', 'status', 'note', 'flag'];
      await wh.command(`CREATE TABLE bronze.baseline (${cols.map((c) => `${c} String`).join(', ')}) ENGINE = MergeTree ORDER BY tuple()`);
      // Warm-up: the engine starts and the file sits in the page cache for both.
      await wh.query("SELECT count() FROM file({p:String}, 'CSVWithNames', 'a String')", { params: { p: file } });
      const ours: number[] = [];
      const base: number[] = [];
      for (let i = 0; i < 3; i++) {
        await wh.command('TRUNCATE TABLE bronze.baseline');
        base.push(
          (await timed(() => wh.command("INSERT INTO bronze.baseline SELECT * FROM file({p:String}, 'CSVWithNames', {s:String})", {
            params: { p: file, s: cols.map((c) => `${c} String`).join(', ') },
          }))).ms,
        );
        const r = await timed(() => acquire(ctx, { sources: ['bench'], force: true }));
        if (r.value[0]?.status !== 'loaded' || r.value[0].rows !== rows) throw new Error(`acquire-csv: ${JSON.stringify(r.value[0])}`);
        ours.push(r.ms);
      }
      const oursRate = rows / (Math.min(...ours) / 1000);
      const baseRate = rows / (Math.min(...base) / 1000);
      process.stderr.write(`  file ${(statSync(file).size / 1048576).toFixed(0)} MB, ${rows} rows: ours ${Math.min(...ours).toFixed(0)} ms, baseline ${Math.min(...base).toFixed(0)} ms\n`);
      return [{ name: `acquire CSV ${rows.toLocaleString('en-US')} x 10 (rows/s)`, value: oursRate, unit: 'rows/s', baseline: baseRate, ratio: oursRate / baseRate, target: '>= 0.8' }];
    } finally {
      await wh.close();
      rmSync(root, { recursive: true, force: true });
    }
  },
};

export default bench;
