/**
 * Star schema editor webview: facts in the centre, dimensions around, one line
 * per dimension reference labelled with its role, hierarchies listed in each
 * dimension box. Same contract as the ERD editor: draw what the extension
 * sends, turn every action into one typed edit, apply it locally too.
 */
import { applyStarEdit, EditError, type StarEdit } from '../../src/core/model/edits';
import type { Additivity, Aggregation, Dimension, Fact, StarModel } from '../../src/core/model/model-types';
import { Diagram, isView, type LineSpec, type Route, type Selection } from '../shared/diagram';
import { clear, html, svg } from '../shared/dom';
import { CHAR, dimensionLines, factLines, fit, HEADER, linesSize, ROW, type Rect } from '../shared/geometry';
import { connectHost } from '../shared/host';
import { FallbackPositions, layoutStarBoxes } from '../shared/layout';
import { defineMarkers, MARKER } from '../shared/markers';
import type { HostMessage } from '../shared/protocol';
import { button, createShell, heading, selectField, textField } from '../shared/shell';

const AGGREGATIONS: readonly Aggregation[] = ['sum', 'count', 'avg', 'min', 'max', 'countDistinct'];
const ADDITIVITY: readonly Additivity[] = ['additive', 'semi-additive', 'non-additive'];

const shell = createShell('Star schema');
let model: StarModel | null = null;
let panelFocusName: string | null = null;
const fallback = new FallbackPositions();

const diagram = new Diagram(shell.main, defineMarkers, {
  onMoved: (id, x, y) => edit({ op: 'moveEntity', entity: id, x, y }, false),
  onSelect: () => renderPanel(),
  onDelete: (sel) => {
    if (!model) return;
    if (sel.kind !== 'box') {
      shell.notice('info', 'A dimension reference goes with its dimension: delete the dimension, or rename the role in the side panel.');
      return;
    }
    const isFact = model.facts.some((f) => f.name === sel.id);
    edit(isFact ? { op: 'deleteFact', fact: sel.id } : { op: 'deleteDimension', dimension: sel.id });
  },
  onView: (view) => host.setState({ view }),
  onOpen: () => shell.panel.querySelector<HTMLElement>('input, select, button')?.focus(),
});
shell.main.insertBefore(diagram.element, shell.panel);
shell.panel.addEventListener('keydown', (ev) => {
  if (ev.key === 'Escape' && diagram.selected) diagram.focus(diagram.selected);
});
const host = connectHost(onMessage);
buildToolbar();
host.post({ type: 'ready' });

function onMessage(m: HostMessage): void {
  if (m.type === 'star') {
    const first = model === null;
    model = m.model;
    shell.hideError();
    render();
    if (first) openView();
  } else if (m.type === 'invalid') {
    model = null;
    shell.showError(m.kind, m.error, () => host.post({ type: 'openText' }));
  } else if (m.type === 'notice') {
    shell.notice(m.level, m.message);
  }
}

/** First model: where the view was before this webview was reloaded, else the whole diagram. */
function openView(): void {
  const state = host.getState() as { view?: unknown } | undefined;
  if (isView(state?.view)) diagram.setView(state.view);
  else diagram.fit();
}

function edit(e: StarEdit, redraw = true): void {
  if (!model) return;
  try {
    model = applyStarEdit(model, e);
  } catch (err) {
    shell.notice('error', err instanceof EditError ? err.message : String(err));
    if (!redraw) render();
    return;
  }
  host.post({ type: 'edit', kind: 'star', edit: e });
  const sel = diagram.selected;
  const renamed = e.op === 'renameFact' ? [e.fact, e.newName] : e.op === 'renameDimension' ? [e.dimension, e.newName] : null;
  if (renamed && sel?.kind === 'box' && sel.id === renamed[0]) diagram.select({ kind: 'box', id: renamed[1] }, false);
  if (redraw) render();
}

// ---------------------------------------------------------------- drawing

function render(): void {
  const m = model;
  if (!m) return;
  const positions = fallback.resolve(m, [...m.facts.map((f) => f.name), ...m.dimensions.map((d) => d.name)], (x) => layoutStarBoxes(x, false));
  const place = (name: string, lines: string[]): Rect => {
    const p = positions[name] ?? { x: 0, y: 0 };
    return { x: p.x, y: p.y, ...linesSize(lines) };
  };
  const boxes = [
    ...m.facts.map((f) => {
      const lines = factLines(f);
      const rect = place(f.name, lines);
      return { id: f.name, rect, className: 'fact', ariaLabel: `Fact ${f.name}, ${f.measures.length} measures`, build: (g: SVGGElement) => drawBox(g, f.name, 'FACT', lines, rect) };
    }),
    ...m.dimensions.map((d) => {
      const lines = dimensionLines(d);
      const rect = place(d.name, lines);
      const tag = d.generated ? 'DATE' : `SCD${d.scdType}`;
      return {
        id: d.name,
        rect,
        className: `dimension${d.generated ? ' generated' : ''}`,
        ariaLabel: `Dimension ${d.name}, SCD type ${d.scdType}, ${d.hierarchies.length} hierarchies`,
        build: (g: SVGGElement) => drawBox(g, d.name, tag, lines, rect),
      };
    }),
  ];
  const lines: LineSpec[] = m.facts.flatMap((f) =>
    f.dimensions.map((r, i) => ({
      id: `${f.name}#${i}`,
      a: f.name,
      b: r.dimension,
      route: routeCentres,
      className: 'ref',
      markerStart: MARKER.many,
      markerEnd: MARKER.oneMandatory,
      label: r.via ? `${r.role} (via ${r.via.entity})` : r.role,
      ariaLabel: `Fact ${f.name} references ${r.dimension} as ${r.role}${r.via ? ` through its header ${r.via.entity}` : ''}`,
    })),
  );
  diagram.draw(boxes, lines, []);
  renderPanel();
}

function drawBox(g: SVGGElement, name: string, tag: string, lines: string[], r: Rect): void {
  const max = Math.floor((r.w - 20) / CHAR);
  svg('rect', { class: 'box', width: r.w, height: r.h, rx: 4 }, g);
  svg('rect', { class: 'box-header', width: r.w, height: HEADER, rx: 4 }, g);
  svg('text', { class: 'title', x: 10, y: HEADER / 2 + 5 }, g, fit(name, max - tag.length - 2));
  svg('text', { class: 'line-dim', x: r.w - 10, y: HEADER / 2 + 5, 'text-anchor': 'end' }, g, tag);
  lines.forEach((l, i) => svg('text', { class: i === 0 ? 'line-dim' : 'line', x: 10, y: HEADER + i * ROW + ROW / 2 + 4 }, g, fit(l, max)));
}

/** Straight line between box centres, cut at both box borders (markers sit on the edges). */
function routeCentres(a: Rect, b: Rect): Route {
  const ca = { x: a.x + a.w / 2, y: a.y + a.h / 2 };
  const cb = { x: b.x + b.w / 2, y: b.y + b.h / 2 };
  const pa = border(a, ca, cb);
  const pb = border(b, cb, ca);
  return { d: `M${pa.x.toFixed(1)},${pa.y.toFixed(1)} L${pb.x.toFixed(1)},${pb.y.toFixed(1)}`, mid: { x: (pa.x + pb.x) / 2, y: (pa.y + pb.y) / 2 } };
}

function border(r: Rect, from: { x: number; y: number }, to: { x: number; y: number }): { x: number; y: number } {
  const dx = to.x - from.x, dy = to.y - from.y;
  if (dx === 0 && dy === 0) return from;
  const t = Math.min(dx ? r.w / 2 / Math.abs(dx) : Infinity, dy ? r.h / 2 / Math.abs(dy) : Infinity);
  return { x: from.x + dx * t, y: from.y + dy * t };
}

// ---------------------------------------------------------------- toolbar

function buildToolbar(): void {
  const t = shell.toolbar;
  const search = html('input', { type: 'search', id: 'search', placeholder: 'Search facts and dimensions', 'aria-label': 'Search' }, t);
  const count = html('span', { class: 'count', 'aria-live': 'polite' }, t);
  search.addEventListener('input', () => {
    const n = diagram.search(search.value, (id) => id);
    count.textContent = search.value.trim() ? `${n} found` : '';
  });
  search.addEventListener('keydown', (ev) => {
    if (ev.key === 'Enter') diagram.nextMatch();
  });
  button(t, 'Auto-layout', 'Place boxes that have no position yet (keeps the ones you placed)', () => autoLayout(false), 'auto-layout');
  button(t, 'Re-layout all', 'Facts in the centre, dimensions around', () => autoLayout(true), 'relayout-all');
  button(t, 'Fit', 'Fit the diagram to the view', () => diagram.fit(), 'fit');
  button(t, '−', 'Zoom out', () => diagram.zoomAt(1 / 1.25), 'zoom-out');
  button(t, '+', 'Zoom in', () => diagram.zoomAt(1.25), 'zoom-in');
  button(t, 'Export…', 'Export as Mermaid, DBML, ClickHouse DDL or SVG', () => host.post({ type: 'export' }), 'export');
}

function autoLayout(all: boolean): void {
  if (!model) return;
  const positions = layoutStarBoxes(model, all);
  if (Object.keys(positions).length === 0) {
    shell.notice('info', 'Every box already has a position. Use "Re-layout all" to lay out everything again.');
    return;
  }
  fallback.clear();
  edit({ op: 'setPositions', positions });
  if (all) diagram.fit();
}

// ---------------------------------------------------------------- side panel

function renderPanel(): void {
  const p = shell.panel;
  const active = document.activeElement;
  panelFocusName = active instanceof HTMLElement && p.contains(active) ? active.getAttribute('name') : null;
  clear(p);
  const sel: Selection = diagram.selected;
  const m = model;
  p.hidden = !sel || !m;
  if (!sel || !m) return;
  if (sel.kind === 'box') {
    const f = m.facts.find((x) => x.name === sel.id);
    const d = m.dimensions.find((x) => x.name === sel.id);
    if (f) factPanel(p, f);
    else if (d) dimensionPanel(p, d);
  } else {
    const [factName, index] = sel.id.split('#');
    const f = m.facts.find((x) => x.name === factName);
    if (f) refPanel(p, f, Number(index));
  }
  if (panelFocusName) p.querySelector<HTMLElement>(`[name="${CSS.escape(panelFocusName)}"]`)?.focus();
}

function factPanel(p: HTMLElement, f: Fact): void {
  heading(p, 'Fact', `from ${f.entity}`);
  textField(p, 'Name', f.name, (v) => edit({ op: 'renameFact', fact: f.name, newName: v }), 'fact-name');
  html('p', { class: 'sub' }, p, `Grain: ${f.grainDescription || f.grain.join(', ')}`);
  if (f.reason) html('p', { class: 'sub' }, p, f.reason);
  html('h3', {}, p, 'Measures');
  const table = html('table', { class: 'columns' }, p);
  const head = html('tr', {}, table);
  for (const h of ['Measure', 'Aggregation', 'Additivity']) html('th', {}, head, h);
  for (const ms of f.measures) {
    const tr = html('tr', {}, table);
    html('td', {}, tr, ms.name);
    selectField(html('td', {}, tr), '', AGGREGATIONS, ms.aggregation, (v) =>
      edit({ op: 'updateMeasure', fact: f.name, measure: ms.name, aggregation: v }), `agg-${ms.name}`);
    selectField(html('td', {}, tr), '', ADDITIVITY, ms.additivity, (v) =>
      edit({ op: 'updateMeasure', fact: f.name, measure: ms.name, additivity: v }), `add-${ms.name}`);
  }
  html('h3', {}, p, 'Dimensions (role)');
  f.dimensions.forEach((r, i) =>
    textField(p, `${r.dimension} via ${r.via ? `${r.via.entity}.` : ''}${r.columns.join(', ')}`, r.role, (v) => edit({ op: 'setRole', fact: f.name, index: i, role: v }), `role-${i}`));
  if (f.degenerate.length) html('p', { class: 'sub' }, p, `Degenerate: ${f.degenerate.join(', ')}`);
  for (const h of f.headerDegenerate ?? []) html('p', { class: 'sub' }, p, `From header ${h.via.entity}: ${h.columns.join(', ')}`);
  button(p, 'Delete fact', 'Delete this fact', () => edit({ op: 'deleteFact', fact: f.name }), 'delete-fact');
}

function dimensionPanel(p: HTMLElement, d: Dimension): void {
  heading(p, d.generated ? 'Date dimension (generated)' : 'Dimension', d.entity ? `from ${d.entity}` : undefined);
  textField(p, 'Name', d.name, (v) => edit({ op: 'renameDimension', dimension: d.name, newName: v }), 'dim-name');
  selectField(p, 'Slowly changing dimension type', [1, 2] as const, d.scdType, (v) => edit({ op: 'setScdType', dimension: d.name, scdType: v }), 'scd');
  html('p', { class: 'sub' }, p, `Natural key: ${d.naturalKey.join(', ') || '—'} · surrogate key: ${d.surrogateKey}`);
  if (d.reason) html('p', { class: 'sub' }, p, d.reason);
  if (d.collapsed.length) html('p', { class: 'sub' }, p, `Snowflaked entities folded in: ${d.collapsed.join(', ')}`);
  html('h3', {}, p, `Attributes (${d.attributes.length})`);
  const ul = html('ul', {}, p);
  for (const a of d.attributes) html('li', {}, ul, `${a.name}: ${a.type}`);
  html('h3', {}, p, 'Hierarchies');
  const hl = html('ul', {}, p);
  if (d.hierarchies.length === 0) html('li', {}, hl, 'none');
  for (const h of d.hierarchies) html('li', {}, hl, `${h.name}: ${h.levels.map((l) => `${l.name} (${l.cardinality})`).join(' › ')}`);
  button(p, 'Delete dimension', 'Delete this dimension and the references to it', () => edit({ op: 'deleteDimension', dimension: d.name }), 'delete-dimension');
}

function refPanel(p: HTMLElement, f: Fact, index: number): void {
  const r = f.dimensions[index];
  if (!r) return;
  const owner = r.via ? `${f.name} → ${r.via.entity}` : f.name;
  heading(p, 'Dimension reference', `${owner}(${r.columns.join(', ')}) → ${r.dimension}`);
  textField(p, 'Role', r.role, (v) => edit({ op: 'setRole', fact: f.name, index, role: v }), 'ref-role');
}
