/**
 * Run history: `.kimball/runs/<id>.json` (the full record, rewritten as the
 * run progresses) and rows in `<meta>.runs` / `<meta>.run_steps` (for SQL over
 * the history). The file is the source of truth for the Runs view and resume.
 */
import { existsSync, readdirSync } from 'node:fs';
import { Readable } from 'node:stream';
import { readProjectFile, writeProjectFile } from '../project/json-file';
import { runFile, type ProjectPaths } from '../project/paths';
import { onClusterClause, qualified } from '../warehouse/sql';
import type { Warehouse } from '../warehouse/warehouse';
import type { RunRecord } from './build-types';

export function newRunId(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return `${stamp}-${Math.random().toString(36).slice(2, 6)}`;
}

export function saveRun(paths: ProjectPaths, run: RunRecord): void {
  writeProjectFile('run', runFile(paths, run.id), run);
}

export function readRun(paths: ProjectPaths, id: string): RunRecord {
  if (!/^[A-Za-z0-9_.-]+$/.test(id)) throw new Error(`Run id "${id}" is not valid`);
  return readProjectFile<RunRecord>('run', runFile(paths, id), paths.root);
}

/** All stored runs, newest first; unreadable files are skipped (reported through `onError`). */
export function listRuns(paths: ProjectPaths, onError?: (file: string, err: unknown) => void): RunRecord[] {
  if (!existsSync(paths.runsDir)) return [];
  const out: RunRecord[] = [];
  for (const f of readdirSync(paths.runsDir)) {
    if (!f.endsWith('.json')) continue;
    try {
      out.push(readRun(paths, f.slice(0, -5)));
    } catch (err) {
      onError?.(f, err);
    }
  }
  return out.sort((a, b) => b.startedAt.localeCompare(a.startedAt) || b.id.localeCompare(a.id));
}

export async function ensureRunTables(wh: Warehouse): Promise<void> {
  const on = onClusterClause(wh.cluster);
  await wh.command(
    `CREATE TABLE IF NOT EXISTS ${qualified(wh.databases.meta, 'runs')}${on} (
       id String, pipeline String, status LowCardinality(String), full UInt8, resumes String,
       started_at DateTime64(3), ended_at Nullable(DateTime64(3)),
       steps UInt32, failed UInt32, rows UInt64, updated_at DateTime64(3) DEFAULT now64(3)
     ) ENGINE = ReplacingMergeTree(updated_at) ORDER BY id`,
  );
  await wh.command(
    `CREATE TABLE IF NOT EXISTS ${qualified(wh.databases.meta, 'run_steps')}${on} (
       run_id String, step String, status LowCardinality(String),
       started_at Nullable(DateTime64(3)), ended_at Nullable(DateTime64(3)),
       rows Nullable(UInt64), result String, error String, updated_at DateTime64(3) DEFAULT now64(3)
     ) ENGINE = ReplacingMergeTree(updated_at) ORDER BY (run_id, step)`,
  );
}

const time = (iso: string | undefined): string | null => (iso ? iso.replace('T', ' ').replace('Z', '') : null);

/** Record the run (and its steps when it has ended) in the meta tables; values travel as JSON rows, never as SQL. */
export async function recordRun(wh: Warehouse, run: RunRecord): Promise<void> {
  const runRow = {
    id: run.id,
    pipeline: run.pipeline,
    status: run.status,
    full: run.full ? 1 : 0,
    resumes: run.resumes ?? '',
    started_at: time(run.startedAt),
    ended_at: time(run.endedAt),
    steps: run.steps.length,
    failed: run.steps.filter((s) => s.status === 'failed').length,
    rows: run.steps.reduce((n, s) => n + (s.rows ?? 0), 0),
  };
  await wh.insert({
    database: wh.databases.meta,
    table: 'runs',
    columns: Object.keys(runRow),
    format: 'JSONEachRow',
    body: Readable.from([JSON.stringify(runRow) + '\n']),
  });
  if (run.status === 'running') return;
  const rows = run.steps.map(
    (s) =>
      JSON.stringify({
        run_id: run.id,
        step: s.id,
        status: s.status,
        started_at: time(s.startedAt),
        ended_at: time(s.endedAt),
        rows: s.rows ?? null,
        result: s.result ?? '',
        error: s.error ?? '',
      }) + '\n',
  );
  if (rows.length === 0) return;
  await wh.insert({
    database: wh.databases.meta,
    table: 'run_steps',
    columns: ['run_id', 'step', 'status', 'started_at', 'ended_at', 'rows', 'result', 'error'],
    format: 'JSONEachRow',
    body: Readable.from(rows),
  });
}
