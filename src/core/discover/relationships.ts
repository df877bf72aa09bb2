/**
 * Relationship discovery: inclusion dependencies from a column to a verified
 * single-column key of another (or the same) table.
 *
 * 1. Candidates: type-compatible pairs (integers, UUIDs, short codes) whose
 *    estimated distinct count and value range fit inside the target.
 * 2. Exact verification, batched per target key: distinct from-values and
 *    how many of them are missing from the key (orphans).
 * 3. Scoring: containment, name similarity, key-ness of the target and the
 *    plausibility of the domain (spread of values, size of the domain).
 * 4. Global resolution: a column references at most one key.
 */
import { qualified, quoteIdent } from '../warehouse/sql';
import type { Warehouse } from '../warehouse/warehouse';
import type { InferredType, Relationship } from './catalog-types';
import { entityNamesTable, isKeyLikeName, nameSimilarity, tokens } from './names';

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
  isPrimary: boolean;
}

type Family = 'int' | 'uuid' | 'code';

/** Accept a relationship from this confidence on. */
export const MIN_CONFIDENCE = 0.65;
/** Orphans tolerated: at most 1 distinct value in 10 may be missing, and only with name evidence. */
const MIN_CONTAINMENT_NAMED = 0.9;
/** Fewer distinct values than this is a small domain (flags, quantities, ratings): names must agree. */
const SMALL_DOMAIN = 20;

export function family(t: InferredType, maxLength: number): Family | undefined {
  if (/^U?Int/.test(t.type)) return 'int';
  if (t.type === 'UUID') return 'uuid';
  if (t.type.includes('String') && maxLength > 0 && maxLength <= 40) return 'code';
  return undefined;
}

interface Candidate {
  from: RelColumn;
  to: RelColumn;
  fam: Family;
}

/** Digit-only codes (`0012`) reference integer ids and vice versa: such pairs are compared as numbers. */
const isDigitCode = (c: RelColumn) => family(c.inferred, c.maxLength) === 'code' && (c.integerRate ?? 0) >= 0.999;

function pairFamily(from: RelColumn, to: RelColumn): Family | undefined {
  const a = family(from.inferred, from.maxLength);
  const b = family(to.inferred, to.maxLength);
  if (!a || !b) return undefined;
  if (a === b) return a === 'code' && isDigitCode(from) !== isDigitCode(to) ? undefined : a;
  if ((a === 'int' && isDigitCode(to)) || (b === 'int' && isDigitCode(from))) return 'int';
  return undefined;
}

export function candidatePairs(columns: RelColumn[]): Candidate[] {
  const targets = columns.filter((c) => c.isKey && family(c.inferred, c.maxLength));
  const out: Candidate[] = [];
  for (const to of targets) {
    for (const from of columns) {
      const fam = pairFamily(from, to);
      if (from === to || !fam || from.rows - from.missing === 0) continue;
      if (from.distinct > to.distinct * 1.05 + 2) continue;
      // Ranges must overlap; values outside the key's range are orphans, judged exactly later.
      if (fam === 'int' && from.min !== undefined && to.min !== undefined && (from.max ?? 0) < to.min) continue;
      if (fam === 'int' && from.min !== undefined && to.max !== undefined && from.min > to.max) continue;
      if (fam === 'code' && (from.minLength < to.minLength || from.maxLength > to.maxLength)) continue;
      out.push({ from, to, fam });
    }
  }
  return out;
}

function valueExpr(c: RelColumn, fam: Family): string {
  // Types were inferred without surrounding spaces ("1, 2"): values compare the same way.
  const v = `trimBoth(${quoteIdent(c.name)})`;
  if (fam === 'int') return `toInt64OrNull(replaceAll(${v}, ',', ''))`;
  if (fam === 'uuid') return `toUUIDOrNull(${v})`;
  return v;
}

interface Verified extends Candidate {
  fromDistinct: number;
  orphans: number;
}

/** Exact containment, one query per target key with every candidate from-column UNION ALL'ed. */
export async function verifyCandidates(wh: Warehouse, database: string, cands: Candidate[], signal?: AbortSignal): Promise<Verified[]> {
  const byTarget = new Map<string, Candidate[]>();
  for (const c of cands) {
    const k = `${c.to.table}\u0000${c.to.name}\u0000${c.fam}`;
    byTarget.set(k, [...(byTarget.get(k) ?? []), c]);
  }
  const out: Verified[] = [];
  for (const list of byTarget.values()) {
    const { to, fam } = list[0];
    const keySet = `(SELECT ${valueExpr(to, fam)} FROM ${qualified(database, to.table)} WHERE ${quoteIdent(to.name)} != '')`;
    const branches = list.map(
      (c, i) => `SELECT ${i} AS tag, ${valueExpr(c.from, fam)} AS x FROM ${qualified(database, c.from.table)} WHERE ${quoteIdent(c.from.name)} != ''`,
    );
    const sql = `SELECT tag, uniqExact(x) AS d, uniqExactIf(x, x NOT IN ${keySet}) AS o
                   FROM (${branches.join('\nUNION ALL\n')}) WHERE isNotNull(x) GROUP BY tag`;
    const rows = await wh.query<{ tag: number | string; d: string; o: string }>(sql, { signal });
    for (const r of rows) {
      const c = list[Number(r.tag)];
      out.push({ ...c, fromDistinct: Number(r.d), orphans: Number(r.o) });
    }
  }
  return out;
}

/** How plausible it is that the from-values are references, not numbers that happen to fall in the key range. */
function plausibility(v: Candidate & { fromDistinct: number }): { score: number; notes: string[] } {
  const notes: string[] = [];
  let score = 1;
  if (v.fam === 'int' && v.from.min !== undefined && v.to.min !== undefined) {
    const toSpan = (v.to.max ?? 0) - v.to.min;
    const spread = toSpan > 0 ? ((v.from.max ?? 0) - v.from.min) / toSpan : 1;
    if (spread < 0.5) {
      score *= Math.max(0.1, spread / 0.5);
      notes.push(`values cover only ${Math.round(spread * 100)}% of the key's range`);
    }
    // Dense keys (1..N) contain any in-range integer column: containment alone proves little.
    const density = toSpan >= 0 ? v.to.distinct / (toSpan + 1) : 0;
    if (density > 0.5 && !isKeyLikeName(v.from.name)) {
      score *= 0.5;
      notes.push('dense target key and a non-identifier name: containment alone is weak evidence');
    }
  }
  if (v.fromDistinct < SMALL_DOMAIN) {
    score *= 0.5;
    notes.push(`small domain: ${v.fromDistinct} distinct values`);
  }
  return { score, notes };
}

export function relationshipId(fromTable: string, fromColumns: string[], toTable: string, toColumns: string[]): string {
  return `${fromTable}.${fromColumns.join(',')}->${toTable}.${toColumns.join(',')}`;
}

const r3 = (x: number) => Math.round(x * 1000) / 1000;

/**
 * Words that name a reference to another row of the same table: employee -> manager (`reports_to`,
 * `manager_id`), category -> parent, version -> previous. Such a column never names its own table.
 */
const SELF_REFERENCE_WORDS = new Set([
  'parent', 'manager', 'mgr', 'supervisor', 'boss', 'reports', 'superior', 'head', 'lead', 'mentor',
  'referrer', 'referred', 'predecessor', 'successor', 'previous', 'prev', 'next', 'replaced', 'replaces', 'ancestor', 'upline',
]);

/** Name evidence of a pair; a self-reference whose name says hierarchy counts as the entity containing the table (0.7). */
function nameScore(from: RelColumn, to: RelColumn): number {
  const name = nameSimilarity(from.name, to.table, to.name);
  if (from.table !== to.table || !tokens(from.name).some((t) => SELF_REFERENCE_WORDS.has(t))) return name;
  return Math.max(name, 0.7);
}

interface NameVerdict {
  name: number;
  /** Why the pair is rejected whatever the data says. */
  reject?: string;
}

/** The rules that depend on names and domain size only (not on containment). */
function nameVerdict(from: RelColumn, to: RelColumn, fromDistinct: number, tables: string[]): NameVerdict {
  const name = nameScore(from, to);
  // A column that is itself a key references another key only as a shared primary key, which names must say.
  if (from.isKey && name < 0.7) return { name, reject: 'both sides are keys and the names do not link them' };
  // `customer_id` names the customers table: it does not reference another table's key, whatever the values say.
  const namesOther = tables.some((t) => t !== to.table && entityNamesTable(from.name, t)) && !entityNamesTable(from.name, to.table);
  if (namesOther && name < 0.7) return { name, reject: 'the name points at another table' };
  if (fromDistinct < SMALL_DOMAIN && name < 0.5) return { name, reject: 'small domain without name evidence' };
  return { name };
}

const confidenceOf = (containment: number, name: number, targetPrimary: boolean, plausible: number) =>
  r3(0.35 * containment + 0.3 * name + 0.15 * (targetPrimary ? 1 : 0.5) + 0.2 * plausible);

/** Candidates that could reach MIN_CONFIDENCE even with full containment: only these are verified. */
export function promising(cands: Candidate[], tables: string[]): Candidate[] {
  return cands.filter((c) => {
    const est = { ...c, fromDistinct: c.from.distinct };
    const v = nameVerdict(c.from, c.to, c.from.distinct, tables);
    return !v.reject && confidenceOf(1, v.name, c.to.isPrimary, plausibility(est).score) >= MIN_CONFIDENCE;
  });
}

/** Score every verified candidate, keep the acceptable ones, and let each column reference at most one key. */
export function resolveRelationships(verified: Verified[], tables: string[] = []): Relationship[] {
  const scored: Relationship[] = [];
  for (const v of verified) {
    if (v.fromDistinct === 0) continue;
    // `customer_id` names the customers table: it does not reference another table's key, whatever the values say.
    const namesOther = tables.some((t) => t !== v.to.table && entityNamesTable(v.from.name, t)) && !entityNamesTable(v.from.name, v.to.table);
    const containment = 1 - v.orphans / v.fromDistinct;
    const name = nameScore(v.from, v.to);
    const p = plausibility(v);
    const notes = [...p.notes];
    // A column that is itself a key references another key only as a shared primary key, which names must say.
    if (v.from.isKey && name < 0.7) continue;
    if (namesOther && name < 0.7) continue;
    if (containment < 1 && (name < 0.5 || containment < MIN_CONTAINMENT_NAMED)) continue;
    if (v.fromDistinct < SMALL_DOMAIN && name < 0.5) continue;
    const confidence = r3(0.35 * containment + 0.3 * name + 0.15 * (v.to.isPrimary ? 1 : 0.5) + 0.2 * p.score);
    if (confidence < MIN_CONFIDENCE) continue;
    if (v.orphans > 0) notes.push(`${v.orphans} distinct value(s) have no match in the target`);
    if (v.fam === 'int' && (isDigitCode(v.from) || isDigitCode(v.to))) notes.push('compared as numbers: one side writes leading zeros');
    scored.push({
      id: relationshipId(v.from.table, [v.from.name], v.to.table, [v.to.name]),
      fromTable: v.from.table,
      fromColumns: [v.from.name],
      toTable: v.to.table,
      toColumns: [v.to.name],
      confidence,
      status: 'proposed',
      cardinality: v.from.isKey ? 'one-to-one' : 'many-to-one',
      nullRate: r3(v.from.rows > 0 ? v.from.missing / v.from.rows : 0),
      evidence: {
        containment: r3(containment),
        orphans: v.orphans,
        nameSimilarity: name,
        targetIsKey: true,
        fromDistinct: v.fromDistinct,
        toDistinct: v.to.distinct,
        notes,
      },
    });
  }
  // Global: the best target per from-column; ties between equally good targets are reported as a note.
  const best = new Map<string, Relationship>();
  for (const r of scored.sort((a, b) => b.confidence - a.confidence || b.evidence.nameSimilarity - a.evidence.nameSimilarity || a.evidence.toDistinct - b.evidence.toDistinct)) {
    const k = `${r.fromTable}.${r.fromColumns[0]}`;
    const prev = best.get(k);
    if (!prev) best.set(k, r);
    else if (prev.confidence === r.confidence && !prev.evidence.notes.some((n) => n.startsWith('also contained'))) {
      prev.evidence.notes.push(`also contained in ${r.toTable}.${r.toColumns[0]} with equal evidence`);
    }
  }
  return [...best.values()].sort((a, b) => a.id.localeCompare(b.id));
}
