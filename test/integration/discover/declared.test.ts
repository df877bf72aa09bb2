/** Constraints the source declared (recorded in <meta>.constraints at acquire time) are certain evidence, measured on the data. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { embeddedWarehouse } from '../../helpers/warehouse';
import { bronzeFromSql, testContext } from '../../fixtures/discover/bronze';
import { ensureLoadTables } from '../../../src/core/acquire/meta';
import { discover } from '../../../src/core/discover/discover';
import { qualified } from '../../../src/core/warehouse/sql';
import type { Catalog } from '../../../src/core/discover/catalog-types';
import type { Warehouse } from '../../../src/core/warehouse/warehouse';

let env: { wh: Warehouse; dir: string; dispose: () => Promise<void> };
let catalog: Catalog;

before(async () => {
  env = await embeddedWarehouse();
  const { wh } = env;
  await bronzeFromSql(wh, 'pg__regions', { id: 'number + 1', region_code: "concat('R', toString(number))", label: "concat('Region ', toString(number))" }, 20);
  // `home` shares nothing with `region_code`, and one account names a region that is gone.
  await bronzeFromSql(wh, 'pg__accounts', { account_no: 'number + 1', home: "if(number = 5, 'R99', concat('R', toString(cityHash64(number) % 20)))", balance: 'toString(number * 3)' }, 300);
  await ensureLoadTables(wh);
  await wh.command(
    `INSERT INTO ${qualified(wh.databases.meta, 'constraints')} (bronze_table, kind, columns, ref_bronze_table, ref_columns) VALUES
       ('pg__regions', 'primary', ['region_code'], '', []), ('pg__regions', 'unique', ['label'], '', []),
       ('pg__accounts', 'primary', ['account_no'], '', []), ('pg__accounts', 'foreign', ['home'], 'pg__regions', ['region_code'])`,
  );
  catalog = await discover(testContext(wh, env.dir));
});
after(async () => env?.dispose());

test('a declared primary key wins over the discovered ranking, marked declared and checked on the data', () => {
  const regions = catalog.tables.find((t) => t.name === 'pg__regions');
  const primary = regions?.keys.find((k) => k.kind === 'primary');
  assert.deepEqual(primary?.columns, ['region_code'], JSON.stringify(regions?.keys));
  assert.equal(primary?.declared, true);
  assert.equal(primary?.confidence, 1);
  assert.ok(primary?.evidence.includes('declared: a primary key of the source'));
  assert.ok(primary?.evidence.some((e) => e.startsWith('holds on the data')));
  const unique = regions?.keys.find((k) => k.columns.join() === 'label');
  assert.equal(unique?.declared, true);
  // The discovered `id` is still listed, as a candidate.
  assert.ok(regions?.keys.some((k) => k.columns.join() === 'id' && !k.declared && k.kind === 'candidate'));
});

test('a declared foreign key is certain whatever the names, and its orphans are measured', () => {
  const r = catalog.relationships.find((x) => x.fromTable === 'pg__accounts' && x.fromColumns.join() === 'home');
  assert.ok(r, JSON.stringify(catalog.relationships.map((x) => x.id)));
  assert.equal(r.id, 'pg__accounts.home->pg__regions.region_code');
  assert.equal(r.declared, true);
  assert.equal(r.confidence, 1);
  assert.equal(r.evidence.orphans, 1);
  assert.ok(r.evidence.notes.some((n) => n.startsWith('the data breaks it')));
  assert.equal(catalog.relationships.filter((x) => x.fromTable === 'pg__accounts' && x.fromColumns.join() === 'home').length, 1);
});
