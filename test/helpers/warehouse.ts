/** Test helpers: a throwaway embedded warehouse (real chDB in its engine process) and workspace. */
import { mkdtempSync, rmSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { EmbeddedWarehouse } from '../../src/core/warehouse/embedded';
import { DEFAULT_DATABASES, type Warehouse } from '../../src/core/warehouse/warehouse';
import { ensureDatabases } from '../../src/core/warehouse/catalog-queries';

export function tempDir(prefix = 'kimball-test-'): string {
  const base = join(process.cwd(), 'test', '.tmp');
  mkdirSync(base, { recursive: true });
  return mkdtempSync(join(base, prefix));
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** An embedded warehouse in a fresh directory, with the standard databases created. */
export async function embeddedWarehouse(dir = tempDir()): Promise<{ wh: Warehouse; dir: string; dispose: () => Promise<void> }> {
  const wh = new EmbeddedWarehouse(join(dir, 'warehouse'), DEFAULT_DATABASES);
  await ensureDatabases(wh);
  return {
    wh,
    dir,
    dispose: async () => {
      await wh.close();
      removeDir(dir);
    },
  };
}
