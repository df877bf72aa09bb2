/**
 * Regressions from the unseen-data sweep (test/fixtures/sweep): shapes of data a new user brings that
 * the model proposals must turn into something buildable.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { proposeErd, unmodelledTables } from '../../../src/core/model/erd-proposal';
import { proposeStar } from '../../../src/core/model/star-proposal';
import { mergeErd } from '../../../src/core/model/merge';
import { catalog, col, rel, table } from './builders';

test('sweep: a table with no columns (an empty file) is left out of the ERD, with the reason', () => {
  const c = catalog([table('src__empty', 0, []), table('src__people', 3, [col('person_id', 'Int32'), col('name', 'String')], { pk: ['person_id'] })], []);
  const erd = proposeErd(c, { name: 't' });
  assert.deepEqual(
    erd.entities.map((e) => e.name),
    ['people'],
  );
  assert.deepEqual(unmodelledTables(c), [{ table: 'src__empty', reason: 'it has no columns (an empty file or sheet?)' }]);
});

test('sweep: a keyless table nothing references (header-only file, log with repeated rows) becomes a fact keeping every column', () => {
  for (const rows of [0, 10]) {
    const c = catalog([table('src__log', rows, [col('id', 'Int32', { distinct: 2 }), col('label', 'String', { distinct: 2 }), col('note', 'String', { distinct: 2 })])], []);
    const star = proposeStar(proposeErd(c, { name: 't' }), c);
    assert.deepEqual(star.dimensions, [], 'no dimension without a natural key');
    assert.equal(star.facts.length, 1);
    const f = star.facts[0];
    assert.deepEqual(f.grain, []);
    assert.deepEqual(f.degenerate, ['id', 'label', 'note'], 'every column stays on the fact');
    assert.match(f.reason, /score 0, below 3\): no primary key and nothing references it/);
    assert.doesNotMatch(f.reason, />= 3/);
  }
});

test('sweep: a keyless table that something references keeps being a dimension keyed by the referenced columns', () => {
  const c = catalog(
    [
      table('src__codes', 5, [col('code', 'String'), col('label', 'String')]),
      table('src__events', 500, [col('event_id', 'Int32'), col('code', 'String', { distinct: 5 }), col('amount', 'Decimal(18,2)'), col('at', 'Date')], { pk: ['event_id'] }),
    ],
    [rel('src__events', ['code'], 'src__codes', ['code'])],
  );
  const star = proposeStar(proposeErd(c, { name: 't' }), c);
  const dim = star.dimensions.find((d) => d.entity === 'codes');
  assert.deepEqual(dim?.naturalKey, ['code']);
});

test('sweep: a self-reference (employees.reports_to -> employee_id) is a reference, never a measure', () => {
  const c = catalog(
    [
      table('src__employees', 9, [col('employee_id', 'Int32'), col('last_name', 'String'), col('reports_to', 'Int32', { distinct: 3, empty: 1, min: 1, max: 3 }), col('hire_date', 'Date')], {
        pk: ['employee_id'],
      }),
      table('src__orders', 120, [col('order_id', 'Int32'), col('employee_id', 'Int32', { distinct: 9 }), col('freight', 'Decimal(18,2)'), col('order_date', 'Date')], { pk: ['order_id'] }),
    ],
    [rel('src__employees', ['reports_to'], 'src__employees', ['employee_id']), rel('src__orders', ['employee_id'], 'src__employees', ['employee_id'])],
  );
  const star = proposeStar(proposeErd(c, { name: 't' }), c);
  const emp = star.dimensions.find((d) => d.entity === 'employees');
  assert.ok(emp, 'employees is a dimension');
  assert.doesNotMatch(emp.reason, /measures reports_to/);
  assert.ok(emp.attributes.some((a) => a.column === 'reports_to'), 'the manager reference stays an attribute');
});

test('sweep: proposing the ERD again takes a column re-typed by the data and widens nullability; a type edited by hand stays', () => {
  const before = catalog([table('src__people', 10, [col('person_id', 'Int32'), col('born', 'Date'), col('score', 'Int32')], { pk: ['person_id'] })], []);
  const edited = proposeErd(before, { name: 't' });
  // The user widens score by hand (the editor changes the type, never the conversion).
  const score = edited.entities[0].columns.find((c) => c.name === 'score');
  assert.ok(score);
  score.type = 'Int64';
  const after = catalog([table('src__people', 10, [col('person_id', 'Int32'), col('born', 'String', { empty: 2 }), col('score', 'Int32', { empty: 1 })], { pk: ['person_id'] })], []);
  const merged = mergeErd(edited, proposeErd(after, { name: 't' }));
  const cols = Object.fromEntries(merged.entities[0].columns.map((c) => [c.name, c]));
  assert.equal(cols.born.type, 'String');
  assert.equal(cols.born.source?.expression, '{col}');
  assert.equal(cols.born.nullable, true);
  assert.equal(cols.score.type, 'Int64', "the user's type is kept while the conversion is unchanged");
  assert.equal(cols.score.nullable, true, 'empties arrived: NOT NULL would turn them into 0');
});

test('sweep: columns left off a fact are told apart: flags for a junk dimension, free text as text', () => {
  const c = catalog(
    [
      table('src__sales', 100, [col('sale_id', 'Int32'), col('amount', 'Decimal(18,2)'), col('sold_on', 'Date'), col('paid', 'Bool', { distinct: 2 }), col('note', 'String', { distinct: 90, maxLength: 5000 })], {
        pk: ['sale_id'],
      }),
    ],
    [],
  );
  const [f] = proposeStar(proposeErd(c, { name: 't' }), c).facts;
  assert.match(f.reason, /Not placed: paid \(low-cardinality descriptors; consider a junk dimension\)\./);
  assert.match(f.reason, /Not placed: note \(descriptive text/);
});

test('sweep: an identifier that references nothing in the data (user_id, no users table) stays on the fact', () => {
  const c = catalog(
    [table('src__events', 40, [col('event_id', 'Int32'), col('user_id', 'Int32', { distinct: 4 }), col('amount', 'Decimal(18,2)'), col('at', 'DateTime64(3)')], { pk: ['event_id'] })],
    [],
  );
  const [f] = proposeStar(proposeErd(c, { name: 't' }), c).facts;
  assert.ok(f.degenerate.includes('user_id'), f.reason);
  assert.doesNotMatch(f.reason, /Not placed: user_id/);
});
