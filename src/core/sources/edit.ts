/**
 * Editing a source config: which fields each kind has, a partial change with
 * optional fields removed (`kimball source edit`), and field checks with a
 * JSON pointer per problem (the form shows each next to its input). Pure and
 * DOM-free: the source form webview imports it too, so both sides judge a
 * config by the same rules. The JSON Schema (schemas/source.schema.json)
 * stays the final word on the file; these checks add what a schema cannot say
 * well (unique endpoint names, pagination settings per kind) and friendlier
 * messages.
 */
import type { HttpPagination, SourceConfig, SourceKind } from './config-types';

/** A problem with one field: a JSON pointer into the config ("/port", "/endpoints/0/name") and what is wrong. */
export interface FieldProblem {
  path: string;
  message: string;
}

/** Fields every config of the kind must have (besides kind and name). */
export const REQUIRED_FIELDS: Record<SourceKind, readonly string[]> = {
  files: ['path'],
  postgres: ['host', 'port', 'database', 'user'],
  s3: ['bucket'],
  http: ['baseUrl', 'endpoints'],
};

/** Fields a config of the kind may leave out. */
export const OPTIONAL_FIELDS: Record<SourceKind, readonly string[]> = {
  files: ['glob', 'delimiter', 'header', 'encoding', 'sheets'],
  postgres: ['sslMode', 'schemas', 'queries', 'cursors', 'keys', 'deleteScan'],
  s3: ['prefix', 'glob', 'region', 'endpoint', 'pathStyle', 'accessKeyId'],
  http: ['authHeader', 'authScheme', 'rateLimit', 'trustedOrigins', 'requestTimeoutSeconds', 'idleTimeoutSeconds', 'objectTimeoutSeconds'],
};

const NAME = /^[A-Za-z][A-Za-z0-9_]{0,62}$/;
const URL_RE = /^https?:\/\/\S+$/;
/** Scheme, host and port only: the token goes to an origin, never to a path. */
const ORIGIN_RE = /^https?:\/\/[^/?#\s]+\/?$/;

/**
 * `config` with `patch` applied and the `unset` optional fields removed. The kind and the name never
 * change here (renaming a source would orphan its bronze tables and stored secrets).
 */
export function applySourceEdit(config: SourceConfig, patch: Record<string, unknown>, unset: readonly string[] = []): SourceConfig {
  const kind = config.kind;
  const known = [...REQUIRED_FIELDS[kind], ...OPTIONAL_FIELDS[kind]];
  for (const field of [...Object.keys(patch), ...unset]) {
    if (field === 'kind' || field === 'name') throw new Error(`Source ${config.name}: the ${field} of a source cannot be changed.`);
    if (!known.includes(field)) throw new Error(`Source ${config.name}: a ${kind} source has no field "${field}" (fields: ${known.join(', ')}).`);
  }
  for (const field of unset) {
    if (REQUIRED_FIELDS[kind].includes(field)) throw new Error(`Source ${config.name}: ${field} is required for a ${kind} source and cannot be removed.`);
    if (field in patch) throw new Error(`Source ${config.name}: ${field} is both changed and removed.`);
  }
  const out: Record<string, unknown> = { ...config, ...patch };
  for (const field of unset) delete out[field];
  for (const [k, v] of Object.entries(out)) if (v === undefined) delete out[k];
  return out as unknown as SourceConfig;
}

/** Every problem of the config's fields, in field order; empty when it is fine. */
export function checkSourceFields(config: SourceConfig): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const add = (path: string, message: string) => problems.push({ path, message });
  if (typeof config.name !== 'string' || !NAME.test(config.name)) {
    add('/name', 'A letter, then letters, digits or underscores (at most 63).');
  }
  const c = config as unknown as Record<string, unknown>;
  for (const field of REQUIRED_FIELDS[config.kind] ?? []) {
    const v = c[field];
    if (v === undefined || v === null || (typeof v === 'string' && v.trim() === '')) add(`/${field}`, 'Required.');
  }
  switch (config.kind) {
    case 'files':
      checkFiles(config, add);
      break;
    case 'postgres':
      checkPostgres(config, add);
      break;
    case 's3':
      if (config.endpoint !== undefined && !URL_RE.test(config.endpoint)) add('/endpoint', 'An http:// or https:// URL.');
      break;
    case 'http':
      checkHttp(config, add);
      break;
  }
  return dedupe(problems);
}

type Add = (path: string, message: string) => void;

function checkFiles(c: Extract<SourceConfig, { kind: 'files' }>, add: Add): void {
  if (c.delimiter !== undefined && c.delimiter.length !== 1) add('/delimiter', 'One character (a tab is "\\t"); empty: sniffed.');
  c.sheets?.forEach((s, i) => s.trim() === '' && add(`/sheets/${i}`, 'A sheet name cannot be empty.'));
}

function checkPostgres(c: Extract<SourceConfig, { kind: 'postgres' }>, add: Add): void {
  if (c.port !== undefined && !(Number.isInteger(c.port) && c.port >= 1 && c.port <= 65535)) add('/port', 'A port number (1-65535).');
  c.schemas?.forEach((s, i) => s.trim() === '' && add(`/schemas/${i}`, 'A schema name cannot be empty.'));
  checkMap(c.cursors, '/cursors', 'The cursor column', add);
  checkMap(c.queries, '/queries', 'The query', add);
  checkKeys(c.keys, add);
  c.deleteScan?.forEach((o, i) => {
    // Only an incremental load can miss a delete: a full load reads the whole table anyway.
    if (c.cursors?.[o] === undefined) add(`/deleteScan/${i}`, `${o || 'An empty name'} has no cursor column: a delete scan applies to incrementally loaded objects.`);
  });
}

/** Object name -> key columns: object names as in checkMap, at least one column, none empty or repeated. */
function checkKeys(keys: Record<string, string[]> | undefined, add: Add): void {
  for (const [k, cols] of Object.entries(keys ?? {})) {
    const p = `/keys/${pointerPart(k)}`;
    if (!NAME.test(k)) add(p, `"${k}" is not an object name: a letter, then letters, digits or underscores.`);
    else if (!Array.isArray(cols) || cols.length === 0) add(p, `The key of ${k} needs at least one column.`);
    else if (cols.some((c) => typeof c !== 'string' || c.trim() === '')) add(p, `The key of ${k} has an empty column name.`);
    else if (new Set(cols).size !== cols.length) add(p, `The key of ${k} names a column twice.`);
  }
}

/** An object name as one JSON pointer segment. */
function pointerPart(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** Object name -> value maps (cursors, queries): names are bronze object names, values non-empty. */
function checkMap(map: Record<string, string> | undefined, base: string, what: string, add: Add): void {
  for (const [k, v] of Object.entries(map ?? {})) {
    const p = `${base}/${pointerPart(k)}`;
    if (!NAME.test(k)) add(p, `"${k}" is not an object name: a letter, then letters, digits or underscores.`);
    else if (typeof v !== 'string' || v.trim() === '') add(p, `${what} of ${k} is empty.`);
  }
}

function checkHttp(c: Extract<SourceConfig, { kind: 'http' }>, add: Add): void {
  if (c.baseUrl && !URL_RE.test(c.baseUrl)) add('/baseUrl', 'An http:// or https:// URL.');
  if (c.rateLimit !== undefined && !(typeof c.rateLimit === 'number' && c.rateLimit > 0)) add('/rateLimit', 'A number of requests per second above 0.');
  for (const field of ['requestTimeoutSeconds', 'idleTimeoutSeconds', 'objectTimeoutSeconds'] as const) {
    const v = c[field];
    if (v !== undefined && !(typeof v === 'number' && v > 0)) add(`/${field}`, 'A number of seconds above 0.');
  }
  c.trustedOrigins?.forEach((o, i) => !ORIGIN_RE.test(o) && add(`/trustedOrigins/${i}`, 'An origin: http:// or https://, a host and an optional port, no path (e.g. https://cdn.example.com).'));
  if (!Array.isArray(c.endpoints)) return;
  if (c.endpoints.length === 0) add('/endpoints', 'At least one endpoint.');
  const seen = new Set<string>();
  c.endpoints.forEach((e, i) => {
    const p = `/endpoints/${i}`;
    if (!NAME.test(e.name ?? '')) add(`${p}/name`, 'A letter, then letters, digits or underscores.');
    else if (seen.has(e.name)) add(`${p}/name`, `Another endpoint is named ${e.name}.`);
    seen.add(e.name);
    if (typeof e.path !== 'string') add(`${p}/path`, 'Required.');
    if (e.pagination) checkPagination(e.pagination, `${p}/pagination`, add);
  });
}

function checkPagination(g: HttpPagination, p: string, add: Add): void {
  const need = (field: string, v: unknown) => (v === undefined || v === '') && add(`${p}/${field}`, 'Required for this pagination.');
  const positive = (field: string, v: number | undefined) =>
    v !== undefined && !(Number.isInteger(v) && v >= 1) && add(`${p}/${field}`, 'A whole number of at least 1.');
  switch (g.kind) {
    case 'page':
      need('param', g.param);
      positive('size', g.size);
      if (g.start !== undefined && !Number.isInteger(g.start)) add(`${p}/start`, 'A whole number.');
      break;
    case 'offset':
      need('param', g.param);
      need('limitParam', g.limitParam);
      need('limit', g.limit);
      positive('limit', g.limit);
      break;
    case 'cursor':
      need('param', g.param);
      need('cursorPath', g.cursorPath);
      break;
  }
}

function dedupe(problems: FieldProblem[]): FieldProblem[] {
  const seen = new Set<string>();
  return problems.filter((p) => !seen.has(p.path) && seen.add(p.path));
}

/** A new source's starting values: the usual defaults, nothing else. */
export function newSourceConfig(kind: SourceKind, name = ''): SourceConfig {
  switch (kind) {
    case 'files':
      return { kind, name, path: '' };
    case 'postgres':
      return { kind, name, host: 'localhost', port: 5432, database: '', user: '' };
    case 's3':
      return { kind, name, bucket: '' };
    case 'http':
      return { kind, name, baseUrl: '', endpoints: [{ name: 'endpoint1', path: '/' }] };
  }
}
