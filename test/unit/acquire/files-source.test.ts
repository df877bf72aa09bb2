import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { FilesSource } from '../../../src/core/sources/files';
import { EnvSecretStore } from '../../../src/core/sources/source';
import { parseEndpoint } from '../../../src/core/sources';
import { configFromOptions } from '../../../src/cli/commands/sources';
import { removeDir, tempDir } from '../../helpers/warehouse';

const root = tempDir('files-source-');
after(() => removeDir(root));
const deps = { root, secrets: new EnvSecretStore({}) };

function put(rel: string, text: string): void {
  const p = join(root, rel);
  mkdirSync(join(p, '..'), { recursive: true });
  writeFileSync(p, text);
}

describe('files source', () => {
  it('lists supported files recursively as sanitized, unique objects with mtime+size versions', async () => {
    put('d/Sales 2024.csv', 'a\n1\n');
    put('d/sub/orders.json', '[]');
    put('d/sub/orders.ndjson', '{}\n');
    put('d/notes.md', 'ignored');
    put('d/.hidden.csv', 'a\n');
    const src = new FilesSource({ kind: 'files', name: 'f', path: 'd' }, deps);
    const objects = await src.listObjects();
    assert.deepEqual(objects.map((o) => [o.name, o.format]), [['sales_2024', 'csv'], ['sub_orders', 'json'], ['sub_orders_2', 'ndjson']]);
    assert.match(objects[0].version ?? '', /^\d+-4$/);
    const globbed = new FilesSource({ kind: 'files', name: 'f', path: 'd', glob: 'sub/*.ndjson' }, deps);
    assert.deepEqual((await globbed.listObjects()).map((o) => o.name), ['sub_orders']);
  });

  it('makes one object per chosen workbook sheet', async () => {
    const wb = new ExcelJS.Workbook();
    wb.addWorksheet('Q1').addRow(['a']);
    wb.addWorksheet('Q2 & more').addRow(['a']);
    mkdirSync(join(root, 'x'), { recursive: true });
    await wb.xlsx.writeFile(join(root, 'x', 'book.xlsx'));
    assert.deepEqual((await new FilesSource({ kind: 'files', name: 'x', path: 'x' }, deps).listObjects()).map((o) => o.name), ['book__q1', 'book__q2_more']);
    assert.deepEqual(
      (await new FilesSource({ kind: 'files', name: 'x', path: 'x', sheets: ['Q2 & more'] }, deps).listObjects()).map((o) => o.name),
      ['book__q2_more'],
    );
  });

  it('tests the path: missing, empty of supported files, fine', async () => {
    assert.equal((await new FilesSource({ kind: 'files', name: 'm', path: 'missing' }, deps).test()).ok, false);
    put('empty/readme.txt.md', 'x');
    const empty = await new FilesSource({ kind: 'files', name: 'e', path: 'empty' }, deps).test();
    assert.equal(empty.ok, false);
    assert.match(empty.message, /no supported file/);
    assert.equal((await new FilesSource({ kind: 'files', name: 'd', path: 'd' }, deps).test()).ok, true);
  });
});

describe('CLI source options', () => {
  it('parses REST endpoints with records path and pagination', () => {
    assert.deepEqual(parseEndpoint('orders=/v1/orders,records=data.items,pagination=page:page'), {
      name: 'orders',
      path: '/v1/orders',
      recordsPath: 'data.items',
      pagination: { kind: 'page', param: 'page' },
    });
    assert.deepEqual(parseEndpoint('x=/x,pagination=offset:offset:limit:100').pagination, { kind: 'offset', param: 'offset', limitParam: 'limit', limit: 100 });
    assert.throws(() => parseEndpoint('nopath'), /expected name=path/);
    assert.throws(() => parseEndpoint('a=/a,pagination=weird'), /pagination is/);
  });
  it('builds configs per kind and names what is missing', () => {
    assert.deepEqual(configFromOptions('s', { kind: 'files', path: 'data', delimiter: 'tab' }), {
      kind: 'files', name: 's', path: 'data', glob: undefined, delimiter: '\t', header: undefined, encoding: undefined, sheets: undefined,
    });
    assert.equal(configFromOptions('p', { kind: 'postgres', host: 'h', database: 'd', user: 'u', schema: ['a', 'b'] }).kind, 'postgres');
    assert.throws(() => configFromOptions('p', { kind: 'postgres', host: 'h' }), /needs --database/);
    assert.throws(() => configFromOptions('b', { kind: 's3' }), /needs --bucket/);
  });
});
