/**
 * The streamed path: NDJSON (nested objects, flattened in Node) of N rows into
 * embedded bronze, rows/s and peak RSS of Node and of the engine process; then
 * the same at 10x the rows, to show memory stays flat (target: peak RSS at 10x
 * within 1.5x of the peak at 1x). Each size runs in a fresh child process so
 * peaks do not carry over. N from KIMBALL_BENCH_STREAM_ROWS (default 1,000,000),
 * the factor from KIMBALL_BENCH_STREAM_SCALE (default 10).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchCase, BenchResult } from '../harness';
import { BENCH_DATA, enginePids, withWorkspace, writeLines } from '../harness';
import { writeSource } from '../../src/core/sources';
import { acquire } from '../../src/core/acquire';

async function generateNdjson(file: string, rows: number): Promise<void> {
  await writeLines(
    file,
    rows,
    (i) =>
      `{"id":${i},"code":"${String(i % 10000).padStart(5, '0')}","amount":${(i % 9973) / 100},"customer":{"id":"C${i % 50000}","city":"Oslo","geo":{"lat":59.91,"lon":10.75}},"tags":["a","b"],"ok":${i % 2 === 0},"note":null}\n`,
  );
}

interface Measure {
  rows: number;
  bytes: number;
  ms: number;
  nodeRssMb: number;
  engineRssMb: number;
}

/** Peak RSS (VmHWM) of this process's engine children, in MB. */
function enginePeakMb(): number {
  let total = 0;
  try {
    for (const pid of enginePids()) {
      const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (m) total += Number(m[1]) / 1024;
    }
  } catch {
    // No engine found: reported as 0.
  }
  return total;
}

async function measureChild(rows: number): Promise<Measure> {
  const dir = join(BENCH_DATA, `ndjson-${rows}`);
  const file = join(dir, 'events.ndjson');
  if (!existsSync(file)) {
    mkdirSync(dir, { recursive: true });
    await generateNdjson(file, rows);
  }
  return withWorkspace('acquire-stream', async ({ paths, context }) => {
    writeSource(paths, { kind: 'files', name: 'bench', path: dir });
    const t0 = performance.now();
    const [r] = await acquire(context(), { sources: ['bench'], force: true });
    const ms = performance.now() - t0;
    if (r?.status !== 'loaded' || r.rows !== rows) throw new Error(`acquire-stream: ${JSON.stringify(r)}`);
    return { rows, bytes: statSync(file).size, ms, nodeRssMb: process.resourceUsage().maxRSS / 1024, engineRssMb: enginePeakMb() };
  });
}

function runChild(rows: number): Measure {
  const r = spawnSync(process.execPath, ['--import', 'tsx', __filename], {
    env: { ...process.env, KIMBALL_BENCH_STREAM_CHILD: String(rows) },
    encoding: 'utf8',
    maxBuffer: 1 << 20,
  });
  const line = r.stdout.trim().split('\n').pop() ?? '';
  if (r.status !== 0 || !line.startsWith('{')) throw new Error(`acquire-stream child failed: ${r.stderr.slice(-2000)}`);
  return JSON.parse(line) as Measure;
}

const bench: BenchCase = {
  name: 'acquire-stream',
  description: 'NDJSON streamed through Node into embedded bronze: rows/s, peak RSS at 1x and 10x rows',
  async run(): Promise<BenchResult[]> {
    const rows = Number(process.env.KIMBALL_BENCH_STREAM_ROWS ?? 1_000_000);
    const scale = Number(process.env.KIMBALL_BENCH_STREAM_SCALE ?? 10);
    const small = runChild(rows);
    const big = runChild(rows * scale);
    const peak = (m: Measure) => m.nodeRssMb + m.engineRssMb;
    for (const m of [small, big]) {
      process.stderr.write(
        `  ${m.rows} rows (${(m.bytes / 1048576).toFixed(0)} MB): ${(m.ms / 1000).toFixed(1)} s, node peak ${m.nodeRssMb.toFixed(0)} MB, engine peak ${m.engineRssMb.toFixed(0)} MB\n`,
      );
    }
    const rate = (m: Measure) => m.rows / (m.ms / 1000);
    return [
      { name: `acquire NDJSON ${rows.toLocaleString('en-US')} rows streamed (rows/s)`, value: rate(small), unit: 'rows/s', baseline: null, ratio: null, target: 'report' },
      { name: `acquire NDJSON ${(rows * scale).toLocaleString('en-US')} rows streamed (rows/s)`, value: rate(big), unit: 'rows/s', baseline: null, ratio: null, target: 'report' },
      {
        name: `peak RSS node+engine at ${scale}x rows vs 1x (MB)`,
        value: peak(big),
        unit: 'MB',
        baseline: peak(small),
        // Lower is better here: ratio = peak at 10x / peak at 1x.
        ratio: peak(big) / peak(small),
        target: '<= 1.5',
      },
    ];
  },
};

export default bench;

if (process.env.KIMBALL_BENCH_STREAM_CHILD) {
  measureChild(Number(process.env.KIMBALL_BENCH_STREAM_CHILD)).then(
    (m) => process.stdout.write(JSON.stringify(m) + '\n'),
    (err: unknown) => {
      process.stderr.write(`${String((err as Error)?.stack ?? err)}\n`);
      process.exitCode = 1;
    },
  );
}
