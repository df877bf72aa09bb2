/**
 * Key and relationship discovery accuracy on labelled schemas (TPC-H-shaped at two scales, a retail
 * star, a messy shop with misleading names, orphans, mostly-empty FKs and overlapping integer ids).
 * Targets: precision >= 0.95 and recall >= 0.90 for both PK and FK discovery, over all schemas.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { embeddedWarehouse } from '../../helpers/warehouse';
import { testContext } from '../../fixtures/discover/bronze';
import { messyShop, retailStar, tpch, type Truth } from '../../fixtures/discover/schemas';
import { discover, bronzeTables } from '../../../src/core/discover/discover';
import { catalogFile } from '../../../src/core/project/paths';
import { qualified } from '../../../src/core/warehouse/sql';
import type { Catalog } from '../../../src/core/discover/catalog-types';
import type { Warehouse } from '../../../src/core/warehouse/warehouse';

let env: { wh: Warehouse; dir: string; dispose: () => Promise<void> };
const tally = { pk: { tp: 0, predicted: 0, truth: 0 }, fk: { tp: 0, predicted: 0, truth: 0 } };

before(async () => {
  env = await embeddedWarehouse();
});
after(async () => env?.dispose());

async function run(name: string, make: (wh: Warehouse) => Promise<Truth>): Promise<void> {
  const { wh, dir } = env;
  for (const t of await bronzeTables(wh, wh.databases.bronze)) await wh.command(`DROP TABLE ${qualified(wh.databases.bronze, t)}`);
  const ctx = testContext(wh, dir);
  rmSync(catalogFile(ctx.paths, wh.databases.bronze), { force: true });
  const truth = await make(wh);
  const t0 = performance.now();
  const catalog: Catalog = await discover(ctx);
  const ms = performance.now() - t0;
  const pkWrong: string[] = [];
  let pkTp = 0;
  let pkPredicted = 0;
  for (const t of catalog.tables) {
    const primary = t.keys.find((k) => k.kind === 'primary');
    if (primary) pkPredicted++;
    const want = truth.keys[t.name];
    if (primary && want && primary.columns.join(',') === want.join(',')) pkTp++;
    else pkWrong.push(`${t.name}: got ${primary?.columns.join(',') ?? '-'} want ${want?.join(',') ?? '-'}`);
  }
  const got = new Set(catalog.relationships.map((r) => r.id));
  const want = new Set(truth.fks);
  const fkTp = [...got].filter((id) => want.has(id)).length;
  tally.pk.tp += pkTp;
  tally.pk.predicted += pkPredicted;
  tally.pk.truth += Object.keys(truth.keys).length;
  tally.fk.tp += fkTp;
  tally.fk.predicted += got.size;
  tally.fk.truth += want.size;
  const rows = catalog.tables.reduce((a, t) => a + t.rowCount, 0);
  console.log(`${name}: ${catalog.tables.length} tables, ${rows} rows, discovery ${Math.round(ms)} ms; PK ${pkTp}/${Object.keys(truth.keys).length}; FK found ${got.size}, correct ${fkTp}/${want.size}`);
  for (const w of pkWrong) console.log('  PK miss:', w);
  for (const id of got) if (!want.has(id)) console.log('  FK false positive:', id, JSON.stringify(catalog.relationships.find((r) => r.id === id)?.evidence));
  for (const id of want) if (!got.has(id)) console.log('  FK missed:', id);
  for (const r of catalog.relationships) {
    assert.ok(r.confidence >= 0 && r.confidence <= 1);
    assert.notEqual(`${r.fromTable}.${r.fromColumns}`, `${r.toTable}.${r.toColumns}`);
  }
}

test('TPC-H-shaped schema, scale 0.01', async () => run('tpch sf0.01', (wh) => tpch(wh, 'tpch', 0.01)));
test('TPC-H-shaped schema, scale 0.04', async () => run('tpch sf0.04', (wh) => tpch(wh, 'tpch', 0.04)));
test('retail star schema', async () => run('retail star', (wh) => retailStar(wh, 'retail')));
test('messy shop: misleading names, orphans, empty FKs, overlapping ids', async () => run('messy shop', (wh) => messyShop(wh, 'shop')));

test('overall precision >= 0.95 and recall >= 0.90 for PK and FK discovery', () => {
  const f = (x: { tp: number; predicted: number; truth: number }) => ({ precision: x.tp / Math.max(1, x.predicted), recall: x.tp / Math.max(1, x.truth) });
  const pk = f(tally.pk);
  const fk = f(tally.fk);
  console.log(`PK precision ${pk.precision.toFixed(3)} recall ${pk.recall.toFixed(3)} (${tally.pk.tp}/${tally.pk.predicted} predicted, ${tally.pk.truth} true)`);
  console.log(`FK precision ${fk.precision.toFixed(3)} recall ${fk.recall.toFixed(3)} (${tally.fk.tp}/${tally.fk.predicted} predicted, ${tally.fk.truth} true)`);
  assert.ok(pk.precision >= 0.95 && pk.recall >= 0.9, JSON.stringify(pk));
  assert.ok(fk.precision >= 0.95 && fk.recall >= 0.9, JSON.stringify(fk));
});
