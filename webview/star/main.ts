/**
 * Star schema editor webview: facts in the centre, dimensions around, one line
 * per dimension reference labelled with its role, hierarchies listed in each
 * dimension box. Same contract as the ERD editor: draw what the extension
 * sends, turn every action into one typed edit, apply it locally too.
 */
import { applyStarEdit, EditError, freshBoxName, freshRole, levelChoices, referencesTo, type StarEdit, type StarEditContext } from '../../src/core/model/edits';
import type { Additivity, Aggregation, Dimension, Entity, Fact, Hierarchy, StarModel } from '../../src/core/model/model-types';
import { drawRoute, ROUTING, sidePorts, spreadOf } from '../../src/core/model/routing';
import { Diagram, type ColumnEnd, type LineSpec, type Selection } from '../shared/diagram';
import { clear, html, svg } from '../shared/dom';
import { CHAR, dimensionLines, factLines, fit, HEADER, linesSize, ROW, type Rect } from '../shared/geometry';
import { FallbackPositions, layoutStarBoxes } from '../shared/layout';
import { defineMarkers, MARKER } from '../shared/markers';
import { button, createShell, heading, selectField, startApp, textField, viewControls } from '../shared/shell';

const AGGREGATIONS: readonly Aggregation[] = ['sum', 'count', 'avg', 'min', 'max', 'countDistinct'];
const ADDITIVITY: readonly Additivity[] = ['additive', 'semi-additive', 'non-additive'];

const shell = createShell('Star schema');
let model: StarModel | null = null;
/** The source ERD's entities (sent by the extension when the star names a readable ERD). */
let erd: { file: string | null; entities: Entity[]; problem?: string } = { file: null, entities: [] };
/** The side panel shows the "new fact / new dimension" form instead of the selection. */
let adding: 'fact' | 'dimension' | null = null;
/** A dragged reference whose fact columns could not be guessed: the form opens with this dimension chosen. */
let pendingReference: string | null = null;
let panelFocusName: string | null = null;
const fallback = new FallbackPositions();

const diagram = new Diagram(shell.main, defineMarkers, {
  onMoved: (id, x, y) => edit({ op: 'moveEntity', entity: id, x, y }, false),
  onSelect: () => {
    adding = null;
    renderPanel();
  },
  onDelete: (sel) => deleteSelection(sel),
  onView: (view) => host.setState({ view }),
  onOpen: () => shell.panel.querySelector<HTMLElement>('input, select, button')?.focus(),
  onLink: (from, to) => linkBoxes(from, to),
});
const host = startApp({
  kind: 'star',
  shell,
  diagram,
  buildToolbar,
  onModel: (m) => {
    model = m;
    render();
  },
  onInvalid: () => (model = null),
  onOther: (m) => {
    if (m.type !== 'erdContext') return;
    erd = { file: m.erd, entities: m.entities, problem: m.problem };
    renderPanel();
  },
});

function context(): StarEditContext {
  return erd.file ? { entities: erd.entities } : {};
}

function entityOf(name: string | undefined): Entity | undefined {
  return name === undefined ? undefined : erd.entities.find((e) => e.name === name);
}

/** Apply locally, then tell the extension. `redraw` false when the canvas already shows the change (a drag). Returns whether it applied. */
function edit(e: StarEdit, redraw = true): boolean {
  if (!model) return false;
  const removed = e.op === 'deleteDimension' ? referencesTo(model, e.dimension) : [];
  try {
    model = applyStarEdit(model, e, context());
  } catch (err) {
    shell.notice('error', err instanceof EditError ? err.message : String(err));
    if (!redraw) render();
    return false;
  }
  host.post({ type: 'edit', kind: 'star', edit: e });
  const sel = diagram.selected;
  const renamed = e.op === 'renameFact' ? [e.fact, e.newName] : e.op === 'renameDimension' ? [e.dimension, e.newName] : null;
  if (renamed && sel?.kind === 'box' && sel.id === renamed[0]) diagram.select({ kind: 'box', id: renamed[1] }, false);
  if (e.op === 'deleteDimension' && removed.length) {
    shell.notice('info', `Deleted dimension "${e.dimension}" and ${removed.length === 1 ? 'the reference' : `the ${removed.length} references`} to it (${removed.join(', ')}). Undo brings them back.`);
  }
  if (redraw) render();
  return true;
}

function deleteSelection(sel: NonNullable<Selection>): void {
  if (!model) return;
  if (sel.kind === 'line') {
    const ref = referenceOf(sel.id);
    if (ref) edit({ op: 'removeReference', fact: ref.fact.name, role: ref.fact.dimensions[ref.index].role });
    return;
  }
  const isFact = model.facts.some((f) => f.name === sel.id);
  edit(isFact ? { op: 'deleteFact', fact: sel.id } : { op: 'deleteDimension', dimension: sel.id });
}

/** A line id is `<fact>#<index of the reference>`. */
function referenceOf(lineId: string): { fact: Fact; index: number } | undefined {
  const at = lineId.lastIndexOf('#');
  const fact = model?.facts.find((f) => f.name === lineId.slice(0, at));
  const index = Number(lineId.slice(at + 1));
  return fact && fact.dimensions[index] ? { fact, index } : undefined;
}

/** Drag from a fact to a dimension (or back): a new reference, joined on the fact columns that match the key. */
function linkBoxes(from: ColumnEnd, to: ColumnEnd): void {
  const m = model;
  if (!m) return;
  const factOf = (n: string) => m.facts.find((f) => f.name === n);
  const dimOf = (n: string) => m.dimensions.find((d) => d.name === n);
  const f = factOf(from.box) ?? factOf(to.box);
  const d = dimOf(to.box) ?? dimOf(from.box);
  if (!f || !d) {
    shell.notice('info', 'Drag from a fact to a dimension to add a dimension reference.');
    return;
  }
  const columns = guessColumns(f, d);
  if (!columns) {
    pendingReference = d.name;
    diagram.select({ kind: 'box', id: f.name });
    shell.notice('info', `Choose the column(s) of "${f.entity}" that hold the key of "${d.name}", then Add reference.`);
    shell.panel.querySelector<HTMLElement>('[name="new-ref-col-0"]')?.focus();
    return;
  }
  if (edit({ op: 'addReference', fact: f.name, reference: { dimension: d.name, role: freshRole(f, d.name), columns } })) {
    diagram.select({ kind: 'line', id: `${f.name}#${f.dimensions.length}` });
  }
}

/**
 * The fact columns a new reference joins on: the ones named like the dimension's natural key (also
 * `<dimension>_<key>`), or for a date dimension the first date column not referenced yet. Without the
 * ERD the key's own names are the best guess. Null when nothing fits: the user chooses.
 */
function guessColumns(f: Fact, d: Dimension): string[] | null {
  const e = entityOf(f.entity);
  if (!erd.file) return d.naturalKey.length ? [...d.naturalKey] : null;
  if (!e) return null;
  const has = (c: string) => e.columns.some((x) => x.name === c);
  if (d.generated === 'date') {
    const used = new Set(f.dimensions.flatMap((r) => r.columns));
    const c = e.columns.find((x) => /^(Date|DateTime)/.test(x.type) && !used.has(x.name));
    return c ? [c.name] : null;
  }
  const cols = d.naturalKey.map((k) => [k, `${d.name}_${k}`, `${d.entity ?? d.name}_${k}`].find(has));
  return cols.length && cols.every((c): c is string => c !== undefined) ? cols : null;
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
      route: routeRef(f, i),
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
  // The whole box is a link end (drag from a fact to a dimension); the diagram's handle sits on the header's right edge.
  for (const [k, v] of [['data-hx', r.w], ['data-hy', HEADER / 2], ['data-entity', name], ['data-column', '*']] as const) g.setAttribute(k, String(v));
  const max = Math.floor((r.w - 20) / CHAR);
  svg('rect', { class: 'box', width: r.w, height: r.h, rx: 4 }, g);
  svg('rect', { class: 'box-header', width: r.w, height: HEADER, rx: 4 }, g);
  svg('text', { class: 'title', x: 10, y: HEADER / 2 + 5 }, g, fit(name, max - tag.length - 2));
  svg('text', { class: 'line-dim', x: r.w - 10, y: HEADER / 2 + 5, 'text-anchor': 'end' }, g, tag);
  lines.forEach((l, i) => svg('text', { class: i === 0 ? 'line-dim' : 'line', x: 10, y: HEADER + i * ROW + ROW / 2 + 4 }, g, fit(l, max)));
}

/** Around the other boxes; each of several references from one fact to one dimension (roles) keeps its own lane. */
function routeRef(f: Fact, i: number): LineSpec['route'] {
  const same = f.dimensions.filter((r) => r.dimension === f.dimensions[i].dimension);
  const lane = (same.indexOf(f.dimensions[i]) - (same.length - 1) / 2) * ROUTING.lane;
  // Role lanes are already apart: only a lone reference takes a channel lane.
  const spread = lane === 0 ? spreadOf(`${f.name}.${f.dimensions[i].role}`) : 0;
  return (a, b, boxes) => drawRoute(boxes, sidePorts(a, b, lane), sidePorts(b, a, lane), spread, lane);
}

// ---------------------------------------------------------------- toolbar

function buildToolbar(): void {
  const t = shell.toolbar;
  viewControls(t, diagram, {
    searchLabel: 'facts and dimensions',
    layoutTitle: 'Place boxes that have no position yet (keeps the ones you placed)',
    relayoutTitle: 'Facts in the centre, dimensions around',
    autoLayout,
  });
  button(t, 'Add fact', 'Add a fact (from an ERD entity)', () => startAdding('fact'), 'add-fact');
  button(t, 'Add dimension', 'Add a dimension (from an ERD entity)', () => startAdding('dimension'), 'add-dimension');
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
  p.hidden = !m || (!sel && !adding);
  if (!m) return;
  if (adding) addPanel(p, adding);
  else if (sel?.kind === 'box') {
    const f = m.facts.find((x) => x.name === sel.id);
    const d = m.dimensions.find((x) => x.name === sel.id);
    if (f) factPanel(p, f);
    else if (d) dimensionPanel(p, d);
  } else if (sel) {
    const ref = referenceOf(sel.id);
    if (ref) refPanel(p, ref.fact, ref.index);
  }
  if (panelFocusName) p.querySelector<HTMLElement>(`[name="${CSS.escape(panelFocusName)}"]`)?.focus();
}

/** A column of `entity` as a select when the ERD is known, else a text field (checked for shape only). */
function columnInput(parent: HTMLElement, entity: Entity | undefined, value: string, name: string, label: string): HTMLInputElement | HTMLSelectElement {
  if (!entity) return html('input', { type: 'text', value, name, 'aria-label': label, spellcheck: 'false' }, parent);
  const sel = html('select', { name, 'aria-label': label }, parent);
  for (const c of entity.columns) html('option', { value: c.name, selected: c.name === value }, sel, c.name);
  return sel;
}

/** Columns are offered from the ERD when it is known; say why they are not when it is not. */
function erdNote(p: HTMLElement, entityName: string | undefined): Entity | undefined {
  const e = entityOf(entityName);
  if (e || !entityName) return e;
  const why = erd.problem ?? (erd.file ? `entity "${entityName}" is not in ${erd.file}` : 'this star file names no ERD');
  html('p', { class: 'sub' }, p, `Columns are typed by hand: ${why}.`);
  return undefined;
}

function startAdding(kind: 'fact' | 'dimension'): void {
  if (!model) return;
  adding = kind;
  diagram.select(null, false);
  renderPanel();
  shell.panel.querySelector<HTMLElement>('[name="new-entity"]')?.focus();
}

/** New fact or dimension: from an ERD entity (key and attributes filled from it), or by name. */
function addPanel(p: HTMLElement, kind: 'fact' | 'dimension'): void {
  const m = model;
  if (!m) return;
  heading(p, kind === 'fact' ? 'New fact' : 'New dimension', erd.file ? `from an entity of ${erd.file}` : undefined);
  const entityRow = html('label', { class: 'field' }, p);
  html('span', {}, entityRow, 'ERD entity');
  let entity: HTMLInputElement | HTMLSelectElement;
  if (erd.entities.length) {
    entity = html('select', { name: 'new-entity' }, entityRow);
    // Entities no fact or dimension is built from yet come first: they are the likely choice.
    const used = new Set([...m.facts.map((f) => f.entity), ...m.dimensions.map((d) => d.entity)]);
    const ordered = [...erd.entities.filter((e) => !used.has(e.name)), ...erd.entities.filter((e) => used.has(e.name))];
    for (const e of ordered) html('option', { value: e.name }, entity, used.has(e.name) ? `${e.name} (used)` : e.name);
  } else {
    entity = html('input', { type: 'text', name: 'new-entity', spellcheck: 'false' }, entityRow);
    html('p', { class: 'sub' }, p, `Type the entity's name: ${erd.problem ?? 'this star file names no ERD'}.`);
  }
  const suggest = () => (entity.value ? freshBoxName(m, kind === 'fact' ? `fact_${entity.value}` : entity.value) : '');
  const nameRow = html('label', { class: 'field' }, p);
  html('span', {}, nameRow, 'Name');
  const name = html('input', { type: 'text', name: 'new-name', value: suggest(), spellcheck: 'false' }, nameRow);
  let typed = false;
  name.addEventListener('input', () => (typed = true));
  // 'input' fires for a select's choice and for each typed character alike.
  entity.addEventListener('input', () => {
    if (!typed) name.value = suggest();
  });
  const row = html('div', { class: 'rel-form' }, p);
  button(row, 'Add', `Add this ${kind}`, () => addBox(kind, name.value.trim(), entity.value.trim()), 'add-box');
  button(row, 'Cancel', 'Close this form', () => {
    adding = null;
    renderPanel();
  }, 'add-cancel');
}

function addBox(kind: 'fact' | 'dimension', name: string, entityName: string): void {
  if (!name || !entityName) {
    shell.notice('error', `A new ${kind} needs a name and an entity.`);
    return;
  }
  const e = entityOf(entityName);
  const c = diagram.centre();
  const at = { x: Math.round(c.x - 120), y: Math.round(c.y - 40) };
  const pk = e?.primaryKey ?? [];
  const ok = kind === 'fact'
    ? edit({ op: 'addFact', fact: name, entity: entityName, grain: [...pk], ...at })
    : edit({
        op: 'addDimension',
        dimension: name,
        entity: entityName,
        naturalKey: [...pk],
        attributes: (e?.columns ?? []).filter((x) => !pk.includes(x.name)).map((x) => ({ name: x.name, column: x.name, type: x.type })),
        ...at,
      });
  if (!ok) return;
  adding = null;
  diagram.select({ kind: 'box', id: name });
}

function factPanel(p: HTMLElement, f: Fact): void {
  heading(p, 'Fact', `from ${f.entity}`);
  textField(p, 'Name', f.name, (v) => edit({ op: 'renameFact', fact: f.name, newName: v }), 'fact-name');
  html('p', { class: 'sub' }, p, `Grain: ${f.grainDescription || f.grain.join(', ')}`);
  if (f.reason) html('p', { class: 'sub' }, p, f.reason);
  const e = erdNote(p, f.entity);
  measuresSection(p, f, e);
  referencesSection(p, f, e);
  degenerateSection(p, f, e);
  for (const h of f.headerDegenerate ?? []) html('p', { class: 'sub' }, p, `From header ${h.via.entity}: ${h.columns.join(', ')}`);
  button(p, 'Delete fact', 'Delete this fact', () => edit({ op: 'deleteFact', fact: f.name }), 'delete-fact');
}

function measuresSection(p: HTMLElement, f: Fact, e: Entity | undefined): void {
  html('h3', {}, p, 'Measures');
  // One wrapping row per measure (a five-column table does not fit the panel).
  for (const ms of f.measures) {
    const tr = html('div', { class: 'rel-form measure' }, p);
    const name = html('input', { type: 'text', value: ms.name, size: 12, name: `measure-name-${ms.name}`, 'aria-label': `Name of measure ${ms.name}` }, tr);
    name.addEventListener('change', () => {
      const v = name.value.trim();
      if (v && v !== ms.name) edit({ op: 'updateMeasure', fact: f.name, measure: ms.name, newName: v });
      else name.value = ms.name;
    });
    const col = columnInput(tr, e, ms.column, `measure-col-${ms.name}`, `Column of measure ${ms.name}`);
    col.addEventListener('change', () => {
      const v = col.value.trim();
      if (v && v !== ms.column) edit({ op: 'updateMeasure', fact: f.name, measure: ms.name, column: v });
    });
    removeButton(tr, `Remove measure ${ms.name}`, `remove-measure-${ms.name}`, () => edit({ op: 'removeMeasure', fact: f.name, measure: ms.name }));
    const kinds = html('div', { class: 'rel-form measure' }, p);
    selectField(kinds, `${ms.name}: aggregation`, AGGREGATIONS, ms.aggregation, (v) =>
      edit({ op: 'updateMeasure', fact: f.name, measure: ms.name, aggregation: v }), `agg-${ms.name}`);
    selectField(kinds, 'additivity', ADDITIVITY, ms.additivity, (v) =>
      edit({ op: 'updateMeasure', fact: f.name, measure: ms.name, additivity: v }), `add-${ms.name}`);
  }
  const row = html('div', { class: 'rel-form' }, p);
  const used = new Set(f.measures.map((x) => x.column));
  const first = e?.columns.find((c) => /^(U?Int|Float|Decimal)/.test(c.type) && !used.has(c.name) && !f.grain.includes(c.name));
  const col = columnInput(row, e, first?.name ?? '', 'new-measure-col', 'Column of the new measure');
  button(row, 'Add measure', 'Add a measure over this column (sum, additive; change it above)', () => {
    const column = col.value.trim();
    if (!column) return;
    let name = column;
    for (let i = 2; f.measures.some((x) => x.name === name); i++) name = `${column}_${i}`;
    edit({ op: 'addMeasure', fact: f.name, measure: { name, column, aggregation: 'sum', additivity: 'additive' } });
  }, 'add-measure');
}

function referencesSection(p: HTMLElement, f: Fact, e: Entity | undefined): void {
  const m = model;
  if (!m) return;
  html('h3', {}, p, 'Dimensions (role)');
  f.dimensions.forEach((r, i) => {
    const row = html('div', { class: 'rel-form' }, p);
    textField(row, `${r.dimension} via ${r.via ? `${r.via.entity}.` : ''}${r.columns.join(', ')}`, r.role, (v) => edit({ op: 'setRole', fact: f.name, index: i, role: v }), `role-${i}`);
    removeButton(row, `Remove the reference ${r.role} to ${r.dimension}`, `remove-ref-${i}`, () => edit({ op: 'removeReference', fact: f.name, role: r.role }));
  });
  if (m.dimensions.length === 0) return;
  html('h3', {}, p, 'New dimension reference');
  const form = html('div', { class: 'rel-form' }, p);
  const dim = html('select', { name: 'new-ref-dimension', 'aria-label': 'Dimension' }, form);
  for (const d of m.dimensions) html('option', { value: d.name, selected: d.name === pendingReference }, dim, d.name);
  pendingReference = null;
  const cols = html('span', { class: 'rel-form' }, form);
  const role = html('input', { type: 'text', name: 'new-ref-role', 'aria-label': 'Role', spellcheck: 'false' }, form);
  let inputs: (HTMLInputElement | HTMLSelectElement)[] = [];
  const fill = () => {
    clear(cols);
    const d = m.dimensions.find((x) => x.name === dim.value);
    if (!d) return;
    const guess = guessColumns(f, d) ?? [];
    const keys = d.naturalKey.length ? d.naturalKey : ['key'];
    inputs = keys.map((k, i) => columnInput(cols, e, guess[i] ?? '', `new-ref-col-${i}`, `Column of ${f.entity} holding ${d.name}.${k}`));
    role.value = freshRole(f, d.name);
  };
  fill();
  dim.addEventListener('change', fill);
  button(form, 'Add reference', 'Reference this dimension from the fact', () => {
    const columns = inputs.map((x) => x.value.trim());
    if (columns.some((c) => !c)) {
      shell.notice('error', `Choose the column(s) of ${f.entity} that hold the key of ${dim.value}.`);
      return;
    }
    if (edit({ op: 'addReference', fact: f.name, reference: { dimension: dim.value, role: role.value.trim(), columns } })) {
      diagram.select({ kind: 'line', id: `${f.name}#${f.dimensions.length}` });
    }
  }, 'add-reference');
}

function degenerateSection(p: HTMLElement, f: Fact, e: Entity | undefined): void {
  html('h3', {}, p, 'Degenerate dimensions');
  const ul = html('ul', {}, p);
  for (const c of f.degenerate) {
    const li = html('li', {}, ul, `${c} `);
    removeButton(li, `Remove degenerate dimension ${c}`, `remove-degenerate-${c}`, () => edit({ op: 'removeDegenerate', fact: f.name, column: c }));
  }
  const row = html('div', { class: 'rel-form' }, p);
  const col = columnInput(row, e, '', 'new-degenerate', 'Column kept on the fact');
  button(row, 'Keep on fact', 'Keep this column on the fact as a degenerate dimension (e.g. an order number)', () => {
    const c = col.value.trim();
    if (c) edit({ op: 'addDegenerate', fact: f.name, column: c });
  }, 'add-degenerate');
}

function removeButton(parent: HTMLElement, label: string, name: string, onClick: () => void): void {
  const b = html('button', { type: 'button', class: 'icon', title: label, 'aria-label': label, name }, parent, '×');
  b.addEventListener('click', onClick);
}

function dimensionPanel(p: HTMLElement, d: Dimension): void {
  heading(p, d.generated ? 'Date dimension (generated)' : 'Dimension', d.entity ? `from ${d.entity}` : undefined);
  textField(p, 'Name', d.name, (v) => edit({ op: 'renameDimension', dimension: d.name, newName: v }), 'dim-name');
  selectField(p, 'Slowly changing dimension type', [1, 2] as const, d.scdType, (v) => edit({ op: 'setScdType', dimension: d.name, scdType: v }), 'scd');
  naturalKeySection(p, d);
  html('p', { class: 'sub' }, p, `Surrogate key: ${d.surrogateKey}`);
  if (d.reason) html('p', { class: 'sub' }, p, d.reason);
  if (d.collapsed.length) html('p', { class: 'sub' }, p, `Snowflaked entities folded in: ${d.collapsed.join(', ')}`);
  html('h3', {}, p, `Attributes (${d.attributes.length})`);
  const ul = html('ul', {}, p);
  for (const a of d.attributes) html('li', {}, ul, `${a.name}: ${a.type}`);
  hierarchiesSection(p, d);
  const refs = model ? referencesTo(model, d.name) : [];
  const what = refs.length ? `Delete this dimension and its ${refs.length} reference(s): ${refs.join(', ')}` : 'Delete this dimension';
  button(p, 'Delete dimension', what, () => edit({ op: 'deleteDimension', dimension: d.name }), 'delete-dimension');
}

/**
 * Hierarchies, root to leaf: rename, remove, and per level move up / down / remove; a level is added
 * at the leaf end from the attributes not in the hierarchy yet. A level nobody measured shows "unknown".
 */
function hierarchiesSection(p: HTMLElement, d: Dimension): void {
  html('h3', {}, p, 'Hierarchies');
  if (d.hierarchies.length === 0) html('p', { class: 'sub' }, p, 'none');
  const choices = levelChoices(d);
  for (const h of d.hierarchies) hierarchyBox(p, d, h, choices);
  newHierarchyForm(p, d, choices);
}

function cardinalityText(n: number): string {
  return n > 0 ? n.toLocaleString('en-US') : 'unknown';
}

function hierarchyBox(p: HTMLElement, d: Dimension, h: Hierarchy, choices: string[]): void {
  const box = html('fieldset', { class: 'hierarchy' }, p);
  html('legend', {}, box, h.name);
  const at = { dimension: d.name, hierarchy: h.name };
  textField(box, 'Name', h.name, (v) => edit({ op: 'renameHierarchy', ...at, newName: v }), `hier-name-${h.name}`);
  const ol = html('ol', { class: 'levels', 'aria-label': `Levels of ${h.name}, root to leaf` }, box);
  h.levels.forEach((l, i) => {
    const li = html('li', { class: 'rel-form' }, ol);
    const label = l.name === l.attribute ? l.name : `${l.name} (${l.attribute})`;
    html('span', { class: 'level' }, li, `${label}: ${cardinalityText(l.cardinality)}`);
    const move = (to: number, dir: string, sign: string) => {
      const b = html('button', { type: 'button', class: 'icon', name: `level-${dir}-${h.name}-${l.attribute}`, title: `Move level ${l.name} ${dir}`, 'aria-label': `Move level ${l.name} of ${h.name} ${dir}`, disabled: to < 0 || to >= h.levels.length }, li, sign);
      b.addEventListener('click', () => {
        if (!edit({ op: 'moveLevel', ...at, attribute: l.attribute, to })) return;
        // At the root (or leaf) this button is now disabled: keep the keyboard on the level's other arrow.
        const q = (side: string) => shell.panel.querySelector<HTMLButtonElement>(`[name="${CSS.escape(`level-${side}-${h.name}-${l.attribute}`)}"]`);
        if (q(dir)?.disabled) q(dir === 'up' ? 'down' : 'up')?.focus();
      });
    };
    move(i - 1, 'up', '↑');
    move(i + 1, 'down', '↓');
    removeButton(li, `Remove level ${l.name} from ${h.name}`, `remove-level-${h.name}-${l.attribute}`, () => edit({ op: 'removeLevel', ...at, attribute: l.attribute }));
  });
  const order = cardinalityOrderNote(h);
  if (order) html('p', { class: 'sub' }, box, order);
  const free = choices.filter((c) => !h.levels.some((l) => l.attribute === c));
  if (free.length) {
    const row = html('div', { class: 'rel-form' }, box);
    const sel = html('select', { name: `add-level-${h.name}`, 'aria-label': `Attribute of a new leaf level of ${h.name}` }, row);
    for (const c of free) html('option', { value: c }, sel, c);
    const b = html('button', { type: 'button', name: `add-level-button-${h.name}`, title: `Add this attribute as the new leaf level of ${h.name}` }, row, 'Add level');
    b.addEventListener('click', () => edit({ op: 'addLevel', ...at, attribute: sel.value }));
  }
  const rm = html('button', { type: 'button', name: `remove-hierarchy-${h.name}`, title: `Remove the hierarchy ${h.name}` }, box, 'Remove hierarchy');
  rm.addEventListener('click', () => edit({ op: 'removeHierarchy', ...at }));
}

/** A parent level with more members than its child is likely upside down: say so (measured levels only). */
function cardinalityOrderNote(h: Hierarchy): string | null {
  const measured = h.levels.filter((l) => l.cardinality > 0);
  for (let i = 1; i < measured.length; i++) {
    const [a, b] = [measured[i - 1], measured[i]];
    if (a.cardinality > b.cardinality) return `Check the order: ${a.name} (${cardinalityText(a.cardinality)}) is above ${b.name} (${cardinalityText(b.cardinality)}), which has fewer members.`;
  }
  return null;
}

/** A new hierarchy: a name and its first two levels, root and next; more levels are added to it afterwards. */
function newHierarchyForm(p: HTMLElement, d: Dimension, choices: string[]): void {
  if (choices.length < 2) return;
  const form = html('fieldset', { class: 'hierarchy new' }, p);
  html('legend', {}, form, 'New hierarchy');
  const field = (label: string, build: (row: HTMLElement) => HTMLInputElement | HTMLSelectElement) => {
    const row = html('label', { class: 'field' }, form);
    html('span', {}, row, label);
    return build(row);
  };
  const name = field('Name', (row) => html('input', { type: 'text', name: 'new-hierarchy-name', spellcheck: 'false' }, row));
  const level = (label: string, n: string, pick: number) =>
    field(label, (row) => {
      const sel = html('select', { name: n }, row);
      choices.forEach((c, i) => html('option', { value: c, selected: i === pick }, sel, c));
      return sel;
    });
  const root = level('Root level', 'new-hierarchy-root', 0);
  const next = level('Next level', 'new-hierarchy-next', 1);
  button(form, 'Add hierarchy', 'Add this hierarchy (more levels can be added to it)', () => {
    const n = name.value.trim();
    if (!n) {
      shell.notice('error', `A new hierarchy of "${d.name}" needs a name.`);
      return;
    }
    if (edit({ op: 'addHierarchy', dimension: d.name, hierarchy: n, levels: [root.value, next.value] })) {
      shell.panel.querySelector<HTMLElement>(`[name="${CSS.escape(`add-level-${n}`)}"]`)?.focus();
    }
  }, 'add-hierarchy');
}

/** The natural key: ticks over the entity's columns when the ERD is known, else a comma-separated list. */
function naturalKeySection(p: HTMLElement, d: Dimension): void {
  if (d.generated) {
    html('p', { class: 'sub' }, p, `Natural key: ${d.naturalKey.join(', ')} (fixed for the generated date dimension)`);
    return;
  }
  const e = erdNote(p, d.entity);
  if (!e) {
    textField(p, 'Natural key (columns, comma-separated)', d.naturalKey.join(', '), (v) =>
      edit({ op: 'setNaturalKey', dimension: d.name, columns: v.split(',').map((x) => x.trim()).filter(Boolean) }), 'natural-key');
    return;
  }
  const box = html('fieldset', { class: 'natural-key' }, p);
  html('legend', {}, box, 'Natural key');
  for (const c of e.columns) {
    const row = html('label', { class: 'field check' }, box);
    const input = html('input', { type: 'checkbox', checked: d.naturalKey.includes(c.name), name: `nk-${c.name}` }, row);
    html('span', {}, row, c.name);
    input.addEventListener('change', () => {
      const columns = input.checked ? [...d.naturalKey, c.name] : d.naturalKey.filter((k) => k !== c.name);
      // Refused edits (e.g. a reference joins on the old key) redraw the panel as it was.
      if (!edit({ op: 'setNaturalKey', dimension: d.name, columns })) renderPanel();
    });
  }
}

function refPanel(p: HTMLElement, f: Fact, index: number): void {
  const r = f.dimensions[index];
  if (!r) return;
  const owner = r.via ? `${f.name} → ${r.via.entity}` : f.name;
  heading(p, 'Dimension reference', `${owner}(${r.columns.join(', ')}) → ${r.dimension}`);
  textField(p, 'Role', r.role, (v) => edit({ op: 'setRole', fact: f.name, index, role: v }), 'ref-role');
  button(p, 'Delete reference', 'Remove this dimension reference from the fact', () => edit({ op: 'removeReference', fact: f.name, role: r.role }), 'delete-reference');
}
