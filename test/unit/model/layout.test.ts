import { test } from 'node:test';
import assert from 'node:assert/strict';
import { boxSize, erdBoxes, layoutErd, layoutStar, starBoxes, type Box } from '../../../src/core/model/layout';
import { proposeErd } from '../../../src/core/model/erd-proposal';
import { proposeStar } from '../../../src/core/model/star-proposal';
import { syntheticErd } from './synthetic';
import { tpch } from './builders';

function overlaps(boxes: Box[]): number {
  let n = 0;
  for (let i = 0; i < boxes.length; i++)
    for (let j = i + 1; j < boxes.length; j++) {
      const a = boxes[i];
      const b = boxes[j];
      if (a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height) n++;
    }
  return n;
}

test('200 entities / 300 relationships are laid out in under 200 ms, without overlaps', () => {
  const m = syntheticErd(200, 300);
  layoutErd(m); // warm-up: JIT
  const t0 = performance.now();
  const out = layoutErd(m);
  const ms = performance.now() - t0;
  process.stdout.write(`# layout of 200 entities / 300 relationships: ${ms.toFixed(1)} ms\n`);
  assert.ok(ms < 200, `${ms} ms`);
  assert.equal(Object.keys(out.layout.positions).length, 200);
  assert.equal(overlaps([...erdBoxes(out).values()]), 0);
});

test('layered: a referenced entity sits above the entities referencing it (acyclic part)', () => {
  const erd = proposeErd(tpch().catalog, { name: 't' });
  const p = erd.layout.positions;
  for (const r of erd.relationships) assert.ok(p[r.to.entity].y < p[r.from.entity].y, `${r.from.entity} -> ${r.to.entity}`);
  assert.deepEqual(boxSize(3), { width: 240, height: 30 + 60 + 8 });
});

test('positions already stored are kept; new or chosen boxes are placed below without overlap', () => {
  const m = layoutErd(syntheticErd(30, 40));
  const positions: Record<string, { x: number; y: number }> = { ...m.layout.positions, entity_000: { x: 5000, y: 7 } };
  const moved = { ...m, layout: { positions } };
  delete moved.layout.positions.entity_001;
  const out = layoutErd(moved);
  assert.deepEqual(out.layout.positions.entity_000, { x: 5000, y: 7 });
  assert.ok(out.layout.positions.entity_001);
  for (const [k, v] of Object.entries(moved.layout.positions)) assert.deepEqual(out.layout.positions[k], v);
  assert.equal(overlaps([...erdBoxes(out).values()]), 0);
  const only = layoutErd(out, { only: ['entity_002'] });
  assert.notDeepEqual(only.layout.positions.entity_002, out.layout.positions.entity_002);
  assert.deepEqual(only.layout.positions.entity_003, out.layout.positions.entity_003);
  const all = layoutErd(out, { all: true });
  assert.notDeepEqual(all.layout.positions.entity_000, { x: 5000, y: 7 });
});

test('star layout: facts in the middle, dimensions around, no overlaps', () => {
  const s = tpch();
  const star = proposeStar(proposeErd(s.catalog, { name: 't' }), s.catalog);
  const boxes = starBoxes(star);
  assert.equal(overlaps([...boxes.values()]), 0);
  const cx = (b: Box) => b.x + b.width / 2;
  const factX = star.facts.map((f) => cx(boxes.get(f.name) as Box));
  const all = [...boxes.values()].map(cx);
  const mid = (Math.min(...all) + Math.max(...all)) / 2;
  assert.ok(Math.abs(factX.reduce((a, b) => a + b, 0) / factX.length - mid) < 200);
  assert.deepEqual(layoutStar(star).layout.positions, star.layout.positions, 'stable when all placed');
});
