/**
 * How an incremental (cursor) load joins bronze. The cursor reads from the
 * last high-water mark inclusive, so a row committed later with the mark's own
 * value is never missed; rows read again unchanged are dropped from the load.
 * With a key, bronze keeps one version per key: the latest load's, then its
 * latest row; a delete-scanned object also loses the rows whose key is gone at
 * the source. Removing bronze rows rewrites the table into a staging table
 * swapped in with one EXCHANGE; each removed row keeps nothing but a tombstone
 * (`<meta>.tombstones`), from which silver and gold delete their copies. When
 * no bronze row goes, the load's rows join bronze as whole parts, as before.
 */
import { TOMBSTONES_TABLE } from '../build/tombstones';
import type { Source, SourceObject } from '../sources/source';
import { identList, qualified, quoteIdent } from '../warehouse/sql';
import type { Warehouse } from '../warehouse/warehouse';
import { onCluster } from './meta';
import { LINEAGE_COLUMNS } from './names';

/** A source that can read every current key value of an object (PostgreSQL). */
export interface KeyScanSource {
  /** The current values of `columns`, one TSV line per row (PostgreSQL COPY text), read when iterated. */
  keyValues(object: SourceObject, columns: string[], signal?: AbortSignal): Promise<AsyncIterable<Buffer>>;
}

export function scansKeys(source: Source): source is Source & KeyScanSource {
  return typeof (source as Partial<KeyScanSource>).keyValues === 'function';
}

/** One incremental load, staged and ready to join its bronze table (whose columns already include the staged ones). */
export interface Increment {
  wh: Warehouse;
  /** The bronze table and the staging table holding this load's rows (names without the database). */
  table: string;
  staging: string;
  loadId: string;
  /** Bronze data columns in table order (the staging table has the same, then the lineage columns). */
  columns: string[];
  /** Bronze names of the cursor column and of the key columns (none: every version stays). */
  cursor: string;
  key?: string[];
  /** Delete scan: the current key values at the source, as TSV in key column order. */
  currentKeys?: () => Promise<AsyncIterable<Buffer>>;
  signal?: AbortSignal;
}

/** What the merge did: staged rows dropped as already in bronze, bronze rows removed (and tombstoned). */
export interface MergeOutcome {
  reread: number;
  removed: number;
}

/** The scratch tables a merge of `staging` may create (so the loader counts them as its own). */
export function scratchTables(staging: string): string[] {
  return ['reread', 'removed', 'keys', 'compact'].map((s) => `${staging}_${s}`);
}

export async function mergeIncrement(inc: Increment): Promise<MergeOutcome> {
  const m = new Merge(inc);
  try {
    return await m.run();
  } finally {
    await m.dropScratch();
  }
}

const LOAD = '{kimball_load_id:String}';

class Merge {
  private readonly db: string;
  private readonly bronze: string;
  private readonly staged: string;
  private readonly reread: string;
  private readonly removed: string;
  private readonly keys: string;
  private readonly compacted: string;

  constructor(private readonly inc: Increment) {
    this.db = inc.wh.databases.bronze;
    this.bronze = qualified(this.db, inc.table);
    this.staged = qualified(this.db, inc.staging);
    [this.reread, this.removed, this.keys, this.compacted] = scratchTables(inc.staging);
  }

  async run(): Promise<MergeOutcome> {
    const reread = await this.dropReread();
    if (!this.inc.key) {
      await this.attach();
      return { reread, removed: 0 };
    }
    await this.findRemoved(this.inc.key);
    const { old, fresh } = await this.removedCounts();
    if (old === 0) {
      // Only rows of this load lose (an older row of its key in the same read, a key deleted meanwhile).
      if (fresh > 0) await this.deleteStaged(this.removed);
      await this.attach();
    } else await this.compact();
    return { reread, removed: old };
  }

  private async sql(text: string, settings: Record<string, string | number> = {}): Promise<void> {
    await this.inc.wh.command(text, { params: { kimball_load_id: this.inc.loadId }, settings, signal: this.inc.signal });
  }

  private async count(sql: string): Promise<number> {
    const r = await this.inc.wh.query<{ n: string }>(sql, { params: { kimball_load_id: this.inc.loadId }, signal: this.inc.signal });
    return Number(r[0]?.n ?? 0);
  }

  /** A scratch table of (load id, row) pairs. */
  private async rowSet(name: string): Promise<string> {
    const t = qualified(this.db, name);
    await this.sql(`CREATE TABLE ${t}${onCluster(this.inc.wh)} (load_id String, row UInt64) ENGINE = MergeTree ORDER BY tuple()`);
    return t;
  }

  /**
   * Staged rows equal in every column to a bronze row with a cursor value this load read (the rows at the
   * mark, read again): dropped, as many of each as bronze holds, so a table without a key does not double.
   */
  private async dropReread(): Promise<number> {
    const t = await this.rowSet(this.reread);
    const cols = identList(this.inc.columns);
    const cur = quoteIdent(this.inc.cursor);
    await this.sql(
      // Aliases start with '_': no bronze column does, so none is shadowed.
      `INSERT INTO ${t} (load_id, row)
       SELECT ${LOAD}, _kimball_s._kimball_row FROM (
         SELECT _kimball_row, ${cols}, row_number() OVER (PARTITION BY ${cols} ORDER BY _kimball_row) AS _kimball_n FROM ${this.staged}
       ) AS _kimball_s
       INNER JOIN (
         SELECT ${cols}, count() AS _kimball_m FROM ${this.bronze} WHERE ${cur} IN (SELECT ${cur} FROM ${this.staged}) GROUP BY ${cols}
       ) AS _kimball_b USING (${cols})
       WHERE _kimball_s._kimball_n <= _kimball_b._kimball_m`,
    );
    const n = await this.count(`SELECT count() AS n FROM ${t}`);
    if (n > 0) await this.deleteStaged(this.reread);
    return n;
  }

  /** Remove from the staging table the rows listed in a scratch table (rows of this load only). */
  private async deleteStaged(list: string): Promise<void> {
    await this.sql(`ALTER TABLE ${this.staged} DELETE WHERE _kimball_row IN (SELECT row FROM ${qualified(this.db, list)})`, { mutations_sync: 2 });
  }

  /** The rows that go: every version of a key but the latest (this load's staged rows included), and with a delete scan every row whose key is gone. */
  private async findRemoved(key: string[]): Promise<void> {
    const t = await this.rowSet(this.removed);
    const k = identList(key);
    const lineage = `_kimball_load_id, _kimball_row, _kimball_loaded_at, ${k}`;
    await this.sql(
      `INSERT INTO ${t} (load_id, row)
       SELECT _kimball_load_id, _kimball_row FROM (
         SELECT ${lineage} FROM ${this.bronze} WHERE (${k}) IN (SELECT ${k} FROM ${this.staged})
         UNION ALL
         SELECT ${lineage} FROM ${this.staged}
       )
       ORDER BY _kimball_loaded_at DESC, _kimball_load_id DESC, _kimball_row DESC
       LIMIT 1, 18446744073709551615 BY ${k}`,
    );
    if (!this.inc.currentKeys) return;
    const live = await this.loadCurrentKeys(key, this.inc.currentKeys);
    const gone = `(${k}) NOT IN (SELECT ${k} FROM ${live})`;
    await this.sql(
      `INSERT INTO ${t} (load_id, row)
       SELECT _kimball_load_id, _kimball_row FROM ${this.bronze} WHERE ${gone}
       UNION ALL
       SELECT _kimball_load_id, _kimball_row FROM ${this.staged} WHERE ${gone}`,
    );
  }

  /** The source's current keys into a scratch table, read after the rows so a row inserted meanwhile is never taken for deleted. */
  private async loadCurrentKeys(key: string[], read: () => Promise<AsyncIterable<Buffer>>): Promise<string> {
    const { wh } = this.inc;
    const t = qualified(this.db, this.keys);
    await this.sql(`CREATE TABLE ${t}${onCluster(wh)} (${key.map((c) => `${quoteIdent(c)} String`).join(', ')}) ENGINE = MergeTree ORDER BY tuple()`);
    await wh.insert({ database: this.db, table: this.keys, columns: key, format: 'TSV', body: await read(), signal: this.inc.signal });
    return t;
  }

  /** Removed rows of earlier loads (bronze rows) and of this load (staged rows). */
  private async removedCounts(): Promise<{ old: number; fresh: number }> {
    const t = qualified(this.db, this.removed);
    const [old, fresh] = await Promise.all([
      this.count(`SELECT count() AS n FROM (SELECT DISTINCT load_id, row FROM ${t} WHERE load_id != ${LOAD})`),
      this.count(`SELECT count() AS n FROM ${t} WHERE load_id = ${LOAD}`),
    ]);
    return { old, fresh };
  }

  /** Append the staged rows as whole parts, then drop the empty staging table. */
  private async attach(): Promise<void> {
    const { wh } = this.inc;
    await wh.command(`ALTER TABLE ${this.bronze}${onCluster(wh)} ATTACH PARTITION ID 'all' FROM ${this.staged}`);
    await wh.command(`DROP TABLE IF EXISTS ${this.staged}${onCluster(wh)} SYNC`);
  }

  /**
   * Bronze without the removed rows, then the staged rows without them, into a new table that replaces
   * bronze in one EXCHANGE. The tombstones are written just before: should the swap never happen, the
   * next load removes the same rows again, while a swap without its tombstones would leave them downstream.
   */
  private async compact(): Promise<void> {
    const { wh } = this.inc;
    const target = qualified(this.db, this.compacted);
    const removed = qualified(this.db, this.removed);
    const all = identList([...this.inc.columns, ...LINEAGE_COLUMNS]);
    await this.sql(`CREATE TABLE ${target}${onCluster(wh)} AS ${this.bronze}`);
    await this.sql(`INSERT INTO ${target} (${all}) SELECT ${all} FROM ${this.bronze} WHERE (_kimball_load_id, _kimball_row) NOT IN (SELECT load_id, row FROM ${removed})`);
    await this.sql(`INSERT INTO ${target} (${all}) SELECT ${all} FROM ${this.staged} WHERE _kimball_row NOT IN (SELECT row FROM ${removed} WHERE load_id = ${LOAD})`);
    this.inc.signal?.throwIfAborted();
    // From here on the load completes even when cancelled: the tombstones must meet their EXCHANGE.
    await wh.command(
      `INSERT INTO ${qualified(wh.databases.meta, TOMBSTONES_TABLE)} (${identList(['table', 'load_id', 'row'])})
       SELECT DISTINCT {kimball_table:String}, load_id, row FROM ${removed} WHERE load_id != ${LOAD}`,
      { params: { kimball_table: this.inc.table, kimball_load_id: this.inc.loadId }, settings: wh.cluster ? { distributed_foreground_insert: 1 } : {} },
    );
    await wh.command(`EXCHANGE TABLES ${target} AND ${this.bronze}${onCluster(wh)}`);
    await wh.command(`DROP TABLE IF EXISTS ${this.staged}${onCluster(wh)} SYNC`);
  }

  /** Never fails the load: a table left behind is dropped by the next acquire (see dropLeftoverStaging). */
  async dropScratch(): Promise<void> {
    const { wh } = this.inc;
    for (const name of scratchTables(this.inc.staging)) {
      await wh.command(`DROP TABLE IF EXISTS ${qualified(this.db, name)}${onCluster(wh)} SYNC`).catch(() => undefined);
    }
  }
}
