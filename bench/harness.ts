/** Benchmark contract: every case measures ours against a baseline run in the same process. */

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
