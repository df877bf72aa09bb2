/**
 * Workspace JSON files: validated on read against their JSON Schema with an
 * error naming the file, the path inside it and the problem; written with
 * sorted keys, 2-space indent and a trailing newline, so a one-field change is
 * a one-line diff.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, relative } from 'node:path';
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import { SCHEMAS, type FileKind } from './schemas';

export class ProjectFileError extends Error {
  constructor(
    readonly file: string,
    readonly pointer: string,
    readonly problem: string,
  ) {
    super(`${file}${pointer ? ` at ${pointer}` : ''}: ${problem}`);
    this.name = 'ProjectFileError';
  }
}

const ajv = new Ajv({ allErrors: true, strict: false });
const validators = new Map<FileKind, ValidateFunction>();

function validator(kind: FileKind): ValidateFunction {
  let v = validators.get(kind);
  if (!v) {
    v = ajv.compile(SCHEMAS[kind]);
    validators.set(kind, v);
  }
  return v;
}

/** Canonical text of a value: keys sorted at every level, arrays in their order. */
export function stableStringify(value: unknown): string {
  return JSON.stringify(sortKeys(value), null, 2) + '\n';
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[k];
      if (v !== undefined) out[k] = sortKeys(v);
    }
    return out;
  }
  return value;
}

/** Parse and validate text already read (e.g. an open editor document). */
export function parseProjectFile<T>(kind: FileKind, text: string, file: string): T {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new ProjectFileError(file, '', `not valid JSON (${(err as Error).message})`);
  }
  const v = validator(kind);
  if (!v(data)) throw firstError(file, v.errors ?? []);
  return data as T;
}

export function readProjectFile<T>(kind: FileKind, file: string, displayRoot?: string): T {
  const shown = displayRoot ? relative(displayRoot, file) : file;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ProjectFileError(shown, '', code === 'ENOENT' ? 'file not found' : `cannot be read (${code ?? err})`);
  }
  return parseProjectFile<T>(kind, text, shown);
}

/** Validate, then write atomically (temp file + rename) so a crash never leaves half a file. */
export function writeProjectFile(kind: FileKind, file: string, data: unknown): void {
  const v = validator(kind);
  if (!v(data)) throw firstError(file, v.errors ?? []);
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, stableStringify(data));
  renameSync(tmp, file);
}

/**
 * Every schema problem of a value as (JSON pointer, message), for forms that show each next to its field;
 * the structural `if`/`anyOf`/`oneOf` wrappers are left out (their branches report the real problem).
 */
export function schemaProblems(kind: FileKind, data: unknown): { path: string; message: string }[] {
  const v = validator(kind);
  if (v(data)) return [];
  return (v.errors ?? [])
    .filter((e) => e.keyword !== 'if' && e.keyword !== 'anyOf' && e.keyword !== 'oneOf')
    .map((e) => ({ path: e.keyword === 'required' ? `${e.instancePath}/${String((e.params as { missingProperty: string }).missingProperty)}` : e.instancePath, message: describe(e) }));
}

/** Errors of the deepest path first: the most specific problem is the useful one. */
function firstError(file: string, errors: ErrorObject[]): ProjectFileError {
  const sorted = [...errors].sort((a, b) => b.instancePath.length - a.instancePath.length);
  const e = sorted.find((x) => x.keyword !== 'if' && x.keyword !== 'anyOf' && x.keyword !== 'oneOf') ?? sorted[0];
  if (!e) return new ProjectFileError(file, '', 'does not match its schema');
  return new ProjectFileError(file, e.instancePath || '/', describe(e));
}

function describe(e: ErrorObject): string {
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'required':
      return `missing required property "${String(p.missingProperty)}"`;
    case 'additionalProperties':
      return `unknown property "${String(p.additionalProperty)}"`;
    case 'enum':
      return `must be one of ${(p.allowedValues as unknown[]).map((x) => JSON.stringify(x)).join(', ')}`;
    case 'type':
      return `must be ${String(p.type)}`;
    default:
      return e.message ?? 'is invalid';
  }
}
