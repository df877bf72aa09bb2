/** Benchmark contract: every case measures ours against a baseline run in the same process. */
import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { silentLogger, type CoreContext } from '../src/core/context';
import type { ProjectPaths } from '../src/core/project/paths';
import { initProjectFiles, loadProject } from '../src/core/project/project';
import { EnvSecretStore } from '../src/core/sources/source';
import { ensureDatabases } from '../src/core/warehouse/catalog-queries';
import { EmbeddedWarehouse } from '../src/core/warehouse/embedded';
import { DEFAULT_DATABASES, type Warehouse } from '../src/core/warehouse/warehouse';

export interface BenchResult {
  name: string;
  value: number;
  unit: string;
  /** The baseline measured in the same run, in the same unit. */
  baseline: number | null;
  /** ours / baseline, oriented so that higher is better where the unit is a rate, as documented per case. */
  ratio: number | null;
  /** Human-readable target, e.g. ">= 0.8". */
  target: string;
}

export interface BenchCase {
  name: string;
  description: string;
  run(): Promise<BenchResult[]>;
}

export async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t0 = performance.now();
  const value = await fn();
  return { ms: performance.now() - t0, value };
}

/** Generated inputs and throw-away workspaces (git-ignored; inputs are kept between runs and reused). */
export const BENCH_DATA = join(__dirname, 'data');

/** What a case gets from withWorkspace: a fresh project with an embedded warehouse whose databases exist. */
export interface BenchWorkspace {
  root: string;
  paths: ProjectPaths;
  wh: EmbeddedWarehouse;
  /** A core context over the workspace; secrets as given (none by default). */
  context(secrets?: EnvSecretStore): CoreContext;
}

/**
 * Runs `fn` in a fresh workspace under bench/data (named after the case and this process) and always
 * closes the engine and deletes the workspace afterwards, so no run sees another's tables.
 */
export async function withWorkspace<T>(name: string, fn: (ws: BenchWorkspace) => Promise<T>): Promise<T> {
  mkdirSync(BENCH_DATA, { recursive: true });
  const root = join(BENCH_DATA, `ws-${name}-${process.pid}`);
  rmSync(root, { recursive: true, force: true });
  const { paths } = initProjectFiles(root);
  const wh = new EmbeddedWarehouse(paths.warehouseDir, DEFAULT_DATABASES);
  try {
    await ensureDatabases(wh);
    const context = (secrets = new EnvSecretStore({})): CoreContext => ({ paths, project: loadProject(root), warehouse: wh, secrets, log: silentLogger });
    return await fn({ root, paths, wh, context });
  } finally {
    await wh.close();
    rmSync(root, { recursive: true, force: true });
  }
}

/**
 * Waits until the engine runs no background merge (at most `maxMs`): a load
 * leaves parts that merge for seconds afterwards, and a step measured while
 * they do loses a share of the CPU it did not cause.
 */
export async function mergesSettled(wh: Warehouse, maxMs = 20_000): Promise<void> {
  const until = Date.now() + maxMs;
  while (Date.now() < until) {
    const [r] = await wh.query<{ n: string }>('SELECT count() AS n FROM system.merges');
    if (Number(r?.n ?? 0) === 0) return;
    await new Promise((res) => setTimeout(res, 100));
  }
}

/** Writes `header` then `line(i)` for i = 1..rows, in 1 MiB chunks with backpressure (inputs run to GBs). */
export async function writeLines(file: string, rows: number, line: (i: number) => string, header = ''): Promise<void> {
  const out = createWriteStream(file);
  let buf = header;
  for (let i = 1; i <= rows; i++) {
    buf += line(i);
    if (buf.length > 1 << 20) {
      if (!out.write(buf)) await once(out, 'drain');
      buf = '';
    }
  }
  out.end(buf);
  await once(out, 'finish');
}

/** Pids of this process's engine children (dist/engine.js), for their CPU and memory figures from /proc. */
export function enginePids(): string[] {
  const out = execFileSync('ps', ['--ppid', String(process.pid), '-o', 'pid=,args='], { encoding: 'utf8' });
  return out
    .split('\n')
    .filter((l) => l.includes('engine.js'))
    .map((l) => l.trim().split(/\s+/)[0]);
}
