/**
 * Labelled relationship candidates for calibrating the confidence model: every candidate discovery
 * scores (kept or not, through DiscoverOptions.trace) with its features and whether the truth lists it.
 * Used by calibration.test.ts and, for refitting, by fit-confidence.ts (see there).
 */
import { rmSync } from 'node:fs';
import { testContext } from '../../fixtures/discover/bronze';
import { bronzeTables, discover } from '../../../src/core/discover/discover';
import { catalogFile } from '../../../src/core/project/paths';
import { qualified } from '../../../src/core/warehouse/sql';
import type { Catalog } from '../../../src/core/discover/catalog-types';
import type { Features } from '../../../src/core/discover/relationship-score';
import type { ScoredCandidate } from '../../../src/core/discover/relationships';
import type { Warehouse } from '../../../src/core/warehouse/warehouse';
import type { PatternTruth } from './patterns';

export interface Labelled {
  schema: string;
  id: string;
  features: Features;
  confidence: number;
  correct: boolean;
}

/** `a.x,y->b.u,v` with its column pairs sorted, so a composite's column order does not matter. */
export function canonical(id: string): string {
  const [from, to] = id.split('->');
  const split = (s: string) => ({ table: s.slice(0, s.indexOf('.')), cols: s.slice(s.indexOf('.') + 1).split(',') });
  const f = split(from);
  const t = split(to);
  const pairs = f.cols.map((c, i) => [c, t.cols[i]]).sort((a, b) => a[0].localeCompare(b[0]));
  return `${f.table}.${pairs.map((p) => p[0]).join(',')}->${t.table}.${pairs.map((p) => p[1]).join(',')}`;
}

/** The reverse of `a.x->b.y` (a symmetric link is right either way). */
export function reversed(id: string): string {
  const [from, to] = id.split('->');
  return canonical(`${to}->${from}`);
}

export function labelsOf(schema: string, scored: ScoredCandidate[], truth: PatternTruth): Labelled[] {
  const right = new Set([...truth.fks.map(canonical), ...(truth.symmetric ?? []).map(reversed)]);
  return scored.map((s) => ({ schema, id: s.id, features: s.features, confidence: s.confidence, correct: right.has(canonical(s.id)) }));
}

/** A fresh bronze database with one schema, discovered with every candidate traced. */
export async function discoverLabelled(wh: Warehouse, dir: string, schema: string, make: (wh: Warehouse) => Promise<PatternTruth>): Promise<{ catalog: Catalog; labelled: Labelled[]; truth: PatternTruth }> {
  for (const t of await bronzeTables(wh, wh.databases.bronze)) await wh.command(`DROP TABLE ${qualified(wh.databases.bronze, t)}`);
  const ctx = testContext(wh, dir);
  rmSync(catalogFile(ctx.paths, wh.databases.bronze), { force: true });
  const truth = await make(wh);
  const scored: ScoredCandidate[] = [];
  const catalog = await discover(ctx, { trace: (s) => scored.push(...s) });
  return { catalog, labelled: labelsOf(schema, scored, truth), truth };
}

export interface Bin {
  lo: number;
  hi: number;
  count: number;
  /** Mean confidence in the bin. */
  predicted: number;
  /** Share right. */
  observed: number;
}

/** Reliability: candidates grouped by confidence, the mean confidence against the share right. */
export function reliability(xs: Labelled[], edges = [0, 0.2, 0.5, 0.7, 0.9, 1.0001]): Bin[] {
  return edges.slice(0, -1).map((lo, i) => {
    const hi = edges[i + 1];
    const inBin = xs.filter((x) => x.confidence >= lo && x.confidence < hi);
    const mean = (f: (x: Labelled) => number) => (inBin.length ? inBin.reduce((a, x) => a + f(x), 0) / inBin.length : 0);
    return { lo, hi, count: inBin.length, predicted: mean((x) => x.confidence), observed: mean((x) => (x.correct ? 1 : 0)) };
  });
}

/** Mean squared error of the confidence against the outcome. */
export function brier(xs: Labelled[]): number {
  return xs.reduce((a, x) => a + (x.confidence - (x.correct ? 1 : 0)) ** 2, 0) / Math.max(1, xs.length);
}
