/**
 * The pure pieces of incremental PostgreSQL loads on day two: the cursor version and its mark, the
 * `keys` and `deleteScan` settings (checks, schema, CLI options, the form), and the tombstone DELETE.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cursorMark, cursorVersion } from '../../../src/core/sources/postgres';
import { applySourceEdit, checkSourceFields } from '../../../src/core/sources/edit';
import { schemaProblems } from '../../../src/core/project/json-file';
import type { PostgresSourceConfig, SourceConfig } from '../../../src/core/sources';
import { configFromOptions, patchFromOptions } from '../../../src/cli/commands/sources';
import { configFromForm, formFromConfig } from '../../../webview/source-form/form-model';
import { BuildContext } from '../../../src/core/build/plan';
import { probeOf } from '../../../src/core/build/ddl';
import { deleteTombstoned, nameLiteral, tombstonesTable } from '../../../src/core/build/tombstones';
import { DEFAULT_DATABASES } from '../../../src/core/warehouse/warehouse';
import { erd, star } from '../../helpers/build-fixtures';

const pg: PostgresSourceConfig = { kind: 'postgres', name: 'pg', host: 'db', port: 5432, database: 'shop', user: 'etl' };

describe('the cursor version', () => {
  it('is the mark alone while one row holds it, else the mark with the count at it and, for a delete scan, the change counters', () => {
    assert.equal(cursorVersion('2024-01-01 10:00:00', 1), '2024-01-01 10:00:00', 'as before: recorded versions stay valid');
    const two = cursorVersion('2024-01-01 10:00:00', 2);
    assert.notEqual(two, cursorVersion('2024-01-01 10:00:00', 3));
    const scanned = cursorVersion('7', 1, '16384:7/1/0');
    assert.notEqual(scanned, cursorVersion('7', 1, '16384:7/1/1'), 'a delete changes it');
    for (const [v, mark] of [[two, '2024-01-01 10:00:00'], [scanned, '7'], ['7', '7'], ['{"mark": not json', '{"mark": not json'], ['{"other":1}', '{"other":1}']]) {
      assert.equal(cursorMark(v), mark, v);
    }
  });
});

describe('keys and deleteScan settings', () => {
  const good: SourceConfig = { ...pg, cursors: { orders: 'updated_at' }, keys: { orders: ['region', 'order_no'] }, deleteScan: ['orders'] };

  it('a valid config passes the field checks and the schema, and edits set and remove them', () => {
    assert.deepEqual(checkSourceFields(good), []);
    assert.deepEqual(schemaProblems('source', good), []);
    assert.deepEqual(applySourceEdit(good, {}, ['keys', 'deleteScan', 'cursors']), pg);
  });

  it('names each bad key and delete scan by its pointer', () => {
    const bad = { ...pg, cursors: { orders: 'ts' }, keys: { orders: [], 'bad name': ['x'], items: ['a', 'a'], lines: ['a', ' '] }, deleteScan: ['orders', 'items'] };
    assert.deepEqual(
      checkSourceFields(bad as SourceConfig).map((p) => [p.path, p.message]),
      [
        ['/keys/orders', 'The key of orders needs at least one column.'],
        ['/keys/bad name', '"bad name" is not an object name: a letter, then letters, digits or underscores.'],
        ['/keys/items', 'The key of items names a column twice.'],
        ['/keys/lines', 'The key of lines has an empty column name.'],
        ['/deleteScan/1', 'items has no cursor column: a delete scan applies to incrementally loaded objects.'],
      ],
    );
    assert.deepEqual(schemaProblems('source', { ...pg, keys: { orders: 'id' }, deleteScan: 'orders' }).map((p) => p.path).sort(), ['/deleteScan', '/keys/orders']);
  });

  it('the CLI sets keys with --key object=col1,col2 (object= removes one) and the scanned objects with --delete-scan', () => {
    const added = configFromOptions('pg', { kind: 'postgres', host: 'db', database: 'shop', user: 'etl', cursor: ['orders=ts'], key: ['orders=region, order_no'], deleteScan: ['orders'] });
    assert.deepEqual((added as PostgresSourceConfig).keys, { orders: ['region', 'order_no'] });
    assert.deepEqual((added as PostgresSourceConfig).deleteScan, ['orders']);
    assert.deepEqual(patchFromOptions(good, { key: ['items=id'] }), { patch: { keys: { orders: ['region', 'order_no'], items: ['id'] } }, unset: [] });
    assert.deepEqual(patchFromOptions(good, { key: ['orders='] }), { patch: {}, unset: ['keys'] });
    assert.deepEqual(patchFromOptions(good, { deleteScan: ['a', 'b'] }), { patch: { deleteScan: ['a', 'b'] }, unset: [] });
    assert.throws(() => patchFromOptions({ kind: 'files', name: 'f', path: 'x' }, { key: ['a=b'] }), /--key does not apply to f, a files source/);
  });

  it('the form edits keys as rows of comma-separated columns and the delete scan as a list', () => {
    assert.deepEqual(configFromForm(formFromConfig(good)), { config: good, problems: [] });
    const f = formFromConfig(good);
    f.keys.push({ key: 'items', value: 'a, a' });
    assert.deepEqual(configFromForm(f).problems.map((p) => p.path), ['/keys/#1']);
  });
});

describe('tombstones in the build', () => {
  const ctx = (cluster?: string) => new BuildContext({ name: 't', erd: erd('t', [], []), star: star('t', [], []), databases: DEFAULT_DATABASES, cluster });

  it('deletes the target rows whose load id and row (the version low 32 bits) are tombstoned for the bronze table, probed', () => {
    const del = deleteTombstoned(ctx(), 'crm__orders', { database: 'gold', table: 'fact_orders' });
    const where =
      "(`_kimball_load_id`, toUInt64(`_kimball_version` % 4294967296)) IN (SELECT `load_id`, `row` FROM `kimball`.`tombstones` WHERE `table` = 'crm__orders')";
    assert.equal(probeOf(del), `SELECT count() AS n FROM \`gold\`.\`fact_orders\` WHERE ${where}`);
    assert.ok(del.endsWith(`DELETE FROM \`gold\`.\`fact_orders\` WHERE ${where}\nSETTINGS lightweight_deletes_sync = 2`), del);
    const onCluster = deleteTombstoned(ctx('c1'), 'crm__orders', { database: 'silver', table: 'orders' });
    assert.match(onCluster, /DELETE FROM `silver`\.`orders__local` ON CLUSTER `c1` WHERE/);
    assert.match(tombstonesTable(ctx('c1')).join('\n'), /CREATE TABLE IF NOT EXISTS `kimball`\.`tombstones__local` ON CLUSTER `c1`[\s\S]*ENGINE = Distributed/);
  });

  it('writes a table name as a string literal that no character of the name can escape', () => {
    assert.equal(nameLiteral('shop__orders_2'), "'shop__orders_2'");
    assert.equal(nameLiteral("x'); DROP TABLE y; --"), `unhex('${Buffer.from("x'); DROP TABLE y; --").toString('hex')}')`);
  });
});
