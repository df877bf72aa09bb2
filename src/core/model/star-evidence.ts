/**
 * Column and key evidence the star design reads from the catalog: the semantic role discovery gave
 * each column (absent in older catalogs), calendar years and yes/no numbers told apart from measures
 * by their values, and the keys discovery verified (the only grains a fact may claim). Pure.
 */
import type { ColumnRole } from '../discover/catalog-types';
import type { Entity } from './model-types';
import { ModelEvidence, isDateType, isFractionalType, isNumericType } from './evidence';

/** The role discovery gave the column behind an entity column; undefined in catalogs written before roles. */
export function roleOf(ev: ModelEvidence, e: Entity, column: string): ColumnRole | undefined {
  return ev.column(e, column)?.role;
}

/** True when the entity's bronze table carries roles: then they decide, and name rules only fall back. */
export function hasRoles(ev: ModelEvidence, e: Entity): boolean {
  return e.columns.some((c) => roleOf(ev, e, c.name) !== undefined);
}

const isIntegerType = (t: string) => isNumericType(t) && !isFractionalType(t);

/** Calendar years span a few centuries around now; a count or an amount that stays inside them is rare. */
const YEAR_MIN = 1700;
const YEAR_MAX = 2200;

/** Integers that all lie in the calendar-year range (1960..2016): a date part, never a measure. */
export function isCalendarYear(ev: ModelEvidence, e: Entity, column: string): boolean {
  const type = e.columns.find((c) => c.name === column)?.type ?? '';
  const num = ev.column(e, column)?.profile.numeric;
  return isIntegerType(type) && !!num && num.min >= YEAR_MIN && num.max <= YEAR_MAX;
}

/** A number with two values 0 and 1 (or 1 and 2 with nothing between): a yes/no flag, never summed. */
export function isNumericFlag(ev: ModelEvidence, e: Entity, column: string): boolean {
  const p = ev.column(e, column)?.profile;
  return !!p?.numeric && p.distinct <= 2 && p.numeric.max - p.numeric.min <= 1;
}

/** A column that places a row in time: a date type, a date role, or a calendar year. */
export function isPeriodColumn(ev: ModelEvidence, e: Entity, column: string): boolean {
  const type = e.columns.find((c) => c.name === column)?.type ?? '';
  return isDateType(type) || roleOf(ev, e, column)?.kind === 'date' || isCalendarYear(ev, e, column);
}

/**
 * Keys verified unique by discovery, in entity column names: the bronze table's primary and candidate
 * keys whose columns the entity carries. A split-out entity (no bronze table of its own) is keyed by
 * construction: its members are the distinct values of its key.
 */
export function verifiedKeys(ev: ModelEvidence, e: Entity): string[][] {
  if (!e.sourceTable) return e.primaryKey.length ? [[...e.primaryKey]] : [];
  const byBronze = new Map(e.columns.map((c) => [c.source?.column ?? c.name, c.name]));
  const out: string[][] = [];
  for (const k of ev.table(e)?.keys ?? []) {
    const cols = k.columns.map((c) => byBronze.get(c));
    if (cols.every((c): c is string => c !== undefined)) out.push(cols);
  }
  return out;
}

const sameSet = (a: string[], b: string[]) => a.length === b.length && a.every((x) => b.includes(x));

/** The entity's primary key is one discovery verified (or the user chose): a grain a fact may claim. */
export function isVerifiedGrain(ev: ModelEvidence, e: Entity): boolean {
  if (!e.primaryKey.length) return false;
  if (!e.sourceTable) return true;
  const table = ev.table(e);
  const chosen = table ? ev.catalog.decisions.primaryKeys[table.name] : undefined;
  const byBronze = new Map(e.columns.map((c) => [c.source?.column ?? c.name, c.name]));
  if (chosen && sameSet(chosen.map((c) => byBronze.get(c) ?? c), e.primaryKey)) return true;
  return verifiedKeys(ev, e).some((k) => sameSet(k, e.primaryKey));
}
