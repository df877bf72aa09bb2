/** Shared plumbing of CLI commands: workspace, warehouse, secrets, output and errors. */
import { resolve } from 'node:path';
import { projectPaths } from '../core/project/paths';
import { loadProject, resolveWarehouseSettings, type ProjectConfig } from '../core/project/project';
import { openWarehouse } from '../core/warehouse/open';
import { EnvSecretStore } from '../core/sources/source';
import type { CoreContext, Logger } from '../core/context';
import type { Warehouse, WarehouseSettings } from '../core/warehouse/warehouse';

export interface GlobalOptions {
  workspace?: string;
  json?: boolean;
  verbose?: boolean;
}

export class CliError extends Error {}

export function workspaceRoot(o: GlobalOptions): string {
  return resolve(o.workspace ?? process.cwd());
}

export const stderrLogger = (verbose = false): Logger => ({
  info: (m) => process.stderr.write(`${m}\n`),
  warn: (m) => process.stderr.write(`warning: ${m}\n`),
  error: (m) => process.stderr.write(`error: ${m}\n`),
  debug: (m) => {
    if (verbose) process.stderr.write(`${m}\n`);
  },
});

export function warehouseSettings(root: string, project: ProjectConfig): WarehouseSettings {
  return resolveWarehouseSettings(projectPaths(root), project, {
    password: process.env.KIMBALL_CLICKHOUSE_PASSWORD,
    url: process.env.KIMBALL_CLICKHOUSE_URL,
    username: process.env.KIMBALL_CLICKHOUSE_USER,
    ...(process.env.KIMBALL_CLICKHOUSE_URL ? { mode: 'server' as const } : {}),
  });
}

export function openCliWarehouse(root: string, project: ProjectConfig): Warehouse {
  return openWarehouse(warehouseSettings(root, project));
}

/** Run `fn` with a full core context; the warehouse is closed whatever happens. */
export async function withContext<T>(o: GlobalOptions, fn: (ctx: CoreContext) => Promise<T>): Promise<T> {
  const root = workspaceRoot(o);
  const project = loadProject(root);
  const warehouse = openCliWarehouse(root, project);
  const ctx: CoreContext = {
    paths: projectPaths(root),
    project,
    warehouse,
    secrets: new EnvSecretStore(),
    log: stderrLogger(o.verbose),
  };
  try {
    return await fn(ctx);
  } finally {
    await warehouse.close();
  }
}

export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n');
}

/** An AbortSignal that fires on Ctrl-C, so long work stops cleanly (staged loads are dropped). */
export function interruptSignal(): AbortSignal {
  const ac = new AbortController();
  process.once('SIGINT', () => {
    process.stderr.write('\nCancelling…\n');
    ac.abort();
  });
  return ac.signal;
}
