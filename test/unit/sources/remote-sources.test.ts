/** Pure parts of the PostgreSQL, S3 and REST sources: COPY text decoding, Link headers, S3 keys and URLs. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { copyRecords, unescapeCopyField } from '../../../src/core/sources/postgres';
import { nextLink } from '../../../src/core/sources/http';
import { keyFormat, S3Source } from '../../../src/core/sources/s3';
import { EnvSecretStore, type S3SourceConfig } from '../../../src/core/sources/source';
import { skipUnless } from '../../services/common';

async function* chunks(...parts: Buffer[]): AsyncGenerator<Buffer> {
  yield* parts;
}

describe('COPY text format', () => {
  it('decodes escapes and \\N', () => {
    assert.equal(unescapeCopyField('\\N'), '');
    assert.equal(unescapeCopyField('a\\tb\\nc\\\\d\\re\\bf\\fg\\vh'), 'a\tb\nc\\d\re\bf\fg\vh');
    assert.equal(unescapeCopyField('\\\\N'), '\\N');
    assert.equal(unescapeCopyField('plain'), 'plain');
  });

  it('splits rows across chunk boundaries, including inside a multi-byte character', async () => {
    const bytes = Buffer.from('1\tÅse\n2\t\\N\n3\tlast');
    const cut = bytes.indexOf(0xc3) + 1; // in the middle of "Å"
    const rows = [];
    for await (const r of copyRecords(chunks(bytes.subarray(0, cut), bytes.subarray(cut, cut + 3), bytes.subarray(cut + 3)))) rows.push(r);
    assert.deepEqual(rows, [
      { ok: true, values: ['1', 'Åse'] },
      { ok: true, values: ['2', ''] },
      { ok: true, values: ['3', 'last'] },
    ]);
  });
});

describe('Link header', () => {
  it('finds rel="next" among several links and relation lists', () => {
    assert.equal(nextLink('<https://a/x?page=3>; rel="next", <https://a/x?page=9>; rel="last"'), 'https://a/x?page=3');
    assert.equal(nextLink('<https://a/x?page=3>; rel="prev next"'), 'https://a/x?page=3');
    assert.equal(nextLink('<https://a/x?q=a,b>; rel=next'), 'https://a/x?q=a,b');
    assert.equal(nextLink('<https://a/x?page=1>; rel="prev"'), undefined);
    assert.equal(nextLink(null), undefined);
  });
});

describe('S3 keys and URLs', () => {
  const src = (over: Partial<S3SourceConfig>): S3Source =>
    new S3Source({ kind: 's3', name: 'lake', bucket: 'my-bucket', ...over }, { root: '.', secrets: new EnvSecretStore({}) });

  it('reads format and compression from extensions', () => {
    assert.deepEqual(keyFormat('2024/01/orders.csv.gz'), { format: 'csv', compression: 'gzip', base: '2024/01/orders' });
    assert.deepEqual(keyFormat('e.jsonl.zstd'), { format: 'ndjson', compression: 'zstd', base: 'e' });
    assert.deepEqual(keyFormat('t.parquet'), { format: 'parquet', compression: 'none', base: 't' });
    assert.equal(keyFormat('notes.md.gz').format, undefined);
  });

  it('builds AWS virtual-host, custom path-style and custom virtual-host URLs with encoded keys', () => {
    assert.equal(src({ region: 'eu-west-1' }).objectUrl('a b/ü.csv'), 'https://my-bucket.s3.eu-west-1.amazonaws.com/a%20b/%C3%BC.csv');
    assert.equal(src({ endpoint: 'http://127.0.0.1:9000/' }).objectUrl('k.csv'), 'http://127.0.0.1:9000/my-bucket/k.csv');
    assert.equal(src({ endpoint: 'https://storage.example.com', pathStyle: false }).objectUrl('k.csv'), 'https://my-bucket.storage.example.com/k.csv');
  });
});

describe('test services: skip only when allowed', () => {
  it('skips with a message when a service is absent, fails when KIMBALL_REQUIRE_SERVICES is set', () => {
    const saved = process.env.KIMBALL_REQUIRE_SERVICES;
    try {
      delete process.env.KIMBALL_REQUIRE_SERVICES;
      assert.equal(skipUnless(true, 'PostgreSQL'), undefined);
      assert.match(skipUnless(false, 'PostgreSQL') ?? '', /PostgreSQL is not installed \(run \.ci\/services\.sh\); skipping/);
      process.env.KIMBALL_REQUIRE_SERVICES = '1';
      assert.throws(() => skipUnless(false, 'PostgreSQL'), /PostgreSQL is required \(KIMBALL_REQUIRE_SERVICES is set\)/);
    } finally {
      if (saved === undefined) delete process.env.KIMBALL_REQUIRE_SERVICES;
      else process.env.KIMBALL_REQUIRE_SERVICES = saved;
    }
  });
});
