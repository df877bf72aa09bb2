/** Shared shapes and helpers of the generators (silver, gold, checks). */
import type { Catalog, CatalogColumn } from '../discover/catalog-types';
import type { Entity, ErdModel, StarModel } from '../model/model-types';
import type { DatabaseNames } from '../warehouse/warehouse';
import { qualified, quoteIdent } from '../warehouse/sql';
import type { ManifestStep } from './build-types';
import { Ddl, fileSafe, type TableSpec } from './ddl';

export interface PipelineInput {
  name: string;
  erd: ErdModel;
  star: StarModel;
  catalog?: Catalog;
  databases: DatabaseNames;
  cluster?: string;
  /** Fixed in tests so generated files compare equal. */
  generatedAt?: string;
}

/** One generated step: the manifest entry (its fingerprint is added from the SQL) and its SQL (and the full-rebuild SQL where it differs). */
export interface StepOut {
  step: Omit<ManifestStep, 'fingerprint'>;
  sql: string;
  fullSql?: string;
}

export class BuildError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BuildError';
  }
}

/** Lineage columns every silver and gold table keeps. */
export const LOAD_ID = '_kimball_load_id';
export const LOADED_AT = '_kimball_loaded_at';
export const ROW = '_kimball_row';
export const VERSION = '_kimball_version';

/** Everything a generator needs: the models, names and the DDL dialect. */
export class BuildContext {
  readonly ddl: Ddl;
  readonly db: DatabaseNames;
  private readonly entities = new Map<string, Entity>();

  constructor(readonly input: PipelineInput) {
    this.ddl = new Ddl(input.cluster);
    this.db = input.databases;
    for (const e of input.erd.entities) this.entities.set(e.name, e);
  }

  get erd(): ErdModel {
    return this.input.erd;
  }

  get star(): StarModel {
    return this.input.star;
  }

  entity(name: string, where: string): Entity {
    const e = this.entities.get(name);
    if (!e) throw new BuildError(`${where}: entity "${name}" is not in the ERD ${this.erd.name}`);
    return e;
  }

  column(entity: Entity, column: string, where: string): Entity['columns'][number] {
    const c = entity.columns.find((x) => x.name === column);
    if (!c) throw new BuildError(`${where}: column "${column}" is not in entity ${entity.name}`);
    return c;
  }

  catalogColumn(table: string | undefined, column: string | undefined): CatalogColumn | undefined {
    if (!table || !column) return undefined;
    return this.input.catalog?.tables.find((t) => t.name === table)?.columns.find((c) => c.name === column);
  }

  /** Per-step bookkeeping tables in the meta database (identifiers only, no literals). */
  processedTable(stepId: string): string {
    return `processed__${fileSafe(stepId).replace(/\./g, '__')}`;
  }

  batchTable(stepId: string): string {
    return `batch__${fileSafe(stepId).replace(/\./g, '__')}`;
  }

  /** A step's work table of rows computed before they replace rows of its target. */
  rowsTable(stepId: string): string {
    return `rows__${fileSafe(stepId).replace(/\./g, '__')}`;
  }

  /** The rows of `rowsTable` that differ from the target's: what the step changes. */
  changesTable(stepId: string): string {
    return `changes__${fileSafe(stepId).replace(/\./g, '__')}`;
  }

  silver(table: string): string {
    return qualified(this.db.silver, table);
  }

  gold(table: string): string {
    return qualified(this.db.gold, table);
  }

  meta(table: string): string {
    return qualified(this.db.meta, table);
  }

  /**
   * Statements that snapshot which loads this step processes into a batch
   * table: all loads for a full rebuild, else the ones not yet processed. The
   * same snapshot is used for the insert and for marking them processed, so a
   * load that lands mid-step waits for the next run instead of being skipped.
   */
  batchStart(stepId: string, source: string, full: boolean): string[] {
    const processed = this.processedTable(stepId);
    const batch = this.batchTable(stepId);
    const filter = full ? '' : `\nWHERE ${quoteIdent(LOAD_ID)} NOT IN (SELECT ${quoteIdent('load_id')} FROM ${this.meta(processed)})`;
    return [
      ...this.ddl.createTable({
        database: this.db.meta,
        table: processed,
        columns: [`${quoteIdent('load_id')} String`, `${quoteIdent('processed_at')} DateTime64(3) DEFAULT now64(3)`],
        engine: 'ReplacingMergeTree',
        orderBy: quoteIdent('load_id'),
        shardKey: `cityHash64(${quoteIdent('load_id')})`,
      }),
      ...this.loadIdSnapshot(batch, source, filter),
    ];
  }

  /** A fresh meta table holding the distinct load ids of `source` (rows matching `filter`). */
  private loadIdSnapshot(table: string, source: string, filter = ''): string[] {
    return [
      ...this.ddl.dropTable(this.db.meta, table),
      ...this.ddl.createTable(
        {
          database: this.db.meta,
          table,
          columns: [`${quoteIdent('load_id')} String`],
          engine: 'MergeTree',
          orderBy: quoteIdent('load_id'),
          shardKey: `cityHash64(${quoteIdent('load_id')})`,
        },
        false,
      ),
      `INSERT INTO ${this.meta(table)} (${quoteIdent('load_id')})\nSELECT DISTINCT ${quoteIdent(LOAD_ID)} FROM ${source}${filter}${this.ddl.settings()}`,
    ];
  }

  liveTable(stepId: string): string {
    return `live__${fileSafe(stepId).replace(/\./g, '__')}`;
  }

  /**
   * Snapshot of the loads the source holds now (taken with the batch): a load no longer in the source
   * was replaced by a newer load of its object or emptied, so its rows are stale downstream. Read through
   * the meta table, so on a cluster every shard sees the whole set.
   */
  liveStart(stepId: string, source: string): string[] {
    return this.loadIdSnapshot(this.liveTable(stepId), source);
  }

  /**
   * Delete the rows of loads the source no longer holds: rows deleted at the source, and the older
   * versions a reload superseded, leave the table (so it never needs FINAL to count right after a reload).
   */
  deleteStale(stepId: string, database: string, table: string): string {
    return this.ddl.deleteWhere(database, table, `${quoteIdent(LOAD_ID)} NOT IN (SELECT ${quoteIdent('load_id')} FROM ${this.meta(this.liveTable(stepId))})`);
  }

  liveEnd(stepId: string): string[] {
    return this.ddl.dropTable(this.db.meta, this.liveTable(stepId));
  }

  /** The rows of the batch: a WHERE condition on the source's load id. */
  inBatch(stepId: string, alias?: string): string {
    const col = alias ? `${alias}.${quoteIdent(LOAD_ID)}` : quoteIdent(LOAD_ID);
    return `${col} IN (SELECT ${quoteIdent('load_id')} FROM ${this.meta(this.batchTable(stepId))})`;
  }

  batchEnd(stepId: string, full: boolean): string[] {
    const processed = this.processedTable(stepId);
    const batch = this.batchTable(stepId);
    return [
      ...(full ? [this.ddl.truncate(this.db.meta, processed)] : []),
      `INSERT INTO ${this.meta(processed)} (${quoteIdent('load_id')})\nSELECT ${quoteIdent('load_id')} FROM ${this.meta(batch)}${this.ddl.settings()}`,
      ...this.ddl.dropTable(this.db.meta, batch),
    ];
  }

  /** Build into a staging twin, then swap atomically: readers see the old or the new table, never half. */
  stagedRebuild(spec: TableSpec, insert: (target: string) => string[]): string[] {
    const { database, table } = spec;
    const staging = stagingName(table);
    return [
      ...this.ddl.dropTable(database, staging),
      // The staging table takes the model's current columns, not the old table's: a rebuild applies model
      // changes (new or retyped columns, another key) atomically with the data.
      ...this.ddl.createTable({ ...spec, table: staging }, false),
      ...insert(qualified(database, staging)),
      this.ddl.exchange(database, table, staging),
      ...this.ddl.dropTable(database, staging),
    ];
  }
}

/** The table a rebuild fills before it is exchanged with `table`. */
export const stagingName = (table: string): string => `${table}__staging`;

export function sqlFile(layer: string, name: string, full = false): string {
  return `sql/${layer}/${fileSafe(name)}${full ? '.full' : ''}.sql`;
}

export const header = (what: string): string => `-- Generated by Kimball: ${what.replace(/[\r\n]+/g, ' ')}\n`;
