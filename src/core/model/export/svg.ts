/**
 * SVG drawing of a model with the layout's geometry (same boxes as the
 * editors): a box per entity/table with its columns, lines routed around the
 * boxes as the editors route them (routing.ts), with crow's-foot ends (many
 * side: fork; one side: bar; optional: circle). Self-contained,
 * light colours, for documents and READMEs.
 */
import type { ErdModel, Point, StarModel } from '../model-types';
import { BOX, erdBoxes, starBoxes, type Box } from '../layout';
import { columnPorts, drawRoute, laneOffsets, sidePorts, spreadOf, type Port, type Rect } from '../routing';
import { starTables, type ExportTable } from './tables';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const n = (v: number) => String(Math.round(v * 10) / 10);

/** Characters that fit a box line at 12px monospace. */
const LINE_CHARS = Math.floor((BOX.width - 16) / 7.2);

function fit(s: string, max = LINE_CHARS): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}

/** Compact type text: `LowCardinality(String)` -> `LC(String)`. */
const shortType = (t: string) => t.replace(/LowCardinality\(/g, 'LC(').replace(/Nullable\((.*)\)/, '$1?');

interface Line {
  /** The line's id in the editor (relationship name, or fact.role): it picks the same channel lane. */
  id: string;
  from: string;
  to: string;
  many: boolean;
  optional: boolean;
  label: string;
}

function drawBox(b: Box, t: ExportTable, kind: string): string {
  const out = [
    `<g class="box ${kind}" data-name="${esc(t.name)}">`,
    `<rect x="${n(b.x)}" y="${n(b.y)}" width="${n(b.width)}" height="${n(b.height)}" rx="4" class="frame"/>`,
    `<rect x="${n(b.x)}" y="${n(b.y)}" width="${n(b.width)}" height="${BOX.header}" rx="4" class="head"/>`,
    `<text x="${n(b.x + 8)}" y="${n(b.y + 20)}" class="title">${esc(fit(t.name, LINE_CHARS - 2))}</text>`,
  ];
  t.columns.forEach((c, i) => {
    const y = b.y + BOX.header + BOX.row * i + 15;
    const mark = c.pk ? 'PK' : c.fk ? 'FK' : '';
    const type = fit(shortType(c.type) + (c.nullable ? '?' : ''), 18);
    // Markers as plain text: emoji or symbol fonts are not everywhere an SVG is opened.
    if (mark) out.push(`<text x="${n(b.x + 6)}" y="${n(y)}" class="mark-${mark.toLowerCase()}">${mark}</text>`);
    out.push(
      `<text x="${n(b.x + 26)}" y="${n(y)}" class="col${c.pk ? ' pk' : ''}">${esc(fit(c.name, LINE_CHARS - type.length - 4))}</text>`,
      `<text x="${n(b.x + b.width - 8)}" y="${n(y)}" class="type" text-anchor="end">${esc(type)}</text>`,
    );
  });
  out.push('</g>');
  return out.join('');
}

/** Crow's foot marks at `p`, the line leaving its box towards `towards`. */
function endMark(p: Point, towards: Point, many: boolean, optional: boolean): string {
  const len = Math.hypot(towards.x - p.x, towards.y - p.y) || 1;
  const dx = (towards.x - p.x) / len;
  const dy = (towards.y - p.y) / len;
  const nx = -dy;
  const ny = dx;
  const at = (d: number, s: number) => `${n(p.x + dx * d + nx * s)},${n(p.y + dy * d + ny * s)}`;
  const parts: string[] = [];
  if (many) parts.push(`<polyline points="${at(0, -7)} ${at(12, 0)} ${at(0, 7)}" class="mark"/>`, `<line x1="${at(0, 0).split(',')[0]}" y1="${at(0, 0).split(',')[1]}" x2="${at(12, 0).split(',')[0]}" y2="${at(12, 0).split(',')[1]}" class="mark"/>`);
  else parts.push(`<polyline points="${at(10, -6)} ${at(10, 6)}" class="mark"/>`);
  if (optional) {
    const [cx, cy] = at(19, 0).split(',');
    parts.push(`<circle cx="${cx}" cy="${cy}" r="4" class="opt"/>`);
  } else {
    parts.push(`<polyline points="${at(15, -6)} ${at(15, 6)}" class="mark"/>`);
  }
  return parts.join('');
}

const rect = (b: Box): Rect => ({ x: b.x, y: b.y, w: b.width, h: b.height });

/** A line routed like the editors route it: around every other box, leaving and entering through `from` / `to` ports. */
function drawLine(obstacles: readonly Rect[], from: Port[], to: Port[], l: Line, lane = 0): string {
  // Role lanes are already apart: only a lone line takes a channel lane (as in the editors).
  const { points, d, label } = drawRoute(obstacles, from, to, lane === 0 ? spreadOf(l.id) : 0, lane);
  const p = points[0], q = points[points.length - 1];
  return [
    `<g class="rel" data-from="${esc(l.from)}" data-to="${esc(l.to)}">`,
    `<path d="${d}" class="edge"/>`,
    // The referencing side may have many rows and is never empty; the referenced side is one, or none when optional.
    // Marks orient along the end segments, which leave their boxes at right angles.
    endMark(p, points[1] ?? p, l.many, false),
    endMark(q, points[points.length - 2] ?? q, false, l.optional),
    `<text x="${n(label.x)}" y="${n(label.y)}" class="label" text-anchor="${label.anchor}">${esc(fit(l.label, 30))}</text>`,
    '</g>',
  ].join('');
}

const STYLE =
  '.frame{fill:#fff;stroke:#5b6b7f;stroke-width:1}.head{fill:#dde6f0;stroke:#5b6b7f}.fact .head{fill:#f6e3c4}' +
  '.title{font:bold 13px sans-serif;fill:#1d2733}.col{font:12px monospace;fill:#1d2733}.pk{font-weight:bold}' +
  '.type{font:11px monospace;fill:#6b7785}.edge{stroke:#7a8796;stroke-width:1.2;fill:none}.mark{stroke:#7a8796;stroke-width:1.2;fill:none}' +
  '.opt{stroke:#7a8796;fill:#fff}.label{font:10px sans-serif;fill:#6b7785;paint-order:stroke;stroke:#fff;stroke-width:3px;stroke-linejoin:round}' +
  '.mark-pk{font:bold 9px sans-serif;fill:#a0660a}.mark-fk{font:bold 9px sans-serif;fill:#2f6db3}';

function svgDocument(title: string, boxes: Map<string, Box>, body: string[]): string {
  const all = [...boxes.values()];
  const w = Math.max(0, ...all.map((b) => b.x + b.width)) + BOX.margin;
  const h = Math.max(0, ...all.map((b) => b.y + b.height)) + BOX.margin;
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${n(w)}" height="${n(h)}" viewBox="0 0 ${n(w)} ${n(h)}" role="img" aria-label="${esc(title)}">` +
    `<title>${esc(title)}</title><style>${STYLE}</style><rect width="100%" height="100%" fill="#f8fafc"/>` +
    body.join('\n') +
    '</svg>\n'
  );
}

export function erdToSvg(m: ErdModel): string {
  const boxes = erdBoxes(m);
  const fks = new Set(m.relationships.flatMap((r) => r.from.columns.map((c) => `${r.from.entity}.${c}`)));
  const obstacles = [...boxes.values()].map(rect);
  const index = new Map(m.entities.map((e) => [e.name, e]));
  const column = (entity: string, name: string | undefined) => index.get(entity)?.columns.findIndex((c) => c.name === name) ?? -1;
  const lines = m.relationships.flatMap((r) => {
    const a = boxes.get(r.from.entity);
    const b = boxes.get(r.to.entity);
    if (!a || !b) return [];
    const line = { id: r.name, from: r.from.entity, to: r.to.entity, many: r.cardinality === 'many-to-one', optional: r.optional, label: r.from.columns.join(', ') };
    // Column to column, as the editor draws it.
    return [drawLine(obstacles, columnPorts(rect(a), column(r.from.entity, r.from.columns[0])), columnPorts(rect(b), column(r.to.entity, r.to.columns[0])), line)];
  });
  const drawn = m.entities.map((e) => {
    const t: ExportTable = {
      name: e.name,
      columns: e.columns.map((c) => ({ name: c.name, type: c.type, nullable: c.nullable, pk: e.primaryKey.includes(c.name), fk: fks.has(`${e.name}.${c.name}`) })),
    };
    return drawBox(boxes.get(e.name) as Box, t, 'entity');
  });
  return svgDocument(`${m.name} (ERD)`, boxes, [...lines, ...drawn]);
}

export function starToSvg(m: StarModel, erd?: ErdModel): string {
  const boxes = starBoxes(m);
  const { tables, refs } = starTables(m, erd);
  const facts = new Set(m.facts.map((f) => f.name));
  const lanes = laneOffsets(refs);
  const obstacles = [...boxes.values()].map(rect);
  const lines = refs.flatMap((r, i) => {
    const a = boxes.get(r.from);
    const b = boxes.get(r.to);
    if (!a || !b) return [];
    return [drawLine(obstacles, sidePorts(rect(a), rect(b), lanes[i]), sidePorts(rect(b), rect(a), lanes[i]), { id: `${r.from}.${r.role}`, from: r.from, to: r.to, many: true, optional: false, label: r.role }, lanes[i])];
  });
  // Boxes list what starRows counts: facts their keys, degenerates and measures; dimensions keys and attributes.
  const drawn = tables.map((t) => {
    const cols = facts.has(t.name) ? t.columns : t.columns.filter((c) => !['valid_from', 'valid_to', 'is_current'].includes(c.name));
    return drawBox(boxes.get(t.name) as Box, { ...t, columns: cols }, facts.has(t.name) ? 'fact' : 'dimension');
  });
  return svgDocument(`${m.name} (star schema)`, boxes, [...lines, ...drawn]);
}
