/**
 * Orthogonal routing of relationship lines around boxes, pure (no DOM), shared
 * by the ERD and star editors and the SVG/PNG export so they draw the same lines.
 *
 * A line leaves its first box through one of the offered ports (a point on a
 * box side), goes straight out a short stub (so a crow's-foot marker sits flat
 * on the side), then follows horizontal and vertical segments that keep
 * `margin` away from every box, and enters the second box through one of its
 * ports the same way. The path is found by A* over a sparse grid whose lines
 * are the box sides (pushed out by the margin) near the two ends (the window
 * widens only when nothing near is clear); cost =
 * length + a penalty per bend + a large penalty per box entered, so when no
 * clear path exists the route with the fewest boxes crossed wins. Simple
 * shapes (straight, L, Z) are tried first: most lines take one, at a fraction
 * of the search's cost, which keeps a drag of a busy box smooth.
 */

import { BOX } from './layout';

export interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface Point {
  x: number;
  y: number;
}

export type Side = 'left' | 'right' | 'top' | 'bottom';

/** Where a line may meet a box: a point on the box's border and the side it lies on. */
export interface Port extends Point {
  side: Side;
}

export interface Routed {
  /** The polyline, from the first box's border to the second's; every segment horizontal or vertical. */
  points: Point[];
  /** Boxes the line passes through (its own two only if it cuts back through them): 0 unless no clear path exists. */
  crossings: number;
}

export const ROUTING = {
  /** Clearance kept from every box. */
  margin: 14,
  /** Straight piece out of a box: longer than the widest end marker (20px), so markers never sit on a bend. */
  stub: 30,
  /** Sideways step between lines sharing a channel (two steps each way stay well inside the margin). */
  spread: 3,
  /** Cost of one bend, in pixels of length: a bend is worth this much of a detour. */
  bend: 40,
  /** Cost of entering a box (the fallback when nothing is clear): more than any detour. */
  cross: 1e6,
  /** How far past the two ends the search looks first; it widens (4 times, then every box) only when nothing there is clear. */
  window: 160,
  /**
   * Weight on A*'s estimate of the remaining cost: above 1 the search heads for the goal and expands about
   * half the states (measured on the 200-entity ERD), for routes 0.3% longer with 1% more bends.
   */
  greed: 1.2,
  /** Largest search grid (nodes); a bigger one (a window over thousands of boxes) is not searched. */
  maxNodes: 250_000,
  /** Corner radius of the drawn path. */
  radius: 6,
  /** Distance between parallel lines joining the same two boxes. */
  lane: 14,
} as const;

const OUT: Record<Side, Point> = { left: { x: -1, y: 0 }, right: { x: 1, y: 0 }, top: { x: 0, y: -1 }, bottom: { x: 0, y: 1 } };
const horizontal = (s: Side) => s === 'left' || s === 'right';

// ---------------------------------------------------------------- ports

/** A row of a box (ERD column): the points at that height on its left and right sides. */
export function rowPorts(r: Rect, y: number): Port[] {
  const py = Math.min(r.y + r.h, Math.max(r.y, y));
  return [{ x: r.x, y: py, side: 'left' }, { x: r.x + r.w, y: py, side: 'right' }];
}

/** An ERD column's ports: its row's middle on both sides (index -1: the title row). */
export function columnPorts(r: Rect, index: number): Port[] {
  return rowPorts(r, r.y + (index >= 0 ? BOX.header + index * BOX.row + BOX.row / 2 : BOX.header / 2));
}

/**
 * One port per side, each placed on its side facing `other`: where the two boxes face each other
 * (their spans overlap), in the middle of that overlap, the same point for both boxes so the line
 * runs straight; otherwise as near as it can be to `other`'s centre. Kept off the corners, and
 * shifted along the side by `lane` pixels so parallel lines stay apart.
 */
export function sidePorts(r: Rect, other: Rect, lane = 0): Port[] {
  const px = facing(r.x, r.w, other.x, other.w, lane);
  const py = facing(r.y, r.h, other.y, other.h, lane);
  return [
    { x: px, y: r.y, side: 'top' },
    { x: px, y: r.y + r.h, side: 'bottom' },
    { x: r.x, y: py, side: 'left' },
    { x: r.x + r.w, y: py, side: 'right' },
  ];
}

/** Position along one axis of a port on a side of the span [s, s + len) facing the span [o, o + olen). */
function facing(s: number, len: number, o: number, olen: number, lane: number): number {
  const inset = Math.min(ROUTING.stub, len / 2);
  const oInset = Math.min(ROUTING.stub, olen / 2);
  const lo = Math.max(s + inset, o + oInset), hi = Math.min(s + len - inset, o + olen - oInset);
  const want = lo <= hi ? (lo + hi) / 2 + lane : o + olen / 2 + lane;
  return Math.min(s + len - inset, Math.max(s + inset, want));
}

/** Per pair, its lane: the k-th of n pairs joining the same two boxes gets (k - (n-1)/2) * ROUTING.lane. */
export function laneOffsets(pairs: readonly { from: string; to: string }[]): number[] {
  const key = (p: { from: string; to: string }) => [p.from, p.to].sort().join('\u0000');
  const groups = new Map<string, number[]>();
  pairs.forEach((p, i) => (groups.get(key(p)) ?? groups.set(key(p), []).get(key(p)))?.push(i));
  const out = new Array<number>(pairs.length).fill(0);
  for (const idx of groups.values()) idx.forEach((i, k) => (out[i] = (k - (idx.length - 1) / 2) * ROUTING.lane));
  return out;
}

// ---------------------------------------------------------------- route

interface End {
  port: Port;
  /** The end of the stub, where the free part of the route starts or ends. */
  stub: Point;
  /** Axis of the stub: 0 horizontal, 1 vertical. */
  axis: number;
}

function ends(ports: readonly Port[]): End[] {
  return ports.map((port) => {
    const d = OUT[port.side];
    return { port, stub: { x: port.x + d.x * ROUTING.stub, y: port.y + d.y * ROUTING.stub }, axis: horizontal(port.side) ? 0 : 1 };
  });
}

/**
 * The route from one of `from` to one of `to` around `boxes` (all boxes of the diagram, the two
 * ends included: the route does not cut back through its own boxes either). Deterministic.
 */
export function route(boxes: readonly Rect[], from: readonly Port[], to: readonly Port[]): Routed {
  const a = ends(from);
  const b = ends(to);
  if (a.length === 0 || b.length === 0) return { points: [], crossings: 0 };
  const simple = simpleRoute(boxes, a, b);
  if (simple) return { points: simple, crossings: 0 };
  // Search near the ends first; only when every path there enters a box, look wider, then at the whole diagram,
  // unless that many entries cannot be avoided anyway (a stub covered by an overlapping box).
  const least = unavoidable(boxes, a, b);
  let best: Found | null = null;
  for (const pad of [ROUTING.window, ROUTING.window * 4, Infinity]) {
    const w = Number.isFinite(pad) ? bounds(a, b, pad) : around(boxes, bounds(a, b, ROUTING.window));
    const found = search(boxes.filter((r) => overlaps(r, w)), a, b, w);
    if (found && (!best || found.entries < best.entries)) best = found;
    if (best && best.entries <= least) break;
  }
  const points = best?.points ?? leastCrossed(boxes, a, b);
  return { points, crossings: crossings(boxes, points) };
}

/** The last resort (no search fitted in its budget): of the simple shapes, the one crossing the fewest boxes. */
function leastCrossed(boxes: readonly Rect[], a: End[], b: End[]): Point[] {
  let best = straight(a[0], b[0]);
  let bestKey = [Infinity, Infinity];
  for (const s of a) {
    for (const t of b) {
      for (const mid of shapes(s, t)) {
        const pts = simplify([s.port, s.stub, ...mid, t.stub, t.port]);
        const key = [crossings(boxes, pts), cost(pts)];
        if (key[0] < bestKey[0] || (key[0] === bestKey[0] && key[1] < bestKey[1])) {
          best = pts;
          bestKey = key;
        }
      }
    }
  }
  return best;
}

/** Boxes any route must enter: those covering the end of a stub of `b` but not of `a` (fewest over the pairs). */
function unavoidable(boxes: readonly Rect[], a: End[], b: End[]): number {
  const m = ROUTING.margin;
  const cover = (p: Point) => boxes.filter((r) => p.x > r.x - m && p.x < r.x + r.w + m && p.y > r.y - m && p.y < r.y + r.h + m);
  let least = Infinity;
  for (const s of a) {
    const from = new Set(cover(s.stub));
    for (const t of b) least = Math.min(least, cover(t.stub).filter((r) => !from.has(r)).length);
  }
  return least;
}

/** `w` grown to hold every box with room to go around it. */
function around(boxes: readonly Rect[], w: Bounds): Bounds {
  const out = { ...w };
  for (const r of boxes) {
    out.x0 = Math.min(out.x0, r.x - ROUTING.window);
    out.y0 = Math.min(out.y0, r.y - ROUTING.window);
    out.x1 = Math.max(out.x1, r.x + r.w + ROUTING.window);
    out.y1 = Math.max(out.y1, r.y + r.h + ROUTING.window);
  }
  return out;
}

interface Bounds {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

function bounds(a: End[], b: End[], pad: number): Bounds {
  const pts = [...a, ...b].flatMap((e) => [e.stub, e.port]);
  return {
    x0: Math.min(...pts.map((p) => p.x)) - pad,
    y0: Math.min(...pts.map((p) => p.y)) - pad,
    x1: Math.max(...pts.map((p) => p.x)) + pad,
    y1: Math.max(...pts.map((p) => p.y)) + pad,
  };
}

function overlaps(r: Rect, w: Bounds): boolean {
  return r.x - ROUTING.margin < w.x1 && r.x + r.w + ROUTING.margin > w.x0 && r.y - ROUTING.margin < w.y1 && r.y + r.h + ROUTING.margin > w.y0;
}

function straight(a: End, b: End): Point[] {
  return simplify([a.port, a.stub, b.stub, b.port]);
}

/** Boxes whose inside a route passes through. A box the route starts or ends on counts only if the route crosses it elsewhere. */
export function crossings(boxes: readonly Rect[], points: readonly Point[]): number {
  let n = 0;
  for (const r of boxes) {
    for (let i = 1; i < points.length; i++) {
      if (segmentInside(points[i - 1], points[i], r, 0)) {
        n++;
        break;
      }
    }
  }
  return n;
}

/** Does the axis-parallel segment p-q pass through the inside of `r` grown by `m` (touching its border is fine)? */
function segmentInside(p: Point, q: Point, r: Rect, m: number): boolean {
  const x0 = r.x - m, x1 = r.x + r.w + m, y0 = r.y - m, y1 = r.y + r.h + m;
  const e = 1e-6;
  const sx0 = Math.min(p.x, q.x), sx1 = Math.max(p.x, q.x), sy0 = Math.min(p.y, q.y), sy1 = Math.max(p.y, q.y);
  return sx1 > x0 + e && sx0 < x1 - e && sy1 > y0 + e && sy0 < y1 - e
    // A segment lying on the border line (zero width) touches, it does not enter.
    || (sx0 === sx1 && sx0 > x0 + e && sx0 < x1 - e && sy1 > y0 + e && sy0 < y1 - e)
    || (sy0 === sy1 && sy0 > y0 + e && sy0 < y1 - e && sx1 > x0 + e && sx0 < x1 - e);
}

// ---------------------------------------------------------------- simple shapes

/** The cheapest clear straight, L or Z route between any pair of ends, or null when none is clear. */
function simpleRoute(boxes: readonly Rect[], a: End[], b: End[]): Point[] | null {
  let best: Point[] | null = null;
  let bestCost = Infinity;
  for (const s of a) {
    for (const t of b) {
      for (const mid of shapes(s, t)) {
        const pts = simplify([s.port, s.stub, ...mid, t.stub, t.port]);
        const c = cost(pts);
        if (c >= bestCost || !clear(boxes, pts)) continue;
        best = pts;
        bestCost = c;
      }
    }
  }
  return best;
}

/**
 * Corner points between two stubs: straight, the Z's bending halfway along either axis, and both L's.
 * In this order, because among equally cheap shapes the first wins: a Z bends in the middle of the gap.
 */
function shapes(s: End, t: End): Point[][] {
  const p = s.stub, q = t.stub;
  const mx = (p.x + q.x) / 2, my = (p.y + q.y) / 2;
  return [[], [{ x: mx, y: p.y }, { x: mx, y: q.y }], [{ x: p.x, y: my }, { x: q.x, y: my }], [{ x: q.x, y: p.y }], [{ x: p.x, y: q.y }]];
}

/** Length plus bends; a path that doubles back on itself (a U-turn) is never a candidate. */
function cost(pts: readonly Point[]): number {
  let c = 0;
  for (let i = 1; i < pts.length; i++) {
    const p = pts[i - 1], q = pts[i];
    if (p.x !== q.x && p.y !== q.y) return Infinity;
    c += Math.abs(q.x - p.x) + Math.abs(q.y - p.y);
    if (i >= 2) {
      const o = pts[i - 2];
      const dot = (p.x - o.x) * (q.x - p.x) + (p.y - o.y) * (q.y - p.y);
      if (dot < 0) return Infinity;
      c += ROUTING.bend;
    }
  }
  return c;
}

/** First and last segments are the stubs out of the end boxes: checked against the other boxes only. */
function clear(boxes: readonly Rect[], pts: readonly Point[]): boolean {
  const last = pts.length - 1;
  for (let i = 1; i < pts.length; i++) {
    const p = pts[i - 1], q = pts[i];
    const m = i === 1 || i === last ? 0 : ROUTING.margin;
    for (const r of boxes) if (segmentInside(p, q, r, m)) return false;
  }
  return true;
}

/** Drop repeated points and the middle one of three in a line. */
function simplify(pts: readonly Point[]): Point[] {
  const out: Point[] = [];
  for (const p of pts) {
    const last = out[out.length - 1];
    if (last && last.x === p.x && last.y === p.y) continue;
    const prev = out[out.length - 2];
    if (prev && last && ((prev.x === last.x && last.x === p.x) || (prev.y === last.y && last.y === p.y))) {
      // Collinear: keep going straight (a U-turn is kept, it is not straight).
      const dot = (last.x - prev.x) * (p.x - last.x) + (last.y - prev.y) * (p.y - last.y);
      if (dot >= 0) out.pop();
    }
    out.push({ x: p.x, y: p.y });
  }
  return out;
}

// ---------------------------------------------------------------- grid search

/** Search buffers reused across routes (a first paint routes hundreds of lines): grown, never shrunk. */
let cap = 0;
let gCost = new Float64Array(0);
let parent = new Int32Array(0);
let stamp = new Uint32Array(0);
let generation = 0;

function buffers(states: number): void {
  if (states > cap) {
    cap = Math.max(states, cap * 2);
    gCost = new Float64Array(cap);
    parent = new Int32Array(cap);
    stamp = new Uint32Array(cap);
    generation = 0;
  }
  generation++;
  if (generation === 0xffffffff) {
    stamp.fill(0);
    generation = 1;
  }
}

/** Sorted distinct values. */
function coords(values: number[]): Float64Array {
  const a = Float64Array.from(values).sort();
  let n = 0;
  for (let i = 0; i < a.length; i++) if (i === 0 || a[i] !== a[n - 1]) a[n++] = a[i];
  return a.slice(0, n);
}

function indexOf(a: Float64Array, v: number): number {
  let lo = 0, hi = a.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (a[mid] < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

interface Grid {
  xs: Float64Array;
  ys: Float64Array;
  /** Node strictly inside a box grown by the margin. */
  inside: Uint8Array;
  /** Segment from node (i, j) to (i+1, j) / (i, j+1) passes through a grown box. */
  hBlocked: Uint8Array;
  vBlocked: Uint8Array;
}

/** The search grid over window `w`, or null when it would exceed ROUTING.maxNodes. */
function grid(boxes: readonly Rect[], a: End[], b: End[], w: Bounds): Grid | null {
  const m = ROUTING.margin;
  const xv = [w.x0, w.x1], yv = [w.y0, w.y1];
  for (const r of boxes) {
    xv.push(r.x - m, r.x + r.w + m);
    yv.push(r.y - m, r.y + r.h + m);
  }
  for (const e of [...a, ...b]) {
    xv.push(e.stub.x);
    yv.push(e.stub.y);
  }
  // Halfway lines between the ends, where a Z-shaped route bends.
  xv.push((a[0].stub.x + b[0].stub.x) / 2);
  yv.push((a[0].stub.y + b[0].stub.y) / 2);
  // The grid stays inside the window, so a route never meets a box that was left out as not overlapping it.
  const xs = coords(xv.filter((x) => x >= w.x0 && x <= w.x1)), ys = coords(yv.filter((y) => y >= w.y0 && y <= w.y1));
  const nx = xs.length, ny = ys.length;
  if (nx * ny > ROUTING.maxNodes) return null;
  const { inside, hBlocked, vBlocked } = flags(nx * ny);
  for (const r of boxes) {
    // Grid lines strictly inside the grown box: nodes there are inside; segments reaching into it are blocked.
    const i0 = firstAbove(xs, r.x - m), i1 = lastBelow(xs, r.x + r.w + m), j0 = firstAbove(ys, r.y - m), j1 = lastBelow(ys, r.y + r.h + m);
    for (let j = Math.max(0, j0 - 1); j <= j1; j++) {
      for (let i = Math.max(0, i0 - 1); i <= i1; i++) {
        const k = j * nx + i;
        const inY = j >= j0, inX = i >= i0;
        if (inX && inY) inside[k] = 1;
        if (inY && i < nx - 1) hBlocked[k] = 1;
        if (inX && j < ny - 1) vBlocked[k] = 1;
      }
    }
  }
  return { xs, ys, inside, hBlocked, vBlocked };
}

let flagCap = 0;
let flagBuf = { inside: new Uint8Array(0), hBlocked: new Uint8Array(0), vBlocked: new Uint8Array(0) };

/** Cleared per-node flags for `n` nodes, from buffers reused across searches. */
function flags(n: number): { inside: Uint8Array; hBlocked: Uint8Array; vBlocked: Uint8Array } {
  if (n > flagCap) {
    flagCap = Math.max(n, flagCap * 2);
    flagBuf = { inside: new Uint8Array(flagCap), hBlocked: new Uint8Array(flagCap), vBlocked: new Uint8Array(flagCap) };
  } else {
    flagBuf.inside.fill(0, 0, n);
    flagBuf.hBlocked.fill(0, 0, n);
    flagBuf.vBlocked.fill(0, 0, n);
  }
  return flagBuf;
}

/** First index whose value is above `v` (the length when none). */
function firstAbove(a: Float64Array, v: number): number {
  let lo = 0, hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (a[mid] <= v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Last index whose value is below `v` (-1 when none). */
function lastBelow(a: Float64Array, v: number): number {
  let lo = 0, hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (a[mid] < v) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

/**
 * Binary min-heap of states by f; among equal f the deeper one (larger g) first, which sends A* straight
 * at the goal instead of widening over the many equally short grid paths; then by state number, so the
 * result is deterministic.
 */
class Heap {
  private readonly f: number[] = [];
  private readonly g: number[] = [];
  private readonly items: number[] = [];
  /** Of the last pop. */
  topG = 0;

  get size(): number {
    return this.items.length;
  }

  /** Does (f1, g1, s1) come before the entry at k? */
  private before(f1: number, g1: number, s1: number, k: number): boolean {
    const f2 = this.f[k], g2 = this.g[k];
    return f1 < f2 || (f1 === f2 && (g1 > g2 || (g1 === g2 && s1 < this.items[k])));
  }

  push(item: number, f: number, g: number): void {
    let i = this.items.length;
    this.items.push(item);
    this.f.push(f);
    this.g.push(g);
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.before(f, g, item, p)) break;
      this.move(p, i);
      i = p;
    }
    this.set(i, item, f, g);
  }

  pop(): number {
    const top = this.items[0];
    this.topG = this.g[0];
    const item = this.items.pop() as number;
    const f = this.f.pop() as number;
    const g = this.g.pop() as number;
    const n = this.items.length;
    if (n === 0) return top;
    let i = 0;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      if (c + 1 < n && this.before(this.f[c + 1], this.g[c + 1], this.items[c + 1], c)) c++;
      if (this.before(f, g, item, c)) break;
      this.move(c, i);
      i = c;
    }
    this.set(i, item, f, g);
    return top;
  }

  private move(from: number, to: number): void {
    this.items[to] = this.items[from];
    this.f[to] = this.f[from];
    this.g[to] = this.g[from];
  }

  private set(i: number, item: number, f: number, g: number): void {
    this.items[i] = item;
    this.f[i] = f;
    this.g[i] = g;
  }
}

interface Found {
  points: Point[];
  /** Boxes entered on the way (a stub that starts inside a box, where boxes overlap, does not count: no route avoids it). */
  entries: number;
}

/** A* from any stub of `a` to any stub of `b`; state = grid node x axis of the last move (a bend = an axis change). */
function search(boxes: readonly Rect[], a: End[], b: End[], w: Bounds): Found | null {
  const built = grid(boxes, a, b, w);
  if (!built) return null;
  const { xs, ys, inside, hBlocked, vBlocked } = built;
  const nx = xs.length, ny = ys.length;
  buffers(nx * ny * 2);
  const gen = generation;
  const goals = b.map((e) => ({ node: indexOf(ys, e.stub.y) * nx + indexOf(xs, e.stub.x), axis: e.axis, x: e.stub.x, y: e.stub.y }));
  // Admissible: Manhattan distance, plus one bend when not in line with the goal (an orthogonal path needs one).
  const h = (i: number, j: number) => {
    let best = Infinity;
    for (const g of goals) {
      const dx = Math.abs(xs[i] - g.x), dy = Math.abs(ys[j] - g.y);
      best = Math.min(best, dx + dy + (dx > 0 && dy > 0 ? ROUTING.bend : 0));
    }
    return best;
  };
  const heap = new Heap();
  for (const e of a) {
    const i = indexOf(xs, e.stub.x), j = indexOf(ys, e.stub.y);
    const s = (j * nx + i) * 2 + e.axis;
    if (stamp[s] === gen) continue;
    stamp[s] = gen;
    gCost[s] = 0;
    parent[s] = -1;
    heap.push(s, ROUTING.greed * h(i, j), 0);
  }
  let bestEnd = -1;
  let bestTotal = Infinity;
  while (heap.size > 0) {
    const s = heap.pop();
    const g = heap.topG;
    // A stale entry (the state was reached more cheaply since; the bend term makes h inconsistent, so states may reopen).
    if (g > gCost[s]) continue;
    const node = s >> 1, axis = s & 1;
    const i = node % nx, j = (node - i) / nx;
    if (g + h(i, j) >= bestTotal) break;
    for (const goal of goals) {
      if (goal.node !== node) continue;
      const total = g + (goal.axis === axis ? 0 : ROUTING.bend);
      if (total < bestTotal) {
        bestTotal = total;
        bestEnd = s;
      }
    }
    for (let dir = 0; dir < 4; dir++) {
      const ni = dir === 0 ? i + 1 : dir === 1 ? i - 1 : i;
      const nj = dir === 2 ? j + 1 : dir === 3 ? j - 1 : j;
      if (ni < 0 || ni >= nx || nj < 0 || nj >= ny) continue;
      const n = nj * nx + ni;
      const nAxis = dir < 2 ? 0 : 1;
      const blocked = dir === 0 ? hBlocked[node] : dir === 1 ? hBlocked[n] : dir === 2 ? vBlocked[node] : vBlocked[n];
      const len = Math.abs(xs[ni] - xs[i]) + Math.abs(ys[nj] - ys[j]);
      let c = g + len + (nAxis === axis ? 0 : ROUTING.bend);
      if (blocked) c += inside[node] ? len : ROUTING.cross + len;
      const t = n * 2 + nAxis;
      if (stamp[t] === gen && gCost[t] <= c) continue;
      stamp[t] = gen;
      gCost[t] = c;
      parent[t] = s;
      heap.push(t, c + ROUTING.greed * h(ni, nj), c);
    }
  }
  if (bestEnd < 0) return null;
  const nodes: number[] = [];
  for (let s = bestEnd; s >= 0; s = parent[s]) nodes.push(s >> 1);
  nodes.reverse();
  const first = a.find((e) => indexOf(ys, e.stub.y) * nx + indexOf(xs, e.stub.x) === nodes[0]) ?? a[0];
  const last = b.find((e) => indexOf(ys, e.stub.y) * nx + indexOf(xs, e.stub.x) === nodes[nodes.length - 1]) ?? b[0];
  const mid = nodes.map((k) => ({ x: xs[k % nx], y: ys[Math.floor(k / nx)] }));
  return { points: simplify([first.port, ...mid, last.port]), entries: Math.floor(bestTotal / ROUTING.cross) };
}

// ---------------------------------------------------------------- drawing

export interface DrawnRoute extends Routed {
  /** SVG path data. */
  d: string;
  /** Halfway along the route. */
  mid: Point;
  /** Where its label text goes. */
  label: LabelPlace;
}

/**
 * `route` plus what drawing it needs. `spread` (from `spreadOf(line id)`) moves the route's inner
 * segments a few pixels sideways, so lines that share a channel run side by side, not on top of each
 * other; the move stays inside the clearance, so the route stays clear of every box.
 */
export function drawRoute(boxes: readonly Rect[], from: readonly Port[], to: readonly Port[], spread = 0, labelSide = 0): DrawnRoute {
  const r = route(boxes, from, to);
  const points = spreadInner(r.points, spread * ROUTING.spread);
  return { ...r, points, d: pathData(points), mid: midpoint(points), label: labelPlace(points, boxes, labelSide) };
}

/** A stable lane in -2..2 for a line: the same line keeps its lane in the editor, on every redraw and in exports. */
export function spreadOf(id: string): number {
  let h = 2166136261;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 16777619);
  return ((h >>> 0) % 5) - 2;
}

/** Inner segments (not the end pieces, which hold the ports and markers) moved `by` pixels across their direction. */
function spreadInner(points: readonly Point[], by: number): Point[] {
  const pts = straightened(points);
  // A route that doubles back on its own line is left as it is: moving it could fold its end pieces.
  if (by === 0 || pts.length < 4 || !alternates(pts)) return pts;
  // Segments alternate horizontal / vertical, so each inner corner moves once along each axis at most.
  const out = pts.map((p) => ({ ...p }));
  for (let i = 1; i < pts.length - 2; i++) {
    const vertical = pts[i].x === pts[i + 1].x;
    for (const k of [i, i + 1]) {
      if (vertical) out[k].x = pts[k].x + by;
      else out[k].y = pts[k].y + by;
    }
  }
  return out;
}

/** The same polyline without zero-length segments, and with straight runs (same line, same way) merged. */
function straightened(points: readonly Point[]): Point[] {
  const out: Point[] = [];
  for (const p of points) {
    const last = out[out.length - 1];
    if (last && last.x === p.x && last.y === p.y) continue;
    const prev = out[out.length - 2];
    const sameWay = prev && last && Math.sign(last.x - prev.x) === Math.sign(p.x - last.x) && Math.sign(last.y - prev.y) === Math.sign(p.y - last.y);
    if (sameWay) out[out.length - 1] = { ...p };
    else out.push({ ...p });
  }
  return out;
}

/** Every segment turns a right angle from the one before (no doubling back). */
function alternates(points: readonly Point[]): boolean {
  for (let i = 2; i < points.length; i++) {
    const v1 = points[i - 1].x === points[i - 2].x, v2 = points[i].x === points[i - 1].x;
    if (v1 === v2) return false;
  }
  return true;
}

const fmt = (v: number) => String(Math.round(v * 10) / 10);

/** SVG path data of a route, corners rounded (the end segments stay straight, so end markers orient along them). */
export function pathData(points: readonly Point[], radius: number = ROUTING.radius): string {
  if (points.length === 0) return '';
  const out = [`M${fmt(points[0].x)},${fmt(points[0].y)}`];
  for (let i = 1; i < points.length - 1; i++) {
    const p = points[i - 1], c = points[i], q = points[i + 1];
    const l1 = Math.abs(c.x - p.x) + Math.abs(c.y - p.y), l2 = Math.abs(q.x - c.x) + Math.abs(q.y - c.y);
    const r = Math.min(radius, l1 / 2, l2 / 2);
    const ax = c.x - (Math.sign(c.x - p.x) * r), ay = c.y - (Math.sign(c.y - p.y) * r);
    const bx = c.x + (Math.sign(q.x - c.x) * r), by = c.y + (Math.sign(q.y - c.y) * r);
    out.push(`L${fmt(ax)},${fmt(ay)}`, `Q${fmt(c.x)},${fmt(c.y)} ${fmt(bx)},${fmt(by)}`);
  }
  const end = points[points.length - 1];
  if (points.length > 1) out.push(`L${fmt(end.x)},${fmt(end.y)}`);
  return out.join(' ');
}

/** The point halfway along a route. */
export function midpoint(points: readonly Point[]): Point {
  return halfway(points).at;
}

/** The point halfway along a route, and whether the segment it lies on is vertical. */
function halfway(points: readonly Point[]): { at: Point; vertical: boolean } {
  if (points.length === 0) return { at: { x: 0, y: 0 }, vertical: false };
  let total = 0;
  for (let i = 1; i < points.length; i++) total += Math.hypot(points[i].x - points[i - 1].x, points[i].y - points[i - 1].y);
  let left = total / 2;
  for (let i = 1; i < points.length; i++) {
    const p = points[i - 1], q = points[i];
    const len = Math.hypot(q.x - p.x, q.y - p.y);
    if (len >= left && len > 0) return { at: { x: p.x + ((q.x - p.x) * left) / len, y: p.y + ((q.y - p.y) * left) / len }, vertical: p.x === q.x };
    left -= len;
  }
  return { at: { ...points[points.length - 1] }, vertical: false };
}

export interface LabelPlace extends Point {
  anchor: 'start' | 'middle' | 'end';
}

/** A role or relationship label's assumed extent (11px text, about 12 characters): labels are short names. */
const LABEL = { width: 72, height: 13, gap: 6 };

/**
 * Where a route's label text goes (baseline): beside one of its segments (above a horizontal stretch,
 * left or right of a vertical one, never over the line), the place covering the least of any box,
 * then the one nearest the route's middle.
 */
export function labelPlace(points: readonly Point[], boxes: readonly Rect[] = [], side = 0): LabelPlace {
  const { at } = halfway(points);
  let best: { place: LabelPlace; covered: number; distance: number } | undefined;
  for (const { place, side: s } of labelCandidates(points)) {
    const covered = boxes.reduce((sum, b) => sum + overlapArea(labelRect(place), b), 0);
    // Parallel lines (roles) label on their outer sides, so two labels never sit on each other.
    const distance = Math.abs(place.x - at.x) + Math.abs(place.y - at.y) + (side !== 0 && s !== Math.sign(side) ? 1e4 : 0);
    if (!best || covered < best.covered || (covered === best.covered && distance < best.distance)) best = { place, covered, distance };
  }
  return best?.place ?? { x: at.x, y: at.y - 4, anchor: 'middle' };
}

/** The middle of every segment, each side of it (-1 above or left, 1 below or right); the route's own middle first. */
function labelCandidates(points: readonly Point[]): { place: LabelPlace; side: number }[] {
  const beside = (m: Point, vertical: boolean): { place: LabelPlace; side: number }[] =>
    vertical
      ? [{ place: { x: m.x + LABEL.gap, y: m.y + 4, anchor: 'start' }, side: 1 }, { place: { x: m.x - LABEL.gap, y: m.y + 4, anchor: 'end' }, side: -1 }]
      : [{ place: { x: m.x, y: m.y - 4, anchor: 'middle' }, side: -1 }, { place: { x: m.x, y: m.y + LABEL.height, anchor: 'middle' }, side: 1 }];
  const { at, vertical } = halfway(points);
  const out = beside(at, vertical);
  for (let i = 1; i < points.length; i++) {
    const p = points[i - 1], q = points[i];
    out.push(...beside({ x: (p.x + q.x) / 2, y: (p.y + q.y) / 2 }, p.x === q.x));
  }
  return out;
}

function labelRect(l: LabelPlace): Rect {
  const x = l.anchor === 'start' ? l.x : l.anchor === 'end' ? l.x - LABEL.width : l.x - LABEL.width / 2;
  return { x, y: l.y - LABEL.height + 2, w: LABEL.width, h: LABEL.height };
}

function overlapArea(a: Rect, b: Rect): number {
  const w = Math.min(a.x + a.w, b.x + b.w) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.h, b.y + b.h) - Math.max(a.y, b.y);
  return w > 0 && h > 0 ? w * h : 0;
}
