/**
 * Proposals on catalogs written by real discovery (acquire + discover on chDB), not hand-made ones:
 * the demo's retail files and a TPC-H-shaped data set. Truth as in test/unit/model/builders.ts.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { embeddedWarehouse } from '../../helpers/warehouse';
import { writeRetailData } from '../../../examples/retail-data';
import { writeTpchData } from './tpch-data';
import { projectPaths } from '../../../src/core/project/paths';
import { writeSource } from '../../../src/core/sources';
import { acquire } from '../../../src/core/acquire';
import { discover } from '../../../src/core/discover';
import { silentLogger, type CoreContext } from '../../../src/core/context';
import { EnvSecretStore } from '../../../src/core/sources/source';
import type { Catalog } from '../../../src/core/discover/catalog-types';
import { proposeErd } from '../../../src/core/model/erd-proposal';
import { proposeStar } from '../../../src/core/model/star-proposal';
import { detectHierarchies } from '../../../src/core/model/hierarchies';
import { validateErd, validateStar } from '../../../src/core/model/validate';
import { classificationAccuracy, hierarchyAccuracy } from '../../unit/model/accuracy';
import type { Labelled } from '../../unit/model/builders';

let env: Awaited<ReturnType<typeof embeddedWarehouse>>;
const catalogs: Record<string, Catalog> = {};

before(async () => {
  env = await embeddedWarehouse();
  for (const [name, write] of [['shop', writeRetailData], ['tpch', writeTpchData]] as const) {
    const paths = projectPaths(join(env.dir, name));
    const ctx: CoreContext = { paths, project: { version: 1, warehouse: { mode: 'embedded' } }, warehouse: env.wh, secrets: new EnvSecretStore(), log: silentLogger };
    write(join(paths.root, 'data'));
    writeSource(paths, { kind: 'files', name, path: join(paths.root, 'data') });
    await acquire(ctx);
  }
  // One discovery over bronze (both sources); each schema's proposal reads its own tables.
  const ctx: CoreContext = { paths: projectPaths(env.dir), project: { version: 1, warehouse: { mode: 'embedded' } }, warehouse: env.wh, secrets: new EnvSecretStore(), log: silentLogger };
  const all = await discover(ctx);
  for (const prefix of ['shop', 'tpch']) {
    const tables = all.tables.filter((t) => t.name.startsWith(`${prefix}__`));
    catalogs[prefix] = { ...all, tables, relationships: all.relationships.filter((r) => r.fromTable.startsWith(`${prefix}__`) && r.toTable.startsWith(`${prefix}__`)) };
  }
});

after(() => env?.dispose());

function evaluate(name: string, truth: Omit<Labelled, 'catalog'>) {
  const catalog = catalogs[name];
  const erd = proposeErd(catalog, { name });
  validateErd(erd, `${name}.erd.json`);
  const star = detectHierarchies(proposeStar(erd, catalog), catalog, erd).star;
  validateStar(star, `${name}.star.json`, erd);
  const cls = classificationAccuracy({ catalog, ...truth }, star);
  const h = hierarchyAccuracy({ catalog, ...truth }, star);
  process.stdout.write(`# ${name} (discovered): classification ${cls.correct}/${cls.total}; hierarchies ${h.found}/${h.expected}, extra ${h.extra}; missing ${h.missing.join(' ') || '-'}\n`);
  return { erd, star, cls, h };
}

test('demo retail data through real discovery: facts, dimensions, hierarchies', () => {
  const { star, cls, h } = evaluate('shop', {
    roles: { order_lines: 'fact', orders: 'header:order_lines', customers: 'dimension', products: 'dimension', stores: 'dimension' },
    hierarchies: {
      customer: [['country', 'state', 'city']],
      product: [['category', 'subcategory']],
      store: [['address_country', 'address_state', 'address_city']],
      date: [['year', 'year_quarter', 'year_month', 'date']],
    },
  });
  assert.deepEqual(cls.wrong, []);
  // Discovery reports no store city -> state dependency (14 cities for 24 stores is over its cardinality bound), so that one is missed.
  assert.deepEqual(h.missing, ['store:address_country>address_state>address_city']);
  assert.equal(h.found, 3);
  // One fact at the line grain: the order header is folded in (its dates role-play, order_number stays on the lines).
  assert.deepEqual(star.facts.map((f) => f.entity), ['order_lines']);
  const lines = star.facts[0];
  assert.deepEqual(lines.dimensions.filter((d) => d.dimension === 'date').map((d) => `${d.role} via ${d.via?.entity}`), ['order_date via orders', 'ship_date via orders']);
  assert.deepEqual(lines.dimensions.filter((d) => d.via).map((d) => d.dimension), ['customer', 'store', 'date', 'date']);
  assert.ok(lines.headerDegenerate?.[0].columns.includes('order_number'));
});

test('TPC-H-shaped data through real discovery: lineitem (orders folded in as its header), partsupp facts; nation/region snowflaked', () => {
  const { star, cls, h } = evaluate('tpch', {
    roles: {
      lineitem: 'fact',
      // Kimball's TPC-H star: orders is lineitem's header; its o_totalprice makes it a fact at the order grain too (builders.ts tpch()).
      orders: 'header:lineitem+fact',
      partsupp: 'fact',
      customer: 'dimension',
      supplier: 'dimension',
      part: 'dimension',
      nation: 'collapsed:customer,supplier',
      region: 'collapsed:customer,supplier',
    },
    hierarchies: {
      customer: [['r_name', 'n_name', 'c_name']],
      supplier: [['r_name', 'n_name', 's_name']],
      part: [['p_mfgr', 'p_brand']],
      date: [['year', 'year_quarter', 'year_month', 'date']],
    },
  });
  assert.deepEqual(cls.wrong, []);
  assert.deepEqual(h.missing, []);
  assert.equal(h.extra, 0);
  const li = star.facts.find((f) => f.entity === 'lineitem');
  assert.deepEqual(li?.dimensions.filter((d) => d.dimension === 'date').map((d) => d.role), ['l_shipdate', 'l_commitdate', 'l_receiptdate', 'o_orderdate']);
  assert.deepEqual(li?.dimensions.find((d) => d.dimension === 'customer')?.via, { entity: 'orders', from: ['l_orderkey'], to: ['o_orderkey'] });
  assert.ok(!li?.measures.some((m) => m.column === 'o_totalprice'), 'no header measure on the lines');
  assert.deepEqual(star.facts.find((f) => f.entity === 'orders')?.measures.map((m) => m.column), ['o_totalprice']);
});
