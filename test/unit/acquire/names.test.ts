import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { bronzeTableName, columnNames, objectNames, sanitizeName } from '../../../src/core/acquire/names';
import { ColumnPlan } from '../../../src/core/acquire/plan';
import { globRegExp } from '../../../src/core/sources/files';

describe('bronze names', () => {
  it('sanitizes to lower-case [a-z0-9_] with accents folded', () => {
    assert.equal(sanitizeName('Order ID'), 'order_id');
    assert.equal(sanitizeName('Prix (€) — TTC'), 'prix_ttc');
    assert.equal(sanitizeName('Ünïcödé'), 'unicode');
    assert.equal(sanitizeName('`; DROP TABLE x; --'), 'drop_table_x');
    assert.equal(sanitizeName('日本'), '');
    const long = sanitizeName('x'.repeat(300));
    assert.equal(long.length, 80);
    assert.match(long, /^x+_[0-9a-f]{8}$/);
    assert.notEqual(sanitizeName('x'.repeat(300)), sanitizeName('x'.repeat(301)));
  });
  it('de-duplicates, names empty columns by position and never reuses lineage names', () => {
    assert.deepEqual(columnNames(['a', 'A', 'a ', '', '日本', '_kimball_row']), ['a', 'a_2', 'a_3', 'column_4', 'column_5', 'kimball_row']);
    assert.deepEqual(columnNames(['x', 'x_2', 'x']), ['x', 'x_2', 'x_3']);
  });
  it('names tables source__object and keeps the file__sheet separator', () => {
    assert.equal(bronzeTableName('Shop', 'sub/Orders 2024'), 'shop__sub_orders_2024');
    assert.equal(bronzeTableName('xl', 'book__Sales 2024'), 'xl__book__sales_2024');
    assert.deepEqual(objectNames(['a-b', 'a_b', 'A B']), ['a_b', 'a_b_2', 'a_b_3']);
  });
});

describe('column plan', () => {
  it('keeps previous names, appends new columns and reports missing ones', () => {
    const plan = new ColumnPlan([
      { name: 'order_id', original: 'Order ID' },
      { name: 'city', original: 'City' },
    ]);
    const index = plan.mapAll(['Email', 'Order ID']);
    assert.deepEqual(plan.columns.map((c) => c.name), ['order_id', 'city', 'email']);
    assert.deepEqual(index, [2, 0]);
    assert.deepEqual(plan.added, ['Email']);
    assert.deepEqual(plan.missing, ['City']);
  });
  it('matches columns known only by their bronze name and keeps duplicate originals apart', () => {
    const plan = new ColumnPlan([{ name: 'order_id', original: 'order_id' }]);
    assert.deepEqual(plan.mapAll(['Order ID', 'x', 'x']), [0, 1, 2]);
    assert.deepEqual(plan.columns.map((c) => c.name), ['order_id', 'x', 'x_2']);
    assert.equal(plan.resolve('x'), 1);
  });
  it('reports nothing as added on a first load', () => {
    const plan = new ColumnPlan(undefined);
    plan.mapAll(['a', 'b']);
    assert.deepEqual(plan.added, []);
    assert.deepEqual(plan.missing, []);
  });
});

describe('file globs', () => {
  it('matches names at any depth without a slash, paths with one', () => {
    assert.ok(globRegExp('*.csv').test('a/b/x.csv'));
    assert.ok(!globRegExp('*.csv').test('x.csv.gz'));
    assert.ok(globRegExp('sales/**/*.{csv,tsv}').test('sales/2024/q1/a.tsv'));
    assert.ok(globRegExp('sales/**/*.{csv,tsv}').test('sales/a.csv'));
    assert.ok(!globRegExp('sales/*.csv').test('other/a.csv'));
    assert.ok(globRegExp('data?.json').test('data1.json'));
  });
});
