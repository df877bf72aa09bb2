/**
 * Issue 12, item 6: regenerating models never fails on the user's edits. Through the CLI (in
 * process) over a workspace: decompositions accepted after hierarchies were detected, catalog
 * renames and type overrides reaching existing models, decisions that no longer apply dropped with a
 * note, and a build on a star that no longer fits its ERD naming the file, the path and the fix.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { main } from '../../../src/cli/main';
import { initProjectFiles } from '../../../src/core/project/project';
import type { Catalog } from '../../../src/core/discover/catalog-types';
import type { ErdModel, StarModel } from '../../../src/core/model/model-types';
import { removeDir, tempDir } from '../../helpers/warehouse';
import { homeStores } from './denormalised';

const dirs: string[] = [];
after(() => dirs.forEach(removeDir));

/** A fresh workspace with the catalog, and `kimball(...)` running the CLI in it. */
function workspace(cat: Catalog) {
  const dir = tempDir('model-regenerate-');
  dirs.push(dir);
  initProjectFiles(dir, 'shop');
  mkdirSync(join(dir, '.kimball', 'catalog'), { recursive: true });
  writeFileSync(join(dir, '.kimball', 'catalog', 'bronze.catalog.json'), JSON.stringify(cat));
  const kimball = async (...args: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const w1 = process.stdout.write.bind(process.stdout);
    const w2 = process.stderr.write.bind(process.stderr);
    process.stdout.write = ((s: string) => (out.push(String(s)), true)) as typeof process.stdout.write;
    process.stderr.write = ((s: string) => (err.push(String(s)), true)) as typeof process.stderr.write;
    try {
      const code = await main(['node', 'kimball', '--workspace', dir, ...args]);
      return { code, out: out.join(''), err: err.join('') };
    } finally {
      process.stdout.write = w1;
      process.stderr.write = w2;
    }
  };
  const ok = async (...args: string[]) => {
    const r = await kimball(...args);
    assert.equal(r.code, 0, `kimball ${args.join(' ')}: ${r.err}`);
    return r.out;
  };
  const read = <T>(file: string): T => JSON.parse(readFileSync(join(dir, 'models', file), 'utf8')) as T;
  const write = (file: string, model: unknown) => writeFileSync(join(dir, 'models', file), JSON.stringify(model));
  return { kimball, ok, erd: () => read<ErdModel>('shop.erd.json'), star: () => read<StarModel>('shop.star.json'), write };
}

const levels = (s: StarModel, dim: string, h: string) => s.dimensions.find((d) => d.name === dim)?.hierarchies.find((x) => x.name === h)?.levels.map((l) => l.attribute);
const attribute = (s: StarModel, dim: string, name: string) => s.dimensions.find((d) => d.name === dim)?.attributes.find((a) => a.name === name);

test('decompositions accepted after hierarchies were detected: model star, model hierarchies and build go on working', async () => {
  const w = workspace(homeStores());
  await w.ok('model', 'erd');
  await w.ok('model', 'accept', 'sales_lines:product_id');
  await w.ok('model', 'star');
  const found = await w.ok('model', 'hierarchies');
  // The stores are collapsed into the customer dimension; their columns clash with the customer's own, hence the prefix.
  assert.match(found, /customer\.store_country_store_state: store_country \(2\) > store_state \(8\)/);
  assert.match(found, /customer\.country_city: country \(3\) > state \(50\) > city \(300\)/);

  // Splitting the customer's city out frees the names: the store's columns are country and state now.
  await w.ok('model', 'accept', 'customers:city');
  const stale = await w.kimball('build');
  assert.equal(stale.code, 1);
  assert.match(
    stale.err,
    /^kimball: models\/shop\.star\.json at \/dimensions\/0\/attributes\/\d+\/column: entity "customers" has no column "(state|country)"; run "kimball model star" \(Kimball: Design Star Schema\) to reconcile it with the ERD\n$/,
  );

  const redesigned = await w.ok('model', 'star');
  assert.doesNotMatch(redesigned, /note:/, 'every edit still applies: nothing dropped');
  const star = w.star();
  assert.deepEqual(levels(star, 'customer', 'store_country_store_state'), ['country', 'state'], 'the levels follow the store columns to their new names');
  assert.deepEqual(levels(star, 'customer', 'country_city'), ['city_country', 'city_state', 'city'], 'and the customer geography into the split-out city');
  assert.equal(attribute(star, 'customer', 'country')?.entity, 'stores');
  assert.equal(attribute(star, 'customer', 'city_country')?.entity, 'city');
  assert.match(await w.ok('model', 'hierarchies'), /^models\/shop\.star\.json: 0 hierarchies added\./);
  assert.match(await w.ok('build'), /^Built pipeline shop:/);
});

test('catalog rename and type decisions reach an existing ERD, keeping the other edits; the star follows the renamed columns', async () => {
  const w = workspace(homeStores());
  await w.ok('model', 'erd');
  await w.ok('model', 'star');
  await w.ok('model', 'hierarchies');
  const erd = w.erd();
  const customers = erd.entities.find((e) => e.name === 'customers') as ErdModel['entities'][number];
  customers.description = 'People who bought';
  (customers.columns.find((c) => c.name === 'customer_name') as { nullable: boolean }).nullable = true;
  erd.layout.positions.customers = { x: 1234, y: 56 };
  w.write('shop.erd.json', erd);
  const star = w.star();
  const amount = star.facts[0].measures.find((m) => m.column === 'amount') as StarModel['facts'][number]['measures'][number];
  amount.aggregation = 'max';
  w.write('shop.star.json', star);

  await w.ok('catalog', 'rename', 'shop__customers', 'city', 'home_city');
  await w.ok('catalog', 'rename', 'shop__sales_lines', 'amount', 'sale_amount');
  // String -> LowCardinality(String) keeps the conversion ({col}): before, the merge kept the file's type.
  await w.ok('catalog', 'type', 'shop__customers', 'customer_name', 'LowCardinality(String)');
  const out = await w.ok('model', 'erd');
  assert.match(out, /note: column "customers\.city" is now "home_city": the catalog renames shop__customers\.city\./);
  assert.match(out, /note: column "customers\.customer_name" is now LowCardinality\(String\), was String: the catalog sets the type of shop__customers\.customer_name\./);
  const merged = w.erd();
  const c = merged.entities.find((e) => e.name === 'customers');
  assert.deepEqual(c?.columns.find((x) => x.name === 'home_city')?.source?.column, 'city');
  assert.ok(!c?.columns.some((x) => x.name === 'city'));
  assert.deepEqual(
    { type: c?.columns.find((x) => x.name === 'customer_name')?.type, nullable: c?.columns.find((x) => x.name === 'customer_name')?.nullable },
    { type: 'LowCardinality(String)', nullable: true },
  );
  assert.equal(c?.description, 'People who bought');
  assert.deepEqual(merged.layout.positions.customers, { x: 1234, y: 56 });
  assert.ok(merged.notes?.some((n) => n.includes('"customers.city" is now "home_city"')), 'the note is kept in the file');

  const designed = await w.ok('model', 'star');
  assert.doesNotMatch(designed, /note:/);
  const s = w.star();
  assert.deepEqual(levels(s, 'customer', 'country_city'), ['country', 'state', 'home_city']);
  assert.deepEqual(s.facts[0].measures.find((m) => m.column === 'sale_amount'), { name: 'sale_amount', column: 'sale_amount', aggregation: 'max', additivity: 'additive' });
  assert.equal(attribute(s, 'customer', 'customer_name')?.type, 'LowCardinality(String)');
  assert.match(await w.ok('build'), /^Built pipeline shop:/);
});

test('edits that no longer apply are dropped with a note in the output and in the file, never an error', async () => {
  const cat = homeStores();
  const w = workspace(cat);
  await w.ok('model', 'erd');
  await w.ok('model', 'accept', 'stores:state');
  const erd = w.erd();
  const byName = { entity: 'products', columns: ['product_name'] };
  erd.relationships.push({ name: 'line_product_name', from: { entity: 'sales_lines', columns: ['product_name'] }, to: byName, cardinality: 'many-to-one', optional: false });
  w.write('shop.erd.json', erd);
  await w.ok('model', 'star');
  const star = w.star();
  star.facts[0].measures.push({ name: 'units_max', column: 'quantity', aggregation: 'max', additivity: 'non-additive' }, { name: 'lines', column: 'line_number', aggregation: 'count', additivity: 'additive' });
  w.write('shop.star.json', star);

  // Discovery again: the lines lose quantity and their copy of the product name, the stores their state -> country dependency.
  const lines = cat.tables.find((t) => t.name === 'shop__sales_lines') as Catalog['tables'][number];
  lines.columns = lines.columns.filter((c) => c.name !== 'quantity' && c.name !== 'product_name');
  (cat.tables.find((t) => t.name === 'shop__stores') as Catalog['tables'][number]).dependencies = [];
  w.write('../.kimball/catalog/bronze.catalog.json', cat);
  const erdOut = await w.ok('model', 'erd');
  const erdNotes = [
    'column "sales_lines.product_name" dropped: bronze column product_name is no longer in shop__sales_lines.',
    'column "sales_lines.quantity" dropped: bronze column quantity is no longer in shop__sales_lines.',
    'accepted decomposition "stores:state" dropped: it is no longer proposed (the data no longer shows state of stores determining other columns).',
    'relationship "line_product_name" dropped: entity "sales_lines" has no column "product_name" any more.',
  ];
  for (const n of erdNotes) assert.ok(erdOut.includes(`  note: ${n}\n`), `${n}\n in\n${erdOut}`);
  assert.deepEqual(w.erd().notes, erdNotes);

  const starOut = await w.ok('model', 'star');
  assert.match(starOut, / {2}note: measure "units_max" of fact "sales_lines" dropped: entity "sales_lines" has no column "quantity"\n/);
  const s = w.star();
  assert.deepEqual(s.facts[0].measures.map((m) => m.name), ['amount', 'lines'], 'the measure added by hand on a column that exists stays');
  assert.ok(s.notes?.some((n) => n.startsWith('measure "units_max"')));
  assert.match(await w.ok('build'), /^Built pipeline shop:/);
});

test('catalog decisions on columns an accepted decomposition moved: the split-out copy takes the type, the decision follows the renamed key', async () => {
  const w = workspace(homeStores());
  await w.ok('model', 'erd');
  await w.ok('model', 'accept', 'customers:city');
  await w.ok('catalog', 'rename', 'shop__customers', 'city', 'town');
  await w.ok('catalog', 'type', 'shop__customers', 'state', 'String');
  const out = await w.ok('model', 'erd');
  assert.match(out, /note: column "city\.state" is now String, was LowCardinality\(String\): the catalog set the type of customers\.state, which it is split from\./);
  const erd = w.erd();
  assert.equal(erd.decompositions.find((d) => d.entity === 'customers' && d.key.join() === 'town')?.status, 'accepted');
  assert.deepEqual(
    erd.entities.find((e) => e.name === 'city')?.columns.map((c) => `${c.name} ${c.type}`),
    ['town LowCardinality(String)', 'state String', 'country LowCardinality(String)'],
  );
  assert.deepEqual(erd.entities.find((e) => e.name === 'customers')?.columns.map((c) => c.name), ['customer_id', 'customer_name', 'town', 'home_store_id']);
  await w.ok('model', 'star');
  assert.match(await w.ok('build'), /^Built pipeline shop:/);
});
