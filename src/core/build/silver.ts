/**
 * Silver: one typed table per ERD entity. Entities with a bronze source are
 * converted with the catalog's expressions and loaded incrementally by load id
 * into a ReplacingMergeTree (the version orders loads, then rows, so the latest
 * row of a key wins); entities split out by a decomposition are rebuilt from
 * their parent with one row per key.
 */
import type { Entity, EntityColumn } from '../model/model-types';
import { qualified, quoteIdent } from '../warehouse/sql';
import { withMissingTokens } from '../discover/missing';
import { applyExpression, columnDef, joinStatements, nullableType, orderByList } from './ddl';
import { BuildContext, BuildError, header, LOAD_ID, LOADED_AT, ROW, sqlFile, VERSION, type StepOut } from './plan';
import { deleteTombstoned, tombstonesTable } from './tombstones';

export const silverStepId = (entity: string): string => `silver.${entity}`;

/** Silver tables with a key are ReplacingMergeTree and are read with FINAL. */
export const silverHasKey = (e: Entity): boolean => e.primaryKey.length > 0;

export function silverFrom(b: BuildContext, e: Entity, alias?: string): string {
  return `${b.silver(e.name)}${alias ? ` AS ${alias}` : ''}${silverHasKey(e) ? ' FINAL' : ''}`;
}

export function silverSteps(b: BuildContext): StepOut[] {
  return b.erd.entities.map((e) => {
    if (e.derivedFrom) return derivedStep(b, e);
    if (e.sourceTable) return bronzeStep(b, e);
    throw new BuildError(`Entity ${e.name}: it has neither a sourceTable (bronze) nor derivedFrom (a parent entity)`);
  });
}

function tableSpec(b: BuildContext, e: Entity) {
  for (const k of e.primaryKey) b.column(e, k, `Entity ${e.name} primary key`);
  const keyed = silverHasKey(e);
  return {
    database: b.db.silver,
    table: e.name,
    columns: [
      // Key columns cannot be Nullable in ORDER BY.
      ...e.columns.map((c) => columnDef(c.name, c.type, c.nullable && !e.primaryKey.includes(c.name))),
      `${quoteIdent(LOAD_ID)} String`,
      `${quoteIdent(LOADED_AT)} DateTime64(3)`,
      `${quoteIdent(VERSION)} UInt128`,
    ],
    engine: keyed ? `ReplacingMergeTree(${quoteIdent(VERSION)})` : 'MergeTree',
    orderBy: orderByList(e.primaryKey),
    shardKey: keyed ? `cityHash64(${e.primaryKey.map(quoteIdent).join(', ')})` : undefined,
  };
}

const insertColumns = (e: Entity): string =>
  [...e.columns.map((c) => c.name), LOAD_ID, LOADED_AT, VERSION].map(quoteIdent).join(', ');

/**
 * The SQL that converts one bronze column to its silver type: NULL for the catalog's missing-value
 * tokens of the column (whatever the type), and NULL when it does not convert.
 */
export function conversion(b: BuildContext, e: Entity, c: EntityColumn, alias?: string): string {
  if (!c.source) return `CAST(NULL AS ${nullableType(c.type)})`;
  const col = alias ? `${alias}.${quoteIdent(c.source.column)}` : quoteIdent(c.source.column);
  const tokens = b.catalogColumn(e.sourceTable, c.source.column)?.missingTokens ?? [];
  return withMissingTokens(applyExpression(c.source.expression, col, `Entity ${e.name}, column ${c.name}`), col, tokens);
}

function bronzeStep(b: BuildContext, e: Entity): StepOut {
  const id = silverStepId(e.name);
  const source = qualified(b.db.bronze, e.sourceTable as string);
  const spec = tableSpec(b, e);
  const select = (target: string): string =>
    `INSERT INTO ${target} (${insertColumns(e)})\n` +
    `SELECT\n  ${e.columns.map((c) => conversion(b, e, c)).join(',\n  ')},\n` +
    `  ${quoteIdent(LOAD_ID)},\n  ${quoteIdent(LOADED_AT)},\n` +
    // Later loads win, then later rows of the same load.
    `  toUInt128(toUnixTimestamp64Milli(${quoteIdent(LOADED_AT)})) * 4294967296 + ${quoteIdent(ROW)}\n` +
    `FROM ${source}\nWHERE ${b.inBatch(id)}${b.ddl.settings()}`;
  const incremental = [
    ...b.ddl.createTable(spec),
    ...b.ddl.evolveColumns(spec),
    ...tombstonesTable(b),
    ...b.batchStart(id, source, false),
    ...b.liveStart(id, source),
    select(b.silver(e.name)),
    b.deleteStale(id, b.db.silver, e.name),
    // Rows an incremental load removed from bronze since (superseded versions, keys deleted at the source).
    deleteTombstoned(b, e.sourceTable as string, { database: b.db.silver, table: e.name }),
    ...b.batchEnd(id, false),
    ...b.liveEnd(id),
  ];
  const full = [
    ...b.ddl.createTable(spec),
    ...b.batchStart(id, source, true),
    ...b.stagedRebuild(spec, (t) => [select(t)]),
    ...b.batchEnd(id, true),
  ];
  const what = `silver ${e.name} from bronze ${e.sourceTable}`;
  return {
    step: {
      id,
      layer: 'silver',
      file: sqlFile('silver', e.name),
      fullFile: sqlFile('silver', e.name, true),
      target: { database: b.db.silver, table: e.name },
      dependsOn: [],
      description: `Convert bronze ${e.sourceTable} to typed silver ${e.name}${e.primaryKey.length ? `, latest row per ${e.primaryKey.join(', ')}` : ''}`,
    },
    sql: header(`${what} (incremental: loads not yet processed)`) + joinStatements(incremental),
    fullSql: header(`${what} (full rebuild: staging table, then EXCHANGE)`) + joinStatements(full),
  };
}

function derivedStep(b: BuildContext, e: Entity): StepOut {
  const parent = b.entity(e.derivedFrom as string, `Entity ${e.name} derivedFrom`);
  const keyCols = e.primaryKey.length ? e.columns.filter((c) => e.primaryKey.includes(c.name)) : e.columns;
  if (keyCols.length === 0) throw new BuildError(`Entity ${e.name}: a derived entity needs columns`);
  const inParent = e.columns.every((c) => parent.columns.some((p) => p.name === c.name));
  // A decomposition moves columns out of the parent: then the members come from the parent's bronze rows.
  const rows = inParent ? parentRows(b, e, parent) : bronzeRows(b, e, parent);
  const v = quoteIdent('__v');
  const cols = e.columns.map((_, i) => quoteIdent(`__c${i}`));
  const isKey = e.columns.map((c) => keyCols.includes(c));
  // Positional INSERT ... SELECT over code-named columns, so no alias shadows a column inside the aggregates.
  const values = cols.map((c, i) => (isKey[i] ? c : `argMax(${c}, ${v})`));
  const spec = tableSpec(b, e);
  const select = (target: string): string[] => [
    `INSERT INTO ${target} (${insertColumns(e)})\n` +
      `SELECT\n  ${values.join(',\n  ')},\n  argMax(${quoteIdent('__lid')}, ${v}),\n  argMax(${quoteIdent('__at')}, ${v}),\n  max(${v})\n` +
      `FROM (\n${rows}\n)\n` +
      `WHERE ${cols.filter((_, i) => isKey[i]).map((c) => `${c} IS NOT NULL`).join(' AND ')}\n` +
      `GROUP BY ${cols.filter((_, i) => isKey[i]).join(', ')}${b.ddl.settings()}`,
  ];
  const statements = [...b.ddl.createTable(spec), ...b.stagedRebuild(spec, select)];
  return {
    step: {
      id: silverStepId(e.name),
      layer: 'silver',
      file: sqlFile('silver', e.name),
      target: { database: b.db.silver, table: e.name },
      dependsOn: [silverStepId(parent.name)],
      description: `Distinct ${e.name} rows split out of ${parent.name} (rebuilt every run)`,
    },
    sql: header(`silver ${e.name}, derived from ${parent.name}`) + joinStatements(statements),
  };
}

const lineageAs = (version: string): string =>
  `${quoteIdent(LOAD_ID)} AS ${quoteIdent('__lid')}, ${quoteIdent(LOADED_AT)} AS ${quoteIdent('__at')}, ${version} AS ${quoteIdent('__v')}`;

/** The parent's current silver rows, when it still has every column of the derived entity. */
function parentRows(b: BuildContext, e: Entity, parent: Entity): string {
  const cols = e.columns.map((c, i) => `${quoteIdent(c.name)} AS ${quoteIdent(`__c${i}`)}`);
  return `  SELECT ${[...cols, lineageAs(quoteIdent(VERSION))].join(', ')}\n  FROM ${silverFrom(b, parent)}`;
}

/** The latest bronze row per parent key, converted: the parent no longer holds the moved columns. */
function bronzeRows(b: BuildContext, e: Entity, parent: Entity): string {
  if (!parent.sourceTable) {
    throw new BuildError(`Entity ${e.name}: its columns are not all in ${parent.name}, and ${parent.name} has no bronze table to read them from`);
  }
  const cols = e.columns.map((c, i) => `${derivedConversion(b, e, parent, c)} AS ${quoteIdent(`__c${i}`)}`);
  const version = `toUInt128(toUnixTimestamp64Milli(${quoteIdent(LOADED_AT)})) * 4294967296 + ${quoteIdent(ROW)}`;
  const parentKey = parent.primaryKey.map((k) => conversion(b, parent, b.column(parent, k, `Entity ${parent.name} primary key`)));
  const latest = parentKey.length ? `\n  ORDER BY ${quoteIdent('__v')} DESC\n  LIMIT 1 BY ${parentKey.join(', ')}` : '';
  return `  SELECT ${[...cols, lineageAs(version)].join(', ')}\n  FROM ${qualified(b.db.bronze, parent.sourceTable)}${latest}`;
}

/**
 * How a moved column converts from the parent's bronze table: its own source,
 * else the parent column of the same name, else the catalog's inferred expression;
 * the catalog's missing-value tokens of that bronze column become NULL first.
 */
function derivedConversion(b: BuildContext, e: Entity, parent: Entity, c: EntityColumn): string {
  const where = `Entity ${e.name}, column ${c.name}`;
  const source = c.source ?? parent.columns.find((x) => x.name === c.name)?.source;
  const column = source?.column ?? c.name;
  const cat = b.catalogColumn(parent.sourceTable, column);
  const expression = source?.expression ?? cat?.inferred.expression;
  if (!expression) throw new BuildError(`${where}: no conversion from bronze ${parent.sourceTable} (no source, not in ${parent.name}, not in the catalog)`);
  const raw = quoteIdent(column);
  return withMissingTokens(applyExpression(expression, raw, where), raw, cat?.missingTokens ?? []);
}
