/**
 * Exact functional dependencies a -> b among the low/medium-cardinality
 * columns of a table (product_id -> product_name; city -> state -> country),
 * for normalisation and hierarchies. Bounded: at most DEP_COLUMNS columns,
 * verified in one query with uniqExact((a, b)) = uniqExact(a).
 */
import { qualified, quoteIdent } from '../warehouse/sql';
import type { Warehouse } from '../warehouse/warehouse';
import type { FunctionalDependency } from './catalog-types';

export interface DepColumn {
  name: string;
  distinct: number;
  isKey: boolean;
}

const DEP_COLUMNS = 8;
/** Determinants with more values than this are ids, not hierarchy levels. */
const MAX_DETERMINANT = 20_000;
/** Stage 1 runs on a random sample of about this many rows: a violation there is a violation. */
const SAMPLE = 50_000;

/**
 * a -> b holds exactly when every group of equal a-values has one b-value:
 * min(b) = max(b) per group. One GROUP BY a per determinant checks all its b's.
 * Returns, per b, whether it holds, and the number of a-groups (exact distinct a).
 */
async function check(wh: Warehouse, source: string, a: DepColumn, bs: DepColumn[], params: Record<string, number>, signal?: AbortSignal): Promise<{ ok: boolean[]; groups: number }> {
  const v = (c: DepColumn) => quoteIdent(c.name);
  const inner = `SELECT ${bs.map((b, i) => `min(${v(b)}) AS mn${i}, max(${v(b)}) AS mx${i}`).join(', ')} FROM ${source} GROUP BY ${v(a)}`;
  const sql = `SELECT count() AS groups, ${bs.map((_, i) => `countIf(mn${i} != mx${i}) AS bad${i}`).join(', ')} FROM (${inner})`;
  const r = (await wh.query(sql, { signal, params }))[0] ?? {};
  return { ok: bs.map((_, i) => Number(r[`bad${i}`] ?? 1) === 0), groups: Number(r.groups ?? 0) };
}

export async function functionalDependencies(
  wh: Warehouse,
  database: string,
  table: string,
  rows: number,
  columns: DepColumn[],
  signal?: AbortSignal,
): Promise<FunctionalDependency[]> {
  // Keys determine everything trivially and constants are determined by anything: neither is informative.
  const pool = columns
    .filter((c) => !c.isKey && c.distinct > 1 && c.distinct <= Math.min(MAX_DETERMINANT, Math.max(2, rows * 0.5)))
    .sort((a, b) => a.distinct - b.distinct)
    .slice(0, DEP_COLUMNS);
  if (pool.length < 2 || rows < 4) return [];
  const from = qualified(database, table);
  const sampled = rows > SAMPLE * 2;
  const out: FunctionalDependency[] = [];
  for (const a of pool) {
    let bs = pool.filter((b) => b !== a && a.distinct >= b.distinct * 0.9);
    if (bs.length === 0) continue;
    if (sampled) {
      // A violation in a sample is a violation; only survivors are checked on all rows.
      const s = await check(wh, `${from} WHERE randCanonical() < {p:Float64}`, a, bs, { p: SAMPLE / rows }, signal);
      // A determinant almost unique in the sample determines anything there: the sample proves nothing for it.
      if (s.groups >= SAMPLE * 0.3) continue;
      bs = bs.filter((_, i) => s.ok[i]);
      if (bs.length === 0) continue;
    }
    const e = await check(wh, from, a, bs, {}, signal);
    const to = bs.filter((_, i) => e.ok[i]).map((b) => b.name);
    if (to.length > 0 && e.groups > 1 && e.groups < rows) out.push({ from: [a.name], to, fromDistinct: e.groups });
  }
  return out.sort((x, y) => x.from[0].localeCompare(y.from[0]));
}
