/**
 * Facts about ERD entities the star proposal and hierarchy detection reason
 * with: the catalog table and column behind each entity column, row counts,
 * keys, references. Names are only used where noted (identifier suffixes,
 * measure additivity); classification rests on types, keys, relationships,
 * row counts and value patterns measured by discovery.
 */
import type { Catalog, CatalogColumn, CatalogTable, Relationship } from '../discover/catalog-types';
import type { Entity, EntityColumn, ErdModel, ErdRelationship } from './model-types';
import { objectPart, sanitizeName } from './names';

export const isNumericType = (t: string): boolean => /^(U?Int(8|16|32|64|128|256)|Float(32|64)|Decimal(\d+)?\()/.test(t) || /^Decimal\d*$/.test(t);
export const isFractionalType = (t: string): boolean => /^(Float|Decimal)/.test(t);
export const isDateType = (t: string): boolean => /^(Date|Date32|DateTime|DateTime64)(\(|$)/.test(t);
export const isStringType = (t: string): boolean => /^(LowCardinality\()?(String|FixedString\(\d+\))\)?$/.test(t);

/** Identifier-shaped column names: a suffix convention, used only to keep ids out of the measures. */
export const looksLikeIdentifier = (name: string): boolean => /(^id$|_id$|^key$|_key$|_sk$|_code$|_no$|_nr$|_num$|number$)/.test(sanitizeName(name));

export class ModelEvidence {
  private readonly tables = new Map<string, CatalogTable>();
  private readonly relsById = new Map<string, Relationship>();

  constructor(
    readonly erd: ErdModel,
    readonly catalog: Catalog,
  ) {
    for (const t of catalog.tables) this.tables.set(t.name, t);
    for (const r of catalog.relationships) this.relsById.set(r.id, r);
  }

  entity(name: string): Entity | undefined {
    return this.erd.entities.find((e) => e.name === name);
  }

  /** The bronze table whose rows carry the entity's columns (split-out entities use their origin's). */
  table(entity: Entity): CatalogTable | undefined {
    const seen = new Set<string>();
    let e: Entity | undefined = entity;
    while (e && !seen.has(e.name)) {
      seen.add(e.name);
      if (e.sourceTable) return this.tables.get(e.sourceTable);
      if (!e.derivedFrom) break;
      e = this.entity(e.derivedFrom);
    }
    // Models written by hand may lack sourceTable: match the object part of the bronze name.
    return this.catalog.tables.find((t) => sanitizeName(objectPart(t.name).object) === entity.name);
  }

  /** Catalog column behind an entity column, through its source or, for split-out entities, its origin's. */
  column(entity: Entity, column: string): CatalogColumn | undefined {
    const table = this.table(entity);
    if (!table) return undefined;
    let col: EntityColumn | undefined = entity.columns.find((c) => c.name === column);
    let e: Entity | undefined = entity;
    const seen = new Set<string>();
    while (col && !col.source && e?.derivedFrom && !seen.has(e.name)) {
      seen.add(e.name);
      e = this.entity(e.derivedFrom);
      col = e?.columns.find((c) => c.name === column);
    }
    const bronze = col?.source?.column;
    return table.columns.find((c) => (bronze ? c.name === bronze : sanitizeName(c.name) === column));
  }

  /** Members of the entity: bronze rows, or distinct keys for a split-out entity. */
  rows(entity: Entity): number {
    const table = this.table(entity);
    if (!table) return 0;
    if (entity.sourceTable) return table.rowCount;
    const key = entity.primaryKey[0];
    const col = key ? this.column(entity, key) : undefined;
    return col?.profile.distinct ?? table.rowCount;
  }

  distinct(entity: Entity, column: string): number {
    return this.column(entity, column)?.profile.distinct ?? 0;
  }

  outgoing(entity: string): ErdRelationship[] {
    return this.erd.relationships.filter((r) => r.from.entity === entity && r.to.entity !== entity);
  }

  incoming(entity: string): ErdRelationship[] {
    return this.erd.relationships.filter((r) => r.to.entity === entity && r.from.entity !== entity);
  }

  catalogRelationship(r: ErdRelationship): Relationship | undefined {
    return r.catalogId ? this.relsById.get(r.catalogId) : undefined;
  }

  /** Columns that reference a key, self-references included (reports_to -> employee_id): never measures. */
  fkColumns(entity: string): Set<string> {
    return new Set(this.erd.relationships.filter((r) => r.from.entity === entity).flatMap((r) => r.from.columns));
  }

  /** Primary key plus every single-column verified key: unique identifiers, never measures. */
  keyColumns(entity: Entity): Set<string> {
    const out = new Set(entity.primaryKey);
    // A split-out entity's bronze keys describe its origin's rows, not its own.
    if (!entity.sourceTable) return out;
    const table = this.table(entity);
    for (const k of table?.keys ?? []) {
      if (k.columns.length !== 1) continue;
      const col = entity.columns.find((c) => c.source?.column === k.columns[0]);
      // A unique amount or date in a small table is a coincidence, not an identifier.
      if (col && !isFractionalType(col.type) && !isDateType(col.type)) out.add(col.name);
    }
    return out;
  }

  /** A column whose values are unique in its table (a verified single-column key). */
  isUnique(entity: Entity, column: string): boolean {
    if (entity.primaryKey.length === 1 && entity.primaryKey[0] === column) return true;
    return this.keyColumns(entity).has(column);
  }
}
