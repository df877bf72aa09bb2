/**
 * The whole build + run on real chDB: retail-shaped (SCD2, decomposition,
 * orphans, conversion failures, incremental == full) and TPC-H-shaped
 * (snowflaked dimensions, two facts), failure + resume, cancel, run history.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { embeddedWarehouse } from '../../helpers/warehouse';
import { loadRetail, loadTpch, RETAIL_LOAD1, RETAIL_LOAD2, retailModels, tpchModels } from '../../helpers/build-fixtures';
import { generatePipeline, writePipeline, type GeneratedPipeline } from '../../../src/core/build/generate';
import { runPipeline, summarizeRun } from '../../../src/core/build/runner';
import { listRuns } from '../../../src/core/build/run-store';
import { projectPaths } from '../../../src/core/project/paths';
import type { CoreContext } from '../../../src/core/context';
import { silentLogger } from '../../../src/core/context';
import { EnvSecretStore } from '../../../src/core/sources/source';
import type { Warehouse } from '../../../src/core/warehouse/warehouse';
import type { RunRecord } from '../../../src/core/build/build-types';

interface Env {
  wh: Warehouse;
  ctx: CoreContext;
  pipeline: GeneratedPipeline;
  dispose: () => Promise<void>;
}

async function setup(models: ReturnType<typeof retailModels> | ReturnType<typeof tpchModels>, name: string): Promise<Env> {
  const { wh, dir, dispose } = await embeddedWarehouse();
  const paths = projectPaths(dir);
  const ctx: CoreContext = { paths, project: { version: 1, warehouse: { mode: 'embedded' } }, warehouse: wh, secrets: new EnvSecretStore(), log: silentLogger };
  const pipeline = generatePipeline({ name, ...models, databases: wh.databases, generatedAt: '2026-01-01T00:00:00Z' });
  writePipeline(paths, pipeline, {});
  return { wh, ctx, pipeline, dispose };
}

const num = async (wh: Warehouse, sql: string): Promise<number> => Number(Object.values((await wh.query(sql))[0] ?? {})[0]);
const text = (wh: Warehouse, sql: string): Promise<string> => wh.queryText(sql, 'TSV');

function assertAllSucceeded(run: RecordLike): void {
  const bad = run.steps.filter((s) => s.status !== 'succeeded').map((s) => `${s.id}: ${s.status} ${s.error ?? ''}`);
  assert.deepEqual(bad, [], 'every step succeeded');
  assert.equal(run.status, 'succeeded');
}
type RecordLike = RunRecord;

/** Every gold and silver table as sorted TSV, lineage columns included. */
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

describe('build: retail pipeline', () => {
  let env: Env;
  before(async () => {
    env = await setup(retailModels(), 'retail');
  });
  after(async () => env?.dispose());

  test('first run builds silver and gold that reconcile with bronze', async () => {
    const { wh, ctx, pipeline } = env;
    await loadRetail(wh, RETAIL_LOAD1, 'load-1', '2026-01-01 00:00:00');
    const run = await runPipeline(ctx, { manifest: pipeline.manifest });
    assertAllSucceeded(run);
    const summary = summarizeRun(run, pipeline.manifest);
    assert.equal(summary.checksFailed, 0);
    assert.ok(summary.checksPassed >= 10);

    // Latest row per order in bronze, converted the way silver does.
    const bronzeOrders = `SELECT order_id, argMax(toDecimal64OrNull(amount, 2), (_kimball_loaded_at, _kimball_row)) AS a,
        argMax(toInt64OrNull(quantity), (_kimball_loaded_at, _kimball_row)) AS qn FROM bronze.shop__orders GROUP BY order_id`;
    assert.equal(await num(wh, 'SELECT count() FROM gold.fact_sales FINAL'), await num(wh, `SELECT count() FROM (${bronzeOrders})`));
    assert.equal(await num(wh, 'SELECT toFloat64(sum(amount)) FROM gold.fact_sales FINAL'), await num(wh, `SELECT toFloat64(sum(a)) FROM (${bronzeOrders})`));
    assert.equal(await num(wh, 'SELECT sum(quantity) FROM gold.fact_sales FINAL'), await num(wh, `SELECT sum(qn) FROM (${bronzeOrders})`));
    // The value that did not convert is NULL in silver (and counted by the check), never dropped.
    assert.equal(await num(wh, 'SELECT countIf(amount IS NULL) FROM silver.orders FINAL'), 1);
    const conv = run.steps.find((s) => s.id === 'check.silver.orders.conversion');
    assert.match(conv?.result ?? '', /"amount\.failed":"?1"?/);
    // Unmatched references point at the unknown member, which exists.
    assert.equal(await num(wh, 'SELECT customer_key FROM gold.fact_sales FINAL WHERE order_id = 5'), 0);
    assert.equal(await num(wh, 'SELECT product_key FROM gold.fact_sales FINAL WHERE order_id = 6'), 0);
    assert.equal(await num(wh, 'SELECT order_date_key FROM gold.fact_sales FINAL WHERE order_id = 7'), 0);
    assert.equal((await text(wh, 'SELECT name FROM gold.dim_product WHERE product_key = 0')).trim(), 'Unknown');
    // Date dimension covers exactly the range of fact dates, plus the unknown member.
    assert.equal(await num(wh, 'SELECT count() FROM gold.dim_date'), 27 + 29 + 1 + 1, 'Jan 5 .. Mar 1 2024, plus the unknown member');
    assert.equal(await num(wh, 'SELECT min(date) = toDate32(\'2024-01-05\') FROM gold.dim_date WHERE date_key != 0'), 1);
    // Snowflaked attribute (country via the split-out cities entity).
    assert.equal((await text(wh, "SELECT country FROM gold.dim_customer FINAL WHERE customer_id = 'C3'")).trim(), 'Germany');
    assert.equal(await num(wh, 'SELECT count() FROM gold.fact_sales_wide'), 7);
    // Run history: file and meta tables.
    assert.equal(listRuns(ctx.paths)[0].id, run.id);
    assert.equal(await num(wh, `SELECT count() FROM kimball.run_steps FINAL WHERE run_id = '${run.id}'`), run.steps.length);
  });

  test('an incremental run after a new load keeps SCD2 history and overwrites SCD1', async () => {
    const { wh, ctx, pipeline } = env;
    await loadRetail(wh, RETAIL_LOAD2, 'load-2', '2026-02-01 00:00:00');
    const run = await runPipeline(ctx, { manifest: pipeline.manifest });
    assertAllSucceeded(run);
    const c1 = await wh.query<{ city: string; is_current: number; valid_from: string; valid_to: string }>(
      "SELECT city, is_current, valid_from, valid_to FROM gold.dim_customer FINAL WHERE customer_id = 'C1' ORDER BY valid_from",
    );
    assert.deepEqual(
      c1.map((r) => [r.city, Number(r.is_current), r.valid_from, r.valid_to]),
      [
        ['Paris', 0, '1900-01-01 00:00:00.000', '2026-02-01 00:00:00.000'],
        ['Berlin', 1, '2026-02-01 00:00:00.000', '2299-12-31 00:00:00.000'],
      ],
    );
    // An untracked attribute (name) changes in place: no new version.
    assert.equal((await text(wh, "SELECT groupArray(name) FROM gold.dim_customer FINAL WHERE customer_id = 'C2'")).trim(), "['Bobby']");
    assert.equal(await num(wh, "SELECT count() FROM gold.dim_customer FINAL WHERE customer_id = 'C5' AND is_current = 1"), 1);
    // The late-arriving member resolves the order that pointed at the unknown member.
    assert.equal(
      await num(wh, 'SELECT customer_key FROM gold.fact_sales FINAL WHERE order_id = 5'),
      await num(wh, "SELECT customer_key FROM gold.dim_customer FINAL WHERE customer_id = 'C999'"),
    );
    assert.notEqual(await num(wh, 'SELECT customer_key FROM gold.fact_sales FINAL WHERE order_id = 5'), 0);
    assert.equal((await text(wh, "SELECT category FROM gold.dim_product WHERE product_id = 'P1'")).trim(), 'stationery');
    // Updated order 2 replaced, new orders added.
    assert.equal(await num(wh, 'SELECT count() FROM gold.fact_sales FINAL'), 9);
    assert.equal(await num(wh, 'SELECT toFloat64(amount) FROM gold.fact_sales FINAL WHERE order_id = 2'), 240);
    assert.equal(await num(wh, 'SELECT count() FROM kimball.processed__gold__fact_sales FINAL'), 2);
  });

  test('an incremental run with nothing new changes nothing, and a full rebuild gives the same tables', async () => {
    const { wh, ctx, pipeline } = env;
    const before = await snapshot(wh);
    assert.ok(Object.keys(before).length >= 9);
    const idle = await runPipeline(ctx, { manifest: pipeline.manifest });
    assertAllSucceeded(idle);
    assert.deepEqual(await snapshot(wh), before);
    // Nothing stale: the deletes are probed and skipped (a delete matching nothing would still rewrite every part).
    const deletes = idle.steps.flatMap((st) => st.log.filter((l) => l.includes('DELETE FROM')));
    assert.ok(deletes.length >= 2 && deletes.every((l) => l.includes('skipped: no row to change')), deletes.join('\n'));
    const full = await runPipeline(ctx, { manifest: pipeline.manifest, full: true });
    assertAllSucceeded(full);
    assert.equal(full.full, true);
    assert.deepEqual(await snapshot(wh), before);
  });

  test('a reload that replaces an object removes rows deleted at the source from silver and gold, no FINAL needed', async () => {
    const { wh, ctx, pipeline } = env;
    // What acquire does on a reload: the object's bronze table becomes the new snapshot under a new load id.
    const cols = (
      await wh.query<{ name: string }>(
        "SELECT name FROM system.columns WHERE database = 'bronze' AND table = 'shop__orders' AND NOT startsWith(name, '_kimball_') ORDER BY position",
      )
    ).map((r) => `\`${r.name}\``);
    await wh.command(
      `CREATE TABLE bronze.snapshot ENGINE = Memory AS SELECT ${cols.join(', ')}, _kimball_source, _kimball_object FROM bronze.shop__orders
        WHERE order_id != '9' ORDER BY _kimball_loaded_at DESC, _kimball_row DESC LIMIT 1 BY order_id`,
    );
    await wh.command('TRUNCATE TABLE bronze.shop__orders');
    await wh.command(
      `INSERT INTO bronze.shop__orders (${cols.join(', ')}, _kimball_source, _kimball_object, _kimball_load_id, _kimball_row, _kimball_loaded_at)
       SELECT ${cols.join(', ')}, _kimball_source, _kimball_object, 'load-3', rowNumberInAllBlocks() + 1, toDateTime64('2026-03-01 00:00:00', 3) FROM bronze.snapshot`,
    );
    await wh.command('DROP TABLE bronze.snapshot');
    const run = await runPipeline(ctx, { manifest: pipeline.manifest });
    assertAllSucceeded(run);
    assert.equal(summarizeRun(run, pipeline.manifest).checksFailed, 0, 'silver reconciles with bronze again');
    const ran = run.steps.find((st) => st.id === 'silver.orders')?.log.find((l) => l.includes('DELETE FROM')) ?? '';
    assert.ok(ran && !ran.includes('skipped'), `the silver delete ran: ${ran}`);
    for (const t of ['silver.orders', 'gold.fact_sales']) {
      assert.equal(await num(wh, `SELECT count() FROM ${t}`), 8, `${t}: the deleted order is gone and no superseded version is left`);
      assert.equal(await num(wh, `SELECT count() FROM ${t} FINAL`), 8, t);
      assert.equal(await num(wh, `SELECT countIf(order_id = 9) FROM ${t}`), 0, t);
    }
    assert.equal(await num(wh, 'SELECT count() FROM gold.fact_sales_wide'), 8);
    const incremental = await snapshot(wh);
    assertAllSucceeded(await runPipeline(ctx, { manifest: pipeline.manifest, full: true }));
    assert.deepEqual(await snapshot(wh), incremental, 'incremental == full rebuild');
  });
});

describe('build: failures, resume and cancel', () => {
  let env: Env;
  before(async () => {
    env = await setup(retailModels(), 'retail');
    await loadRetail(env.wh, RETAIL_LOAD1, 'load-1', '2026-01-01 00:00:00');
  });
  after(async () => env?.dispose());

  test('a failing step is reported with the ClickHouse error, dependants are skipped, and a re-run from failed resumes', async () => {
    const { wh, ctx, pipeline } = env;
    const file = join(ctx.paths.buildDir, 'sql/gold/dim_product.sql');
    const good = readFileSync(file, 'utf8');
    writeFileSync(file, 'SELECT count() FROM silver.no_such_table;\n');
    const failed = await runPipeline(ctx, { manifest: pipeline.manifest });
    const st = (r: RunRecord, id: string) => r.steps.find((s) => s.id === id);
    assert.equal(failed.status, 'failed');
    assert.equal(st(failed, 'gold.dim_product')?.status, 'failed');
    assert.match(st(failed, 'gold.dim_product')?.error ?? '', /no_such_table/);
    for (const id of ['gold.fact_sales', 'gold.fact_sales_wide', 'check.gold.fact_sales.reconcile', 'check.gold.dim_product.keys']) {
      assert.equal(st(failed, id)?.status, 'skipped', id);
    }
    assert.equal(st(failed, 'gold.dim_customer')?.status, 'succeeded');
    assert.equal(await num(wh, 'SELECT count() FROM gold.dim_customer FINAL'), 5, 'earlier results intact');
    const summary = summarizeRun(failed, pipeline.manifest);
    assert.deepEqual(summary.errors.map((e) => e.id), ['gold.dim_product']);

    writeFileSync(file, good);
    const resumed = await runPipeline(ctx, { manifest: pipeline.manifest, fromFailed: failed.id });
    assertAllSucceeded(resumed);
    assert.equal(resumed.resumes, failed.id);
    assert.ok(st(resumed, 'silver.orders')?.log.some((l) => l.includes(`succeeded in run ${failed.id}`)), 'silver.orders was not run again');
    assert.ok(st(resumed, 'gold.dim_product')?.log.some((l) => l.startsWith('statement ')), 'the failed step ran');
    assert.equal(await num(wh, 'SELECT count() FROM gold.fact_sales FINAL'), 7);
  });

  test('cancel stops the run: running and pending steps are cancelled, and it can be resumed', async () => {
    const { ctx, pipeline, wh } = env;
    const ac = new AbortController();
    const run = await runPipeline(ctx, {
      manifest: pipeline.manifest,
      full: true,
      signal: ac.signal,
      onStep: (s) => {
        if (s.status === 'running') ac.abort();
      },
    });
    assert.equal(run.status, 'cancelled');
    assert.ok(run.steps.every((s) => s.status === 'cancelled' || s.status === 'succeeded'));
    assert.ok(run.steps.some((s) => s.status === 'cancelled'));
    const resumed = await runPipeline(ctx, { manifest: pipeline.manifest, fromFailed: run.id });
    assertAllSucceeded(resumed);
    assert.equal(await num(wh, 'SELECT count() FROM gold.fact_sales FINAL'), 7);
    assert.equal(await num(wh, `SELECT count() FROM kimball.runs FINAL`), listRuns(ctx.paths).length);
  });
});

describe('build: TPC-H-shaped pipeline', () => {
  let env: Env;
  before(async () => {
    env = await setup(tpchModels(), 'tpch');
    await loadTpch(env.wh, { customers: 1500, orders: 6000, parts: 800, suppliers: 100 });
  });
  after(async () => env?.dispose());

  test('gold reconciles with bronze: rows, sums, snowflaked attributes, no unknown references', async () => {
    const { wh, ctx, pipeline } = env;
    const run = await runPipeline(ctx, { manifest: pipeline.manifest, parallelism: 3 });
    assertAllSucceeded(run);
    assert.equal(await num(wh, 'SELECT count() FROM gold.fact_lineitem FINAL'), await num(wh, 'SELECT count() FROM bronze.tpch__lineitem'));
    assert.equal(
      await num(wh, 'SELECT toFloat64(sum(extended_price)) FROM gold.fact_lineitem FINAL'),
      await num(wh, 'SELECT toFloat64(sum(toDecimal64(l_extendedprice, 2))) FROM bronze.tpch__lineitem'),
    );
    assert.equal(await num(wh, 'SELECT sum(quantity) FROM gold.fact_lineitem FINAL'), await num(wh, 'SELECT sum(toInt64(l_quantity)) FROM bronze.tpch__lineitem'));
    assert.equal(await num(wh, 'SELECT count() FROM gold.fact_orders FINAL'), 6000);
    assert.equal(await num(wh, 'SELECT countIf(part_key = 0 OR supplier_key = 0 OR ship_date_key = 0) FROM gold.fact_lineitem FINAL'), 0);
    assert.equal(await num(wh, 'SELECT countIf(customer_key = 0) FROM gold.fact_orders FINAL'), 0);
    // Customer -> nation -> region folded into the customer dimension.
    assert.equal(await num(wh, 'SELECT countIf(region IS NOT NULL AND nation IS NOT NULL) FROM gold.dim_customer FINAL WHERE customer_key != 0'), 1500);
    assert.equal(
      (await text(wh, "SELECT region FROM gold.dim_supplier WHERE s_suppkey = 1")).trim(),
      (await text(wh, "SELECT r.r_name FROM bronze.tpch__supplier s JOIN bronze.tpch__nation n ON s.s_nationkey = n.n_nationkey JOIN bronze.tpch__region r ON n.n_regionkey = r.r_regionkey WHERE s.s_suppkey = '1'")).trim(),
    );
    // Date dimension spans ship and order dates.
    assert.equal(
      await num(wh, 'SELECT count() FROM gold.dim_date WHERE date_key != 0'),
      await num(wh, "SELECT dateDiff('day', least(min(toDate(o_orderdate)), (SELECT min(toDate(l_shipdate)) FROM bronze.tpch__lineitem)), greatest(max(toDate(o_orderdate)), (SELECT max(toDate(l_shipdate)) FROM bronze.tpch__lineitem))) + 1 FROM bronze.tpch__orders"),
    );
    const summary = summarizeRun(run, pipeline.manifest);
    assert.equal(summary.checksFailed, 0);
  });
});
