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
import { RECONCILE_ERD, RECONCILE_STAR, validateErd, validateStar, validateStarColumns, withFix } from './validate';

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

// A model that passes its schema but not the semantic checks is one proposing again repairs: read from
// disk (the CLI, the build) or opened in the star editor, the error says so. An ERD open in its editor
// is the user's own text to correct, so its errors name the problem only.

export function parseErd(text: string, file: string): ErdModel {
  const m = parseProjectFile<ErdModel>('erd', text, file);
  validateErd(m, file);
  return m;
}

export function parseStar(text: string, file: string, erd?: ErdModel): StarModel {
  const m = parseProjectFile<StarModel>('star', text, file);
  withFix(() => checkStar(m, file, erd), RECONCILE_STAR);
  return m;
}

export function readErd(file: string, displayRoot?: string): ErdModel {
  const m = readProjectFile<ErdModel>('erd', file, displayRoot);
  withFix(() => validateErd(m, shown(file, displayRoot)), RECONCILE_ERD);
  return m;
}

export function readStar(file: string, displayRoot?: string, erd?: ErdModel): StarModel {
  const m = readProjectFile<StarModel>('star', file, displayRoot);
  withFix(() => checkStar(m, shown(file, displayRoot), erd), RECONCILE_STAR);
  return m;
}

/** Against its ERD, a star is checked for every column the build reads from it. */
function checkStar(m: StarModel, file: string, erd?: ErdModel): void {
  if (erd) validateStarColumns(m, file, erd);
  else validateStar(m, file);
}

/**
 * The file a proposal merges into, checked against its schema only: an edit in it that no longer
 * fits (a hierarchy level whose attribute is gone) is what the merge drops, with a note.
 */
export function readPreviousErd(file: string, displayRoot?: string): ErdModel {
  return readProjectFile<ErdModel>('erd', file, displayRoot);
}

export function readPreviousStar(file: string, displayRoot?: string): StarModel {
  return readProjectFile<StarModel>('star', file, displayRoot);
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
