import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyDecomposition, proposeErd } from '../../../src/core/model/erd-proposal';
import { mergeErd } from '../../../src/core/model/merge';
import { applyErdEdit, applyStarEdit, type ErdEdit, type StarEdit } from '../../../src/core/model/edits';
import { mergeStar, proposeStar } from '../../../src/core/model/star-proposal';
import { detectHierarchies } from '../../../src/core/model/hierarchies';
import { validateErd, validateStar } from '../../../src/core/model/validate';
import type { ErdModel } from '../../../src/core/model/model-types';
import { retail } from './builders';

test('proposing again keeps the edits made in the editor and takes the catalog changes', () => {
  const r = retail();
  let erd: ErdModel = proposeErd(r.catalog, { name: 'shop' });
  erd = applyDecomposition(erd, 'customers:city');
  const edits: ErdEdit[] = [
    { op: 'renameEntity', entity: 'customers', newName: 'customer_dim' },
    { op: 'updateColumn', entity: 'customer_dim', column: 'first_name', changes: { name: 'given_name', type: 'LowCardinality(String)' } },
    { op: 'addColumn', entity: 'customer_dim', column: { name: 'note', type: 'String', nullable: true } },
    { op: 'updateRelationship', relationship: 'fk_sales_lines_store_id', changes: { optional: true } },
    { op: 'addEntity', entity: 'brands', x: 10, y: 10 },
    { op: 'addColumn', entity: 'brands', column: { name: 'brand', type: 'String', nullable: false } },
    { op: 'moveEntity', entity: 'stores', x: 777, y: 55 },
  ];
  for (const e of edits) erd = applyErdEdit(erd, e);
  erd = applyErdEdit(erd, {
    op: 'addRelationship',
    relationship: { name: 'fk_products_brand', from: { entity: 'products', columns: ['brand'] }, to: { entity: 'brands', columns: ['brand'] }, cardinality: 'many-to-one', optional: false },
  });
  validateErd(erd, 'edited');

  // The catalog moves on: customers gain a column and lose one.
  const customers = r.catalog.tables[1];
  customers.columns = customers.columns.filter((c) => c.name !== 'phone');
  customers.columns.push({ ...customers.columns[1], name: 'loyalty_tier', position: 99 });
  const merged = mergeErd(erd, proposeErd(r.catalog, { name: 'shop' }));
  validateErd(merged, 'merged');

  const c = merged.entities.find((e) => e.name === 'customer_dim');
  assert.ok(c, 'the renamed entity keeps its name');
  assert.ok(!merged.entities.some((e) => e.name === 'customers'));
  const names = c.columns.map((x) => x.name);
  assert.ok(names.includes('given_name') && names.includes('note') && names.includes('loyalty_tier'));
  assert.ok(!names.includes('phone') && !names.includes('first_name'));
  assert.ok(!names.includes('state'), 'the accepted split is applied again');
  assert.equal(c.columns.find((x) => x.name === 'given_name')?.type, 'LowCardinality(String)');
  assert.equal(c.columns.find((x) => x.name === 'given_name')?.source?.column, 'first_name');
  assert.ok(merged.entities.some((e) => e.name === 'city' && e.derivedFrom === 'customer_dim'));
  assert.equal(merged.decompositions.find((d) => d.id === 'customers:city')?.status, 'accepted');
  const fk = merged.relationships.find((x) => x.catalogId?.includes('customer_id'));
  assert.deepEqual(fk?.to, { entity: 'customer_dim', columns: ['customer_id'] });
  assert.equal(merged.relationships.find((x) => x.name === 'fk_sales_lines_store_id')?.optional, true);
  assert.ok(merged.relationships.some((x) => x.name === 'fk_products_brand'));
  assert.ok(merged.entities.some((e) => e.name === 'brands'));
  assert.deepEqual(merged.layout.positions.stores, { x: 777, y: 55 });
  assert.equal(merged.relationships.filter((x) => x.to.entity === 'city').length, 1, 'no duplicate of the split relationship');
});

test('designing the star again keeps renamed facts and dimensions, SCD choices, aggregations and hierarchies', () => {
  const r = retail();
  const erd = proposeErd(r.catalog, { name: 'shop' });
  const star = detectHierarchies(proposeStar(erd, r.catalog), r.catalog, erd).star;
  let edited = star;
  for (const e of [
    { op: 'renameFact', fact: 'sales_lines', newName: 'fact_sales' },
    { op: 'renameDimension', dimension: 'customer', newName: 'dim_customer' },
    { op: 'setScdType', dimension: 'dim_customer', scdType: 1 },
    { op: 'updateMeasure', fact: 'fact_sales', measure: 'quantity', aggregation: 'max' },
  ] as StarEdit[])
    edited = applyStarEdit(edited, e);
  validateStar(edited, 'edited', erd);
  const merged = mergeStar(edited, proposeStar(erd, r.catalog));
  validateStar(merged, 'merged', erd);
  assert.deepEqual(merged.facts.map((f) => f.name), ['fact_sales']);
  const c = merged.dimensions.find((d) => d.entity === 'customers');
  assert.equal(c?.name, 'dim_customer');
  assert.equal(c?.scdType, 1);
  assert.equal(c?.tracked, undefined);
  assert.ok((c?.hierarchies.length ?? 0) > 0, 'hierarchies kept');
  assert.equal(merged.facts[0].measures.find((m) => m.column === 'quantity')?.aggregation, 'max');
  assert.ok(merged.facts[0].dimensions.some((d) => d.dimension === 'dim_customer'));
  assert.deepEqual(merged.layout.positions.dim_customer, edited.layout.positions.dim_customer);
});
