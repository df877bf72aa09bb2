/**
 * S3 and S3-compatible stores: every supported key under the prefix (and
 * glob) is an object, versioned by its ETag. UTF-8 CSV/TSV and Parquet are
 * read by the warehouse itself (s3() table function) when it can reach the
 * store; everything else, and everything when it cannot, is streamed with
 * GetObject through the same format parsers as local files, gzip and zstd
 * decompressed by extension. Parquet the warehouse cannot reach is uploaded:
 * ranged GETs for the footer and for parts of whole row groups, parsed by
 * the warehouse.
 */
import { pipeline, Readable } from 'node:stream';
import { constants as zc, createGunzip, gunzipSync } from 'node:zlib';
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, S3Client, S3ServiceException, type S3ClientConfig } from '@aws-sdk/client-s3';
import { Decompress } from 'fzstd';
import { objectNames } from '../acquire/names';
import { delimitedLayout, delimitedRead, formatOf, jsonRead, nativeCsv, nativeCsvReadable, SAMPLE_BYTES, xmlRead, type DelimitedLayout, type FileFormat } from '../formats';
import { PARQUET_READ_SETTINGS, parquetUpload } from '../formats/parquet';
import { globRegExp } from './files';
import {
  secretEnvName,
  type NativeRead,
  type ReadOptions,
  type S3SourceConfig,
  type Source,
  type SourceDeps,
  type SourceObject,
  type StreamRead,
  type TestResult,
  type UploadRead,
} from './source';

export type Compression = 'gzip' | 'zstd' | 'none';

/** Knobs with production defaults; tests use small pages to cross page boundaries cheaply. */
export interface S3Tuning {
  /** Keys per ListObjectsV2 page (S3 caps it at 1000). */
  pageSize?: number;
  /** Extra client options (e.g. checksum behaviour of older S3-compatible servers). */
  client?: Partial<S3ClientConfig>;
}

interface S3Entry {
  key: string;
  format: FileFormat;
  compression: Compression;
}

/** Key -> format and compression from its extensions, e.g. `a/b.csv.gz` -> csv, gzip. */
export function keyFormat(key: string): { format?: FileFormat; compression: Compression; base: string } {
  const m = /\.(gz|gzip|zst|zstd)$/i.exec(key);
  const compression: Compression = !m ? 'none' : m[1].toLowerCase().startsWith('g') ? 'gzip' : 'zstd';
  const inner = m ? key.slice(0, m.index) : key;
  return { format: formatOf(inner), compression, base: inner.replace(/\.[A-Za-z0-9]+$/, '') };
}

export class S3Source implements Source {
  private entries = new Map<string, S3Entry>();
  private client?: S3Client;

  constructor(
    readonly config: S3SourceConfig,
    private readonly deps: SourceDeps,
    private readonly tuning: S3Tuning = {},
  ) {}

  private get who(): string {
    return `S3 source ${this.config.name}`;
  }

  private get prefix(): string {
    return this.config.prefix ?? '';
  }

  async test(signal?: AbortSignal): Promise<TestResult> {
    try {
      const client = await this.s3();
      const r = await client.send(new ListObjectsV2Command({ Bucket: this.config.bucket, Prefix: this.prefix || undefined, MaxKeys: 1 }), { abortSignal: signal });
      const what = r.KeyCount ? 'objects are listed' : 'no object yet';
      return { ok: true, message: `Bucket ${this.config.bucket} is reachable at ${this.endpointText()}; under "${this.prefix}": ${what}.` };
    } catch (err) {
      return { ok: false, message: this.explain(err).message };
    }
  }

  async listObjects(signal?: AbortSignal): Promise<SourceObject[]> {
    const client = await this.s3();
    const glob = this.config.glob ? globRegExp(this.config.glob) : undefined;
    const found: { key: string; size?: number; etag?: string; base: string; format: FileFormat; compression: Compression }[] = [];
    let token: string | undefined;
    try {
      do {
        const page = await client.send(
          new ListObjectsV2Command({ Bucket: this.config.bucket, Prefix: this.prefix || undefined, ContinuationToken: token, MaxKeys: this.tuning.pageSize ?? 1000 }),
          { abortSignal: signal },
        );
        for (const o of page.Contents ?? []) {
          if (!o.Key || o.Key.endsWith('/')) continue;
          const rel = o.Key.slice(this.prefix.length).replace(/^\/+/, '');
          const { format, compression, base } = keyFormat(rel);
          if (!format || (glob && !glob.test(rel))) continue;
          found.push({ key: o.Key, size: o.Size, etag: o.ETag?.replace(/"/g, ''), base, format, compression });
        }
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
    } catch (err) {
      throw this.explain(err);
    }
    found.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    const names = objectNames(found.map((f) => f.base));
    this.entries = new Map(names.map((n, i) => [n, { key: found[i].key, format: found[i].format, compression: found[i].compression }]));
    return found.map((f, i) => ({ name: names[i], location: `s3://${this.config.bucket}/${f.key}`, size: f.size, version: f.etag, format: f.format }));
  }

  async read(object: SourceObject, options: ReadOptions): Promise<NativeRead | StreamRead | UploadRead> {
    if (!this.entries.has(object.name)) await this.listObjects(options.signal);
    const entry = this.entries.get(object.name);
    if (!entry) throw new Error(`${this.who}: no object ${object.name} under s3://${this.config.bucket}/${this.prefix}.`);
    // s3() reads * ? { } in a key as a glob: such keys are streamed instead.
    const native = options.warehouseCanReach && !/[*?{}]/.test(entry.key);
    const name = `s3://${this.config.bucket}/${entry.key}`;
    switch (entry.format) {
      case 'xls':
        throw new Error(`${name} is a legacy .xls workbook, which Kimball cannot read: save it as .xlsx.`);
      case 'xlsx':
        throw new Error(`${name}: Excel workbooks are read from files only; download it into a files source.`);
      case 'parquet':
        // A warehouse that cannot reach the store gets the bytes sent (ranged GETs), and still parses them itself.
        if (!native) return this.parquetUpload(entry, object.size, options.signal);
        return { ...(await this.nativeRead(entry, 'Parquet', [])), settings: { ...PARQUET_READ_SETTINGS } };
      case 'json':
      case 'ndjson':
        return jsonRead(this.bytes(entry, options.signal), { ndjson: entry.format === 'ndjson', signal: options.signal });
      case 'xml':
        return xmlRead(this.bytes(entry, options.signal), options.signal);
      case 'csv': {
        const o = { fileName: entry.key.replace(/\.(gz|gzip|zst|zstd)$/i, ''), signal: options.signal };
        if (native) {
          const layout = delimitedLayout(await this.head(entry, options.signal), o);
          if (nativeCsvReadable(layout)) return this.nativeCsvObject(entry, layout);
        }
        return delimitedRead(this.bytes(entry, options.signal), o);
      }
    }
  }

  private async nativeRead(entry: S3Entry, format: string, columns: string[], structure?: string): Promise<NativeRead> {
    const params: Record<string, string> = { kimball_s3_url: this.objectUrl(entry.key), kimball_s3_format: format };
    const args = ['{kimball_s3_url:String}'];
    if (this.config.accessKeyId) {
      params.kimball_s3_key_id = this.config.accessKeyId;
      params.kimball_s3_secret = await this.secret();
      args.push('{kimball_s3_key_id:String}', '{kimball_s3_secret:String}');
    }
    args.push('{kimball_s3_format:String}');
    if (structure !== undefined) {
      params.kimball_s3_structure = structure;
      params.kimball_s3_compression = entry.compression;
      args.push('{kimball_s3_structure:String}', '{kimball_s3_compression:String}');
    }
    return { kind: 'native', from: `s3(${args.join(', ')})`, params, columns };
  }

  /** Parquet for a server: a ranged GET for the footer, then one ranged GET per part of whole row groups. */
  private async parquetUpload(entry: S3Entry, size: number | undefined, signal?: AbortSignal): Promise<UploadRead> {
    const name = `s3://${this.config.bucket}/${entry.key}`;
    // The footer sits at the end of the file, so the bytes must be seekable, which compressed bytes are not.
    if (entry.compression !== 'none') throw new Error(`${this.who}: ${name} is ${entry.compression}-compressed Parquet, which only a warehouse that reaches the store can read; store it uncompressed (Parquet compresses inside).`);
    const total = size ?? (await this.objectSize(entry.key, signal));
    const readAt = async (start: number, length: number): Promise<Buffer> => {
      const parts: Buffer[] = [];
      for await (const c of await this.get(entry.key, signal, `bytes=${start}-${start + length - 1}`)) parts.push(Buffer.from(c as Uint8Array));
      return Buffer.concat(parts);
    };
    const get = (start: number, end: number): Promise<Readable> => this.get(entry.key, signal, `bytes=${start}-${end - 1}`);
    const range = (start: number, end: number): AsyncIterable<Buffer> => decompress(() => get(start, end), 'none');
    return parquetUpload(name, total, readAt, range);
  }

  private async objectSize(key: string, signal?: AbortSignal): Promise<number> {
    const client = await this.s3();
    try {
      const r = await client.send(new HeadObjectCommand({ Bucket: this.config.bucket, Key: key }), { abortSignal: signal });
      return r.ContentLength ?? 0;
    } catch (err) {
      throw this.explain(err, key);
    }
  }

  /**
   * ClickHouse reads the CSV object itself, as the files source does
   * (nativeCsv). Always the exact read: proving the faster one exact would
   * mean downloading the object twice.
   */
  private async nativeCsvObject(entry: S3Entry, layout: DelimitedLayout): Promise<NativeRead> {
    const { structure, ...csv } = nativeCsv(layout, await this.tail(entry));
    return { ...(await this.nativeRead(entry, 'CSV', layout.columns, structure)), ...csv };
  }

  /** The object's URL as ClickHouse's s3() wants it: path style for custom endpoints unless told otherwise. */
  objectUrl(key: string): string {
    const path = key.split('/').map(encodeURIComponent).join('/');
    const endpoint = this.config.endpoint?.replace(/\/+$/, '');
    if (endpoint && this.config.pathStyle !== false) return `${endpoint}/${this.config.bucket}/${path}`;
    if (endpoint) {
      const u = new URL(endpoint);
      u.hostname = `${this.config.bucket}.${u.hostname}`;
      return `${u.toString().replace(/\/+$/, '')}/${path}`;
    }
    return `https://${this.config.bucket}.s3.${this.config.region ?? 'us-east-1'}.amazonaws.com/${path}`;
  }

  /** The first bytes, decompressed (a ranged GET, so a huge object is not fetched to sniff it). */
  private async head(entry: S3Entry, signal?: AbortSignal): Promise<Buffer> {
    const raw = await this.get(entry.key, signal, `bytes=0-${SAMPLE_BYTES - 1}`);
    const parts: Buffer[] = [];
    for await (const c of raw) parts.push(Buffer.from(c as Uint8Array));
    const buf = Buffer.concat(parts);
    if (entry.compression === 'gzip') return gunzipSync(buf, { finishFlush: zc.Z_SYNC_FLUSH });
    if (entry.compression === 'zstd') {
      const out: Buffer[] = [];
      new Decompress((d) => out.push(Buffer.from(d))).push(buf);
      return Buffer.concat(out);
    }
    return buf;
  }

  /** The whole object as decompressed bytes, fetched lazily when iterated. */
  private bytes(entry: S3Entry, signal?: AbortSignal): AsyncIterable<Buffer> {
    const get = (): Promise<Readable> => this.get(entry.key, signal);
    const name = `s3://${this.config.bucket}/${entry.key}`;
    const who = this.who;
    async function* checked(): AsyncGenerator<Buffer> {
      try {
        yield* decompress(get, entry.compression);
      } catch (err) {
        if (err instanceof Error && err.message.startsWith(who)) throw err;
        throw new Error(`${who}: ${name} cannot be read${entry.compression === 'none' ? '' : ` as ${entry.compression}`} (${err instanceof Error ? err.message : String(err)}).`, { cause: err });
      }
    }
    return { [Symbol.asyncIterator]: () => checked()[Symbol.asyncIterator]() };
  }

  /** The object's last bytes (whether it ends with blank lines); none for a compressed object. */
  private async tail(entry: S3Entry, signal?: AbortSignal): Promise<Buffer | undefined> {
    if (entry.compression !== 'none') return undefined;
    const chunks: Buffer[] = [];
    for await (const c of await this.get(entry.key, signal, 'bytes=-16')) chunks.push(Buffer.from(c as Uint8Array));
    return Buffer.concat(chunks);
  }

  private async get(key: string, signal?: AbortSignal, range?: string): Promise<Readable> {
    const client = await this.s3();
    try {
      const r = await client.send(new GetObjectCommand({ Bucket: this.config.bucket, Key: key, Range: range }), { abortSignal: signal });
      if (!(r.Body instanceof Readable)) throw new Error(`no body for s3://${this.config.bucket}/${key}`);
      return r.Body;
    } catch (err) {
      throw this.explain(err, key);
    }
  }

  private async secret(): Promise<string> {
    const s = await this.deps.secrets.get(this.config.name, 'secretAccessKey');
    if (s === undefined || s === '') {
      throw new Error(`${this.who}: no secret access key for key id ${this.config.accessKeyId ?? ''}; set it (${secretEnvName(this.config.name, 'secretAccessKey')} for the CLI).`);
    }
    return s;
  }

  private async s3(): Promise<S3Client> {
    if (this.client) return this.client;
    const credentials = this.config.accessKeyId ? { accessKeyId: this.config.accessKeyId, secretAccessKey: await this.secret() } : undefined;
    this.client = withoutNodeVersionWarning(
      () =>
        new S3Client({
          region: this.config.region ?? 'us-east-1',
          endpoint: this.config.endpoint,
          forcePathStyle: this.config.pathStyle ?? this.config.endpoint !== undefined,
          credentials,
          maxAttempts: 3,
          ...this.tuning.client,
        }),
    );
    return this.client;
  }

  private endpointText(): string {
    return this.config.endpoint ?? `region ${this.config.region ?? 'us-east-1'}`;
  }

  /** One actionable sentence per failure the user can fix. */
  private explain(err: unknown, key?: string): Error {
    if (err instanceof Error && err.message.startsWith(this.who)) return err;
    const where = `bucket ${this.config.bucket} at ${this.endpointText()}`;
    if (err instanceof S3ServiceException) {
      const code = err.name;
      const status = err.$metadata.httpStatusCode;
      if (code === 'NoSuchBucket') return new Error(`${this.who}: ${where} does not exist; check the bucket name and region.`);
      if (code === 'NoSuchKey') return new Error(`${this.who}: s3://${this.config.bucket}/${key ?? ''} no longer exists; list the objects again.`);
      if (code === 'InvalidAccessKeyId') return new Error(`${this.who}: access key id ${this.config.accessKeyId ?? '(none)'} is not known to ${this.endpointText()}; check the access key id.`);
      if (code === 'SignatureDoesNotMatch') {
        return new Error(`${this.who}: the secret access key does not match key id ${this.config.accessKeyId ?? ''}; check it (${secretEnvName(this.config.name, 'secretAccessKey')} for the CLI).`);
      }
      if (code === 'AccessDenied' || status === 403) return new Error(`${this.who}: access denied to ${where}; the key needs s3:ListBucket and s3:GetObject.`);
      if (code === 'PermanentRedirect' || status === 301) return new Error(`${this.who}: ${where} is in another region; set the bucket's region.`);
      if (status === 404) return new Error(`${this.who}: ${where} not found (HTTP 404); check the bucket name and endpoint.`);
      return new Error(`${this.who}: ${code} (HTTP ${status ?? '?'}) from ${where}: ${err.message}`);
    }
    const e = err as { code?: string; message?: string; name?: string };
    if (e.name === 'AbortError') return new Error(`${this.who}: cancelled.`);
    if (e.code && /^(ECONNREFUSED|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ETIMEDOUT|ECONNRESET)$/.test(e.code)) {
      return new Error(`${this.who}: cannot reach ${this.endpointText()} (${e.code}); check the endpoint URL and the network.`);
    }
    return new Error(`${this.who}: ${e.message ?? String(err)}`);
  }
}

/** Decompressed bytes of a stream: gzip with node:zlib (multi-member too), zstd with fzstd. */
export async function* decompress(open: () => Promise<Readable>, compression: Compression): AsyncGenerator<Buffer> {
  const body = await open();
  if (compression === 'none') {
    for await (const c of body) yield Buffer.from(c as Uint8Array);
    return;
  }
  if (compression === 'gzip') {
    const gz = createGunzip();
    pipeline(body, gz, () => undefined);
    for await (const c of gz) yield c as Buffer;
    return;
  }
  const out: Buffer[] = [];
  const z = new Decompress((d) => out.push(Buffer.from(d)));
  try {
    for await (const c of body) {
      z.push(c as Uint8Array);
      while (out.length > 0) yield out.shift() as Buffer;
    }
    z.push(new Uint8Array(0), true);
    while (out.length > 0) yield out.shift() as Buffer;
  } finally {
    body.destroy();
  }
}

/**
 * The SDK's 8-line notice that its future versions will need Node 22 would print on every S3 command
 * (the CLI is one process per command). It is emitted while a client is built, so the SDK's documented
 * switch is set for that moment only: child processes never inherit it, and a user's own setting wins.
 */
function withoutNodeVersionWarning<T>(build: () => T): T {
  const name = 'AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED';
  const own = process.env[name];
  process.env[name] ??= 'true';
  try {
    return build();
  } finally {
    if (own === undefined) delete process.env[name];
  }
}
