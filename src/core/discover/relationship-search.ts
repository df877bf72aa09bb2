/**
 * The relationship search across all tables: sketch every comparable column,
 * probe every key column (and every member of a composite key) once, turn
 * the counts into candidates, count exactly where a sample left doubt, score
 * and resolve (relationships.ts), then composite references (composite-fk.ts).
 */
import type { Warehouse } from '../warehouse/warehouse';
import type { CatalogTable, Relationship } from './catalog-types';
import { compositeRelationships, type MemberMatches } from './composite-fk';
import { mapLimit } from './concurrency';
import { confidenceOf } from './relationship-score';
import { family, featuresOf, resolveRelationships, verifyCandidates, PROPOSE_FROM, type RelColumn, type ScoredCandidate, type Verified } from './relationships';
import { SAMPLE_ROWS } from './profile';
import { ValueSketches, type Family, type SketchColumn, type SketchSize } from './sketch';

/** Below this estimated containment a pair is no candidate (a reference with half its values orphaned is no reference). */
const MIN_CANDIDATE_CONTAINMENT = 0.5;
/** Sampled pairs are counted exactly when their optimistic estimate could come near a proposal. */
const VERIFY_FLOOR = PROPOSE_FROM * 0.75;
/** Slack on a sampled containment estimate (a sample of ~500 values is within a few points). */
const ESTIMATE_SLACK = 0.05;

export interface SearchOptions {
  signal?: AbortSignal;
  /** Receives every scored candidate, kept or not (calibration). */
  trace?: (scored: ScoredCandidate[]) => void;
  parallel?: number;
}

/**
 * Distinct values over the whole table. A sample's count is the answer when values repeat a lot in it
 * (the domain is exhausted); otherwise it scales with the table.
 */
export function fullDistinct(c: RelColumn): number {
  if (!c.sampled || c.distinct < SAMPLE_ROWS / 10) return c.distinct;
  return Math.min(c.rows, Math.round((c.distinct * c.rows) / SAMPLE_ROWS));
}

interface Indexed {
  col: RelColumn;
  fam: Family;
  sketch: SketchColumn;
}

function indexColumns(columns: RelColumn[]): Indexed[] {
  const out: Indexed[] = [];
  columns.forEach((col, id) => {
    const fam = family(col);
    if (!fam || col.rows - col.missing <= 0) return;
    out.push({ col, fam, sketch: { id, table: col.table, name: col.name, fam, distinct: fullDistinct(col), missingTokens: col.missingTokens, plain: col.plain } });
  });
  return out;
}

/** Columns of composite keys (by table and name), the targets of composite references. */
function compositeMembers(tables: CatalogTable[]): Set<string> {
  return new Set(tables.flatMap((t) => t.keys.filter((k) => k.columns.length > 1).flatMap((k) => k.columns.map((c) => `${t.name}\u0000${c}`))));
}

function probeTargets(cols: Indexed[], sizes: Map<number, SketchSize>, members: Set<string>) {
  return cols
    .filter((t) => t.col.isKey || members.has(`${t.col.table}\u0000${t.col.name}`))
    .map((t) => ({
      column: t.sketch,
      // A single key is referenced from anywhere (its own table too); a composite member only from other tables.
      candidates: cols
        .filter((a) => a !== t && a.fam === t.fam && (sizes.get(a.sketch.id)?.size ?? 0) > 0 && (t.col.isKey || a.col.table !== t.col.table))
        .map((a) => a.sketch.id),
    }));
}

/** Candidates of single keys: exact when the from-column's sketch is complete, else estimated for the verification step. */
function singleCandidates(cols: Indexed[], sizes: Map<number, SketchSize>, probes: Map<number, Map<number, number>>, tables: string[]) {
  const byId = new Map(cols.map((c) => [c.sketch.id, c]));
  const exact: Verified[] = [];
  const doubtful: Omit<Verified, 'fromDistinct' | 'orphans'>[] = [];
  for (const t of cols.filter((c) => c.col.isKey)) {
    for (const [id, matched] of probes.get(t.sketch.id) ?? []) {
      const a = byId.get(id);
      const s = sizes.get(id);
      if (!a || !s || matched / s.size < MIN_CANDIDATE_CONTAINMENT) continue;
      const pair = { from: a.col, to: t.col, fam: t.fam };
      if (s.complete) {
        exact.push({ ...pair, fromDistinct: s.size, orphans: s.size - matched });
        continue;
      }
      const share = Math.min(1, matched / s.size + ESTIMATE_SLACK);
      const optimistic = featuresOf({ ...pair, fromDistinct: s.distinct, orphans: Math.round(s.distinct * (1 - share)) }, tables);
      if (confidenceOf(optimistic).confidence >= VERIFY_FLOOR) doubtful.push(pair);
    }
  }
  return { exact, doubtful };
}

/** Composite-key members: the columns of other tables, with the share of their sketched values each member holds. */
function memberMatches(cols: Indexed[], sizes: Map<number, SketchSize>, probes: Map<number, Map<number, number>>, members: Set<string>): MemberMatches {
  const byId = new Map(cols.map((c) => [c.sketch.id, c]));
  const out: MemberMatches = new Map();
  for (const t of cols.filter((c) => members.has(`${c.col.table}\u0000${c.col.name}`))) {
    const from: { col: RelColumn; share: number }[] = [];
    for (const [id, matched] of probes.get(t.sketch.id) ?? []) {
      const a = byId.get(id);
      const size = sizes.get(id)?.size ?? 0;
      if (a && size > 0) from.push({ col: a.col, share: matched / size });
    }
    out.set(`${t.col.table}\u0000${t.col.name}`, { to: t.col, fam: t.fam, from });
  }
  return out;
}

export async function findRelationships(wh: Warehouse, database: string, tables: CatalogTable[], columns: RelColumn[], opts: SearchOptions = {}): Promise<Relationship[]> {
  const { signal } = opts;
  const tableNames = tables.map((t) => t.name);
  const cols = indexColumns(columns);
  const members = compositeMembers(tables);
  const sketches = new ValueSketches(wh, database);
  await sketches.open();
  try {
    await mapLimit(tableNames, opts.parallel ?? 2, (t) => sketches.add(t, cols.filter((c) => c.col.table === t).map((c) => c.sketch), signal));
    const sizes = await sketches.sizes(signal);
    const probes = await sketches.probe(probeTargets(cols, sizes, members), signal);
    const { exact, doubtful } = singleCandidates(cols, sizes, probes, tableNames);
    const counted = await verifyCandidates(wh, database, doubtful, signal);
    const singles = resolveRelationships([...exact, ...counted], tableNames, opts.trace);
    const composite = await compositeRelationships(wh, database, tables, memberMatches(cols, sizes, probes, members), tableNames, opts);
    return [...singles, ...composite].sort((a, b) => a.id.localeCompare(b.id));
  } finally {
    await sketches.close();
  }
}
