/**
 * Star schema proposal (gold) from the ERD and the catalog: facts and
 * dimensions classified from evidence, each with the reason; grain, measures,
 * dimension references, degenerate dimensions; snowflaked parents collapsed
 * into their dimension; a generated date dimension, role-playing where a fact
 * has several dates. Pure. Bridge tables (many-to-many) are out of scope.
 */
import type { Catalog } from '../discover/catalog-types';
import type { Additivity, Aggregation, Dimension, DimensionRef, Entity, ErdModel, Fact, StarModel } from './model-types';
import { ModelEvidence, isDateType, isFractionalType, isNumericType, looksLikeIdentifier } from './evidence';
import { NameAllocator, sanitizeName, singular, stripKeySuffix } from './names';
import { layoutStar } from './layout';

/** An entity is a fact when its evidence scores at least this (see `classifyEntity`). */
export const FACT_SCORE_THRESHOLD = 3;

export interface Classification {
  entity: string;
  role: 'fact' | 'dimension';
  score: number;
  /** Evidence lines, each with its weight. */
  evidence: string[];
  measures: string[];
  dates: string[];
}

/**
 * Fact evidence: measures (+2), references to two or more entities (+2; one: +0.5), more rows than every
 * entity it references (+1), event dates (+1). Dimension evidence: each entity referencing it (-1.5),
 * columns holding emails or phone numbers (-2). Two independent kinds of
 * fact evidence net of dimension evidence (score >= 3) make a fact.
 */
export function classifyEntity(ev: ModelEvidence, e: Entity): Classification {
  const evidence: string[] = [];
  let score = 0;
  const add = (w: number, text: string) => {
    score += w;
    evidence.push(`${text} (${w > 0 ? '+' : ''}${w})`);
  };
  const measures = measureColumns(ev, e);
  const dates = dateColumns(ev, e);
  if (measures.length) add(2, `numeric measures ${measures.join(', ')}`);
  const targets = [...new Set(ev.outgoing(e.name).map((r) => r.to.entity))];
  if (targets.length >= 2) add(2, `many side of ${targets.length} relationships (${targets.join(', ')})`);
  else if (targets.length === 1) add(0.5, `many side of one relationship (${targets[0]})`);
  const rows = ev.rows(e);
  const targetRows = targets.map((t) => ev.rows(ev.entity(t) as Entity));
  if (targets.length && targetRows.every((n) => rows > n)) add(1, `${rows} rows, more than every entity it references (${targetRows.join(', ')})`);
  if (dates.length) add(1, `event dates ${dates.join(', ')}`);
  const referrers = [...new Set(ev.incoming(e.name).map((r) => r.from.entity))];
  if (referrers.length) add(-1.5 * referrers.length, `referenced by ${referrers.join(', ')}`);
  const contact = e.columns.filter((c) => {
    const p = ev.column(e, c.name)?.profile.patterns;
    return (p?.email ?? 0) >= 0.5 || (p?.phone ?? 0) >= 0.5;
  });
  if (contact.length) add(-2, `describes people or organisations (emails/phones in ${contact.map((c) => c.name).join(', ')})`);
  return { entity: e.name, role: score >= FACT_SCORE_THRESHOLD ? 'fact' : 'dimension', score, evidence, measures, dates };
}

/**
 * Classify every entity, then give a transaction header its due: an entity a fact references
 * through an identifying relationship (the reference is part of the fact's key and the rest of the
 * key numbers the lines, as order lines to orders) is the header of that fact (+1).
 */
export function classifyAll(ev: ModelEvidence): Map<string, Classification> {
  const classes = new Map(ev.erd.entities.map((e) => [e.name, classifyEntity(ev, e)]));
  const facts = ev.erd.entities.filter((e) => classes.get(e.name)?.role === 'fact');
  for (const f of facts) {
    for (const r of ev.outgoing(f.name)) {
      const c = classes.get(r.to.entity);
      if (!c || c.role === 'fact' || c.evidence.some((x) => x.startsWith('header of'))) continue;
      if (r.cardinality !== 'many-to-one' || !r.from.columns.every((x) => f.primaryKey.includes(x))) continue;
      // Header and lines: the rest of the key numbers the lines. A key made of references only (part, supplier) is an association.
      const fks = ev.fkColumns(f.name);
      const rest = f.primaryKey.filter((x) => !r.from.columns.includes(x));
      if (rest.length === 0 || rest.some((x) => fks.has(x))) continue;
      c.score += 1;
      c.evidence.push(`header of fact ${f.name}: its key includes the reference ${r.from.columns.join(', ')} (+1)`);
      c.role = c.score >= FACT_SCORE_THRESHOLD ? 'fact' : 'dimension';
    }
  }
  return classes;
}

/** Numeric columns that are not keys, references, identifiers or zero-padded codes. */
export function measureColumns(ev: ModelEvidence, e: Entity): string[] {
  const keys = ev.keyColumns(e);
  const fks = ev.fkColumns(e.name);
  return e.columns
    .filter((c) => isNumericType(c.type) && !keys.has(c.name) && !fks.has(c.name) && !looksLikeIdentifier(c.name))
    .filter((c) => {
      const p = ev.column(e, c.name)?.profile;
      // Zero-padded numbers are codes; a column with one value measures nothing.
      return !p || ((p.patterns.zeroPadded ?? 0) < 0.5 && p.distinct > 1);
    })
    .map((c) => c.name);
}

function dateColumns(ev: ModelEvidence, e: Entity): string[] {
  const keys = new Set(e.primaryKey);
  const fks = ev.fkColumns(e.name);
  return e.columns.filter((c) => isDateType(c.type) && !keys.has(c.name) && !fks.has(c.name)).map((c) => c.name);
}

/**
 * Default aggregation and additivity of a measure. Word lists look at the
 * column name (amounts, quantities, balances, prices); values decide first
 * where they can: percentages and fractions in [0, 1] are ratios.
 */
export function measureKind(ev: ModelEvidence, e: Entity, column: string): { aggregation: Aggregation; additivity: Additivity } {
  const name = sanitizeName(column);
  const col = ev.column(e, column);
  const type = e.columns.find((c) => c.name === column)?.type ?? '';
  const num = col?.profile.numeric;
  const semi = { aggregation: 'sum' as const, additivity: 'semi-additive' as const };
  const non = { aggregation: 'avg' as const, additivity: 'non-additive' as const };
  const add = { aggregation: 'sum' as const, additivity: 'additive' as const };
  if (/(balance|level|inventory|stock|on_?hand|avail|headcount|snapshot)/.test(name)) return semi;
  if ((col?.profile.patterns.percent ?? 0) >= 0.5) return non;
  if (isFractionalType(type) && num && num.min >= 0 && num.max <= 1) return non;
  if (/(amount|total|extended|revenue|sales|subtotal|sum)/.test(name)) return add;
  if (/(price|rate|ratio|pct|percent|avg|average|mean|score|rating|temperature|unit_)/.test(name)) return non;
  return add;
}

export interface StarProposalOptions {
  name?: string;
  /** Workspace-relative path of the ERD, recorded in the model. */
  erdPath?: string;
}

export function proposeStar(erd: ErdModel, catalog: Catalog, opts: StarProposalOptions = {}): StarModel {
  const ev = new ModelEvidence(erd, catalog);
  const classes = classifyAll(ev);
  const isFact = (name: string) => classes.get(name)?.role === 'fact';
  const factEntities = erd.entities.filter((e) => isFact(e.name));
  const referencedByFacts = new Set(factEntities.flatMap((f) => ev.outgoing(f.name).map((r) => r.to.entity)));
  const names = new NameAllocator();
  const hasDates = factEntities.some((f) => (classes.get(f.name)?.dates.length ?? 0) > 0);
  if (hasDates) names.claim('date');
  const factName = new Map(factEntities.map((f) => [f.name, names.claim(f.name)]));
  // Non-facts referenced by a fact are dimensions; the rest fold into the dimensions that reach them.
  // An entity nothing references and that references nothing stands alone as a dimension.
  const dimEntities = erd.entities.filter(
    (e) => !isFact(e.name) && (referencedByFacts.has(e.name) || ev.incoming(e.name).every((r) => isFact(r.from.entity))),
  );
  // Non-facts that only reference each other in a loop are reached by no dimension: they stand alone too.
  const covered = new Set(dimEntities.flatMap((e) => [e.name, ...collapseParents(ev, e.name, isFact, referencedByFacts)]));
  for (const e of erd.entities) {
    if (isFact(e.name) || covered.has(e.name)) continue;
    dimEntities.push(e);
    for (const c of [e.name, ...collapseParents(ev, e.name, isFact, referencedByFacts)]) covered.add(c);
  }
  const dimName = new Map(dimEntities.map((e) => [e.name, names.claim(sanitizeName(singular(e.name)))]));
  const dimensions = dimEntities.map((e) => buildDimension(ev, e, dimName.get(e.name) as string, isFact, referencedByFacts, classes.get(e.name) as Classification));
  const facts = factEntities.map((f) => buildFact(ev, f, factName.get(f.name) as string, classes.get(f.name) as Classification, dimName, isFact));
  if (hasDates) dimensions.push(dateDimension());
  return layoutStar({
    version: 1,
    kind: 'star',
    name: opts.name ?? erd.name,
    ...(opts.erdPath ? { erd: opts.erdPath } : {}),
    facts,
    dimensions,
    layout: { positions: {} },
  });
}

function buildFact(
  ev: ModelEvidence,
  e: Entity,
  name: string,
  cls: Classification,
  dimName: Map<string, string>,
  isFact: (n: string) => boolean,
): Fact {
  const refs: DimensionRef[] = [];
  const degenerate: string[] = [];
  const out = ev.outgoing(e.name);
  const perDim = new Map<string, number>();
  for (const r of out) if (dimName.has(r.to.entity)) perDim.set(r.to.entity, (perDim.get(r.to.entity) ?? 0) + 1);
  for (const r of out) {
    const dim = dimName.get(r.to.entity);
    if (!dim) continue;
    // The same dimension reached twice plays roles named after the referencing columns (ship_to, bill_to).
    const role = (perDim.get(r.to.entity) ?? 0) > 1 ? sanitizeName(stripKeySuffix(r.from.columns.join('_'))) : dim;
    refs.push({ dimension: dim, role, columns: [...r.from.columns] });
  }
  // A reference to another fact (line -> order header) keeps the header's key on the fact as a degenerate dimension.
  const dimCols = new Set(refs.flatMap((r) => r.columns));
  for (const r of out) {
    if (!isFact(r.to.entity)) continue;
    degenerate.push(...r.from.columns.filter((c) => !degenerate.includes(c) && !dimCols.has(c)));
  }
  for (const d of cls.dates) refs.push({ dimension: 'date', role: cls.dates.length > 1 ? sanitizeName(d) : 'date', columns: [d] });
  const used = new Set([...refs.flatMap((r) => r.columns), ...cls.measures, ...degenerate]);
  const keys = ev.keyColumns(e);
  const left: string[] = [];
  for (const c of e.columns) {
    if (used.has(c.name)) continue;
    if (isIdentifierOnFact(ev, e, c.name, keys)) degenerate.push(c.name);
    else left.push(c.name);
  }
  const fks = ev.fkColumns(e.name);
  const grain = e.primaryKey.length ? [...e.primaryKey] : [...new Set([...fks, ...cls.dates])];
  const grainDescription = e.primaryKey.length
    ? `One row per ${e.name} row, identified by ${grain.join(', ')}.`
    : `One row per combination of ${grain.join(', ') || 'all columns'} (no primary key).`;
  return {
    name,
    entity: e.name,
    grain,
    grainDescription,
    measures: cls.measures.map((m) => ({ name: m, column: m, ...measureKind(ev, e, m) })),
    dimensions: refs,
    degenerate,
    reason:
      `Fact (score ${cls.score} >= ${FACT_SCORE_THRESHOLD}): ${cls.evidence.join('; ')}.` +
      (left.length ? ` Not placed: ${left.join(', ')} (low-cardinality descriptors; consider a junk dimension).` : ''),
  };
}

/** Values longer than a UUID are text (comments, descriptions), not identifiers. */
const MAX_IDENTIFIER_LENGTH = 36;

/** Degenerate dimension: a key column of the fact, or short codes whose values are nearly unique per row (order numbers). */
function isIdentifierOnFact(ev: ModelEvidence, e: Entity, column: string, keys: Set<string>): boolean {
  if (keys.has(column)) return true;
  const type = e.columns.find((c) => c.name === column)?.type ?? '';
  if (isFractionalType(type) || isDateType(type) || type === 'Bool') return false;
  const p = ev.column(e, column)?.profile;
  if (!p) return looksLikeIdentifier(column);
  const filled = p.rows - p.empty;
  return filled > 0 && p.distinct / filled >= 0.5 && p.maxLength <= MAX_IDENTIFIER_LENGTH;
}

/** Address-like attributes (by name, or holding emails/phones) change over time for the same member: their history is worth keeping (SCD type 2). */
const CHANGING = /(address|street|city|zip|postal|postcode|state|province|region|country|phone|email|segment|title|department|job|manager|marital|status|tier)/;

function buildDimension(
  ev: ModelEvidence,
  e: Entity,
  name: string,
  isFact: (n: string) => boolean,
  referencedByFacts: Set<string>,
  classification: Classification,
): Dimension {
  const collapsed = collapseParents(ev, e.name, isFact, referencedByFacts);
  // References into the snowflake stay as attributes (they carry the parent's key); the parents' own keys are then redundant.
  const attrNames = new NameAllocator([...e.primaryKey]);
  const attributes: Dimension['attributes'] = [];
  for (const c of e.columns) {
    if (e.primaryKey.includes(c.name)) continue;
    attributes.push({ name: attrNames.claim(c.name), column: c.name, type: c.type });
  }
  for (const p of collapsed) {
    const pe = ev.entity(p) as Entity;
    for (const c of pe.columns) {
      if (pe.primaryKey.includes(c.name)) continue;
      const wanted = attrNames.has(c.name) ? `${sanitizeName(singular(p))}_${c.name}` : c.name;
      attributes.push({ name: attrNames.claim(wanted), column: c.name, type: c.type, entity: p });
    }
  }
  const contact = (a: Dimension['attributes'][number]) => {
    const owner = ev.entity(a.entity ?? e.name);
    const p = owner ? ev.column(owner, a.column)?.profile.patterns : undefined;
    return (p?.email ?? 0) >= 0.5 || (p?.phone ?? 0) >= 0.5;
  };
  // References and codes identify; they are not descriptions that change (n_regionkey is no region name).
  const isReference = (a: Dimension['attributes'][number]) => looksLikeIdentifier(a.column) || ev.fkColumns(a.entity ?? e.name).has(a.column);
  const changing = attributes.filter((a) => !isReference(a) && (CHANGING.test(sanitizeName(a.name)) || contact(a)));
  const naturalKey = e.primaryKey.length ? [...e.primaryKey] : [...new Set(ev.incoming(e.name).flatMap((r) => r.to.columns))];
  const why = [
    referencedByFacts.has(e.name) ? `referenced by fact ${[...new Set(ev.incoming(e.name).filter((r) => isFact(r.from.entity)).map((r) => r.from.entity))].join(', ')}` : 'not referenced by any fact',
    `classification: ${classification.evidence.join('; ') || 'no fact evidence'}`,
    collapsed.length ? `snowflaked ${collapsed.join(', ')} collapsed into it` : '',
    changing.length ? `SCD 2: ${changing.map((a) => a.name).join(', ')} change over time` : 'SCD 1: no changing attributes found',
  ].filter(Boolean);
  return {
    name,
    entity: e.name,
    naturalKey,
    // A source column already called `<dim>_key` keeps its name; the surrogate key steps aside.
    surrogateKey: attrNames.claim(`${name}_key`),
    attributes,
    scdType: changing.length ? 2 : 1,
    ...(changing.length ? { tracked: changing.map((a) => a.name) } : {}),
    collapsed,
    hierarchies: [],
    reason: `Dimension: ${why.join('; ')}.`,
  };
}

/** Many-to-one parents reached from `start` that no fact references directly (product -> category -> department). */
function collapseParents(ev: ModelEvidence, start: string, isFact: (n: string) => boolean, referencedByFacts: Set<string>): string[] {
  const out: string[] = [];
  const queue = [start];
  const seen = new Set([start]);
  while (queue.length) {
    const cur = queue.shift() as string;
    for (const r of ev.outgoing(cur)) {
      const p = r.to.entity;
      if (seen.has(p) || isFact(p) || referencedByFacts.has(p)) continue;
      seen.add(p);
      out.push(p);
      queue.push(p);
    }
  }
  return out;
}

/** The generated calendar: one row per day, keyed by the date. */
export function dateDimension(): Dimension {
  const a = (name: string, type: string) => ({ name, column: name, type });
  return {
    name: 'date',
    generated: 'date',
    naturalKey: ['date'],
    surrogateKey: 'date_key',
    attributes: [
      a('day_of_month', 'UInt8'),
      a('day_of_week', 'UInt8'),
      a('day_name', 'LowCardinality(String)'),
      a('week', 'UInt8'),
      a('month', 'UInt8'),
      a('month_name', 'LowCardinality(String)'),
      a('year_month', 'LowCardinality(String)'),
      a('quarter', 'UInt8'),
      a('year_quarter', 'LowCardinality(String)'),
      a('year', 'UInt16'),
      a('is_weekend', 'Bool'),
    ],
    scdType: 1,
    collapsed: [],
    hierarchies: [],
    reason: 'Dimension: generated calendar for the facts\' date columns (role-playing where a fact has several).',
  };
}

/**
 * Keep the user's edits when the star is proposed again: names of facts and dimensions (matched by
 * their ERD entity), SCD choices, tracked attributes, hierarchies, measure aggregations, roles, positions.
 */
export function mergeStar(previous: StarModel, proposed: StarModel): StarModel {
  const oldDim = (d: Dimension) => previous.dimensions.find((p) => (d.generated ? p.generated === d.generated : p.entity === d.entity));
  const taken = new Set<string>();
  const dimName = new Map<string, string>();
  const dimensions = proposed.dimensions.map((d) => {
    const old = oldDim(d);
    if (!old) return d;
    const name = !taken.has(old.name) && !proposed.facts.some((f) => f.name === old.name) ? old.name : d.name;
    taken.add(name);
    dimName.set(d.name, name);
    const merged: Dimension = { ...d, name, scdType: old.scdType, hierarchies: old.hierarchies.length ? old.hierarchies : d.hierarchies };
    if (old.scdType === 2) merged.tracked = (old.tracked ?? d.tracked)?.filter((t) => d.attributes.some((a) => a.name === t));
    else delete merged.tracked;
    return merged;
  });
  const facts = proposed.facts.map((f) => {
    const old = previous.facts.find((p) => p.entity === f.entity);
    const dims = f.dimensions.map((r) => ({ ...r, dimension: dimName.get(r.dimension) ?? r.dimension }));
    if (!old) return { ...f, dimensions: dims };
    const name = !taken.has(old.name) ? old.name : f.name;
    taken.add(name);
    const measures = f.measures.map((m) => {
      const om = old.measures.find((x) => x.column === m.column);
      return om ? { ...m, name: om.name, aggregation: om.aggregation, additivity: om.additivity } : m;
    });
    const roles = dims.map((r) => old.dimensions.find((x) => x.dimension === r.dimension && x.columns.join() === r.columns.join())?.role ?? r.role);
    return { ...f, name, measures, dimensions: dims.map((r, i) => ({ ...r, role: roles[i] })) };
  });
  const positions: StarModel['layout']['positions'] = {};
  const boxes = new Set([...facts.map((f) => f.name), ...dimensions.map((d) => d.name)]);
  for (const [k, p] of Object.entries(previous.layout.positions)) if (boxes.has(k)) positions[k] = p;
  return layoutStar({ ...proposed, facts, dimensions, layout: { positions } });
}
