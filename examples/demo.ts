/**
 * `npm run demo`: the main job on the embedded warehouse, end to end, in ./demo:
 * sample retail files -> bronze -> catalog -> ERD + star schema -> SQL + DAG -> run -> gold.
 */
import { join, resolve } from 'node:path';
import { writeRetailData } from './retail-data';
import { initProject } from '../src/core/project/init';
import { projectPaths } from '../src/core/project/paths';
import { loadProject, resolveWarehouseSettings } from '../src/core/project/project';
import { openWarehouse } from '../src/core/warehouse/open';
import { listTables } from '../src/core/warehouse/catalog-queries';
import { EnvSecretStore } from '../src/core/sources/source';
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
  say(`1. Sample data: ${files.join(', ')}`);

  let wh: Warehouse | undefined;
  try {
    const init = await initProject(root, async (project) => {
      wh = openWarehouse(resolveWarehouseSettings(projectPaths(root), project));
      return wh;
    });
    say(`2. Embedded warehouse: ClickHouse ${init.version} (chDB) in ${projectPaths(root).warehouseDir}`);
    const ctx: CoreContext = {
      paths: projectPaths(root),
      project: loadProject(root),
      warehouse: wh!,
      secrets: new EnvSecretStore(),
      log: { info: () => undefined, warn: (m) => say(`   warning: ${m}`), error: (m) => say(`   error: ${m}`), debug: () => undefined },
    };
    await printWarehouse(ctx);
  } finally {
    await wh?.close();
  }
  say(`Done in ${((performance.now() - t0) / 1000).toFixed(1)} s.`);
}

async function printWarehouse(ctx: CoreContext): Promise<void> {
  const dbs = Object.values(ctx.warehouse.databases);
  const tables = await listTables(ctx.warehouse, dbs);
  say('   Databases:');
  for (const db of dbs) {
    const own = tables.filter((t) => t.database === db);
    const rows = own.reduce((n, t) => n + t.rows, 0);
    say(`   - ${db}: ${own.length} table${own.length === 1 ? '' : 's'}, ${rows.toLocaleString('en-US')} rows`);
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`demo failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
