/**
 * REST source: GET JSON endpoints, one object per endpoint. Pages are fetched
 * one at a time (page number, offset, cursor field or Link header), with a
 * request rate limit and retries with exponential backoff on 429/5xx
 * (honouring Retry-After). Bodies are parsed as they arrive (http-body.ts), so
 * memory stays flat whatever the size. Records keep their JSON text exact:
 * nested objects flatten to dotted columns, arrays stay JSON text.
 *
 * The token goes only to baseUrl's origin and the origins the source trusts:
 * redirects are followed by hand (fetch would pass a custom auth header to any
 * host), never from https to http. Every request has a deadline (headers and
 * body), an idle-read limit, and each object a total time budget.
 */
import { RecordsParser, RecordTooLarge, type BodyRecord } from './http-body';
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
  maxRetries?: number;
  /** First backoff delay; doubles per retry. */
  baseDelayMs?: number;
  /** Upper bound of any single wait, Retry-After included. */
  maxDelayMs?: number;
  /** Safety stop for pagination that never ends. */
  maxPages?: number;
}

const DEFAULTS: Required<HttpTuning> = { maxRetries: 5, baseDelayMs: 500, maxDelayMs: 60_000, maxPages: 100_000 };

/** Default time limits in seconds; a source overrides each (requestTimeoutSeconds, ...). */
const HTTP_TIME_LIMITS = { requestTimeoutSeconds: 300, idleTimeoutSeconds: 30, objectTimeoutSeconds: 1800 };

/** Redirects followed per request; more is taken for a loop. */
export const MAX_REDIRECTS = 5;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/** Records the Test button reads from the first page: enough to prove the shape, never a whole large body. */
const TEST_RECORDS = 1000;

export class HttpError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

/** A 2xx response whose body is still to be read, under its request's time limits. */
interface Fetched {
  /** The URL asked for (pagination edits its query); `finalUrl` after redirects resolves relative links. */
  url: string;
  finalUrl: string;
  res: Response;
  exchange: Exchange;
}

/** What one page told about the next. */
interface PageEnd {
  url: string;
  finalUrl: string;
  records: number;
  cursor?: string;
  link?: string;
}

/** The end of an object's time budget. */
interface Budget {
  endpoint: string;
  endsAt: number;
  seconds: number;
}

export class HttpSource implements Source {
  private readonly tuning: Required<HttpTuning>;
  private nextRequestAt = 0;
  private token?: Promise<string | undefined>;

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
      const url = this.firstUrl(ep);
      const first = await this.get(url, this.budget(ep), signal);
      let n = 0;
      for await (const batch of this.bodyRecords(first, new RecordsParser(ep.recordsPath ?? ''))) {
        n += batch.length;
        if (n >= TEST_RECORDS) break;
      }
      const count = n >= TEST_RECORDS ? `${TEST_RECORDS}+` : String(n);
      return { ok: true, message: `GET ${url} answered with ${count} record(s) on the first page; ${this.config.endpoints.length} endpoint(s).` };
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
    const budget = this.budget(ep);
    // The first response is awaited now so that a wrong URL or token fails before any load starts.
    const first = await this.get(this.firstUrl(ep), budget, options.signal);
    // Columns come with each record: they are known only as the body streams in.
    return { kind: 'stream', columns: [], records: this.records(ep, first, budget, options.signal) };
  }

  /**
   * All records of all pages, each with its own columns, as the JSON file reader gives them (the loader
   * matches columns by name and keeps the last of a repeated key).
   */
  private async *records(ep: HttpEndpoint, first: Fetched, budget: Budget, signal?: AbortSignal): AsyncGenerator<StreamRecord> {
    let fetched = first;
    let seen = 0;
    for (let pages = 1; ; pages++) {
      const parser = new RecordsParser(ep.recordsPath ?? '', ep.pagination?.kind === 'cursor' ? ep.pagination.cursorPath : undefined);
      let n = 0;
      for await (const batch of this.bodyRecords(fetched, parser)) {
        for (const r of batch) yield { ok: true, columns: r.keys, values: r.values, nulls: r.nulls };
        n += batch.length;
      }
      seen += n;
      const next = this.nextUrl(ep, { url: fetched.url, finalUrl: fetched.finalUrl, records: n, cursor: parser.captured, link: nextLink(fetched.res.headers.get('link')) }, seen);
      if (!next) return;
      if (pages >= this.tuning.maxPages) throw new Error(`REST source ${this.config.name}: ${ep.name} has more than ${this.tuning.maxPages} pages; stopped.`);
      fetched = await this.get(next, budget, signal);
    }
  }

  /** The body's records, a batch per chunk received, under the request's deadline and idle limit. */
  private async *bodyRecords(f: Fetched, parser: RecordsParser): AsyncGenerator<BodyRecord[]> {
    const reader = f.res.body?.getReader();
    try {
      for (;;) {
        const chunk = reader ? await f.exchange.wait(() => reader.read()) : { done: true as const };
        if (chunk.done) break;
        yield this.parse(f.url, () => parser.push(chunk.value));
      }
      yield this.parse(f.url, () => parser.end());
    } finally {
      f.exchange.close();
      // An abandoned body (error, Test stopping early) must not keep the connection busy.
      await reader?.cancel().catch(() => undefined);
    }
    if (!parser.found) {
      throw new Error(`REST source ${this.config.name}: records path "${parser.recordsPath}" is not an array in the response of ${f.url}.`);
    }
  }

  private parse(url: string, step: () => BodyRecord[]): BodyRecord[] {
    try {
      return step();
    } catch (err) {
      if (err instanceof RecordTooLarge) throw new Error(`REST source ${this.config.name}: ${url}: ${err.message}.`, { cause: err });
      throw new Error(`REST source ${this.config.name}: ${url} did not return JSON (${err instanceof Error ? err.message : String(err)}).`, { cause: err });
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
  private nextUrl(ep: HttpEndpoint, page: PageEnd, seen: number): string | undefined {
    const p = ep.pagination ?? { kind: 'none' };
    const url = new URL(page.url);
    switch (p.kind) {
      case 'none':
        return undefined;
      case 'page': {
        if (page.records === 0 || (p.size !== undefined && page.records < p.size)) return undefined;
        url.searchParams.set(p.param, String(Number(url.searchParams.get(p.param) ?? p.start ?? 1) + 1));
        return url.toString();
      }
      case 'offset': {
        if (page.records < p.limit) return undefined;
        url.searchParams.set(p.param, String(seen));
        return url.toString();
      }
      case 'cursor': {
        if (page.cursor === undefined || page.cursor === '' || page.records === 0) return undefined;
        url.searchParams.set(p.param, page.cursor);
        return url.toString();
      }
      case 'link':
        return page.link ? new URL(page.link, page.finalUrl).toString() : undefined;
    }
  }

  private budget(ep: HttpEndpoint): Budget {
    const seconds = this.config.objectTimeoutSeconds ?? HTTP_TIME_LIMITS.objectTimeoutSeconds;
    return { endpoint: ep.name, seconds, endsAt: Date.now() + seconds * 1000 };
  }

  /** GET with rate limit, time limits, redirects and retries; resolves only with a 2xx response. */
  private async get(url: string, budget: Budget, signal?: AbortSignal): Promise<Fetched> {
    for (let attempt = 0; ; attempt++) {
      // The token first: the request starts right at its rate-limit slot.
      await this.secretToken();
      await this.throttle(signal);
      const exchange = this.exchange(url, budget);
      let res: Response | undefined;
      let failure: string;
      try {
        const followed = await this.follow(url, exchange, signal);
        res = followed.res;
        if (res.ok) return { url, finalUrl: followed.url, res, exchange };
        failure = `HTTP ${res.status} ${res.statusText}`.trim();
        await res.body?.cancel();
      } catch (err) {
        signal?.throwIfAborted();
        // Time limits and refused redirects are final: retrying a limit would multiply the wait the user set.
        if (err instanceof HttpError) throw err;
        failure = describeFetchError(err);
      } finally {
        if (!res?.ok) exchange.close();
      }
      const status = res?.status;
      const retryable = status === undefined || status === 429 || status >= 500;
      if (!retryable || attempt >= this.tuning.maxRetries) throw this.failure(url, failure, status, attempt);
      const wait = Math.min(this.backoff(attempt, res?.headers.get('retry-after') ?? null), Math.max(0, budget.endsAt - Date.now()));
      await sleep(wait, signal);
    }
  }

  /** The time limits of one request: its deadline is the object's budget when that ends first. */
  private exchange(url: string, budget: Budget): Exchange {
    const who = `REST source ${this.config.name}: ${url}`;
    const requestS = this.config.requestTimeoutSeconds ?? HTTP_TIME_LIMITS.requestTimeoutSeconds;
    const idleS = this.config.idleTimeoutSeconds ?? HTTP_TIME_LIMITS.idleTimeoutSeconds;
    const left = budget.endsAt - Date.now();
    const overBudget = `REST source ${this.config.name}: ${budget.endpoint} took more than ${budget.seconds} s in all, stopped at ${url} (object time budget; set objectTimeoutSeconds)`;
    const deadline =
      left < requestS * 1000
        ? { ms: left, message: overBudget }
        : { ms: requestS * 1000, message: `${who} did not finish within ${requestS} s (request timeout; set requestTimeoutSeconds)` };
    return new Exchange(deadline, { ms: idleS * 1000, message: `${who} sent no data for ${idleS} s (idle timeout; set idleTimeoutSeconds)` });
  }

  /** Fetches `url`, following redirects by hand so that credentials never reach an origin the source does not trust. */
  private async follow(url: string, exchange: Exchange, signal?: AbortSignal): Promise<{ res: Response; url: string }> {
    const visited = new Set([url]);
    let current = url;
    for (let hops = 0; ; hops++) {
      const headers = await this.headers(current);
      const res = await exchange.wait(() => fetch(current, { headers, redirect: 'manual', signal: exchange.signal(signal) }));
      if (!REDIRECT_STATUSES.has(res.status)) return { res, url: current };
      await res.body?.cancel();
      const hop = redirectTarget(current, res.status, res.headers.get('location'), hops, visited);
      if ('problem' in hop) throw new HttpError(`REST source ${this.config.name}: ${hop.problem}`, res.status);
      visited.add(hop.url);
      current = hop.url;
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

  /** The token from secret storage, read once per source. */
  private secretToken(): Promise<string | undefined> {
    this.token ??= this.deps.secrets.get(this.config.name, 'token');
    return this.token;
  }

  /** Request headers for `url`: the token only when its origin is trusted. */
  private async headers(url: string): Promise<Record<string, string>> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (!tokenMayGoTo(url, this.config)) return headers;
    const token = await this.secretToken();
    if (token === undefined || token === '') return headers;
    const name = this.config.authHeader ?? 'Authorization';
    const scheme = this.config.authScheme ?? (name.toLowerCase() === 'authorization' ? 'Bearer' : '');
    headers[name] = scheme ? `${scheme} ${token}` : token;
    return headers;
  }
}

/** A time limit and the one-line error that ends the request when it passes. */
interface Limit {
  ms: number;
  message: string;
}

/**
 * The time limits of one request, redirects and body included: a deadline
 * from the start, and an idle limit that runs only while this side waits for
 * the server (time the loader spends inserting is not the server's silence).
 */
class Exchange {
  private readonly controller = new AbortController();
  private readonly deadline: NodeJS.Timeout;

  constructor(
    deadline: Limit,
    private readonly idle: Limit,
  ) {
    this.deadline = setTimeout(() => this.abort(deadline), Math.max(0, deadline.ms));
    this.deadline.unref();
  }

  /** The request's signal, joined with the caller's cancel signal. */
  signal(cancel?: AbortSignal): AbortSignal {
    return cancel ? AbortSignal.any([cancel, this.controller.signal]) : this.controller.signal;
  }

  /** Awaits `step` (headers, a body chunk) under the idle limit; a passed limit rejects with its own error. */
  async wait<T>(step: () => Promise<T>): Promise<T> {
    this.controller.signal.throwIfAborted();
    const timer = setTimeout(() => this.abort(this.idle), this.idle.ms);
    timer.unref();
    try {
      return await step();
    } catch (err) {
      this.controller.signal.throwIfAborted();
      throw err;
    } finally {
      clearTimeout(timer);
    }
  }

  close(): void {
    clearTimeout(this.deadline);
  }

  private abort(limit: Limit): void {
    if (!this.controller.signal.aborted) this.controller.abort(new HttpError(`${limit.message}.`));
  }
}

/** The origin of a URL, or undefined for text that is not one. */
function originOf(url: string): string | undefined {
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
}

/** Whether a request to `url` may carry the token: baseUrl's origin and the trusted origins only. */
export function tokenMayGoTo(url: string, config: Pick<HttpSourceConfig, 'baseUrl' | 'trustedOrigins'>): boolean {
  const origin = originOf(url);
  if (origin === undefined) return false;
  return [config.baseUrl, ...(config.trustedOrigins ?? [])].some((u) => originOf(u) === origin);
}

/**
 * Where a redirect leads, or why it is not followed: no Location, more than
 * MAX_REDIRECTS hops or a URL seen before (a loop), or https to http (the
 * token and the data would travel in clear).
 */
export function redirectTarget(from: string, status: number, location: string | null, hops: number, visited: Set<string>): { url: string } | { problem: string } {
  if (!location) return { problem: `${from} answered HTTP ${status} without a Location header.` };
  let to: URL;
  try {
    to = new URL(location, from);
  } catch {
    return { problem: `${from} redirects to an invalid URL (${location}).` };
  }
  const url = to.toString();
  if (new URL(from).protocol === 'https:' && to.protocol === 'http:') return { problem: `${from} redirects from https to http (${url}); refused, the request would travel unencrypted.` };
  if (visited.has(url)) return { problem: `${from} redirects back to ${url} (redirect loop); stopped.` };
  if (hops >= MAX_REDIRECTS) return { problem: `${from} redirects again after ${MAX_REDIRECTS} redirects (redirect loop?); stopped.` };
  return { url };
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

function describeFetchError(err: unknown): string {
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
