/**
 * Composite relationships: columns (x, y[, z]) of one table referencing a
 * composite key (a, b[, c]) of another, e.g. lineitem (partkey, suppkey) ->
 * partsupp. Trying every combination of columns is out of reach, so
 * candidates are guided by names (each column must name its key column), and
 * every candidate is verified exactly on the tuple of values.
 */
import { qualified, quoteIdent } from '../warehouse/sql';
import type { Warehouse } from '../warehouse/warehouse';
import type { CatalogTable, Relationship } from './catalog-types';
import { nameSimilarity } from './names';
import { family, relationshipId, MIN_CONFIDENCE, type RelColumn } from './relationships';

/** Every member column must carry strong name evidence (same specific name, or the key's entity). */
const MEMBER_NAME = 0.9;
const MIN_CONTAINMENT = 0.9;
const MAX_CANDIDATES = 20;

interface Candidate {
  from: RelColumn[];
  to: RelColumn[];
  toTable: CatalogTable;
  name: number;
}

const r3 = (x: number) => Math.round(x * 1000) / 1000;

function candidates(tables: CatalogTable[], columns: RelColumn[]): Candidate[] {
  const byTable = new Map<string, RelColumn[]>();
  for (const c of columns) byTable.set(c.table, [...(byTable.get(c.table) ?? []), c]);
  const out: Candidate[] = [];
  for (const t2 of tables) {
    for (const key of t2.keys.filter((k) => k.columns.length > 1)) {
      const to = key.columns.map((n) => byTable.get(t2.name)?.find((c) => c.name === n));
      if (to.some((c) => !c || !family(c.inferred, c.maxLength))) continue;
      for (const [t1, cols] of byTable) {
        if (t1 === t2.name) continue;
        const from: RelColumn[] = [];
        let name = 0;
        for (const k of to as RelColumn[]) {
          const best = cols
            .filter((c) => !from.includes(c) && family(c.inferred, c.maxLength) === family(k.inferred, k.maxLength))
            .map((c) => ({ c, s: nameSimilarity(c.name, t2.name, k.name) }))
            .sort((a, b) => b.s - a.s)[0];
          if (!best || best.s < MEMBER_NAME) break;
          from.push(best.c);
          name += best.s;
        }
        if (from.length === to.length) out.push({ from, to: to as RelColumn[], toTable: t2, name: name / to.length });
      }
    }
  }
  return out.slice(0, MAX_CANDIDATES);
}

function tupleExpr(cols: RelColumn[]): string {
  // Without surrounding spaces, as types were inferred ("1, 2" CSVs).
  const v = (c: RelColumn) => (family(c.inferred, c.maxLength) === 'int' ? `toInt64OrNull(trimBoth(${quoteIdent(c.name)}))` : `trimBoth(${quoteIdent(c.name)})`);
  return `tuple(${cols.map(v).join(', ')})`;
}

/** Name-guided composite candidates, each verified exactly: distinct from-tuples and how many have no match. */
export async function compositeRelationships(
  wh: Warehouse,
  database: string,
  tables: CatalogTable[],
  columns: RelColumn[],
  signal?: AbortSignal,
): Promise<Relationship[]> {
  const out: Relationship[] = [];
  for (const c of candidates(tables, columns)) {
    const nonEmpty = (cols: RelColumn[]) => cols.map((x) => `${quoteIdent(x.name)} != ''`).join(' AND ');
    const target = `(SELECT ${tupleExpr(c.to)} FROM ${qualified(database, c.toTable.name)} WHERE ${nonEmpty(c.to)})`;
    const sql = `SELECT uniqExact(t) AS d, uniqExactIf(t, t NOT IN ${target}) AS o, countIf(NOT (${nonEmpty(c.from)})) AS e, count() AS n
                   FROM (SELECT ${tupleExpr(c.from)} AS t, ${c.from.map((x) => quoteIdent(x.name)).join(', ')} FROM ${qualified(database, c.from[0].table)})`;
    const r = (await wh.query<{ d: string; o: string; e: string; n: string }>(sql, { signal }))[0];
    const d = Number(r?.d ?? 0);
    if (d === 0) continue;
    const orphans = Number(r.o);
    const containment = 1 - orphans / d;
    if (containment < MIN_CONTAINMENT) continue;
    const primary = c.toTable.keys.find((k) => k.kind === 'primary');
    const isPrimary = !!primary && primary.columns.join() === c.to.map((x) => x.name).join();
    const confidence = r3(0.35 * containment + 0.3 * c.name + 0.15 * (isPrimary ? 1 : 0.5) + 0.2);
    if (confidence < MIN_CONFIDENCE) continue;
    const fromColumns = c.from.map((x) => x.name);
    const toColumns = c.to.map((x) => x.name);
    out.push({
      id: relationshipId(c.from[0].table, fromColumns, c.toTable.name, toColumns),
      fromTable: c.from[0].table,
      fromColumns,
      toTable: c.toTable.name,
      toColumns,
      confidence,
      status: 'proposed',
      cardinality: 'many-to-one',
      nullRate: r3(Number(r.n) > 0 ? Number(r.e) / Number(r.n) : 0),
      evidence: {
        containment: r3(containment),
        orphans,
        nameSimilarity: r3(c.name),
        targetIsKey: true,
        fromDistinct: d,
        toDistinct: c.toTable.rowCount,
        notes: ['composite key: candidates guided by names, containment verified exactly on the tuples', ...(orphans > 0 ? [`${orphans} distinct tuple(s) have no match in the target`] : [])],
      },
    });
  }
  return out;
}
