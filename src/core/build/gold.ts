/**
 * Gold: dimensions with surrogate keys and an unknown member (key 0), SCD1
 * (rebuilt from silver every run) or SCD2 (new version only when a hash of the
 * tracked attributes changes), the generated date dimension, facts at their
 * grain with surrogate-key lookups, and a wide view per fact.
 *
 * Surrogate keys are hashes of the natural key (SCD2: plus valid_from), so an
 * incremental run and a full rebuild give the same keys.
 */
import type { Dimension, DimensionRef, Entity, Fact, HeaderJoin } from '../model/model-types';
import { quoteIdent } from '../warehouse/sql';
import { baseType, columnDef, isStringType, joinStatements, nullableType, orderByList } from './ddl';
import { BuildContext, BuildError, header, LOAD_ID, LOADED_AT, sqlFile, VERSION, type StepOut } from './plan';
import { silverFrom, silverHasKey, silverStepId } from './silver';
import { deleteTombstoned } from './tombstones';

export const goldStepId = (table: string): string => `gold.${table}`;
export const wideName = (fact: Fact): string => `${fact.name}_wide`;

const MIN_TIME = "toDateTime64('1900-01-01 00:00:00', 3)";
const MAX_TIME = "toDateTime64('2299-12-31 00:00:00', 3)";
const UNKNOWN = "'Unknown'";
const q = quoteIdent;

// ---------------------------------------------------------------- dimension source

interface DimSource {
  /** SELECT with columns __k<i> (natural key), __a<i> (attributes), __lid, __chg (latest change). */
  sql: string;
  entities: Entity[];
  keyTypes: string[];
}

/**
 * The members of a dimension from silver: its entity joined, along many-to-one
 * ERD relationships, to every entity an attribute comes from (snowflake collapsed).
 */
function dimSource(b: BuildContext, d: Dimension): DimSource {
  const where = `Dimension ${d.name}`;
  const root = b.entity(d.entity as string, where);
  if (d.naturalKey.length === 0) throw new BuildError(`${where}: it has no natural key`);
  const aliases = new Map<string, string>([[root.name, 't0']]);
  const joins: string[] = [];
  const used: Entity[] = [root];
  for (const a of d.attributes) {
    const target = a.entity ?? root.name;
    if (aliases.has(target)) continue;
    for (const hop of joinPath(b, root.name, target, where)) {
      if (aliases.has(hop.to)) continue;
      const e = b.entity(hop.to, where);
      const alias = `t${aliases.size}`;
      const fromAlias = aliases.get(hop.from) as string;
      const on = hop.fromColumns.map((c, i) => `${fromAlias}.${q(c)} = ${alias}.${q(hop.toColumns[i])}`).join(' AND ');
      joins.push(`LEFT JOIN ${silverFrom(b, e, alias)} ON ${on}`);
      aliases.set(hop.to, alias);
      used.push(e);
    }
  }
  const keys = d.naturalKey.map((k, i) => {
    b.column(root, k, `${where} natural key`);
    return `t0.${q(k)} AS ${q(`__k${i}`)}`;
  });
  const attrs = d.attributes.map((a, i) => {
    const e = b.entity(a.entity ?? root.name, where);
    b.column(e, a.column, `${where} attribute ${a.name}`);
    return `${aliases.get(e.name)}.${q(a.column)} AS ${q(`__a${i}`)}`;
  });
  const loaded = [...aliases.values()].map((al) => `${al}.${q(LOADED_AT)}`);
  const loadTime = loaded.length > 1 ? `greatest(${loaded.join(', ')})` : loaded[0];
  // When the change took effect: the entity's own column where the star names one (SCD2), else when it was loaded.
  const changed = d.scdType === 2 && d.effectiveFrom ? `ifNull(toDateTime64(t0.${q(b.column(root, d.effectiveFrom, `${where} effectiveFrom`).name)}, 3), ${loadTime})` : loadTime;
  const sql =
    `SELECT ${[...keys, ...attrs, `t0.${q(LOAD_ID)} AS ${q('__lid')}`, `${changed} AS ${q('__chg')}`].join(', ')}\n` +
    `FROM ${silverFrom(b, root, 't0')}${joins.length ? '\n' + joins.join('\n') : ''}\n` +
    `WHERE ${d.naturalKey.map((k) => `t0.${q(k)} IS NOT NULL`).join(' AND ')}`;
  return { sql, entities: used, keyTypes: d.naturalKey.map((k) => b.column(root, k, where).type) };
}

interface Hop {
  from: string;
  to: string;
  fromColumns: string[];
  toColumns: string[];
}

/** Breadth-first path of many-to-one relationships from one entity to another. */
function joinPath(b: BuildContext, from: string, to: string, where: string): Hop[] {
  const prev = new Map<string, Hop>();
  const queue = [from];
  while (queue.length) {
    const at = queue.shift() as string;
    if (at === to) break;
    for (const r of b.erd.relationships) {
      if (r.from.entity !== at || prev.has(r.to.entity) || r.to.entity === from) continue;
      prev.set(r.to.entity, { from: at, to: r.to.entity, fromColumns: r.from.columns, toColumns: r.to.columns });
      queue.push(r.to.entity);
    }
  }
  if (!prev.has(to)) throw new BuildError(`${where}: no ERD relationship path from ${from} to ${to} for its attributes`);
  const path: Hop[] = [];
  for (let at = to; at !== from; ) {
    const hop = prev.get(at) as Hop;
    path.unshift(hop);
    at = hop.from;
  }
  return path;
}

/**
 * The unknown member's values: 'Unknown' for text, NULL otherwise, typed and
 * named (`__u<i>`) so they line up with the members in a UNION ALL.
 */
function unknownValues(keyTypes: string[], attributeTypes: string[]): string[] {
  const values = [...keyTypes.map((t) => ({ t, text: false })), ...attributeTypes.map((t) => ({ t, text: isStringType(t) }))];
  return values.map((v, i) => `CAST(${v.text ? UNKNOWN : 'NULL'} AS ${nullableType(v.t)}) AS ${q(`__u${i}`)}`);
}

// ---------------------------------------------------------------- SCD1

function dimColumns(b: BuildContext, d: Dimension, root: Entity): string[] {
  const names = [d.surrogateKey, ...d.naturalKey, ...d.attributes.map((a) => a.name), LOAD_ID, LOADED_AT];
  if (d.scdType === 2) names.push('valid_from', 'valid_to', 'is_current', '_kimball_hash', VERSION);
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup) throw new BuildError(`Dimension ${d.name}: column name "${dup}" is used twice (key, natural key, attributes, SCD columns)`);
  return [
    `${q(d.surrogateKey)} UInt64`,
    ...d.naturalKey.map((k) => columnDef(k, b.column(root, k, `Dimension ${d.name}`).type, true)),
    ...d.attributes.map((a) => columnDef(a.name, a.type, true)),
  ];
}

function scd1Step(b: BuildContext, d: Dimension): StepOut {
  const src = dimSource(b, d);
  const root = src.entities[0];
  const names = [d.surrogateKey, ...d.naturalKey, ...d.attributes.map((a) => a.name), LOAD_ID, LOADED_AT];
  const spec = {
    database: b.db.gold,
    table: d.name,
    columns: [...dimColumns(b, d, root), `${q(LOAD_ID)} String`, `${q(LOADED_AT)} DateTime64(3)`],
    engine: 'MergeTree',
    orderBy: q(d.surrogateKey),
    shardKey: q(d.surrogateKey),
  };
  const keyCols = d.naturalKey.map((_, i) => q(`__k${i}`));
  const insert = (target: string): string[] => [
    `INSERT INTO ${target} (${names.map(q).join(', ')})\n` +
      `SELECT 0, ${unknownValues(src.keyTypes, d.attributes.map((a) => a.type)).join(', ')}, '', ${MIN_TIME}\n` +
      `UNION ALL\n` +
      `SELECT cityHash64(${keyCols.join(', ')}), ${[...keyCols, ...d.attributes.map((_, i) => q(`__a${i}`))].join(', ')}, ${q('__lid')}, ${q('__chg')}\n` +
      `FROM (\n${indent(src.sql)}\n)\nORDER BY ${q('__chg')} DESC\nLIMIT 1 BY ${keyCols.join(', ')}${b.ddl.settings()}`,
  ];
  const statements = [...b.ddl.createTable(spec), ...b.stagedRebuild(spec, insert)];
  return {
    step: {
      id: goldStepId(d.name),
      layer: 'gold',
      file: sqlFile('gold', d.name),
      target: { database: b.db.gold, table: d.name },
      dependsOn: src.entities.map((e) => silverStepId(e.name)),
      description: `Dimension ${d.name} (SCD1, rebuilt from silver ${src.entities.map((e) => e.name).join(', ')}), unknown member 0`,
    },
    sql: header(`dimension ${d.name}, SCD type 1`) + joinStatements(statements),
  };
}

// ---------------------------------------------------------------- SCD2

function scd2Step(b: BuildContext, d: Dimension): StepOut {
  const where = `Dimension ${d.name}`;
  const src = dimSource(b, d);
  const root = src.entities[0];
  const tracked = d.tracked ?? d.attributes.map((a) => a.name);
  const isTracked = d.attributes.map((a) => tracked.includes(a.name));
  const trackedIdx = tracked.map((t) => {
    const i = d.attributes.findIndex((a) => a.name === t);
    if (i < 0) throw new BuildError(`${where}: tracked attribute "${t}" is not one of its attributes`);
    return i;
  });
  const id = goldStepId(d.name);
  const work = b.meta(b.batchTable(id));
  const dim = b.gold(d.name);
  const sk = q(d.surrogateKey);
  const nk = d.naturalKey.map(q);
  const k = d.naturalKey.map((_, i) => q(`__k${i}`));
  const a = d.attributes.map((_, i) => q(`__a${i}`));
  const attrs = d.attributes.map((x) => q(x.name));
  const [vf, vt, cur, hash, lid, ver] = ['valid_from', 'valid_to', 'is_current', '_kimball_hash', LOAD_ID, VERSION].map(q);
  const all = [sk, ...nk, ...attrs, vf, vt, cur, hash, lid, ver];
  const spec = {
    database: b.db.gold,
    table: d.name,
    columns: [...dimColumns(b, d, root), `${vf} DateTime64(3)`, `${vt} DateTime64(3)`, `${cur} UInt8`, `${hash} UInt64`, `${lid} String`, `${ver} UInt64`],
    // Every run writes the whole table anew (staging + EXCHANGE), so it never holds two rows of a version;
    // the version still orders the rows of tables written before that.
    engine: `ReplacingMergeTree(${ver})`,
    orderBy: sk,
    shardKey: sk,
  };
  const workSpec = {
    database: b.db.meta,
    table: b.batchTable(id),
    columns: [
      ...d.naturalKey.map((_, i) => columnDef(`__k${i}`, src.keyTypes[i], true)),
      ...d.attributes.map((x, i) => columnDef(`__a${i}`, x.type, true)),
      `${q('__hash')} UInt64`,
      `${q('__lid')} String`,
      `${q('__chg')} DateTime64(3)`,
    ],
    engine: 'MergeTree',
    orderBy: 'tuple()',
  };
  const onKeys = nk.map((c, i) => `d.${c} = s.${k[i]}`).join(' AND ');
  // The table as it was, read once with FINAL: also right for a table written before versions were unique.
  const old = `(SELECT * FROM ${dim} FINAL WHERE ${sk} != 0)`;
  // A current version closes when a tracked attribute changed, or when its member left silver (deleted at
  // the source): then at the latest change silver holds, the same for an incremental run and a rebuild.
  const gone = `s.${q('__m')} = 0`;
  const changedVersion = `(s.${q('__m')} = 1 AND d.${hash} != s.${q('__hash')}) OR ${gone}`;
  const closedAt = `if(${gone}, ifNull((SELECT max(${q('__chg')}) FROM ${work}), d.${vf}), s.${q('__chg')})`;
  const sameVersion = `s.${q('__m')} = 1 AND d.${hash} = s.${q('__hash')}`;
  const insert = (target: string): string[] => [
    // The unknown member.
    `INSERT INTO ${target} (${all.join(', ')})\n` +
      `SELECT 0, ${unknownValues(src.keyTypes, d.attributes.map((x) => x.type)).join(', ')}, ${MIN_TIME}, ${MAX_TIME}, 1, 0, '', 1${b.ddl.settings()}`,
    // Closed versions stay as they are.
    `INSERT INTO ${target} (${all.join(', ')})\nSELECT ${all.join(', ')}\nFROM ${old}\nWHERE ${cur} = 0${b.ddl.settings()}`,
    // Current versions: closed at the change when a tracked attribute changed, else untracked attributes overwritten (type 1 on them).
    `INSERT INTO ${target} (${all.join(', ')})\n` +
      `SELECT ${[sk, ...nk].map((c) => `d.${c}`).join(', ')}, ` +
      `${attrs.map((c, i) => (isTracked[i] ? `d.${c}` : `if(${sameVersion}, s.${a[i]}, d.${c})`)).join(', ')}, ` +
      `d.${vf}, if(${changedVersion}, greatest(${closedAt}, d.${vf}), d.${vt}), if(${changedVersion}, 0, 1), d.${hash}, if(${sameVersion}, s.${q('__lid')}, d.${lid}), d.${ver}\n` +
      `FROM (SELECT * FROM ${old} WHERE ${cur} = 1) AS d\n` +
      `LEFT JOIN (SELECT *, toUInt8(1) AS ${q('__m')} FROM ${work}) AS s ON ${onKeys}${b.ddl.settings()}`,
    // A new version for members that are new or whose tracked attributes changed.
    `INSERT INTO ${target} (${all.join(', ')})\n` +
      `SELECT cityHash64(${k.join(', ')}, ${q('__vf')}), ${[...k, ...a].join(', ')}, ${q('__vf')}, ${MAX_TIME}, 1, ${q('__hash')}, ${q('__lid')}, 1\n` +
      `FROM (\n` +
      `  SELECT ${[...k, ...a, q('__hash'), q('__lid')].map((c) => `s.${c} AS ${c}`).join(', ')},\n` +
      `         if(p.${q('__has')} = 1, greatest(s.${q('__chg')}, p.${q('__pvf')}), ${MIN_TIME}) AS ${q('__vf')}\n` +
      `  FROM ${work} AS s\n` +
      // A change that says it took effect before the version it replaces starts where that version started.
      `  LEFT JOIN (SELECT ${nk.map((c, i) => `${c} AS ${k[i]}`).join(', ')}, 1 AS ${q('__has')}, max(${vf}) AS ${q('__pvf')} FROM ${old} GROUP BY ${nk.join(', ')}) AS p\n` +
      `    ON ${k.map((c) => `s.${c} = p.${c}`).join(' AND ')}\n` +
      `)\n` +
      `WHERE (${[...k, q('__hash')].join(', ')}) NOT IN (SELECT ${[...nk, hash].join(', ')} FROM ${old} WHERE ${cur} = 1)${b.ddl.settings()}`,
  ];
  const statements = [
    ...b.ddl.createTable(spec),
    // Current state of every member in silver, with the hash of its tracked attributes.
    ...b.ddl.dropTable(b.db.meta, workSpec.table),
    ...b.ddl.createTable(workSpec, false),
    `INSERT INTO ${work}\n` +
      `SELECT ${[...k, ...a].join(', ')}, sipHash64(tuple(${trackedIdx.map((i) => a[i]).join(', ')})), ${q('__lid')}, ${q('__chg')}\n` +
      `FROM (\n${indent(src.sql)}\n)\nORDER BY ${q('__chg')} DESC\nLIMIT 1 BY ${k.join(', ')}${b.ddl.settings()}`,
    ...b.stagedRebuild(spec, insert),
    ...b.ddl.dropTable(b.db.meta, workSpec.table),
  ];
  const what = `dimension ${d.name}, SCD type 2`;
  return {
    step: {
      id,
      layer: 'gold',
      file: sqlFile('gold', d.name),
      fullFile: sqlFile('gold', d.name, true),
      history: true,
      target: { database: b.db.gold, table: d.name },
      dependsOn: src.entities.map((e) => silverStepId(e.name)),
      description: `Dimension ${d.name} (SCD2 on ${tracked.join(', ')}, versions valid from ${d.effectiveFrom ? `${root.name}.${d.effectiveFrom}` : 'the load time of a change'}), unknown member 0`,
    },
    sql: header(`${what} (history kept: versions from silver's changes, written anew with one row per version)`) + joinStatements(statements),
    fullSql: header(`${what} (history restarts: the step's SQL changed)`) + joinStatements([...b.ddl.dropTable(b.db.gold, d.name), ...statements]),
  };
}

// ---------------------------------------------------------------- date dimension

/** Calendar columns a generated date dimension can have: column -> expression over the day `__d` (numeric / text form). */
const CALENDAR: Record<string, [number: string, text?: string]> = {
  date: ['__d'],
  year: ['toYear(__d)'],
  quarter: ['toQuarter(__d)'],
  month: ['toMonth(__d)'],
  month_name: ["dateName('month', __d)"],
  day: ['toDayOfMonth(__d)'],
  day_of_month: ['toDayOfMonth(__d)'],
  day_of_week: ['toDayOfWeek(__d)'],
  day_name: ["dateName('weekday', __d)"],
  weekday_name: ["dateName('weekday', __d)"],
  week: ['toISOWeek(__d)'],
  week_of_year: ['toISOWeek(__d)'],
  day_of_year: ['toDayOfYear(__d)'],
  year_month: ['toYYYYMM(__d)', "formatDateTime(__d, '%Y-%m')"],
  year_quarter: ['toYear(__d) * 10 + toQuarter(__d)', "concat(toString(toYear(__d)), '-Q', toString(toQuarter(__d)))"],
  is_weekend: ['toUInt8(toDayOfWeek(__d) >= 6)'],
};

const DEFAULT_CALENDAR: [string, string][] = [
  ['year', 'UInt16'],
  ['quarter', 'UInt8'],
  ['month', 'UInt8'],
  ['month_name', 'String'],
  ['day_of_month', 'UInt8'],
  ['day_of_week', 'UInt8'],
  ['weekday_name', 'String'],
  ['week_of_year', 'UInt8'],
  ['day_of_year', 'UInt16'],
  ['year_month', 'UInt32'],
  ['is_weekend', 'UInt8'],
];

/** The columns of a generated date dimension: its natural key (the day), then its attributes (or a default calendar). */
export function dateColumns(d: Dimension): { name: string; type: string; expr: string }[] {
  const attrs = d.attributes.length ? d.attributes.map((a) => ({ name: a.name, column: a.column, type: a.type })) : DEFAULT_CALENDAR.map(([n, t]) => ({ name: n, column: n, type: t }));
  const day = { name: d.naturalKey[0] ?? 'date', type: 'Date32', expr: '__d' };
  return [
    day,
    ...attrs.map((a) => {
      const forms = CALENDAR[a.column];
      if (!forms) throw new BuildError(`Dimension ${d.name}: attribute ${a.name} reads "${a.column}", not a calendar column (${Object.keys(CALENDAR).join(', ')})`);
      return { name: a.name, type: a.type, expr: isStringType(a.type) && forms[1] ? forms[1] : forms[0] };
    }),
  ];
}

/** Fact columns that reference a date dimension, with their entity. */
function dateUses(b: BuildContext, d: Dimension): { entity: Entity; column: string }[] {
  const out: { entity: Entity; column: string }[] = [];
  for (const f of b.star.facts) {
    for (const r of f.dimensions) {
      if (r.dimension !== d.name) continue;
      if (r.columns.length !== 1) throw new BuildError(`Fact ${f.name}: the date reference ${r.role} needs exactly one column`);
      // A date the line inherits from its header is read from the header's silver table.
      const entity = b.entity(r.via?.entity ?? f.entity, `Fact ${f.name}`);
      b.column(entity, r.columns[0], `Fact ${f.name} reference ${r.role}`);
      out.push({ entity, column: r.columns[0] });
    }
  }
  return out;
}

const dateKeyOf = (expr: string): string => `toUInt32(toYYYYMMDD(toDate32(${expr})))`;

function dateStep(b: BuildContext, d: Dimension): StepOut {
  const uses = dateUses(b, d);
  const cal = dateColumns(d);
  const spec = {
    database: b.db.gold,
    table: d.name,
    columns: [`${q(d.surrogateKey)} UInt32`, ...cal.map((c) => columnDef(c.name, c.type, true))],
    engine: 'MergeTree',
    orderBy: q(d.surrogateKey),
    shardKey: q(d.surrogateKey),
  };
  const dates = uses.length
    ? uses.map((u) => `SELECT toDate32(${q(u.column)}) AS __x FROM ${silverFrom(b, u.entity)} WHERE ${q(u.column)} IS NOT NULL`).join('\n  UNION ALL\n  ')
    : 'SELECT toDate32(NULL) AS __x WHERE 0';
  const insert = (target: string): string[] => [
    `INSERT INTO ${target} (${[d.surrogateKey, ...cal.map((c) => c.name)].map(q).join(', ')})\n` +
      `SELECT 0, ${unknownValues([cal[0].type], cal.slice(1).map((c) => c.type)).join(', ')}\n` +
      `UNION ALL\n` +
      `SELECT toUInt32(toYYYYMMDD(__d)), ${cal.map((c) => c.expr).join(', ')}\n` +
      `FROM (\n` +
      `  SELECT arrayJoin(arrayMap(i -> addDays(__lo, i), range(toUInt32(dateDiff('day', __lo, __hi) + 1)))) AS __d\n` +
      `  FROM (SELECT assumeNotNull(min(__x)) AS __lo, assumeNotNull(max(__x)) AS __hi, count() AS __n FROM (\n  ${dates}\n  ))\n` +
      `  WHERE __n > 0\n)${b.ddl.settings()}`,
  ];
  const statements = [...b.ddl.createTable(spec), ...b.stagedRebuild(spec, insert)];
  return {
    step: {
      id: goldStepId(d.name),
      layer: 'gold',
      file: sqlFile('gold', d.name),
      target: { database: b.db.gold, table: d.name },
      dependsOn: [...new Set(uses.map((u) => silverStepId(u.entity.name)))],
      description: `Date dimension ${d.name} for the range of dates in ${[...new Set(uses.map((u) => u.entity.name))].join(', ') || 'no fact'}`,
    },
    sql: header(`date dimension ${d.name}`) + joinStatements(statements),
  };
}

// ---------------------------------------------------------------- facts

export function dimension(b: BuildContext, name: string, where: string): Dimension {
  const d = b.star.dimensions.find((x) => x.name === name);
  if (!d) throw new BuildError(`${where}: dimension "${name}" is not in the star schema ${b.star.name}`);
  return d;
}

/** The fact's surrogate-key column for a reference: the dimension's key name, or `<role>_key` for a role. */
export function refKey(ref: DimensionRef, d: Dimension): string {
  return !ref.role || ref.role === d.name ? d.surrogateKey : `${ref.role}_key`;
}

/** Dimensions are read as a user reads them: every table holds one row per member (per version for SCD2). */
const dimFrom = (b: BuildContext, d: Dimension, alias?: string): string => `${b.gold(d.name)}${alias ? ` AS ${alias}` : ''}`;

/** A header the fact's rows join to, aliased `h<i>` in the fact's source query. */
export interface FactHeader {
  via: HeaderJoin;
  entity: Entity;
  alias: string;
  /** Header columns the fact reads. */
  columns: string[];
}

export interface FactLayout {
  fact: Fact;
  entity: Entity;
  /** `owner`: the entity holding the reference columns (the fact's, or a header's); `cols`: their names in the joined fact row. */
  keys: { name: string; ref: DimensionRef; dim: Dimension; owner: Entity; cols: string[]; header?: FactHeader }[];
  /** Grain and degenerate columns, kept as they are in silver. */
  plain: string[];
  /** Degenerate columns copied from a header: fact column name, name in the joined row, silver type. */
  headerCols: { name: string; source: string; type: string }[];
  headers: FactHeader[];
  measures: { name: string; column: string | undefined; type: string; nullable: boolean }[];
}

/** Name of a header column in the joined fact row (`__h0__customer_id`): cannot clash with the line's columns. */
const headerColumn = (h: FactHeader, column: string): string => `__${h.alias}__${column}`;

function factHeaders(b: BuildContext, f: Fact, entity: Entity): (via: HeaderJoin) => FactHeader {
  const where = `Fact ${f.name}`;
  const headers: FactHeader[] = [];
  return (via) => {
    const found = headers.find((h) => h.via.entity === via.entity && h.via.from.join('\0') === via.from.join('\0') && h.via.to.join('\0') === via.to.join('\0'));
    if (found) return found;
    const h = b.entity(via.entity, `${where} header`);
    if (via.from.length === 0 || via.from.length !== via.to.length) throw new BuildError(`${where}: the join to header ${via.entity} needs as many from-columns as to-columns`);
    via.from.forEach((c) => b.column(entity, c, `${where} join to header ${via.entity}`));
    via.to.forEach((c) => b.column(h, c, `${where} join to header ${via.entity}`));
    const out: FactHeader = { via, entity: h, alias: `h${headers.length}`, columns: [] };
    headers.push(out);
    return out;
  };
}

export function factLayout(b: BuildContext, f: Fact): FactLayout {
  const where = `Fact ${f.name}`;
  const entity = b.entity(f.entity, where);
  const headerOf = factHeaders(b, f, entity);
  const headers: FactHeader[] = [];
  const use = (via: HeaderJoin, column: string, what: string): { h: FactHeader; source: string } => {
    const h = headerOf(via);
    if (!headers.includes(h)) headers.push(h);
    b.column(h.entity, column, what);
    if (!h.columns.includes(column)) h.columns.push(column);
    return { h, source: headerColumn(h, column) };
  };
  const keys = f.dimensions.map((ref) => {
    const dim = dimension(b, ref.dimension, where);
    if (!dim.generated && ref.columns.length !== dim.naturalKey.length) {
      throw new BuildError(`${where}: reference ${ref.role} has ${ref.columns.length} column(s) but ${dim.name}'s natural key has ${dim.naturalKey.length}`);
    }
    const key = { name: refKey(ref, dim), ref, dim };
    if (!ref.via) {
      for (const c of ref.columns) b.column(entity, c, `${where} reference ${ref.role}`);
      return { ...key, owner: entity, cols: [...ref.columns] };
    }
    const via = ref.via;
    const cols = ref.columns.map((c) => use(via, c, `${where} reference ${ref.role}`));
    return { ...key, owner: cols[0].h.entity, cols: cols.map((c) => c.source), header: cols[0].h };
  });
  const plain = [...new Set([...f.grain, ...f.degenerate])];
  for (const c of plain) b.column(entity, c, `${where} grain/degenerate`);
  const headerCols = (f.headerDegenerate ?? []).flatMap((hd) =>
    hd.columns.map((c) => {
      const { h, source } = use(hd.via, c, `${where} header degenerate`);
      return { name: c, source, type: b.column(h.entity, c, '').type };
    }),
  );
  const measures = f.measures.map((m) => {
    const c = entity.columns.find((x) => x.name === m.column);
    if (!c && m.aggregation !== 'count') throw new BuildError(`${where}: measure ${m.name} reads column "${m.column}", not in entity ${entity.name}`);
    return { name: m.name, column: c?.name, type: c?.type ?? 'UInt8', nullable: c?.nullable ?? false };
  });
  const names = [...keys.map((k) => k.name), ...plain, ...headerCols.map((c) => c.name), ...measures.map((m) => m.name)];
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup) throw new BuildError(`${where}: column name "${dup}" is used twice (keys, grain, degenerate, header columns, measures)`);
  return { fact: f, entity, keys, plain, headerCols, headers, measures };
}

/**
 * The fact's rows with their headers' columns: the line rows of `from` that match `where`, LEFT JOINed
 * to each header's current silver row (an unmatched header gives NULLs, so unknown members).
 */
function factRows(b: BuildContext, L: FactLayout, from: string, where: string, evt: string): string {
  if (L.headers.length === 0) return `(SELECT *${evt} FROM ${from} WHERE ${where})`;
  const cols = L.headers.flatMap((h) => h.columns.map((c) => `${h.alias}.${q(c)} AS ${q(headerColumn(h, c))}`));
  const joins = L.headers.map(
    (h) => `LEFT JOIN ${silverFrom(b, h.entity, h.alias)} ON ${h.via.from.map((c, i) => `l.${q(c)} = ${h.alias}.${q(h.via.to[i])}`).join(' AND ')}`,
  );
  // The line's columns by name: with two headers or more (a chain), `l.*` would come out qualified
  // (`l.order_id`) for the names the headers share.
  const line = [...L.entity.columns.map((c) => c.name), LOAD_ID, LOADED_AT, VERSION].map((c) => `l.${q(c)} AS ${q(c)}`);
  return `(SELECT ${[...line, ...cols].join(', ')}${evt} FROM (SELECT * FROM ${from} WHERE ${where}) AS l\n  ${joins.join('\n  ')})`;
}

type FactKey = FactLayout['keys'][number];

/** The natural keys of the members of an SCD2 dimension with a version in the step's batch of dimension loads. */
function versionedMembers(b: BuildContext, d: Dimension, batchId: string): string {
  return `SELECT ${d.naturalKey.map(q).join(', ')} FROM ${b.gold(d.name)} WHERE ${q(d.surrogateKey)} != 0 AND ${b.inBatch(batchId)}`;
}

/** A condition on the fact's silver rows: the reference `k` (on the line, or on its header) is one of `members`. */
function refersTo(b: BuildContext, k: FactKey, members: string): string {
  const root = b.entity(k.dim.entity as string, `Dimension ${k.dim.name}`);
  const refs = k.ref.columns.map((c, j) => {
    const want = b.column(root, k.dim.naturalKey[j], '').type;
    const have = b.column(k.owner, c, '').type;
    return baseType(want) === baseType(have) ? q(c) : `CAST(${q(c)} AS ${nullableType(want)})`;
  });
  const direct = `(${refs.join(', ')}) IN (${members})`;
  if (!k.header) return direct;
  const via = k.header.via;
  return `(${via.from.map(q).join(', ')}) IN (SELECT ${via.to.map(q).join(', ')} FROM ${silverFrom(b, k.header.entity)} WHERE ${direct})`;
}

function factStep(b: BuildContext, f: Fact): StepOut {
  const L = factLayout(b, f);
  const id = goldStepId(f.name);
  const e = L.entity;
  const grainNullable = f.grain.some((g) => b.column(e, g, '').nullable);
  const keyed = f.grain.length > 0 && silverHasKey(e);
  const spec = {
    database: b.db.gold,
    table: f.name,
    columns: [
      ...L.keys.map((k) => `${q(k.name)} ${k.dim.generated ? 'UInt32' : 'UInt64'}`),
      ...L.plain.map((c) => {
        const col = b.column(e, c, '');
        return columnDef(c, col.type, col.nullable);
      }),
      // A line whose header is missing has no header values.
      ...L.headerCols.map((c) => columnDef(c.name, c.type, true)),
      ...L.measures.map((m) => columnDef(m.name, m.type, m.nullable)),
      `${q(LOAD_ID)} String`,
      `${q(LOADED_AT)} DateTime64(3)`,
      `${q(VERSION)} UInt128`,
    ],
    engine: keyed ? `ReplacingMergeTree(${q(VERSION)})` : 'MergeTree',
    orderBy: keyed ? orderByList(f.grain) : 'tuple()',
    shardKey: keyed ? `cityHash64(${f.grain.map(q).join(', ')})` : undefined,
    settings: keyed && grainNullable ? 'allow_nullable_key = 1' : undefined,
  };
  // The event time picks the SCD2 version valid when the fact happened (the first date reference).
  const dateRef = L.keys.find((k) => k.dim.generated === 'date');
  const joins: string[] = [];
  const keyExprs = L.keys.map((k, i) => {
    if (k.dim.generated) return `ifNull(${dateKeyOf(`f.${q(k.cols[0])}`)}, 0)`;
    const root = b.entity(k.dim.entity as string, `Dimension ${k.dim.name}`);
    const on = k.cols.map((c, j) => {
      const want = b.column(root, k.dim.naturalKey[j], '').type;
      const have = b.column(k.owner, k.ref.columns[j], '').type;
      const left = baseType(want) === baseType(have) ? `f.${q(c)}` : `CAST(f.${q(c)} AS ${nullableType(want)})`;
      return `${left} = d${i}.${q(`__j${j}`)}`;
    });
    const cols = k.dim.naturalKey.map((n, j) => `${q(n)} AS ${q(`__j${j}`)}`).join(', ');
    const sk = q(k.dim.surrogateKey);
    if (k.dim.scdType === 2 && dateRef) {
      joins.push(
        `ASOF LEFT JOIN (SELECT ${cols}, ${q('valid_from')} AS ${q('__vf')}, ${sk} AS ${q('__key')} FROM ${dimFrom(b, k.dim)} WHERE ${sk} != 0) AS d${i}\n` +
          `  ON ${on.join(' AND ')} AND f.${q('__evt')} >= d${i}.${q('__vf')}`,
      );
    } else {
      const current = k.dim.scdType === 2 ? ` AND ${q('is_current')} = 1` : '';
      joins.push(`LEFT JOIN (SELECT ${cols}, ${sk} AS ${q('__key')} FROM ${dimFrom(b, k.dim)} WHERE ${sk} != 0${current}) AS d${i}\n  ON ${on.join(' AND ')}`);
    }
    return `ifNull(d${i}.${q('__key')}, 0)`;
  });
  const evtColumn = dateRef ? (dateRef.header ? `${dateRef.header.alias}.${q(dateRef.ref.columns[0])}` : L.headers.length ? `l.${q(dateRef.cols[0])}` : q(dateRef.cols[0])) : '';
  const evt = dateRef ? `, ifNull(toDateTime64(${evtColumn}, 3), ${MAX_TIME}) AS ${q('__evt')}` : '';
  const names = [...L.keys.map((k) => k.name), ...L.plain, ...L.headerCols.map((c) => c.name), ...L.measures.map((m) => m.name), LOAD_ID, LOADED_AT, VERSION];
  // Rows whose reference found no member are looked up again: a member that arrives late is picked up.
  const lookupKeys = L.keys.filter((k) => !k.dim.generated);
  // Rows still at the unknown member are looked up again (a separate statement, so the batch filter
  // stays a plain load-id filter).
  const grain = f.grain.map(q).join(', ');
  // Also rows whose member left its dimension (deleted at the source): a rebuild maps them to the unknown member.
  const unresolved = lookupKeys.map((k) => `${q(k.name)} = 0 OR ${q(k.name)} NOT IN (SELECT ${q(k.dim.surrogateKey)} FROM ${b.gold(k.dim.name)})`);
  const retry = keyed && lookupKeys.length ? `(${grain}) IN (SELECT ${grain} FROM ${b.gold(f.name)} WHERE ${unresolved.join(' OR ')}) AND NOT ${b.inBatch(id)}` : undefined;
  // When the grain is silver's primary key, the rows replacing the fact's keep the latest version per key
  // (LIMIT 1 BY below), so an incremental run reads only the rows it needs instead of FINAL over all of silver.
  const sameKey = keyed && f.grain.length === e.primaryKey.length && f.grain.every((g) => e.primaryKey.includes(g));
  const insert = (target: string, from: string, where: string): string =>
    `INSERT INTO ${target} (${names.map(q).join(', ')})\n` +
    `SELECT\n  ${[
      ...keyExprs,
      ...L.plain.map((c) => `f.${q(c)}`),
      ...L.headerCols.map((c) => `f.${q(c.source)}`),
      ...L.measures.map((m) => (m.column ? `f.${q(m.column)}` : '1')),
      `f.${q(LOAD_ID)}`,
      `f.${q(LOADED_AT)}`,
      `f.${q(VERSION)}`,
    ].join(',\n  ')}\n` +
    `FROM ${factRows(b, L, from, where, evt)} AS f\n` +
    `${joins.join('\n')}${b.ddl.settings(['join_use_nulls = 1'])}`;
  const changed = sameKey ? b.silver(e.name) : silverFrom(b, e);
  // New and re-read rows go to a work table first; the fact then loses the rows they replace and takes
  // them once, so a plain query never sees two rows of one grain (or of one silver row, without a grain).
  const work = b.rowsTable(id);
  const workSpec = { database: b.db.meta, table: work, columns: spec.columns, engine: 'MergeTree', orderBy: 'tuple()' };
  const toWork = (from: string, where: string): string => insert(b.meta(work), from, where);
  const newRows = [toWork(changed, b.inBatch(id)), ...(retry ? [toWork(changed, retry)] : [])];
  // Header rows loaded since the last run reach the fact: the lines of those headers are processed again.
  const headerIds = L.headers.map((h) => ({ h, id: `${id}.header.${h.alias}.${h.entity.name}` }));
  const headerChanged = headerIds.map(({ h, id: hid }) =>
    toWork(
      silverFrom(b, e),
      `(${h.via.from.map(q).join(', ')}) IN (SELECT ${h.via.to.map(q).join(', ')} FROM ${b.silver(h.entity.name)} WHERE ${b.inBatch(hid)}) AND NOT ${b.inBatch(id)}`,
    ),
  );
  // Members of an SCD2 dimension that got a version since the last run (their rows carry the load of the
  // change): the fact rows referencing them are looked up again, so they point at the version a full
  // rebuild picks (a change that took effect before the fact's date, or the new current version).
  const versioned = L.keys.filter((k) => k.dim.scdType === 2 && !k.dim.generated).map((k, i) => ({ k, id: `${id}.versions.${i}.${k.dim.name}` }));
  const versionChanged = versioned.map(({ k, id: vid }) => toWork(silverFrom(b, e), `${refersTo(b, k, versionedMembers(b, k.dim, vid))} AND NOT ${b.inBatch(id)}`));
  const identity = (keyed ? f.grain : [LOAD_ID, VERSION]).map(q).join(', ');
  const nullIn = ['transform_null_in = 1'];
  // The latest row per grain, less the rows the fact already holds as they are (an orphan looked up
  // again and still unknown): an idle run changes nothing.
  const changes = b.changesTable(id);
  const all = names.map(q).join(', ');
  const replaceRows = [
    ...b.ddl.dropTable(b.db.meta, changes),
    ...b.ddl.createTable({ ...workSpec, table: changes }, false),
    `INSERT INTO ${b.meta(changes)} (${all})
` +
      `SELECT ${all} FROM (SELECT ${all} FROM ${b.meta(work)} ORDER BY ${q(VERSION)} DESC LIMIT 1 BY ${identity})
` +
      `WHERE (${all}) NOT IN (SELECT ${all} FROM ${b.gold(f.name)} WHERE (${identity}) IN (SELECT ${identity} FROM ${b.meta(work)}))${b.ddl.settings(nullIn)}`,
    b.ddl.deleteWhere(b.db.gold, f.name, `(${identity}) IN (SELECT ${identity} FROM ${b.meta(changes)})`, nullIn),
    `INSERT INTO ${b.gold(f.name)} (${all})
SELECT ${all} FROM ${b.meta(changes)}${b.ddl.settings()}`,
    ...b.ddl.dropTable(b.db.meta, changes),
  ];
  const loads = b.silver(e.name);
  const incremental = [
    ...b.ddl.createTable(spec),
    ...b.ddl.evolveColumns(spec),
    ...b.batchStart(id, loads, false),
    ...b.liveStart(id, loads),
    ...headerIds.flatMap(({ h, id: hid }) => b.batchStart(hid, b.silver(h.entity.name), false)),
    ...b.ddl.dropTable(b.db.meta, work),
    ...b.ddl.createTable(workSpec, false),
    ...versioned.flatMap(({ k, id: vid }) => b.batchStart(vid, b.gold(k.dim.name), false)),
    ...newRows,
    ...headerChanged,
    ...versionChanged,
    ...replaceRows,
    // Lines deleted in silver (or superseded by a reload) leave the fact, and so do the copies of rows an
    // incremental load removed from bronze (superseded versions, keys deleted at the source).
    b.deleteStale(id, b.db.gold, f.name),
    ...(e.sourceTable ? [deleteTombstoned(b, e.sourceTable, { database: b.db.gold, table: f.name })] : []),
    ...b.batchEnd(id, false),
    ...b.liveEnd(id),
    ...headerIds.flatMap(({ id: hid }) => b.batchEnd(hid, false)),
    ...versioned.flatMap(({ id: vid }) => b.batchEnd(vid, false)),
    ...b.ddl.dropTable(b.db.meta, work),
  ];
  const full = [
    ...b.ddl.createTable(spec),
    ...b.batchStart(id, loads, true),
    ...headerIds.flatMap(({ h, id: hid }) => b.batchStart(hid, b.silver(h.entity.name), true)),
    ...b.stagedRebuild(spec, (t) => [insert(t, silverFrom(b, e), b.inBatch(id))]),
    ...b.batchEnd(id, true),
    ...headerIds.flatMap(({ id: hid }) => b.batchEnd(hid, true)),
    ...versioned.flatMap(({ k, id: vid }) => [...b.batchStart(vid, b.gold(k.dim.name), true), ...b.batchEnd(vid, true)]),
  ];
  return {
    step: {
      id,
      layer: 'gold',
      file: sqlFile('gold', f.name),
      fullFile: sqlFile('gold', f.name, true),
      target: { database: b.db.gold, table: f.name },
      dependsOn: [silverStepId(e.name), ...L.headers.map((h) => silverStepId(h.entity.name)), ...new Set(L.keys.map((k) => goldStepId(k.dim.name)))],
      description:
        `Fact ${f.name} at grain ${f.grain.join(', ') || '(every row)'} with ${L.keys.length} dimension key(s), ${L.measures.length} measure(s)` +
        (L.headers.length ? `, joined to header ${L.headers.map((h) => h.entity.name).join(', ')}` : ''),
    },
    sql: header(`fact ${f.name} (incremental: new loads and unresolved references)`) + joinStatements(incremental),
    fullSql: header(`fact ${f.name} (full rebuild: staging table, then EXCHANGE)`) + joinStatements(full),
  };
}

// ---------------------------------------------------------------- wide view

function wideStep(b: BuildContext, f: Fact): StepOut {
  const L = factLayout(b, f);
  const cols: string[] = [];
  const joins: string[] = [];
  L.keys.forEach((k, i) => {
    const prefix = k.ref.role || k.dim.name;
    const attrs = k.dim.generated ? dateColumns(k.dim).map((c) => c.name) : k.dim.attributes.map((a) => a.name);
    for (const a of attrs) cols.push(`d${i}.${q(a)} AS ${q(`${prefix}_${a}`)}`);
    if (k.dim.scdType === 2 && !k.dim.generated) cols.push(`d${i}.${q('is_current')} AS ${q(`${prefix}_is_current`)}`);
    joins.push(`LEFT JOIN ${dimFrom(b, k.dim, `d${i}`)} ON f.${q(k.name)} = d${i}.${q(k.dim.surrogateKey)}`);
  });
  const factCols = [...L.keys.map((k) => k.name), ...L.plain, ...L.headerCols.map((c) => c.name), ...L.measures.map((m) => m.name)].map((c) => `f.${q(c)} AS ${q(c)}`);
  const select = `SELECT\n  ${[...factCols, ...cols].join(',\n  ')}\nFROM ${b.gold(f.name)} AS f\n${joins.join('\n')}`;
  const name = wideName(f);
  return {
    step: {
      id: goldStepId(name),
      layer: 'gold',
      file: sqlFile('gold', name),
      target: { database: b.db.gold, table: name, view: true },
      dependsOn: [goldStepId(f.name), ...new Set(L.keys.map((k) => goldStepId(k.dim.name)))],
      description: `Wide view of ${f.name} joined to its dimensions (one big table)`,
    },
    sql: header(`wide view of fact ${f.name}`) + joinStatements([b.ddl.createView(b.db.gold, name, select)]),
  };
}

export function goldSteps(b: BuildContext, options: { wide: boolean }): StepOut[] {
  const out: StepOut[] = [];
  for (const d of b.star.dimensions) {
    if (d.generated === 'date') out.push(dateStep(b, d));
    else if (!d.entity) throw new BuildError(`Dimension ${d.name}: it has no entity and is not a generated date dimension`);
    else out.push(d.scdType === 2 ? scd2Step(b, d) : scd1Step(b, d));
  }
  for (const f of b.star.facts) {
    out.push(factStep(b, f));
    if (options.wide) out.push(wideStep(b, f));
  }
  return out;
}

function indent(sql: string): string {
  return sql
    .split('\n')
    .map((l) => `  ${l}`)
    .join('\n');
}
