import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectPaths, type ProjectPaths } from './paths';
import { readProjectFile, writeProjectFile } from './json-file';
import { DEFAULT_DATABASES, type DatabaseNames, type WarehouseMode, type WarehouseSettings } from '../warehouse/warehouse';

export interface ProjectConfig {
  version: 1;
  name?: string;
  warehouse: {
    mode: WarehouseMode;
    url?: string;
    username?: string;
    cluster?: string;
    databases?: Partial<DatabaseNames>;
  };
  acquire?: { parallelism?: number };
  build?: { schedule?: string; airflowConnectionId?: string; parallelism?: number };
}

export const DEFAULT_PROJECT: ProjectConfig = { version: 1, warehouse: { mode: 'embedded' } };

export class ProjectMissingError extends Error {
  constructor(readonly root: string) {
    super(`No Kimball project in ${root}: run "Kimball: Initialize Project" (CLI: kimball init) first.`);
    this.name = 'ProjectMissingError';
  }
}

export function isProject(root: string): boolean {
  return existsSync(projectPaths(root).projectFile);
}

export function loadProject(root: string): ProjectConfig {
  const paths = projectPaths(root);
  if (!existsSync(paths.projectFile)) throw new ProjectMissingError(root);
  return readProjectFile<ProjectConfig>('project', paths.projectFile, root);
}

/** Settings given outside the project file (VS Code settings, CLI flags) win over it. */
export interface WarehouseOverrides {
  mode?: WarehouseMode;
  url?: string;
  username?: string;
  cluster?: string;
  databases?: Partial<DatabaseNames>;
  password?: string;
}

export function resolveWarehouseSettings(paths: ProjectPaths, project: ProjectConfig, o: WarehouseOverrides = {}): WarehouseSettings {
  const w = project.warehouse;
  return {
    mode: o.mode ?? w.mode,
    path: paths.warehouseDir,
    url: o.url ?? w.url,
    username: o.username ?? w.username,
    password: o.password,
    cluster: o.cluster ?? w.cluster,
    databases: { ...DEFAULT_DATABASES, ...w.databases, ...o.databases },
  };
}

/**
 * Create `.kimball/project.json` (kept if present), the folders and the
 * git-ignore entry for the embedded warehouse. Returns whether the file was new.
 */
export function initProjectFiles(root: string, name?: string): { created: boolean; paths: ProjectPaths } {
  const paths = projectPaths(root);
  mkdirSync(paths.sourcesDir, { recursive: true });
  let created = false;
  if (!existsSync(paths.projectFile)) {
    writeProjectFile('project', paths.projectFile, { ...DEFAULT_PROJECT, ...(name ? { name } : {}) });
    created = true;
  } else {
    loadProject(root);
  }
  ensureGitIgnore(root);
  return { created, paths };
}

const IGNORED = ['.kimball/warehouse/'];

function ensureGitIgnore(root: string): void {
  const file = join(root, '.gitignore');
  const current = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const lines = new Set(current.split(/\r?\n/).map((l) => l.trim()));
  const missing = IGNORED.filter((p) => !lines.has(p));
  if (missing.length === 0) return;
  const prefix = current.length > 0 && !current.endsWith('\n') ? '\n' : '';
  appendFileSync(file, `${prefix}# Kimball: embedded warehouse data\n${missing.join('\n')}\n`);
}
