import type { Readable } from 'node:stream';

/** Query parameters bound by the engine, referenced in SQL as `{name:Type}`. */
export type QueryParams = Record<string, string | number | boolean | null | readonly (string | number)[]>;

export type Row = Record<string, unknown>;

export interface QueryOptions {
  params?: QueryParams;
  signal?: AbortSignal;
  /** Per-query ClickHouse settings chosen by code. */
  settings?: Record<string, string | number>;
}

/** Formats accepted for streamed inserts: line-delimited, so any chunk boundary on '\n' is a row boundary. */
export type InsertFormat = 'TSV' | 'JSONEachRow';

export interface InsertOptions {
  /** Target table, unquoted parts. */
  database: string;
  table: string;
  columns: readonly string[];
  format: InsertFormat;
  /** Byte chunks in `format`; consumed with backpressure. */
  body: Readable | AsyncIterable<Buffer | string>;
  signal?: AbortSignal;
  onProgress?: (p: { rows: number; bytes: number }) => void;
}

/** An INSERT whose SELECT reads the request body through input(): the server parses bytes it cannot reach itself. */
export interface InsertSelectOptions {
  /** `INSERT INTO ... SELECT ... FROM input({structure:String})`, quoted identifiers and parameters only; FORMAT is appended. */
  sql: string;
  /** The ClickHouse input format of `body` (whole files such as Parquet, not only line formats). */
  format: 'Parquet';
  /** Bytes in `format`, consumed with backpressure. */
  body: AsyncIterable<Buffer>;
  params?: QueryParams;
  settings?: Record<string, string | number>;
  signal?: AbortSignal;
  onProgress?: (p: { bytes: number }) => void;
}

export interface InsertSummary {
  rows: number;
  bytes: number;
}

export type WarehouseMode = 'embedded' | 'server';

export interface DatabaseNames {
  bronze: string;
  silver: string;
  gold: string;
  meta: string;
}

export interface WarehouseSettings {
  mode: WarehouseMode;
  /** Embedded: the data directory (absolute). */
  path?: string;
  /** Server: http(s)://host:port */
  url?: string;
  username?: string;
  password?: string;
  /** Server: cluster name for ON CLUSTER DDL and Distributed twins. */
  cluster?: string;
  databases: DatabaseNames;
}

/**
 * The one way core code talks to ClickHouse, embedded (chDB in a child
 * process) or a server. Everything is async and cancellable; nothing blocks
 * the caller's event loop.
 */
export interface Warehouse {
  readonly mode: WarehouseMode;
  readonly databases: DatabaseNames;
  readonly cluster?: string;
  /** Rows of a SELECT, as JSON objects (64-bit integers come back as strings). */
  query<T extends Row = Row>(sql: string, options?: QueryOptions): Promise<T[]>;
  /** The raw output of a query in a ClickHouse output format. */
  queryText(sql: string, format: string, options?: QueryOptions): Promise<string>;
  /** DDL or INSERT ... SELECT: no result rows. Returns rows written when the engine reports it. */
  command(sql: string, options?: QueryOptions): Promise<{ writtenRows: number }>;
  /** Stream bytes into a table with bounded memory. */
  insert(options: InsertOptions): Promise<InsertSummary>;
  /**
   * Server only (the embedded engine reads files itself): stream bytes the
   * server parses and converts in one INSERT ... SELECT ... FROM input().
   */
  insertSelect?(options: InsertSelectOptions): Promise<InsertSummary>;
  /** Server version, e.g. "26.7.2.1". */
  version(): Promise<string>;
  close(): Promise<void>;
}

export class WarehouseError extends Error {
  constructor(
    message: string,
    /** ClickHouse error code where the engine gave one. */
    readonly code?: number,
  ) {
    super(message);
    this.name = 'WarehouseError';
  }
}

export const DEFAULT_DATABASES: DatabaseNames = { bronze: 'bronze', silver: 'silver', gold: 'gold', meta: 'kimball' };
