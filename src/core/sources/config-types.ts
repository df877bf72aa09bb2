/**
 * The settings of each source kind (.kimball/sources/<name>.json, schemas/source.schema.json). Types only,
 * free of Node: the source form webview edits exactly these.
 */

export type SourceKind = 'files' | 'postgres' | 's3' | 'http';

export interface FilesSourceConfig {
  kind: 'files';
  name: string;
  /** A file or folder; relative paths resolve against the workspace root. */
  path: string;
  /** Glob relative to `path` when it is a folder (default: every supported file). */
  glob?: string;
  /** CSV/TSV options; sniffed when absent. */
  delimiter?: string;
  header?: boolean;
  encoding?: 'utf-8' | 'utf-16le' | 'utf-16be' | 'latin1' | 'windows-1252';
  /** Excel sheets to load (default: all). */
  sheets?: string[];
}

export interface PostgresSourceConfig {
  kind: 'postgres';
  name: string;
  host: string;
  port: number;
  database: string;
  user: string;
  sslMode?: 'disable' | 'prefer' | 'require' | 'verify-full';
  /** Schemas whose tables and views are objects (default: public). */
  schemas?: string[];
  /** Extra objects defined by a query: object name -> SELECT. */
  queries?: Record<string, string>;
  /** Incremental loads: object name -> cursor column. */
  cursors?: Record<string, string>;
  /**
   * Object name -> the columns that identify a row, where the table declares no primary key (or another
   * key is wanted): an incremental load keeps one version per key in bronze.
   */
  keys?: Record<string, string[]>;
  /** Incrementally loaded objects whose rows deleted at the source leave bronze (each load reads every current key). */
  deleteScan?: string[];
}

export interface S3SourceConfig {
  kind: 's3';
  name: string;
  bucket: string;
  prefix?: string;
  glob?: string;
  region?: string;
  /** S3-compatible stores: endpoint URL and path-style addressing. */
  endpoint?: string;
  pathStyle?: boolean;
  accessKeyId?: string;
}

export type HttpPagination =
  | { kind: 'none' }
  | { kind: 'page'; param: string; sizeParam?: string; size?: number; start?: number }
  | { kind: 'offset'; param: string; limitParam: string; limit: number }
  | { kind: 'cursor'; param: string; cursorPath: string }
  | { kind: 'link' };

export interface HttpEndpoint {
  /** Object name in bronze. */
  name: string;
  /** Path appended to baseUrl, with its fixed query string. */
  path: string;
  /** Dotted path to the records array in each response (empty: the response is the array). */
  recordsPath?: string;
  pagination?: HttpPagination;
}

export interface HttpSourceConfig {
  kind: 'http';
  name: string;
  baseUrl: string;
  endpoints: HttpEndpoint[];
  /** Header that carries the token from secret storage, e.g. "Authorization" (value "Bearer <token>"). */
  authHeader?: string;
  authScheme?: string;
  /** Requests per second at most. */
  rateLimit?: number;
  /**
   * Origins besides baseUrl's that may receive the token, e.g. "https://cdn.example.com": redirects and
   * next-page links to any other origin are followed without it.
   */
  trustedOrigins?: string[];
  /** Seconds one request may take, headers and body (default 300). */
  requestTimeoutSeconds?: number;
  /** Seconds the server may send nothing while a response is awaited (default 30). */
  idleTimeoutSeconds?: number;
  /** Seconds one endpoint may take in all, every page and retry included (default 1800). */
  objectTimeoutSeconds?: number;
}

export type SourceConfig = FilesSourceConfig | PostgresSourceConfig | S3SourceConfig | HttpSourceConfig;

/** Secrets never live in files: the editor reads VS Code SecretStorage, the CLI environment variables. */
export type SecretField = 'password' | 'secretAccessKey' | 'token';
