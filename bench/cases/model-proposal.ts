/**
 * Model proposals and layout, in-process, pure functions:
 * - proposal: ERD + star + hierarchies for the 14-table / 237-column schema; baseline = a
 *   structuredClone of the same catalog (the cost of merely copying the input once).
 * - layout: layered auto-layout of a 200-entity / 300-relationship ERD; baseline = a plain grid
 *   placement of the same boxes. Ratio = ours / baseline time (lower is better); targets are absolute.
 * Median of several runs after a warm-up.
 */
import type { BenchCase, BenchResult } from '../harness';
import { proposeErd } from '../../src/core/model/erd-proposal';
import { proposeStar } from '../../src/core/model/star-proposal';
import { detectHierarchies } from '../../src/core/model/hierarchies';
import { layoutErd, boxSize, BOX } from '../../src/core/model/layout';
import type { ErdModel, Point } from '../../src/core/model/model-types';
import { benchCatalog } from '../../test/unit/model/builders';
import { syntheticErd } from '../../test/unit/model/synthetic';

function median(fn: () => void, runs = 15): number {
  fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    fn();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

function gridLayout(m: ErdModel): Record<string, Point> {
  const cols = Math.ceil(Math.sqrt(m.entities.length));
  const out: Record<string, Point> = {};
  m.entities.forEach((e, i) => {
    const s = boxSize(e.columns.length);
    out[e.name] = { x: (i % cols) * (s.width + BOX.gapX), y: Math.floor(i / cols) * 400 };
  });
  return out;
}

const modelProposal: BenchCase = {
  name: 'model-proposal',
  description: 'ERD + star + hierarchy proposal (14 tables / 237 columns) and layered layout (200 entities / 300 relationships)',
  async run(): Promise<BenchResult[]> {
    const catalog = benchCatalog();
    const columns = catalog.tables.reduce((s, t) => s + t.columns.length, 0);
    if (catalog.tables.length !== 14 || columns !== 237) throw new Error(`bench schema has ${catalog.tables.length} tables / ${columns} columns`);
    const propose = median(() => {
      const erd = proposeErd(catalog, { name: 'bench' });
      detectHierarchies(proposeStar(erd, catalog), catalog, erd);
    });
    const copy = median(() => structuredClone(catalog));
    const big = syntheticErd(200, 300);
    const layout = median(() => layoutErd(big, { all: true }));
    const grid = median(() => gridLayout(big));
    return [
      { name: 'model proposal (14 tables / 237 columns)', value: propose, unit: 'ms', baseline: copy, ratio: propose / copy, target: '< 100 ms' },
      { name: 'ERD layout (200 entities / 300 relationships)', value: layout, unit: 'ms', baseline: grid, ratio: layout / grid, target: '< 200 ms' },
    ];
  },
};

export default modelProposal;
