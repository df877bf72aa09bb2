/**
 * The pure pieces of the REST source's guards: where a redirect may lead, which origins receive the token,
 * the streamed body parser (same records as the JSON file reader, whatever the chunking), and the checks
 * of the new settings.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { redirectTarget, tokenMayGoTo, MAX_REDIRECTS } from '../../../src/core/sources/http';
import { RecordsParser, type BodyRecord } from '../../../src/core/sources/http-body';
import { flattenJson } from '../../../src/core/formats/json';
import { checkSourceFields } from '../../../src/core/sources/edit';
import { schemaProblems } from '../../../src/core/project/json-file';
import type { HttpSourceConfig } from '../../../src/core/sources/source';

describe('redirectTarget', () => {
  it('resolves a relative Location and follows same-scheme or upgrading redirects', () => {
    assert.deepEqual(redirectTarget('https://a.test/v1/x', 302, '/v1/y?p=2', 0, new Set()), { url: 'https://a.test/v1/y?p=2' });
    assert.deepEqual(redirectTarget('http://a.test/x', 301, 'https://b.test/x', 0, new Set()), { url: 'https://b.test/x' });
  });
  it('refuses https to http, loops, too many hops and a missing Location, each in one line', () => {
    const down = redirectTarget('https://a.test/x', 302, 'http://a.test/x', 0, new Set());
    assert.deepEqual(down, { problem: 'https://a.test/x redirects from https to http (http://a.test/x); refused, the request would travel unencrypted.' });
    assert.match(problemOf(redirectTarget('https://a.test/b', 302, '/a', 1, new Set(['https://a.test/a']))), /redirect loop/);
    assert.match(problemOf(redirectTarget('https://a.test/5', 302, '/6', MAX_REDIRECTS, new Set())), /after 5 redirects \(redirect loop\?\)/);
    assert.match(problemOf(redirectTarget('https://a.test/x', 302, null, 0, new Set())), /^https:\/\/a\.test\/x answered HTTP 302 without a Location header\.$/);
  });
});

function problemOf(r: { url: string } | { problem: string }): string {
  assert.ok('problem' in r, JSON.stringify(r));
  return r.problem;
}

describe('tokenMayGoTo', () => {
  const config: Pick<HttpSourceConfig, 'baseUrl' | 'trustedOrigins'> = { baseUrl: 'https://api.test/v1', trustedOrigins: ['https://cdn.test/'] };
  it("sends the token to baseUrl's origin and the trusted ones only", () => {
    assert.equal(tokenMayGoTo('https://api.test/other?x=1', config), true);
    assert.equal(tokenMayGoTo('https://cdn.test/file', config), true);
    assert.equal(tokenMayGoTo('http://api.test/v1', config), false, 'another scheme is another origin');
    assert.equal(tokenMayGoTo('https://api.test:8443/v1', config), false, 'another port is another origin');
    assert.equal(tokenMayGoTo('https://evil.test/v1', config), false);
    assert.equal(tokenMayGoTo('https://api.test.evil.test/v1', config), false);
  });
});

/** Every record of `text` parsed in chunks of `size` bytes (1: every byte boundary, multi-byte characters split). */
function parse(text: string, path: string, size: number, capture?: string): { records: BodyRecord[]; parser: RecordsParser } {
  const parser = new RecordsParser(path, capture);
  const bytes = Buffer.from(text);
  const records: BodyRecord[] = [];
  for (let i = 0; i < bytes.length; i += size) records.push(...parser.push(bytes.subarray(i, i + size)));
  records.push(...parser.end());
  return { records, parser };
}

const asFlat = (r: BodyRecord) => new Map(r.keys.map((k, i) => [k, r.values[i]]));

describe('RecordsParser', () => {
  const items = [
    '{"id": 1, "price": 1.50, "big": 12345678901234567890, "who": {"name": "Ånn ☃", "addr": {"city": "Oslo"}}, "tags": [ "a", {"b": 2.0} ], "note": null}',
    '{"id": 2, "esc": "line\\nbreak \\u00e9", "e": {}, "t": true}',
  ];
  const body = `\uFEFF{"meta": {"count": 2, "skip": [1, {"next": "no"}]}, "data": {"items": [${items.join(',\n ')}]}, "next": "c2", "after": [3]}`;

  it('gives the records the JSON file reader gives, at every chunk size, and captures a cursor after them', () => {
    for (const size of [1, 2, 3, 7, 64, 1 << 20]) {
      const { records, parser } = parse(body, 'data.items', size, 'next');
      assert.deepEqual(records.map(asFlat), items.map((t) => flattenJson(t).record), `chunks of ${size}`);
      assert.deepEqual(records.map((r) => r.nulls), [1, 0]);
      assert.equal(parser.captured, 'c2');
      assert.equal(parser.found, true);
    }
  });

  it('reads a top-level array, scalar elements as "value", and captures numbers as written', () => {
    const { records } = parse('[{"a": 1}, 2.50, "x", null]', '', 3);
    assert.deepEqual(records.map(asFlat), [new Map([['a', '1']]), new Map([['value', '2.50']]), new Map([['value', 'x']]), new Map([['value', '']])]);
    assert.equal(parse('{"r": [], "page": {"next": 10.0}}', 'r', 5, 'page.next').parser.captured, '10.0');
  });

  it('reports a body without the records array, and text that is not JSON', () => {
    assert.equal(parse('{"data": 5}', 'data', 4).parser.found, false);
    assert.equal(parse('{"data": {"items": {}}}', 'data.items', 4).parser.found, false);
    assert.throws(() => parse('<html>', '', 16));
    assert.throws(() => parse('[{"a": 1}', '', 16));
  });
});

describe('REST source settings', () => {
  const base: HttpSourceConfig = { kind: 'http', name: 'h', baseUrl: 'https://x.test', endpoints: [{ name: 'a', path: '/a' }] };
  it('accepts trusted origins and time limits', () => {
    const ok: HttpSourceConfig = { ...base, trustedOrigins: ['https://cdn.x.test', 'http://localhost:8080/'], requestTimeoutSeconds: 0.5, idleTimeoutSeconds: 10, objectTimeoutSeconds: 3600 };
    assert.deepEqual(checkSourceFields(ok), []);
    assert.deepEqual(schemaProblems('source', ok), []);
  });
  it('names a path in a trusted origin and a time limit of zero', () => {
    const bad: HttpSourceConfig = { ...base, trustedOrigins: ['https://cdn.x.test/files'], idleTimeoutSeconds: 0 };
    assert.deepEqual(checkSourceFields(bad).map((p) => p.path), ['/idleTimeoutSeconds', '/trustedOrigins/0']);
    assert.deepEqual(schemaProblems('source', bad).map((p) => p.path).sort(), ['/idleTimeoutSeconds', '/trustedOrigins/0']);
  });
});
