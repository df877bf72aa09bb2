/**
 * Proposing a model again over an existing file: the catalog decides what
 * exists (tables, columns, discovered relationships, a column's conversion and with it its type when
 * the data changed it, nullability when empties arrive), the file keeps what the
 * user made of it (entity and column names, types, nullability, keys,
 * descriptions, relationship edits, hand-made relationships and entities,
 * decisions on decompositions, box positions). Pure.
 */
import type { Entity, EntityColumn, ErdModel, ErdRelationship } from './model-types';
import { applyDecomposition, rejectDecomposition, subjectAreas } from './erd-proposal';
import { layoutErd } from './layout';
import { NameAllocator } from './names';

type End = ErdRelationship['from'];

export function mergeErd(previous: ErdModel, proposed: ErdModel): ErdModel {
  const entityMap = keptEntityNames(previous, proposed);
  const columnMaps = new Map<string, Map<string, string>>();
  const entities = proposed.entities.map((e) => mergeEntity(e, previous, entityMap.get(e.name) ?? e.name, columnMaps));
  const mapEnd = (end: End): End => {
    const entity = entityMap.get(end.entity) ?? end.entity;
    const cols = columnMaps.get(entity);
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
  next = replayDecisions(previous, next);
  next = keepHandMade(previous, next);
  next.groups = subjectAreas(next);
  // Boxes the user placed stay put; only entities new to the model are laid out around them.
  const positions: ErdModel['layout']['positions'] = {};
  for (const [k, p] of Object.entries(previous.layout.positions)) if (next.entities.some((e) => e.name === k)) positions[k] = p;
  return layoutErd({ ...next, layout: { positions } });
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

function mergeEntity(e: Entity, previous: ErdModel, name: string, columnMaps: Map<string, Map<string, string>>): Entity {
  const old = e.sourceTable ? previous.entities.find((p) => p.sourceTable === e.sourceTable) : undefined;
  const map = new Map<string, string>();
  columnMaps.set(name, map);
  if (!old) return { ...e, name };
  const names = new NameAllocator();
  const matched = e.columns.map((c) => ({ c, oc: c.source ? old.columns.find((x) => x.source?.column === c.source?.column) : undefined }));
  // Names the user gave are claimed first, so a new column that happens to share one gets renamed, not theirs.
  for (const { oc } of matched) if (oc) names.claim(oc.name);
  const columns: EntityColumn[] = matched.map(({ c, oc }) => {
    // Conversions are never edited by hand: a different one means discovery re-typed the column because the
    // data changed (dates that became free text, a longer fraction), and the old type would now fail on it.
    const retyped = !!(c.source && oc?.source && c.source.expression !== oc.source.expression);
    const merged: EntityColumn = oc
      ? {
          name: oc.name,
          type: retyped ? c.type : oc.type,
          // Empties arriving in a column kept NOT NULL would silently become 0 or 1970-01-01 in silver.
          nullable: oc.nullable || c.nullable,
          ...(c.source ? { source: { column: c.source.column, expression: retyped ? c.source.expression : (oc.source?.expression ?? c.source.expression) } } : {}),
          ...(oc.description ? { description: oc.description } : {}),
        }
      : { ...c, name: names.claim(c.name) };
    map.set(c.name, merged.name);
    return merged;
  });
  // Columns added by hand (no bronze source) stay.
  for (const oc of old.columns) if (!oc.source && !columns.some((x) => x.name === oc.name)) columns.push({ ...oc });
  const has = (k: string) => columns.some((x) => x.name === k);
  const primaryKey = old.primaryKey.length && old.primaryKey.every(has) ? [...old.primaryKey] : e.primaryKey.map((k) => map.get(k) ?? k);
  const description = old.description ?? e.description;
  return { ...e, name, columns, primaryKey, ...(description ? { description } : {}) };
}

/** Decisions on decompositions, matched by entity and key (ids follow renamed entities). */
function replayDecisions(previous: ErdModel, model: ErdModel): ErdModel {
  let next = model;
  for (const d of previous.decompositions) {
    const now = next.decompositions.find((x) => x.entity === d.entity && x.key.join('\u0000') === d.key.join('\u0000'));
    if (!now || now.status !== 'proposed' || d.status === 'proposed') continue;
    next = { ...next, decompositions: next.decompositions.map((x) => (x === now ? { ...x, id: d.id, newEntity: d.newEntity } : x)) };
    next = d.status === 'rejected' ? rejectDecomposition(next, d.id) : applyDecomposition(next, d.id);
  }
  // Split-out entities keep the types the user gave their columns.
  const entities = next.entities.map((e) => {
    const old = e.derivedFrom ? previous.entities.find((p) => p.name === e.name && p.derivedFrom) : undefined;
    if (!old) return e;
    return { ...e, columns: e.columns.map((c) => ({ ...c, ...pick(old.columns.find((x) => x.name === c.name)) })), ...(old.description ? { description: old.description } : {}) };
  });
  return { ...next, entities };
}

function pick(c: EntityColumn | undefined): Partial<EntityColumn> {
  return c ? { type: c.type, nullable: c.nullable, ...(c.description ? { description: c.description } : {}) } : {};
}

/** Entities and relationships the user drew by hand (no bronze table, no catalog relationship) stay when their ends do. */
function keepHandMade(previous: ErdModel, model: ErdModel): ErdModel {
  const entities = [...model.entities];
  for (const e of previous.entities) if (!e.sourceTable && !e.derivedFrom && !entities.some((x) => x.name === e.name)) entities.push(e);
  const relationships = [...model.relationships];
  const names = new NameAllocator(relationships.map((r) => r.name));
  const endOk = (end: End) => {
    const e = entities.find((x) => x.name === end.entity);
    return !!e && end.columns.every((c) => e.columns.some((x) => x.name === c));
  };
  const same = (a: ErdRelationship, b: ErdRelationship) =>
    a.from.entity === b.from.entity && a.to.entity === b.to.entity && a.from.columns.join() === b.from.columns.join() && a.to.columns.join() === b.to.columns.join();
  for (const r of previous.relationships) {
    if (r.catalogId || !endOk(r.from) || !endOk(r.to) || relationships.some((x) => same(x, r))) continue;
    relationships.push({ ...r, name: names.claim(r.name) });
  }
  return { ...model, entities, relationships };
}
