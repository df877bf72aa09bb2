/**
 * The in-process runner: executes a manifest's steps against the warehouse in
 * dependency order, independent steps in parallel (bounded), and records every
 * step's status, timing, rows, check result and ClickHouse error. A failed
 * step skips its dependants and leaves everything else intact; a resumed run
 * re-uses the succeeded steps of the run it resumes; an aborted signal cancels
 * the running statement and everything pending.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CoreContext } from '../context';
import { describeError } from '../errors';
import { qualified } from '../warehouse/sql';
import type { Warehouse } from '../warehouse/warehouse';
import type { Manifest, ManifestStep, RunRecord, RunStep, StepStatus } from './build-types';
import { Ddl, probeOf, splitStatements } from './ddl';
import { stagingName } from './plan';
import { topologicalOrder } from './graph';
import { ensureRunTables, newRunId, readRun, recordRun, saveRun } from './run-store';
import { decideMode, ensureStepStateTable, readStepStates, stateAfter, writeStepState, type StepState } from './step-state';

export interface RunOptions {
  manifest: Manifest;
  /** Resume this run: its succeeded steps are not executed again. */
  fromFailed?: string;
  /** Rebuild every table (staging + EXCHANGE) instead of processing new loads only. */
  full?: boolean;
  signal?: AbortSignal;
  /** Called whenever a step changes status. */
  onStep?: (step: RunStep, run: RunRecord) => void;
  /** Steps at once; default project.build.parallelism, else 2. */
  parallelism?: number;
}

class CheckFailed extends Error {}

const ERROR_LIMIT = 4000;
const DONE: ReadonlySet<StepStatus> = new Set(['failed', 'skipped', 'cancelled']);

export async function runPipeline(ctx: CoreContext, o: RunOptions): Promise<RunRecord> {
  const steps = topologicalOrder(o.manifest.steps);
  const byId = new Map(steps.map((s) => [s.id, s]));
  const previous = o.fromFailed ? readRun(ctx.paths, o.fromFailed) : undefined;
  if (previous && previous.pipeline !== o.manifest.name) {
    throw new Error(`Run ${previous.id} is of pipeline ${previous.pipeline}, not ${o.manifest.name}`);
  }
  if (previous?.status === 'succeeded') throw new Error(`Run ${previous.id} succeeded: there is nothing to resume`);
  const run: RunRecord = {
    version: 1,
    id: newRunId(),
    pipeline: o.manifest.name,
    startedAt: new Date().toISOString(),
    status: 'running',
    ...(previous ? { resumes: previous.id } : {}),
    full: o.full ?? previous?.full ?? false,
    steps: steps.map((s) => carried(previous, s.id) ?? { id: s.id, status: 'pending', log: [] }),
  };
  const record = new Map(run.steps.map((s) => [s.id, s]));
  const signal = o.signal ?? new AbortController().signal;
  const parallelism = Math.max(1, o.parallelism ?? ctx.project.build?.parallelism ?? 2);
  const changed = (s: RunStep): void => {
    saveRun(ctx.paths, run);
    o.onStep?.(s, run);
  };

  await ensureRunTables(ctx.warehouse);
  await ensureStepStateTable(ctx.warehouse);
  const states = await readStepStates(ctx.warehouse, signal);
  saveRun(ctx.paths, run);
  await recordRun(ctx.warehouse, run);
  ctx.log.info(`Run ${run.id} of ${run.pipeline}: ${steps.length} steps${run.full ? ' (full rebuild)' : ''}${previous ? `, resuming ${previous.id}` : ''}`);

  const running = new Map<string, Promise<void>>();
  const abortedOnce = aborted(signal);
  for (;;) {
    if (signal.aborted) break;
    skipBlocked(run.steps, byId, record, changed);
    for (const s of steps) {
      const rs = record.get(s.id) as RunStep;
      if (running.size >= parallelism) break;
      if (rs.status !== 'pending' || !s.dependsOn.every((d) => record.get(d)?.status === 'succeeded')) continue;
      rs.status = 'running';
      rs.startedAt = new Date().toISOString();
      const mode = s.layer === 'check' ? undefined : decideMode(s, states, run.full ?? false);
      if (mode) {
        rs.mode = mode.mode;
        rs.reason = mode.reason;
        if (mode.reason) ctx.log.info(`${s.id}: ${mode.mode === 'full' ? 'rebuilt in full' : 'incremental'}: ${mode.reason}`);
      }
      changed(rs);
      const p = executeStep(ctx, s, rs, mode?.mode === 'full', signal)
        .then(async () => {
          if (mode) await recordState(ctx.warehouse, s, stateAfter(s, mode.mode, run.id, states), states);
          rs.status = 'succeeded';
        })
        .then(
          () => undefined,
          (err: unknown) => {
            rs.status = signal.aborted ? 'cancelled' : 'failed';
            if (rs.status === 'failed') {
              rs.error = describeFull(err);
              ctx.log.error(`${s.id} failed: ${rs.error.split('\n')[0]}`);
            }
          },
        )
        .finally(() => {
          rs.endedAt = new Date().toISOString();
          running.delete(s.id);
          changed(rs);
        });
      running.set(s.id, p);
    }
    if (running.size === 0) break;
    await Promise.race([...running.values(), abortedOnce]);
  }
  await Promise.allSettled([...running.values()]);
  for (const rs of run.steps) {
    if (rs.status === 'pending' || rs.status === 'running') {
      rs.status = 'cancelled';
      rs.log.push('cancelled before it ran');
      changed(rs);
    }
  }
  run.status = signal.aborted ? 'cancelled' : run.steps.some((s) => s.status === 'failed') ? 'failed' : 'succeeded';
  run.endedAt = new Date().toISOString();
  saveRun(ctx.paths, run);
  await recordRun(ctx.warehouse, run).catch((err: unknown) => ctx.log.warn(`Run ${run.id}: could not record it in the meta tables: ${describeError(err)}`));
  return run;
}

/** The step's new state, once its statements succeeded: a run killed before this point rebuilds the step again, never too little. */
async function recordState(wh: Warehouse, s: ManifestStep, state: StepState, states: Map<string, StepState>): Promise<void> {
  await writeStepState(wh, s.id, state);
  states.set(s.id, state);
}

/** The record of a step that already succeeded in the run being resumed. */
function carried(previous: RunRecord | undefined, id: string): RunStep | undefined {
  const p = previous?.steps.find((s) => s.id === id && s.status === 'succeeded');
  if (!p || !previous) return undefined;
  return { ...p, log: [...p.log, `succeeded in run ${previous.id}; not run again`] };
}

/** Pending steps whose dependency failed, was skipped or cancelled are skipped (transitively). */
function skipBlocked(all: RunStep[], byId: Map<string, ManifestStep>, record: Map<string, RunStep>, changed: (s: RunStep) => void): void {
  for (let again = true; again; ) {
    again = false;
    for (const rs of all) {
      if (rs.status !== 'pending') continue;
      const blocker = (byId.get(rs.id) as ManifestStep).dependsOn.find((d) => DONE.has(record.get(d)?.status ?? 'pending'));
      if (!blocker) continue;
      rs.status = 'skipped';
      rs.log.push(`skipped: ${blocker} ${record.get(blocker)?.status}`);
      changed(rs);
      again = true;
    }
  }
}

function aborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    signal.addEventListener('abort', () => resolve(), { once: true });
  });
}

function describeFull(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.length > ERROR_LIMIT ? text.slice(0, ERROR_LIMIT) + '…' : text;
}

/** The SQL file a step runs in this mode. */
export function stepFile(step: ManifestStep, full: boolean): string {
  return full && step.fullFile ? step.fullFile : step.file;
}

async function executeStep(ctx: CoreContext, s: ManifestStep, rs: RunStep, full: boolean, signal: AbortSignal): Promise<void> {
  const rel = stepFile(s, full);
  const file = join(ctx.paths.buildDir, rel);
  if (!existsSync(file)) throw new Error(`Step ${s.id}: build/${rel} is missing; run "kimball build" again`);
  const statements = splitStatements(readFileSync(file, 'utf8'));
  const wh = ctx.warehouse;
  rs.log = [...rs.log.filter((l) => !l.startsWith('statement ')), `file build/${rel}: ${statements.length} statement(s)`];
  if (rs.mode) rs.log.push(`mode: ${rs.mode}${rs.reason ? ` (${rs.reason})` : ''}`);
  rs.error = undefined;
  rs.result = undefined;
  try {
    await runStatements(wh, s, rs, statements, signal);
  } catch (err) {
    await dropStaging(ctx, s);
    throw err;
  }
  if (s.target && s.layer !== 'check' && !s.target.view) {
    // Silver is read with FINAL (one row per key) by every step after it; gold is counted as a plain query reads it.
    const t0 = performance.now();
    const [r] = await wh.query<{ n: string | number }>(`SELECT count() AS n FROM ${qualified(s.target.database, s.target.table)}`, {
      signal,
      ...(s.layer === 'silver' ? { settings: { final: 1 } } : {}),
    });
    rs.rows = Number(r?.n ?? 0);
    rs.log.push(`rows: ${rs.rows} in ${qualified(s.target.database, s.target.table)} (counted in ${Math.round(performance.now() - t0)} ms)`);
  }
}

async function runStatements(wh: Warehouse, s: ManifestStep, rs: RunStep, statements: string[], signal: AbortSignal): Promise<void> {
  for (const [i, sql] of statements.entries()) {
    signal.throwIfAborted();
    const t0 = performance.now();
    if (s.layer === 'check' && i === statements.length - 1) {
      const [row] = await wh.query<{ ok: number | string; detail: string; message?: string }>(sql, { signal });
      if (!row) throw new Error(`Check ${s.id} returned no row`);
      const passed = Number(row.ok) === 1;
      // A failure reads as one line (table, column, count, samples, fix); the figures stay in the log.
      // Check files built before checks had a message carry the figures only.
      const finding = row.message || row.detail;
      rs.result = passed ? row.detail : finding;
      rs.log.push(`statement ${i + 1}: check ${passed ? 'passed' : 'FAILED'} ${row.detail}`);
      if (!passed) throw new CheckFailed(`check failed: ${finding}`);
    } else if (await nothingToChange(wh, sql, signal)) {
      rs.log.push(`statement ${i + 1}: ${firstLine(sql)} (skipped: no row to change, probed in ${Math.round(performance.now() - t0)} ms)`);
    } else {
      await wh.command(sql, { signal });
      rs.log.push(`statement ${i + 1}: ${firstLine(sql)} (${Math.round(performance.now() - t0)} ms)`);
    }
  }
}

/**
 * A rebuild that failed (or was cancelled) between filling its staging table and the exchange leaves
 * no half-built table visible next to the real one. Best effort: the next rebuild drops it first anyway.
 */
async function dropStaging(ctx: CoreContext, s: ManifestStep): Promise<void> {
  if (!s.target || s.target.view || s.layer === 'check') return;
  for (const sql of new Ddl(ctx.warehouse.cluster).dropTable(s.target.database, stagingName(s.target.table))) {
    await ctx.warehouse.command(sql).catch((err: unknown) => ctx.log.warn(`${s.id}: could not drop its staging table: ${describeError(err)}`));
  }
}

async function nothingToChange(wh: Warehouse, sql: string, signal: AbortSignal): Promise<boolean> {
  const probe = probeOf(sql);
  if (!probe) return false;
  const [r] = await wh.query<{ n: string | number }>(probe, { signal });
  return Number(r?.n ?? 0) === 0;
}

function firstLine(sql: string): string {
  const line = sql.split('\n').find((l) => l.trim() && !l.trim().startsWith('--')) ?? '';
  return line.length > 100 ? line.slice(0, 100) + '…' : line;
}

// ---------------------------------------------------------------- summary

export interface RunSummary {
  id: string;
  status: RunRecord['status'];
  durationMs: number;
  steps: number;
  succeeded: number;
  failed: number;
  skipped: number;
  cancelled: number;
  /** Tables built (silver and gold steps that succeeded) and rows in them. */
  tables: number;
  rows: number;
  checksPassed: number;
  checksFailed: number;
  checks: { id: string; ok: boolean; detail: string }[];
  errors: { id: string; error: string }[];
}

export function summarizeRun(run: RunRecord, manifest: Manifest): RunSummary {
  const layer = new Map(manifest.steps.map((s) => [s.id, s.layer]));
  const count = (st: StepStatus) => run.steps.filter((s) => s.status === st).length;
  const built = run.steps.filter((s) => layer.get(s.id) !== 'check' && s.status === 'succeeded');
  const checks = run.steps
    .filter((s) => layer.get(s.id) === 'check' && (s.status === 'succeeded' || (s.status === 'failed' && s.result !== undefined)))
    .map((s) => ({ id: s.id, ok: s.status === 'succeeded', detail: s.result ?? '' }));
  return {
    id: run.id,
    status: run.status,
    durationMs: run.endedAt ? Date.parse(run.endedAt) - Date.parse(run.startedAt) : 0,
    steps: run.steps.length,
    succeeded: count('succeeded'),
    failed: count('failed'),
    skipped: count('skipped'),
    cancelled: count('cancelled'),
    tables: built.length,
    rows: built.reduce((n, s) => n + (s.rows ?? 0), 0),
    checksPassed: checks.filter((c) => c.ok).length,
    checksFailed: checks.filter((c) => !c.ok).length,
    checks,
    errors: run.steps.filter((s) => s.status === 'failed').map((s) => ({ id: s.id, error: s.error ?? '' })),
  };
}

export function formatSummary(s: RunSummary): string {
  return (
    `Run ${s.id} ${s.status} in ${(s.durationMs / 1000).toFixed(1)} s: ${s.tables} tables, ${s.rows.toLocaleString('en-US')} rows; ` +
    `checks ${s.checksPassed} passed, ${s.checksFailed} failed; steps ${s.succeeded} succeeded, ${s.failed} failed, ${s.skipped} skipped, ${s.cancelled} cancelled`
  );
}
