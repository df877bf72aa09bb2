/**
 * Day two, as a seeded property (issue 12): random sequences of changes on small data — inserts, attribute
 * updates (SCD2-tracked ones too), measure updates, deletions (a reload without the rows), late-arriving
 * members, a column added at the source, a column removed, a type that drifts, and model edits (SCD1 <->
 * SCD2, tracked attributes, the product dimension and its reference, measures, silver column renames).
 * After every step an incremental run (databases *_i) and a full rebuild (databases *_f, `full: true`)
 * over the same bronze must both succeed (checks included), and then:
 *   1. every silver table of the incremental run equals the full rebuild's (read WITH FINAL, all columns);
 *   2. every gold table and wide view too, read WITHOUT FINAL;
 *   3. silver and gold equal the oracle computed here from the bronze rows written (test/helpers/day-two.ts);
 *   4. every fact key is a row of its dimension and each SCD2 key has one current row (plain queries);
 *   5. after a step without a model edit the incremental run rebuilt nothing in full.
 *
 * KIMBALL_PROPERTY_SEQUENCES (default 200 under `npm run test:property`, 10 in any other run such as
 * `npm test`), KIMBALL_PROPERTY_STEPS (steps of changes after the first load, default 2) and KIMBALL_PROPERTY_SEED
 * (the first sequence's seed; sequence i uses seed + i). A failure names its seed and how to run it alone.
 */
import { after, before, describe, test } from 'node:test';
import { join } from 'node:path';
import { rmSync } from 'node:fs';
import { removeDir, tempDir } from '../../helpers/warehouse';
import { customerAttributes, models, OBJECTS, oracleSilver, Rng, Scd2Oracle, silverColumns, silverName, TIMES, withDatabases, World, type Cell, type ModelConfig } from '../../helpers/day-two';
import { EmbeddedWarehouse } from '../../../src/core/warehouse/embedded';
import { ensureDatabases } from '../../../src/core/warehouse/catalog-queries';
import { qualified, quoteIdent } from '../../../src/core/warehouse/sql';
import type { DatabaseNames, Warehouse } from '../../../src/core/warehouse/warehouse';
import { generatePipeline, writePipeline } from '../../../src/core/build/generate';
import { runPipeline } from '../../../src/core/build/runner';
import type { Manifest, RunRecord } from '../../../src/core/build/build-types';
import { projectPaths } from '../../../src/core/project/paths';
import { silentLogger, type CoreContext } from '../../../src/core/context';
import { EnvSecretStore } from '../../../src/core/sources/source';

const SEQUENCES = Number(process.env.KIMBALL_PROPERTY_SEQUENCES ?? (process.env.npm_lifecycle_event === 'test:property' ? 200 : 10));
const STEPS = Number(process.env.KIMBALL_PROPERTY_STEPS ?? 2);
const SEED = Number(process.env.KIMBALL_PROPERTY_SEED ?? 12_000);
/** Change kinds to leave out while looking past a known failure (comma-separated, see CHANGE_KINDS); none by default. */
const SKIP = new Set((process.env.KIMBALL_PROPERTY_SKIP ?? '').split(',').filter(Boolean));
/** KIMBALL_PROPERTY_VERBOSE=1: print every sequence's history, passed or not. */
const VERBOSE = !!process.env.KIMBALL_PROPERTY_VERBOSE;

/** Steps at once within each run (the runner's default is 2): more overlap, and a shorter test. */
const PARALLELISM = 4;

const DB_I: DatabaseNames = { bronze: 'bronze', silver: 'silver_i', gold: 'gold_i', meta: 'meta_i' };
const DB_F: DatabaseNames = { bronze: 'bronze', silver: 'silver_f', gold: 'gold_f', meta: 'meta_f' };
const q = quoteIdent;
const UNKNOWN = '∅';

/** A property that does not hold: the message says what differs; the test adds the seed and the history. */
class Mismatch extends Error {}

function check(ok: boolean, what: string): void {
  if (!ok) throw new Mismatch(what);
}

/** Multiset difference of two row lists, for a readable message (up to 8 rows each way). */
function differ(what: string, got: string[], want: string[], gotName = 'incremental', wantName = 'full rebuild'): void {
  const count = (xs: string[]) => xs.reduce((m, x) => m.set(x, (m.get(x) ?? 0) + 1), new Map<string, number>());
  const a = count(got);
  const b = count(want);
  const only = (x: Map<string, number>, y: Map<string, number>) => [...x].flatMap(([k, n]) => Array<string>(Math.max(0, n - (y.get(k) ?? 0))).fill(k));
  const inGot = only(a, b);
  const inWant = only(b, a);
  if (inGot.length === 0 && inWant.length === 0) return;
  throw new Mismatch(
    `${what}: ${got.length} rows (${gotName}) vs ${want.length} (${wantName})\n` +
      `  only in ${gotName}:\n${inGot.slice(0, 8).map((r) => `    ${r}`).join('\n') || '    -'}\n` +
      `  only in ${wantName}:\n${inWant.slice(0, 8).map((r) => `    ${r}`).join('\n') || '    -'}`,
  );
}

/** The cells of each row of a query (every column selected as a String or NULL), one JSON array per row. */
async function cells(wh: Warehouse, sql: string): Promise<string[]> {
  const text = await wh.queryText(sql, 'JSONCompactEachRow');
  return text.split('\n').filter((l) => l !== '').map((l) => JSON.stringify(JSON.parse(l)));
}

const row = (...values: Cell[]): string => JSON.stringify(values);

describe('day two, property: incremental runs after random changes equal a full rebuild and the oracle', () => {
  let dir: string;
  let wh: EmbeddedWarehouse;
  let whF: Warehouse;
  let ctxI: CoreContext;
  let ctxF: CoreContext;
  const stepMs: number[] = [];
  const checkMs: number[] = [];
  let resetMs = 0;

  before(async () => {
    dir = tempDir('kimball-day-two-');
    wh = new EmbeddedWarehouse(join(dir, 'warehouse'), DB_I);
    whF = withDatabases(wh, DB_F);
    const ctx = (root: string, w: Warehouse): CoreContext => ({
      paths: projectPaths(join(dir, root)),
      project: { version: 1, warehouse: { mode: 'embedded' } },
      warehouse: w,
      secrets: new EnvSecretStore(),
      log: silentLogger,
    });
    ctxI = ctx('incremental', wh);
    ctxF = ctx('full', whF);
  });

  after(async () => {
    if (stepMs.length) {
      const total = stepMs.reduce((a, b) => a + b, 0);
      const checks = checkMs.reduce((a, b) => a + b, 0);
      process.stdout.write(
        `# day-two property: ${stepMs.length} steps, ${(total / stepMs.length).toFixed(0)} ms per step (loads, both runs, assertions: ${(checks / stepMs.length).toFixed(0)} ms), ` +
          `${(total / 1000).toFixed(1)} s in all, plus ${(resetMs / 1000).toFixed(1)} s of resets\n`,
      );
    }
    await wh?.close();
    if (dir) removeDir(dir);
  });

  /** Empty warehouse for a new sequence: bronze, silver, gold and meta of both sets, and no runs on disk. */
  async function reset(): Promise<void> {
    for (const db of new Set([...Object.values(DB_I), ...Object.values(DB_F)])) await wh.command(`DROP DATABASE IF EXISTS ${q(db)} SYNC`);
    await ensureDatabases(wh);
    await ensureDatabases(whF);
    for (const c of [ctxI, ctxF]) rmSync(c.paths.root, { recursive: true, force: true });
  }

  function build(ctx: CoreContext, cfg: ModelConfig): Manifest {
    const p = generatePipeline({ name: 'shop', ...models(cfg), databases: ctx.warehouse.databases, generatedAt: '2026-01-01T00:00:00Z' });
    writePipeline(ctx.paths, p, {});
    return p.manifest;
  }

  /** What went wrong in a run (every step that did not succeed, with its mode and error), or nothing. */
  function failures(run: RunRecord, which: string): string | undefined {
    const bad = run.steps.filter((s) => s.status !== 'succeeded').map((s) => `    ${s.id}: ${s.status}${s.mode ? ` (${s.mode}${s.reason ? `: ${s.reason}` : ''})` : ''} ${s.error ?? ''}`);
    return run.status === 'succeeded' && bad.length === 0 ? undefined : `the ${which} run ${run.status}:\n${bad.join('\n')}`;
  }

  // ---------------------------------------------------------------- 1, 2: incremental == full rebuild

  async function tableNames(db: string): Promise<{ name: string; engine: string }[]> {
    return wh.query<{ name: string; engine: string }>('SELECT name, engine FROM system.tables WHERE database = {db:String} ORDER BY name', { params: { db } });
  }

  async function columnsOf(db: string, table: string): Promise<string[]> {
    const rows = await wh.query<{ name: string; type: string }>('SELECT name, type FROM system.columns WHERE database = {db:String} AND table = {t:String} ORDER BY name', {
      params: { db, t: table },
    });
    return rows.map((r) => `${r.name} ${r.type}`);
  }

  /** Every table of a layer in both sets: the same tables, columns (name and type) and rows (silver with FINAL, gold as a plain query). */
  async function sameLayer(layer: 'silver' | 'gold'): Promise<void> {
    const a = await tableNames(DB_I[layer]);
    const b = await tableNames(DB_F[layer]);
    differ(`${layer} tables`, a.map((t) => t.name), b.map((t) => t.name));
    for (const t of a) {
      const ca = await columnsOf(DB_I[layer], t.name);
      differ(`${layer}.${t.name} columns`, ca, await columnsOf(DB_F[layer], t.name));
      // Every column, lineage included: both sets read the same bronze loads, so even load ids and versions agree.
      const list = ca.map((c) => q(c.slice(0, c.indexOf(' ')))).join(', ');
      const final = layer === 'silver' && t.engine.startsWith('Replacing') ? ' FINAL' : '';
      const read = async (db: string) => (await wh.queryText(`SELECT ${list} FROM ${qualified(db, t.name)}${final} ORDER BY ALL`, 'TSV')).split('\n').filter((l) => l !== '');
      differ(`${layer}.${t.name} rows${final ? ' (FINAL)' : ' (plain query)'}, columns ${ca.map((c) => c.slice(0, c.indexOf(' '))).join(' ')}`, await read(DB_I[layer]), await read(DB_F[layer]));
    }
  }

  // ---------------------------------------------------------------- 3: the oracle

  async function oracle(w: World, db: DatabaseNames, scd2: Scd2Oracle): Promise<void> {
    const cfg = w.cfg;
    const silver = { customers: oracleSilver(w, 'customers'), products: oracleSilver(w, 'products'), orders: oracleSilver(w, 'orders') };
    const s = (c: string) => `toString(${q(c)})`;
    for (const o of OBJECTS) {
      // The oracle reads the bronze rows the test wrote (latest load, then latest row per key); its keys are the source's own.
      differ(`oracle ${o} keys vs the source`, [...silver[o].keys()].sort(), [...w.rows[o].keys()].map((k) => (o === 'orders' ? String(Number(k)) : k)).sort(), 'oracle', 'source');
      const cols = silverColumns(cfg, o);
      const got = await cells(wh, `SELECT ${[...cols.map((c) => s(c.name)), q('_kimball_load_id'), s('_kimball_loaded_at')].join(', ')} FROM ${qualified(db.silver, o)} FINAL`);
      const want = [...silver[o].values()].map((r) => row(...cols.map((c) => r.values[c.name]), r.loadId, r.at));
      differ(`silver.${o} (FINAL) vs oracle`, got, want, 'silver', 'oracle');
    }

    // Dimensions, as a plain query reads them.
    const attrs = customerAttributes(cfg);
    const scd2Cols = cfg.customerScd === 2 ? ['valid_from', 'valid_to', 'is_current'] : [];
    const gotCustomers = await cells(
      wh,
      `SELECT toString(customer_key = 0), ${['customer_id', ...attrs.map((a) => a.name), ...scd2Cols].map(s).join(', ')}, _kimball_load_id FROM ${qualified(db.gold, 'dim_customer')}`,
    );
    // The unknown member: NULL natural key, 'Unknown' for text attributes, NULL for others.
    const unknownCustomer = row('1', null, ...attrs.map(() => 'Unknown'), ...(cfg.customerScd === 2 ? [TIMES.MIN_TIME, TIMES.MAX_TIME, '1'] : []), '');
    const wantCustomers =
      cfg.customerScd === 2
        ? scd2.versions.map((v) => row('0', v.nk, ...attrs.map((a) => v.attrs[a.name]), v.validFrom, v.validTo, v.current ? '1' : '0', v.loadId))
        : [...silver.customers.values()].map((r) => row('0', r.key, ...attrs.map((a) => r.values[a.column]), r.loadId));
    differ(`gold.dim_customer (SCD${cfg.customerScd}, plain query) vs oracle`, gotCustomers, [unknownCustomer, ...wantCustomers], 'gold', 'oracle');
    if (cfg.productDim) {
      const got = await cells(wh, `SELECT toString(product_key = 0), ${['product_id', 'name', 'category', 'price'].map(s).join(', ')}, _kimball_load_id FROM ${qualified(db.gold, 'dim_product')}`);
      const want = [row('1', null, 'Unknown', 'Unknown', null, ''), ...[...silver.products.values()].map((r) => row('0', r.key, r.values.name, r.values.category, r.values.price, r.loadId))];
      differ('gold.dim_product (plain query) vs oracle', got, want, 'gold', 'oracle');
    }
    const dates = [...silver.orders.values()].map((r) => r.values.order_date).filter((d): d is string => d !== null).sort();
    const days: string[] = [];
    if (dates.length) for (let t = Date.parse(dates[0]); t <= Date.parse(dates[dates.length - 1]); t += 86400_000) days.push(new Date(t).toISOString().slice(0, 10));
    differ('gold.dim_date days vs oracle', await cells(wh, `SELECT toString(date) FROM ${qualified(db.gold, 'dim_date')} WHERE date_key != 0`), days.map((d) => row(d)), 'gold', 'oracle');

    // The fact: one row per current order, its measures, and each key resolving to the member it should.
    const measures = [
      ...(cfg.measures.quantity ? [{ name: 'quantity', column: 'quantity' }] : []),
      ...(cfg.measures.amount ? [{ name: 'amount', column: silverName(cfg, 'orders', 'amount') }] : []),
      ...(cfg.discount && cfg.measures.discount ? [{ name: 'discount', column: 'discount' }] : []),
    ];
    const ref = silverName(cfg, 'orders', 'customer_id');
    const got = await cells(
      wh,
      `SELECT toString(f.order_id), ${measures.map((m) => `toString(f.${q(m.name)})`).join(', ')}${measures.length ? ', ' : ''}f._kimball_load_id, toString(f.order_date_key),\n` +
        `  if(f.customer_key = 0, '${UNKNOWN}', toString(c.customer_id))${cfg.customerScd === 2 ? `, if(f.customer_key = 0, '${UNKNOWN}', toString(c.valid_from))` : ''}` +
        `${cfg.productDim ? `, if(f.product_key = 0, '${UNKNOWN}', toString(p.product_id)), toString(p.name), toString(p.category), toString(p.price)` : ''}\n` +
        `FROM ${qualified(db.gold, 'order_lines')} AS f\nLEFT JOIN ${qualified(db.gold, 'dim_customer')} AS c ON f.customer_key = c.customer_key` +
        `${cfg.productDim ? `\nLEFT JOIN ${qualified(db.gold, 'dim_product')} AS p ON f.product_key = p.product_key` : ''}\nSETTINGS join_use_nulls = 1`,
    );
    const want = [...silver.orders.values()].map((o) => {
      const date = o.values.order_date;
      const nk = o.values[ref];
      let customer: Cell[];
      if (cfg.customerScd === 2) {
        const v = nk === null ? undefined : scd2.versionAt(nk, date);
        customer = v ? [v.nk, v.validFrom] : [UNKNOWN, UNKNOWN];
      } else {
        customer = nk !== null && silver.customers.has(nk) ? [nk] : [UNKNOWN];
      }
      const pk = o.values.product_id;
      const product = pk !== null ? silver.products.get(pk) : undefined;
      return row(
        o.key,
        ...measures.map((m) => o.values[m.column]),
        o.loadId,
        date === null ? '0' : date.replace(/-/g, ''),
        ...customer,
        ...(cfg.productDim ? (product ? [product.key, product.values.name, product.values.category, product.values.price] : [UNKNOWN, 'Unknown', 'Unknown', null]) : []),
      );
    });
    differ('gold.order_lines joined to its dimensions (plain query) vs oracle', got, want, 'gold', 'oracle');

    const [totals] = await wh.query<{ n: string; amount: string | null }>(
      `SELECT toString(count()) AS n, ${cfg.measures.amount ? 'toString(sum(amount))' : 'NULL'} AS amount FROM ${qualified(db.gold, 'order_lines')}`,
    );
    check(Number(totals?.n) === silver.orders.size, `gold.order_lines: count() = ${totals?.n} without FINAL, the oracle has ${silver.orders.size} orders`);
    if (cfg.measures.amount) {
      const cents = [...silver.orders.values()].reduce((t, o) => t + Math.round(Number(o.values[silverName(cfg, 'orders', 'amount')] ?? 0) * 100), 0);
      check(Number(totals?.amount) === cents / 100, `gold.order_lines: sum(amount) = ${totals?.amount} without FINAL, the oracle says ${cents / 100}`);
    }
    const wide = await wh.query<{ n: string }>(`SELECT toString(count()) AS n FROM ${qualified(db.gold, 'order_lines_wide')}`);
    check(Number(wide[0]?.n) === silver.orders.size, `gold.order_lines_wide: ${wide[0]?.n} rows, the oracle has ${silver.orders.size} orders`);
  }

  // ---------------------------------------------------------------- 4: plain-query invariants

  async function invariants(cfg: ModelConfig, db: DatabaseNames, which: string): Promise<void> {
    const refs: [string, string, string][] = [
      ['customer_key', 'dim_customer', 'customer_key'],
      ...(cfg.productDim ? [['product_key', 'dim_product', 'product_key'] as [string, string, string]] : []),
      ['order_date_key', 'dim_date', 'date_key'],
    ];
    for (const [key, dimName, sk] of refs) {
      const [r] = await wh.query<{ n: string; sample: string[] }>(
        `SELECT toString(count()) AS n, arrayMap(x -> toString(x), groupArray(5)(${q(key)})) AS sample FROM ${qualified(db.gold, 'order_lines')} WHERE ${q(key)} NOT IN (SELECT ${q(sk)} FROM ${qualified(db.gold, dimName)})`,
      );
      check(Number(r?.n) === 0, `${which}: ${r?.n} gold.order_lines.${key} values are not rows of ${dimName} (plain query), e.g. ${JSON.stringify(r?.sample)}`);
      const [u] = await wh.query<{ n: string }>(`SELECT toString(count() - uniqExact(${q(sk)})) AS n FROM ${qualified(db.gold, dimName)}`);
      check(Number(u?.n) === 0, `${which}: gold.${dimName} has ${u?.n} duplicate ${sk} rows (plain query)`);
    }
    if (cfg.customerScd === 2) {
      const bad = await cells(
        wh,
        // A member silver still holds has exactly one current row; one deleted at the source none (its versions closed).
        `SELECT toString(customer_id), toString(countIf(is_current = 1)) FROM ${qualified(db.gold, 'dim_customer')} WHERE customer_key != 0 GROUP BY customer_id ` +
          `HAVING countIf(is_current = 1) != if(customer_id IN (SELECT customer_id FROM ${qualified(db.silver, 'customers')} FINAL), 1, 0)`,
      );
      check(bad.length === 0, `${which}: SCD2 keys without exactly one current row per member silver holds (none for a deleted one) in gold.dim_customer (plain query): ${bad.slice(0, 5).join(' ')}`);
    }
  }

  // ---------------------------------------------------------------- the sequences

  for (let i = 0; i < SEQUENCES; i++) {
    const seed = SEED + i;
    test(`sequence ${i + 1}/${SEQUENCES} (seed ${seed}, ${STEPS} steps)`, async () => {
      const r0 = performance.now();
      await reset();
      resetMs += performance.now() - r0;
      const w = new World(new Rng(seed), `s${seed}`, SKIP);
      const scd2 = new Scd2Oracle();
      let fingerprint: string | undefined;
      let model = '';
      let step = 0;
      try {
        w.initial();
        for (; step <= STEPS; step++) {
          const t0 = performance.now();
          if (step > 0) {
            w.log.push(`step ${step}:`);
            w.step();
          }
          await w.writeLoads(wh);
          const manifestI = build(ctxI, w.cfg);
          const manifestF = build(ctxF, w.cfg);
          // Both sets at once on the one engine (their silver, gold and meta databases are apart; bronze is only read).
          const [runI, runF] = await Promise.all([runPipeline(ctxI, { manifest: manifestI, parallelism: PARALLELISM }), runPipeline(ctxF, { manifest: manifestF, full: true, parallelism: PARALLELISM })]);
          const t1 = performance.now();
          // SCD2 history starts again when the dimension's own SQL changed (SCD1 -> SCD2 included).
          const fp = manifestI.steps.find((s) => s.id === 'gold.dim_customer')?.fingerprint;
          if (fp !== fingerprint) scd2.restart();
          fingerprint = fp;
          if (w.cfg.customerScd === 2) scd2.apply(w.cfg, oracleSilver(w, 'customers'));
          const modelChanged = JSON.stringify(w.cfg) !== model;
          model = JSON.stringify(w.cfg);
          const properties = async () => {
            // 5. Without a model edit nothing is rebuilt in full: the incremental run really is one.
            const rebuilt = runI.steps.filter((s) => s.mode === 'full').map((s) => `${s.id} (${s.reason ?? 'no reason'})`);
            check(step === 0 || modelChanged || rebuilt.length === 0, `the incremental run rebuilt steps in full with no model edit: ${rebuilt.join(', ')}`);
            await sameLayer('silver');
            await sameLayer('gold');
            await oracle(w, DB_I, scd2);
            await invariants(w.cfg, DB_I, 'incremental');
            await invariants(w.cfg, DB_F, 'full rebuild');
          };
          const failed = [failures(runI, 'incremental'), failures(runF, 'full')].filter((x): x is string => !!x);
          if (failed.length) {
            // A failed run fails the sequence; the tables it left are compared too, for the report.
            let then = 'the tables it left pass every comparison';
            await properties().catch((err: unknown) => (then = `the tables it left: ${err instanceof Error ? err.message : String(err)}`));
            throw new Mismatch(`${failed.join('\n')}\n${then}`);
          }
          await properties();
          stepMs.push(performance.now() - t0);
          checkMs.push(performance.now() - t1);
        }
        if (VERBOSE) process.stdout.write(`# seed ${seed}:\n#   ${w.log.join('\n#   ')}\n`);
      } catch (err) {
        // Any failure (a property, or an error of the test's own SQL) names the seed, the way to run it alone and the history.
        const how = `KIMBALL_PROPERTY_SEED=${seed} KIMBALL_PROPERTY_SEQUENCES=1 KIMBALL_PROPERTY_STEPS=${STEPS}${SKIP.size ? ` KIMBALL_PROPERTY_SKIP=${[...SKIP].join(',')}` : ''} npm run test:property`;
        const what = err instanceof Mismatch ? err.message : `error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`;
        throw new Error(`seed ${seed}, step ${step} of ${STEPS} (reproduce: ${how})\n${what}\nhistory:\n  ${w.log.join('\n  ')}`, { cause: err });
      }
    });
  }
});
