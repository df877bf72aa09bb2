/** The JSON Schemas of every workspace file kind (also contributed to VS Code through jsonValidation). */
import project from '../../../schemas/project.schema.json';
import source from '../../../schemas/source.schema.json';
import catalog from '../../../schemas/catalog.schema.json';
import erd from '../../../schemas/erd.schema.json';
import star from '../../../schemas/star.schema.json';
import manifest from '../../../schemas/manifest.schema.json';
import run from '../../../schemas/run.schema.json';

export const SCHEMAS = {
  project,
  source,
  catalog,
  erd,
  star,
  manifest,
  run,
} as const;

export type FileKind = keyof typeof SCHEMAS;
