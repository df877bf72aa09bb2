import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cliWorkspace } from '../../helpers/cli';

const { ws, kimball } = cliWorkspace('cli-acquire-');

test('kimball source add/list/test/objects/rm and acquire over a files source', () => {
  assert.equal(kimball('init').code, 0);
  mkdirSync(join(ws, 'data'));
  writeFileSync(join(ws, 'data', 'orders.csv'), 'id,amount\n1,0012\n2,3.50\n3,x,y\n');
  writeFileSync(join(ws, 'data', 'old.xls'), 'not really');

  const add = kimball('source', 'add', 'shop', '--kind', 'files', '--path', 'data');
  assert.equal(add.code, 0, add.stderr);
  assert.deepEqual(JSON.parse(readFileSync(join(ws, '.kimball', 'sources', 'shop.json'), 'utf8')), { kind: 'files', name: 'shop', path: 'data' });
  assert.equal(kimball('source', 'add', 'shop', '--kind', 'files', '--path', 'data').code, 1);
  const bad = kimball('source', 'add', 'bad name', '--kind', 'files', '--path', 'data');
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /^kimball: "bad name" is not a valid source name/);
  assert.match(kimball('source', 'add', 'pg', '--kind', 'postgres').stderr, /needs --host/);

  const list = kimball('source', 'list');
  assert.match(list.stdout, /shop\s+files\s+data/);
  assert.match(kimball('source', 'test', 'shop').stdout, /^OK: 1 file in .*1 legacy \.xls file must be saved as \.xlsx/);

  const acq = kimball('acquire', '--json');
  assert.equal(acq.code, 1, 'exit 1: the .xls fails');
  const results = JSON.parse(acq.stdout) as { object: string; status: string; rows: number; rejects: number; error?: string }[];
  const byObject = Object.fromEntries(results.map((r) => [r.object, r]));
  assert.equal(byObject.orders.status, 'loaded');
  assert.equal(byObject.orders.rows, 2);
  assert.equal(byObject.orders.rejects, 1);
  assert.equal(byObject.old.status, 'failed');
  assert.match(acq.stderr, /save it as \.xlsx/);

  const one = kimball('acquire', 'shop', 'orders');
  assert.equal(one.code, 0, one.stderr);
  assert.match(one.stdout, /SOURCE\s+OBJECT\s+STATUS\s+ROWS\s+REJECTS/);
  assert.match(one.stdout, /shop\s+orders\s+skipped/);
  assert.match(kimball('acquire', 'shop', 'orders', '--force').stdout, /shop\s+orders\s+loaded\s+2\s+1/);
  assert.match(kimball('acquire', 'shop', 'nope').stderr, /has no object nope/);

  const objects = kimball('source', 'objects', 'shop', '--json');
  assert.equal(objects.code, 0, objects.stderr);
  const objs = JSON.parse(objects.stdout) as { name: string; lastLoad?: { status: string; rows: number } }[];
  assert.deepEqual(objs.map((o) => [o.name, o.lastLoad?.status, o.lastLoad?.rows]), [['old', 'failed', 0], ['orders', 'loaded', 2]]);

  assert.equal(kimball('source', 'rm', 'shop').code, 0);
  assert.ok(!existsSync(join(ws, '.kimball', 'sources', 'shop.json')));
  assert.match(kimball('source', 'rm', 'shop').stderr, /no source named shop/);
});
