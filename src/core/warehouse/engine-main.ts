/**
 * The embedded warehouse engine: a child process that loads libchdb and serves
 * one data directory, like a language server. libchdb binds one data directory
 * per process and its sync calls block, so it never runs in the editor's own
 * process.
 */
import { writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Session } from 'chdb';
import {
  createMessageConnection,
  IPCMessageReader,
  IPCMessageWriter,
  ResponseError,
  type CancellationToken,
} from 'vscode-jsonrpc/node';
import {
  Open,
  Query,
  InsertBegin,
  InsertChunk,
  InsertEnd,
  Shutdown,
  LOCK_FILE,
  ENGINE_ERROR,
  type EngineErrorData,
  type InsertBeginParams,
} from './engine-protocol';
import { ChunkQueue } from './chunk-queue';

let session: Session | undefined;
let lockPath: string | undefined;
const inserts = new Map<string, { queue: ChunkQueue; done: Promise<{ rows: number; bytes: number }> }>();

function fail(err: unknown, kind: EngineErrorData['kind']): ResponseError<EngineErrorData> {
  const e = err as { message?: string; clickhouseCode?: number; code?: unknown };
  const code = typeof e.clickhouseCode === 'number' ? e.clickhouseCode : undefined;
  return new ResponseError<EngineErrorData>(ENGINE_ERROR, String(e.message ?? err), { code, kind });
}

function requireSession(): Session {
  if (!session) throw new ResponseError<EngineErrorData>(ENGINE_ERROR, 'The warehouse is not open.', { kind: 'open' });
  return session;
}

function abortOn(token: CancellationToken): AbortSignal {
  const ac = new AbortController();
  token.onCancellationRequested(() => ac.abort());
  return ac.signal;
}

const conn = createMessageConnection(new IPCMessageReader(process), new IPCMessageWriter(process));

conn.onRequest(Open, (p) => {
  try {
    session = new Session(p.path, {
      connectionArgs: ['--output_format_json_quote_64bit_integers=1'],
    });
  } catch (err) {
    throw fail(err, 'open');
  }
  lockPath = join(p.path, LOCK_FILE);
  writeFileSync(lockPath, JSON.stringify(p.lockInfo) + '\n');
  return session.queryAsync('SELECT version()', { format: 'TSV' }).then((r) => ({ version: r.text().trim() }));
});

conn.onRequest(Query, async (p, token) => {
  const s = requireSession();
  const signal = abortOn(token);
  const sql = withSettings(p.sql, p.settings);
  try {
    const r = p.params
      ? await s.queryBindAsync(sql, p.params, { format: p.format, signal })
      : await s.queryAsync(sql, { format: p.format, signal });
    return { text: r.text(), rowsRead: r.rowsRead };
  } catch (err) {
    throw fail(err, 'query');
  }
});

conn.onRequest(InsertBegin, (p: InsertBeginParams) => {
  const s = requireSession();
  const queue = new ChunkQueue(2);
  const done = s
    .insert({ table: `${p.database}.${p.table}`, values: queue, format: p.format, columns: p.columns, maxChunkBytes: 16 << 20 })
    .then((r) => ({ rows: r.rowsSent, bytes: r.bytesSent }));
  done.catch(() => queue.close());
  inserts.set(p.id, { queue, done });
});

conn.onRequest(InsertChunk, async (p) => {
  const ins = inserts.get(p.id);
  if (!ins) throw new ResponseError<EngineErrorData>(ENGINE_ERROR, `Unknown insert ${p.id}`, { kind: 'insert' });
  try {
    // Resolves once the chunk is queued: the client's next chunk waits for room (backpressure).
    await ins.queue.push(Buffer.from(p.data.buffer, p.data.byteOffset, p.data.byteLength));
  } catch {
    // The queue closes when the insert itself failed: report the engine's reason.
    await ins.done.catch((err) => {
      throw fail(err, 'insert');
    });
    throw new ResponseError<EngineErrorData>(ENGINE_ERROR, 'The insert was closed.', { kind: 'insert' });
  }
});

conn.onRequest(InsertEnd, async (p) => {
  const ins = inserts.get(p.id);
  if (!ins) throw new ResponseError<EngineErrorData>(ENGINE_ERROR, `Unknown insert ${p.id}`, { kind: 'insert' });
  inserts.delete(p.id);
  if (p.abort) ins.queue.fail(new Error('Insert aborted by the client.'));
  else ins.queue.close();
  try {
    return await ins.done;
  } catch (err) {
    throw fail(err, 'insert');
  }
});

conn.onRequest(Shutdown, () => {
  closeSession();
});

function withSettings(sql: string, settings?: Record<string, string | number>): string {
  if (!settings || Object.keys(settings).length === 0) return sql;
  const parts = Object.entries(settings).map(([k, v]) => {
    if (!/^[a-z_0-9]+$/.test(k)) throw new Error(`Invalid setting name: ${k}`);
    const value = typeof v === 'number' ? String(v) : `'${v.replace(/[\\']/g, (c) => '\\' + c)}'`;
    return `${k} = ${value}`;
  });
  return `${sql.replace(/;\s*$/, '')}\nSETTINGS ${parts.join(', ')}`;
}

function closeSession(): void {
  if (lockPath) rmSync(lockPath, { force: true });
  lockPath = undefined;
  session?.close();
  session = undefined;
}

process.on('disconnect', () => {
  closeSession();
  process.exit(0);
});

conn.listen();
