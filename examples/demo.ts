/**
 * `npm run demo`: the main job on the embedded warehouse, end to end, in ./demo:
 * sample retail files -> bronze -> catalog -> ERD + star schema -> SQL + DAG -> run -> gold.
 * Every step is the same core call the editor and the CLI make.
 */
import { join, relative, resolve } from 'node:path';
import { writeRetailData } from './retail-data';
import { initProject } from '../src/core/project/init';
import { projectPaths } from '../src/core/project/paths';
import { loadProject, resolveWarehouseSettings } from '../src/core/project/project';
import { openWarehouse } from '../src/core/warehouse/open';
import { listTables } from '../src/core/warehouse/catalog-queries';
import { EnvSecretStore } from '../src/core/sources/source';
import { sourceExists, writeSource } from '../src/core/sources/index';
import { acquire } from '../src/core/acquire/index';
import { discover } from '../src/core/discover/index';
import { generateErdFile, designStarFile, detectHierarchiesFile } from '../src/core/model/index';
import { buildProject, runPipeline, summarizeRun, formatSummary } from '../src/core/build/index';
import type { CoreContext } from '../src/core/context';
import type { Warehouse } from '../src/core/warehouse/warehouse';

const root = resolve(process.argv[2] ?? 'demo');

function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

async function main(): Promise<void> {
  const t0 = performance.now();
  say(`Kimball demo workspace: ${root}`);
  const files = writeRetailData(join(root, 'data'));
  say(`1. Sample data: ${files.join(', ')} in data/`);

  let wh: Warehouse | undefined;
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
    await runPipelineEndToEnd(ctx);
    await printWarehouse(ctx);
  } finally {
    await wh?.close();
  }
  say(`Done in ${((performance.now() - t0) / 1000).toFixed(1)} s. Open ${root} in VS Code to browse it with the Kimball views.`);
}

async function runPipelineEndToEnd(ctx: CoreContext): Promise<void> {
  if (!sourceExists(ctx.paths, 'shop')) writeSource(ctx.paths, { kind: 'files', name: 'shop', path: 'data' });
  const loads = await acquire(ctx, { sources: ['shop'] });
  say(`3. Acquire (source "shop", files): ${loads.length} objects into bronze`);
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
