/** A synthetic ERD of any size (deterministic), for layout tests and benchmarks. */
import type { ErdModel } from '../../../src/core/model/model-types';

export function syntheticErd(entities: number, relationships: number, seed = 42): ErdModel {
  let s = seed;
  const rand = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
  const names = Array.from({ length: entities }, (_, i) => `entity_${String(i).padStart(3, '0')}`);
  const model: ErdModel = {
    version: 1,
    kind: 'erd',
    name: 'synthetic',
    entities: names.map((name) => ({
      name,
      columns: Array.from({ length: 3 + Math.floor(rand() * 12) }, (_, j) => ({ name: j === 0 ? 'id' : `c${j}`, type: j === 0 ? 'Int64' : 'String', nullable: j > 0 })),
      primaryKey: ['id'],
    })),
    relationships: [],
    groups: [],
    decompositions: [],
    layout: { positions: {} },
  };
  for (let r = 0; r < relationships; r++) {
    // Mostly "later references earlier" like real schemas, with a few back references making cycles.
    const a = Math.floor(rand() * entities);
    let b = Math.floor(rand() * entities);
    if (b === a) b = (a + 1) % entities;
    const from = rand() < 0.9 ? Math.max(a, b) : Math.min(a, b);
    const to = from === a ? b : a;
    model.relationships.push({ name: `r${r}`, from: { entity: names[from], columns: ['c1'] }, to: { entity: names[to], columns: ['id'] }, cardinality: 'many-to-one', optional: false });
  }
  return model;
}
