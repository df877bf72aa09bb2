/**
 * Profiling pushed down to ClickHouse: one aggregate query per table (per
 * chunk of columns, to stay well inside ClickHouse's query-size limits)
 * computes, for every column, counts, sketches, shape counts, lengths,
 * numeric statistics and top values in a single scan.
 */
import { qualified, quoteIdent } from '../warehouse/sql';
import type { Warehouse } from '../warehouse/warehouse';
import { toNumber } from '../warehouse/rows';
import { tokenMatch } from './missing';
import { DMY_SEPARATOR, DMY_SHAPES, NUMBER_NOISE, NUMBER_SUFFIX, SHAPES, SHAPE_NAMES, type DmyShape, type ShapeName } from './shapes';

/** Everything the profiling scan learned about one column (counts over the profiled rows). */
export interface RawProfile {
  name: string;
  /** True when the counts come from a random sample of the table. */
  sampled?: boolean;
  position: number;
  rows: number;
  empty: number;
  /** HLL estimate of distinct non-empty values. */
  distinct: number;
  minLength: number;
  maxLength: number;
  shapes: Record<ShapeName, number>;
  /** Per day/month shape: values whose first (resp. second) number is > 12. */
  firstOver12: Record<DmyShape, number>;
  secondOver12: Record<DmyShape, number>;
  /** Integer-shaped values too large for Int64. */
  intOverflow: number;
  negatives: number;
  /** Longest fraction and integer part among number-like values. */
  maxScale: number;
  maxIntDigits: number;
  /** Longest fraction after a decimal comma (17,35 -> 2). */
  commaScale: number;
  /** Range of the 4-digit year in date-like values (0 when none). */
  yearMin: number;
  yearMax: number;
  numeric?: { count: number; min: number; max: number; mean: number; stddev: number; quantiles: Record<string, number> };
  topValues: { value: string; count: number }[];
}

export interface TableColumns {
  table: string;
  /** `missingTokens`: the user's tokens for the column, which replace the placeholder vocabulary. */
  columns: { name: string; position: number; missingTokens?: string[] }[];
}

/**
 * Above this many rows, profiling statistics (shapes, lengths, top values, numeric
 * statistics) come from a random sample of about this size: enough to estimate any
 * share to within ~0.4 percentage points (binomial standard error at 50%, ~0.1 at the
 * 98% type threshold), plenty to infer a type,
 * while every fact written (empties, convert rates, uniqueness, containment) is
 * measured on the full table by the exact pass.
 */
export const SAMPLE_ROWS = 20_000;
const QUANTILES = [0.05, 0.25, 0.5, 0.75, 0.95];

const NUMBER_LIKE: ShapeName[] = ['int', 'intThousands', 'dec', 'decThousands', 'currency', 'accounting', 'percent', 'exp'];
const DATE_LIKE: ShapeName[] = ['dateIso', 'dateYmdSlash', 'dateSlash', 'dateDash', 'dateDot', 'dateText', 'datetimeIso', 'datetimeSlash'];

/**
 * Per-value expressions, computed ONCE per value in an inner SELECT (aliased
 * `r_<what>`), so the aggregates below never repeat a regex.
 */
export function rowExpressions(v: string, raw = v, nullToken = SHAPES.nullToken(v)): string[] {
  const r = (what: string, sql: string) => `${sql} AS r_${what}`;
  // Shapes read the value without surrounding spaces ("1, 2, 3" CSVs); only `padded` looks at the raw text.
  const out = SHAPE_NAMES.map((s) => r(`s_${s}`, s === 'nullToken' ? nullToken : SHAPES[s](s === 'padded' ? raw : v)));
  const f = (s: ShapeName) => `r_s_${s}`;
  for (const s of DMY_SHAPES) {
    // splitByChar is far cheaper than a regex extract, and runs only on values of the shape (short-circuit AND).
    // OrNull: a part that is no number is unknown, never a 0 that would count as a day or month.
    const sep = `'${DMY_SEPARATOR[s]}'`;
    out.push(r(`f_${s}`, `(${f(s)} AND toUInt16OrNull(splitByChar(${sep}, ${v})[1]) > 12)`));
    out.push(r(`g_${s}`, `(${f(s)} AND toUInt16OrNull(splitByChar(${sep}, ${v})[2]) > 12)`));
  }
  const numberLike = `(${NUMBER_LIKE.map(f).join(' OR ')})`;
  // A decimal comma that is not also a US thousands group (1,234) reads as its European value.
  const euOnly = `((${f('decComma')} OR ${f('currencyComma')}) AND NOT ${f('intThousands')} AND NOT ${f('currency')})`;
  const comma = `position(${v}, ',')`;
  // Length without a trailing symbol or percent sign (12.50 €), so the fraction counts digits only.
  const digitsEnd = `toInt64(length(trimRight(${v}, ${NUMBER_SUFFIX})))`;
  const dateLike = `(${DATE_LIKE.map(f).join(' OR ')})`;
  const dot = `position(${v}, '.')`;
  out.push(
    r('num_like', `(${numberLike} OR ${euOnly})`),
    r('date_like', dateLike),
    // Numbers written for people are cleaned only when they contain a symbol or separator.
    r('num', `if(${euOnly}, toFloat64OrNull(replaceAll(replaceAll(replaceRegexpAll(${v}, ${NUMBER_NOISE}, ''), '.', ''), ',', '.')), if(${numberLike}, toFloat64OrNull(if(multiSearchAny(${v}, ['$','€','£','¥',',','%',' ']), replaceRegexpAll(${v}, ${NUMBER_NOISE}, ''), ${v})), NULL))`),
    r('scale', `if(${numberLike} AND ${dot} > 0, ${digitsEnd} - toInt64(${dot}), toInt64(0))`),
    // Upper bound of integer digits (length of the text): only decides Decimal(18,s) vs Decimal(38,s).
    r('intdig', `if(${numberLike}, if(${dot} > 0, toInt64(${dot}) - 1, toInt64(length(${v}))), if(${euOnly}, toInt64(${comma}) - 1, toInt64(0)))`),
    r('cscale', `if(${euOnly}, ${digitsEnd} - toInt64(${comma}), toInt64(0))`),
    // Year: leading for year-first shapes, trailing for day/month-first and textual dates; NULL (ignored by
    // min and max) where those 4 characters are no year, so a time of day never reads as year 0.
    r('year', `if(${dateLike}, toUInt16OrNull(if(match(${v}, '^[0-9]{4}'), substring(${v}, 1, 4), substring(${v}, -4))), NULL)`),
  );
  return out;
}

/** The aggregates per column over the inner SELECT's per-value results, aliased `c_<what>` (`t`: the trimmed value). */
export function columnAggregates(v: string, t = v): string[] {
  const x = (what: string) => `r_${what}`;
  const a = (what: string, sql: string) => `${sql} AS c_${what}`;
  const out = [
    a('empty', `countIf(${v} = '')`),
    a('distinct', `uniqIf(${v}, ${v} != '')`),
    a('minlen', `minIf(length(${v}), ${v} != '')`),
    a('maxlen', `max(length(${v}))`),
    ...SHAPE_NAMES.map((s) => a(`s_${s}`, `countIf(${x(`s_${s}`)})`)),
    ...DMY_SHAPES.flatMap((s) => [a(`f_${s}`, `countIf(${x(`f_${s}`)})`), a(`g_${s}`, `countIf(${x(`g_${s}`)})`)]),
    a('ovf', `countIf(${x('s_int')} AND isNull(toInt64OrNull(${t})))`),
    a('neg', `countIf(${x('num_like')} AND startsWith(${t}, '-'))`),
    a('scale', `max(${x('scale')})`),
    a('intdig', `max(${x('intdig')})`),
    a('cscale', `max(${x('cscale')})`),
    a('ymin', `minIf(${x('year')}, ${x('date_like')})`),
    a('ymax', `max(${x('year')})`),
    a('ncount', `countIf(${x('num_like')})`),
    a('nmin', `min(${x('num')})`),
    a('nmax', `max(${x('num')})`),
    a('navg', `avg(${x('num')})`),
    a('nstd', `stddevPop(${x('num')})`),
    a('nq', `quantiles(${QUANTILES.join(', ')})(${x('num')})`),
    // Top values of long text are truncated so a 10,000-character value cannot bloat the result.
    a('top', `topK(5, 3, 'counts')(substring(${v}, 1, 200))`),
  ];
  return out;
}

type Json = Record<string, unknown>;


function readColumn(r: Json, col: { name: string; position: number }, rows: number): RawProfile {
  const g = (what: string) => r[`c_${what}`];
  const shapes = Object.fromEntries(SHAPE_NAMES.map((s) => [s, toNumber(g(`s_${s}`))])) as Record<ShapeName, number>;
  const firstOver12 = Object.fromEntries(DMY_SHAPES.map((s) => [s, toNumber(g(`f_${s}`))])) as Record<DmyShape, number>;
  const secondOver12 = Object.fromEntries(DMY_SHAPES.map((s) => [s, toNumber(g(`g_${s}`))])) as Record<DmyShape, number>;
  const empty = toNumber(g('empty'));
  const ncount = toNumber(g('ncount'));
  const q = (g('nq') as (number | null)[] | null) ?? [];
  const top = (g('top') as { item: string; count: number | string; error?: number | string }[] | null) ?? [];
  return {
    name: col.name,
    position: col.position,
    rows,
    empty,
    distinct: toNumber(g('distinct')),
    minLength: rows > empty ? toNumber(g('minlen')) : 0,
    maxLength: toNumber(g('maxlen')),
    shapes,
    firstOver12,
    secondOver12,
    intOverflow: toNumber(g('ovf')),
    negatives: toNumber(g('neg')),
    maxScale: toNumber(g('scale')),
    maxIntDigits: toNumber(g('intdig')),
    commaScale: toNumber(g('cscale')),
    yearMin: toNumber(g('ymin')),
    yearMax: toNumber(g('ymax')),
    numeric:
      ncount > 0
        ? {
            count: ncount,
            min: toNumber(g('nmin')),
            max: toNumber(g('nmax')),
            mean: toNumber(g('navg')),
            stddev: toNumber(g('nstd')),
            quantiles: Object.fromEntries(QUANTILES.map((p, k) => [`p${Math.round(p * 100)}`, toNumber(q[k])])),
          }
        : undefined,
    // topK's counts may over-count by `error`: the lower bound is what we can state.
    topValues: top.filter((t) => t.item !== '').map((t) => ({ value: t.item, count: Math.max(1, toNumber(t.count) - toNumber(t.error)) })),
  };
}

/** Source columns of a bronze table (lineage `_kimball_*` columns left out). */
/** Every table's column names in order, in one query (per table, each round trip waits behind the profiling of others). */
export async function columnNamesByTable(wh: Warehouse, database: string): Promise<Map<string, string[]>> {
  const rows = await wh.query<{ table: string; name: string }>('SELECT table, name FROM system.columns WHERE database = {db:String} ORDER BY table, position', {
    params: { db: database },
  });
  const out = new Map<string, string[]>();
  for (const r of rows) out.set(r.table, [...(out.get(r.table) ?? []), r.name]);
  return out;
}

/** The source columns among a bronze table's columns (lineage left out), numbered from 0. */
export function sourceColumns(names: string[]): { name: string; position: number }[] {
  return names.filter((n) => !n.startsWith('_kimball_')).map((name, position) => ({ name, position }));
}

export async function exactRowCount(wh: Warehouse, database: string, table: string, signal?: AbortSignal): Promise<number> {
  const r = await wh.query<{ n: string }>(`SELECT count() AS n FROM ${qualified(database, table)}`, { signal });
  return toNumber(r[0]?.n);
}

/**
 * Which values count as missing placeholders in the unpivoted scan: the user's tokens (exact texts, as silver
 * compares them) for the columns that have them, the placeholder vocabulary for the others.
 */
function nullTokenSql(columns: TableColumns['columns']): string {
  const chosen = columns.flatMap((c, k) => (c.missingTokens ? [`_k = ${k}, ${tokenMatch('_v', c.missingTokens)}`] : []));
  return chosen.length ? `multiIf(${chosen.join(', ')}, ${SHAPES.nullToken('_t')})` : SHAPES.nullToken('_t');
}

/**
 * Profile every column of a table in ONE scan: the columns are unpivoted with
 * ARRAY JOIN into (k, v) pairs and aggregated GROUP BY k, so the SQL is the
 * same size for 3 or 300 columns (ClickHouse's analysis time grows quickly
 * with expression count). Tables above SAMPLE_ROWS are profiled on a random
 * sample (`sampled: true`); counts are then over the sample.
 */
export async function profileTable(
  wh: Warehouse,
  database: string,
  t: TableColumns,
  totalRows: number,
  signal?: AbortSignal,
): Promise<{ profiles: RawProfile[]; sampled: boolean; profiledRows: number }> {
  if (t.columns.length === 0) return { profiles: [], sampled: false, profiledRows: totalRows };
  const sampled = totalRows > SAMPLE_ROWS;
  const cols = t.columns.map((c) => quoteIdent(c.name));
  const where = sampled ? ' WHERE randCanonical() < {p:Float64}' : '';
  const rowsSql = `SELECT ${cols.map((c, k) => `toString(${c}) AS _c${k}`).join(', ')} FROM ${qualified(database, t.table)}${where}`;
  const unpivot = `SELECT _k, _v FROM (${rowsSql}) ARRAY JOIN [${t.columns.map((_, k) => `_c${k}`).join(', ')}] AS _v, range(${t.columns.length}) AS _k`;
  const inner = `SELECT _k, _v, trimBoth(_v) AS _t, ${rowExpressions('_t', '_v', nullTokenSql(t.columns)).join(',\n')} FROM (${unpivot})`;
  const sql = `SELECT _k, count() AS n, ${columnAggregates('_v', '_t').join(',\n')} FROM (${inner}) GROUP BY _k ORDER BY _k`;
  const rows = await wh.query<Json>(sql, { signal, params: sampled ? { p: SAMPLE_ROWS / totalRows } : undefined });
  const byK = new Map(rows.map((r) => [Number(r._k), r]));
  const profiledRows = rows.length > 0 ? toNumber(rows[0].n) : 0;
  const profiles = t.columns.map((c, k) => ({ ...readColumn(byK.get(k) ?? { n: 0 }, c, toNumber(byK.get(k)?.n ?? profiledRows)), sampled }));
  return { profiles, sampled, profiledRows };
}
