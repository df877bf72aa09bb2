/** HttpSource against a real local HTTP server: pagination variants, retries, auth, redirects, rate limit, time limits. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { HttpSource, nextLink, type HttpTuning } from '../../../src/core/sources/http';
import type { HttpEndpoint, HttpSourceConfig, StreamRead } from '../../../src/core/sources/source';
import { startHttp, type HttpService } from '../../services/http';
import { freePort } from '../../services/common';
import { MapSecrets, readRows } from './helpers';

const ITEMS = Array.from({ length: 23 }, (_, i) => ({ id: i + 1, name: `item ${i + 1}` }));
const FAST: HttpTuning = { baseDelayMs: 5, maxRetries: 3 };

function slice(from: number, n: number): unknown[] {
  return ITEMS.slice(from, from + n);
}

describe('HttpSource', () => {
  let srv: HttpService;
  const secrets = new MapSecrets({ 'api/token': 's3cret' });
  const source = (endpoints: HttpEndpoint[], over: Partial<HttpSourceConfig> = {}, tuning: HttpTuning = FAST): HttpSource =>
    new HttpSource({ kind: 'http', name: 'api', baseUrl: `${srv.url}/v1/`, endpoints, ...over }, { root: process.cwd(), secrets }, tuning);
  const readAll = async (ep: HttpEndpoint, over: Partial<HttpSourceConfig> = {}, tuning: HttpTuning = FAST) =>
    readRows((await source([ep], over, tuning).read({ name: ep.name, location: '' }, { warehouseCanReach: false })) as StreamRead);

  before(async () => {
    srv = await startHttp({
      '/v1/paged': (u) => {
        const page = Number(u.searchParams.get('page'));
        const size = Number(u.searchParams.get('per_page'));
        return { body: { data: { items: slice((page - 1) * size, size) } } };
      },
      '/v1/offset': (u) => ({ body: slice(Number(u.searchParams.get('offset')), Number(u.searchParams.get('limit'))) }),
      '/v1/cursor': (u) => {
        const at = Number(u.searchParams.get('after') ?? '0');
        const next = at + 10 < ITEMS.length ? String(at + 10) : null;
        return { body: { results: slice(at, 10), meta: { next } } };
      },
      '/v1/link': (u) => {
        const p = Number(u.searchParams.get('p') ?? '1');
        const last = Math.ceil(ITEMS.length / 5);
        const link = p < last ? `<${srv.url}/v1/link?p=${p + 1}>; rel="next", <${srv.url}/v1/link?p=${last}>; rel="last"` : `<${srv.url}/v1/link?p=1>; rel="first"`;
        return { headers: { link }, body: slice((p - 1) * 5, 5) };
      },
      '/v1/flaky': (_u, _r, count) => {
        if (count === 1) return { status: 429, headers: { 'retry-after': '1' }, body: { error: 'slow down' } };
        if (count === 2) return { status: 503, body: 'oops' };
        return { body: [{ id: 1 }] };
      },
      '/v1/broken': () => ({ status: 500, body: 'always broken' }),
      '/v1/secure': (_u, r) => (r.headers.authorization === 'Bearer s3cret' ? { body: [{ ok: true }] } : { status: 401, body: { error: 'no' } }),
      '/v1/apikey': (_u, r) => (r.headers['x-api-key'] === 's3cret' ? { body: [{ ok: true }] } : { status: 403, body: {} }),
      // A literal body: JSON.stringify would already turn 1.50 into 1.5.
      '/v1/nested': () => ({
        body: '[{"id": 1, "price": 1.50, "big": 12345678901234567890, "who": {"name": "Ann", "addr": {"city": "Oslo"}}, "tags": ["a", "b"], "note": null},\n {"id": 2, "extra": "new col", "who": {"name": "Bo"}}]',
      }),
      '/v1/slow': () => ({ body: [], delayMs: 1500 }),
      '/v1/html': () => ({ body: '<html>hi</html>' }),
      '/v1/shape': () => ({ body: { data: 5 } }),
    });
  });

  after(async () => {
    await srv?.stop();
  });

  it('page pagination with a dotted records path reads every page', async () => {
    const r = await readAll({ name: 'paged', path: 'paged', recordsPath: 'data.items', pagination: { kind: 'page', param: 'page', sizeParam: 'per_page', size: 10 } });
    assert.deepEqual(r.columns, ['id', 'name']);
    assert.equal(r.values.length, 23);
    assert.deepEqual(r.values[22], ['23', 'item 23']);
  });

  it('offset pagination stops at the first short page', async () => {
    const before = srv.requests.length;
    const r = await readAll({ name: 'off', path: 'offset', pagination: { kind: 'offset', param: 'offset', limitParam: 'limit', limit: 7 } });
    assert.deepEqual(r.values.map((v) => v[0]), ITEMS.map((i) => String(i.id)));
    assert.equal(srv.requests.length - before, 4);
  });

  it('cursor pagination follows the cursor field until it is null', async () => {
    const r = await readAll({ name: 'cur', path: 'cursor', recordsPath: 'results', pagination: { kind: 'cursor', param: 'after', cursorPath: 'meta.next' } });
    assert.equal(r.values.length, 23);
  });

  it('Link header pagination follows rel="next"', async () => {
    const r = await readAll({ name: 'lnk', path: 'link', pagination: { kind: 'link' } });
    assert.equal(r.values.length, 23);
    assert.equal(nextLink('<https://x/a?p=2>; rel="prev", <https://x/a?p=4>; rel="next"'), 'https://x/a?p=4');
    assert.equal(nextLink('<https://x/a?p=1>; rel="first"'), undefined);
  });

  it('retries 429 (waiting Retry-After) and 503, then succeeds', async () => {
    const before = srv.requests.length;
    const r = await readAll({ name: 'flaky', path: 'flaky' });
    assert.deepEqual(r.values, [['1']]);
    const reqs = srv.requests.slice(before);
    assert.equal(reqs.length, 3);
    assert.ok(reqs[1].at - reqs[0].at >= 950, `waited ${reqs[1].at - reqs[0].at} ms for Retry-After: 1`);
  });

  it('gives up after the retries with a clear error', async () => {
    await assert.rejects(readAll({ name: 'broken', path: 'broken' }), /REST source api: GET .*\/v1\/broken failed \(HTTP 500 Internal Server Error\) after 4 attempts/);
  });

  it('sends the token from secrets; 401/403 name the token variable', async () => {
    assert.equal((await readAll({ name: 's', path: 'secure' })).values.length, 1);
    assert.equal((await readAll({ name: 'k', path: 'apikey' }, { authHeader: 'X-API-Key' })).values.length, 1);
    const noToken = new HttpSource(
      { kind: 'http', name: 'api', baseUrl: `${srv.url}/v1`, endpoints: [{ name: 's', path: 'secure' }] },
      { root: '.', secrets: new MapSecrets({}) },
      FAST,
    );
    const t = await noToken.test();
    assert.equal(t.ok, false);
    assert.match(t.message, /refused \(HTTP 401 Unauthorized\); check the token \(KIMBALL_API_TOKEN/);
  });

  it('flattens nested objects to dotted columns, keeps arrays as compact JSON and numbers as written, NULL as empty', async () => {
    const read = (await source([{ name: 'n', path: 'nested' }]).read({ name: 'n', location: '' }, { warehouseCanReach: false })) as StreamRead;
    const rows: { columns: string[]; values: string[]; nulls?: number }[] = [];
    for await (const r of read.records) {
      assert.ok(r.ok && r.columns);
      rows.push({ columns: r.columns, values: r.values, nulls: r.nulls });
    }
    // Each record names its own columns, as the JSON file reader's do: the body streams, so later columns are unknown yet.
    assert.deepEqual(rows, [
      { columns: ['id', 'price', 'big', 'who.name', 'who.addr.city', 'tags', 'note'], values: ['1', '1.50', '12345678901234567890', 'Ann', 'Oslo', '["a","b"]', ''], nulls: 1 },
      { columns: ['id', 'extra', 'who.name'], values: ['2', 'new col', 'Bo'], nulls: 0 },
    ]);
  });

  it('rate limit spaces requests out', async () => {
    const before = srv.requests.length;
    await readAll({ name: 'lnk', path: 'link', pagination: { kind: 'link' } }, { rateLimit: 20 });
    const reqs = srv.requests.slice(before);
    assert.equal(reqs.length, 5);
    assert.ok(reqs[4].at - reqs[0].at >= 4 * 50 - 10, `5 requests at 20/s took ${reqs[4].at - reqs[0].at} ms`);
  });

  it('times out, and reports unreachable hosts, non-JSON bodies and a wrong records path', async () => {
    await assert.rejects(readAll({ name: 'slow', path: 'slow' }, { requestTimeoutSeconds: 0.2 }), /REST source api: http:\S+\/v1\/slow did not finish within 0\.2 s \(request timeout; set requestTimeoutSeconds\)\.$/);
    const port = await freePort();
    const down = await new HttpSource({ kind: 'http', name: 'api', baseUrl: `http://127.0.0.1:${port}`, endpoints: [{ name: 'x', path: 'x' }] }, { root: '.', secrets }, { ...FAST, maxRetries: 1 }).test();
    assert.equal(down.ok, false);
    assert.match(down.message, /cannot reach http:\/\/127\.0\.0\.1:\d+\/x \(ECONNREFUSED\) after 2 attempts/);
    await assert.rejects(readAll({ name: 'h', path: 'html' }), /did not return JSON/);
    await assert.rejects(readAll({ name: 's', path: 'shape', recordsPath: 'data' }), /records path "data" is not an array/);
    await assert.rejects(readAll({ name: 'nf', path: 'nothing-here' }), /not found \(HTTP 404\)/);
  });

  it('lists one object per endpoint and test() reports the first page', async () => {
    const s = source([{ name: 'lnk', path: 'link', pagination: { kind: 'link' } }, { name: 'n', path: 'nested' }]);
    assert.deepEqual((await s.listObjects()).map((o) => [o.name, o.location]), [['lnk', `${srv.url}/v1/link`], ['n', `${srv.url}/v1/nested`]]);
    const t = await s.test();
    assert.equal(t.ok, true, t.message);
    assert.match(t.message, /5 record\(s\) on the first page/);
  });
});
