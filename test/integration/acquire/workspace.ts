/** A throwaway Kimball workspace with an embedded warehouse and a core context, for acquire tests. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { initProjectFiles, loadProject } from '../../../src/core/project/project';
import { EmbeddedWarehouse } from '../../../src/core/warehouse/embedded';
import { DEFAULT_DATABASES, type Warehouse } from '../../../src/core/warehouse/warehouse';
import { ensureDatabases } from '../../../src/core/warehouse/catalog-queries';
import { ensureLoadTables } from '../../../src/core/acquire/meta';
import { silentLogger, type CoreContext } from '../../../src/core/context';
import { EnvSecretStore, type FilesSourceConfig } from '../../../src/core/sources/source';
import { writeSource } from '../../../src/core/sources';
import { qualified } from '../../../src/core/warehouse/sql';
import { removeDir, tempDir } from '../../helpers/warehouse';

export interface TestWorkspace {
  root: string;
  data: string;
  ctx: CoreContext;
  wh: Warehouse;
  write(rel: string, content: string | Buffer): string;
  addFiles(name: string, rel: string, extra?: Partial<FilesSourceConfig>): void;
  rows(table: string, orderBy?: string): Promise<Record<string, string>[]>;
  dispose(): Promise<void>;
}

export async function testWorkspace(): Promise<TestWorkspace> {
  const root = tempDir('kimball-acquire-');
  const { paths } = initProjectFiles(root);
  const wh = new EmbeddedWarehouse(paths.warehouseDir, DEFAULT_DATABASES);
  await ensureDatabases(wh);
  // The load records' tables, which acquire() makes and loadObject() expects.
  await ensureLoadTables(wh);
  const ctx: CoreContext = { paths, project: loadProject(root), warehouse: wh, secrets: new EnvSecretStore({}), log: silentLogger };
  const data = join(root, 'data');
  mkdirSync(data, { recursive: true });
  return {
    root,
    data,
    ctx,
    wh,
    write(rel, content) {
      const p = join(data, rel);
      mkdirSync(join(p, '..'), { recursive: true });
      writeFileSync(p, content);
      return p;
    },
    addFiles(name, rel, extra = {}) {
      writeSource(paths, { kind: 'files', name, path: join('data', rel), ...extra });
    },
    async rows(table, orderBy = '_kimball_row') {
      return wh.query<Record<string, string>>(`SELECT * FROM ${qualified('bronze', table)} ORDER BY ${orderBy}`);
    },
    async dispose() {
      await wh.close();
      removeDir(root);
    },
  };
}
