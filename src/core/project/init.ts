import { initProjectFiles, loadProject, type ProjectConfig } from './project';
import { ensureDatabases } from '../warehouse/catalog-queries';
import type { Warehouse } from '../warehouse/warehouse';

export interface InitResult {
  created: boolean;
  projectFile: string;
  databases: string[];
  version: string;
}

/**
 * Initialize a workspace: project file and git-ignore entry, then the
 * warehouse databases through the warehouse the caller opens from the project.
 */
export async function initProject(
  root: string,
  warehouseFor: (project: ProjectConfig) => Promise<Warehouse>,
): Promise<InitResult> {
  const { created, paths } = initProjectFiles(root);
  const wh = await warehouseFor(loadProject(root));
  await ensureDatabases(wh);
  return { created, projectFile: paths.projectFile, databases: Object.values(wh.databases), version: await wh.version() };
}
