/** Regressions from the unseen-data sweep (test/fixtures/sweep): relationship evidence on shapes a new user brings. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveRelationships, type RelColumn } from '../../../src/core/discover/relationships';

type Verified = Parameters<typeof resolveRelationships>[0][number];

const intCol = (table: string, name: string, o: Partial<RelColumn> = {}): RelColumn => ({
  table,
  name,
  inferred: { type: 'Int32', nullable: false, expression: 'toInt32OrNull({col})', convertRate: 1, confidence: 1, notes: [] },
  rows: 9,
  missing: 0,
  distinct: 9,
  min: 1,
  max: 9,
  minLength: 1,
  maxLength: 1,
  isKey: false,
  isPrimary: false,
  ...o,
});

function selfPair(column: string, table = 'src__employees'): Verified {
  const key = intCol(table, 'employee_id', { isKey: true, isPrimary: true });
  const from = intCol(table, column, { missing: 1, distinct: 3, min: 1, max: 3 });
  return { from, to: key, fam: 'int', fromDistinct: 3, orphans: 0 };
}

test('sweep: a self-reference named for a hierarchy (reports_to, manager_id, parent_id) is found even on a small domain', () => {
  for (const name of ['reports_to', 'ReportsTo', 'manager_id', 'parent_employee_id']) {
    const [r] = resolveRelationships([selfPair(name)], ['src__employees']);
    assert.ok(r, `${name} -> employee_id`);
    assert.equal(r.fromTable, 'src__employees');
    assert.equal(r.toTable, 'src__employees');
    assert.ok(r.confidence >= 0.65);
  }
});

test('sweep: a small-domain integer column without hierarchy words is still no self-reference', () => {
  for (const name of ['rating', 'floor', 'shift_no']) assert.deepEqual(resolveRelationships([selfPair(name)], ['src__employees']), [], name);
});

test('sweep: hierarchy words count only for the same table', () => {
  const key = intCol('src__regions', 'region_id', { isKey: true, isPrimary: true });
  const from = intCol('src__employees', 'manager_id', { missing: 1, distinct: 3, min: 1, max: 3 });
  assert.deepEqual(resolveRelationships([{ from, to: key, fam: 'int', fromDistinct: 3, orphans: 0 }], ['src__employees', 'src__regions']), []);
});
