import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { acquire } from '../../../src/core/acquire';
import { testWorkspace, type TestWorkspace } from './workspace';

async function workbook(file: string): Promise<void> {
  const wb = new ExcelJS.Workbook();
  const s = wb.addWorksheet('Sales 2024');
  s.addRow(['Region', 'Units', 'Price', 'Total', 'Day']);
  s.addRow(['North', 3, 2.5, { formula: 'B2*C2', result: 7.5 }, new Date(Date.UTC(2024, 0, 31))]);
  s.addRow(['', 4, 1, { formula: 'B3*C3', result: 4 }, new Date(Date.UTC(2024, 1, 1, 13, 30))]);
  s.addRow(['South', 1, 10, { formula: 'B4*C4', result: 10 }, null]);
  s.mergeCells('A2:A3');
  const n = wb.addWorksheet('Notes');
  n.addRow(['id', 'text']);
  n.addRow([1, 'leading zero kept: 0012']);
  n.getCell('A2').value = '0012';
  await wb.xlsx.writeFile(file);
}

describe('acquire: JSON, XML, Excel, Parquet and bad files', () => {
  let w: TestWorkspace;
  before(async () => {
    w = await testWorkspace();
  });
  after(async () => {
    await w.dispose();
  });

  it('flattens NDJSON keeping number text exact, with broken lines as rejects and new keys as columns', async () => {
    w.write(
      'json/events.ndjson',
      [
        '{"id": 1, "amount": 1.50, "big": 12345678901234567890, "user": {"name": "Ann", "geo": {"cc": "NO"}}, "tags": ["a", 1.0]}',
        '{"id": 2, "amount": null, "user": {"name": "Bob"}, "extra": true}',
        '{"id": 3, "amount": 2e3,',
        '',
        '{"id": 4, "user": {}}',
      ].join('\n') + '\n',
    );
    w.addFiles('js', 'json');
    const [r] = await acquire(w.ctx, { sources: ['js'] });
    assert.equal(r.status, 'loaded', r.error);
    assert.equal(r.rows, 3);
    assert.equal(r.rejects, 1);
    assert.equal(r.nulls, 1);
    const rows = await w.rows('js__events');
    assert.deepEqual(
      rows.map((x) => [x.id, x.amount, x.big, x.user_name, x.user_geo_cc, x.tags, x.extra, x.user]),
      [
        ['1', '1.50', '12345678901234567890', 'Ann', 'NO', '["a",1.0]', '', ''],
        ['2', '', '', 'Bob', '', '', 'true', ''],
        ['4', '', '', '', '', '', '', '{}'],
      ],
    );
    const rej = await w.wh.query<{ line: string }>("SELECT line FROM bronze._kimball_rejects WHERE source = 'js'");
    assert.deepEqual(rej.map((x) => x.line), ['3']);
  });

  it('reads a JSON array and a pretty-printed object', async () => {
    w.write('json2/list.json', '[\n  {"a": "x", "b": {"c": 1}},\n  {"a": "y\\n\\"q\\"", "b": {"c": -0.5}}\n]\n');
    w.write('json2/doc.json', '{\n  "name": "only",\n  "n": 7\n}\n');
    w.write('json2/dupes.ndjson', '{"a": 1, "a": 2, "b": "x"}\n{"b": "y", "a": 3}\n');
    w.addFiles('js2', 'json2');
    const rs = await acquire(w.ctx, { sources: ['js2'] });
    for (const r of rs) assert.equal(r.status, 'loaded', r.error);
    assert.deepEqual((await w.rows('js2__list')).map((x) => [x.a, x.b_c]), [['x', '1'], ['y\n"q"', '-0.5']]);
    assert.deepEqual((await w.rows('js2__doc')).map((x) => [x.name, x.n]), [['only', '7']]);
    // A repeated key keeps its last value, as JSON.parse does; key order may change between records.
    assert.deepEqual((await w.rows('js2__dupes')).map((x) => [x.a, x.b]), [['2', 'x'], ['3', 'y']]);
  });

  it('reads record-oriented XML: attributes, child text, nested paths', async () => {
    w.write(
      'xml/orders.xml',
      '<?xml version="1.0"?>\n<orders>\n  <order id="1" status="new"><customer>Ann &amp; Co</customer><total>0012.50</total><ship><city>Oslo</city></ship></order>\n' +
        '  <order id="2"><customer><![CDATA[Bob <b>]]></customer><note/></order>\n</orders>\n',
    );
    w.addFiles('xml', 'xml');
    const [r] = await acquire(w.ctx, { sources: ['xml'] });
    assert.equal(r.status, 'loaded', r.error);
    const rows = await w.rows('xml__orders');
    assert.deepEqual(
      rows.map((x) => [x.id, x.status, x.customer, x.total, x.ship_city, x.note]),
      [
        ['1', 'new', 'Ann & Co', '0012.50', 'Oslo', ''],
        ['2', '', 'Bob <b>', '', '', ''],
      ],
    );
  });

  it('reads every sheet of an .xlsx: formula results, merged cells, ISO dates', async () => {
    w.write('xl/.keep', '');
    await workbook(join(w.data, 'xl', 'book.xlsx'));
    w.addFiles('xl', 'xl');
    const rs = await acquire(w.ctx, { sources: ['xl'] });
    assert.deepEqual(rs.map((r) => [r.object, r.status, r.error]), [['book__sales_2024', 'loaded', undefined], ['book__notes', 'loaded', undefined]]);
    const sales = await w.rows('xl__book__sales_2024');
    assert.deepEqual(
      sales.map((x) => [x.region, x.units, x.price, x.total, x.day]),
      [
        ['North', '3', '2.5', '7.5', '2024-01-31'],
        ['North', '4', '1', '4', '2024-02-01T13:30:00'],
        ['South', '1', '10', '10', ''],
      ],
    );
    assert.deepEqual((await w.rows('xl__book__notes')).map((x) => x.id), ['0012']);
  });

  it('reads Parquet natively, every column as text and NULL as empty', async () => {
    const file = join(w.data, 'pq', 'facts.parquet');
    w.write('pq/.keep', '');
    await w.wh.command(
      "INSERT INTO FUNCTION file({p:String}, 'Parquet') SELECT number AS n, toString(number * 2) AS s, if(number = 1, NULL, number / 4) AS f, toDate('2024-01-01') + number AS d FROM numbers(3)",
      { params: { p: file } },
    );
    w.addFiles('pq', 'pq');
    const [r] = await acquire(w.ctx, { sources: ['pq'] });
    assert.equal(r.status, 'loaded', r.error);
    assert.equal(r.nulls, 1);
    const rows = await w.rows('pq__facts', 'n');
    assert.deepEqual(rows.map((x) => [x.n, x.s, x.f, x.d]), [['0', '0', '0', '2024-01-01'], ['1', '2', '', '2024-01-02'], ['2', '4', '0.5', '2024-01-03']]);
  });

  it('fails a corrupt .xlsx, a corrupt Parquet file and a legacy .xls clearly, leaving the warehouse unchanged', async () => {
    w.write('bad/broken.xlsx', 'PK\u0003\u0004 definitely not a zip');
    w.write('bad/facts.parquet', 'PAR1 garbage');
    w.write('bad/old.xls', Buffer.from([0xd0, 0xcf, 0x11, 0xe0]));
    w.addFiles('badf', 'bad');
    const before = await w.wh.query<{ name: string }>("SELECT name FROM system.tables WHERE database = 'bronze' ORDER BY name");
    const rs = await acquire(w.ctx, { sources: ['badf'] });
    assert.deepEqual(rs.map((r) => r.status), ['failed', 'failed', 'failed']);
    const byName = Object.fromEntries(rs.map((r) => [r.object, r.error ?? '']));
    assert.match(byName.broken, /xlsx/);
    assert.match(byName.old, /save it as \.xlsx/);
    assert.match(byName.facts, /facts\.parquet cannot be read.*Parquet/);
    const afterTables = await w.wh.query<{ name: string }>("SELECT name FROM system.tables WHERE database = 'bronze' ORDER BY name");
    assert.deepEqual(afterTables, before);
  });
});
