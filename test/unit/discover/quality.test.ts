import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clampScore, combine, tableQuality } from '../../../src/core/discover/quality';

test('scores never leave 0..100, whatever the inputs', () => {
  for (const x of [-60.5, -1, 0, 42.04, 100, 100.1, 1e9, Number.NaN, Number.POSITIVE_INFINITY]) {
    const s = clampScore(x);
    assert.ok(s >= 0 && s <= 100, `${x} -> ${s}`);
  }
  const q = combine([
    { name: 'completeness', score: 100, reasons: [], samples: [] },
    { name: 'validity', score: 0, reasons: [], samples: [] },
  ]);
  assert.ok(q.score > 0 && q.score < 100);
});

test('a table without scored columns has no score', () => {
  assert.equal(tableQuality([{ name: 'a', quality: null }]), null);
  const t = tableQuality([
    { name: 'a', quality: combine([{ name: 'completeness', score: 50, reasons: ['half empty'], samples: [] }]) },
    { name: 'b', quality: combine([{ name: 'completeness', score: 100, reasons: [], samples: [] }]) },
  ]);
  assert.equal(t?.score, 75);
  assert.deepEqual(t?.dimensions[0].reasons, ['a: half empty']);
});
