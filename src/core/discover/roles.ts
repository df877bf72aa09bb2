/**
 * Semantic roles: what a column is FOR, read from evidence discovery already
 * holds (type, cardinality, value range and lengths, value patterns, keys,
 * relationships, and the name as one signal among them). The star design
 * reads `column.role.kind`; key search reads `keyAffinity` to prefer
 * identifiers over values that happen to be unique (a price, a count).
 */
import type { CatalogTable, ColumnRole, PatternKind, Relationship } from './catalog-types';
import { isKeyLikeName, tokens } from './names';

/** What the role and key rules need to know about one column. */
export interface RoleFacts {
  name: string;
  /** Inferred ClickHouse type. */
  type: string;
  rows: number;
  /** Empty or missing-token values. */
  missing: number;
  distinct: number;
  minLength: number;
  maxLength: number;
  min?: number;
  max?: number;
  patterns?: Partial<Record<PatternKind, number>>;
  /** Some values of the most frequent ones (to see spaces in codes). */
  topValues?: string[];
  /** A verified single-column key of its table. */
  unique?: boolean;
  /** Member of the table's primary key (single or composite). */
  inPrimary?: boolean;
  /** A relationship starts at this column. */
  references?: boolean;
  /** A relationship ends at this column. */
  referenced?: boolean;
}

export interface Affinity {
  /** 0..1: how much the column looks like (part of) an identifier. */
  score: number;
  reason: string;
}

const CALENDAR_PARTS = new Set(['year', 'yr', 'month', 'quarter', 'week', 'weekday', 'day', 'dow', 'doy', 'hour', 'period', 'fiscal']);
const COORDINATES = new Set(['lat', 'lon', 'lng', 'latitude', 'longitude', 'x', 'y', 'elevation', 'altitude']);
const FREE_TEXT = new Set(['comment', 'comments', 'description', 'desc', 'note', 'notes', 'remark', 'remarks', 'text', 'summary', 'body', 'message', 'details']);
/** Longer than this, text is prose, whatever its name. */
const PROSE = 80;

const has = (name: string, words: Set<string>) => tokens(name).some((t) => words.has(t));
const role = (kind: ColumnRole['kind'], ...evidence: string[]): ColumnRole => ({ kind, evidence });

const isInteger = (t: string) => /^U?Int\d+$/.test(t) || /^Decimal\(\d+,0\)$/.test(t);
const isFractional = (t: string) => t.startsWith('Float') || (/^Decimal\(\d+,\d+\)$/.test(t) && !/,0\)$/.test(t));
export const isDateType = (t: string) => t.startsWith('Date');

/**
 * Integers that read as ids: a dense run (1..N, at most every other number skipped), values of one width
 * of 4 digits or more (six-digit ids, years, yyyymmdd keys), or an identifier name. Anything else (ages,
 * distances, counts, amounts) is a quantity.
 */
function idLikeIntegers(f: RoleFacts): boolean {
  if (f.min === undefined || f.max === undefined) return true;
  const span = f.max - f.min + 1;
  const dense = span > 0 && f.distinct / span >= 0.5;
  const magnitude = (x: number) => Math.log10(Math.max(1, Math.abs(x)));
  const oneWidth = f.min >= 1000 && magnitude(f.max) - magnitude(f.min) <= 1;
  return dense || oneWidth || isKeyLikeName(f.name);
}

function baseAffinity(f: RoleFacts): Affinity {
  const t = f.type;
  if (t === 'UUID') return { score: 1, reason: 'UUID values' };
  if (isInteger(t)) {
    return idLikeIntegers(f)
      ? { score: 0.9, reason: 'integers of one width or a dense run, like ids' }
      : { score: 0.25, reason: 'integers spread over several orders of magnitude, like a count or an amount' };
  }
  if (isFractional(t)) return { score: 0.05, reason: 'non-integer numbers: a measure' };
  if (t === 'Bool') return { score: 0.05, reason: 'a yes/no flag' };
  if (isDateType(t)) return { score: 0.55, reason: 'dates: the time part of a natural key' };
  if ((f.patterns?.email ?? 0) >= 0.5) return { score: 0.7, reason: 'email addresses, which identify people' };
  if (has(f.name, FREE_TEXT)) return { score: 0.15, reason: 'free text (a comment or description), whatever its length' };
  if (f.maxLength <= 24) return { score: 0.75, reason: `short text (at most ${f.maxLength} characters), like a code or a name` };
  if (f.maxLength <= 64) return { score: 0.5, reason: `text up to ${f.maxLength} characters, like a name` };
  return { score: 0.15, reason: `long text (up to ${f.maxLength} characters)` };
}

/** How identifier-like a column is, for choosing keys; an identifier name adds to types that can hold ids. */
export function keyAffinity(f: RoleFacts): Affinity {
  const a = baseAffinity(f);
  if (!isKeyLikeName(f.name) || a.score <= 0.1) return a;
  return { score: Math.min(1, a.score + 0.1), reason: `${a.reason}; identifier-like name` };
}

/** Flags, dates, calendar parts and references decide before the type does. */
function structuralRole(f: RoleFacts, present: number): ColumnRole | undefined {
  if (present === 0) return role('attribute', 'no values');
  if (f.type === 'Bool') return role('flag', 'boolean values');
  if (f.distinct === 2 && f.maxLength <= 5 && !isFractional(f.type)) return role('flag', 'two distinct short values');
  if (isDateType(f.type)) return role('date', `type ${f.type}`);
  const narrow = f.min !== undefined && f.max !== undefined && f.max - f.min <= 3000;
  if (isInteger(f.type) && narrow && has(f.name, CALENDAR_PARTS)) return role('date', 'a calendar part (year, month, ...) in a narrow integer range');
  if (f.references) return role('identifier', 'references a key of another table (or its own)');
  if (f.referenced && keyAffinity(f).score >= 0.5) return role('identifier', 'a key other columns reference');
  return undefined;
}

function numericRole(f: RoleFacts, present: number): ColumnRole {
  const affinity = keyAffinity(f);
  if (isInteger(f.type) && isKeyLikeName(f.name)) {
    return f.unique || f.distinct >= present * 0.5 ? role('identifier', 'identifier-like name, mostly distinct integers') : role('code', 'identifier-like name, repeated integers');
  }
  if (isInteger(f.type) && f.inPrimary && affinity.score >= 0.7) return role('identifier', 'part of the primary key', affinity.reason);
  // Unique integers that identify nothing else in the model (ISO numeric codes): a code per row.
  if (isInteger(f.type) && f.unique && affinity.score >= 0.7) return role('code', 'unique integers outside the primary key', affinity.reason);
  if (has(f.name, COORDINATES)) return role('attribute', 'a coordinate: describes, never summed');
  return role('measure', isFractional(f.type) ? 'non-integer numbers' : 'integers without identifier evidence');
}

/** Short values of near-constant length made of letters, digits and separators only: `FR`, `USD`, `FR-IDF`, `A12`. */
function codeLike(f: RoleFacts): boolean {
  const plain = (f.topValues ?? []).every((v) => /^[A-Za-z0-9][A-Za-z0-9_.\-/]*$/.test(v));
  return f.maxLength <= 12 && f.maxLength - f.minLength <= 3 && plain;
}

function textRole(f: RoleFacts, present: number): ColumnRole {
  const pattern = (['email', 'url', 'phone'] as const).find((p) => (f.patterns?.[p] ?? 0) >= 0.5);
  if (pattern) return role('attribute', `${pattern} values`);
  if (has(f.name, FREE_TEXT) || f.maxLength > PROSE) return role('text', `free text: up to ${f.maxLength} characters, ${f.distinct} distinct values`);
  if (isKeyLikeName(f.name)) return f.unique ? role('identifier', 'identifier-like name, unique values') : role('code', 'identifier-like name, repeated values');
  const shape = `values of ${f.minLength}-${f.maxLength} characters`;
  if (f.unique) return codeLike(f) ? role('identifier', 'unique short codes', shape) : role('attribute', 'unique descriptive text (a name, not a code)', shape);
  if (codeLike(f)) return role('code', 'short codes', shape);
  // Few values, each repeated (a region, a disease, a weather kind): a category.
  if (f.distinct <= 200 && f.distinct <= present * 0.1) return role('code', `a category: ${f.distinct} values over ${present} rows`);
  return role('attribute', `descriptive text, ${f.distinct} distinct values`);
}

/** The role of one column, with the evidence that decided it. */
export function columnRole(f: RoleFacts): ColumnRole {
  const present = Math.max(0, f.rows - f.missing);
  const s = structuralRole(f, present);
  if (s) return s;
  if (isInteger(f.type) || isFractional(f.type)) return numericRole(f, present);
  return textRole(f, present);
}

/** Every column of every table with its role, from its profile, the table's keys and the relationships. */
export function withRoles(tables: CatalogTable[], relationships: Relationship[]): CatalogTable[] {
  const live = relationships.filter((r) => r.status !== 'rejected');
  const at = (table: string, column: string, side: 'from' | 'to') =>
    live.some((r) => (side === 'from' ? r.fromTable === table && r.fromColumns.includes(column) : r.toTable === table && r.toColumns.includes(column)));
  return tables.map((t) => {
    const primary = t.keys.find((k) => k.kind === 'primary');
    const unique = new Set(t.keys.filter((k) => k.columns.length === 1).map((k) => k.columns[0]));
    const columns = t.columns.map((c) => ({
      ...c,
      role: columnRole({
        name: c.name,
        type: c.inferred.type,
        rows: c.profile.rows,
        missing: c.profile.empty,
        distinct: c.profile.distinct,
        minLength: c.profile.minLength,
        maxLength: c.profile.maxLength,
        min: c.profile.numeric?.min,
        max: c.profile.numeric?.max,
        patterns: c.profile.patterns,
        topValues: c.profile.topValues.map((v) => v.value),
        unique: unique.has(c.name),
        inPrimary: primary?.columns.includes(c.name),
        references: at(t.name, c.name, 'from'),
        referenced: at(t.name, c.name, 'to'),
      }),
    }));
    return { ...t, columns };
  });
}
