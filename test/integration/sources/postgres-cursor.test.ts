/**
 * A PostgreSQL source with cursor columns on day two, against a real
 * PostgreSQL and real chDB: updates, a row committed with the saved high-water
 * mark, hard deletes (delete scan), a table without a key; after every acquire
 * bronze holds exactly the source's rows, and silver, built and run
 * incrementally, holds them too and equals a full rebuild.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Client } from 'pg';
import { acquire } from '../../../src/core/acquire';
import { readDeclaredConstraints } from '../../../src/core/acquire/constraints';
import { ensureLoadTables } from '../../../src/core/acquire/meta';
import { discover } from '../../../src/core/discover';
import { generatePipeline, writePipeline, type GeneratedPipeline } from '../../../src/core/build/generate';
import { runPipeline } from '../../../src/core/build/runner';
import type { RunRecord } from '../../../src/core/build/build-types';
import { initProjectFiles, loadProject } from '../../../src/core/project/project';
import { writeSource } from '../../../src/core/sources';
import { EnvSecretStore, type PostgresSourceConfig, type StreamRead } from '../../../src/core/sources/source';
import { cursorVersion, PostgresSource } from '../../../src/core/sources/postgres';
import { ensureDatabases } from '../../../src/core/warehouse/catalog-queries';
import { ServerWarehouse } from '../../../src/core/warehouse/server';
import { qualified, quoteIdent } from '../../../src/core/warehouse/sql';
import { DEFAULT_DATABASES, type DatabaseNames, type Warehouse } from '../../../src/core/warehouse/warehouse';
import { silentLogger, type CoreContext } from '../../../src/core/context';
import { attr, col, dim, entity, erd, rel, star } from '../../helpers/build-fixtures';
import { removeDir, tempDir } from '../../helpers/warehouse';
import { testWorkspace } from '../acquire/workspace';
import { postgresAvailable, startPostgres, type PostgresService } from '../../services/postgres';
import { startClickHouseServer } from '../../services/clickhouse-server';
import { skipUnless } from '../../services/common';
import { collect } from './helpers';

/** Each table's columns as the source has them and as bronze keeps them (text, NULL as ''). */
const TABLES = {
  customers: ['customer_id', 'code', 'name', 'updated_at'],
  orders: ['order_id', 'customer_id', 'amount', 'note', 'updated_at'],
  events: ['id', 'v', 'ts'],
  items: ['sku', 'qty', 'ts'],
} as const;
type Table = keyof typeof TABLES;

const sorted = (rows: string[][]): string[][] => rows.sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));

function models() {
  const e = erd(
    'crm',
    [
      entity('customers', 'crm__customers', [col('customer_id', 'Int64', false), col('code', 'String'), col('name', 'String'), col('updated_at', 'String')], ['customer_id']),
      entity(
        'orders',
        'crm__orders',
        [col('order_id', 'Int64', false), col('customer_id', 'Int64'), col('amount', 'Decimal(18,2)'), col('note', 'String'), col('updated_at', 'String')],
        ['order_id'],
      ),
    ],
    [rel('orders', ['customer_id'], 'customers', ['customer_id'])],
  );
  const s = star(
    'crm',
    [
      {
        name: 'fact_orders',
        entity: 'orders',
        grain: ['order_id'],
        grainDescription: 'one row per order',
        measures: [{ name: 'amount', column: 'amount', aggregation: 'sum', additivity: 'additive' }],
        dimensions: [{ dimension: 'dim_customer', role: 'dim_customer', columns: ['customer_id'] }],
        degenerate: ['order_id'],
        reason: 'test',
      },
    ],
    [dim('dim_customer', 'customers', ['customer_id'], [attr('name'), attr('code')], 1)],
  );
  return { erd: e, star: s };
}

/** A workspace on one kind of warehouse: its context (paths, project, warehouse) and how to take it down. */
interface Env {
  ctx: CoreContext;
  dispose(): Promise<void>;
}

async function embeddedEnv(): Promise<Env> {
  const w = await testWorkspace();
  return { ctx: w.ctx, dispose: () => w.dispose() };
}

/** A ClickHouse server: a private one, or KIMBALL_TEST_CLICKHOUSE_URL's (then with databases of this test's own). */
async function serverEnv(): Promise<Env> {
  const root = tempDir('kimball-cursor-server-');
  const external = process.env.KIMBALL_TEST_CLICKHOUSE_URL;
  const server = external ? undefined : await startClickHouseServer(join(root, 'clickhouse'));
  const databases: DatabaseNames = external ? { bronze: 'bronze_cursor_t', silver: 'silver_cursor_t', gold: 'gold_cursor_t', meta: 'kimball_cursor_t' } : DEFAULT_DATABASES;
  const wh = new ServerWarehouse({ url: external ?? (server?.url as string), username: process.env.KIMBALL_TEST_CLICKHOUSE_USER, password: process.env.KIMBALL_TEST_CLICKHOUSE_PASSWORD, databases });
  await ensureDatabases(wh);
  await ensureLoadTables(wh);
  const { paths } = initProjectFiles(root);
  return {
    ctx: { paths, project: loadProject(root), warehouse: wh, secrets: new EnvSecretStore({}), log: silentLogger },
    async dispose() {
      if (external) for (const db of Object.values(databases)) await wh.command(`DROP DATABASE IF EXISTS ${quoteIdent(db)}`).catch(() => undefined);
      await wh.close();
      await server?.stop();
      removeDir(root);
    },
  };
}

for (const [mode, makeEnv] of [['embedded', embeddedEnv], ['server', serverEnv]] as const) {
  describe(`PostgreSQL cursor sources stay correct on day two (${mode} warehouse)`, { skip: skipUnless(postgresAvailable(), 'PostgreSQL (initdb/pg_ctl)') }, () => {
    let env: Env;
    let wh: Warehouse;
    let ctx: CoreContext;
    let pg: PostgresService;
    let admin: Client;
    let pipeline: GeneratedPipeline;
    const warnings: string[] = [];
    /** A table of a layer, by this warehouse's database names. */
    const t = (layer: keyof DatabaseNames, table: string): string => qualified(wh.databases[layer], table);

    before(async () => {
      [env, pg] = await Promise.all([makeEnv(), startPostgres()]);
      wh = env.ctx.warehouse;
      ctx = { ...env.ctx, secrets: new EnvSecretStore({ KIMBALL_CRM_PASSWORD: pg.password }), log: { ...env.ctx.log, warn: (m) => warnings.push(m) } };
      admin = new Client({ host: pg.host, port: pg.port, user: pg.user, password: pg.password, database: pg.database });
      await admin.connect();
      await admin.query(`
        CREATE TABLE customers (customer_id integer PRIMARY KEY, code text UNIQUE, name text, updated_at timestamp(3) NOT NULL);
        INSERT INTO customers VALUES (1, 'C-1', 'Ann', '2024-01-01 10:00'), (2, 'C-2', 'Bob', '2024-01-01 11:00'), (3, NULL, 'Cy', '2024-01-01 12:00');
        CREATE TABLE orders (order_id integer PRIMARY KEY, customer_id integer REFERENCES customers, amount numeric(10,2), note text, updated_at timestamp(3) NOT NULL);
        INSERT INTO orders VALUES (1, 1, 10.50, 'first', '2024-02-01 09:00'), (2, 2, 20.00, NULL, '2024-02-01 09:30'),
          (3, 1, 5.25, 'tab\there', '2024-02-01 10:00'), (4, 3, 7.00, 'four', '2024-02-01 10:00'), (5, 2, 1.00, 'five', '2024-02-01 11:00');
        CREATE TABLE events (id integer, v text, ts timestamp(3));
        INSERT INTO events VALUES (1, 'a', '2024-03-01 08:00'), (2, 'b', '2024-03-01 09:00');
        CREATE TABLE items (sku text, qty integer, ts timestamp(3));
        INSERT INTO items VALUES ('A-1', 5, '2024-04-01 08:00'), ('B-2', 7, '2024-04-01 09:00');
      `);
      writeSource(ctx.paths, {
        kind: 'postgres',
        name: 'crm',
        host: pg.host,
        port: pg.port,
        database: pg.database,
        user: pg.user,
        cursors: { customers: 'updated_at', orders: 'updated_at', events: 'ts', items: 'ts' },
        keys: { items: ['sku'] },
        deleteScan: ['customers', 'orders'],
      });
      pipeline = generatePipeline({ name: 'crm', ...models(), databases: wh.databases, generatedAt: '2026-01-01T00:00:00Z' });
      writePipeline(ctx.paths, pipeline, {});
    });

    after(async () => {
      await admin?.end();
      await env?.dispose();
      await pg?.stop();
    });

    /** The source's rows as bronze text, sorted. */
    async function sourceRows(table: Table): Promise<string[][]> {
      const columns = TABLES[table];
      const r = await admin.query<Record<string, string>>(`SELECT ${columns.map((c) => `coalesce(${c}::text, '') AS ${c}`).join(', ')} FROM ${table}`);
      return sorted(r.rows.map((x) => columns.map((c) => x[c])));
    }

    async function bronzeRows(table: Table): Promise<string[][]> {
      const columns = TABLES[table];
      const r = await wh.query<Record<string, string>>(`SELECT ${columns.join(', ')} FROM ${t('bronze', `crm__${table}`)}`);
      return sorted(r.map((x) => columns.map((c) => x[c])));
    }

    /** Acquire, then: every table's bronze rows are exactly the source's (no version, no duplicate). */
    async function acquireAndCompare(): Promise<Record<string, string>> {
      const results = await acquire(ctx, { sources: ['crm'] });
      for (const r of results) assert.ok(r.status === 'loaded' || r.status === 'skipped', `${r.object}: ${r.status} ${r.error ?? ''}`);
      for (const t of Object.keys(TABLES) as Table[]) assert.deepEqual(await bronzeRows(t), await sourceRows(t), `bronze ${t}`);
      return Object.fromEntries(results.map((r) => [r.object, r.status]));
    }

    /** An incremental run; then silver (as read, and without FINAL) holds exactly the source's rows. */
    async function runAndCompare(): Promise<RunRecord> {
      const run = await runPipeline(ctx, { manifest: pipeline.manifest });
      const failed = run.steps.filter((s) => s.status !== 'succeeded').map((s) => `${s.id}: ${s.status} ${s.error ?? ''}`);
      assert.deepEqual(failed, [], 'every step succeeded');
      const silver = await wh.query<Record<string, string | number | null>>(
        `SELECT toString(order_id) AS id, toString(customer_id) AS c, toFloat64(amount) AS a, note FROM ${t('silver', 'orders')} FINAL ORDER BY order_id`,
      );
      const source = await admin.query<Record<string, string | number | null>>('SELECT order_id::text AS id, customer_id::text AS c, amount::float8 AS a, note FROM orders ORDER BY order_id');
      assert.deepEqual(silver, source.rows, 'silver.orders = the source rows');
      for (const table of ['orders', 'customers'] as const) {
        const n = (await admin.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`)).rows[0].n;
        assert.equal((await wh.query<{ n: string }>(`SELECT count() AS n FROM ${t('silver', table)}`))[0].n, n, `silver ${table} keeps no superseded or deleted row`);
      }
      return run;
    }

    const flushStats = () => admin.query('SELECT pg_stat_force_next_flush()');

    it('reads from the high-water mark inclusive, quoted safely, and checks the configured key columns', async () => {
      const config: PostgresSourceConfig = { kind: 'postgres', name: 'crm', host: pg.host, port: pg.port, database: pg.database, user: pg.user };
      const source = (over: Partial<PostgresSourceConfig>) => new PostgresSource({ ...config, ...over }, { root: ctx.paths.root, secrets: ctx.secrets });
      const orders = { name: 'orders', location: '' };
      const ids = async (s: PostgresSource, cursorFrom: string) => (await collect((await s.read(orders, { warehouseCanReach: true, cursorFrom })) as StreamRead)).map((r) => r[0]);
      const byId = source({ cursors: { orders: 'order_id' } });
      assert.deepEqual(await ids(byId, '4'), ['4', '5']);
      assert.deepEqual(await ids(byId, cursorVersion('4', 2)), ['4', '5'], 'a version with more than the mark reads from its mark');
      // Notes 'first', 'four', 'five', NULL and a tab: only order 3's sorts after this mark.
      assert.deepEqual(await ids(source({ cursors: { orders: 'note' } }), "four' OR '1'='1"), ['3'], 'the mark is a literal');
      await assert.rejects(source({ keys: { orders: ['order_id', 'nope'] } }).read(orders, { warehouseCanReach: false }), /key column\(s\) nope of keys\.orders are not columns of orders/);
    });

    it('loads every table in full first and records the declared constraints in bronze names', async () => {
      assert.deepEqual(await acquireAndCompare(), { customers: 'loaded', orders: 'loaded', events: 'loaded', items: 'loaded' });
      const declared = await readDeclaredConstraints(wh);
      assert.deepEqual(
        declared.map((d) => [d.bronzeTable, d.kind, d.columns.join(','), d.refBronzeTable, d.refColumns.join(',')]),
        [
          ['crm__customers', 'primary', 'customer_id', '', ''],
          ['crm__customers', 'unique', 'code', '', ''],
          ['crm__orders', 'foreign', 'customer_id', 'crm__customers', 'customer_id'],
          ['crm__orders', 'primary', 'order_id', '', ''],
        ],
      );
      assert.equal(warnings.length, 1, warnings.join('\n'));
      assert.match(warnings[0], /crm\.events has a cursor but no primary key or configured key: bronze keeps every version .*kimball source edit crm --key events=/);
      await runAndCompare();
    });

    it('an update supersedes the row it changes: one version per key in bronze, tombstones for silver; constraints follow the table', async () => {
      await admin.query(`UPDATE orders SET amount = 99.99, note = 'changed', updated_at = '2024-02-02 08:00' WHERE order_id = 2;
        UPDATE customers SET name = 'Ann B.', updated_at = '2024-01-02 10:00' WHERE customer_id = 1;
        UPDATE items SET qty = 6, ts = '2024-04-02 08:00' WHERE sku = 'A-1';
      ALTER TABLE customers DROP CONSTRAINT customers_code_key`);
      await flushStats();
      const loaded = await acquireAndCompare();
      assert.equal(loaded.orders, 'loaded');
      assert.equal(loaded.events, 'skipped');
      const tomb = await wh.query<{ table: string; n: string }>(`SELECT table, count() AS n FROM ${t('meta', 'tombstones')} GROUP BY table ORDER BY table`);
      assert.deepEqual(tomb.map((t) => [t.table, Number(t.n)]), [['crm__customers', 1], ['crm__items', 1], ['crm__orders', 1]], 'a configured key works as a primary key');
      const declared = await readDeclaredConstraints(wh);
    assert.deepEqual(
      declared.filter((d) => d.bronzeTable === 'crm__customers').map((d) => d.kind),
      ['primary'],
      'a load replaces the recorded constraints of its table',
    );
    assert.equal(declared.length, 3);
    assert.equal(warnings.length, 1, 'no warning but the one of the first load');
    // Every surviving row keeps its own lineage: the first load's rows and the update's row.
      const loads = await wh.query<{ n: string }>(`SELECT uniqExact(_kimball_load_id) AS n FROM ${t('bronze', 'crm__orders')}`);
      assert.equal(loads[0].n, '2');
      await runAndCompare();
    });

    it('a row committed later with the saved high-water mark is read, and rows read again do not double', async () => {
      await admin.query(`INSERT INTO orders VALUES (6, 3, 3.30, 'same mark', '2024-02-02 08:00');
        INSERT INTO events VALUES (3, 'c', '2024-03-01 09:00')`);
      await flushStats();
      const loaded = await acquireAndCompare();
      assert.equal(loaded.orders, 'loaded');
      assert.equal(loaded.events, 'loaded', 'the count at the mark is part of the version');
      await runAndCompare();
      assert.deepEqual(await acquireAndCompare(), { customers: 'skipped', orders: 'skipped', events: 'skipped', items: 'skipped' }, 'nothing changed: nothing loads');
    });

    it('a delete scan removes rows deleted at the source from bronze, silver and the gold fact', async () => {
      await admin.query('DELETE FROM orders WHERE order_id = 3');
      await flushStats();
      assert.equal((await acquireAndCompare()).orders, 'loaded');
      const tomb = await wh.query<{ n: string }>(`SELECT count() AS n FROM ${t('meta', 'tombstones')} WHERE table = 'crm__orders'`);
      assert.equal(tomb[0].n, '2');
      const run = await runAndCompare();
      assert.equal(run.steps.find((s) => s.id === 'check.gold.fact_orders.reconcile')?.status, 'succeeded');
      const fact = await wh.query<{ id: string }>(`SELECT toString(order_id) AS id FROM ${t('gold', 'fact_orders')} ORDER BY order_id`);
      assert.deepEqual(fact.map((r) => r.id), ['1', '2', '4', '5', '6']);
    });

    it('discovery finds the primary keys, and an incremental run equals a full rebuild', async () => {
      const catalog = await discover(ctx);
      for (const [t, key] of [['crm__orders', 'order_id'], ['crm__customers', 'customer_id']]) {
        const primary = catalog.tables.find((x) => x.name === t)?.keys.find((k) => k.kind === 'primary');
        assert.deepEqual(primary?.columns, [key], t);
      }
      const incremental = await snapshot();
      const full = await runPipeline(ctx, { manifest: pipeline.manifest, full: true });
      assert.equal(full.status, 'succeeded', full.steps.map((s) => `${s.id}: ${s.error ?? s.status}`).join('\n'));
      assert.deepEqual(await snapshot(), incremental);
    });

    /** Every silver and gold table as sorted TSV, lineage included, as a plain query reads it (no FINAL). */
    async function snapshot(): Promise<Record<string, string>> {
      const out: Record<string, string> = {};
      for (const [layer, table] of [['silver', 'customers'], ['silver', 'orders'], ['gold', 'dim_customer'], ['gold', 'fact_orders']] as const) {
        out[`${layer}.${table}`] = await wh.queryText(`SELECT * FROM ${t(layer, table)} ORDER BY ALL`, 'TSV');
      }
      return out;
    }
  });
}
