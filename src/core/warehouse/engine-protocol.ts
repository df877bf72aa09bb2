/**
 * Requests between the embedded warehouse client (the extension host or the
 * CLI) and the engine child process that owns libchdb. Carried by
 * vscode-jsonrpc over the Node IPC channel with structured-clone
 * serialization, so byte chunks cross as Uint8Array without base64.
 */
import { RequestType, RequestType0 } from 'vscode-jsonrpc/node';
import type { QueryParams } from './warehouse';

export interface OpenParams {
  path: string;
  lockInfo: LockInfo;
}

export interface LockInfo {
  pid: number;
  command: string;
  startedAt: string;
}

export interface OpenResult {
  version: string;
}

export interface QueryRequestParams {
  sql: string;
  format: string;
  params?: QueryParams;
  settings?: Record<string, string | number>;
}

export interface QueryResult {
  text: string;
  rowsRead: number;
}

export interface InsertBeginParams {
  id: string;
  database: string;
  table: string;
  columns: string[];
  format: 'TSV' | 'JSONEachRow';
}

export interface InsertChunkParams {
  id: string;
  data: Uint8Array;
}

export interface InsertEndParams {
  id: string;
  /** True when the sender failed or was cancelled: stop without committing more. */
  abort?: boolean;
}

export interface InsertEndResult {
  rows: number;
  bytes: number;
}

/** An engine failure sent back as data, so the client can rebuild a typed error. */
export interface EngineErrorData {
  code?: number;
  kind: 'query' | 'open' | 'insert';
}

export const Open = new RequestType<OpenParams, OpenResult, EngineErrorData>('kimball/open');
export const Query = new RequestType<QueryRequestParams, QueryResult, EngineErrorData>('kimball/query');
export const InsertBegin = new RequestType<InsertBeginParams, void, EngineErrorData>('kimball/insertBegin');
export const InsertChunk = new RequestType<InsertChunkParams, void, EngineErrorData>('kimball/insertChunk');
export const InsertEnd = new RequestType<InsertEndParams, InsertEndResult, EngineErrorData>('kimball/insertEnd');
export const Shutdown = new RequestType0<void, void>('kimball/shutdown');

/** JSON-RPC error code of failures reported by the engine itself (others mean the connection broke). */
export const ENGINE_ERROR = -32000;

/** Where the engine records who holds the data directory. */
export const LOCK_FILE = 'kimball-engine.json';
