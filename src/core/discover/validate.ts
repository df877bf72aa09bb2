/**
 * The exact pass: one aggregate query per table (per chunk of columns) over
 * the FULL table, after types are inferred. It measures what is written as
 * fact: empties, missing tokens, values the chosen expression fails to
 * convert (with samples), pattern misses, and exact distinct counts of key
 * candidates.
 */
import { qualified, quoteIdent } from '../warehouse/sql';
import type { Warehouse } from '../warehouse/warehouse';
import { toNumber } from '../warehouse/rows';
import type { InferredType } from './catalog-types';
import { NUMBER_SUFFIX, SHAPES, type ShapeName } from './shapes';
import { DECIMAL_COMMA } from './infer';
import { tokenMatch } from './missing';

export interface ExactFacts {
  empty: number;
  /** Values that are one of the column's missing tokens. */
  nullTokens: number;
  /** The column's missing tokens: the user's, else the placeholder spellings found in the table (sorted). */
  missingTokens: string[];
  /** Non-empty, non-placeholder values the expression does not convert. */
  bad: number;
  badSamples: string[];
  /** For text columns dominated by a pattern (email, url, phone): values that miss it. */
  patternMiss: number;
  patternSamples: string[];
  padded: number;
  paddedSamples: string[];
  /** Distinct values after trimming and lower-casing (spelling variants of one value). */
  normalizedDistinct: number;
  /** Distinct present values, measured with the same sketch as normalizedDistinct. */
  rawDistinct: number;
  /** Longest fraction among present values (full table), for Decimal columns. */
  maxScale: number;
  /** Exact distinct non-empty values, when asked for. */
  distinctExact?: number;
}

export interface ValidateColumn {
  name: string;
  inferred: InferredType;
  /** Pattern a text column is expected to follow. */
  pattern?: ShapeName;
  exactDistinct: boolean;
  /** Missing tokens the user chose; otherwise every placeholder spelling (NA, N/A, null...) counts and is listed. */
  missingTokens?: string[];
}

const SAMPLE = 5;
/** Columns per exact-pass query (~12 aggregates each): keeps each query far below max_query_size. */
const COLUMNS_PER_QUERY = 16;

/** The bronze column substituted into an inferred expression. */
export function applyExpression(expression: string, column: string): string {
  return expression.split('{col}').join(quoteIdent(column));
}

function aggregates(c: ValidateColumn, i: number): string[] {
  const v = quoteIdent(c.name);
  const a = (what: string, sql: string) => `${sql} AS c${i}_${what}`;
  const token = c.missingTokens ? tokenMatch(v, c.missingTokens) : SHAPES.nullToken(v);
  const present = `(${v} != '' AND NOT ${token})`;
  const isText = c.inferred.type === 'String' || c.inferred.type === 'LowCardinality(String)';
  const failed = isText ? '0' : `(${present} AND isNull(${applyExpression(c.inferred.expression, c.name)}))`;
  const miss = c.pattern ? `(${present} AND NOT ${SHAPES[c.pattern](v)})` : '0';
  const short = `substring(${v}, 1, 100)`;
  const out = [
    a('empty', `countIf(${v} = '')`),
    a('nulls', `countIf(${token})`),
    // Every spelling found (at most a few dozen case variants of the placeholders), so silver nulls exactly what was counted.
    a('toks', c.missingTokens ? 'emptyArrayString()' : `groupUniqArrayIf(${v}, ${token})`),
    a('bad', `countIf(${failed})`),
    a('badS', `groupUniqArrayIf(${SAMPLE})(${short}, ${failed})`),
    a('miss', `countIf(${miss})`),
    a('missS', `groupUniqArrayIf(${SAMPLE})(${short}, ${miss})`),
    a('pad', `countIf(${SHAPES.padded(v)})`),
    a('padS', `groupUniqArrayIf(3)(${short}, ${SHAPES.padded(v)})`),
    // Spelling variants matter for categories (LowCardinality); free text is left alone.
    a('norm', c.inferred.type === 'LowCardinality(String)' ? `uniqIf(lower(trimBoth(${v})), ${present})` : '0'),
    a('rawd', c.inferred.type === 'LowCardinality(String)' ? `uniqIf(${v}, ${present})` : '0'),
  ];
  // A sample can miss the longest fraction; a Decimal scale that is too small would round silently.
  // Decimal-comma numbers (1.717,35) have their fraction after the comma.
  const dot = c.inferred.format === DECIMAL_COMMA ? `position(${v}, ',')` : `position(${v}, '.')`;
  out.push(a('scale', c.inferred.type.startsWith('Decimal') ? `maxIf(toInt64(length(trimRight(${v}, ${NUMBER_SUFFIX}))) - toInt64(${dot}), ${dot} > 0)` : '0'));
  // Distinct 64-bit hashes: when they are as many as the rows, the values are provably all distinct,
  // at a fraction of the cost of a set of strings (a collision can only under-count, never invent a key).
  if (c.exactDistinct) out.push(a('dx', `uniqExactIf(cityHash64(${v}), ${v} != '')`));
  return out;
}

const strs = (x: unknown) => (Array.isArray(x) ? x.map(String) : []);

export async function exactFacts(
  wh: Warehouse,
  database: string,
  table: string,
  columns: ValidateColumn[],
  signal?: AbortSignal,
): Promise<Map<string, ExactFacts>> {
  const out = new Map<string, ExactFacts>();
  for (let start = 0; start < columns.length; start += COLUMNS_PER_QUERY) {
    const chunk = columns.slice(start, start + COLUMNS_PER_QUERY);
    const sql = `SELECT ${chunk.flatMap((c, k) => aggregates(c, k)).join(',\n')} FROM ${qualified(database, table)}`;
    const r = (await wh.query(sql, { signal }))[0] ?? {};
    chunk.forEach((c, k) => {
      const g = (w: string) => r[`c${k}_${w}`];
      out.set(c.name, {
        empty: toNumber(g('empty')),
        nullTokens: toNumber(g('nulls')),
        missingTokens: c.missingTokens ?? strs(g('toks')).sort(),
        bad: toNumber(g('bad')),
        badSamples: strs(g('badS')),
        patternMiss: toNumber(g('miss')),
        patternSamples: strs(g('missS')),
        padded: toNumber(g('pad')),
        paddedSamples: strs(g('padS')),
        normalizedDistinct: toNumber(g('norm')),
        rawDistinct: toNumber(g('rawd')),
        maxScale: toNumber(g('scale')),
        distinctExact: c.exactDistinct ? toNumber(g('dx')) : undefined,
      });
    });
  }
  return out;
}
