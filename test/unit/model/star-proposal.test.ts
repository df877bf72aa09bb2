import { test } from 'node:test';
import assert from 'node:assert/strict';
import { proposeErd } from '../../../src/core/model/erd-proposal';
import { proposeStar, FACT_SCORE_THRESHOLD } from '../../../src/core/model/star-proposal';
import { detectHierarchies } from '../../../src/core/model/hierarchies';
import { validateStar } from '../../../src/core/model/validate';
import type { StarModel } from '../../../src/core/model/model-types';
import { col, misleading, rel, retail, retailWithHeader, table, tpch, type Labelled } from './builders';
import { classificationAccuracy } from './accuracy';

function star(s: Labelled): StarModel {
  const erd = proposeErd(s.catalog, { name: 't' });
  return proposeStar(erd, s.catalog, { erdPath: 'models/t.erd.json' });
}

test('classification accuracy on the labelled schemas (retail, retail with order header, TPC-H, misleading names) is 100%', () => {
  let correct = 0;
  let total = 0;
  const wrong: string[] = [];
  for (const s of [retail(), retailWithHeader(), tpch(), misleading()]) {
    const r = classificationAccuracy(s, star(s));
    correct += r.correct;
    total += r.total;
    wrong.push(...r.wrong);
  }
  process.stdout.write(`# classification accuracy: ${correct}/${total} entities (${((100 * correct) / total).toFixed(1)}%)\n`);
  assert.deepEqual(wrong, []);
  assert.equal(total, 22);
});

test('retail: grain, measures with additivity, dimension refs, degenerate order number, reasons', () => {
  const s = star(retail());
  assert.equal(s.facts.length, 1);
  const f = s.facts[0];
  assert.equal(f.entity, 'sales_lines');
  assert.deepEqual(f.grain, ['order_number', 'line_number']);
  const m = Object.fromEntries(f.measures.map((x) => [x.name, `${x.aggregation}/${x.additivity}`]));
  assert.deepEqual(m, { quantity: 'sum/additive', unit_price: 'avg/non-additive', discount_pct: 'avg/non-additive', amount: 'sum/additive' });
  assert.deepEqual(
    f.dimensions.map((d) => `${d.role}:${d.dimension}:${d.columns.join(',')}`).sort(),
    ['customer:customer:customer_id', 'date:date:sale_date', 'product:product:product_id', 'store:store:store_id'],
  );
  assert.deepEqual(f.degenerate, ['order_number', 'line_number']);
  assert.match(f.reason, /score 6 >= 3/);
  assert.ok(FACT_SCORE_THRESHOLD === 3);
  const dims = Object.fromEntries(s.dimensions.map((d) => [d.name, d]));
  assert.deepEqual(Object.keys(dims).sort(), ['customer', 'date', 'product', 'store']);
  assert.equal(dims.customer.surrogateKey, 'customer_key');
  assert.deepEqual(dims.customer.naturalKey, ['customer_id']);
  assert.equal(dims.customer.scdType, 2);
  assert.ok(dims.customer.tracked?.includes('city') && dims.customer.tracked.includes('email'));
  assert.deepEqual(dims.product.collapsed, ['categories']);
  assert.ok(dims.product.attributes.some((a) => a.name === 'department' && a.entity === 'categories'));
  assert.equal(dims.date.generated, 'date');
  assert.match(dims.customer.reason, /referenced by fact sales_lines/);
  validateStar(s, 't.star.json');
  // Every box is placed.
  for (const n of [...s.facts.map((x) => x.name), ...s.dimensions.map((x) => x.name)]) assert.ok(s.layout.positions[n], n);
});

test('TPC-H: orders folded into lineitem as its header, role-playing dates, semi-additive level, nation/region snowflaked', () => {
  // Kimball's TPC-H star: lineitem is the sales fact at the line grain; orders is its header, whose
  // customer and order date the lines inherit. orders is no separate fact (see builders.ts tpch()).
  const s = star(tpch());
  const li = s.facts.find((f) => f.entity === 'lineitem');
  assert.ok(li);
  assert.deepEqual(
    li.dimensions.filter((d) => d.dimension === 'date').map((d) => d.role),
    ['l_shipdate', 'l_commitdate', 'l_receiptdate', 'o_orderdate'],
  );
  const via = { entity: 'orders', from: ['l_orderkey'], to: ['o_orderkey'] };
  assert.deepEqual(li.dimensions.find((d) => d.role === 'customer'), { dimension: 'customer', role: 'customer', columns: ['o_custkey'], via });
  assert.deepEqual(li.dimensions.find((d) => d.role === 'o_orderdate')?.via, via);
  assert.deepEqual(li.headerDegenerate, [{ via, columns: ['o_orderstatus', 'o_orderpriority', 'o_clerk', 'o_shippriority'] }]);
  assert.match(li.reason, /Header orders folded in.*o_totalprice are not carried/);
  assert.ok(!s.facts.some((f) => f.entity === 'orders'));
  assert.ok(!s.dimensions.some((d) => d.entity === 'orders'));
  assert.deepEqual(li.degenerate.sort(), ['l_linenumber', 'l_orderkey']);
  assert.equal(li.measures.find((m) => m.name === 'l_discount')?.additivity, 'non-additive');
  assert.equal(li.measures.find((m) => m.name === 'l_extendedprice')?.additivity, 'additive');
  const ps = s.facts.find((f) => f.entity === 'partsupp');
  assert.equal(ps?.measures.find((m) => m.name === 'ps_availqty')?.additivity, 'semi-additive');
  const customer = s.dimensions.find((d) => d.name === 'customer');
  assert.deepEqual(customer?.collapsed, ['nation', 'region']);
  assert.ok(customer?.attributes.some((a) => a.name === 'r_name' && a.entity === 'region'));
  assert.equal(s.dimensions.find((d) => d.name === 'part')?.scdType, 1);
  validateStar(s, 't.star.json');
});

test('the same dimension referenced twice plays roles named after the columns', () => {
  const r = retail();
  const sales = r.catalog.tables[0];
  sales.columns.push({ ...sales.columns[4], name: 'referrer_id', position: 99 });
  r.catalog.relationships.push({ ...r.catalog.relationships[2], id: 'ref', fromColumns: ['referrer_id'] });
  const s = star(r);
  const roles = s.facts[0].dimensions.filter((d) => d.dimension === 'customer').map((d) => d.role);
  assert.deepEqual(roles, ['customer', 'referrer']);
});

test('hierarchies added by detectHierarchies keep user-defined ones and validate', () => {
  const r = retail();
  const erd = proposeErd(r.catalog, { name: 't' });
  const s = proposeStar(erd, r.catalog);
  s.dimensions[0].hierarchies.push({ name: 'mine', levels: [{ name: 'segment', attribute: 'segment', cardinality: 4 }] });
  const { star: out, added } = detectHierarchies(s, r.catalog, erd);
  assert.ok(out.dimensions[0].hierarchies.some((h) => h.name === 'mine'));
  assert.ok(added.length >= 4);
  const again = detectHierarchies(out, r.catalog, erd);
  assert.equal(again.added.length, 0, 'detection is idempotent');
  validateStar(out, 't.star.json', erd);
});

test('retail with an order header (demo-shaped): one line fact inherits the header references, role-playing order and ship dates', () => {
  const s = star(retailWithHeader());
  assert.deepEqual(s.facts.map((f) => f.entity), ['order_lines'], 'the header is no separate fact');
  const lines = s.facts[0];
  const via = { entity: 'orders', from: ['order_id'], to: ['order_id'] };
  assert.deepEqual(lines.degenerate, ['order_id', 'line_number']);
  assert.deepEqual(
    lines.dimensions.map((d) => `${d.dimension}:${d.role}:${d.columns.join(',')}:${d.via?.entity ?? ''}`),
    ['product:product:product_id:', 'customer:customer:customer_id:orders', 'store:store:store_id:orders', 'date:order_date:order_date:orders', 'date:ship_date:ship_date:orders'],
  );
  assert.deepEqual(lines.dimensions[1].via, via);
  assert.deepEqual(lines.headerDegenerate, [{ via, columns: ['order_number', 'status'] }]);
  assert.equal(lines.measures.find((m) => m.name === 'discount')?.additivity, 'non-additive', 'percent values are ratios');
  assert.equal(lines.measures.find((m) => m.name === 'line_total')?.additivity, 'additive');
  assert.match(lines.reason, /Header orders folded in \(order_lines references orders through part of its key \(order_id\)/);
  assert.deepEqual(s.dimensions.map((d) => d.name).sort(), ['customer', 'date', 'product', 'store']);
  assert.match(s.dimensions.find((d) => d.name === 'customer')?.reason ?? '', /referenced by fact order_lines \(via header orders\)/);
  validateStar(s, 't.star.json');
  const erd = proposeErd(retailWithHeader().catalog, { name: 't' });
  validateStar(s, 't.star.json', erd);
});

test('a header referenced by a second entity is not folded (it may be a fact or dimension of its own)', () => {
  const r = retailWithHeader();
  const orders = r.catalog.tables.find((t) => t.name === 'shop__orders');
  assert.ok(orders);
  r.catalog.tables.push(table('shop__returns', 900, [col('return_id', 'Int64'), col('order_id', 'Int64', { distinct: 880 }), col('refund', 'Float64', { distinct: 700, min: 1, max: 500 })], { pk: ['return_id'] }));
  r.catalog.relationships.push(rel('shop__returns', ['order_id'], 'shop__orders', ['order_id'], { confidence: 0.95 }));
  const s = star(r);
  assert.ok(s.facts.every((f) => f.dimensions.every((d) => !d.via)));
  validateStar(s, 't.star.json');
});

test('validateStar names the JSON path of a dangling header join', () => {
  const r = retailWithHeader();
  const erd = proposeErd(r.catalog, { name: 't' });
  const s = star(r);
  const bad = structuredClone(s);
  (bad.facts[0].dimensions[1].via as { entity: string }).entity = 'nope';
  assert.throws(() => validateStar(bad, 't.star.json', erd), /\/facts\/0\/dimensions\/1\/via\/entity.*header entity "nope" is not in the ERD/);
  const bad2 = structuredClone(s);
  bad2.facts[0].dimensions[1].columns = ['missing'];
  assert.throws(() => validateStar(bad2, 't.star.json', erd), /\/facts\/0\/dimensions\/1\/columns\/0.*entity "orders" has no column "missing"/);
  const bad3 = structuredClone(s);
  const hd = (bad3.facts[0].headerDegenerate ?? [])[0];
  hd.via = { ...hd.via, from: ['nope'] };
  assert.throws(() => validateStar(bad3, 't.star.json', erd), /\/facts\/0\/headerDegenerate\/0\/via\/from\/0.*entity "order_lines" has no column "nope"/);
});

test('a source column named like the surrogate key does not collide with it', () => {
  const r = retail();
  const customers = r.catalog.tables[1];
  customers.columns.push({ ...customers.columns[1], name: 'customer_key', position: 50 });
  const s = star(r);
  const c = s.dimensions.find((d) => d.name === 'customer');
  assert.equal(c?.surrogateKey, 'customer_key_2');
  validateStar(s, 't.star.json');
});

test('every entity ends up somewhere: non-facts referencing each other in a loop still become a dimension', () => {
  const r = retail();
  r.catalog.tables.push(table('shop__departments', 3, [col('dept_id', 'Int32'), col('dept_name', 'String')], { pk: ['dept_id'] }));
  r.catalog.relationships = r.catalog.relationships.filter((x) => x.fromTable !== 'shop__products');
  r.catalog.relationships.push(
    rel('shop__categories', ['category_id'], 'shop__departments', ['dept_id'], { status: 'accepted' }),
    rel('shop__departments', ['dept_id'], 'shop__categories', ['category_id'], { status: 'accepted' }),
  );
  const s = star(r);
  const placed = new Set([...s.facts.map((f) => f.entity), ...s.dimensions.flatMap((d) => [d.entity, ...d.collapsed])]);
  for (const e of ['sales_lines', 'customers', 'products', 'categories', 'departments', 'stores']) assert.ok(placed.has(e), e);
  assert.deepEqual(s.dimensions.find((d) => d.entity === 'categories')?.collapsed, ['departments']);
  validateStar(s, 't.star.json');
});
