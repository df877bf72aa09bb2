/**
 * The failure patterns of issue 13 on new synthetic data (patterns.ts), end to end on real chDB, and the
 * calibration of relationship confidence over every labelled synthetic schema.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { embeddedWarehouse } from '../../helpers/warehouse';
import { messyShop, retailStar, tpch } from '../../fixtures/discover/schemas';
import type { Catalog, CatalogTable } from '../../../src/core/discover/catalog-types';
import type { Warehouse } from '../../../src/core/warehouse/warehouse';
import { brier, discoverLabelled, reliability, type Labelled } from './calibration';
import { decimals, namelessReference, naturalComposites, smallIdRanges, textKeys, wideKeys, type PatternTruth } from './patterns';

let env: { wh: Warehouse; dir: string; dispose: () => Promise<void> };
const labelled: Labelled[] = [];

before(async () => {
  env = await embeddedWarehouse();
});
after(async () => env?.dispose());

async function run(name: string, make: (wh: Warehouse) => Promise<PatternTruth>): Promise<Catalog> {
  const r = await discoverLabelled(env.wh, env.dir, name, make);
  labelled.push(...r.labelled);
  return r.catalog;
}

const table = (c: Catalog, name: string): CatalogTable => {
  const t = c.tables.find((x) => x.name === name);
  assert.ok(t, name);
  return t;
};
const primary = (c: Catalog, name: string) => table(c, name).keys.find((k) => k.kind === 'primary')?.columns;
const ids = (c: Catalog) => c.relationships.map((r) => r.id);

test('text keys: names link even with one unmatched value longer than every key; tables keyed by the same column link once', async () => {
  const c = await run('text keys', textKeys);
  assert.deepEqual(primary(c, 'geo__states'), ['state']);
  assert.deepEqual(primary(c, 'geo__countries'), ['country']);
  const cities = c.relationships.find((r) => r.id === 'geo__cities.state_name->geo__states.state');
  assert.ok(cities, JSON.stringify(ids(c)));
  assert.equal(cities.evidence.orphans, 1);
  assert.ok(ids(c).includes('geo__trade.partner->geo__countries.country'), 'a text reference whose name shares nothing with its key');
  const area = c.relationships.find((r) => r.id === 'geo__state_area.state->geo__states.state');
  assert.ok(area, 'a partial 1:1 on the shared key column');
  assert.equal(area.kind, 'shared-key');
  assert.equal(area.cardinality, 'one-to-one');
  assert.ok(ids(c).includes('geo__state_capitals.state->geo__states.state'), 'equal key sets link towards the table named after them');
  for (const r of c.relationships) assert.ok(!ids(c).includes(`${r.toTable}.${r.toColumns}->${r.fromTable}.${r.fromColumns}`), `both ways: ${r.id}`);
});

test('a reference whose name shares nothing with its key is found from its values; a count in the same range is not', async () => {
  const c = await run('nameless reference', namelessReference);
  const r = c.relationships.find((x) => x.id === 'sales__orders.client->sales__customers.cust_key');
  assert.ok(r, JSON.stringify(ids(c)));
  assert.equal(r.evidence.nameSimilarity, 0);
  assert.ok(r.evidence.features && r.evidence.contributions && r.evidence.coverage !== undefined);
  assert.ok(!c.relationships.some((x) => x.fromColumns.includes('units')), JSON.stringify(ids(c)));
  const client = table(c, 'sales__orders').columns.find((x) => x.name === 'client');
  assert.equal(client?.role?.kind, 'identifier');
});

test('unrelated lookups numbered 1..N are not linked; the table that references them is', async () => {
  const c = await run('small id ranges', smallIdRanges);
  assert.deepEqual(ids(c).sort(), ['ref__items.color_id->ref__colors.id', 'ref__items.size_id->ref__sizes.id']);
});

test('natural composite keys beat unique measures, with the reason in the evidence', async () => {
  const c = await run('natural composites', naturalComposites);
  assert.deepEqual(primary(c, 'mkt__quotes'), ['symbol', 'date']);
  assert.deepEqual(primary(c, 'mkt__employment'), ['country', 'year']);
  const quotes = table(c, 'mkt__quotes').keys.find((k) => k.kind === 'primary');
  assert.ok(quotes?.evidence.some((e) => /^preferred over (open|close|volume) \(unique, but/.test(e)), JSON.stringify(quotes?.evidence));
  assert.ok(ids(c).includes('mkt__quotes.symbol->mkt__symbols.symbol'));
  const role = (t: string, col: string) => table(c, t).columns.find((x) => x.name === col)?.role?.kind;
  assert.equal(role('mkt__quotes', 'close'), 'measure');
  assert.equal(role('mkt__quotes', 'date'), 'date');
});

test('composite keys with a member at position 10 and a text member longer than 24 characters', async () => {
  const c = await run('wide keys', wideKeys);
  assert.deepEqual(primary(c, 'wide__readings'), ['station', 'day']);
  assert.deepEqual(primary(c, 'wide__courses')?.sort(), ['course_title', 'term']);
});

test('latitudes, longitudes and ages with long fractions are numbers, never phone numbers', async () => {
  const c = await run('decimals', decimals);
  const people = table(c, 'ppl__people');
  for (const name of ['age', 'latitude', 'longitude']) {
    const col = people.columns.find((x) => x.name === name);
    assert.match(col?.inferred.type ?? '', /^(Decimal|Float)/, name);
    assert.equal(col?.profile.patterns.phone, 0, name);
    assert.ok(!col?.inferred.notes.some((n) => /phone/.test(n)), name);
  }
  assert.equal(people.columns.find((x) => x.name === 'age')?.role?.kind, 'measure');
  assert.equal(people.columns.find((x) => x.name === 'latitude')?.role?.kind, 'attribute');
});

test('every column of every table has a role with evidence', async () => {
  const c = await run('tpch', (wh) => tpch(wh, 'tpch', 0.01));
  for (const t of c.tables) for (const col of t.columns) assert.ok(col.role && col.role.evidence.length > 0, `${t.name}.${col.name}`);
  const role = (t: string, col: string) => table(c, t).columns.find((x) => x.name === col)?.role?.kind;
  assert.equal(role('tpch__lineitem', 'l_orderkey'), 'identifier');
  assert.equal(role('tpch__lineitem', 'l_extendedprice'), 'measure');
  assert.equal(role('tpch__lineitem', 'l_shipdate'), 'date');
  assert.equal(role('tpch__lineitem', 'l_comment'), 'text');
});

test('confidence is calibrated: reported relationships are right about as often as their confidence says', async () => {
  await run('retail', (wh) => retailStar(wh, 'retail'));
  await run('messy', (wh) => messyShop(wh, 'shop'));
  const reported = labelled.filter((x) => x.confidence >= 0.5);
  const mean = reported.reduce((a, x) => a + x.confidence, 0) / reported.length;
  const right = reported.filter((x) => x.correct).length / reported.length;
  console.log(`calibration: ${labelled.length} candidates, ${reported.length} reported, mean confidence ${mean.toFixed(3)}, right ${right.toFixed(3)}, Brier ${brier(labelled).toFixed(4)}`);
  for (const b of reliability(labelled)) if (b.count) console.log(`  ${b.lo}-${Math.min(1, b.hi)}: n=${b.count} predicted ${b.predicted.toFixed(2)} observed ${b.observed.toFixed(2)}`);
  assert.ok(Math.abs(right - mean) <= 0.1, `reported at mean ${mean} but right ${right}`);
  for (const b of reliability(labelled)) if (b.count >= 10) assert.ok(Math.abs(b.observed - b.predicted) <= 0.25, JSON.stringify(b));
  assert.ok(brier(labelled) <= 0.08, String(brier(labelled)));
});
