/** Type inference rules on hand-written shape counts (no engine): thresholds, order of checks, day/month order. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inferType, dayMonthOrder, TYPE_THRESHOLD } from '../../../src/core/discover/infer';
import type { RawProfile } from '../../../src/core/discover/profile';
import { DMY_SHAPES, SHAPE_NAMES, type ShapeName } from '../../../src/core/discover/shapes';

function profile(rows: number, shapes: Partial<Record<ShapeName, number>>, extra: Partial<RawProfile> = {}): RawProfile {
  const zero = <K extends string>(ks: readonly K[]) => Object.fromEntries(ks.map((k) => [k, 0])) as Record<K, number>;
  return {
    name: 'c', position: 0, rows, empty: 0, distinct: rows, minLength: 1, maxLength: 10,
    shapes: { ...zero(SHAPE_NAMES), ...shapes }, firstOver12: zero(DMY_SHAPES), secondOver12: zero(DMY_SHAPES),
    intOverflow: 0, negatives: 0, maxScale: 0, maxIntDigits: 5, commaScale: 0, yearMin: 0, yearMax: 0, topValues: [],
    numeric: { count: rows, min: 1, max: 1000, mean: 5, stddev: 1, quantiles: {} }, ...extra,
  };
}

test('a type needs the threshold share of non-empty values', () => {
  assert.equal(TYPE_THRESHOLD, 0.98);
  assert.equal(inferType(profile(100, { int: 98 })).type, 'Int32');
  assert.equal(inferType(profile(100, { int: 97 })).type, 'String');
  const withEmpties = inferType(profile(100, { int: 50 }, { empty: 50 }));
  assert.equal(withEmpties.type, 'Int32');
  assert.equal(withEmpties.nullable, true);
});

test('placeholders count as missing, not as bad values', () => {
  const t = inferType(profile(100, { int: 90, nullToken: 10 }));
  assert.equal(t.type, 'Int32');
  assert.equal(t.nullable, true);
});

test('leading zeros stay text; big integers widen', () => {
  assert.match(inferType(profile(100, { int: 100, zeroPadded: 30 }, { minLength: 5, maxLength: 5 })).type, /String/);
  assert.equal(inferType(profile(100, { int: 100 }, { numeric: { count: 100, min: 0, max: 5e12, mean: 1, stddev: 1, quantiles: {} } })).type, 'Int64');
  assert.equal(inferType(profile(100, { int: 100 }, { intOverflow: 3, maxIntDigits: 20 })).type, 'UInt64');
});

test('day/month order comes from values above 12, and undecidable orders are flagged', () => {
  const p = profile(100, { dateSlash: 100 });
  p.firstOver12.dateSlash = 40;
  assert.equal(dayMonthOrder(p, 'dateSlash').dayFirst, true);
  const q = profile(100, { dateSlash: 100 });
  const t = inferType(q);
  assert.equal(t.format, 'M/d/yyyy');
  assert.match(t.notes.join(' '), /ambiguous day\/month order/);
  assert.ok(t.confidence < 1);
});

test('an empty table and an all-empty column become nullable String with a note', () => {
  assert.deepEqual([inferType(profile(0, {})).type, inferType(profile(0, {})).confidence], ['String', 0]);
  const e = inferType(profile(10, {}, { empty: 10 }));
  assert.equal(e.type, 'String');
  assert.equal(e.nullable, true);
  assert.match(e.notes[0], /empty/);
});

test('sweep: decimal commas (17,35 and 1.717,35) read as European decimals; 1,234 alone stays a US integer', () => {
  const eu = inferType(profile(100, { decComma: 80, int: 10, intDotThousands: 10 }, { commaScale: 2 }));
  assert.equal(eu.type, 'Decimal(18,2)');
  assert.equal(eu.expression, "toDecimal64OrNull(replaceAll(replaceAll({col}, '.', ''), ',', '.'), 2)");
  assert.equal(eu.format, 'decimal comma');
  // Every value is also a US thousands group: the US reading wins, as before.
  assert.equal(inferType(profile(100, { intThousands: 100, decComma: 100 })).type, 'Int32');
  // No value shows a fraction after a comma: no European reading.
  assert.equal(inferType(profile(100, { intDotThousands: 50, int: 20 })).type, 'String');
});

test('sweep: amounts with the currency symbol after them, or with a decimal comma, are decimals', () => {
  const eu = inferType(profile(100, { currencyComma: 90, currency: 10 }, { commaScale: 2 }));
  assert.equal(eu.type, 'Decimal(18,2)');
  assert.equal(eu.format, 'decimal comma');
  assert.match(eu.expression, /^toDecimal64OrNull\(replaceAll\(replaceAll\(.*'\.', ''\), ',', '\.'\), 2\)$/);
  // A US amount with the symbol after it is plain currency.
  assert.equal(inferType(profile(100, { currency: 100 }, { maxScale: 2 })).type, 'Decimal(18,2)');
});

test('sweep: day/month dates mixed with ISO dates take the order their values show; the rest parse best effort', () => {
  const t = inferType(profile(100, { dateSlash: 50, dateIso: 50 }, { firstOver12: { dateSlash: 20, dateDash: 0, dateDot: 0, datetimeSlash: 0 }, yearMin: 2000, yearMax: 2024 }));
  assert.equal(t.type, 'Date');
  assert.equal(t.format, 'mixed');
  assert.equal(t.expression, "toDate(coalesce(parseDateTime64InJodaSyntaxOrNull({col}, 'd/M/yyyy'), parseDateTime64BestEffortOrNull({col})))");
});

test('sweep: accounting negatives in parentheses, (1,234.50), are negative amounts', () => {
  const t = inferType(profile(100, { decThousands: 70, dec: 10, accounting: 20 }, { maxScale: 2 }));
  assert.equal(t.type, 'Decimal(18,2)');
  assert.match(t.expression, /^toDecimal64OrNull\(concat\(if\(startsWith\(\{col\}, '\('\), '-', ''\), /);
  assert.ok(t.notes.some((n) => n.includes('20 accounting negative')));
});

test('sweep: Unix times in a time-named integer column are timestamps, not measures', () => {
  const num = (min: number, max: number) => ({ numeric: { count: 100, min, max, mean: min, stddev: 1, quantiles: {} } });
  const s = inferType(profile(100, { int: 100 }, { name: 'created_at', ...num(1_600_000_000, 1_700_000_000) }));
  assert.equal(s.type, 'DateTime64(3)');
  assert.equal(s.expression, 'toDateTime64(toInt64OrNull({col}), 3)');
  const ms = inferType(profile(100, { int: 100 }, { name: 'updatedat', ...num(1_600_000_000_000, 1_700_000_000_000) }));
  assert.equal(ms.expression, 'fromUnixTimestamp64Milli(toInt64OrNull({col}))');
  // The same numbers under another name, or small numbers under a time name, stay integers.
  assert.equal(inferType(profile(100, { int: 100 }, { name: 'population', ...num(1_600_000_000, 1_700_000_000) })).type, 'Int32');
  assert.equal(inferType(profile(100, { int: 100 }, { name: 'response_time', ...num(5, 900) })).type, 'Int32');
  assert.equal(inferType(profile(100, { int: 100 }, { name: 'format', ...num(1_600_000_000, 1_700_000_000) })).type, 'Int32');
});

test('sweep: values written with spaces after the delimiter ("1, 2.50, yes") are typed, the conversion trims them', () => {
  const t = inferType(profile(100, { dec: 100, padded: 100 }, { maxScale: 2 }));
  assert.equal(t.type, 'Decimal(18,2)');
  assert.equal(t.expression, 'toDecimal64OrNull(trimBoth({col}), 2)');
  // Text keeps its spaces: they may be content.
  assert.equal(inferType(profile(100, { padded: 100 })).expression, "nullIf({col}, '')");
});
