/**
 * Constraints the source declares (PostgreSQL primary keys, unique
 * constraints, foreign keys; recorded at acquire time) are certain evidence:
 * they become keys and relationships marked `declared`, confidence 1,
 * whatever the ranking or the model says. They are still measured on the
 * data, and the evidence says whether the data honours them.
 */
import { qualified, quoteIdent } from '../warehouse/sql';
import type { Warehouse } from '../warehouse/warehouse';
import type { DeclaredConstraint } from '../acquire/constraints';
import type { KeyCandidate, Relationship } from './catalog-types';
import { countTuples } from './composite-fk';
import { family, relationshipId, type RelColumn } from './relationships';

const r3 = (x: number) => Math.round(x * 1000) / 1000;

/** The table's declared primary key and unique constraints, measured on its rows. */
export async function declaredKeys(wh: Warehouse, database: string, table: string, rows: number, declared: DeclaredConstraint[], columns: string[], signal?: AbortSignal): Promise<KeyCandidate[]> {
  const own = declared.filter((c) => c.bronzeTable === table && c.kind !== 'foreign' && c.columns.length > 0 && c.columns.every((x) => columns.includes(x)));
  if (own.length === 0 || rows === 0) return own.map((c) => declaredKey(c, ['the table is empty: nothing to check']));
  const cols = (c: DeclaredConstraint) => c.columns.map(quoteIdent).join(', ');
  const aggregates = own.map((c, i) => `uniqExact(cityHash64(${cols(c)})) AS x${i}, countIf(${c.columns.map((x) => `${quoteIdent(x)} = ''`).join(' OR ')}) AS e${i}`);
  const r = (await wh.query(`SELECT ${aggregates.join(', ')} FROM ${qualified(database, table)}`, { signal }))[0] ?? {};
  return own.map((c, i) => {
    const distinct = Number(r[`x${i}`] ?? 0);
    const empty = Number(r[`e${i}`] ?? 0);
    const holds = distinct === rows && empty === 0;
    return declaredKey(c, [holds ? `holds on the data: ${rows} rows, ${rows} distinct, no empties` : `the data breaks it: ${rows} rows, ${distinct} distinct, ${empty} with an empty column`]);
  });
}

function declaredKey(c: DeclaredConstraint, measured: string[]): KeyCandidate {
  const what = c.kind === 'primary' ? 'primary key' : 'unique constraint';
  // A declared unique constraint is certain too, but the declared primary key is the one to use.
  return { columns: c.columns, kind: 'candidate', confidence: c.kind === 'primary' ? 1 : 0.995, evidence: [`declared: a ${what} of the source`, ...measured], declared: true };
}

/** Declared keys first; discovered candidates on the same columns give way to them. */
export function withDeclaredKeys(declared: KeyCandidate[], discovered: KeyCandidate[]): KeyCandidate[] {
  const same = (a: string[], b: string[]) => a.length === b.length && a.every((x) => b.includes(x));
  return [...declared, ...discovered.filter((k) => !declared.some((d) => same(d.columns, k.columns)))];
}

/** The declared foreign keys between tables in the catalog, measured exactly; they replace what discovery proposed for the same columns. */
export async function withDeclaredRelationships(
  wh: Warehouse,
  database: string,
  declared: DeclaredConstraint[],
  columns: RelColumn[],
  discovered: Relationship[],
  signal?: AbortSignal,
): Promise<Relationship[]> {
  const col = (table: string, name: string) => columns.find((c) => c.table === table && c.name === name);
  const out: Relationship[] = [];
  for (const c of declared.filter((x) => x.kind === 'foreign' && x.columns.length === x.refColumns.length && x.columns.length > 0)) {
    const from = c.columns.map((n) => col(c.bronzeTable, n));
    const to = c.refColumns.map((n) => col(c.refBronzeTable, n));
    if (from.some((x) => !x) || to.some((x) => !x)) continue;
    out.push(await declaredRelationship(wh, database, c, from as RelColumn[], to as RelColumn[], discovered, signal));
  }
  const sameFrom = (a: Relationship, b: Relationship) => a.fromTable === b.fromTable && a.fromColumns.join() === b.fromColumns.join();
  return [...out, ...discovered.filter((r) => !out.some((d) => sameFrom(d, r)))].sort((a, b) => a.id.localeCompare(b.id));
}

async function declaredRelationship(wh: Warehouse, database: string, c: DeclaredConstraint, from: RelColumn[], to: RelColumn[], discovered: Relationship[], signal?: AbortSignal): Promise<Relationship> {
  // Compare as the target's values are written (an integer key compares as numbers).
  const fam = to.map((t) => family(t) ?? 'text');
  const [k] = await countTuples(wh, database, [from], to, fam, signal);
  const id = relationshipId(c.bronzeTable, c.columns, c.refBronzeTable, c.refColumns);
  const found = discovered.find((r) => r.id === id);
  const containment = k.d > 0 ? r3(1 - k.o / k.d) : 1;
  const isKey = from.length === 1 && from[0].isKey;
  const measured = k.o > 0 ? `the data breaks it: ${k.o} distinct value(s) have no match in the target` : 'holds on the data: every value has a match';
  return {
    id,
    fromTable: c.bronzeTable,
    fromColumns: c.columns,
    toTable: c.refBronzeTable,
    toColumns: c.refColumns,
    confidence: 1,
    status: 'proposed',
    cardinality: isKey ? 'one-to-one' : 'many-to-one',
    kind: isKey ? 'shared-key' : 'reference',
    nullRate: r3(k.n > 0 ? k.e / k.n : 0),
    declared: true,
    evidence: {
      ...(found?.evidence ?? { nameSimilarity: 0, targetIsKey: true, toDistinct: to[0].rows }),
      containment,
      orphans: k.o,
      fromDistinct: k.d,
      notes: ['declared: a foreign key of the source', measured, ...(found ? [`discovery found it too (model confidence ${found.confidence})`] : [])],
    },
  };
}
