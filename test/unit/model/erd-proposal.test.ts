import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyDecomposition, proposeErd, rejectDecomposition } from '../../../src/core/model/erd-proposal';
import { mergeErd } from '../../../src/core/model/merge';
import { validateErd, validateStar } from '../../../src/core/model/validate';
import { proposeStar } from '../../../src/core/model/star-proposal';
import { catalog, col, fd, rel, retail, table } from './builders';

test('one entity per bronze table, named from the object part, typed from the catalog with decisions applied', () => {
  const r = retail();
  r.catalog.decisions.renames['shop__customers.segment'] = 'Customer Segment';
  r.catalog.decisions.typeOverrides['shop__stores.floor_area'] = { type: 'Float64' };
  r.catalog.decisions.primaryKeys['shop__products'] = ['product_name'];
  const erd = proposeErd(r.catalog, { name: 'shop', catalogPath: '.kimball/catalog/bronze.catalog.json' });
  assert.deepEqual(erd.entities.map((e) => e.name), ['sales_lines', 'customers', 'products', 'categories', 'stores']);
  const customers = erd.entities[1];
  assert.equal(customers.sourceTable, 'shop__customers');
  assert.deepEqual(customers.primaryKey, ['customer_id']);
  assert.ok(customers.columns.some((c) => c.name === 'customer_segment' && c.source?.column === 'segment'));
  const area = erd.entities[4].columns.find((c) => c.name === 'floor_area');
  assert.deepEqual(area?.source, { column: 'floor_area', expression: "accurateCastOrNull({col}, 'Float64')" });
  assert.equal(area?.type, 'Float64');
  assert.deepEqual(erd.entities[2].primaryKey, ['product_name'], 'decisions.primaryKeys win');
  const sale = erd.entities[0].columns.find((c) => c.name === 'customer_id');
  assert.equal(sale?.nullable, true);
  assert.equal(sale?.source?.expression, 'toInt64OrNull({col})');
  validateErd(erd, 'shop.erd.json');
});

test('relationships: accepted, or proposed above the threshold; rejected and weak ones never; optional from NULLs', () => {
  const r = retail();
  const erd = proposeErd(r.catalog, { name: 'shop' });
  assert.deepEqual(
    erd.relationships.map((x) => `${x.from.entity}.${x.from.columns}->${x.to.entity}.${x.to.columns}:${x.cardinality}:${x.optional}`),
    [
      'sales_lines.product_id->products.product_id:many-to-one:false',
      'sales_lines.store_id->stores.store_id:many-to-one:false',
      'sales_lines.customer_id->customers.customer_id:many-to-one:true',
      'products.category_id->categories.category_id:many-to-one:false',
    ],
  );
  // A user's rejection in decisions wins over a discovered status.
  r.catalog.decisions.relationships[r.catalog.relationships[1].id] = 'rejected';
  assert.equal(proposeErd(r.catalog, { name: 'shop' }).relationships.length, 3);
});

test('colliding object names are prefixed by their source; names are sanitized', () => {
  const c = catalog(
    [table('crm__customers', 10, [col('ID', 'Int64')]), table('shop__customers', 10, [col('id', 'Int64')]), table('x__2024 Sales-Report', 5, [col('a b', 'String')])],
    [],
  );
  const erd = proposeErd(c, { name: 'n' });
  assert.deepEqual(erd.entities.map((e) => e.name), ['crm_customers', 'shop_customers', 't_2024_sales_report']);
  assert.equal(erd.entities[2].columns[0].name, 'a_b');
  assert.equal(erd.groups.length, 1);
  assert.equal(erd.groups[0].name, 'unrelated');
});

test('denormalisation: redundant copies of a referenced entity are dropped, not split out', () => {
  const erd = proposeErd(retail().catalog, { name: 'shop' });
  const d = erd.decompositions.find((x) => x.entity === 'sales_lines');
  assert.ok(d);
  assert.equal(d.newEntity, 'products');
  assert.deepEqual(d.columns, ['product_name']);
  assert.match(d.reason, /already holds them: drop the redundant copies/);
  const applied = applyDecomposition(erd, d.id);
  assert.ok(!applied.entities[0].columns.some((c) => c.name === 'product_name'));
  assert.equal(applied.entities.length, erd.entities.length);
  assert.equal(applied.decompositions.find((x) => x.id === d.id)?.status, 'accepted');
  validateErd(applied, 'shop.erd.json');
});

test('denormalisation: an FD with no entity behind the determinant proposes a new entity; apply and reject', () => {
  const lines = table(
    'pos__order_lines',
    1000,
    [
      col('line_id', 'Int64'),
      col('product_code', 'String', { distinct: 50 }),
      col('product_title', 'String', { distinct: 50 }),
      col('product_price', 'Decimal(18,2)', { distinct: 45 }),
      col('supplier_code', 'String', { distinct: 5 }),
      col('supplier_name', 'String', { distinct: 5 }),
      col('qty', 'Int32', { distinct: 9 }),
    ],
    {
      pk: ['line_id'],
      deps: [
        fd(['product_code'], ['product_title', 'product_price', 'supplier_code'], 50),
        fd(['supplier_code'], ['supplier_name'], 5),
        fd(['line_id'], ['qty'], 1000),
      ],
    },
  );
  const erd = proposeErd(catalog([lines], []), { name: 'pos' });
  assert.equal(erd.decompositions.length, 1, 'the chain product -> supplier -> name is one split; the key determinant none');
  const d = erd.decompositions[0];
  assert.deepEqual([d.newEntity, d.key, d.columns.sort()], ['product', ['product_code'], ['product_price', 'product_title', 'supplier_code', 'supplier_name']]);
  assert.match(d.reason, /20\.0 times/);
  const applied = applyDecomposition(erd, d.id);
  const product = applied.entities.find((e) => e.name === 'product');
  assert.ok(product);
  assert.equal(product.derivedFrom, 'order_lines');
  assert.deepEqual(product.primaryKey, ['product_code']);
  assert.deepEqual(applied.entities[0].columns.map((c) => c.name), ['line_id', 'product_code', 'qty']);
  const link = applied.relationships.find((r) => r.to.entity === 'product');
  assert.deepEqual(link?.from, { entity: 'order_lines', columns: ['product_code'] });
  assert.ok(applied.layout.positions.product, 'the new box is placed');
  assert.deepEqual(applied.layout.positions.order_lines, erd.layout.positions.order_lines, 'existing boxes stay');
  assert.equal(applied.groups[0].entities.length, 2);
  validateErd(applied, 'pos.erd.json');

  const rejected = rejectDecomposition(erd, d.id);
  assert.equal(rejected.decompositions[0].status, 'rejected');
  assert.equal(rejected.entities.length, 1);
  assert.throws(() => rejectDecomposition(applied, d.id), /already applied/);
  assert.throws(() => applyDecomposition(erd, 'nope'), /No decomposition nope/);

  // A new proposal keeps the user's decisions and positions.
  const moved = { ...applied, layout: { positions: { ...applied.layout.positions, order_lines: { x: 900, y: 900 } } } };
  const merged = mergeErd(moved, proposeErd(catalog([lines], []), { name: 'pos' }));
  assert.equal(merged.decompositions[0].status, 'accepted');
  assert.ok(merged.entities.some((e) => e.name === 'product'));
  assert.deepEqual(merged.layout.positions.order_lines, { x: 900, y: 900 });
});

test('stale relationships (unknown table or column) are left out', () => {
  const c = catalog([table('a__x', 10, [col('id', 'Int64')], { pk: ['id'] })], [rel('a__x', ['id'], 'a__gone', ['id']), rel('a__x', ['nope'], 'a__x', ['id'])]);
  assert.equal(proposeErd(c, { name: 's' }).relationships.length, 0);
});

test('a type override that is not a ClickHouse type is refused with the column named', () => {
  const r = retail();
  r.catalog.decisions.typeOverrides['shop__stores.floor_area'] = { type: "Int64') OR 1=1 --" };
  assert.throws(() => proposeErd(r.catalog, { name: 's' }), /^Error: Catalog decision for shop__stores\.floor_area: "Int64'\) OR 1=1 --" is not a ClickHouse type\.$/);
});

test('denormalisation: a foreign-key column that moves takes its relationship along, and the star still resolves', () => {
  const lines = table(
    'pos__order_lines',
    1000,
    [
      col('line_id', 'Int64'),
      col('product_code', 'String', { distinct: 50 }),
      col('product_title', 'String', { distinct: 50 }),
      col('supplier_code', 'String', { distinct: 5 }),
      col('qty', 'Int32', { distinct: 9 }),
    ],
    { pk: ['line_id'], deps: [fd(['product_code'], ['product_title', 'supplier_code'], 50)] },
  );
  const suppliers = table('pos__suppliers', 5, [col('supplier_code', 'String'), col('supplier_name', 'String')], { pk: ['supplier_code'] });
  const cat = catalog([lines, suppliers], [rel('pos__order_lines', ['supplier_code'], 'pos__suppliers', ['supplier_code'], { status: 'accepted' })]);
  const erd = proposeErd(cat, { name: 'pos' });
  const d = erd.decompositions.find((x) => x.entity === 'order_lines' && x.columns.includes('supplier_code'));
  assert.ok(d, 'the FK column is part of the proposed split');
  const applied = applyDecomposition(erd, d.id);
  assert.ok(!applied.entities.find((e) => e.name === 'order_lines')?.columns.some((c) => c.name === 'supplier_code'));
  const toSupplier = applied.relationships.filter((r) => r.to.entity === 'suppliers');
  assert.deepEqual(toSupplier.map((r) => r.from), [{ entity: d.newEntity, columns: ['supplier_code'] }], 'the reference moved with its column');
  validateErd(applied, 'pos.erd.json');
  const s = proposeStar(applied, cat);
  validateStar(s, 'pos.star.json', applied);
  // Cut a composite reference in half: refused with the reason, the model unchanged.
  const half = structuredClone(erd);
  const r = half.relationships.find((x) => x.to.entity === 'suppliers');
  assert.ok(r);
  r.from.columns = ['supplier_code', 'qty'];
  r.to.columns = ['supplier_code', 'supplier_name'];
  assert.throws(() => applyDecomposition(half, d.id), /relationship .* uses supplier_code, qty of order_lines, only part of which would move/);
});
