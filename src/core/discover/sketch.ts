/**
 * Value sketches for relationship discovery: per column, the 64-bit hashes
 * of its distinct values (normalised as they are compared), all of them up
 * to SKETCH_TARGET distinct values, else a uniform sample (the hashes below
 * a threshold). One aggregate per table computes them; they are kept in a
 * table in ClickHouse (hashes only, never values). A probe scans one key
 * column and counts, per candidate column, how many of its sketched values
 * the key holds: an exact count over the sample, which estimates containment
 * for every pair of columns at the cost of one scan per key. Complete
 * sketches give exact containment outright.
 */
import { Readable } from 'node:stream';
import { qualified, quoteIdent } from '../warehouse/sql';
import type { Warehouse } from '../warehouse/warehouse';
import { toNumber } from '../warehouse/rows';

/** How values are compared: integers as numbers (`0012` = `12`), UUIDs as UUIDs, text as trimmed text. */
export type Family = 'int' | 'uuid' | 'text';

/** Distinct values kept per column: a sample this size estimates a share to within a few points. */
export const SKETCH_TARGET = 512;
/** Hard cap per column (a distinct-count estimate that was too low cannot blow the sketch up). */
const SKETCH_CAP = 2048;
const MAX_HASH = 2n ** 64n - 1n;
/** Probes per query: each is one scan of a key column. */
const PROBES_PER_QUERY = 12;

export interface SketchColumn {
  id: number;
  table: string;
  name: string;
  fam: Family;
  /** Estimated distinct values over the whole table: sets the sampling threshold. */
  distinct: number;
  /** Texts that mean "no value" in the column: never compared. */
  missingTokens?: string[];
  /** No value needs trimming or thousands separators removed (the cheaper comparison holds). */
  plain?: boolean;
}

export interface SketchSize {
  /** Hashes kept. */
  size: number;
  /** True when every distinct value is in the sketch. */
  complete: boolean;
  /** Estimated distinct values (exact when complete). */
  distinct: number;
}

/**
 * The comparable value of a column, NULL when empty, missing or not of the family. A `plain` column
 * (no padding, no thousands separators) skips the clean-up: both forms give the same value.
 */
export function valueExpr(column: string, fam: Family, missingTokens: string[] = [], plain = false): string {
  const v = plain ? quoteIdent(column) : `trimBoth(${quoteIdent(column)})`;
  if (fam === 'int') return plain ? `toInt64OrNull(${v})` : `toInt64OrNull(replaceAll(${v}, ',', ''))`;
  if (fam === 'uuid') return `toUUIDOrNull(${v})`;
  const tokens = missingTokens.map((t) => `'${t.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`);
  return tokens.length > 0 ? `if(${quoteIdent(column)} IN (${tokens.join(', ')}), NULL, nullIf(${v}, ''))` : `nullIf(${v}, '')`;
}

/** Hashes at or below the threshold are kept: the whole set for small columns, a uniform sample otherwise. */
export function threshold(distinct: number): bigint {
  if (distinct <= SKETCH_TARGET) return MAX_HASH;
  return (MAX_HASH / BigInt(Math.ceil(distinct))) * BigInt(SKETCH_TARGET);
}

export class ValueSketches {
  private readonly meta: string;
  private readonly name: string;
  private readonly table: string;
  private readonly thresholds = new Map<number, bigint>();

  constructor(
    private readonly wh: Warehouse,
    private readonly database: string,
  ) {
    // Kimball's own database; one per bronze database, so two catalogs never share it.
    this.meta = wh.databases.meta;
    this.name = `discover_sketch_${database.replace(/[^A-Za-z0-9_]/g, '_')}`;
    this.table = qualified(this.meta, this.name);
  }

  async open(): Promise<void> {
    await this.wh.command(`CREATE DATABASE IF NOT EXISTS ${quoteIdent(this.wh.databases.meta)}`);
    await this.wh.command(`DROP TABLE IF EXISTS ${this.table}`);
    await this.wh.command(`CREATE TABLE ${this.table} (col UInt32, h UInt64) ENGINE = Memory`);
  }

  async close(): Promise<void> {
    await this.wh.command(`DROP TABLE IF EXISTS ${this.table}`);
  }

  /**
   * One scan of a table sketches all its comparable columns: an aggregate per column (cheaper than
   * building rows of hashes), whose few hashes are then written to the sketch table.
   */
  async add(table: string, columns: SketchColumn[], signal?: AbortSignal): Promise<void> {
    if (columns.length === 0) return;
    const aggregates = columns.map((c, k) => {
      const t = threshold(c.distinct);
      this.thresholds.set(c.id, t);
      return `groupUniqArrayIf(${SKETCH_CAP})(cityHash64(x${k}), isNotNull(x${k}) AND cityHash64(x${k}) <= ${t}) AS s${k}`;
    });
    const values = columns.map((c, k) => `${valueExpr(c.name, c.fam, c.missingTokens, c.plain)} AS x${k}`).join(', ');
    const r = (await this.wh.query<Record<string, string[]>>(`SELECT ${aggregates.join(', ')} FROM (SELECT ${values} FROM ${qualified(this.database, table)})`, { signal }))[0] ?? {};
    // Hashes are UInt64 text: written as JSON numbers, unquoted, so none loses precision.
    const rows = columns.flatMap((c, k) => (r[`s${k}`] ?? []).map((h) => `{"col":${c.id},"h":${h}}`));
    if (rows.length === 0) return;
    await this.wh.insert({ database: this.meta, table: this.name, columns: ['col', 'h'], format: 'JSONEachRow', body: Readable.from([rows.join('\n') + '\n']), signal });
  }

  async sizes(signal?: AbortSignal): Promise<Map<number, SketchSize>> {
    const rows = await this.wh.query<{ col: number | string; n: number | string }>(`SELECT col, count() AS n FROM ${this.table} GROUP BY col`, { signal });
    const out = new Map<number, SketchSize>();
    for (const r of rows) {
      const id = Number(r.col);
      const size = toNumber(r.n);
      const t = this.thresholds.get(id) ?? MAX_HASH;
      const complete = t === MAX_HASH && size < SKETCH_CAP;
      // A uniform sample below t holds about distinct * t / 2^64 values.
      const distinct = complete ? size : Math.round(size * Number(MAX_HASH) / Number(t));
      out.set(id, { size, complete, distinct });
    }
    return out;
  }

  /**
   * For each key column (`target`), how many sketched values of each candidate column it holds:
   * one scan of the key column per target. Returns target id -> candidate id -> matched values.
   */
  async probe(targets: { column: SketchColumn; candidates: number[] }[], signal?: AbortSignal): Promise<Map<number, Map<number, number>>> {
    const out = new Map<number, Map<number, number>>();
    const todo = targets.filter((t) => t.candidates.length > 0);
    for (let i = 0; i < todo.length; i += PROBES_PER_QUERY) {
      const branches = todo.slice(i, i + PROBES_PER_QUERY).map(({ column: c, candidates }) => {
        const keyHashes = `SELECT cityHash64(x) FROM (SELECT ${valueExpr(c.name, c.fam, c.missingTokens, c.plain)} AS x FROM ${qualified(this.database, c.table)}) WHERE isNotNull(x)`;
        return `SELECT toUInt32(${c.id}) AS target, col, count() AS m FROM ${this.table} WHERE col IN (${candidates.join(', ')}) AND h IN (${keyHashes}) GROUP BY col`;
      });
      const rows = await this.wh.query<{ target: number | string; col: number | string; m: number | string }>(branches.join('\nUNION ALL\n'), { signal });
      for (const r of rows) {
        const t = Number(r.target);
        if (!out.has(t)) out.set(t, new Map());
        out.get(t)?.set(Number(r.col), toNumber(r.m));
      }
    }
    return out;
  }
}
