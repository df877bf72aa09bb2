/** discover() end to end on real chDB: the catalog file, bad input, decisions that survive re-runs, partial runs. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { embeddedWarehouse } from '../../helpers/warehouse';
import { bronzeFromRows, bronzeFromSql, createBronze, testContext } from '../../fixtures/discover/bronze';
import { discover } from '../../../src/core/discover/discover';
import { readCatalog, setPrimaryKey, setRelationshipStatus, setRename, setTypeOverride } from '../../../src/core/discover/catalog';
import { profileMarkdown } from '../../../src/core/discover/report';
import { catalogFile } from '../../../src/core/project/paths';
import type { Catalog } from '../../../src/core/discover/catalog-types';
import type { CoreContext } from '../../../src/core/context';
import type { Warehouse } from '../../../src/core/warehouse/warehouse';

let env: { wh: Warehouse; dir: string; dispose: () => Promise<void> };
let ctx: CoreContext;
let first: Catalog;

const QUOTED = `it's "quoted" \`odd\``;
const UNICODE = 'ünïcödé 🦄 col';

before(async () => {
  env = await embeddedWarehouse();
  const wh = env.wh;
  await bronzeFromSql(wh, 'shop__customers', {
    customer_id: 'number + 1',
    email: "concat('c', toString(number), '@example.com')",
    city: "['Paris','Lyon','Nice','Lille'][number % 4 + 1]",
    country: "if(number % 4 < 3, 'FR', 'BE')",
    signup: "formatDateTime(toDate('2021-01-01') + number % 700, '%d/%m/%Y')",
  }, 2000);
  await bronzeFromSql(wh, 'shop__orders', {
    order_id: 'number + 1',
    customer_id: 'cityHash64(number) % 2000 + 1',
    amount: "concat('$', toString(cityHash64(number, 1) % 900 + 100), '.', leftPad(toString(number % 100), 2, '0'))",
    status: "['new','paid','shipped'][number % 3 + 1]",
    placed_at: "formatDateTime(toDateTime('2023-01-01 00:00:00') + number * 61, '%Y-%m-%dT%H:%i:%SZ')",
  }, 10000);
  // Above the sample size: one value with a longer fraction hides from the profile sample.
  await bronzeFromSql(wh, 'shop__prices', { sku: "concat('S', toString(number))", price: "if(number = 54321, '7.1234', toString(round((number % 1000) / 10, 1)))" }, 60_000);
  // Bad input: an empty table, a one-column table, an all-empty column, 10,000-character values, hostile names.
  await createBronze(wh, 'shop__empty', ['a', 'b']);
  await bronzeFromSql(wh, 'shop__single', { only: 'number' }, 50);
  await bronzeFromRows(
    wh,
    `weird__${UNICODE}`,
    [QUOTED, UNICODE, 'blank', 'long'],
    Array.from({ length: 40 }, (_, i) => [String(i + 1), i % 3 ? 'ja' : 'nein', '', 'x'.repeat(10_000) + String(i)]),
  );
  ctx = testContext(wh, env.dir);
  first = await discover(ctx);
});
after(async () => env?.dispose());

const table = (c: Catalog, name: string) => {
  const t = c.tables.find((x) => x.name === name);
  assert.ok(t, `table ${name}`);
  return t;
};

test('writes a schema-valid catalog file with every bronze table and no lineage columns', () => {
  const onDisk = readCatalog(ctx.paths, 'bronze');
  assert.deepEqual(onDisk.tables.map((t) => t.name).sort(), first.tables.map((t) => t.name).sort());
  assert.equal(first.tables.length, 6);
  for (const t of first.tables) for (const c of t.columns) assert.ok(!c.name.startsWith('_kimball_'), c.name);
  assert.match(readFileSync(catalogFile(ctx.paths, 'bronze'), 'utf8'), /^\{\n {2}"database": "bronze",/);
});

test('types, keys, relationships and dependencies of a small shop', () => {
  const customers = table(first, 'shop__customers');
  const col = (n: string) => customers.columns.find((c) => c.name === n)!;
  assert.equal(col('customer_id').inferred.type, 'Int32');
  assert.equal(col('signup').inferred.type, 'Date');
  assert.equal(col('signup').inferred.format, 'd/M/yyyy');
  assert.equal(col('city').inferred.type, 'LowCardinality(String)');
  assert.deepEqual(customers.keys.find((k) => k.kind === 'primary')?.columns, ['customer_id']);
  assert.ok(customers.dependencies.some((d) => d.from[0] === 'city' && d.to.includes('country')), JSON.stringify(customers.dependencies));
  const orders = table(first, 'shop__orders');
  assert.match(orders.columns.find((c) => c.name === 'amount')!.inferred.type, /^Decimal\(18,2\)$/);
  assert.equal(orders.columns.find((c) => c.name === 'placed_at')!.inferred.type, 'DateTime64(3)');
  assert.deepEqual(
    first.relationships.map((r) => r.id),
    ['shop__orders.customer_id->shop__customers.customer_id'],
  );
  const r = first.relationships[0];
  assert.equal(r.evidence.containment, 1);
  assert.equal(r.evidence.orphans, 0);
  assert.equal(r.cardinality, 'many-to-one');
  assert.ok(r.confidence > 0.9 && r.confidence <= 1);
});

test('a sampled profile still yields exact facts: the full-table scale, exact keys and empties', () => {
  const prices = table(first, 'shop__prices');
  assert.equal(prices.sampled, true);
  assert.equal(prices.rowCount, 60_000);
  const price = prices.columns.find((c) => c.name === 'price')!;
  assert.equal(price.inferred.type, 'Decimal(18,4)');
  assert.equal(price.inferred.convertRate, 1);
  assert.deepEqual(prices.keys.find((k) => k.kind === 'primary')?.columns, ['sku']);
  assert.equal(price.profile.empty, 0);
});

test('bad input never crashes and gives sensible results', () => {
  const empty = table(first, 'shop__empty');
  assert.equal(empty.rowCount, 0);
  assert.equal(empty.quality, null);
  assert.match(empty.qualityNote ?? '', /empty/);
  assert.equal(empty.keys.length, 0);
  const single = table(first, 'shop__single');
  assert.equal(single.columns.length, 1);
  assert.deepEqual(single.keys.map((k) => k.columns), [['only']]);
  const weird = table(first, `weird__${UNICODE}`);
  const q = weird.columns.find((c) => c.name === QUOTED)!;
  assert.equal(q.inferred.type, 'Int32');
  assert.deepEqual(weird.keys.find((k) => k.kind === 'primary')?.columns, [QUOTED]);
  const blank = weird.columns.find((c) => c.name === 'blank')!;
  assert.equal(blank.inferred.type, 'String');
  assert.equal(blank.inferred.nullable, true);
  assert.equal(blank.quality!.dimensions.find((d) => d.name === 'completeness')!.score, 0);
  const long = weird.columns.find((c) => c.name === 'long')!;
  assert.equal(long.profile.maxLength, 10_002);
  assert.ok(long.profile.topValues.every((t) => t.value.length <= 200));
  for (const t of first.tables) {
    for (const c of t.columns) if (c.quality) assert.ok(c.quality.score >= 0 && c.quality.score <= 100);
    if (t.quality) assert.ok(t.quality.score >= 0 && t.quality.score <= 100);
  }
  assert.match(profileMarkdown(first, weird), /## Columns/);
});

test('user decisions survive the next discovery', async () => {
  const id = first.relationships[0].id;
  setRelationshipStatus(ctx.paths, 'bronze', id, 'rejected');
  setPrimaryKey(ctx.paths, 'bronze', 'shop__customers', ['email']);
  setTypeOverride(ctx.paths, 'bronze', 'shop__orders', 'status', 'String');
  setRename(ctx.paths, 'bronze', 'shop__orders', 'placed_at', 'ordered_at');
  assert.throws(() => setPrimaryKey(ctx.paths, 'bronze', 'shop__customers', ['nope']), /has no column nope/);
  assert.throws(() => setRelationshipStatus(ctx.paths, 'bronze', 'x->y', 'accepted'), /not in the bronze catalog/);
  const again = await discover(ctx);
  assert.equal(again.relationships.find((r) => r.id === id)?.status, 'rejected');
  assert.deepEqual(table(again, 'shop__customers').keys.find((k) => k.kind === 'primary')?.columns, ['email']);
  const status = table(again, 'shop__orders').columns.find((c) => c.name === 'status')!;
  assert.equal(status.inferred.type, 'String');
  assert.ok(status.inferred.notes.includes('type chosen by the user'));
  assert.equal(again.decisions.renames['shop__orders.placed_at'], 'ordered_at');
  setRelationshipStatus(ctx.paths, 'bronze', id, 'accepted');
  assert.equal(readCatalog(ctx.paths, 'bronze').relationships.find((r) => r.id === id)?.status, 'accepted');
});

test('partial runs: quality only keeps relationships, relationships only keeps quality', async () => {
  const before = readCatalog(ctx.paths, 'bronze');
  const q = await discover(ctx, { only: 'quality' });
  assert.deepEqual(q.relationships.map((r) => [r.id, r.status]), before.relationships.map((r) => [r.id, r.status]));
  const r = await discover(ctx, { only: 'relationships' });
  assert.deepEqual(
    r.tables.map((t) => t.quality?.score ?? null),
    q.tables.map((t) => t.quality?.score ?? null),
  );
  assert.ok(r.relationships.length >= 1);
});

test('a cancelled discovery writes nothing', async () => {
  const ac = new AbortController();
  ac.abort();
  const beforeText = readFileSync(catalogFile(ctx.paths, 'bronze'), 'utf8');
  await assert.rejects(discover(ctx, { signal: ac.signal }));
  assert.equal(readFileSync(catalogFile(ctx.paths, 'bronze'), 'utf8'), beforeText);
});
