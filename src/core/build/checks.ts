/**
 * Validation steps (layer 'check'): each is one SELECT returning one row with
 * `ok` (UInt8) and `detail` (String, the measured figures as JSON). Figures
 * are named by identifiers (aliases of a scalar subquery, which ClickHouse
 * turns into a named tuple), so no data string is ever written into SQL.
 */
import type { Dimension, Entity } from '../model/model-types';
import { qualified, quoteIdent } from '../warehouse/sql';
import { baseType, nullableType, numberLiteral } from './ddl';
import { BuildContext, header, sqlFile, type StepOut } from './plan';
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

/**
 * `SELECT ok, detail` over named figures; `ok` is written with t(i) for the
 * i-th figure (1-based). Each distinct source is scanned once (a subquery per
 * source, cross-joined: each has one row).
 */
function checkQuery(figures: Figure[], ok: (t: (i: number) => string) => string): string {
  // A one-column scalar subquery would be a plain value, not a named tuple.
  if (figures.length < 2) throw new Error('A check needs at least two figures');
  const sources = [...new Set(figures.map((f) => f.from))];
  const groups = sources.map((from, g) => {
    const cols = figures.filter((f) => f.from === from).map((f) => `${f.expr} AS ${q(f.name)}`);
    return `(SELECT ${cols.join(', ')} FROM ${from}) AS g${g}`;
  });
  const select = figures.map((f) => `g${sources.indexOf(f.from)}.${q(f.name)} AS ${q(f.name)}`);
  const t = (i: number) => `tupleElement(t, ${i})`;
  return (
    `SELECT toUInt8(${ok(t)}) AS ok, toJSONString(t) AS detail\nFROM (SELECT (\n  SELECT ${select.join(', ')}\n  FROM ` +
    `${groups.join('\n  CROSS JOIN ')}\n) AS t)`
  );
}

function step(id: string, dependsOn: string[], description: string, sql: string): StepOut {
  return {
    step: { id, layer: 'check', file: sqlFile('check', id.replace(/^check\./, '')), dependsOn, description },
    sql: header(description) + sql + ';\n',
  };
}

function conversionCheck(b: BuildContext, e: Entity): StepOut | undefined {
  const cols = e.columns.filter((c) => c.source);
  if (!e.sourceTable || cols.length === 0) return undefined;
  const bronze = qualified(b.db.bronze, e.sourceTable);
  const figures: Figure[] = [];
  const limits: string[] = [];
  cols.forEach((c) => {
    const raw = q((c.source as { column: string }).column);
    figures.push({ name: `${c.name}.failed`, expr: `countIf(${raw} != '' AND (${conversion(e, c)}) IS NULL)`, from: bronze });
    figures.push({ name: `${c.name}.non_empty`, expr: `countIf(${raw} != '')`, from: bronze });
    const cat = b.catalogColumn(e.sourceTable, c.source?.column);
    const allowed = cat ? Math.min(1, Math.max(0, 1 - cat.inferred.convertRate) + CONVERSION_MARGIN) : 0;
    limits.push(numberLiteral(Number(allowed.toFixed(6))));
  });
  const sql = checkQuery(figures, (t) => cols.map((_, i) => `${t(2 * i + 1)} <= ${limits[i]} * ${t(2 * i + 2)}`).join(' AND '));
  return step(
    `check.silver.${e.name}.conversion`,
    [silverStepId(e.name)],
    `Values of bronze ${e.sourceTable} that did not convert to the types of silver ${e.name} (NULL in silver), within the catalog's limits`,
    sql,
  );
}

function silverReconcile(b: BuildContext, e: Entity): StepOut {
  const keyed = silverHasKey(e);
  let source: Figure;
  if (e.derivedFrom) {
    const parent = b.entity(e.derivedFrom, `Entity ${e.name}`);
    const keys = (e.primaryKey.length ? e.primaryKey : e.columns.map((c) => c.name)).map(q);
    source = { name: 'parent_keys', expr: `uniqExactIf(tuple(${keys.join(', ')}), ${keys.map((k) => `${k} IS NOT NULL`).join(' AND ')})`, from: silverFrom(b, parent) };
  } else {
    const bronze = qualified(b.db.bronze, e.sourceTable as string);
    const keyExprs = e.primaryKey.map((k) => conversion(e, e.columns.find((c) => c.name === k) as Entity['columns'][number]));
    source = keyed
      ? { name: 'bronze_keys', expr: `uniqExact(tuple(${keyExprs.join(', ')}))`, from: bronze }
      : { name: 'bronze_rows', expr: 'count()', from: bronze };
  }
  const figures: Figure[] = [source, { name: 'silver_rows', expr: 'count()', from: silverFrom(b, e) }];
  return step(
    `check.silver.${e.name}.reconcile`,
    [silverStepId(e.name)],
    `Row count of silver ${e.name} reconciles with its ${e.derivedFrom ? `parent ${e.derivedFrom}` : `bronze ${e.sourceTable}`}`,
    checkQuery(figures, (t) => `${t(1)} = ${t(2)}`),
  );
}

function dimensionCheck(b: BuildContext, d: Dimension): StepOut {
  const sk = q(d.surrogateKey);
  const scd2 = d.scdType === 2 && !d.generated;
  const dim = `${b.gold(d.name)}${scd2 ? ' FINAL' : ''}`;
  const figures: Figure[] = [
    { name: 'rows', expr: 'count()', from: dim },
    { name: 'distinct_keys', expr: `uniqExact(${sk})`, from: dim },
    { name: 'unknown_members', expr: `countIf(${sk} = 0)`, from: dim },
  ];
  const conds = (t: (i: number) => string): string[] => [`${t(1)} = ${t(2)}`, `${t(3)} = 1`];
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
      checkQuery(figures, (t) => [...base(t), `${t(4)} = ${t(5)}`, `${t(4)} = ${t(6)}`].join(' AND ')),
    );
  }
  return step(
    `check.gold.${d.name}.keys`,
    [goldStepId(d.name)],
    `Dimension ${d.name}: unique surrogate keys and one unknown member`,
    checkQuery(figures, (t) => conds(t).join(' AND ')),
  );
}

function factReconcile(b: BuildContext, L: FactLayout): StepOut {
  const f = L.fact;
  const keyed = f.grain.length > 0 && silverHasKey(L.entity);
  const gold = `${b.gold(f.name)}${keyed ? ' FINAL' : ''}`;
  const silver = silverFrom(b, L.entity);
  const figures: Figure[] = [
    { name: 'silver_rows', expr: 'count()', from: silver },
    { name: 'gold_rows', expr: 'count()', from: gold },
  ];
  const summed = f.measures.filter((m) => m.aggregation === 'sum' && L.measures.find((x) => x.name === m.name)?.column);
  for (const m of summed) {
    figures.push({ name: `${m.name}.silver_sum`, expr: `sum(toFloat64(${q(m.column)}))`, from: silver });
    figures.push({ name: `${m.name}.gold_sum`, expr: `sum(toFloat64(${q(m.name)}))`, from: gold });
  }
  const ok = (t: (i: number) => string): string =>
    [
      `${t(1)} = ${t(2)}`,
      // Float sums depend on the order of addition; a relative tolerance of 1e-9 absorbs that and nothing else.
      ...summed.map((_, i) => `abs(${t(3 + 2 * i)} - ${t(4 + 2 * i)}) <= 1e-9 * greatest(1, abs(${t(3 + 2 * i)}))`),
    ].join(' AND ');
  return step(
    `check.gold.${f.name}.reconcile`,
    [goldStepId(f.name)],
    `Fact ${f.name}: rows and summed measures reconcile with silver ${L.entity.name}`,
    checkQuery(figures, ok),
  );
}

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
  const keyed = f.grain.length > 0 && silverHasKey(L.entity);
  const gold = `${b.gold(f.name)}${keyed ? ' FINAL' : ''}`;
  const figures: Figure[] = [];
  const limits: number[] = [];
  for (const k of refs) {
    const root = b.entity(k.dim.entity as string, `Dimension ${k.dim.name}`);
    // A reference inherited from a header is counted on the header's rows.
    const cols = k.ref.columns.map((c, j) => {
      const want = b.column(root, k.dim.naturalKey[j], '').type;
      const have = b.column(k.owner, c, '').type;
      return baseType(want) === baseType(have) ? q(c) : `CAST(${q(c)} AS ${nullableType(want)})`;
    });
    const nk = k.dim.naturalKey.map(q).join(', ');
    const dim = `${b.gold(k.dim.name)}${k.dim.scdType === 2 ? ' FINAL' : ''}`;
    const known = k.ref.columns.map((c) => `${q(c)} IS NOT NULL`).join(' AND ');
    figures.push({
      name: `${k.name}.orphan_values`,
      expr: `uniqExactIf(tuple(${cols.join(', ')}), ${known} AND (${cols.join(', ')}) NOT IN (SELECT ${nk} FROM ${dim} WHERE ${q(k.dim.surrogateKey)} != 0))`,
      from: silverFrom(b, k.owner),
    });
    figures.push({ name: `${k.name}.unknown_rows`, expr: `countIf(${q(k.name)} = 0)`, from: gold });
    limits.push(knownOrphans(b, k.owner.name, k.ref.columns, root.name));
  }
  // Lines whose header is missing get unknown members for every inherited reference: counted, and no more than the catalog accepted.
  for (const h of L.headers) {
    const from = h.via.from.map(q).join(', ');
    figures.push({
      name: `${h.entity.name}.lines_without_header`,
      expr: `uniqExactIf(tuple(${from}), ${h.via.from.map((c) => `${q(c)} IS NOT NULL`).join(' AND ')} AND (${from}) NOT IN (SELECT ${h.via.to.map(q).join(', ')} FROM ${silverFrom(b, h.entity)}))`,
      from: silverFrom(b, L.entity),
    });
    figures.push({ name: `${h.entity.name}.lines`, expr: 'count()', from: gold });
    limits.push(knownOrphans(b, L.entity.name, h.via.from, h.entity.name));
  }
  return step(
    `check.gold.${f.name}.orphans`,
    [goldStepId(f.name)],
    `Fact ${f.name}: references without a dimension member (mapped to the unknown member 0), no more than the catalog accepted`,
    checkQuery(figures, (t) => limits.map((n, i) => `${t(2 * i + 1)} <= ${numberLiteral(n)}`).join(' AND ')),
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
    const o = orphanCheck(b, L);
    if (o) out.push(o);
  }
  return out;
}
