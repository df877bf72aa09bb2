/**
 * Star schema proposal (gold) from the ERD and the catalog: facts and
 * dimensions classified from evidence, each with the reason; grain, measures,
 * dimension references, degenerate dimensions; snowflaked parents collapsed
 * into their dimension; a generated date dimension, role-playing where a fact
 * has several dates; transaction headers (and header chains) folded into their
 * line fact, with a header-grain fact for a header's own measures. Pure.
 * Bridge tables (many-to-many) and allocating header measures to lines are out
 * of scope.
 */
import type { Catalog } from '../discover/catalog-types';
import type { Additivity, Aggregation, Dimension, DimensionRef, Entity, ErdModel, ErdRelationship, Fact, HeaderJoin, StarModel } from './model-types';
import { ModelEvidence, isDateType, isFractionalType, isNumericType, looksLikeIdentifier } from './evidence';
import { NameAllocator, sanitizeName, singular, stripKeySuffix, tokens } from './names';
import { layoutStar } from './layout';
import { hasRoles, isCalendarYear, isNumericFlag, isPeriodColumn, isVerifiedGrain, roleOf, verifiedKeys } from './star-evidence';

// Designing again over an existing file lives with the other merges; callers know it by this module too.
export { mergeStar, type StarSources } from './star-merge';

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
 * entity it references (+1), event dates (+1), measurements per period (a key that includes a date or
 * year, with measures: +1.5), columns that are mostly measures (+1). Dimension evidence: each entity
 * referencing it as a lookup (-1.5; not its own lines, nor a table sharing its key), columns holding
 * emails or phone numbers (-2). Two independent kinds of fact evidence net of dimension evidence
 * (score >= 3) make a fact.
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
  const period = e.primaryKey.filter((c) => isPeriodColumn(ev, e, c));
  if (measures.length && period.length) add(1.5, `measurements per period: its key ${e.primaryKey.join(', ')} includes the period ${period.join(', ')}`);
  const describing = e.columns.filter((c) => !e.primaryKey.includes(c.name) && !ev.fkColumns(e.name).has(c.name) && !dates.includes(c.name));
  if (measures.length >= 2 && measures.length * 2 >= describing.length) add(1, `mostly measures (${measures.length} of ${describing.length} non-key columns)`);
  referrerEvidence(ev, e, add, (text) => evidence.push(text));
  const contact = e.columns.filter((c) => {
    const p = ev.column(e, c.name)?.profile.patterns;
    return (p?.email ?? 0) >= 0.5 || (p?.phone ?? 0) >= 0.5;
  });
  if (contact.length) add(-2, `describes people or organisations (emails/phones in ${contact.map((c) => c.name).join(', ')})`);
  return { entity: e.name, role: score >= FACT_SCORE_THRESHOLD ? 'fact' : 'dimension', score, evidence, measures, dates };
}

/**
 * Entities referencing `e`: a lookup reference is dimension evidence; its own lines (see `isLineOf`)
 * and a table holding the same members under the same key (one-to-one, a shared key) are not.
 */
function referrerEvidence(ev: ModelEvidence, e: Entity, add: (w: number, text: string) => void, note: (text: string) => void): void {
  const incoming = ev.incoming(e.name);
  const sameMembers = (r: ErdRelationship) => r.cardinality === 'one-to-one' || ev.catalogRelationship(r)?.kind === 'shared-key';
  const lookups = [...new Set(incoming.filter((r) => !sameMembers(r) && !isLineOf(ev, r)).map((r) => r.from.entity))];
  const lines = [...new Set(incoming.filter((r) => !sameMembers(r) && isLineOf(ev, r)).map((r) => r.from.entity))].filter((x) => !lookups.includes(x));
  if (lookups.length) add(-1.5 * lookups.length, `referenced by ${lookups.join(', ')}`);
  if (lines.length) note(`referenced by its lines ${lines.join(', ')} through part of their key (a header, not a lookup)`);
}

/**
 * `r` goes from lines to their header: its columns are part of a verified key of the referencing
 * entity and the rest of that key numbers the lines (order_id, line_number) or is itself a reference
 * (order_id, product_id); and the header is an event (see `isEvent`): an order, not a product or a state.
 */
export function isLineOf(ev: ModelEvidence, r: ErdRelationship, seen: Set<string> = new Set()): boolean {
  const child = ev.entity(r.from.entity);
  const header = ev.entity(r.to.entity);
  if (!child || !header || r.cardinality !== 'many-to-one') return false;
  const keyed = verifiedKeys(ev, child).some((k) => r.from.columns.every((c) => k.includes(c)) && k.some((c) => !r.from.columns.includes(c)));
  return (keyed || refersToWeakKey(ev, r, header)) && isEvent(ev, header, new Set([...seen, child.name]));
}

/**
 * The reference names the whole key of a weak entity, one whose key holds a reference of its own (order
 * lines keyed by order_id, line_number): rows under such rows (deliveries of a line) are lines of it,
 * whichever key of their own discovery verified.
 */
function refersToWeakKey(ev: ModelEvidence, r: ErdRelationship, header: Entity): boolean {
  const fks = ev.fkColumns(header.name);
  const whole = header.primaryKey.length > 1 && header.primaryKey.every((k) => r.to.columns.includes(k)) && r.to.columns.length === header.primaryKey.length;
  return whole && header.primaryKey.some((k) => fks.has(k));
}

/** An event has dates of its own, or is itself the lines of an event (order lines under a dated order). */
function isEvent(ev: ModelEvidence, e: Entity, seen: Set<string>): boolean {
  if (dateColumns(ev, e).length > 0) return true;
  if (seen.has(e.name)) return false;
  return ev.outgoing(e.name).some((r) => isLineOf(ev, r, seen));
}

/**
 * Classify every entity, then give a transaction header its due: an entity a fact references
 * through an identifying relationship (the reference is part of the fact's key and the rest of the
 * key numbers the lines, as order lines to orders) is the header of that fact (+1). A fact that
 * another fact references as a lookup, and whose members have an identity of their own (a key with no
 * reference in it, and not made of periods only), is that fact's dimension (a product with stock levels).
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
  demoteLookedUpFacts(ev, classes, new Set(facts.map((f) => f.name)));
  // A dimension's members are told apart by a key. With no primary key and no reference into it there is
  // none (a log with repeated rows, a header-only file): its rows stay rows, a fact at the grain of every row.
  for (const e of ev.erd.entities) {
    const c = classes.get(e.name);
    if (!c || c.role === 'fact' || e.primaryKey.length > 0 || ev.incoming(e.name).length > 0) continue;
    c.role = 'fact';
    c.evidence.push('no primary key and nothing references it, so no dimension members to key: a fact at the grain of every row');
  }
  return classes;
}

function demoteLookedUpFacts(ev: ModelEvidence, classes: Map<string, Classification>, facts: Set<string>): void {
  for (const e of ev.erd.entities) {
    const c = classes.get(e.name);
    if (c?.role !== 'fact') continue;
    const fks = ev.fkColumns(e.name);
    // A strong entity: its key holds no reference. A key that includes one (order lines: order_id, line_number)
    // identifies rows under another entity's, as lines do, and such rows are events, not lookup members.
    const ownIdentity = e.primaryKey.some((k) => !fks.has(k) && !isPeriodColumn(ev, e, k)) && !e.primaryKey.some((k) => fks.has(k));
    const by = [...new Set(ev.incoming(e.name).filter((r) => facts.has(r.from.entity) && r.cardinality === 'many-to-one' && !isLineOf(ev, r)).map((r) => r.from.entity))];
    if (!ownIdentity || !by.length) continue;
    c.role = 'dimension';
    c.evidence.push(`the fact ${by.join(', ')} references it as a lookup and its members have a key of their own (${e.primaryKey.join(', ')}): a dimension of that fact, its numbers descriptive attributes`);
  }
}

/**
 * A transaction header folded into a fact: the fact's rows (of `line`) join `header` through `via`.
 * Along a chain (deliveries -> order lines -> orders) the identifying keys carry through, so every
 * level joins the fact's own columns in one hop.
 */
export interface HeaderFold {
  header: Entity;
  /** The fact's entity. */
  line: Entity;
  /** The identifying relationship into the header: from the line, or from the previous header of the chain. */
  rel: ErdRelationship;
  /** Join from the line's columns to the header's key. */
  via: HeaderJoin;
  /** 1: the line's own header; 2: that header's header; ... */
  level: number;
}

/**
 * Identifying references of `child`, from evidence, not names: many-to-one from its lines to a header
 * (see `isLineOf`: order lines -> orders), to an entity that carries references and/or dates.
 */
function identifyingReferences(ev: ModelEvidence, child: Entity): ErdRelationship[] {
  return ev.outgoing(child.name).filter((r) => {
    const header = ev.entity(r.to.entity);
    if (!header || !isLineOf(ev, r)) return false;
    return ev.outgoing(header.name).length > 0 || dateColumns(ev, header).length > 0;
  });
}

/**
 * The headers of `line`, nearest first: its identifying parent, that one's parent, and so on. A
 * header is referenced by nothing but its child, or by the entities under it through their own key
 * (deliveries -> orders on order_id: the key carried down). A level is taken only while its join
 * columns carry through to the line's own columns (identifying keys), so each level joins in one hop;
 * a parent that cannot be joined so ends the chain and stays a dimension of the last header. `lower`:
 * the entities under `line` when it is itself a header of a longer chain. `shared`: references from
 * the lines of other facts that the header heads too (order lines and payments on one order): each
 * of those facts folds the header, none makes it a dimension.
 */
export function headerChain(ev: ModelEvidence, line: Entity, lower: string[] = [], shared: (x: ErdRelationship) => boolean = () => false): HeaderFold[] {
  const out: HeaderFold[] = [];
  const seen = new Set([line.name, ...lower]);
  let child: Entity | undefined = line;
  let prev: HeaderJoin | undefined;
  // The line and the headers under this one may reference it too, through their key (the key carried down).
  const carriedKey = (x: ErdRelationship) => seen.has(x.from.entity) && x.from.columns.every((c) => ev.entity(x.from.entity)?.primaryKey.includes(c));
  while (child) {
    const below: Entity = child;
    const candidates = identifyingReferences(ev, below)
      .map((r) => ({ r, from: prev ? r.from.columns.map((c) => (prev as HeaderJoin).from[(prev as HeaderJoin).to.indexOf(c)]) : [...r.from.columns] }))
      .filter(({ r, from }) => !seen.has(r.to.entity) && !from.some((c) => c === undefined));
    const headsOnly = (to: string, alsoShared: boolean) => ev.incoming(to).every((x) => x.from.entity === below.name || carriedKey(x) || (alsoShared && shared(x)));
    // The nearest header first: one only this chain reaches; a header other facts share only when none is.
    const step = candidates.find(({ r }) => headsOnly(r.to.entity, false)) ?? candidates.find(({ r }) => headsOnly(r.to.entity, true));
    if (!step) break;
    const header = ev.entity(step.r.to.entity) as Entity;
    prev = { entity: header.name, from: step.from, to: [...step.r.to.columns] };
    out.push({ header, line, rel: step.r, via: prev, level: out.length + 1 });
    seen.add(header.name);
    child = header;
  }
  return out;
}

/**
 * Line facts with their header chains, keyed by the line: a fact with measures whose rows
 * have an identifying parent. The finest grain wins: a line fact that is itself in another line
 * fact's chain (order lines under deliveries) is a header there, not a line of its own. Kimball: the
 * line fact inherits its headers' references and dates; a header with measures of its own also gets
 * a fact at its grain (see `proposeStar`), never its measures on the lines.
 */
export function findHeaders(ev: ModelEvidence, classes: Map<string, Classification>): Map<string, HeaderFold[]> {
  const chains = new Map<string, HeaderFold[]>();
  for (const line of ev.erd.entities) {
    const cls = classes.get(line.name);
    if (cls?.role !== 'fact' || !cls.measures.length) continue;
    const chain = headerChain(ev, line, [], linesOfFacts(ev, classes));
    if (chain.length) chains.set(line.name, chain);
  }
  const inner = new Set([...chains.values()].flatMap((c) => c.map((h) => h.header.name)));
  for (const l of [...chains.keys()]) if (inner.has(l)) chains.delete(l);
  return chains;
}

/** References into a header from the lines of a fact (several facts may share one header). */
function linesOfFacts(ev: ModelEvidence, classes: Map<string, Classification>): (x: ErdRelationship) => boolean {
  return (x) => classes.get(x.from.entity)?.role === 'fact' && isLineOf(ev, x);
}

/**
 * Measures: columns discovery gave the measure role, or (older catalogs without roles) numeric columns
 * that are not identifiers by name or zero-padded codes. Never a primary key or reference column, a
 * calendar year (a date part) or a 0/1 flag, whatever the role says; a column with one value measures nothing.
 */
export function measureColumns(ev: ModelEvidence, e: Entity): string[] {
  const fks = ev.fkColumns(e.name);
  const roles = hasRoles(ev, e);
  // Without roles a verified single-column key is an identifier; with them, the role has already weighed uniqueness.
  const keys = roles ? new Set(e.primaryKey) : ev.keyColumns(e);
  return e.columns
    .filter((c) => isNumericType(c.type) && !keys.has(c.name) && !fks.has(c.name))
    .filter((c) => (roles ? roleOf(ev, e, c.name)?.kind === 'measure' : !looksLikeIdentifier(c.name)))
    .filter((c) => !isCalendarYear(ev, e, c.name) && !isNumericFlag(ev, e, c.name))
    .filter((c) => {
      const p = ev.column(e, c.name)?.profile;
      return !p || ((p.patterns.zeroPadded ?? 0) < 0.5 && p.distinct > 1);
    })
    .map((c) => c.name);
}

function dateColumns(ev: ModelEvidence, e: Entity): string[] {
  const keys = new Set(e.primaryKey);
  const fks = ev.fkColumns(e.name);
  return e.columns.filter((c) => isDateType(c.type) && !keys.has(c.name) && !fks.has(c.name)).map((c) => c.name);
}

/** Dates in a fact's key (the day of a weekly rating, of a reading): the period its rows measure, a date dimension role too. */
function periodDates(ev: ModelEvidence, e: Entity): string[] {
  const fks = ev.fkColumns(e.name);
  return e.primaryKey.filter((c) => !fks.has(c) && isDateType(e.columns.find((x) => x.name === c)?.type ?? ''));
}

/**
 * Default aggregation and additivity of a measure. Values decide first: percentages and fractions in
 * [0, 1] are ratios. Then the name, as one signal: an extreme (temp_max) keeps its own aggregation;
 * balances and levels are semi-additive; amounts and quantities additive; prices, rates, averages not.
 */
export function measureKind(ev: ModelEvidence, e: Entity, column: string): { aggregation: Aggregation; additivity: Additivity } {
  const name = sanitizeName(column);
  const words = tokens(column);
  const col = ev.column(e, column);
  const type = e.columns.find((c) => c.name === column)?.type ?? '';
  const num = col?.profile.numeric;
  const semi = { aggregation: 'sum' as const, additivity: 'semi-additive' as const };
  const non = { aggregation: 'avg' as const, additivity: 'non-additive' as const };
  const add = { aggregation: 'sum' as const, additivity: 'additive' as const };
  if ((col?.profile.patterns.percent ?? 0) >= 0.5) return non;
  if (isFractionalType(type) && num && num.min >= 0 && num.max <= 1) return non;
  if (words.includes('max')) return { aggregation: 'max', additivity: 'non-additive' };
  if (words.includes('min')) return { aggregation: 'min', additivity: 'non-additive' };
  if (/(balance|level|inventory|stock|on_?hand|avail|headcount|snapshot)/.test(name)) return semi;
  if (/(amount|total|extended|revenue|sales|subtotal|sum)/.test(name)) return add;
  if (/(price|rate|ratio|pct|percent|perc|avg|average|mean|score|rating|temperature|unit_)/.test(name)) return non;
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
  const chains = findHeaders(ev, classes);
  // The line fact of each folded header, and the chain entities under it; a header several facts share names the first.
  const lineOf = new Map<string, { line: string; lower: string[] }>();
  for (const [line, chain] of chains) {
    chain.forEach((h, i) => {
      if (!lineOf.has(h.header.name)) lineOf.set(h.header.name, { line, lower: chain.slice(0, i).map((x) => x.header.name) });
    });
  }
  // A folded header is no dimension: its references and dates belong to its line fact. Its own measures
  // make it a fact at its grain too (Kimball's header-grain fact): on the lines they would repeat.
  const isLineFact = (name: string) => classes.get(name)?.role === 'fact' && !lineOf.has(name);
  const headerFacts = new Set([...lineOf.keys()].filter((h) => (classes.get(h)?.measures.length ?? 0) > 0));
  const isFact = (name: string) => isLineFact(name) || headerFacts.has(name);
  const chainOf = (f: Entity): HeaderFold[] => {
    const at = lineOf.get(f.name);
    if (!at) return chains.get(f.name) ?? [];
    // Only the headers its line fact folds too: a level that does not join the line stays its dimension.
    const chain = headerChain(ev, f, [at.line, ...at.lower], linesOfFacts(ev, classes));
    const end = chain.findIndex((h) => lineOf.get(h.header.name)?.line !== at.line);
    return end < 0 ? chain : chain.slice(0, end);
  };
  // Each line fact, then the header-grain facts of its chain (once, after the first line fact of a shared header).
  const factEntities = [
    ...new Set(
      erd.entities.filter((e) => isLineFact(e.name)).flatMap((l) => [l, ...(chains.get(l.name) ?? []).filter((h) => headerFacts.has(h.header.name)).map((h) => h.header)]),
    ),
  ];
  const folds = new Map(factEntities.map((f) => [f.name, chainOf(f)]));
  const reached = (f: Entity) => [f.name, ...(folds.get(f.name) ?? []).map((h) => h.header.name)];
  const referencedByFacts = new Set(factEntities.flatMap((f) => reached(f).flatMap((x) => ev.outgoing(x).map((r) => r.to.entity))));
  for (const h of lineOf.keys()) referencedByFacts.delete(h);
  const names = new NameAllocator();
  const hasDates = factEntities.some((f) => periodDates(ev, f).length > 0 || reached(f).some((x) => dateColumns(ev, ev.entity(x) as Entity).length > 0));
  if (hasDates) names.claim('date');
  const factName = new Map(factEntities.map((f) => [f.name, names.claim(f.name)]));
  // Non-facts referenced by a fact are dimensions; the rest fold into the dimensions that reach them.
  // An entity nothing references and that references nothing stands alone as a dimension.
  const dimEntities = erd.entities.filter(
    (e) => !isFact(e.name) && !lineOf.has(e.name) && (referencedByFacts.has(e.name) || ev.incoming(e.name).every((r) => isFact(r.from.entity))),
  );
  // Non-facts that only reference each other in a loop are reached by no dimension: they stand alone too.
  const covered = new Set([...lineOf.keys(), ...dimEntities.flatMap((e) => [e.name, ...collapseParents(ev, e.name, isFact, referencedByFacts)])]);
  for (const e of erd.entities) {
    if (isFact(e.name) || covered.has(e.name)) continue;
    dimEntities.push(e);
    for (const c of [e.name, ...collapseParents(ev, e.name, isFact, referencedByFacts)]) covered.add(c);
  }
  const dimName = new Map(dimEntities.map((e) => [e.name, names.claim(sanitizeName(singular(e.name)))]));
  const factOf = (entity: string) => {
    const line = lineOf.get(entity)?.line;
    return [line ? `${line} (via header ${entity})` : '', isFact(entity) ? entity : ''].filter(Boolean).join(', ') || undefined;
  };
  const dimensions = dimEntities.map((e) => buildDimension(ev, e, dimName.get(e.name) as string, isFact, referencedByFacts, classes.get(e.name) as Classification, factOf));
  const facts = factEntities.map((f) => {
    const chain = (folds.get(f.name) ?? []).map((fold) => ({ fold, cls: classes.get(fold.header.name) as Classification }));
    const ctx: FactContext = { dimName, isFact, factName: (x) => factName.get(x), headerOf: lineOf.get(f.name) };
    return buildFact(ev, f, factName.get(f.name) as string, classes.get(f.name) as Classification, chain, ctx);
  });
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

interface FactContext {
  dimName: Map<string, string>;
  isFact: (entity: string) => boolean;
  /** Fact name of an entity that is a fact. */
  factName: (entity: string) => string | undefined;
  /** For a header-grain fact: the line fact entity whose header it is, and the headers between them. */
  headerOf?: { line: string; lower: string[] };
}

interface Fold {
  fold: HeaderFold;
  cls: Classification;
}

/** References of the fact's entity, then its headers' (the line inherits its order's customer and store), with their join. */
function factReferences(ev: ModelEvidence, e: Entity, folds: Fold[], dimName: Map<string, string>): DimensionRef[] {
  const out = [...ev.outgoing(e.name).map((r) => ({ r, via: undefined as HeaderJoin | undefined })), ...folds.flatMap(({ fold }) => ev.outgoing(fold.header.name).map((r) => ({ r, via: fold.via })))];
  const perDim = new Map<string, number>();
  for (const { r } of out) if (dimName.has(r.to.entity)) perDim.set(r.to.entity, (perDim.get(r.to.entity) ?? 0) + 1);
  const refs: DimensionRef[] = [];
  const roles = new NameAllocator();
  for (const { r, via } of out) {
    const dim = dimName.get(r.to.entity);
    if (!dim) continue;
    // The same dimension reached twice plays roles named after the referencing columns (ship_to, bill_to).
    const columns = sanitizeName(r.from.columns.join('_'));
    let role = (perDim.get(r.to.entity) ?? 0) > 1 ? sanitizeName(stripKeySuffix(columns)) : dim;
    if (roles.has(role)) {
      // Two levels may name their references alike (a line's and its header's product_id): the header's is prefixed.
      // Two keys of one member (customer_id and customer_key) strip to one name: the columns tell them apart.
      const sameColumns = refs.some((x) => x.role === role && sanitizeName(x.columns.join('_')) === columns);
      role = via && sameColumns ? `${sanitizeName(singular(via.entity))}_${role}` : columns;
    }
    refs.push({ dimension: dim, role: roles.claim(role), columns: [...r.from.columns], ...(via ? { via } : {}) });
  }
  return refs;
}

function buildFact(ev: ModelEvidence, e: Entity, name: string, cls: Classification, folds: Fold[], ctx: FactContext): Fact {
  const refs = factReferences(ev, e, folds, ctx.dimName);
  const degenerate: string[] = [];
  // A reference to another fact or to a folded header (line -> order) keeps the header's key on the fact as a degenerate dimension.
  const dimCols = new Set(refs.filter((r) => !r.via).flatMap((r) => r.columns));
  const headers = new Set(folds.map((f) => f.fold.header.name));
  for (const r of ev.outgoing(e.name)) {
    if (!(ctx.isFact(r.to.entity) || headers.has(r.to.entity))) continue;
    degenerate.push(...r.from.columns.filter((c) => !degenerate.includes(c) && !dimCols.has(c)));
  }
  const headerDates = folds.map(({ fold }) => ({ via: fold.via, dates: dateColumns(ev, fold.header) }));
  const ownDates = [...periodDates(ev, e), ...cls.dates];
  const allDates = ownDates.length + headerDates.reduce((n, h) => n + h.dates.length, 0);
  const roles = new NameAllocator(refs.map((r) => r.role));
  // Role per date column; a header's date named like one already taken (created_at on lines and orders) is prefixed with the header.
  const dateRole = (d: string, via?: HeaderJoin) => {
    const want = allDates > 1 ? sanitizeName(d) : 'date';
    return roles.claim(roles.has(want) && via ? `${sanitizeName(singular(via.entity))}_${want}` : want);
  };
  for (const d of ownDates) refs.push({ dimension: 'date', role: dateRole(d), columns: [d] });
  for (const h of headerDates) for (const d of h.dates) refs.push({ dimension: 'date', role: dateRole(d, h.via), columns: [d], via: h.via });
  const fromHeaders = folds.map((f) => ({ ...f, columns: headerColumns(ev, f.fold.header, f.fold.rel.to.columns, f.cls) }));
  // A header-grain fact keeps the descriptors its lines copy (status, priority), as its own degenerate attributes.
  const descriptors = new Set(ctx.headerOf ? headerColumns(ev, e, e.primaryKey, cls) : []);
  const used = new Set([...refs.filter((r) => !r.via).flatMap((r) => r.columns), ...cls.measures, ...degenerate]);
  const keys = ev.keyColumns(e);
  const left: string[] = [];
  for (const c of e.columns) {
    if (used.has(c.name)) continue;
    // Without a key a row is told apart by its values only: all of them stay on the fact.
    if (e.primaryKey.length === 0 || isIdentifierOnFact(ev, e, c.name, keys) || descriptors.has(c.name)) degenerate.push(c.name);
    else left.push(c.name);
  }
  const { grain, grainDescription } = factGrain(ev, e);
  const headerDegenerate = fromHeaders.filter((h) => h.columns.length).map((h) => ({ via: h.fold.via, columns: h.columns }));
  return {
    name,
    entity: e.name,
    grain,
    grainDescription,
    measures: cls.measures.map((m) => ({ name: m, column: m, ...measureKind(ev, e, m) })),
    dimensions: refs,
    degenerate,
    ...(headerDegenerate.length ? { headerDegenerate } : {}),
    reason:
      (ctx.headerOf ? headerFactReason(e, ctx.headerOf, cls) : factReason(cls)) +
      fromHeaders.map((h) => ` ${headerReason(ev, h.fold, h.cls, h.columns, ctx.factName(h.fold.header.name))}`).join('') +
      notPlaced(ev, e, left),
  };
}

/**
 * The grain is the entity's key only when discovery verified it unique (or the user chose it): a grain
 * that is not unique would double count. Otherwise every row is its own fact row, and the description says why.
 */
function factGrain(ev: ModelEvidence, e: Entity): { grain: string[]; grainDescription: string } {
  if (isVerifiedGrain(ev, e)) return { grain: [...e.primaryKey], grainDescription: `One row per ${e.name} row, identified by ${e.primaryKey.join(', ')} (a verified key).` };
  const why = e.primaryKey.length ? `its key ${e.primaryKey.join(', ')} is not a key discovery verified unique` : 'no primary key';
  return { grain: [], grainDescription: `One row per ${e.name} row: ${why}, so every row is a fact row (set a verified key in the catalog to declare a grain).` };
}

/** Columns left off the fact, told apart: few repeating values suit a junk dimension, the rest is text. */
function notPlaced(ev: ModelEvidence, e: Entity, left: string[]): string {
  const lowCardinality = (c: string) => {
    const type = e.columns.find((x) => x.name === c)?.type ?? '';
    const p = ev.column(e, c)?.profile;
    return type === 'Bool' || type.startsWith('LowCardinality') || (!!p && p.distinct * 5 <= Math.max(1, p.rows - p.empty));
  };
  const low = left.filter(lowCardinality);
  const text = left.filter((c) => !low.includes(c));
  return (
    (low.length ? ` Not placed: ${low.join(', ')} (low-cardinality descriptors; consider a junk dimension).` : '') +
    (text.length ? ` Not placed: ${text.join(', ')} (descriptive text, neither a measure nor an identifier; add it as a degenerate attribute if needed).` : '')
  );
}

function factReason(cls: Classification): string {
  const score = cls.score >= FACT_SCORE_THRESHOLD ? `score ${cls.score} >= ${FACT_SCORE_THRESHOLD}` : `score ${cls.score}, below ${FACT_SCORE_THRESHOLD}`;
  return `Fact (${score}): ${cls.evidence.join('; ') || 'no evidence either way'}.`;
}

/**
 * Header columns copied onto the line fact: identifiers (order_number) and short descriptors (status);
 * not its key (the line holds it), references and dates (they become dimension references), measures
 * (header-level amounts would repeat on every line) or long text (comments).
 */
function headerColumns(ev: ModelEvidence, h: Entity, key: string[], cls: Classification): string[] {
  const skip = new Set([...key, ...ev.fkColumns(h.name), ...cls.measures, ...dateColumns(ev, h)]);
  return h.columns
    .filter((c) => !skip.has(c.name) && !isFractionalType(c.type) && !isDateType(c.type))
    .filter((c) => (ev.column(h, c.name)?.profile.maxLength ?? 0) <= MAX_IDENTIFIER_LENGTH)
    .map((c) => c.name);
}

function headerReason(ev: ModelEvidence, fold: HeaderFold, cls: Classification, columns: string[], headerFact: string | undefined): string {
  const h = fold.header.name;
  const child = fold.rel.from.entity;
  const others = [...new Set(ev.incoming(h).map((x) => x.from.entity).filter((x) => x !== child))];
  const joined = fold.level > 1 ? `; level ${fold.level} of the chain, joined from ${fold.line.name} on ${fold.via.from.join(', ')}, the key carried down` : '';
  const alone = others.length ? `nothing else references ${h} but ${others.join(', ')} through the key carried down` : `nothing else references ${h}`;
  const why = `${child} references ${h} through part of its key (${fold.rel.from.columns.join(', ')}) and ${alone}${joined}`;
  const measures = cls.measures.length
    ? `and its measures ${cls.measures.join(', ')} are not carried (they would repeat on every line): they are in the header-grain fact ${headerFact ?? h}`
    : 'and it is not a separate fact (no measures of its own)';
  return `Header ${h} folded in (${why}): its references and dates are inherited via the join, ${columns.length ? `its columns ${columns.join(', ')} kept as degenerate attributes, ` : ''}${measures}.`;
}

function headerFactReason(e: Entity, at: { line: string; lower: string[] }, cls: Classification): string {
  const which = at.lower.length ? `a level-${at.lower.length + 1} header (over ${at.lower.join(', ')})` : 'the header';
  return (
    `Header-grain fact: ${e.name} is ${which} of the line fact ${at.line} and carries measures of its own (${cls.measures.join(', ')}); ` +
    `on the lines they would be counted once per line, so they stay here at one row per ${e.name}, with its references and dates ` +
    `(classification score ${cls.score}: ${cls.evidence.join('; ')}). A measure that only totals the lines repeats the line fact at this grain; delete it if so.`
  );
}

/** Values longer than a UUID are text (comments, descriptions), not identifiers. */
const MAX_IDENTIFIER_LENGTH = 36;

/** Degenerate dimension: a key column of the fact, or short codes whose values are nearly unique per row (order numbers). */
function isIdentifierOnFact(ev: ModelEvidence, e: Entity, column: string, keys: Set<string>): boolean {
  if (keys.has(column)) return true;
  const type = e.columns.find((c) => c.name === column)?.type ?? '';
  if (isFractionalType(type) || isDateType(type) || type === 'Bool') return false;
  // A reference to nothing in the data (user_id without a users table) is still an identifier: kept, not dropped.
  if (looksLikeIdentifier(column)) return true;
  const p = ev.column(e, column)?.profile;
  if (!p) return false;
  const filled = p.rows - p.empty;
  return filled > 0 && p.distinct / filled >= 0.5 && p.maxLength <= MAX_IDENTIFIER_LENGTH;
}

/**
 * SCD type from observed change, never from names: type 2 needs bronze loads that showed a member's
 * tracked attribute change, and the catalog records no such history. So a dimension starts as type 1
 * (a static lookup stays so); the user chooses type 2 in the editor where history matters.
 */
const SCD_REASON = 'SCD 1: the catalog records no change of a member\'s attributes across bronze loads, so values are overwritten; choose SCD 2 in the editor to keep their history';

function buildDimension(
  ev: ModelEvidence,
  e: Entity,
  name: string,
  isFact: (n: string) => boolean,
  referencedByFacts: Set<string>,
  classification: Classification,
  factOf: (entity: string) => string | undefined = (x) => (isFact(x) ? x : undefined),
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
  const naturalKey = e.primaryKey.length ? [...e.primaryKey] : [...new Set(ev.incoming(e.name).flatMap((r) => r.to.columns))];
  const why = [
    referencedByFacts.has(e.name) ? `referenced by fact ${[...new Set(ev.incoming(e.name).map((r) => factOf(r.from.entity)).filter((x) => x !== undefined))].join(', ')}` : 'not referenced by any fact',
    `classification: ${classification.evidence.join('; ') || 'no fact evidence'}`,
    collapsed.length ? `snowflaked ${collapsed.join(', ')} collapsed into it` : '',
    SCD_REASON,
  ].filter(Boolean);
  return {
    name,
    entity: e.name,
    naturalKey,
    // A source column already called `<dim>_key` keeps its name; the surrogate key steps aside.
    surrogateKey: attrNames.claim(`${name}_key`),
    attributes,
    scdType: 1,
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
