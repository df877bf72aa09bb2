/** Regressions from the unseen-data sweep (test/fixtures/sweep): file-level oddities of delimited files. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { Readable } from 'node:stream';
import { delimitedLayout, endsWithBlankLine, envelopeRecords, jsonRead, nativeCsvSettings, xlsxRead } from '../../../src/core/formats';
import { listSheets } from '../../../src/core/formats/xlsx';
import { FilesSource } from '../../../src/core/sources/files';
import { EnvSecretStore } from '../../../src/core/sources/source';
import { removeDir, tempDir } from '../../helpers/warehouse';
import { binaryShare } from '../../../src/core/formats/encoding';

/** Deterministic pseudo-random bytes, like an image or archive renamed to .csv. */
function noise(n: number): Buffer {
  let a = 12345;
  return Buffer.from(Array.from({ length: n }, () => ((a = (a * 1103515245 + 12345) >>> 0) >>> 16) & 0xff));
}

test('sweep: a binary file named .csv is refused with one line naming the file and the cause', () => {
  assert.throws(() => delimitedLayout(noise(3000), { fileName: '/data/photo.csv' }), /^Error: photo\.csv is not text: [\d.]+% of its first 3000 bytes are binary/);
});

test('sweep: text with tabs, CRLF, a form feed, UTF-16 or Latin-1 accents is not binary', () => {
  assert.equal(binaryShare(Buffer.from('a\tb\r\nc\td\f\r\n')), 0);
  assert.doesNotThrow(() => delimitedLayout(Buffer.from('\ufeffname,city\r\nAnn,Zürich\r\n', 'utf16le'), { fileName: 'u16.csv' }));
  assert.doesNotThrow(() => delimitedLayout(Buffer.from('name;city\nRené;Genève\n', 'latin1'), { fileName: 'l1.csv' }));
});

test('sweep: trailing blank lines (spreadsheet exports) are skipped by the native CSV reader too, only when the file has them', () => {
  const text = Buffer.from('a;b\r\n1;2\r\n\r\n');
  const layout = delimitedLayout(text, { fileName: 'x.csv' });
  assert.equal(nativeCsvSettings(layout, text.subarray(-16)).input_format_csv_skip_trailing_empty_lines, 1);
  // The setting costs a check after every row: a file ending with one newline goes without it.
  assert.equal(nativeCsvSettings(layout, Buffer.from('1;2\r\n')).input_format_csv_skip_trailing_empty_lines, undefined);
  assert.equal(nativeCsvSettings(layout).input_format_csv_skip_trailing_empty_lines, undefined);
  assert.deepEqual(['x\n\n', 'x\r\n\r\n', 'x\n\r\n', 'x\n', 'x', ''].map((t) => endsWithBlankLine(Buffer.from(t))), [true, true, true, false, false, false]);
});

async function collect(read: Awaited<ReturnType<typeof xlsxRead>>): Promise<string[][]> {
  const out: string[][] = [];
  if (read.kind !== 'stream') return out;
  for await (const r of read.records) if (r.ok) out.push(r.values);
  return out;
}

test('sweep: a report sheet with a title line (merged banner) above the table takes the table header', async () => {
  const dir = tempDir('kimball-sweep-xlsx-');
  try {
    const file = join(dir, 'report.xlsx');
    const wb = new ExcelJS.Workbook();
    const s = wb.addWorksheet('Report');
    s.addRow(['Sales Report 2024']);
    s.mergeCells('A1:C1');
    s.addRow([]);
    s.addRow(['Region', 'Revenue', 'Units']);
    s.addRow(['North', 10.5, 3]);
    s.addRow(['South', 7, 1]);
    const one = wb.addWorksheet('Names');
    for (const v of ['name', 'Ann', 'Bob']) one.addRow([v]);
    await wb.xlsx.writeFile(file);
    const sheets = await listSheets(file);
    const report = await xlsxRead(file, sheets[0]);
    assert.deepEqual(report.columns, ['Region', 'Revenue', 'Units']);
    assert.deepEqual(await collect(report), [['North', '10.5', '3'], ['South', '7', '1']]);
    const names = await xlsxRead(file, sheets[1]);
    assert.deepEqual(names.columns, ['name'], 'a one-column sheet keeps its first row as header');
    assert.deepEqual(await collect(names), [['Ann'], ['Bob']]);
  } finally {
    removeDir(dir);
  }
});

test('sweep: a sheet named like its workbook (customers.xlsx [Customers]) is the object customers', async () => {
  const dir = tempDir('kimball-sweep-sheets-');
  try {
    const wb = new ExcelJS.Workbook();
    wb.addWorksheet('Customers').addRow(['id', 'name']);
    wb.addWorksheet('Notes').addRow(['a', 'b']);
    await wb.xlsx.writeFile(join(dir, 'customers.xlsx'));
    const src = new FilesSource({ kind: 'files', name: 'x', path: dir }, { root: dir, secrets: new EnvSecretStore({}) });
    assert.deepEqual((await src.listObjects()).map((o) => o.name), ['customers', 'customers__notes']);
  } finally {
    removeDir(dir);
  }
});

test('sweep: a JSON file that is one object wrapping the records (an API dump) loads the records, numbers as written', async () => {
  const dump = JSON.stringify({ meta: { count: 2 }, response: { data: [{ id: 1, price: 1.10 }, { id: 2, price: 2 }] }, tags: ['x'] }).replace('1.1', '1.10').replace('"id":2', '"id":12345678901234567890');
  const read = await jsonRead(Readable.from([Buffer.from(dump)]));
  const rows: string[][] = [];
  if (read.kind === 'stream') for await (const r of read.records) if (r.ok) rows.push([...(r.columns ?? []), ...r.values]);
  assert.deepEqual(rows, [['id', 'price', '1', '1.10'], ['id', 'price', '12345678901234567890', '2']]);
  const pretty = await jsonRead(Readable.from([Buffer.from(JSON.stringify({ meta: { n: 2 }, items: [{ a: 1 }, { a: 2 }] }, null, 2))]));
  const values: string[] = [];
  if (pretty.kind === 'stream') for await (const r of pretty.records) if (r.ok) values.push(...r.values);
  assert.deepEqual(values, ['1', '2'], 'pretty-printed envelopes too');
  assert.equal(envelopeRecords('{"id": 1, "tags": ["a"]}'), undefined, 'an object without an array of objects is the one record');
});

test('sweep: a JSON object keyed by id (a Firebase export) loads one record per member, its key in a column', async () => {
  const text = JSON.stringify({ u1: { name: 'Ann', age: 3.5 }, u2: { name: 'Bob', city: 'Oslo' }, u3: {} }, null, 2).replace('3.5', '3.50');
  const read = await jsonRead(Readable.from([Buffer.from(text)]));
  const rows: string[][] = [];
  if (read.kind === 'stream') for await (const r of read.records) if (r.ok) rows.push((r.columns ?? []).map((c, i) => `${c}=${r.values[i]}`));
  // name is in 2 of 3 members only: the whole object stays one record.
  assert.deepEqual(rows, [['u1.name=Ann', 'u1.age=3.50', 'u2.name=Bob', 'u2.city=Oslo', 'u3={}']]);
  const keyed = envelopeRecords(JSON.stringify({ u1: { name: 'Ann', age: 3 }, u2: { name: 'Bob' } }));
  assert.deepEqual(keyed?.map((r) => r.text), ['{"key":"u1","name":"Ann","age":3}', '{"key":"u2","name":"Bob"}']);
  const own = envelopeRecords('{"a": {"key": 1, "v": 2}, "b": {"key": 3, "v": 4}}');
  assert.deepEqual(own?.map((r) => r.text), ['{"key_1":"a","key": 1, "v": 2}', '{"key_1":"b","key": 3, "v": 4}'], 'a record keeps its own "key"');
  assert.equal(envelopeRecords('{"db": {"host": "x"}, "cache": {"ttl": 5}}'), undefined, 'members sharing no field are one record (a configuration)');
  const sparse = envelopeRecords('{"a": {"n": 1}, "b": {"n": 2}, "c": {"n": 3}, "d": {"n": 4}, "e": {}}');
  assert.deepEqual(sparse?.map((r) => r.text), ['{"key":"a","n": 1}', '{"key":"b","n": 2}', '{"key":"c","n": 3}', '{"key":"d","n": 4}', '{"key":"e"}'], 'one empty member in five');
});
