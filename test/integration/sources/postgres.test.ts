/** PostgresSource against a real throwaway PostgreSQL cluster, and its native read through real chDB. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PostgresSource } from '../../../src/core/sources/postgres';
import type { NativeRead, PostgresSourceConfig, SecretStore, StreamRead } from '../../../src/core/sources/source';
import type { Warehouse } from '../../../src/core/warehouse/warehouse';
import { quoteIdent } from '../../../src/core/warehouse/sql';
import { embeddedWarehouse } from '../../helpers/warehouse';
import { postgresAvailable, startPostgres, type PostgresService } from '../../services/postgres';
import { freePort, skipUnless } from '../../services/common';
import { MapSecrets, collect } from './helpers';

const HOSTILE_TABLE = 'we"ird tåble \'x';
const HOSTILE_COL = 'na"me with space ü';


async function collectTsv(read: StreamRead): Promise<string> {
  assert.ok(read.tsv);
  const parts: Buffer[] = [];
  for await (const b of read.tsv) parts.push(b);
  return Buffer.concat(parts).toString('utf8');
}

describe('PostgresSource', { skip: skipUnless(postgresAvailable(), 'PostgreSQL (initdb/pg_ctl)') }, () => {
  let pg: PostgresService;
  let config: PostgresSourceConfig;
  let secrets: SecretStore;
  let wh: Warehouse;
  let disposeWh: () => Promise<void>;

  const source = (over: Partial<PostgresSourceConfig> = {}, pw?: string): PostgresSource =>
    new PostgresSource({ ...config, ...over }, { root: process.cwd(), secrets: pw === undefined ? secrets : new MapSecrets({ [`shop/password`]: pw }) });

  before(async () => {
    pg = await startPostgres();
    config = { kind: 'postgres', name: 'shop', host: pg.host, port: pg.port, database: 'shop', user: 'reader' };
    secrets = new MapSecrets({ 'shop/password': 'r€ader pw' });
    await pg.sql(`CREATE DATABASE shop`);
    await pg.sql(`CREATE ROLE reader LOGIN PASSWORD 'r€ader pw'`);
    const shop = { ...pg, database: 'shop' };
    const { Client } = await import('pg');
    const c = new Client({ host: shop.host, port: shop.port, user: shop.user, password: shop.password, database: 'shop' });
    await c.connect();
    await c.query(`
      CREATE TABLE customers (id integer PRIMARY KEY, code text, name varchar(50), note text);
      INSERT INTO customers VALUES (1, '0012', 'Ann', 'tab\there'), (2, '0340', 'Bób', NULL), (3, NULL, 'Cy', 'line1
line2 \\ back');
      CREATE TABLE orders (id bigint, customer_id integer, amount numeric(10,2), placed timestamp, paid boolean);
      INSERT INTO orders SELECT g, 1 + g % 3, g * 1.50, timestamp '2024-01-01' + g * interval '1 hour', g % 2 = 0 FROM generate_series(1, 10) g;
      CREATE VIEW big_orders AS SELECT id, amount FROM orders WHERE amount > 5;
      CREATE TABLE "${HOSTILE_TABLE.replace(/"/g, '""')}" ("${HOSTILE_COL.replace(/"/g, '""')}" text, "x" integer);
      INSERT INTO "${HOSTILE_TABLE.replace(/"/g, '""')}" VALUES ('q"uote''s', 1), (NULL, NULL);
      CREATE SCHEMA hidden; CREATE TABLE hidden.secret (x int);
      CREATE SCHEMA restricted; GRANT USAGE ON SCHEMA restricted TO reader;
      CREATE TABLE restricted.open_t (x int); CREATE TABLE restricted.closed_t (x int);
      GRANT SELECT ON restricted.open_t TO reader;
      GRANT USAGE ON SCHEMA public TO reader;
      GRANT SELECT ON ALL TABLES IN SCHEMA public TO reader;
      ANALYZE;
    `);
    await c.end();
    ({ wh, dispose: disposeWh } = await embeddedWarehouse());
  });

  after(async () => {
    await disposeWh?.();
    await pg?.stop();
  });

  it('test() connects, reports the version and passes the privilege check', async () => {
    const r = await source().test();
    assert.equal(r.ok, true, r.message);
    assert.match(r.message, /PostgreSQL 1\d/);
  });

  it('test() names the cause: wrong password, missing database, unreachable host, missing privileges', async () => {
    const wrong = await source({}, 'nope').test();
    assert.equal(wrong.ok, false);
    assert.match(wrong.message, /password authentication failed for user reader.*KIMBALL_SHOP_PASSWORD/);

    const noDb = await source({ database: 'nosuchdb' }).test();
    assert.equal(noDb.ok, false);
    assert.match(noDb.message, /database nosuchdb does not exist/);

    const port = await freePort();
    const down = await source({ port }).test();
    assert.equal(down.ok, false);
    assert.match(down.message, new RegExp(`cannot reach 127\\.0\\.0\\.1:${port} \\(ECONNREFUSED\\)`));

    const priv = await source({ schemas: ['public', 'hidden'] }).test();
    assert.equal(priv.ok, false);
    assert.match(priv.message, /lacks USAGE on schema\(s\) hidden/);

    const table = await source({ schemas: ['restricted'] }).test();
    assert.equal(table.ok, false);
    assert.match(table.message, /user reader lacks SELECT on restricted\.closed_t;/);

    const missing = await source({ schemas: ['nope'] }).test();
    assert.match(missing.message, /schema\(s\) nope do not exist/);
  });

  it('listObjects() lists tables and views with estimated rows, versions and query objects', async () => {
    const objs = await source({ queries: { paid_orders: 'SELECT id FROM orders WHERE paid' }, cursors: { orders: 'id' } }).listObjects();
    const byName = new Map(objs.map((o) => [o.name, o]));
    assert.deepEqual([...byName.keys()].sort(), [HOSTILE_TABLE, 'big_orders', 'customers', 'orders', 'paid_orders'].sort());
    assert.equal(byName.get('customers')?.rows, 3);
    assert.equal(byName.get('customers')?.format, 'table');
    assert.equal(byName.get('big_orders')?.format, 'view');
    assert.equal(byName.get('big_orders')?.version, undefined);
    assert.equal(byName.get('orders')?.version, '10', 'cursor table version = max(cursor)');
    assert.equal(byName.get('paid_orders')?.format, 'query');
    assert.match(byName.get('customers')?.version ?? '', /^\d+:3\/0\/0$/, 'file node : inserts/updates/deletes');
  });

  it('a table version changes on insert and on TRUNCATE, and stays put otherwise', async () => {
    const { Client } = await import('pg');
    const admin = new Client({ host: pg.host, port: pg.port, user: pg.user, password: pg.password, database: 'shop' });
    await admin.connect();
    const version = async (): Promise<string | undefined> => (await source().listObjects()).find((o) => o.name === 'scratch')?.version;
    try {
      await admin.query('CREATE TABLE scratch (x int); GRANT SELECT ON scratch TO reader; INSERT INTO scratch VALUES (1)');
      await admin.query('SELECT pg_stat_force_next_flush()');
      const v1 = await version();
      assert.equal(await version(), v1);
      await admin.query('INSERT INTO scratch VALUES (2)');
      await admin.query('SELECT pg_stat_force_next_flush()');
      const v2 = await version();
      assert.notEqual(v2, v1);
      await admin.query('TRUNCATE scratch; INSERT INTO scratch VALUES (2)');
      assert.notEqual(await version(), v2, 'same counters would hide a TRUNCATE; the file node does not');

      // A partitioned table: rows and version come from its partitions; the partitions are not objects of their own.
      await admin.query(`CREATE TABLE parted (d date, v text) PARTITION BY RANGE (d);
        CREATE TABLE parted_2024 PARTITION OF parted FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
        CREATE TABLE parted_2025 PARTITION OF parted FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
        GRANT SELECT ON parted TO reader;
        INSERT INTO parted VALUES ('2024-05-01', 'a'), ('2025-05-01', 'b'), ('2025-06-01', 'c'); ANALYZE parted`);
      await admin.query('SELECT pg_stat_force_next_flush()');
      const parted = async () => (await source().listObjects()).find((o) => o.name === 'parted');
      const p1 = await parted();
      assert.equal(p1?.rows, 3);
      assert.ok(!(await source().listObjects()).some((o) => o.name.startsWith('parted_')));
      await admin.query("INSERT INTO parted VALUES ('2025-07-01', 'd')");
      await admin.query('SELECT pg_stat_force_next_flush()');
      assert.notEqual((await parted())?.version, p1?.version);
      const rows = [];
      for await (const r of ((await source().read({ name: 'parted', location: '' }, { warehouseCanReach: false })) as StreamRead).records) rows.push(r);
      assert.equal(rows.length, 4);
    } finally {
      await admin.query('DROP TABLE IF EXISTS scratch; DROP TABLE IF EXISTS parted');
      await admin.end();
    }
  });

  it('streams a table with NULLs, tabs, newlines and backslashes as exact text (records and raw TSV)', async () => {
    const read = await source().read({ name: 'customers', location: 'public.customers' }, { warehouseCanReach: false });
    assert.equal(read.kind, 'stream');
    const s = read as StreamRead;
    assert.deepEqual(s.columns, ['id', 'code', 'name', 'note']);
    assert.deepEqual(await collect(s), [
      ['1', '0012', 'Ann', 'tab\there'],
      ['2', '0340', 'Bób', ''],
      ['3', '', 'Cy', 'line1\nline2 \\ back'],
    ]);
    const tsv = await collectTsv(s);
    assert.equal(tsv.split('\n').length, 4);
    // The raw bytes load into ClickHouse String columns with the same values.
    const back = await wh.query<{ note: string; code: string }>(
      `SELECT code, note FROM format(TSV, 'id String, code String, name String, note String', {d:String})`,
      { params: { d: tsv } },
    );
    assert.deepEqual(back.map((r) => [r.code, r.note]), [['0012', 'tab\there'], ['0340', ''], ['', 'line1\nline2 \\ back']]);
  });

  it('keeps PostgreSQL text for types ClickHouse would re-render (numeric, timestamp, boolean)', async () => {
    const read = (await source().read({ name: 'orders', location: 'public.orders' }, { warehouseCanReach: true })) as StreamRead;
    assert.equal(read.kind, 'stream', 'numeric/timestamp/boolean columns take the streamed path');
    const rows = await collect(read);
    assert.equal(rows.length, 10);
    assert.deepEqual(rows[1], ['2', '3', '3.00', '2024-01-01 02:00:00', 't']);
  });

  it('reads natively through ClickHouse postgresql() with every column as String and NULL as empty', async () => {
    const read = await source().read({ name: 'customers', location: 'public.customers' }, { warehouseCanReach: true });
    assert.equal(read.kind, 'native');
    const n = read as NativeRead;
    assert.ok(!n.from.includes('r€ader pw'), 'the password travels as a parameter');
    const select = n.select ?? [];
    assert.equal(select.length, 4);
    const rows = await wh.query<Record<string, string>>(`SELECT ${select.map((e, i) => `${e} AS ${quoteIdent(n.columns[i])}`).join(', ')} FROM ${n.from} ORDER BY id`, {
      params: n.params,
    });
    assert.deepEqual(rows, [
      { id: '1', code: '0012', name: 'Ann', note: 'tab\there' },
      { id: '2', code: '0340', name: 'Bób', note: '' },
      { id: '3', code: '', name: 'Cy', note: 'line1\nline2 \\ back' },
    ]);
  });

  it('reads hostile table and column names (quotes, unicode, spaces) on the streamed path', async () => {
    const read = await source().read({ name: HOSTILE_TABLE, location: '' }, { warehouseCanReach: true });
    assert.equal(read.kind, 'stream', 'postgresql() cannot quote a double quote, so it streams');
    const s = read as StreamRead;
    assert.deepEqual(s.columns, [HOSTILE_COL, 'x']);
    assert.deepEqual(await collect(s), [['q"uote\'s', '1'], ['', '']]);
  });

  it('reads a view natively and a custom query object streamed', async () => {
    const view = (await source().read({ name: 'big_orders', location: '' }, { warehouseCanReach: false })) as StreamRead;
    assert.equal((await collect(view)).length, 7);
    const q = (await source({ queries: { paid_orders: 'SELECT id, customer_id FROM orders WHERE paid;\n' } }).read(
      { name: 'paid_orders', location: '' },
      { warehouseCanReach: true },
    )) as StreamRead;
    assert.deepEqual(q.columns, ['id', 'customer_id']);
    assert.equal((await collect(q)).length, 5);
  });

  it('incremental: only rows with cursor >= cursorFrom (a row committed later at the mark is not missed), the mark quoted safely', async () => {
    const src = source({ cursors: { orders: 'id' } });
    const read = (await src.read({ name: 'orders', location: '' }, { warehouseCanReach: true, cursorFrom: '7' })) as StreamRead;
    assert.deepEqual((await collect(read)).map((r) => r[0]), ['7', '8', '9', '10']);
    const hostile = (await source({ cursors: { customers: 'code' } }).read(
      { name: 'customers', location: '' },
      { warehouseCanReach: false, cursorFrom: "0012' OR '1'='1" },
    )) as StreamRead;
    assert.deepEqual((await collect(hostile)).map((r) => r[1]), ['0340']);
  });

  it('cancelling a streamed read stops the COPY and closes its connection', async () => {
    const { Client } = await import('pg');
    const c = new Client({ host: pg.host, port: pg.port, user: pg.user, password: pg.password, database: 'shop' });
    await c.connect();
    await c.query('CREATE TABLE big AS SELECT g AS id, md5(g::text) AS h FROM generate_series(1, 300000) g; GRANT SELECT ON big TO reader');
    try {
      const ac = new AbortController();
      const read = (await source().read({ name: 'big', location: '' }, { warehouseCanReach: false, signal: ac.signal })) as StreamRead;
      let n = 0;
      await assert.rejects(async () => {
        for await (const r of read.records) {
          assert.ok(r.ok);
          if (++n === 10) ac.abort();
        }
      }, /Cancelled/);
      assert.ok(n < 300000);
      let open = 1;
      for (let i = 0; i < 50 && open > 0; i++) {
        open = Number((await c.query("SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = 'kimball'")).rows[0].n);
        if (open > 0) await new Promise((r) => setTimeout(r, 100));
      }
      assert.equal(open, 0, 'no Kimball connection left open');
    } finally {
      await c.query('DROP TABLE big');
      await c.end();
    }
  });

  it('fails clearly for an unknown object or a cursor column that does not exist', async () => {
    await assert.rejects(source().read({ name: 'nope', location: '' }, { warehouseCanReach: false }), /object nope not found/);
    await assert.rejects(
      source({ cursors: { orders: 'nocol' } }).read({ name: 'orders', location: '' }, { warehouseCanReach: false, cursorFrom: '1' }),
      /cursor column nocol is not a column of orders/,
    );
  });
});

describe('PostgresSource over TLS', { skip: skipUnless(postgresAvailable(), 'PostgreSQL (initdb/pg_ctl)') }, () => {
  let pg: PostgresService;
  const source = (sslMode: PostgresSourceConfig['sslMode'], port = pg.port): PostgresSource =>
    new PostgresSource(
      { kind: 'postgres', name: 'tls', host: pg.host, port, database: 'postgres', user: 'postgres', sslMode },
      { root: '.', secrets: new MapSecrets({ 'tls/password': pg.password }) },
    );

  before(async () => {
    pg = await startPostgres({ ssl: true });
    await pg.sql('CREATE TABLE t (x text); INSERT INTO t VALUES (\'over tls\')');
  });
  after(async () => {
    await pg?.stop();
  });

  it('require and prefer connect with TLS (the server refuses plain TCP), verify-full rejects a self-signed certificate', async () => {
    for (const mode of ['require', 'prefer'] as const) {
      const r = await source(mode).test();
      assert.equal(r.ok, true, `${mode}: ${r.message}`);
    }
    const rows = [];
    for await (const r of ((await source('require').read({ name: 't', location: '' }, { warehouseCanReach: false })) as StreamRead).records) rows.push(r);
    assert.deepEqual(rows, [{ ok: true, values: ['over tls'] }]);
    const plain = await source('disable').test();
    assert.equal(plain.ok, false);
    assert.match(plain.message, /rejects user postgres .*no encryption/);
    const verify = await source('verify-full').test();
    assert.equal(verify.ok, false);
    assert.match(verify.message, /TLS certificate of 127\.0\.0\.1:\d+ is not trusted \(DEPTH_ZERO_SELF_SIGNED_CERT\)/);
  });

  it('require against a server without TLS says so; prefer falls back to plain', async () => {
    const plainServer = await startPostgres();
    try {
      const s = (mode: PostgresSourceConfig['sslMode']) =>
        new PostgresSource(
          { kind: 'postgres', name: 'tls', host: plainServer.host, port: plainServer.port, database: 'postgres', user: 'postgres', sslMode: mode },
          { root: '.', secrets: new MapSecrets({ 'tls/password': plainServer.password }) },
        );
      const req = await s('require').test();
      assert.equal(req.ok, false);
      assert.match(req.message, /does not accept TLS; set sslMode to prefer or disable/);
      const pref = await s('prefer').test();
      assert.equal(pref.ok, true, pref.message);
    } finally {
      await plainServer.stop();
    }
  });
});
