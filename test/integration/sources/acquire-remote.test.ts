/**
 * End to end: acquire() loads a PostgreSQL database, an S3 bucket and a REST
 * API (real services) into embedded bronze, with exact text values.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { Client } from 'pg';
import { acquire } from '../../../src/core/acquire';
import { writeSource } from '../../../src/core/sources';
import { EnvSecretStore } from '../../../src/core/sources/source';
import type { CoreContext } from '../../../src/core/context';
import { testWorkspace, type TestWorkspace } from '../acquire/workspace';
import { postgresAvailable, startPostgres, type PostgresService } from '../../services/postgres';
import { startS3, type S3Service } from '../../services/s3';
import { startHttp, type HttpService } from '../../services/http';
import { skipUnless } from '../../services/common';

const BUCKET = 'kimball-e2e';

describe('acquire from PostgreSQL, S3 and REST into bronze', { skip: skipUnless(postgresAvailable(), 'PostgreSQL (initdb/pg_ctl)') }, () => {
  let w: TestWorkspace;
  let ctx: CoreContext;
  let pg: PostgresService;
  let s3: S3Service;
  let api: HttpService;

  before(async () => {
    [w, pg, s3] = await Promise.all([testWorkspace(), startPostgres(), startS3([BUCKET])]);
    api = await startHttp({
      '/people': (u) => {
        const page = Number(u.searchParams.get('page'));
        // Literal JSON: the number 1.50 must reach the source as written.
        const pages = ['{"items": [{"id": "007", "name": {"first": "Ann"}}, {"id": "008", "name": {"first": "Bo"}, "extra": 1.50}]}', '{"items": [{"id": "009", "name": null}]}'];
        return { body: pages[page - 1] ?? '{"items": []}' };
      },
    });
    ctx = {
      ...w.ctx,
      secrets: new EnvSecretStore({ KIMBALL_SHOP_PASSWORD: pg.password, KIMBALL_LAKE_SECRET_ACCESS_KEY: s3.secretAccessKey, KIMBALL_API_TOKEN: 't' }),
    };
    const c = new Client({ host: pg.host, port: pg.port, user: pg.user, password: pg.password, database: pg.database });
    await c.connect();
    await c.query(`
      CREATE TABLE customers (id integer, code text, note text);
      INSERT INTO customers VALUES (1, '0012', 'tab\there'), (2, NULL, 'two
lines'), (3, '0340', NULL);
      CREATE TABLE orders (id bigint, amount numeric(10,2), placed timestamp);
      INSERT INTO orders SELECT g, g * 1.5, timestamp '2024-01-01' + g * interval '1 day' FROM generate_series(1, 1000) g;
      CREATE TABLE "Odd ""Name"" ü" ("Col ""A""" text);
      INSERT INTO "Odd ""Name"" ü" VALUES ('x'), (NULL);
    `);
    await c.end();
    await s3.put(BUCKET, 'in/products.csv', 'sku,price\n0001,1.50\n0002,\n');
    await s3.put(BUCKET, 'in/stock.csv.gz', gzipSync('sku;qty\n0001;7\n'));
    // Parquet written by ClickHouse into the store (the loader asks the warehouse for its columns).
    await w.wh.command(`INSERT INTO FUNCTION s3({u:String}, 'S3RVER', 'S3RVER', 'Parquet', 'sku String, qty Nullable(Int32)') VALUES ('0001', 7), ('0002', NULL)`, {
      params: { u: `${s3.endpoint}/${BUCKET}/in/levels.parquet` },
    });
    writeSource(w.ctx.paths, { kind: 'postgres', name: 'shop', host: pg.host, port: pg.port, database: pg.database, user: pg.user });
    writeSource(w.ctx.paths, { kind: 's3', name: 'lake', bucket: BUCKET, prefix: 'in/', endpoint: s3.endpoint, pathStyle: true, accessKeyId: s3.accessKeyId });
    writeSource(w.ctx.paths, {
      kind: 'http',
      name: 'api',
      baseUrl: api.url,
      endpoints: [{ name: 'people', path: 'people', recordsPath: 'items', pagination: { kind: 'page', param: 'page' } }],
    });
  });

  after(async () => {
    await w?.dispose();
    await Promise.all([pg?.stop(), s3?.stop(), api?.stop()]);
  });

  it('loads PostgreSQL tables natively and streamed, with exact text and hostile names', async () => {
    const results = await acquire(ctx, { sources: ['shop'] });
    for (const r of results) assert.equal(r.status, 'loaded', `${r.object}: ${r.error ?? ''}`);
    assert.deepEqual(results.map((r) => [r.object, r.rows]).sort(), [['Odd "Name" ü', 2], ['customers', 3], ['orders', 1000]]);
    // NULLs become '' and are counted, on the native path (customers) and the streamed one (the hostile table).
    assert.deepEqual(results.map((r) => [r.object, r.nulls]).sort(), [['Odd "Name" ü', 1], ['customers', 2], ['orders', 0]]);
    assert.ok(!(await w.rows('shop__customers')).some((r) => '_kimball_nulls' in r), 'the staging-only NULL count column is gone');
    const customers = await w.rows('shop__customers', 'id');
    assert.deepEqual(customers.map((r) => [r.id, r.code, r.note]), [['1', '0012', 'tab\there'], ['2', '', 'two\nlines'], ['3', '0340', '']]);
    const orders = await w.rows('shop__orders', 'toUInt32(id)');
    assert.deepEqual([orders[1].id, orders[1].amount, orders[1].placed], ['2', '3.00', '2024-01-03 00:00:00']);
    const odd = await w.rows('shop__odd_name_u');
    assert.deepEqual(odd.map((r) => r.col_a), ['x', '']);
    // Unchanged tables (same insert/update/delete counters) are skipped on the next run.
    const again = await acquire(ctx, { sources: ['shop'], objects: ['customers'] });
    assert.equal(again[0].status, 'skipped');
  });

  it('loads S3 objects: CSV natively, gzip CSV with a sniffed delimiter, Parquet natively', async () => {
    const results = await acquire(ctx, { sources: ['lake'] });
    for (const r of results) assert.equal(r.status, 'loaded', `${r.object}: ${r.error ?? ''}`);
    assert.deepEqual((await w.rows('lake__products')).map((r) => [r.sku, r.price]), [['0001', '1.50'], ['0002', '']]);
    assert.deepEqual((await w.rows('lake__stock')).map((r) => [r.sku, r.qty]), [['0001', '7']]);
    assert.deepEqual((await w.rows('lake__levels')).map((r) => [r.sku, r.qty]), [['0001', '7'], ['0002', '']]);
    assert.equal(results.find((r) => r.object.includes('levels'))?.nulls, 1);
    const again = await acquire(ctx, { sources: ['lake'] });
    assert.deepEqual(again.map((r) => r.status), ['skipped', 'skipped', 'skipped'], 'same ETags');
  });

  it('loads a paginated REST endpoint, flattened, columns in order of first appearance', async () => {
    const [r] = await acquire(ctx, { sources: ['api'] });
    assert.equal(r.status, 'loaded', r.error);
    assert.equal(r.rows, 3);
    const rows = await w.rows('api__people');
    assert.deepEqual(rows.map((x) => [x.id, x.name_first, x.extra, x.name]), [['007', 'Ann', '', ''], ['008', 'Bo', '1.50', ''], ['009', '', '', '']]);
  });
});
