/** Discovery on the demo workspace's sample data (examples/retail-data.ts), loaded as all-String bronze tables. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { embeddedWarehouse } from '../../helpers/warehouse';
import { createBronze, testContext } from '../../fixtures/discover/bronze';
import { writeRetailData } from '../../../examples/retail-data';
import { discover } from '../../../src/core/discover/discover';
import { qualified, quoteIdent } from '../../../src/core/warehouse/sql';
import type { Catalog } from '../../../src/core/discover/catalog-types';
import type { Warehouse } from '../../../src/core/warehouse/warehouse';

let env: { wh: Warehouse; dir: string; dispose: () => Promise<void> };
let catalog: Catalog;

before(async () => {
  env = await embeddedWarehouse();
  const { wh, dir } = env;
  const data = join(dir, 'data');
  for (const f of writeRetailData(data)) {
    const path = join(data, f);
    const format = f.endsWith('.csv') ? 'CSVWithNames' : 'JSONEachRow';
    const cols = (await wh.query<{ name: string }>(`DESCRIBE file({p:String}, {f:String})`, { params: { p: path, f: format } })).map((c) => c.name);
    const table = `demo__${f.split('.')[0]}`;
    await createBronze(wh, table, cols, false);
    // Every column read as String, as acquire does.
    const structure = cols.map((c) => `${quoteIdent(c)} String`).join(', ');
    await wh.command(`INSERT INTO ${qualified('bronze', table)} SELECT * FROM file({p:String}, {f:String}, {s:String})`, { params: { p: path, f: format, s: structure } });
  }
  catalog = await discover(testContext(wh, dir));
});
after(async () => env?.dispose());

test('the demo data gets its true keys, types and relationships', () => {
  const pk = Object.fromEntries(catalog.tables.map((t) => [t.name, t.keys.find((k) => k.kind === 'primary')?.columns.join(',')]));
  assert.deepEqual(pk, {
    demo__customers: 'customer_id',
    demo__order_lines: 'order_id,line_number',
    demo__orders: 'order_id',
    demo__products: 'product_id',
    demo__stores: 'store_id',
  });
  assert.deepEqual(catalog.relationships.map((r) => r.id), [
    'demo__order_lines.order_id->demo__orders.order_id',
    'demo__order_lines.product_id->demo__products.product_id',
    'demo__orders.customer_id->demo__customers.customer_id',
    'demo__orders.store_id->demo__stores.store_id',
  ]);
  const col = (t: string, c: string) => catalog.tables.find((x) => x.name === t)!.columns.find((x) => x.name === c)!.inferred;
  assert.equal(col('demo__orders', 'order_date').type, 'Date');
  assert.equal(col('demo__orders', 'ship_date').format, 'd.M.yyyy');
  assert.equal(col('demo__orders', 'ship_date').nullable, true);
  assert.match(col('demo__orders', 'store_id').type, /String/);
  assert.equal(col('demo__order_lines', 'unit_price').type, 'Decimal(18,2)');
  const customers = catalog.tables.find((t) => t.name === 'demo__customers')!;
  assert.ok(customers.dependencies.some((d) => d.from[0] === 'state' && d.to.includes('country')));
});
