/**
 * The Parquet footer, in Node: read, rewritten into parts of whole row groups
 * and into a schema-only file. Every part must be a valid Parquet file on its
 * own (checked with an independent reader, hyparquet) whose rows, in order,
 * are the original file's rows.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parquetPartBytes, parquetParts, parquetSchemaFile, readParquetLayout, type ReadAt } from '../../../src/core/formats/parquet';
import { decodeStruct, encodeStruct } from '../../../src/core/formats/thrift';

// Both libraries are ES modules: imported dynamically from this CommonJS test.
const hyparquet = import('hyparquet');

async function sample(rows: number): Promise<Buffer> {
  const { parquetWriteBuffer } = await import('hyparquet-writer');
  const ids = Array.from({ length: rows }, (_, i) => i);
  const ab = parquetWriteBuffer({
    rowGroupSize: 250,
    columnData: [
      { name: 'id', data: ids.map((i) => BigInt(i)), type: 'INT64', nullable: false },
      { name: 'name', data: ids.map((i) => (i % 4 === 0 ? null : `n${i % 17}`)), type: 'STRING', columnIndex: true, bloomFilter: true },
      { name: 'x', data: ids.map((i) => i / 2), type: 'DOUBLE' },
    ],
  });
  return Buffer.from(ab);
}

const readAt =
  (buf: Buffer): ReadAt =>
  async (start, length) =>
    buf.subarray(start, start + length);

async function bytesOf(it: AsyncIterable<Buffer>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const b of it) parts.push(b);
  return Buffer.concat(parts);
}

async function rowsOf(file: Buffer): Promise<Record<string, unknown>[]> {
  const ab = file.buffer.slice(file.byteOffset, file.byteOffset + file.byteLength);
  return (await hyparquet).parquetReadObjects({ file: ab as ArrayBuffer });
}

describe('Parquet footer', () => {
  it('decodes and re-encodes the footer byte for byte', async () => {
    const file = await sample(1000);
    const len = file.readUInt32LE(file.length - 8);
    const footer = file.subarray(file.length - 8 - len, file.length - 8);
    assert.ok(encodeStruct(decodeStruct(footer).struct).equals(footer));
  });

  it('splits into parts of whole row groups that read back as the original rows, in order', async () => {
    const file = await sample(1000);
    const layout = await readParquetLayout('s.parquet', file.length, readAt(file));
    assert.equal(layout.rows, 1000);
    assert.equal(layout.rowGroups.length, 4);
    const range = async function* (start: number, end: number): AsyncGenerator<Buffer> {
      yield file.subarray(start, end);
    };
    const whole = await rowsOf(file);
    for (const partBytes of [1, 3000, 1 << 30]) {
      const parts = parquetParts(layout, partBytes);
      if (partBytes === 1) assert.equal(parts.length, 4, 'one row group per part at least');
      if (partBytes === 1 << 30) assert.equal(parts.length, 1);
      const rows: Record<string, unknown>[] = [];
      for (const p of parts) {
        const bytes = await bytesOf(parquetPartBytes(p, range));
        const got = await rowsOf(bytes);
        assert.equal(got.length, p.rows);
        rows.push(...got);
      }
      assert.deepEqual(rows, whole, `parts of ${partBytes} bytes`);
    }
  });

  it('writes a schema-only file: same columns, no rows', async () => {
    const file = await sample(600);
    const schema = parquetSchemaFile(await readParquetLayout('s.parquet', file.length, readAt(file)));
    const ab = schema.buffer.slice(schema.byteOffset, schema.byteOffset + schema.byteLength) as ArrayBuffer;
    const meta = (await hyparquet).parquetMetadata(ab);
    assert.equal(Number(meta.num_rows), 0);
    assert.equal(meta.row_groups.length, 0);
    assert.deepEqual(meta.schema.map((s) => s.name), ['root', 'id', 'name', 'x']);
  });

  it('names the file and the cause when it is not readable Parquet', async () => {
    const good = await sample(10);
    const cases: [Buffer, RegExp][] = [
      [Buffer.from('PAR1'), /t\.parquet is not a readable Parquet file \(4 bytes is too short\)\.$/],
      [Buffer.from('id,name\n1,a\n2,b\n'), /no PAR1 marker at its start and end/],
      [Buffer.concat([good.subarray(0, good.length - 4), Buffer.from('PARE')]), /t\.parquet is an encrypted Parquet file/],
      [Buffer.concat([Buffer.from('PAR1'), Buffer.from([0xff, 0xff, 0xff, 0x00]), Buffer.from('PAR1')]), /footer length 16777215 does not fit a 12-byte file/],
      [Buffer.concat([Buffer.from('PAR1'), Buffer.from([0x19, 0x1c, 0x15]), Buffer.from([3, 0, 0, 0]), Buffer.from('PAR1')]), /corrupt footer: truncated metadata/],
    ];
    for (const [bytes, message] of cases) {
      await assert.rejects(readParquetLayout('t.parquet', bytes.length, readAt(bytes)), message);
    }
  });
});
