/**
 * Kimball's own tables for loads: `<meta>.loads` (one row per load),
 * `<meta>.bronze_columns` (bronze column -> original source name),
 * `<bronze>._kimball_rejects` (rows that could not be parsed),
 * `<meta>.constraints` (keys the sources declare) and `<meta>.tombstones`
 * (bronze rows incremental loads removed).
 */
import { Ddl } from '../build/ddl';
import { tombstonesSpec } from '../build/tombstones';
import { onClusterClause, qualified, quoteIdent } from '../warehouse/sql';
import type { Warehouse } from '../warehouse/warehouse';

export const LOADS_TABLE = 'loads';
export const BRONZE_COLUMNS_TABLE = 'bronze_columns';
export const REJECTS_TABLE = '_kimball_rejects';
export const STAGING_PREFIX = '_kimball_staging_';
export const CONSTRAINTS_TABLE = 'constraints';

export type LoadStatus = 'loaded' | 'skipped' | 'failed' | 'cancelled';

/** One row of `<meta>.loads`. */
export interface LoadRow {
  load_id: string;
  source: string;
  object: string;
  table: string;
  version: string;
  status: LoadStatus;
  rows: number;
  bytes: number;
  rejects: number;
  nulls: number;
  error: string;
  started_at: string;
  ended_at: string;
  columns_added: string[];
  columns_missing: string[];
}

export function onCluster(wh: Warehouse): string {
  return onClusterClause(wh.cluster);
}

/** ClickHouse DateTime64(3) text in UTC. */
export function chTime(d: Date): string {
  return d.toISOString().replace('T', ' ').replace('Z', '');
}

export const REJECTS_COLUMNS = ['source', 'object', 'load_id', 'line', 'reason', 'raw', 'rejected_at'];

export function rejectsDdl(wh: Warehouse, table: string): string {
  return `CREATE TABLE IF NOT EXISTS ${qualified(wh.databases.bronze, table)}${onCluster(wh)} (
    source LowCardinality(String), object String, load_id String, line UInt64, reason String, raw String,
    rejected_at DateTime64(3, 'UTC')
  ) ENGINE = MergeTree ORDER BY (source, object, load_id, line)`;
}

/** Create the meta tables when missing (cheap; run before every acquire). */
export async function ensureLoadTables(wh: Warehouse): Promise<void> {
  const { meta, bronze } = wh.databases;
  const c = onCluster(wh);
  await wh.command(`CREATE DATABASE IF NOT EXISTS ${quoteIdent(meta)}${c}`);
  await wh.command(`CREATE DATABASE IF NOT EXISTS ${quoteIdent(bronze)}${c}`);
  await wh.command(
    `CREATE TABLE IF NOT EXISTS ${qualified(meta, LOADS_TABLE)}${c} (
      load_id String, source LowCardinality(String), object String, table String, version String,
      status LowCardinality(String), rows UInt64, bytes UInt64, rejects UInt64, nulls UInt64, error String,
      started_at DateTime64(3, 'UTC'), ended_at DateTime64(3, 'UTC'),
      columns_added Array(String), columns_missing Array(String)
    ) ENGINE = MergeTree ORDER BY (source, object, started_at)`,
  );
  await wh.command(
    `CREATE TABLE IF NOT EXISTS ${qualified(meta, BRONZE_COLUMNS_TABLE)}${c} (
      database String, table String, column String, original String, position UInt32,
      source String, object String, load_id String, updated_at DateTime64(3, 'UTC')
    ) ENGINE = ReplacingMergeTree(updated_at) ORDER BY (database, table, column)`,
  );
  await wh.command(rejectsDdl(wh, REJECTS_TABLE));
  await wh.command(
    `CREATE TABLE IF NOT EXISTS ${qualified(meta, CONSTRAINTS_TABLE)}${c} (
      bronze_table String, kind LowCardinality(String), columns Array(String), ref_bronze_table String, ref_columns Array(String),
      loaded_at DateTime64(3, 'UTC') DEFAULT now64(3)
    ) ENGINE = MergeTree ORDER BY (bronze_table, loaded_at)`,
  );
  // Written here, read by the build's incremental steps: the build's own DDL (a Distributed twin on a cluster).
  for (const sql of new Ddl(wh.cluster).createTable(tombstonesSpec(meta))) await wh.command(sql);
}

export async function recordLoad(wh: Warehouse, row: LoadRow): Promise<void> {
  await wh.insert({
    database: wh.databases.meta,
    table: LOADS_TABLE,
    columns: Object.keys(row),
    format: 'JSONEachRow',
    body: oneChunk(JSON.stringify(row) + '\n'),
  });
}

/** The version of the last successful load of an object, if any. */
export async function lastLoadedVersion(wh: Warehouse, source: string, object: string): Promise<string | undefined> {
  const rows = await wh.query<{ version: string }>(
    `SELECT version FROM ${qualified(wh.databases.meta, LOADS_TABLE)}
      WHERE source = {s:String} AND object = {o:String} AND status = 'loaded'
      ORDER BY ended_at DESC LIMIT 1`,
    { params: { s: source, o: object } },
  );
  return rows[0]?.version;
}

export interface LastLoad {
  source: string;
  object: string;
  table: string;
  status: LoadStatus;
  rows: number;
  rejects: number;
  error: string;
  endedAt: string;
}

/** The latest load of every object (for the Data Sources view and `kimball source objects`). */
export async function lastLoads(wh: Warehouse, sources?: string[]): Promise<LastLoad[]> {
  const exists = await wh.query<{ n: string }>(
    'SELECT count() AS n FROM system.tables WHERE database = {db:String} AND name = {t:String}',
    { params: { db: wh.databases.meta, t: LOADS_TABLE } },
  );
  if (Number(exists[0]?.n ?? 0) === 0) return [];
  const rows = await wh.query<{ source: string; object: string; t: string; st: LoadStatus; r: string; rj: string; err: string; ended: string }>(
    `SELECT source, object, argMax(table, ended_at) AS t, argMax(status, ended_at) AS st,
            argMax(rows, ended_at) AS r, argMax(rejects, ended_at) AS rj, argMax(error, ended_at) AS err,
            max(ended_at) AS ended
       FROM ${qualified(wh.databases.meta, LOADS_TABLE)}
      WHERE {all:Bool} OR source IN {sources:Array(String)}
      GROUP BY source, object ORDER BY source, object`,
    { params: { all: !sources, sources: sources ?? [] } },
  );
  return rows.map((x) => ({
    source: x.source,
    object: x.object,
    table: x.t,
    status: x.st,
    rows: Number(x.r),
    rejects: Number(x.rj),
    error: x.err,
    endedAt: x.ended,
  }));
}

export async function tableExists(wh: Warehouse, database: string, table: string): Promise<boolean> {
  const r = await wh.query<{ n: string }>('SELECT count() AS n FROM system.tables WHERE database = {db:String} AND name = {t:String}', {
    params: { db: database, t: table },
  });
  return Number(r[0]?.n ?? 0) > 0;
}

/** A one-chunk insert body. */
export async function* oneChunk(text: string): AsyncGenerator<string> {
  yield text;
}
