/**
 * Validation steps (layer 'check'): each is one SELECT returning one row with
 * `ok` (UInt8), `detail` (String, the measured figures as JSON) and `message`
 * (String: one line per failed rule naming the table, the column, the count,
 * sample values and the fix; empty when the check passes). Figures are named by
 * identifiers (aliases of a scalar subquery, which ClickHouse turns into a named
 * tuple); the message's text is escaped literals (names, chosen by the user, are
 * never SQL), its numbers and samples come from the figures.
 */
import type { Dimension, Entity, EntityColumn } from '../model/model-types';
import { qualified, quoteIdent } from '../warehouse/sql';
import { baseType, nullableType, numberLiteral } from './ddl';
import { BuildContext, header, LOAD_ID, sqlFile, VERSION, type StepOut } from './plan';
import { isMissing, sqlString } from '../discover/missing';
import { conversion, silverFrom, silverHasKey, silverStepId } from './silver';
import { factLayout, goldStepId, type FactLayout } from './gold';

const q = quoteIdent;

/**
 * Conversion failures allowed above the share the catalog saw when it chose the
 * type: a small margin so a new load with a similar error rate passes, while a
 * wrong type (most values failing) is reported.
 */
export const CONVERSION_MARGIN = 0.01;

/** One measured figure: an aggregate over a source; figures over the same source share one scan. */
interface Figure {
  name: string;
  expr: string;
  from: string;
}

/** One condition of a check (SQL over the figures) and what it reports when the condition does not hold. */
interface Rule {
  holds: string;
  /** A SQL String (see `says`): one line naming the table, the column, the count, samples and the fix. */
  finding: string;
}

/** A piece of a finding: literal text, or a SQL value already turned into a String. */
type Part = string | { sql: string };

/** A count (or any figure) in a finding. */
const n = (sql: string): Part => ({ sql: `toString(${sql})` });

/** Sample values in a finding, each JSON-quoted so a value with a quote or a newline keeps the line whole. */
const list = (sql: string): Part => ({ sql: `arrayStringConcat(arrayMap(x -> toJSONString(x), ${sql}), ', ')` });

/** A finding as SQL: the text parts become escaped literals, never SQL. */
function says(...parts: Part[]): string {
  return `concat(${parts.map((p) => (typeof p === 'string' ? sqlString(p) : p.sql)).join(', ')})`;
}

const REBUILD = 'fix: rebuild it with kimball run --full';

/**
 * `SELECT ok, detail, message` over named figures; rules are written with t(i)
 * for the i-th figure (1-based). Each distinct source is scanned once (a subquery
 * per source, cross-joined: each has one row).
 */
function checkQuery(figures: Figure[], rules: (t: (i: number) => string) => Rule[]): string {
  // A one-column scalar subquery would be a plain value, not a named tuple.
  if (figures.length < 2) throw new Error('A check needs at least two figures');
  const sources = [...new Set(figures.map((f) => f.from))];
  const groups = sources.map((from, g) => {
    const cols = figures.filter((f) => f.from === from).map((f) => `${f.expr} AS ${q(f.name)}`);
    return `(SELECT ${cols.join(', ')} FROM ${from}) AS g${g}`;
  });
  const select = figures.map((f) => `g${sources.indexOf(f.from)}.${q(f.name)} AS ${q(f.name)}`);
  const t = (i: number) => `tupleElement(t, ${i})`;
  const all = rules(t);
  const ok = all.map((r) => `(${r.holds})`).join(' AND ');
  const message = `arrayStringConcat(arrayFilter(x -> x != '', [${all.map((r) => `if(${r.holds}, '', ${r.finding})`).join(', ')}]), '; ')`;
  return (
    `SELECT toUInt8(${ok}) AS ok, toJSONString(t) AS detail,\n  ${message} AS message\nFROM (SELECT (\n  SELECT ${select.join(', ')}\n  FROM ` +
    `${groups.join('\n  CROSS JOIN ')}\n) AS t)`
  );
}

function step(id: string, dependsOn: string[], description: string, sql: string): StepOut {
  return {
    step: { id, layer: 'check', file: sqlFile('check', id.replace(/^check\./, '')), dependsOn, description },
    sql: header(description) + sql + ';\n',
  };
}

/**
 * The values of one bronze column counted the way the catalog counted them: empty or one of the column's
 * missing tokens is missing (NULL in silver, no failure); any other value that converts to NULL failed.
 */
function convertedColumn(b: BuildContext, e: Entity, table: string, c: EntityColumn, figures: Figure[]): (t: (i: number) => string) => Rule[] {
  const source = (c.source as NonNullable<EntityColumn['source']>).column;
  const raw = q(source);
  const cat = b.catalogColumn(table, source);
  const missing = isMissing(raw, cat?.missingTokens ?? []);
  const failed = `NOT ${missing} AND (${conversion(b, e, c)}) IS NULL`;
  const from = qualified(b.db.bronze, table);
  const at = figures.length;
  figures.push(
    { name: `${c.name}.failed`, expr: `countIf(${failed})`, from },
    { name: `${c.name}.present`, expr: `countIf(NOT ${missing})`, from },
    { name: `${c.name}.failed_samples`, expr: `groupUniqArrayIf(5)(substring(${raw}, 1, 60), ${failed})`, from },
    { name: `${c.name}.missing`, expr: `countIf(${missing})`, from },
  );
  // A NULL stored in a column that is not Nullable becomes 0, '' or 1970-01-01: there, nothing may be NULL.
  const key = e.primaryKey.includes(c.name);
  const nullable = c.nullable && !key;
  const share = nullable && cat ? Math.min(1, Math.max(0, 1 - cat.inferred.convertRate) + CONVERSION_MARGIN) : 0;
  const limit = numberLiteral(Number(share.toFixed(6)));
  const where = `silver ${e.name}.${c.name}: `;
  const bronze = ` values of bronze ${table}.${source}`;
  return (t) => [
    {
      holds: `${t(at + 1)} <= ${limit} * ${t(at + 2)}`,
      finding: says(
        where, n(t(at + 1)), ' of ', n(t(at + 2)), `${bronze} do not convert to ${c.type} (NULL in silver; `,
        ...(nullable ? [n(`toUInt64(floor(${limit} * ${t(at + 2)}))`), ' allowed'] : ['none allowed: the column is not Nullable']),
        '), e.g. ', list(t(at + 3)),
        `; fix: correct them in the source, list them as missing values (kimball catalog missing ${table} ${source} <values>) or change the type ` +
          `(kimball catalog type ${table} ${source} <type>), then discover and build again`,
      ),
    },
    ...(nullable
      ? []
      : [
          {
            holds: `${t(at + 4)} = 0`,
            finding: says(
              where, n(t(at + 4)), `${bronze} are missing (empty or a missing-value token) and became a default value: the column is not Nullable; fix: `,
              key ? `choose a key without missing values (kimball keys set ${table} <columns>)` : `make ${c.name} Nullable in the ERD (or propose it again: kimball model erd)`,
            ),
          },
        ]),
  ];
}

function conversionCheck(b: BuildContext, e: Entity): StepOut | undefined {
  const cols = e.columns.filter((c) => c.source);
  if (!e.sourceTable || cols.length === 0) return undefined;
  const figures: Figure[] = [];
  const rules = cols.map((c) => convertedColumn(b, e, e.sourceTable as string, c, figures));
  const sql = checkQuery(figures, (t) => rules.flatMap((r) => r(t)));
  return step(
    `check.silver.${e.name}.conversion`,
    [silverStepId(e.name)],
    `Values of bronze ${e.sourceTable} that did not convert to the types of silver ${e.name} (NULL in silver), within the catalog's limits; empty values and missing-value tokens are missing, not failures`,
    sql,
  );
}

function silverReconcile(b: BuildContext, e: Entity): StepOut {
  const keyed = silverHasKey(e);
  let source: Figure;
  const keyNames = e.derivedFrom && !e.primaryKey.length ? e.columns.map((c) => c.name) : e.primaryKey;
  if (e.derivedFrom) {
    const parent = b.entity(e.derivedFrom, `Entity ${e.name}`);
    const keys = keyNames.map(q);
    source = { name: 'parent_keys', expr: `uniqExactIf(tuple(${keys.join(', ')}), ${keys.map((k) => `${k} IS NOT NULL`).join(' AND ')})`, from: silverFrom(b, parent) };
  } else {
    const bronze = qualified(b.db.bronze, e.sourceTable as string);
    const keyExprs = e.primaryKey.map((k) => conversion(b, e, e.columns.find((c) => c.name === k) as Entity['columns'][number]));
    source = keyed
      ? { name: 'bronze_keys', expr: `uniqExact(tuple(${keyExprs.join(', ')}))`, from: bronze }
      : { name: 'bronze_rows', expr: 'count()', from: bronze };
  }
  const figures: Figure[] = [source, { name: 'silver_rows', expr: 'count()', from: silverFrom(b, e) }];
  const origin = e.derivedFrom ? `its parent silver ${e.derivedFrom}` : `bronze ${e.sourceTable}`;
  const counted = keyed || e.derivedFrom ? ` distinct keys (${keyNames.join(', ')})` : ' rows';
  return step(
    `check.silver.${e.name}.reconcile`,
    [silverStepId(e.name)],
    `Row count of silver ${e.name} reconciles with its ${e.derivedFrom ? `parent ${e.derivedFrom}` : `bronze ${e.sourceTable}`}`,
    checkQuery(figures, (t) => [
      { holds: `${t(1)} = ${t(2)}`, finding: says(`silver ${e.name}: `, n(t(2)), ` rows, but ${origin} has `, n(t(1)), `${counted}; ${REBUILD}`) },
    ]),
  );
}

function dimensionCheck(b: BuildContext, d: Dimension): StepOut {
  const sk = q(d.surrogateKey);
  const scd2 = d.scdType === 2 && !d.generated;
  // Every check reads what a user's plain query reads: no FINAL.
  const dim = b.gold(d.name);
  const figures: Figure[] = [
    { name: 'rows', expr: 'count()', from: dim },
    { name: 'distinct_keys', expr: `uniqExact(${sk})`, from: dim },
    { name: 'unknown_members', expr: `countIf(${sk} = 0)`, from: dim },
  ];
  const conds = (t: (i: number) => string): Rule[] => [
    { holds: `${t(1)} = ${t(2)}`, finding: says(`gold ${d.name}: `, n(t(1)), ' rows but ', n(t(2)), ` distinct ${d.surrogateKey} values; ${REBUILD}`) },
    { holds: `${t(3)} = 1`, finding: says(`gold ${d.name}: `, n(t(3)), ` unknown members (${d.surrogateKey} = 0) instead of 1; ${REBUILD}`) },
  ];
  if (d.entity && !d.generated) {
    const root = b.entity(d.entity, `Dimension ${d.name}`);
    const nk = d.naturalKey.map(q);
    const notNull = nk.map((k) => `${k} IS NOT NULL`).join(' AND ');
    const member = `${scd2 ? `${q('is_current')} = 1 AND ` : ''}${sk} != 0`;
    figures.push({ name: 'members', expr: `uniqExactIf(tuple(${nk.join(', ')}), ${member})`, from: dim });
    figures.push({ name: 'current_rows', expr: `countIf(${member})`, from: dim });
    figures.push({ name: 'silver_members', expr: `uniqExactIf(tuple(${nk.join(', ')}), ${notNull})`, from: silverFrom(b, root) });
    const base = conds;
    return step(
      `check.gold.${d.name}.keys`,
      [goldStepId(d.name)],
      `Dimension ${d.name}: unique surrogate keys, one unknown member, one ${scd2 ? 'current ' : ''}row per natural key, every silver member present`,
      checkQuery(figures, (t) => [
        ...base(t),
        {
          holds: `${t(4)} = ${t(5)}`,
          finding: says(`gold ${d.name}: `, n(t(5)), ` ${scd2 ? 'current ' : ''}rows for `, n(t(4)), ` natural keys (${d.naturalKey.join(', ')}); ${REBUILD}`),
        },
        {
          holds: `${t(4)} = ${t(6)}`,
          finding: says(`gold ${d.name}: `, n(t(4)), ` members, but silver ${root.name} has `, n(t(6)), ` distinct natural keys (${d.naturalKey.join(', ')}); ${REBUILD}`),
        },
      ]),
    );
  }
  return step(
    `check.gold.${d.name}.keys`,
    [goldStepId(d.name)],
    `Dimension ${d.name}: unique surrogate keys and one unknown member`,
    checkQuery(figures, conds),
  );
}

function factReconcile(b: BuildContext, L: FactLayout): StepOut {
  const f = L.fact;
  const keyed = f.grain.length > 0 && silverHasKey(L.entity);
  const gold = b.gold(f.name);
  const silver = silverFrom(b, L.entity);
  const figures: Figure[] = [
    { name: 'silver_rows', expr: 'count()', from: silver },
    { name: 'gold_rows', expr: 'count()', from: gold },
    // One row per grain as a plain query reads the fact (without a grain, per silver row).
    { name: 'gold_distinct_grain', expr: `uniqExact(tuple(${(keyed ? f.grain : [LOAD_ID, VERSION]).map(q).join(', ')}))`, from: gold },
  ];
  const summed = f.measures.filter((m) => m.aggregation === 'sum' && L.measures.find((x) => x.name === m.name)?.column);
  for (const m of summed) {
    // A Nullable column sums to NULL over no rows (an emptied table): that is a sum of 0.
    figures.push({ name: `${m.name}.silver_sum`, expr: `ifNull(sum(toFloat64(${q(m.column)})), 0)`, from: silver });
    figures.push({ name: `${m.name}.gold_sum`, expr: `ifNull(sum(toFloat64(${q(m.name)})), 0)`, from: gold });
  }
  const rules = (t: (i: number) => string): Rule[] => [
    { holds: `${t(1)} = ${t(2)}`, finding: says(`gold ${f.name}: `, n(t(2)), ` rows, but silver ${L.entity.name} has `, n(t(1)), `; ${REBUILD}`) },
    { holds: `${t(2)} = ${t(3)}`, finding: says(`gold ${f.name}: `, n(t(2)), ' rows for ', n(t(3)), ` distinct grains (${keyed ? f.grain.join(', ') : 'silver rows'}); ${REBUILD}`) },
    // Float sums depend on the order of addition; a relative tolerance of 1e-9 absorbs that and nothing else.
    ...summed.map((m, i) => ({
      holds: `abs(${t(4 + 2 * i)} - ${t(5 + 2 * i)}) <= 1e-9 * greatest(1, abs(${t(4 + 2 * i)}))`,
      finding: says(`gold ${f.name}.${m.name} sums to `, n(t(5 + 2 * i)), `, but silver ${L.entity.name}.${m.column} to `, n(t(4 + 2 * i)), `; ${REBUILD}`),
    })),
  ];
  return step(
    `check.gold.${f.name}.reconcile`,
    [goldStepId(f.name)],
    `Fact ${f.name}: rows and summed measures reconcile with silver ${L.entity.name}`,
    checkQuery(figures, rules),
  );
}

/** A reference's value as text for the samples of a finding (one column, or the columns joined by ", "). */
const sampleOf = (cols: string[]): string => `substring(concatWithSeparator(', ', ${cols.map((c) => `toString(${c})`).join(', ')}), 1, 60)`;

/** Orphans the catalog already reported for this reference were accepted with it; new ones fail. */
function knownOrphans(b: BuildContext, fromEntity: string, columns: string[], toEntity: string): number {
  const r = b.erd.relationships.find(
    (x) => x.from.entity === fromEntity && x.to.entity === toEntity && x.from.columns.join('\0') === columns.join('\0'),
  );
  const cat = r?.catalogId ? b.input.catalog?.relationships.find((x) => x.id === r.catalogId) : undefined;
  return cat?.evidence.orphans ?? 0;
}

function orphanCheck(b: BuildContext, L: FactLayout): StepOut | undefined {
  const refs = L.keys.filter((k) => !k.dim.generated);
  if (refs.length === 0 && L.headers.length === 0) return undefined;
  const f = L.fact;
  const gold = b.gold(f.name);
  const figures: Figure[] = [];
  const rules: ((t: (i: number) => string) => Rule)[] = [];
  for (const k of refs) {
    const root = b.entity(k.dim.entity as string, `Dimension ${k.dim.name}`);
    // A reference inherited from a header is counted on the header's rows.
    const cols = k.ref.columns.map((c, j) => {
      const want = b.column(root, k.dim.naturalKey[j], '').type;
      const have = b.column(k.owner, c, '').type;
      return baseType(want) === baseType(have) ? q(c) : `CAST(${q(c)} AS ${nullableType(want)})`;
    });
    const nk = k.dim.naturalKey.map(q).join(', ');
    const dim = b.gold(k.dim.name);
    const known = k.ref.columns.map((c) => `${q(c)} IS NOT NULL`).join(' AND ');
    const orphan = `${known} AND (${cols.join(', ')}) NOT IN (SELECT ${nk} FROM ${dim} WHERE ${q(k.dim.surrogateKey)} != 0)`;
    const at = figures.length;
    figures.push(
      { name: `${k.name}.orphan_values`, expr: `uniqExactIf(tuple(${cols.join(', ')}), ${orphan})`, from: silverFrom(b, k.owner) },
      { name: `${k.name}.orphan_samples`, expr: `groupUniqArrayIf(5)(${sampleOf(cols)}, ${orphan})`, from: silverFrom(b, k.owner) },
      { name: `${k.name}.unknown_rows`, expr: `countIf(${q(k.name)} = 0)`, from: gold },
    );
    const limit = knownOrphans(b, k.owner.name, k.ref.columns, root.name);
    const into = root.sourceTable ? `bronze ${root.sourceTable}` : `silver ${root.name}`;
    rules.push((t) => ({
      holds: `${t(at + 1)} <= ${numberLiteral(limit)}`,
      finding: says(
        `gold ${f.name}.${k.name}: `, n(t(at + 1)), ` ${k.ref.columns.join(', ')} value(s) of silver ${k.owner.name} have no member in ${k.dim.name} `,
        `(the catalog accepted ${limit}) and point at the unknown member 0, e.g. `, list(t(at + 2)),
        `; fix: load the missing members into ${into}, or run kimball discover to accept them with the relationship`,
      ),
    }));
  }
  // Lines whose header is missing get unknown members for every inherited reference: counted, and no more than the catalog accepted.
  for (const h of L.headers) {
    const from = h.via.from.map(q).join(', ');
    const orphan = `${h.via.from.map((c) => `${q(c)} IS NOT NULL`).join(' AND ')} AND (${from}) NOT IN (SELECT ${h.via.to.map(q).join(', ')} FROM ${silverFrom(b, h.entity)})`;
    const at = figures.length;
    figures.push(
      { name: `${h.entity.name}.lines_without_header`, expr: `uniqExactIf(tuple(${from}), ${orphan})`, from: silverFrom(b, L.entity) },
      { name: `${h.entity.name}.header_samples`, expr: `groupUniqArrayIf(5)(${sampleOf(h.via.from.map(q))}, ${orphan})`, from: silverFrom(b, L.entity) },
      { name: `${h.entity.name}.lines`, expr: 'count()', from: gold },
    );
    const limit = knownOrphans(b, L.entity.name, h.via.from, h.entity.name);
    rules.push((t) => ({
      holds: `${t(at + 1)} <= ${numberLiteral(limit)}`,
      finding: says(
        `gold ${f.name}: `, n(t(at + 1)), ` ${h.via.from.join(', ')} value(s) of silver ${L.entity.name} have no header in silver ${h.entity.name} `,
        `(the catalog accepted ${limit}), e.g. `, list(t(at + 2)),
        `; fix: load the missing ${h.entity.name} rows, or run kimball discover to accept them with the relationship`,
      ),
    }));
  }
  return step(
    `check.gold.${f.name}.orphans`,
    [goldStepId(f.name)],
    `Fact ${f.name}: references without a dimension member (mapped to the unknown member 0), no more than the catalog accepted`,
    checkQuery(figures, (t) => rules.map((r) => r(t))),
  );
}

/** Every surrogate key of the fact is a row of its dimension (the unknown member 0 included): joins never lose rows. */
function factKeysCheck(b: BuildContext, L: FactLayout): StepOut | undefined {
  if (L.keys.length === 0) return undefined;
  const gold = b.gold(L.fact.name);
  const figures: Figure[] = L.keys.map((k) => ({
    name: `${k.name}.missing_in_${k.dim.name}`,
    expr: `countIf(${q(k.name)} NOT IN (SELECT ${q(k.dim.surrogateKey)} FROM ${b.gold(k.dim.name)}))`,
    from: gold,
  }));
  figures.push({ name: 'rows', expr: 'count()', from: gold });
  return step(
    `check.gold.${L.fact.name}.keys`,
    [goldStepId(L.fact.name), ...new Set(L.keys.map((k) => goldStepId(k.dim.name)))],
    `Fact ${L.fact.name}: every dimension key is a member of its dimension (unknown member included)`,
    checkQuery(figures, (t) =>
      L.keys.map((k, i) => ({
        holds: `${t(i + 1)} = 0`,
        finding: says(`gold ${L.fact.name}.${k.name}: `, n(t(i + 1)), ' of ', n(t(L.keys.length + 1)), ` rows have a key that is not a row of ${k.dim.name}; ${REBUILD}`),
      })),
    ),
  );
}

export function checkSteps(b: BuildContext): StepOut[] {
  const out: StepOut[] = [];
  for (const e of b.erd.entities) {
    const c = conversionCheck(b, e);
    if (c) out.push(c);
    out.push(silverReconcile(b, e));
  }
  for (const d of b.star.dimensions) out.push(dimensionCheck(b, d));
  for (const f of b.star.facts) {
    const L = factLayout(b, f);
    out.push(factReconcile(b, L));
    const keys = factKeysCheck(b, L);
    if (keys) out.push(keys);
    const o = orphanCheck(b, L);
    if (o) out.push(o);
  }
  return out;
}
