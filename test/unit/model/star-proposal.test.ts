import { test } from 'node:test';
import assert from 'node:assert/strict';
import { proposeErd } from '../../../src/core/model/erd-proposal';
import { mergeStar, proposeStar, FACT_SCORE_THRESHOLD } from '../../../src/core/model/star-proposal';
import { detectHierarchies } from '../../../src/core/model/hierarchies';
import { validateStar } from '../../../src/core/model/validate';
import type { Fact, StarModel } from '../../../src/core/model/model-types';
import { catalog, col, misleading, misleadingWithHeader, rel, retail, retailChain, retailWithHeader, retailWithHeaderMeasures, table, tpch, withRoles, type Labelled } from './builders';
import { classificationAccuracy, hierarchyAccuracy } from './accuracy';

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
  // 7: the six points of measures, references, row counts and dates, plus one for columns that are mostly measures.
  assert.match(f.reason, /score 7 >= 3/);
  assert.match(f.reason, /mostly measures \(4 of 6 non-key columns\) \(\+1\)/);
  assert.ok(FACT_SCORE_THRESHOLD === 3);
  const dims = Object.fromEntries(s.dimensions.map((d) => [d.name, d]));
  assert.deepEqual(Object.keys(dims).sort(), ['customer', 'date', 'product', 'store']);
  assert.equal(dims.customer.surrogateKey, 'customer_key');
  assert.deepEqual(dims.customer.naturalKey, ['customer_id']);
  // Was SCD 2 with city and email tracked, from their names alone (issue 13): the catalog records no change
  // across loads, so the proposal is SCD 1 and the reason says SCD 2 is the user's choice in the editor.
  assert.equal(dims.customer.scdType, 1);
  assert.equal(dims.customer.tracked, undefined);
  assert.match(dims.customer.reason, /SCD 1: the catalog records no change .*choose SCD 2 in the editor/);
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
  // customer and order date the lines inherit. o_totalprice makes orders a fact at its own grain too,
  // never a measure of the lines (see builders.ts tpch() for the decision).
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
  assert.match(li.reason, /they are in the header-grain fact orders/);
  assert.ok(!li.measures.some((m) => m.column.startsWith('o_')), 'no header measure on the line fact');
  assert.deepEqual(s.facts.map((f) => f.entity), ['partsupp', 'lineitem', 'orders'], 'the header-grain fact follows its line fact');
  const o = s.facts.find((f) => f.entity === 'orders');
  assert.ok(o);
  assert.deepEqual(o.grain, ['o_orderkey']);
  assert.deepEqual(o.measures, [{ name: 'o_totalprice', column: 'o_totalprice', aggregation: 'sum', additivity: 'additive' }]);
  assert.deepEqual(o.dimensions, [
    { dimension: 'customer', role: 'customer', columns: ['o_custkey'] },
    { dimension: 'date', role: 'date', columns: ['o_orderdate'] },
  ]);
  // The order-grain fact keeps the attributes its lines copy from it.
  assert.deepEqual(o.degenerate, ['o_orderkey', 'o_orderstatus', 'o_orderpriority', 'o_clerk', 'o_shippriority']);
  assert.equal(o.headerDegenerate, undefined);
  assert.match(o.reason, /^Header-grain fact: orders is the header of the line fact lineitem and carries measures of its own \(o_totalprice\)/);
  assert.match(s.dimensions.find((d) => d.name === 'customer')?.reason ?? '', /referenced by fact lineitem \(via header orders\), orders/);
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

// ------------------------------------------------------------------ header measures and header chains

const refsOf = (f: Fact) => f.dimensions.map((d) => `${d.dimension}:${d.role}:${d.columns.join(',')}:${d.via ? `${d.via.entity}(${d.via.from.join(',')})` : ''}`);

/** Every measure of a header ends up on exactly one fact, its own (never on the lines, never lost). */
function assertHeaderMeasuresOnce(s: StarModel, header: string, measures: string[]): void {
  const placed = s.facts.flatMap((f) => f.measures.map((m) => `${f.entity}.${m.column}`));
  for (const m of measures) assert.deepEqual(placed.filter((p) => p.endsWith(`.${m}`)), [`${header}.${m}`], `${header}.${m} on one fact, its own`);
}

test('classification accuracy on the header schemas (header measures, a header chain, misleading names) is 100%', () => {
  let correct = 0;
  let total = 0;
  const wrong: string[] = [];
  for (const s of [retailWithHeaderMeasures(), retailChain(), misleadingWithHeader()]) {
    const r = classificationAccuracy(s, star(s));
    correct += r.correct;
    total += r.total;
    wrong.push(...r.wrong);
  }
  process.stdout.write(`# header classification accuracy: ${correct}/${total} entities (${((100 * correct) / total).toFixed(1)}%)\n`);
  assert.deepEqual(wrong, []);
  assert.equal(total, 16);
});

test('retail with header measures: the line fact has no freight; a header-grain fact orders has freight, discount_total, customer, store and dates', () => {
  const r = retailWithHeaderMeasures();
  const erd = proposeErd(r.catalog, { name: 't' });
  const s = proposeStar(erd, r.catalog);
  validateStar(s, 't.star.json', erd);
  assert.deepEqual(s.facts.map((f) => `${f.name}:${f.entity}`), ['order_lines:order_lines', 'orders:orders']);
  const [lines, orders] = s.facts;
  // The line fact is exactly what it is without header measures: inherited references, no header measure.
  assert.deepEqual(lines.measures.map((m) => m.column), ['quantity', 'unit_price', 'discount', 'line_total']);
  assert.deepEqual(refsOf(lines), [
    'product:product:product_id:',
    'customer:customer:customer_id:orders(order_id)',
    'store:store:store_id:orders(order_id)',
    'date:order_date:order_date:orders(order_id)',
    'date:ship_date:ship_date:orders(order_id)',
  ]);
  assert.deepEqual(lines.headerDegenerate?.[0].columns, ['order_number', 'status']);
  assert.match(lines.reason, /its measures freight, discount_total are not carried \(they would repeat on every line\): they are in the header-grain fact orders\./);
  // The header fact: one row per order, its own references and role-playing dates (no join), the order key and descriptors as degenerates.
  assert.deepEqual(orders.grain, ['order_id']);
  assert.deepEqual(
    orders.measures.map((m) => `${m.column}:${m.aggregation}/${m.additivity}`),
    ['freight:sum/additive', 'discount_total:sum/additive'],
  );
  assert.deepEqual(refsOf(orders), ['customer:customer:customer_id:', 'store:store:store_id:', 'date:order_date:order_date:', 'date:ship_date:ship_date:']);
  assert.deepEqual(orders.degenerate, ['order_id', 'order_number', 'status']);
  assert.equal(orders.headerDegenerate, undefined);
  assert.match(orders.reason, /^Header-grain fact: orders is the header of the line fact order_lines and carries measures of its own \(freight, discount_total\); on the lines they would be counted once per line/);
  assertHeaderMeasuresOnce(s, 'orders', ['freight', 'discount_total']);
  // Both facts share the conformed dimensions; orders is no dimension.
  assert.deepEqual(s.dimensions.map((d) => d.name).sort(), ['customer', 'date', 'product', 'store']);
  assert.match(s.dimensions.find((d) => d.name === 'store')?.reason ?? '', /referenced by fact order_lines \(via header orders\), orders;/);
  for (const n of [...s.facts.map((x) => x.name), ...s.dimensions.map((x) => x.name)]) assert.ok(s.layout.positions[n], n);
});

test('a header whose numbers measure nothing (a constant) gets no header-grain fact; the demo-shaped header neither', () => {
  const r = retailWithHeader();
  const orders = r.catalog.tables.find((t) => t.name === 'shop__orders');
  assert.ok(orders);
  const c = table('x', orders.rowCount, [col('priority', 'Int32', { distinct: 1, min: 0, max: 0 })]).columns[0];
  orders.columns.push({ ...c, position: orders.columns.length + 1 });
  const s = star(r);
  assert.deepEqual(s.facts.map((f) => f.entity), ['order_lines']);
  assert.ok(s.facts[0].headerDegenerate?.[0].columns.includes('priority'), 'kept on the lines as a header attribute');
});

test('header chain: deliveries inherit from order lines and orders (key carried down), each header with measures is a fact at its grain', () => {
  const r = retailChain();
  const erd = proposeErd(r.catalog, { name: 't' });
  const s = proposeStar(erd, r.catalog);
  validateStar(s, 't.star.json', erd);
  assert.deepEqual(s.facts.map((f) => f.entity), ['deliveries', 'order_lines', 'orders']);
  const [deliveries, lines, orders] = s.facts;
  assert.deepEqual(deliveries.grain, ['order_id', 'line_number', 'delivery_seq']);
  assert.deepEqual(deliveries.measures.map((m) => m.column), ['delivered_qty']);
  assert.deepEqual(refsOf(deliveries), [
    'product:product:product_id:order_lines(order_id,line_number)',
    'customer:customer:customer_id:orders(order_id)',
    'store:store:store_id:orders(order_id)',
    'date:delivered_on:delivered_on:',
    'date:order_date:order_date:orders(order_id)',
    'date:ship_date:ship_date:orders(order_id)',
  ]);
  assert.deepEqual(deliveries.degenerate, ['order_id', 'line_number', 'delivery_seq']);
  assert.deepEqual(deliveries.headerDegenerate, [{ via: { entity: 'orders', from: ['order_id'], to: ['order_id'] }, columns: ['order_number', 'status'] }]);
  assert.match(deliveries.reason, /Header orders folded in \(order_lines references orders through part of its key \(order_id\) and nothing else references orders but deliveries through the key carried down; level 2 of the chain, joined from deliveries on order_id/);
  // order_lines: a fact at its own grain for its measures, inheriting from orders in turn.
  assert.match(lines.reason, /^Header-grain fact: order_lines is the header of the line fact deliveries/);
  assert.deepEqual(lines.measures.map((m) => m.column), ['quantity', 'unit_price', 'discount', 'line_total']);
  assert.deepEqual(refsOf(lines), [
    'product:product:product_id:',
    'customer:customer:customer_id:orders(order_id)',
    'store:store:store_id:orders(order_id)',
    'date:order_date:order_date:orders(order_id)',
    'date:ship_date:ship_date:orders(order_id)',
  ]);
  assert.deepEqual(orders.measures.map((m) => m.column), ['freight', 'discount_total']);
  assert.ok(orders.dimensions.every((d) => !d.via));
  assert.match(orders.reason, /^Header-grain fact: orders is a level-2 header \(over order_lines\) of the line fact deliveries/);
  assertHeaderMeasuresOnce(s, 'order_lines', ['quantity', 'line_total']);
  assertHeaderMeasuresOnce(s, 'orders', ['freight', 'discount_total']);
  assert.deepEqual(s.dimensions.map((d) => d.name).sort(), ['customer', 'date', 'product', 'store']);
});

test('header chain: the finest grain is the line fact whatever the order of the entities', () => {
  const r = retailChain();
  r.catalog.tables.reverse();
  r.catalog.relationships.reverse();
  const s = star(r);
  assert.deepEqual(s.facts.map((f) => f.entity).sort(), ['deliveries', 'order_lines', 'orders']);
  assert.deepEqual(classificationAccuracy(r, s).wrong, []);
  const deliveries = s.facts.find((f) => f.entity === 'deliveries');
  assert.deepEqual([...new Set(deliveries?.dimensions.map((d) => d.via?.entity ?? ''))].sort(), ['', 'order_lines', 'orders']);
});

test('header chain: a second-level header without measures is folded into every fact of the chain, never a dimension, never lost', () => {
  const r = retailChain();
  const orders = r.catalog.tables.find((t) => t.name === 'shop__orders');
  assert.ok(orders);
  orders.columns = orders.columns.filter((c) => c.name !== 'freight' && c.name !== 'discount_total');
  const s = star(r);
  assert.deepEqual(s.facts.map((f) => f.entity), ['deliveries', 'order_lines']);
  for (const f of s.facts) assert.ok(f.dimensions.some((d) => d.role === 'customer' && d.via?.entity === 'orders'), `${f.entity} inherits the customer`);
  assert.ok(!s.dimensions.some((d) => d.entity === 'orders'));
  assert.equal(classificationAccuracy({ ...r, roles: { ...r.roles, orders: 'header:deliveries' } }, s).wrong.length, 0);
});

test('misleading names with a header: evidence, not names, finds the line fact, its header and the header-grain fact', () => {
  const m = misleadingWithHeader();
  const erd = proposeErd(m.catalog, { name: 't' });
  const s = proposeStar(erd, m.catalog);
  validateStar(s, 't.star.json', erd);
  assert.deepEqual(s.facts.map((f) => f.entity), ['dim_entries', 'lookup_batches']);
  const [entries, batches] = s.facts;
  assert.deepEqual(entries.measures.map((m) => m.column), ['fact_count', 'fact_value']);
  assert.deepEqual(refsOf(entries), ['lookup_item:lookup_item:thing:', 'fact_people:fact_people:who:lookup_batches(bid)', 'date:date:at_ts:lookup_batches(bid)']);
  assert.deepEqual(batches.measures.map((m) => m.column), ['dim_cost']);
  assert.deepEqual(refsOf(batches), ['fact_people:fact_people:who:', 'date:date:at_ts:']);
  assertHeaderMeasuresOnce(s, 'lookup_batches', ['dim_cost']);
});

test('re-proposing keeps the user\'s name for the header-grain fact', () => {
  const r = retailWithHeaderMeasures();
  const first = star(r);
  const renamed = structuredClone(first);
  (renamed.facts.find((f) => f.entity === 'orders') as Fact).name = 'fact_order_totals';
  const merged = mergeStar(renamed, star(r));
  assert.deepEqual(merged.facts.map((f) => f.name), ['order_lines', 'fact_order_totals']);
  validateStar(merged, 't.star.json');
});

test('hierarchy accuracy on the header schemas: header-grain facts change no dimension hierarchy', () => {
  let found = 0;
  let expected = 0;
  let extra = 0;
  const missing: string[] = [];
  for (const s of [retailWithHeaderMeasures(), retailChain(), misleadingWithHeader()]) {
    const erd = proposeErd(s.catalog, { name: 't' });
    const { star: out } = detectHierarchies(proposeStar(erd, s.catalog), s.catalog, erd);
    validateStar(out, 't.star.json', erd);
    const r = hierarchyAccuracy(s, out);
    found += r.found;
    expected += r.expected;
    extra += r.extra;
    missing.push(...r.missing);
  }
  process.stdout.write(`# header hierarchy recall: ${found}/${expected}; extra: ${extra}\n`);
  assert.deepEqual(missing, []);
  assert.equal(extra, 0);
  assert.equal(expected, 11);
});

test('header chain: a parent the line cannot join in one hop (its key is not carried down) ends the chain and stays a dimension', () => {
  // Lines reference their order through the order number (a unique key, not the primary key), so the
  // order's own parent (a sales channel, part of the order's key) is not reachable from the lines' columns.
  const lines = table(
    'pos__lines',
    30_000,
    [col('order_number', 'String', { distinct: 10_000 }), col('line_no', 'Int32', { distinct: 4 }), col('sku', 'Int64', { distinct: 200 }), col('amount', 'Decimal(18,2)', { distinct: 5000, min: 1, max: 300 })],
    { pk: ['order_number', 'line_no'] },
  );
  const orders = table(
    'pos__orders',
    10_000,
    [col('channel_id', 'Int32', { distinct: 3 }), col('seq', 'Int64', { distinct: 9000 }), col('order_number', 'String'), col('ordered_at', 'Date32', { distinct: 400 })],
    { pk: ['channel_id', 'seq'], unique: [['order_number']] },
  );
  const channels = table('pos__channels', 3, [col('channel_id', 'Int32'), col('channel_name', 'String'), col('opened', 'Date32', { distinct: 3 })], { pk: ['channel_id'] });
  const items = table('pos__items', 200, [col('sku', 'Int64'), col('item_name', 'String')], { pk: ['sku'] });
  const c = catalog([lines, orders, channels, items], [
    rel('pos__lines', ['order_number'], 'pos__orders', ['order_number']),
    rel('pos__lines', ['sku'], 'pos__items', ['sku']),
    rel('pos__orders', ['channel_id'], 'pos__channels', ['channel_id']),
  ]);
  const erd = proposeErd(c, { name: 't' });
  const s = proposeStar(erd, c);
  validateStar(s, 't.star.json', erd);
  assert.deepEqual(s.facts.map((f) => f.entity), ['lines']);
  const via = { entity: 'orders', from: ['order_number'], to: ['order_number'] };
  assert.deepEqual(refsOf(s.facts[0]), ['item:item:sku:', 'channel:channel:channel_id:orders(order_number)', 'date:date:ordered_at:orders(order_number)']);
  assert.deepEqual(s.facts[0].dimensions[1].via, via);
  assert.deepEqual(s.dimensions.map((d) => d.entity ?? d.name).sort(), ['channels', 'date', 'items']);
});

test('a line and its headers with dates of the same name play distinct roles (the header\'s prefixed)', () => {
  const r = retailChain();
  for (const name of ['shop__deliveries', 'shop__order_lines', 'shop__orders']) {
    const t = r.catalog.tables.find((x) => x.name === name);
    assert.ok(t);
    const c = table('x', t.rowCount, [col('created_at', 'Date32', { distinct: 700 })]).columns[0];
    t.columns.push({ ...c, position: t.columns.length + 1 });
  }
  const erd = proposeErd(r.catalog, { name: 't' });
  const s = proposeStar(erd, r.catalog);
  validateStar(s, 't.star.json', erd);
  const roles = (e: string) => s.facts.find((f) => f.entity === e)?.dimensions.filter((d) => d.columns[0] === 'created_at').map((d) => `${d.role}:${d.via?.entity ?? ''}`);
  assert.deepEqual(roles('deliveries'), ['created_at:', 'order_line_created_at:order_lines', 'order_created_at:orders']);
  assert.deepEqual(roles('orders'), ['created_at:']);
});

// ------------------------------------------------------------------ design from roles and evidence (issue 13)

/** A sales fact whose numbers are measures, codes, a flag, a year and ids; `roles`: the catalog carries discovery's roles. */
function coded(roles: boolean) {
  const cols = [
    col('sale_id', 'Int64'),
    col('store_id', 'Int64', { distinct: 30 }),
    col('sold_on', 'Date32', { distinct: 700 }),
    col('store_code', 'Int32', { distinct: 30, min: 100, max: 990 }),
    col('promo', 'Int32', { distinct: 2, min: 0, max: 1 }),
    col('season_year', 'Int32', { distinct: 12, min: 2010, max: 2021 }),
    col('units', 'Int32', { distinct: 40, min: 1, max: 40 }),
    col('revenue', 'Decimal(18,2)', { distinct: 50_000, min: 1, max: 9000 }),
    col('margin_ratio', 'Float64', { distinct: 900, min: 0, max: 0.9 }),
    col('on_hand', 'Int32', { distinct: 300, min: 0, max: 500 }),
    col('batch_no', 'Int64', { distinct: 90_000, min: 1, max: 90_000 }),
  ];
  const sales = table('pos__sales', 100_000, cols, { pk: ['sale_id'] });
  const stores = table('pos__stores', 30, [col('store_id', 'Int64'), col('store_name', 'String'), col('city', 'LowCardinality(String)', { distinct: 20 })], { pk: ['store_id'] });
  if (roles) {
    // Discovery's roles, mistakes included: the flag and the year came out as measures; the fact must not sum them.
    withRoles(sales, { sale_id: 'identifier', store_id: 'identifier', sold_on: 'date', store_code: 'code', promo: 'measure', season_year: 'measure', units: 'measure', revenue: 'measure', margin_ratio: 'measure', on_hand: 'measure', batch_no: 'identifier' });
    withRoles(stores, { store_id: 'identifier', store_name: 'attribute', city: 'attribute' });
  }
  return catalog([sales, stores], [rel('pos__sales', ['store_id'], 'pos__stores', ['store_id'])]);
}

const measuresOf = (f: Fact | undefined) => Object.fromEntries((f?.measures ?? []).map((m) => [m.column, `${m.aggregation}/${m.additivity}`]));

test('measures from roles: never a code, id, 0/1 flag, calendar year or key, even when the role says measure; additivity from values, then names', () => {
  const c = coded(true);
  const erd = proposeErd(c, { name: 't' });
  const s = proposeStar(erd, c);
  validateStar(s, 't.star.json', erd);
  const f = s.facts.find((x) => x.entity === 'sales');
  assert.deepEqual(measuresOf(f), { units: 'sum/additive', revenue: 'sum/additive', margin_ratio: 'avg/non-additive', on_hand: 'sum/semi-additive' });
  assert.ok(f?.degenerate.includes('batch_no'), 'an identifier stays on the fact as a degenerate dimension');
});

test('measures without roles (an older catalog): the name rules, still never a 0/1 flag or a calendar year', () => {
  const c = coded(false);
  const s = proposeStar(proposeErd(c, { name: 't' }), c);
  assert.deepEqual(measuresOf(s.facts.find((x) => x.entity === 'sales')), { units: 'sum/additive', revenue: 'sum/additive', margin_ratio: 'avg/non-additive', on_hand: 'sum/semi-additive' });
});

test('SCD type from observed change, not names: address-like attributes alone make no SCD 2; the reason says SCD 2 is the user\'s choice', () => {
  for (const s of [star(retail()), star(tpch())]) {
    for (const d of s.dimensions) {
      assert.equal(d.scdType, 1, d.name);
      assert.equal(d.tracked, undefined, d.name);
      if (!d.generated) assert.match(d.reason, /SCD 1: the catalog records no change of a member's attributes across bronze loads.*choose SCD 2 in the editor/, d.name);
    }
  }
});

test('grain: a verified key of the entity, else every row with the reason said', () => {
  const c = coded(true);
  const erd = proposeErd(c, { name: 't' });
  const verified = proposeStar(erd, c).facts.find((f) => f.entity === 'sales');
  assert.deepEqual(verified?.grain, ['sale_id']);
  assert.match(verified?.grainDescription ?? '', /identified by sale_id \(a verified key\)/);
  // A key edited in the ERD that discovery never verified unique (batch numbers repeat) is no grain.
  const edited = structuredClone(erd);
  const sales = edited.entities.find((e) => e.name === 'sales');
  assert.ok(sales);
  sales.primaryKey = ['batch_no'];
  const f = proposeStar(edited, c).facts.find((x) => x.entity === 'sales');
  assert.deepEqual(f?.grain, []);
  assert.match(f?.grainDescription ?? '', /its key batch_no is not a key discovery verified unique, so every row is a fact row/);
});

test('fact or dimension from roles and keys: measurements per period are facts, with or without references', () => {
  const stats = withRoles(
    table('wb__country_stats', 3000, [
      col('country', 'LowCardinality(String)', { distinct: 150 }),
      col('year', 'Int32', { distinct: 20, min: 2000, max: 2019 }),
      col('population', 'Int64', { distinct: 2990, min: 10_000, max: 1_400_000_000 }),
      col('gdp', 'Float64', { distinct: 2990, min: 1e6, max: 2e13 }),
    ], { pk: ['country', 'year'] }),
    { country: 'attribute', year: 'identifier', population: 'measure', gdp: 'measure' },
  );
  const ratings = withRoles(
    table('tv__weekly_ratings', 40_000, [
      col('title_id', 'Int64', { distinct: 800 }),
      col('week', 'Date32', { distinct: 52 }),
      col('rating', 'Decimal(4,1)', { distinct: 90, min: 1, max: 10 }),
      col('votes', 'Int32', { distinct: 9000, min: 0, max: 90_000 }),
    ], { pk: ['title_id', 'week'] }),
    { title_id: 'identifier', week: 'date', rating: 'measure', votes: 'measure' },
  );
  const titles = withRoles(table('tv__titles', 800, [col('title_id', 'Int64'), col('title', 'String'), col('genre', 'LowCardinality(String)', { distinct: 12 })], { pk: ['title_id'] }), {
    title_id: 'identifier',
    title: 'attribute',
    genre: 'attribute',
  });
  const c = catalog([stats, ratings, titles], [rel('tv__weekly_ratings', ['title_id'], 'tv__titles', ['title_id'])]);
  const erd = proposeErd(c, { name: 't' });
  const s = proposeStar(erd, c);
  validateStar(s, 't.star.json', erd);
  assert.deepEqual(s.facts.map((f) => f.entity).sort(), ['country_stats', 'weekly_ratings']);
  assert.deepEqual(s.dimensions.map((d) => d.entity ?? d.name).sort(), ['date', 'titles']);
  const st = s.facts.find((f) => f.entity === 'country_stats');
  assert.match(st?.reason ?? '', /measurements per period: its key country, year includes the period year/);
  assert.ok(!st?.measures.some((m) => m.column === 'year'), 'the year is a date part, not a measure');
  const wr = s.facts.find((f) => f.entity === 'weekly_ratings');
  assert.equal(measuresOf(wr).rating, 'avg/non-additive');
  // The period in its key is the fact's date: grain and calendar role both.
  assert.deepEqual(wr?.grain, ['title_id', 'week']);
  assert.deepEqual(refsOf(wr as Fact), ['title:title:title_id:', 'date:date:week:']);
});

/**
 * Northwind-shaped: orders reference customers through two keys (the id and the customer code); order
 * details are keyed by an id, with (order_id, product_id) a verified candidate key; products carry stock
 * numbers. Truth: order details is the line fact, inheriting customer, shipper and dates from orders;
 * orders a header-grain fact for freight; products a dimension (the lines look it up), with its category and supplier.
 */
function northwindLike() {
  const customers = withRoles(
    table('nw__customers', 91, [col('id', 'Int32'), col('customer_key', 'String', { maxLength: 5 }), col('company', 'String'), col('city', 'String', { distinct: 69 })], { pk: ['id'], unique: [['customer_key']] }),
    { id: 'identifier', customer_key: 'identifier', company: 'attribute', city: 'attribute' },
  );
  const categories = withRoles(table('nw__categories', 8, [col('id', 'Int32'), col('name', 'String')], { pk: ['id'] }), { id: 'identifier', name: 'attribute' });
  const suppliers = withRoles(table('nw__suppliers', 29, [col('id', 'Int32'), col('company', 'String'), col('country', 'String', { distinct: 16 })], { pk: ['id'] }), {
    id: 'identifier',
    company: 'attribute',
    country: 'attribute',
  });
  const shippers = withRoles(table('nw__shippers', 3, [col('id', 'Int32'), col('company', 'String')], { pk: ['id'] }), { id: 'identifier', company: 'attribute' });
  const products = withRoles(
    table('nw__products', 77, [
      col('id', 'Int32'),
      col('name', 'String'),
      col('supplier_id', 'Int32', { distinct: 29 }),
      col('category_id', 'Int32', { distinct: 8 }),
      col('unit_price', 'Decimal(18,2)', { distinct: 62, min: 2.5, max: 263.5 }),
      col('units_in_stock', 'Int32', { distinct: 51, min: 0, max: 125 }),
      col('reorder_level', 'Int32', { distinct: 7, min: 0, max: 30 }),
    ], { pk: ['id'] }),
    { id: 'identifier', name: 'attribute', supplier_id: 'identifier', category_id: 'identifier', unit_price: 'measure', units_in_stock: 'measure', reorder_level: 'measure' },
  );
  const orders = withRoles(
    table('nw__orders', 830, [
      col('id', 'Int32'),
      col('customer_id', 'Int32', { distinct: 89 }),
      col('customer_key', 'String', { distinct: 89, maxLength: 5 }),
      col('shipper_id', 'Int32', { distinct: 3 }),
      col('order_date', 'Date32', { distinct: 480 }),
      col('shipped_date', 'Date32', { distinct: 387, empty: 21 }),
      col('freight', 'Decimal(18,2)', { distinct: 799, min: 0.02, max: 1007.64 }),
      col('ship_city', 'String', { distinct: 70 }),
    ], { pk: ['id'] }),
    { id: 'identifier', customer_id: 'identifier', customer_key: 'identifier', shipper_id: 'identifier', order_date: 'date', shipped_date: 'date', freight: 'measure', ship_city: 'attribute' },
  );
  const details = withRoles(
    table('nw__order_details', 2155, [
      col('id', 'Int32'),
      col('order_id', 'Int32', { distinct: 830 }),
      col('product_id', 'Int32', { distinct: 77 }),
      col('unit_price', 'Decimal(18,2)', { distinct: 116, min: 2, max: 263.5 }),
      col('quantity', 'Int32', { distinct: 55, min: 1, max: 130 }),
      col('discount', 'Decimal(18,2)', { distinct: 11, min: 0, max: 0.25 }),
    ], { pk: ['id'], unique: [['order_id', 'product_id']] }),
    { id: 'identifier', order_id: 'identifier', product_id: 'identifier', unit_price: 'measure', quantity: 'measure', discount: 'measure' },
  );
  return catalog([customers, categories, suppliers, shippers, products, orders, details], [
    rel('nw__orders', ['customer_id'], 'nw__customers', ['id']),
    rel('nw__orders', ['customer_key'], 'nw__customers', ['customer_key']),
    rel('nw__orders', ['shipper_id'], 'nw__shippers', ['id']),
    rel('nw__order_details', ['order_id'], 'nw__orders', ['id']),
    rel('nw__order_details', ['product_id'], 'nw__products', ['id']),
    rel('nw__products', ['supplier_id'], 'nw__suppliers', ['id']),
    rel('nw__products', ['category_id'], 'nw__categories', ['id']),
  ]);
}

test('Northwind-shaped: a dimension reached through two keys plays two uniquely named roles (no duplicate role thrown)', () => {
  const c = northwindLike();
  const erd = proposeErd(c, { name: 't' });
  const s = proposeStar(erd, c);
  validateStar(s, 't.star.json', erd);
  const orders = s.facts.find((f) => f.entity === 'orders');
  assert.deepEqual(orders?.dimensions.filter((d) => d.dimension === 'customer').map((d) => `${d.role}:${d.columns.join(',')}`), ['customer:customer_id', 'customer_key:customer_key']);
  for (const f of s.facts) assert.equal(new Set(f.dimensions.map((d) => d.role)).size, f.dimensions.length, `${f.name}: roles unique`);
});

test('Northwind-shaped: the line fact inherits the order\'s customer, shipper and dates via the header; freight in the order-grain fact; products a dimension', () => {
  const c = northwindLike();
  const erd = proposeErd(c, { name: 't' });
  const s = proposeStar(erd, c);
  assert.deepEqual(s.facts.map((f) => f.entity), ['order_details', 'orders']);
  const [lines, orders] = s.facts;
  assert.deepEqual(refsOf(lines), [
    'product:product:product_id:',
    'customer:customer:customer_id:orders(order_id)',
    'customer:customer_key:customer_key:orders(order_id)',
    'shipper:shipper:shipper_id:orders(order_id)',
    'date:order_date:order_date:orders(order_id)',
    'date:shipped_date:shipped_date:orders(order_id)',
  ]);
  assert.deepEqual(lines.grain, ['id']);
  assert.deepEqual(measuresOf(lines), { unit_price: 'avg/non-additive', quantity: 'sum/additive', discount: 'avg/non-additive' });
  assertHeaderMeasuresOnce(s, 'orders', ['freight']);
  assert.match(orders.reason, /^Header-grain fact: orders is the header of the line fact order_details/);
  const product = s.dimensions.find((d) => d.entity === 'products');
  assert.deepEqual(product?.collapsed, ['suppliers', 'categories']);
  assert.match(product?.reason ?? '', /the fact order_details references it as a lookup and its members have a key of their own \(id\)/);
  assert.deepEqual(s.dimensions.map((d) => d.name).sort(), ['customer', 'date', 'product', 'shipper']);
});

test('several facts on one header: each folds it (conformed customer, store and order date via the header), the header measures once at its grain, never a dimension', () => {
  const r = retailWithHeaderMeasures();
  const payments = table(
    'shop__payments',
    26_000,
    [
      col('order_id', 'Int64', { distinct: 19_500 }),
      col('payment_seq', 'Int32', { distinct: 3 }),
      col('paid_on', 'Date32', { distinct: 735 }),
      col('paid_amount', 'Decimal(18,2)', { distinct: 9000, min: 1, max: 3000 }),
    ],
    { pk: ['order_id', 'payment_seq'] },
  );
  r.catalog.tables.push(payments);
  r.catalog.relationships.push(rel('shop__payments', ['order_id'], 'shop__orders', ['order_id']));
  const erd = proposeErd(r.catalog, { name: 't' });
  const s = proposeStar(erd, r.catalog);
  validateStar(s, 't.star.json', erd);
  assert.deepEqual(s.facts.map((f) => f.entity), ['order_lines', 'orders', 'payments']);
  const pay = s.facts.find((f) => f.entity === 'payments');
  assert.ok(pay);
  assert.deepEqual(refsOf(pay), [
    'customer:customer:customer_id:orders(order_id)',
    'store:store:store_id:orders(order_id)',
    'date:paid_on:paid_on:',
    'date:order_date:order_date:orders(order_id)',
    'date:ship_date:ship_date:orders(order_id)',
  ]);
  const lines = s.facts.find((f) => f.entity === 'order_lines');
  assert.ok(lines?.dimensions.some((d) => d.role === 'order_date' && d.via?.entity === 'orders'), 'the line fact keeps its order date');
  assertHeaderMeasuresOnce(s, 'orders', ['freight', 'discount_total']);
  assert.ok(!s.dimensions.some((d) => d.entity === 'orders' || d.collapsed.includes('orders')), 'the header is no dimension');
  assert.deepEqual(s.dimensions.map((d) => d.name).sort(), ['customer', 'date', 'product', 'store']);
  for (const d of s.dimensions) assert.deepEqual(d.collapsed, [], `${d.name} swallows nothing`);
});
