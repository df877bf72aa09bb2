/** Accuracy of proposals against the labelled schemas' truth. */
import type { StarModel } from '../../../src/core/model/model-types';
import type { Labelled } from './builders';

/** Role the star gives each ERD entity: fact, dimension, header:<line fact entity>, or collapsed:<dimension entities, sorted>. */
export function predictedRoles(star: StarModel): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of star.facts) {
    out[f.entity] = 'fact';
    // A transaction header folded into its line fact (references and dates inherited via the join).
    for (const r of f.dimensions) if (r.via) out[r.via.entity] = `header:${f.entity}`;
  }
  const into = new Map<string, string[]>();
  for (const d of star.dimensions) {
    if (!d.entity) continue;
    out[d.entity] = 'dimension';
    for (const c of d.collapsed) into.set(c, [...(into.get(c) ?? []), d.entity].sort());
  }
  for (const [c, ds] of into) if (!out[c]) out[c] = `collapsed:${ds.join(',')}`;
  return out;
}

export function classificationAccuracy(s: Labelled, star: StarModel): { correct: number; total: number; wrong: string[] } {
  const got = predictedRoles(star);
  const wrong = Object.entries(s.roles)
    .filter(([e, role]) => got[e] !== role)
    .map(([e, role]) => `${e}: expected ${role}, got ${got[e] ?? 'nothing'}`);
  const total = Object.keys(s.roles).length;
  return { correct: total - wrong.length, total, wrong };
}

/** Recall and precision of hierarchies, compared as level attribute sequences (root -> leaf). */
export function hierarchyAccuracy(s: Labelled, star: StarModel): { found: number; expected: number; extra: number; missing: string[] } {
  const got = new Set(star.dimensions.flatMap((d) => d.hierarchies.map((h) => `${d.name}:${h.levels.map((l) => l.attribute).join('>')}`)));
  const want = Object.entries(s.hierarchies).flatMap(([d, hs]) => hs.map((h) => `${d}:${h.join('>')}`));
  const missing = want.filter((w) => !got.has(w));
  return { found: want.length - missing.length, expected: want.length, extra: [...got].filter((g) => !want.includes(g)).length, missing };
}
