/**
 * The whole path a user walks, one phase per test, through the real commands with scripted input:
 * add a files source (CSV fixture) -> acquire -> discover -> ERD -> star -> pipeline -> run.
 * Each test is skipped, loudly and with its reason, while its phase's commands are not registered, and
 * when the phase before it produced nothing. The lead turns these skips into requirements as phases land.
 */
import * as assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { Catalog } from '../../../src/core/discover/catalog-types';
import type { ErdModel, StarModel } from '../../../src/core/model/model-types';
import type { Manifest, RunRecord } from '../../../src/core/build/build-types';
import { qualified } from '../../../src/core/warehouse/sql';
import { describe, it } from './mocha-api';
import type { TestContext } from './mocha-api';
import { kimballSession, listFiles, metrics, registeredCommands, requireCommands, skip, waitFor, withScriptedUi, workspaceRoot, type Script } from './helpers';

/** The fixture's CSV files and their data rows (test/e2e/fixtures/workspace/data). */
const FIXTURE_ROWS: Record<string, number> = { customers: 6, orders: 10 };

/** What each phase produced, for the next one. */
const state: { source?: string; bronze?: string[]; catalog?: string; erd?: string; star?: string; manifest?: string; ran?: boolean } = {};

const readJson = <T>(file: string): T => JSON.parse(readFileSync(file, 'utf8')) as T;

/** Run a command with scripted prompts; any error message it shows fails the test with that message. */
async function run(command: string, script: Script = {}, ...args: unknown[]): Promise<number> {
  const started = performance.now();
  await withScriptedUi(script, async (m) => {
    await vscode.commands.executeCommand(command, ...args);
    assert.deepEqual(m.errors, [], `${command} showed an error`);
  });
  return Math.round(performance.now() - started);
}

function needs(ctx: TestContext, what: keyof typeof state, phase: string): string {
  const v = state[what];
  if (v === undefined) skip(ctx, `needs the ${phase} phase's output (${what}), which the test before did not produce`);
  return v as string;
}

async function count(database: string, table: string): Promise<number> {
  const wh = await (await kimballSession()).warehouse();
  const rows = await wh.query<{ n: string }>(`SELECT count() AS n FROM ${qualified(database, table)}`);
  return Number(rows[0].n);
}

/** Bronze as acquire would leave it (`<source>__<object>`, every column String), straight from the CSVs. */
async function seedBronze(): Promise<string[]> {
  const wh = await (await kimballSession()).warehouse();
  const created: string[] = [];
  for (const object of Object.keys(FIXTURE_ROWS)) {
    const table = `shop__${object}`;
    await wh.command(
      `CREATE TABLE ${qualified(wh.databases.bronze, table)} ENGINE = MergeTree ORDER BY tuple() AS SELECT * FROM file({path:String}, 'CSVWithNames')`,
      {
        params: { path: join(workspaceRoot(), 'data', `${object}.csv`) },
        settings: { input_format_csv_use_best_effort_in_schema_inference: 0, schema_inference_make_columns_nullable: 0 },
      },
    );
    created.push(table);
  }
  return created;
}

async function tables(database: string): Promise<string[]> {
  const wh = await (await kimballSession()).warehouse();
  const rows = await wh.query<{ name: string }>('SELECT name FROM system.tables WHERE database = {db:String} ORDER BY name', {
    params: { db: database },
  });
  return rows.map((r) => r.name);
}

describe('pipeline (later phases, guarded)', function () {
  it('Add Data Source creates a files source for the CSV folder', async function () {
    await requireCommands('sources', ['kimball.addSource']);
    const root = workspaceRoot();
    const config = { kind: 'files', name: 'shop', path: 'data' };
    // The command may take the config as an argument or ask for it: both are answered.
    const elapsed = await run(
      'kimball.addSource',
      {
        picks: [{ match: /\bfiles?\b|local|folder|csv/i }],
        inputs: [
          { match: /name/i, answer: 'shop' },
          { match: /path|folder|file|director/i, answer: 'data' },
        ],
        open: [vscode.Uri.file(join(root, 'data'))],
      },
      config,
    );
    metrics['addSource command ms'] = elapsed;
    const files = listFiles(join(root, '.kimball', 'sources'), '.json');
    const found = files.map((f) => readJson<{ kind: string; name: string }>(f)).find((s) => s.kind === 'files');
    assert.ok(found, `no files source in .kimball/sources (found: ${files.join(', ') || 'nothing'})`);
    state.source = found.name;
  });

  it('Add Data Source refuses a second source of the same name with one error, and changes nothing', async function () {
    await requireCommands('sources', ['kimball.addSource']);
    const name = needs(this, 'source', 'sources');
    const file = join(workspaceRoot(), '.kimball', 'sources', `${name}.json`);
    const before = readFileSync(file, 'utf8');
    const messages = await withScriptedUi({}, async (m) => {
      await vscode.commands.executeCommand('kimball.addSource', { kind: 'files', name, path: 'elsewhere' });
      return m;
    });
    assert.equal(messages.errors.length, 1, `expected one error, got ${JSON.stringify(messages.errors)}`);
    assert.match(messages.errors[0], new RegExp(name));
    assert.equal(readFileSync(file, 'utf8'), before, 'the existing source file changed');
  });

  it('Acquire All Sources loads every CSV into bronze, all rows', async function () {
    await requireCommands('acquire', ['kimball.acquire']);
    const source = needs(this, 'source', 'sources');
    const session = await kimballSession();
    const bronze = (await session.warehouse()).databases.bronze;
    metrics['acquire command ms'] = await run('kimball.acquire');
    const loaded = (await tables(bronze)).filter((t) => t.startsWith(`${source}__`));
    assert.equal(loaded.length, Object.keys(FIXTURE_ROWS).length, `bronze tables of ${source}: ${loaded.join(', ')}`);
    for (const [object, rows] of Object.entries(FIXTURE_ROWS)) {
      const table = loaded.find((t) => t.includes(object));
      assert.ok(table, `no bronze table for ${object} among ${loaded.join(', ')}`);
      assert.equal(await count(bronze, table), rows, `${bronze}.${table} row count`);
    }
    state.bronze = loaded;
  });

  it('Discover writes the bronze catalog with both tables and the orders -> customers relationship', async function () {
    await requireCommands('discover', ['kimball.discover']);
    if (state.bronze === undefined && !(await registeredCommands()).has('kimball.acquire')) {
      // Acquire has not landed: stand in for it with all-String bronze tables read by ClickHouse itself.
      state.bronze = await seedBronze();
      console.log(`[e2e] acquire not registered: bronze seeded without it (${state.bronze.join(', ')})`);
    }
    needs(this, 'bronze', 'acquire');
    const session = await kimballSession();
    const bronze = (await session.warehouse()).databases.bronze;
    metrics['discover command ms (fixture data)'] = await run('kimball.discover', { picks: [{ match: new RegExp(`^${bronze}\\b`) }] });
    const file = join(session.paths.catalogDir, `${bronze}.catalog.json`);
    assert.ok(existsSync(file), `${file} was not written`);
    const catalog = readJson<Catalog>(file);
    for (const t of state.bronze ?? []) assert.ok(catalog.tables.some((c) => c.name === t), `catalog lacks ${t}`);
    const rel = catalog.relationships.find(
      (r) => r.fromTable.includes('orders') && r.toTable.includes('customers') && r.fromColumns.includes('customer_id'),
    );
    assert.ok(rel, `no orders.customer_id -> customers relationship among ${catalog.relationships.length} found`);
    state.catalog = file;
  });

  it('Generate ERD writes a model with the entities and their relationship', async function () {
    await requireCommands('model', ['kimball.generateErd']);
    needs(this, 'catalog', 'discover');
    const root = workspaceRoot();
    const before = new Set(listFiles(join(root, 'models'), '.erd.json'));
    metrics['generateErd command ms'] = await run('kimball.generateErd', { inputs: [{ match: /name/i, answer: 'shop' }] });
    const created = listFiles(join(root, 'models'), '.erd.json').filter((f) => !before.has(f));
    assert.equal(created.length, 1, `expected one new models/*.erd.json, got ${created.length}`);
    const erd = readJson<ErdModel>(created[0]);
    assert.equal(erd.kind, 'erd');
    assert.ok(erd.entities.length >= 2, `entities: ${erd.entities.map((e) => e.name).join(', ')}`);
    assert.ok(erd.relationships.length >= 1, 'no relationship in the ERD');
    state.erd = created[0];
  });

  it('Design Star Schema writes a star with a fact and dimensions', async function () {
    await requireCommands('model', ['kimball.designStar']);
    const erdFile = needs(this, 'erd', 'model (ERD)');
    const root = workspaceRoot();
    const before = new Set(listFiles(join(root, 'models'), '.star.json'));
    metrics['designStar command ms'] = await run('kimball.designStar', { inputs: [{ match: /name/i, answer: 'shop' }] }, vscode.Uri.file(erdFile));
    const created = listFiles(join(root, 'models'), '.star.json').filter((f) => !before.has(f));
    assert.equal(created.length, 1, `expected one new models/*.star.json, got ${created.length}`);
    const star = readJson<StarModel>(created[0]);
    assert.equal(star.kind, 'star');
    assert.ok(star.facts.length >= 1, 'no fact');
    assert.ok(star.dimensions.length >= 1, 'no dimension');
    state.star = created[0];
  });

  it('Generate Pipeline writes the manifest and SQL', async function () {
    await requireCommands('build', ['kimball.generatePipeline']);
    needs(this, 'star', 'model (star)');
    const session = await kimballSession();
    metrics['generatePipeline command ms'] = await run('kimball.generatePipeline');
    const file = join(session.paths.buildDir, 'manifest.json');
    assert.ok(existsSync(file), `${file} was not written`);
    const manifest = readJson<Manifest>(file);
    assert.ok(manifest.steps.length > 0, 'the manifest has no steps');
    state.manifest = file;
  });

  it('Run Pipeline succeeds and fills silver and gold', async function () {
    await requireCommands('build', ['kimball.runPipeline']);
    needs(this, 'manifest', 'build');
    const session = await kimballSession();
    metrics['runPipeline command ms'] = await run('kimball.runPipeline');
    const runs = listFiles(session.paths.runsDir, '.json').map((f) => readJson<RunRecord>(f));
    assert.equal(runs.length, 1, `expected one run record, got ${runs.length}`);
    assert.equal(runs[0].status, 'succeeded', `run ${runs[0].id}: ${JSON.stringify(runs[0]).slice(0, 400)}`);
    const { silver, gold } = (await session.warehouse()).databases;
    assert.ok((await tables(silver)).length >= 2, 'silver has no tables');
    const goldTables = await tables(gold);
    assert.ok(goldTables.length >= 2, 'gold has no fact and dimension');
    for (const t of goldTables) assert.ok((await count(gold, t)) > 0, `${gold}.${t} is empty`);
    state.ran = true;
  });

  it('Run Pipeline (Full Rebuild) rebuilds every table (an SCD2 dimension keeps its history) and changes no count', async function () {
    await requireCommands('build', ['kimball.runPipeline', 'kimball.runPipelineFull']);
    const manifestFile = needs(this, 'manifest', 'build');
    if (!state.ran) skip(this, 'needs the Run Pipeline test, which did not pass');
    const session = await kimballSession();
    const { gold } = (await session.warehouse()).databases;
    const counts = async () => Object.fromEntries(await Promise.all((await tables(gold)).map(async (t) => [t, await count(gold, t)] as const)));
    const before = await counts();
    const earlier = new Set(listFiles(session.paths.runsDir, '.json'));
    metrics['runPipelineFull command ms'] = await run('kimball.runPipelineFull');
    const fresh = listFiles(session.paths.runsDir, '.json').filter((f) => !earlier.has(f));
    assert.equal(fresh.length, 1, `expected one new run record, got ${fresh.length}`);
    const record = readJson<RunRecord>(fresh[0]);
    assert.equal(record.status, 'succeeded', `run ${record.id}: ${JSON.stringify(record).slice(0, 400)}`);
    assert.equal(record.full, true, 'the run record must say full');
    for (const s of readJson<Manifest>(manifestFile).steps.filter((x) => x.layer !== 'check')) {
      const ran = record.steps.find((x) => x.id === s.id);
      assert.equal(ran?.mode, s.history ? 'incremental' : 'full', `${s.id}: mode ${ran?.mode} (${ran?.reason ?? 'no reason'})`);
      assert.ok(ran?.reason, `${s.id} ran ${ran?.mode} without saying why`);
    }
    assert.deepEqual(await counts(), before, 'a full rebuild of the same data changes no gold row count');
  });

  it('Add Data Source opens the source form for the chosen kind; Edit Data Source opens one form per source, reused', async function () {
    await requireCommands('sources', ['kimball.addSource', 'kimball.editSource']);
    const name = needs(this, 'source', 'sources');
    // The form is a webview panel (viewType kimball.sourceForm); its fields are tested in Chromium (test/integration/webview/source-form.test.ts).
    const formTabs = () =>
      vscode.window.tabGroups.all
        .flatMap((g) => g.tabs)
        .filter((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.includes('kimball.sourceForm'));
    await run('kimball.addSource', { picks: [{ match: /\bfiles?\b|folder/i }] });
    await waitFor('the Add Data Source form', () => formTabs().find((t) => t.label === 'Add Data Source'));
    const config = readJson<{ kind: string; name: string }>(join(workspaceRoot(), '.kimball', 'sources', `${name}.json`));
    const node = { kind: 'source', config };
    await run('kimball.editSource', {}, node);
    await waitFor(`the form of ${name}`, () => formTabs().find((t) => t.label === `Data Source: ${name}`));
    await run('kimball.editSource', {}, node);
    assert.equal(formTabs().filter((t) => t.label === `Data Source: ${name}`).length, 1, 'a second Edit reveals the open form');
    await vscode.window.tabGroups.close(formTabs());
  });
});
