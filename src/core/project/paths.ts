import { join } from 'node:path';

/** Every workspace location Kimball reads or writes, from one root. */
export interface ProjectPaths {
  root: string;
  kimballDir: string;
  projectFile: string;
  sourcesDir: string;
  catalogDir: string;
  runsDir: string;
  warehouseDir: string;
  modelsDir: string;
  buildDir: string;
  sqlDir: string;
  airflowDir: string;
}

export function projectPaths(root: string): ProjectPaths {
  const kimballDir = join(root, '.kimball');
  const buildDir = join(root, 'build');
  return {
    root,
    kimballDir,
    projectFile: join(kimballDir, 'project.json'),
    sourcesDir: join(kimballDir, 'sources'),
    catalogDir: join(kimballDir, 'catalog'),
    runsDir: join(kimballDir, 'runs'),
    warehouseDir: join(kimballDir, 'warehouse'),
    modelsDir: join(root, 'models'),
    buildDir,
    sqlDir: join(buildDir, 'sql'),
    airflowDir: join(buildDir, 'airflow'),
  };
}

export const sourceFile = (p: ProjectPaths, name: string): string => join(p.sourcesDir, `${name}.json`);
export const catalogFile = (p: ProjectPaths, database: string): string => join(p.catalogDir, `${database}.catalog.json`);
export const runFile = (p: ProjectPaths, id: string): string => join(p.runsDir, `${id}.json`);
