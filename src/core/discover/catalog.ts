/**
 * The catalog file and the user's decisions: read, write, and re-apply
 * decisions (accept/reject, primary key, type override, rename, missing-value
 * tokens) so they survive every discovery.
 */
import { existsSync } from 'node:fs';
import { catalogFile, type ProjectPaths } from '../project/paths';
import { readProjectFile, writeProjectFile } from '../project/json-file';
import { sqlType } from '../warehouse/sql';
import type { Catalog, CatalogTable, Decisions, Relationship } from './catalog-types';
import { rankKeys } from './keys';
import { normaliseTokens } from './missing';

export const emptyDecisions = (): Decisions => ({ relationships: {}, primaryKeys: {}, typeOverrides: {}, renames: {}, missingTokens: {} });

export function readCatalog(paths: ProjectPaths, database: string): Catalog {
  return readProjectFile<Catalog>('catalog', catalogFile(paths, database), paths.root);
}

/** The catalog if one exists (an invalid file is an error: overwriting it would lose the user's decisions). */
export function readCatalogIfAny(paths: ProjectPaths, database: string): Catalog | undefined {
  return existsSync(catalogFile(paths, database)) ? readCatalog(paths, database) : undefined;
}

export function writeCatalog(paths: ProjectPaths, catalog: Catalog): string {
  const file = catalogFile(paths, catalog.database);
  writeProjectFile('catalog', file, catalog);
  return file;
}

export const columnKey = (table: string, column: string): string => `${table}.${column}`;

/** Expression for a type the user chose without writing one. */
export function overrideExpression(type: string): string {
  return `accurateCastOrNull(nullIf({col}, ''), '${sqlType(type)}')`;
}

/** Re-apply key and relationship decisions to a freshly built catalog (type overrides and missing tokens are applied during discovery). */
export function applyDecisions(catalog: Catalog, previous?: Catalog): Catalog {
  const d = catalog.decisions;
  const tables: CatalogTable[] = catalog.tables.map((t) => (d.primaryKeys[t.name] ? { ...t, keys: rankKeys(t.keys, d.primaryKeys[t.name]) } : t));
  const known = new Map(catalog.relationships.map((r) => [r.id, r]));
  const relationships: Relationship[] = catalog.relationships.map((r) => ({ ...r, status: d.relationships[r.id] ?? 'proposed' }));
  // Accepted relationships the data no longer proposes (or the user added) stay, marked as such.
  for (const [id, verdict] of Object.entries(d.relationships)) {
    if (verdict !== 'accepted' || known.has(id)) continue;
    const old = previous?.relationships.find((r) => r.id === id);
    if (!old) continue;
    const notes = old.evidence.notes.includes('kept by the user: not proposed by the latest discovery')
      ? old.evidence.notes
      : [...old.evidence.notes, 'kept by the user: not proposed by the latest discovery'];
    relationships.push({ ...old, status: 'accepted', evidence: { ...old.evidence, notes } });
  }
  relationships.sort((a, b) => a.id.localeCompare(b.id));
  return { ...catalog, tables, relationships };
}

function mutate(paths: ProjectPaths, database: string, change: (c: Catalog) => void): Catalog {
  const c = readCatalog(paths, database);
  change(c);
  const next = applyDecisions(c, c);
  writeCatalog(paths, next);
  return next;
}

function findRelationship(c: Catalog, id: string): Relationship {
  const r = c.relationships.find((x) => x.id === id);
  if (!r) throw new Error(`Relationship ${id} is not in the ${c.database} catalog.`);
  return r;
}

function findTable(c: Catalog, table: string): CatalogTable {
  const t = c.tables.find((x) => x.name === table);
  if (!t) throw new Error(`Table ${table} is not in the ${c.database} catalog.`);
  return t;
}

function requireColumns(t: CatalogTable, columns: string[]): void {
  const missing = columns.filter((c) => !t.columns.some((x) => x.name === c));
  if (missing.length > 0) throw new Error(`Table ${t.name} has no column ${missing.join(', ')}.`);
}

export function setRelationshipStatus(paths: ProjectPaths, database: string, id: string, status: 'accepted' | 'rejected' | 'proposed'): Catalog {
  return mutate(paths, database, (c) => {
    findRelationship(c, id);
    if (status === 'proposed') delete c.decisions.relationships[id];
    else c.decisions.relationships[id] = status;
  });
}

export function setPrimaryKey(paths: ProjectPaths, database: string, table: string, columns: string[]): Catalog {
  if (columns.length === 0) throw new Error('A primary key needs at least one column.');
  return mutate(paths, database, (c) => {
    requireColumns(findTable(c, table), columns);
    c.decisions.primaryKeys[table] = columns;
  });
}

export function setTypeOverride(paths: ProjectPaths, database: string, table: string, column: string, type: string, expression?: string): Catalog {
  sqlType(type);
  if (expression !== undefined && !expression.includes('{col}')) throw new Error(`The expression for ${table}.${column} must use {col} for the bronze column.`);
  return mutate(paths, database, (c) => {
    const t = findTable(c, table);
    requireColumns(t, [column]);
    const expr = expression ?? overrideExpression(type);
    c.decisions.typeOverrides[columnKey(table, column)] = expression ? { type, expression } : { type };
    const col = t.columns.find((x) => x.name === column);
    if (col) col.inferred = { ...col.inferred, type, expression: expr, notes: [...col.inferred.notes.filter((n) => n !== 'type chosen by the user'), 'type chosen by the user'] };
  });
}

export function setRename(paths: ProjectPaths, database: string, table: string, column: string, name: string): Catalog {
  if (!/^[\p{L}_][\p{L}\p{N}_]*$/u.test(name)) throw new Error(`"${name}" is not a valid column name (letters, digits, underscores).`);
  return mutate(paths, database, (c) => {
    requireColumns(findTable(c, table), [column]);
    c.decisions.renames[columnKey(table, column)] = name;
  });
}

/**
 * Choose the texts that mean "no value" in a column (NULL in silver, counted as missing): `tokens` replaces the
 * list (empty: none, every non-empty text is a value); `undefined` hands the choice back to discovery. The
 * column reads as Nullable at once; counts and convert rates follow at the next discovery.
 */
export function setMissingTokens(paths: ProjectPaths, database: string, table: string, column: string, tokens: string[] | undefined): Catalog {
  const chosen = tokens && normaliseTokens(tokens);
  return mutate(paths, database, (c) => {
    const t = findTable(c, table);
    requireColumns(t, [column]);
    const key = columnKey(table, column);
    const decided = c.decisions.missingTokens ?? {};
    if (chosen) decided[key] = chosen;
    else delete decided[key];
    c.decisions.missingTokens = decided;
    const col = t.columns.find((x) => x.name === column);
    if (col && chosen) {
      col.missingTokens = chosen;
      col.inferred = { ...col.inferred, nullable: col.inferred.nullable || chosen.length > 0 };
    }
  });
}
