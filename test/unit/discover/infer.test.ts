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
    intOverflow: 0, negatives: 0, maxScale: 0, maxIntDigits: 5, yearMin: 0, yearMax: 0, topValues: [],
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
