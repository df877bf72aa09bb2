/**
 * Relationship discovery: inclusion dependencies from a column to a verified
 * single-column key of another (or the same) table, found from VALUES.
 *
 * 1. Sketches: every comparable column (integers, UUIDs, text) is sketched in
 *    ClickHouse (sketch.ts); one probe per key column counts, for every
 *    column of its family, how many sketched values the key holds. Names
 *    play no part in choosing candidates.
 * 2. Exact counts: a complete sketch IS the column's set of values, so its
 *    counts are exact; sampled columns whose estimate could reach the
 *    threshold are counted exactly in one scan per key.
 * 3. Confidence: a calibrated logistic model over containment, name
 *    evidence, specificity, repetition, domain size and range alignment
 *    (relationship-score.ts); coverage of the key is measured and shown.
 * 4. Global resolution: a column references at most one key; two key
 *    columns holding the same entities are one shared-key (1:1) link.
 */
import { qualified } from '../warehouse/sql';
import type { Warehouse } from '../warehouse/warehouse';
import type { InferredType, Relationship } from './catalog-types';
import { chance, confidenceOf, coverageOf, nameEvidence, pairFeatures, rangeAlignment, type Features } from './relationship-score';
import { entity, tableStem } from './names';
import { valueExpr, type Family } from './sketch';

export type { Family } from './sketch';

export interface RelColumn {
  table: string;
  /** Share of non-empty values that are plain integers (codes such as `0012` included). */
  integerRate?: number;
  name: string;
  inferred: InferredType;
  rows: number;
  missing: number;
  distinct: number;
  min?: number;
  max?: number;
  minLength: number;
  maxLength: number;
  /** The column is by itself a verified key of its table. */
  isKey: boolean;
  /** ...and its table's primary key: equally good targets give way to it. */
  isPrimary: boolean;
  /** Texts that mean "no value" in the column. */
  missingTokens?: string[];
  /** Distinct counts come from a sample of the table. */
  sampled?: boolean;
  /** Columns of its table: of two tables holding the same entities, the wider one describes them. */
  width?: number;
  /** No value needs trimming or thousands separators removed to compare. */
  plain?: boolean;
}

/** Likely right: relationships from this confidence on are "found" and taken into models (the ERD's default). */
export const MIN_CONFIDENCE = 0.5;
/**
 * Listed for the user's verdict from this confidence on: near-even evidence (a dense integer column fully
 * inside a dense key, with no name to say so) is worth a look, though not yet a model's.
 */
export const PROPOSE_FROM = 0.4;
/** Longest value a text key can plausibly hold; longer text is prose, never a reference. */
const MAX_KEY_TEXT = 64;

/** How a column's values are compared, or undefined when they are never references (decimals, dates, flags, prose). */
export function family(c: Pick<RelColumn, 'inferred' | 'minLength' | 'maxLength' | 'integerRate'>): Family | undefined {
  const t = c.inferred.type;
  if (/^U?Int/.test(t) || /^Decimal\(\d+,0\)$/.test(t)) return 'int';
  if (t === 'UUID') return 'uuid';
  if (!t.includes('String') || c.maxLength === 0 || c.minLength > MAX_KEY_TEXT) return undefined;
  // Digit-only codes (`0012`) and integer ids are the same references written two ways.
  return (c.integerRate ?? 0) >= 0.999 ? 'int' : 'text';
}

/** A candidate with exact counts: `fromDistinct` distinct non-empty from-values, `orphans` of them not in the key. */
export interface Verified {
  from: RelColumn;
  to: RelColumn;
  fam: Family;
  fromDistinct: number;
  orphans: number;
}

export function relationshipId(fromTable: string, fromColumns: string[], toTable: string, toColumns: string[]): string {
  return `${fromTable}.${fromColumns.join(',')}->${toTable}.${toColumns.join(',')}`;
}

const r3 = (x: number) => Math.round(x * 1000) / 1000;

/** Exact containment, one scan per target key with every candidate from-column UNION ALL'ed. */
export async function verifyCandidates(wh: Warehouse, database: string, cands: Omit<Verified, 'fromDistinct' | 'orphans'>[], signal?: AbortSignal): Promise<Verified[]> {
  const byTarget = new Map<string, typeof cands>();
  for (const c of cands) {
    const k = `${c.to.table}\u0000${c.to.name}\u0000${c.fam}`;
    byTarget.set(k, [...(byTarget.get(k) ?? []), c]);
  }
  const out: Verified[] = [];
  for (const list of byTarget.values()) {
    const { to, fam } = list[0];
    const keySet = `(SELECT x FROM (SELECT ${valueExpr(to.name, fam, to.missingTokens, to.plain)} AS x FROM ${qualified(database, to.table)}) WHERE isNotNull(x))`;
    const branches = list.map((c, i) => `SELECT ${i} AS tag, ${valueExpr(c.from.name, fam, c.from.missingTokens, c.from.plain)} AS x FROM ${qualified(database, c.from.table)}`);
    const sql = `SELECT tag, uniqExact(x) AS d, uniqExactIf(x, x NOT IN ${keySet}) AS o
                   FROM (${branches.join('\nUNION ALL\n')}) WHERE isNotNull(x) GROUP BY tag`;
    const rows = await wh.query<{ tag: number | string; d: string; o: string }>(sql, { signal });
    for (const r of rows) out.push({ ...list[Number(r.tag)], fromDistinct: Number(r.d), orphans: Number(r.o) });
  }
  return out;
}

/** The model's features for a candidate with exact (or, before verification, estimated) counts. */
export function featuresOf(v: Verified, tables: readonly string[]): Features {
  const matched = v.fromDistinct - v.orphans;
  const name = nameEvidence(v.from.table, v.from.name, v.to.table, v.to.name, tables);
  return pairFeatures({ fromDistinct: v.fromDistinct, matched }, v.from, name, chance(v.fam, v.to, v.from), rangeAlignment(v.fam, v.from, v.to));
}

function notesOf(v: Verified, f: Features): string[] {
  const notes: string[] = [];
  if (v.orphans > 0) notes.push(`${v.orphans} distinct value(s) have no match in the target`);
  if (f.specificity === 0 && v.fam === 'int') notes.push('dense integer key: any small integer falls inside it, so the values alone prove little');
  if (f.name <= 0) notes.push(f.name < 0 ? 'the name points away: another table, or a quantity' : 'found from the values alone: the names share nothing');
  if (v.fam === 'int' && family(v.from) !== family(v.to)) notes.push('compared as numbers: one side writes leading zeros');
  if (v.from.isKey) notes.push('both columns are keys of their tables: the same entities in both (1:1)');
  return notes;
}

/** A proposal below MIN_CONFIDENCE says what it is. */
function withStanding(r: Relationship): Relationship {
  if (r.confidence >= MIN_CONFIDENCE) return r;
  return { ...r, evidence: { ...r.evidence, notes: [...r.evidence.notes, `below ${MIN_CONFIDENCE}: proposed for review, not taken into models until accepted`] } };
}

/** One scored relationship (kept or not), for calibration and the trace. */
export interface ScoredCandidate {
  id: string;
  features: Features;
  confidence: number;
}

function toRelationship(v: Verified, tables: readonly string[]): Relationship {
  const features = featuresOf(v, tables);
  const { confidence, contributions } = confidenceOf(features);
  return {
    id: relationshipId(v.from.table, [v.from.name], v.to.table, [v.to.name]),
    fromTable: v.from.table,
    fromColumns: [v.from.name],
    toTable: v.to.table,
    toColumns: [v.to.name],
    confidence,
    status: 'proposed',
    cardinality: v.from.isKey ? 'one-to-one' : 'many-to-one',
    kind: v.from.isKey ? 'shared-key' : 'reference',
    nullRate: r3(v.from.rows > 0 ? v.from.missing / v.from.rows : 0),
    evidence: {
      containment: features.containment,
      orphans: v.orphans,
      nameSimilarity: Math.max(0, features.name),
      targetIsKey: true,
      fromDistinct: v.fromDistinct,
      toDistinct: v.to.distinct,
      coverage: coverageOf(v.fromDistinct - v.orphans, v.to.distinct),
      features,
      contributions,
      notes: notesOf(v, features),
    },
  };
}

/** The table is named after the column's entity (`states.state`, `customers.customer_id`): the home of those entities. */
const namesHome = (table: string, column: string) => entity(column).length >= 2 && tableStem(table) === entity(column);

/**
 * Key columns holding the same entities (tables keyed by `state`) link towards the fullest of them: a
 * shared-key candidate is kept only towards a key with more values; with as many, towards the table named
 * after them, else the wider table (the one describing them rather than mapping them), else by table name.
 * So each group has one home and no link runs both ways.
 */
function towardsHome({ r, v }: Option): boolean {
  if (r.kind !== 'shared-key') return true;
  const from = r.evidence.fromDistinct;
  const to = r.evidence.toDistinct;
  if (to !== from) return to > from;
  const home = (t: string, c: string) => (namesHome(t, c) ? 1 : 0);
  const named = home(r.toTable, r.toColumns[0]) - home(r.fromTable, r.fromColumns[0]);
  const wider = (v.to.width ?? 0) - (v.from.width ?? 0);
  return named !== 0 ? named > 0 : wider !== 0 ? wider > 0 : r.toTable.localeCompare(r.fromTable) < 0;
}

interface Option {
  r: Relationship;
  v: Verified;
}

const home = (o: Option) => Number(namesHome(o.r.toTable, o.r.toColumns[0]));

/**
 * Among a key column's shared-key targets: the superset (containment), the most confident (a small table's
 * reference column can be unique by chance), then the fullest key, then the home of the entities.
 */
const sharedOrder = (a: Option, b: Option) =>
  b.r.evidence.containment - a.r.evidence.containment ||
  b.r.confidence - a.r.confidence ||
  b.r.evidence.toDistinct - a.r.evidence.toDistinct ||
  home(b) - home(a) ||
  a.r.id.localeCompare(b.r.id);

/** Among a column's reference targets: the most confident; on equal evidence the home of the entities, a primary key, the fullest key. */
const referenceOrder = (a: Option, b: Option) =>
  b.r.confidence - a.r.confidence ||
  b.r.evidence.containment - a.r.evidence.containment ||
  home(b) - home(a) ||
  Number(b.v.to.isPrimary) - Number(a.v.to.isPrimary) ||
  b.r.evidence.toDistinct - a.r.evidence.toDistinct ||
  a.r.id.localeCompare(b.r.id);

/** The one target a column can reference; an equally good second target is noted. */
function pick(options: Option[]): Relationship {
  const [first, second] = [...options].sort(options[0].r.kind === 'shared-key' ? sharedOrder : referenceOrder).map((o) => o.r);
  if (second && second.confidence === first.confidence && second.evidence.containment === first.evidence.containment) {
    first.evidence.notes.push(`also contained in ${second.toTable}.${second.toColumns[0]} with equal evidence`);
  }
  return first;
}

/**
 * Score every candidate and let each column reference at most one key; report the confident ones. The
 * trace sees each column's chosen candidate, confident or not: the population the confidence is
 * calibrated on is the one that can be reported.
 */
export function resolveRelationships(verified: Verified[], tables: readonly string[] = [], trace?: (s: ScoredCandidate[]) => void): Relationship[] {
  const byColumn = new Map<string, Option[]>();
  for (const v of verified.filter((x) => x.fromDistinct > 0)) {
    const r = toRelationship(v, tables);
    if (!towardsHome({ r, v })) continue;
    const k = `${r.fromTable}.${r.fromColumns[0]}`;
    byColumn.set(k, [...(byColumn.get(k) ?? []), { r, v }]);
  }
  const chosen = [...byColumn.values()].map(pick);
  trace?.(chosen.map((r) => ({ id: r.id, features: r.evidence.features as Features, confidence: r.confidence })));
  return chosen.filter((r) => r.confidence >= PROPOSE_FROM).map(withStanding).sort((a, b) => a.id.localeCompare(b.id));
}
