/**
 * Designing the star again over an existing file. The proposal decides what exists (facts,
 * dimensions, their attributes and references); the file keeps what the user made of it: names of
 * facts and dimensions (matched by their ERD entity), SCD choices, tracked attributes and the column
 * a version takes effect from, hierarchies, measure names and aggregations, measures and degenerate
 * columns added by hand, roles, positions. A column renamed or moved in the ERD since (a catalog
 * rename, an accepted decomposition, an attribute renamed because another no longer clashes) is
 * followed through the bronze column behind it, and the edits on it follow; an edit that still does
 * not fit is dropped with a note (reconcile.ts). Pure.
 */
import type { Catalog } from '../discover/catalog-types';
import type { Dimension, DimensionRef, Entity, ErdModel, Fact, Hierarchy, StarModel } from './model-types';
import { ModelEvidence } from './evidence';
import { layoutStar } from './layout';
import { NameAllocator } from './names';
import { withNotes } from './notes';
import { reconcileStar } from './reconcile';

/** What the proposal was made from: columns are followed through it, and the result checked against the ERD. */
export interface StarSources {
  erd: ErdModel;
  catalog: Catalog;
}

type Box = Fact | Dimension;

export function mergeStar(previous: StarModel, proposed: StarModel, sources?: StarSources): StarModel {
  const ids = new Identities(sources);
  const notes: string[] = [];
  const olds = matchBoxes(previous, proposed, ids);
  const names = boxNames(proposed, olds, notes);
  // Old dimension name -> its name now, for the references and roles of the old facts.
  const dimNow = new Map(proposed.dimensions.flatMap((d) => (olds.has(d) ? [[olds.get(d)?.name as string, names.get(d) as string]] : [])));
  const proposedDim = new Map(proposed.dimensions.map((d) => [d.name, names.get(d) as string]));
  const dimensions = proposed.dimensions.map((d) => mergeDimension(d, olds.get(d) as Dimension | undefined, names.get(d) as string, ids));
  const facts = proposed.facts.map((f) => {
    const dims = f.dimensions.map((r) => ({ ...r, dimension: proposedDim.get(r.dimension) ?? r.dimension }));
    const old = olds.get(f) as Fact | undefined;
    const next = { ...f, name: names.get(f) as string, dimensions: dims };
    return old ? mergeFact(next, old, dimNow, ids, notes) : next;
  });
  const matched = new Set(olds.values());
  for (const o of [...previous.dimensions, ...previous.facts].filter((x) => !matched.has(x))) notes.push(`${kindOf(o)} "${o.name}" (${origin(o)}) is no longer proposed: its edits are dropped.`);
  const positions: StarModel['layout']['positions'] = {};
  for (const [box, old] of olds) {
    const p = previous.layout.positions[old.name];
    if (p) positions[names.get(box) as string] = p;
  }
  const merged = layoutStar({ ...proposed, facts, dimensions, layout: { positions }, ...(previous.notes ? { notes: previous.notes } : {}) });
  return reconcileStar(withNotes(merged, notes), sources?.erd);
}

const kindOf = (b: Box) => ('grain' in b ? 'fact' : 'dimension');
const origin = (b: Box) => ('generated' in b && b.generated ? 'generated' : `entity ${b.entity ?? '?'}`);

/**
 * Proposed box -> the file's box for the same ERD entity (the generated date dimension for the date
 * dimension): by name first, then by the bronze table behind it, so a box follows its entity renamed.
 */
function matchBoxes(previous: StarModel, proposed: StarModel, ids: Identities): Map<Box, Box> {
  const out = new Map<Box, Box>();
  const taken = new Set<Box>();
  const claim = (box: Box, old: Box | undefined) => {
    if (!old || out.has(box)) return;
    out.set(box, old);
    taken.add(old);
  };
  const passes = [(a: string, b: string) => a === b, (a: string, b: string) => ids.entity(a) === ids.entity(b)];
  for (const same of passes) {
    for (const d of proposed.dimensions) {
      const fits = (p: Dimension) => (d.generated ? p.generated === d.generated : !p.generated && !!p.entity && !!d.entity && same(p.entity, d.entity));
      claim(d, previous.dimensions.find((p) => !taken.has(p) && fits(p)));
    }
    for (const f of proposed.facts) claim(f, previous.facts.find((p) => !taken.has(p) && same(p.entity, f.entity)));
  }
  return out;
}

/** The user's names are claimed first; a proposed name that one of them took gets a suffix. */
function boxNames(proposed: StarModel, olds: Map<Box, Box>, notes: string[]): Map<Box, string> {
  const boxes: Box[] = [...proposed.dimensions, ...proposed.facts];
  const names = new NameAllocator();
  const out = new Map<Box, string>();
  for (const b of boxes) {
    const old = olds.get(b);
    if (old && !names.has(old.name)) out.set(b, names.claim(old.name));
  }
  for (const b of boxes.filter((x) => !out.has(x))) {
    const name = names.claim(b.name);
    out.set(b, name);
    const old = olds.get(b);
    if (old) notes.push(`${kindOf(b)} "${old.name}" (${origin(b)}) is named "${name}": its name is taken by another box.`);
  }
  return out;
}

/**
 * What an entity or a column is across ERD versions: the bronze table or column behind it (a split
 * entity's columns through its origin; a name gone from the ERD by the bronze name it defaulted to),
 * so a renamed or moved one is the same one. Without the sources, the names.
 */
class Identities {
  private readonly ev?: ModelEvidence;

  constructor(sources?: StarSources) {
    this.ev = sources ? new ModelEvidence(sources.erd, sources.catalog) : undefined;
  }

  /** An entity: its bronze table; split-out and hand-drawn entities are known by their name only. */
  entity(name: string): string {
    const e = this.ev?.entity(name);
    if (e) return e.sourceTable ?? `~${name}`;
    return this.ev?.table(this.gone(name))?.name ?? `~${name}`;
  }

  column(entity: string | undefined, column: string): string {
    const plain = `${entity ?? ''}.${column}`;
    if (!this.ev || !entity) return plain;
    const e = this.ev.entity(entity) ?? this.gone(entity);
    const table = this.ev.table(e);
    const col = this.ev.column(e, column);
    return table && col ? `${table.name}.${col.name}` : plain;
  }

  /** The column of `to` that is `column` of `from` (renamed or moved since); `column` when none is. */
  follow(from: string, column: string, to: string): string {
    const id = this.column(from, column);
    return this.ev?.entity(to)?.columns.find((c) => this.column(to, c.name) === id)?.name ?? column;
  }

  /** An entity no longer in the ERD: its name alone still points at the bronze table it defaulted to. */
  private gone(name: string): Entity {
    return { name, columns: [], primaryKey: [] };
  }
}

function mergeDimension(d: Dimension, old: Dimension | undefined, name: string, ids: Identities): Dimension {
  if (!old) return { ...d, name };
  const follow = attributeFollower(old, d, ids);
  const hierarchies = old.hierarchies.length ? old.hierarchies.map((h) => followHierarchy(h, follow)) : d.hierarchies;
  const merged: Dimension = { ...d, name, scdType: old.scdType, hierarchies };
  // Versions (what opens one, when it takes effect) exist for SCD2 only.
  const scd2 = old.scdType === 2;
  const tracked = scd2 ? (old.tracked?.map(follow) ?? d.tracked) : undefined;
  if (tracked) merged.tracked = tracked;
  else delete merged.tracked;
  const effective = old.effectiveFrom && old.entity && d.entity ? ids.follow(old.entity, old.effectiveFrom, d.entity) : d.effectiveFrom;
  if (scd2 && effective) merged.effectiveFrom = effective;
  else delete merged.effectiveFrom;
  return merged;
}

/** Old attribute (or natural key) name -> the name of the same column in the proposed dimension. */
function attributeFollower(old: Dimension, d: Dimension, ids: Identities): (name: string) => string {
  const now = new Map<string, string>();
  for (const k of d.naturalKey) now.set(ids.column(d.entity, k), k);
  for (const a of d.attributes) {
    const id = ids.column(a.entity ?? d.entity, a.column);
    if (!now.has(id)) now.set(id, a.name);
  }
  const map = new Map<string, string>();
  for (const k of old.naturalKey) map.set(k, now.get(ids.column(old.entity, k)) ?? k);
  for (const a of old.attributes) map.set(a.name, now.get(ids.column(a.entity ?? old.entity, a.column)) ?? a.name);
  return (n) => map.get(n) ?? n;
}

/** Levels follow their attribute; a level named after its attribute is renamed with it. */
function followHierarchy(h: Hierarchy, follow: (name: string) => string): Hierarchy {
  return { ...h, levels: h.levels.map((l) => ({ ...l, attribute: follow(l.attribute), name: l.name === l.attribute ? follow(l.attribute) : l.name })) };
}

function mergeFact(f: Fact, old: Fact, dimNow: Map<string, string>, ids: Identities, notes: string[]): Fact {
  const follow = (c: string) => ids.follow(old.entity, c, f.entity);
  const measures = mergeMeasures(f, old, ids, notes);
  const direct = f.dimensions.filter((r) => !r.via).flatMap((r) => r.columns);
  const used = new Set([...f.degenerate, ...direct, ...measures.map((m) => m.column)]);
  // Degenerate columns added by hand stay; the proposal's own are already in `used`.
  const degenerate = [...f.degenerate, ...[...new Set(old.degenerate.map(follow))].filter((c) => !used.has(c))];
  return { ...f, measures, dimensions: mergeRoles(f, old, dimNow, ids, notes), degenerate };
}

/**
 * Proposed measures take the user's name (unless it was the column's own, which follows the column),
 * aggregation and additivity; measures the proposal does not make (added by hand) stay.
 */
function mergeMeasures(f: Fact, old: Fact, ids: Identities, notes: string[]): Fact['measures'] {
  const idNow = (c: string) => ids.column(f.entity, c);
  const idOld = (c: string) => ids.column(old.entity, c);
  const kept = new Set<Fact['measures'][number]>();
  const proposed = f.measures.map((m) => {
    const om = old.measures.find((x) => !kept.has(x) && idOld(x.column) === idNow(m.column));
    if (!om) return m;
    kept.add(om);
    return { ...m, name: om.name === om.column ? m.name : om.name, aggregation: om.aggregation, additivity: om.additivity };
  });
  const byHand = old.measures
    .filter((om) => !kept.has(om))
    .map((om) => {
      const column = ids.follow(old.entity, om.column, f.entity);
      return { ...om, column, name: om.name === om.column ? column : om.name };
    });
  const names = new NameAllocator();
  return [...proposed, ...byHand].map((m) => {
    const name = names.claim(m.name);
    if (name !== m.name) notes.push(`measure "${m.name}" of fact "${f.name}" is named "${name}": another measure has its name.`);
    return { ...m, name };
  });
}

/** Each proposed reference keeps the role the file gave the same reference (same dimension, same columns). */
function mergeRoles(f: Fact, old: Fact, dimNow: Map<string, string>, ids: Identities, notes: string[]): DimensionRef[] {
  const same = (o: DimensionRef, r: DimensionRef) =>
    dimNow.get(o.dimension) === r.dimension &&
    o.columns.length === r.columns.length &&
    o.columns.every((c, i) => ids.column(o.via?.entity ?? old.entity, c) === ids.column(r.via?.entity ?? f.entity, r.columns[i]));
  const wanted = f.dimensions.map((r) => old.dimensions.find((o) => same(o, r))?.role);
  const roles = new NameAllocator();
  const kept = wanted.map((w) => (w && !roles.has(w) ? roles.claim(w) : undefined));
  return f.dimensions.map((r, i) => {
    const role = kept[i] ?? roles.claim(r.role);
    const w = wanted[i];
    if (w && role !== w) notes.push(`role "${w}" of fact "${f.name}" is now "${role}": another reference has that role.`);
    return { ...r, role };
  });
}
