/**
 * Key discovery. A key is a set of at most 3 columns that is non-empty in
 * every row and unique, VERIFIED EXACTLY (count() = uniqExact over the full
 * table). Sketches (HLL uniq) only choose which composites to verify.
 * Candidates are ranked by name, position, type and length; the best is
 * `primary`.
 */
import { qualified, quoteIdent } from '../warehouse/sql';
import type { Warehouse } from '../warehouse/warehouse';
import type { InferredType, KeyCandidate } from './catalog-types';
import { isKeyLikeName, tableStem, coreTokens } from './names';

export interface KeyColumn {
  name: string;
  position: number;
  inferred: InferredType;
  /** Exact empties + placeholders over the full table. */
  missing: number;
  /** Exact distinct non-empty values, when measured. */
  distinctExact?: number;
  /** Estimated distinct non-empty values. */
  distinct: number;
  maxLength: number;
}

/** Columns considered for composite keys, and the cap on verified combinations. */
const COMPOSITE_COLUMNS = 8;
const MAX_EXACT_CHECKS = 12;
/** A single key at least this strong (identifier name or integer type near the front) ends the search. */
const STRONG_SINGLE = 0.6;

function typeScore(t: InferredType, maxLength: number): number {
  if (/^U?Int/.test(t.type) || t.type === 'UUID') return 1;
  if (t.type.includes('String')) return maxLength <= 24 ? 0.6 : 0.1;
  if (t.type.startsWith('Decimal') || t.type === 'Float64' || t.type.startsWith('Date') || t.type === 'Bool') return 0;
  return 0.3;
}

function nameScore(column: string, table: string): number {
  if (!isKeyLikeName(column)) return 0;
  const stem = tableStem(table);
  const core = coreTokens(column).join('');
  // `id`, `<table>_id`, `o_orderkey` in `orders`: the table's own identifier.
  return core === 'id' || core === 'key' || (stem.length >= 3 && core.startsWith(stem.slice(0, Math.min(4, stem.length)))) ? 1 : 0.7;
}

export function singleKeyScore(c: KeyColumn, table: string): number {
  const s = 0.35 + 0.25 * nameScore(c.name, table) + 0.1 * (c.position === 0 ? 1 : 0) + 0.2 * typeScore(c.inferred, c.maxLength) + 0.05 * (c.maxLength <= 20 ? 1 : 0);
  return Math.round(Math.min(1, s) * 1000) / 1000;
}

/**
 * Composite ranking: identifier names and integer types, fewer columns, and
 * (tie-breaker) the smallest product of distinct counts: a parent reference
 * plus a short line number beats two references that happen to be unique together.
 */
function compositeScore(cols: KeyColumn[], rows: number): number {
  const avg = (f: (c: KeyColumn) => number) => cols.reduce((a, c) => a + f(c), 0) / cols.length;
  const logProduct = cols.reduce((a, c) => a + Math.log(Math.max(2, c.distinct)), 0);
  const compact = 1 - Math.min(1, logProduct / (2 * Math.log(Math.max(2, rows))));
  const s = 0.35 + 0.25 * avg((c) => (isKeyLikeName(c.name) ? 1 : 0)) + 0.2 * avg((c) => typeScore(c.inferred, c.maxLength)) + 0.1 - 0.05 * (cols.length - 1) + 0.05 * compact;
  return Math.round(Math.max(0, Math.min(1, s)) * 1000) / 1000;
}

function singleEvidence(c: KeyColumn, rows: number, table: string): string[] {
  const ev = [`exact: ${rows} rows, ${rows} distinct values (64-bit hashes all distinct), no empties`];
  if (nameScore(c.name, table) > 0) ev.push('identifier-like name');
  if (c.position === 0) ev.push('first column');
  ev.push(`type ${c.inferred.type}`);
  return ev;
}

/** Single-column keys, from exact distinct counts already measured. */
export function singleKeys(table: string, rows: number, columns: KeyColumn[]): KeyCandidate[] {
  if (rows === 0) return [];
  return columns
    .filter((c) => c.missing === 0 && c.distinctExact === rows)
    .map((c) => ({ columns: [c.name], kind: 'candidate' as const, confidence: singleKeyScore(c, table), evidence: singleEvidence(c, rows, table) }));
}

function combos<T>(xs: T[], k: number): T[][] {
  if (k === 0) return [[]];
  return xs.flatMap((x, i) => combos(xs.slice(i + 1), k - 1).map((rest) => [x, ...rest]));
}

/** Composite keys of 2 then 3 columns: HLL estimates choose, exact counts decide; minimal sets only. */
export async function compositeKeys(
  wh: Warehouse,
  database: string,
  table: string,
  rows: number,
  columns: KeyColumn[],
  signal?: AbortSignal,
  /** Distinct counts come from a sample: they cannot bound the number of combinations. */
  sampled = false,
): Promise<KeyCandidate[]> {
  if (rows < 2) return [];
  const pool = columns
    .filter((c) => c.missing === 0 && c.distinct > 1 && c.distinct < rows && typeScore(c.inferred, c.maxLength) >= 0.3)
    .sort((a, b) => Number(isKeyLikeName(b.name)) - Number(isKeyLikeName(a.name)) || a.position - b.position)
    .slice(0, COMPOSITE_COLUMNS);
  const found: KeyColumn[][] = [];
  for (const k of [2, 3]) {
    const sets = combos(pool, k).filter((s) => !found.some((f) => f.every((c) => s.includes(c))));
    // Product of distinct counts below the row count cannot be unique.
    const possible = sampled ? sets : sets.filter((s) => s.reduce((a, c) => a * c.distinct, 1) >= rows);
    if (possible.length === 0) continue;
    const tuple = (s: KeyColumn[]) => `(${s.map((c) => quoteIdent(c.name)).join(', ')})`;
    const est = (await wh.query(`SELECT ${possible.map((s, i) => `uniq${tuple(s)} AS e${i}`).join(', ')} FROM ${qualified(database, table)}`, { signal }))[0] ?? {};
    const likely = possible
      .map((set, i) => ({ set, e: Number(est[`e${i}`] ?? 0) }))
      .filter((x) => x.e >= rows * 0.97)
      .sort((x, y) => y.e - x.e)
      .slice(0, MAX_EXACT_CHECKS)
      .map((x) => x.set);
    if (likely.length === 0) continue;
    const ex = (await wh.query(`SELECT ${likely.map((s, i) => `uniqExact${tuple(s)} AS x${i}`).join(', ')} FROM ${qualified(database, table)}`, { signal }))[0] ?? {};
    likely.forEach((s, i) => {
      if (Number(ex[`x${i}`] ?? 0) === rows) found.push(s);
    });
    if (found.length > 0) break;
  }
  return found.map((s) => ({
    columns: s.map((c) => c.name),
    kind: 'candidate' as const,
    confidence: compositeScore(s, rows),
    evidence: [`exact: ${rows} rows, ${rows} distinct combinations, no empties`, 'no single column is a strong key'],
  }));
}

/** Rank, mark the best as primary (or the user's choice), keep the list short. */
export function rankKeys(keys: KeyCandidate[], userPrimary?: string[]): KeyCandidate[] {
  const same = (a: string[], b: string[]) => a.length === b.length && a.every((x, i) => x === b[i]);
  let list = [...keys];
  if (userPrimary && userPrimary.length > 0 && !list.some((k) => same(k.columns, userPrimary))) {
    list.push({ columns: userPrimary, kind: 'primary', confidence: 1, evidence: ['marked by the user'], userDefined: true });
  }
  list.sort((a, b) => b.confidence - a.confidence || a.columns.length - b.columns.length);
  list = list.slice(0, 6);
  const primary = userPrimary && userPrimary.length > 0 ? list.find((k) => same(k.columns, userPrimary)) : list[0];
  return list.map((k) => ({ ...k, kind: k === primary ? 'primary' : 'candidate', ...(k === primary && userPrimary ? { userDefined: true } : {}) }));
}

export { STRONG_SINGLE };
