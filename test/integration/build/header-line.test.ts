/**
 * A header/line star on real chDB: one fact at the order-line grain that inherits its order header's
 * customer, store and dates (role-playing) via the join, with order_number and status copied on.
 * Gold reconciles with bronze, header changes reach the fact incrementally, a late header resolves
 * the unknown members, and incremental == full rebuild.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { embeddedWarehouse } from '../../helpers/warehouse';
import { headerLineModels, loadSales, SALES_LOAD1, SALES_LOAD2, SALES_LOAD3 } from '../../helpers/build-fixtures';
import { generatePipeline, writePipeline, type GeneratedPipeline } from '../../../src/core/build/generate';
import { runPipeline, summarizeRun } from '../../../src/core/build/runner';
import { projectPaths } from '../../../src/core/project/paths';
import { silentLogger, type CoreContext } from '../../../src/core/context';
import { EnvSecretStore } from '../../../src/core/sources/source';
import { validateErd, validateStar } from '../../../src/core/model/validate';
import { join } from 'node:path';
import { writeRetailData } from '../../../examples/retail-data';
import { writeSource } from '../../../src/core/sources';
import { acquire } from '../../../src/core/acquire';
import { discover } from '../../../src/core/discover';
import { applyDecomposition, proposeErd } from '../../../src/core/model/erd-proposal';
import { proposeStar } from '../../../src/core/model/star-proposal';
import type { Warehouse } from '../../../src/core/warehouse/warehouse';
import type { RunRecord } from '../../../src/core/build/build-types';

const num = async (wh: Warehouse, sql: string): Promise<number> => Number(Object.values((await wh.query(sql))[0] ?? {})[0]);
const text = async (wh: Warehouse, sql: string): Promise<string> => (await wh.queryText(sql, 'TSV')).trim();

function assertAllSucceeded(run: RunRecord): void {
  const bad = run.steps.filter((s) => s.status !== 'succeeded').map((s) => `${s.id}: ${s.status} ${s.error ?? ''} ${s.result ?? ''}`);
  assert.deepEqual(bad, [], 'every step succeeded');
}

async function snapshot(wh: Warehouse): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const tables = await wh.query<{ database: string; name: string; engine: string }>(
    "SELECT database, name, engine FROM system.tables WHERE database IN ('silver', 'gold') ORDER BY database, name",
  );
  for (const t of tables) {
    const final = t.engine.startsWith('Replacing') ? ' FINAL' : '';
    out[`${t.database}.${t.name}`] = await text(wh, `SELECT * FROM \`${t.database}\`.\`${t.name}\`${final} ORDER BY ALL`);
  }
  return out;
}

/** Lines as of the latest bronze load, converted as silver does. */
const BRONZE_LINES = `SELECT order_id, line_number, argMax(toInt64OrNull(quantity), (_kimball_loaded_at, _kimball_row)) AS q,
  argMax(toDecimal64OrNull(line_total, 2), (_kimball_loaded_at, _kimball_row)) AS t FROM bronze.shop__order_lines GROUP BY order_id, line_number`;

describe('build: header/line fact (order lines inherit the order header)', () => {
  let wh: Warehouse;
  let ctx: CoreContext;
  let pipeline: GeneratedPipeline;
  let dispose: () => Promise<void>;
  before(async () => {
    const env = await embeddedWarehouse();
    ({ wh, dispose } = env);
    const paths = projectPaths(env.dir);
    ctx = { paths, project: { version: 1, warehouse: { mode: 'embedded' } }, warehouse: wh, secrets: new EnvSecretStore(), log: silentLogger };
    const models = headerLineModels();
    validateStar(models.star, 'sales.star.json', models.erd);
    pipeline = generatePipeline({ name: 'sales', ...models, databases: wh.databases, generatedAt: '2026-01-01T00:00:00Z' });
    writePipeline(paths, pipeline, {});
  });
  after(async () => dispose?.());

  test('the fact step joins the header and depends on its silver table', () => {
    const step = pipeline.manifest.steps.find((s) => s.id === 'gold.fact_sales_lines');
    assert.ok(step?.dependsOn.includes('silver.orders') && step.dependsOn.includes('silver.order_lines'));
    const sql = pipeline.files['sql/gold/fact_sales_lines.sql'];
    assert.match(sql, /LEFT JOIN `silver`.`orders` AS h0 FINAL ON l.`order_id` = h0.`order_id`/);
  });

  test('first run: one line fact with customer, store, product and role-playing date keys; sums reconcile with bronze', async () => {
    await loadSales(wh, SALES_LOAD1, 'load-1', '2026-01-01 00:00:00');
    const run = await runPipeline(ctx, { manifest: pipeline.manifest });
    assertAllSucceeded(run);
    assert.equal(summarizeRun(run, pipeline.manifest).checksFailed, 0);
    const cols = (await wh.query<{ name: string }>("SELECT name FROM system.columns WHERE database = 'gold' AND table = 'fact_sales_lines'")).map((r) => r.name);
    for (const c of ['customer_key', 'store_key', 'product_key', 'order_date_key', 'ship_date_key', 'order_id', 'line_number', 'order_number', 'status', 'quantity', 'line_total']) {
      assert.ok(cols.includes(c), `gold fact has ${c}`);
    }
    assert.equal(await num(wh, 'SELECT count() FROM gold.fact_sales_lines FINAL'), await num(wh, `SELECT count() FROM (${BRONZE_LINES})`));
    assert.equal(await num(wh, 'SELECT sum(quantity) FROM gold.fact_sales_lines FINAL'), await num(wh, `SELECT sum(q) FROM (${BRONZE_LINES})`));
    assert.equal(await num(wh, 'SELECT toFloat64(sum(line_total)) FROM gold.fact_sales_lines FINAL'), await num(wh, `SELECT toFloat64(sum(t)) FROM (${BRONZE_LINES})`));
    // Clean data: no unknown member for any inherited or own reference (ship_date is empty on an open order).
    assert.equal(await num(wh, 'SELECT countIf(customer_key = 0 OR store_key = 0 OR product_key = 0 OR order_date_key = 0) FROM gold.fact_sales_lines FINAL'), 0);
    assert.equal(await num(wh, 'SELECT countIf(ship_date_key = 0) FROM gold.fact_sales_lines FINAL'), 1);
    // Every line of order 1 carries its header's customer, store, dates and degenerate attributes.
    assert.equal(
      await text(wh, "SELECT groupArray((line_number, order_number, status, order_date_key, ship_date_key)) FROM (SELECT * FROM gold.fact_sales_lines FINAL WHERE order_id = 1 ORDER BY line_number)"),
      "[(1,'SO-1','shipped',20240105,20240108),(2,'SO-1','shipped',20240105,20240108)]",
    );
    assert.equal(
      await num(wh, "SELECT uniqExact(customer_key) FROM gold.fact_sales_lines FINAL WHERE order_id = 1"),
      1,
    );
    assert.equal(
      await num(wh, 'SELECT any(customer_key) FROM gold.fact_sales_lines FINAL WHERE order_id = 1'),
      await num(wh, "SELECT customer_key FROM gold.dim_customer FINAL WHERE customer_id = 'C1'"),
    );
    // The wide view reads the role-playing dates and the inherited store.
    assert.equal(await text(wh, 'SELECT dim_store_name FROM gold.fact_sales_lines_wide WHERE order_id = 2'), 'Airport');
    assert.equal(await text(wh, 'SELECT toString(order_date_date) FROM gold.fact_sales_lines_wide WHERE order_id = 2'), '2024-01-07');
  });

  test('incremental: a changed header reaches its existing lines; lines before their header get unknown members, counted', async () => {
    await loadSales(wh, SALES_LOAD2, 'load-2', '2026-02-01 00:00:00');
    const run = await runPipeline(ctx, { manifest: pipeline.manifest });
    assertAllSucceeded(run);
    // Order 1 moved to store S2 and was returned: both of its (unchanged) lines follow.
    assert.equal(await text(wh, "SELECT groupUniqArray(status) FROM gold.fact_sales_lines FINAL WHERE order_id = 1"), "['returned']");
    assert.equal(
      await num(wh, 'SELECT uniqExact(store_key) FROM gold.fact_sales_lines FINAL WHERE order_id = 1'),
      1,
    );
    assert.equal(
      await num(wh, 'SELECT any(store_key) FROM gold.fact_sales_lines FINAL WHERE order_id = 1'),
      await num(wh, "SELECT store_key FROM gold.dim_store WHERE store_id = 'S2'"),
    );
    // The line of order 4 has no header yet: unknown customer, store and date, no header attributes.
    assert.equal(await text(wh, 'SELECT (customer_key, store_key, order_date_key, order_number IS NULL) FROM gold.fact_sales_lines FINAL WHERE order_id = 4'), '(0,0,0,1)');
    const orphans = run.steps.find((s) => s.id === 'check.gold.fact_sales_lines.orphans');
    assert.equal(orphans?.status, 'succeeded');
    assert.match(orphans?.result ?? '', /"orders\.lines_without_header":"?1"?/);
    assert.equal(await num(wh, 'SELECT count() FROM gold.fact_sales_lines FINAL'), 5);
    assert.equal(await num(wh, 'SELECT toFloat64(sum(line_total)) FROM gold.fact_sales_lines FINAL'), await num(wh, `SELECT toFloat64(sum(t)) FROM (${BRONZE_LINES})`));
  });

  test('the late header resolves the line; nothing new changes nothing; a full rebuild gives the same tables', async () => {
    await loadSales(wh, SALES_LOAD3, 'load-3', '2026-03-01 00:00:00');
    assertAllSucceeded(await runPipeline(ctx, { manifest: pipeline.manifest }));
    assert.equal(await text(wh, 'SELECT (customer_key != 0, store_key != 0, order_date_key, order_number) FROM gold.fact_sales_lines FINAL WHERE order_id = 4'), "(1,1,20240210,'SO-4')");
    const before = await snapshot(wh);
    assertAllSucceeded(await runPipeline(ctx, { manifest: pipeline.manifest }));
    assert.deepEqual(await snapshot(wh), before);
    assertAllSucceeded(await runPipeline(ctx, { manifest: pipeline.manifest, full: true }));
    assert.deepEqual(await snapshot(wh), before);
  });
});

describe('build: header/line on the proposed models of the demo retail data', () => {
  let dispose: (() => Promise<void>) | undefined;
  after(async () => dispose?.());

  test('files -> discover -> ERD (decompositions accepted) -> star with one line fact -> gold reconciles, no unknown keys', async () => {
    const env = await embeddedWarehouse();
    dispose = env.dispose;
    const { wh, dir } = env;
    const paths = projectPaths(dir);
    const ctx: CoreContext = { paths, project: { version: 1, warehouse: { mode: 'embedded' } }, warehouse: wh, secrets: new EnvSecretStore(), log: silentLogger };
    writeRetailData(join(dir, 'data'), { customers: 300, products: 60, stores: 6, orders: 1500 });
    writeSource(paths, { kind: 'files', name: 'shop', path: join(dir, 'data') });
    await acquire(ctx);
    const catalog = await discover(ctx);
    let erd = proposeErd(catalog, { name: 'retail' });
    // Accept the decompositions a user would: not the accidental ones on small data that move a
    // foreign key under a price (unit_price -> product_id); moving one is correct but not wanted here.
    const fks = new Set(erd.relationships.map((r) => `${r.from.entity}.${r.from.columns.join(',')}`));
    for (const d of erd.decompositions.filter((x) => !x.columns.some((c) => fks.has(`${x.entity}.${c}`)))) erd = applyDecomposition(erd, d.id);
    validateErd(erd, 'retail.erd.json');
    const star = proposeStar(erd, catalog, { name: 'retail' });
    validateStar(star, 'retail.star.json', erd);
    assert.deepEqual(star.facts.map((f) => f.entity), ['order_lines'], `facts: ${star.facts.map((f) => f.reason).join(' | ')}`);
    const fact = star.facts[0];
    const refs = fact.dimensions.map((r) => `${r.dimension}:${r.role}${r.via ? ` via ${r.via.entity}` : ''}`);
    for (const r of ['product:product', 'customer:customer via orders', 'store:store via orders', 'date:order_date via orders', 'date:ship_date via orders']) assert.ok(refs.includes(r), `${r} in ${refs.join(', ')}`);

    const p = generatePipeline({ name: 'retail', erd, star, catalog, databases: wh.databases });
    writePipeline(paths, p, {});
    const run = await runPipeline(ctx, { manifest: p.manifest });
    assertAllSucceeded(run);
    assert.equal(summarizeRun(run, p.manifest).checksFailed, 0);
    const g = `gold.\`${fact.name}\``;
    assert.equal(await num(wh, `SELECT count() FROM ${g} FINAL`), await num(wh, 'SELECT uniqExact(order_id, line_number) FROM bronze.shop__order_lines'));
    assert.equal(
      await num(wh, `SELECT round(toFloat64(sum(line_total)), 2) FROM ${g} FINAL`),
      await num(wh, 'SELECT round(sum(toFloat64OrZero(line_total)), 2) FROM bronze.shop__order_lines'),
    );
    assert.equal(await num(wh, `SELECT countIf(customer_key = 0 OR store_key = 0 OR product_key = 0 OR order_date_key = 0) FROM ${g} FINAL`), 0, 'clean data: no unknown member');
    assert.equal(await num(wh, `SELECT countIf(order_number IS NULL) FROM ${g} FINAL`), 0, 'every line carries its order number');
  });
});
