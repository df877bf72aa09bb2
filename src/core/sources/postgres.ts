/**
 * PostgreSQL source: tables and views of the configured schemas plus custom
 * query objects. Read natively by ClickHouse's postgresql() table function
 * when the warehouse can reach the database and the rows come out as the same
 * text PostgreSQL would print; otherwise streamed with COPY ... TO STDOUT
 * (text format, which is byte-for-byte ClickHouse TSV).
 */
import { availableParallelism } from 'node:os';
import { Client, escapeIdentifier, escapeLiteral, type ClientConfig } from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import type { ConstraintSource, SourceConstraint } from '../acquire/constraints';
import type { KeyScanSource } from '../acquire/increment';
import { param, quoteIdent } from '../warehouse/sql';
import {
  secretEnvName,
  type NativeRead,
  type PostgresSourceConfig,
  type ReadOptions,
  type Source,
  type SourceDeps,
  type SourceObject,
  type StreamRead,
  type StreamRecord,
  type TestResult,
} from './source';

/** A table or view found in the catalog of the source database. */
interface Relation {
  schema: string;
  table: string;
  kind: 'table' | 'view';
  rows?: number;
  stats?: string;
}

interface PgColumn {
  name: string;
  type: string;
}

/**
 * Types whose ClickHouse rendering (after toString) is the exact text
 * PostgreSQL prints; any other type (timestamps, numeric, floats, bool,
 * arrays, dates beyond Date32's range) is streamed so bronze keeps PG's text.
 */
const NATIVE_SAFE_TYPES = new Set(['smallint', 'integer', 'bigint', 'text', 'character varying', 'character', 'name', 'uuid', 'json', 'jsonb']);

const DEFAULT_SCHEMA = 'public';

export class PostgresSource implements Source, ConstraintSource, KeyScanSource {
  constructor(
    readonly config: PostgresSourceConfig,
    private readonly deps: SourceDeps,
  ) {}

  private get schemas(): string[] {
    return this.config.schemas && this.config.schemas.length > 0 ? this.config.schemas : [DEFAULT_SCHEMA];
  }

  private get where(): string {
    return `${this.config.host}:${this.config.port}`;
  }

  async test(signal?: AbortSignal): Promise<TestResult> {
    try {
      return await this.withClient(signal, async (c) => {
        const v = await c.query<{ version: string }>('SELECT version() AS version');
        const version = v.rows[0].version.split(' on ')[0];
        const problem = await this.privilegeProblem(c);
        if (problem) return { ok: false, message: `Connected to ${version}, but ${problem}` };
        const n = (await this.relations(c)).length + Object.keys(this.config.queries ?? {}).length;
        return { ok: true, message: `Connected to ${version} at ${this.where}/${this.config.database}; ${n} object(s) readable.` };
      });
    } catch (err) {
      return { ok: false, message: err instanceof Error ? err.message : String(err) };
    }
  }

  /**
   * Objects with their version: for tables with a cursor column, the cursor's
   * high-water mark (see cursorVersion); else the table's file node (a TRUNCATE
   * changes it) and its insert, update and delete counters from the statistics
   * views (reported by PostgreSQL within about a second of a commit); views
   * have none and always load.
   */
  async listObjects(signal?: AbortSignal): Promise<SourceObject[]> {
    return this.withClient(signal, async (c) => {
      const out: SourceObject[] = [];
      for (const r of await this.relations(c)) {
        const name = this.objectName(r);
        const cursor = this.config.cursors?.[name];
        const version = cursor ? await this.cursorTableVersion(c, r, cursor, this.config.deleteScan?.includes(name) === true) : r.stats;
        out.push({ name, location: `${r.schema}.${r.table}`, rows: r.rows, version, format: r.kind });
      }
      for (const name of Object.keys(this.config.queries ?? {}).sort()) {
        out.push({ name, location: `query ${name}`, format: 'query' });
      }
      return out;
    });
  }

  async read(object: SourceObject, options: ReadOptions): Promise<NativeRead | StreamRead> {
    // A query as typed in psql may end with ';', which cannot stand inside a subquery.
    const query = this.config.queries?.[object.name]?.trim().replace(/;[\s;]*$/, '');
    if (query !== undefined) {
      const columns = await this.withClient(options.signal, (c) => queryColumns(c, query));
      return this.streamRead(columns.map((col) => col.name), `SELECT * FROM (${query}) AS q`, options.signal);
    }
    const { relation, columns } = await this.withClient(options.signal, async (c) => {
      const rel = await this.relation(c, object.name);
      return { relation: rel, columns: await tableColumns(c, rel) };
    });
    if (columns.length === 0) throw new Error(`PostgreSQL source ${this.config.name}: ${object.name} has no columns`);
    this.checkColumns(object.name, columns);
    const cursor = this.config.cursors?.[object.name];
    const incremental = cursor !== undefined && options.cursorFrom !== undefined && options.cursorFrom !== '';
    if (options.warehouseCanReach && !incremental && nativeReadable(relation, columns)) {
      return this.nativeRead(relation, columns);
    }
    const names = columns.map((c) => c.name);
    let sql = `SELECT ${names.map(escapeIdentifier).join(', ')} FROM ${qualifiedName(relation)}`;
    // From the mark itself: a row committed after the last load with the mark's own value is read too (the
    // loader drops rows it already holds). COPY takes no bind parameters: PostgreSQL's literal escaping quotes it.
    if (incremental && cursor !== undefined && options.cursorFrom !== undefined) {
      sql += ` WHERE ${escapeIdentifier(cursor)} >= ${escapeLiteral(cursorMark(options.cursorFrom))}`;
    }
    return this.streamRead(names, sql, options.signal);
  }

  /** The configured cursor and key columns must be columns of the table. */
  private checkColumns(object: string, columns: PgColumn[]): void {
    const has = (name: string) => columns.some((c) => c.name === name);
    const cursor = this.config.cursors?.[object];
    if (cursor !== undefined && !has(cursor)) throw new Error(`PostgreSQL source ${this.config.name}: cursor column ${cursor} is not a column of ${object}`);
    const missing = (this.config.keys?.[object] ?? []).filter((k) => !has(k));
    if (missing.length > 0) throw new Error(`PostgreSQL source ${this.config.name}: key column(s) ${missing.join(', ')} of keys.${object} are not columns of ${object}`);
  }

  /**
   * The primary key, unique keys (constraints and unique indexes without a predicate or expression) and
   * foreign keys to tables of this source; a query object declares none.
   */
  async declaredConstraints(object: SourceObject, signal?: AbortSignal): Promise<SourceConstraint[]> {
    if (this.config.queries?.[object.name] !== undefined) return [];
    return this.withClient(signal, async (c) => {
      const rel = await this.relation(c, object.name);
      const res = await c.query<{ kind: 'primary' | 'unique' | 'foreign'; columns: string[]; ref_schema: string | null; ref_table: string | null; ref_columns: string[]; ref_all: string[] }>(
        CONSTRAINTS_SQL,
        [rel.schema, rel.table, this.schemas],
      );
      return res.rows.map((r) =>
        r.kind === 'foreign' && r.ref_schema !== null && r.ref_table !== null
          ? { kind: r.kind, columns: r.columns, references: { object: this.objectName({ schema: r.ref_schema, table: r.ref_table }), columns: r.ref_columns, allColumns: r.ref_all } }
          : { kind: r.kind, columns: r.columns },
      );
    });
  }

  /** Every current value of `columns` of a table, as COPY text (ClickHouse TSV), read lazily. */
  async keyValues(object: SourceObject, columns: string[], signal?: AbortSignal): Promise<AsyncIterable<Buffer>> {
    const rel = await this.withClient(signal, (c) => this.relation(c, object.name));
    return this.copyText(`COPY (SELECT ${columns.map(escapeIdentifier).join(', ')} FROM ${qualifiedName(rel)}) TO STDOUT WITH (FORMAT text)`, signal);
  }

  private async relation(c: Client, name: string): Promise<Relation> {
    const rel = (await this.relations(c)).find((r) => this.objectName(r) === name);
    if (!rel) throw new Error(`PostgreSQL source ${this.config.name}: object ${name} not found (dropped, or not in schemas ${this.schemas.join(', ')})`);
    return rel;
  }

  /** The object name: the table name in `public`, `schema.table` elsewhere (so names stay unique). */
  private objectName(r: Pick<Relation, 'schema' | 'table'>): string {
    return r.schema === DEFAULT_SCHEMA ? r.table : `${r.schema}.${r.table}`;
  }

  /** ClickHouse reads the table itself; the loader casts every column to String with NULL as ''. */
  private async nativeRead(r: Relation, columns: PgColumn[]): Promise<NativeRead> {
    const fn = `postgresql(${param('pg_host', 'String')}, ${param('pg_database', 'String')}, ${param('pg_table', 'String')}, ${param('pg_user', 'String')}, ${param('pg_password', 'String')}, ${param('pg_schema', 'String')})`;
    return {
      kind: 'native',
      from: fn,
      params: {
        pg_host: this.where,
        pg_database: this.config.database,
        pg_table: r.table,
        pg_user: this.config.user,
        pg_password: (await this.password()) ?? '',
        pg_schema: r.schema,
      },
      columns: columns.map((c) => c.name),
      select: columns.map((c) => `ifNull(toString(${quoteIdent(c.name)}), '')`),
      // postgresql() reads one COPY stream; writing the parts on more threads keeps the insert off that stream's path.
      settings: { max_insert_threads: Math.max(1, Math.min(4, availableParallelism())) },
    };
  }

  /** A lazy COPY: nothing connects until `records` or `tsv` is iterated. */
  private streamRead(columns: string[], select: string, signal?: AbortSignal): StreamRead {
    const copy = (): AsyncIterable<Buffer> => this.copyText(`COPY (${select}) TO STDOUT WITH (FORMAT text)`, signal);
    return {
      kind: 'stream',
      columns,
      tsv: { [Symbol.asyncIterator]: () => copy()[Symbol.asyncIterator]() },
      records: { [Symbol.asyncIterator]: () => copyRecords(copy())[Symbol.asyncIterator]() },
    };
  }

  private async *copyText(sql: string, signal?: AbortSignal): AsyncGenerator<Buffer> {
    const client = await this.connect(signal);
    const stream = client.query(copyTo(sql));
    const abort = (): void => {
      stream.destroy(new Error('Cancelled'));
    };
    signal?.addEventListener('abort', abort, { once: true });
    try {
      for await (const chunk of stream as AsyncIterable<Buffer>) yield chunk;
    } catch (err) {
      throw this.explain(err);
    } finally {
      signal?.removeEventListener('abort', abort);
      // A COPY stopped half-way leaves the connection mid-protocol: end it hard.
      await client.end().catch(() => undefined);
    }
  }

  private async password(): Promise<string | undefined> {
    return this.deps.secrets.get(this.config.name, 'password');
  }

  /** A connected client; sslMode 'prefer' tries TLS first and falls back to plain when the server has none (as libpq does). */
  private async connect(signal?: AbortSignal): Promise<Client> {
    signal?.throwIfAborted();
    const mode = this.config.sslMode ?? 'disable';
    try {
      return await this.tryConnect(mode === 'prefer' ? 'require' : mode);
    } catch (err) {
      if (mode === 'prefer' && /does not support SSL/i.test(String((err as Error).message))) return this.tryConnect('disable');
      throw this.explain(err);
    }
  }

  private async tryConnect(mode: 'disable' | 'require' | 'verify-full'): Promise<Client> {
    const client = new Client(await this.clientConfig(mode));
    // A dropped connection emits 'error' on the client; without a listener it would crash the process.
    client.on('error', () => undefined);
    try {
      await client.connect();
    } catch (err) {
      await client.end().catch(() => undefined);
      throw err;
    }
    return client;
  }

  private async withClient<T>(signal: AbortSignal | undefined, fn: (c: Client) => Promise<T>): Promise<T> {
    const client = await this.connect(signal);
    try {
      return await fn(client);
    } catch (err) {
      throw this.explain(err);
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  private async clientConfig(mode: 'disable' | 'require' | 'verify-full'): Promise<ClientConfig> {
    return {
      host: this.config.host,
      port: this.config.port,
      database: this.config.database,
      user: this.config.user,
      password: (await this.password()) ?? '',
      // 'require' encrypts without checking the certificate (libpq's meaning); 'verify-full' checks chain and host name.
      ssl: mode === 'require' ? { rejectUnauthorized: false } : mode === 'verify-full' ? { rejectUnauthorized: true } : false,
      connectionTimeoutMillis: 10_000,
      application_name: 'kimball',
    };
  }

  /** One actionable sentence per failure the user can fix. */
  private explain(err: unknown): Error {
    const e = err as { code?: string; message?: string };
    const who = `PostgreSQL source ${this.config.name}`;
    const msg = e.message ?? String(err);
    if (msg.startsWith(who)) return err as Error;
    switch (e.code) {
      case '28P01':
        return new Error(`${who}: password authentication failed for user ${this.config.user} at ${this.where}; check the password (${secretEnvName(this.config.name, 'password')} for the CLI).`);
      case '28000':
        return new Error(`${who}: the server at ${this.where} rejects user ${this.config.user} (${msg}); check pg_hba.conf or the user name.`);
      case '3D000':
        return new Error(`${who}: database ${this.config.database} does not exist at ${this.where}; check the database name.`);
      case '42501':
        return new Error(`${who}: permission denied (${msg}); grant USAGE on the schema and SELECT on the table to ${this.config.user}.`);
      case 'ECONNREFUSED':
      case 'ENOTFOUND':
      case 'EAI_AGAIN':
      case 'EHOSTUNREACH':
      case 'ETIMEDOUT':
        return new Error(`${who}: cannot reach ${this.where} (${e.code}); check host and port, and that the server is running and accepts TCP connections.`);
      case 'DEPTH_ZERO_SELF_SIGNED_CERT':
      case 'SELF_SIGNED_CERT_IN_CHAIN':
      case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
      case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
      case 'CERT_HAS_EXPIRED':
      case 'ERR_TLS_CERT_ALTNAME_INVALID':
        return new Error(
          `${who}: the TLS certificate of ${this.where} is not trusted (${e.code}); sslMode verify-full needs a certificate from a trusted CA naming the host (NODE_EXTRA_CA_CERTS adds a CA), sslMode require encrypts without checking it.`,
        );
      default:
        if (/does not support SSL/i.test(msg)) return new Error(`${who}: the server at ${this.where} does not accept TLS; set sslMode to prefer or disable.`);
        if (/timeout/i.test(msg)) return new Error(`${who}: cannot reach ${this.where} (connection timeout); check host, port and firewall.`);
        if (/SCRAM|password must be a string|client password/i.test(msg)) {
          return new Error(`${who}: the server requires a password for ${this.config.user}; set it (${secretEnvName(this.config.name, 'password')} for the CLI).`);
        }
        return new Error(`${who}: ${msg}`);
    }
  }

  private async relations(c: Client): Promise<Relation[]> {
    // A partitioned table holds no rows itself: its estimate and version come from its leaf partitions.
    const res = await c.query<{ schema: string; table: string; relkind: string; reltuples: number; stats: string | null }>(
      `SELECT n.nspname AS schema, c.relname AS table, c.relkind, leaves.reltuples, leaves.stats
         FROM pg_class c
         JOIN pg_namespace n ON n.oid = c.relnamespace
         CROSS JOIN LATERAL (
           SELECT CASE WHEN bool_or(l.reltuples >= 0) THEN sum(greatest(l.reltuples, 0))::float8 ELSE -1 END AS reltuples,
                  CASE WHEN count(s.relid) = 0 THEN NULL
                       ELSE string_agg(l.relfilenode::text, ',' ORDER BY l.oid) || ':' || sum(s.n_tup_ins) || '/' || sum(s.n_tup_upd) || '/' || sum(s.n_tup_del) END AS stats
             FROM (SELECT c.oid AS oid WHERE c.relkind <> 'p'
                   UNION ALL SELECT relid FROM pg_partition_tree(c.oid) WHERE isleaf AND c.relkind = 'p') m
             JOIN pg_class l ON l.oid = m.oid
             LEFT JOIN pg_stat_user_tables s ON s.relid = l.oid
         ) leaves
        WHERE n.nspname = ANY($1) AND c.relkind IN ('r', 'p', 'v', 'm', 'f') AND NOT c.relispartition
        ORDER BY n.nspname, c.relname`,
      [this.schemas],
    );
    return res.rows.map((r) => ({
      schema: r.schema,
      table: r.table,
      kind: r.relkind === 'v' ? 'view' : 'table',
      // reltuples is -1 until the table is first analyzed (PostgreSQL 14+).
      rows: r.reltuples >= 0 && r.relkind !== 'v' ? Math.round(r.reltuples) : undefined,
      stats: r.stats ?? undefined,
    }));
  }

  /** The version of a table with a cursor column (undefined while it is empty: then it always loads). */
  private async cursorTableVersion(c: Client, r: Relation, cursor: string, deleteScan: boolean): Promise<string | undefined> {
    const col = escapeIdentifier(cursor);
    const res = await c.query<{ v: string | null; n: string }>(
      `SELECT m::text AS v, (SELECT count(*) FROM ${qualifiedName(r)} WHERE ${col} = m) AS n FROM (SELECT max(${col}) AS m FROM ${qualifiedName(r)}) s`,
    );
    const mark = res.rows[0]?.v;
    if (mark === null || mark === undefined) return undefined;
    return cursorVersion(mark, Number(res.rows[0].n), deleteScan ? (r.stats ?? '') : undefined);
  }

  /** Missing schemas, schemas without USAGE, tables without SELECT: one sentence, or undefined when all is readable. */
  private async privilegeProblem(c: Client): Promise<string | undefined> {
    const schemas = await c.query<{ name: string; present: boolean; usage: boolean }>(
      `SELECT s AS name, n.oid IS NOT NULL AS present, n.oid IS NOT NULL AND has_schema_privilege(n.oid, 'USAGE') AS usage
         FROM unnest($1::text[]) AS s LEFT JOIN pg_namespace n ON n.nspname = s`,
      [this.schemas],
    );
    const missing = schemas.rows.filter((s) => !s.present).map((s) => s.name);
    if (missing.length > 0) return `schema(s) ${missing.join(', ')} do not exist in database ${this.config.database}.`;
    const noUsage = schemas.rows.filter((s) => !s.usage).map((s) => s.name);
    if (noUsage.length > 0) return `user ${this.config.user} lacks USAGE on schema(s) ${noUsage.join(', ')}; GRANT USAGE ON SCHEMA ... TO ${this.config.user}.`;
    const denied = await c.query<{ name: string }>(
      `SELECT n.nspname || '.' || c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = ANY($1) AND c.relkind IN ('r', 'p', 'v', 'm', 'f') AND NOT c.relispartition
          AND NOT has_table_privilege(c.oid, 'SELECT') ORDER BY 1`,
      [this.schemas],
    );
    if (denied.rows.length === 0) return undefined;
    const names = denied.rows.map((r) => r.name);
    const shown = names.slice(0, 5).join(', ') + (names.length > 5 ? ` and ${names.length - 5} more` : '');
    return `user ${this.config.user} lacks SELECT on ${shown}; GRANT SELECT ON ... TO ${this.config.user}.`;
  }
}

/**
 * A cursor table's version: its high-water mark, and what else must change it. More than one row at the
 * mark: their count, so a row committed later with the mark's own value loads. A delete-scanned table:
 * its change counters (as in `relations`), so a delete loads too. Else the mark alone, as before these.
 */
export function cursorVersion(mark: string, atMark: number, stats?: string): string {
  if (atMark <= 1 && stats === undefined) return mark;
  return JSON.stringify({ mark, atMark, ...(stats === undefined ? {} : { stats }) });
}

/** The high-water mark of a version cursorVersion made. */
export function cursorMark(version: string): string {
  if (!version.startsWith('{"mark":')) return version;
  try {
    const v = JSON.parse(version) as { mark?: unknown };
    return typeof v.mark === 'string' ? v.mark : version;
  } catch {
    // A mark that merely starts like one of these objects.
    return version;
  }
}

function qualifiedName(r: Pick<Relation, 'schema' | 'table'>): string {
  return `${escapeIdentifier(r.schema)}.${escapeIdentifier(r.table)}`;
}

/**
 * $1.$2's keys: unique indexes (the primary key's among them) over plain columns, in key order, and
 * foreign keys whose referenced table is an object of a schema in $3, with all of its columns.
 */
const CONSTRAINTS_SQL = `
  WITH rel AS (SELECT (quote_ident($1) || '.' || quote_ident($2))::regclass::oid AS oid)
  SELECT CASE WHEN i.indisprimary THEN 'primary' ELSE 'unique' END AS kind,
         ARRAY(SELECT a.attname FROM unnest(i.indkey::int2[]) WITH ORDINALITY AS k(num, ord)
                 JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.num
                WHERE k.ord <= i.indnkeyatts ORDER BY k.ord)::text[] AS columns,
         NULL AS ref_schema, NULL AS ref_table, '{}'::text[] AS ref_columns, '{}'::text[] AS ref_all
    FROM pg_index i, rel
   WHERE i.indrelid = rel.oid AND i.indisunique AND i.indisvalid AND i.indpred IS NULL AND i.indexprs IS NULL
  UNION ALL
  SELECT 'foreign',
         ARRAY(SELECT a.attname FROM unnest(con.conkey) WITH ORDINALITY AS k(num, ord)
                 JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.num ORDER BY k.ord)::text[],
         n.nspname::text, t.relname::text,
         ARRAY(SELECT a.attname FROM unnest(con.confkey) WITH ORDINALITY AS k(num, ord)
                 JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.num ORDER BY k.ord)::text[],
         ARRAY(SELECT a.attname FROM pg_attribute a
                WHERE a.attrelid = con.confrelid AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum)::text[]
    FROM pg_constraint con
    JOIN rel ON con.conrelid = rel.oid
    JOIN pg_class t ON t.oid = con.confrelid
    JOIN pg_namespace n ON n.oid = t.relnamespace
   WHERE con.contype = 'f' AND n.nspname = ANY($3) AND NOT t.relispartition
   ORDER BY 1, 2`;

async function tableColumns(c: Client, r: Relation): Promise<PgColumn[]> {
  const res = await c.query<PgColumn>(
    `SELECT a.attname AS name, format_type(a.atttypid, NULL) AS type
       FROM pg_attribute a
      WHERE a.attrelid = (quote_ident($1) || '.' || quote_ident($2))::regclass AND a.attnum > 0 AND NOT a.attisdropped
      ORDER BY a.attnum`,
    [r.schema, r.table],
  );
  return res.rows;
}

/** Column names of a custom query, without running it (LIMIT 0). */
async function queryColumns(c: Client, query: string): Promise<PgColumn[]> {
  const res = await c.query(`SELECT * FROM (${query}) AS q LIMIT 0`);
  return res.fields.map((f) => ({ name: f.name, type: '' }));
}

/**
 * ClickHouse's postgresql() quotes identifiers with backslash escapes, which
 * PostgreSQL rejects for names holding a double quote; those, and types whose
 * text would change, take the streamed path.
 */
function nativeReadable(r: Relation, columns: PgColumn[]): boolean {
  const names = [r.schema, r.table, ...columns.map((c) => c.name)];
  if (names.some((n) => n.includes('"') || n.includes('\\'))) return false;
  return columns.every((c) => NATIVE_SAFE_TYPES.has(c.type));
}

const UNESCAPE: Record<string, string> = { b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\' };

/** One field of COPY text format: `\N` is NULL (-> ''), backslash escapes decoded. */
export function unescapeCopyField(field: string): string {
  if (field === '\\N') return '';
  if (!field.includes('\\')) return field;
  return field.replace(/\\(.)/gs, (_m, ch: string) => UNESCAPE[ch] ?? ch);
}

/** One COPY text line -> field values (escapes decoded only where the line has any). */
function copyLine(line: string): string[] {
  const fields = line.split('\t');
  if (line.includes('\\')) for (let i = 0; i < fields.length; i++) fields[i] = unescapeCopyField(fields[i]);
  return fields;
}

/**
 * COPY text bytes -> string records. A row never spans lines (newlines inside
 * values are escaped), so each chunk's complete lines decode as one string.
 */
export async function* copyRecords(chunks: AsyncIterable<Buffer>): AsyncGenerator<StreamRecord> {
  let rest: Buffer = Buffer.alloc(0);
  for await (const chunk of chunks) {
    const buf = rest.length > 0 ? Buffer.concat([rest, chunk]) : chunk;
    const end = buf.lastIndexOf(10);
    if (end < 0) {
      rest = buf;
      continue;
    }
    const lines = buf.toString('utf8', 0, end).split('\n');
    rest = buf.subarray(end + 1);
    for (const line of lines) yield { ok: true, values: copyLine(line) };
  }
  if (rest.length > 0) yield { ok: true, values: copyLine(rest.toString('utf8')) };
}
