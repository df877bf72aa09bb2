/** Semantic roles from evidence: type, cardinality, range, patterns, keys and references. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { columnRole, type RoleFacts } from '../../../src/core/discover/roles';

const f = (name: string, type: string, o: Partial<RoleFacts> = {}): RoleFacts => ({ name, type, rows: 1000, missing: 0, distinct: 300, minLength: 1, maxLength: 10, ...o });
const kind = (x: RoleFacts) => columnRole(x).kind;

test('decimals are measures or coordinates, never codes or identifiers', () => {
  assert.equal(kind(f('age', 'Decimal(18,8)')), 'measure');
  assert.equal(kind(f('latitude', 'Decimal(18,8)')), 'attribute');
  assert.equal(kind(f('close', 'Decimal(18,4)', { unique: true })), 'measure');
});

test('keys and references are identifiers; a key-like name without them says identifier or code', () => {
  assert.equal(kind(f('client', 'Int32', { references: true })), 'identifier');
  assert.equal(kind(f('order_id', 'Int32', { unique: true, min: 1, max: 1000, distinct: 1000 })), 'identifier');
  assert.equal(kind(f('line', 'Int32', { inPrimary: true, min: 1, max: 7, distinct: 7 })), 'identifier');
  assert.equal(kind(f('fips', 'Int32', { unique: true, min: 10001, max: 56045, distinct: 3000 })), 'code');
  assert.equal(kind(f('status_code', 'Int32', { distinct: 4, min: 1, max: 4 })), 'code');
  assert.match(columnRole(f('client', 'Int32', { references: true })).evidence.join(), /references a key/);
});

test('flags, dates and calendar parts', () => {
  assert.equal(kind(f('is_open', 'Bool', { distinct: 2 })), 'flag');
  assert.equal(kind(f('gift', 'String', { distinct: 2, maxLength: 3 })), 'flag');
  assert.equal(kind(f('shipped', 'Date')), 'date');
  assert.equal(kind(f('year', 'Int32', { min: 1990, max: 2019, distinct: 30 })), 'date');
  assert.equal(kind(f('year', 'Int32', { min: 1990, max: 2019, distinct: 30, inPrimary: true })), 'date');
});

test('text: codes, descriptive attributes, free text and patterned values', () => {
  assert.equal(kind(f('iso2', 'LowCardinality(String)', { minLength: 2, maxLength: 2, distinct: 40, topValues: ['FR', 'DE'] })), 'code');
  assert.equal(kind(f('alpha_2', 'String', { minLength: 2, maxLength: 2, distinct: 1000, unique: true, topValues: ['FR', 'DE'] })), 'identifier');
  assert.equal(kind(f('city', 'LowCardinality(String)', { minLength: 4, maxLength: 18, distinct: 400, topValues: ['New York'] })), 'attribute');
  assert.equal(kind(f('region', 'LowCardinality(String)', { minLength: 4, maxLength: 13, distinct: 4, topValues: ['North Central'] })), 'code');
  assert.equal(kind(f('company', 'String', { minLength: 4, maxLength: 40, distinct: 1000, unique: true, topValues: ['Acme Corp'] })), 'attribute');
  assert.equal(kind(f('comment', 'String', { minLength: 10, maxLength: 200, distinct: 990 })), 'text');
  assert.equal(kind(f('email', 'String', { patterns: { email: 0.99 }, maxLength: 30 })), 'attribute');
  assert.equal(kind(f('units', 'Int32', { min: 1, max: 20, distinct: 20 })), 'measure');
});
