/** Accuracy of proposals against the labelled schemas' truth. */
import type { StarModel } from '../../../src/core/model/model-types';
import type { Labelled } from './builders';

/**
 * Role the star gives each ERD entity: fact, dimension, header:<line fact entity> (with `+fact` when the
 * header also has a fact at its own grain), or collapsed:<dimension entities, sorted>.
 */
export function predictedRoles(star: StarModel): Record<string, string> {
  const out: Record<string, string> = {};
  const facts = new Set(star.facts.map((f) => f.entity));
  const headerOf = new Map<string, string>();
  // A transaction header folded into its line fact (references and dates inherited via the join). Line
  // facts come before the header-grain facts that fold the same upper headers: the first one names the line.
  for (const f of star.facts) for (const r of f.dimensions) if (r.via && !headerOf.has(r.via.entity)) headerOf.set(r.via.entity, f.entity);
  for (const f of star.facts) for (const h of f.headerDegenerate ?? []) if (!headerOf.has(h.via.entity)) headerOf.set(h.via.entity, f.entity);
  for (const e of facts) out[e] = 'fact';
  for (const [h, line] of headerOf) out[h] = `header:${line}${facts.has(h) ? '+fact' : ''}`;
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
