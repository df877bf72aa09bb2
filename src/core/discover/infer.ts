/**
 * Type inference: from the shape counts of one column to the ClickHouse type
 * for silver and the SQL expression that converts the bronze string.
 *
 * A type is chosen only when its shapes cover at least TYPE_THRESHOLD of the
 * non-empty values (placeholders such as "N/A" count as missing); the rest
 * become validity findings in quality. The order of the checks goes from the
 * most specific type to the most general, so a column of `0012`-style codes
 * never becomes an integer and a column of integers never becomes a float.
 */
import type { InferredType } from './catalog-types';
import type { RawProfile } from './profile';
import type { DmyShape, ShapeName } from './shapes';

/** Share of non-empty values a type must explain: at most 1 value in 50 may be bad. */
export const TYPE_THRESHOLD = 0.98;
/** LowCardinality(String) pays off below ~10k distinct values that repeat (ClickHouse guidance). */
export const LOW_CARDINALITY_MAX = 10_000;
/** Beyond this many fraction digits a number is a measurement (Float64), not an amount (Decimal). */
const MAX_DECIMAL_SCALE = 6;
const INT32_MAX = 2 ** 31 - 1;

const FLAG_NAME = /^(is|has|can|should|was)_|_(flag|yn)$|^(active|enabled|deleted|flag|valid)$/i;

interface Ctx {
  p: RawProfile;
  /** Values that are neither empty nor a null placeholder. */
  n: number;
  share: (...shapes: ShapeName[]) => number;
  nullable: boolean;
}

type Pick = Omit<InferredType, 'nullable' | 'confidence'> & { ambiguity?: number };

export function inferType(p: RawProfile): InferredType {
  const n = p.rows - p.empty - p.shapes.nullToken;
  // From the profiled rows; discovery settles it on the whole table (exact pass) before writing the catalog.
  const nullable = p.empty + p.shapes.nullToken > 0;
  if (p.rows === 0) return done(stringType('table is empty: nothing to infer'), nullable || true, 0);
  if (n <= 0) return done(stringType('all values are empty'), true, 0);
  const share = (...s: ShapeName[]) => s.reduce((a, k) => a + p.shapes[k], 0) / n;
  const c: Ctx = { p, n, share, nullable };
  const pick = uuid(c) ?? code(c) ?? bool(c) ?? epoch(c) ?? integer(c) ?? decimal(c) ?? float(c) ?? money(c) ?? percent(c) ?? decimalComma(c) ?? moneyComma(c) ?? date(c) ?? datetime(c) ?? text(c);
  // Shapes were read without surrounding spaces ("1, 2.50, yes"): the conversion trims them too.
  if (p.shapes.padded > 0 && !pick.type.includes('String')) {
    pick.expression = pick.expression.split('{col}').join('trimBoth({col})');
    pick.notes.push(`spaces around ${p.shapes.padded} value(s) trimmed`);
  }
  const sizeFactor = n >= 30 ? 1 : 0.5 + n / 60;
  return done(pick, nullable, Math.min(1, pick.convertRate) * (pick.ambiguity ?? 1) * sizeFactor);
}

function done(pick: Pick, nullable: boolean, confidence: number): InferredType {
  const { ambiguity: _a, ...rest } = pick;
  void _a;
  const t: InferredType = { ...rest, nullable, confidence: round(confidence) };
  return t;
}

const round = (x: number, d = 3) => Math.round(x * 10 ** d) / 10 ** d;

function stringType(note: string): Pick {
  return { type: 'String', expression: `nullIf({col}, '')`, convertRate: 1, notes: [note] };
}

function uuid(c: Ctx): Pick | undefined {
  const r = c.share('uuid');
  if (r < TYPE_THRESHOLD) return undefined;
  return { type: 'UUID', expression: 'toUUIDOrNull({col})', convertRate: r, notes: ['UUID text'] };
}

/** Digits with leading zeros (zip codes, account numbers): identifiers, kept as text. */
function code(c: Ctx): Pick | undefined {
  const { p } = c;
  if (c.share('int') < TYPE_THRESHOLD || p.shapes.zeroPadded === 0) return undefined;
  const fixed = p.minLength === p.maxLength;
  if (!fixed && p.shapes.zeroPadded / c.n < 0.01) return undefined;
  const pick = textPick(c, `digits with leading zeros (${p.shapes.zeroPadded} values) kept as text`);
  pick.convertRate = 1;
  return pick;
}

function bool(c: Ctx): Pick | undefined {
  const words = c.share('boolWord');
  const both = c.share('boolWord', 'boolDigit');
  const flag = FLAG_NAME.test(c.p.name) && c.share('boolDigit') >= TYPE_THRESHOLD;
  if (!(words > 0 && both >= TYPE_THRESHOLD) && !flag) return undefined;
  return {
    type: 'Bool',
    expression: `multiIf(lower({col}) IN ('true','yes','y','t','1'), true, lower({col}) IN ('false','no','n','f','0'), false, NULL)`,
    convertRate: both,
    notes: [flag && words === 0 ? '0/1 values in a flag-named column' : 'boolean words'],
  };
}

/** A column named for a point in time: created_at, updatedat (camelCase flattened), ts, event_time_utc, timestamp. */
const TIME_NAME = /(^|_)(at|ts|time|timestamp|datetime|epoch|unixtime|created|updated|modified|deleted|inserted|published)(_|$)|timestamp|(created|updated|modified|deleted|inserted|published)(at|on)$/i;
/** Unix times from 2000-01-01 to 2100-01-01, in seconds. */
const EPOCH_FROM = 946_684_800;
const EPOCH_TO = 4_102_444_800;

/**
 * Integers that are Unix times (API dumps: "created_at": 1700000000), in seconds or milliseconds: a
 * time-named column whose every value falls in 2000..2100. Summing them as a measure would mean nothing.
 */
function epoch(c: Ctx): Pick | undefined {
  const { p } = c;
  const r = c.share('int');
  if (!TIME_NAME.test(p.name) || r < TYPE_THRESHOLD || !p.numeric) return undefined;
  const within = (scale: number) => p.numeric !== undefined && p.numeric.min >= EPOCH_FROM * scale && p.numeric.max <= EPOCH_TO * scale;
  if (within(1)) return { type: 'DateTime64(3)', expression: 'toDateTime64(toInt64OrNull({col}), 3)', convertRate: r, format: 'unix seconds', notes: ['Unix times in seconds'] };
  if (within(1000)) return { type: 'DateTime64(3)', expression: 'fromUnixTimestamp64Milli(toInt64OrNull({col}))', convertRate: r, format: 'unix milliseconds', notes: ['Unix times in milliseconds'] };
  return undefined;
}

function integer(c: Ctx): Pick | undefined {
  const { p } = c;
  const r = c.share('int', 'intThousands');
  if (r < TYPE_THRESHOLD) return undefined;
  const raw = p.shapes.intThousands > 0 ? `replaceAll({col}, ',', '')` : '{col}';
  const notes = p.shapes.intThousands > 0 ? ['thousands separators stripped'] : [];
  if (p.intOverflow > 0) {
    if (p.negatives === 0 && p.maxIntDigits <= 20) return { type: 'UInt64', expression: `toUInt64OrNull(${raw})`, convertRate: r, notes: [...notes, 'beyond Int64'] };
    return { type: 'Decimal(38,0)', expression: `toDecimal128OrNull(${raw}, 0)`, convertRate: r, notes: [...notes, 'integers beyond 64 bits'] };
  }
  const lo = p.numeric?.min ?? 0;
  const hi = p.numeric?.max ?? 0;
  // A sample may miss the largest values: keep a 100x margin before settling on 32 bits.
  const margin = p.sampled ? 100 : 1;
  const fits32 = lo * margin >= -INT32_MAX - 1 && hi * margin <= INT32_MAX;
  const type = fits32 ? 'Int32' : 'Int64';
  return { type, expression: `to${type}OrNull(${raw})`, convertRate: r, notes: [...notes, `integers from ${lo} to ${hi}`] };
}

function decimalType(intDigits: number, scale: number): { type: string; fn: string } | undefined {
  const precision = intDigits + scale;
  if (precision <= 18) return { type: `Decimal(18,${scale})`, fn: 'toDecimal64OrNull' };
  if (precision <= 38) return { type: `Decimal(38,${scale})`, fn: 'toDecimal128OrNull' };
  return undefined;
}

function decimal(c: Ctx): Pick | undefined {
  const { p } = c;
  const r = c.share('int', 'intThousands', 'dec', 'decThousands');
  if (r < TYPE_THRESHOLD || p.shapes.dec + p.shapes.decThousands === 0 || p.maxScale > MAX_DECIMAL_SCALE) return undefined;
  const d = decimalType(p.maxIntDigits, p.maxScale);
  if (!d) return undefined;
  const thousands = p.shapes.intThousands + p.shapes.decThousands > 0;
  const raw = thousands ? `replaceAll({col}, ',', '')` : '{col}';
  return {
    type: d.type,
    expression: `${d.fn}(${raw}, ${p.maxScale})`,
    convertRate: r,
    notes: [`scale ${p.maxScale} from the data`, ...(thousands ? ['thousands separators stripped'] : [])],
  };
}

function float(c: Ctx): Pick | undefined {
  const r = c.share('int', 'intThousands', 'dec', 'decThousands', 'exp');
  if (r < TYPE_THRESHOLD) return undefined;
  const thousands = c.p.shapes.intThousands + c.p.shapes.decThousands > 0;
  const raw = thousands ? `replaceAll({col}, ',', '')` : '{col}';
  const why = c.p.shapes.exp > 0 ? 'exponent notation' : `more than ${MAX_DECIMAL_SCALE} fraction digits`;
  return { type: 'Float64', expression: `toFloat64OrNull(${raw})`, convertRate: r, notes: [why] };
}

function money(c: Ctx): Pick | undefined {
  const { p } = c;
  const r = c.share('currency', 'accounting', 'int', 'intThousands', 'dec', 'decThousands');
  if (p.shapes.currency + p.shapes.accounting === 0 || r < TYPE_THRESHOLD) return undefined;
  const scale = Math.max(2, Math.min(p.maxScale, MAX_DECIMAL_SCALE));
  const d = decimalType(p.maxIntDigits, scale) ?? { type: `Decimal(38,${scale})`, fn: 'toDecimal128OrNull' };
  const accounting = p.shapes.accounting > 0;
  // Plain replaceAll is several times cheaper than a regex replace on every row.
  const strip = (chars: string[]) => chars.reduce((e, ch) => `replaceAll(${e}, '${ch}', '')`, '{col}');
  const digits = accounting ? `concat(if(startsWith({col}, '('), '-', ''), ${strip(['$', '€', '£', '¥', ',', ' ', '(', ')'])})` : strip(['$', '€', '£', '¥', ',', ' ']);
  return {
    type: d.type,
    expression: `${d.fn}(${digits}, ${scale})`,
    convertRate: r,
    notes: [
      p.shapes.currency > 0 ? 'currency amounts: symbol and thousands separators stripped' : 'amounts: thousands separators stripped',
      ...(accounting ? [`${p.shapes.accounting} accounting negative(s) in parentheses read as minus`] : []),
    ],
  };
}

function percent(c: Ctx): Pick | undefined {
  const { p } = c;
  const r = c.share('percent', 'int', 'dec');
  if (p.shapes.percent === 0 || r < TYPE_THRESHOLD) return undefined;
  const scale = Math.min(p.maxScale, MAX_DECIMAL_SCALE);
  const d = decimalType(p.maxIntDigits, scale) ?? { type: `Decimal(38,${scale})`, fn: 'toDecimal128OrNull' };
  return {
    type: d.type,
    expression: `${d.fn}(replaceAll(replaceAll({col}, '%', ''), ' ', ''), ${scale})`,
    convertRate: r,
    notes: ['percentages: "%" stripped, value kept in percent points'],
  };
}

/** Format recorded for decimal-comma numbers: the exact pass measures their scale after the comma. */
export const DECIMAL_COMMA = 'decimal comma';

/**
 * Decimal commas (European exports: 17,35 or 1.717,35), '.' as thousands separator. Reached only when
 * the '.'-decimal readings failed, so a column of 1,234-style values stays a US integer; at least one
 * value must be unambiguously comma-decimal (decComma that is no US thousands group).
 */
function decimalComma(c: Ctx): Pick | undefined {
  const { p } = c;
  const r = c.share('int', 'decComma', 'intDotThousands');
  const scale = p.commaScale;
  if (scale === 0 || r < TYPE_THRESHOLD || scale > MAX_DECIMAL_SCALE) return undefined;
  const d = decimalType(p.maxIntDigits, scale);
  if (!d) return undefined;
  return {
    type: d.type,
    expression: `${d.fn}(replaceAll(replaceAll({col}, '.', ''), ',', '.'), ${scale})`,
    convertRate: r,
    format: DECIMAL_COMMA,
    notes: [`decimal comma: "." thousands separators dropped, "," read as the decimal point; scale ${scale} from the data`],
  };
}

/** Amounts with a currency symbol and a decimal comma (12,50 €, € 1.234,50): symbols, spaces and '.' dropped. */
function moneyComma(c: Ctx): Pick | undefined {
  const { p } = c;
  const r = c.share('currencyComma', 'currency', 'int', 'decComma', 'intDotThousands');
  if (p.shapes.currencyComma === 0 || r < TYPE_THRESHOLD || p.commaScale > MAX_DECIMAL_SCALE) return undefined;
  const scale = Math.max(2, p.commaScale);
  const d = decimalType(p.maxIntDigits, scale) ?? { type: `Decimal(38,${scale})`, fn: 'toDecimal128OrNull' };
  const stripped = ['$', '€', '£', '¥', ' ', '.'].reduce((e, ch) => `replaceAll(${e}, '${ch}', '')`, '{col}');
  return {
    type: d.type,
    expression: `${d.fn}(replaceAll(${stripped}, ',', '.'), ${scale})`,
    convertRate: r,
    format: DECIMAL_COMMA,
    notes: ['currency amounts with a decimal comma: symbol and "." thousands separators dropped, "," read as the decimal point'],
  };
}

function dateTypeFor(p: RawProfile): string {
  // Date covers 1970..2149; anything outside needs Date32.
  return p.yearMin >= 1970 && p.yearMax <= 2149 && p.yearMin > 0 ? 'Date' : 'Date32';
}

const SEP: Record<DmyShape, string> = { dateSlash: '/', dateDash: '-', dateDot: '.', datetimeSlash: '/' };

/** Day/month order of `d/m/y`-like values, read from values whose first or second number exceeds 12. */
export function dayMonthOrder(p: RawProfile, s: DmyShape): { dayFirst: boolean; notes: string[]; ambiguity: number } {
  const f = p.firstOver12[s];
  const g = p.secondOver12[s];
  if (f > 0 && g === 0) return { dayFirst: true, notes: [`day first: ${f} value(s) start with a number above 12`], ambiguity: 1 };
  if (g > 0 && f === 0) return { dayFirst: false, notes: [`month first: ${g} value(s) have a second number above 12`], ambiguity: 1 };
  const assumeDayFirst = s === 'dateDot' || (s === 'dateDash' && f >= g && f > 0) || (f > g && g > 0);
  if (f > 0 && g > 0) {
    return { dayFirst: f > g, notes: [`mixed day/month order (${f} day-first, ${g} month-first values); majority used`], ambiguity: 0.6 };
  }
  return {
    dayFirst: assumeDayFirst,
    notes: [`ambiguous day/month order: no value decides; assumed ${assumeDayFirst ? 'day' : 'month'} first`],
    ambiguity: 0.7,
  };
}

function date(c: Ctx): Pick | undefined {
  const { p } = c;
  const type = dateTypeFor(p);
  const conv = (fmt: string) => `to${type}(parseDateTime64InJodaSyntaxOrNull({col}, '${fmt}'))`;
  if (c.share('dateIso') >= TYPE_THRESHOLD) return { type, expression: conv('yyyy-MM-dd'), convertRate: c.share('dateIso'), format: 'yyyy-MM-dd', notes: ['ISO dates'] };
  if (c.share('dateYmdSlash') >= TYPE_THRESHOLD) return { type, expression: conv('yyyy/M/d'), convertRate: c.share('dateYmdSlash'), format: 'yyyy/M/d', notes: ['year-first dates'] };
  for (const s of ['dateSlash', 'dateDash', 'dateDot'] as const) {
    if (c.share(s) < TYPE_THRESHOLD) continue;
    const o = dayMonthOrder(p, s);
    const sep = SEP[s];
    const fmt = o.dayFirst ? `d${sep}M${sep}yyyy` : `M${sep}d${sep}yyyy`;
    return { type, expression: conv(fmt), convertRate: c.share(s), format: fmt, notes: o.notes, ambiguity: o.ambiguity };
  }
  if (c.share('dateText') >= TYPE_THRESHOLD) {
    return { type, expression: `to${type}(parseDateTime64BestEffortOrNull({col}))`, convertRate: c.share('dateText'), format: 'text', notes: ['dates with month names'] };
  }
  const any = c.share('dateIso', 'dateYmdSlash', 'dateText');
  if (any >= TYPE_THRESHOLD && c.share('dateIso') < TYPE_THRESHOLD) {
    return { type, expression: `to${type}(parseDateTime64BestEffortOrNull({col}))`, convertRate: any, format: 'mixed', notes: ['dates in several formats; parsed best effort'], ambiguity: 0.8 };
  }
  return mixedDayMonth(c, type);
}

/**
 * Day/month dates mixed with ISO or textual ones (hand-typed columns): the day/month values parse in
 * the order their own values show, the rest best effort (which would read 03/04 one fixed way).
 */
function mixedDayMonth(c: Ctx, type: string): Pick | undefined {
  for (const s of ['dateSlash', 'dateDash', 'dateDot'] as const) {
    const r = c.share('dateIso', 'dateYmdSlash', 'dateText', s);
    if (c.p.shapes[s] === 0 || r < TYPE_THRESHOLD) continue;
    const o = dayMonthOrder(c.p, s);
    const sep = SEP[s];
    const fmt = o.dayFirst ? `d${sep}M${sep}yyyy` : `M${sep}d${sep}yyyy`;
    return {
      type,
      expression: `to${type}(coalesce(parseDateTime64InJodaSyntaxOrNull({col}, '${fmt}'), parseDateTime64BestEffortOrNull({col})))`,
      convertRate: r,
      format: 'mixed',
      notes: [`dates in several formats: ${fmt} and ISO or textual dates parsed best effort`, ...o.notes],
      ambiguity: 0.8 * o.ambiguity,
    };
  }
  return undefined;
}

function datetime(c: Ctx): Pick | undefined {
  const r = c.share('datetimeIso', 'dateIso');
  if (c.p.shapes.datetimeIso > 0 && r >= TYPE_THRESHOLD) {
    return { type: 'DateTime64(3)', expression: 'parseDateTime64BestEffortOrNull({col}, 3)', convertRate: r, format: 'ISO 8601', notes: ['ISO date-times; offsets converted to UTC'] };
  }
  if (c.share('datetimeSlash') >= TYPE_THRESHOLD) {
    const o = dayMonthOrder(c.p, 'datetimeSlash');
    const fn = o.dayFirst ? 'parseDateTime64BestEffortOrNull' : 'parseDateTime64BestEffortUSOrNull';
    return {
      type: 'DateTime64(3)',
      expression: `${fn}({col}, 3)`,
      convertRate: c.share('datetimeSlash'),
      format: o.dayFirst ? 'd/M/yyyy H:mm:ss' : 'M/d/yyyy h:mm:ss a',
      notes: o.notes,
      ambiguity: o.ambiguity,
    };
  }
  return undefined;
}

function textPick(c: Ctx, note: string): Pick {
  const { p } = c;
  const low = p.distinct <= LOW_CARDINALITY_MAX && p.distinct * 5 <= c.n;
  const notes = [note];
  if (low) notes.push(`${p.distinct} distinct values repeat: dictionary-encoded`);
  return { type: low ? 'LowCardinality(String)' : 'String', expression: `nullIf({col}, '')`, convertRate: 1, notes };
}

function text(c: Ctx): Pick {
  const pats: [ShapeName, string][] = [
    ['email', 'email addresses'],
    ['url', 'URLs'],
    ['phone', 'phone numbers'],
  ];
  const found = pats.find(([s]) => c.share(s) >= 0.5);
  const pick = textPick(c, found ? `text: ${found[1]}` : 'text');
  const near = nearType(c);
  if (near) pick.notes.push(near);
  return pick;
}

/** A text column that is almost a typed one says so: the few values in the way are worth cleaning. */
function nearType(c: Ctx): string | undefined {
  const groups: [string, ShapeName[]][] = [
    ['numbers', ['int', 'intThousands', 'dec', 'decThousands', 'exp', 'currency', 'percent']],
    ['dates', ['dateIso', 'dateYmdSlash', 'dateSlash', 'dateDash', 'dateDot', 'dateText', 'datetimeIso', 'datetimeSlash']],
    ['booleans', ['boolWord', 'boolDigit']],
    ['UUIDs', ['uuid']],
  ];
  const best = groups.map(([label, shapes]) => ({ label, share: c.share(...shapes) })).sort((a, b) => b.share - a.share)[0];
  if (best.share < 0.8 || best.share >= TYPE_THRESHOLD) return undefined;
  return `${Math.round(best.share * 1000) / 10}% of the values are ${best.label}: below the ${TYPE_THRESHOLD * 100}% needed to type the column; clean the rest or override the type`;
}
