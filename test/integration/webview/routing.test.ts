/**
 * Relationship lines in the ERD webview go around boxes: checked on the drawn SVG geometry
 * (each path sampled with getPointAtLength), not on the routing module's own answer.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ErdModel } from '../../../src/core/model/model-types';
import { layoutErd } from '../../../src/core/model/layout';
import { generatedErd } from '../../unit/editors/fixtures';
import { editorFixture, headerPoint, waitForBoxes } from './harness';

const col = (name: string, type = 'UInt64') => ({ name, type, nullable: false });

/** `orders` references `customer`; `warehouse` stands between them, right on the straight line. */
function blockedErd(): ErdModel {
  return {
    version: 1,
    kind: 'erd',
    name: 'blocked',
    entities: [
      { name: 'orders', columns: [col('order_id'), col('customer_id'), col('amount', 'Float64')], primaryKey: ['order_id'] },
      { name: 'warehouse', columns: [col('warehouse_id'), col('a', 'String'), col('b', 'String'), col('c', 'String'), col('d', 'String'), col('e', 'String')], primaryKey: ['warehouse_id'] },
      { name: 'customer', columns: [col('customer_id'), col('name', 'String')], primaryKey: ['customer_id'] },
    ],
    relationships: [
      { name: 'orders_customer', from: { entity: 'orders', columns: ['customer_id'] }, to: { entity: 'customer', columns: ['customer_id'] }, cardinality: 'many-to-one', optional: false },
    ],
    groups: [],
    decompositions: [],
    layout: { positions: { orders: { x: 40, y: 60 }, warehouse: { x: 420, y: 20 }, customer: { x: 800, y: 60 } } },
  };
}

const fx = editorFixture('erd', () => ({ type: 'erd', model: blockedErd() }), 3);

interface Drawn {
  /** World rectangles of the boxes, by name. */
  boxes: Record<string, { x: number; y: number; w: number; h: number }>;
  lines: { id: string; d: string; samples: { x: number; y: number }[] }[];
}

/**
 * Boxes and lines in world coordinates (lines and boxes share the world group; boxes are translated groups).
 * Lines sampled every 4px with getPointAtLength, or (SAMPLE = false, for hundreds of lines: it is slow) only their `d`.
 */
const drawnScript = (sample: boolean) => `(() => {
  const boxes = {};
  for (const g of document.querySelectorAll('[data-box]')) {
    const m = /translate\\(([-\\d.]+),([-\\d.]+)\\)/.exec(g.getAttribute('transform') || '');
    const r = g.querySelector('rect.box');
    boxes[g.getAttribute('data-box')] = { x: Number(m[1]), y: Number(m[2]), w: Number(r.getAttribute('width')), h: Number(r.getAttribute('height')) };
  }
  const lines = [];
  for (const g of document.querySelectorAll('[data-line]')) {
    const path = g.querySelector('path.edge');
    const samples = [];
    const len = ${sample} ? path.getTotalLength() : 0;
    const n = Math.max(2, Math.ceil(len / 4));
    for (let i = 0; ${sample} && i <= n; i++) {
      const p = path.getPointAtLength((len * i) / n);
      samples.push({ x: p.x, y: p.y });
    }
    lines.push({ id: g.getAttribute('data-line'), d: path.getAttribute('d'), samples });
  }
  return { boxes, lines };
})()`;
const DRAWN = drawnScript(true);

/** Points every ~2px along path data made of M, L and Q commands (what the editor draws). */
function sampleD(d: string): { x: number; y: number }[] {
  const out: { x: number; y: number }[] = [];
  let at = { x: 0, y: 0 };
  for (const cmd of d.match(/[MLQ][^MLQ]*/g) ?? []) {
    const v = cmd.slice(1).trim().split(/[ ,]+/).map(Number);
    const to = { x: v[v.length - 2], y: v[v.length - 1] };
    const n = Math.max(1, Math.ceil(Math.hypot(to.x - at.x, to.y - at.y) / 2));
    for (let i = cmd[0] === 'M' ? n : 1; i <= n; i++) {
      const t = i / n;
      if (cmd[0] === 'Q') {
        const c = { x: v[0], y: v[1] };
        out.push({ x: (1 - t) ** 2 * at.x + 2 * (1 - t) * t * c.x + t * t * to.x, y: (1 - t) ** 2 * at.y + 2 * (1 - t) * t * c.y + t * t * to.y });
      } else {
        out.push({ x: at.x + (to.x - at.x) * t, y: at.y + (to.y - at.y) * t });
      }
    }
    at = to;
  }
  return out;
}

/** Samples of a line strictly inside a box (half a pixel in from its border). */
function inside(samples: { x: number; y: number }[], r: { x: number; y: number; w: number; h: number }): number {
  return samples.filter((p) => p.x > r.x + 0.5 && p.x < r.x + r.w - 0.5 && p.y > r.y + 0.5 && p.y < r.y + r.h - 0.5).length;
}

/** Does the straight segment p-q pass through r? (sampled) */
function straightCrosses(p: { x: number; y: number }, q: { x: number; y: number }, r: { x: number; y: number; w: number; h: number }): boolean {
  const samples = Array.from({ length: 101 }, (_, i) => ({ x: p.x + ((q.x - p.x) * i) / 100, y: p.y + ((q.y - p.y) * i) / 100 }));
  return inside(samples, r) > 0;
}

describe('ERD webview line routing', () => {
  it('a line whose straight path would cross a third box is drawn around it, leaving and entering the boxes at right angles', async () => {
    const drawn = (await fx.ed.page.evaluate(DRAWN)) as Drawn;
    assert.equal(drawn.lines.length, 1);
    const [line] = drawn.lines;
    const start = line.samples[0], end = line.samples[line.samples.length - 1];
    const { orders, warehouse, customer } = drawn.boxes;
    assert.ok(straightCrosses(start, end, warehouse), 'the fixture is meaningful: a straight line would cross warehouse');
    assert.equal(inside(line.samples, warehouse), 0, `the drawn line stays out of warehouse: ${line.d}`);
    assert.equal(inside(line.samples, orders) + inside(line.samples, customer), 0, 'and out of its own boxes');
    // Ends on the referencing column's row of orders (customer_id, row 1) and the key row of customer (row 0).
    assert.deepEqual(start, { x: orders.x + orders.w, y: orders.y + 30 + 20 + 10 });
    assert.deepEqual(end, { x: customer.x, y: customer.y + 30 + 10 });
    // The end segments are horizontal (perpendicular to the box sides), so the crow's-foot markers sit flat.
    const d = line.d.split(/(?=[MLQ])/);
    const pt = (cmd: string) => cmd.slice(1).trim().split(/[ ,]+/).map(Number).slice(-2);
    assert.equal(pt(d[1])[1], start.y, `first segment horizontal: ${line.d}`);
    assert.equal(pt(d[d.length - 2])[1], end.y, `last segment horizontal: ${line.d}`);
    assert.equal(await fx.ed.page.locator('[data-line="orders_customer"] .edge[marker-start="url(#m-many)"]').count(), 1);
    // The `d` parser the large test relies on agrees with the browser's own geometry.
    const parsed = sampleD(line.d);
    for (const s of line.samples) assert.ok(parsed.some((q) => Math.hypot(q.x - s.x, q.y - s.y) < 1.5), `parsed path passes ${JSON.stringify(s)}`);
    await fx.ed.screenshot('routing-blocked');
  });

  it('while a box is dragged, its line is re-routed around the box in the way at every step', async () => {
    const p = fx.ed.page;
    const start = await headerPoint(p, 'customer');
    await p.mouse.move(start.x, start.y);
    await p.mouse.down();
    for (const [dx, dy] of [[-40, 20], [-80, 60], [40, 140], [120, -40]]) {
      await p.mouse.move(start.x + dx, start.y + dy, { steps: 4 });
      const drawn = (await p.evaluate(DRAWN)) as Drawn;
      const [line] = drawn.lines;
      assert.equal(inside(line.samples, drawn.boxes.warehouse), 0, `step ${dx},${dy}: clear of warehouse: ${line.d}`);
    }
    await p.mouse.up();
  });

  it('a box dropped onto another line\'s route: that line is re-routed around it on drop', async () => {
    const p = fx.ed.page;
    const before = (await p.evaluate(DRAWN)) as Drawn;
    const { warehouse } = before.boxes;
    // The route passes under warehouse: drop warehouse right onto that stretch.
    const lowest = Math.max(...before.lines[0].samples.map((s) => s.y));
    const dy = lowest - (warehouse.y + warehouse.h / 2);
    const k = Number(/scale\(([\d.e-]+)\)/.exec((await p.locator('#canvas > g.world').getAttribute('transform')) ?? '')?.[1] ?? 1);
    const start = await headerPoint(p, 'warehouse');
    await p.mouse.move(start.x, start.y);
    await p.mouse.down();
    await p.mouse.move(start.x, start.y + dy * k, { steps: 6 });
    await p.mouse.up();
    const after = (await p.evaluate(DRAWN)) as Drawn;
    assert.ok(after.boxes.warehouse.y > warehouse.y + 50, 'warehouse moved down');
    assert.ok(inside(before.lines[0].samples, after.boxes.warehouse) > 0, 'the old route would cross the dropped box');
    assert.equal(inside(after.lines[0].samples, after.boxes.warehouse), 0, `re-routed clear of the dropped box: ${after.lines[0].d}`);
  });

  it('200 entities / 300 relationships: no drawn line passes through a box it does not connect', async () => {
    const model = layoutErd(generatedErd(200, 300));
    await fx.ed.send({ type: 'erd', model });
    await waitForBoxes(fx.ed.page, 200);
    const drawn = (await fx.ed.page.evaluate(drawnScript(false))) as Drawn;
    assert.equal(drawn.lines.length, 300);
    for (const line of drawn.lines) line.samples = sampleD(line.d);
    const ends = new Map(model.relationships.map((r) => [r.name, [r.from.entity, r.to.entity]]));
    const straightThrough = drawn.lines.filter((l) => {
      const own = ends.get(l.id) ?? [];
      const [p, q] = [l.samples[0], l.samples[l.samples.length - 1]];
      return Object.entries(drawn.boxes).some(([name, r]) => !own.includes(name) && straightCrosses(p, q, r));
    }).length;
    assert.ok(straightThrough > 50, `the fixture is meaningful: ${straightThrough} straight lines would cross a box`);
    const bad: string[] = [];
    for (const line of drawn.lines) {
      const own = ends.get(line.id) ?? [];
      for (const [name, r] of Object.entries(drawn.boxes)) {
        if (inside(line.samples, r) > 0 && !own.includes(name)) bad.push(`${line.id} through ${name}`);
      }
      // Nor back through its own boxes.
      for (const name of own) if (inside(line.samples, drawn.boxes[name]) > 0) bad.push(`${line.id} back through ${name}`);
    }
    assert.deepEqual(bad, []);
  });
});
