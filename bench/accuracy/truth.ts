/**
 * Ground truth of the accuracy corpus: test/fixtures/corpus/manifest.json (datasets and the
 * dev / holdout split) and one <dataset>.truth.json per dataset (documented keys, foreign keys,
 * column roles and types, fact vs dimension, each citing its documentation).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const FIXTURES = join(__dirname, '..', '..', 'test', 'fixtures', 'corpus');
export const ACCURACY_DATA = join(__dirname, '..', 'data', 'accuracy');

export type Part = 'dev' | 'holdout';

export interface Manifest {
  /** When the split was fixed, before any score was seen. */
  splitFixed: string;
  note: string;
  datasets: { name: string; part: Part }[];
}

export interface SourceInfo {
  kind: 'npm' | 'debian';
  package: string;
  version?: string;
  /** npm: dist.integrity of the pinned version. */
  integrity?: string;
  license: string;
}

/** What a column is, as documented. `date` covers years; `flag` is a yes/no; `code` a coded category. */
export type Role = 'identifier' | 'code' | 'flag' | 'measure' | 'attribute' | 'date' | 'text';
/** Documented value type; `a|b` accepts either. `number` accepts integers too. */
export type TypeName = 'integer' | 'number' | 'string' | 'date' | 'datetime' | 'boolean';

export interface TableTruth {
  /** The file in the package it comes from, when named differently. */
  file?: string;
  /** fact, dimension, bridge (many-to-many), or none (a lookup outside any star). Only fact/dimension are scored. */
  role?: 'fact' | 'dimension' | 'bridge' | 'none';
  /** Documented primary key (source column names); null: none documented (not scored). */
  primaryKey: string[] | null;
  /** Other documented keys: choosing one of these as the primary key also counts as correct. */
  alternateKeys?: string[][];
  /** column -> "role" or "role type" (e.g. "measure number", "code string|integer"). */
  columns?: Record<string, string>;
  /** regex (source column name) -> "role type", for wide tables. */
  columnPatterns?: Record<string, string>;
  doc: string;
}

export interface ForeignKeyTruth {
  from: string;
  columns: string[];
  to: string;
  toColumns: string[];
  /** Some from-values are not in the target (documented or observed). */
  partial?: boolean;
  /** A one-to-one link between equal key sets whose direction the documentation does not fix. */
  symmetric?: boolean;
  doc: string;
}

export interface DatasetTruth {
  name: string;
  title: string;
  domain: string;
  source: SourceInfo;
  documentation: string[];
  /** How the bench loads it: a files source, or a throwaway PostgreSQL database with declared PK/FK constraints. */
  load: 'files' | 'postgres';
  notes?: string;
  tables: Record<string, TableTruth>;
  foreignKeys: ForeignKeyTruth[];
  /** True references the documentation does not state: found, they count neither for nor against. */
  acceptable?: ForeignKeyTruth[];
}

export function loadManifest(): Manifest {
  return JSON.parse(readFileSync(join(FIXTURES, 'manifest.json'), 'utf8')) as Manifest;
}

export function loadTruth(name: string): DatasetTruth {
  const t = JSON.parse(readFileSync(join(FIXTURES, `${name}.truth.json`), 'utf8')) as DatasetTruth;
  if (t.name !== name) throw new Error(`${name}.truth.json names itself ${t.name}`);
  for (const fk of [...t.foreignKeys, ...(t.acceptable ?? [])]) {
    for (const [table, cols] of [[fk.from, fk.columns], [fk.to, fk.toColumns]] as const) {
      if (!t.tables[table]) throw new Error(`${name}: foreign key names unknown table ${table}`);
      if (cols.length === 0) throw new Error(`${name}: foreign key ${fk.from} -> ${fk.to} has no columns`);
    }
    if (fk.columns.length !== fk.toColumns.length) throw new Error(`${name}: foreign key ${fk.from} -> ${fk.to} pairs ${fk.columns.length} with ${fk.toColumns.length} columns`);
  }
  return t;
}

/** The documented role and type of a column, if any. */
export function columnTruth(t: TableTruth, column: string): { role?: Role; types?: TypeName[] } {
  let spec = t.columns?.[column];
  if (spec === undefined) {
    for (const [re, s] of Object.entries(t.columnPatterns ?? {})) if (new RegExp(re).test(column)) spec = s;
  }
  if (!spec) return {};
  const [role, type] = spec.split(/\s+/);
  return { role: role as Role, types: type ? (type.split('|') as TypeName[]) : undefined };
}
