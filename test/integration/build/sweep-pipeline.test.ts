/**
 * The unseen-data sweep, end to end through real chDB: acquire -> discover -> ERD -> star ->
 * hierarchies -> build -> run on small but nasty datasets (test/fixtures/sweep). Every model that is
 * proposed must build and run.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { acquire } from '../../../src/core/acquire';
import { discover } from '../../../src/core/discover/discover';
import { designStarFile, detectHierarchiesFile, generateErdFile } from '../../../src/core/model/service';
import { buildProject, readManifest, runPipeline } from '../../../src/core/build';
import { qualified } from '../../../src/core/warehouse/sql';
import { allNull, emptyFile, europeanValues, headerOnly, northwind, writeDataset, type DatasetFiles } from '../../fixtures/sweep/datasets';
import { testWorkspace, type TestWorkspace } from '../acquire/workspace';

interface Outcome {
  loads: Awaited<ReturnType<typeof acquire>>;
  erd: ReturnType<typeof generateErdFile>;
  star: ReturnType<typeof designStarFile>;
  run: Awaited<ReturnType<typeof runPipeline>>;
}

/** One dataset through the whole pipeline in a fresh workspace. */
async function pipeline(w: TestWorkspace, files: DatasetFiles): Promise<Outcome> {
  writeDataset(join(w.data, 'in'), files);
  w.addFiles('src', 'in');
  const loads = await acquire(w.ctx, {});
  await discover(w.ctx);
  const { paths, project, warehouse } = w.ctx;
  const erd = generateErdFile(paths, project);
  const star = designStarFile(paths, project);
  detectHierarchiesFile(paths, project);
  const built = buildProject(paths, project, { databases: warehouse.databases });
  const run = await runPipeline(w.ctx, { manifest: built.manifest });
  return { loads, erd, star, run };
}

const failures = (o: Outcome) => o.run.steps.filter((s) => s.status !== 'succeeded').map((s) => `${s.id}: ${s.status} ${s.error ?? ''}`);

describe('sweep: unseen datasets run end to end', () => {
  let w: TestWorkspace;
  before(async () => {
    w = await testWorkspace();
  });
  after(async () => {
    await w.dispose();
  });

  // Each case gets its own workspace: the pipeline is per workspace.
  const fresh = async () => {
    await w.dispose();
    w = await testWorkspace();
  };

  it('an empty file, a header-only file and an all-empty table: skipped or kept as facts, and the run succeeds', async () => {
    await fresh();
    const o = await pipeline(w, { ...emptyFile(), ...headerOnly(), ...allNull() });
    assert.deepEqual(o.erd.skipped.map((s) => s.table), ['src__empty']);
    assert.deepEqual(o.star.facts.sort(), ['blank', 'nothing']);
    assert.deepEqual(o.star.dimensions, []);
    assert.equal(o.run.status, 'succeeded', failures(o).join('\n'));
    const rows = await w.wh.query<{ n: string }>(`SELECT count() AS n FROM ${qualified('gold', 'blank')}`);
    assert.equal(rows[0].n, '10');
    const cols = await w.wh.query<{ name: string }>(`SELECT name FROM system.columns WHERE database = 'gold' AND table = 'blank_wide' ORDER BY position`);
    assert.deepEqual(cols.map((c) => c.name), ['a', 'b', 'c']);
  });

  it('a European CSV (";" and decimal commas): typed decimals, summed in gold', async () => {
    await fresh();
    const o = await pipeline(w, europeanValues());
    assert.equal(o.run.status, 'succeeded', failures(o).join('\n'));
    const [r] = await w.wh.query<{ preis: string; gesamt: string }>(`SELECT toString(sum(preis)) AS preis, toString(sum(gesamt)) AS gesamt FROM ${qualified('silver', 'bestellungen')}`);
    // 17,35 * (1 + ... + 25) and 1.717,35 * (1 + ... + 25)
    assert.equal(r.preis, '5638.75');
    assert.equal(r.gesamt, '558138.75');
  });

  it('Northwind-like: composite keys, a many-to-many link, two dates and an employee -> manager self-reference', async () => {
    await fresh();
    const o = await pipeline(w, northwind());
    assert.equal(o.run.status, 'succeeded', failures(o).join('\n'));
    const self = o.erd.model.relationships.find((r) => r.from.entity === 'employees' && r.to.entity === 'employees');
    assert.deepEqual(self?.from.columns, ['reports_to']);
    assert.deepEqual(self?.to.columns, ['employee_id']);
    assert.ok(o.star.facts.includes('order_details'));
    assert.ok(o.star.facts.includes('employee_territories'), 'the link table is a (factless) fact between its two dimensions');
  });

  it('schema drift: a new source column reaches silver and gold on the next incremental run, and --full rebuilds too', async () => {
    await fresh();
    const first = await pipeline(w, { 'people.csv': 'person_id,name,city\n1,Ann,Oslo\n2,Bob,Rome\n' });
    assert.equal(first.run.status, 'succeeded', failures(first).join('\n'));
    const again = async (full: boolean) => {
      await acquire(w.ctx, {});
      await discover(w.ctx);
      generateErdFile(w.ctx.paths, w.ctx.project);
      designStarFile(w.ctx.paths, w.ctx.project);
      const built = buildProject(w.ctx.paths, w.ctx.project, { databases: w.ctx.warehouse.databases });
      return runPipeline(w.ctx, { manifest: built.manifest, full });
    };
    w.write('in/people.csv', 'person_id,name,city,email\n1,Ann,Oslo,ann@example.com\n2,Bob,Rome,bob@example.com\n3,Cy,Pisa,cy@example.com\n');
    const incremental = await again(false);
    assert.equal(incremental.status, 'succeeded', incremental.steps.map((s) => `${s.id}: ${s.status} ${s.error ?? ''}`).join('\n'));
    const [n] = await w.wh.query<{ n: string }>(`SELECT countIf(email IS NOT NULL) AS n FROM ${qualified('silver', 'people')} FINAL`);
    assert.equal(n.n, '3');
    const gold = await w.wh.query<{ name: string }>(`SELECT name FROM system.columns WHERE database = 'gold' AND table = 'people'`);
    assert.ok(gold.some((c) => c.name === 'email'), 'the gold dimension has the new attribute');
    const full = await runPipeline(w.ctx, { manifest: buildProject(w.ctx.paths, w.ctx.project, { databases: w.ctx.warehouse.databases }).manifest, full: true });
    assert.equal(full.status, 'succeeded', full.steps.map((s) => `${s.id}: ${s.status} ${s.error ?? ''}`).join('\n'));
  });

  it('schema drift: a column re-typed by the data (dates that became text) is converted, never defaulted to 1900-01-01', async () => {
    await fresh();
    const dates = Array.from({ length: 10 }, (_, i) => `${i + 1},2020-01-${String(i + 1).padStart(2, '0')}`).join('\n');
    const first = await pipeline(w, { 'people.csv': `person_id,born\n${dates}\n` });
    assert.equal(first.run.status, 'succeeded', failures(first).join('\n'));
    w.write('in/people.csv', `person_id,born\n${dates.replace('1,2020-01-01', '1,circa 1950').replace('2,2020-01-02', '2,unknown year')}\n`);
    await acquire(w.ctx, {});
    await discover(w.ctx);
    const erd = generateErdFile(w.ctx.paths, w.ctx.project);
    assert.equal(erd.model.entities[0].columns.find((c) => c.name === 'born')?.type, 'String', 'the re-proposed ERD takes the new type');
    designStarFile(w.ctx.paths, w.ctx.project);
    const run = await runPipeline(w.ctx, { manifest: buildProject(w.ctx.paths, w.ctx.project, { databases: w.ctx.warehouse.databases }).manifest });
    assert.equal(run.status, 'succeeded', run.steps.map((s) => `${s.id}: ${s.status} ${s.error ?? ''}`).join('\n'));
    const rows = await w.wh.query<{ born: string }>(`SELECT born FROM ${qualified('silver', 'people')} FINAL ORDER BY person_id LIMIT 2`);
    assert.deepEqual(rows.map((r) => r.born), ['circa 1950', 'unknown year']);
  });

  it('a full rebuild that fails before its exchange leaves no staging table visible, and the old table intact', async () => {
    await fresh();
    const o = await pipeline(w, { 'people.csv': 'person_id,name\n1,Ann\n2,Bob\n' });
    assert.equal(o.run.status, 'succeeded', failures(o).join('\n'));
    const file = join(w.ctx.paths.buildDir, 'sql', 'silver', 'people.full.sql');
    writeFileSync(file, readFileSync(file, 'utf8').replace(/EXCHANGE TABLES[^;]*;/, "SELECT throwIf(1, 'the exchange fails');"));
    const manifest = readManifest(w.ctx.paths);
    const run = await runPipeline(w.ctx, { manifest, full: true });
    assert.equal(run.status, 'failed');
    assert.match(run.steps.find((s) => s.id === 'silver.people')?.error ?? '', /the exchange fails/);
    const left = await w.wh.query<{ name: string }>(`SELECT name FROM system.tables WHERE database = 'silver'`);
    assert.deepEqual(left.map((t) => t.name), ['people']);
    const [n] = await w.wh.query<{ n: string }>(`SELECT count() AS n FROM ${qualified('silver', 'people')}`);
    assert.equal(n.n, '2');
  });

  it('a CSV written with spaces after the commas is typed, joined and summed', async () => {
    await fresh();
    const customers = ['customer_id, name', ...Array.from({ length: 30 }, (_, i) => `${i + 1}, Customer ${i + 1}`)].join('\n');
    const orders = ['order_id, customer_id, amount, ordered_on', ...Array.from({ length: 90 }, (_, i) => `${i + 1}, ${(i % 30) + 1}, ${(i + 1) * 2}.50, 2024-02-${String((i % 28) + 1).padStart(2, '0')}`)].join('\n');
    const o = await pipeline(w, { 'customers.csv': customers + '\n', 'orders.csv': orders + '\n' });
    assert.equal(o.run.status, 'succeeded', failures(o).join('\n'));
    const ent = o.erd.model.entities.find((e) => e.name === 'orders');
    assert.equal(ent?.columns.find((c) => c.name === 'amount')?.type, 'Decimal(18,2)');
    assert.equal(ent?.columns.find((c) => c.name === 'ordered_on')?.type, 'Date');
    assert.ok(o.erd.model.relationships.some((r) => r.from.entity === 'orders' && r.to.entity === 'customers'), 'the padded reference is found');
    const [r] = await w.wh.query<{ s: string }>(`SELECT toString(sum(amount)) AS s FROM ${qualified('gold', 'orders')}`);
    assert.equal(r.s, String(Array.from({ length: 90 }, (_, i) => (i + 1) * 2 + 0.5).reduce((a, b) => a + b, 0)));
  });

  it('CRLF with trailing blank lines loads without rejects', async () => {
    await fresh();
    const body = '\uFEFFcode;label\r\n' + Array.from({ length: 5 }, (_, i) => `K${i};"L; ${i}"`).join('\r\n') + '\r\n\r\n\r\n';
    const o = await pipeline(w, { 'export.csv': body });
    assert.equal(o.loads[0].status, 'loaded', o.loads[0].error);
    assert.equal(o.loads[0].rows, 5);
    assert.equal(o.loads[0].rejects, 0);
    assert.equal(o.run.status, 'succeeded', failures(o).join('\n'));
  });
});
