/**
 * One object into bronze, atomically: rows go to a staging table, which then
 * replaces the bronze table in one EXCHANGE (or RENAME on the first load).
 * A failed, cancelled or interrupted load drops its staging table, so the
 * previous data stays intact and no partial rows are visible anywhere.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { CoreContext } from '../context';
import { escapeControls } from '../errors';
import type { NativeRead, Source, SourceObject, StreamRead, StreamRecord, UploadRead } from '../sources/source';
import { qualified, quoteIdent } from '../warehouse/sql';
import type { Warehouse } from '../warehouse/warehouse';
import { tsvFields, tsvNullCount } from '../formats/tsv';
import { bronzeTableName, LINEAGE_COLUMNS, NULLS_COLUMN } from './names';
import { ColumnPlan, type BronzeColumn } from './plan';
import { declaresConstraints, recordConstraints, type SourceConstraint } from './constraints';
import { mergeIncrement, scansKeys, scratchTables } from './increment';
import {
  BRONZE_COLUMNS_TABLE,
  chTime,
  lastLoadedVersion,
  oneChunk,
  onCluster,
  recordLoad,
  rejectsDdl,
  REJECTS_COLUMNS,
  REJECTS_TABLE,
  STAGING_PREFIX,
  tableExists,
  type LoadStatus,
} from './meta';

export interface LoadResult {
  source: string;
  object: string;
  /** Bronze table (without the database). */
  table: string;
  status: LoadStatus;
  rows: number;
  rejects: number;
  /** NULLs that became empty strings. */
  nulls: number;
  bytes: number;
  ms: number;
  error?: string;
  columnsAdded: string[];
  columnsMissing: string[];
  loadId?: string;
  version?: string;
}

/** An outcome in which nothing was read (all counts zero); `error` says why when it is not a success. */
export function emptyResult(source: string, object: string, table: string, status: LoadStatus, error?: string): LoadResult {
  return { source, object, table, status, rows: 0, rejects: 0, nulls: 0, bytes: 0, ms: 0, ...(error === undefined ? {} : { error }), columnsAdded: [], columnsMissing: [] };
}

export interface LoadOptions {
  force?: boolean;
  signal?: AbortSignal;
  onProgress?: (p: { rows: number; bytes: number }) => void;
}

/** Staging tables of loads running in this process (others are leftovers of a crash). */
export const activeStaging = new Set<string>();
const tableLocks = new Map<string, Promise<unknown>>();

/** Loads of the same bronze table run one after another. */
function locked<T>(key: string, fn: () => Promise<T>): Promise<T> {
  const prev = tableLocks.get(key) ?? Promise.resolve();
  const next = prev.catch(() => undefined).then(fn);
  tableLocks.set(key, next);
  return next.finally(() => {
    if (tableLocks.get(key) === next) tableLocks.delete(key);
  });
}

export function loadObject(ctx: CoreContext, source: Source, object: SourceObject, o: LoadOptions = {}): Promise<LoadResult> {
  const table = bronzeTableName(source.config.name, object.name);
  return locked(table, () => new ObjectLoad(ctx, source, object, table, o).run());
}

/**
 * The lineage columns in bronze order: type, and the value of the ones that
 * hold one value per load, bound to the load's parameters (lineageParams).
 * The row number's value comes from the read.
 */
const LINEAGE_DEFS: readonly { name: (typeof LINEAGE_COLUMNS)[number]; type: string; perLoad?: string }[] = [
  { name: '_kimball_source', type: 'LowCardinality(String)', perLoad: '{kimball_source:String}' },
  { name: '_kimball_object', type: 'LowCardinality(String)', perLoad: '{kimball_object:String}' },
  { name: '_kimball_load_id', type: 'LowCardinality(String)', perLoad: '{kimball_load_id:String}' },
  // Row numbers ascend: Delta makes them compress to almost nothing.
  { name: '_kimball_row', type: 'UInt64 CODEC(Delta, LZ4)' },
  { name: '_kimball_loaded_at', type: "DateTime64(3, 'UTC')", perLoad: "toDateTime64({kimball_loaded_at:String}, 3, 'UTC')" },
];

/** The lineage columns a staging table starts with: all, or with `constantsLater` the row number alone. */
function stagedLineage(constantsLater = false): typeof LINEAGE_DEFS {
  return constantsLater ? LINEAGE_DEFS.filter((d) => d.perLoad === undefined) : LINEAGE_DEFS;
}

/** SELECT expressions for those columns, in order. */
function lineageValues(rowNumber: string, constantsLater = false): string[] {
  return stagedLineage(constantsLater).map((d) => d.perLoad ?? rowNumber);
}

interface Lineage {
  source: string;
  object: string;
  loadId: string;
  loadedAt: string;
}

class ObjectLoad {
  private readonly wh: Warehouse;
  private readonly bronze: string;
  private readonly loadId = randomUUID();
  private readonly staging: string;
  private readonly stagingRejects: string;
  private readonly errorsFile: string;
  private readonly started = new Date();
  private rejectsStaged = false;
  private rejects = 0;
  /** The staging table still lacks the lineage columns that hold one value per load (see addLoadConstants). */
  private constantsPending = false;

  constructor(
    private readonly ctx: CoreContext,
    private readonly source: Source,
    private readonly object: SourceObject,
    private readonly table: string,
    private readonly o: LoadOptions,
  ) {
    this.wh = ctx.warehouse;
    this.bronze = this.wh.databases.bronze;
    const id = this.loadId.replace(/-/g, '').slice(0, 12);
    this.staging = `${STAGING_PREFIX}${table.slice(0, 150)}_${id}`;
    this.stagingRejects = `${STAGING_PREFIX}rejects_${id}`;
    // Inside the (git-ignored) warehouse folder: the engine writes it, this process reads and deletes it.
    this.errorsFile = join(ctx.paths.warehouseDir, 'tmp', `errors-${this.loadId}.csv`);
  }

  private get lineage(): Lineage {
    return { source: this.source.config.name, object: this.object.name, loadId: this.loadId, loadedAt: chTime(this.started) };
  }

  /** The parameters LINEAGE_DEFS' values read. */
  private get lineageParams(): Record<string, string> {
    const l = this.lineage;
    return { kimball_source: l.source, kimball_object: l.object, kimball_load_id: l.loadId, kimball_loaded_at: l.loadedAt };
  }

  private result(status: LoadStatus, extra: Partial<LoadResult> = {}): LoadResult {
    return {
      ...emptyResult(this.source.config.name, this.object.name, this.table, status),
      ms: Math.round(Date.now() - this.started.getTime()),
      version: this.object.version,
      ...extra,
    };
  }

  /** Every table this load may create in bronze (all start with STAGING_PREFIX). */
  private get ownTables(): string[] {
    return [this.staging, this.stagingRejects, ...scratchTables(this.staging)];
  }

  async run(): Promise<LoadResult> {
    const { wh, o } = this;
    for (const t of this.ownTables) activeStaging.add(t);
    try {
      let cursorFrom: string | undefined;
      if (!o.force && this.object.version) {
        const last = await lastLoadedVersion(wh, this.source.config.name, this.object.name);
        const exists = last !== undefined && (await tableExists(wh, this.bronze, this.table));
        if (exists && last === this.object.version) return this.result('skipped');
        // A cursor column makes the load incremental: only rows past the last high-water mark, appended.
        if (exists && this.cursorColumn()) cursorFrom = last;
      }
      const r = await this.load(cursorFrom);
      await this.record(r);
      return r;
    } catch (err) {
      const status: LoadStatus = o.signal?.aborted ? 'cancelled' : 'failed';
      const message = status === 'cancelled' ? 'The load was cancelled.' : oneLine(err);
      await this.dropStaging();
      const r = this.result(status, { error: `${this.object.name}: ${message}`, loadId: this.loadId });
      await this.record(r).catch((e: unknown) => this.ctx.log.warn(`Could not record the failed load of ${this.object.name}: ${String(e)}`));
      return r;
    } finally {
      for (const t of this.ownTables) activeStaging.delete(t);
      rmSync(this.errorsFile, { force: true });
    }
  }

  private cursorColumn(): string | undefined {
    const c = this.source.config;
    return c.kind === 'postgres' ? c.cursors?.[this.object.name] : undefined;
  }

  /**
   * The columns (source names) identifying a row of a cursor table: the configured key, else the declared
   * primary key. Without either, every version of a changed row stays in bronze: said once per load.
   */
  private keyOf(declared: SourceConstraint[]): string[] | undefined {
    const c = this.source.config;
    if (c.kind !== 'postgres' || !this.cursorColumn()) return undefined;
    const key = c.keys?.[this.object.name] ?? declared.find((d) => d.kind === 'primary')?.columns;
    if (key) return key;
    const scan = c.deleteScan?.includes(this.object.name) ? ', and its deletes cannot be found' : '';
    this.ctx.log.warn(
      `${c.name}.${this.object.name} has a cursor but no primary key or configured key: bronze keeps every version of a changed row${scan}; ` +
        `set its key with \`kimball source edit ${c.name} --key ${this.object.name}=<column>[,<column>...]\` ("keys" in .kimball/sources/${c.name}.json).`,
    );
    return undefined;
  }

  /** The bronze name of a source column of this load. */
  private bronzeName(plan: ColumnPlan, original: string): string {
    const c = plan.columns.find((x) => x.original === original);
    if (!c) throw new Error(`column ${original} was not read`);
    return c.name;
  }

  /** Declared constraints are metadata for discovery: a failure to record them leaves the loaded rows loaded. */
  private async recordConstraints(columns: BronzeColumn[], declared: SourceConstraint[]): Promise<void> {
    await recordConstraints(this.wh, { source: this.source.config.name, table: this.table, columns }, declared).catch((err: unknown) => {
      this.ctx.log.warn(`Could not record the declared constraints of ${this.object.name}: ${oneLine(err)}`);
    });
  }

  private async load(cursorFrom?: string): Promise<LoadResult> {
    const { o } = this;
    const read = await this.source.read(this.object, { signal: o.signal, warehouseCanReach: this.wh.mode === 'embedded', cursorFrom });
    if (o.signal?.aborted) throw new Error('cancelled');
    const previous = await this.previousColumns();
    const plan = new ColumnPlan(previous);
    const appending = cursorFrom !== undefined && previous !== undefined;
    const counts =
      read.kind === 'native'
        ? await this.loadNative(read, plan, appending)
        : read.kind === 'upload'
          ? await this.loadUpload(read, plan)
          : read.tsv
            ? await this.loadTsv(read.tsv, read.columns, plan)
            : await this.loadStream(read, plan);
    if (o.signal?.aborted) throw new Error('cancelled');
    await this.addLoadConstants(plan.columns);
    // Read after the rows, so the key is the table's as it was read.
    const declared = declaresConstraints(this.source) ? await this.source.declaredConstraints(this.object, o.signal) : [];
    const key = this.keyOf(declared);
    if (appending) await this.append(previous.length, plan, key);
    else await this.swap(previous !== undefined);
    await this.publishRejects();
    await this.recordColumns(plan.columns);
    if (declaresConstraints(this.source)) await this.recordConstraints(plan.columns, declared);
    return this.result('loaded', {
      rows: counts.rows,
      nulls: counts.nulls,
      rejects: this.rejects,
      bytes: this.object.size ?? counts.bytes,
      columnsAdded: plan.added,
      columnsMissing: plan.missing,
      loadId: this.loadId,
    });
  }

  /** Bronze columns of the current table (originals from meta.bronze_columns), undefined before the first load. */
  private async previousColumns(): Promise<BronzeColumn[] | undefined> {
    if (!(await tableExists(this.wh, this.bronze, this.table))) return undefined;
    const cols = await this.wh.query<{ name: string }>(
      'SELECT name FROM system.columns WHERE database = {db:String} AND table = {t:String} ORDER BY position',
      { params: { db: this.bronze, t: this.table } },
    );
    const originals = await this.wh.query<{ column: string; original: string }>(
      `SELECT column, original FROM ${qualified(this.wh.databases.meta, BRONZE_COLUMNS_TABLE)} FINAL
        WHERE database = {db:String} AND table = {t:String}`,
      { params: { db: this.bronze, t: this.table } },
    );
    const map = new Map(originals.map((r) => [r.column, r.original]));
    const lineage = new Set<string>(LINEAGE_COLUMNS);
    return cols.filter((c) => !lineage.has(c.name)).map((c) => ({ name: c.name, original: map.get(c.name) ?? c.name }));
  }

  /**
   * The staging table. With `constantsLater`, of the lineage columns only the
   * row number: source, object, load id and time hold one value per load, and
   * addLoadConstants adds them once the rows are in, as column defaults. Written
   * with every row, they cost a native load about a fifth of its time.
   */
  private async createStaging(columns: BronzeColumn[], o: { countsNulls?: boolean; constantsLater?: boolean } = {}): Promise<void> {
    const defs = columns.map((c) => `${quoteIdent(c.name)} String`);
    // A per-row NULL count, summed and dropped before the swap: typed sources are read once, not twice.
    if (o.countsNulls) defs.push(`${quoteIdent(NULLS_COLUMN)} UInt32`);
    defs.push(...stagedLineage(o.constantsLater).map((d) => `${quoteIdent(d.name)} ${d.type}`));
    this.constantsPending = o.constantsLater === true;
    await this.wh.command(
      `CREATE TABLE ${qualified(this.bronze, this.staging)}${onCluster(this.wh)} (${defs.join(', ')}) ENGINE = MergeTree ORDER BY tuple()`,
    );
  }

  /**
   * The per-load lineage columns, added to the filled staging table as
   * defaults: a metadata change, no data written. Every row of a full load has
   * the same values; appended loads never take this path (their parts would
   * read the table's defaults), and merges write the values out.
   */
  private async addLoadConstants(columns: BronzeColumn[]): Promise<void> {
    if (!this.constantsPending) return;
    const adds: string[] = [];
    let after = columns[columns.length - 1].name;
    for (const d of LINEAGE_DEFS) {
      if (d.perLoad !== undefined) adds.push(`ADD COLUMN ${quoteIdent(d.name)} ${d.type} DEFAULT ${d.perLoad} AFTER ${quoteIdent(after)}`);
      after = d.name;
    }
    await this.wh.command(`ALTER TABLE ${qualified(this.bronze, this.staging)}${onCluster(this.wh)} ${adds.join(', ')}`, { params: this.lineageParams });
    this.constantsPending = false;
  }

  /** The warehouse reads the source itself: INSERT ... SELECT with every column cast to String. */
  private async loadNative(read: NativeRead, plan: ColumnPlan, appending: boolean): Promise<{ rows: number; nulls: number; bytes: number }> {
    const { wh, o } = this;
    const types = read.columns.length > 0 ? [] : await this.describe(read);
    const described = read.columns.length > 0 ? read.columns : types.map((t) => t.name);
    if (described.length === 0) throw new Error('the source has no columns');
    const index = plan.mapAll(described);
    // Text read by the warehouse's own CSV reader never holds NULL (the null marker never matches).
    const countsNulls = read.recordErrors !== true;
    const constantsLater = !appending;
    await this.createStaging(plan.columns, { countsNulls, constantsLater });
    const select = described.map((c, i) => read.select?.[i] ?? `ifNull(toString(${quoteIdent(c)}), '')`);
    if (countsNulls) select.push(`toUInt32(${described.map((c) => `isNull(${quoteIdent(c)})`).join(' + ')})`);
    const rowNumber = read.rowNumber ?? 'rowNumberInAllBlocks() + 1';
    select.push(...lineageValues(rowNumber, constantsLater));
    const target = [...index.map((i) => plan.columns[i].name), ...(countsNulls ? [NULLS_COLUMN] : []), ...stagedLineage(constantsLater).map((d) => d.name)];
    const recordErrors = read.recordErrors === true && wh.mode === 'embedded';
    const settings: Record<string, string | number> = { ...read.settings };
    if (recordErrors) {
      mkdirSync(join(this.ctx.paths.warehouseDir, 'tmp'), { recursive: true });
      Object.assign(settings, {
        input_format_allow_errors_num: 1_000_000_000_000,
        input_format_allow_errors_ratio: 1,
        input_format_record_errors_file_path: this.errorsFile,
      });
    }
    // Scanned alongside the insert; a failed scan only means the loader checks UTF-8 in SQL and reads exactly.
    const scan = read.recordErrors && read.scan ? read.scan().catch(() => ({ utf8: false, padded: true })) : Promise.resolve({ utf8: !read.recordErrors, padded: true });
    const sql = `INSERT INTO ${qualified(this.bronze, this.staging)} (${target.map(quoteIdent).join(', ')}) SELECT ${select.join(', ')} FROM ${read.from}${read.where ? ` WHERE ${read.where}` : ''}`;
    const insert = (format: Record<string, string | number> | undefined) =>
      wh.command(sql, {
        params: { ...read.params, ...this.lineageParams },
        settings: { ...settings, ...format },
        signal: o.signal,
      });
    let exact = read.fastSettings === undefined;
    if (read.fastSettings) {
      const failure = await insert(read.fastSettings).then(
        () => undefined,
        (err: unknown) => err,
      );
      // A value that may end with a blank, which the faster read cuts (or fails on): read again, exactly.
      exact = (await scan).padded;
      if (failure !== undefined && (!exact || o.signal?.aborted)) throw failure;
      if (exact) {
        await wh.command(`TRUNCATE TABLE ${qualified(this.bronze, this.staging)}${onCluster(this.wh)}`);
        rmSync(this.errorsFile, { force: true });
      }
    }
    if (exact) await insert(read.settings);
    const scanned = await scan;
    if (recordErrors && existsSync(this.errorsFile) && statSync(this.errorsFile).size > 0) await this.stageErrorsFile(read);
    // Text the engine read as UTF-8 without checking it: rows with invalid bytes become rejects, as on the streamed path.
    if (!scanned.utf8) await this.rejectInvalidUtf8(target.slice(0, described.length), read.headerLines ?? 0);
    const rows = await this.count(this.staging);
    const nulls = countsNulls ? await this.takeNullCount() : 0;
    o.onProgress?.({ rows, bytes: this.object.size ?? 0 });
    return { rows, nulls, bytes: this.object.size ?? 0 };
  }

  /**
   * The warehouse parses bytes this process sends (Parquet to a server that
   * cannot reach the file): it names the columns and types from the schema,
   * then each part goes through one INSERT ... SELECT FROM input() with the
   * same String casts as a native read, row numbers running on across parts.
   */
  private async loadUpload(read: UploadRead, plan: ColumnPlan): Promise<{ rows: number; nulls: number; bytes: number }> {
    const { wh, o } = this;
    if (!wh.insertSelect) throw new Error(`the ${wh.mode} warehouse cannot take ${read.format} bytes`);
    const format = { kimball_format: read.format };
    let types: { name: string; type: string }[];
    try {
      types = await wh.query<{ name: string; type: string }>('DESCRIBE TABLE format({kimball_format:String}, base64Decode({kimball_schema:String}))', {
        params: { ...format, kimball_schema: read.schema.toString('base64') },
        settings: read.settings,
        signal: o.signal,
      });
    } catch (err) {
      throw new Error(`${this.object.location} cannot be read (${oneLine(err)})`, { cause: err });
    }
    if (types.length === 0) throw new Error('the source has no columns');
    const index = plan.mapAll(types.map((t) => t.name));
    await this.createStaging(plan.columns, { countsNulls: true });
    const nullable = types.filter((t) => t.type.startsWith('Nullable(')).map((t) => `isNull(${quoteIdent(t.name)})`);
    const select = [...types.map((t) => `ifNull(toString(${quoteIdent(t.name)}), '')`), nullable.length > 0 ? `toUInt32(${nullable.join(' + ')})` : '0'];
    const target = [...index.map((i) => plan.columns[i].name), NULLS_COLUMN, ...LINEAGE_COLUMNS];
    select.push(...lineageValues('rowNumberInAllBlocks() + {kimball_row_base:UInt64} + 1'));
    const sql = `INSERT INTO ${qualified(this.bronze, this.staging)} (${target.map(quoteIdent).join(', ')}) SELECT ${select.join(', ')} FROM input({kimball_structure:String})`;
    const params = { kimball_structure: types.map((t) => `${quoteIdent(t.name)} ${t.type}`).join(', '), ...this.lineageParams };
    let rows = 0;
    let bytes = 0;
    for (const part of read.parts) {
      if (o.signal?.aborted) throw new Error('cancelled');
      const sent = bytes;
      try {
        const s = await wh.insertSelect({
          sql,
          format: read.format,
          body: part(),
          params: { ...params, kimball_row_base: rows },
          settings: read.settings,
          signal: o.signal,
          onProgress: (p) => o.onProgress?.({ rows, bytes: sent + p.bytes }),
        });
        bytes += s.bytes;
      } catch (err) {
        if (o.signal?.aborted) throw err;
        throw new Error(`${this.object.location} cannot be read (${oneLine(err)})`, { cause: err });
      }
      rows = await this.count(this.staging);
    }
    const nulls = await this.takeNullCount();
    o.onProgress?.({ rows, bytes });
    return { rows, nulls, bytes };
  }

  private async rejectInvalidUtf8(columns: string[], headerLines: number): Promise<void> {
    if (columns.length === 0) return;
    const staging = qualified(this.bronze, this.staging);
    const bad = `NOT isValidUTF8(concat(${columns.map(quoteIdent).join(', ')}))`;
    const found = await this.wh.query<{ n: string }>(`SELECT count() AS n FROM ${staging} WHERE ${bad}`, { signal: this.o.signal });
    if (Number(found[0]?.n ?? 0) === 0) return;
    await this.ensureStagingRejects();
    const l = this.lineage;
    await this.wh.command(
      `INSERT INTO ${qualified(this.bronze, this.stagingRejects)} (${REJECTS_COLUMNS.map(quoteIdent).join(', ')})
       SELECT {s:String}, {o:String}, {l:String}, _kimball_row + {h:UInt64}, 'invalid UTF-8 bytes',
              arrayStringConcat([${columns.map(quoteIdent).join(', ')}], ','), now64(3)
         FROM ${staging} WHERE ${bad}`,
      { params: { s: l.source, o: l.object, l: l.loadId, h: headerLines } },
    );
    await this.wh.command(`DELETE FROM ${staging} WHERE ${bad}`, { settings: { mutations_sync: 2 } });
    this.rejects += Number(found[0]?.n ?? 0);
  }

  private async describe(read: NativeRead): Promise<{ name: string; type: string }[]> {
    try {
      return await this.wh.query<{ name: string; type: string }>(`DESCRIBE TABLE ${read.from}`, {
        params: read.params,
        settings: read.settings,
        signal: this.o.signal,
      });
    } catch (err) {
      throw new Error(`${this.object.location} cannot be read (${oneLine(err)})`, { cause: err });
    }
  }

  /** NULLs became empty strings in bronze: sum the staged per-row counts, then drop that column. */
  private async takeNullCount(): Promise<number> {
    const staging = qualified(this.bronze, this.staging);
    const r = await this.wh.query<{ n: string }>(`SELECT sum(${quoteIdent(NULLS_COLUMN)}) AS n FROM ${staging}`, { signal: this.o.signal });
    await this.wh.command(`ALTER TABLE ${staging}${onCluster(this.wh)} DROP COLUMN ${quoteIdent(NULLS_COLUMN)}`, { settings: { mutations_sync: 2 } });
    return Number(r[0]?.n ?? 0);
  }

  private async count(table: string): Promise<number> {
    const r = await this.wh.query<{ n: string }>(`SELECT count() AS n FROM ${qualified(this.bronze, table)}`);
    return Number(r[0]?.n ?? 0);
  }

  /** ClickHouse wrote the rows it could not parse to a CSV file: move them to the staged rejects. */
  private async stageErrorsFile(read: NativeRead): Promise<void> {
    // ClickHouse writes the errors file with the read's own CSV dialect (delimiter, null marker): read it back with it.
    const dialect = Object.fromEntries(
      Object.entries(read.settings ?? {}).filter(([k]) => k.startsWith('format_csv_') || k === 'input_format_csv_allow_whitespace_or_tab_as_delimiter'),
    );
    await this.ensureStagingRejects();
    const l = this.lineage;
    await this.wh.command(
      `INSERT INTO ${qualified(this.bronze, this.stagingRejects)} (${REJECTS_COLUMNS.map(quoteIdent).join(', ')})
       SELECT {s:String}, {o:String}, {l:String}, offset + {h:UInt64}, reason, raw, now64(3)
         FROM file({f:String}, 'CSV', 'time String, database String, table String, offset UInt64, reason String, raw String')`,
      { params: { s: l.source, o: l.object, l: l.loadId, h: (read.headerLines ?? 0) - (read.headerRows ?? 0), f: this.errorsFile }, settings: dialect },
    );
    this.rejects += await this.count(this.stagingRejects);
  }

  private async ensureStagingRejects(): Promise<void> {
    if (this.rejectsStaged) return;
    await this.wh.command(rejectsDdl(this.wh, this.stagingRejects));
    this.rejectsStaged = true;
  }

  /**
   * Streamed records -> TSV -> one long insert. The insert restarts (same
   * staging table) when records bring new columns (the table gains them
   * first) or when 10,000 rejects wait to be written.
   */
  private async loadStream(read: StreamRead, plan: ColumnPlan): Promise<{ rows: number; nulls: number; bytes: number }> {
    const { wh, o } = this;
    const positional = plan.mapAll(read.columns);
    await this.createStaging(plan.columns);
    const l = this.lineage;
    const it = read.records[Symbol.asyncIterator]();
    // Lineage fields are the same on every row but the row number: escaped once.
    const lineageHead = `\t${tsvFields([l.source, l.object, l.loadId])}\t`;
    const lineageTail = `\t${l.loadedAt}\n`;
    let pending: StreamRecord | undefined;
    let rows = 0;
    let nulls = 0;
    let sent = 0;
    let done = false;
    const rejected: StreamRecord[] = [];
    while (!done) {
      const width = plan.columns.length;
      let shape: { keys: string[]; index: (number | undefined)[] } = { keys: [], index: [] };
      const growKeys = new Set<string>();
      let growTo = positional.length;
      const body = async function* (): AsyncGenerator<string> {
        let buf = '';
        for (;;) {
          const next: IteratorResult<StreamRecord, unknown> | undefined = pending ? undefined : await it.next();
          const r: StreamRecord | undefined = pending ?? (next && !next.done ? next.value : undefined);
          pending = undefined;
          if (r === undefined) {
            done = true;
            break;
          }
          if (!r.ok) {
            rejected.push(r);
            if (rejected.length >= 10_000) break;
            continue;
          }
          const values: string[] = new Array<string>(width).fill('');
          if (r.columns) {
            // Records of one shape repeat their keys: map them once, reuse while the shape holds.
            if (!sameKeys(r.columns, shape.keys)) shape = { keys: r.columns, index: r.columns.map((k) => plan.indexOf(k)) };
            for (let i = 0; i < r.columns.length; i++) {
              const idx = shape.index[i];
              if (idx === undefined) growKeys.add(r.columns[i]);
              else values[idx] = r.values[i];
            }
          } else {
            const n = Math.min(r.values.length, positional.length);
            for (let i = 0; i < n; i++) values[positional[i]] = r.values[i];
            if (r.values.length > positional.length) growTo = r.values.length;
          }
          if (growKeys.size > 0 || growTo > positional.length) {
            pending = r;
            break;
          }
          nulls += r.nulls ?? 0;
          rows++;
          buf += tsvFields(values) + lineageHead + String(rows) + lineageTail;
          if (buf.length >= 1 << 20) {
            yield buf;
            buf = '';
          }
        }
        if (buf) yield buf;
      };
      const before = sent;
      const s = await wh.insert({
        database: this.bronze,
        table: this.staging,
        columns: [...plan.columns.map((c) => c.name), ...LINEAGE_COLUMNS],
        format: 'TSV',
        body: body(),
        signal: o.signal,
        onProgress: (p) => o.onProgress?.({ rows, bytes: before + p.bytes }),
      });
      sent = before + s.bytes;
      if (rejected.length > 0) await this.stageRejects(rejected.splice(0));
      // New columns: the plan names them, the staging table gains them, then the insert goes on.
      const fresh = [...growKeys].map((k) => plan.resolve(k));
      for (let i = positional.length; i < growTo; i++) positional.push(plan.resolve(`column_${i + 1}`));
      for (const idx of [...fresh, ...positional].filter((x, k, a) => x >= width && a.indexOf(x) === k)) {
        // Keep source columns before the lineage columns.
        const place = idx > 0 ? `AFTER ${quoteIdent(plan.columns[idx - 1].name)}` : 'FIRST';
        await wh.command(`ALTER TABLE ${qualified(this.bronze, this.staging)}${onCluster(wh)} ADD COLUMN ${quoteIdent(plan.columns[idx].name)} String ${place}`);
      }
    }
    return { rows, nulls, bytes: sent };
  }

  /**
   * The source already speaks ClickHouse TSV (PostgreSQL COPY text): bytes go
   * through untouched, each line gets the lineage fields appended. latin1 maps
   * bytes 1:1 to characters, so the round trip never alters a byte.
   */
  private async loadTsv(tsv: AsyncIterable<Buffer>, columns: string[], plan: ColumnPlan): Promise<{ rows: number; nulls: number; bytes: number }> {
    const index = plan.mapAll(columns);
    await this.createStaging(plan.columns);
    const l = this.lineage;
    const fixed = Buffer.from(`\t${tsvFields([l.source, l.object, l.loadId])}\t`, 'utf8').toString('latin1');
    const stamp = `\t${l.loadedAt}\n`;
    let rows = 0;
    let nulls = 0;
    const body = async function* (): AsyncGenerator<Buffer> {
      let rest = '';
      for await (const chunk of tsv) {
        const lines = (rest + chunk.toString('latin1')).split('\n');
        rest = lines.pop() ?? '';
        let out = '';
        for (const line of lines) {
          nulls += tsvNullCount(line);
          out += line + fixed + String(++rows) + stamp;
        }
        if (out) yield Buffer.from(out, 'latin1');
      }
      if (rest) {
        nulls += tsvNullCount(rest);
        yield Buffer.from(rest + fixed + String(++rows) + stamp, 'latin1');
      }
    };
    const s = await this.wh.insert({
      database: this.bronze,
      table: this.staging,
      columns: [...index.map((i) => plan.columns[i].name), ...LINEAGE_COLUMNS],
      format: 'TSV',
      body: body(),
      signal: this.o.signal,
      onProgress: (p) => this.o.onProgress?.({ rows, bytes: p.bytes }),
    });
    return { rows, nulls, bytes: s.bytes };
  }

  private async stageRejects(rejected: StreamRecord[]): Promise<void> {
    await this.ensureStagingRejects();
    const l = this.lineage;
    const now = chTime(new Date());
    let body = '';
    for (const r of rejected) {
      if (r.ok) continue;
      body += JSON.stringify({ source: l.source, object: l.object, load_id: l.loadId, line: r.line, reason: r.reason, raw: r.raw, rejected_at: now }) + '\n';
    }
    await this.wh.insert({ database: this.bronze, table: this.stagingRejects, columns: REJECTS_COLUMNS, format: 'JSONEachRow', body: oneChunk(body) });
    this.rejects += rejected.length;
  }

  /** Replace the bronze table by the staging table in one step. */
  private async swap(exists: boolean): Promise<void> {
    const { wh } = this;
    const staging = qualified(this.bronze, this.staging);
    const target = qualified(this.bronze, this.table);
    if (exists) {
      await wh.command(`EXCHANGE TABLES ${staging} AND ${target}${onCluster(wh)}`);
      await wh.command(`DROP TABLE IF EXISTS ${staging}${onCluster(wh)} SYNC`);
    } else {
      await wh.command(`RENAME TABLE ${staging} TO ${target}${onCluster(wh)}`);
    }
  }

  /**
   * Incremental load: the staged rows join the bronze table (see mergeIncrement). New columns are added
   * to the bronze table first so both tables have the same structure.
   */
  private async append(previousCount: number, plan: ColumnPlan, key: string[] | undefined): Promise<void> {
    const { wh, source, object } = this;
    const target = qualified(this.bronze, this.table);
    for (let i = previousCount; i < plan.columns.length; i++) {
      const place = i > 0 ? `AFTER ${quoteIdent(plan.columns[i - 1].name)}` : 'FIRST';
      await wh.command(`ALTER TABLE ${target}${onCluster(wh)} ADD COLUMN IF NOT EXISTS ${quoteIdent(plan.columns[i].name)} String ${place}`);
    }
    const c = source.config;
    const scanned = c.kind === 'postgres' && c.deleteScan?.includes(object.name) === true;
    const merged = await mergeIncrement({
      wh,
      table: this.table,
      staging: this.staging,
      loadId: this.loadId,
      columns: plan.columns.map((x) => x.name),
      // Only a cursor table loads incrementally.
      cursor: this.bronzeName(plan, this.cursorColumn() as string),
      key: key?.map((k) => this.bronzeName(plan, k)),
      currentKeys: key && scanned && scansKeys(source) ? () => source.keyValues(object, key, this.o.signal) : undefined,
      signal: this.o.signal,
    });
    this.ctx.log.debug(`${c.name}.${object.name}: ${merged.reread} row(s) read again unchanged, ${merged.removed} bronze row(s) superseded or deleted`);
  }

  private async publishRejects(): Promise<void> {
    if (!this.rejectsStaged) return;
    const staged = qualified(this.bronze, this.stagingRejects);
    const cols = REJECTS_COLUMNS.map(quoteIdent).join(', ');
    await this.wh.command(`INSERT INTO ${qualified(this.bronze, REJECTS_TABLE)} (${cols}) SELECT ${cols} FROM ${staged}`);
    await this.wh.command(`DROP TABLE IF EXISTS ${staged}${onCluster(this.wh)} SYNC`);
  }

  private async recordColumns(columns: BronzeColumn[]): Promise<void> {
    const l = this.lineage;
    const now = chTime(new Date());
    const body = columns
      .map((c, i) =>
        JSON.stringify({ database: this.bronze, table: this.table, column: c.name, original: c.original, position: i + 1, source: l.source, object: l.object, load_id: l.loadId, updated_at: now }),
      )
      .join('\n');
    if (!body) return;
    await this.wh.insert({
      database: this.wh.databases.meta,
      table: BRONZE_COLUMNS_TABLE,
      columns: ['database', 'table', 'column', 'original', 'position', 'source', 'object', 'load_id', 'updated_at'],
      format: 'JSONEachRow',
      body: oneChunk(body + '\n'),
    });
  }

  private async record(r: LoadResult): Promise<void> {
    await recordLoad(this.wh, {
      load_id: this.loadId,
      source: r.source,
      object: r.object,
      table: r.table,
      version: this.object.version ?? '',
      status: r.status,
      rows: r.rows,
      bytes: r.bytes,
      rejects: r.rejects,
      nulls: r.nulls,
      error: r.error ?? '',
      started_at: chTime(this.started),
      ended_at: chTime(new Date()),
      columns_added: r.columnsAdded,
      columns_missing: r.columnsMissing,
    });
  }

  private async dropStaging(): Promise<void> {
    for (const t of [this.staging, this.stagingRejects]) {
      await this.wh.command(`DROP TABLE IF EXISTS ${qualified(this.bronze, t)}${onCluster(this.wh)} SYNC`).catch((e: unknown) => {
        this.ctx.log.warn(`Could not drop ${this.bronze}.${t}: ${String(e)}`);
      });
    }
  }
}

/** An error as one line: the engine's multi-line messages joined, stack traces and long tails cut. */
function oneLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  const flat = text.replace(/\s*Stack trace[\s\S]*$/, '').replace(/\s+/g, ' ').trim();
  // A corrupt file's bytes quoted in the engine's message must not reach a terminal raw.
  const line = escapeControls(flat);
  return line.length > 400 ? `${line.slice(0, 400)}…` : line || 'unknown error';
}

function sameKeys(a: string[], b: string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
