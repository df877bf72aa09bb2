/**
 * What the warehouse was last built from, per step: the fingerprint of the step's SQL, the run that last
 * rebuilt its table, and which rebuild of each dependency it has read. Kept in the warehouse's meta
 * database (`<meta>.step_state`), next to the tables it describes: a new warehouse has none, so
 * everything is built in full once.
 *
 * The decision is pure (`decideMode`): a step is rebuilt when its own SQL changed (a model or catalog
 * edit), when a full rebuild was asked for, or when a dependency was rebuilt after the step last ran
 * (also when that happened in an earlier run whose later steps failed or were skipped).
 */
import { onClusterClause, qualified } from '../warehouse/sql';
import type { Warehouse } from '../warehouse/warehouse';
import type { ManifestStep, StepMode } from './build-types';

export interface StepState {
  fingerprint: string;
  /** Id of the run that last rebuilt the table from scratch ('' when never). */
  rebuilt: string;
  /** Dependency step id -> its `rebuilt` when this step last succeeded. */
  inputs: Record<string, string>;
}

export interface ModeDecision {
  mode: StepMode;
  reason?: string;
}

/** How a silver or gold step runs now, given the recorded states (already updated by the steps run before it). */
export function decideMode(step: ManifestStep, states: ReadonlyMap<string, StepState>, fullRun: boolean): ModeDecision {
  const own = states.get(step.id);
  if (!own) {
    // A history table (SCD2) made before its state was recorded keeps its rows; the incremental SQL reads them.
    return step.history ? { mode: 'incremental' } : { mode: 'full', reason: 'no earlier build of this step is recorded in this warehouse' };
  }
  if (own.fingerprint !== step.fingerprint) {
    return { mode: 'full', reason: `its SQL changed since it last ran (a model or catalog edit)${step.history ? ': its history starts again' : ''}` };
  }
  if (step.history) return { mode: 'incremental', reason: fullRun ? 'a full rebuild keeps its history' : undefined };
  if (fullRun) return { mode: 'full', reason: 'full rebuild requested' };
  const rebuiltDep = step.dependsOn.find((d) => (states.get(d)?.rebuilt ?? '') !== (own.inputs[d] ?? ''));
  if (rebuiltDep !== undefined) {
    return { mode: 'full', reason: `${rebuiltDep} was rebuilt${states.get(rebuiltDep)?.rebuilt ? ` (run ${states.get(rebuiltDep)?.rebuilt})` : ''} after this step last ran` };
  }
  return { mode: 'incremental' };
}

/** The state a step leaves after it succeeded in `runId`. */
export function stateAfter(step: ManifestStep, mode: StepMode, runId: string, states: ReadonlyMap<string, StepState>): StepState {
  const previous = states.get(step.id)?.rebuilt ?? '';
  const inputs: Record<string, string> = {};
  for (const d of step.dependsOn) inputs[d] = states.get(d)?.rebuilt ?? '';
  return { fingerprint: step.fingerprint, rebuilt: mode === 'full' ? runId : previous, inputs };
}

const table = (wh: Warehouse): string => qualified(wh.databases.meta, 'step_state');

export async function ensureStepStateTable(wh: Warehouse): Promise<void> {
  await wh.command(
    `CREATE TABLE IF NOT EXISTS ${table(wh)}${onClusterClause(wh.cluster)} (
       step String, fingerprint String, rebuilt String, inputs String, updated_at DateTime64(6) DEFAULT now64(6)
     ) ENGINE = ReplacingMergeTree(updated_at) ORDER BY step`,
  );
}

export async function readStepStates(wh: Warehouse, signal?: AbortSignal): Promise<Map<string, StepState>> {
  const rows = await wh.query<{ step: string; fingerprint: string; rebuilt: string; inputs: string }>(
    `SELECT step, argMax(fingerprint, updated_at) AS fingerprint, argMax(rebuilt, updated_at) AS rebuilt, argMax(inputs, updated_at) AS inputs
     FROM ${table(wh)} GROUP BY step`,
    { signal },
  );
  return new Map(rows.map((r) => [r.step, { fingerprint: r.fingerprint, rebuilt: r.rebuilt, inputs: parseInputs(r.inputs) }]));
}

export async function writeStepState(wh: Warehouse, step: string, s: StepState): Promise<void> {
  await wh.command(`INSERT INTO ${table(wh)} (step, fingerprint, rebuilt, inputs) VALUES ({step:String}, {fingerprint:String}, {rebuilt:String}, {inputs:String})`, {
    params: { step, fingerprint: s.fingerprint, rebuilt: s.rebuilt, inputs: JSON.stringify(s.inputs) },
  });
}

function parseInputs(text: string): Record<string, string> {
  try {
    const v: unknown = JSON.parse(text);
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      return Object.fromEntries(Object.entries(v).filter((e): e is [string, string] => typeof e[1] === 'string'));
    }
  } catch {
    // An unreadable record is treated as none: the dependants rebuild, which is always correct.
  }
  return {};
}
