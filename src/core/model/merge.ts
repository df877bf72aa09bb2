/**
 * Proposing the ERD again over an existing file: the catalog decides what exists (tables, columns,
 * discovered relationships, a column's conversion and with it its type when the data changed it,
 * nullability when empties arrive) and carries the user's column decisions (`kimball catalog rename`,
 * `kimball catalog type`), which win over the file as the newer, explicit choice; the file keeps what
 * the user made of the rest (entity and column names, types, nullability, keys, descriptions,
 * relationship edits, hand-made relationships, entities and columns, decisions on decompositions, box
 * positions). An edit that no longer fits is dropped with a note in the file's `notes` (reconcile.ts
 * catches whatever is left), so proposing again never fails on a user's edit. Pure.
 */
import type { Catalog, Decisions } from '../discover/catalog-types';
import type { Decomposition, Entity, EntityColumn, ErdModel, ErdRelationship } from './model-types';
import { applyDecomposition, rejectDecomposition, subjectAreas } from './erd-proposal';
import { layoutErd } from './layout';
import { NameAllocator } from './names';
import { withNotes } from './notes';
import { reconcileErd } from './reconcile';

type End = ErdRelationship['from'];

/** `catalog`: the one `proposed` was made from; its rename and type decisions replace the file's name and type of a column. */
export function mergeErd(previous: ErdModel, proposed: ErdModel, catalog?: Catalog): ErdModel {
  const st = new MergeState(previous, catalog?.decisions);
  const entityMap = keptEntityNames(previous, proposed);
  const entities = proposed.entities.map((e) => mergeEntity(e, entityMap.get(e.name) ?? e.name, st));
  for (const old of previous.entities) {
    if (old.sourceTable && !proposed.entities.some((e) => e.sourceTable === old.sourceTable)) st.notes.push(`entity "${old.name}" dropped: bronze table ${old.sourceTable} is no longer in the catalog.`);
  }
  const mapEnd = (end: End): End => {
    const entity = entityMap.get(end.entity) ?? end.entity;
    const cols = st.columnMaps.get(entity);
    return { entity, columns: end.columns.map((c) => cols?.get(c) ?? c) };
  };
  const relNames = new NameAllocator();
  const relationships = proposed.relationships.map((r) => {
    const old = r.catalogId ? previous.relationships.find((p) => p.catalogId === r.catalogId) : undefined;
    const base = { ...r, from: mapEnd(r.from), to: mapEnd(r.to) };
    return old
      ? { ...base, name: relNames.claim(old.name), cardinality: old.cardinality, optional: old.optional }
      : { ...base, name: relNames.claim(r.name) };
  });
  const decompositions = proposed.decompositions.map((d) => {
    const m = mapEnd({ entity: d.entity, columns: [...d.key, ...d.columns] });
    return { ...d, entity: m.entity, key: m.columns.slice(0, d.key.length), columns: m.columns.slice(d.key.length), newEntity: entityMap.get(d.newEntity) ?? d.newEntity };
  });
  let next: ErdModel = { ...proposed, entities, relationships, decompositions };
  next = replayDecisions(next, st);
  next = keepHandMade(next, st);
  next.groups = subjectAreas(next);
  // Boxes the user placed stay put; only entities new to the model are laid out around them.
  const positions: ErdModel['layout']['positions'] = {};
  for (const [k, p] of Object.entries(previous.layout.positions)) {
    const name = st.entityNow(k);
    if (next.entities.some((e) => e.name === name)) positions[name] = p;
  }
  const laid = layoutErd({ ...next, layout: { positions }, ...(previous.notes ? { notes: previous.notes } : {}) });
  return reconcileErd(withNotes(laid, st.notes));
}

/** What the merge learns on the way: how the file's names map to the merged model, and the notes. */
class MergeState {
  readonly notes: string[] = [];
  /** Merged entity -> proposed column name -> merged column name. */
  readonly columnMaps = new Map<string, Map<string, string>>();
  /** Previous entity name -> previous column name -> merged column name. */
  readonly renamed = new Map<string, Map<string, string>>();
  /** Previous entity name -> merged entity name, where they differ. */
  readonly entityNames = new Map<string, string>();
  /** `entity.column` (merged) whose type the catalog set this time: the split-out copies follow it. */
  readonly retyped = new Set<string>();

  constructor(
    readonly previous: ErdModel,
    readonly decisions?: Decisions,
  ) {}

  entityNow(previousName: string): string {
    return this.entityNames.get(previousName) ?? previousName;
  }

  /** A column of a previous entity as named now (a split-out entity's columns carry its origin's names). */
  columnNow(previousEntity: string, column: string): string {
    const e = this.previous.entities.find((x) => x.name === previousEntity);
    return this.renamed.get(e?.derivedFrom ?? previousEntity)?.get(column) ?? column;
  }

  /** The user's catalog decisions on the bronze column behind `c`. */
  decided(table: string, c: EntityColumn): { rename?: string; type: boolean } {
    const key = `${table}.${c.source?.column ?? ''}`;
    return { rename: c.source ? this.decisions?.renames[key] : undefined, type: !!(c.source && this.decisions?.typeOverrides[key]) };
  }
}

/** Proposed entity name -> the name the file gives the entity built from the same bronze table. */
function keptEntityNames(previous: ErdModel, proposed: ErdModel): Map<string, string> {
  const out = new Map<string, string>();
  const taken = new Set<string>();
  for (const e of proposed.entities) {
    const old = e.sourceTable ? previous.entities.find((p) => p.sourceTable === e.sourceTable) : undefined;
    // A kept name that another proposed entity already uses would collide: the proposal's name wins then.
    const clash = old && old.name !== e.name && proposed.entities.some((x) => x.name === old.name);
    const name = old && !clash && !taken.has(old.name) ? old.name : e.name;
    taken.add(name);
    if (name !== e.name) out.set(e.name, name);
  }
  return out;
}

interface ColumnMatch {
  c: EntityColumn;
  /** The file's column built from the same bronze column. */
  oc?: EntityColumn;
  decided: { rename?: string; type: boolean };
}

function mergeEntity(e: Entity, name: string, st: MergeState): Entity {
  const old = e.sourceTable ? st.previous.entities.find((p) => p.sourceTable === e.sourceTable) : undefined;
  const map = new Map<string, string>();
  st.columnMaps.set(name, map);
  if (!old || !e.sourceTable) return { ...e, name };
  const table = e.sourceTable;
  if (old.name !== name) st.entityNames.set(old.name, name);
  const renamed = new Map<string, string>();
  st.renamed.set(old.name, renamed);
  const matched: ColumnMatch[] = e.columns.map((c) => ({ c, oc: c.source ? old.columns.find((x) => x.source?.column === c.source?.column) : undefined, decided: st.decided(table, c) }));
  const names = columnNames(matched);
  const columns = matched.map((m, i) => {
    const merged = mergeColumn(m, names[i], name, table, st);
    map.set(m.c.name, merged.name);
    if (m.oc) renamed.set(m.oc.name, merged.name);
    return merged;
  });
  for (const oc of old.columns) {
    if (oc.source && !matched.some((m) => m.oc === oc)) st.notes.push(`column "${name}.${oc.name}" dropped: bronze column ${oc.source.column} is no longer in ${table}.`);
  }
  for (const oc of old.columns.filter((x) => !x.source)) {
    renamed.set(oc.name, oc.name);
    // The data now has the column the user had to add by hand: the column from the catalog is it.
    if (columns.some((x) => x.name === oc.name)) st.notes.push(`column "${name}.${oc.name}" (added by hand) is now the column from the catalog of that name.`);
    else columns.push({ ...oc });
  }
  const primaryKey = mergeKey(e, old, columns, name, st);
  const description = old.description ?? e.description;
  return { ...e, name, columns, primaryKey, ...(description ? { description } : {}) };
}

/** The catalog's renames are claimed first, then the names the user gave, then new columns' names. */
function columnNames(matched: ColumnMatch[]): string[] {
  const wanted = matched.map(({ c, oc, decided }) => (oc && !decided.rename ? oc.name : c.name));
  const rank = (i: number) => (matched[i].decided.rename ? 0 : matched[i].oc ? 1 : 2);
  const names = new NameAllocator();
  const out: string[] = [];
  for (const i of [...wanted.keys()].sort((a, b) => rank(a) - rank(b))) out[i] = names.claim(wanted[i]);
  return out;
}

function mergeColumn({ c, oc, decided }: ColumnMatch, name: string, entity: string, table: string, st: MergeState): EntityColumn {
  // Conversions are never edited by hand: a different one means discovery re-typed the column because the
  // data changed (dates that became free text, a longer fraction), and the old type would now fail on it.
  const byData = !!(c.source && oc?.source && c.source.expression !== oc.source.expression);
  const retyped = decided.type || byData;
  // Also for a column the file had split out (not in this entity there): its copy takes the new type.
  if (retyped) st.retyped.add(`${entity}.${name}`);
  if (!oc) return { ...c, name };
  if (decided.rename && oc.name !== name) st.notes.push(`column "${entity}.${oc.name}" is now "${name}": the catalog renames ${table}.${c.source?.column}.`);
  if (retyped && oc.type !== c.type) {
    const why = decided.type ? `the catalog sets the type of ${table}.${c.source?.column}` : 'discovery re-typed it (its values changed)';
    st.notes.push(`column "${entity}.${name}" is now ${c.type}, was ${oc.type}: ${why}.`);
  }
  return {
    name,
    type: retyped ? c.type : oc.type,
    // Empties arriving in a column kept NOT NULL would silently become 0 or 1970-01-01 in silver.
    nullable: oc.nullable || c.nullable,
    ...(c.source ? { source: { column: c.source.column, expression: retyped ? c.source.expression : (oc.source?.expression ?? c.source.expression) } } : {}),
    ...(oc.description ? { description: oc.description } : {}),
  };
}

/** The file's key, its columns as named now; the proposal's when one of them is gone. */
function mergeKey(e: Entity, old: Entity, columns: EntityColumn[], name: string, st: MergeState): string[] {
  const proposed = e.primaryKey.map((k) => st.columnMaps.get(name)?.get(k) ?? k);
  if (old.primaryKey.length === 0) return proposed;
  const kept = old.primaryKey.map((k) => st.columnNow(old.name, k));
  const gone = old.primaryKey.filter((_, i) => !columns.some((c) => c.name === kept[i]));
  if (gone.length === 0) return kept;
  st.notes.push(`primary key (${old.primaryKey.join(', ')}) of entity "${name}" dropped: ${gone.join(', ')} no longer exists; the proposed key (${proposed.join(', ') || 'none'}) is used.`);
  return proposed;
}

/** Decisions on decompositions, matched by entity and key as named now (ids follow renamed entities). */
function replayDecisions(model: ErdModel, st: MergeState): ErdModel {
  let next = model;
  for (const d of st.previous.decompositions) {
    if (d.status === 'proposed') continue;
    const entity = st.entityNow(d.entity);
    const key = d.key.map((k) => st.columnNow(d.entity, k)).join('\u0000');
    const now = next.decompositions.find((x) => x.entity === entity && x.key.join('\u0000') === key);
    if (!now) {
      st.notes.push(`${d.status} decomposition "${d.id}" dropped: it is no longer proposed (the data no longer shows ${d.key.join(', ')} of ${d.entity} determining other columns).`);
      continue;
    }
    if (now.status === 'proposed') next = decide(next, now, d, st);
  }
  return keepSplitTypes(next, st);
}

/** The file's decision applied again to what is proposed now; one that no longer applies leaves it proposed, with the reason. */
function decide(model: ErdModel, now: Decomposition, d: Decomposition, st: MergeState): ErdModel {
  const taken = (n: string) => model.entities.some((e) => e.name === n);
  // A split into a new entity keeps the name the file gave it, unless another entity has taken it since.
  const newEntity = !taken(now.newEntity) && !taken(d.newEntity) ? d.newEntity : now.newEntity;
  const id = model.decompositions.some((x) => x !== now && x.id === d.id) ? now.id : d.id;
  const next = { ...model, decompositions: model.decompositions.map((x) => (x === now ? { ...x, id, newEntity } : x)) };
  try {
    return d.status === 'rejected' ? rejectDecomposition(next, id) : applyDecomposition(next, id);
  } catch (err) {
    st.notes.push(`accepted decomposition "${d.id}" is proposed again: ${(err as Error).message}`);
    return model;
  }
}

/** Split-out entities keep the types the user gave their columns, unless the catalog set a new one on the origin's. */
function keepSplitTypes(model: ErdModel, st: MergeState): ErdModel {
  const entities = model.entities.map((e) => {
    const old = e.derivedFrom ? st.previous.entities.find((p) => p.name === e.name && p.derivedFrom) : undefined;
    if (!old) return e;
    const columns = e.columns.map((c) => {
      const oc = old.columns.find((x) => st.columnNow(old.name, x.name) === c.name);
      if (!st.retyped.has(`${e.derivedFrom}.${c.name}`)) return { ...c, ...pick(oc) };
      if (oc && oc.type !== c.type) st.notes.push(`column "${e.name}.${c.name}" is now ${c.type}, was ${oc.type}: the catalog set the type of ${e.derivedFrom}.${c.name}, which it is split from.`);
      return { ...c, ...pick(oc), type: c.type };
    });
    return { ...e, columns, ...(old.description ? { description: old.description } : {}) };
  });
  return { ...model, entities };
}

function pick(c: EntityColumn | undefined): Partial<EntityColumn> {
  return c ? { type: c.type, nullable: c.nullable, ...(c.description ? { description: c.description } : {}) } : {};
}

/**
 * Entities the user drew by hand (no bronze table, no origin) stay, unless one from the catalog now has
 * the name; relationships not from the catalog stay when both ends still exist (as named now).
 */
function keepHandMade(model: ErdModel, st: MergeState): ErdModel {
  const entities = [...model.entities];
  for (const e of st.previous.entities.filter((x) => !x.sourceTable && !x.derivedFrom)) {
    // The data now has the entity the user had to draw: the one from the catalog is it, and the lines to it stay.
    if (entities.some((x) => x.name === e.name)) st.notes.push(`entity "${e.name}" (drawn by hand) is now the entity from the catalog of that name.`);
    else entities.push(e);
  }
  const relationships = [...model.relationships];
  const names = new NameAllocator(relationships.map((r) => r.name));
  const now = (end: End): End => ({ entity: st.entityNow(end.entity), columns: end.columns.map((c) => st.columnNow(end.entity, c)) });
  const missing = (end: End): string | undefined => {
    const e = entities.find((x) => x.name === end.entity);
    if (!e) return `entity "${end.entity}" is no longer in the model`;
    const gone = end.columns.find((c) => !e.columns.some((x) => x.name === c));
    return gone === undefined ? undefined : `entity "${end.entity}" has no column "${gone}" any more`;
  };
  const same = (a: ErdRelationship, b: ErdRelationship) =>
    a.from.entity === b.from.entity && a.to.entity === b.to.entity && a.from.columns.join() === b.from.columns.join() && a.to.columns.join() === b.to.columns.join();
  // A split-out entity not split out again went with its decision, which has its own note.
  const splitGone = (end: End) => st.previous.entities.some((e) => e.name === end.entity && e.derivedFrom) && !entities.some((e) => e.name === end.entity);
  for (const r of st.previous.relationships.filter((x) => !x.catalogId)) {
    const rel = { ...r, from: now(r.from), to: now(r.to) };
    if (relationships.some((x) => same(x, rel)) || splitGone(rel.from) || splitGone(rel.to)) continue;
    const why = missing(rel.from) ?? missing(rel.to);
    if (why) st.notes.push(`relationship "${r.name}" dropped: ${why}.`);
    else relationships.push({ ...rel, name: names.claim(r.name) });
  }
  return { ...model, entities, relationships };
}
