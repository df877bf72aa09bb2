/**
 * Edits of model files as data: the model editors send one of these per user
 * action, and the same pure function applies it on both sides (optimistically
 * in the webview, authoritatively in the extension before the text is
 * rewritten). No Node imports: the webview bundle includes this file.
 */
import type { Aggregation, Additivity, EntityColumn, ErdModel, ErdRelationship, Point, StarModel } from './model-types';

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

export type StarEdit =
  | LayoutEdit
  | { op: 'renameFact'; fact: string; newName: string }
  | { op: 'renameDimension'; dimension: string; newName: string }
  | { op: 'setScdType'; dimension: string; scdType: 1 | 2 }
  | { op: 'updateMeasure'; fact: string; measure: string; aggregation?: Aggregation; additivity?: Additivity }
  | { op: 'setRole'; fact: string; index: number; role: string }
  | { op: 'deleteFact'; fact: string }
  | { op: 'deleteDimension'; dimension: string };

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

export function applyStarEdit(model: StarModel, edit: StarEdit): StarModel {
  const m = clone(model);
  const fact = (name: string) => {
    const f = m.facts.find((x) => x.name === name);
    if (!f) throw new EditError(`fact "${name}" does not exist`);
    return f;
  };
  const dimension = (name: string) => {
    const d = m.dimensions.find((x) => x.name === name);
    if (!d) throw new EditError(`dimension "${name}" does not exist`);
    return d;
  };
  const boxExists = (n: string) => m.facts.some((f) => f.name === n) || m.dimensions.some((d) => d.name === n);
  switch (edit.op) {
    case 'moveEntity':
    case 'setPositions':
      m.layout.positions = applyLayout(m.layout.positions, edit, boxExists);
      return m;
    case 'renameFact': {
      const f = fact(edit.fact);
      if (edit.newName === edit.fact) return m;
      checkName('fact', edit.newName);
      if (boxExists(edit.newName)) throw new EditError(`cannot rename "${edit.fact}" to "${edit.newName}": that name is taken`);
      f.name = edit.newName;
      m.layout.positions = renameKey(m.layout.positions, edit.fact, edit.newName);
      return m;
    }
    case 'renameDimension': {
      const d = dimension(edit.dimension);
      if (edit.newName === edit.dimension) return m;
      checkName('dimension', edit.newName);
      if (boxExists(edit.newName)) throw new EditError(`cannot rename "${edit.dimension}" to "${edit.newName}": that name is taken`);
      d.name = edit.newName;
      for (const f of m.facts) {
        for (const r of f.dimensions) {
          if (r.dimension !== edit.dimension) continue;
          r.dimension = edit.newName;
          // A role equal to the dimension's name is the default role: it follows the rename.
          if (r.role === edit.dimension) r.role = edit.newName;
        }
      }
      m.layout.positions = renameKey(m.layout.positions, edit.dimension, edit.newName);
      return m;
    }
    case 'setScdType': {
      const d = dimension(edit.dimension);
      d.scdType = edit.scdType;
      if (edit.scdType === 1) delete d.tracked;
      return m;
    }
    case 'updateMeasure': {
      const f = fact(edit.fact);
      const ms = f.measures.find((x) => x.name === edit.measure);
      if (!ms) throw new EditError(`measure "${edit.fact}.${edit.measure}" does not exist`);
      if (edit.aggregation) ms.aggregation = edit.aggregation;
      if (edit.additivity) ms.additivity = edit.additivity;
      return m;
    }
    case 'setRole': {
      const f = fact(edit.fact);
      const r = f.dimensions[edit.index];
      if (!r) throw new EditError(`fact "${edit.fact}" has no dimension reference #${edit.index}`);
      checkName('role', edit.role);
      if (f.dimensions.some((x, i) => i !== edit.index && x.role === edit.role)) {
        throw new EditError(`fact "${edit.fact}" already has a role "${edit.role}"`);
      }
      r.role = edit.role;
      return m;
    }
    case 'deleteFact':
      fact(edit.fact);
      m.facts = m.facts.filter((f) => f.name !== edit.fact);
      delete m.layout.positions[edit.fact];
      return m;
    case 'deleteDimension':
      dimension(edit.dimension);
      m.dimensions = m.dimensions.filter((d) => d.name !== edit.dimension);
      for (const f of m.facts) f.dimensions = f.dimensions.filter((r) => r.dimension !== edit.dimension);
      delete m.layout.positions[edit.dimension];
      return m;
  }
}
