/**
 * A REST body far larger than any batch streams through in flat memory: the
 * local server generates a ~300 MB JSON envelope on the fly (never stored),
 * HttpSource reads every record, and the process's peak RSS growth stays
 * bounded. The cursor sits after the records array, so it is captured while
 * streaming and the second page still follows.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { HttpSource } from '../../../src/core/sources/http';
import type { StreamRead } from '../../../src/core/sources/source';
import { startHttp, type HttpService } from '../../services/http';
import { MapSecrets } from './helpers';

const TARGET_BYTES = Number(process.env.KIMBALL_HTTP_MEMORY_BYTES ?? 300e6);
const MAX_GROWTH_MB = 300;

// About 1 KB a record, most of it a description: a realistic API record, and few enough records that the
// test measures memory rather than per-record overhead on a loaded machine.
const TEXT = 'lorem ipsum dolor sit amet, '.repeat(35);
const record = (i: number) => `{"id":${i},"name":"item ${i}","price":1.50,"who":{"name":"Ann","addr":{"city":"Oslo"}},"tags":["a","b"],"note":null,"text":"${TEXT}"}`;

/** {"meta": ..., "data": {"items": [~TARGET_BYTES of records]}, "next": "p2"}, in pieces of about 64 KB. */
async function* bigPage(): AsyncGenerator<string> {
  yield '{"meta": {"generated": true}, "data": {"items": [';
  let sent = 0;
  let i = 0;
  while (sent < TARGET_BYTES) {
    let piece = '';
    while (piece.length < 65_536) piece += (i > 0 ? ',\n' : '') + record(i++);
    sent += piece.length;
    yield piece;
  }
  yield `]}, "count": ${i}, "next": "p2"}`;
}

describe('HttpSource streaming', () => {
  let srv: HttpService;

  before(async () => {
    srv = await startHttp({
      '/big': (u) => (u.searchParams.get('after') === 'p2' ? { body: { data: { items: [{ id: 'last' }] }, next: null } } : { stream: bigPage }),
    });
  });

  after(async () => {
    await srv?.stop();
  });

  it(`reads a ${Math.round(TARGET_BYTES / 1e6)} MB body with peak RSS growth under ${MAX_GROWTH_MB} MB`, { timeout: Math.max(180_000, TARGET_BYTES / 1000) }, async () => {
    const source = new HttpSource(
      // A body this size may take longer than the default request deadline on a loaded machine.
      { kind: 'http', name: 'api', baseUrl: srv.url, requestTimeoutSeconds: 3600, endpoints: [{ name: 'big', path: 'big', recordsPath: 'data.items', pagination: { kind: 'cursor', param: 'after', cursorPath: 'next' } }] },
      { root: '.', secrets: new MapSecrets({}) },
    );
    const base = process.memoryUsage.rss();
    let peak = base;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 20);
    const t0 = Date.now();
    let n = 0;
    let last: string[] = [];
    let second: string[] = [];
    try {
      const read = (await source.read({ name: 'big', location: '' }, { warehouseCanReach: false })) as StreamRead;
      for await (const r of read.records) {
        assert.ok(r.ok);
        if (r.values[0] === 'last') second = r.values;
        else if (n % 100_000 === 0) assert.equal(r.values[0], String(n));
        if (r.values[0] !== 'last') last = r.values;
        n++;
      }
    } finally {
      clearInterval(sampler);
    }
    const growthMb = (peak - base) / 1e6;
    const seconds = (Date.now() - t0) / 1000;
    console.log(`streamed ${Math.round(TARGET_BYTES / 1e6)} MB: ${n} records in ${seconds.toFixed(1)} s, peak RSS growth ${growthMb.toFixed(0)} MB`);
    assert.deepEqual(last.slice(1), [`item ${n - 2}`, '1.50', 'Ann', 'Oslo', '["a","b"]', '', TEXT]);
    assert.equal(second[0], 'last');
    assert.ok(growthMb < MAX_GROWTH_MB, `peak RSS grew by ${growthMb.toFixed(0)} MB`);
  });
});
