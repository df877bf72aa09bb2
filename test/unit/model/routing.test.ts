import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BOX, erdBoxes, layoutErd, layoutStar, starBoxes } from '../../../src/core/model/layout';
import {
  columnPorts, drawRoute, labelPlace, spreadOf, laneOffsets, midpoint, pathData, route, ROUTING, rowPorts, sidePorts,
  type Point, type Port, type Rect,
} from '../../../src/core/model/routing';
import { generatedErd } from '../editors/fixtures';
import { proposeStar } from '../../../src/core/model/star-proposal';
import { proposeErd } from '../../../src/core/model/erd-proposal';
import { tpch } from './builders';
import { exportModel } from '../../../src/core/model/export';

// Geometry checks written independently of the module under test.

/** Does an axis-parallel segment run through the open inside of `r` grown by `m`? */
function enters(p: Point, q: Point, r: Rect, m = 0): boolean {
  const x0 = r.x - m, x1 = r.x + r.w + m, y0 = r.y - m, y1 = r.y + r.h + m;
  if (p.y === q.y) return p.y > y0 && p.y < y1 && Math.max(p.x, q.x) > x0 && Math.min(p.x, q.x) < x1;
  return p.x > x0 && p.x < x1 && Math.max(p.y, q.y) > y0 && Math.min(p.y, q.y) < y1;
}

function boxesCrossed(points: Point[], boxes: Rect[], m = 0): Rect[] {
  return boxes.filter((r) => points.some((p, i) => i > 0 && enters(points[i - 1], p, r, m)));
}

function assertOrthogonal(points: Point[]): void {
  assert.ok(points.length >= 2, 'a route has at least two points');
  for (let i = 1; i < points.length; i++) {
    const p = points[i - 1], q = points[i];
    assert.ok(p.x === q.x || p.y === q.y, `segment ${i} is horizontal or vertical: ${JSON.stringify([p, q])}`);
  }
}

const OUTWARD = { left: [-1, 0], right: [1, 0], top: [0, -1], bottom: [0, 1] } as const;

/** The route starts on one of the offered ports and its first segment leaves at a right angle to that port's side. */
function assertLeaves(points: Point[], ports: Port[], label: string, stub: number = ROUTING.stub): void {
  const p = points[0], q = points[1];
  const port = ports.find((x) => x.x === p.x && x.y === p.y);
  assert.ok(port, `${label}: starts on an offered port (${JSON.stringify(p)})`);
  const [dx, dy] = OUTWARD[port.side];
  const len = Math.hypot(q.x - p.x, q.y - p.y);
  assert.ok(len >= stub - 1e-9, `${label}: the end segment is at least a stub long (${len})`);
  assert.deepEqual([Math.sign(q.x - p.x), Math.sign(q.y - p.y)], [dx, dy], `${label}: leaves the ${port.side} side outward`);
}

const box = (x: number, y: number, w = 200, h = 120): Rect => ({ x, y, w, h });

test('a line between two boxes goes around a third box that sits on the straight line, with the margin kept', () => {
  const a = box(0, 0), c = box(400, -20, 200, 160), b = box(800, 0);
  const all = [a, c, b];
  for (const [from, to] of [[sidePorts(a, b), sidePorts(b, a)], [rowPorts(a, 60), rowPorts(b, 60)]]) {
    const r = route(all, from, to);
    assertOrthogonal(r.points);
    assert.equal(r.crossings, 0);
    assert.deepEqual(boxesCrossed(r.points, [c]), [], 'does not pass through the middle box');
    // Away from the ends, the line keeps the clearance from the middle box.
    assert.deepEqual(boxesCrossed(r.points.slice(1, -1), [c], ROUTING.margin - 1e-6), [], 'keeps the margin');
    assertLeaves(r.points, from, 'start');
    assertLeaves([...r.points].reverse(), to, 'end');
  }
});

test('end segments leave and enter at right angles to the box side, on a sensible side', () => {
  const a = box(0, 0);
  // b to the right, below, to the left, above a: the route uses the facing sides.
  const cases: [Rect, string, string][] = [[box(500, 40), 'right', 'left'], [box(30, 400), 'bottom', 'top'], [box(-600, -30), 'left', 'right'], [box(-20, -500), 'top', 'bottom']];
  for (const [b, sa, sb] of cases) {
    const from = sidePorts(a, b), to = sidePorts(b, a);
    const { points } = route([a, b], from, to);
    assertOrthogonal(points);
    assertLeaves(points, from, `to ${sb}`);
    assertLeaves([...points].reverse(), to, `from ${sa}`);
    assert.equal(from.find((p) => p.x === points[0].x && p.y === points[0].y)?.side, sa);
    assert.equal(to.find((p) => p.x === points[points.length - 1].x && p.y === points[points.length - 1].y)?.side, sb);
  }
});

test('ERD column ports: the line starts at the referencing column row and ends at the referenced one', () => {
  const a = box(0, 0, 240, 200), b = box(600, 300, 240, 200);
  const { points } = route([a, b], columnPorts(a, 2), columnPorts(b, 0));
  assert.equal(points[0].y, a.y + BOX.header + 2 * BOX.row + BOX.row / 2);
  assert.equal(points[0].x, a.x + a.w, 'out of the side facing b');
  assert.equal(points[points.length - 1].y, b.y + BOX.header + BOX.row / 2);
  assert.equal(points[points.length - 1].x, b.x);
  // A self reference loops out and back in, clear of its own box.
  const self = route([a], columnPorts(a, 1), columnPorts(a, 3));
  assertOrthogonal(self.points);
  assert.deepEqual(boxesCrossed(self.points, [a]), []);
});

test('deterministic: the same input gives the same route, whatever the order of the boxes', () => {
  const boxes = [box(0, 0), box(300, -40, 150, 300), box(600, 100), box(250, 320, 300, 80), box(280, -260, 240, 150)];
  const from = sidePorts(boxes[0], boxes[2]), to = sidePorts(boxes[2], boxes[0]);
  const first = route(boxes, from, to);
  assert.deepEqual(route(boxes, from, to), first);
  assert.deepEqual(route([...boxes].reverse(), from, to), first);
  assert.deepEqual(route([boxes[3], boxes[1], boxes[4], boxes[0], boxes[2]], from, to), first);
  assert.deepEqual(boxesCrossed(first.points, boxes.slice(1, 2).concat(boxes.slice(3))), []);
});

test('no clear path: the route still connects the ports and crosses as few boxes as it must', () => {
  // b is walled in on every side by one ring of boxes touching each other: any route crosses exactly one wall.
  const a = box(-900, 100);
  const b = box(0, 0);
  const walls = [box(-100, -100, 400, 60), box(-100, 160, 400, 60), box(-100, -40, 60, 200), box(240, -40, 60, 200)];
  const all = [a, b, ...walls];
  const from = sidePorts(a, b), to = sidePorts(b, a);
  const r = route(all, from, to);
  assertOrthogonal(r.points);
  assertLeaves(r.points, from, 'start');
  assert.equal(r.crossings, 1);
  assert.equal(boxesCrossed(r.points, walls).length, 1, 'one wall crossed');
  assert.deepEqual(boxesCrossed(r.points, [a]), [], 'never back through its own box');
});

test('200 entities / 300 relationships of a laid-out ERD: every line clear of every box it does not join', () => {
  const m = layoutErd(generatedErd(200, 300));
  const boxes = new Map([...erdBoxes(m)].map(([k, b]) => [k, { x: b.x, y: b.y, w: b.width, h: b.height }]));
  const all = [...boxes.values()];
  const entity = new Map(m.entities.map((e) => [e.name, e]));
  const column = (e: string, c: string) => entity.get(e)?.columns.findIndex((x) => x.name === c) ?? -1;
  let routed = 0;
  for (const rel of m.relationships) {
    const a = boxes.get(rel.from.entity) as Rect, b = boxes.get(rel.to.entity) as Rect;
    const from = columnPorts(a, column(rel.from.entity, rel.from.columns[0]));
    const to = columnPorts(b, column(rel.to.entity, rel.to.columns[0]));
    const r = route(all, from, to);
    assertOrthogonal(r.points);
    assertLeaves(r.points, from, rel.name);
    assertLeaves([...r.points].reverse(), to, rel.name);
    const others = all.filter((x) => x !== a && x !== b);
    assert.deepEqual(boxesCrossed(r.points, others), [], `${rel.name} crosses no other box`);
    assert.deepEqual(boxesCrossed(r.points, [a, b]), [], `${rel.name} does not cut back through its own boxes`);
    assert.equal(r.crossings, 0);
    // As drawn, with the line's lane in its channel: still orthogonal, leaving right, clear of every box.
    const drawn = drawRoute(all, from, to, spreadOf(rel.name)).points;
    assertOrthogonal(drawn);
    // A lane moves the end pieces' inner ends by two steps at most: still longer than the widest end marker (20px).
    const shortest = ROUTING.stub - 2 * ROUTING.spread;
    assert.ok(shortest > 20);
    assertLeaves(drawn, from, `${rel.name} (drawn)`, shortest);
    assertLeaves([...drawn].reverse(), to, `${rel.name} (drawn)`, shortest);
    assert.deepEqual(boxesCrossed(drawn, all), [], `${rel.name} (drawn) crosses no box`);
    routed++;
  }
  assert.equal(routed, 300);
});

test('star layout: every fact-dimension line clear of the other boxes', () => {
  const { catalog } = tpch();
  const star = layoutStar(proposeStar(proposeErd(catalog, { name: 't' }), catalog));
  const boxes = new Map([...starBoxes(star)].map(([k, b]) => [k, { x: b.x, y: b.y, w: b.width, h: b.height }]));
  const all = [...boxes.values()];
  let n = 0;
  for (const f of star.facts) {
    for (const d of f.dimensions) {
      const a = boxes.get(f.name) as Rect, b = boxes.get(d.dimension) as Rect;
      const r = route(all, sidePorts(a, b), sidePorts(b, a));
      assert.deepEqual(boxesCrossed(r.points, all.filter((x) => x !== a && x !== b)), [], `${f.name} -> ${d.dimension}`);
      n++;
    }
  }
  assert.ok(n > 0);
});

test('path data: straight ends, rounded corners; label point halfway along; lanes of parallel lines', () => {
  const pts = [{ x: 0, y: 0 }, { x: 100, y: 0 }, { x: 100, y: 50 }, { x: 200, y: 50 }];
  assert.equal(pathData(pts), 'M0,0 L94,0 Q100,0 100,6 L100,44 Q100,50 106,50 L200,50');
  assert.equal(pathData(pts, 0), 'M0,0 L100,0 Q100,0 100,0 L100,50 Q100,50 100,50 L200,50');
  assert.deepEqual(midpoint(pts), { x: 100, y: 25 });
  // The label sits at the middle: beside a vertical stretch (not over the line), above a horizontal one.
  assert.deepEqual(labelPlace(pts), { x: 106, y: 29, anchor: 'start' });
  assert.deepEqual(labelPlace([{ x: 0, y: 0 }, { x: 100, y: 0 }]), { x: 50, y: -4, anchor: 'middle' });
  // Parallel lines (roles) ask for their outer side: above for the upper lane, below for the lower one.
  assert.deepEqual(labelPlace([{ x: 0, y: 0 }, { x: 100, y: 0 }], [], -7), { x: 50, y: -4, anchor: 'middle' });
  assert.deepEqual(labelPlace([{ x: 0, y: 0 }, { x: 100, y: 0 }], [], 7), { x: 50, y: 13, anchor: 'middle' });
  // A box right of that vertical stretch: the label moves to its other side rather than under the box.
  assert.deepEqual(labelPlace(pts, [{ x: 110, y: 0, w: 200, h: 40 }]), { x: 94, y: 29, anchor: 'end' });
  // Boxes on both sides of the middle: the label goes to another segment, clear of both.
  const walled = labelPlace(pts, [{ x: 110, y: 0, w: 200, h: 40 }, { x: 0, y: 10, w: 94, h: 30 }]);
  assert.notEqual(walled.x, 100 + 6);
  assert.ok(walled.y < 0 || walled.y > 50, `placed on a horizontal stretch: ${JSON.stringify(walled)}`);
  const drawn = drawRoute([box(0, 0), box(500, 0)], sidePorts(box(0, 0), box(500, 0)), sidePorts(box(500, 0), box(0, 0)));
  assert.match(drawn.d, /^M200,60 L500,60$/);
  assert.deepEqual(drawn.mid, { x: 350, y: 60 });
  assert.deepEqual(laneOffsets([{ from: 'f', to: 'd' }, { from: 'f', to: 'e' }, { from: 'd', to: 'f' }]), [-ROUTING.lane / 2, 0, ROUTING.lane / 2]);
  // Two lanes between the same boxes give two separate parallel lines.
  const l1 = route([box(0, 0), box(500, 0)], sidePorts(box(0, 0), box(500, 0), -7), sidePorts(box(500, 0), box(0, 0), -7));
  const l2 = route([box(0, 0), box(500, 0)], sidePorts(box(0, 0), box(500, 0), 7), sidePorts(box(500, 0), box(0, 0), 7));
  assert.deepEqual(l1.points.map((p) => p.y), [53, 53]);
  assert.deepEqual(l2.points.map((p) => p.y), [67, 67]);
});

test('the SVG export draws the same routes as the editors, clear of the boxes they do not join', () => {
  const m = layoutErd(generatedErd(60, 90, 3));
  const [svg] = exportModel(m, 'svg');
  const drawn = [...svg.text.matchAll(/<g class="rel" data-from="([^"]+)" data-to="([^"]+)"><path d="([^"]+)"/g)];
  assert.equal(drawn.length, m.relationships.length);
  const boxes = new Map([...erdBoxes(m)].map(([k, b]) => [k, { x: b.x, y: b.y, w: b.width, h: b.height }]));
  const all = [...boxes.values()];
  const entity = new Map(m.entities.map((e) => [e.name, e]));
  m.relationships.forEach((rel, i) => {
    const [, from, to, d] = drawn[i];
    assert.deepEqual([from, to], [rel.from.entity, rel.to.entity]);
    const a = boxes.get(from) as Rect, b = boxes.get(to) as Rect;
    const col = (e: string, c: string) => entity.get(e)?.columns.findIndex((x) => x.name === c) ?? -1;
    // Same path data the editor computes for this line (webview/erd/main.ts routes with these ports).
    const expected = drawRoute(all, columnPorts(a, col(from, rel.from.columns[0])), columnPorts(b, col(to, rel.to.columns[0])), spreadOf(rel.name));
    assert.equal(d, expected.d);
    // Corners of the drawn path (M/L ends and Q control points) form the orthogonal route: clear of other boxes.
    const corners = [...d.matchAll(/(-?[\d.]+),(-?[\d.]+)/g)].map((x) => ({ x: Number(x[1]), y: Number(x[2]) }));
    const poly = corners.filter((p, k) => k === 0 || p.x !== corners[k - 1].x || p.y !== corners[k - 1].y);
    const axis = poly.filter((p, k) => k === 0 || k === poly.length - 1 || !(p.x !== poly[k - 1].x && p.y !== poly[k - 1].y));
    assert.deepEqual(boxesCrossed(axis, all.filter((x) => x !== a && x !== b)), [], `${rel.name}: ${d}`);
  });
});

test('a very large diagram: near lines still route clear; a line across all of it stays within the search budget', () => {
  // 2,000 boxes in rows and columns, each nudged more than the gaps between them: no straight channel crosses the
  // diagram and almost no two boxes share a side coordinate (a grid over all of them is far over the search budget).
  const boxes: Rect[] = [];
  for (let row = 0; row < 40; row++) for (let c = 0; c < 50; c++) boxes.push(box(c * 170 + ((row * 37 + c * 11) % 90), row * 130 + ((c * 23 + row * 7) % 80), 100, 60));
  const at = (row: number, c: number) => boxes[row * 50 + c];
  const near = route(boxes, sidePorts(at(10, 10), at(12, 13)), sidePorts(at(12, 13), at(10, 10)));
  assertOrthogonal(near.points);
  assert.deepEqual(boxesCrossed(near.points, boxes.filter((r) => r !== at(10, 10) && r !== at(12, 13))), []);
  const far = route(boxes, sidePorts(at(0, 0), at(39, 49)), sidePorts(at(39, 49), at(0, 0)));
  assertOrthogonal(far.points);
  assertLeaves(far.points, sidePorts(at(0, 0), at(39, 49)), 'far start');
  assertLeaves([...far.points].reverse(), sidePorts(at(39, 49), at(0, 0)), 'far end');
  assert.ok(far.crossings > 0, 'no clear simple shape, no affordable search: it crosses boxes');
  assert.equal(far.crossings, boxesCrossed(far.points, boxes).length, 'crossings reported as drawn');
});

test('lines sharing a channel get their own lanes: a stable lane per line id, inner segments moved, ends kept', () => {
  assert.equal(spreadOf('orders_customer'), spreadOf('orders_customer'));
  const lanes = new Set(Array.from({ length: 200 }, (_, i) => spreadOf(`rel_${i}`)));
  assert.deepEqual([...lanes].sort((x, y) => x - y), [-2, -1, 0, 1, 2]);
  // Z-shaped route: the middle (vertical) segment moves across, the two end pieces keep their ports.
  const a = box(0, 0), b = box(600, 200);
  const ports = [columnPorts(a, 0), columnPorts(b, 2)] as const;
  const plain = drawRoute([a, b], ...ports, 0).points;
  const moved = drawRoute([a, b], ...ports, 2).points;
  assert.ok(plain.length >= 4, JSON.stringify(plain));
  assert.deepEqual(moved[0], plain[0]);
  assert.deepEqual(moved[moved.length - 1], plain[plain.length - 1]);
  const shift = plain.slice(1, -1).map((p, k) => Math.abs(moved[k + 1].x - p.x) + Math.abs(moved[k + 1].y - p.y));
  assert.ok(shift.every((d) => d === 2 * ROUTING.spread), `inner corners move by two steps: ${shift}`);
});
