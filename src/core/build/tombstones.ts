/**
 * Tombstones: bronze rows an incremental load removed after silver or gold may
 * have copied them (a version a newer one superseded, a key deleted at the
 * source). Acquire records them in `<meta>.tombstones`; an incremental step
 * deletes the rows that carry a tombstoned (load id, row). A full rebuild reads
 * bronze, which no longer holds them, so both end with the same rows.
 */
import { quoteIdent } from '../warehouse/sql';
import type { TableSpec } from './ddl';
import { LOAD_ID, VERSION, type BuildContext } from './plan';

export const TOMBSTONES_TABLE = 'tombstones';

/** The tombstones table; acquire and the build create it alike, whichever comes first. */
export function tombstonesSpec(metaDatabase: string): TableSpec {
  const q = quoteIdent;
  return {
    database: metaDatabase,
    table: TOMBSTONES_TABLE,
    columns: [`${q('table')} String`, `${q('load_id')} String`, `${q('row')} UInt64`, `${q('at')} DateTime64(3) DEFAULT now64(3)`],
    // A load retried after a failure may tombstone a row twice: merges keep one.
    engine: 'ReplacingMergeTree',
    orderBy: `(${q('table')}, ${q('load_id')}, ${q('row')})`,
    shardKey: `cityHash64(${q('load_id')})`,
  };
}

/** CREATE TABLE IF NOT EXISTS statements of the tombstones table (a Distributed twin on a cluster). */
export function tombstonesTable(b: BuildContext): string[] {
  return b.ddl.createTable(tombstonesSpec(b.db.meta));
}

/**
 * The DELETE of the rows of `target` copied from tombstoned rows of bronze `bronzeTable`. The target
 * keeps the load id and the version (load time in ms * 2^32 + bronze row number), so the row number
 * is the version's low 32 bits. Probed: the runner skips it when no row matches.
 */
export function deleteTombstoned(b: BuildContext, bronzeTable: string, target: { database: string; table: string }): string {
  const q = quoteIdent;
  const row = `toUInt64(${q(VERSION)} % 4294967296)`;
  const tombstoned = `SELECT ${q('load_id')}, ${q('row')} FROM ${b.meta(TOMBSTONES_TABLE)} WHERE ${q('table')} = ${nameLiteral(bronzeTable)}`;
  return b.ddl.deleteWhere(target.database, target.table, `(${q(LOAD_ID)}, ${row}) IN (${tombstoned})`);
}

/**
 * A table name as a SQL string (step files run without query parameters). Bronze names are
 * [a-z0-9_] and read as they are; any other name goes hex-encoded, so no character of it is SQL.
 */
export function nameLiteral(name: string): string {
  if (/^[a-z0-9_]+$/.test(name)) return `'${name}'`;
  return `unhex('${Buffer.from(name, 'utf8').toString('hex')}')`;
}
