/**
 * The extension side of the source form, without VS Code: what is wrong with a config the form sends
 * (its kind and name for the form, the field checks, the file's JSON schema), saving it (file, then
 * secret), and the secrets a Test of unsaved settings sees. The panel (src/vscode/forms) only relays.
 */
import { existsSync } from 'node:fs';
import { sourceFile, type ProjectPaths } from '../project/paths';
import { schemaProblems } from '../project/json-file';
import { checkSourceName, readSource, secretFieldOf, sourceExists, writeSource } from './index';
import { checkSourceFields, type FieldProblem } from './edit';
import type { SecretStore, SourceConfig, SourceKind } from './source';

/** What a form edits: a new source of a kind, or an existing source (never renamed). */
export type FormTarget = { mode: 'add'; kind: SourceKind } | { mode: 'edit'; name: string; kind: SourceKind };

/** Every problem of `config` for this form, one per field; `forSave` adds what only a save needs (a free name, the source still there). */
export function formProblems(paths: ProjectPaths, target: FormTarget, config: SourceConfig, forSave: boolean): FieldProblem[] {
  if (config.kind !== target.kind) return [{ path: '/kind', message: `This form edits a ${target.kind} source.` }];
  const out: FieldProblem[] = [];
  if (target.mode === 'edit' && config.name !== target.name) out.push({ path: '/name', message: `A source cannot be renamed (it is ${target.name}).` });
  if (target.mode === 'add' && forSave) {
    try {
      checkSourceName(config.name);
      if (sourceExists(paths, config.name)) out.push({ path: '/name', message: `A source named ${config.name} exists.` });
    } catch (err) {
      out.push({ path: '/name', message: (err as Error).message });
    }
  }
  if (target.mode === 'edit' && forSave && !existsSync(sourceFile(paths, target.name))) {
    out.push({ path: '', message: `The source ${target.name} was deleted meanwhile.` });
  }
  out.push(...checkSourceFields(config), ...schemaProblems('source', config));
  const seen = new Set<string>();
  return out.filter((p) => !seen.has(p.path) && seen.add(p.path));
}

/**
 * Save the form's config when it has no problem: the file (keeping a hand-written `$schema` hint the form
 * does not show), then the typed secret ('' keeps the stored one). Returns the problems; empty = saved.
 */
export async function saveSourceForm(paths: ProjectPaths, secrets: SecretStore, target: FormTarget, config: SourceConfig, secret: string): Promise<FieldProblem[]> {
  const problems = formProblems(paths, target, config, true);
  if (problems.length > 0) return problems;
  const previous = target.mode === 'edit' ? (readSource(paths, target.name) as unknown as Record<string, unknown>) : {};
  writeSource(paths, (previous.$schema === undefined ? config : { ...config, $schema: previous.$schema }) as SourceConfig);
  const field = secretFieldOf(config.kind);
  if (field && secret !== '') await secrets.set(config.name, field, secret);
  return [];
}

/** The secrets a Test of unsaved settings reads: the typed one wins, else what is stored for `storedName`. Nothing is written. */
export function secretsForTest(secrets: SecretStore, kind: SourceKind, typed: string, storedName: string): SecretStore {
  const field = secretFieldOf(kind);
  return {
    get: (_source, f) => (f === field && typed !== '' ? Promise.resolve(typed) : secrets.get(storedName, f)),
    set: () => Promise.reject(new Error('A test of unsaved settings stores nothing.')),
    delete: () => Promise.resolve(),
  };
}
