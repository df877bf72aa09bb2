/**
 * DDL text for one node or a cluster. On a cluster every table is stored as
 * `<name>__local` (created ON CLUSTER) with a `Distributed` twin under the
 * logical name, so reads and writes always use the logical name and the SQL of
 * a step is the same in both modes apart from DDL.
 */
import { onClusterClause, quoteIdent, qualified, sqlType } from '../warehouse/sql';

export interface TableSpec {
  database: string;
  table: string;
  /** Column definitions already rendered (`name` Type). */
  columns: string[];
  engine: string;
  orderBy: string;
  /** Sharding expression for the Distributed twin; `rand()` when rows have no key. */
  shardKey?: string;
  settings?: string;
}

const LOCAL = '__local';

export class Ddl {
  constructor(readonly cluster?: string) {}

  private get on(): string {
    return onClusterClause(this.cluster);
  }

  /** The physical table holding the rows (the local table on a cluster). */
  private storage(database: string, table: string): string {
    return qualified(database, this.cluster ? table + LOCAL : table);
  }

  /** The SETTINGS clause of an INSERT: on a cluster, wait for the shards so a following EXCHANGE sees the rows. */
  settings(extra: readonly string[] = []): string {
    const all = [...extra, ...(this.cluster ? ['distributed_foreground_insert = 1'] : [])];
    return all.length ? `\nSETTINGS ${all.join(', ')}` : '';
  }

  createTable(t: TableSpec, ifNotExists = true): string[] {
    const ine = ifNotExists ? 'IF NOT EXISTS ' : '';
    const settings = t.settings ? `\nSETTINGS ${t.settings}` : '';
    const body = `(\n  ${t.columns.join(',\n  ')}\n)\nENGINE = ${t.engine}\nORDER BY ${t.orderBy}${settings}`;
    const out = [`CREATE TABLE ${ine}${this.storage(t.database, t.table)}${this.on} ${body}`];
    if (this.cluster) out.push(this.distributedTwin(t.database, t.table, t.shardKey ?? 'rand()', ifNotExists));
    return out;
  }

  /**
   * An existing table brought to the model's columns before an incremental insert (schema drift): new
   * columns added, retyped ones converted in place (a no-op when the type is the same), so a text value
   * never lands silently in an old Date column as 1900-01-01. Sorting-key columns cannot change type
   * in place: a full rebuild (staging table from the model) does that.
   */
  evolveColumns(t: TableSpec): string[] {
    const ident = (def: string) => def.slice(0, def.lastIndexOf('`') + 1);
    const alter = (clauses: string[], settings = '') =>
      clauses.length === 0
        ? []
        : [
            `ALTER TABLE ${this.storage(t.database, t.table)}${this.on}\n  ${clauses.join(',\n  ')}${settings}`,
            ...(this.cluster ? [`ALTER TABLE ${qualified(t.database, t.table)}${this.on}\n  ${clauses.join(',\n  ')}`] : []),
          ];
    const modifiable = t.columns.filter((c) => !t.orderBy.includes(ident(c)) && !t.shardKey?.includes(ident(c)));
    return [
      ...alter(t.columns.map((c) => `ADD COLUMN IF NOT EXISTS ${c}`)),
      // Wait for the conversion, so a value that does not convert fails this step, not a later read.
      ...alter(modifiable.map((c) => `MODIFY COLUMN ${c}`), '\nSETTINGS mutations_sync = 2'),
    ];
  }

  private distributedTwin(database: string, table: string, shardKey: string, ifNotExists: boolean): string {
    const cluster = this.cluster as string;
    const ine = ifNotExists ? 'IF NOT EXISTS ' : '';
    // Distributed() takes the cluster, database and table as identifiers.
    return (
      `CREATE TABLE ${ine}${qualified(database, table)}${this.on} AS ${this.storage(database, table)}\n` +
      `ENGINE = Distributed(${quoteIdent(cluster)}, ${quoteIdent(database)}, ${quoteIdent(table + LOCAL)}, ${shardKey})`
    );
  }

  dropTable(database: string, table: string): string[] {
    const out = [`DROP TABLE IF EXISTS ${this.storage(database, table)}${this.on}`];
    if (this.cluster) out.unshift(`DROP TABLE IF EXISTS ${qualified(database, table)}${this.on}`);
    return out;
  }

  /** Atomic swap of two tables' data (the Distributed twins keep pointing at the same local names). */
  exchange(database: string, a: string, b: string): string {
    return `EXCHANGE TABLES ${this.storage(database, a)} AND ${this.storage(database, b)}${this.on}`;
  }

  /**
   * A lightweight delete on the stored rows (the local tables on a cluster), waiting until it applies.
   * Even a delete that matches nothing costs a mutation of every part, so it carries a probe: the
   * runner counts the matching rows first (through the logical table) and skips the delete at 0.
   * Other runners (Airflow) see a comment and run the delete, which is correct, only slower.
   */
  deleteWhere(database: string, table: string, where: string, settings: readonly string[] = []): string {
    const extra = settings.length ? ` SETTINGS ${settings.join(', ')}` : '';
    const probe = `SELECT count() AS n FROM ${qualified(database, table)} WHERE ${where}${extra}`.replace(/\s*\n\s*/g, ' ');
    return `${PROBE}${probe}\nDELETE FROM ${this.storage(database, table)}${this.on} WHERE ${where}\nSETTINGS ${['lightweight_deletes_sync = 2', ...settings].join(', ')}`;
  }

  truncate(database: string, table: string): string {
    return `TRUNCATE TABLE IF EXISTS ${this.storage(database, table)}${this.on}`;
  }

  createView(database: string, view: string, select: string): string {
    return `CREATE OR REPLACE VIEW ${qualified(database, view)}${this.on} AS\n${select}`;
  }
}

const PROBE = '-- kimball:probe ';

/** The probe query of a statement (a count of the rows it would change), if it carries one. */
export function probeOf(statement: string): string | undefined {
  const line = statement.split('\n').find((l) => l.startsWith(PROBE));
  return line?.slice(PROBE.length).trim();
}

/** A column definition: `name` Type, with Nullable() where asked. */
export function columnDef(name: string, type: string, nullable: boolean): string {
  return `${quoteIdent(name)} ${nullable ? nullableType(type) : sqlType(type)}`;
}

/** Nullable(T), keeping LowCardinality outermost as ClickHouse requires. */
export function nullableType(type: string): string {
  const t = sqlType(type);
  if (/^Nullable\(/.test(t) || /^LowCardinality\(Nullable\(/.test(t)) return t;
  const lc = /^LowCardinality\((.*)\)$/.exec(t);
  return lc ? `LowCardinality(Nullable(${lc[1]}))` : `Nullable(${t})`;
}

/** The inner type of Nullable()/LowCardinality() wrappers, for type comparisons. */
export function baseType(type: string): string {
  let t = type.trim();
  for (;;) {
    const m = /^(?:Nullable|LowCardinality)\((.*)\)$/.exec(t);
    if (!m) return t;
    t = m[1];
  }
}

export const isStringType = (type: string): boolean => baseType(type) === 'String' || /^FixedString\(/.test(baseType(type));

/** A numeric literal chosen by code (limits from the catalog); never a user string. */
export function numberLiteral(n: number): string {
  if (!Number.isFinite(n)) throw new Error(`Not a finite number: ${n}`);
  return String(n);
}

/** `( a, b )` or `tuple()` for ORDER BY. */
export function orderByList(columns: readonly string[]): string {
  return columns.length === 0 ? 'tuple()' : `(${columns.map(quoteIdent).join(', ')})`;
}

/** Statements of a step file: separated by `;\n`, which the runner and Airflow split on. */
export function joinStatements(statements: readonly string[]): string {
  return statements.map((s) => s.trim()).join(';\n\n') + ';\n';
}

export function splitStatements(text: string): string[] {
  return text
    .split(/;\s*\n/)
    .map((s) => s.trim())
    .filter((s) => s.replace(/^--.*$/gm, '').trim().length > 0);
}

/** Substitute the quoted column for `{col}` in a catalog expression (a code-generated template). */
export function applyExpression(template: string, quotedColumn: string, where: string): string {
  if (template.includes(';')) throw new Error(`${where}: the conversion expression contains ";"`);
  if (!template.includes('{col}')) throw new Error(`${where}: the conversion expression has no {col} placeholder`);
  return template.split('{col}').join(quotedColumn);
}

/** A file name made of safe characters (SQL files and task ids). */
export function fileSafe(name: string): string {
  return name.replace(/[^A-Za-z0-9_.-]/g, '_');
}
