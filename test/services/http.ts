/**
 * A local REST server (node:http) for tests: routes are plain functions from
 * the request URL to a response, so a test can serve pagination variants,
 * 429s with Retry-After, 500s, auth checks and slow answers. Every request is
 * logged (path, query, headers, time) for assertions.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Reply {
  status?: number;
  headers?: Record<string, string>;
  /** An object is sent as JSON; a string as is. */
  body?: unknown;
  /** Wait this long before answering (timeouts). */
  delayMs?: number;
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
      const body = typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body ?? null);
      res.writeHead(reply.status ?? 200, { 'content-type': 'application/json', ...reply.headers });
      res.end(body);
    };
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
