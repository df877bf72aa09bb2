/** The step graph of a manifest: validation and dependency order. */
import type { ManifestStep } from './build-types';
import { BuildError } from './plan';

/** Unique ids, known dependencies, no cycle. */
export function validateGraph(steps: readonly ManifestStep[]): void {
  const ids = new Set<string>();
  for (const s of steps) {
    if (ids.has(s.id)) throw new BuildError(`Step ${s.id} is generated twice (two tables with the same name?)`);
    ids.add(s.id);
  }
  for (const s of steps) {
    for (const d of s.dependsOn) if (!ids.has(d)) throw new BuildError(`Step ${s.id} depends on unknown step ${d}`);
  }
  topologicalOrder(steps);
}

/** Steps in an order where every dependency comes first; throws on a cycle. */
export function topologicalOrder<T extends { id: string; dependsOn: string[] }>(steps: readonly T[]): T[] {
  const byId = new Map(steps.map((s) => [s.id, s]));
  const state = new Map<string, 'visiting' | 'done'>();
  const out: T[] = [];
  const visit = (s: T, path: string[]): void => {
    const st = state.get(s.id);
    if (st === 'done') return;
    if (st === 'visiting') throw new BuildError(`Steps depend on each other in a cycle: ${[...path, s.id].join(' -> ')}`);
    state.set(s.id, 'visiting');
    for (const d of s.dependsOn) {
      const dep = byId.get(d);
      if (dep) visit(dep, [...path, s.id]);
    }
    state.set(s.id, 'done');
    out.push(s);
  };
  for (const s of steps) visit(s, []);
  return out;
}

