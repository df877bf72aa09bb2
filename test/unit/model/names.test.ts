import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NameAllocator, objectPart, sanitizeName, singular, stripKeySuffix } from '../../../src/core/model/names';

test('names: sanitize, object part, singular, key suffix, de-duplication', () => {
  assert.equal(sanitizeName('Order Lines'), 'order_lines');
  assert.equal(sanitizeName('unitPrice'), 'unit_price');
  assert.equal(sanitizeName('Café-Ümlaut'), 'cafe_umlaut');
  assert.equal(sanitizeName('2024'), 't_2024');
  assert.equal(sanitizeName('***'), 'unnamed');
  assert.deepEqual(objectPart('shop__order_lines'), { source: 'shop', object: 'order_lines' });
  assert.deepEqual(objectPart('plain'), { object: 'plain' });
  assert.deepEqual(['customers', 'categories', 'boxes', 'addresses', 'status', 'people', 'lineitem', 'sales_lines'].map(singular), [
    'customer',
    'category',
    'box',
    'address',
    'status',
    'people',
    'lineitem',
    'sales_line',
  ]);
  assert.equal(stripKeySuffix('product_id'), 'product');
  assert.equal(stripKeySuffix('id'), 'id');
  const a = new NameAllocator(['x']);
  assert.deepEqual([a.claim('x'), a.claim('x'), a.claim('y')], ['x_2', 'x_3', 'y']);
});
