/**
 * Sources: the factory over every kind, and the config store
 * (.kimball/sources/<name>.json; secrets live in the SecretStore only).
 */
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { sourceFile, type ProjectPaths } from '../project/paths';
import { readProjectFile, writeProjectFile } from '../project/json-file';
import type { HttpEndpoint, HttpPagination, SecretField, Source, SourceConfig, SourceDeps, SecretStore } from './source';
import { FilesSource } from './files';

export * from './source';

/**
 * The source of a config. Kinds with heavy client libraries (pg, the AWS SDK) load on first use, so
 * activating the extension or running an unrelated command never evaluates them.
 */
export async function createSource(config: SourceConfig, deps: SourceDeps): Promise<Source> {
  switch (config.kind) {
    case 'files':
      return new FilesSource(config, deps);
    case 'postgres':
      return new (await import('./postgres.js')).PostgresSource(config, deps);
    case 's3':
      return new (await import('./s3.js')).S3Source(config, deps);
    case 'http':
      return new (await import('./http.js')).HttpSource(config, deps);
  }
}

const NAME = /^[A-Za-z][A-Za-z0-9_]{0,62}$/;

/** A source name is letters, digits and underscores (it prefixes bronze table names). */
export function checkSourceName(name: string): void {
  if (!NAME.test(name)) {
    throw new Error(`"${name}" is not a valid source name: use a letter, then letters, digits or underscores (at most 63).`);
  }
}

export function listSourceNames(paths: ProjectPaths): string[] {
  if (!existsSync(paths.sourcesDir)) return [];
  return readdirSync(paths.sourcesDir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -5))
    .sort();
}

export function sourceExists(paths: ProjectPaths, name: string): boolean {
  return NAME.test(name) && existsSync(sourceFile(paths, name));
}

export function readSource(paths: ProjectPaths, name: string): SourceConfig {
  checkSourceName(name);
  if (!existsSync(sourceFile(paths, name))) throw new Error(`There is no source named ${name} (.kimball/sources/${name}.json).`);
  const config = readProjectFile<SourceConfig>('source', sourceFile(paths, name), paths.root);
  if (config.name !== name) throw new Error(`.kimball/sources/${name}.json names the source "${config.name}"; the name must match the file name.`);
  return config;
}

export function listSources(paths: ProjectPaths): SourceConfig[] {
  return listSourceNames(paths).map((n) => readSource(paths, n));
}

/** Validate against the schema and write .kimball/sources/<name>.json. */
export function writeSource(paths: ProjectPaths, config: SourceConfig): void {
  checkSourceName(config.name);
  writeProjectFile('source', sourceFile(paths, config.name), config);
}

const SECRET_FIELDS: SecretField[] = ['password', 'secretAccessKey', 'token'];

/** Remove the config file and every secret stored for the source. */
export async function deleteSource(paths: ProjectPaths, secrets: SecretStore, name: string): Promise<void> {
  checkSourceName(name);
  if (!existsSync(sourceFile(paths, name))) throw new Error(`There is no source named ${name}.`);
  for (const f of SECRET_FIELDS) await secrets.delete(name, f);
  rmSync(sourceFile(paths, name));
}

/** Which secret a source kind needs, if any. */
export function secretFieldOf(kind: SourceConfig['kind']): SecretField | undefined {
  return kind === 'postgres' ? 'password' : kind === 's3' ? 'secretAccessKey' : kind === 'http' ? 'token' : undefined;
}

/** `name=path[,records=a.b][,pagination=link|page:<param>|offset:<param>:<limitParam>:<limit>|cursor:<param>:<cursorPath>]` */
export function parseEndpoint(spec: string): HttpEndpoint {
  const [head, ...rest] = spec.split(',');
  const eq = head.indexOf('=');
  if (eq <= 0) throw new Error(`--endpoint ${spec}: expected name=path[,records=...][,pagination=...].`);
  const e: HttpEndpoint = { name: head.slice(0, eq), path: head.slice(eq + 1) };
  for (const part of rest) {
    const [k, v = ''] = [part.slice(0, part.indexOf('=')), part.slice(part.indexOf('=') + 1)];
    if (k === 'records') e.recordsPath = v;
    else if (k === 'pagination') e.pagination = parsePagination(v, spec);
    else throw new Error(`--endpoint ${spec}: unknown setting "${part}".`);
  }
  return e;
}

function parsePagination(v: string, spec: string): HttpPagination {
  const [kind, a, b, c] = v.split(':');
  if (kind === 'none' || kind === 'link') return { kind };
  if (kind === 'page' && a) return { kind, param: a };
  if (kind === 'offset' && a && b && Number(c) > 0) return { kind, param: a, limitParam: b, limit: Number(c) };
  if (kind === 'cursor' && a && b) return { kind, param: a, cursorPath: b };
  throw new Error(`--endpoint ${spec}: pagination is link, none, page:<param>, offset:<param>:<limitParam>:<limit> or cursor:<param>:<cursorPath>.`);
}
