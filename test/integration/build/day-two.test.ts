/**
 * Day two on real chDB (issue 12): after a model edit, a changed-attribute reload or a column added at the
 * source, an incremental run leaves silver and gold equal to a full rebuild, gold reads right without
 * FINAL, and the run says which steps it rebuilt and why.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { embeddedWarehouse } from '../../helpers/warehouse';
import { createBronze, loadBronze, loadRetail, RETAIL, RETAIL_LOAD1, RETAIL_LOAD2, retailModels } from '../../helpers/build-fixtures';
import { generatePipeline, writePipeline } from '../../../src/core/build/generate';
import { runPipeline } from '../../../src/core/build/runner';
import { projectPaths } from '../../../src/core/project/paths';
import { silentLogger, type CoreContext } from '../../../src/core/context';
import { EnvSecretStore } from '../../../src/core/sources/source';
import type { Warehouse } from '../../../src/core/warehouse/warehouse';
import type { RunRecord } from '../../../src/core/build/build-types';
import type { ErdModel, StarModel } from '../../../src/core/model/model-types';

type Models = ReturnType<typeof retailModels>;

const num = async (wh: Warehouse, sql: string): Promise<number> => Number(Object.values((await wh.query(sql))[0] ?? {})[0]);

function succeeded(run: RunRecord): RunRecord {
  const bad = run.steps.filter((s) => s.status !== 'succeeded').map((s) => `${s.id}: ${s.status} ${s.error ?? ''}`);
  assert.deepEqual(bad, [], 'every step succeeded');
  return run;
}

/** Silver as the pipeline reads it (FINAL) and gold as a user reads it (plain), every column. */
async function snapshot(wh: Warehouse): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const tables = await wh.query<{ database: string; name: string }>("SELECT database, name FROM system.tables WHERE database IN ('silver', 'gold') ORDER BY database, name");
  for (const t of tables) {
    const final = t.database === 'silver' ? ' FINAL' : '';
    out[`${t.database}.${t.name}`] = await wh.queryText(`SELECT * FROM \`${t.database}\`.\`${t.name}\`${final} ORDER BY ALL`, 'TSV');
  }
  return out;
}

describe('day two: incremental runs after changes equal a full rebuild', () => {
  let wh: Warehouse;
  let ctx: CoreContext;
  let dispose: () => Promise<void>;
  let models: Models;

  const build = (m: { erd: ErdModel; star: StarModel }) => {
    const p = generatePipeline({ name: 'retail', ...m, catalog: models.catalog, databases: wh.databases, generatedAt: '2026-01-01T00:00:00Z' });
    writePipeline(ctx.paths, p, {});
    return p.manifest;
  };
  const run = async (m: { erd: ErdModel; star: StarModel }, full = false) => succeeded(await runPipeline(ctx, { manifest: build(m), full }));
  /** An incremental run, then the same state rebuilt in full: both snapshots returned. */
  const incrementalThenFull = async (m: { erd: ErdModel; star: StarModel }) => {
    const inc = await run(m);
    const incremental = await snapshot(wh);
    await run(m, true);
    return { inc, incremental, full: await snapshot(wh) };
  };

  before(async () => {
    const w = await embeddedWarehouse();
    wh = w.wh;
    dispose = w.dispose;
    ctx = { paths: projectPaths(w.dir), project: { version: 1, warehouse: { mode: 'embedded' } }, warehouse: wh, secrets: new EnvSecretStore(), log: silentLogger };
    models = retailModels();
    await loadRetail(wh, RETAIL_LOAD1, 'load-1', '2026-01-01 00:00:00');
    const first = await run(models);
    assert.ok(first.steps.filter((s) => s.mode).every((s) => s.mode === 'full' || s.id === 'gold.dim_customer'), 'a new warehouse is built in full');
  });
  after(() => dispose());

  test('a changed-attribute reload: the SCD2 dimension has one current row per key and gold counts right without FINAL', async () => {
    await loadRetail(wh, RETAIL_LOAD2, 'load-2', '2026-01-02 00:00:00');
    const { inc, incremental, full } = await incrementalThenFull(models);
    assert.deepEqual(incremental, full);
    assert.ok(inc.steps.filter((s) => s.mode).every((s) => s.mode === 'incremental'), 'nothing changed in the model: incremental');
    // Plain queries: no FINAL, no waiting for merges.
    assert.equal(await num(wh, 'SELECT count() FROM gold.fact_sales'), 9);
    assert.equal(await num(wh, 'SELECT uniqExact(order_id) FROM gold.fact_sales'), 9);
    assert.equal(await num(wh, 'SELECT toFloat64(sum(amount)) FROM gold.fact_sales'), await num(wh, 'SELECT toFloat64(sum(amount)) FROM silver.orders FINAL'));
    assert.equal(await num(wh, 'SELECT countIf(is_current = 1) - uniqExactIf(customer_id, is_current = 1) FROM gold.dim_customer WHERE customer_key != 0'), 0);
    assert.equal(await num(wh, 'SELECT count() FROM gold.dim_customer'), await num(wh, 'SELECT count() FROM gold.dim_customer FINAL'));
    // C1 moved: two versions, one current.
    assert.equal(await num(wh, "SELECT count() FROM gold.dim_customer WHERE customer_id = 'C1'"), 2);
    assert.equal(await num(wh, 'SELECT count() FROM gold.fact_sales_wide'), 9);
  });

  test('SCD2 -> SCD1 edit: the dimension and the fact are rebuilt, every fact key resolves, the run says why', async () => {
    const scd1 = structuredClone(models);
    const d = scd1.star.dimensions.find((x) => x.name === 'dim_customer');
    assert.ok(d);
    d.scdType = 1;
    delete d.tracked;
    const { inc, incremental, full } = await incrementalThenFull(scd1);
    assert.deepEqual(incremental, full);
    const step = (id: string) => inc.steps.find((s) => s.id === id);
    assert.equal(step('gold.dim_customer')?.mode, 'full');
    assert.match(step('gold.dim_customer')?.reason ?? '', /SQL changed/);
    assert.equal(step('gold.fact_sales')?.mode, 'full');
    // Its own SQL changed too (a plain join replaces the as-of join): either reason rebuilds it.
    assert.match(step('gold.fact_sales')?.reason ?? '', /SQL changed|gold\.dim_customer was rebuilt/);
    assert.equal(step('silver.orders')?.mode, 'incremental');
    assert.equal(step('check.gold.fact_sales.keys')?.status, 'succeeded');
    assert.equal(await num(wh, 'SELECT count() FROM gold.fact_sales WHERE customer_key NOT IN (SELECT customer_key FROM gold.dim_customer)'), 0);
    // Every order whose customer exists joins to it.
    assert.equal(await num(wh, 'SELECT count() FROM gold.fact_sales AS f INNER JOIN gold.dim_customer AS c ON f.customer_key = c.customer_key WHERE c.customer_key != 0'), 9);
    models = scd1;
  });

  test('a column added at the source reaches the rows of earlier loads in an incremental run', async () => {
    const cols = [...RETAIL.customers, 'email'];
    await createBronze(wh, 'shop__customers', cols);
    await wh.command('ALTER TABLE bronze.shop__customers ADD COLUMN IF NOT EXISTS email String');
    // A reload: the object's table holds the new snapshot only, every row with an email.
    await wh.command('TRUNCATE TABLE bronze.shop__customers');
    const rows = [...RETAIL_LOAD1.customers.filter((r) => !['C1', 'C2'].includes(r[0])), ...RETAIL_LOAD2.customers].map((r) => [...r, `${r[0].toLowerCase()}@example.com`]);
    await loadBronze(wh, 'shop__customers', cols, rows, 'load-3', '2026-01-03 00:00:00');
    const withEmail = structuredClone(models);
    withEmail.erd.entities.find((e) => e.name === 'customers')?.columns.push({ name: 'email', type: 'String', nullable: true, source: { column: 'email', expression: '{col}' } });
    withEmail.star.dimensions.find((x) => x.name === 'dim_customer')?.attributes.push({ name: 'email', column: 'email', type: 'String' });
    const { inc, incremental, full } = await incrementalThenFull(withEmail);
    assert.deepEqual(incremental, full);
    assert.equal(inc.steps.find((s) => s.id === 'silver.customers')?.mode, 'full');
    assert.equal(await num(wh, "SELECT countIf(email IS NULL OR email = '') FROM silver.customers FINAL"), 0);
    assert.equal(await num(wh, "SELECT countIf(email = 'Unknown') FROM gold.dim_customer"), 1);
    models = withEmail;
  });

  test('a run with nothing new after all that changes nothing', async () => {
    const before = await snapshot(wh);
    const idle = await run(models);
    assert.ok(idle.steps.filter((s) => s.mode).every((s) => s.mode === 'incremental'));
    assert.deepEqual(await snapshot(wh), before);
  });
});

describe('day two: an SCD2 version takes effect when the source says', () => {
  test('effectiveFrom names the entity column: versions are valid from its value, facts find the version of their date', async () => {
    const { wh, dir, dispose } = await embeddedWarehouse();
    try {
      const ctx: CoreContext = { paths: projectPaths(dir), project: { version: 1, warehouse: { mode: 'embedded' } }, warehouse: wh, secrets: new EnvSecretStore(), log: silentLogger };
      const m = retailModels();
      const customers = m.erd.entities.find((e) => e.name === 'customers');
      customers?.columns.push({ name: 'updated_at', type: 'DateTime64(3)', nullable: true, source: { column: 'updated_at', expression: 'parseDateTime64BestEffortOrNull({col}, 3)' } });
      const d = m.star.dimensions.find((x) => x.name === 'dim_customer');
      assert.ok(d);
      d.effectiveFrom = 'updated_at';
      const cols = [...RETAIL.customers, 'updated_at'];
      const withTime = (rows: string[][], at: string) => rows.map((r) => [...r, at]);
      await loadRetail(wh, { ...RETAIL_LOAD1, customers: [] }, 'load-1', '2026-01-01 00:00:00');
      await wh.command('DROP TABLE bronze.shop__customers');
      await createBronze(wh, 'shop__customers', cols);
      await loadBronze(wh, 'shop__customers', cols, withTime(RETAIL_LOAD1.customers, '2023-06-01 00:00:00'), 'load-1', '2026-01-01 00:00:00');
      const p = generatePipeline({ name: 'retail', ...m, databases: wh.databases, generatedAt: '2026-01-01T00:00:00Z' });
      writePipeline(ctx.paths, p, {});
      succeeded(await runPipeline(ctx, { manifest: p.manifest }));
      // C1 moves to Berlin, effective 2024-02-01: its order of 2024-01-05 keeps Paris, the one of 2024-02-03 gets Berlin.
      await loadBronze(wh, 'shop__customers', cols, [['C1', 'Ann', 'Berlin', 'Germany', 'retail', '2024-02-01 00:00:00']], 'load-2', '2026-01-02 00:00:00');
      succeeded(await runPipeline(ctx, { manifest: p.manifest }));
      const city = async (order: number) =>
        (await wh.queryText(`SELECT c.city FROM gold.fact_sales AS f INNER JOIN gold.dim_customer AS c ON f.customer_key = c.customer_key WHERE f.order_id = ${order}`, 'TSV')).trim();
      assert.equal(await city(1), 'Paris');
      assert.equal(await city(4), 'Berlin');
      assert.equal((await wh.queryText("SELECT valid_from FROM gold.dim_customer WHERE customer_id = 'C1' AND is_current = 1", 'TSV')).trim(), '2024-02-01 00:00:00.000');
      assert.equal(await num(wh, "SELECT count() FROM gold.dim_customer WHERE customer_id = 'C1'"), 2);
    } finally {
      await dispose();
    }
  });
});
