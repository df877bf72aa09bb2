/**
 * Missing values are one concept from discovery to the run: CSV files written as R (NA, quoted strings),
 * pandas (empty fields), Excel (#N/A) and people (N/A, null, -) -> acquire -> discover -> model -> build ->
 * run on the embedded warehouse. The catalog lists the tokens per column, silver holds NULL for them in
 * every type, the conversion check counts what the catalog counted, and a user's choice of tokens
 * survives the next discovery and changes silver.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { embeddedWarehouse } from '../../helpers/warehouse';
import { cliWorkspace, type CliResult } from '../../helpers/cli';
import { projectPaths } from '../../../src/core/project/paths';
import { writeSource } from '../../../src/core/sources';
import { EnvSecretStore } from '../../../src/core/sources/source';
import { acquire } from '../../../src/core/acquire';
import { discover } from '../../../src/core/discover';
import { setMissingTokens } from '../../../src/core/discover/catalog';
import { SAMPLE_ROWS } from '../../../src/core/discover/profile';
import { sqlString } from '../../../src/core/discover/missing';
import type { Catalog, CatalogColumn } from '../../../src/core/discover/catalog-types';
import { proposeErd } from '../../../src/core/model/erd-proposal';
import { proposeStar } from '../../../src/core/model/star-proposal';
import { generatePipeline, writePipeline } from '../../../src/core/build/generate';
import { runPipeline } from '../../../src/core/build/runner';
import { readManifest } from '../../../src/core/build';
import type { RunRecord } from '../../../src/core/build/build-types';
import { silentLogger, type CoreContext } from '../../../src/core/context';
import type { Warehouse } from '../../../src/core/warehouse/warehouse';

const ROWS = 40;
const day = (i: number): string => `2024-01-${String((i % 28) + 1).padStart(2, '0')}`;
/** Rows 3, 13, 23, 33 hold the missing token in every column but the id. */
const isGap = (i: number): boolean => i % 10 === 3;

/** Rows of a later export where a quantity is the text "abc" (a real bad value). */
const isBad = (i: number): boolean => i % 10 === 7;

/** R's write.csv(row.names = FALSE): strings and dates quoted, numbers bare, NA bare. */
function rCsv(withBad = false): string {
  const q = (s: string) => `"${s}"`;
  const lines = ['"id","customer","order_date","quantity","amount"'];
  for (let i = 0; i < ROWS; i++) {
    const quantity = withBad && isBad(i) ? q('abc') : String(i % 9);
    lines.push(isGap(i) ? `${i + 1},NA,NA,NA,NA` : `${i + 1},${q(`Customer ${i % 7}`)},${q(day(i))},${quantity},${(i * 1.25).toFixed(2)}`);
  }
  return lines.join('\n') + '\n';
}

/** pandas' to_csv(index=False): NaN as an empty field. */
function pandasCsv(): string {
  const lines = ['id,city,visit_date,visits,spend'];
  for (let i = 0; i < ROWS; i++) lines.push(isGap(i) ? `${i + 1},,,,` : `${i + 1},City ${i % 5},${day(i)},${i % 6},${(i * 2.5).toFixed(2)}`);
  return lines.join('\n') + '\n';
}

/** Excel's "CSV UTF-8" export: CRLF line ends, #N/A where a formula found nothing. */
function excelCsv(): string {
  const lines = ['id,region,closed_on,units,price'];
  for (let i = 0; i < ROWS; i++) lines.push(isGap(i) ? `${i + 1},#N/A,#N/A,#N/A,#N/A` : `${i + 1},Region ${i % 4},${day(i)},${i % 11},${(10 + i * 0.5).toFixed(2)}`);
  return lines.join('\r\n') + '\r\n';
}

/** Hand-typed sheets: N/A in one column, null in another, - in the others; `status` also says "unknown". */
function handCsv(): string {
  const lines = ['id,status,due_date,priority,cost'];
  for (let i = 0; i < ROWS; i++) {
    const status = isGap(i) ? '-' : i % 10 === 5 ? 'unknown' : `state ${i % 3}`;
    lines.push(isGap(i) ? `${i + 1},${status},N/A,null,-` : `${i + 1},${status},${day(i)},${i % 5},${(i * 3.75).toFixed(2)}`);
  }
  return lines.join('\n') + '\n';
}

/** A table above the profiling sample whose only NA (a year) a sample may miss: nullability must still be counted exactly. */
function bigCsv(): string {
  const lines = ['id,year'];
  const rows = SAMPLE_ROWS + 5000;
  for (let i = 0; i < rows; i++) lines.push(`${i + 1},${i === 17_321 ? 'NA' : 1990 + (i % 30)}`);
  return lines.join('\n') + '\n';
}

interface Env {
  wh: Warehouse;
  ctx: CoreContext;
  data: string;
  dispose: () => Promise<void>;
}

const col = (c: Catalog, table: string, column: string): CatalogColumn => {
  const found = c.tables.find((t) => t.name === table)?.columns.find((x) => x.name === column);
  assert.ok(found, `${table}.${column} in the catalog`);
  return found;
};

const num = async (wh: Warehouse, sql: string): Promise<number> => Number(Object.values((await wh.query(sql))[0] ?? {})[0]);

/** Discover, propose the models, build and run: what a user does after acquiring. */
async function buildAndRun(env: Env): Promise<{ catalog: Catalog; run: RunRecord }> {
  const catalog = await discover(env.ctx);
  const erd = proposeErd(catalog, { name: 'mv' });
  const star = proposeStar(erd, catalog, { name: 'mv' });
  const p = generatePipeline({ name: 'mv', erd, star, catalog, databases: env.wh.databases });
  writePipeline(env.ctx.paths, p, {});
  return { catalog, run: await runPipeline(env.ctx, { manifest: p.manifest }) };
}

function failures(run: RunRecord): string[] {
  return run.steps.filter((s) => s.status !== 'succeeded').map((s) => `${s.id} ${s.status}: ${s.error ?? ''}`);
}

describe('build: missing values (NA, #N/A, N/A, null, -, empty) end to end', () => {
  let env: Env;
  let first: { catalog: Catalog; run: RunRecord };
  before(async () => {
    const { wh, dir, dispose } = await embeddedWarehouse();
    const paths = projectPaths(dir);
    const ctx: CoreContext = { paths, project: { version: 1, warehouse: { mode: 'embedded' } }, warehouse: wh, secrets: new EnvSecretStore(), log: silentLogger };
    const data = join(dir, 'data');
    mkdirSync(data, { recursive: true });
    writeFileSync(join(data, 'r_orders.csv'), rCsv());
    writeFileSync(join(data, 'pandas_visits.csv'), pandasCsv());
    writeFileSync(join(data, 'excel_deals.csv'), excelCsv());
    writeFileSync(join(data, 'hand_tasks.csv'), handCsv());
    writeFileSync(join(data, 'big_years.csv'), bigCsv());
    writeSource(paths, { kind: 'files', name: 'mv', path: data });
    env = { wh, ctx, data, dispose };
    const loads = await acquire(ctx);
    assert.deepEqual(loads.filter((l) => l.status === 'failed'), []);
    first = await buildAndRun(env);
  });
  after(async () => env?.dispose());

  test('the run succeeds: no conversion check counts a missing value as a failure', () => {
    assert.deepEqual(failures(first.run), []);
    assert.equal(first.run.status, 'succeeded');
  });

  test('the catalog lists the missing tokens per column, and those columns are typed and nullable', () => {
    const c = first.catalog;
    const expect: [string, string, string[], string][] = [
      ['mv__r_orders', 'customer', ['NA'], 'String'],
      ['mv__r_orders', 'order_date', ['NA'], 'Date'],
      ['mv__r_orders', 'quantity', ['NA'], 'Int32'],
      ['mv__r_orders', 'amount', ['NA'], 'Decimal(18,2)'],
      ['mv__excel_deals', 'region', ['#N/A'], 'String'],
      ['mv__excel_deals', 'closed_on', ['#N/A'], 'Date'],
      ['mv__excel_deals', 'units', ['#N/A'], 'Int32'],
      ['mv__excel_deals', 'price', ['#N/A'], 'Decimal(18,2)'],
      ['mv__hand_tasks', 'status', ['-'], 'String'],
      ['mv__hand_tasks', 'due_date', ['N/A'], 'Date'],
      ['mv__hand_tasks', 'priority', ['null'], 'Int32'],
      ['mv__hand_tasks', 'cost', ['-'], 'Decimal(18,2)'],
      ['mv__pandas_visits', 'visits', [], 'Int32'],
      ['mv__big_years', 'year', ['NA'], 'Int32'],
    ];
    for (const [table, column, tokens, type] of expect) {
      const x = col(c, table, column);
      assert.deepEqual(x.missingTokens, tokens, `${table}.${column} tokens`);
      assert.match(x.inferred.type, new RegExp(`^(LowCardinality\\()?${type.replace(/[()]/g, '\\$&')}\\)?$`), `${table}.${column} type`);
      assert.equal(x.inferred.nullable, true, `${table}.${column} nullable`);
      assert.equal(x.inferred.convertRate, 1, `${table}.${column}: a missing value is no conversion failure`);
    }
    assert.deepEqual(col(c, 'mv__r_orders', 'id').missingTokens, []);
    assert.equal(col(c, 'mv__r_orders', 'id').inferred.nullable, false);
    // Counted on the whole table, not on the profiling sample that may have missed the one NA.
    assert.equal(c.tables.find((t) => t.name === 'mv__big_years')?.sampled, true);
    assert.match(col(c, 'mv__big_years', 'year').inferred.notes.join('; '), /1 value\(s\) written as "NA" treated as missing/);
  });

  test('silver holds NULL for every token and empty value, in text, integer, date and decimal columns', async () => {
    const { wh } = env;
    const gaps = Array.from({ length: ROWS }, (_, i) => i).filter(isGap).length;
    const tables: [string, string[]][] = [
      ['r_orders', ['customer', 'order_date', 'quantity', 'amount']],
      ['pandas_visits', ['city', 'visit_date', 'visits', 'spend']],
      ['excel_deals', ['region', 'closed_on', 'units', 'price']],
      ['hand_tasks', ['status', 'due_date', 'priority', 'cost']],
    ];
    for (const [table, columns] of tables) {
      for (const c of columns) {
        const type = await num(wh, `SELECT startsWith(type, 'Nullable') OR startsWith(type, 'LowCardinality(Nullable') FROM system.columns WHERE database = 'silver' AND table = '${table}' AND name = '${c}'`);
        assert.equal(type, 1, `silver ${table}.${c} is Nullable`);
        assert.equal(await num(wh, `SELECT countIf(\`${c}\` IS NULL) FROM silver.\`${table}\` FINAL`), gaps, `silver ${table}.${c}: NULL where the source had no value`);
      }
    }
    assert.equal(await num(wh, "SELECT countIf(customer IN ('NA', '')) FROM silver.r_orders FINAL"), 0, 'no NA text in silver');
    assert.equal(await num(wh, "SELECT countIf(region = '#N/A') FROM silver.excel_deals FINAL"), 0);
    assert.equal(await num(wh, "SELECT countIf(status = '-') FROM silver.hand_tasks FINAL"), 0);
    // The values around the gaps convert: nothing else became NULL, and no NA became 0 or 1970-01-01.
    assert.equal(await num(wh, 'SELECT sum(quantity) FROM silver.r_orders FINAL'), Array.from({ length: ROWS }, (_, i) => (isGap(i) ? 0 : i % 9)).reduce((a, b) => a + b, 0));
    assert.equal(await num(wh, "SELECT countIf(order_date = '1970-01-01') FROM silver.r_orders FINAL"), 0);
    assert.equal(await num(wh, 'SELECT countIf(year IS NULL) FROM silver.big_years FINAL'), 1);
    assert.equal(await num(wh, 'SELECT countIf(year = 0) FROM silver.big_years FINAL'), 0);
  });

  test('the conversion check counts exactly what the catalog counted: missing values apart from failures', () => {
    const conv = first.run.steps.find((s) => s.id === 'check.silver.r_orders.conversion');
    const figures = JSON.parse(conv?.result ?? '{}') as Record<string, unknown>;
    const gaps = Array.from({ length: ROWS }, (_, i) => i).filter(isGap).length;
    for (const c of ['customer', 'order_date', 'quantity', 'amount']) {
      assert.equal(Number(figures[`${c}.failed`]), 0, `${c}.failed`);
      assert.equal(Number(figures[`${c}.missing`]), gaps, `${c}.missing`);
      assert.equal(Number(figures[`${c}.present`]), ROWS - gaps, `${c}.present`);
    }
  });

  test("a user's tokens survive the next discovery and change silver", async () => {
    const { wh, ctx } = env;
    // "-" is a real status here, and "unknown" means no value.
    setMissingTokens(ctx.paths, 'bronze', 'mv__hand_tasks', 'status', ['unknown']);
    // No token at all: "null" is then a value like any other, and a tenth of the column is no number: text.
    setMissingTokens(ctx.paths, 'bronze', 'mv__hand_tasks', 'priority', []);
    const again = await buildAndRun(env);
    assert.deepEqual(failures(again.run), []);
    assert.deepEqual(col(again.catalog, 'mv__hand_tasks', 'status').missingTokens, ['unknown']);
    assert.deepEqual(again.catalog.decisions.missingTokens?.['mv__hand_tasks.status'], ['unknown']);
    assert.deepEqual(col(again.catalog, 'mv__hand_tasks', 'priority').missingTokens, []);
    assert.match(col(again.catalog, 'mv__hand_tasks', 'priority').inferred.type, /String/);
    const gaps = Array.from({ length: ROWS }, (_, i) => i).filter(isGap).length;
    const unknown = Array.from({ length: ROWS }, (_, i) => i).filter((i) => i % 10 === 5).length;
    assert.equal(await num(wh, "SELECT countIf(status = '-') FROM silver.hand_tasks FINAL"), gaps, '"-" is kept as text');
    assert.equal(await num(wh, 'SELECT countIf(status IS NULL) FROM silver.hand_tasks FINAL'), unknown, '"unknown" is NULL');
    assert.equal(await num(wh, "SELECT countIf(priority = 'null') FROM silver.hand_tasks FINAL"), gaps, '"null" is kept as text');
    // Untouched columns keep what discovery found.
    assert.deepEqual(col(again.catalog, 'mv__hand_tasks', 'due_date').missingTokens, ['N/A']);
    assert.equal(await num(wh, 'SELECT countIf(due_date IS NULL) FROM silver.hand_tasks FINAL'), gaps);
  });

  test('any token reaches ClickHouse as the same text: quotes, backslashes, control characters, unicode', async () => {
    for (const token of ["it's", 'a\\b', "x'); DROP TABLE silver.r_orders; --", 'tab\there', 'line\nbreak;\n', '\x00\x7f', 'n/a ünïcode', '{x:String}']) {
      const [r] = await env.wh.query<{ same: number | string }>(`SELECT ${sqlString(token)} = {t:String} AS same`, { params: { t: token } });
      assert.equal(Number(r.same), 1, JSON.stringify(token));
    }
  });

  test('a real bad value above the tolerance fails the check with one line naming table, column, count and samples', async () => {
    const { wh, ctx, data } = env;
    // A new export where a tenth of the quantities are "abc": far above the 1% the catalog allows.
    writeFileSync(join(data, 'r_orders.csv'), rCsv(true));
    const loads = await acquire(ctx, { sources: ['mv'], objects: ['r_orders'] });
    assert.deepEqual(loads.map((l) => l.status), ['loaded']);
    const abc = Array.from({ length: ROWS }, (_, i) => i).filter(isBad).length;
    const gaps = Array.from({ length: ROWS }, (_, i) => i).filter(isGap).length;
    assert.equal(await num(wh, "SELECT countIf(quantity = 'abc') FROM bronze.mv__r_orders"), abc);
    // Built before the bad export: the catalog saw no failure, so the check allows floor(1% of 36) = 0.
    const run = await runPipeline(ctx, { manifest: readManifest(ctx.paths) });
    assert.equal(run.status, 'failed');
    const step = run.steps.find((s) => s.id === 'check.silver.r_orders.conversion');
    assert.equal(step?.status, 'failed');
    const error = step?.error ?? '';
    assert.ok(!error.includes('\n'), 'one line');
    assert.equal(
      error,
      `check failed: silver r_orders.quantity: ${abc} of ${ROWS - gaps} values of bronze mv__r_orders.quantity do not convert to Int32 (NULL in silver; 0 allowed), ` +
        `e.g. "abc"; fix: correct them in the source, list them as missing values (kimball catalog missing mv__r_orders quantity <values>) ` +
        'or change the type (kimball catalog type mv__r_orders quantity <type>), then discover and build again',
    );
    assert.equal(step?.result, error.replace(/^check failed: /, ''));
    assert.ok(step?.log.some((l) => l.includes('"quantity.failed"')), 'the figures are in the log');
    // The bad values are NULL in silver and counted, never 0.
    assert.equal(await num(wh, 'SELECT countIf(quantity IS NULL) FROM silver.r_orders FINAL'), abc + gaps);
    assert.equal(await num(wh, 'SELECT countIf(quantity = 0) FROM silver.r_orders FINAL'), Array.from({ length: ROWS }, (_, i) => i).filter((i) => !isGap(i) && !isBad(i) && i % 9 === 0).length);
  });
});

describe('CLI: kimball catalog missing, and a failed check as one line (dist/cli.js: npm run build first)', () => {
  const { kimball } = cliWorkspace('cli-missing-');
  const ok = (r: CliResult): CliResult => {
    assert.equal(r.code, 0, r.stderr);
    return r;
  };
  type Missing = { table: string; column: string; missingTokens: string[]; chosenByUser: boolean };
  const missing = (...args: string[]): Missing => JSON.parse(ok(kimball('catalog', 'missing', 'crm__visits', ...args, '--json')).stdout) as Missing;

  test('show, choose, clear and hand back the tokens of a column; the choice survives discover', () => {
    ok(kimball('init'));
    ok(kimball('sql', 'CREATE TABLE bronze.crm__visits (id String, qty String, note String, _kimball_source String, _kimball_object String, _kimball_load_id String, _kimball_row UInt64, _kimball_loaded_at DateTime64(3)) ENGINE = MergeTree ORDER BY tuple()'));
    ok(kimball('sql', "INSERT INTO bronze.crm__visits (id, qty, note, _kimball_load_id, _kimball_row) SELECT toString(number + 1), if(number % 10 = 3, 'NA', toString(number % 7)), if(number % 10 = 3, 'N/A', concat('note ', toString(number % 4))), 'l1', number + 1 FROM numbers(60)"));
    ok(kimball('discover'));
    assert.deepEqual(missing('qty'), { table: 'crm__visits', column: 'qty', missingTokens: ['NA'], chosenByUser: false });
    assert.match(ok(kimball('catalog', 'missing', 'crm__visits', 'note')).stdout, /^crm__visits\.note: "N\/A" \(found by discovery\)\n$/);
    assert.deepEqual(missing('note', 'N/A', 'note 0').missingTokens, ['N/A', 'note 0']);
    ok(kimball('discover'));
    assert.deepEqual(missing('note'), { table: 'crm__visits', column: 'note', missingTokens: ['N/A', 'note 0'], chosenByUser: true });
    assert.match(ok(kimball('catalog', 'profile', 'crm__visits')).stdout, /- \*\*Missing values:\*\* empty and `N\/A`, `note 0` \(NULL in silver\)/);
    assert.deepEqual(missing('note', '--none').missingTokens, []);
    ok(kimball('discover'));
    assert.deepEqual(missing('note').missingTokens, []);
    assert.equal(missing('note', '--reset').chosenByUser, false);
    ok(kimball('discover'));
    assert.deepEqual(missing('note').missingTokens, ['N/A'], 'discovery chooses again');
    const both = kimball('catalog', 'missing', 'crm__visits', 'note', 'NA', '--none');
    assert.equal(both.code, 1);
    assert.match(both.stderr, /^kimball: Give the tokens, --none or --reset: only one of them\.\n$/);
    const empty = kimball('catalog', 'missing', 'crm__visits', 'note', '');
    assert.equal(empty.code, 1);
    assert.match(empty.stderr, /^kimball: An empty value is always missing/);
    const nope = kimball('catalog', 'missing', 'crm__visits', 'nope', 'NA');
    assert.equal(nope.code, 1);
    assert.match(nope.stderr, /^kimball: Table crm__visits has no column nope\.\n$/);
  });

  test('a run on NA values succeeds; a later bad value fails it with one line naming the column, the count and the value', () => {
    ok(kimball('model', 'erd'));
    ok(kimball('model', 'star'));
    ok(kimball('build'));
    ok(kimball('run'));
    ok(kimball('sql', "INSERT INTO bronze.crm__visits (id, qty, note, _kimball_load_id, _kimball_row) SELECT toString(number + 100), 'abc', 'x', 'l2', number + 1 FROM numbers(5)"));
    const run = kimball('run');
    assert.equal(run.code, 1);
    const lines = run.stderr.trim().split('\n');
    const last = lines[lines.length - 1];
    assert.match(last, /^kimball: run \S+ failed: 1 step\(s\) failed, first check\.silver\.visits\.conversion: check failed: silver visits\.qty: 5 of 59 values of bronze crm__visits\.qty do not convert to Int32 \(NULL in silver; 0 allowed\), e\.g\. "abc"; fix: .*kimball catalog missing crm__visits qty/);
    assert.match(run.stdout, /check failed: check\.silver\.visits\.conversion silver visits\.qty: 5 of 59 values/);
  });
});
