/**
 * What `build` writes (build/manifest.json, schema schemas/manifest.schema.json)
 * and what a run records (.kimball/runs/<id>.json, schema schemas/run.schema.json).
 */

export interface Manifest {
  version: 1;
  name: string;
  generatedAt: string;
  steps: ManifestStep[];
}

export interface ManifestStep {
  /** Unique, e.g. `silver.customers`, `gold.fact_sales`, `check.fact_sales.orphans`. */
  id: string;
  layer: 'silver' | 'gold' | 'check';
  /** SQL file relative to build/ (statements separated by `;\n`). */
  file: string;
  /** SQL file of a full rebuild (staging table + EXCHANGE), when it differs from `file` (the incremental run). */
  fullFile?: string;
  /**
   * The table keeps history a rebuild cannot recreate (an SCD2 dimension): `--full` and a rebuilt
   * dependency run `file`, which keeps it; only a change of the step's own SQL runs `fullFile`.
   */
  history?: boolean;
  /** Hash of the step's SQL (both files): a change since the last successful run rebuilds it and its dependants. */
  fingerprint: string;
  /** `view`: a view, whose rows are not counted after the step (that would run its whole query). */
  target?: { database: string; table: string; view?: boolean };
  dependsOn: string[];
  description: string;
}

export type StepStatus = 'pending' | 'running' | 'succeeded' | 'failed' | 'skipped' | 'cancelled';

export interface RunRecord {
  version: 1;
  id: string;
  pipeline: string;
  startedAt: string;
  endedAt?: string;
  status: 'running' | 'succeeded' | 'failed' | 'cancelled';
  /** A re-run from failed names the run it resumes. */
  resumes?: string;
  /** True when the run rebuilt every table from scratch instead of processing new loads only. */
  full?: boolean;
  steps: RunStep[];
}

/** How a step ran: processing new loads only, or rebuilding its table. */
export type StepMode = 'incremental' | 'full';

export interface RunStep {
  id: string;
  status: StepStatus;
  /** Silver and gold steps: how the step ran (or will run) and why. */
  mode?: StepMode;
  reason?: string;
  startedAt?: string;
  endedAt?: string;
  /** Rows in the target after the step, or rows checked for a check. */
  rows?: number;
  /** Checks: what was found, e.g. "0 orphans". */
  result?: string;
  error?: string;
  log: string[];
}
