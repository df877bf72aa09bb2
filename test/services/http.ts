/**
 * A local REST server (node:http) for tests: routes are plain functions from
 * the request URL to a response, so a test can serve pagination variants,
 * 429s with Retry-After, 500s, auth checks, redirects, slow answers, bodies
 * generated on the fly (sent as the client reads them) and servers that never
 * answer. Every request is logged (path, query, headers, time) for assertions.
 */
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type ServerResponse, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Reply {
  status?: number;
  headers?: Record<string, string>;
  /** An object is sent as JSON; a string as is. */
  body?: unknown;
  /** Wait this long before answering (timeouts). */
  delayMs?: number;
  /** A body produced piece by piece, each written when the client has taken the previous ones (huge or trickling bodies). */
  stream?: () => AsyncIterable<string | Buffer>;
  /** Never answer, not even the headers. */
  silent?: boolean;
}

export interface LoggedRequest {
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  at: number;
}

export type Route = (url: URL, req: LoggedRequest, count: number) => Reply;

export interface HttpService {
  url: string;
  requests: LoggedRequest[];
  stop(): Promise<void>;
}

export async function startHttp(routes: Record<string, Route>): Promise<HttpService> {
  const requests: LoggedRequest[] = [];
  const counts = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const logged = { path: url.pathname, query: url.searchParams, headers: req.headers, at: Date.now() };
    requests.push(logged);
    const count = (counts.get(url.pathname) ?? 0) + 1;
    counts.set(url.pathname, count);
    const route = routes[url.pathname];
    const reply: Reply = route ? route(url, logged, count) : { status: 404, body: { error: 'not found' } };
    const send = (): void => {
      res.writeHead(reply.status ?? 200, { 'content-type': 'application/json', ...reply.headers });
      if (reply.stream) void writeStream(res, reply.stream());
      else res.end(typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body ?? null));
    };
    if (reply.silent) return;
    if (reply.delayMs) setTimeout(send, reply.delayMs).unref();
    else send();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Writes the pieces as the client reads them (backpressure), stopping when it goes away. */
async function writeStream(res: ServerResponse, pieces: AsyncIterable<string | Buffer>): Promise<void> {
  try {
    for await (const piece of pieces) {
      if (res.destroyed) return;
      if (!res.write(piece)) await drainedOrClosed(res);
    }
    res.end();
  } catch {
    res.destroy();
  }
}

async function drainedOrClosed(res: ServerResponse): Promise<void> {
  // The listener that loses the race is removed, or every wait would leave one behind.
  const stop = new AbortController();
  try {
    await Promise.race([once(res, 'drain', { signal: stop.signal }), once(res, 'close', { signal: stop.signal })]);
  } finally {
    stop.abort();
  }
}
