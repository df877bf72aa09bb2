/**
 * One interface over every source kind. A source lists its objects and, for
 * each, either describes a native read the warehouse can do itself
 * (pushdown: file(), s3(), postgresql(), url()) or opens a stream of string
 * records for the streamed path.
 */

export type {
  FilesSourceConfig,
  HttpEndpoint,
  HttpPagination,
  HttpSourceConfig,
  PostgresSourceConfig,
  S3SourceConfig,
  SecretField,
  SourceConfig,
  SourceKind,
} from './config-types';
import type { SecretField, SourceConfig } from './config-types';

/** Secrets never live in files: the editor reads VS Code SecretStorage, the CLI environment variables. */
export interface SecretStore {
  get(source: string, field: SecretField): Promise<string | undefined>;
  set(source: string, field: SecretField, value: string): Promise<void>;
  delete(source: string, field: SecretField): Promise<void>;
}

/** The environment variable the CLI reads for a source secret, e.g. KIMBALL_SHOP_DB_PASSWORD. */
export function secretEnvName(source: string, field: SecretField): string {
  const f = { password: 'PASSWORD', secretAccessKey: 'SECRET_ACCESS_KEY', token: 'TOKEN' }[field];
  return `KIMBALL_${source.toUpperCase().replace(/[^A-Z0-9]+/g, '_')}_${f}`;
}

export class EnvSecretStore implements SecretStore {
  constructor(private readonly env: NodeJS.ProcessEnv = process.env) {}
  async get(source: string, field: SecretField): Promise<string | undefined> {
    return this.env[secretEnvName(source, field)];
  }
  async set(source: string, field: SecretField): Promise<void> {
    throw new Error(`The CLI does not store secrets: set ${secretEnvName(source, field)} in the environment.`);
  }
  async delete(): Promise<void> {
    // Nothing stored by the CLI.
  }
}

/** What a source needs besides its config: the workspace root (relative paths) and secrets. */
export interface SourceDeps {
  root: string;
  secrets: SecretStore;
}

export interface SourceObject {
  /** Name unique within the source; becomes part of the bronze table name. */
  name: string;
  /** Where it lives (file path, s3 key, schema.table, URL), for display. */
  location: string;
  size?: number;
  /** Changes whenever the content changes (ETag, mtime+size, max cursor). */
  version?: string;
  /** Estimated rows where known. */
  rows?: number;
  format?: string;
}

export interface TestResult {
  ok: boolean;
  message: string;
}

/** A native read: a table-function expression the warehouse evaluates itself. */
export interface NativeRead {
  kind: 'native';
  /** SQL of a table function call, built with quoted identifiers and parameters only. */
  from: string;
  params: Record<string, string | number>;
  /** Column names as the table function yields them, in order (empty: the loader asks the warehouse with DESCRIBE). */
  columns: string[];
  /** SQL expressions yielding String, aligned with `columns` (default: ifNull(toString(<column>), '')). */
  select?: string[];
  /** SQL for each row's 1-based number in source order (default: rowNumberInAllBlocks() + 1). */
  rowNumber?: string;
  /** SQL condition a row must meet to load (a header the reader returns as a row fails it). */
  where?: string;
  /** Records the reader counts before the first data row (a header it reads as a row), for reject line numbers. */
  headerRows?: number;
  /** Format settings the read needs (e.g. format_csv_delimiter), set by code. */
  settings?: Record<string, string | number>;
  /** Text formats: let ClickHouse skip unparsable rows and record them, so the loader moves them to rejects. */
  recordErrors?: boolean;
  /** Lines before the first record (header), so reject line numbers are file line numbers. */
  headerLines?: number;
  /**
   * Text formats: one pass over the bytes, run alongside the load. `utf8` true lets the loader skip its
   * own check; `padded` false proves that `fastSettings` read the same text as `settings`.
   */
  scan?: () => Promise<{ utf8: boolean; padded: boolean }>;
  /** Settings that read faster and yield the same text as `settings` when the scan finds no padded value. */
  fastSettings?: Record<string, string | number>;
}

/** A streamed read: string records produced in Node. */
export interface StreamRead {
  kind: 'stream';
  columns: string[];
  records: AsyncIterable<StreamRecord>;
  /**
   * Optional fast path: the same rows as raw ClickHouse TSV bytes (backslash
   * escapes, `\N` for NULL, which loads as '' into a String column), one line
   * per row, fields in `columns` order. Lazy like `records`: consume one of
   * the two, never both. PostgreSQL's COPY text format is exactly this.
   */
  tsv?: AsyncIterable<Buffer>;
}

/**
 * An upload: the warehouse parses the object's bytes itself (Parquet), but
 * this process sends them, because the warehouse cannot reach the object (a
 * ClickHouse server and a local file or an unreachable store). The bytes go
 * in parts, each a complete file of the format, so no side holds more than a part.
 */
export interface UploadRead {
  kind: 'upload';
  format: 'Parquet';
  /** A file of the format with the object's columns and no rows: the warehouse tells columns and types from it. */
  schema: Buffer;
  /** Format settings the read needs, set by code. */
  settings?: Record<string, string | number>;
  /** The parts in order, each opened lazily when its insert starts. */
  parts: (() => AsyncIterable<Buffer>)[];
}

/** One parsed row, or a row that could not be parsed (goes to rejects). */
export type StreamRecord =
  | { ok: true; values: string[]; columns?: string[]; nulls?: number }
  | { ok: false; line: number; reason: string; raw: string };

export interface Source {
  readonly config: SourceConfig;
  test(signal?: AbortSignal): Promise<TestResult>;
  listObjects(signal?: AbortSignal): Promise<SourceObject[]>;
  /** How to read one object: natively by the warehouse when it can, else streamed. */
  read(object: SourceObject, options: ReadOptions): Promise<NativeRead | StreamRead | UploadRead>;
}

export interface ReadOptions {
  signal?: AbortSignal;
  /** Whether the warehouse can reach the source itself (same machine / network). */
  warehouseCanReach: boolean;
  /** Incremental: the stored high-water mark of the cursor column. */
  cursorFrom?: string;
}
