/**
 * Hierarchies of dimensions, from dependencies that hold exactly in the data:
 * the catalog's functional dependencies inside a table (city -> state ->
 * country), and mandatory, orphan-free references between the entities a
 * dimension collapsed (customer -> nation -> region, each level named by a
 * unique label column). Levels are ordered root to leaf by cardinality. The
 * generated date dimension gets year -> quarter -> month -> day.
 */
import type { Catalog } from '../discover/catalog-types';
import type { Dimension, Entity, ErdModel, Hierarchy, StarModel } from './model-types';
import { ModelEvidence, isDateType, isStringType } from './evidence';
import { sanitizeName, singular } from './names';
import { ProjectFileError } from '../project/json-file';
import { withNotes } from './notes';
import { mergeStar, type StarSources } from './star-merge';
import { proposeStar } from './star-proposal';
import { validateStarColumns } from './validate';

interface Level {
  /** Attribute name in the dimension. */
  attribute: string;
  name: string;
  cardinality: number;
}

export interface HierarchyReport {
  star: StarModel;
  /** Hierarchies added, per dimension. */
  added: { dimension: string; hierarchy: string }[];
}

/** Detect hierarchies for every dimension; the file's ones (user-made or edited) stay as they are, new ones are added. */
export function detectHierarchies(star: StarModel, catalog: Catalog, erd?: ErdModel): HierarchyReport {
  const ev = new ModelEvidence(erd ?? { version: 1, kind: 'erd', name: star.name, entities: [], relationships: [], groups: [], decompositions: [], layout: { positions: {} } }, catalog);
  const added: HierarchyReport['added'] = [];
  const dimensions = star.dimensions.map((d) => {
    const found = d.generated === 'date' ? [calendar(star, ev)] : dimensionHierarchies(ev, d);
    const hierarchies = [...d.hierarchies];
    for (const h of found) {
      // Known already: a hierarchy holds all its levels (the same one, or one the user reordered or
      // extended), or the file's hierarchy of the same name is this one as the user edited it (a level
      // removed). The user's version stands, with no second copy of the proposal next to it.
      const covers = (x: Hierarchy) => h.levels.every((l) => x.levels.some((y) => y.attribute === l.attribute));
      if (hierarchies.some(covers) || d.hierarchies.some((x) => x.name === h.name)) continue;
      let name = h.name;
      for (let i = 2; hierarchies.some((x) => x.name === name); i++) name = `${h.name}_${i}`;
      hierarchies.push({ ...h, name });
      added.push({ dimension: d.name, hierarchy: name });
    }
    return { ...d, hierarchies };
  });
  return { star: { ...star, dimensions }, added };
}

/**
 * The star as the ERD now has it: unchanged when it fits, else designed again over the file first
 * (as `model star` does), so the edits that still apply follow their columns instead of being
 * checked against attributes that are gone. Hierarchies are detected on that, never on a star made
 * before the ERD changed.
 */
export function fitStar(star: StarModel, sources: StarSources, erdPath?: string): StarModel {
  try {
    validateStarColumns(star, '', sources.erd);
    return star;
  } catch (err) {
    if (!(err instanceof ProjectFileError)) throw err;
    const why = `the star no longer fitted the ERD (at ${err.pointer}: ${err.problem}), so it was designed again first.`;
    return mergeStar(withNotes(star, [why]), proposeStar(sources.erd, sources.catalog, { name: star.name, erdPath: erdPath ?? star.erd }), sources);
  }
}

function entityOf(ev: ModelEvidence, d: Dimension, entity?: string): Entity | undefined {
  const name = entity ?? d.entity;
  if (!name) return undefined;
  return ev.entity(name) ?? syntheticEntity(name, d);
}

/** Without an ERD, an entity is rebuilt from its dimension attributes and matched to the catalog by name. */
function syntheticEntity(name: string, d: Dimension): Entity {
  const own = (a: Dimension['attributes'][number]) => (a.entity ?? d.entity) === name;
  return {
    name,
    columns: [
      ...(name === d.entity ? d.naturalKey.map((k) => ({ name: k, type: 'String', nullable: false })) : []),
      ...d.attributes.filter(own).map((a) => ({ name: a.column, type: a.type, nullable: true })),
    ],
    primaryKey: name === d.entity ? [...d.naturalKey] : [],
  };
}

/** Edges child -> parent between dimension attributes, each an exact dependency with fewer parent values. */
function dimensionHierarchies(ev: ModelEvidence, d: Dimension): Hierarchy[] {
  const levels = new Map<string, Level>();
  const edges = new Map<string, Set<string>>();
  const addEdge = (a: Level, b: Level) => {
    if (!(a.cardinality > b.cardinality && b.cardinality >= 2)) return;
    levels.set(a.attribute, levels.get(a.attribute) ?? a);
    levels.set(b.attribute, levels.get(b.attribute) ?? b);
    edges.set(a.attribute, (edges.get(a.attribute) ?? new Set()).add(b.attribute));
  };
  const owners = [d.entity, ...d.collapsed].filter((x): x is string => !!x);
  for (const owner of owners) withinTable(ev, d, owner, addEdge);
  snowflakeEdges(ev, d, addEdge);
  return chains(levels, edges).map((chain) => ({
    name: `${chain[0].name}_${chain[chain.length - 1].name}`,
    levels: chain.map((l) => ({ name: l.name, attribute: l.attribute, cardinality: l.cardinality })),
  }));
}

/** The attribute of dimension `d` holding column `column` of entity `owner`. */
function attributeFor(ev: ModelEvidence, d: Dimension, owner: string, column: string): string | undefined {
  const direct = d.attributes.find((a) => (a.entity ?? d.entity) === owner && a.column === column)?.name;
  if (direct) return direct;
  // A collapsed parent's key is not an attribute of its own: the reference into it carries the value.
  for (const r of ev.erd.relationships) {
    if (r.to.entity !== owner || (r.from.entity !== d.entity && !d.collapsed.includes(r.from.entity))) continue;
    const i = r.to.columns.indexOf(column);
    const via = i >= 0 ? d.attributes.find((a) => (a.entity ?? d.entity) === r.from.entity && a.column === r.from.columns[i]) : undefined;
    if (via) return via.name;
  }
  return undefined;
}

function withinTable(ev: ModelEvidence, d: Dimension, owner: string, addEdge: (a: Level, b: Level) => void): void {
  const e = entityOf(ev, d, owner);
  const table = e ? ev.table(e) : undefined;
  if (!e || !table) return;
  // Bronze column -> entity column, so catalog dependencies can be read in dimension terms.
  const byBronze = new Map<string, string>();
  for (const c of e.columns) {
    const cc = ev.column(e, c.name);
    if (cc) byBronze.set(cc.name, c.name);
  }
  const level = (bronze: string): Level | undefined => {
    const col = byBronze.get(bronze);
    const attr = col ? attributeFor(ev, d, owner, col) : undefined;
    const profile = table.columns.find((c) => c.name === bronze)?.profile;
    if (!attr || !profile) return undefined;
    return { attribute: attr, name: attr, cardinality: profile.distinct };
  };
  for (const fd of table.dependencies) {
    if (fd.from.length !== 1) continue;
    const a = level(fd.from[0]);
    if (!a) continue;
    const from = { ...a, cardinality: fd.fromDistinct };
    for (const to of fd.to) {
      const b = level(to);
      if (b) addEdge(from, b);
    }
  }
}

/** A unique text column names the members of an entity (nation name, region name). */
function labelOf(ev: ModelEvidence, d: Dimension, e: Entity): Level | undefined {
  for (const c of e.columns) {
    if (!isStringType(c.type) || isDateType(c.type) || !ev.isUnique(e, c.name)) continue;
    const attr = attributeFor(ev, d, e.name, c.name);
    if (!attr) continue;
    const name = sanitizeName(singular(e.name));
    return { attribute: attr, name, cardinality: ev.distinct(e, c.name) || ev.rows(e) };
  }
  return undefined;
}

/** child label -> parent label along references inside the snowflake that every row fills and that have no orphans. */
function snowflakeEdges(ev: ModelEvidence, d: Dimension, addEdge: (a: Level, b: Level) => void): void {
  const inside = new Set([d.entity, ...d.collapsed]);
  for (const owner of inside) {
    if (!owner) continue;
    const e = ev.entity(owner);
    if (!e) continue;
    const child = labelOf(ev, d, e);
    if (!child) continue;
    for (const r of ev.outgoing(owner)) {
      if (!d.collapsed.includes(r.to.entity) || r.optional) continue;
      const cr = ev.catalogRelationship(r);
      // Exact only: a row whose reference finds no parent would break the roll-up.
      if (!cr || cr.evidence.orphans !== 0 || cr.nullRate !== 0) continue;
      const pe = ev.entity(r.to.entity);
      const parent = pe ? labelOf(ev, d, pe) : undefined;
      if (parent) addEdge(child, parent);
    }
  }
}

/** Longest chains, leaf to root, reversed to root-first; a chain inside a longer one is dropped. */
function chains(levels: Map<string, Level>, edges: Map<string, Set<string>>): Level[][] {
  const memo = new Map<string, string[]>();
  const longest = (v: string): string[] => {
    const hit = memo.get(v);
    if (hit) return hit;
    let best: string[] = [];
    for (const w of [...(edges.get(v) ?? [])].sort()) {
      const p = longest(w);
      if (p.length > best.length) best = p;
    }
    const path = [v, ...best];
    memo.set(v, path);
    return path;
  };
  const hasIncoming = new Set([...edges.values()].flatMap((s) => [...s]));
  const starts = [...levels.keys()].filter((v) => !hasIncoming.has(v) && edges.has(v)).sort();
  const paths = starts.map(longest).sort((a, b) => b.length - a.length);
  const out: string[][] = [];
  for (const p of paths) {
    if (p.length < 2 || out.some((q) => p.every((x) => q.includes(x)))) continue;
    out.push(p);
  }
  return out.map((p) => p.map((a) => levels.get(a) as Level).reverse());
}

/** year -> quarter -> month -> day; cardinalities estimated from the distinct days in the facts' Date columns. */
function calendar(star: StarModel, ev: ModelEvidence): Hierarchy {
  let days = 0;
  for (const f of star.facts) {
    const e = ev.entity(f.entity);
    if (!e) continue;
    for (const r of f.dimensions) {
      if (r.dimension !== 'date') continue;
      // A date inherited from a header is a column of the header.
      const owner = r.via ? ev.entity(r.via.entity) : e;
      if (!owner) continue;
      // Distinct timestamps say nothing about days: only Date columns count.
      const dates = r.columns.filter((c) => /^Date(32)?$/.test(owner.columns.find((x) => x.name === c)?.type ?? ''));
      days = Math.max(days, ...dates.map((c) => ev.distinct(owner, c)));
    }
  }
  // 0 means unknown (the facts only have timestamps); the build fills the calendar from the data.
  const months = days ? Math.ceil(days / 30.44) : 0;
  const quarters = days ? Math.ceil(months / 3) : 0;
  const years = days ? Math.ceil(quarters / 4) : 0;
  return {
    name: 'calendar',
    levels: [
      { name: 'year', attribute: 'year', cardinality: years },
      { name: 'quarter', attribute: 'year_quarter', cardinality: quarters },
      { name: 'month', attribute: 'year_month', cardinality: months },
      { name: 'day', attribute: 'date', cardinality: Math.max(days, months) },
    ],
  };
}
