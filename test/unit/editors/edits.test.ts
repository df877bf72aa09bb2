import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { applyErdEdit, applyStarEdit, EditError, freshRelationshipName } from '../../../src/core/model/edits';
import { checkErd, checkStar } from '../../../webview/shared/model-check';
import { retailErd, retailStar } from './fixtures';

describe('applyErdEdit', () => {
  it('moveEntity sets the rounded position and touches nothing else', () => {
    const before = retailErd();
    const after = applyErdEdit(before, { op: 'moveEntity', entity: 'customer', x: 101.6, y: 7.2 });
    assert.deepEqual(after.layout.positions.customer, { x: 102, y: 7 });
    assert.deepEqual(before.layout.positions.customer, { x: 40, y: 40 }, 'input not mutated');
    assert.deepEqual({ ...after, layout: before.layout }, before);
  });

  it('renameEntity follows the name into relationships, groups and layout', () => {
    const m = applyErdEdit(retailErd(), { op: 'renameEntity', entity: 'customer', newName: 'client' });
    assert.ok(m.entities.some((e) => e.name === 'client'));
    assert.equal(m.relationships.find((r) => r.name === 'order_customer')?.to.entity, 'client');
    assert.deepEqual(m.layout.positions.client, { x: 40, y: 40 });
    assert.equal(m.layout.positions.customer, undefined);
    assert.ok(checkErd(m).ok);
  });

  it('refuses a rename onto an existing name or an unusable identifier', () => {
    assert.throws(() => applyErdEdit(retailErd(), { op: 'renameEntity', entity: 'customer', newName: 'product' }), /an entity with that name exists/);
    assert.throws(() => applyErdEdit(retailErd(), { op: 'renameEntity', entity: 'customer', newName: 'bad name' }), EditError);
    assert.throws(() => applyErdEdit(retailErd(), { op: 'renameEntity', entity: 'nope', newName: 'x' }), /entity "nope" does not exist/);
  });

  it('deleteEntity removes its relationships, group membership and position', () => {
    const m = applyErdEdit(retailErd(), { op: 'deleteEntity', entity: 'sales_order' });
    assert.equal(m.entities.length, 4);
    assert.deepEqual(m.relationships.map((r) => r.name).sort(), ['line_product', 'product_category']);
    assert.deepEqual(m.groups[0].entities, ['order_line']);
    assert.equal(m.layout.positions.sales_order, undefined);
    assert.ok(checkErd(m).ok);
  });

  it('column edits: add, rename (follows keys and relationships), retype, nullability, remove', () => {
    let m = applyErdEdit(retailErd(), { op: 'addColumn', entity: 'customer', column: { name: 'email', type: 'String', nullable: true } });
    assert.equal(m.entities[0].columns.at(-1)?.name, 'email');
    m = applyErdEdit(m, { op: 'updateColumn', entity: 'customer', column: 'customer_id', changes: { name: 'id', type: 'UInt32', nullable: false } });
    assert.deepEqual(m.entities[0].primaryKey, ['id']);
    assert.deepEqual(m.relationships.find((r) => r.name === 'order_customer')?.to.columns, ['id']);
    assert.equal(m.entities[0].columns[0].type, 'UInt32');
    m = applyErdEdit(m, { op: 'removeColumn', entity: 'customer', column: 'id' });
    assert.deepEqual(m.entities[0].primaryKey, []);
    assert.equal(m.relationships.some((r) => r.name === 'order_customer'), false, 'a relationship over a removed column goes with it');
    assert.ok(checkErd(m).ok);
    assert.throws(() => applyErdEdit(m, { op: 'addColumn', entity: 'customer', column: { name: 'name', type: 'String', nullable: false } }), /already exists/);
  });

  it('setPrimaryKey checks the columns exist', () => {
    const m = applyErdEdit(retailErd(), { op: 'setPrimaryKey', entity: 'customer', columns: ['customer_id', 'name'] });
    assert.deepEqual(m.entities[0].primaryKey, ['customer_id', 'name']);
    assert.throws(() => applyErdEdit(retailErd(), { op: 'setPrimaryKey', entity: 'customer', columns: ['ghost'] }), /column "ghost" does not exist/);
  });

  it('relationships: add (checked ends), update cardinality/optional/name, delete', () => {
    const base = retailErd();
    const name = freshRelationshipName(base, 'sales_order', 'customer');
    let m = applyErdEdit(base, {
      op: 'addRelationship',
      relationship: { name, from: { entity: 'sales_order', columns: ['customer_id'] }, to: { entity: 'customer', columns: ['customer_id'] }, cardinality: 'many-to-one', optional: true },
    });
    assert.equal(m.relationships.length, 5);
    assert.notEqual(freshRelationshipName(m, 'sales_order', 'customer'), name);
    m = applyErdEdit(m, { op: 'updateRelationship', relationship: name, changes: { cardinality: 'one-to-one', optional: false, name: 'renamed' } });
    assert.deepEqual(m.relationships.find((r) => r.name === 'renamed'), {
      name: 'renamed', from: { entity: 'sales_order', columns: ['customer_id'] }, to: { entity: 'customer', columns: ['customer_id'] }, cardinality: 'one-to-one', optional: false,
    });
    m = applyErdEdit(m, { op: 'deleteRelationship', relationship: 'renamed' });
    assert.equal(m.relationships.length, 4);
    assert.throws(
      () => applyErdEdit(base, { op: 'addRelationship', relationship: { name: 'x', from: { entity: 'sales_order', columns: ['ghost'] }, to: { entity: 'customer', columns: ['customer_id'] }, cardinality: 'many-to-one', optional: false } }),
      /column "sales_order.ghost" does not exist/,
    );
  });

  it('setPositions places several boxes and refuses unknown ones', () => {
    const m = applyErdEdit(retailErd(), { op: 'setPositions', positions: { customer: { x: 1, y: 2 }, product: { x: 3, y: 4 } } });
    assert.deepEqual(m.layout.positions.product, { x: 3, y: 4 });
    assert.throws(() => applyErdEdit(retailErd(), { op: 'setPositions', positions: { ghost: { x: 1, y: 2 } } }), /no such box/);
  });
});

describe('applyStarEdit', () => {
  it('renameDimension follows into fact references and default roles, not custom roles', () => {
    const m = applyStarEdit(retailStar(), { op: 'renameDimension', dimension: 'date', newName: 'calendar' });
    const refs = m.facts[0].dimensions;
    assert.deepEqual(refs[2], { dimension: 'calendar', role: 'order_date', columns: ['ordered_at'] });
    const c = applyStarEdit(retailStar(), { op: 'renameDimension', dimension: 'customer', newName: 'client' });
    assert.deepEqual(c.facts[0].dimensions[0], { dimension: 'client', role: 'client', columns: ['customer_id'] });
    assert.ok(checkStar(c).ok);
  });

  it('SCD type, measure aggregation and roles', () => {
    let m = applyStarEdit(retailStar(), { op: 'setScdType', dimension: 'customer', scdType: 1 });
    assert.equal(m.dimensions[0].scdType, 1);
    m = applyStarEdit(m, { op: 'updateMeasure', fact: 'fact_sales', measure: 'amount', aggregation: 'avg', additivity: 'non-additive' });
    assert.deepEqual(m.facts[0].measures[1], { name: 'amount', column: 'amount', aggregation: 'avg', additivity: 'non-additive' });
    m = applyStarEdit(m, { op: 'setRole', fact: 'fact_sales', index: 2, role: 'sale_date' });
    assert.equal(m.facts[0].dimensions[2].role, 'sale_date');
    assert.throws(() => applyStarEdit(m, { op: 'setRole', fact: 'fact_sales', index: 0, role: 'product' }), /already has a role "product"/);
  });

  it('deleteDimension drops the references to it', () => {
    const m = applyStarEdit(retailStar(), { op: 'deleteDimension', dimension: 'product' });
    assert.deepEqual(m.facts[0].dimensions.map((r) => r.dimension), ['customer', 'date']);
    assert.ok(checkStar(m).ok);
  });
});
