/**
 * Full discovery of a generated bronze schema: 14 tables, 237 columns, about 1M rows in total
 * (10 dimensions, 4 facts referencing them), end to end (profile, types, quality, keys,
 * dependencies, relationships, catalog file). Baseline: one `count() WHERE NOT ignore(*)` scan of
 * every table in the same run. Target: < 5 s. Also reports FK precision/recall on this schema.
 * Total rows scale with KIMBALL_BENCH_SCHEMA_ROWS (default 1,000,000).
 */
import type { BenchCase, BenchResult } from '../harness';
import { mergesSettled, timed, withWorkspace } from '../harness';
import type { Warehouse } from '../../src/core/warehouse/warehouse';
import { discover } from '../../src/core/discover/discover';
import { qualified } from '../../src/core/warehouse/sql';
import { bronzeFromSql } from '../../test/fixtures/discover/bronze';

const DIMS = ['customer', 'product', 'store', 'supplier', 'region', 'employee', 'promotion', 'channel', 'account', 'warehouse'];
const DIM_ROWS = [20000, 5000, 200, 1000, 50, 3000, 500, 20, 10000, 100];
const FACTS = ['sales', 'returns', 'shipments', 'payments'];
const FACT_SHARE = [0.35, 0.15, 0.25, 0.2];

/** Attribute column generators (String SQL over `number`), cycled to fill each table. */
const ATTRS: [string, (salt: number) => string][] = [
  ['amount', (s) => `toString(round((cityHash64(number, ${s}) % 1000000) / 100, 2))`],
  ['quantity', (s) => `toString(cityHash64(number, ${s}) % 20 + 1)`],
  ['created_on', (s) => `toString(toDate('2018-01-01') + cityHash64(number, ${s}) % 2500)`],
  ['updated_at', (s) => `formatDateTime(toDateTime('2022-01-01 00:00:00') + cityHash64(number, ${s}) % 50000000, '%Y-%m-%dT%H:%i:%SZ')`],
  ['status', (s) => `['new','active','closed','hold'][cityHash64(number, ${s}) % 4 + 1]`],
  ['email', (s) => `concat('u', toString(cityHash64(number, ${s}) % 100000), '@example.org')`],
  ['label', (s) => `concat('item ', toString(cityHash64(number, ${s}) % 50000))`],
  ['is_open', (s) => `if(cityHash64(number, ${s}) % 3 = 0, 'true', 'false')`],
  ['rate_pct', (s) => `concat(toString(cityHash64(number, ${s}) % 100), '%')`],
  ['price_usd', (s) => `concat('$', toString(cityHash64(number, ${s}) % 5000), '.', leftPad(toString(number % 100), 2, '0'))`],
  ['zip', (s) => `leftPad(toString(cityHash64(number, ${s}) % 99999), 5, '0')`],
  ['notes', (s) => `concat('free text ', toString(cityHash64(number, ${s}) % 1000), ' more words here')`],
  ['due_us', (s) => `formatDateTime(toDate('2020-01-01') + cityHash64(number, ${s}) % 1500, '%m/%d/%Y')`],
  ['score', (s) => `toString(round(cityHash64(number, ${s}) % 100000 / 7.0, 6))`],
];

interface Spec {
  table: string;
  rows: number;
  columns: Record<string, string>;
}

/** 14 tables, 237 columns; true FKs returned as ids `from->to`. */
export function schemaSpec(totalRows: number): { specs: Spec[]; fks: string[] } {
  const dimRows = DIM_ROWS.reduce((a, b) => a + b, 0);
  const factRows = Math.max(1000, totalRows - dimRows);
  const specs: Spec[] = [];
  const fks: string[] = [];
  const widths = [...Array(13).fill(17), 16] as number[];
  DIMS.forEach((d, i) => {
    const cols: Record<string, string> = { [`${d}_id`]: 'toString(number + 1)' };
    // Every other dimension references the next smaller one (snowflake).
    if (i % 2 === 0 && i + 1 < DIMS.length) {
      const p = DIMS[i + 1];
      cols[`${p}_id`] = `toString(cityHash64(number, 77) % ${DIM_ROWS[i + 1]} + 1)`;
      fks.push(`bench__${d}.${p}_id->bench__${p}.${p}_id`);
    }
    fill(cols, widths[specs.length], i * 100);
    specs.push({ table: `bench__${d}`, rows: DIM_ROWS[i], columns: cols });
  });
  FACTS.forEach((f, i) => {
    const cols: Record<string, string> = { [`${f}_id`]: 'toString(number + 1)' };
    for (let k = 0; k < 5; k++) {
      const d = DIMS[(i * 3 + k) % DIMS.length];
      cols[`${d}_id`] = `toString(cityHash64(number, ${k + 11}) % ${DIM_ROWS[DIMS.indexOf(d)]} + 1)`;
      fks.push(`bench__${f}.${d}_id->bench__${d}.${d}_id`);
    }
    fill(cols, widths[specs.length], 1000 + i * 100);
    specs.push({ table: `bench__${f}`, rows: Math.round(factRows * FACT_SHARE[i] / FACT_SHARE.reduce((a, b) => a + b, 0)), columns: cols });
  });
  return { specs, fks };
}

function fill(cols: Record<string, string>, width: number, salt: number): void {
  let k = 0;
  while (Object.keys(cols).length < width) {
    const [name, gen] = ATTRS[k % ATTRS.length];
    cols[k < ATTRS.length ? name : `${name}_${Math.floor(k / ATTRS.length)}`] = gen(salt + k);
    k++;
  }
}

export async function buildSchema(wh: Warehouse, totalRows: number): Promise<{ fks: string[]; columns: number; rows: number }> {
  const { specs, fks } = schemaSpec(totalRows);
  for (const s of specs) await bronzeFromSql(wh, s.table, s.columns, s.rows);
  return { fks, columns: specs.reduce((a, s) => a + Object.keys(s.columns).length, 0), rows: specs.reduce((a, s) => a + s.rows, 0) };
}

const bench: BenchCase = {
  name: 'discover-schema',
  description: 'Full discovery of 14 bronze tables / 237 columns / ~1M rows vs one full scan of every table',
  async run(): Promise<BenchResult[]> {
    const total = Number(process.env.KIMBALL_BENCH_SCHEMA_ROWS ?? 1_000_000);
    return withWorkspace('discover-schema', async ({ wh, context }) => {
      const built = await buildSchema(wh, total);
      const ctx = context();
      const tables = schemaSpec(total).specs.map((s) => s.table);
      // Both measurements start once the parts just written have merged.
      await mergesSettled(wh);
      const scan = await timed(async () => {
        for (const t of tables) await wh.query(`SELECT count() AS n FROM ${qualified('bronze', t)} WHERE NOT ignore(*)`);
      });
      const ours = await timed(() => discover(ctx));
      const found = new Set(ours.value.relationships.map((r) => r.id));
      const tp = built.fks.filter((id) => found.has(id)).length;
      process.stderr.write(`  ${tables.length} tables, ${built.columns} columns, ${built.rows} rows; FKs ${tp}/${built.fks.length} found, ${found.size - tp} false\n`);
      return [
        { name: `discover-schema ${tables.length}t/${built.columns}c/${built.rows} rows`, value: ours.ms, unit: 'ms', baseline: scan.ms, ratio: ours.ms / scan.ms, target: '< 5000 ms' },
        { name: 'discover-schema FK recall', value: tp / built.fks.length, unit: 'share', baseline: null, ratio: null, target: '>= 0.90' },
        { name: 'discover-schema FK precision', value: found.size ? tp / found.size : 0, unit: 'share', baseline: null, ratio: null, target: '>= 0.95' },
      ];
    });
  },
};
export default bench;
