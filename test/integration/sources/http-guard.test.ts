/**
 * HttpSource's guards against a real local HTTP server: the token never
 * crosses to another origin (two servers on two loopback ports are two
 * origins) unless trusted, redirect loops stop, and every time limit ends a
 * stuck request within its setting, naming the URL and the setting.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { HttpSource, MAX_REDIRECTS, type HttpTuning } from '../../../src/core/sources/http';
import type { HttpEndpoint, HttpSourceConfig, StreamRead } from '../../../src/core/sources/source';
import { startHttp, type HttpService } from '../../services/http';
import { MapSecrets, readRows } from './helpers';

const FAST: HttpTuning = { baseDelayMs: 5, maxRetries: 3 };
const secrets = new MapSecrets({ 'api/token': 's3cret' });

/** A body that starts and then sends one space every 50 ms, forever. */
async function* trickle(): AsyncGenerator<string> {
  yield '[';
  for (;;) {
    await sleep(50);
    yield ' ';
  }
}

/** A body that sends one record and then nothing more. */
async function* stalls(): AsyncGenerator<string> {
  yield '[{"id": 1},';
  await new Promise(() => undefined);
}

describe('HttpSource guards', () => {
  let api: HttpService;
  let other: HttpService;
  const source = (over: Partial<HttpSourceConfig> = {}): HttpSource =>
    new HttpSource({ kind: 'http', name: 'api', baseUrl: `${api.url}/v1`, authHeader: 'X-Api-Key', endpoints: [], ...over }, { root: '.', secrets }, FAST);
  const readAll = async (ep: HttpEndpoint, over: Partial<HttpSourceConfig> = {}) =>
    readRows((await source({ endpoints: [ep], ...over }).read({ name: ep.name, location: '' }, { warehouseCanReach: false })) as StreamRead);
  const keysSeenBy = (srv: HttpService, since: number) => srv.requests.slice(since).map((r) => r.headers['x-api-key'] ?? '-');

  before(async () => {
    other = await startHttp({
      '/data': () => ({ body: [{ id: 'other' }] }),
      '/back': () => ({ status: 302, headers: { location: `${api.url}/v1/data` } }),
    });
    api = await startHttp({
      '/v1/data': () => ({ body: [{ id: 'api' }] }),
      '/v1/same': () => ({ status: 302, headers: { location: '/v1/data' } }),
      '/v1/away': () => ({ status: 307, headers: { location: `${other.url}/data` } }),
      '/v1/roundtrip': () => ({ status: 302, headers: { location: `${other.url}/back` } }),
      '/v1/linked': () => ({ headers: { link: `<${other.url}/data>; rel="next"` }, body: [{ id: 'api' }] }),
      '/v1/hops': (u) => ({ status: 302, headers: { location: `/v1/hops?n=${Number(u.searchParams.get('n') ?? 0) + 1}` } }),
      '/v1/cycle': () => ({ status: 301, headers: { location: '/v1/cycle2' } }),
      '/v1/cycle2': () => ({ status: 301, headers: { location: '/v1/cycle' } }),
      '/v1/trickle': () => ({ stream: trickle }),
      '/v1/silent': () => ({ silent: true }),
      '/v1/stalls': () => ({ stream: stalls }),
      '/v1/pages': (u) => {
        const p = Number(u.searchParams.get('p') ?? '1');
        return { delayMs: 150, headers: { link: `</v1/pages?p=${p + 1}>; rel="next"` }, body: [{ p }] };
      },
    });
  });

  after(async () => {
    await api?.stop();
    await other?.stop();
  });

  it('keeps the token on a same-origin redirect', async () => {
    const at = api.requests.length;
    assert.deepEqual((await readAll({ name: 'same', path: 'same' })).values, [['api']]);
    assert.deepEqual(keysSeenBy(api, at), ['s3cret', 's3cret']);
  });

  it('sends no token to another origin: redirects, a redirect back, next-page links', async () => {
    const [a, o] = [api.requests.length, other.requests.length];
    assert.deepEqual((await readAll({ name: 'away', path: 'away' })).values, [['other']]);
    assert.deepEqual((await readAll({ name: 'back', path: 'roundtrip' })).values, [['api']]);
    assert.deepEqual((await readAll({ name: 'linked', path: 'linked', pagination: { kind: 'link' } })).values, [['api'], ['other']]);
    assert.deepEqual(keysSeenBy(other, o), ['-', '-', '-']);
    // Back on the source's own origin, the token is sent again.
    assert.deepEqual(keysSeenBy(api, a), ['s3cret', 's3cret', 's3cret', 's3cret']);
  });

  it('sends the token to a trusted origin', async () => {
    const o = other.requests.length;
    await readAll({ name: 'away', path: 'away' }, { trustedOrigins: [`${other.url}/`] });
    assert.deepEqual(keysSeenBy(other, o), ['s3cret']);
  });

  it(`stops a redirect chain after ${MAX_REDIRECTS} hops and a cycle at once, without retrying`, async () => {
    let at = api.requests.length;
    await assert.rejects(readAll({ name: 'hops', path: 'hops' }), /^HttpError: REST source api: http:\S+\/v1\/hops\?n=5 redirects again after 5 redirects \(redirect loop\?\); stopped\.$/m);
    assert.equal(api.requests.length - at, MAX_REDIRECTS + 1);
    at = api.requests.length;
    await assert.rejects(readAll({ name: 'cycle', path: 'cycle' }), /cycle2 redirects back to http:\S+\/v1\/cycle \(redirect loop\)/);
    assert.equal(api.requests.length - at, 2);
  });

  it('ends a trickling body at the request deadline', async () => {
    const t0 = Date.now();
    await assert.rejects(
      readAll({ name: 't', path: 'trickle' }, { requestTimeoutSeconds: 0.6, idleTimeoutSeconds: 0.3 }),
      /^HttpError: REST source api: http:\S+\/v1\/trickle did not finish within 0\.6 s \(request timeout; set requestTimeoutSeconds\)\.$/m,
    );
    assert.ok(Date.now() - t0 < 3000, `took ${Date.now() - t0} ms`);
  });

  it('ends a server that never answers at the idle limit, once (no retry)', async () => {
    const at = api.requests.length;
    const t0 = Date.now();
    await assert.rejects(
      readAll({ name: 's', path: 'silent' }, { idleTimeoutSeconds: 0.3 }),
      /^HttpError: REST source api: http:\S+\/v1\/silent sent no data for 0\.3 s \(idle timeout; set idleTimeoutSeconds\)\.$/m,
    );
    assert.ok(Date.now() - t0 < 3000, `took ${Date.now() - t0} ms`);
    assert.equal(api.requests.length - at, 1);
  });

  it('ends a body that stops midway at the idle limit, after its first records', async () => {
    const read = (await source({ endpoints: [{ name: 's', path: 'stalls' }], idleTimeoutSeconds: 0.3 }).read({ name: 's', location: '' }, { warehouseCanReach: false })) as StreamRead;
    const got: string[][] = [];
    await assert.rejects(
      (async () => {
        for await (const r of read.records) if (r.ok) got.push(r.values);
      })(),
      /\/v1\/stalls sent no data for 0\.3 s \(idle timeout; set idleTimeoutSeconds\)/,
    );
    assert.deepEqual(got, [['1']]);
  });

  it("stops an endpoint's pages at the object's time budget", async () => {
    const t0 = Date.now();
    await assert.rejects(
      readAll({ name: 'pages', path: 'pages', pagination: { kind: 'link' } }, { objectTimeoutSeconds: 0.5 }),
      /^HttpError: REST source api: pages took more than 0\.5 s in all, stopped at http:\S+\/v1\/pages\?p=\d \(object time budget; set objectTimeoutSeconds\)\.$/m,
    );
    assert.ok(Date.now() - t0 < 3000, `took ${Date.now() - t0} ms`);
  });
});
