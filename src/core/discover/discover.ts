/**
 * `discover`: every bronze table -> profile (one scan) -> types -> exact pass
 * (one scan) -> quality, keys, dependencies; then relationships across
 * tables; then the catalog file, with the user's decisions re-applied.
 */
import type { CoreContext, ProgressSink } from '../context';
import type { Warehouse } from '../warehouse/warehouse';
import { qualified } from '../warehouse/sql';
import type { Catalog, CatalogColumn, CatalogTable, ColumnProfile, Decisions, InferredType, ParseKind, PatternKind } from './catalog-types';
import { applyDecisions, columnKey, emptyDecisions, overrideExpression, readCatalogIfAny, writeCatalog } from './catalog';
import { readDeclaredConstraints, type DeclaredConstraint } from '../acquire/constraints';
import { mapLimit } from './concurrency';
import { withDeclaredRelationships } from './declared';
import { functionalDependencies } from './dependencies';
import { inferType } from './infer';
import { singleKeys, tableKeys, type KeyColumn } from './keys';
import { isKeyLikeName } from './names';
import { columnNamesByTable, exactRowCount, profileTable, sourceColumns, type RawProfile } from './profile';
import { columnQuality, tableQuality } from './quality';
import { findRelationships } from './relationship-search';
import type { RelColumn, ScoredCandidate } from './relationships';
import { withRoles } from './roles';
import type { ShapeName } from './shapes';
import { exactFacts, type ExactFacts } from './validate';

export interface DiscoverOptions {
  database?: string;
  only?: 'all' | 'quality' | 'relationships';
  signal?: AbortSignal;
  progress?: ProgressSink;
  /** Tables analysed at once (the engine runs their queries concurrently). */
  parallel?: number;
  /** Receives every scored relationship candidate, kept or not (calibration of the confidence model). */
  trace?: (scored: ScoredCandidate[]) => void;
}

/** Two tables at a time keeps both cores of a small machine busy while one query waits on I/O or the other finishes. */
const DEFAULT_PARALLEL = 2;

/** Bronze tables that hold data (internal `_kimball*` tables such as rejects are skipped). */
export async function bronzeTables(wh: Warehouse, database: string): Promise<string[]> {
  const rows = await wh.query<{ name: string }>(
    `SELECT name FROM system.tables WHERE database = {db:String} AND NOT is_temporary AND NOT startsWith(name, '_kimball')
       AND engine NOT IN ('View', 'MaterializedView', 'Dictionary') ORDER BY name`,
    { params: { db: database } },
  );
  return rows.map((r) => r.name);
}

const PATTERN_LABEL: Partial<Record<ShapeName, string>> = { email: 'an email address', url: 'a URL', phone: 'a phone number' };

/** Text columns mostly (>= 50%) in one pattern are judged against it. */
function textPattern(p: RawProfile, t: InferredType): ShapeName | undefined {
  if (!t.type.includes('String')) return undefined;
  const n = p.rows - p.empty - p.shapes.nullToken;
  return (['email', 'url', 'phone'] as ShapeName[]).find((s) => n > 0 && p.shapes[s] / n >= 0.5);
}

function catalogProfile(p: RawProfile, f: ExactFacts, rows: number): ColumnProfile {
  const n = Math.max(1, p.rows - p.empty);
  const rate = (...s: ShapeName[]) => Math.round((s.reduce((a, k) => a + p.shapes[k], 0) / n) * 1000) / 1000;
  const parseRates: Partial<Record<ParseKind, number>> = {
    integer: rate('int', 'intThousands'),
    decimal: rate('int', 'intThousands', 'dec', 'decThousands'),
    float: rate('int', 'intThousands', 'dec', 'decThousands', 'exp'),
    boolean: rate('boolWord', 'boolDigit'),
    date: rate('dateIso', 'dateYmdSlash', 'dateSlash', 'dateDash', 'dateDot', 'dateText'),
    datetime: rate('datetimeIso', 'datetimeSlash'),
    uuid: rate('uuid'),
  };
  const patterns: Partial<Record<PatternKind, number>> = {
    email: rate('email'),
    url: rate('url'),
    phone: rate('phone'),
    currency: rate('currency'),
    percent: rate('percent'),
    zeroPadded: rate('zeroPadded'),
  };
  const exact = f.distinctExact !== undefined;
  return {
    rows,
    empty: f.empty,
    distinct: f.distinctExact ?? p.distinct,
    distinctExact: exact,
    minLength: p.minLength,
    maxLength: p.maxLength,
    parseRates,
    patterns,
    topValues: p.topValues,
    numeric: p.numeric ? { min: p.numeric.min, max: p.numeric.max, mean: p.numeric.mean, stddev: p.numeric.stddev, quantiles: p.numeric.quantiles } : undefined,
  };
}

function withOverride(table: string, column: string, t: InferredType, d: Decisions): InferredType {
  const o = d.typeOverrides[columnKey(table, column)];
  if (!o) return t;
  return { ...t, type: o.type, expression: o.expression ?? overrideExpression(o.type), notes: [...t.notes, 'type chosen by the user'] };
}

/** Worth an exact uniqueness check: no empties, nearly all values distinct, and no value seen twice. */
function mayBeUnique(p: RawProfile, profiledRows: number): boolean {
  return p.empty === 0 && profiledRows > 0 && p.distinct >= profiledRows * 0.9 && (p.topValues[0]?.count ?? 1) <= 1;
}

/** Widen a Decimal's scale to the longest fraction in the full table (the profile may have been a sample). */
function widenScale(t: InferredType, f: ExactFacts, intDigits: number): InferredType {
  const m = /^Decimal\((\d+),(\d+)\)$/.exec(t.type);
  if (!m || t.notes.includes('type chosen by the user')) return t;
  const scale = Number(m[2]);
  const full = Math.min(f.maxScale, 18);
  if (full <= scale) return t;
  const precision = intDigits + full > 18 ? 38 : Number(m[1]);
  const fn = precision === 18 ? 'toDecimal64OrNull' : 'toDecimal128OrNull';
  const expression = t.expression.replace(/^toDecimal(64|128)OrNull\((.*), \d+\)$/, `${fn}($2, ${full})`);
  return { ...t, type: `Decimal(${precision},${full})`, expression, notes: [...t.notes, `scale widened to ${full}: longer fractions beyond the profiled sample`] };
}

interface Analysed {
  table: CatalogTable;
  keyColumns: KeyColumn[];
  relColumns: RelColumn[];
}

/** Profile, infer, verify and score one table. */
async function analyseTable(
  wh: Warehouse,
  database: string,
  name: string,
  names: string[],
  d: Decisions,
  keysToo: boolean,
  declared: DeclaredConstraint[],
  signal?: AbortSignal,
): Promise<Analysed> {
  const chosenTokens = (column: string): string[] | undefined => d.missingTokens?.[columnKey(name, column)];
  const columns = sourceColumns(names).map((c) => ({ ...c, missingTokens: chosenTokens(c.name) }));
  const hasLineage = names.includes('_kimball_source') && names.includes('_kimball_object');
  const [rows, lineage] = await Promise.all([exactRowCount(wh, database, name, signal), hasLineage ? tableLineage(wh, database, name) : {}]);
  const { profiles, sampled, profiledRows } = await profileTable(wh, database, { table: name, columns }, rows, signal);
  const inferred = profiles.map((p) => withOverride(name, p.name, inferType(p), d));
  const patterns = profiles.map((p, i) => textPattern(p, inferred[i]));
  const facts = await exactFacts(
    wh,
    database,
    name,
    profiles.map((p, i) => ({ name: p.name, inferred: inferred[i], pattern: patterns[i], exactDistinct: mayBeUnique(p, profiledRows), missingTokens: chosenTokens(p.name) })),
    signal,
  );
  profiles.forEach((p, i) => {
    inferred[i] = widenScale(inferred[i], facts.get(p.name) as ExactFacts, p.maxIntDigits);
  });
  const keyColumns: KeyColumn[] = profiles.map((p, i) => {
    const f = facts.get(p.name) as ExactFacts;
    const exact = f.distinctExact;
    return {
      name: p.name,
      position: p.position,
      inferred: inferred[i],
      missing: f.empty + f.nullTokens,
      distinctExact: exact,
      distinct: exact ?? p.distinct,
      maxLength: p.maxLength,
      minLength: p.minLength,
      min: p.numeric?.min,
      max: p.numeric?.max,
      email: p.rows > p.empty ? p.shapes.email / (p.rows - p.empty) : 0,
    };
  });
  const keySet = new Set(singleKeys(rows, keyColumns).map((k) => k.columns[0]));
  const dependencies = keysToo
    ? await functionalDependencies(wh, database, name, rows, keyColumns.map((k) => ({ name: k.name, distinct: k.distinct, isKey: keySet.has(k.name) })), signal)
    : [];
  const keys = await tableKeys(wh, database, name, rows, keyColumns, { search: keysToo, sampled, dependencies, declared, signal });
  const catalogColumns: CatalogColumn[] = profiles.map((p, i) => {
    const f = facts.get(p.name) as ExactFacts;
    const present = rows - f.empty - f.nullTokens;
    const withFacts = exactInferred(inferred[i], f, rows, chosenTokens(p.name) !== undefined);
    const kc = keyColumns[i];
    const expected = keySet.has(p.name) || (isKeyLikeName(p.name) && kc.distinct >= present * 0.9 && p.position === 0);
    const quality = columnQuality({ rows, profile: p, inferred: withFacts, facts: f, uniquenessExpected: expected, distinct: kc.distinct, patternLabel: patterns[i] ? PATTERN_LABEL[patterns[i] as ShapeName] : undefined });
    return { name: p.name, position: p.position, profile: catalogProfile(p, f, rows), inferred: withFacts, missingTokens: f.missingTokens, quality };
  });
  const quality = tableQuality(catalogColumns);
  const table: CatalogTable = {
    name,
    ...lineage,
    rowCount: rows,
    sampled,
    columns: catalogColumns,
    keys,
    dependencies,
    quality: rows === 0 ? null : quality,
    ...(rows === 0 ? { qualityNote: 'The table is empty: there is nothing to score.' } : quality === null ? { qualityNote: 'The table has no source columns.' } : {}),
  };
  // Values compare without clean-up when none is padded (whole table) and none has thousands separators.
  const plain = new Set(profiles.filter((p) => (facts.get(p.name) as ExactFacts).padded === 0 && p.shapes.intThousands === 0).map((p) => p.name));
  return { table, keyColumns, relColumns: relColumns(table, keyColumns, plain) };
}

const round3 = (x: number) => Math.round(x * 1000) / 1000;

/**
 * Nullability and convert rate as counted on the whole table (the profile may have been a sample):
 * every empty value, missing token and value that does not convert is NULL in silver.
 */
function exactInferred(t: InferredType, f: ExactFacts, rows: number, chosen: boolean): InferredType {
  const present = rows - f.empty - f.nullTokens;
  const notes = [...t.notes];
  if (f.nullTokens > 0 || chosen) notes.push(missingNote(f, chosen));
  return {
    ...t,
    nullable: rows === 0 || f.empty + f.nullTokens + f.bad > 0,
    convertRate: present > 0 ? round3(1 - f.bad / present) : t.convertRate,
    notes,
  };
}

function missingNote(f: ExactFacts, chosen: boolean): string {
  const list = f.missingTokens.map((x) => JSON.stringify(x)).join(', ');
  if (chosen) return f.missingTokens.length ? `missing-value tokens chosen by the user: ${list} (${f.nullTokens} value(s))` : 'no missing-value tokens, by the user\'s choice';
  return `${f.nullTokens} value(s) written as ${list} treated as missing (NULL in silver)`;
}

async function tableLineage(wh: Warehouse, database: string, table: string): Promise<{ source?: string; object?: string }> {
  // One row says it: a load fills a bronze table (any() would read the whole column).
  const r = await wh.query<{ s: string; o: string }>(`SELECT _kimball_source AS s, _kimball_object AS o FROM ${qualified(database, table)} LIMIT 1`);
  return { source: r[0]?.s || undefined, object: r[0]?.o || undefined };
}

function relColumns(t: CatalogTable, keyColumns: KeyColumn[], plain = new Set<string>()): RelColumn[] {
  const primary = t.keys.find((k) => k.kind === 'primary');
  const singles = new Set(t.keys.filter((k) => k.columns.length === 1).map((k) => k.columns[0]));
  return t.columns.map((c, i) => ({
    table: t.name,
    name: c.name,
    integerRate: c.profile.parseRates.integer,
    inferred: c.inferred,
    rows: t.rowCount,
    missing: keyColumns[i]?.missing ?? c.profile.empty,
    distinct: c.profile.distinct,
    min: c.profile.numeric?.min,
    max: c.profile.numeric?.max,
    minLength: c.profile.minLength,
    maxLength: c.profile.maxLength,
    isKey: singles.has(c.name),
    isPrimary: primary?.columns.length === 1 && primary.columns[0] === c.name,
    missingTokens: c.missingTokens,
    sampled: t.sampled && !c.profile.distinctExact,
    plain: plain.has(c.name),
    width: t.columns.length,
  }));
}

/** Key columns of a table already in the catalog (for a relationships-only run). */
function keyColumnsOf(t: CatalogTable): KeyColumn[] {
  return t.columns.map((c) => ({
    name: c.name,
    position: c.position,
    inferred: c.inferred,
    missing: c.profile.empty,
    distinctExact: c.profile.distinctExact ? c.profile.distinct : undefined,
    distinct: c.profile.distinct,
    maxLength: c.profile.maxLength,
    minLength: c.profile.minLength,
    min: c.profile.numeric?.min,
    max: c.profile.numeric?.max,
    email: c.profile.patterns.email,
  }));
}

export async function discover(ctx: CoreContext, opts: DiscoverOptions = {}): Promise<Catalog> {
  const wh = ctx.warehouse;
  const database = opts.database ?? wh.databases.bronze;
  const only = opts.only ?? 'all';
  const progress = opts.progress ?? { report() {} };
  const previous = readCatalogIfAny(ctx.paths, database);
  const decisions = previous?.decisions ?? emptyDecisions();
  const names = await bronzeTables(wh, database);
  const columnNames = await columnNamesByTable(wh, database);
  // Constraints are recorded in bronze names: another database has none.
  const declared = database === wh.databases.bronze ? await readDeclaredConstraints(wh) : [];
  const step = names.length > 0 ? 80 / names.length : 80;
  const analyseOne = async (name: string): Promise<Analysed> => {
    opts.signal?.throwIfAborted();
    const old = previous?.tables.find((t) => t.name === name);
    if (only === 'relationships' && old) {
      const kc = keyColumnsOf(old);
      return { table: old, keyColumns: kc, relColumns: relColumns(old, kc) };
    }
    const a = await analyseTable(wh, database, name, columnNames.get(name) ?? [], decisions, only !== 'quality' || !old, declared, opts.signal);
    if (only === 'quality' && old) a.table = { ...a.table, keys: old.keys, dependencies: old.dependencies };
    progress.report({ message: `profiled ${name}`, increment: step });
    ctx.log.debug(`discover: ${name}: ${a.table.rowCount} rows, ${a.table.columns.length} columns`);
    return a;
  };
  const analysed = await mapLimit(names, opts.parallel ?? DEFAULT_PARALLEL, analyseOne);
  progress.report({ message: 'relationships' });
  let relationships = previous?.relationships ?? [];
  if (only !== 'quality' || !previous) {
    const all = analysed.flatMap((a) => a.relColumns);
    const tables = analysed.map((a) => a.table);
    const found = await findRelationships(wh, database, tables, all, { signal: opts.signal, trace: opts.trace, parallel: opts.parallel ?? DEFAULT_PARALLEL });
    relationships = await withDeclaredRelationships(wh, database, declared, all, found, opts.signal);
  }
  const catalog: Catalog = {
    version: 1,
    database,
    generatedAt: new Date().toISOString(),
    tables: analysed.map((a) => a.table),
    relationships,
    decisions,
  };
  // Roles read the user's decisions too (a rejected link, a chosen primary key).
  const decided = applyDecisions(catalog, previous);
  const final = { ...decided, tables: withRoles(decided.tables, decided.relationships) };
  opts.signal?.throwIfAborted();
  writeCatalog(ctx.paths, final);
  progress.report({ message: 'done', increment: 20 });
  return final;
}
