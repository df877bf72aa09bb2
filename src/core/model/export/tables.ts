/**
 * The physical tables of a star schema as the exports draw them: dimensions
 * with their surrogate key, natural key and attributes (plus SCD2 validity
 * columns); facts with one surrogate-key column per dimension role, the
 * degenerate dimensions and the measures.
 */
import type { Entity, ErdModel, StarModel } from '../model-types';

export interface ExportColumn {
  name: string;
  type: string;
  nullable: boolean;
  pk: boolean;
  fk: boolean;
  note?: string;
}

export interface ExportTable {
  name: string;
  note?: string;
  columns: ExportColumn[];
}

export interface StarRef {
  from: string;
  column: string;
  to: string;
  toColumn: string;
  role: string;
}

/** Fact column holding the surrogate key of a role-playing reference (`order_date_key`); a plain reference uses the dimension's surrogate key name, as the build does. */
export const roleKeyColumn = (role: string): string => `${role}_key`;

function entityType(erd: ErdModel | undefined, entity: string | undefined, column: string): { type: string; nullable: boolean } | undefined {
  const e: Entity | undefined = erd?.entities.find((x) => x.name === entity);
  const c = e?.columns.find((x) => x.name === column);
  return c ? { type: c.type, nullable: c.nullable } : undefined;
}

export function starTables(m: StarModel, erd?: ErdModel): { tables: ExportTable[]; refs: StarRef[] } {
  const tables: ExportTable[] = [];
  const refs: StarRef[] = [];
  for (const d of m.dimensions) {
    const cols: ExportColumn[] = [{ name: d.surrogateKey, type: 'UInt64', nullable: false, pk: true, fk: false, note: 'surrogate key' }];
    for (const k of d.naturalKey) {
      const t = d.generated === 'date' ? { type: 'Date32', nullable: false } : entityType(erd, d.entity, k);
      cols.push({ name: k, type: t?.type ?? 'String', nullable: false, pk: false, fk: false, note: 'natural key' });
    }
    for (const a of d.attributes) cols.push({ name: a.name, type: a.type, nullable: d.generated !== 'date', pk: false, fk: false });
    if (d.scdType === 2) {
      cols.push(
        { name: 'valid_from', type: 'DateTime64(3)', nullable: false, pk: false, fk: false, note: 'SCD2 version start' },
        { name: 'valid_to', type: 'DateTime64(3)', nullable: true, pk: false, fk: false, note: 'SCD2 version end (NULL: current)' },
        { name: 'is_current', type: 'Bool', nullable: false, pk: false, fk: false },
      );
    }
    tables.push({ name: d.name, note: d.reason, columns: cols });
  }
  for (const f of m.facts) {
    const cols: ExportColumn[] = [];
    for (const r of f.dimensions) {
      const dim = m.dimensions.find((d) => d.name === r.dimension);
      const col = dim && r.role === dim.name ? dim.surrogateKey : roleKeyColumn(r.role);
      cols.push({ name: col, type: 'UInt64', nullable: false, pk: false, fk: true, note: `${r.dimension} (${r.via ? `${r.via.entity}.` : ''}${r.columns.join(', ')})` });
      if (dim) refs.push({ from: f.name, column: col, to: dim.name, toColumn: dim.surrogateKey, role: r.role });
    }
    for (const g of f.degenerate) {
      const t = entityType(erd, f.entity, g);
      cols.push({ name: g, type: t?.type ?? 'String', nullable: t?.nullable ?? true, pk: false, fk: false, note: 'degenerate dimension' });
    }
    for (const h of f.headerDegenerate ?? []) {
      for (const g of h.columns) {
        const t = entityType(erd, h.via.entity, g);
        cols.push({ name: g, type: t?.type ?? 'String', nullable: true, pk: false, fk: false, note: `degenerate, from header ${h.via.entity}` });
      }
    }
    for (const ms of f.measures) {
      const t = entityType(erd, f.entity, ms.column);
      cols.push({ name: ms.name, type: t?.type ?? 'Float64', nullable: t?.nullable ?? true, pk: false, fk: false, note: `${ms.aggregation}, ${ms.additivity}` });
    }
    tables.push({ name: f.name, note: f.grainDescription, columns: cols });
  }
  return { tables, refs };
}
