/**
 * REST source: GET JSON endpoints, one object per endpoint. Pages are fetched
 * one at a time (page number, offset, cursor field or Link header), with a
 * request rate limit, retries with exponential backoff on 429/5xx (honouring
 * Retry-After) and a timeout per request. Records keep their JSON text exact:
 * nested objects flatten to dotted columns, arrays stay JSON text.
 */
import { JsonSplitter, flattenJson, type FlatRecord } from '../formats/json';
import {
  secretEnvName,
  type HttpEndpoint,
  type HttpSourceConfig,
  type NativeRead,
  type ReadOptions,
  type Source,
  type SourceDeps,
  type SourceObject,
  type StreamRead,
  type StreamRecord,
  type TestResult,
} from './source';

/** Knobs with production defaults; tests shorten the waits. */
export interface HttpTuning {
  timeoutMs?: number;
  maxRetries?: number;
  /** First backoff delay; doubles per retry. */
  baseDelayMs?: number;
  /** Upper bound of any single wait, Retry-After included. */
  maxDelayMs?: number;
  /** Safety stop for pagination that never ends. */
  maxPages?: number;
}

const DEFAULTS: Required<HttpTuning> = { timeoutMs: 30_000, maxRetries: 5, baseDelayMs: 500, maxDelayMs: 60_000, maxPages: 100_000 };

/** One fetched page: its records (flattened) and what leads to the next page. */
interface Page {
  url: string;
  records: FlatRecord[];
  flat: FlatRecord;
  link?: string;
}

export class HttpError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export class HttpSource implements Source {
  private readonly tuning: Required<HttpTuning>;
  private nextRequestAt = 0;

  constructor(
    readonly config: HttpSourceConfig,
    private readonly deps: SourceDeps,
    tuning: HttpTuning = {},
  ) {
    this.tuning = { ...DEFAULTS, ...tuning };
  }

  async test(signal?: AbortSignal): Promise<TestResult> {
    const ep = this.config.endpoints[0];
    if (!ep) return { ok: false, message: `REST source ${this.config.name}: no endpoints configured.` };
    try {
      const page = await this.fetchPage(ep, this.firstUrl(ep), signal);
      return { ok: true, message: `GET ${page.url} answered with ${page.records.length} record(s) on the first page; ${this.config.endpoints.length} endpoint(s).` };
    } catch (err) {
      return { ok: false, message: err instanceof Error ? err.message : String(err) };
    }
  }

  async listObjects(): Promise<SourceObject[]> {
    // No cheap way to know whether an API's data changed: no version, so every acquire loads it.
    return this.config.endpoints.map((ep) => ({ name: ep.name, location: this.endpointUrl(ep).toString(), format: 'json' }));
  }

  async read(object: SourceObject, options: ReadOptions): Promise<NativeRead | StreamRead> {
    const ep = this.config.endpoints.find((e) => e.name === object.name);
    if (!ep) throw new Error(`REST source ${this.config.name}: no endpoint named ${object.name}`);
    // The first page is fetched now so that a wrong URL or token fails before any load starts.
    const first = await this.fetchPage(ep, this.firstUrl(ep), options.signal);
    const columns: string[] = [];
    for (const r of first.records) addKeys(columns, r);
    return { kind: 'stream', columns: [...columns], records: this.records(ep, first, columns, options.signal) };
  }

  /** All records of all pages; `union` grows in order of first appearance and each record carries it. */
  private async *records(ep: HttpEndpoint, first: Page, union: string[], signal?: AbortSignal): AsyncGenerator<StreamRecord> {
    let page: Page | undefined = first;
    let n = 0;
    let cols = [...union];
    for (let pages = 1; page; pages++) {
      for (const r of page.records) {
        if (addKeys(union, r)) cols = [...union];
        yield { ok: true, values: cols.map((k) => r.get(k) ?? ''), columns: cols };
      }
      n += page.records.length;
      const next = this.nextUrl(ep, page, n);
      if (!next) return;
      if (pages >= this.tuning.maxPages) throw new Error(`REST source ${this.config.name}: ${ep.name} has more than ${this.tuning.maxPages} pages; stopped.`);
      page = await this.fetchPage(ep, next, signal);
    }
  }

  private endpointUrl(ep: HttpEndpoint): URL {
    const base = this.config.baseUrl.replace(/\/+$/, '');
    const path = ep.path.replace(/^\/+/, '');
    return new URL(path ? `${base}/${path}` : base);
  }

  private firstUrl(ep: HttpEndpoint): string {
    const url = this.endpointUrl(ep);
    const p = ep.pagination ?? { kind: 'none' };
    if (p.kind === 'page') {
      url.searchParams.set(p.param, String(p.start ?? 1));
      if (p.sizeParam && p.size) url.searchParams.set(p.sizeParam, String(p.size));
    } else if (p.kind === 'offset') {
      url.searchParams.set(p.param, '0');
      url.searchParams.set(p.limitParam, String(p.limit));
    }
    return url.toString();
  }

  /** The URL of the page after `page`, or undefined at the end. `seen` = records so far. */
  private nextUrl(ep: HttpEndpoint, page: Page, seen: number): string | undefined {
    const p = ep.pagination ?? { kind: 'none' };
    const url = new URL(page.url);
    switch (p.kind) {
      case 'none':
        return undefined;
      case 'page': {
        if (page.records.length === 0 || (p.size !== undefined && page.records.length < p.size)) return undefined;
        url.searchParams.set(p.param, String(Number(url.searchParams.get(p.param) ?? p.start ?? 1) + 1));
        return url.toString();
      }
      case 'offset': {
        if (page.records.length < p.limit) return undefined;
        url.searchParams.set(p.param, String(seen));
        return url.toString();
      }
      case 'cursor': {
        const cursor = page.flat.get(p.cursorPath);
        if (cursor === undefined || cursor === '' || page.records.length === 0) return undefined;
        url.searchParams.set(p.param, cursor);
        return url.toString();
      }
      case 'link':
        return page.link ? new URL(page.link, page.url).toString() : undefined;
    }
  }

  private async fetchPage(ep: HttpEndpoint, url: string, signal?: AbortSignal): Promise<Page> {
    const res = await this.get(url, signal);
    const text = await res.text();
    let flat: FlatRecord;
    try {
      flat = flattenJson(text).record;
    } catch (err) {
      throw new Error(`REST source ${this.config.name}: ${url} did not return JSON (${err instanceof Error ? err.message : String(err)}).`, { cause: err });
    }
    const path = ep.recordsPath ?? '';
    const raw = flat.get(path === '' ? 'value' : path);
    if (raw === undefined || !raw.trimStart().startsWith('[')) {
      throw new Error(`REST source ${this.config.name}: records path "${path}" is not an array in the response of ${url}.`);
    }
    const splitter = new JsonSplitter('array');
    const records = [...splitter.push(raw), ...splitter.end()].map((c) => flattenJson(c.text).record);
    return { url, records, flat, link: nextLink(res.headers.get('link')) };
  }

  /** GET with rate limit, timeout and retries; resolves only with a 2xx response. */
  private async get(url: string, signal?: AbortSignal): Promise<Response> {
    const headers = await this.headers();
    for (let attempt = 0; ; attempt++) {
      await this.throttle(signal);
      let res: Response | undefined;
      let failure: string;
      try {
        const timeout = AbortSignal.timeout(this.tuning.timeoutMs);
        res = await fetch(url, { headers, signal: signal ? AbortSignal.any([signal, timeout]) : timeout });
        if (res.ok) return res;
        failure = `HTTP ${res.status} ${res.statusText}`.trim();
        await res.body?.cancel();
      } catch (err) {
        signal?.throwIfAborted();
        failure = describeFetchError(err, this.tuning.timeoutMs);
      }
      const status = res?.status;
      const retryable = status === undefined || status === 429 || status >= 500;
      if (!retryable || attempt >= this.tuning.maxRetries) throw this.failure(url, failure, status, attempt);
      await sleep(this.backoff(attempt, res?.headers.get('retry-after') ?? null), signal);
    }
  }

  private failure(url: string, failure: string, status: number | undefined, attempt: number): HttpError {
    const who = `REST source ${this.config.name}`;
    if (status === 401 || status === 403) {
      return new HttpError(`${who}: GET ${url} was refused (${failure}); check the token (${secretEnvName(this.config.name, 'token')} for the CLI).`, status);
    }
    if (status === 404) return new HttpError(`${who}: GET ${url} not found (HTTP 404); check baseUrl and the endpoint path.`, status);
    const tries = attempt > 0 ? ` after ${attempt + 1} attempts` : '';
    if (status === undefined) return new HttpError(`${who}: cannot reach ${url} (${failure})${tries}; check the URL and the network.`);
    return new HttpError(`${who}: GET ${url} failed (${failure})${tries}.`, status);
  }

  /** Retry-After (seconds or HTTP date) when the server gives it, else exponential backoff with jitter. */
  private backoff(attempt: number, retryAfter: string | null): number {
    let ms: number | undefined;
    if (retryAfter) {
      const secs = Number(retryAfter);
      ms = Number.isFinite(secs) ? secs * 1000 : Date.parse(retryAfter) - Date.now();
      if (!Number.isFinite(ms)) ms = undefined;
    }
    ms ??= this.tuning.baseDelayMs * 2 ** attempt * (0.5 + Math.random() / 2);
    return Math.min(Math.max(ms, 0), this.tuning.maxDelayMs);
  }

  /** At most `rateLimit` request starts per second. */
  private async throttle(signal?: AbortSignal): Promise<void> {
    const rate = this.config.rateLimit;
    if (!rate || rate <= 0) return;
    const now = Date.now();
    const at = Math.max(now, this.nextRequestAt);
    this.nextRequestAt = at + 1000 / rate;
    if (at > now) await sleep(at - now, signal);
  }

  private async headers(): Promise<Record<string, string>> {
    const headers: Record<string, string> = { accept: 'application/json' };
    const token = await this.deps.secrets.get(this.config.name, 'token');
    if (token === undefined || token === '') return headers;
    const name = this.config.authHeader ?? 'Authorization';
    const scheme = this.config.authScheme ?? (name.toLowerCase() === 'authorization' ? 'Bearer' : '');
    headers[name] = scheme ? `${scheme} ${token}` : token;
    return headers;
  }
}

/** Adds the record's keys missing from `union`; true when it grew. */
function addKeys(union: string[], r: FlatRecord): boolean {
  let grew = false;
  for (const k of r.keys()) {
    if (!union.includes(k)) {
      union.push(k);
      grew = true;
    }
  }
  return grew;
}

/** The rel="next" target of an RFC 8288 Link header. */
export function nextLink(header: string | null): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(/,(?=\s*<)/)) {
    const m = /^\s*<([^>]*)>(.*)$/.exec(part);
    if (m && /;\s*rel\s*=\s*"?([^";]*\s)?next(\s[^";]*)?"?\s*(;|$)/i.test(m[2])) return m[1];
  }
  return undefined;
}

function describeFetchError(err: unknown, timeoutMs: number): string {
  if (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError')) return `no answer within ${timeoutMs} ms`;
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  if (cause?.code) return cause.code;
  return err instanceof Error ? err.message : String(err);
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    signal?.throwIfAborted();
    const t = setTimeout(done, ms);
    function done(): void {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }
    function onAbort(): void {
      clearTimeout(t);
      reject(signal?.reason instanceof Error ? signal.reason : new Error('Cancelled'));
    }
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
