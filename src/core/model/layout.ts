/**
 * Automatic layout of model diagrams. ERD: layered (longest-path layering
 * along relationship direction, referenced entities on top, barycentre
 * ordering to cut crossings). Star: facts in the middle, dimensions around.
 * Positions already in `layout.positions` are kept unless asked otherwise.
 * The SVG export and the webview editors draw with the same box geometry.
 */
import type { ErdModel, Point, StarModel } from './model-types';

export const BOX = { width: 240, header: 30, row: 20, padding: 8, gapX: 60, gapY: 90, margin: 40 } as const;

export interface Box extends Point {
  width: number;
  height: number;
}

/** Box size for a box listing `rows` lines under its title. */
export function boxSize(rows: number): { width: number; height: number } {
  return { width: BOX.width, height: BOX.header + BOX.row * Math.max(1, rows) + BOX.padding };
}

interface Node {
  name: string;
  width: number;
  height: number;
}

interface Edge {
  from: string;
  to: string;
}

export interface LayoutOptions {
  /** Re-place only these boxes (others keep their positions; unplaced ones are placed too). */
  only?: string[];
  /** Re-place every box, discarding stored positions. */
  all?: boolean;
}

export function layoutErd(model: ErdModel, opts: LayoutOptions = {}): ErdModel {
  const nodes = model.entities.map((e) => ({ name: e.name, ...boxSize(e.columns.length) }));
  const edges = model.relationships.map((r) => ({ from: r.from.entity, to: r.to.entity }));
  return { ...model, layout: { positions: placeSome(nodes, edges, model.layout.positions, opts, layeredLayout) } };
}

/** Boxes of an ERD as drawn: stored positions, and a computed one for any box without. */
export function erdBoxes(model: ErdModel): Map<string, Box> {
  const placed = layoutErd(model).layout.positions;
  return new Map(model.entities.map((e) => [e.name, { ...(placed[e.name] ?? { x: 0, y: 0 }), ...boxSize(e.columns.length) }]));
}

/** Rows a star box lists: facts their measures, dimension keys and degenerates; dimensions their keys and attributes. */
export function starRows(star: StarModel): Map<string, number> {
  const rows = new Map<string, number>();
  // As many rows as the star's tables list (export/tables.ts): header degenerate columns included.
  const headerRows = (f: StarModel['facts'][number]) => (f.headerDegenerate ?? []).reduce((n, h) => n + h.columns.length, 0);
  for (const f of star.facts) rows.set(f.name, f.dimensions.length + f.measures.length + f.degenerate.length + headerRows(f));
  for (const d of star.dimensions) rows.set(d.name, 1 + d.naturalKey.length + d.attributes.length);
  return rows;
}

export function layoutStar(star: StarModel, opts: LayoutOptions = {}): StarModel {
  const rows = starRows(star);
  const nodes = [...rows].map(([name, n]) => ({ name, ...boxSize(n) }));
  const edges = star.facts.flatMap((f) => f.dimensions.map((d) => ({ from: f.name, to: d.dimension })));
  const factNames = new Set(star.facts.map((f) => f.name));
  const radial = (ns: Node[], es: Edge[]) => radialLayout(ns, es, factNames);
  return { ...star, layout: { positions: placeSome(nodes, edges, star.layout.positions, opts, radial) } };
}

export function starBoxes(star: StarModel): Map<string, Box> {
  const placed = layoutStar(star).layout.positions;
  return new Map([...starRows(star)].map(([name, n]) => [name, { ...(placed[name] ?? { x: 0, y: 0 }), ...boxSize(n) }]));
}

type Algorithm = (nodes: Node[], edges: Edge[]) => Map<string, Point>;

/** Lay out the boxes that need it below the ones that stay, so nothing the user placed moves or is covered. */
function placeSome(nodes: Node[], edges: Edge[], current: Record<string, Point>, opts: LayoutOptions, algorithm: Algorithm): Record<string, Point> {
  const only = new Set(opts.only ?? []);
  const place = nodes.filter((n) => opts.all || only.has(n.name) || !current[n.name]);
  if (place.length === 0) return { ...current };
  const placeNames = new Set(place.map((n) => n.name));
  const kept = nodes.filter((n) => !placeNames.has(n.name));
  const sub = edges.filter((e) => placeNames.has(e.from) && placeNames.has(e.to));
  const computed = algorithm(place, sub);
  let dx: number = BOX.margin;
  let dy: number = BOX.margin;
  if (kept.length > 0) {
    dx = Math.min(...kept.map((n) => current[n.name].x));
    dy = Math.max(...kept.map((n) => current[n.name].y + n.height)) + BOX.gapY;
  }
  const out: Record<string, Point> = {};
  for (const n of kept) out[n.name] = current[n.name];
  for (const [name, p] of computed) out[name] = { x: Math.round(p.x + dx), y: Math.round(p.y + dy) };
  return out;
}

/** Layered layout with top-left at (0, 0). Edges point from the referencing box to the referenced one. */
export function layeredLayout(nodes: Node[], edges: Edge[]): Map<string, Point> {
  const names = nodes.map((n) => n.name);
  const index = new Map(names.map((n, i) => [n, i]));
  const out: number[][] = names.map(() => []);
  const undirected: number[][] = names.map(() => []);
  for (const e of edges) {
    const a = index.get(e.from);
    const b = index.get(e.to);
    if (a === undefined || b === undefined || a === b) continue;
    out[a].push(b);
    undirected[a].push(b);
    undirected[b].push(a);
  }
  const acyclic = dropBackEdges(out);
  const rank = longestPathRanks(acyclic);
  const isolated = undirected.map((n) => n.length === 0);
  const maxRank = Math.max(0, ...rank);
  // Referenced entities (rank 0) on top, entities that reference the deepest chains at the bottom; loose boxes last.
  const layerOf = rank.map((r, i) => (isolated[i] ? maxRank + 1 : r));
  const layers = orderLayers(layerOf, undirected, components(undirected), names);
  return coordinates(layers, nodes);
}

/** Iterative DFS; an edge to a node still on the stack closes a cycle and is ignored for layering. */
function dropBackEdges(out: number[][]): number[][] {
  const state = new Uint8Array(out.length); // 0 new, 1 on stack, 2 done
  const kept: number[][] = out.map(() => []);
  for (let s = 0; s < out.length; s++) {
    if (state[s]) continue;
    const stack: { v: number; i: number }[] = [{ v: s, i: 0 }];
    state[s] = 1;
    while (stack.length) {
      const top = stack[stack.length - 1];
      if (top.i >= out[top.v].length) {
        state[top.v] = 2;
        stack.pop();
        continue;
      }
      const w = out[top.v][top.i++];
      if (state[w] === 1) continue;
      kept[top.v].push(w);
      if (state[w] === 0) {
        state[w] = 1;
        stack.push({ v: w, i: 0 });
      }
    }
  }
  return kept;
}

/** rank = 0 for a box that references nothing, else 1 + the highest rank it references. */
function longestPathRanks(out: number[][]): number[] {
  const rank = new Array<number>(out.length).fill(-1);
  for (let s = 0; s < out.length; s++) {
    if (rank[s] >= 0) continue;
    const stack: { v: number; i: number }[] = [{ v: s, i: 0 }];
    while (stack.length) {
      const top = stack[stack.length - 1];
      if (top.i < out[top.v].length) {
        const w = out[top.v][top.i++];
        if (rank[w] < 0) stack.push({ v: w, i: 0 });
        continue;
      }
      rank[top.v] = out[top.v].reduce((m, w) => Math.max(m, rank[w] + 1), 0);
      stack.pop();
    }
  }
  return rank;
}

function components(undirected: number[][]): number[] {
  const comp = new Array<number>(undirected.length).fill(-1);
  let c = 0;
  for (let s = 0; s < undirected.length; s++) {
    if (comp[s] >= 0) continue;
    const queue = [s];
    comp[s] = c;
    while (queue.length) {
      const v = queue.pop() as number;
      for (const w of undirected[v]) {
        if (comp[w] >= 0) continue;
        comp[w] = c;
        queue.push(w);
      }
    }
    c++;
  }
  return comp;
}

/** Order within layers: by component and name, then barycentre sweeps down and up. */
function orderLayers(layerOf: number[], undirected: number[][], comp: number[], names: string[]): number[][] {
  const count = Math.max(0, ...layerOf) + 1;
  const layers: number[][] = Array.from({ length: count }, () => []);
  layerOf.forEach((l, v) => layers[l].push(v));
  for (const layer of layers) layer.sort((a, b) => comp[a] - comp[b] || names[a].localeCompare(names[b]));
  const pos = new Float64Array(layerOf.length);
  const setPositions = (layer: number[]) => layer.forEach((v, i) => (pos[v] = (i + 0.5) / layer.length));
  layers.forEach(setPositions);
  const sweep = (l: number, useLayer: (other: number) => boolean) => {
    const layer = layers[l];
    const key = new Map<number, number>();
    for (const v of layer) {
      let sum = 0;
      let n = 0;
      for (const w of undirected[v]) {
        if (!useLayer(layerOf[w])) continue;
        sum += pos[w];
        n++;
      }
      // Components stay apart: the barycentre only reorders within a component's block.
      key.set(v, comp[v] * 2 + (n ? sum / n : pos[v]));
    }
    layer.sort((a, b) => (key.get(a) as number) - (key.get(b) as number));
    setPositions(layer);
  };
  for (let iter = 0; iter < 4; iter++) {
    for (let l = 1; l < count; l++) sweep(l, (o) => o < l);
    for (let l = count - 2; l >= 0; l--) sweep(l, (o) => o > l);
  }
  return layers;
}

function coordinates(layers: number[][], nodes: Node[]): Map<string, Point> {
  const widths = layers.map((layer) => layer.reduce((s, v) => s + nodes[v].width, 0) + BOX.gapX * Math.max(0, layer.length - 1));
  const widest = Math.max(0, ...widths);
  const out = new Map<string, Point>();
  let y = 0;
  layers.forEach((layer, l) => {
    if (layer.length === 0) return;
    let x = (widest - widths[l]) / 2;
    let height = 0;
    for (const v of layer) {
      out.set(nodes[v].name, { x, y });
      x += nodes[v].width + BOX.gapX;
      height = Math.max(height, nodes[v].height);
    }
    y += height + BOX.gapY;
  });
  return out;
}

/** Facts in a row in the middle, everything else on a ring around them, each next to the facts it serves. */
function radialLayout(nodes: Node[], edges: Edge[], facts: Set<string>): Map<string, Point> {
  const centre = nodes.filter((n) => facts.has(n.name));
  const ring = nodes.filter((n) => !facts.has(n.name));
  const out = new Map<string, Point>();
  const rowWidth = centre.reduce((s, n) => s + n.width, 0) + BOX.gapX * Math.max(0, centre.length - 1);
  const tallest = Math.max(0, ...nodes.map((n) => n.height));
  const circumference = ring.reduce((s, n) => s + Math.max(n.width, n.height) + BOX.gapX, 0);
  const factHeight = Math.max(0, ...centre.map((n) => n.height));
  const angleOf = (i: number) => Math.PI + (2 * Math.PI * (i + 0.5)) / Math.max(1, ring.length);
  // Each dimension clears the facts along its main direction (above or below them, or beside them),
  // so lines run in open space instead of a narrow gap between boxes side by side.
  const ringHeight = Math.max(0, ...ring.map((n) => n.height));
  const clear = ring.map((_, i) => {
    const c = Math.abs(Math.cos(angleOf(i))), s = Math.abs(Math.sin(angleOf(i)));
    return s >= c ? ((factHeight + ringHeight) / 2 + BOX.gapY) / s : ((rowWidth + BOX.width) / 2 + BOX.gapX) / c;
  });
  const radius = Math.max(rowWidth / 2 + BOX.width, tallest + BOX.gapY, circumference / (2 * Math.PI), ...clear);
  const cx = radius + BOX.width / 2;
  const cy = radius + tallest / 2;
  let x = cx - rowWidth / 2;
  centre.forEach((n) => {
    out.set(n.name, { x, y: cy - n.height / 2 });
    x += n.width + BOX.gapX;
  });
  // Dimensions sorted by the mean position of the facts that use them, so lines cross less.
  const factX = new Map([...out].map(([name, p]) => [name, p.x]));
  const anchor = (name: string) => {
    const xs = edges.filter((e) => e.to === name).map((e) => factX.get(e.from) ?? cx);
    return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : cx;
  };
  const sorted = [...ring].sort((a, b) => anchor(a.name) - anchor(b.name) || a.name.localeCompare(b.name));
  sorted.forEach((n, i) => {
    const angle = angleOf(i);
    out.set(n.name, { x: cx + radius * Math.cos(angle) - n.width / 2, y: cy + radius * Math.sin(angle) - n.height / 2 });
  });
  const minX = Math.min(...[...out.values()].map((p) => p.x));
  const minY = Math.min(...[...out.values()].map((p) => p.y));
  return new Map([...out].map(([k, p]) => [k, { x: p.x - minX, y: p.y - minY }]));
}

/** Where the line from box `a`'s centre towards box `b`'s centre leaves `a`. */
export function borderPoint(a: Box, b: Box): Point {
  const ax = a.x + a.width / 2;
  const ay = a.y + a.height / 2;
  const dx = b.x + b.width / 2 - ax;
  const dy = b.y + b.height / 2 - ay;
  if (dx === 0 && dy === 0) return { x: ax, y: ay };
  const sx = dx === 0 ? Infinity : a.width / 2 / Math.abs(dx);
  const sy = dy === 0 ? Infinity : a.height / 2 / Math.abs(dy);
  const s = Math.min(sx, sy);
  return { x: ax + dx * s, y: ay + dy * s };
}
