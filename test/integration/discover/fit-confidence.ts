/**
 * Refit the relationship confidence model (src/core/discover/relationship-score.ts MODEL): logistic
 * regression with a small L2 penalty over the features of every candidate discovery scores, labelled by
 * the truth of the synthetic schemas (test/fixtures/discover, patterns.ts, the discover-schema bench's
 * generated star) and of the accuracy corpus's
 * DEVELOPMENT part (bench/accuracy; the held-out part is never read). Corpus datasets are loaded as
 * files, so no declared constraint helps. Prints the weights to paste into MODEL and the reliability
 * of the fitted model per source.
 *
 *   node --import tsx test/integration/discover/fit-confidence.ts [--no-corpus] [--dump FILE] [--from FILE]
 *   (--dump: write the labelled candidates as JSON; --from: refit from such a file without discovering)
 *   (the corpus must be built first: bash bench/accuracy/install.sh)
 */
import { join } from 'node:path';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { embeddedWarehouse, removeDir, tempDir } from '../../helpers/warehouse';
import { messyShop, retailStar, tpch } from '../../fixtures/discover/schemas';
import { acquire, sanitizeName } from '../../../src/core/acquire';
import { discover } from '../../../src/core/discover/discover';
import { FEATURES, type Features } from '../../../src/core/discover/relationship-score';
import type { ScoredCandidate } from '../../../src/core/discover/relationships';
import { initProjectFiles, loadProject } from '../../../src/core/project/project';
import { writeSource } from '../../../src/core/sources';
import { EnvSecretStore } from '../../../src/core/sources/source';
import { silentLogger } from '../../../src/core/context';
import { EmbeddedWarehouse } from '../../../src/core/warehouse/embedded';
import { ensureDatabases } from '../../../src/core/warehouse/catalog-queries';
import { DEFAULT_DATABASES } from '../../../src/core/warehouse/warehouse';
import { loadManifest, loadTruth } from '../../../bench/accuracy/truth';
import { buildDataset } from '../../../bench/accuracy/build';
import { brier, canonical, discoverLabelled, reliability, reversed, type Labelled } from './calibration';
import { PATTERNS, type PatternTruth } from './patterns';
import { buildSchema, schemaSpec } from '../../../bench/cases/discover-schema';
import type { Warehouse } from '../../../src/core/warehouse/warehouse';

type Make = (wh: Warehouse) => Promise<PatternTruth>;

/** The discover-schema bench's generated star (several tables numbered 1..N, zip codes inside id ranges), smaller. */
const benchSchema: Make = async (wh) => {
  const { fks } = await buildSchema(wh, 200_000);
  const keys = Object.fromEntries(schemaSpec(200_000).specs.map((s) => [s.table, [Object.keys(s.columns)[0]]]));
  return { keys, fks };
};

const SYNTHETIC: { name: string; make: Make }[] = [
  { name: 'tpch', make: (wh) => tpch(wh, 'tpch', 0.01) },
  { name: 'retail', make: (wh) => retailStar(wh, 'retail') },
  { name: 'messy', make: (wh) => messyShop(wh, 'shop') },
  { name: 'bench schema', make: benchSchema },
  ...PATTERNS,
];

async function synthetic(): Promise<Labelled[]> {
  const env = await embeddedWarehouse();
  const out: Labelled[] = [];
  try {
    for (const s of SYNTHETIC) out.push(...(await discoverLabelled(env.wh, env.dir, s.name, s.make)).labelled);
  } finally {
    await env.dispose();
  }
  return out;
}

/** One dev dataset, acquired from its built files, every candidate labelled by the documented references. */
async function corpusDataset(name: string): Promise<Labelled[]> {
  const truth = loadTruth(name);
  const built = buildDataset(truth);
  const root = tempDir(`fit-${name}-`);
  const { paths } = initProjectFiles(root);
  mkdirSync(join(root, '.kimball', 'catalog'), { recursive: true });
  const wh = new EmbeddedWarehouse(paths.warehouseDir, DEFAULT_DATABASES);
  try {
    await ensureDatabases(wh);
    writeSource(paths, { kind: 'files', name, path: built.dir, header: true });
    const ctx = { paths, project: loadProject(root), warehouse: wh, secrets: new EnvSecretStore({}), log: silentLogger };
    const loads = await acquire(ctx, { sources: [name] });
    const table = (t: string) => loads.find((l) => l.object === t || l.object === sanitizeName(t))?.table;
    const id = (fk: { from: string; columns: string[]; to: string; toColumns: string[] }) =>
      `${table(fk.from)}.${fk.columns.map(sanitizeName).join(',')}->${table(fk.to)}.${fk.toColumns.map(sanitizeName).join(',')}`;
    const right = new Set(truth.foreignKeys.flatMap((fk) => (fk.symmetric ? [canonical(id(fk)), reversed(id(fk))] : [canonical(id(fk))])));
    const neutral = new Set((truth.acceptable ?? []).map((fk) => canonical(id(fk))));
    const scored: ScoredCandidate[] = [];
    await discover(ctx, { trace: (s) => scored.push(...s) });
    return scored
      .filter((s) => !neutral.has(canonical(s.id)))
      .map((s) => ({ schema: name, id: s.id, features: s.features, confidence: s.confidence, correct: right.has(canonical(s.id)) }));
  } finally {
    await wh.close();
    removeDir(root);
  }
}

async function corpus(): Promise<Labelled[]> {
  const out: Labelled[] = [];
  for (const d of loadManifest().datasets.filter((x) => x.part === 'dev')) out.push(...(await corpusDataset(d.name)));
  return out;
}

/**
 * Logistic regression by Newton's method with an L2 penalty (not on the intercept; 0.1 had the best
 * leave-one-dataset-out Brier score among 0.1..2). Every feature is oriented as evidence for a link, so a
 * weight that comes out negative (a quirk of few examples) is fixed at 0 and the rest refitted.
 */
export function fitLogistic(xs: Labelled[], lambda = 0.1): { intercept: number; weights: Features } {
  let active: string[] = [...FEATURES];
  for (;;) {
    const w = newton(xs, active, lambda);
    const worst = active.map((n, i) => ({ n, v: w[i + 1] })).sort((a, b) => a.v - b.v)[0];
    if (!worst || worst.v >= 0) return { intercept: w[0], weights: Object.fromEntries(FEATURES.map((n) => [n, active.includes(n) ? w[active.indexOf(n) + 1] : 0])) as Features };
    active = active.filter((n) => n !== worst.n);
  }
}

function newton(xs: Labelled[], active: string[], lambda: number, iterations = 50): number[] {
  const k = active.length + 1;
  const row = (f: Features) => [1, ...active.map((n) => f[n as keyof Features])];
  let w = new Array<number>(k).fill(0);
  for (let it = 0; it < iterations; it++) {
    const g = new Array<number>(k).fill(0);
    const hess = Array.from({ length: k }, () => new Array<number>(k).fill(0));
    for (const x of xs) {
      const v = row(x.features);
      const p = 1 / (1 + Math.exp(-v.reduce((a, vi, i) => a + vi * w[i], 0)));
      for (let i = 0; i < k; i++) {
        g[i] += (p - (x.correct ? 1 : 0)) * v[i];
        for (let j = 0; j < k; j++) hess[i][j] += p * (1 - p) * v[i] * v[j];
      }
    }
    for (let i = 1; i < k; i++) {
      g[i] += lambda * w[i];
      hess[i][i] += lambda;
    }
    const step = solve(hess, g);
    w = w.map((wi, i) => wi - step[i]);
  }
  return w;
}

/** Gaussian elimination with partial pivoting. */
function solve(a: number[][], b: number[]): number[] {
  const n = b.length;
  const m = a.map((r, i) => [...r, b[i]]);
  for (let c = 0; c < n; c++) {
    const p = m.reduce((best, r, i) => (i >= c && Math.abs(r[c]) > Math.abs(m[best][c]) ? i : best), c);
    [m[c], m[p]] = [m[p], m[c]];
    for (let r = c + 1; r < n; r++) {
      const f = m[r][c] / m[c][c];
      for (let j = c; j <= n; j++) m[r][j] -= f * m[c][j];
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) x[r] = (m[r][n] - m[r].slice(r + 1, n).reduce((a, v, j) => a + v * x[r + 1 + j], 0)) / m[r][r];
  return x;
}

function report(title: string, xs: Labelled[]): void {
  console.log(`${title}: ${xs.length} candidates, ${xs.filter((x) => x.correct).length} right, Brier ${brier(xs).toFixed(4)}`);
  for (const b of reliability(xs)) if (b.count) console.log(`  ${b.lo.toFixed(1)}-${Math.min(1, b.hi).toFixed(1)}: n=${b.count} predicted ${b.predicted.toFixed(2)} observed ${b.observed.toFixed(2)}`);
}

async function main(): Promise<void> {
  const arg = (flag: string) => (process.argv.includes(flag) ? process.argv[process.argv.indexOf(flag) + 1] : undefined);
  const from = arg('--from');
  const all: Labelled[] = from ? JSON.parse(readFileSync(from, 'utf8')) : [...(await synthetic()), ...(process.argv.includes('--no-corpus') ? [] : await corpus())];
  const dump = arg('--dump');
  if (dump) writeFileSync(dump, JSON.stringify(all, null, 1));
  report('shipped model', all);
  const fit = fitLogistic(all);
  const rescored = all.map((x) => {
    const logit = fit.intercept + FEATURES.reduce((a, n) => a + fit.weights[n] * x.features[n], 0);
    return { ...x, confidence: 1 / (1 + Math.exp(-logit)) };
  });
  report('refitted model', rescored);
  for (const s of [...new Set(all.map((x) => x.schema))]) report(`  ${s}`, rescored.filter((x) => x.schema === s));
  const r2 = (x: number) => Math.round(x * 100) / 100;
  console.log(`MODEL = { intercept: ${r2(fit.intercept)}, weights: { ${FEATURES.map((n) => `${n}: ${r2(fit.weights[n])}`).join(', ')} } }`);
  console.log('wrong at >= 0.5 (refitted):');
  for (const x of rescored.filter((y) => (y.confidence >= 0.5) !== y.correct)) console.log(`  ${x.correct ? 'MISSED' : 'FALSE '} ${x.confidence.toFixed(2)} ${x.id} ${JSON.stringify(x.features)}`);
}

if (require.main === module) void main();
