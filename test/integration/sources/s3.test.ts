/** S3Source against a real S3-compatible server (s3rver) and chDB's s3() reading from it. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { CompleteMultipartUploadCommand, CreateMultipartUploadCommand, UploadPartCommand } from '@aws-sdk/client-s3';
import { S3Source, keyFormat } from '../../../src/core/sources/s3';
import type { NativeRead, S3SourceConfig, StreamRead } from '../../../src/core/sources/source';
import type { Warehouse } from '../../../src/core/warehouse/warehouse';
import { embeddedWarehouse } from '../../helpers/warehouse';
import { startS3, S3RVER_CLIENT_OPTIONS, type S3Service } from '../../services/s3';
import { freePort } from '../../services/common';
import { MapSecrets, collect } from './helpers';

const BUCKET = 'kimball-data';
const CSV = 'id,code,name\n1,0012,"Ann, A."\n2,0340,\n3,,"multi\nline"\n';
const EXPECTED = [
  ['1', '0012', 'Ann, A.'],
  ['2', '0340', ''],
  ['3', '', 'multi\nline'],
];


describe('S3Source', () => {
  let s3: S3Service;
  let wh: Warehouse;
  let disposeWh: () => Promise<void>;
  const secrets = new MapSecrets({ 'lake/secretAccessKey': 'S3RVER' });

  const source = (over: Partial<S3SourceConfig> = {}, pageSize?: number): S3Source =>
    new S3Source(
      { kind: 's3', name: 'lake', bucket: BUCKET, endpoint: s3.endpoint, pathStyle: true, region: 'us-east-1', accessKeyId: 'S3RVER', ...over },
      { root: process.cwd(), secrets },
      { pageSize, client: S3RVER_CLIENT_OPTIONS },
    );

  /** Runs a native read the way the loader does: its select list over its table function, with its settings. */
  async function nativeRows(n: NativeRead): Promise<string[][]> {
    const select = n.select ?? n.columns.map((c) => `ifNull(toString(\`${c}\`), '')`);
    const rows = await wh.query<Record<string, string>>(`SELECT ${select.map((s, i) => `${s} AS v${i}`).join(', ')} FROM ${n.from}${n.where ? ` WHERE ${n.where}` : ''}`, {
      params: n.params,
      settings: n.settings,
    });
    return rows.map((r) => select.map((_, i) => r[`v${i}`]));
  }

  before(async () => {
    s3 = await startS3([BUCKET]);
    ({ wh, dispose: disposeWh } = await embeddedWarehouse());
    await s3.put(BUCKET, 'sales/plain.csv', CSV);
    await s3.put(BUCKET, 'sales/zipped.csv.gz', gzipSync(CSV));
    await s3.put(BUCKET, 'sales/semi.csv', 'a;b\nx;1\ny;2\n');
    await s3.put(BUCKET, 'sales/events.ndjson', '{"id":1,"user":{"name":"Ann"},"tags":["x"],"amount":1.50}\n{"id":2,"user":{"name":null}}\nnot json\n');
    await s3.put(BUCKET, 'sales/dir/my file ü.csv', 'k,v\nä,1\n');
    await s3.put(BUCKET, 'sales/readme.md', 'not data');
    await s3.put(BUCKET, 'other/ignored.csv', 'a\n1\n');
    for (let i = 0; i < 11; i++) await s3.put(BUCKET, `many/part-${String(i).padStart(2, '0')}.csv`, `n\n${i}\n`);
    // zstd written by ClickHouse itself into the store.
    await wh.command(`INSERT INTO FUNCTION s3({u:String}, 'S3RVER', 'S3RVER', 'CSVWithNames', 'id String, code String, name String', 'zstd') VALUES ('1','0012','Ann, A.'), ('2','0340',''), ('3','','multi\nline')`, {
      params: { u: `${s3.endpoint}/${BUCKET}/sales/packed.csv.zst` },
    });
  });

  after(async () => {
    await disposeWh?.();
    await s3?.stop();
  });

  it('maps extensions to format and compression', () => {
    assert.deepEqual(keyFormat('a/b.csv.gz'), { format: 'csv', compression: 'gzip', base: 'a/b' });
    assert.deepEqual(keyFormat('x.NDJSON.zst'), { format: 'ndjson', compression: 'zstd', base: 'x' });
    assert.equal(keyFormat('x.md').format, undefined);
  });

  it('test() reports a reachable bucket, and names a missing bucket, an unknown key id, a missing secret and an unreachable endpoint', async () => {
    const ok = await source({ prefix: 'sales/' }).test();
    assert.equal(ok.ok, true, ok.message);
    const nb = await source({ bucket: 'no-such-bucket' }).test();
    assert.equal(nb.ok, false);
    assert.match(nb.message, /bucket no-such-bucket at http:\/\/127\.0\.0\.1:\d+ does not exist/);
    const key = await source({ accessKeyId: 'WRONGKEY' }).test();
    assert.match(key.message, /access key id WRONGKEY is not known/);
    const noSecret = await new S3Source({ kind: 's3', name: 'other', bucket: BUCKET, endpoint: s3.endpoint, accessKeyId: 'S3RVER' }, { root: '.', secrets }).test();
    assert.match(noSecret.message, /no secret access key .*KIMBALL_OTHER_SECRET_ACCESS_KEY/);
    const port = await freePort();
    const down = await source({ endpoint: `http://127.0.0.1:${port}` }).test();
    assert.equal(down.ok, false);
    assert.match(down.message, /cannot reach http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\)/);
  });

  it('lists supported keys under the prefix with size and ETag, across ListObjectsV2 pages', async () => {
    const objs = await source({ prefix: 'sales/' }, 2).listObjects();
    assert.deepEqual(
      objs.map((o) => [o.name, o.location.slice(`s3://${BUCKET}/sales/`.length), o.format]),
      [
        ['dir_my_file_u', 'dir/my file ü.csv', 'csv'],
        ['events', 'events.ndjson', 'ndjson'],
        ['packed', 'packed.csv.zst', 'csv'],
        ['plain', 'plain.csv', 'csv'],
        ['semi', 'semi.csv', 'csv'],
        ['zipped', 'zipped.csv.gz', 'csv'],
      ],
    );
    const plain = objs.find((o) => o.location === `s3://${BUCKET}/sales/plain.csv`);
    assert.equal(plain?.size, Buffer.byteLength(CSV));
    assert.match(plain?.version ?? '', /^[0-9a-f]{32}$/);
    const many = await source({ prefix: 'many/' }, 3).listObjects();
    assert.equal(many.length, 11, '11 keys over 4 pages of 3');
    const globbed = await source({ prefix: 'many/', glob: 'part-0*.csv' }, 3).listObjects();
    assert.equal(globbed.length, 10);
  });

  it('streams plain, gzip and zstd CSV to the same exact text', async () => {
    const src = source({ prefix: 'sales/' });
    const objs = await src.listObjects();
    for (const key of ['plain.csv', 'zipped.csv.gz', 'packed.csv.zst']) {
      const o = objs.find((x) => x.location.endsWith(key));
      assert.ok(o, key);
      const read = (await src.read(o, { warehouseCanReach: false })) as StreamRead;
      assert.equal(read.kind, 'stream');
      assert.deepEqual(read.columns, ['id', 'code', 'name'], key);
      assert.deepEqual(await collect(read), EXPECTED, key);
    }
  });

  it('reads CSV natively through ClickHouse s3(): plain, gzip, zstd, a sniffed delimiter and an awkward key', async () => {
    const src = source({ prefix: 'sales/' });
    const objs = await src.listObjects();
    for (const key of ['plain.csv', 'zipped.csv.gz', 'packed.csv.zst']) {
      const o = objs.find((x) => x.location.endsWith(key));
      assert.ok(o);
      const read = (await src.read(o, { warehouseCanReach: true })) as NativeRead;
      assert.equal(read.kind, 'native', key);
      assert.deepEqual(read.columns, ['id', 'code', 'name']);
      assert.ok(!read.from.includes('S3RVER'), 'credentials travel as parameters');
      assert.deepEqual(await nativeRows(read), EXPECTED, key);
    }
    const semi = (await src.read(objs.find((x) => x.location.endsWith('semi.csv'))!, { warehouseCanReach: true })) as NativeRead;
    assert.deepEqual(await nativeRows(semi), [['x', '1'], ['y', '2']]);
    const awkward = (await src.read(objs.find((x) => x.location.endsWith('my file ü.csv'))!, { warehouseCanReach: true })) as NativeRead;
    assert.deepEqual(await nativeRows(awkward), [['ä', '1']]);
  });

  it('streams NDJSON with flattening; a broken line is a reject', async () => {
    const src = source({ prefix: 'sales/' });
    const o = (await src.listObjects()).find((x) => x.format === 'ndjson')!;
    const read = (await src.read(o, { warehouseCanReach: true })) as StreamRead;
    const recs = [];
    for await (const r of read.records) recs.push(r);
    assert.equal(recs.length, 3);
    assert.deepEqual(recs[0], { ok: true, columns: ['id', 'user.name', 'tags', 'amount'], values: ['1', 'Ann', '["x"]', '1.50'], nulls: 0 });
    assert.equal(recs[2].ok, false);
  });

  it('reads an object uploaded in multipart parts, streamed and natively', async () => {
    const lines = ['n,text'];
    for (let i = 0, size = 0; size < 5.5 * 1024 * 1024; i++) {
      lines.push(`${i},row number ${i} ${'x'.repeat(40)}`);
      size += lines[lines.length - 1].length + 1;
    }
    const body = Buffer.from(lines.join('\n') + '\n');
    const rows = lines.length - 1;
    const key = 'big/multi.csv';
    const up = await s3.client.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: key }));
    const cut = 5 * 1024 * 1024;
    const parts = [];
    for (const [n, chunk] of [body.subarray(0, cut), body.subarray(cut)].entries()) {
      const p = await s3.client.send(new UploadPartCommand({ Bucket: BUCKET, Key: key, UploadId: up.UploadId, PartNumber: n + 1, Body: chunk }));
      parts.push({ ETag: p.ETag, PartNumber: n + 1 });
    }
    await s3.client.send(new CompleteMultipartUploadCommand({ Bucket: BUCKET, Key: key, UploadId: up.UploadId, MultipartUpload: { Parts: parts } }));
    const src = source({ prefix: 'big/' });
    const [o] = await src.listObjects();
    assert.equal(o.size, body.length);
    let n = 0;
    let last: string[] = [];
    for await (const r of ((await src.read(o, { warehouseCanReach: false })) as StreamRead).records) {
      assert.ok(r.ok);
      n++;
      last = r.values;
    }
    assert.equal(n, rows);
    assert.equal(last[0], String(rows - 1));
    const native = (await src.read(o, { warehouseCanReach: true })) as NativeRead;
    const count = await wh.query<{ n: string }>(`SELECT count() AS n FROM ${native.from}${native.where ? ` WHERE ${native.where}` : ''}`, {
      params: native.params,
      settings: native.settings,
    });
    assert.equal(Number(count[0].n), rows);
  });

  it('fails an object clearly: corrupt gzip, an unknown object', async () => {
    await s3.put(BUCKET, 'bad/broken.csv.gz', Buffer.from('this is not gzip at all'));
    const src = source({ prefix: 'bad/' });
    const [o] = await src.listObjects();
    // The format parser samples the head in read(), so a corrupt object fails before any load starts.
    await assert.rejects(src.read(o, { warehouseCanReach: false }).then((r) => collect(r as StreamRead)), /S3 source lake: s3:\/\/kimball-data\/bad\/broken\.csv\.gz cannot be read as gzip \(incorrect header check\)/);
    await assert.rejects(src.read({ name: 'nope', location: '' }, { warehouseCanReach: false }), /no object nope under s3:\/\/kimball-data\/bad\//);
  });
});
