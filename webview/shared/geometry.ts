/**
 * Box sizes computed from the model alone (no DOM measuring), so layout and
 * drawing agree and a 200-entity diagram sizes in microseconds.
 */
import { BOX, boxSize } from '../../src/core/model/layout';
import type { Dimension, Entity, Fact } from '../../src/core/model/model-types';

/** ERD boxes use the model layer's geometry, so auto-layout, the SVG export and the editor agree. */
export const ROW = BOX.row;
export const HEADER = BOX.header;
export const PAD = BOX.padding;
/** Approximate advance of one character at the canvas font size (12px). */
export const CHAR = 7.2;
/** Star boxes list at most this many attributes; the rest is summarised. */
export const STAR_MAX_ROWS = 8;

export interface Size {
  w: number;
  h: number;
}

export interface Rect extends Size {
  x: number;
  y: number;
}

export function entitySize(e: Entity): Size {
  const s = boxSize(e.columns.length);
  return { w: s.width, h: s.height };
}

/** Text cut to `max` characters with an ellipsis (fixed-width ERD boxes). */
export function fit(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, Math.max(1, max - 1))}…`;
}

/** Lines of a star box, also what the box draws: one source of truth for its height. */
export function factLines(f: Fact): string[] {
  const lines = [`grain: ${f.grain.join(', ') || '—'}`];
  for (const m of f.measures) lines.push(`Σ ${m.name}: ${m.aggregation}`);
  if (f.degenerate.length) lines.push(`# ${f.degenerate.join(', ')}`);
  return lines;
}

export function dimensionLines(d: Dimension): string[] {
  const lines = [`key: ${d.naturalKey.join(', ') || '—'} → ${d.surrogateKey}`];
  const shown = d.attributes.slice(0, STAR_MAX_ROWS);
  for (const a of shown) lines.push(`${a.name}: ${a.type}`);
  if (d.attributes.length > shown.length) lines.push(`… ${d.attributes.length - shown.length} more attributes`);
  for (const h of d.hierarchies) lines.push(`⤷ ${h.levels.map((l) => l.name).join(' › ')}`);
  return lines;
}

/** Star boxes: the model layer's fixed width (its radial layout spaces boxes by it), text cut to fit. */
export function linesSize(lines: string[]): Size {
  return { w: BOX.width, h: HEADER + ROW * Math.max(1, lines.length) + PAD };
}
