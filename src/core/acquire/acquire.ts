/**
 * acquire(): every selected object of every selected source into bronze,
 * objects in parallel up to a bound. One object's failure never stops the
 * others; each ends as a LoadResult and a row in <meta>.loads.
 */
import type { CoreContext, ProgressSink } from '../context';
import { createSource, listSourceNames, readSource } from '../sources';
import type { Source, SourceObject } from '../sources/source';
import { qualified } from '../warehouse/sql';
import { ensureLoadTables, onCluster, STAGING_PREFIX } from './meta';
import { activeStaging, emptyResult, loadObject, type LoadResult } from './load';
import { bronzeTableName } from './names';

export interface AcquireOptions {
  sources?: string[];
  objects?: string[];
  force?: boolean;
  signal?: AbortSignal;
  progress?: ProgressSink;
  parallelism?: number;
}

export async function acquire(ctx: CoreContext, opts: AcquireOptions = {}): Promise<LoadResult[]> {
  const wh = ctx.warehouse;
  await ensureLoadTables(wh);
  await dropLeftoverStaging(ctx);
  const names = opts.sources?.length ? opts.sources : listSourceNames(ctx.paths);
  if (opts.objects?.length && names.length !== 1) throw new Error('Objects can only be chosen within one source.');
  const tasks: { source: Source; object: SourceObject }[] = [];
  const results: LoadResult[] = [];
  for (const name of names) {
    const source = await createSource(readSource(ctx.paths, name), { root: ctx.paths.root, secrets: ctx.secrets });
    let objects: SourceObject[];
    try {
      objects = await source.listObjects(opts.signal);
    } catch (err) {
      results.push(failedListing(name, err));
      continue;
    }
    if (opts.objects?.length) {
      const unknown = opts.objects.filter((o) => !objects.some((x) => x.name === o));
      if (unknown.length) throw new Error(`Source ${name} has no object ${unknown.join(', ')} (objects: ${objects.map((o) => o.name).join(', ') || 'none'}).`);
      objects = objects.filter((o) => opts.objects?.includes(o.name));
    }
    for (const object of objects) tasks.push({ source, object });
  }
  const parallelism = Math.max(1, opts.parallelism ?? ctx.project.acquire?.parallelism ?? 2);
  const progress = new AcquireProgress(tasks.length, opts.progress);
  const loaded = await pool(tasks, parallelism, async ({ source, object }, i) => {
    if (opts.signal?.aborted) return cancelled(source, object);
    const r = await loadObject(ctx, source, object, {
      force: opts.force,
      signal: opts.signal,
      onProgress: (p) => progress.update(i, p.rows, p.bytes),
    });
    progress.finish(i, r);
    ctx.log.debug(describeResult(r));
    return r;
  });
  return [...results, ...loaded];
}

function failedListing(source: string, err: unknown): LoadResult {
  return emptyResult(source, '', '', 'failed', `${source}: cannot list objects: ${(err as Error).message ?? String(err)}`);
}

function cancelled(source: Source, object: SourceObject): LoadResult {
  const name = source.config.name;
  return emptyResult(name, object.name, bronzeTableName(name, object.name), 'cancelled', 'The load was cancelled before it started.');
}

export function describeResult(r: LoadResult): string {
  const where = `${r.source}${r.object ? `.${r.object}` : ''}`;
  switch (r.status) {
    case 'loaded': {
      const drift = [
        r.columnsAdded.length ? `new columns: ${r.columnsAdded.join(', ')}` : '',
        r.columnsMissing.length ? `missing columns (loaded empty): ${r.columnsMissing.join(', ')}` : '',
      ].filter(Boolean);
      return `${where}: ${r.rows.toLocaleString('en-US')} rows, ${r.rejects} rejects in ${(r.ms / 1000).toFixed(1)} s${drift.length ? `; ${drift.join('; ')}` : ''}`;
    }
    case 'skipped':
      return `${where}: unchanged since the last load, skipped`;
    default:
      return `${where}: ${r.status}: ${r.error ?? ''}`;
  }
}

/** Run `fn` over items with at most `n` in flight; results in input order. */
async function pool<T, R>(items: T[], n: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, worker));
  return out;
}

/** Staging tables no running load owns are leftovers of a crash or kill: never visible as data, so drop them. */
async function dropLeftoverStaging(ctx: CoreContext): Promise<void> {
  const wh = ctx.warehouse;
  // A server may be shared with other Kimball processes loading right now: leave their staging alone.
  if (wh.mode !== 'embedded') return;
  const rows = await wh.query<{ name: string }>(
    "SELECT name FROM system.tables WHERE database = {db:String} AND startsWith(name, {p:String})",
    { params: { db: wh.databases.bronze, p: STAGING_PREFIX } },
  );
  for (const { name } of rows) {
    if (activeStaging.has(name)) continue;
    await wh.command(`DROP TABLE IF EXISTS ${qualified(wh.databases.bronze, name)}${onCluster(wh)} SYNC`);
    ctx.log.info(`Dropped ${wh.databases.bronze}.${name}, left behind by an interrupted load.`);
  }
}

/** Rows, bytes and rate over all objects, as one progress line. */
class AcquireProgress {
  private readonly rows: number[];
  private readonly bytes: number[];
  private done = 0;
  private readonly t0 = Date.now();
  private last = 0;

  constructor(
    private readonly total: number,
    private readonly sink?: ProgressSink,
  ) {
    this.rows = new Array<number>(total).fill(0);
    this.bytes = new Array<number>(total).fill(0);
  }

  update(i: number, rows: number, bytes: number): void {
    this.rows[i] = rows;
    this.bytes[i] = bytes;
    if (Date.now() - this.last > 250) this.report(0);
  }

  finish(i: number, r: LoadResult): void {
    this.rows[i] = r.rows;
    this.bytes[i] = r.bytes;
    this.done++;
    this.report(this.total > 0 ? 100 / this.total : 0);
  }

  private report(increment: number): void {
    this.last = Date.now();
    const rows = this.rows.reduce((a, b) => a + b, 0);
    const bytes = this.bytes.reduce((a, b) => a + b, 0);
    const secs = Math.max(0.001, (Date.now() - this.t0) / 1000);
    this.sink?.report({
      increment,
      message: `${this.done}/${this.total} objects · ${rows.toLocaleString('en-US')} rows · ${mb(bytes)} · ${Math.round(rows / secs).toLocaleString('en-US')} rows/s`,
    });
  }
}

function mb(n: number): string {
  return `${(n / 1048576).toFixed(1)} MB`;
}
