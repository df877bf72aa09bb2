/** What the warehouse holds: databases, tables, columns (for the Warehouse view and `kimball warehouse`). */
import { onClusterClause, quoteIdent } from './sql';
import type { Warehouse } from './warehouse';

export interface TableInfo {
  database: string;
  name: string;
  engine: string;
  rows: number;
  bytes: number;
}

export interface ColumnInfo {
  name: string;
  type: string;
  position: number;
}

/** Create the bronze, silver, gold and meta databases if missing. */
export async function ensureDatabases(wh: Warehouse): Promise<void> {
  const onCluster = onClusterClause(wh.cluster);
  for (const db of new Set(Object.values(wh.databases))) {
    await wh.command(`CREATE DATABASE IF NOT EXISTS ${quoteIdent(db)}${onCluster}`);
  }
}

export async function listTables(wh: Warehouse, databases: readonly string[]): Promise<TableInfo[]> {
  const rows = await wh.query<{ database: string; name: string; engine: string; rows: string | null; bytes: string | null }>(
    `SELECT database, name, engine, total_rows AS rows, total_bytes AS bytes
       FROM system.tables
      WHERE database IN {dbs:Array(String)} AND NOT is_temporary
      ORDER BY database, name`,
    { params: { dbs: [...databases] } },
  );
  return rows.map((r) => ({ database: r.database, name: r.name, engine: r.engine, rows: Number(r.rows ?? 0), bytes: Number(r.bytes ?? 0) }));
}

export async function listColumns(wh: Warehouse, database: string, table: string): Promise<ColumnInfo[]> {
  const rows = await wh.query<{ name: string; type: string; position: string }>(
    `SELECT name, type, position FROM system.columns WHERE database = {db:String} AND table = {t:String} ORDER BY position`,
    { params: { db: database, t: table } },
  );
  return rows.map((r) => ({ name: r.name, type: r.type, position: Number(r.position) }));
}
