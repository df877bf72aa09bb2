import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HOSTILE_NAMES } from '../../fixtures/hostile-names';
import { quoteIdent, qualified, param, sqlType, identList, onClusterClause } from '../../../src/core/warehouse/sql';


test('quoteIdent wraps every name in backticks and escapes what would end or break it', () => {
  for (const name of HOSTILE_NAMES) {
    const q = quoteIdent(name);
    assert.ok(q.startsWith('`') && q.endsWith('`'), q);
    const inner = q.slice(1, -1);
    // No unescaped backtick can close the identifier early.
    assert.doesNotMatch(inner.replace(/\\\\/g, ''), /(^|[^\\])`/, `unescaped backtick in ${JSON.stringify(q)}`);
    assert.doesNotMatch(inner, /[\n\r\0\t]/, `raw control character in ${JSON.stringify(q)}`);
  }
});

test('quoteIdent escapes exactly', () => {
  assert.equal(quoteIdent('a`b'), '`a\\`b`');
  assert.equal(quoteIdent('a\\b'), '`a\\\\b`');
  assert.equal(quoteIdent('a\nb'), '`a\\nb`');
  assert.equal(quoteIdent('a\0b'), '`a\\0b`');
  assert.equal(qualified('db', 't`x'), '`db`.`t\\`x`');
  assert.equal(identList(['a', 'b']), '`a`, `b`');
});

test('quoteIdent refuses an empty name', () => {
  assert.throws(() => quoteIdent(''), /cannot be empty/);
});

test('param accepts code-chosen names and types only', () => {
  assert.equal(param('table_name', 'String'), '{table_name:String}');
  assert.equal(param('ids', 'Array(UInt64)'), '{ids:Array(UInt64)}');
  assert.throws(() => param('x}; DROP', 'String'), /Invalid parameter name/);
  assert.throws(() => param('x', 'String}; DROP'), /Invalid parameter type/);
});

test('sqlType accepts type expressions and rejects anything else', () => {
  for (const t of ['Int64', 'Nullable(Decimal(18, 2))', "DateTime64(3, 'UTC')", 'LowCardinality(String)']) assert.equal(sqlType(t), t);
  for (const t of ['Int64; DROP TABLE x', 'String)) --', '']) assert.throws(() => sqlType(t), /Not a ClickHouse type/);
});

test('onClusterClause quotes the cluster and is empty on a single node', () => {
  assert.equal(onClusterClause(undefined), '');
  assert.equal(onClusterClause(''), '');
  assert.equal(onClusterClause('main`x'), ' ON CLUSTER `main\\`x`');
});
