/**
 * Model files in `models/`: `<name>.erd.json` and `<name>.star.json`, read
 * with schema + semantic validation, written with stable key order (load ->
 * save gives the same bytes). Also reads the catalog the proposals start from.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Catalog } from '../discover/catalog-types';
import { parseProjectFile, readProjectFile, writeProjectFile } from '../project/json-file';
import type { ProjectPaths } from '../project/paths';
import type { ErdModel, StarModel } from './model-types';
import { validateErd, validateStar } from './validate';

export type ModelKind = 'erd' | 'star';

export interface ModelFileInfo {
  name: string;
  kind: ModelKind;
  file: string;
}

export const modelFile = (paths: ProjectPaths, name: string, kind: ModelKind): string => join(paths.modelsDir, `${name}.${kind}.json`);

/** Model names become file names: keep them to letters, digits, `_`, `-` and dots. */
export function checkModelName(name: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/.test(name) || name.includes('..')) {
    throw new Error(`Model name "${name}" is not usable as a file name: use letters, digits, "_", "-" or "."`);
  }
  return name;
}

export function modelKindOf(file: string): ModelKind | undefined {
  if (file.endsWith('.erd.json')) return 'erd';
  if (file.endsWith('.star.json')) return 'star';
  return undefined;
}

export function listModels(paths: ProjectPaths): ModelFileInfo[] {
  if (!existsSync(paths.modelsDir)) return [];
  return readdirSync(paths.modelsDir)
    .map((f) => ({ f, kind: modelKindOf(f) }))
    .filter((x): x is { f: string; kind: ModelKind } => x.kind !== undefined)
    .map(({ f, kind }) => ({ name: f.slice(0, -`.${kind}.json`.length), kind, file: join(paths.modelsDir, f) }))
    .sort((a, b) => a.name.localeCompare(b.name) || a.kind.localeCompare(b.kind));
}

export function parseErd(text: string, file: string): ErdModel {
  const m = parseProjectFile<ErdModel>('erd', text, file);
  validateErd(m, file);
  return m;
}

export function parseStar(text: string, file: string, erd?: ErdModel): StarModel {
  const m = parseProjectFile<StarModel>('star', text, file);
  validateStar(m, file, erd);
  return m;
}

export function readErd(file: string, displayRoot?: string): ErdModel {
  const m = readProjectFile<ErdModel>('erd', file, displayRoot);
  validateErd(m, shown(file, displayRoot));
  return m;
}

export function readStar(file: string, displayRoot?: string, erd?: ErdModel): StarModel {
  const m = readProjectFile<StarModel>('star', file, displayRoot);
  validateStar(m, shown(file, displayRoot), erd);
  return m;
}

export function writeErd(file: string, model: ErdModel): void {
  validateErd(model, file);
  writeProjectFile('erd', file, model);
}

export function writeStar(file: string, model: StarModel, erd?: ErdModel): void {
  validateStar(model, file, erd);
  writeProjectFile('star', file, model);
}

const shown = (file: string, root?: string) => (root ? relative(root, file) : file);

/** The catalog of a database, validated against schemas/catalog.schema.json. */
export function readCatalog(file: string, displayRoot?: string): Catalog {
  return readProjectFile<Catalog>('catalog', file, displayRoot);
}
