/**
 * Model operations on workspace files, shared by the CLI and the extension:
 * propose the ERD from the catalog, design the star from the ERD, detect
 * hierarchies, export. A file proposed again keeps the user's edits (positions,
 * decisions, SCD choices, hierarchies).
 */
import { existsSync, mkdirSync, writeFileSync, renameSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import type { Catalog } from '../discover/catalog-types';
import { catalogFile, type ProjectPaths } from '../project/paths';
import type { ProjectConfig } from '../project/project';
import { ProjectFileError } from '../project/json-file';
import { applyDecomposition, proposeErd, rejectDecomposition, unmodelledTables } from './erd-proposal';
import { mergeErd } from './merge';
import { proposeStar } from './star-proposal';
import { mergeStar } from './star-merge';
import { detectHierarchies, fitStar } from './hierarchies';
import { checkModelName, modelFile, modelKindOf, readCatalog, readErd, readPreviousErd, readPreviousStar, readStar, writeErd, writeStar } from './files';
import { freshNotes } from './notes';
import { exportModel, type ExportFormat } from './export';
import type { ErdModel, StarModel } from './model-types';

export const DEFAULT_MODEL_NAME = 'warehouse';

/** The model name: given, else the project's name when it is file-safe, else `warehouse`. */
export function modelName(project: ProjectConfig, given?: string): string {
  if (given) return checkModelName(given);
  const n = project.name;
  return n && /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/.test(n) && !n.includes('..') ? n : DEFAULT_MODEL_NAME;
}

const rel = (paths: ProjectPaths, file: string) => relative(paths.root, file).split('\\').join('/');

export function loadCatalog(paths: ProjectPaths, project: ProjectConfig): { catalog: Catalog; file: string } {
  const file = catalogFile(paths, project.warehouse.databases?.bronze ?? 'bronze');
  if (!existsSync(file)) throw new ProjectFileError(rel(paths, file), '', 'file not found: discover the bronze tables first (kimball discover)');
  return { catalog: readCatalog(file, paths.root), file };
}

export interface ErdResult {
  file: string;
  model: ErdModel;
  kept: boolean;
  entities: number;
  relationships: number;
  decompositions: number;
  /** Bronze tables left out of the model, with the reason. */
  skipped: { table: string; reason: string }[];
  /** What proposing again changed or dropped of the file's edits (also added to the file's notes). */
  notes: string[];
}

export function generateErdFile(paths: ProjectPaths, project: ProjectConfig, name?: string): ErdResult {
  const n = modelName(project, name);
  const { catalog, file: cat } = loadCatalog(paths, project);
  const file = modelFile(paths, n, 'erd');
  let model = proposeErd(catalog, { name: n, catalogPath: rel(paths, cat) });
  const previous = existsSync(file) ? readPreviousErd(file, paths.root) : undefined;
  if (previous) model = mergeErd(previous, model, catalog);
  writeErd(file, model);
  return {
    file,
    model,
    kept: !!previous,
    notes: freshNotes(previous, model),
    entities: model.entities.length,
    relationships: model.relationships.length,
    decompositions: model.decompositions.filter((d) => d.status === 'proposed').length,
    skipped: unmodelledTables(catalog),
  };
}

/** Accept (split out / drop the copies) or reject a proposed decomposition of the ERD file. */
export function decideDecomposition(paths: ProjectPaths, project: ProjectConfig, id: string, accept: boolean, name?: string): { file: string; model: ErdModel } {
  const n = modelName(project, name);
  const { erd, file } = loadErdFor(paths, n);
  const model = accept ? applyDecomposition(erd, id) : rejectDecomposition(erd, id);
  writeErd(file, model);
  return { file, model };
}

function loadErdFor(paths: ProjectPaths, n: string): { erd: ErdModel; file: string } {
  const file = modelFile(paths, n, 'erd');
  if (!existsSync(file)) throw new ProjectFileError(rel(paths, file), '', 'file not found: generate the ERD first (kimball model erd)');
  return { erd: readErd(file, paths.root), file };
}

export interface StarResult {
  file: string;
  model: StarModel;
  kept: boolean;
  facts: string[];
  dimensions: string[];
  /** What designing again changed or dropped of the file's edits (also added to the file's notes). */
  notes: string[];
}

export function designStarFile(paths: ProjectPaths, project: ProjectConfig, name?: string): StarResult {
  const n = modelName(project, name);
  const { erd, file: erdFile } = loadErdFor(paths, n);
  const { catalog } = loadCatalog(paths, project);
  const file = modelFile(paths, n, 'star');
  let model = proposeStar(erd, catalog, { name: n, erdPath: rel(paths, erdFile) });
  const previous = existsSync(file) ? readPreviousStar(file, paths.root) : undefined;
  if (previous) model = mergeStar(previous, model, { erd, catalog });
  writeStar(file, model, erd);
  return { file, model, kept: !!previous, facts: model.facts.map((f) => f.name), dimensions: model.dimensions.map((d) => d.name), notes: freshNotes(previous, model) };
}

export interface HierarchiesResult {
  file: string;
  model: StarModel;
  added: { dimension: string; hierarchy: string }[];
  /** What reconciling the star with the ERD first changed or dropped (also added to the file's notes). */
  notes: string[];
}

export function detectHierarchiesFile(paths: ProjectPaths, project: ProjectConfig, name?: string): HierarchiesResult {
  const n = modelName(project, name);
  const file = modelFile(paths, n, 'star');
  if (!existsSync(file)) throw new ProjectFileError(rel(paths, file), '', 'file not found: design the star schema first (kimball model star)');
  const { erd, file: erdFile } = loadErdFor(paths, n);
  const { catalog } = loadCatalog(paths, project);
  const previous = readPreviousStar(file, paths.root);
  const fitted = fitStar(previous, { erd, catalog }, rel(paths, erdFile));
  const { star, added } = detectHierarchies(fitted, catalog, erd);
  writeStar(file, star, erd);
  return { file, model: star, added, notes: freshNotes(previous, star) };
}

/**
 * Export a model file. Outputs go next to it (`shop.erd.json` -> `shop.erd.mmd`, `.md`, `.dbml`,
 * `.sql`, `.svg`, `.png`) or to `out`; Mermaid also writes the Markdown page beside the `.mmd`.
 */
export function exportModelFile(
  paths: ProjectPaths,
  project: ProjectConfig,
  file: string,
  format: ExportFormat,
  opts: { out?: string; database?: string } = {},
): string[] {
  const abs = isAbsolute(file) ? file : resolve(paths.root, file);
  const kind = modelKindOf(abs);
  if (!kind) throw new Error(`${file}: not a model file (expected *.erd.json or *.star.json)`);
  const model: ErdModel | StarModel = kind === 'erd' ? readErd(abs, paths.root) : readStar(abs, paths.root);
  let erd: ErdModel | undefined;
  if (model.kind === 'star' && model.erd) {
    const erdFile = resolve(paths.root, model.erd);
    if (existsSync(erdFile)) erd = readErd(erdFile, paths.root);
  }
  const dbs = project.warehouse.databases ?? {};
  const database = opts.database ?? (model.kind === 'erd' ? dbs.silver : dbs.gold);
  const outputs = exportModel(model, format, { erd, database, cluster: project.warehouse.cluster });
  const base = opts.out ? resolve(paths.root, opts.out).replace(/\.[^./\\]+$/, '') : abs.replace(/\.json$/, '');
  const first = opts.out ? resolve(paths.root, opts.out) : undefined;
  return outputs.map((o, i) => {
    const target = i === 0 && first ? first : `${base}${o.ext}`;
    writeOutput(target, 'data' in o ? o.data : o.text);
    return target;
  });
}

/** Written to a temporary file and renamed, so a reader never sees half an export. */
function writeOutput(file: string, content: string | Buffer): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = join(dirname(file), `.${process.pid}.${Date.now()}.tmp`);
  writeFileSync(tmp, content);
  renameSync(tmp, file);
}
