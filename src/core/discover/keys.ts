/**
 * Key discovery. A key is a set of at most 4 columns that is non-empty in
 * every row and unique, VERIFIED EXACTLY (distinct 64-bit hashes of the
 * values = rows, over the full table). Composite candidates come from every
 * column whatever its type or position: cardinality (the product of distinct
 * counts must reach the row count) and exact functional dependencies (a set
 * holding a -> b is never minimal) prune them, a sample refutes most, the
 * full table decides. Ranking prefers identifiers (ids, codes, dates with an
 * entity) over values that happen to be unique (a price, a count), and says
 * why in the key's evidence.
 */
import { qualified, quoteIdent } from '../warehouse/sql';
import type { Warehouse } from '../warehouse/warehouse';
import type { DeclaredConstraint } from '../acquire/constraints';
import type { FunctionalDependency, InferredType, KeyCandidate } from './catalog-types';
import { declaredKeys, withDeclaredKeys } from './declared';
import { isDateType, keyAffinity, type Affinity } from './roles';

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
  minLength?: number;
  min?: number;
  max?: number;
  /** Share of values that are email addresses. */
  email?: number;
}

/** Columns tried in composites, sets verified per level, and the largest key. */
const POOL = 12;
const SETS_PER_LEVEL = 40;
const MAX_EXACT_CHECKS = 8;
const MAX_COLUMNS = 4;
/** Tables up to this size are checked exactly at once; larger ones are refuted on a sample of this size first. */
const DIRECT_ROWS = 20_000;
/** A single key this identifier-like (ids, UUIDs, short codes) ends the search; a unique measure does not. */
const STRONG_AFFINITY = 0.7;
/** A composite whose every member is at least this identifier-like ends the search at its size. */
const GOOD_MEMBER = 0.5;
/** Discovered keys stay below a declared one (confidence 1). */
const MAX_DISCOVERED = 0.99;
/** Profile samples hold about this many rows (profile.ts SAMPLE_ROWS): sampled distinct counts scale from it. */
const PROFILE_SAMPLE = 20_000;

const r3 = (x: number) => Math.round(x * 1000) / 1000;

export function affinityOf(c: KeyColumn): Affinity {
  return keyAffinity({
    name: c.name,
    type: c.inferred.type,
    rows: 0,
    missing: c.missing,
    distinct: c.distinctExact ?? c.distinct,
    minLength: c.minLength ?? 0,
    maxLength: c.maxLength,
    min: c.min,
    max: c.max,
    patterns: { email: c.email ?? 0 },
  });
}

export function singleKeyScore(c: KeyColumn): number {
  const s = 0.3 + 0.6 * affinityOf(c).score + 0.05 * (c.position === 0 ? 1 : 0) + 0.04 * (c.maxLength <= 20 ? 1 : 0);
  return r3(Math.min(MAX_DISCOVERED, s));
}

/** A date with an entity (symbol + date, store + day): the grain of a time series. */
const dateWithEntity = (cols: KeyColumn[]) =>
  cols.some((c) => isDateType(c.inferred.type)) && cols.some((c) => !isDateType(c.inferred.type) && affinityOf(c).score >= STRONG_AFFINITY);

export function compositeScore(cols: KeyColumn[]): number {
  const mean = cols.reduce((a, c) => a + affinityOf(c).score, 0) / cols.length;
  // Each extra column costs: two columns unique together by chance are likelier than one.
  const s = 0.3 + 0.6 * mean + (dateWithEntity(cols) ? 0.05 : 0) - 0.08 * (cols.length - 1);
  return r3(Math.max(0, Math.min(MAX_DISCOVERED, s)));
}

function singleEvidence(c: KeyColumn, rows: number): string[] {
  const ev = [`exact: ${rows} rows, ${rows} distinct values (64-bit hashes all distinct), no empties`, affinityOf(c).reason];
  if (c.position === 0) ev.push('first column');
  ev.push(`type ${c.inferred.type}`);
  return ev;
}

/** Single-column keys, from exact distinct counts already measured. */
export function singleKeys(rows: number, columns: KeyColumn[]): KeyCandidate[] {
  if (rows === 0) return [];
  return columns
    .filter((c) => c.missing === 0 && c.distinctExact === rows)
    .map((c) => ({ columns: [c.name], kind: 'candidate' as const, confidence: singleKeyScore(c), evidence: singleEvidence(c, rows) }));
}

/** True when some single key is an identifier: composites are not worth a scan then. */
export function hasStrongSingle(singles: KeyCandidate[], columns: KeyColumn[]): boolean {
  return singles.some((k) => {
    const c = columns.find((x) => x.name === k.columns[0]);
    return !!c && affinityOf(c).score >= STRONG_AFFINITY;
  });
}

function combos<T>(xs: T[], k: number): T[][] {
  if (k === 0) return [[]];
  return xs.flatMap((x, i) => combos(xs.slice(i + 1), k - 1).map((rest) => [x, ...rest]));
}

/** An upper bound on the column's distinct values in the whole table (a sample's count scales up). */
function distinctBound(c: KeyColumn, rows: number, sampled: boolean): number {
  if (c.distinctExact !== undefined) return c.distinctExact;
  return sampled ? Math.min(rows, Math.ceil((c.distinct * rows) / PROFILE_SAMPLE)) : Math.ceil(c.distinct * 1.05);
}

interface Search {
  wh: Warehouse;
  source: string;
  rows: number;
  signal?: AbortSignal;
}

/** Which sets are unique: exactly on small tables; on large ones a sample refutes and the full table decides. */
async function uniqueSets(s: Search, sets: KeyColumn[][]): Promise<KeyColumn[][]> {
  const hash = (set: KeyColumn[]) => `uniqExact(cityHash64(${set.map((c) => quoteIdent(c.name)).join(', ')}))`;
  const query = async (list: KeyColumn[][], where: string, params?: Record<string, number>) => {
    const r = (await s.wh.query(`SELECT count() AS n, ${list.map((set, i) => `${hash(set)} AS x${i}`).join(', ')} FROM ${s.source}${where}`, { signal: s.signal, params }))[0] ?? {};
    return list.filter((_, i) => Number(r[`x${i}`] ?? -1) === Number(r.n ?? -2));
  };
  if (s.rows <= DIRECT_ROWS) return query(sets, '');
  const survivors = await query(sets, ' WHERE randCanonical() < {p:Float64}', { p: DIRECT_ROWS / s.rows });
  if (survivors.length === 0) return [];
  return query(survivors.slice(0, MAX_EXACT_CHECKS), '');
}

/** Sets worth verifying at one size: minimal, free of exact dependencies, with enough combinations to be unique. */
export function plausibleSets(pool: KeyColumn[], k: number, found: KeyColumn[][], deps: [string, string][], bound: (c: KeyColumn) => number, rows: number): KeyColumn[][] {
  const names = (s: KeyColumn[]) => new Set(s.map((c) => c.name));
  return combos(pool, k)
    .filter((s) => !found.some((f) => f.every((c) => s.includes(c))))
    .filter((s) => !deps.some(([a, b]) => names(s).has(a) && names(s).has(b)))
    .filter((s) => s.reduce((a, c) => a * bound(c), 1) >= rows)
    .sort((a, b) => compositeScore(b) - compositeScore(a))
    .slice(0, SETS_PER_LEVEL);
}

function compositeEvidence(set: KeyColumn[], rows: number): string[] {
  return [
    `exact: ${rows} rows, ${rows} distinct combinations, no empties`,
    ...set.map((c) => `${c.name}: ${affinityOf(c).reason}`),
    ...(dateWithEntity(set) ? ['a date with an entity: the grain of a time series'] : []),
  ];
}

/**
 * Columns that can be part of a composite key, whatever their type or position: identifier-like ones with
 * many values first (a column of 3 values does little towards distinguishing 1,800 rows).
 */
export function compositePool(columns: KeyColumn[], rows: number): KeyColumn[] {
  const promise = (c: KeyColumn) => affinityOf(c).score + Math.log(c.distinct) / Math.log(Math.max(2, rows));
  return columns
    .filter((c) => c.missing === 0 && c.distinct > 1 && c.distinctExact !== rows)
    .sort((a, b) => promise(b) - promise(a) || a.position - b.position)
    .slice(0, POOL);
}

/**
 * Minimal composite keys of 2 to 4 columns. Stops at the first size that yields a key of identifier-like
 * columns; a key that needs a measure keeps the search going for a better one.
 */
export async function compositeKeys(
  wh: Warehouse,
  database: string,
  table: string,
  rows: number,
  columns: KeyColumn[],
  opts: { signal?: AbortSignal; sampled?: boolean; dependencies?: FunctionalDependency[] } = {},
): Promise<KeyCandidate[]> {
  if (rows < 2) return [];
  const bound = (c: KeyColumn) => distinctBound(c, rows, opts.sampled ?? false);
  const pool = compositePool(columns, rows);
  const deps = (opts.dependencies ?? []).flatMap((d) => d.to.map((b): [string, string] => [d.from[0], b]));
  const search: Search = { wh, source: qualified(database, table), rows, signal: opts.signal };
  const found: KeyColumn[][] = [];
  for (let k = 2; k <= Math.min(MAX_COLUMNS, pool.length); k++) {
    const sets = plausibleSets(pool, k, found, deps, bound, rows);
    if (sets.length > 0) found.push(...(await uniqueSets(search, sets)));
    if (found.some((s) => s.every((c) => affinityOf(c).score >= GOOD_MEMBER))) break;
  }
  // Columns in table order, as a reader expects them.
  const ordered = found.map((s) => [...s].sort((a, b) => a.position - b.position));
  return ordered.map((s) => ({ columns: s.map((c) => c.name), kind: 'candidate' as const, confidence: compositeScore(s), evidence: compositeEvidence(s, rows) }));
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

/** The primary key's evidence says which unique columns it was preferred over, and why. */
export function explainChoice(keys: KeyCandidate[], columns: KeyColumn[]): KeyCandidate[] {
  const primary = keys.find((k) => k.kind === 'primary');
  if (!primary || primary.declared) return keys;
  const passed = keys.filter((k) => k !== primary && k.columns.length === 1 && !primary.columns.includes(k.columns[0]));
  const why = passed.flatMap((k) => {
    const c = columns.find((x) => x.name === k.columns[0]);
    return c && affinityOf(c).score < STRONG_AFFINITY ? [`preferred over ${c.name} (unique, but ${affinityOf(c).reason})`] : [];
  });
  return why.length === 0 ? keys : keys.map((k) => (k === primary ? { ...k, evidence: [...k.evidence, ...why] } : k));
}

/**
 * A table's keys: declared ones (certain), exact single keys, and composites when no identifier is unique
 * on its own; ranked, the primary's choice explained.
 */
export async function tableKeys(
  wh: Warehouse,
  database: string,
  table: string,
  rows: number,
  columns: KeyColumn[],
  o: { search: boolean; sampled: boolean; dependencies: FunctionalDependency[]; declared: DeclaredConstraint[]; signal?: AbortSignal },
): Promise<KeyCandidate[]> {
  const singles = singleKeys(rows, columns);
  const declared = await declaredKeys(wh, database, table, rows, o.declared, columns.map((c) => c.name), o.signal);
  const declaredPrimary = declared.some((k) => k.confidence === 1);
  const composites =
    o.search && !declaredPrimary && !hasStrongSingle(singles, columns)
      ? await compositeKeys(wh, database, table, rows, columns, { signal: o.signal, sampled: o.sampled, dependencies: o.dependencies })
      : [];
  return explainChoice(rankKeys(withDeclaredKeys(declared, [...singles, ...composites])), columns);
}
