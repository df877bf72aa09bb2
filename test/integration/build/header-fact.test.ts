/**
 * A header with measures of its own on real chDB: the demo retail data with a freight column on the
 * order header, discovered, proposed (ERD, star) and built. The star has the line fact (no freight)
 * and a header-grain fact orders (freight, customer, store, role-playing dates); both build, run and
 * reconcile with bronze: freight summed once per order, never once per line.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { embeddedWarehouse } from '../../helpers/warehouse';
import { generatePipeline, writePipeline } from '../../../src/core/build/generate';
import { runPipeline, summarizeRun } from '../../../src/core/build/runner';
import { projectPaths } from '../../../src/core/project/paths';
import { silentLogger, type CoreContext } from '../../../src/core/context';
import { EnvSecretStore } from '../../../src/core/sources/source';
import { validateErd, validateStar } from '../../../src/core/model/validate';
import { writeRetailData } from '../../../examples/retail-data';
import { writeSource } from '../../../src/core/sources';
import { acquire } from '../../../src/core/acquire';
import { discover } from '../../../src/core/discover';
import { applyDecomposition, proposeErd } from '../../../src/core/model/erd-proposal';
import { proposeStar } from '../../../src/core/model/star-proposal';
import type { QueryOptions, Warehouse } from '../../../src/core/warehouse/warehouse';
import type { RunRecord } from '../../../src/core/build/build-types';
import type { Catalog } from '../../../src/core/discover/catalog-types';
import type { ErdModel, StarModel } from '../../../src/core/model/model-types';

const num = async (wh: Warehouse, sql: string, opts: QueryOptions = {}): Promise<number> => Number(Object.values((await wh.query(sql, opts))[0] ?? {})[0]);

function assertAllSucceeded(run: RunRecord): void {
  const bad = run.steps.filter((s) => s.status !== 'succeeded').map((s) => `${s.id}: ${s.status} ${s.error ?? ''} ${s.result ?? ''}`);
  assert.deepEqual(bad, [], 'every step succeeded');
}

/** Adds a freight charge to every order of the demo data (deterministic, two decimals, some zero). */
function addFreight(dir: string): void {
  const file = join(dir, 'orders.csv');
  const [head, ...rows] = readFileSync(file, 'utf8').trimEnd().split('\n');
  const freight = (i: number) => (i % 7 === 0 ? '0.00' : ((i * 379) % 4500 / 100 + 2).toFixed(2));
  writeFileSync(file, [`${head},freight`, ...rows.map((r, i) => `${r},${freight(i + 1)}`)].join('\n') + '\n');
}

/** Splits every order line into one or two deliveries: (order_id, line_number, delivery_seq), a date, the quantity delivered. */
function addDeliveries(dir: string): void {
  const [, ...rows] = readFileSync(join(dir, 'order_lines.csv'), 'utf8').trimEnd().split('\n');
  const out = ['order_id,line_number,delivery_seq,delivered_on,delivered_qty'];
  rows.forEach((r, i) => {
    const [order, line, , qty] = r.split(',');
    const q = Number(qty);
    const day = (k: number) => new Date(Date.UTC(2024, 0, 1) + ((i * 13 + k * 3) % 700) * 86_400_000).toISOString().slice(0, 10);
    if (q > 1 && i % 3 === 0) out.push(`${order},${line},1,${day(0)},${q - 1}`, `${order},${line},2,${day(1)},1`);
    else out.push(`${order},${line},1,${day(0)},${q}`);
  });
  writeFileSync(join(dir, 'deliveries.csv'), out.join('\n') + '\n');
}

async function proposedStar(ctx: CoreContext, dir: string): Promise<{ erd: ErdModel; star: StarModel; catalog: Catalog }> {
  writeSource(ctx.paths, { kind: 'files', name: 'shop', path: join(dir, 'data') });
  await acquire(ctx);
  const catalog = await discover(ctx);
  let erd = proposeErd(catalog, { name: 'retail' });
  // As in header-line.test.ts: accept the decompositions that move no foreign key.
  const fks = new Set(erd.relationships.map((r) => `${r.from.entity}.${r.from.columns.join(',')}`));
  for (const d of erd.decompositions.filter((x) => !x.columns.some((c) => fks.has(`${x.entity}.${c}`)))) erd = applyDecomposition(erd, d.id);
  validateErd(erd, 'retail.erd.json');
  const star = proposeStar(erd, catalog, { name: 'retail' });
  validateStar(star, 'retail.star.json', erd);
  return { erd, star, catalog };
}

describe('build: header-grain fact for header measures (orders.freight next to the order-line fact)', () => {
  let dispose: (() => Promise<void>) | undefined;
  after(async () => dispose?.());

  test('files -> discover -> ERD -> star with a line fact and a header fact -> both build; freight reconciles once per order', async () => {
    const env = await embeddedWarehouse();
    dispose = env.dispose;
    const { wh, dir } = env;
    const paths = projectPaths(dir);
    const ctx: CoreContext = { paths, project: { version: 1, warehouse: { mode: 'embedded' } }, warehouse: wh, secrets: new EnvSecretStore(), log: silentLogger };
    writeRetailData(join(dir, 'data'), { customers: 300, products: 60, stores: 6, orders: 1500 });
    addFreight(join(dir, 'data'));
    const { erd, star, catalog } = await proposedStar(ctx, dir);
    assert.deepEqual(star.facts.map((f) => f.entity), ['order_lines', 'orders'], `facts: ${star.facts.map((f) => f.reason).join(' | ')}`);
    const [lines, orders] = star.facts;
    assert.ok(!lines.measures.some((m) => m.column === 'freight'), 'no freight on the line fact');
    assert.deepEqual(orders.measures.map((m) => `${m.column}:${m.aggregation}/${m.additivity}`), ['freight:sum/additive']);
    const refs = (f: typeof lines) => f.dimensions.map((r) => `${r.dimension}:${r.role}${r.via ? ` via ${r.via.entity}` : ''}`);
    for (const r of ['product:product', 'customer:customer via orders', 'store:store via orders', 'date:order_date via orders', 'date:ship_date via orders']) assert.ok(refs(lines).includes(r), `${r} in ${refs(lines).join(', ')}`);
    assert.deepEqual(refs(orders), ['customer:customer', 'store:store', 'date:order_date', 'date:ship_date']);
    assert.match(orders.reason, /^Header-grain fact: orders is the header of the line fact order_lines/);

    const p = generatePipeline({ name: 'retail', erd, star, catalog, databases: wh.databases });
    writePipeline(paths, p, {});
    const run = await runPipeline(ctx, { manifest: p.manifest });
    assertAllSucceeded(run);
    assert.equal(summarizeRun(run, p.manifest).checksFailed, 0);

    const gl = `gold.\`${lines.name}\``;
    const go = `gold.\`${orders.name}\``;
    const columns = async (t: string) => (await wh.query<{ name: string }>('SELECT name FROM system.columns WHERE database = {db:String} AND table = {t:String}', { params: { db: wh.databases.gold, t } })).map((r) => r.name);
    assert.ok(!(await columns(lines.name)).includes('freight'), 'the gold line fact has no freight column');
    const orderCols = await columns(orders.name);
    for (const c of ['customer_key', 'store_key', 'order_date_key', 'ship_date_key', 'order_id', 'order_number', 'status', 'freight']) assert.ok(orderCols.includes(c), `gold ${orders.name} has ${c}`);
    // One row per order; freight summed once per order equals bronze's.
    assert.equal(await num(wh, `SELECT count() FROM ${go}`), 1500);
    assert.equal(await num(wh, 'SELECT uniqExact(order_id) FROM bronze.shop__orders'), 1500);
    assert.equal(
      await num(wh, `SELECT round(toFloat64(sum(freight)), 2) FROM ${go}`),
      await num(wh, 'SELECT round(sum(toFloat64OrZero(freight)), 2) FROM bronze.shop__orders'),
    );
    assert.ok((await num(wh, `SELECT sum(freight) FROM ${go}`)) > 1000);
    assert.equal(await num(wh, `SELECT countIf(customer_key = 0 OR store_key = 0 OR order_date_key = 0) FROM ${go}`), 0, 'clean data: no unknown member');
    // The two facts conform: an order's customer is the same on the header fact and on each of its lines.
    assert.equal(
      await num(wh, `SELECT count() FROM (SELECT order_id, any(customer_key) AS c FROM ${gl} GROUP BY order_id) AS l INNER JOIN (SELECT order_id, customer_key FROM ${go}) AS o ON l.order_id = o.order_id WHERE l.c != o.customer_key`),
      0,
    );
    assert.equal(await num(wh, `SELECT count() FROM ${gl}`), await num(wh, 'SELECT uniqExact(order_id, line_number) FROM bronze.shop__order_lines'));
  });
});

describe('build: a header chain (deliveries -> order lines -> orders) proposed from discovered data', () => {
  let dispose: (() => Promise<void>) | undefined;
  after(async () => dispose?.());

  test('deliveries inherit product from the line and customer/store/dates from the order; three facts build and reconcile', async () => {
    const env = await embeddedWarehouse();
    dispose = env.dispose;
    const { wh, dir } = env;
    const paths = projectPaths(dir);
    const ctx: CoreContext = { paths, project: { version: 1, warehouse: { mode: 'embedded' } }, warehouse: wh, secrets: new EnvSecretStore(), log: silentLogger };
    writeRetailData(join(dir, 'data'), { customers: 300, products: 60, stores: 6, orders: 1500 });
    addFreight(join(dir, 'data'));
    addDeliveries(join(dir, 'data'));
    const { erd, star, catalog } = await proposedStar(ctx, dir);
    const why = `dims: ${star.dimensions.map((d) => `${d.name}(${d.entity}): ${d.reason}`).join(' / ')}; facts: ${star.facts.map((f) => `${f.entity}: ${f.reason}`).join(' | ')}; relationships: ${erd.relationships.map((r) => r.name).join(', ')}`;
    // The set of facts matters, not the order they are listed in.
    assert.deepEqual(star.facts.map((f) => f.entity).sort(), ['deliveries', 'order_lines', 'orders'], why);
    const factOf = (entity: string) => star.facts.find((f) => f.entity === entity) as (typeof star.facts)[number];
    const [deliveries, lines, orders] = ['deliveries', 'order_lines', 'orders'].map(factOf);
    const refs = deliveries.dimensions.map((r) => `${r.dimension}:${r.role}${r.via ? ` via ${r.via.entity}(${r.via.from.join(',')})` : ''}`);
    for (const r of ['product:product via order_lines(order_id,line_number)', 'customer:customer via orders(order_id)', 'store:store via orders(order_id)', 'date:order_date via orders(order_id)', 'date:delivered_on']) {
      assert.ok(refs.includes(r), `${r} in ${refs.join(', ')}`);
    }
    assert.deepEqual(deliveries.measures.map((m) => m.column), ['delivered_qty']);

    const p = generatePipeline({ name: 'retail', erd, star, catalog, databases: wh.databases });
    writePipeline(paths, p, {});
    const run = await runPipeline(ctx, { manifest: p.manifest });
    assertAllSucceeded(run);
    assert.equal(summarizeRun(run, p.manifest).checksFailed, 0);
    const g = (f: typeof lines) => `gold.\`${f.name}\``;
    // Each fact sums its own measure once: delivered quantity = line quantity = bronze quantity; freight once per order.
    const bronzeQty = await num(wh, 'SELECT sum(toInt64OrZero(quantity)) FROM bronze.shop__order_lines');
    assert.equal(await num(wh, `SELECT sum(delivered_qty) FROM ${g(deliveries)}`), bronzeQty);
    assert.equal(await num(wh, `SELECT sum(quantity) FROM ${g(lines)}`), bronzeQty);
    assert.equal(
      await num(wh, `SELECT round(toFloat64(sum(freight)), 2) FROM ${g(orders)}`),
      await num(wh, 'SELECT round(sum(toFloat64OrZero(freight)), 2) FROM bronze.shop__orders'),
    );
    // The second-level header reaches the deliveries in one join on their own order_id: no unknown customer or product.
    assert.equal(await num(wh, `SELECT countIf(customer_key = 0 OR store_key = 0 OR product_key = 0 OR order_date_key = 0) FROM ${g(deliveries)}`), 0);
    assert.equal(
      await num(wh, `SELECT count() FROM ${g(deliveries)} AS d INNER JOIN ${g(orders)} AS o ON d.order_id = o.order_id WHERE d.customer_key != o.customer_key`),
      0,
      'a delivery carries its order\'s customer',
    );

    // Incremental through the chain: order 1 moves to another customer; its deliveries (two levels down) and lines follow.
    const file = join(dir, 'data', 'orders.csv');
    const [head, first, ...rest] = readFileSync(file, 'utf8').trimEnd().split('\n');
    const cols = head.split(',');
    const row = first.split(',');
    const ci = cols.indexOf('customer_id');
    row[ci] = row[ci] === '7' ? '8' : '7';
    writeFileSync(file, [head, row.join(','), ...rest].join('\n') + '\n');
    await acquire(ctx);
    assertAllSucceeded(await runPipeline(ctx, { manifest: p.manifest }));
    const want = await num(wh, `SELECT customer_key FROM gold.customer WHERE toString(customer_id) = {c:String}`, { params: { c: row[ci] } });
    assert.ok(want > 0);
    for (const f of [deliveries, lines, orders]) {
      assert.deepEqual(
        (await wh.query<{ k: string }>(`SELECT DISTINCT customer_key AS k FROM ${g(f)} WHERE order_id = 1`)).map((r) => Number(r.k)),
        [want],
        `${f.name} of order 1 carries the new customer`,
      );
    }
    // Nothing new changes nothing; a full rebuild gives the same facts.
    const facts = async () => Promise.all([deliveries, lines, orders].map((f) => wh.queryText(`SELECT * EXCEPT (_kimball_load_id, _kimball_loaded_at) FROM ${g(f)} ORDER BY ALL`, 'TSV')));
    const before = await facts();
    assertAllSucceeded(await runPipeline(ctx, { manifest: p.manifest }));
    assert.deepEqual(await facts(), before);
    assertAllSucceeded(await runPipeline(ctx, { manifest: p.manifest, full: true }));
    assert.deepEqual(await facts(), before);
  });
});
