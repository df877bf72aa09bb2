/**
 * ERD proposal (silver, 3NF) from the catalog: one entity per bronze table,
 * typed columns, primary keys, relationships, denormalisation found through
 * functional dependencies, subject-area groups and an initial layout. Pure.
 */
import type { Catalog, CatalogColumn, CatalogTable, FunctionalDependency, Relationship } from '../discover/catalog-types';
import { MIN_CONFIDENCE } from '../discover/relationships';
import type { Decomposition, Entity, EntityColumn, ErdModel, ErdRelationship } from './model-types';
import { NameAllocator, objectPart, sanitizeName, stripKeySuffix } from './names';
import { layoutErd } from './layout';
import { sqlType } from '../warehouse/sql';

/**
 * A relationship the user has not decided on is taken when its confidence
 * reaches the bar discovery itself applies to report one (containment, names,
 * key and plausibility folded in). Relationships added by hand below it, or
 * from an older catalog, need the user's acceptance.
 */
export const RELATIONSHIP_CONFIDENCE_THRESHOLD = MIN_CONFIDENCE;

export interface ErdProposalOptions {
  name: string;
  /** Workspace-relative path of the catalog, recorded in the model. */
  catalogPath?: string;
  /** Overrides RELATIONSHIP_CONFIDENCE_THRESHOLD. */
  minConfidence?: number;
}

/** Bronze column -> entity column name, per bronze table. */
type ColumnMap = Map<string, Map<string, string>>;

/**
 * Bronze tables that cannot become an entity, with the reason: a table with no columns at all (an
 * empty file) has nothing to type or key, and silver cannot hold a table without columns.
 */
export function unmodelledTables(catalog: Catalog): { table: string; reason: string }[] {
  return catalog.tables.filter((t) => t.columns.length === 0).map((t) => ({ table: t.name, reason: 'it has no columns (an empty file or sheet?)' }));
}

export function proposeErd(catalog: Catalog, opts: ErdProposalOptions): ErdModel {
  const skipped = new Set(unmodelledTables(catalog).map((x) => x.table));
  if (skipped.size) catalog = { ...catalog, tables: catalog.tables.filter((t) => !skipped.has(t.name)) };
  const tableNames = entityNames(catalog.tables);
  const columnMap: ColumnMap = new Map();
  const entities = catalog.tables.map((t) => buildEntity(t, tableNames.get(t.name) ?? t.name, catalog, columnMap));
  const relationships = buildRelationships(catalog, tableNames, columnMap, opts.minConfidence ?? RELATIONSHIP_CONFIDENCE_THRESHOLD);
  const base: ErdModel = {
    version: 1,
    kind: 'erd',
    name: opts.name,
    ...(opts.catalogPath ? { catalog: opts.catalogPath } : {}),
    entities,
    relationships,
    groups: [],
    decompositions: [],
    layout: { positions: {} },
  };
  base.decompositions = proposeDecompositions(catalog, base, tableNames, columnMap);
  base.groups = subjectAreas(base);
  return layoutErd(base);
}

/** Entity name per bronze table: the object part, sanitized; colliding objects are prefixed by their source. */
function entityNames(tables: CatalogTable[]): Map<string, string> {
  const wanted = tables.map((t) => ({ table: t.name, ...objectPart(t.name) }));
  const counts = new Map<string, number>();
  for (const w of wanted) counts.set(sanitizeName(w.object), (counts.get(sanitizeName(w.object)) ?? 0) + 1);
  const alloc = new NameAllocator();
  const out = new Map<string, string>();
  for (const w of wanted) {
    const plain = sanitizeName(w.object);
    const name = (counts.get(plain) ?? 0) > 1 && w.source ? sanitizeName(`${w.source}_${w.object}`) : plain;
    out.set(w.table, alloc.claim(name));
  }
  return out;
}

function primaryKeyOf(t: CatalogTable, catalog: Catalog): string[] {
  return catalog.decisions.primaryKeys[t.name] ?? t.keys.find((k) => k.kind === 'primary')?.columns ?? [];
}

function buildEntity(t: CatalogTable, name: string, catalog: Catalog, columnMap: ColumnMap): Entity {
  const alloc = new NameAllocator();
  const map = new Map<string, string>();
  columnMap.set(t.name, map);
  const pk = new Set(primaryKeyOf(t, catalog));
  const columns: EntityColumn[] = [...t.columns]
    .sort((a, b) => a.position - b.position)
    .map((c) => {
      const key = `${t.name}.${c.name}`;
      const colName = alloc.claim(sanitizeName(catalog.decisions.renames[key] ?? c.name));
      map.set(c.name, colName);
      const override = catalog.decisions.typeOverrides[key];
      if (override && !isSqlType(override.type)) throw new Error(`Catalog decision for ${key}: "${override.type}" is not a ClickHouse type.`);
      const type = override?.type ?? c.inferred.type;
      const expression = override ? (override.expression ?? castExpression(override.type)) : c.inferred.expression;
      return {
        name: colName,
        type,
        // A key column is verified non-empty by discovery, so it is never nullable.
        nullable: pk.has(c.name) ? false : mayBeNull(c),
        source: { column: c.name, expression },
      };
    });
  return {
    name,
    sourceTable: t.name,
    columns,
    primaryKey: [...pk].filter((c) => map.has(c)).map((c) => map.get(c) as string),
  };
}

/**
 * A NULL written into a column that is not Nullable becomes 0, '' or 1970-01-01 without a word: a column
 * whose values include an empty one, a missing token or one that does not convert is Nullable (older
 * catalogs judged `nullable` on a sample, so the exact counts are read too).
 */
function mayBeNull(c: CatalogColumn): boolean {
  return c.inferred.nullable || c.profile.empty > 0 || (c.missingTokens?.length ?? 0) > 0 || c.inferred.convertRate < 1;
}

function isSqlType(type: string): boolean {
  try {
    sqlType(type);
    return true;
  } catch {
    return false;
  }
}

/** Conversion for a user-chosen type without an expression: strings stay strings, the rest cast or NULL. */
export function castExpression(type: string): string {
  if (/^(LowCardinality\()?String\)?$/.test(type)) return '{col}';
  // sqlType admits no backslash and quotes only inside the parentheses (time zones): escaped, they stay in the literal.
  return `accurateCastOrNull({col}, '${sqlType(type).replace(/'/g, "\\'")}')`;
}

function relationshipStatus(r: Relationship, catalog: Catalog): Relationship['status'] {
  return catalog.decisions.relationships[r.id] ?? r.status;
}

function buildRelationships(catalog: Catalog, tableNames: Map<string, string>, columnMap: ColumnMap, min: number): ErdRelationship[] {
  const alloc = new NameAllocator();
  const out: ErdRelationship[] = [];
  for (const r of catalog.relationships) {
    const status = relationshipStatus(r, catalog);
    if (status === 'rejected' || (status === 'proposed' && r.confidence < min)) continue;
    const fromEntity = tableNames.get(r.fromTable);
    const toEntity = tableNames.get(r.toTable);
    const fromCols = mapColumns(columnMap, r.fromTable, r.fromColumns);
    const toCols = mapColumns(columnMap, r.toTable, r.toColumns);
    // A relationship naming a table or column that is no longer in the catalog is stale: leave it out.
    if (!fromEntity || !toEntity || !fromCols || !toCols || fromCols.length !== toCols.length) continue;
    out.push({
      name: alloc.claim(`fk_${fromEntity}_${fromCols.join('_')}`),
      from: { entity: fromEntity, columns: fromCols },
      to: { entity: toEntity, columns: toCols },
      cardinality: r.cardinality,
      optional: r.nullRate > 0,
      catalogId: r.id,
    });
  }
  return out;
}

function mapColumns(columnMap: ColumnMap, table: string, cols: string[]): string[] | undefined {
  const map = columnMap.get(table);
  if (!map) return undefined;
  const out = cols.map((c) => map.get(c));
  return out.every((c): c is string => c !== undefined) ? out : undefined;
}

/** Connected components of the relationship graph, each named after its most connected entity; loose entities in `unrelated`. */
export function subjectAreas(model: Pick<ErdModel, 'entities' | 'relationships'>): ErdModel['groups'] {
  const parent = new Map(model.entities.map((e) => [e.name, e.name]));
  const find = (x: string): string => {
    let r = x;
    while (parent.get(r) !== r) r = parent.get(r) ?? r;
    parent.set(x, r);
    return r;
  };
  const degree = new Map<string, number>();
  for (const r of model.relationships) {
    if (!parent.has(r.from.entity) || !parent.has(r.to.entity)) continue;
    parent.set(find(r.from.entity), find(r.to.entity));
    degree.set(r.from.entity, (degree.get(r.from.entity) ?? 0) + 1);
    degree.set(r.to.entity, (degree.get(r.to.entity) ?? 0) + 1);
  }
  const comps = new Map<string, string[]>();
  for (const e of model.entities) {
    const root = find(e.name);
    comps.set(root, [...(comps.get(root) ?? []), e.name]);
  }
  const alloc = new NameAllocator();
  const connected = [...comps.values()].filter((m) => m.length > 1);
  const loose = [...comps.values()].filter((m) => m.length === 1).flat().sort();
  const groups = connected.map((members) => {
    const hub = [...members].sort((a, b) => (degree.get(b) ?? 0) - (degree.get(a) ?? 0) || a.localeCompare(b))[0];
    return { members: [...members].sort(), hub };
  });
  groups.sort((a, b) => b.members.length - a.members.length || a.hub.localeCompare(b.hub));
  // Entities with no relationship at all share one group rather than one each.
  if (loose.length) groups.push({ members: loose, hub: 'unrelated' });
  return groups.map((g) => ({ name: alloc.claim(g.hub), entities: g.members }));
}

// ---------------------------------------------------------------------------------------------
// Denormalisation

/** Closure of the single-table dependencies: every column a determinant fixes, directly or through another. */
function dependencyClosure(deps: FunctionalDependency[]): Map<string, { to: Set<string>; fd: FunctionalDependency }> {
  const byKey = new Map<string, { from: string[]; to: Set<string>; fd: FunctionalDependency }>();
  for (const fd of deps) {
    const key = fd.from.join('\u0000');
    const cur = byKey.get(key) ?? { from: fd.from, to: new Set<string>(), fd };
    for (const c of fd.to) cur.to.add(c);
    byKey.set(key, cur);
  }
  // Single-column determinants chain (a -> b, b -> c gives a -> c); iterate to a fixpoint.
  let grew = true;
  while (grew) {
    grew = false;
    for (const cur of byKey.values()) {
      for (const c of [...cur.to]) {
        const next = byKey.get(c);
        if (!next) continue;
        for (const d of next.to) {
          if (!cur.to.has(d) && !cur.from.includes(d)) {
            cur.to.add(d);
            grew = true;
          }
        }
      }
    }
  }
  return new Map([...byKey].map(([k, v]) => [k, { to: v.to, fd: v.fd }]));
}

/** True when `cols` contain a verified key of the table: then every column depends on them and nothing is redundant. */
function isKey(t: CatalogTable, pk: string[], cols: string[]): boolean {
  const has = (key: string[]) => key.length > 0 && key.every((k) => cols.includes(k));
  return has(pk) || t.keys.some((k) => has(k.columns));
}

function proposeDecompositions(catalog: Catalog, erd: ErdModel, tableNames: Map<string, string>, columnMap: ColumnMap): Decomposition[] {
  const names = new NameAllocator(erd.entities.map((e) => e.name));
  const out: Decomposition[] = [];
  for (const t of catalog.tables) {
    const entity = erd.entities.find((e) => e.name === tableNames.get(t.name));
    const map = columnMap.get(t.name);
    if (!entity || !map) continue;
    const pk = primaryKeyOf(t, catalog);
    const candidates = [...dependencyClosure(t.dependencies).values()]
      .filter(({ fd }) => fd.fromDistinct < t.rowCount && !isKey(t, pk, fd.from) && fd.from.every((c) => map.has(c)))
      // The widest determinant first, so a chain (product -> category -> category name) becomes one split, not three.
      .sort((a, b) => b.to.size - a.to.size || a.fd.fromDistinct - b.fd.fromDistinct);
    const moved = new Set<string>();
    for (const { fd, to } of candidates) {
      if (fd.from.some((c) => moved.has(c))) continue;
      const deps = [...to].filter((c) => !fd.from.includes(c) && !pk.includes(c) && !moved.has(c) && map.has(c));
      if (deps.length === 0) continue;
      const key = fd.from.map((c) => map.get(c) as string);
      const columns = deps.map((c) => map.get(c) as string);
      const d = decompositionFor(erd, entity, key, columns, fd, t.rowCount, names);
      if (!d) continue;
      for (const c of d.columns) moved.add([...map].find(([, v]) => v === c)?.[0] ?? c);
      out.push(d);
    }
  }
  return out;
}

function decompositionFor(
  erd: ErdModel,
  entity: Entity,
  key: string[],
  columns: string[],
  fd: FunctionalDependency,
  rows: number,
  names: NameAllocator,
): Decomposition | undefined {
  const id = `${entity.name}:${key.join('+')}`;
  const ref = erd.relationships.find((r) => r.from.entity === entity.name && sameColumns(r.from.columns, key));
  if (ref) {
    // The determinant already points at an entity: copies of that entity's attributes are redundant.
    const target = erd.entities.find((e) => e.name === ref.to.entity);
    const held = columns.filter((c) => target?.columns.some((tc) => tc.name === c));
    if (held.length === 0) return undefined;
    const kept = columns.filter((c) => !held.includes(c));
    return {
      id,
      entity: entity.name,
      key,
      columns: held,
      newEntity: ref.to.entity,
      status: 'proposed',
      reason:
        `${key.join(', ')} determines ${held.join(', ')} in all ${rows} rows (${fd.fromDistinct} distinct values), and ` +
        `${ref.to.entity} referenced through ${ref.name} already holds them: drop the redundant copies from ${entity.name}` +
        (kept.length ? `; ${kept.join(', ')} also depend on ${key.join(', ')} but are not in ${ref.to.entity}, so they stay.` : '.'),
    };
  }
  const base = sanitizeName(key.length === 1 ? stripKeySuffix(key[0]) : key.map((k) => stripKeySuffix(k)).join('_'));
  const newEntity = names.claim(names.has(base) ? `${entity.name}_${base}` : base);
  return {
    id,
    entity: entity.name,
    key,
    columns,
    newEntity,
    status: 'proposed',
    reason:
      `${key.join(', ')} determines ${columns.join(', ')} in all ${rows} rows but has only ${fd.fromDistinct} distinct values: ` +
      `each value's ${columns.length === 1 ? 'attribute is' : 'attributes are'} stored ${(rows / Math.max(1, fd.fromDistinct)).toFixed(1)} times on average. ` +
      `Move them to a new entity ${newEntity} keyed by ${key.join(', ')}.`,
  };
}

function sameColumns(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((c, i) => c === b[i]);
}

/** Accept a proposed decomposition: split the columns out (or drop redundant copies), add the reference, lay out the new box. */
export function applyDecomposition(erd: ErdModel, id: string): ErdModel {
  const d = findDecomposition(erd, id);
  if (d.status === 'accepted') return erd;
  const source = erd.entities.find((e) => e.name === d.entity);
  if (!source) throw new Error(`Decomposition ${id}: entity ${d.entity} is not in the model.`);
  const missing = [...d.key, ...d.columns].filter((c) => !source.columns.some((x) => x.name === c));
  if (missing.length) throw new Error(`Decomposition ${id}: ${d.entity} has no column ${missing.join(', ')}.`);
  const shrunk: Entity = { ...source, columns: source.columns.filter((c) => !d.columns.includes(c.name)) };
  const existing = erd.entities.find((e) => e.name === d.newEntity);
  let entities = erd.entities.map((e) => (e.name === d.entity ? shrunk : e));
  let relationships = moveRelationships(erd, d, existing);
  const fresh: string[] = [];
  if (!existing) {
    entities = [...entities, splitEntity(source, d)];
    const names = new NameAllocator(erd.relationships.map((r) => r.name));
    const keyCols = source.columns.filter((c) => d.key.includes(c.name));
    relationships = [
      ...relationships,
      {
        name: names.claim(`fk_${d.entity}_${d.key.join('_')}`),
        from: { entity: d.entity, columns: d.key },
        to: { entity: d.newEntity, columns: d.key },
        cardinality: 'many-to-one',
        optional: keyCols.some((c) => c.nullable),
      },
    ];
    fresh.push(d.newEntity);
  }
  const decompositions = erd.decompositions.map((x) => (x.id === id ? { ...x, status: 'accepted' as const } : x));
  const next: ErdModel = { ...erd, entities, relationships, decompositions };
  next.groups = subjectAreas(next);
  return fresh.length ? layoutErd(next, { only: fresh }) : next;
}

/**
 * Relationships that use a moved column go with it: a reference held by moved columns (and the
 * determinant) now starts at the new entity, so nothing points at a column that left. One that would
 * be cut in half, or that references a moved column, makes the decomposition refuse with the reason.
 */
function moveRelationships(erd: ErdModel, d: Decomposition, existing: Entity | undefined): ErdRelationship[] {
  const moved = new Set(d.columns);
  const carried = new Set([...d.key, ...d.columns]);
  const out: ErdRelationship[] = [];
  for (const r of erd.relationships) {
    if (r.to.entity === d.entity && r.to.columns.some((c) => moved.has(c))) {
      throw new Error(`Decomposition ${d.id}: relationship ${r.name} references ${d.entity}.${r.to.columns.join(', ')}, which would move to ${d.newEntity}; edit the relationship first.`);
    }
    if (r.from.entity !== d.entity || !r.from.columns.some((c) => moved.has(c))) {
      out.push(r);
      continue;
    }
    if (!r.from.columns.every((c) => carried.has(c))) {
      throw new Error(`Decomposition ${d.id}: relationship ${r.name} uses ${r.from.columns.join(', ')} of ${d.entity}, only part of which would move to ${d.newEntity}.`);
    }
    const holder = existing ?? { columns: r.from.columns.map((name) => ({ name })) };
    if (!r.from.columns.every((c) => holder.columns.some((x) => x.name === c))) {
      throw new Error(`Decomposition ${d.id}: relationship ${r.name} uses ${r.from.columns.join(', ')}, which ${d.newEntity} does not have.`);
    }
    const from = { entity: d.newEntity, columns: [...r.from.columns] };
    const same = (x: ErdRelationship) => x.from.entity === from.entity && x.to.entity === r.to.entity && x.from.columns.join('\0') === from.columns.join('\0');
    // The existing entity may already hold the same reference: keep one.
    if (!erd.relationships.some(same) && !out.some(same)) out.push({ ...r, from });
  }
  return out;
}

function splitEntity(source: Entity, d: Decomposition): Entity {
  const pick = (names: string[]) =>
    names.map((n) => {
      const c = source.columns.find((x) => x.name === n) as EntityColumn;
      // Members are SELECT DISTINCT over the silver columns of `derivedFrom`, so no bronze source applies.
      return { name: c.name, type: c.type, nullable: d.key.includes(n) ? false : c.nullable };
    });
  return {
    name: d.newEntity,
    derivedFrom: d.entity,
    description: `Split out of ${d.entity}: ${d.key.join(', ')} determines ${d.columns.join(', ')}.`,
    columns: [...pick(d.key), ...pick(d.columns)],
    primaryKey: [...d.key],
  };
}

export function rejectDecomposition(erd: ErdModel, id: string): ErdModel {
  const d = findDecomposition(erd, id);
  if (d.status === 'accepted') throw new Error(`Decomposition ${id} is already applied; edit the model to undo it.`);
  return { ...erd, decompositions: erd.decompositions.map((x) => (x.id === id ? { ...x, status: 'rejected' as const } : x)) };
}

function findDecomposition(erd: ErdModel, id: string): Decomposition {
  const d = erd.decompositions.find((x) => x.id === id);
  if (!d) throw new Error(`No decomposition ${id} in model ${erd.name}.`);
  return d;
}
