/** A ClickHouse server or cluster through @clickhouse/client over HTTP(S). */
import { ClickHouseLogLevel, createClient, type ClickHouseClient } from '@clickhouse/client';
import { Readable } from 'node:stream';
import {
  WarehouseError,
  type DatabaseNames,
  type InsertOptions,
  type InsertSelectOptions,
  type InsertSummary,
  type QueryOptions,
  type Row,
  type Warehouse,
} from './warehouse';
import { qualified, identList } from './sql';
import { cleanEngineMessage } from './embedded';
import { countLines } from './rows';

export interface ServerOptions {
  url: string;
  username?: string;
  password?: string;
  databases: DatabaseNames;
  cluster?: string;
}

export class ServerWarehouse implements Warehouse {
  readonly mode = 'server' as const;
  readonly databases: DatabaseNames;
  readonly cluster?: string;
  private readonly client: ClickHouseClient;

  constructor(readonly options: ServerOptions) {
    this.databases = options.databases;
    this.cluster = options.cluster || undefined;
    this.client = createClient({
      url: options.url,
      username: options.username ?? 'default',
      password: options.password ?? '',
      request_timeout: 3_600_000,
      // Every failure reaches the caller as one WarehouseError; the client's own console dumps would be noise in the CLI.
      log: { level: ClickHouseLogLevel.OFF },
      clickhouse_settings: {
        output_format_json_quote_64bit_integers: 1,
        // Long loads and builds: progress headers keep idle proxies from dropping the connection.
        send_progress_in_http_headers: 1,
        http_headers_progress_interval_ms: '60000',
      },
    });
  }

  async query<T extends Row = Row>(sql: string, o: QueryOptions = {}): Promise<T[]> {
    return this.run(async () => {
      const rs = await this.client.query({
        query: sql,
        format: 'JSONEachRow',
        query_params: o.params as Record<string, unknown> | undefined,
        abort_signal: o.signal,
        clickhouse_settings: o.settings,
      });
      return rs.json<T>();
    });
  }

  async queryText(sql: string, format: string, o: QueryOptions = {}): Promise<string> {
    return this.run(async () => {
      const rs = await this.client.exec({
        query: `${sql.replace(/;\s*$/, '')}\nFORMAT ${formatName(format)}`,
        query_params: o.params as Record<string, unknown> | undefined,
        abort_signal: o.signal,
        clickhouse_settings: o.settings,
      });
      const parts: Buffer[] = [];
      for await (const c of rs.stream) parts.push(c as Buffer);
      return Buffer.concat(parts).toString('utf8');
    });
  }

  async command(sql: string, o: QueryOptions = {}): Promise<{ writtenRows: number }> {
    return this.run(async () => {
      const r = await this.client.command({
        query: sql,
        query_params: o.params as Record<string, unknown> | undefined,
        abort_signal: o.signal,
        clickhouse_settings: { wait_end_of_query: 1, ...o.settings },
      });
      return { writtenRows: Number(r.summary?.written_rows ?? -1) };
    });
  }

  async insert(o: InsertOptions): Promise<InsertSummary> {
    let rows = 0;
    let bytes = 0;
    const counted = Readable.from(
      (async function* () {
        for await (const piece of o.body as AsyncIterable<Buffer | string>) {
          const buf = typeof piece === 'string' ? Buffer.from(piece) : piece;
          rows += countLines(buf);
          bytes += buf.length;
          o.onProgress?.({ rows, bytes });
          yield buf;
        }
      })(),
    );
    await this.run(() =>
      this.client.exec({
        query: `INSERT INTO ${qualified(o.database, o.table)} (${identList(o.columns)}) FORMAT ${o.format === 'TSV' ? 'TabSeparated' : 'JSONEachRow'}`,
        values: counted,
        abort_signal: o.signal,
      }).then(async (r) => {
        for await (const _ of r.stream) void _;
      }),
    );
    return { rows, bytes };
  }

  async insertSelect(o: InsertSelectOptions): Promise<InsertSummary> {
    let bytes = 0;
    const counted = Readable.from(
      (async function* () {
        for await (const buf of o.body) {
          bytes += buf.length;
          o.onProgress?.({ bytes });
          yield buf;
        }
      })(),
    );
    // With `values` the client puts the query and its parameters in the URL and streams the body.
    const written = await this.run(() =>
      this.client
        .exec({
          query: `${o.sql}\nFORMAT ${o.format}`,
          values: counted,
          query_params: o.params as Record<string, unknown> | undefined,
          clickhouse_settings: { wait_end_of_query: 1, ...o.settings },
          abort_signal: o.signal,
        })
        .then(async (r) => {
          for await (const _ of r.stream) void _;
          return Number(r.summary?.written_rows ?? -1);
        }),
    );
    return { rows: written, bytes };
  }

  async version(): Promise<string> {
    return (await this.queryText('SELECT version()', 'TSV')).trim();
  }

  async close(): Promise<void> {
    await this.client.close();
  }

  private async run<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      const e = err as { message?: string; code?: string };
      const code = e.code && /^\d+$/.test(e.code) ? Number(e.code) : undefined;
      const msg = String(e.message ?? err);
      if (/ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|ETIMEDOUT/.test(msg)) {
        throw new WarehouseError(`Cannot reach the ClickHouse server at ${this.options.url}: ${msg}`);
      }
      if (code === 516 || /Authentication failed/i.test(msg)) {
        throw new WarehouseError(
          `The ClickHouse server at ${this.options.url} rejected user "${this.options.username ?? 'default'}": wrong user name or password.`,
          code,
        );
      }
      throw new WarehouseError(cleanEngineMessage(msg), code);
    }
  }
}

function formatName(format: string): string {
  if (!/^[A-Za-z0-9]+$/.test(format)) throw new WarehouseError(`Unknown output format: ${format}`);
  return format;
}
