/** Key ranking and the composite search plan: identifiers over unique measures, every type and position tried. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { affinityOf, compositePool, compositeScore, explainChoice, plausibleSets, rankKeys, singleKeyScore, singleKeys, type KeyColumn } from '../../../src/core/discover/keys';
import type { InferredType } from '../../../src/core/discover/catalog-types';

const type = (t: string): InferredType => ({ type: t, nullable: false, expression: '{col}', convertRate: 1, confidence: 1, notes: [] });
const col = (name: string, t: string, o: Partial<KeyColumn> = {}): KeyColumn => ({ name, position: 0, inferred: type(t), missing: 0, distinct: 10, maxLength: 8, ...o });

test('identifiers rank above values that happen to be unique', () => {
  const id = col('order_id', 'Int32', { min: 1, max: 5000, distinct: 5000 });
  const code = col('symbol', 'LowCardinality(String)', { maxLength: 5 });
  const day = col('date', 'Date');
  const price = col('close', 'Decimal(18,4)');
  const count = col('employed', 'Int64', { min: 51234, max: 89_000_000, distinct: 1200 });
  const a = (c: KeyColumn) => affinityOf(c).score;
  assert.ok(a(id) > a(code) && a(code) > a(day) && a(day) > a(count) && a(count) > a(price));
  assert.match(affinityOf(price).reason, /non-integer/);
  assert.match(affinityOf(count).reason, /orders of magnitude/);
  // A year is an integer of one width: an identifier-like member, unlike a count.
  assert.ok(a(col('year', 'Int32', { min: 1990, max: 2019, distinct: 30 })) >= 0.9);
});

test('a natural composite outranks a unique measure: (symbol, date) over close, (country, year) over a count', () => {
  const symbol = col('symbol', 'LowCardinality(String)', { maxLength: 5 });
  const date = col('date', 'Date', { position: 1 });
  const close = col('close', 'Decimal(18,4)', { position: 3 });
  assert.ok(compositeScore([symbol, date]) > singleKeyScore(close));
  const country = col('country', 'LowCardinality(String)', { maxLength: 12 });
  const year = col('year', 'Int32', { min: 1990, max: 2019, distinct: 30, position: 1 });
  const employed = col('employed', 'Int64', { min: 51234, max: 89_000_000, distinct: 1200, position: 2 });
  assert.ok(compositeScore([country, year]) > singleKeyScore(employed));
  // ...and a composite that needs a measure ranks below one of identifiers.
  assert.ok(compositeScore([symbol, date]) > compositeScore([date, close]));
});

test('the primary key says which unique measures it was preferred over', () => {
  const close = col('close', 'Decimal(18,4)', { distinctExact: 100, distinct: 100 });
  const symbol = col('symbol', 'String', { maxLength: 5 });
  const date = col('date', 'Date');
  const singles = singleKeys(100, [close, symbol, date]);
  assert.deepEqual(singles.map((k) => k.columns), [['close']]);
  const composite = { columns: ['symbol', 'date'], kind: 'candidate' as const, confidence: compositeScore([symbol, date]), evidence: ['exact'] };
  const keys = explainChoice(rankKeys([...singles, composite]), [close, symbol, date]);
  const primary = keys.find((k) => k.kind === 'primary');
  assert.deepEqual(primary?.columns, ['symbol', 'date']);
  assert.ok(primary?.evidence.some((e) => /preferred over close \(unique, but non-integer numbers/.test(e)), JSON.stringify(primary?.evidence));
});

test('a declared key is primary over any discovered one; the user still decides', () => {
  const discovered = { columns: ['id'], kind: 'candidate' as const, confidence: 0.99, evidence: [] };
  const declared = { columns: ['code'], kind: 'candidate' as const, confidence: 1, evidence: ['declared'], declared: true };
  assert.deepEqual(rankKeys([discovered, declared]).find((k) => k.kind === 'primary')?.columns, ['code']);
  assert.deepEqual(rankKeys([discovered, declared], ['id']).find((k) => k.kind === 'primary')?.columns, ['id']);
});

test('composites are tried over every type and position: dates, text longer than 24, columns past position 8', () => {
  const filler = Array.from({ length: 10 }, (_, i) => col(`m${i}`, 'LowCardinality(String)', { position: i, distinct: 3, maxLength: 4 }));
  const station = col('station', 'String', { position: 10, distinct: 30, maxLength: 5 });
  const day = col('day', 'Date', { position: 11, distinct: 60 });
  const title = col('course_title', 'String', { position: 12, distinct: 25, maxLength: 46 });
  const pool = compositePool([...filler, station, day, title], 1800);
  for (const c of [station, day, title]) assert.ok(pool.includes(c), c.name);
  const sets = plausibleSets(pool, 2, [], [], (c) => c.distinct, 1800);
  assert.deepEqual(sets[0].map((c) => c.name).sort(), ['day', 'station']);
});

test('the plan prunes by cardinality, exact dependencies and minimality', () => {
  const a = col('a', 'Int32', { distinct: 40, min: 1, max: 40 });
  const b = col('b', 'Int32', { distinct: 50, min: 1, max: 50 });
  const c = col('c', 'Int32', { distinct: 30, min: 1, max: 30 });
  const bound = (x: KeyColumn) => x.distinct;
  // 40 x 30 = 1200 < 1500 rows: (a, c) cannot be unique.
  assert.deepEqual(plausibleSets([a, b, c], 2, [], [], bound, 1500).map((s) => s.map((x) => x.name).join()), ['a,b', 'b,c']);
  // a -> b holds: a set with both is never minimal.
  assert.deepEqual(plausibleSets([a, b, c], 2, [], [['a', 'b']], bound, 1500).map((s) => s.map((x) => x.name).join()), ['b,c']);
  // (a, b) is a key: (a, b, c) is not minimal.
  assert.deepEqual(plausibleSets([a, b, c], 3, [[a, b]], [], bound, 1500), []);
});
