/**
 * `npm run demo`: the main job on the embedded warehouse, end to end, in ./demo:
 * sample retail files -> bronze -> catalog -> ERD + star schema -> SQL + DAG -> run -> gold.
 * Every step is the same core call the editor and the CLI make.
 */
import { mkdirSync, readFileSync, renameSync, createReadStream } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Client } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { DEMO_SIZES, writeRetailData } from './retail-data';
import { initProject } from '../src/core/project/init';
import { projectPaths } from '../src/core/project/paths';
import { loadProject, resolveWarehouseSettings } from '../src/core/project/project';
import { openWarehouse } from '../src/core/warehouse/open';
import { listTables } from '../src/core/warehouse/catalog-queries';
import { EnvSecretStore, secretEnvName, type SourceConfig } from '../src/core/sources/source';
import { postgresAvailable, startPostgres, type PostgresService } from '../test/services/postgres';
import { readSource, sourceExists, writeSource } from '../src/core/sources/index';
import { acquire } from '../src/core/acquire/index';
import { discover } from '../src/core/discover/index';
import { generateErdFile, designStarFile, detectHierarchiesFile } from '../src/core/model/index';
import { buildProject, runPipeline, summarizeRun, formatSummary, readManifest } from '../src/core/build/index';
import { readStar } from '../src/core/model/files';
import type { StarModel } from '../src/core/model/model-types';
import { qualified, quoteIdent } from '../src/core/warehouse/sql';
import type { CoreContext } from '../src/core/context';
import type { Warehouse } from '../src/core/warehouse/warehouse';

const root = resolve(process.argv[2] ?? 'demo');

function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

async function main(): Promise<void> {
  const t0 = performance.now();
  say(`Kimball demo workspace: ${root}`);
  const files = writeRetailData(join(root, 'data', 'shop'));
  // Customers come from a second source kind: a CRM database when PostgreSQL is installed, else files.
  mkdirSync(join(root, 'data', 'crm'), { recursive: true });
  renameSync(join(root, 'data', 'shop', 'customers.csv'), join(root, 'data', 'crm', 'customers.csv'));
  say(`1. Sample data: ${files.join(', ')} in data/shop and data/crm`);

  let wh: Warehouse | undefined;
  let crm: PostgresService | undefined;
  try {
    const init = await initProject(root, async (project) => {
      wh = openWarehouse(resolveWarehouseSettings(projectPaths(root), project));
      return wh;
    });
    say(`2. Embedded warehouse: ClickHouse ${init.version} (chDB) in .kimball/warehouse/`);
    const ctx: CoreContext = {
      paths: projectPaths(root),
      project: loadProject(root),
      warehouse: wh!,
      secrets: new EnvSecretStore(),
      log: { info: () => undefined, warn: (m) => say(`   warning: ${m}`), error: (m) => say(`   error: ${m}`), debug: () => undefined },
    };
    crm = await crmSource(ctx);
    await runPipelineEndToEnd(ctx);
    await printWarehouse(ctx);
    await dayTwo(ctx);
  } finally {
    await wh?.close();
    await crm?.stop();
  }
  say(`Done in ${((performance.now() - t0) / 1000).toFixed(1)} s. Open ${root} in VS Code to browse it with the Kimball views.`);
}

async function runPipelineEndToEnd(ctx: CoreContext): Promise<void> {
  if (!sourceExists(ctx.paths, 'shop')) writeSource(ctx.paths, { kind: 'files', name: 'shop', path: 'data/shop' });
  const loads = await acquire(ctx, { sources: ['shop', 'crm'] });
  const crmKind = readCrmKind(ctx);
  say(`3. Acquire (source "shop": files; source "crm": ${crmKind}): ${loads.length} objects into bronze`);
  for (const l of loads) {
    say(`   - ${l.table}: ${l.status}, ${l.rows.toLocaleString('en-US')} rows, ${l.rejects} rejects${l.error ? ` (${l.error})` : ''}`);
  }
  const failed = loads.filter((l) => l.status === 'failed');
  if (failed.length) throw new Error(`${failed.length} object(s) failed to load`);

  const catalog = await discover(ctx, {});
  const keys = catalog.tables.flatMap((t) => t.keys.filter((k) => k.kind === 'primary').map((k) => `${t.name}(${k.columns.join(', ')})`));
  const rels = catalog.relationships.filter((r) => r.status !== 'rejected');
  say(`4. Discover: ${catalog.tables.length} tables profiled -> ${relative(root, join(ctx.paths.catalogDir, `${catalog.database}.catalog.json`))}`);
  say(`   primary keys: ${keys.join('; ')}`);
  say(`   relationships: ${rels.map((r) => `${r.fromTable}.${r.fromColumns.join(',')} -> ${r.toTable}.${r.toColumns.join(',')} (${r.confidence.toFixed(2)})`).join('; ')}`);

  const erd = generateErdFile(ctx.paths, ctx.project);
  const star = designStarFile(ctx.paths, ctx.project);
  const hier = detectHierarchiesFile(ctx.paths, ctx.project);
  say(`5. Model: ${relative(root, erd.file)} (${erd.entities} entities, ${erd.relationships} relationships)`);
  say(`   ${relative(root, star.file)}: facts ${star.facts.join(', ')}; dimensions ${star.dimensions.join(', ')}`);
  const hierarchies = hier.model.dimensions.flatMap((d) => d.hierarchies.map((h) => `${d.name}: ${h.levels.map((l) => l.name).join(' > ')}`));
  say(`   hierarchies: ${hierarchies.join('; ') || 'none'}`);

  const build = buildProject(ctx.paths, ctx.project, ctx.warehouse);
  say(`6. Build: ${build.steps} steps -> build/ (SQL, manifest, Airflow DAG)`);
  const run = await runPipeline(ctx, { manifest: build.manifest });
  const summary = summarizeRun(run, build.manifest);
  say(`7. Run: ${formatSummary(summary)}`);
  if (run.status !== 'succeeded') {
    const bad = run.steps.filter((s) => s.status === 'failed');
    throw new Error(`the pipeline run ${run.status}: ${bad.map((s) => `${s.id}: ${s.error ?? s.result ?? ''}`).join('; ')}`);
  }
}

/** Rows and every summed measure of each fact, as a plain query reads them (no FINAL). */
async function goldTotals(ctx: CoreContext): Promise<Record<string, string>> {
  const manifest = readManifest(ctx.paths);
  const star = readStarFor(ctx, manifest.name);
  const out: Record<string, string> = {};
  for (const f of star.facts) {
    const sums = f.measures.filter((m) => m.aggregation === 'sum').map((m) => `toString(sum(${quoteIdent(m.name)}))`);
    const [r] = await ctx.warehouse.query<{ v: string }>(`SELECT concat(toString(count()), ' rows', ${sums.map((x) => `', ', ${x}`).join(', ') || "''"}) AS v FROM ${qualified(ctx.warehouse.databases.gold, f.name)}`);
    out[f.name] = `${r?.v ?? ''} (${['rows', ...f.measures.filter((m) => m.aggregation === 'sum').map((m) => m.name)].join(', ')})`;
  }
  return out;
}

/**
 * Day two: the shop's next export corrects and removes some order lines; acquire picks up the changed
 * file only, an incremental run processes it, and its gold totals must equal a full rebuild's.
 */
async function dayTwo(ctx: CoreContext): Promise<void> {
  writeRetailData(join(root, 'data', 'shop'), DEMO_SIZES, 42, true);
  renameSync(join(root, 'data', 'shop', 'customers.csv'), join(root, 'data', 'crm', 'customers.csv'));
  const loads = await acquire(ctx, { sources: ['shop', 'crm'] });
  say(`9. Day two: order_lines.csv revised; acquire: ${loads.filter((l) => l.status !== 'skipped').map((l) => l.table).join(', ') || 'nothing'} reloaded`);
  const manifest = readManifest(ctx.paths);
  const incremental = await runPipeline(ctx, { manifest });
  say(`   incremental run: ${formatSummary(summarizeRun(incremental, manifest))}`);
  const afterIncremental = await goldTotals(ctx);
  const full = await runPipeline(ctx, { manifest, full: true });
  say(`   full rebuild:    ${formatSummary(summarizeRun(full, manifest))}`);
  const afterFull = await goldTotals(ctx);
  for (const [fact, totals] of Object.entries(afterIncremental)) say(`   ${fact}: ${totals}${afterFull[fact] === totals ? ', the same after the full rebuild' : ''}`);
  if (incremental.status !== 'succeeded' || full.status !== 'succeeded') throw new Error('a day-two run did not succeed');
  const differ = Object.keys(afterIncremental).filter((f) => afterIncremental[f] !== afterFull[f]);
  if (differ.length) throw new Error(`day two: incremental and full rebuild differ on ${differ.map((f) => `${f} (${afterIncremental[f]} vs ${afterFull[f]})`).join('; ')}`);
  await checkAgainstFile(ctx);
}

/** The oracle, outside Kimball's SQL: the order-line fact's rows and quantity summed from the revised CSV itself. */
async function checkAgainstFile(ctx: CoreContext): Promise<void> {
  const [header, ...rows] = readFileSync(join(root, 'data', 'shop', 'order_lines.csv'), 'utf8').trim().split('\n').map((l) => l.split(','));
  const qty = header.indexOf('quantity');
  const expected = { rows: rows.length, quantity: rows.reduce((n, r) => n + Number(r[qty]), 0) };
  const [got] = await ctx.warehouse.query<{ rows: string; quantity: string }>(
    `SELECT toString(count()) AS rows, toString(sum(quantity)) AS quantity FROM ${qualified(ctx.warehouse.databases.gold, 'order_lines')}`,
  );
  say(`   order_lines.csv itself: ${expected.rows} lines, quantity ${expected.quantity}`);
  if (Number(got?.rows) !== expected.rows || Number(got?.quantity) !== expected.quantity) {
    throw new Error(`day two: gold order_lines has ${got?.rows} rows and quantity ${got?.quantity}, the file ${expected.rows} and ${expected.quantity}`);
  }
}

/**
 * The "crm" source: a throwaway PostgreSQL database holding the customers when
 * PostgreSQL is installed (the cluster lives for the demo's run), else the CSV file.
 */
async function crmSource(ctx: CoreContext): Promise<PostgresService | undefined> {
  const file = join(ctx.paths.root, 'data', 'crm', 'customers.csv');
  if (!postgresAvailable()) {
    writeSource(ctx.paths, { kind: 'files', name: 'crm', path: 'data/crm' });
    return undefined;
  }
  const pg = await startPostgres();
  const client = new Client({ host: pg.host, port: pg.port, user: pg.user, password: pg.password, database: pg.database });
  await client.connect();
  try {
    await client.query(
      `CREATE TABLE customers (customer_id integer PRIMARY KEY, first_name text, last_name text, email text, phone text,
         city text, state text, country text, signup_date text, segment text)`,
    );
    await pipeline(createReadStream(file), client.query(copyFrom('COPY customers FROM STDIN WITH (FORMAT csv, HEADER true)')));
  } finally {
    await client.end();
  }
  const config: SourceConfig = { kind: 'postgres', name: 'crm', host: pg.host, port: pg.port, database: pg.database, user: pg.user, schemas: ['public'] };
  writeSource(ctx.paths, config);
  process.env[secretEnvName('crm', 'password')] = pg.password;
  return pg;
}

function readStarFor(ctx: CoreContext, name: string): StarModel {
  return readStar(join(ctx.paths.modelsDir, `${name}.star.json`));
}

function readCrmKind(ctx: CoreContext): string {
  return readSource(ctx.paths, 'crm').kind === 'postgres' ? 'PostgreSQL' : 'files (PostgreSQL not installed)';
}

async function printWarehouse(ctx: CoreContext): Promise<void> {
  const dbs = Object.values(ctx.warehouse.databases);
  const tables = await listTables(ctx.warehouse, dbs);
  say('8. Warehouse:');
  for (const db of dbs) {
    const own = tables.filter((t) => t.database === db && !t.name.startsWith('_'));
    const rows = own.reduce((n, t) => n + t.rows, 0);
    say(`   - ${db}: ${own.length} table${own.length === 1 ? '' : 's'}, ${rows.toLocaleString('en-US')} rows${db === ctx.warehouse.databases.gold ? ` (${own.map((t) => t.name).join(', ')})` : ''}`);
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`demo failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
