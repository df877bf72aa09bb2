/**
 * The source form's model: what the inputs hold (text, as typed) and the
 * conversions to and from the source config (src/core/sources/source.ts).
 * Pure, no DOM: the conversions are the form's contract, tested on their own.
 * A value that cannot be converted (a port "54x") is a problem at the field's
 * JSON pointer, like the config checks' problems, so all show the same way.
 */
import type { HttpEndpoint, HttpPagination, SourceConfig, SourceKind } from '../../src/core/sources/config-types';
import { checkSourceFields, type FieldProblem } from '../../src/core/sources/edit';

/** One row of an object-name -> value map (PostgreSQL cursors, keys as comma-separated columns, queries). */
export interface Pair {
  key: string;
  value: string;
}

export type PaginationKind = HttpPagination['kind'];

/** One REST endpoint as typed; pagination settings of every kind are kept so switching kinds loses nothing. */
export interface EndpointDraft {
  name: string;
  path: string;
  recordsPath: string;
  pagination: PaginationKind;
  param: string;
  sizeParam: string;
  size: string;
  start: string;
  limitParam: string;
  limit: string;
  cursorPath: string;
}

export interface FormState {
  kind: SourceKind;
  name: string;
  /** Scalar fields by config key, as text ('' = absent). Lists are comma-separated; booleans '', 'true', 'false'. */
  values: Record<string, string>;
  cursors: Pair[];
  keys: Pair[];
  queries: Pair[];
  endpoints: EndpointDraft[];
}

/** The object-name -> value maps of the form. */
export type PairList = 'cursors' | 'keys' | 'queries';

/** Scalar fields of each kind in form order, with how their text converts. */
type Conv = 'text' | 'int' | 'number' | 'bool' | 'list' | 'delimiter';
export const SCALARS: Record<SourceKind, readonly (readonly [string, Conv])[]> = {
  files: [['path', 'text'], ['glob', 'text'], ['delimiter', 'delimiter'], ['header', 'bool'], ['encoding', 'text'], ['sheets', 'list']],
  postgres: [['host', 'text'], ['port', 'int'], ['database', 'text'], ['user', 'text'], ['sslMode', 'text'], ['schemas', 'list'], ['deleteScan', 'list']],
  s3: [['bucket', 'text'], ['prefix', 'text'], ['glob', 'text'], ['region', 'text'], ['endpoint', 'text'], ['pathStyle', 'bool'], ['accessKeyId', 'text']],
  http: [
    ['baseUrl', 'text'],
    ['authHeader', 'text'],
    ['authScheme', 'text'],
    ['trustedOrigins', 'list'],
    ['rateLimit', 'number'],
    ['requestTimeoutSeconds', 'number'],
    ['idleTimeoutSeconds', 'number'],
    ['objectTimeoutSeconds', 'number'],
  ],
};

export function blankEndpointDraft(n: number): EndpointDraft {
  return { name: `endpoint${n}`, path: '/', recordsPath: '', pagination: 'none', param: '', sizeParam: '', size: '', start: '', limitParam: '', limit: '', cursorPath: '' };
}

function textOf(v: unknown, conv: Conv): string {
  if (v === undefined || v === null) return '';
  if (conv === 'list') return Array.isArray(v) ? v.join(', ') : '';
  if (conv === 'delimiter') return v === '\t' ? '\\t' : String(v);
  return String(v);
}

function endpointDraft(e: HttpEndpoint): EndpointDraft {
  const d = blankEndpointDraft(0);
  const g = (e.pagination ?? { kind: 'none' }) as Record<string, unknown> & { kind: PaginationKind };
  const s = (k: string) => (g[k] === undefined ? '' : String(g[k]));
  return {
    ...d,
    name: e.name,
    path: e.path,
    recordsPath: e.recordsPath ?? '',
    pagination: g.kind,
    param: s('param'),
    sizeParam: s('sizeParam'),
    size: s('size'),
    start: s('start'),
    limitParam: s('limitParam'),
    limit: s('limit'),
    cursorPath: s('cursorPath'),
  };
}

const pairs = (m: Record<string, string> | undefined): Pair[] => Object.entries(m ?? {}).map(([key, value]) => ({ key, value }));

export function formFromConfig(config: SourceConfig): FormState {
  const c = config as unknown as Record<string, unknown>;
  const values: Record<string, string> = {};
  for (const [key, conv] of SCALARS[config.kind]) values[key] = textOf(c[key], conv);
  return {
    kind: config.kind,
    name: config.name,
    values,
    cursors: config.kind === 'postgres' ? pairs(config.cursors) : [],
    keys: config.kind === 'postgres' ? Object.entries(config.keys ?? {}).map(([key, cols]) => ({ key, value: cols.join(', ') })) : [],
    queries: config.kind === 'postgres' ? pairs(config.queries) : [],
    endpoints: config.kind === 'http' ? config.endpoints.map(endpointDraft) : [],
  };
}

export interface Converted {
  config: SourceConfig;
  /** Conversion problems and the config checks' problems, one per field. */
  problems: FieldProblem[];
}

/** The config the form describes, and every problem with it. Empty text means "absent". */
export function configFromForm(f: FormState): Converted {
  const problems: FieldProblem[] = [];
  const out: Record<string, unknown> = { kind: f.kind, name: f.name.trim() };
  for (const [key, conv] of SCALARS[f.kind]) {
    const v = convert(f.values[key] ?? '', conv, `/${key}`, problems);
    if (v !== undefined) out[key] = v;
  }
  if (f.kind === 'postgres') {
    const cursors = mapOf(f.cursors, '/cursors', problems);
    const keys = mapOf(f.keys, '/keys', problems);
    const queries = mapOf(f.queries, '/queries', problems);
    if (cursors) out.cursors = cursors;
    if (keys) out.keys = Object.fromEntries(Object.entries(keys).map(([k, v]) => [k, v.split(',').map((c) => c.trim()).filter(Boolean)]));
    if (queries) out.queries = queries;
  }
  if (f.kind === 'http') out.endpoints = f.endpoints.map((e, i) => endpointOf(e, `/endpoints/${i}`, problems));
  const config = out as unknown as SourceConfig;
  const all = [...problems, ...formPaths(f, checkSourceFields(config))];
  const seen = new Set<string>();
  return { config, problems: all.filter((p) => !seen.has(p.path) && seen.add(p.path)) };
}

function convert(text: string, conv: Conv, path: string, problems: FieldProblem[]): unknown {
  const t = conv === 'delimiter' ? text : text.trim();
  if (t === '') return undefined;
  switch (conv) {
    case 'text':
      return t;
    case 'delimiter':
      return t === '\\t' || t.toLowerCase() === 'tab' ? '\t' : t;
    case 'bool':
      return t === 'true' ? true : t === 'false' ? false : undefined;
    case 'list': {
      const items = t.split(',').map((s) => s.trim()).filter(Boolean);
      return items.length ? items : undefined;
    }
    case 'int':
    case 'number': {
      const n = Number(t);
      const ok = conv === 'int' ? /^-?\d+$/.test(t) : Number.isFinite(n);
      if (!ok) problems.push({ path, message: conv === 'int' ? 'A whole number.' : 'A number.' });
      return ok ? n : undefined;
    }
  }
}

/** Rows with both cells empty are ignored (a fresh "Add" row); a duplicate name is a problem. */
function mapOf(rows: Pair[], base: string, problems: FieldProblem[]): Record<string, string> | undefined {
  const out: Record<string, string> = {};
  rows.forEach((r, i) => {
    const key = r.key.trim();
    if (key === '' && r.value.trim() === '') return;
    if (key === '') problems.push({ path: `${base}/#${i}`, message: 'The object name is empty.' });
    else if (Object.prototype.hasOwnProperty.call(out, key)) problems.push({ path: `${base}/#${i}`, message: `${key} appears twice.` });
    else out[key] = r.value.trim();
  });
  return Object.keys(out).length ? out : undefined;
}

function endpointOf(e: EndpointDraft, base: string, problems: FieldProblem[]): HttpEndpoint {
  const out: HttpEndpoint = { name: e.name.trim(), path: e.path.trim() };
  if (e.recordsPath.trim()) out.recordsPath = e.recordsPath.trim();
  const p = `${base}/pagination`;
  const int = (k: 'size' | 'start' | 'limit') => convert(e[k], 'int', `${p}/${k}`, problems) as number | undefined;
  const str = (k: 'param' | 'sizeParam' | 'limitParam' | 'cursorPath') => e[k].trim() || undefined;
  const g: Record<string, unknown> = { kind: e.pagination };
  if (e.pagination === 'page') Object.assign(g, { param: str('param') ?? '', sizeParam: str('sizeParam'), size: int('size'), start: int('start') });
  if (e.pagination === 'offset') Object.assign(g, { param: str('param') ?? '', limitParam: str('limitParam') ?? '', limit: int('limit') });
  if (e.pagination === 'cursor') Object.assign(g, { param: str('param') ?? '', cursorPath: str('cursorPath') ?? '' });
  for (const [k, v] of Object.entries(g)) if (v === undefined) delete g[k];
  // "none" is the default: the file stays without it.
  if (e.pagination !== 'none') out.pagination = g as unknown as HttpPagination;
  return out;
}

/**
 * Map rows are addressed by position in the form (`/cursors/#2`) while the checks name them by key
 * (`/cursors/orders`, as in the file): the problems with the form's pointers.
 */
export function formPaths(f: FormState, problems: FieldProblem[]): FieldProblem[] {
  return problems.map((p) => {
    const m = /^\/(cursors|keys|queries)\/([^/]+)(.*)$/.exec(p.path);
    if (!m || m[2].startsWith('#')) return p;
    const key = m[2].replace(/~1/g, '/').replace(/~0/g, '~');
    const i = f[m[1] as PairList].findIndex((r) => r.key.trim() === key);
    return i < 0 ? p : { ...p, path: `/${m[1]}/#${i}${m[3]}` };
  });
}
