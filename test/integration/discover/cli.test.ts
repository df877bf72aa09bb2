/** The discover CLI (dist/cli.js, run `npm run build` first): discover, keys, relationships, decisions. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cliWorkspace } from '../../helpers/cli';

const { kimball } = cliWorkspace('cli-discover-');

const ok = (r: { code: number; stderr: string }) => assert.equal(r.code, 0, r.stderr);

test('kimball discover, keys --json and relationships --json', () => {
  ok(kimball('init'));
  ok(kimball('sql', 'CREATE TABLE bronze.crm__customers (id String, name String, _kimball_source String, _kimball_object String, _kimball_load_id String, _kimball_row UInt64, _kimball_loaded_at DateTime64(3)) ENGINE = MergeTree ORDER BY tuple()'));
  ok(kimball('sql', "INSERT INTO bronze.crm__customers (id, name) SELECT toString(number + 1), concat('n', toString(number)) FROM numbers(500)"));
  ok(kimball('sql', 'CREATE TABLE bronze.crm__orders (order_id String, customer_id String, qty String) ENGINE = MergeTree ORDER BY tuple()'));
  ok(kimball('sql', 'INSERT INTO bronze.crm__orders SELECT toString(number + 1), toString(cityHash64(number) % 500 + 1), toString(number % 5 + 1) FROM numbers(3000)'));
  const d = kimball('discover');
  ok(d);
  assert.match(d.stdout, /crm__customers\t500 rows\t2 columns\tkey id\tquality 100/);
  assert.match(d.stdout, /2 tables, 1 relationship\(s\)/);
  const keys = JSON.parse(kimball('keys', '--json').stdout) as { table: string; columns: string[]; kind: string; confidence: number }[];
  assert.deepEqual(keys.filter((k) => k.kind === 'primary').map((k) => [k.table, k.columns]), [['crm__customers', ['id']], ['crm__orders', ['order_id']]]);
  const rels = JSON.parse(kimball('relationships', '--json').stdout) as { id: string; fromTable: string; fromColumns: string[]; toTable: string; toColumns: string[]; confidence: number; status: string }[];
  assert.equal(rels.length, 1);
  assert.deepEqual([rels[0].fromTable, rels[0].fromColumns, rels[0].toTable, rels[0].toColumns, rels[0].status], ['crm__orders', ['customer_id'], 'crm__customers', ['id'], 'proposed']);
  assert.ok(rels[0].confidence > 0.8 && rels[0].confidence <= 1);
});

test('decisions from the CLI survive a re-discovery; bad input is one clear line', () => {
  ok(kimball('relationships', 'accept', 'crm__orders.customer_id->crm__customers.id'));
  ok(kimball('keys', 'set', 'crm__customers', 'name'));
  ok(kimball('catalog', 'type', 'crm__orders', 'qty', 'Int64'));
  ok(kimball('discover', '--only', 'quality'));
  const rels = JSON.parse(kimball('relationships', '--json').stdout) as { status: string }[];
  assert.equal(rels[0].status, 'accepted');
  const keys = JSON.parse(kimball('keys', '--json').stdout) as { table: string; columns: string[]; kind: string }[];
  assert.deepEqual(keys.find((k) => k.table === 'crm__customers' && k.kind === 'primary')?.columns, ['name']);
  const profile = kimball('catalog', 'profile', 'crm__orders');
  ok(profile);
  assert.match(profile.stdout, /^# crm__orders\n/);
  assert.match(profile.stdout, /### qty\n/);
  const bad = kimball('relationships', 'reject', 'nope');
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /^kimball: Relationship nope is not in the bronze catalog\.\n$/);
  const badOnly = kimball('discover', '--only', 'everything');
  assert.equal(badOnly.code, 1);
  assert.match(badOnly.stderr, /--only must be quality or relationships/);
});
