/**
 * `kimball source edit <name> [options]` through the built CLI: only the given fields change, `--unset`
 * removes optional ones, and every bad edit is one clear line with the file left exactly as it was.
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cliWorkspace } from '../../helpers/cli';

const { ws, kimball } = cliWorkspace('cli-source-edit-');
const file = (name: string) => join(ws, '.kimball', 'sources', `${name}.json`);
const config = (name: string) => JSON.parse(readFileSync(file(name), 'utf8')) as Record<string, unknown>;

function ok(...args: string[]): string {
  const r = kimball(...args);
  assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** The command fails with one `kimball: ...` line matching `message`, and no source file changed. */
function refused(name: string, message: RegExp, ...args: string[]): void {
  const before = readFileSync(file(name), 'utf8');
  const r = kimball(...args);
  assert.equal(r.code, 1, `${args.join(' ')} should fail`);
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.match(r.stderr, /^kimball: /);
  assert.match(r.stderr, message);
  assert.equal(readFileSync(file(name), 'utf8'), before, 'the file is unchanged');
}

before(() => {
  ok('init');
  ok('source', 'add', 'shop', '--kind', 'files', '--path', 'data', '--encoding', 'latin1');
  ok('source', 'add', 'pg', '--kind', 'postgres', '--host', 'db', '--database', 'shop', '--user', 'etl', '--schema', 'public');
  ok('source', 'add', 'lake', '--kind', 's3', '--bucket', 'raw', '--region', 'eu-west-1');
  ok('source', 'add', 'api', '--kind', 'http', '--base-url', 'https://api.example.com', '--endpoint', 'orders=/orders');
});

test('a files source: only the given fields change; --unset removes optional ones', () => {
  const out = ok('source', 'edit', 'shop', '--glob', '**/*.csv', '--delimiter', 'tab', '--no-header');
  assert.match(out, /^Saved \.kimball\/sources\/shop\.json: changed glob, delimiter, header\n$/);
  assert.deepEqual(config('shop'), { kind: 'files', name: 'shop', path: 'data', encoding: 'latin1', glob: '**/*.csv', delimiter: '\t', header: false });
  assert.match(ok('source', 'edit', 'shop', '--unset', 'glob', '--unset', 'header'), /removed glob, header/);
  assert.deepEqual(config('shop'), { kind: 'files', name: 'shop', path: 'data', encoding: 'latin1', delimiter: '\t' });
  // --json prints the saved config; the file keeps sorted keys (a one-field change is a one-line diff).
  const saved = JSON.parse(ok('--json', 'source', 'edit', 'shop', '--path', 'incoming')) as Record<string, unknown>;
  assert.equal(saved.path, 'incoming');
  assert.deepEqual(Object.keys(JSON.parse(readFileSync(file('shop'), 'utf8')) as object), ['delimiter', 'encoding', 'kind', 'name', 'path']);
});

test('a PostgreSQL source: port, SSL mode, schemas replaced, cursor columns set and removed one by one', () => {
  ok('source', 'edit', 'pg', '--port', '6543', '--ssl-mode', 'require', '--schema', 'sales', '--schema', 'crm', '--cursor', 'orders=updated_at', '--cursor', 'events=id');
  assert.deepEqual(config('pg'), {
    kind: 'postgres',
    name: 'pg',
    host: 'db',
    port: 6543,
    database: 'shop',
    user: 'etl',
    sslMode: 'require',
    schemas: ['sales', 'crm'],
    cursors: { orders: 'updated_at', events: 'id' },
  });
  ok('source', 'edit', 'pg', '--cursor', 'orders=', '--query', 'big_orders=SELECT * FROM orders WHERE amount > 100');
  assert.deepEqual(config('pg').cursors, { events: 'id' });
  assert.deepEqual(config('pg').queries, { big_orders: 'SELECT * FROM orders WHERE amount > 100' });
  ok('source', 'edit', 'pg', '--cursor', 'events=', '--unset', 'ssl-mode');
  assert.equal(config('pg').cursors, undefined, 'the last cursor removed removes the map');
  assert.equal(config('pg').sslMode, undefined);
  refused('pg', /port: A port number/, 'source', 'edit', 'pg', '--port', '70000');
  refused('pg', /port: A port number/, 'source', 'edit', 'pg', '--port', 'fivefour');
  refused('pg', /sslMode: must be one of "disable", "prefer", "require", "verify-full"/, 'source', 'edit', 'pg', '--ssl-mode', 'always');
  refused('pg', /"bad name" is not an object name/, 'source', 'edit', 'pg', '--cursor', 'bad name=ts');
  refused('pg', /--cursor orders: expected <object>=<value>/, 'source', 'edit', 'pg', '--cursor', 'orders');
});

test('an S3 source: endpoint, path-style on and off, access key id', () => {
  ok('source', 'edit', 'lake', '--endpoint', 'http://localhost:9000', '--path-style', '--access-key-id', 'AKIA1');
  assert.deepEqual(config('lake'), { kind: 's3', name: 'lake', bucket: 'raw', region: 'eu-west-1', endpoint: 'http://localhost:9000', pathStyle: true, accessKeyId: 'AKIA1' });
  ok('source', 'edit', 'lake', '--no-path-style');
  assert.equal(config('lake').pathStyle, false);
  ok('source', 'edit', 'lake', '--unset', 'endpoint', '--unset', 'path-style');
  assert.deepEqual(config('lake'), { kind: 's3', name: 'lake', bucket: 'raw', region: 'eu-west-1', accessKeyId: 'AKIA1' });
  refused('lake', /endpoint: An http:\/\/ or https:\/\/ URL/, 'source', 'edit', 'lake', '--endpoint', 'localhost:9000');
});

test('a REST source: --endpoint replaces the endpoints, auth and rate limit change', () => {
  ok('source', 'edit', 'api', '--endpoint', 'orders=/v2/orders,records=data,pagination=link', '--endpoint', 'customers=/v2/customers', '--auth-header', 'Authorization', '--auth-scheme', 'Bearer', '--rate-limit', '5');
  assert.deepEqual(config('api'), {
    kind: 'http',
    name: 'api',
    baseUrl: 'https://api.example.com',
    authHeader: 'Authorization',
    authScheme: 'Bearer',
    rateLimit: 5,
    endpoints: [
      { name: 'orders', path: '/v2/orders', recordsPath: 'data', pagination: { kind: 'link' } },
      { name: 'customers', path: '/v2/customers' },
    ],
  });
  refused('api', /rateLimit: A number of requests per second above 0/, 'source', 'edit', 'api', '--rate-limit', '0');
  refused('api', /Another endpoint is named orders/, 'source', 'edit', 'api', '--endpoint', 'orders=/a', '--endpoint', 'orders=/b');
  refused('api', /baseUrl: An http:\/\/ or https:\/\/ URL/, 'source', 'edit', 'api', '--base-url', 'ftp://x');
});

test('bad edits are one clear line and change nothing', () => {
  const unknown = kimball('source', 'edit', 'nope', '--glob', 'x');
  assert.equal(unknown.code, 1);
  assert.equal(unknown.stderr, 'kimball: There is no source named nope (.kimball/sources/nope.json).\n');
  refused('shop', /--host does not apply to shop, a files source/, 'source', 'edit', 'shop', '--host', 'db');
  refused('shop', /path is required for a files source and cannot be removed/, 'source', 'edit', 'shop', '--unset', 'path');
  refused('shop', /a files source has no field "bucket"/, 'source', 'edit', 'shop', '--unset', 'bucket');
  refused('shop', /Nothing to change in shop/, 'source', 'edit', 'shop');
  refused('shop', /glob is both changed and removed/, 'source', 'edit', 'shop', '--glob', 'a', '--unset', 'glob');
  // The kind cannot change: edit has no --kind (commander's usage error, with the help after it).
  const kind = kimball('source', 'edit', 'shop', '--kind', 's3');
  assert.equal(kind.code, 1);
  assert.match(kind.stderr, /unknown option '--kind'/);
  assert.equal(config('shop').kind, 'files');
  refused('shop', /delimiter: One character/, 'source', 'edit', 'shop', '--delimiter', ';;');
});
