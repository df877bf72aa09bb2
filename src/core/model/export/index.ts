/** One entry for every export: a model and a format in, the files to write out (extension + text or bytes). */
import type { ErdModel, StarModel } from '../model-types';
import { erdToDdl, starToDdl, type DdlOptions } from './ddl';
import { svgToPng } from './png';
import { erdToSvg, starToSvg } from './svg';
import { erdToDbml, erdToMermaid, mermaidMarkdown, starToDbml, starToMermaid } from './text-exports';

export const EXPORT_FORMATS = ['mermaid', 'dbml', 'ddl', 'svg', 'png'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];
/** The formats whose outputs are text. */
export type TextExportFormat = Exclude<ExportFormat, 'png'>;

export interface TextFile {
  /** File extension including the dot, e.g. `.mmd`. */
  ext: string;
  text: string;
}
export interface BinaryFile {
  ext: string;
  data: Buffer;
}
export type ExportedFile = TextFile | BinaryFile;

export function isExportFormat(s: string): s is ExportFormat {
  return (EXPORT_FORMATS as readonly string[]).includes(s);
}

export type ExportOptions = DdlOptions & { erd?: ErdModel };

export function exportModel(model: ErdModel | StarModel, format: TextExportFormat, opts?: ExportOptions): TextFile[];
export function exportModel(model: ErdModel | StarModel, format: 'png', opts?: ExportOptions): BinaryFile[];
export function exportModel(model: ErdModel | StarModel, format: ExportFormat, opts?: ExportOptions): ExportedFile[];
export function exportModel(model: ErdModel | StarModel, format: ExportFormat, opts: ExportOptions = {}): ExportedFile[] {
  if (format === 'png') return [{ ext: '.png', data: svgToPng(exportModel(model, 'svg', opts)[0].text) }];
  const erd = model.kind === 'erd' ? model : undefined;
  const star = model.kind === 'star' ? model : undefined;
  switch (format) {
    case 'mermaid': {
      const mmd = erd ? erdToMermaid(erd) : starToMermaid(star as StarModel, opts.erd);
      return [
        { ext: '.mmd', text: mmd },
        { ext: '.md', text: mermaidMarkdown(model.name, mmd, erd ? 'ERD' : 'star schema') },
      ];
    }
    case 'dbml':
      return [{ ext: '.dbml', text: erd ? erdToDbml(erd) : starToDbml(star as StarModel, opts.erd) }];
    case 'ddl':
      return [{ ext: '.sql', text: erd ? erdToDdl(erd, opts) : starToDdl(star as StarModel, opts) }];
    case 'svg':
      return [{ ext: '.svg', text: erd ? erdToSvg(erd) : starToSvg(star as StarModel, opts.erd) }];
  }
}

export { erdToDdl, starToDdl, nullableType } from './ddl';
export { erdToSvg, starToSvg } from './svg';
export { svgToPng } from './png';
export { erdToDbml, erdToMermaid, mermaidMarkdown, starToDbml, starToMermaid } from './text-exports';
export { starTables, roleKeyColumn } from './tables';
