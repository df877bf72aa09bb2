/**
 * Composite relationships: columns (x, y[, z, w]) of one table referencing a
 * composite key (a, b[, c, d]) of another, e.g. lineitem (partkey, suppkey)
 * -> partsupp. A tuple is inside the key only if each of its columns is
 * inside the matching key column, so candidates come from the single-column
 * probes of the key's members (values, not names); names only order the
 * candidates when there are too many. Every candidate is verified exactly on
 * the tuples and scored by the same model as single-column references.
 */
import { qualified } from '../warehouse/sql';
import type { Warehouse } from '../warehouse/warehouse';
import type { CatalogTable, KeyCandidate, Relationship } from './catalog-types';
import { chance, confidenceOf, coverageOf, nameEvidence, pairFeatures, rangeAlignment, type Features } from './relationship-score';
import { PROPOSE_FROM, relationshipId, type RelColumn, type ScoredCandidate } from './relationships';
import { valueExpr, type Family } from './sketch';

/** Per composite-key member (`table\0column`): the member, and the columns of other tables with the share of their values it holds. */
export type MemberMatches = Map<string, { to: RelColumn; fam: Family; from: { col: RelColumn; share: number }[] }>;

/** Each member column of a candidate must be (nearly) inside its key column. */
const MEMBER_CONTAINMENT = 0.9;
const PER_TABLE_PAIR = 4;
const MAX_CANDIDATES = 16;

interface Candidate {
  from: RelColumn[];
  to: RelColumn[];
  fam: Family[];
  toTable: CatalogTable;
  key: KeyCandidate;
  prior: number;
}

const r3 = (x: number) => Math.round(x * 1000) / 1000;

function product<T>(lists: T[][]): T[][] {
  return lists.reduce<T[][]>((acc, list) => acc.flatMap((prefix) => list.map((x) => [...prefix, x])), [[]]);
}

/** Combinations of distinct from-columns, one per key member, from one table. */
function combos(key: KeyCandidate, toTable: CatalogTable, matches: MemberMatches, fromTable: string, tables: readonly string[]): Candidate[] {
  const members = key.columns.map((c) => matches.get(`${toTable.name}\u0000${c}`));
  if (members.some((m) => !m)) return [];
  const options = members.map((m) => (m?.from ?? []).filter((f) => f.col.table === fromTable && f.share >= MEMBER_CONTAINMENT));
  if (options.some((o) => o.length === 0)) return [];
  const name = (f: RelColumn, i: number) => nameEvidence(fromTable, f.name, toTable.name, key.columns[i], tables);
  return product(options)
    .filter((picked) => new Set(picked.map((p) => p.col)).size === picked.length)
    .map((picked) => ({
      from: picked.map((p) => p.col),
      to: members.map((m) => (m as NonNullable<typeof m>).to),
      fam: members.map((m) => (m as NonNullable<typeof m>).fam),
      toTable,
      key,
      prior: picked.reduce((a, p, i) => a + p.share + name(p.col, i), 0),
    }))
    .sort((a, b) => b.prior - a.prior)
    .slice(0, PER_TABLE_PAIR);
}

function candidates(tables: CatalogTable[], matches: MemberMatches, tableNames: readonly string[]): Candidate[] {
  const out: Candidate[] = [];
  for (const t2 of tables) {
    for (const key of t2.keys.filter((k) => k.columns.length > 1)) {
      for (const t1 of tables) if (t1 !== t2) out.push(...combos(key, t2, matches, t1.name, tableNames));
    }
  }
  return out.sort((a, b) => b.prior - a.prior).slice(0, MAX_CANDIDATES);
}

export interface TupleCounts {
  /** Distinct complete from-tuples. */
  d: number;
  /** Of them, not in the target. */
  o: number;
  /** Rows with an empty member. */
  e: number;
  n: number;
}

/**
 * Exact containment of several from-tuples of one table in one target's tuples, in one scan of each;
 * values compared as the target's families say. Tuples are compared by their 64-bit hashes (as keys
 * are verified): sets of hashes cost a fraction of sets of tuples, and a collision is negligible.
 */
export async function countTuples(wh: Warehouse, database: string, froms: RelColumn[][], to: RelColumn[], fam: Family[], signal?: AbortSignal): Promise<TupleCounts[]> {
  const used = [...new Set(froms.flat())];
  const x = (c: RelColumn) => `x${used.indexOf(c)}`;
  const famOf = (c: RelColumn) => fam[froms.find((f) => f.includes(c))?.indexOf(c) ?? 0];
  const values = used.map((c) => `${valueExpr(c.name, famOf(c), c.missingTokens, c.plain)} AS ${x(c)}`).join(', ');
  const targetValues = to.map((c, i) => `${valueExpr(c.name, fam[i], c.missingTokens, c.plain)} AS y${i}`).join(', ');
  const target = `(SELECT cityHash64(${to.map((_, i) => `assumeNotNull(y${i})`).join(', ')}) FROM (SELECT ${targetValues} FROM ${qualified(database, to[0].table)}) WHERE ${to.map((_, i) => `isNotNull(y${i})`).join(' AND ')})`;
  const tuples = froms.map((f, i) => `cityHash64(${f.map((c) => `assumeNotNull(${x(c)})`).join(', ')}) AS t${i}, ${f.map((c) => `isNotNull(${x(c)})`).join(' AND ')} AS ok${i}`);
  const aggregates = froms.map((_, i) => `uniqExactIf(t${i}, ok${i}) AS d${i}, uniqExactIf(t${i}, ok${i} AND t${i} NOT IN ${target}) AS o${i}, countIf(NOT ok${i}) AS e${i}`);
  const sql = `SELECT ${aggregates.join(', ')}, count() AS n FROM (SELECT ${tuples.join(', ')} FROM (SELECT ${values} FROM ${qualified(database, froms[0][0].table)}))`;
  const r = (await wh.query<Record<string, string>>(sql, { signal }))[0] ?? {};
  return froms.map((_, i) => ({ d: Number(r[`d${i}`] ?? 0), o: Number(r[`o${i}`] ?? 0), e: Number(r[`e${i}`] ?? 0), n: Number(r.n ?? 0) }));
}

function featuresOf(c: Candidate, k: TupleCounts, tables: readonly string[]): Features {
  const name = c.from.reduce((a, f, i) => a + nameEvidence(f.table, f.name, c.toTable.name, c.to[i].name, tables), 0) / c.from.length;
  // Matching a tuple by accident needs every member to match by accident.
  const p = c.from.reduce((a, f, i) => a * chance(c.fam[i], c.to[i], f), 1);
  const tupleColumn = { table: c.from[0].table, name: c.from.map((f) => f.name).join(','), rows: k.n, missing: k.e, distinct: k.d, minLength: 0 };
  // The weakest member's alignment: a tuple spans the key only as well as its worst column does.
  const alignment = Math.min(...c.from.map((f, i) => rangeAlignment(c.fam[i], f, c.to[i])));
  return pairFeatures({ fromDistinct: k.d, matched: k.d - k.o }, tupleColumn, name, Math.max(p, 1e-12), alignment);
}

function toRelationship(c: Candidate, k: TupleCounts, f: Features, fromTable: CatalogTable | undefined): Relationship {
  const fromColumns = c.from.map((x) => x.name);
  const toColumns = c.to.map((x) => x.name);
  const isKey = !!fromTable?.keys.some((key) => key.columns.length === fromColumns.length && key.columns.every((x) => fromColumns.includes(x)));
  const { confidence, contributions } = confidenceOf(f);
  return {
    id: relationshipId(c.from[0].table, fromColumns, c.toTable.name, toColumns),
    fromTable: c.from[0].table,
    fromColumns,
    toTable: c.toTable.name,
    toColumns,
    confidence,
    status: 'proposed',
    cardinality: isKey ? 'one-to-one' : 'many-to-one',
    kind: isKey ? 'shared-key' : 'reference',
    nullRate: r3(k.n > 0 ? k.e / k.n : 0),
    evidence: {
      containment: f.containment,
      orphans: k.o,
      nameSimilarity: Math.max(0, f.name),
      targetIsKey: true,
      fromDistinct: k.d,
      toDistinct: c.toTable.rowCount,
      coverage: coverageOf(k.d - k.o, c.toTable.rowCount),
      features: f,
      contributions,
      notes: [
        'composite key: each column inside its key column (sketch probes), containment verified exactly on the tuples',
        ...(k.o > 0 ? [`${k.o} distinct tuple(s) have no match in the target`] : []),
      ],
    },
  };
}

/** Value-guided composite candidates, each verified exactly and scored; at most one target per from-tuple. */
export async function compositeRelationships(
  wh: Warehouse,
  database: string,
  tables: CatalogTable[],
  matches: MemberMatches,
  tableNames: readonly string[],
  opts: { signal?: AbortSignal; trace?: (s: ScoredCandidate[]) => void } = {},
): Promise<Relationship[]> {
  const scored: Relationship[] = [];
  // One scan per from-table and key: the combinations of its columns are counted together.
  const groups = new Map<string, Candidate[]>();
  for (const c of candidates(tables, matches, tableNames)) {
    const k = `${c.from[0].table}\u0000${c.toTable.name}\u0000${c.key.columns.join()}`;
    groups.set(k, [...(groups.get(k) ?? []), c]);
  }
  for (const group of groups.values()) {
    const counts = await countTuples(wh, database, group.map((c) => c.from), group[0].to, group[0].fam, opts.signal);
    group.forEach((c, i) => {
      if (counts[i].d > 0) scored.push(toRelationship(c, counts[i], featuresOf(c, counts[i], tableNames), tables.find((t) => t.name === c.from[0].table)));
    });
  }
  // One candidate per from-column set (the same columns paired in another order are the same reference).
  const best = new Map<string, Relationship>();
  for (const r of scored.sort((a, b) => b.confidence - a.confidence || a.id.localeCompare(b.id))) {
    const k = `${r.fromTable}.${[...r.fromColumns].sort().join(',')}`;
    if (!best.has(k)) best.set(k, r);
  }
  opts.trace?.([...best.values()].map((r) => ({ id: r.id, features: r.evidence.features as Features, confidence: r.confidence })));
  return [...best.values()].filter((r) => r.confidence >= PROPOSE_FROM);
}
