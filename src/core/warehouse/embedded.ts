/**
 * Embedded warehouse: chDB in a child process owned by this process, started on
 * first use, restarted on the next call if it dies, stopped on close. The
 * caller's event loop never runs libchdb.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { randomUUID } from 'node:crypto';
import {
  createMessageConnection,
  IPCMessageReader,
  IPCMessageWriter,
  CancellationTokenSource,
  ResponseError,
  type MessageConnection,
} from 'vscode-jsonrpc/node';
import { Open, Query, InsertBegin, InsertChunk, InsertEnd, Shutdown, LOCK_FILE, ENGINE_ERROR, type EngineErrorData, type LockInfo } from './engine-protocol';
import {
  WarehouseError,
  type DatabaseNames,
  type InsertOptions,
  type InsertSummary,
  type QueryOptions,
  type Row,
  type Warehouse,
} from './warehouse';
import { parseJsonEachRow, rechunkLines } from './rows';

/** Locate the bundled engine entry (dist/engine.js); KIMBALL_ENGINE_ENTRY overrides it. */
export function engineEntry(): string {
  const candidates = [
    process.env.KIMBALL_ENGINE_ENTRY,
    join(__dirname, 'engine.js'),
    resolve(__dirname, '../../../dist/engine.js'),
  ];
  const found = candidates.find((c): c is string => !!c && existsSync(c));
  if (!found) throw new WarehouseError('The embedded engine (dist/engine.js) is missing: run `npm run build`.');
  return found;
}

export class EmbeddedWarehouse implements Warehouse {
  readonly mode = 'embedded' as const;
  private engine: Promise<{ child: ChildProcess; conn: MessageConnection }> | undefined;
  private exitNote: string | undefined;
  private exited: Promise<void> | undefined;

  constructor(
    readonly path: string,
    readonly databases: DatabaseNames,
    private readonly holder = process.argv.slice(1).join(' '),
  ) {}

  async query<T extends Row = Row>(sql: string, options: QueryOptions = {}): Promise<T[]> {
    return parseJsonEachRow<T>(await this.queryText(sql, 'JSONEachRow', options));
  }

  async queryText(sql: string, format: string, options: QueryOptions = {}): Promise<string> {
    const r = await this.request(sql, format, options);
    return r.text;
  }

  async command(sql: string, options: QueryOptions = {}): Promise<{ writtenRows: number }> {
    await this.request(sql, 'TSV', options);
    return { writtenRows: -1 };
  }

  async version(): Promise<string> {
    return (await this.queryText('SELECT version()', 'TSV')).trim();
  }

  async insert(o: InsertOptions): Promise<InsertSummary> {
    // chDB's streaming insert takes bare names; bronze and staging names are sanitized to this shape.
    for (const name of [o.database, o.table, ...o.columns]) {
      if (!/^[A-Za-z0-9_]+$/.test(name)) {
        throw new WarehouseError(
          `Streamed inserts into the embedded warehouse need names of letters, digits and underscores; got "${name}".`,
        );
      }
    }
    const { conn } = await this.start();
    const id = randomUUID();
    await this.call(() =>
      conn.sendRequest(InsertBegin, { id, database: o.database, table: o.table, columns: [...o.columns], format: o.format }),
    );
    let sent = { rows: 0, bytes: 0 };
    try {
      for await (const chunk of rechunkLines(o.body, 8 << 20)) {
        if (o.signal?.aborted) throw new WarehouseError('The load was cancelled.');
        await this.call(() => conn.sendRequest(InsertChunk, { id, data: chunk.bytes }));
        sent = { rows: sent.rows + chunk.lines, bytes: sent.bytes + chunk.bytes.byteLength };
        o.onProgress?.(sent);
      }
    } catch (err) {
      await conn.sendRequest(InsertEnd, { id, abort: true }).catch(() => undefined);
      throw err;
    }
    await this.call(() => conn.sendRequest(InsertEnd, { id }));
    return sent;
  }

  async close(): Promise<void> {
    const engine = this.engine;
    this.engine = undefined;
    if (!engine) return;
    const { child, conn } = await engine.catch(() => ({ child: undefined, conn: undefined }));
    if (!child || !conn) return;
    await Promise.race([conn.sendRequest(Shutdown).catch(() => undefined), delay(5000)]);
    conn.dispose();
    if (child.connected) child.disconnect();
    await waitExit(child, 5000);
  }

  private async request(sql: string, format: string, options: QueryOptions) {
    const { conn } = await this.start();
    const cts = new CancellationTokenSource();
    const onAbort = () => cts.cancel();
    options.signal?.addEventListener('abort', onAbort);
    try {
      return await this.call(() =>
        conn.sendRequest(Query, { sql, format, params: options.params, settings: options.settings }, cts.token),
      );
    } finally {
      options.signal?.removeEventListener('abort', onAbort);
      cts.dispose();
    }
  }

  private async call<T>(fn: () => Promise<T>): Promise<T> {
    const exited = this.exited;
    try {
      return await fn();
    } catch (err) {
      // A dropped connection is noticed before the exit event that explains it: wait briefly for that.
      if (!isEngineError(err) && exited) await Promise.race([exited, delay(2000)]);
      throw this.toWarehouseError(err);
    }
  }

  private toWarehouseError(err: unknown): WarehouseError {
    if (err instanceof WarehouseError) return err;
    if (isEngineError(err)) {
      const data = err.data as EngineErrorData | undefined;
      return new WarehouseError(cleanEngineMessage(err.message), data?.code);
    }
    if (this.exitNote) return new WarehouseError(this.exitNote);
    return new WarehouseError(String((err as Error)?.message ?? err));
  }

  private start(): Promise<{ child: ChildProcess; conn: MessageConnection }> {
    this.engine ??= this.spawn().catch((err) => {
      this.engine = undefined;
      throw err;
    });
    return this.engine;
  }

  private async spawn(): Promise<{ child: ChildProcess; conn: MessageConnection }> {
    mkdirSync(this.path, { recursive: true });
    this.exitNote = undefined;
    const child = fork(engineEntry(), [], {
      serialization: 'advanced',
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
    });
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-4000);
    });
    const conn = createMessageConnection(new IPCMessageReader(child), new IPCMessageWriter(child));
    let markExited: () => void = () => undefined;
    this.exited = new Promise((r) => (markExited = r));
    child.on('exit', (code, signal) => {
      markExited();
      if (this.engine && !this.exitNote) {
        this.exitNote =
          `The embedded warehouse engine stopped unexpectedly (${signal ?? `exit code ${code}`}); ` +
          `it restarts on the next operation.${stderr ? ' Last output: ' + stderr.trim().split('\n').pop() : ''}`;
      }
      this.engine = undefined;
      conn.dispose();
    });
    conn.listen();
    const lockInfo: LockInfo = { pid: process.pid, command: this.holder, startedAt: new Date().toISOString() };
    try {
      await conn.sendRequest(Open, { path: this.path, lockInfo });
    } catch (err) {
      if (child.connected) child.disconnect();
      const holder = this.lockHolder();
      if (holder) throw new WarehouseError(this.lockedMessage(holder));
      const cause = this.toWarehouseError(err).message;
      throw new WarehouseError(
        `Cannot open the embedded warehouse at ${this.path}: ${cause}. ` +
          'Only one process can use it at a time: if another program has it open, close that program and try again.',
      );
    }
    return { child, conn };
  }

  /** The live process recorded as holding the data directory, if any. */
  private lockHolder(): LockInfo | undefined {
    try {
      const info = JSON.parse(readFileSync(join(this.path, LOCK_FILE), 'utf8')) as LockInfo;
      if (info.pid === process.pid) return undefined;
      process.kill(info.pid, 0);
      return info;
    } catch {
      return undefined;
    }
  }

  private lockedMessage(info: LockInfo): string {
    const holder = `process ${info.pid} (${info.command || 'unknown command'}, since ${info.startedAt})`;
    return (
      `The embedded warehouse at ${this.path} is in use by ${holder}. ` +
      'Only one process can open it at a time: close that VS Code window or CLI command and try again, ' +
      'or point Kimball at a ClickHouse server (kimball.warehouse.mode = "server").'
    );
  }
}

/** ClickHouse messages carry a stack trace and version suffix: keep the sentence a user can act on. */
export function cleanEngineMessage(message: string): string {
  return message
    .replace(/\s*Stack trace[\s\S]*$/, '')
    .replace(/\s*\(version [^)]*\)\s*$/, '')
    .trim();
}

function isEngineError(err: unknown): err is ResponseError<EngineErrorData> {
  return err instanceof ResponseError && err.code === ENGINE_ERROR;
}

function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms).unref());
}

function waitExit(child: ChildProcess, ms: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolveExit) => {
    const t = setTimeout(() => {
      child.kill('SIGKILL');
      resolveExit();
    }, ms);
    child.once('exit', () => {
      clearTimeout(t);
      resolveExit();
    });
  });
}
