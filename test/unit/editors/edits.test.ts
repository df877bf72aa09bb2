import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { applyErdEdit, applyStarEdit, EditError, freshBoxName, freshRelationshipName, freshRole, referencesTo, type StarEdit, type StarEditContext } from '../../../src/core/model/edits';
import type { ErdModel, StarModel } from '../../../src/core/model/model-types';
import { validateStar } from '../../../src/core/model/validate';
import { stableStringify } from '../../../src/core/project/json-file';
import { DocumentSync } from '../../../src/vscode/editors/model-document';
import { checkErd, checkStar } from '../../../webview/shared/model-check';
import { parseHostMessage, parseWebviewMessage } from '../../../webview/shared/protocol';
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

/** The retail ERD with the columns the retail star's fact joins on, so the star validates against it. */
function erdForStar(): ErdModel {
  const erd = retailErd();
  const line = erd.entities.find((e) => e.name === 'order_line');
  line?.columns.push({ name: 'customer_id', type: 'UInt64', nullable: false }, { name: 'ordered_at', type: 'DateTime', nullable: false });
  return erd;
}

const withErd = (): StarEditContext => ({ entities: erdForStar().entities });

/** A star edit applied with the ERD known; the result passes both the webview checks and src/core/model/validate.ts. */
function apply(m: StarModel, e: StarEdit): StarModel {
  const out = applyStarEdit(m, e, withErd());
  assert.ok(checkStar(out).ok, `checkStar after ${e.op}`);
  validateStar(out, 'models/retail.star.json', erdForStar());
  return out;
}

describe('applyStarEdit: adding and removing facts and dimensions', () => {
  it('addFact from an ERD entity: grain from the edit, empty measures and references, placed', () => {
    const m = apply(retailStar(), { op: 'addFact', fact: 'fact_orders', entity: 'sales_order', grain: ['order_id'], x: 10.4, y: 20.6 });
    const f = m.facts.find((x) => x.name === 'fact_orders');
    assert.deepEqual(f && { entity: f.entity, grain: f.grain, measures: f.measures, dimensions: f.dimensions, degenerate: f.degenerate }, {
      entity: 'sales_order', grain: ['order_id'], measures: [], dimensions: [], degenerate: [],
    });
    assert.deepEqual(m.layout.positions.fact_orders, { x: 10, y: 21 });
  });

  it('addFact refuses a taken or unusable name, an entity or grain column not in the ERD', () => {
    const add = (fact: string, entity: string, grain: string[]) => () => applyStarEdit(retailStar(), { op: 'addFact', fact, entity, grain, x: 0, y: 0 }, withErd());
    assert.throws(add('customer', 'sales_order', []), /cannot add fact "customer": a fact or dimension with that name exists/);
    assert.throws(add('bad name', 'sales_order', []), /fact name "bad name" must start with a letter/);
    assert.throws(add('f', 'ghost', []), /fact "f": entity "ghost" is not in the ERD/);
    assert.throws(add('f', 'sales_order', ['nope']), /fact "f" grain: entity "sales_order" has no column "nope"/);
    // Without the ERD only the shape of names is checked: a blank fact is a name and an entity name.
    const blank = applyStarEdit(retailStar(), { op: 'addFact', fact: 'f', entity: 'returns', grain: [], x: 0, y: 0 });
    assert.equal(blank.facts[1].entity, 'returns');
    assert.throws(() => applyStarEdit(retailStar(), { op: 'addFact', fact: 'f', entity: 'bad entity', grain: [], x: 0, y: 0 }), /entity name "bad entity"/);
  });

  it('addDimension: key and attributes from the edit, a surrogate key that collides with nothing, SCD1', () => {
    const m = apply(retailStar(), {
      op: 'addDimension', dimension: 'category', entity: 'category', naturalKey: ['category_id'],
      attributes: [{ name: 'label', column: 'label', type: 'String' }], x: 5, y: 6,
    });
    const d = m.dimensions.find((x) => x.name === 'category');
    assert.deepEqual(d && { nk: d.naturalKey, sk: d.surrogateKey, scd: d.scdType, attrs: d.attributes.map((a) => a.name) }, { nk: ['category_id'], sk: 'category_key', scd: 1, attrs: ['label'] });
    const clash = applyStarEdit(retailStar(), {
      op: 'addDimension', dimension: 'c', entity: 'category', naturalKey: ['category_id'], attributes: [{ name: 'c_key', column: 'label', type: 'String' }], x: 0, y: 0,
    }, withErd());
    assert.equal(clash.dimensions.at(-1)?.surrogateKey, 'c_key_2');
  });

  it('addDimension refuses a column not in the ERD entity and an attribute named twice', () => {
    assert.throws(() => applyStarEdit(retailStar(), { op: 'addDimension', dimension: 'c', entity: 'category', naturalKey: ['id'], attributes: [], x: 0, y: 0 }, withErd()),
      /dimension "c": entity "category" has no column "id"/);
    assert.throws(() => applyStarEdit(retailStar(), {
      op: 'addDimension', dimension: 'c', entity: 'category', naturalKey: ['category_id'], attributes: [{ name: 'category_id', column: 'label', type: 'String' }], x: 0, y: 0,
    }, withErd()), /attribute "category_id" appears twice/);
    assert.throws(() => applyStarEdit(retailStar(), { op: 'addDimension', dimension: 'date', entity: 'category', naturalKey: [], attributes: [], x: 0, y: 0 }), /name exists/);
  });

  it('deleteFact removes the fact and its position; deleteDimension removes its references (listed by referencesTo)', () => {
    const base = apply(retailStar(), { op: 'moveEntity', entity: 'fact_sales', x: 1, y: 1 });
    const m = apply(base, { op: 'deleteFact', fact: 'fact_sales' });
    assert.deepEqual([m.facts.length, m.layout.positions.fact_sales], [0, undefined]);
    const twoRoles = apply(retailStar(), { op: 'addReference', fact: 'fact_sales', reference: { dimension: 'customer', role: 'billed_customer', columns: ['customer_id'] } });
    assert.deepEqual(referencesTo(twoRoles, 'customer'), ['fact_sales.customer', 'fact_sales.billed_customer']);
    const d = apply(twoRoles, { op: 'deleteDimension', dimension: 'customer' });
    assert.deepEqual(d.facts[0].dimensions.map((r) => r.role), ['product', 'order_date']);
    assert.throws(() => applyStarEdit(retailStar(), { op: 'deleteFact', fact: 'ghost' }), /fact "ghost" does not exist/);
  });
});

describe('applyStarEdit: dimension references', () => {
  it('addReference appends a role-playing reference; removeReference removes it by role', () => {
    const m = apply(retailStar(), { op: 'addReference', fact: 'fact_sales', reference: { dimension: 'date', role: 'ship_date', columns: ['ordered_at'] } });
    assert.deepEqual(m.facts[0].dimensions[3], { dimension: 'date', role: 'ship_date', columns: ['ordered_at'] });
    const r = apply(m, { op: 'removeReference', fact: 'fact_sales', role: 'order_date' });
    assert.deepEqual(r.facts[0].dimensions.map((x) => x.role), ['customer', 'product', 'ship_date']);
    assert.throws(() => applyStarEdit(r, { op: 'removeReference', fact: 'fact_sales', role: 'order_date' }), /fact "fact_sales" has no dimension reference with role "order_date"/);
  });

  it('addReference refuses: a taken role, a missing dimension, no columns, a column count unlike the key, a column not in the ERD', () => {
    const add = (dimension: string, role: string, columns: string[]) => () =>
      applyStarEdit(retailStar(), { op: 'addReference', fact: 'fact_sales', reference: { dimension, role, columns } }, withErd());
    assert.throws(add('customer', 'product', ['customer_id']), /fact "fact_sales" already has a role "product"/);
    assert.throws(add('store', 'store', ['store_id']), /dimension "store" does not exist/);
    assert.throws(add('customer', 'buyer', []), /choose the fact column\(s\) it joins on/);
    assert.throws(add('customer', 'buyer', ['customer_id', 'order_id']), /natural key \(customer_id\) has 1 column\(s\), the reference gives 2/);
    assert.throws(add('customer', 'buyer', ['buyer_id']), /entity "order_line" has no column "buyer_id"/);
    assert.throws(add('customer', 'bad role', ['customer_id']), /role name "bad role"/);
  });

  it('freshRole and freshBoxName pick names nothing has', () => {
    const f = retailStar().facts[0];
    assert.equal(freshRole(f, 'store'), 'store');
    assert.equal(freshRole(f, 'customer'), 'customer_2');
    assert.equal(freshBoxName(retailStar(), 'customer'), 'customer_2');
    assert.equal(freshBoxName(retailStar(), 'fact_returns'), 'fact_returns');
  });
});

describe('applyStarEdit: measures, degenerate dimensions, natural keys', () => {
  it('measures: add, rename, change column / aggregation / additivity, remove', () => {
    let m = apply(retailStar(), { op: 'addMeasure', fact: 'fact_sales', measure: { name: 'lines', column: 'line_no', aggregation: 'count', additivity: 'additive' } });
    assert.deepEqual(m.facts[0].measures[2], { name: 'lines', column: 'line_no', aggregation: 'count', additivity: 'additive' });
    m = apply(m, { op: 'updateMeasure', fact: 'fact_sales', measure: 'lines', newName: 'line_count', column: 'order_id', aggregation: 'countDistinct', additivity: 'non-additive' });
    assert.deepEqual(m.facts[0].measures[2], { name: 'line_count', column: 'order_id', aggregation: 'countDistinct', additivity: 'non-additive' });
    m = apply(m, { op: 'removeMeasure', fact: 'fact_sales', measure: 'quantity' });
    assert.deepEqual(m.facts[0].measures.map((x) => x.name), ['amount', 'line_count']);
  });

  it('measure refusals name the measure and the cause', () => {
    const s = retailStar();
    assert.throws(() => applyStarEdit(s, { op: 'addMeasure', fact: 'fact_sales', measure: { name: 'amount', column: 'amount', aggregation: 'sum', additivity: 'additive' } }), /measure "fact_sales.amount" already exists/);
    assert.throws(() => applyStarEdit(s, { op: 'addMeasure', fact: 'fact_sales', measure: { name: 'tax', column: 'tax', aggregation: 'sum', additivity: 'additive' } }, withErd()), /measure "fact_sales.tax": entity "order_line" has no column "tax"/);
    assert.throws(() => applyStarEdit(s, { op: 'updateMeasure', fact: 'fact_sales', measure: 'amount', newName: 'quantity' }), /cannot rename measure "fact_sales.amount": "quantity" exists/);
    assert.throws(() => applyStarEdit(s, { op: 'updateMeasure', fact: 'fact_sales', measure: 'amount', column: 'ghost' }, withErd()), /has no column "ghost"/);
    assert.throws(() => applyStarEdit(s, { op: 'removeMeasure', fact: 'fact_sales', measure: 'ghost' }), /measure "fact_sales.ghost" does not exist/);
  });

  it('degenerate dimensions: add, remove, refusals', () => {
    let m = apply(retailStar(), { op: 'addDegenerate', fact: 'fact_sales', column: 'line_no' });
    assert.deepEqual(m.facts[0].degenerate, ['order_id', 'line_no']);
    m = apply(m, { op: 'removeDegenerate', fact: 'fact_sales', column: 'order_id' });
    assert.deepEqual(m.facts[0].degenerate, ['line_no']);
    assert.throws(() => applyStarEdit(m, { op: 'addDegenerate', fact: 'fact_sales', column: 'line_no' }), /already keeps "line_no"/);
    assert.throws(() => applyStarEdit(m, { op: 'removeDegenerate', fact: 'fact_sales', column: 'order_id' }), /has no degenerate dimension "order_id"/);
    assert.throws(() => applyStarEdit(m, { op: 'addDegenerate', fact: 'fact_sales', column: 'ghost' }, withErd()), /degenerate dimension of "fact_sales": entity "order_line" has no column "ghost"/);
  });

  it('setNaturalKey changes the key and drops tracked columns that left; SCD type switches', () => {
    const s = retailStar();
    s.dimensions[0].tracked = ['customer_id', 'city'];
    let m = apply(s, { op: 'setNaturalKey', dimension: 'customer', columns: ['name'] });
    assert.deepEqual([m.dimensions[0].naturalKey, m.dimensions[0].tracked], [['name'], ['city']]);
    m = apply(m, { op: 'setScdType', dimension: 'customer', scdType: 1 });
    assert.deepEqual([m.dimensions[0].scdType, m.dimensions[0].tracked], [1, undefined]);
  });

  it('setNaturalKey refuses what would break the file: reference column counts, hierarchies, the date key, empty keys, unknown columns', () => {
    const s = retailStar();
    const set = (m: StarModel, dimension: string, columns: string[]) => () => applyStarEdit(m, { op: 'setNaturalKey', dimension, columns }, withErd());
    assert.throws(set(s, 'product', ['product_id', 'title']), /fact "fact_sales" joins on 1 column\(s\) \(product_id\) as "product"; remove that reference first/);
    assert.throws(set(s, 'date', ['year']), /generated date dimension is keyed by its date/);
    assert.throws(set(s, 'customer', []), /needs at least one column/);
    assert.throws(set(s, 'customer', ['ghost']), /natural key of "customer": entity "customer" has no column "ghost"/);
    assert.throws(set(s, 'customer', ['name', 'name']), /a column appears twice/);
    const h = retailStar();
    h.dimensions[0].hierarchies[0].levels.push({ name: 'customer', attribute: 'customer_id', cardinality: 100 });
    assert.throws(set(h, 'customer', ['name']), /hierarchy "geography" uses "customer_id", which would no longer be a column/);
  });
});

describe('applyStarEdit: hierarchies', () => {
  const at = { dimension: 'customer', hierarchy: 'geography' };
  const levels = (m: StarModel, dim = 'customer', h = 'geography') =>
    m.dimensions.find((d) => d.name === dim)?.hierarchies.find((x) => x.name === h)?.levels.map((l) => `${l.attribute}:${l.cardinality}`);

  it('addHierarchy: levels root to leaf from attributes and natural-key columns; unmeasured levels get 0 (unknown)', () => {
    let m = apply(retailStar(), { op: 'addHierarchy', dimension: 'customer', hierarchy: 'by_city', levels: ['city', 'customer_id'] });
    assert.deepEqual(m.dimensions[0].hierarchies[1], {
      name: 'by_city',
      levels: [
        { name: 'city', attribute: 'city', cardinality: 40 },
        { name: 'customer_id', attribute: 'customer_id', cardinality: 0 },
      ],
    }, 'city keeps the cardinality geography measured; the key level is unknown');
    m = apply(m, { op: 'addHierarchy', dimension: 'date', hierarchy: 'fiscal', levels: ['year', 'month'] });
    assert.deepEqual(levels(m, 'date', 'fiscal'), ['year:3', 'month:36']);
    assert.deepEqual(retailStar().dimensions[0].hierarchies.length, 1, 'input not mutated');
  });

  it('addHierarchy refusals: duplicate name, too few levels, unknown attribute, an attribute twice, a bad name, an unknown dimension', () => {
    const s = retailStar();
    const add = (hierarchy: string, lv: string[], dimension = 'customer') => () => applyStarEdit(s, { op: 'addHierarchy', dimension, hierarchy, levels: lv });
    assert.throws(add('geography', ['country', 'name']), /^EditError: dimension "customer" already has a hierarchy "geography"$/);
    assert.throws(add('h', ['country']), /hierarchy "customer.h" needs at least 2 levels \(root to leaf\)/);
    assert.throws(add('h', []), /needs at least 2 levels/);
    assert.throws(add('h', ['country', 'zip']), /hierarchy "customer.h": "zip" is not an attribute of dimension "customer"/);
    assert.throws(add('h', ['country', 'city', 'country']), /hierarchy "customer.h" already has a level on "country"/);
    assert.throws(add('bad name', ['country', 'city']), /hierarchy name "bad name" must start with a letter/);
    assert.throws(add('h', ['year', 'month'], 'nope'), /dimension "nope" does not exist/);
  });

  it('renameHierarchy and removeHierarchy; refusals name the hierarchy', () => {
    let m = apply(retailStar(), { op: 'renameHierarchy', ...at, newName: 'geo' });
    assert.deepEqual(m.dimensions[0].hierarchies.map((h) => h.name), ['geo']);
    m = apply(m, { op: 'addHierarchy', dimension: 'customer', hierarchy: 'names', levels: ['country', 'name'] });
    assert.throws(() => applyStarEdit(m, { op: 'renameHierarchy', dimension: 'customer', hierarchy: 'names', newName: 'geo' }), /cannot rename hierarchy "customer.names": dimension "customer" already has a hierarchy "geo"/);
    assert.throws(() => applyStarEdit(m, { op: 'renameHierarchy', dimension: 'customer', hierarchy: 'names', newName: '9x' }), /hierarchy name "9x"/);
    assert.throws(() => applyStarEdit(m, { op: 'removeHierarchy', ...at }), /dimension "customer" has no hierarchy "geography"/);
    m = apply(m, { op: 'removeHierarchy', dimension: 'customer', hierarchy: 'geo' });
    assert.deepEqual(m.dimensions[0].hierarchies.map((h) => h.name), ['names']);
    assert.equal(applyStarEdit(m, { op: 'renameHierarchy', dimension: 'customer', hierarchy: 'names', newName: 'names' }).dimensions[0].hierarchies[0].name, 'names', 'same name: no change');
  });

  it('levels: add at the leaf or at a position, move (the cardinality goes with the level), remove', () => {
    let m = apply(retailStar(), { op: 'addLevel', ...at, attribute: 'name' });
    assert.deepEqual(levels(m), ['country:3', 'city:40', 'name:0']);
    m = apply(m, { op: 'addLevel', ...at, attribute: 'customer_id', at: 0 });
    assert.deepEqual(levels(m), ['customer_id:0', 'country:3', 'city:40', 'name:0']);
    m = apply(m, { op: 'moveLevel', ...at, attribute: 'customer_id', to: 3 });
    assert.deepEqual(levels(m), ['country:3', 'city:40', 'name:0', 'customer_id:0']);
    m = apply(m, { op: 'moveLevel', ...at, attribute: 'city', to: 0 });
    assert.deepEqual(levels(m), ['city:40', 'country:3', 'name:0', 'customer_id:0']);
    m = apply(m, { op: 'removeLevel', ...at, attribute: 'name' });
    m = apply(m, { op: 'removeLevel', ...at, attribute: 'customer_id' });
    assert.deepEqual(levels(m), ['city:40', 'country:3']);
  });

  it('level refusals: not an attribute, twice in the hierarchy, fewer than 2 levels, bad positions, unknown level', () => {
    const s = retailStar();
    const fails = (e: StarEdit, re: RegExp) => assert.throws(() => applyStarEdit(s, e), re);
    fails({ op: 'addLevel', ...at, attribute: 'zip' }, /hierarchy "customer.geography": "zip" is not an attribute of dimension "customer"/);
    fails({ op: 'addLevel', ...at, attribute: 'city' }, /hierarchy "customer.geography" already has a level on "city"/);
    fails({ op: 'addLevel', ...at, attribute: 'name', at: 5 }, /no position 5 for a new level \(it has 2 levels\)/);
    fails({ op: 'removeLevel', ...at, attribute: 'city' }, /hierarchy "customer.geography" needs at least 2 levels: remove the hierarchy instead/);
    fails({ op: 'removeLevel', ...at, attribute: 'name' }, /hierarchy "customer.geography" has no level on "name"/);
    fails({ op: 'moveLevel', ...at, attribute: 'city', to: 2 }, /level "city" cannot move to position 2 \(it has 2 levels\)/);
    fails({ op: 'moveLevel', ...at, attribute: 'city', to: -1 }, /cannot move to position -1/);
    fails({ op: 'addLevel', dimension: 'customer', hierarchy: 'ghost', attribute: 'name' }, /dimension "customer" has no hierarchy "ghost"/);
  });

  it('a new level on the generated date dimension comes from its calendar attributes or its date key', () => {
    const m = apply(retailStar(), { op: 'addLevel', dimension: 'date', hierarchy: 'calendar', attribute: 'date' });
    assert.deepEqual(levels(m, 'date', 'calendar'), ['year:3', 'quarter:12', 'month:36', 'date:0']);
    assert.throws(() => applyStarEdit(m, { op: 'addLevel', dimension: 'date', hierarchy: 'calendar', attribute: 'week' }), /"week" is not an attribute of dimension "date"/);
  });

  it('a new level whose attribute shares a name with another level gets a distinct level name', () => {
    const s = retailStar();
    s.dimensions[0].hierarchies[0].levels[0].name = 'name';
    const m = apply(s, { op: 'addLevel', ...at, attribute: 'name' });
    assert.deepEqual(m.dimensions[0].hierarchies[0].levels.map((l) => `${l.name}=${l.attribute}`), ['name=country', 'city=city', 'name_2=name']);
  });
});

describe('star edits across the protocol and the host', () => {
  it('every new edit kind passes the protocol check; malformed ones are rejected with a path', () => {
    const ok: StarEdit[] = [
      { op: 'addFact', fact: 'f', entity: 'e', grain: [], x: 1, y: 2 },
      { op: 'addDimension', dimension: 'd', entity: 'e', naturalKey: ['id'], attributes: [{ name: 'a', column: 'a', type: 'String' }], x: 1, y: 2 },
      { op: 'setNaturalKey', dimension: 'd', columns: ['id'] },
      { op: 'addMeasure', fact: 'f', measure: { name: 'm', column: 'c', aggregation: 'sum', additivity: 'additive' } },
      { op: 'updateMeasure', fact: 'f', measure: 'm', newName: 'n', column: 'c' },
      { op: 'removeMeasure', fact: 'f', measure: 'm' },
      { op: 'addDegenerate', fact: 'f', column: 'c' },
      { op: 'removeDegenerate', fact: 'f', column: 'c' },
      { op: 'addReference', fact: 'f', reference: { dimension: 'd', role: 'r', columns: ['c'] } },
      { op: 'removeReference', fact: 'f', role: 'r' },
      { op: 'addHierarchy', dimension: 'd', hierarchy: 'h', levels: ['a', 'b'] },
      { op: 'renameHierarchy', dimension: 'd', hierarchy: 'h', newName: 'g' },
      { op: 'removeHierarchy', dimension: 'd', hierarchy: 'h' },
      { op: 'addLevel', dimension: 'd', hierarchy: 'h', attribute: 'c' },
      { op: 'addLevel', dimension: 'd', hierarchy: 'h', attribute: 'c', at: 0 },
      { op: 'removeLevel', dimension: 'd', hierarchy: 'h', attribute: 'c' },
      { op: 'moveLevel', dimension: 'd', hierarchy: 'h', attribute: 'c', to: 1 },
    ];
    for (const edit of ok) assert.ok(parseWebviewMessage({ type: 'edit', kind: 'star', edit }).ok, edit.op);
    const bad = (edit: unknown) => {
      const r = parseWebviewMessage({ type: 'edit', kind: 'star', edit });
      return r.ok ? 'accepted' : `${r.problem.path}: ${r.problem.message}`;
    };
    assert.equal(bad({ op: 'addReference', fact: 'f', reference: { dimension: 'd', role: 'r' } }), '/edit/reference: missing required property "columns"');
    assert.equal(bad({ op: 'addMeasure', fact: 'f', measure: { name: 'm', column: 'c', aggregation: 'median', additivity: 'additive' } }), '/edit/measure/aggregation: must be one of "sum", "count", "avg", "min", "max", "countDistinct"');
    assert.equal(bad({ op: 'removeReference', fact: 'f', role: '' }), '/edit/role: must be a non-empty string');
    assert.equal(bad({ op: 'addFact', fact: 'f', entity: 'e', grain: 'id', x: 0, y: 0 }), '/edit/grain: must be an array');
    assert.equal(bad({ op: 'moveLevel', dimension: 'd', hierarchy: 'h', attribute: 'c', to: 1.5 }), '/edit/to: must be an integer');
    assert.equal(bad({ op: 'addHierarchy', dimension: 'd', hierarchy: 'h', levels: ['a', ''] }), '/edit/levels/1: must be a non-empty string');
    assert.equal(bad({ op: 'renameHierarchy', dimension: 'd', hierarchy: 'h' }), '/edit: missing required property "newName"');
    assert.equal(parseWebviewMessage({ type: 'edit', kind: 'erd', edit: { op: 'addReference', fact: 'f', reference: { dimension: 'd', role: 'r', columns: ['c'] } } }).ok, false, 'star-only op in an ERD edit');
  });

  it('the ERD context message is checked on the webview side', () => {
    assert.ok(parseHostMessage({ type: 'erdContext', erd: 'models/retail.erd.json', entities: retailErd().entities }).ok);
    assert.ok(parseHostMessage({ type: 'erdContext', erd: null, entities: [], problem: 'models/x.erd.json cannot be read' }).ok);
    const bad = parseHostMessage({ type: 'erdContext', erd: 'models/retail.erd.json', entities: [{ name: 'e', columns: [{ name: 'c' }], primaryKey: [] }] });
    assert.equal(bad.ok ? '' : `${bad.problem.path}: ${bad.problem.message}`, '/entities/0/columns/0: missing required property "type"');
  });

  it('the host applies star edits with the ERD as context: a good one is written, a bad one refused with its reason', () => {
    const star = retailStar();
    star.erd = 'models/retail.erd.json';
    const text = stableStringify(star);
    const sync = new DocumentSync('star', 'models/retail.star.json');
    sync.context = withErd();
    sync.ready(text);
    const ok = sync.edit(text, { op: 'addReference', fact: 'fact_sales', reference: { dimension: 'date', role: 'ship_date', columns: ['ordered_at'] } });
    assert.ok('write' in ok && ok.write?.includes('"ship_date"'));
    const refused = sync.edit(text, { op: 'addMeasure', fact: 'fact_sales', measure: { name: 'tax', column: 'tax', aggregation: 'sum', additivity: 'additive' } });
    assert.ok('refuse' in refused);
    assert.deepEqual(refused.refuse[0], { type: 'notice', level: 'error', message: 'addMeasure: measure "fact_sales.tax": entity "order_line" has no column "tax"' });
  });

  it('the host writes a hierarchy edit through the file checks and refuses a bad one with its reason', () => {
    const text = stableStringify(retailStar());
    const sync = new DocumentSync('star', 'models/retail.star.json');
    sync.ready(text);
    const ok = sync.edit(text, { op: 'addHierarchy', dimension: 'customer', hierarchy: 'by_name', levels: ['country', 'name'] });
    assert.ok('write' in ok && ok.write?.includes('"by_name"'));
    const refused = sync.edit(text, { op: 'removeLevel', dimension: 'customer', hierarchy: 'geography', attribute: 'city' });
    assert.ok('refuse' in refused);
    assert.deepEqual(refused.refuse[0], { type: 'notice', level: 'error', message: 'removeLevel: hierarchy "customer.geography" needs at least 2 levels: remove the hierarchy instead' });
  });
});
