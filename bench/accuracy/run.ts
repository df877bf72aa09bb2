/**
 * Accuracy of discovery and modelling on the corpus (test/fixtures/corpus): for every dataset, a fresh
 * embedded warehouse, the data acquired through the project's own sources (files, or a throwaway
 * PostgreSQL database with its documented PK/FK constraints declared), discovery, the proposed ERD
 * and star; then scores against the documented ground truth (bench/accuracy/score.ts).
 *
 *   node --import tsx bench/accuracy/run.ts [--part dev|holdout|synthetic|all|dev,holdout] [--dataset NAME...] [--verbose] [--check]
 *   (--check: build, load and compare the data with its documentation only; no discovery, no scores)
 *   npm run bench -- accuracy        (all parts, through bench/run.ts)
 *
 * Prints each part separately (holdout = unseen data) and writes bench/results.json (BenchResult[])
 * plus a detailed report in bench/data/accuracy/report.json. Exits non-zero when a dataset cannot be
 * built, loaded, discovered or modelled; low scores never fail it: it is a measurement.
 */
import { createReadStream, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Client } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { BenchResult } from '../harness';
import { withWorkspace } from '../harness';
import { acquire, sanitizeName } from '../../src/core/acquire';
import { discover } from '../../src/core/discover';
import type { Catalog } from '../../src/core/discover/catalog-types';
import { designStarFile, generateErdFile } from '../../src/core/model/service';
import type { ErdModel, StarModel } from '../../src/core/model/model-types';
import { loadProject } from '../../src/core/project/project';
import { writeSource } from '../../src/core/sources';
import { EnvSecretStore, secretEnvName } from '../../src/core/sources/source';
import { qualified, quoteIdent } from '../../src/core/warehouse/sql';
import type { Warehouse } from '../../src/core/warehouse/warehouse';
import type { CoreContext } from '../../src/core/context';
import type { ProjectPaths } from '../../src/core/project/paths';
import { messyShop, retailStar, tpch, type Truth } from '../../test/fixtures/discover/schemas';
import { postgresAvailable, startPostgres, type PostgresService } from '../../test/services/postgres';
import { buildDataset } from './build';
import { emptyScore, scoreDataset, summarize, type DatasetScore, type NameMap, type PartSummary } from './score';
import { ACCURACY_DATA, columnTruth, loadManifest, loadTruth, type DatasetTruth, type Part } from './truth';

type RunPart = Part | 'synthetic';
const PARTS: RunPart[] = ['dev', 'holdout', 'synthetic'];
const PART_TITLE: Record<RunPart, string> = { dev: 'development', holdout: 'held-out (unseen)', synthetic: 'synthetic (test/fixtures/discover)' };

export interface AccuracyOptions {
  parts: RunPart[];
  datasets?: string[];
  verbose?: boolean;
  /** Build, load and check the data against its documentation only: no discovery, no scores. */
  check?: boolean;
  log?: (line: string) => void;
}

export interface AccuracyReport {
  scores: DatasetScore[];
  summaries: Partial<Record<RunPart, PartSummary>>;
  results: BenchResult[];
  failed: string[];
}

// ---------------------------------------------------------------- loading

/** The header of a CSV file written by the build (names may be quoted; none holds a comma). */
function csvHeader(file: string): string[] {
  const first = readFileSync(file, 'utf8').split('\n', 1)[0];
  return first.split(',').map((h) => h.replace(/^"|"$/g, '').replace(/""/g, '"'));
}

const PG_TYPES: Record<string, string> = { integer: 'bigint', number: 'double precision', date: 'date', datetime: 'timestamp', boolean: 'boolean', string: 'text' };

/** A database per dataset with typed columns (documented types), the documented keys and references declared, then the CSVs copied in. */
async function loadPostgres(pg: PostgresService, truth: DatasetTruth, dir: string): Promise<string> {
  const database = `corpus_${truth.name}`;
  await pg.sql(`DROP DATABASE IF EXISTS "${database}"`);
  await pg.sql(`CREATE DATABASE "${database}"`);
  const c = new Client({ host: pg.host, port: pg.port, user: pg.user, password: pg.password, database });
  await c.connect();
  const q = (s: string) => `"${s.replace(/"/g, '""')}"`;
  const cols = (xs: string[]) => xs.map(q).join(', ');
  try {
    for (const [t, tt] of Object.entries(truth.tables)) {
      const file = join(dir, `${t}.csv`);
      const header = csvHeader(file);
      const defs = header.map((h) => `${q(h)} ${PG_TYPES[columnTruth(tt, h).types?.[0] ?? 'string'] ?? 'text'}`);
      await c.query(`CREATE TABLE ${q(t)} (${defs.join(', ')})`);
      // R writes a missing value as an unquoted NA (text is quoted): a NULL in the database.
      await pipeline(createReadStream(file), c.query(copyFrom(`COPY ${q(t)} FROM STDIN WITH (FORMAT csv, HEADER true${truth.source.package.startsWith('r-cran-') ? ", NULL 'NA'" : ''})`)));
      if (tt.primaryKey) await c.query(`ALTER TABLE ${q(t)} ADD PRIMARY KEY (${cols(tt.primaryKey)})`);
      for (const k of tt.alternateKeys ?? []) await c.query(`ALTER TABLE ${q(t)} ADD UNIQUE (${cols(k)})`);
    }
    // Partial references are declared NOT VALID: the constraint is documented, the old rows are not checked.
    for (const fk of truth.foreignKeys) {
      await c.query(`ALTER TABLE ${q(fk.from)} ADD FOREIGN KEY (${cols(fk.columns)}) REFERENCES ${q(fk.to)} (${cols(fk.toColumns)})${fk.partial ? ' NOT VALID' : ''}`);
    }
    await c.query('ANALYZE');
  } finally {
    await c.end();
  }
  return database;
}

/** Source column names as the load sanitizes them (the acquire module's own function). */
function nameMap(tables: Map<string, string>): NameMap {
  return { table: (t) => tables.get(t), column: (_t, c) => sanitizeName(c) || undefined };
}

/** Where the data disagrees with its documentation: duplicate or empty documented keys, orphaned references. */
async function checkTruth(wh: Warehouse, truth: DatasetTruth, names: NameMap): Promise<string[]> {
  const db = wh.databases.bronze;
  const out: string[] = [];
  const tuple = (t: string, cs: string[]) => `tuple(${cs.map((c) => quoteIdent(names.column(t, c) ?? c)).join(', ')})`;
  const nonEmpty = (t: string, cs: string[]) => cs.map((c) => `${quoteIdent(names.column(t, c) ?? c)} != ''`).join(' AND ');
  // Every column the truth names must be in the data: a misspelt name would silently drop out of the scores.
  for (const [t, tt] of Object.entries(truth.tables)) {
    const b = names.table(t);
    if (!b) continue;
    const rows = await wh.query<{ name: string }>('SELECT name FROM system.columns WHERE database = {db:String} AND table = {t:String}', { params: { db, t: b } });
    const have = new Set(rows.map((r) => r.name));
    const named = [...Object.keys(tt.columns ?? {}), ...(tt.primaryKey ?? []), ...(tt.alternateKeys ?? []).flat()];
    for (const fk of truth.foreignKeys) named.push(...(fk.from === t ? fk.columns : []), ...(fk.to === t ? fk.toColumns : []));
    for (const c of new Set(named)) if (!have.has(names.column(t, c) ?? c)) out.push(`${t}.${c} is documented but not in the data`);
  }
  for (const [t, tt] of Object.entries(truth.tables)) {
    const b = names.table(t);
    if (!b || !tt.primaryKey) continue;
    const [r] = await wh.query<{ n: string; u: string; e: string }>(
      `SELECT count() AS n, uniqExact(${tuple(t, tt.primaryKey)}) AS u, countIf(NOT (${nonEmpty(t, tt.primaryKey)})) AS e FROM ${qualified(db, b)}`,
    );
    if (Number(r.u) !== Number(r.n) || Number(r.e) > 0) out.push(`documented key ${t}(${tt.primaryKey.join(',')}): ${Number(r.n) - Number(r.u)} duplicate rows, ${r.e} empty`);
  }
  for (const fk of truth.foreignKeys) {
    const from = names.table(fk.from);
    const to = names.table(fk.to);
    if (!from || !to) continue;
    const [r] = await wh.query<{ d: string; f: string }>(
      `SELECT uniqExact(k) AS d, uniqExactIf(k, k IN (SELECT ${tuple(fk.to, fk.toColumns)} FROM ${qualified(db, to)})) AS f
         FROM (SELECT ${tuple(fk.from, fk.columns)} AS k FROM ${qualified(db, from)} WHERE ${nonEmpty(fk.from, fk.columns)})`,
    );
    const d = Number(r.d);
    const f = Number(r.f);
    if (f < d && !fk.partial) out.push(`documented reference ${fk.from}(${fk.columns.join(',')}) -> ${fk.to}: ${d - f} of ${d} distinct values not in the target, not marked partial`);
    if (f === d && fk.partial) out.push(`reference ${fk.from}(${fk.columns.join(',')}) -> ${fk.to} is marked partial but every value is found`);
  }
  return out;
}

// ---------------------------------------------------------------- one dataset

async function runDataset(truth: DatasetTruth, part: Part, pgOnce: () => Promise<PostgresService>, check = false): Promise<DatasetScore> {
  const score = emptyScore(truth.name, part, truth.load);
  const built = buildDataset(truth);
  return withWorkspace(`accuracy-${truth.name}`, async ({ root, paths, wh, context }) => {
    const source = truth.name;
    let secrets = new EnvSecretStore({});
    const t0 = performance.now();
    if (truth.load === 'postgres') {
      if (!postgresAvailable()) throw new Error('PostgreSQL binaries not installed (bash .ci/services.sh)');
      const pg = await pgOnce();
      const database = await loadPostgres(pg, truth, built.dir);
      secrets = new EnvSecretStore({ [secretEnvName(source, 'password')]: pg.password });
      writeSource(paths, { kind: 'postgres', name: source, host: pg.host, port: pg.port, database, user: pg.user });
    } else {
      // Every corpus CSV has a header line; the sniffer takes a header of year-like names ("2000") for data.
      writeSource(paths, { kind: 'files', name: source, path: built.dir, header: true });
    }
    const ctx = context(secrets);
    const loads = await acquire(ctx, { sources: [source] });
    const bad = loads.filter((l) => l.status !== 'loaded' || l.error);
    if (bad.length) throw new Error(`load failed: ${bad.map((l) => `${l.object}: ${l.status} ${l.error ?? ''}`.trim()).join('; ')}`);
    const tables = new Map<string, string>();
    for (const t of Object.keys(truth.tables)) {
      const l = loads.find((x) => x.object === t || x.object === sanitizeName(t));
      if (!l) throw new Error(`table ${t} was not loaded (objects: ${loads.map((x) => x.object).join(', ')})`);
      if (l.rows === 0) throw new Error(`table ${t} loaded no rows`);
      tables.set(t, l.table);
    }
    score.tables = tables.size;
    score.rows = loads.reduce((a, l) => a + l.rows, 0);
    score.ms.load = performance.now() - t0;
    const names = nameMap(tables);
    score.truthCheck.push(...(await checkTruth(wh, truth, names)));
    if (check) return score;

    await measure(score, root, paths, ctx, (catalog, erd, star) => scoreDataset(score, truth, names, catalog, erd, star));
    return score;
  });
}

/**
 * Discovery, then the ERD and star as the CLI proposes them. An exception in either is the measured
 * code's, not the corpus's: it is reported (score.crash) and the scores that do not depend on it are kept.
 */
async function measure(
  score: DatasetScore,
  root: string,
  paths: ProjectPaths,
  ctx: CoreContext,
  scoreWith: (catalog: Catalog, erd: ErdModel | undefined, star: StarModel | undefined) => void,
): Promise<void> {
  const t1 = performance.now();
  let catalog: Catalog;
  try {
    catalog = await discover(ctx);
  } catch (err) {
    score.crash = `discover: ${err instanceof Error ? err.message : String(err)}`;
    return;
  } finally {
    score.ms.discover = performance.now() - t1;
  }
  const t2 = performance.now();
  let erd: ErdModel | undefined;
  let star: StarModel | undefined;
  try {
    const project = loadProject(root);
    erd = generateErdFile(paths, project).model;
    star = designStarFile(paths, project).model;
  } catch (err) {
    score.crash = `model (${erd ? 'star' : 'ERD'}): ${err instanceof Error ? err.message : String(err)}`;
  }
  score.ms.model = performance.now() - t2;
  scoreWith(catalog, erd, star);
}

/** The synthetic schemas of the discovery tests, made in bronze directly (no acquisition), scored for keys and references. */
const SYNTHETIC: { name: string; make: (wh: Warehouse) => Promise<Truth> }[] = [
  { name: 'tpch_sf0.01', make: (wh) => tpch(wh, 'tpch', 0.01) },
  { name: 'retail_star', make: (wh) => retailStar(wh, 'retail') },
  { name: 'messy_shop', make: (wh) => messyShop(wh, 'shop') },
];

function syntheticTruth(name: string, t: Truth): DatasetTruth {
  const tables: DatasetTruth['tables'] = {};
  for (const [table, key] of Object.entries(t.keys)) tables[table] = { primaryKey: key, doc: 'test/fixtures/discover/schemas.ts' };
  const foreignKeys = t.fks.map((id) => {
    const [from, to] = id.split('->');
    const split = (s: string) => {
      const dot = s.indexOf('.');
      return { table: s.slice(0, dot), cols: s.slice(dot + 1).split(',') };
    };
    const f = split(from);
    const g = split(to);
    for (const x of [f.table, g.table]) tables[x] ??= { primaryKey: null, doc: 'test/fixtures/discover/schemas.ts' };
    return { from: f.table, columns: f.cols, to: g.table, toColumns: g.cols, doc: id };
  });
  return { name, title: name, domain: 'synthetic', source: { kind: 'npm', package: 'test/fixtures/discover', license: 'MIT' }, documentation: [], load: 'files', tables, foreignKeys };
}

async function runSynthetic(name: string, make: (wh: Warehouse) => Promise<Truth>): Promise<DatasetScore> {
  const score = emptyScore(name, 'synthetic', 'sql');
  return withWorkspace(`accuracy-${name.replace(/[^a-z0-9]+/gi, '_')}`, async ({ root, paths, wh, context }) => {
    const t0 = performance.now();
    const truth = syntheticTruth(name, await make(wh));
    score.ms.load = performance.now() - t0;
    score.tables = Object.keys(truth.tables).length;
    const [r] = await wh.query<{ n: string }>(`SELECT sum(total_rows) AS n FROM system.tables WHERE database = {db:String}`, { params: { db: wh.databases.bronze } });
    score.rows = Number(r?.n ?? 0);
    // Bronze names are the truth's names.
    await measure(score, root, paths, context(), (catalog, erd, star) => scoreDataset(score, truth, { table: (t) => t, column: (_t, c) => c }, catalog, erd, star));
    return score;
  });
}

// ---------------------------------------------------------------- report

const pct = (a: number, b: number) => (b ? `${a}/${b} (${((100 * a) / b).toFixed(0)}%)` : '-');
const f2 = (x: number | null) => (x === null ? '-' : x.toFixed(2));

function datasetLine(s: DatasetScore): string {
  if (s.error) return `${s.name.padEnd(20)} FAILED: ${s.error}`;
  if (s.crash && s.crash.startsWith('discover')) return `${s.name.padEnd(20)} ${s.tables} tables loaded; DISCOVERY THREW: ${s.crash}`;
  const fkP = s.fk.tp + s.fk.fp ? s.fk.tp / (s.fk.tp + s.fk.fp) : null;
  const fkR = s.fk.tp + s.fk.fn ? s.fk.tp / (s.fk.tp + s.fk.fn) : null;
  return [
    `${s.name.padEnd(20)} ${String(s.tables).padStart(2)} tables ${String(s.rows).padStart(7)} rows`,
    `PK ${pct(s.pk.single.correct + s.pk.composite.correct, s.pk.single.total + s.pk.composite.total).padEnd(11)}`,
    `FK P ${f2(fkP)} R ${f2(fkR)} (${s.fk.tp} ok, ${s.fk.fp} false, ${s.fk.fn} missed)`,
    `types ${pct(s.types.correct, s.types.total)}`,
    `roles ${pct(s.roles.correct, s.roles.total)}`,
    `sum-measures ${s.measures.correct}/${s.measures.summed - s.measures.unlabelled}`,
    `fact/dim ${pct(s.tableRoles.correct, s.tableRoles.total)}`,
    `${((s.ms.load + s.ms.discover + s.ms.model) / 1000).toFixed(1)} s`,
  ].join(' | ');
}

function details(s: DatasetScore, verbose: boolean): string[] {
  const cap = (xs: string[], n = verbose ? Infinity : 8) => (xs.length > n ? [...xs.slice(0, n), `... ${xs.length - n} more`] : xs);
  const out: string[] = s.crash ? [`    THREW (scores that need it are missing): ${s.crash}`] : [];
  const add = (label: string, xs: string[], n?: number) => cap(xs, n).forEach((x) => out.push(`    ${label}: ${x}`));
  add('data vs docs', s.truthCheck);
  add('PK miss', s.pk.misses);
  add('FK missed', s.fk.missed);
  add('FK false', s.fk.falsePositives);
  if (verbose) {
    add('type', s.types.wrong);
    add('role', s.roles.wrong);
    add('summed', s.measures.errors);
    add('measure missed', s.measures.missed);
    add('fact/dim', s.tableRoles.wrong);
  } else {
    add('summed', s.measures.errors, 5);
    add('fact/dim', s.tableRoles.wrong, 5);
  }
  return out;
}

function summaryLines(title: string, p: PartSummary): string[] {
  const lines = [
    `${title}: ${p.datasets} datasets, ${p.tables} tables${p.failed.length ? `, ${p.failed.length} FAILED to load` : ''}${p.crashed.length ? `, ${p.crashed.length} where discovery or modelling threw` : ''}`,
    `  PK accuracy        single ${pct(p.pkSingle.correct, p.pkSingle.total)}   composite ${pct(p.pkComposite.correct, p.pkComposite.total)}`,
    `  FK (conf >= 0.5)   precision ${p.fk.tp + p.fk.fp ? p.fk.precision.toFixed(2) : '-'}   recall ${p.fk.tp + p.fk.fn ? p.fk.recall.toFixed(2) : '-'}   (${p.fk.tp} correct, ${p.fk.fp} false, ${p.fk.fn} missed)`,
    `  types              ${pct(p.types.correct, p.types.total)}`,
    `  column roles       ${pct(p.roles.correct, p.roles.total)} (as the catalog states them, where it does)`,
    `  summed measures    ${p.measures.correct}/${p.measures.summed} documented measures (precision ${f2(p.measures.precision)}); documented measures of facts proposed ${pct(p.measures.recall.correct, p.measures.recall.total)}`,
    `  fact/dimension     ${pct(p.tableRoles.correct, p.tableRoles.total)}`,
    '  calibration        confidence  found  correct  share',
    ...p.calibration.map((b) => `                     ${b.bin.padEnd(10)}  ${String(b.count).padStart(5)}  ${String(b.correct).padStart(7)}  ${b.share === null ? '    -' : b.share.toFixed(2).padStart(5)}`),
    `                     below 0.5   ${String(p.below.total).padStart(5)}  ${String(p.below.correct).padStart(7)}  (proposed, not counted as found)`,
  ];
  return lines;
}

function benchResults(part: RunPart, p: PartSummary, scores: DatasetScore[]): BenchResult[] {
  const r = (name: string, value: number | null, unit = 'share'): BenchResult[] =>
    value === null ? [] : [{ name: `accuracy ${part} ${name}`, value, unit, baseline: null, ratio: null, target: 'info' }];
  const share = (t: { correct: number; total: number }) => (t.total ? t.correct / t.total : null);
  return [
    ...r('PK single', share(p.pkSingle)),
    ...r('PK composite', share(p.pkComposite)),
    ...r('FK precision', p.fk.tp + p.fk.fp ? p.fk.precision : null),
    ...r('FK recall', p.fk.tp + p.fk.fn ? p.fk.recall : null),
    ...r('types', share(p.types)),
    ...r('column roles', share(p.roles)),
    ...r('summed measures precision', p.measures.precision),
    ...r('measures recall', share(p.measures.recall)),
    ...r('fact/dimension', share(p.tableRoles)),
    ...p.calibration.flatMap((b) => r(`calibration ${b.bin} (n=${b.count})`, b.share)),
    ...scores.flatMap((s) => [
      ...r(`${s.name} FK precision`, s.fk.tp + s.fk.fp ? s.fk.tp / (s.fk.tp + s.fk.fp) : null),
      ...r(`${s.name} FK recall`, s.fk.tp + s.fk.fn ? s.fk.tp / (s.fk.tp + s.fk.fn) : null),
      ...r(`${s.name} PK`, share({ correct: s.pk.single.correct + s.pk.composite.correct, total: s.pk.single.total + s.pk.composite.total })),
    ]),
  ];
}

// ---------------------------------------------------------------- entry points

export async function runAccuracy(opts: AccuracyOptions): Promise<AccuracyReport> {
  const log = opts.log ?? ((l: string) => process.stdout.write(`${l}\n`));
  const manifest = loadManifest();
  let pg: Promise<PostgresService> | undefined;
  const pgOnce = () => (pg ??= startPostgres());
  const scores: DatasetScore[] = [];
  const summaries: AccuracyReport['summaries'] = {};
  const results: BenchResult[] = [];
  try {
    for (const part of PARTS.filter((p) => opts.parts.includes(p))) {
      log(`\n== ${PART_TITLE[part]} ==`);
      const partScores: DatasetScore[] = [];
      const jobs: { name: string; load: string; run: () => Promise<DatasetScore> }[] =
        part === 'synthetic'
          ? SYNTHETIC.map((s) => ({ name: s.name, load: 'sql', run: () => runSynthetic(s.name, s.make) }))
          : manifest.datasets.filter((d) => d.part === part).map((d) => {
              const truth = loadTruth(d.name);
              return { name: d.name, load: truth.load, run: () => runDataset(truth, part, pgOnce, opts.check) };
            });
      for (const job of jobs) {
        if (opts.datasets?.length && !opts.datasets.includes(job.name)) continue;
        let s: DatasetScore;
        try {
          s = await job.run();
        } catch (err) {
          s = emptyScore(job.name, part, job.load);
          s.error = err instanceof Error ? err.message : String(err);
        }
        partScores.push(s);
        if (opts.check) {
          log(`${s.name.padEnd(20)} ${s.error ? `FAILED: ${s.error}` : `${s.tables} tables, ${s.rows} rows loaded (${s.load}) in ${(s.ms.load / 1000).toFixed(1)} s`}`);
          for (const l of s.truthCheck) log(`    data vs docs: ${l}`);
          continue;
        }
        log(datasetLine(s));
        for (const l of details(s, !!opts.verbose)) log(l);
      }
      if (partScores.length === 0 || opts.check) {
        scores.push(...partScores);
        continue;
      }
      const summary = summarize(partScores);
      summaries[part] = summary;
      log('');
      for (const l of summaryLines(`${PART_TITLE[part]} overall`, summary)) log(l);
      scores.push(...partScores);
      results.push(...benchResults(part, summary, partScores.filter((s) => !s.error)));
    }
  } finally {
    if (pg) await (await pg).stop();
  }
  const failed = scores.filter((s) => s.error).map((s) => `${s.name}: ${s.error}`);
  mkdirSync(ACCURACY_DATA, { recursive: true });
  writeFileSync(join(ACCURACY_DATA, 'report.json'), JSON.stringify({ generatedAt: new Date().toISOString(), summaries, scores }, null, 2) + '\n');
  return { scores, summaries, results, failed };
}

export function parseParts(spec: string): RunPart[] {
  if (spec === 'all') return [...PARTS];
  const parts = spec.split(',').map((s) => s.trim()) as RunPart[];
  for (const p of parts) if (!PARTS.includes(p)) throw new Error(`unknown part ${p} (dev, holdout, synthetic, all)`);
  return parts;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const value = (flag: string) => {
    const i = args.indexOf(flag);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const datasets = args.flatMap((a, i) => (args[i - 1] === '--dataset' ? [a] : []));
  const parts = parseParts(value('--part') ?? 'all');
  const check = args.includes('--check');
  const report = await runAccuracy({ parts: check ? parts.filter((p) => p !== 'synthetic') : parts, datasets, verbose: args.includes('--verbose'), check });
  if (!check) writeFileSync(join(__dirname, '..', 'results.json'), JSON.stringify(report.results, null, 2) + '\n');
  const crashed = report.scores.filter((s) => s.crash);
  if (crashed.length) process.stderr.write(`\naccuracy: discovery or modelling threw on ${crashed.length} dataset(s) (measured, not a failure of the run):\n${crashed.map((s) => `  ${s.name}: ${s.crash}`).join('\n')}\n`);
  if (report.failed.length) {
    process.stderr.write(`\naccuracy: ${report.failed.length} dataset(s) failed:\n${report.failed.map((f) => `  ${f}`).join('\n')}\n`);
    process.exitCode = 1;
  }
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`accuracy: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
    process.exitCode = 1;
  });
}
