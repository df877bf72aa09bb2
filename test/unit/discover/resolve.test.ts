/** Resolution of scored candidates: one target per column, shared-key groups linked towards their home. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { family, resolveRelationships, type RelColumn, type Verified } from '../../../src/core/discover/relationships';
import type { ScoredCandidate } from '../../../src/core/discover/relationships';
import { threshold, valueExpr, SKETCH_TARGET } from '../../../src/core/discover/sketch';

const text = (table: string, name: string, o: Partial<RelColumn> = {}): RelColumn => ({
  table,
  name,
  inferred: { type: 'String', nullable: false, expression: "nullIf({col}, '')", convertRate: 1, confidence: 1, notes: [] },
  rows: 50,
  missing: 0,
  distinct: 50,
  minLength: 4,
  maxLength: 14,
  isKey: true,
  isPrimary: true,
  ...o,
});

const pair = (from: RelColumn, to: RelColumn, matched: number): Verified => ({ from, to, fam: 'text', fromDistinct: from.distinct, orphans: from.distinct - matched });

test('tables keyed by the same column link towards the fullest, the one named after it on a tie; never both ways', () => {
  const states = text('geo__states', 'state');
  const capitals = text('geo__state_capitals', 'state');
  const area = text('geo__state_area', 'state', { rows: 45, distinct: 45 });
  const all = [
    pair(area, states, 45), pair(area, capitals, 45), pair(capitals, states, 50), pair(states, capitals, 50),
    pair(states, area, 45), pair(capitals, area, 45),
  ];
  const traced: ScoredCandidate[] = [];
  const found = resolveRelationships(all, ['geo__states', 'geo__state_capitals', 'geo__state_area'], (s) => traced.push(...s));
  assert.deepEqual(found.map((r) => r.id), ['geo__state_area.state->geo__states.state', 'geo__state_capitals.state->geo__states.state']);
  for (const r of found) {
    assert.equal(r.kind, 'shared-key');
    assert.equal(r.cardinality, 'one-to-one');
  }
  // Only each column's chosen candidate is traced: the population the confidence is calibrated on.
  assert.equal(traced.length, 2);
});

test('a reference contained in two equal keys goes to the home of its entities', () => {
  const states = text('geo__states', 'state');
  const capitals = text('geo__state_capitals', 'state');
  const cities = text('geo__cities', 'state', { rows: 600, distinct: 50, isKey: false, isPrimary: false });
  const found = resolveRelationships([pair(cities, capitals, 50), pair(cities, states, 50)], ['geo__states', 'geo__state_capitals', 'geo__cities']);
  assert.deepEqual(found.map((r) => r.toTable), ['geo__states']);
  assert.equal(found[0].kind, 'reference');
  assert.ok(found[0].evidence.features && found[0].evidence.contributions, 'the features and their terms are in the evidence');
});

test('families: integers and digit codes compare as numbers, decimals and prose never', () => {
  const t = (type: string) => ({ type, nullable: false, expression: '{col}', convertRate: 1, confidence: 1, notes: [] });
  assert.equal(family({ inferred: t('Int32'), minLength: 1, maxLength: 4 }), 'int');
  assert.equal(family({ inferred: t('String'), minLength: 4, maxLength: 4, integerRate: 1 }), 'int');
  assert.equal(family({ inferred: t('LowCardinality(String)'), minLength: 2, maxLength: 40 }), 'text');
  assert.equal(family({ inferred: t('String'), minLength: 200, maxLength: 900 }), undefined);
  assert.equal(family({ inferred: t('Decimal(18,2)'), minLength: 1, maxLength: 6 }), undefined);
  assert.equal(family({ inferred: t('UUID'), minLength: 36, maxLength: 36 }), 'uuid');
});

test('sketches keep every value of a small column and a uniform share of a large one', () => {
  assert.equal(threshold(SKETCH_TARGET), 2n ** 64n - 1n);
  const t = threshold(SKETCH_TARGET * 100);
  assert.ok(t > 0n && Number(t) / 2 ** 64 < 0.011 && Number(t) / 2 ** 64 > 0.009);
  assert.match(valueExpr('code', 'int'), /toInt64OrNull\(replaceAll\(trimBoth\(`code`\)/);
  assert.match(valueExpr('name', 'text', ["N/A"]), /IN \('N\/A'\)/);
});

test('equal key sets, neither table named after them: the wider table (describing the entities) is the target', () => {
  const people = text('v__lookup_people', 'name', { width: 3 });
  const groups = text('v__lookup_groups', 'person', { width: 2 });
  const found = resolveRelationships([pair(people, groups, 50), pair(groups, people, 50)], ['v__lookup_people', 'v__lookup_groups']);
  assert.deepEqual(found.map((r) => r.id), ['v__lookup_groups.person->v__lookup_people.name']);
});

test('near-even evidence is proposed for review, marked as below the threshold models take', () => {
  const int = (table: string, name: string, o: Partial<RelColumn>): RelColumn => ({
    ...text(table, name),
    inferred: { type: 'Int32', nullable: false, expression: 'toInt32OrNull({col})', convertRate: 1, confidence: 1, notes: [] },
    minLength: 1,
    maxLength: 3,
    ...o,
  });
  const key = int('s__customers', 'cust_key', { rows: 400, distinct: 400, min: 1, max: 400 });
  const client = int('s__orders', 'client', { rows: 3000, distinct: 400, min: 1, max: 400, isKey: false, isPrimary: false });
  const [r] = resolveRelationships([{ from: client, to: key, fam: 'int', fromDistinct: 400, orphans: 0 }], ['s__customers', 's__orders']);
  assert.ok(r && r.confidence >= 0.4, JSON.stringify(r?.confidence));
  if (r.confidence < 0.5) assert.ok(r.evidence.notes.some((n) => n.startsWith('below 0.5: proposed for review')));
});

test('a reference column unique by chance in a small table goes to its key, not to the largest key it fits in', () => {
  const int = (table: string, name: string, o: Partial<RelColumn>): RelColumn => ({
    ...text(table, name),
    inferred: { type: 'Int32', nullable: false, expression: 'toInt32OrNull({col})', convertRate: 1, confidence: 1, notes: [] },
    ...o,
  });
  const employees = int('b__employee', 'employee_id', { rows: 3000, distinct: 3000, min: 1, max: 3000 });
  const sales = int('b__sales', 'sales_id', { rows: 350_000, distinct: 350_000, min: 1, max: 350_000 });
  const ref = int('b__region', 'employee_id', { rows: 50, distinct: 50, min: 31, max: 2950, isPrimary: false });
  const found = resolveRelationships([pair(ref, employees, 50), pair(ref, sales, 50)].map((v) => ({ ...v, fam: 'int' as const })), ['b__employee', 'b__sales', 'b__region']);
  assert.deepEqual(found.map((r) => r.id), ['b__region.employee_id->b__employee.employee_id']);
});
