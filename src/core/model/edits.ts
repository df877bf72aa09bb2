/**
 * Edits of model files as data: the model editors send one of these per user
 * action, and the same pure function applies it on both sides (optimistically
 * in the webview, authoritatively in the extension before the text is
 * rewritten). No Node imports: the webview bundle includes this file.
 */
import type { Aggregation, Additivity, Dimension, DimensionRef, Entity, EntityColumn, ErdModel, ErdRelationship, Fact, Hierarchy, Point, StarModel } from './model-types';

export type ColumnChanges = Partial<Pick<EntityColumn, 'name' | 'type' | 'nullable'>>;
export type RelationshipChanges = Partial<Pick<ErdRelationship, 'name' | 'cardinality' | 'optional'>>;

/** Edits shared by both kinds: positions of boxes in `layout.positions`. */
export type LayoutEdit =
  | { op: 'moveEntity'; entity: string; x: number; y: number }
  /** Auto-layout result: positions of several boxes at once. */
  | { op: 'setPositions'; positions: Record<string, Point> };

export type ErdEdit =
  | LayoutEdit
  | { op: 'addEntity'; entity: string; x: number; y: number }
  | { op: 'renameEntity'; entity: string; newName: string }
  | { op: 'deleteEntity'; entity: string }
  | { op: 'addColumn'; entity: string; column: EntityColumn }
  | { op: 'updateColumn'; entity: string; column: string; changes: ColumnChanges }
  | { op: 'removeColumn'; entity: string; column: string }
  | { op: 'setPrimaryKey'; entity: string; columns: string[] }
  | { op: 'addRelationship'; relationship: ErdRelationship }
  | { op: 'updateRelationship'; relationship: string; changes: RelationshipChanges }
  | { op: 'deleteRelationship'; relationship: string }
  | DecompositionEdit;

/**
 * Accept or reject a proposed decomposition. Applied by the extension only
 * (it needs the proposal logic, which does not belong in the webview bundle):
 * the webview posts it and redraws from the model sent back.
 */
export interface DecompositionEdit {
  op: 'decideDecomposition';
  id: string;
  accept: boolean;
}

export const HOST_ONLY_OPS: ReadonlySet<string> = new Set(['decideDecomposition']);

export type Measure = Fact['measures'][number];
export type DimensionAttribute = Dimension['attributes'][number];
/** A new direct reference (the fact's own columns; references through a header come from the proposal). */
export type NewReference = Pick<DimensionRef, 'dimension' | 'role' | 'columns'>;

export type StarEdit =
  | LayoutEdit
  | { op: 'addFact'; fact: string; entity: string; grain: string[]; x: number; y: number }
  | { op: 'addDimension'; dimension: string; entity: string; naturalKey: string[]; attributes: DimensionAttribute[]; x: number; y: number }
  | { op: 'renameFact'; fact: string; newName: string }
  | { op: 'renameDimension'; dimension: string; newName: string }
  | { op: 'setScdType'; dimension: string; scdType: 1 | 2 }
  | { op: 'setNaturalKey'; dimension: string; columns: string[] }
  | { op: 'addMeasure'; fact: string; measure: Measure }
  | { op: 'updateMeasure'; fact: string; measure: string; newName?: string; column?: string; aggregation?: Aggregation; additivity?: Additivity }
  | { op: 'removeMeasure'; fact: string; measure: string }
  | { op: 'addDegenerate'; fact: string; column: string }
  | { op: 'removeDegenerate'; fact: string; column: string }
  | { op: 'addReference'; fact: string; reference: NewReference }
  | { op: 'removeReference'; fact: string; role: string }
  | { op: 'setRole'; fact: string; index: number; role: string }
  | { op: 'deleteFact'; fact: string }
  | { op: 'deleteDimension'; dimension: string }
  | HierarchyEdit;

/**
 * Edits of a dimension's hierarchies. Levels are named by the dimension attribute (or natural-key
 * column) they roll up on, listed root to leaf. A level added by hand has cardinality 0, the
 * convention for "not measured" (detection writes 0 too when it cannot count; a real level has >= 2
 * members), unless another hierarchy of the dimension measured the same attribute.
 */
export type HierarchyEdit =
  | { op: 'addHierarchy'; dimension: string; hierarchy: string; levels: string[] }
  | { op: 'renameHierarchy'; dimension: string; hierarchy: string; newName: string }
  | { op: 'removeHierarchy'; dimension: string; hierarchy: string }
  /** `at`: position of the new level (0 = new root); default: the new leaf. */
  | { op: 'addLevel'; dimension: string; hierarchy: string; attribute: string; at?: number }
  | { op: 'removeLevel'; dimension: string; hierarchy: string; attribute: string }
  /** `to`: the level's new position, 0 = root. */
  | { op: 'moveLevel'; dimension: string; hierarchy: string; attribute: string; to: number };

/** Fewest levels a hierarchy may have: one level rolls up to nothing (detection never proposes fewer). */
export const MIN_LEVELS = 2;

/**
 * What a star edit may check new column names against: the entities of the
 * model's source ERD, when the editor could read it. Without it, names are
 * only checked for shape (the file stays valid; the build names a missing column).
 */
export interface StarEditContext {
  entities?: readonly Entity[];
}

/** An edit that cannot apply to this model (stale webview, bad input): one line naming the object and the cause. */
export class EditError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EditError';
  }
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

function checkName(what: string, name: string): void {
  if (!NAME.test(name)) throw new EditError(`${what} name "${name}" must start with a letter or _ and hold only letters, digits and _`);
}

/** Structured copy: edits never mutate their input, so undo/compare stay trivial. */
function clone<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}

function renameKey<V>(rec: Record<string, V>, from: string, to: string): Record<string, V> {
  const out: Record<string, V> = {};
  for (const [k, v] of Object.entries(rec)) out[k === from ? to : k] = v;
  return out;
}

function applyLayout(positions: Record<string, Point>, edit: LayoutEdit, known: (name: string) => boolean): Record<string, Point> {
  const round = (p: Point): Point => ({ x: Math.round(p.x), y: Math.round(p.y) });
  if (edit.op === 'moveEntity') {
    if (!known(edit.entity)) throw new EditError(`cannot move "${edit.entity}": no such box`);
    return { ...positions, [edit.entity]: round(edit) };
  }
  const out = { ...positions };
  for (const [name, p] of Object.entries(edit.positions)) {
    if (!known(name)) throw new EditError(`cannot place "${name}": no such box`);
    out[name] = round(p);
  }
  return out;
}

// ---------------------------------------------------------------- ERD

export function applyErdEdit(model: ErdModel, edit: ErdEdit): ErdModel {
  const m = clone(model);
  const entity = (name: string) => {
    const e = m.entities.find((x) => x.name === name);
    if (!e) throw new EditError(`entity "${name}" does not exist`);
    return e;
  };
  switch (edit.op) {
    case 'moveEntity':
    case 'setPositions':
      m.layout.positions = applyLayout(m.layout.positions, edit, (n) => m.entities.some((e) => e.name === n));
      return m;
    case 'addEntity':
      checkName('entity', edit.entity);
      if (m.entities.some((e) => e.name === edit.entity)) throw new EditError(`entity "${edit.entity}" already exists`);
      m.entities.push({ name: edit.entity, columns: [{ name: 'id', type: 'UInt64', nullable: false }], primaryKey: ['id'] });
      m.layout.positions[edit.entity] = { x: Math.round(edit.x), y: Math.round(edit.y) };
      return m;
    case 'renameEntity':
      return renameEntity(m, edit.entity, edit.newName);
    case 'deleteEntity':
      entity(edit.entity);
      m.entities = m.entities.filter((e) => e.name !== edit.entity);
      m.relationships = m.relationships.filter((r) => r.from.entity !== edit.entity && r.to.entity !== edit.entity);
      m.groups = m.groups.map((g) => ({ ...g, entities: g.entities.filter((n) => n !== edit.entity) }));
      m.decompositions = m.decompositions.filter((d) => d.entity !== edit.entity);
      delete m.layout.positions[edit.entity];
      return m;
    case 'addColumn': {
      const e = entity(edit.entity);
      checkName('column', edit.column.name);
      if (e.columns.some((c) => c.name === edit.column.name)) throw new EditError(`column "${edit.entity}.${edit.column.name}" already exists`);
      e.columns.push(clone(edit.column));
      return m;
    }
    case 'updateColumn':
      return updateColumn(m, edit.entity, edit.column, edit.changes);
    case 'removeColumn': {
      const e = entity(edit.entity);
      if (!e.columns.some((c) => c.name === edit.column)) throw new EditError(`column "${edit.entity}.${edit.column}" does not exist`);
      e.columns = e.columns.filter((c) => c.name !== edit.column);
      e.primaryKey = e.primaryKey.filter((c) => c !== edit.column);
      // A relationship over a removed column would dangle: it goes with the column.
      const uses = (end: { entity: string; columns: string[] }) => end.entity === edit.entity && end.columns.includes(edit.column);
      m.relationships = m.relationships.filter((r) => !uses(r.from) && !uses(r.to));
      return m;
    }
    case 'setPrimaryKey': {
      const e = entity(edit.entity);
      for (const c of edit.columns) {
        if (!e.columns.some((x) => x.name === c)) throw new EditError(`primary key of "${edit.entity}": column "${c}" does not exist`);
      }
      e.primaryKey = [...edit.columns];
      return m;
    }
    case 'addRelationship':
      return addRelationship(m, edit.relationship);
    case 'updateRelationship':
      return updateRelationship(m, edit.relationship, edit.changes);
    case 'deleteRelationship':
      if (!m.relationships.some((r) => r.name === edit.relationship)) throw new EditError(`relationship "${edit.relationship}" does not exist`);
      m.relationships = m.relationships.filter((r) => r.name !== edit.relationship);
      return m;
    case 'decideDecomposition':
      throw new EditError('decisions on decompositions are applied by the extension');
  }
}

function renameEntity(m: ErdModel, from: string, to: string): ErdModel {
  if (from === to) return m;
  checkName('entity', to);
  const e = m.entities.find((x) => x.name === from);
  if (!e) throw new EditError(`entity "${from}" does not exist`);
  if (m.entities.some((x) => x.name === to)) throw new EditError(`cannot rename "${from}" to "${to}": an entity with that name exists`);
  e.name = to;
  for (const x of m.entities) if (x.derivedFrom === from) x.derivedFrom = to;
  for (const r of m.relationships) {
    if (r.from.entity === from) r.from.entity = to;
    if (r.to.entity === from) r.to.entity = to;
  }
  for (const g of m.groups) g.entities = g.entities.map((n) => (n === from ? to : n));
  for (const d of m.decompositions) {
    if (d.entity === from) d.entity = to;
    if (d.newEntity === from) d.newEntity = to;
  }
  m.layout.positions = renameKey(m.layout.positions, from, to);
  return m;
}

function updateColumn(m: ErdModel, entityName: string, column: string, changes: ColumnChanges): ErdModel {
  const e = m.entities.find((x) => x.name === entityName);
  if (!e) throw new EditError(`entity "${entityName}" does not exist`);
  const c = e.columns.find((x) => x.name === column);
  if (!c) throw new EditError(`column "${entityName}.${column}" does not exist`);
  if (changes.type !== undefined) {
    if (!changes.type.trim()) throw new EditError(`column "${entityName}.${column}": type must not be empty`);
    c.type = changes.type.trim();
  }
  if (changes.nullable !== undefined) c.nullable = changes.nullable;
  if (changes.name !== undefined && changes.name !== column) {
    checkName('column', changes.name);
    if (e.columns.some((x) => x.name === changes.name)) throw new EditError(`cannot rename "${entityName}.${column}": column "${changes.name}" exists`);
    c.name = changes.name;
    e.primaryKey = e.primaryKey.map((k) => (k === column ? c.name : k));
    for (const r of m.relationships) {
      for (const end of [r.from, r.to]) {
        if (end.entity === entityName) end.columns = end.columns.map((k) => (k === column ? c.name : k));
      }
    }
  }
  return m;
}

function addRelationship(m: ErdModel, r: ErdRelationship): ErdModel {
  checkName('relationship', r.name);
  if (m.relationships.some((x) => x.name === r.name)) throw new EditError(`relationship "${r.name}" already exists`);
  for (const [side, end] of [['from', r.from], ['to', r.to]] as const) {
    const e = m.entities.find((x) => x.name === end.entity);
    if (!e) throw new EditError(`relationship "${r.name}": ${side} entity "${end.entity}" does not exist`);
    if (end.columns.length === 0) throw new EditError(`relationship "${r.name}": ${side} has no columns`);
    for (const c of end.columns) {
      if (!e.columns.some((x) => x.name === c)) throw new EditError(`relationship "${r.name}": column "${end.entity}.${c}" does not exist`);
    }
  }
  if (r.from.columns.length !== r.to.columns.length) throw new EditError(`relationship "${r.name}": both ends need the same number of columns`);
  m.relationships.push(clone(r));
  return m;
}

function updateRelationship(m: ErdModel, name: string, changes: RelationshipChanges): ErdModel {
  const r = m.relationships.find((x) => x.name === name);
  if (!r) throw new EditError(`relationship "${name}" does not exist`);
  if (changes.name !== undefined && changes.name !== name) {
    checkName('relationship', changes.name);
    if (m.relationships.some((x) => x.name === changes.name)) throw new EditError(`relationship "${changes.name}" already exists`);
    r.name = changes.name;
  }
  if (changes.cardinality !== undefined) r.cardinality = changes.cardinality;
  if (changes.optional !== undefined) r.optional = changes.optional;
  return m;
}

/** Name for a new relationship that no other relationship has. */
export function freshRelationshipName(m: ErdModel, from: string, to: string): string {
  const base = `${from}__${to}`;
  let name = base;
  for (let i = 2; m.relationships.some((r) => r.name === name); i++) name = `${base}_${i}`;
  return name;
}

// ---------------------------------------------------------------- star

/** Lookups over one (cloned) star model, failing with a one-line EditError naming what is missing. */
class StarScope {
  constructor(
    readonly m: StarModel,
    private readonly ctx: StarEditContext,
  ) {}

  fact(name: string): Fact {
    const f = this.m.facts.find((x) => x.name === name);
    if (!f) throw new EditError(`fact "${name}" does not exist`);
    return f;
  }

  dimension(name: string): Dimension {
    const d = this.m.dimensions.find((x) => x.name === name);
    if (!d) throw new EditError(`dimension "${name}" does not exist`);
    return d;
  }

  boxExists(name: string): boolean {
    return this.m.facts.some((f) => f.name === name) || this.m.dimensions.some((d) => d.name === name);
  }

  /** A new box name: a usable identifier that no fact or dimension has. */
  freeBoxName(what: 'fact' | 'dimension', name: string): void {
    checkName(what, name);
    if (this.boxExists(name)) throw new EditError(`cannot add ${what} "${name}": a fact or dimension with that name exists`);
  }

  /** The ERD entity, when the ERD is known (undefined otherwise: nothing to check against). */
  entity(name: string, user: string): Entity | undefined {
    if (!this.ctx.entities) return undefined;
    const e = this.ctx.entities.find((x) => x.name === name);
    if (!e) throw new EditError(`${user}: entity "${name}" is not in the ERD`);
    return e;
  }

  /** The entity a new box is built from: in the ERD when it is known, else at least a usable name. */
  sourceEntity(name: string, user: string): void {
    if (!this.entity(name, user)) checkName('entity', name);
  }

  /** Every column is a usable name and, when the ERD is known, a column of `entity`. */
  columns(entityName: string, columns: readonly string[], user: string): void {
    for (const c of columns) if (!c.trim()) throw new EditError(`${user}: a column name is empty`);
    const e = this.entity(entityName, user);
    if (!e) return;
    for (const c of columns) {
      if (!e.columns.some((x) => x.name === c)) throw new EditError(`${user}: entity "${entityName}" has no column "${c}"`);
    }
  }
}

export function applyStarEdit(model: StarModel, edit: StarEdit, ctx: StarEditContext = {}): StarModel {
  const s = new StarScope(clone(model), ctx);
  const m = s.m;
  switch (edit.op) {
    case 'moveEntity':
    case 'setPositions':
      m.layout.positions = applyLayout(m.layout.positions, edit, (n) => s.boxExists(n));
      return m;
    case 'addFact':
      return addFact(s, edit);
    case 'addDimension':
      return addDimension(s, edit);
    case 'renameFact':
      return renameFact(s, edit.fact, edit.newName);
    case 'renameDimension':
      return renameDimension(s, edit.dimension, edit.newName);
    case 'setScdType': {
      const d = s.dimension(edit.dimension);
      d.scdType = edit.scdType;
      if (edit.scdType === 1) delete d.tracked;
      return m;
    }
    case 'setNaturalKey':
      return setNaturalKey(s, edit.dimension, edit.columns);
    case 'addMeasure':
    case 'updateMeasure':
    case 'removeMeasure':
      return measureEdit(s, edit);
    case 'addDegenerate':
    case 'removeDegenerate':
      return degenerateEdit(s, edit);
    case 'addReference':
      return addReference(s, edit.fact, edit.reference);
    case 'removeReference': {
      const f = s.fact(edit.fact);
      if (!f.dimensions.some((r) => r.role === edit.role)) throw new EditError(`fact "${edit.fact}" has no dimension reference with role "${edit.role}"`);
      f.dimensions = f.dimensions.filter((r) => r.role !== edit.role);
      return m;
    }
    case 'setRole':
      return setRole(s, edit.fact, edit.index, edit.role);
    case 'deleteFact':
      s.fact(edit.fact);
      m.facts = m.facts.filter((f) => f.name !== edit.fact);
      delete m.layout.positions[edit.fact];
      return m;
    case 'addHierarchy':
    case 'renameHierarchy':
    case 'removeHierarchy':
    case 'addLevel':
    case 'removeLevel':
    case 'moveLevel':
      return hierarchyEdit(s, edit);
    case 'deleteDimension':
      // Like deleting an ERD entity: the lines to it go with it (the editor says how many; undo brings all back).
      s.dimension(edit.dimension);
      m.dimensions = m.dimensions.filter((d) => d.name !== edit.dimension);
      for (const f of m.facts) f.dimensions = f.dimensions.filter((r) => r.dimension !== edit.dimension);
      delete m.layout.positions[edit.dimension];
      return m;
  }
}

/** The references a dimension delete would remove, as `fact.role` (for the editor's notice). */
export function referencesTo(m: StarModel, dimension: string): string[] {
  return m.facts.flatMap((f) => f.dimensions.filter((r) => r.dimension === dimension).map((r) => `${f.name}.${r.role}`));
}

function addFact(s: StarScope, e: Extract<StarEdit, { op: 'addFact' }>): StarModel {
  s.freeBoxName('fact', e.fact);
  s.sourceEntity(e.entity, `fact "${e.fact}"`);
  s.columns(e.entity, e.grain, `fact "${e.fact}" grain`);
  s.m.facts.push({
    name: e.fact,
    entity: e.entity,
    grain: [...e.grain],
    grainDescription: '',
    measures: [],
    dimensions: [],
    degenerate: [],
    reason: 'added in the editor',
  });
  s.m.layout.positions[e.fact] = { x: Math.round(e.x), y: Math.round(e.y) };
  return s.m;
}

function addDimension(s: StarScope, e: Extract<StarEdit, { op: 'addDimension' }>): StarModel {
  const user = `dimension "${e.dimension}"`;
  s.freeBoxName('dimension', e.dimension);
  s.sourceEntity(e.entity, user);
  s.columns(e.entity, [...e.naturalKey, ...e.attributes.map((a) => a.column)], user);
  const names = new Set<string>(e.naturalKey);
  for (const a of e.attributes) {
    checkName('attribute', a.name);
    if (names.has(a.name)) throw new EditError(`${user}: attribute "${a.name}" appears twice (or is also in the natural key)`);
    names.add(a.name);
  }
  let surrogateKey = `${e.dimension}_key`;
  for (let i = 2; names.has(surrogateKey); i++) surrogateKey = `${e.dimension}_key_${i}`;
  s.m.dimensions.push({
    name: e.dimension,
    entity: e.entity,
    naturalKey: [...e.naturalKey],
    surrogateKey,
    attributes: clone(e.attributes),
    scdType: 1,
    collapsed: [],
    hierarchies: [],
    reason: 'added in the editor',
  });
  s.m.layout.positions[e.dimension] = { x: Math.round(e.x), y: Math.round(e.y) };
  return s.m;
}

function renameFact(s: StarScope, from: string, to: string): StarModel {
  const f = s.fact(from);
  if (to === from) return s.m;
  checkName('fact', to);
  if (s.boxExists(to)) throw new EditError(`cannot rename "${from}" to "${to}": that name is taken`);
  f.name = to;
  s.m.layout.positions = renameKey(s.m.layout.positions, from, to);
  return s.m;
}

function renameDimension(s: StarScope, from: string, to: string): StarModel {
  const d = s.dimension(from);
  if (to === from) return s.m;
  checkName('dimension', to);
  if (s.boxExists(to)) throw new EditError(`cannot rename "${from}" to "${to}": that name is taken`);
  d.name = to;
  for (const f of s.m.facts) {
    for (const r of f.dimensions) {
      if (r.dimension !== from) continue;
      r.dimension = to;
      // A role equal to the dimension's name is the default role: it follows the rename.
      if (r.role === from) r.role = to;
    }
  }
  s.m.layout.positions = renameKey(s.m.layout.positions, from, to);
  return s.m;
}

/**
 * A new natural key must keep the file consistent: every reference to the dimension joins on as many
 * columns as the key has, hierarchies only use columns that stay, and the surrogate key stays distinct.
 */
function setNaturalKey(s: StarScope, name: string, columns: string[]): StarModel {
  const d = s.dimension(name);
  const user = `natural key of "${name}"`;
  if (d.generated) throw new EditError(`${user}: the generated date dimension is keyed by its date; it cannot change`);
  if (columns.length === 0) throw new EditError(`${user}: it needs at least one column`);
  if (new Set(columns).size !== columns.length) throw new EditError(`${user}: a column appears twice`);
  if (d.entity) s.columns(d.entity, columns, user);
  if (columns.includes(d.surrogateKey)) throw new EditError(`${user}: "${d.surrogateKey}" is the surrogate key`);
  for (const f of s.m.facts) {
    const r = f.dimensions.find((x) => x.dimension === name && x.columns.length !== columns.length);
    if (r) throw new EditError(`${user}: fact "${f.name}" joins on ${r.columns.length} column(s) (${r.columns.join(', ')}) as "${r.role}"; remove that reference first`);
  }
  const kept = new Set([...d.attributes.map((a) => a.name), ...columns]);
  for (const h of d.hierarchies) {
    const l = h.levels.find((x) => !kept.has(x.attribute));
    if (l) throw new EditError(`${user}: hierarchy "${h.name}" uses "${l.attribute}", which would no longer be a column of the dimension`);
  }
  d.naturalKey = [...columns];
  if (d.tracked) d.tracked = d.tracked.filter((t) => kept.has(t));
  return s.m;
}

function measureEdit(s: StarScope, e: Extract<StarEdit, { op: 'addMeasure' | 'updateMeasure' | 'removeMeasure' }>): StarModel {
  const f = s.fact(e.fact);
  if (e.op === 'addMeasure') {
    const user = `measure "${e.fact}.${e.measure.name}"`;
    checkName('measure', e.measure.name);
    if (f.measures.some((x) => x.name === e.measure.name)) throw new EditError(`${user} already exists`);
    s.columns(f.entity, [e.measure.column], user);
    f.measures.push(clone(e.measure));
    return s.m;
  }
  const ms = f.measures.find((x) => x.name === e.measure);
  if (!ms) throw new EditError(`measure "${e.fact}.${e.measure}" does not exist`);
  if (e.op === 'removeMeasure') {
    f.measures = f.measures.filter((x) => x !== ms);
    return s.m;
  }
  if (e.newName !== undefined && e.newName !== ms.name) {
    checkName('measure', e.newName);
    if (f.measures.some((x) => x.name === e.newName)) throw new EditError(`cannot rename measure "${e.fact}.${ms.name}": "${e.newName}" exists`);
    ms.name = e.newName;
  }
  if (e.column !== undefined) {
    s.columns(f.entity, [e.column], `measure "${e.fact}.${ms.name}"`);
    ms.column = e.column;
  }
  if (e.aggregation) ms.aggregation = e.aggregation;
  if (e.additivity) ms.additivity = e.additivity;
  return s.m;
}

function degenerateEdit(s: StarScope, e: Extract<StarEdit, { op: 'addDegenerate' | 'removeDegenerate' }>): StarModel {
  const f = s.fact(e.fact);
  const has = f.degenerate.includes(e.column);
  if (e.op === 'removeDegenerate') {
    if (!has) throw new EditError(`fact "${e.fact}" has no degenerate dimension "${e.column}"`);
    f.degenerate = f.degenerate.filter((c) => c !== e.column);
    return s.m;
  }
  if (has) throw new EditError(`fact "${e.fact}" already keeps "${e.column}" as a degenerate dimension`);
  s.columns(f.entity, [e.column], `degenerate dimension of "${e.fact}"`);
  f.degenerate.push(e.column);
  return s.m;
}

function addReference(s: StarScope, factName: string, r: NewReference): StarModel {
  const f = s.fact(factName);
  const d = s.dimension(r.dimension);
  const user = `reference "${factName}.${r.role}" to "${r.dimension}"`;
  checkName('role', r.role);
  if (f.dimensions.some((x) => x.role === r.role)) throw new EditError(`fact "${factName}" already has a role "${r.role}"`);
  if (r.columns.length === 0) throw new EditError(`${user}: choose the fact column(s) it joins on`);
  if (d.naturalKey.length > 0 && r.columns.length !== d.naturalKey.length) {
    throw new EditError(`${user}: the natural key (${d.naturalKey.join(', ')}) has ${d.naturalKey.length} column(s), the reference gives ${r.columns.length}`);
  }
  s.columns(f.entity, r.columns, user);
  f.dimensions.push({ dimension: r.dimension, role: r.role, columns: [...r.columns] });
  return s.m;
}

function setRole(s: StarScope, factName: string, index: number, role: string): StarModel {
  const f = s.fact(factName);
  const r = f.dimensions[index];
  if (!r) throw new EditError(`fact "${factName}" has no dimension reference #${index}`);
  checkName('role', role);
  if (f.dimensions.some((x, i) => i !== index && x.role === role)) throw new EditError(`fact "${factName}" already has a role "${role}"`);
  r.role = role;
  return s.m;
}

/** What a hierarchy level may roll up on: the dimension's attributes and natural-key columns (as validate.ts checks). */
export function levelChoices(d: Dimension): string[] {
  const attrs = d.attributes.map((a) => a.name);
  return [...attrs, ...d.naturalKey.filter((k) => !attrs.includes(k))];
}

function hierarchyEdit(s: StarScope, e: HierarchyEdit): StarModel {
  const d = s.dimension(e.dimension);
  if (e.op === 'addHierarchy') {
    addHierarchy(d, e.hierarchy, e.levels);
    return s.m;
  }
  const h = d.hierarchies.find((x) => x.name === e.hierarchy);
  if (!h) throw new EditError(`dimension "${d.name}" has no hierarchy "${e.hierarchy}"`);
  const user = `hierarchy "${d.name}.${h.name}"`;
  switch (e.op) {
    case 'renameHierarchy':
      if (e.newName === h.name) return s.m;
      checkName('hierarchy', e.newName);
      if (d.hierarchies.some((x) => x.name === e.newName)) throw new EditError(`cannot rename ${user}: dimension "${d.name}" already has a hierarchy "${e.newName}"`);
      h.name = e.newName;
      return s.m;
    case 'removeHierarchy':
      d.hierarchies = d.hierarchies.filter((x) => x !== h);
      return s.m;
    case 'addLevel':
      addLevel(d, h, e.attribute, e.at ?? h.levels.length, user);
      return s.m;
    case 'removeLevel': {
      const i = levelIndex(h, e.attribute, user);
      if (h.levels.length - 1 < MIN_LEVELS) throw new EditError(`${user} needs at least ${MIN_LEVELS} levels: remove the hierarchy instead`);
      h.levels.splice(i, 1);
      return s.m;
    }
    case 'moveLevel': {
      const i = levelIndex(h, e.attribute, user);
      if (!Number.isInteger(e.to) || e.to < 0 || e.to >= h.levels.length) throw new EditError(`${user}: level "${e.attribute}" cannot move to position ${e.to} (it has ${h.levels.length} levels)`);
      // The level keeps its measured cardinality: it belongs to the attribute, not the position.
      const [level] = h.levels.splice(i, 1);
      h.levels.splice(e.to, 0, level);
      return s.m;
    }
  }
}

function addHierarchy(d: Dimension, name: string, attributes: string[]): void {
  const user = `hierarchy "${d.name}.${name}"`;
  checkName('hierarchy', name);
  if (d.hierarchies.some((x) => x.name === name)) throw new EditError(`dimension "${d.name}" already has a hierarchy "${name}"`);
  if (attributes.length < MIN_LEVELS) throw new EditError(`${user} needs at least ${MIN_LEVELS} levels (root to leaf)`);
  const h: Hierarchy = { name, levels: [] };
  for (const a of attributes) addLevel(d, h, a, h.levels.length, user);
  d.hierarchies.push(h);
}

function addLevel(d: Dimension, h: Hierarchy, attribute: string, at: number, user: string): void {
  if (!levelChoices(d).includes(attribute)) throw new EditError(`${user}: "${attribute}" is not an attribute of dimension "${d.name}"`);
  if (h.levels.some((l) => l.attribute === attribute)) throw new EditError(`${user} already has a level on "${attribute}"`);
  if (!Number.isInteger(at) || at < 0 || at > h.levels.length) throw new EditError(`${user}: no position ${at} for a new level (it has ${h.levels.length} levels)`);
  let name = attribute;
  for (let i = 2; h.levels.some((l) => l.name === name); i++) name = `${attribute}_${i}`;
  h.levels.splice(at, 0, { name, attribute, cardinality: measuredCardinality(d, attribute) });
}

/** The attribute's distinct count as another hierarchy of the dimension measured it; 0 (unknown) when none did. */
function measuredCardinality(d: Dimension, attribute: string): number {
  for (const h of d.hierarchies) {
    const l = h.levels.find((x) => x.attribute === attribute && x.cardinality > 0);
    if (l) return l.cardinality;
  }
  return 0;
}

function levelIndex(h: Hierarchy, attribute: string, user: string): number {
  const i = h.levels.findIndex((l) => l.attribute === attribute);
  if (i < 0) throw new EditError(`${user} has no level on "${attribute}"`);
  return i;
}

/** A role for a new reference: the dimension's name, or `<dimension>_<n>` when the fact already plays that role. */
export function freshRole(f: Fact, dimension: string): string {
  let role = dimension;
  for (let i = 2; f.dimensions.some((r) => r.role === role); i++) role = `${dimension}_${i}`;
  return role;
}

/** A name for a new fact or dimension that no box has. */
export function freshBoxName(m: StarModel, base: string): string {
  const taken = new Set([...m.facts.map((f) => f.name), ...m.dimensions.map((d) => d.name)]);
  let name = base;
  for (let i = 2; taken.has(name); i++) name = `${base}_${i}`;
  return name;
}
