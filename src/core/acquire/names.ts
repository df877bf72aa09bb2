/**
 * Bronze names: every table and column name is lower-case [a-z0-9_], so SQL
 * written later (discover, build) never needs exotic quoting; the original
 * source names are recorded next to them (meta.bronze_columns).
 */

import { createHash } from 'node:crypto';

/** Lineage columns every bronze table carries after the source columns. */
export const LINEAGE_COLUMNS = ['_kimball_source', '_kimball_object', '_kimball_load_id', '_kimball_row', '_kimball_loaded_at'] as const;

/** A staging-only column (per-row NULL count of typed sources); reserved so no source column takes its name. */
export const NULLS_COLUMN = '_kimball_nulls';

/** One name part: accents folded, anything else outside [a-z0-9] becomes '_', runs collapsed, edges trimmed. */
export function sanitizeName(name: string): string {
  const s = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
  return capped(s, MAX_PART);
}

/** Longest name part: table and column names become file names, which the file system limits. */
const MAX_PART = 80;

/** Long names keep their start and get a short hash of the whole, so they stay unique and readable. */
function capped(name: string, max: number): string {
  if (name.length <= max) return name;
  const hash = createHash('sha256').update(name).digest('hex').slice(0, 8);
  return `${name.slice(0, max - 9).replace(/_+$/, '')}_${hash}`;
}

/**
 * Sanitized, unique column names for a list of source names: an empty result
 * becomes `column_<position>`, a clash gets `_2`, `_3`... Names in `taken`
 * (lineage columns, columns kept from an earlier load) are never reused.
 */
export function columnNames(originals: readonly string[], taken: Iterable<string> = [...LINEAGE_COLUMNS, NULLS_COLUMN]): string[] {
  const used = new Set(taken);
  return originals.map((original, i) => {
    const base = sanitizeName(original) || `column_${i + 1}`;
    let name = base;
    for (let n = 2; used.has(name); n++) name = `${base}_${n}`;
    used.add(name);
    return name;
  });
}

/** `bronze.<source>__<object>`: the table of one source object (without the database). */
export function bronzeTableName(source: string, object: string): string {
  const s = sanitizeName(source) || 'source';
  const o = sanitizeParts(object) || 'object';
  return capped(`${s}__${o}`, 160);
}

/** Sanitize each `__`-separated part, keeping the separators (file__sheet stays recognisable). */
export function sanitizeParts(name: string): string {
  return name
    .split('__')
    .map(sanitizeName)
    .filter((p) => p.length > 0)
    .join('__');
}

/** Object names unique within one source: sanitized, clashes numbered. */
export function objectNames(raw: readonly string[]): string[] {
  const used = new Set<string>();
  return raw.map((r) => {
    const base = sanitizeParts(r) || 'object';
    let name = base;
    for (let n = 2; used.has(name); n++) name = `${base}_${n}`;
    used.add(name);
    return name;
  });
}
