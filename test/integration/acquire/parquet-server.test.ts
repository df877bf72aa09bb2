/**
 * Parquet on a ClickHouse server warehouse: the server cannot see local files,
 * so the loader sends the bytes (in parts of whole row groups) and the server
 * parses them. The same file loaded on the embedded warehouse (file()) and on
 * the server must give the same bronze rows, value for value.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { acquire } from '../../../src/core/acquire';
import { loadObject } from '../../../src/core/acquire/load';
import { BRONZE_COLUMNS_TABLE } from '../../../src/core/acquire/meta';
import { initProjectFiles, loadProject } from '../../../src/core/project/project';
import { ServerWarehouse } from '../../../src/core/warehouse/server';
import { DEFAULT_DATABASES, type Warehouse } from '../../../src/core/warehouse/warehouse';
import { ensureDatabases } from '../../../src/core/warehouse/catalog-queries';
import { qualified } from '../../../src/core/warehouse/sql';
import { silentLogger, type CoreContext } from '../../../src/core/context';
import { EnvSecretStore } from '../../../src/core/sources/source';
import { writeSource } from '../../../src/core/sources';
import { S3Source } from '../../../src/core/sources/s3';
import { FilesSource } from '../../../src/core/sources/files';
import { parquetParts, parquetTuning, readParquetLayout } from '../../../src/core/formats/parquet';
import { removeDir, tempDir } from '../../helpers/warehouse';
import { startClickHouseServer, type ClickHouseServer } from '../../services/clickhouse-server';
import { startS3, S3RVER_CLIENT_OPTIONS, type S3Service } from '../../services/s3';
import { testWorkspace, type TestWorkspace } from './workspace';

const BRONZE = 'bronze_pq_test';
const META = 'kimball_pq_test';
const BUCKET = 'kimball-pq';

/** Many ClickHouse types, NULLs, awkward text, several row groups. */
const FIXTURE_SELECT = `
  SELECT number AS id,
         toInt32(number) - 1000 AS i32,
         if(number % 7 = 3, NULL, number * 1.25) AS amount,
         if(number % 5 = 0, NULL, concat('name ', toString(number), if(number % 11 = 0, '\\ttab\\nline "q" ü 😀', ''))) AS name,
         toString(number % 13) AS code,
         toDate('2024-01-01') + number % 400 AS day,
         toDateTime64('2024-03-01 10:00:00.123', 3, 'UTC') + number AS ts,
         toDecimal64(number / 3, 4) AS price,
         [number, number * 2] AS pair,
         map('k', toString(number)) AS attrs,
         tuple(number, 'x') AS tup,
         number % 2 = 0 AS flag,
         toFloat32(number / 7) AS ratio,
         toFixedString(leftPad(toString(number % 1000), 3, '0'), 3) AS fixed,
         if(number % 9 = 0, NULL, toUUID('00000000-0000-0000-0000-000000000001')) AS uid
    FROM numbers({n:UInt64})`;

describe('Parquet into a ClickHouse server', () => {
  const root = tempDir('acquire-pq-server-');
  let server: ClickHouseServer | undefined;
  let s3: S3Service;
  let w: TestWorkspace;
  let wh: Warehouse;
  let ctx: CoreContext;
  const partBytes = parquetTuning.partBytes;

  before(async () => {
    const url = process.env.KIMBALL_TEST_CLICKHOUSE_URL ?? (server = await startClickHouseServer(join(root, 'clickhouse'))).url;
    [w, s3] = await Promise.all([testWorkspace(), startS3([BUCKET])]);
    wh = new ServerWarehouse({
      url,
      username: process.env.KIMBALL_TEST_CLICKHOUSE_USER,
      password: process.env.KIMBALL_TEST_CLICKHOUSE_PASSWORD,
      databases: { ...DEFAULT_DATABASES, bronze: BRONZE, meta: META },
    });
    await ensureDatabases(wh);
    const { paths } = initProjectFiles(root);
    ctx = { paths, project: loadProject(root), warehouse: wh, secrets: new EnvSecretStore({ KIMBALL_LAKE_SECRET_ACCESS_KEY: s3.secretAccessKey }), log: silentLogger };
    // Small parts, so a small file crosses part boundaries.
    parquetTuning.partBytes = 16 * 1024;
  });
  after(async () => {
    parquetTuning.partBytes = partBytes;
    await wh.command(`DROP DATABASE IF EXISTS ${BRONZE}`).catch(() => undefined);
    await wh.command(`DROP DATABASE IF EXISTS ${META}`).catch(() => undefined);
    await wh.close();
    await Promise.all([server?.stop(), s3?.stop(), w?.dispose()]);
    removeDir(root);
  });

  /** Writes a Parquet fixture with the embedded engine. */
  async function fixture(rel: string, rows: number, settings: Record<string, string | number> = {}): Promise<string> {
    const file = w.write(rel, '');
    await w.wh.command(`INSERT INTO FUNCTION file({p:String}, 'Parquet') ${FIXTURE_SELECT}`, {
      params: { p: file, n: rows },
      settings: { engine_file_truncate_on_insert: 1, output_format_parquet_row_group_size: 700, ...settings },
    });
    return file;
  }

  async function bronzeRows(target: Warehouse, database: string, table: string): Promise<Record<string, unknown>[]> {
    return target.query(`SELECT * EXCEPT (_kimball_source, _kimball_load_id, _kimball_loaded_at) FROM ${qualified(database, table)} ORDER BY _kimball_row`);
  }

  async function bronzeTables(): Promise<string[]> {
    const r = await wh.query<{ name: string }>('SELECT name FROM system.tables WHERE database = {db:String} ORDER BY name', { params: { db: BRONZE } });
    return r.map((x) => x.name);
  }

  async function partCount(file: string): Promise<number> {
    const fh = await open(file, 'r');
    try {
      const layout = await readParquetLayout(file, statSync(file).size, async (start, length) => {
        const buf = Buffer.alloc(length);
        await fh.read(buf, 0, length, start);
        return buf;
      });
      return parquetParts(layout).length;
    } finally {
      await fh.close();
    }
  }

  it('loads the same rows, text and NULL counts as the embedded warehouse, across several parts and writers', async () => {
    await fixture('pq/facts.parquet', 3000);
    // The Arrow writer lays out pages differently (dictionary pages, page indexes); no compression at all.
    await fixture('pq/arrow.parquet', 1500, { output_format_parquet_use_custom_encoder: 0, output_format_parquet_compression_method: 'none' });
    assert.ok((await partCount(join(w.data, 'pq/facts.parquet'))) > 2, 'the fixture spans several parts');
    w.addFiles('pq', 'pq');
    writeSource(ctx.paths, { kind: 'files', name: 'pq', path: join(w.data, 'pq') });

    const embedded = await acquire(w.ctx, { sources: ['pq'] });
    const served = await acquire(ctx, { sources: ['pq'] });
    for (const r of [...embedded, ...served]) assert.equal(r.status, 'loaded', r.error);
    const counts = (rs: typeof served): unknown[] => rs.map((r) => [r.object, r.rows, r.nulls, r.rejects]);
    assert.deepEqual(counts(served), counts(embedded));
    assert.deepEqual(counts(served), [
      ['arrow', 1500, 214 + 300 + 167, 0],
      ['facts', 3000, 429 + 600 + 334, 0],
    ]);
    for (const table of ['pq__facts', 'pq__arrow']) {
      const [a, b] = await Promise.all([bronzeRows(w.wh, 'bronze', table), bronzeRows(wh, BRONZE, table)]);
      assert.equal(b.length, a.length);
      assert.deepEqual(b, a, `${table}: server rows differ from embedded rows`);
      // Row numbers are positions in the file on both sides (ids were written in order).
      assert.ok(b.every((r, i) => r.id === String(i) && r._kimball_row === String(i + 1)), `${table}: rows out of file order`);
    }
    const sample = (await bronzeRows(wh, BRONZE, 'pq__facts'))[11];
    assert.deepEqual(
      [sample.id, sample.amount, sample.name, sample.day, sample.ts, sample.price, sample.pair, sample.tup, sample.flag, sample.uid, sample._kimball_row],
      ['11', '13.75', 'name 11\ttab\nline "q" ü 😀', '2024-01-12', '2024-03-01 10:00:11.123', '3.6666', '[11,22]', "(11,'x')", '0', '00000000-0000-0000-0000-000000000001', '12'],
    );
    // No staging leftovers; the column of NULL counts is gone from bronze.
    assert.deepEqual(await bronzeTables(), ['_kimball_rejects', 'pq__arrow', 'pq__facts']);
    const cols = await wh.query<{ name: string }>("SELECT name FROM system.columns WHERE database = {db:String} AND name LIKE '\\_kimball%' GROUP BY name ORDER BY name", { params: { db: BRONZE } });
    assert.deepEqual(cols.map((c) => c.name), ['_kimball_load_id', '_kimball_loaded_at', '_kimball_object', '_kimball_row', '_kimball_source']);
    const again = await acquire(ctx, { sources: ['pq'] });
    assert.deepEqual(again.map((r) => r.status), ['skipped', 'skipped']);
  });

  it('reads the layout of another writer (dictionary pages, offset and column indexes, bloom filters)', async () => {
    const { parquetWriteFile } = await import('hyparquet-writer');
    const n = 2000;
    const ids = Array.from({ length: n }, (_, i) => i);
    parquetWriteFile({
      filename: w.write('hy/people.parquet', ''),
      rowGroupSize: 300,
      columnData: [
        { name: 'id', data: ids.map((i) => BigInt(i)), type: 'INT64', nullable: false },
        { name: 'city', data: ids.map((i) => (i % 10 === 4 ? null : ['Oslo', 'Lima', 'Pune'][i % 3])), type: 'STRING', columnIndex: true, bloomFilter: true },
        { name: 'age', data: ids.map((i) => (i % 6 === 0 ? null : 20 + (i % 50))), type: 'INT32' },
        { name: 'seen', data: ids.map((i) => new Date(Date.UTC(2024, 0, 1) + i * 60_000)), type: 'TIMESTAMP' },
        { name: 'score', data: ids.map((i) => i / 8), type: 'DOUBLE' },
        { name: 'ok', data: ids.map((i) => i % 3 === 0), type: 'BOOLEAN' },
      ],
    });
    assert.ok((await partCount(join(w.data, 'hy/people.parquet'))) > 1);
    w.addFiles('hy', 'hy');
    writeSource(ctx.paths, { kind: 'files', name: 'hy', path: join(w.data, 'hy') });
    const [a] = await acquire(w.ctx, { sources: ['hy'] });
    const [b] = await acquire(ctx, { sources: ['hy'] });
    assert.equal(a.status, 'loaded', a.error);
    assert.equal(b.status, 'loaded', b.error);
    assert.deepEqual([b.rows, b.nulls], [a.rows, a.nulls]);
    assert.deepEqual([b.rows, b.nulls], [n, 200 + 334]);
    const rows = await bronzeRows(wh, BRONZE, 'hy__people');
    assert.deepEqual(rows, await bronzeRows(w.wh, 'bronze', 'hy__people'));
    assert.deepEqual(rows[4], { id: '4', city: '', age: '24', seen: '2024-01-01 00:04:00.000', score: '0.5', ok: 'false', _kimball_object: 'people', _kimball_row: '5' });
  });

  it('fails corrupt Parquet clearly on a server and keeps the previous data', async () => {
    const file = await fixture('bad/facts.parquet', 2000);
    w.write('bad/garbage.parquet', 'PAR1 garbage');
    writeSource(ctx.paths, { kind: 'files', name: 'bad', path: join(w.data, 'bad'), glob: 'facts.parquet' });
    const [first] = await acquire(ctx, { sources: ['bad'] });
    assert.equal(first.status, 'loaded', first.error);
    const before = await bronzeRows(wh, BRONZE, 'bad__facts');
    const tables = await bronzeTables();

    // Same size, row group bytes overwritten in the middle of the file: the footer still reads, the data does not.
    const bytes = readFileSync(file);
    bytes.fill(0x5a, Math.floor(bytes.length / 2), Math.floor(bytes.length / 2) + 2000);
    writeFileSync(file, bytes);
    const [broken] = await acquire(ctx, { sources: ['bad'], force: true });
    assert.equal(broken.status, 'failed');
    assert.match(broken.error ?? '', /^facts: .*facts\.parquet cannot be read \(/);
    assert.deepEqual(await bronzeRows(wh, BRONZE, 'bad__facts'), before, 'previous rows intact');
    assert.deepEqual(await bronzeTables(), tables, 'no staging table left');

    writeSource(ctx.paths, { kind: 'files', name: 'bad', path: join(w.data, 'bad'), glob: 'garbage.parquet' });
    const [garbage] = await acquire(ctx, { sources: ['bad'] });
    assert.equal(garbage.status, 'failed');
    assert.match(garbage.error ?? '', /^garbage: garbage\.parquet is not a readable Parquet file \(no PAR1 marker at its start and end\)\.$/);
    assert.deepEqual(await bronzeTables(), tables);
  });

  it('loads a Parquet file without rows as an empty table with its columns', async () => {
    const file = w.write('empty/none.parquet', '');
    await w.wh.command(`INSERT INTO FUNCTION file({p:String}, 'Parquet') ${FIXTURE_SELECT} WHERE number > 10`, { params: { p: file, n: 5 } });
    writeSource(ctx.paths, { kind: 'files', name: 'empty', path: join(w.data, 'empty') });
    const [r] = await acquire(ctx, { sources: ['empty'] });
    assert.equal(r.status, 'loaded', r.error);
    assert.deepEqual([r.rows, r.nulls], [0, 0]);
    const cols = await wh.query<{ name: string }>('SELECT name FROM system.columns WHERE database = {db:String} AND table = {t:String} ORDER BY position', {
      params: { db: BRONZE, t: 'empty__none' },
    });
    assert.deepEqual(cols.slice(0, 3).map((c) => c.name), ['id', 'i32', 'amount']);
  });

  it('keeps hostile column names apart and recorded, as the embedded load does', async () => {
    const file = w.write('odd/names.parquet', '');
    await w.wh.command(
      "INSERT INTO FUNCTION file({p:String}, 'Parquet') SELECT 1 AS `Order ID`, 'a' AS `we``ird \"q\" ü`, 'b' AS `order_id`, tuple(1, 'z') AS `t) String, x (`",
      { params: { p: file }, settings: { engine_file_truncate_on_insert: 1 } },
    );
    w.addFiles('odd', 'odd');
    writeSource(ctx.paths, { kind: 'files', name: 'odd', path: join(w.data, 'odd') });
    const [a] = await acquire(w.ctx, { sources: ['odd'] });
    const [b] = await acquire(ctx, { sources: ['odd'] });
    assert.equal(a.status, 'loaded', a.error);
    assert.equal(b.status, 'loaded', b.error);
    const rows = await bronzeRows(wh, BRONZE, 'odd__names');
    assert.deepEqual(rows, await bronzeRows(w.wh, 'bronze', 'odd__names'));
    assert.deepEqual(rows[0], { order_id: '1', we_ird_q_u: 'a', order_id_2: 'b', t_string_x: "(1,'z')", _kimball_object: 'names', _kimball_row: '1' });
    const originals = await wh.query(`SELECT column, original FROM ${qualified(META, BRONZE_COLUMNS_TABLE)} FINAL WHERE table = 'odd__names' ORDER BY position`);
    assert.deepEqual(originals, [
      { column: 'order_id', original: 'Order ID' },
      { column: 'we_ird_q_u', original: 'we`ird "q" ü' },
      { column: 'order_id_2', original: 'order_id' },
      { column: 't_string_x', original: 't) String, x (' },
    ]);
  });

  it('follows schema drift on a server: new columns added, missing ones loaded empty', async () => {
    const file = w.write('drift/items.parquet', '');
    const write = (select: string): Promise<unknown> =>
      w.wh.command(`INSERT INTO FUNCTION file({p:String}, 'Parquet') ${select}`, { params: { p: file }, settings: { engine_file_truncate_on_insert: 1 } });
    await write("SELECT 1 AS id, 'a' AS old_col");
    writeSource(ctx.paths, { kind: 'files', name: 'drift', path: join(w.data, 'drift') });
    assert.equal((await acquire(ctx, { sources: ['drift'] }))[0].status, 'loaded');
    await write("SELECT 2 AS id, 'n' AS new_col");
    const [r] = await acquire(ctx, { sources: ['drift'], force: true });
    assert.equal(r.status, 'loaded', r.error);
    assert.deepEqual([r.columnsAdded, r.columnsMissing], [['new_col'], ['old_col']]);
    assert.deepEqual(await wh.query(`SELECT id, old_col, new_col FROM ${qualified(BRONZE, 'drift__items')}`), [{ id: '2', old_col: '', new_col: 'n' }]);
  });

  it('a load cancelled during the upload keeps the previous data and leaves no staging table', async () => {
    await fixture('cancel/big.parquet', 5000);
    writeSource(ctx.paths, { kind: 'files', name: 'cancel', path: join(w.data, 'cancel') });
    const [first] = await acquire(ctx, { sources: ['cancel'] });
    assert.equal(first.status, 'loaded', first.error);
    const tables = await bronzeTables();
    await fixture('cancel/big.parquet', 40_000);
    const ac = new AbortController();
    let seen = 0;
    const source = new FilesSource({ kind: 'files', name: 'cancel', path: join(w.data, 'cancel') }, { root, secrets: ctx.secrets });
    const [object] = await source.listObjects();
    const r = await loadObject(ctx, source, object, {
      signal: ac.signal,
      onProgress: (p) => {
        // Cancel once a few parts have gone to the server.
        if ((seen = p.bytes) > 100_000) ac.abort();
      },
    });
    assert.ok(seen > 100_000);
    assert.equal(r.status, 'cancelled', r.error);
    assert.deepEqual(await bronzeTables(), tables, 'no staging table left');
    const n = await wh.query<{ n: string }>(`SELECT count() AS n FROM ${qualified(BRONZE, 'cancel__big')}`);
    assert.equal(n[0].n, '5000', 'previous version intact');
  });

  it('loads a Parquet object from S3 on a server (ranged GETs) with the rows of the embedded load', async () => {
    const file = await fixture('s3/levels.parquet', 2500);
    await s3.put(BUCKET, 'in/levels.parquet', readFileSync(file));
    w.addFiles('loc', 's3');
    const [local] = await acquire(w.ctx, { sources: ['loc'] });
    assert.equal(local.status, 'loaded', local.error);
    const source = new S3Source(
      { kind: 's3', name: 'lake', bucket: BUCKET, prefix: 'in/', endpoint: s3.endpoint, pathStyle: true, accessKeyId: s3.accessKeyId },
      { root, secrets: ctx.secrets },
      { client: S3RVER_CLIENT_OPTIONS },
    );
    const [object] = await source.listObjects();
    const r = await loadObject(ctx, source, object);
    assert.equal(r.status, 'loaded', r.error);
    assert.deepEqual([r.rows, r.nulls], [local.rows, local.nulls]);
    assert.deepEqual(await bronzeRows(wh, BRONZE, 'lake__levels'), await bronzeRows(w.wh, 'bronze', 'loc__levels'));
  });
});
