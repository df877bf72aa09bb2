import { test } from 'node:test';
import assert from 'node:assert/strict';
import { proposeErd } from '../../../src/core/model/erd-proposal';
import { proposeStar } from '../../../src/core/model/star-proposal';
import { detectHierarchies } from '../../../src/core/model/hierarchies';
import { misleading, retail, retailWithHeader, tpch, fd } from './builders';
import { hierarchyAccuracy } from './accuracy';

test('hierarchy accuracy on the labelled schemas: every expected hierarchy found, none extra', () => {
  let found = 0;
  let expected = 0;
  let extra = 0;
  const missing: string[] = [];
  for (const s of [retail(), retailWithHeader(), tpch(), misleading()]) {
    const erd = proposeErd(s.catalog, { name: 't' });
    const { star } = detectHierarchies(proposeStar(erd, s.catalog), s.catalog, erd);
    const r = hierarchyAccuracy(s, star);
    found += r.found;
    expected += r.expected;
    extra += r.extra;
    missing.push(...r.missing);
  }
  process.stdout.write(`# hierarchy recall: ${found}/${expected}; extra: ${extra}\n`);
  assert.deepEqual(missing, []);
  assert.equal(extra, 0);
  assert.equal(expected, 15);
});

test('levels are ordered root to leaf with cardinalities; the calendar comes from the Date columns', () => {
  const s = tpch();
  const erd = proposeErd(s.catalog, { name: 't' });
  const { star } = detectHierarchies(proposeStar(erd, s.catalog), s.catalog, erd);
  const customer = star.dimensions.find((d) => d.name === 'customer');
  assert.deepEqual(customer?.hierarchies[0].levels, [
    { name: 'region', attribute: 'r_name', cardinality: 5 },
    { name: 'nation', attribute: 'n_name', cardinality: 25 },
    { name: 'customer', attribute: 'c_name', cardinality: 150_000 },
  ]);
  const date = star.dimensions.find((d) => d.name === 'date');
  assert.deepEqual(date?.hierarchies[0].levels.map((l) => `${l.name}:${l.cardinality}`), ['year:7', 'quarter:28', 'month:84', 'day:2554']);
});

test('no hierarchy where a step is not exact: orphans or optional references, equal cardinalities', () => {
  const s = tpch();
  // A nation with an unknown region breaks the region level for customers and suppliers.
  const r = s.catalog.relationships.find((x) => x.fromTable === 'tpch__nation');
  if (r) r.evidence.orphans = 2;
  const erd = proposeErd(s.catalog, { name: 't' });
  const { star } = detectHierarchies(proposeStar(erd, s.catalog), s.catalog, erd);
  const customer = star.dimensions.find((d) => d.name === 'customer');
  assert.deepEqual(customer?.hierarchies.map((h) => h.levels.map((l) => l.attribute)), [['n_name', 'c_name']]);

  // A one-to-one pair (code <-> name) is no level step.
  const m = misleading();
  const people = m.catalog.tables[1];
  people.dependencies = [fd(['town'], ['area'], 9)];
  const erd2 = proposeErd(m.catalog, { name: 't' });
  const out = detectHierarchies(proposeStar(erd2, m.catalog), m.catalog, erd2).star;
  assert.deepEqual(out.dimensions.find((d) => d.name === 'fact_people')?.hierarchies, []);
});
