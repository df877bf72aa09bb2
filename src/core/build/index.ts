/**
 * Build and run entry points for the CLI and the editor: read the models,
 * generate and write the pipeline, read the manifest, run it.
 */
import { existsSync } from 'node:fs';
import { relative } from 'node:path';
import type { ProjectConfig } from '../project/project';
import type { ProjectPaths } from '../project/paths';
import { readProjectFile } from '../project/json-file';
import { listModels, modelFile, readErd, readStar } from '../model/files';
import { readCatalogIfAny } from '../discover/catalog';
import type { DatabaseNames } from '../warehouse/warehouse';
import type { Manifest } from './build-types';
import { generatePipeline, manifestPath, writePipeline, type GeneratedPipeline } from './generate';
import { BuildError } from './plan';

export { generatePipeline, writePipeline, manifestPath } from './generate';
export { runPipeline, summarizeRun, formatSummary, stepFile, type RunOptions, type RunSummary } from './runner';
export { listRuns, readRun } from './run-store';
export { airflowDag, dagFile } from './airflow';
export { BuildError } from './plan';

/** Models that can be built: both models/<name>.erd.json and models/<name>.star.json exist. */
export function buildableModels(paths: ProjectPaths): string[] {
  const models = listModels(paths);
  const has = (n: string, kind: 'erd' | 'star') => models.some((m) => m.name === n && m.kind === kind);
  return [...new Set(models.map((m) => m.name))].filter((n) => has(n, 'erd') && has(n, 'star'));
}

/** The model to build: the one named, else the only one (or the first, alphabetically) with both an ERD and a star file. */
export function pickModel(paths: ProjectPaths, name?: string): string {
  const complete = buildableModels(paths);
  if (name) {
    if (!complete.includes(name)) throw new BuildError(`Model ${name}: models/${name}.erd.json and models/${name}.star.json are both needed`);
    return name;
  }
  if (complete.length === 0) throw new BuildError('No model to build: models/<name>.erd.json and models/<name>.star.json are needed (run "kimball model erd" and "kimball model star")');
  return complete[0];
}

export interface BuildResult {
  name: string;
  steps: number;
  files: string[];
  manifest: Manifest;
}

/** Read catalog + ERD + star of a model, generate, write build/. */
export function buildProject(
  paths: ProjectPaths,
  project: ProjectConfig,
  warehouse: { databases: DatabaseNames; cluster?: string },
  name?: string,
): BuildResult {
  const model = pickModel(paths, name);
  const erd = readErd(modelFile(paths, model, 'erd'), paths.root);
  const star = readStar(modelFile(paths, model, 'star'), paths.root, erd);
  const catalog = readCatalogIfAny(paths, warehouse.databases.bronze);
  const generated: GeneratedPipeline = generatePipeline({
    name: model,
    erd,
    star,
    catalog,
    databases: warehouse.databases,
    cluster: warehouse.cluster,
  });
  const files = writePipeline(paths, generated, {
    schedule: project.build?.schedule,
    connectionId: project.build?.airflowConnectionId,
  });
  return { name: model, steps: generated.manifest.steps.length, files: files.map((f) => relative(paths.root, `${paths.buildDir}/${f}`)), manifest: generated.manifest };
}

export function readManifest(paths: ProjectPaths): Manifest {
  const file = manifestPath(paths);
  if (!existsSync(file)) throw new BuildError('No build/manifest.json: generate the pipeline first (kimball build)');
  return readProjectFile<Manifest>('manifest', file, paths.root);
}
