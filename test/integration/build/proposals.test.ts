/**
 * Build on the models the product itself proposes: sample retail files ->
 * acquire -> discover -> ERD (decompositions accepted) + star proposals ->
 * generate -> run. Every step and check passes and gold reconciles with bronze.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { writeRetailData } from '../../../examples/retail-data';
import { embeddedWarehouse } from '../../helpers/warehouse';
import { projectPaths } from '../../../src/core/project/paths';
import { writeSource } from '../../../src/core/sources';
import { acquire } from '../../../src/core/acquire';
import { discover } from '../../../src/core/discover';
import { applyDecomposition, proposeErd } from '../../../src/core/model/erd-proposal';
import { proposeStar } from '../../../src/core/model/star-proposal';
import { generatePipeline, writePipeline } from '../../../src/core/build/generate';
import { runPipeline, summarizeRun } from '../../../src/core/build/runner';
import { EnvSecretStore } from '../../../src/core/sources/source';
import { silentLogger, type CoreContext } from '../../../src/core/context';

describe('build: on proposed models', () => {
  let dispose: (() => Promise<void>) | undefined;
  after(async () => dispose?.());

  test('acquire -> discover -> propose -> build -> run succeeds with every check passing', async () => {
    const env = await embeddedWarehouse();
    dispose = env.dispose;
    const { wh, dir } = env;
    const paths = projectPaths(dir);
    const ctx: CoreContext = { paths, project: { version: 1, warehouse: { mode: 'embedded' } }, warehouse: wh, secrets: new EnvSecretStore(), log: silentLogger };
    writeRetailData(join(dir, 'data'), { customers: 400, products: 80, stores: 8, orders: 2000 });
    writeSource(paths, { kind: 'files', name: 'shop', path: join(dir, 'data') });
    await acquire(ctx);
    const catalog = await discover(ctx);
    let erd = proposeErd(catalog, { name: 'retail' });
    // Accept the proposed decompositions a user would: not those that move a foreign key out of its table
    // (applying one moves the relationship along, see erd-proposal.test.ts, but here they are accidental: unit_price -> product_id).
    const fks = new Set(erd.relationships.map((r) => `${r.from.entity}.${r.from.columns.join(',')}`));
    const accepted = erd.decompositions.filter((d) => !d.columns.some((c) => fks.has(`${d.entity}.${c}`)));
    for (const d of accepted) erd = applyDecomposition(erd, d.id);
    const star = proposeStar(erd, catalog, { name: 'retail' });
    assert.ok(star.facts.length >= 1 && star.dimensions.length >= 2);

    const p = generatePipeline({ name: 'retail', erd, star, catalog, databases: wh.databases });
    writePipeline(paths, p, {});
    const run = await runPipeline(ctx, { manifest: p.manifest });
    const bad = run.steps.filter((s) => s.status !== 'succeeded').map((s) => `${s.id} ${s.status}: ${s.error ?? ''}`);
    assert.deepEqual(bad, []);
    const summary = summarizeRun(run, p.manifest);
    assert.equal(summary.checksFailed, 0);
    // Split-out entities (columns moved out of their parent) are built from the parent's bronze rows.
    const derived = erd.entities.filter((e) => e.derivedFrom);
    assert.equal(derived.length, accepted.length);
    assert.ok(accepted.length >= 1);
    for (const e of derived) {
      const n = Number((await wh.query<{ n: string }>(`SELECT count() AS n FROM silver.\`${e.name}\` FINAL`))[0].n);
      assert.ok(n > 0, `silver.${e.name} has rows`);
    }
    // Every fact has as many gold rows as its silver entity.
    for (const f of star.facts) {
      const gold = Number((await wh.query<{ n: string }>(`SELECT count() AS n FROM gold.\`${f.name}\` FINAL`))[0].n);
      const silver = Number((await wh.query<{ n: string }>(`SELECT count() AS n FROM silver.\`${f.entity}\` FINAL`))[0].n);
      assert.equal(gold, silver, f.name);
    }
  });
});
