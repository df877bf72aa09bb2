/**
 * Issue 12, item 6 on real discovery, through the built CLI (dist/cli.js: `npm run build` first):
 * denormalised files (customers and stores each carry city, state and country; customers a home
 * store) -> acquire -> discover -> ERD -> decompositions accepted -> star -> hierarchies -> another
 * decomposition accepted. The build then names the stale star and the fix; the fix works, and the
 * pipeline runs.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cliWorkspace } from '../../helpers/cli';
import type { Decomposition, StarModel } from '../../../src/core/model/model-types';

const { ws, kimball } = cliWorkspace('cli-model-regenerate-');

const ok = (...args: string[]): string => {
  const r = kimball(...args);
  assert.equal(r.code, 0, `kimball ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
};

const csv = (header: string[], rows: (string | number)[][]) => [header, ...rows].map((r) => r.join(',')).join('\n') + '\n';

/** Places as (city, state, country): the same city name in two states, as real addresses have. */
const STORE_PLACES = [
  ['Springfield', 'IL', 'US'],
  ['Springfield', 'MO', 'US'],
  ['Portland', 'OR', 'US'],
  ['Portland', 'ME', 'US'],
  ['Chicago', 'IL', 'US'],
  ['Seattle', 'WA', 'US'],
  ['Tacoma', 'WA', 'US'],
  ['Toronto', 'ON', 'CA'],
  ['Ottawa', 'ON', 'CA'],
  ['Hamilton', 'ON', 'CA'],
  ['Vancouver', 'BC', 'CA'],
  ['Victoria', 'BC', 'CA'],
];
const STATES = [...new Set(STORE_PLACES.map(([, s, c]) => `${s}|${c}`))].map((x) => x.split('|'));

function writeData(dir: string): void {
  mkdirSync(dir, { recursive: true });
  const stores = Array.from({ length: 24 }, (_, i) => [i + 1, `Store ${i + 1}`, ...STORE_PLACES[i % STORE_PLACES.length], 300 + ((i * 137) % 4700)]);
  writeFileSync(join(dir, 'stores.csv'), csv(['store_id', 'store_name', 'city', 'state', 'country', 'floor_area'], stores));
  // 60 customer cities, each in one state (so city -> state -> country holds among customers).
  const cities = Array.from({ length: 60 }, (_, i) => [`Town ${i + 1}`, ...STATES[i % STATES.length]]);
  const customers = Array.from({ length: 2000 }, (_, i) => [i + 1, `Customer ${i + 1}`, ...cities[(i * 7) % cities.length], ((i * 11) % 24) + 1]);
  writeFileSync(join(dir, 'customers.csv'), csv(['customer_id', 'customer_name', 'city', 'state', 'country', 'home_store_id'], customers));
  const products = Array.from({ length: 50 }, (_, i) => [i + 1, `Product ${i + 1}`, `Category ${(i % 8) + 1}`]);
  writeFileSync(join(dir, 'products.csv'), csv(['product_id', 'product_name', 'category'], products));
  const lines: (string | number)[][] = [];
  for (let order = 1; lines.length < 6000; order++) {
    const day = `2025-${String((order % 12) + 1).padStart(2, '0')}-${String((order % 28) + 1).padStart(2, '0')}`;
    for (let line = 1; line <= (order % 4) + 1; line++) {
      const product = ((order * 13 + line * 7) % 50) + 1;
      const quantity = ((order + line) % 5) + 1;
      lines.push([`SO-${String(order).padStart(6, '0')}`, line, day, ((order * 17) % 2000) + 1, product, `Product ${product}`, quantity, (quantity * (product + 0.5)).toFixed(2)]);
    }
  }
  writeFileSync(join(dir, 'sales_lines.csv'), csv(['order_number', 'line_number', 'sale_date', 'customer_id', 'product_id', 'product_name', 'quantity', 'amount'], lines));
}

test('accept decompositions, design, detect hierarchies, accept another: build names the stale star and the fix, which works', () => {
  ok('init');
  writeData(join(ws, 'data'));
  ok('source', 'add', 'shop', '--kind', 'files', '--path', 'data');
  ok('acquire');
  ok('discover');
  // The user keeps the three references the data has and rejects what discovery guessed besides
  // (small integers contained in a key, a copied name).
  const wanted = ['shop__sales_lines.customer_id->shop__customers.customer_id', 'shop__sales_lines.product_id->shop__products.product_id', 'shop__customers.home_store_id->shop__stores.store_id'];
  const found = JSON.parse(ok('--json', 'relationships')) as { id: string }[];
  assert.deepEqual(wanted.filter((id) => !found.some((r) => r.id === id)), [], 'discovery finds the references');
  for (const r of found) ok('relationships', wanted.includes(r.id) ? 'accept' : 'reject', r.id);
  const proposed = JSON.parse(ok('--json', 'model', 'erd')) as { decompositions: Decomposition[] };
  assert.ok(proposed.decompositions.some((d) => d.id === 'customers:city'), proposed.decompositions.map((d) => d.id).join(', '));
  for (const d of proposed.decompositions.filter((x) => x.entity === 'sales_lines')) ok('model', 'accept', d.id);
  ok('model', 'star');
  // The home stores fold into the customer dimension, their geography prefixed next to the customer's own.
  assert.match(ok('model', 'hierarchies'), /customer\.store_country_store_state: store_country \(2\) > store_state \(7\)\n/);

  ok('model', 'accept', 'customers:city');
  const stale = kimball('build');
  assert.equal(stale.code, 1);
  assert.match(
    stale.stderr,
    /^kimball: models\/warehouse\.star\.json at \/dimensions\/\d+\/attributes\/\d+\/column: entity "customers" has no column "(state|country)"; run "kimball model star" \(Kimball: Design Star Schema\) to reconcile it with the ERD\n$/,
  );

  assert.doesNotMatch(ok('model', 'star'), /note:/, 'every edit still applies');
  const hierarchies = ok('model', 'hierarchies');
  assert.match(hierarchies, /^models\/warehouse\.star\.json: 0 hierarchies added\.\n/);
  assert.match(hierarchies, /customer\.country_city: city_country \(2\) > city_state \(7\) > city \(60\)\n/);
  assert.match(hierarchies, /customer\.store_country_store_state: country \(2\) > state \(7\)\n/);
  const star = JSON.parse(readFileSync(join(ws, 'models', 'warehouse.star.json'), 'utf8')) as StarModel;
  assert.equal(star.dimensions.find((d) => d.name === 'customer')?.attributes.find((a) => a.name === 'country')?.entity, 'stores');
  assert.match(ok('build'), /^Built pipeline warehouse:/);
  const ran = JSON.parse(ok('--json', 'run')) as { run: { status: string }; summary: { checksFailed: number } };
  assert.equal(ran.run.status, 'succeeded');
  assert.equal(ran.summary.checksFailed, 0);
});
