/**
 * Crow's-foot line ends as SVG markers. Every marker is drawn with +x pointing
 * into the box and the box edge at x = 0 (`orient="auto-start-reverse"` makes
 * that true at both ends of a path), so one glyph serves either end.
 */
import { svg } from './dom';

export const MARKER = {
  /** Many (crow's foot), on the referencing side. */
  many: 'm-many',
  /** Exactly one, on the referencing side of a one-to-one. */
  one: 'm-one',
  /** Exactly one (two bars): a mandatory reference. */
  oneMandatory: 'm-one-mandatory',
  /** Zero or one (circle and bar): an optional reference. */
  oneOptional: 'm-one-optional',
  /** Plain arrow head (star: fact -> dimension). */
  arrow: 'm-arrow',
} as const;

function marker(defs: SVGDefsElement, id: string): SVGMarkerElement {
  return svg('marker', {
    id,
    class: 'end-marker',
    markerUnits: 'userSpaceOnUse',
    markerWidth: 26,
    markerHeight: 20,
    viewBox: '-22 -10 26 20',
    refX: 0,
    refY: 0,
    orient: 'auto-start-reverse',
    overflow: 'visible',
  }, defs);
}

export function defineMarkers(defs: SVGDefsElement): void {
  svg('path', { class: 'crow', d: 'M-14,0 L0,-7 M-14,0 L0,0 M-14,0 L0,7' }, marker(defs, MARKER.many));
  svg('path', { class: 'bar', d: 'M-8,-7 L-8,7' }, marker(defs, MARKER.one));
  svg('path', { class: 'bar', d: 'M-6,-7 L-6,7 M-11,-7 L-11,7' }, marker(defs, MARKER.oneMandatory));
  const opt = marker(defs, MARKER.oneOptional);
  svg('path', { class: 'bar', d: 'M-6,-7 L-6,7' }, opt);
  svg('circle', { class: 'ring', cx: -15, cy: 0, r: 4.5 }, opt);
  svg('path', { class: 'arrow', d: 'M-10,-5 L0,0 L-10,5 z' }, marker(defs, MARKER.arrow));
}
