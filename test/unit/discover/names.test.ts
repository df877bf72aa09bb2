import { test } from 'node:test';
import assert from 'node:assert/strict';
import { coreTokens, entity, isKeyLikeName, nameSimilarity, singular, tableStem } from '../../../src/core/discover/names';

test('tokens drop short system prefixes and split camelCase', () => {
  assert.deepEqual(coreTokens('o_custKey'), ['cust', 'key']);
  assert.deepEqual(coreTokens('ps_partkey'), ['partkey']);
  assert.deepEqual(coreTokens('id'), ['id']);
  assert.equal(entity('customer_id'), 'customer');
  assert.equal(entity('l_orderkey'), 'order');
});

test('table stems are singular object names without warehouse prefixes', () => {
  assert.equal(tableStem('shop__customers'), 'customer');
  assert.equal(tableStem('dw__dim_date'), 'date');
  assert.equal(tableStem('crm__categories'), 'category');
  assert.equal(singular('addresses'), 'address');
});

test('key-like names', () => {
  for (const n of ['id', 'customer_id', 'CustomerId', 'o_orderkey', 'order_no', 'sku', 'zip_code']) assert.ok(isKeyLikeName(n), n);
  for (const n of ['quantity', 'time', 'name', 'amount', 'status']) assert.ok(!isKeyLikeName(n), n);
});

test('name similarity ranks references to the named table highest, never rewards generic equal names', () => {
  assert.equal(nameSimilarity('customer_id', 'shop__customers', 'customer_id'), 1);
  assert.equal(nameSimilarity('o_custkey', 'tpch__customer', 'c_custkey'), 1);
  assert.equal(nameSimilarity('customer_id', 'shop__customers', 'id'), 0.9);
  assert.equal(nameSimilarity('parent_category_id', 'shop__categories', 'id'), 0.7);
  assert.equal(nameSimilarity('buyer_id', 'shop__customers', 'id'), 0.2);
  assert.ok(nameSimilarity('Time', 'x__events', 'Time') < 0.5);
  assert.equal(nameSimilarity('quantity', 'shop__products', 'id'), 0);
});
