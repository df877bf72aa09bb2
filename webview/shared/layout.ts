/**
 * Auto-layout for the editors, pure (no DOM). The ERD uses the model layer's
 * layered `layoutErd` (same geometry as its SVG export); the star uses this
 * radial layout because star boxes here also list hierarchies, so their sizes
 * differ from the model layer's.
 */
import { layoutErd } from '../../src/core/model/layout';
import type { ErdModel, Layout, Point, StarModel } from '../../src/core/model/model-types';
import { factLines, dimensionLines, linesSize, type Size } from './geometry';

/** Positions auto-layout gives: of the unplaced entities only, or of all with `all`. */
export function layoutErdBoxes(model: ErdModel, all: boolean): Record<string, Point> {
  const placed = layoutErd(model, { all }).layout.positions;
  const out: Record<string, Point> = {};
  for (const e of model.entities) {
    const p = placed[e.name];
    if (p && (all || !model.layout.positions[e.name])) out[e.name] = p;
  }
  return out;
}


/** Radial star layout: facts around the centre, dimensions on a ring ordered by the facts that use them. */
export function layoutStarBoxes(model: StarModel, all: boolean): Record<string, Point> {
  const placed = all ? {} : model.layout.positions;
  const sizes = new Map<string, Size>([
    ...model.facts.map((f): [string, Size] => [f.name, linesSize(factLines(f))]),
    ...model.dimensions.map((d): [string, Size] => [d.name, linesSize(dimensionLines(d))]),
  ]);
  const out: Record<string, Point> = {};
  const centre = (n: string, cx: number, cy: number) => {
    const s = sizes.get(n) ?? { w: 200, h: 100 };
    if (!placed[n]) out[n] = { x: Math.round(cx - s.w / 2), y: Math.round(cy - s.h / 2) };
  };
  const nf = model.facts.length;
  const factR = nf <= 1 ? 0 : 160 + 40 * nf;
  model.facts.forEach((f, i) => centre(f.name, factR * Math.cos((2 * Math.PI * i) / Math.max(1, nf)), factR * Math.sin((2 * Math.PI * i) / Math.max(1, nf))));
  // Order the ring by the first fact referencing each dimension, so a fact's dimensions sit together.
  const rank = new Map<string, number>();
  model.facts.forEach((f, i) => f.dimensions.forEach((r) => rank.has(r.dimension) || rank.set(r.dimension, i)));
  const dims = [...model.dimensions].sort((a, b) => (rank.get(a.name) ?? nf) - (rank.get(b.name) ?? nf));
  const perimeter = dims.reduce((s, d) => s + Math.max(sizes.get(d.name)?.w ?? 0, sizes.get(d.name)?.h ?? 0) + 60, 0);
  const ring = Math.max(factR + 420, perimeter / (2 * Math.PI));
  dims.forEach((d, i) => {
    const a = (2 * Math.PI * i) / Math.max(1, dims.length) - Math.PI / 2;
    centre(d.name, ring * Math.cos(a), ring * Math.sin(a) * 0.75);
  });
  return out;
}

/**
 * Where boxes without a stored position are drawn: laid out once and then
 * kept, so storing one box's position (a drag) does not make the others jump
 * (auto-layout places unplaced boxes around the placed ones).
 */
export class FallbackPositions {
  private readonly cache = new Map<string, Point>();

  resolve<M extends { layout: Layout }>(model: M, names: string[], layout: (m: M) => Record<string, Point>): Record<string, Point> {
    const known: Record<string, Point> = {};
    for (const n of names) {
      const p = model.layout.positions[n] ?? this.cache.get(n);
      if (p) known[n] = p;
    }
    if (names.some((n) => !known[n])) {
      const placed = layout({ ...model, layout: { positions: { ...known } } });
      for (const n of names) {
        if (known[n] || !placed[n]) continue;
        this.cache.set(n, placed[n]);
        known[n] = placed[n];
      }
    }
    return known;
  }

  /** After an explicit auto-layout the stored positions are the truth again. */
  clear(): void {
    this.cache.clear();
  }
}
