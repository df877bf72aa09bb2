/**
 * The pure pieces behind the source form and `kimball source edit`: partial edits, field checks (with
 * the pointer of each problem), the form's text <-> config conversion, and the schema problems list.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { applySourceEdit, checkSourceFields, newSourceConfig } from '../../../src/core/sources/edit';
import { schemaProblems } from '../../../src/core/project/json-file';
import type { SourceConfig, SourceKind } from '../../../src/core/sources';
import { configFromForm, formFromConfig } from '../../../webview/source-form/form-model';

const pg: SourceConfig = { kind: 'postgres', name: 'pg', host: 'db', port: 5432, database: 'shop', user: 'etl', sslMode: 'require' };

describe('applySourceEdit', () => {
  it('changes only the given fields and removes the unset ones', () => {
    assert.deepEqual(applySourceEdit(pg, { port: 6543 }, ['sslMode']), { kind: 'postgres', name: 'pg', host: 'db', port: 6543, database: 'shop', user: 'etl' });
    assert.equal(pg.port, 5432, 'the input is not modified');
  });
  it('refuses required, unknown, kind and name changes with the source named', () => {
    assert.throws(() => applySourceEdit(pg, {}, ['host']), /Source pg: host is required for a postgres source/);
    assert.throws(() => applySourceEdit(pg, { bucket: 'x' }), /a postgres source has no field "bucket"/);
    assert.throws(() => applySourceEdit(pg, { name: 'other' }), /the name of a source cannot be changed/);
    assert.throws(() => applySourceEdit(pg, { kind: 's3' }), /the kind of a source cannot be changed/);
  });
});

describe('checkSourceFields', () => {
  it('accepts complete configs of every kind', () => {
    assert.deepEqual(checkSourceFields(pg), []);
    assert.deepEqual(checkSourceFields({ kind: 'files', name: 'f', path: 'data', delimiter: '\t' }), []);
    assert.deepEqual(checkSourceFields({ kind: 's3', name: 's', bucket: 'b', endpoint: 'http://localhost:9000' }), []);
    assert.deepEqual(checkSourceFields({ kind: 'http', name: 'h', baseUrl: 'https://x.test', endpoints: [{ name: 'a', path: '/a', pagination: { kind: 'cursor', param: 'c', cursorPath: 'next' } }] }), []);
  });
  it('names each bad field by its pointer', () => {
    const problems = checkSourceFields({
      kind: 'http',
      name: '1x',
      baseUrl: 'api.test',
      rateLimit: 0,
      endpoints: [
        { name: 'a', path: '/a', pagination: { kind: 'offset', param: 'o', limitParam: '', limit: 0 } },
        { name: 'a', path: '/b' },
      ],
    });
    assert.deepEqual(problems.map((p) => p.path), ['/name', '/baseUrl', '/rateLimit', '/endpoints/0/pagination/limitParam', '/endpoints/0/pagination/limit', '/endpoints/1/name']);
    assert.deepEqual(checkSourceFields({ ...pg, port: 0, database: ' ' } as SourceConfig).map((p) => p.path), ['/database', '/port']);
  });
  it('a new source of each kind lacks only what the user must type', () => {
    const missing: Record<SourceKind, string[]> = { files: ['/name', '/path'], postgres: ['/name', '/database', '/user'], s3: ['/name', '/bucket'], http: ['/name', '/baseUrl'] };
    for (const kind of ['files', 'postgres', 's3', 'http'] as const) {
      assert.deepEqual(checkSourceFields(newSourceConfig(kind)).map((p) => p.path), missing[kind], kind);
    }
  });
});

describe('schemaProblems', () => {
  it('lists every schema problem with a pointer to the field (required ones at the missing field)', () => {
    assert.deepEqual(schemaProblems('source', pg), []);
    const problems = schemaProblems('source', { kind: 'postgres', name: 'pg', host: 'db', port: 'x', user: 'u', sslMode: 'always' });
    assert.deepEqual(problems.map((p) => p.path).sort(), ['/database', '/port', '/sslMode']);
  });
});

describe('the source form model', () => {
  const configs: SourceConfig[] = [
    { kind: 'files', name: 'f', path: 'data', glob: '*.csv', delimiter: '\t', header: false, encoding: 'latin1', sheets: ['A', 'B'] },
    { ...pg, schemas: ['a', 'b'], cursors: { orders: 'ts' }, queries: { big: 'SELECT 1' } },
    { kind: 's3', name: 's', bucket: 'b', prefix: 'p/', region: 'r', endpoint: 'http://h:9000', pathStyle: true, accessKeyId: 'AK' },
    {
      kind: 'http',
      name: 'h',
      baseUrl: 'https://x.test',
      authHeader: 'Authorization',
      authScheme: 'Bearer',
      rateLimit: 2.5,
      endpoints: [
        { name: 'a', path: '/a', recordsPath: 'data', pagination: { kind: 'page', param: 'page', sizeParam: 'n', size: 50, start: 0 } },
        { name: 'b', path: '/b', pagination: { kind: 'link' } },
      ],
    },
  ];
  it('round-trips every field of every kind through the form', () => {
    for (const c of configs) assert.deepEqual(configFromForm(formFromConfig(c)), { config: c, problems: [] }, c.kind);
  });
  it('reports text that does not convert at its field, and empty text as absent', () => {
    const f = formFromConfig(pg);
    f.values.port = '54x';
    f.values.sslMode = '';
    const { config, problems } = configFromForm(f);
    assert.deepEqual(problems, [{ path: '/port', message: 'A whole number.' }]);
    assert.equal((config as { sslMode?: string }).sslMode, undefined);
  });
  it('addresses map rows by position, duplicates included', () => {
    const f = formFromConfig({ ...pg, cursors: { orders: 'ts' } });
    f.cursors.push({ key: 'orders', value: 'id' }, { key: 'bad name', value: 'x' }, { key: '', value: '' });
    assert.deepEqual(configFromForm(f).problems.map((p) => p.path), ['/cursors/#1', '/cursors/#2']);
  });
});
