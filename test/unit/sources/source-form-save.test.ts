/**
 * The extension side of the source form without VS Code (src/core/sources/form-save.ts), on a real
 * workspace folder: Save writes the file and the secret or reports problems by field and writes nothing;
 * Test of unsaved settings reads the typed secret, else the stored one, and stores nothing.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { projectPaths } from '../../../src/core/project/paths';
import { sourceFile } from '../../../src/core/project/paths';
import { formProblems, saveSourceForm, secretsForTest } from '../../../src/core/sources/form-save';
import type { SecretField, SecretStore, SourceConfig } from '../../../src/core/sources';
import { removeDir, tempDir } from '../../helpers/warehouse';

const root = tempDir('source-form-save-');
after(() => removeDir(root));
const paths = projectPaths(root);

/** SecretStorage's behaviour (a key-value store), kept in memory. */
class MemorySecrets implements SecretStore {
  readonly values = new Map<string, string>();
  async get(source: string, field: SecretField) {
    return this.values.get(`${source}.${field}`);
  }
  async set(source: string, field: SecretField, value: string) {
    this.values.set(`${source}.${field}`, value);
  }
  async delete(source: string, field: SecretField) {
    this.values.delete(`${source}.${field}`);
  }
}

const pg: SourceConfig = { kind: 'postgres', name: 'crm', host: 'db', port: 5432, database: 'crm', user: 'etl' };

describe('saving the source form', () => {
  it('adds a source: the file without secrets, the password in the secret store', async () => {
    const secrets = new MemorySecrets();
    assert.deepEqual(await saveSourceForm(paths, secrets, { mode: 'add', kind: 'postgres' }, pg, 'pw1'), []);
    assert.deepEqual(JSON.parse(readFileSync(sourceFile(paths, 'crm'), 'utf8')), pg);
    assert.ok(!readFileSync(sourceFile(paths, 'crm'), 'utf8').includes('pw1'));
    assert.equal(await secrets.get('crm', 'password'), 'pw1');
  });

  it('refuses a taken or invalid name, another kind and bad fields, by field, writing nothing', async () => {
    const secrets = new MemorySecrets();
    const before = readFileSync(sourceFile(paths, 'crm'), 'utf8');
    const taken = await saveSourceForm(paths, secrets, { mode: 'add', kind: 'postgres' }, { ...pg, port: 70000, sslMode: 'sometimes' } as unknown as SourceConfig, 'x');
    assert.deepEqual(taken.map((p) => p.path), ['/name', '/port', '/sslMode']);
    assert.match(taken[0].message, /A source named crm exists/);
    assert.equal(readFileSync(sourceFile(paths, 'crm'), 'utf8'), before);
    assert.equal(secrets.values.size, 0, 'no secret stored');
    const bad = await saveSourceForm(paths, secrets, { mode: 'add', kind: 'postgres' }, { ...pg, name: '1st' }, '');
    assert.deepEqual(bad.map((p) => p.path), ['/name']);
    assert.ok(!existsSync(sourceFile(paths, '1st')));
    assert.deepEqual(formProblems(paths, { mode: 'add', kind: 'files' }, pg, true), [{ path: '/kind', message: 'This form edits a files source.' }]);
  });

  it('edits a source: no rename, the $schema hint kept, an empty secret keeps the stored one', async () => {
    const secrets = new MemorySecrets();
    await secrets.set('crm', 'password', 'stored');
    writeFileSync(sourceFile(paths, 'crm'), JSON.stringify({ $schema: '../../schemas/source.schema.json', ...pg }));
    const target = { mode: 'edit', name: 'crm', kind: 'postgres' } as const;
    const renamed = await saveSourceForm(paths, secrets, target, { ...pg, name: 'crm2' }, '');
    assert.deepEqual(renamed.map((p) => p.path), ['/name']);
    assert.deepEqual(await saveSourceForm(paths, secrets, target, { ...pg, port: 6543 }, ''), []);
    assert.deepEqual(JSON.parse(readFileSync(sourceFile(paths, 'crm'), 'utf8')), { $schema: '../../schemas/source.schema.json', ...pg, port: 6543 });
    assert.equal(await secrets.get('crm', 'password'), 'stored');
    assert.deepEqual(await saveSourceForm(paths, secrets, target, pg, 'new'), []);
    assert.equal(await secrets.get('crm', 'password'), 'new');
    const gone = await saveSourceForm(paths, secrets, { mode: 'edit', name: 'gone', kind: 'postgres' }, { ...pg, name: 'gone' }, '');
    assert.match(gone[0].message, /was deleted meanwhile/);
    assert.ok(!existsSync(sourceFile(paths, 'gone')));
  });
});

describe('the secrets of a test of unsaved settings', () => {
  it('the typed secret wins, else the stored one; nothing is stored', async () => {
    const secrets = new MemorySecrets();
    await secrets.set('crm', 'password', 'stored');
    assert.equal(await secretsForTest(secrets, 'postgres', 'typed', 'crm').get('crm', 'password'), 'typed');
    assert.equal(await secretsForTest(secrets, 'postgres', '', 'crm').get('crm', 'password'), 'stored');
    await assert.rejects(secretsForTest(secrets, 'postgres', 'typed', 'crm').set('crm', 'password', 'x'), /stores nothing/);
    assert.deepEqual([...secrets.values], [['crm.password', 'stored']]);
  });
});
