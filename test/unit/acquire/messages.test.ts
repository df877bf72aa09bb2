import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { describeError } from '../../../src/core/errors';
import { S3Source } from '../../../src/core/sources/s3';

describe('error messages', () => {
  it('shows control characters of a message as escapes, on one line', () => {
    const err = new Error('Parquet magic bytes not found: got "PAR\u0001\u0000\u001b[31m" in orders.parquet\nat offset 0');
    assert.equal(describeError(err), 'Parquet magic bytes not found: got "PAR\\u0001\\u0000\\u001b[31m" in orders.parquet');
    assert.equal(describeError('a\rb\u007fc\u2028d'), 'a\\u000db\\u007fc\\u2028d');
  });

  it('keeps printable text as it is', () => {
    assert.equal(describeError(new Error('café: 3 rows rejected')), 'café: 3 rows rejected');
    assert.equal(describeError(new Error('')), 'Error');
  });
});

describe('S3 client', () => {
  it('prints no Node version notice, and leaves the environment as it was', async () => {
    const warnings: Error[] = [];
    process.on('warning', (w) => warnings.push(w));
    const secrets = { get: () => Promise.resolve(undefined), set: () => Promise.resolve(), delete: () => Promise.resolve() };
    // Nothing listens on port 9: the test fails at once, after the client is built.
    const source = new S3Source({ kind: 's3', name: 'lake', bucket: 'b', endpoint: 'http://127.0.0.1:9' }, { root: '.', secrets }, { client: { maxAttempts: 1 } });
    const r = await source.test();
    await new Promise((res) => setImmediate(res));
    assert.equal(r.ok, false);
    assert.deepEqual(warnings.map((w) => w.message.split('\n')[0]), []);
    assert.equal(process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED, undefined);
  });
});
