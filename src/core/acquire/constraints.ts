/**
 * Keys the sources declare (PostgreSQL primary keys, unique constraints and
 * foreign keys between tables of the same source), recorded at load time in
 * `<meta>.constraints` in bronze table and column names, so discovery can take
 * them as given instead of inferring them. A change writes the table's whole
 * set under one new time, then removes the older sets: a reader that takes the
 * latest set of each table never sees a table without its constraints.
 */
import type { Source, SourceObject } from '../sources/source';
import { qualified } from '../warehouse/sql';
import type { Warehouse } from '../warehouse/warehouse';
import { BRONZE_COLUMNS_TABLE, chTime, CONSTRAINTS_TABLE, oneChunk, tableExists } from './meta';
import { bronzeTableName, columnNames } from './names';
import type { BronzeColumn } from './plan';

export type ConstraintKind = 'primary' | 'unique' | 'foreign';

/** A constraint as the source declares it, in source column names. */
export interface SourceConstraint {
  kind: ConstraintKind;
  columns: string[];
  /** A foreign key's target: an object of the same source, the referenced columns, and all its columns in table order. */
  references?: { object: string; columns: string[]; allColumns: string[] };
}

/** A source that can tell an object's declared constraints (PostgreSQL). */
export interface ConstraintSource {
  declaredConstraints(object: SourceObject, signal?: AbortSignal): Promise<SourceConstraint[]>;
}

export function declaresConstraints(source: Source): source is Source & ConstraintSource {
  return typeof (source as Partial<ConstraintSource>).declaredConstraints === 'function';
}

/** One recorded constraint, in bronze names. */
export interface DeclaredConstraint {
  bronzeTable: string;
  kind: ConstraintKind;
  columns: string[];
  /** A foreign key's referenced bronze table and columns; '' and [] for the other kinds. */
  refBronzeTable: string;
  refColumns: string[];
}

type ConstraintRow = {
  bronze_table: string;
  kind: ConstraintKind;
  columns: string[];
  ref_bronze_table: string;
  ref_columns: string[];
};

const COLUMNS = ['bronze_table', 'kind', 'columns', 'ref_bronze_table', 'ref_columns'] as const;

/** The current declared constraints of every bronze table (none before the first PostgreSQL load). */
export async function readDeclaredConstraints(wh: Warehouse): Promise<DeclaredConstraint[]> {
  if (!(await tableExists(wh, wh.databases.meta, CONSTRAINTS_TABLE))) return [];
  const t = qualified(wh.databases.meta, CONSTRAINTS_TABLE);
  const rows = await wh.query<ConstraintRow>(
    `SELECT ${COLUMNS.join(', ')} FROM ${t}
      WHERE (bronze_table, loaded_at) IN (SELECT bronze_table, max(loaded_at) FROM ${t} GROUP BY bronze_table)
      ORDER BY bronze_table, kind, columns`,
  );
  return rows.map((r) => ({ bronzeTable: r.bronze_table, kind: r.kind, columns: r.columns, refBronzeTable: r.ref_bronze_table, refColumns: r.ref_columns }));
}

/** The bronze table a load wrote: its source, its name and its columns (bronze name and source name). */
export interface LoadedTable {
  source: string;
  table: string;
  columns: BronzeColumn[];
}

/** Record `declared` as the constraints of a loaded table; nothing is written when they are the recorded ones. */
export async function recordConstraints(wh: Warehouse, loaded: LoadedTable, declared: SourceConstraint[]): Promise<void> {
  const next = await inBronzeNames(wh, loaded, declared);
  const current = await currentSet(wh, loaded.table);
  if (setKey(current.rows) === setKey(next)) return;
  // Strictly after the set it replaces, so "the latest set" is never two sets.
  const at = chTime(new Date(Math.max(Date.now(), current.at + 1)));
  if (next.length > 0) {
    const body = next.map((r) => JSON.stringify({ ...r, loaded_at: at })).join('\n') + '\n';
    await wh.insert({ database: wh.databases.meta, table: CONSTRAINTS_TABLE, columns: [...COLUMNS, 'loaded_at'], format: 'JSONEachRow', body: oneChunk(body) });
  }
  if (current.rows.length > 0) {
    await wh.command(`DELETE FROM ${qualified(wh.databases.meta, CONSTRAINTS_TABLE)} WHERE bronze_table = {t:String} AND loaded_at < {at:DateTime64(3, 'UTC')}`, {
      params: { t: loaded.table, at },
      settings: { lightweight_deletes_sync: 2 },
    });
  }
}

/** The recorded set of one table and its time (0 when there is none). */
async function currentSet(wh: Warehouse, table: string): Promise<{ rows: ConstraintRow[]; at: number }> {
  const t = qualified(wh.databases.meta, CONSTRAINTS_TABLE);
  const rows = await wh.query<ConstraintRow & { at: string }>(
    `SELECT ${COLUMNS.join(', ')}, toString(loaded_at) AS at FROM ${t}
      WHERE bronze_table = {t:String} AND loaded_at = (SELECT max(loaded_at) FROM ${t} WHERE bronze_table = {t:String})`,
    { params: { t: table } },
  );
  const at = rows.length > 0 ? Date.parse(`${rows[0].at.replace(' ', 'T')}Z`) : 0;
  return { rows: rows.map(({ at: _at, ...r }) => r), at };
}

/** A set's identity whatever its order. */
function setKey(rows: readonly ConstraintRow[]): string {
  return rows
    .map((r) => JSON.stringify(COLUMNS.map((c) => r[c])))
    .sort()
    .join('\n');
}

/**
 * Source names -> bronze names: the load's own columns from its plan; a referenced table's from what
 * its last load recorded, or, before its first load, the names that load will give them.
 */
async function inBronzeNames(wh: Warehouse, loaded: LoadedTable, declared: SourceConstraint[]): Promise<ConstraintRow[]> {
  const own = new Map(loaded.columns.map((c) => [c.original, c.name]));
  const refTables = declared.flatMap((c) => (c.references ? [bronzeTableName(loaded.source, c.references.object)] : []));
  const recorded = await recordedColumns(wh, refTables);
  const bronze = (original: string): string => own.get(original) ?? original;
  return declared.map((c) => {
    const row: ConstraintRow = { bronze_table: loaded.table, kind: c.kind, columns: c.columns.map(bronze), ref_bronze_table: '', ref_columns: [] };
    if (!c.references) return row;
    const ref = c.references;
    const refTable = bronzeTableName(loaded.source, ref.object);
    const firstLoad = columnNames(ref.allColumns);
    const names = refTable === loaded.table ? own : (recorded.get(refTable) ?? new Map(ref.allColumns.map((o, i) => [o, firstLoad[i]])));
    return { ...row, ref_bronze_table: refTable, ref_columns: ref.columns.map((o) => names.get(o) ?? o) };
  });
}

/** Original -> bronze column of each of `tables` that has been loaded. */
async function recordedColumns(wh: Warehouse, tables: string[]): Promise<Map<string, Map<string, string>>> {
  const out = new Map<string, Map<string, string>>();
  if (tables.length === 0) return out;
  const rows = await wh.query<{ table: string; column: string; original: string }>(
    `SELECT table, column, original FROM ${qualified(wh.databases.meta, BRONZE_COLUMNS_TABLE)} FINAL
      WHERE database = {db:String} AND table IN {tables:Array(String)}`,
    { params: { db: wh.databases.bronze, tables } },
  );
  for (const r of rows) {
    const m = out.get(r.table) ?? new Map<string, string>();
    m.set(r.original, r.column);
    out.set(r.table, m);
  }
  return out;
}
