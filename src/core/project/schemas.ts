/** The JSON Schemas of every workspace file kind (also contributed to VS Code through jsonValidation). */
import project from '../../../schemas/project.schema.json';
import source from '../../../schemas/source.schema.json';

export const SCHEMAS = {
  project,
  source,
} as const;

export type FileKind = keyof typeof SCHEMAS;
