/**
 * ERD editor webview. The extension owns the file: this page draws the model it
 * is sent, and turns every user action into one typed edit message. Edits are
 * applied locally too (the same pure `applyErdEdit`), so the canvas answers at
 * once; the extension's own echo of that edit is suppressed on its side.
 */
import { applyErdEdit, EditError, freshRelationshipName, HOST_ONLY_OPS, type ErdEdit } from '../../src/core/model/edits';
import type { Entity, ErdModel, ErdRelationship } from '../../src/core/model/model-types';
import { columnPorts, drawRoute, spreadOf } from '../../src/core/model/routing';
import { Diagram, type LineSpec, type Selection } from '../shared/diagram';
import { clear, html, svg } from '../shared/dom';
import { CHAR, entitySize, fit, HEADER, ROW, type Rect } from '../shared/geometry';
import { FallbackPositions, layoutErdBoxes } from '../shared/layout';
import { defineMarkers, MARKER } from '../shared/markers';
import { button, checkField, heading, selectField, textField, createShell, startApp, viewControls } from '../shared/shell';

const COMMON_TYPES = ['String', 'UInt8', 'UInt16', 'UInt32', 'UInt64', 'Int32', 'Int64', 'Float64', 'Decimal(18, 2)', 'Date', 'DateTime', 'DateTime64(3)', 'Bool', 'UUID', 'LowCardinality(String)'];

const shell = createShell('ERD');
let model: ErdModel | null = null;
let panelFocusName: string | null = null;
const fallback = new FallbackPositions();

const diagram = new Diagram(shell.main, defineMarkers, {
  onMoved: (id, x, y) => edit({ op: 'moveEntity', entity: id, x, y }, false),
  onSelect: () => renderPanel(),
  onDelete: (sel) => edit(sel.kind === 'box' ? { op: 'deleteEntity', entity: sel.id } : { op: 'deleteRelationship', relationship: sel.id }),
  onView: (view) => host.setState({ view }),
  onOpen: () => focusPanel(),
  onLink: (from, to) => {
    if (!model) return;
    const fromCol = model.entities.find((e) => e.name === from.box)?.columns.find((c) => c.name === from.column);
    const relationship: ErdRelationship = {
      name: freshRelationshipName(model, from.box, to.box),
      from: { entity: from.box, columns: [from.column] },
      to: { entity: to.box, columns: [to.column] },
      cardinality: 'many-to-one',
      optional: fromCol?.nullable ?? false,
    };
    edit({ op: 'addRelationship', relationship });
    if (model.relationships.some((r) => r.name === relationship.name)) diagram.select({ kind: 'line', id: relationship.name });
  },
});
const host = startApp({
  kind: 'erd',
  shell,
  diagram,
  buildToolbar,
  onModel: (m) => {
    model = m;
    render();
  },
  onInvalid: () => (model = null),
});

/** Apply locally, then tell the extension. `redraw` false when the canvas already shows the change (a drag). */
function edit(e: ErdEdit, redraw = true): void {
  if (!model) return;
  if (HOST_ONLY_OPS.has(e.op)) {
    host.post({ type: 'edit', kind: 'erd', edit: e });
    return; // the extension sends the new model
  }
  try {
    model = applyErdEdit(model, e);
  } catch (err) {
    shell.notice('error', err instanceof EditError ? err.message : String(err));
    if (!redraw) render();
    return;
  }
  host.post({ type: 'edit', kind: 'erd', edit: e });
  const sel = diagram.selected;
  if (e.op === 'renameEntity' && sel?.kind === 'box' && sel.id === e.entity) diagram.select({ kind: 'box', id: e.newName }, false);
  if (e.op === 'updateRelationship' && e.changes.name && sel?.kind === 'line' && sel.id === e.relationship) {
    diagram.select({ kind: 'line', id: e.changes.name }, false);
  }
  if (redraw) render();
}

// ---------------------------------------------------------------- drawing

function render(): void {
  const m = model;
  if (!m) return;
  const positions = fallback.resolve(m, m.entities.map((e) => e.name), (x) => layoutErdBoxes(x, false));
  const fks = new Map<string, Set<string>>();
  for (const r of m.relationships) {
    const s = fks.get(r.from.entity) ?? fks.set(r.from.entity, new Set()).get(r.from.entity);
    for (const c of r.from.columns) s?.add(c);
  }
  const splits = new Set(m.decompositions.filter((d) => d.status === 'proposed').map((d) => d.entity));
  const boxes = m.entities.map((e) => {
    const size = entitySize(e);
    const p = positions[e.name] ?? { x: 0, y: 0 };
    const rect: Rect = { x: p.x, y: p.y, ...size };
    return {
      id: e.name,
      rect,
      className: 'entity',
      ariaLabel: `Entity ${e.name}, ${e.columns.length} columns${splits.has(e.name) ? ', decomposition proposed' : ''}`,
      build: (g: SVGGElement) => drawEntity(g, e, rect, fks.get(e.name) ?? new Set(), splits.has(e.name)),
    };
  });
  const index = new Map(m.entities.map((e) => [e.name, e]));
  const lines: LineSpec[] = m.relationships.map((r) => relationshipLine(r, index));
  diagram.draw(boxes, lines, m.groups.map((g) => ({ name: g.name, members: g.entities })));
  renderPanel();
}

function drawEntity(g: SVGGElement, e: Entity, r: Rect, fks: Set<string>, split: boolean): void {
  svg('rect', { class: 'box', width: r.w, height: r.h, rx: 4 }, g);
  svg('rect', { class: 'box-header', width: r.w, height: HEADER, rx: 4 }, g);
  if (split) svg('text', { class: 'split-badge', x: r.w - 10, y: HEADER / 2 + 5, 'text-anchor': 'end' }, g, 'split?');
  svg('text', { class: 'title', x: 10, y: HEADER / 2 + 5 }, g, fit(e.name, Math.floor((r.w - 20) / CHAR) - (split ? 7 : 0)));
  const pk = new Set(e.primaryKey);
  const avail = Math.floor((r.w - 44) / CHAR);
  e.columns.forEach((c, i) => {
    const y = HEADER + i * ROW;
    // One hit rectangle per column carries the data; the texts ignore the pointer. The link handle is one shared
    // element placed on hover (data-hx/hy: where, relative to the box): fewer elements, faster first paint.
    svg('rect', { class: 'row', 'data-entity': e.name, 'data-column': c.name, 'data-hx': r.w, 'data-hy': y + ROW / 2, x: 0, y, width: r.w, height: ROW }, g);
    const row = g;
    const key = pk.has(c.name) ? 'PK' : fks.has(c.name) ? 'FK' : '';
    const base = y + ROW / 2 + 4;
    // The type is what a reader checks: it keeps its full text unless the name would drop below a few characters.
    const type = fit(c.nullable ? `${c.type}?` : c.type, Math.max(8, avail - Math.min(c.name.length, 12) - 1));
    if (key) svg('text', { class: `cell key ${key.toLowerCase()}`, x: 8, y: base }, row, key);
    svg('text', { class: 'cell col-name', x: 32, y: base }, row, fit(c.name, avail - type.length - 1));
    svg('text', { class: 'cell col-type', x: r.w - 12, y: base, 'text-anchor': 'end' }, row, type);
  });
}

function relationshipLine(r: ErdRelationship, index: Map<string, Entity>): LineSpec {
  const ai = index.get(r.from.entity)?.columns.findIndex((c) => c.name === r.from.columns[0]) ?? -1;
  const bi = index.get(r.to.entity)?.columns.findIndex((c) => c.name === r.to.columns[0]) ?? -1;
  return {
    id: r.name,
    a: r.from.entity,
    b: r.to.entity,
    // Column to column, around the other boxes.
    route: (a, b, boxes) => drawRoute(boxes, columnPorts(a, ai), columnPorts(b, bi), spreadOf(r.name)),
    className: `rel${r.optional ? ' optional' : ''}`,
    markerStart: r.cardinality === 'many-to-one' ? MARKER.many : MARKER.one,
    markerEnd: r.optional ? MARKER.oneOptional : MARKER.oneMandatory,
    ariaLabel: `Relationship ${r.name}: ${r.from.entity} to ${r.to.entity}, ${r.cardinality}${r.optional ? ', optional' : ''}`,
  };
}

// ---------------------------------------------------------------- toolbar

function buildToolbar(): void {
  const t = shell.toolbar;
  viewControls(t, diagram, {
    searchLabel: 'entities',
    layoutTitle: 'Place entities that have no position yet (keeps the ones you placed)',
    relayoutTitle: 'Lay out every entity again',
    autoLayout,
  });
  button(t, 'Add entity', 'Add an entity at the centre of the view', addEntity, 'add-entity');
  button(t, 'Export…', 'Export as Mermaid, DBML, ClickHouse DDL or SVG', () => host.post({ type: 'export' }), 'export');
}

function autoLayout(all: boolean): void {
  if (!model) return;
  const positions = layoutErdBoxes(model, all);
  if (Object.keys(positions).length === 0) {
    shell.notice('info', 'Every entity already has a position. Use "Re-layout all" to lay out everything again.');
    return;
  }
  fallback.clear();
  edit({ op: 'setPositions', positions });
  if (all) diagram.fit();
}

function addEntity(): void {
  if (!model) return;
  const names = new Set(model.entities.map((e) => e.name));
  let name = 'new_entity';
  for (let i = 2; names.has(name); i++) name = `new_entity_${i}`;
  const c = diagram.centre();
  edit({ op: 'addEntity', entity: name, x: Math.round(c.x - 80), y: Math.round(c.y - 30) });
  diagram.select({ kind: 'box', id: name });
  focusPanel();
}

// ---------------------------------------------------------------- side panel

function focusPanel(): void {
  const first = shell.panel.querySelector<HTMLElement>('input, select, button');
  first?.focus();
}

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
    const e = m.entities.find((x) => x.name === sel.id);
    if (e) entityPanel(p, e);
  } else {
    const r = m.relationships.find((x) => x.name === sel.id);
    if (r) relationshipPanel(p, r);
  }
  if (panelFocusName) p.querySelector<HTMLElement>(`[name="${CSS.escape(panelFocusName)}"]`)?.focus();
}

function entityPanel(p: HTMLElement, e: Entity): void {
  heading(p, 'Entity', e.sourceTable ? `from ${e.sourceTable}` : e.derivedFrom ? `derived from ${e.derivedFrom}` : undefined);
  textField(p, 'Name', e.name, (v) => edit({ op: 'renameEntity', entity: e.name, newName: v }), 'entity-name');
  if (e.description) html('p', { class: 'sub' }, p, e.description);
  html('h3', {}, p, 'Columns');
  const list = html('datalist', { id: 'types' }, p);
  for (const t of COMMON_TYPES) html('option', { value: t }, list);
  const table = html('table', { class: 'columns' }, p);
  const head = html('tr', {}, table);
  for (const h of ['Name', 'Type', 'Null', 'PK', '']) html('th', {}, head, h);
  e.columns.forEach((c) => {
    const tr = html('tr', {}, table);
    const name = html('input', { type: 'text', value: c.name, name: `col-name-${c.name}`, 'aria-label': `Name of column ${c.name}` }, html('td', {}, tr));
    name.addEventListener('change', () => {
      const v = name.value.trim();
      if (v && v !== c.name) edit({ op: 'updateColumn', entity: e.name, column: c.name, changes: { name: v } });
    });
    const type = html('input', { type: 'text', value: c.type, list: 'types', name: `col-type-${c.name}`, 'aria-label': `Type of column ${c.name}` }, html('td', {}, tr));
    type.addEventListener('change', () => {
      const v = type.value.trim();
      if (v && v !== c.type) edit({ op: 'updateColumn', entity: e.name, column: c.name, changes: { type: v } });
    });
    const nul = html('input', { type: 'checkbox', checked: c.nullable, name: `col-null-${c.name}`, 'aria-label': `${c.name} nullable` }, html('td', {}, tr));
    nul.addEventListener('change', () => edit({ op: 'updateColumn', entity: e.name, column: c.name, changes: { nullable: nul.checked } }));
    const pk = html('input', { type: 'checkbox', checked: e.primaryKey.includes(c.name), name: `col-pk-${c.name}`, 'aria-label': `${c.name} in primary key` }, html('td', {}, tr));
    pk.addEventListener('change', () => {
      const columns = pk.checked ? [...e.primaryKey, c.name] : e.primaryKey.filter((k) => k !== c.name);
      edit({ op: 'setPrimaryKey', entity: e.name, columns });
    });
    const rm = html('button', { type: 'button', class: 'icon', title: `Remove column ${c.name}`, 'aria-label': `Remove column ${c.name}` }, html('td', {}, tr), '×');
    rm.addEventListener('click', () => edit({ op: 'removeColumn', entity: e.name, column: c.name }));
  });
  for (const d of model?.decompositions.filter((x) => x.entity === e.name && x.status === 'proposed') ?? []) {
    html('h3', {}, p, `Proposed split: ${d.newEntity}`);
    html('p', { class: 'sub' }, p, d.reason);
    html('p', { class: 'sub' }, p, `Moves ${d.columns.join(', ')} to ${d.newEntity}, keyed by ${d.key.join(', ')}.`);
    button(p, 'Accept split', `Split ${d.columns.join(', ')} out into ${d.newEntity}`, () => edit({ op: 'decideDecomposition', id: d.id, accept: true }), `accept-${d.id}`);
    button(p, 'Reject', 'Keep the columns where they are', () => edit({ op: 'decideDecomposition', id: d.id, accept: false }), `reject-${d.id}`);
  }
  const rels = model?.relationships.filter((r) => r.from.entity === e.name || r.to.entity === e.name) ?? [];
  if (rels.length) {
    // Relationships are reached from here by keyboard (lines are not in the Tab order, so Tab walks the entities).
    html('h3', {}, p, 'Relationships');
    const ul = html('ul', { class: 'relationships' }, p);
    for (const r of rels) {
      const other = r.from.entity === e.name ? `→ ${r.to.entity}` : `← ${r.from.entity}`;
      const b = html('button', { type: 'button', class: 'link', name: `goto-${r.name}` }, html('li', {}, ul), `${r.name} ${other}`);
      b.addEventListener('click', () => {
        diagram.select({ kind: 'line', id: r.name });
        diagram.focus({ kind: 'line', id: r.name });
      });
    }
  }
  relationshipForm(p, e);
  button(p, 'Add column', 'Add a column to this entity', () => {
    const names = new Set(e.columns.map((c) => c.name));
    let name = 'new_column';
    for (let i = 2; names.has(name); i++) name = `new_column_${i}`;
    edit({ op: 'addColumn', entity: e.name, column: { name, type: 'String', nullable: true } });
  }, 'add-column');
  button(p, 'Delete entity', 'Delete this entity and its relationships', () => edit({ op: 'deleteEntity', entity: e.name }), 'delete-entity');
}

/** New relationship from this entity, by keyboard (the same edit as dragging from a column to another). */
function relationshipForm(p: HTMLElement, e: Entity): void {
  const m = model;
  if (!m || e.columns.length === 0) return;
  html('h3', {}, p, 'New relationship');
  const row = html('div', { class: 'rel-form' }, p);
  const from = html('select', { name: 'new-rel-from', 'aria-label': `Referencing column of ${e.name}` }, row);
  for (const c of e.columns) html('option', { value: c.name }, from, c.name);
  html('span', {}, row, '→');
  const target = html('select', { name: 'new-rel-entity', 'aria-label': 'Referenced entity' }, row);
  for (const x of m.entities) html('option', { value: x.name }, target, x.name);
  const to = html('select', { name: 'new-rel-to', 'aria-label': 'Referenced column' }, row);
  const fillColumns = () => {
    clear(to);
    const t = m.entities.find((x) => x.name === target.value);
    const cols = t ? [...t.primaryKey, ...t.columns.map((c) => c.name).filter((c) => !t.primaryKey.includes(c))] : [];
    for (const c of cols) html('option', { value: c }, to, c);
  };
  const other = m.entities.find((x) => x.name !== e.name);
  if (other) target.value = other.name;
  fillColumns();
  target.addEventListener('change', fillColumns);
  button(row, 'Add', 'Add this relationship (many-to-one)', () => {
    if (!model || !to.value) return;
    const nullable = e.columns.find((c) => c.name === from.value)?.nullable ?? false;
    const relationship: ErdRelationship = {
      name: freshRelationshipName(model, e.name, target.value),
      from: { entity: e.name, columns: [from.value] },
      to: { entity: target.value, columns: [to.value] },
      cardinality: 'many-to-one',
      optional: nullable,
    };
    edit({ op: 'addRelationship', relationship });
  }, 'add-relationship');
}

function relationshipPanel(p: HTMLElement, r: ErdRelationship): void {
  heading(p, 'Relationship', `${r.from.entity}(${r.from.columns.join(', ')}) → ${r.to.entity}(${r.to.columns.join(', ')})`);
  textField(p, 'Name', r.name, (v) => edit({ op: 'updateRelationship', relationship: r.name, changes: { name: v } }), 'rel-name');
  selectField(p, 'Cardinality', ['many-to-one', 'one-to-one'] as const, r.cardinality, (v) =>
    edit({ op: 'updateRelationship', relationship: r.name, changes: { cardinality: v } }), 'rel-cardinality');
  checkField(p, 'Optional (the reference may be empty)', r.optional, (v) =>
    edit({ op: 'updateRelationship', relationship: r.name, changes: { optional: v } }), 'rel-optional');
  button(p, 'Delete relationship', 'Delete this relationship', () => edit({ op: 'deleteRelationship', relationship: r.name }), 'delete-relationship');
}
