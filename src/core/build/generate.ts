/**
 * `build`: catalog + ERD + star -> SQL files, the manifest and the Airflow DAG
 * under build/. Generation is pure (`generatePipeline`); `writePipeline` puts
 * the result on disk, replacing the previous build/sql tree so no stale step
 * file survives.
 */
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Manifest } from './build-types';
import { BuildContext, BuildError, type PipelineInput, type StepOut } from './plan';
import { silverSteps } from './silver';
import { goldSteps } from './gold';
import { checkSteps } from './checks';
import { airflowDag, dagFile, type DagOptions } from './airflow';
import { validateGraph } from './graph';
import { writeProjectFile } from '../project/json-file';
import type { ProjectPaths } from '../project/paths';

export interface GeneratedPipeline {
  manifest: Manifest;
  /** Path relative to build/ -> text. */
  files: Record<string, string>;
}

export interface GenerateOptions {
  /** A wide view (one big table) per fact; default true. */
  wide?: boolean;
}

export function generatePipeline(input: PipelineInput, options: GenerateOptions = {}): GeneratedPipeline {
  const b = new BuildContext(input);
  const outs: StepOut[] = [...silverSteps(b), ...goldSteps(b, { wide: options.wide ?? true }), ...checkSteps(b)];
  const files: Record<string, string> = {};
  for (const o of outs) {
    addFile(files, o.step.file, o.sql, o.step.id);
    if (o.step.fullFile && o.fullSql) addFile(files, o.step.fullFile, o.fullSql, o.step.id);
  }
  const steps = outs.map((o) => o.step);
  validateGraph(steps);
  const manifest: Manifest = { version: 1, name: input.name, generatedAt: input.generatedAt ?? new Date().toISOString(), steps };
  return { manifest, files };
}

function addFile(files: Record<string, string>, path: string, text: string, stepId: string): void {
  if (files[path] !== undefined) throw new BuildError(`Step ${stepId}: two steps would write ${path} (names that differ only in special characters)`);
  files[path] = text;
}

export const manifestPath = (paths: ProjectPaths): string => join(paths.buildDir, 'manifest.json');

/** Write SQL files, the manifest and the DAG; returns the files written (workspace-relative to build/). */
export function writePipeline(paths: ProjectPaths, p: GeneratedPipeline, dag: DagOptions): string[] {
  if (existsSync(paths.sqlDir)) {
    for (const layer of readdirSync(paths.sqlDir)) rmSync(join(paths.sqlDir, layer), { recursive: true, force: true });
  }
  const written: string[] = [];
  for (const [rel, text] of Object.entries(p.files)) {
    const file = join(paths.buildDir, rel);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text);
    written.push(rel);
  }
  writeProjectFile('manifest', manifestPath(paths), p.manifest);
  written.push('manifest.json');
  const dagRel = dagFile(p.manifest.name);
  mkdirSync(paths.airflowDir, { recursive: true });
  writeFileSync(join(paths.buildDir, dagRel), airflowDag(p.manifest, dag));
  written.push(dagRel);
  return written;
}
