/**
 * Quality scores, 0..100 by construction: every dimension is 100 x a share
 * in [0, 1], and a score is a weighted mean of dimensions, clamped. Reasons,
 * sample offending values (from the exact pass) and advice come with each.
 */
import type { InferredType, QualityDimension, QualityScore } from './catalog-types';
import type { RawProfile } from './profile';
import type { ExactFacts } from './validate';

const WEIGHTS: Record<QualityDimension['name'], number> = { completeness: 0.3, validity: 0.4, uniqueness: 0.15, consistency: 0.15 };

export const clampScore = (x: number): number => (Number.isFinite(x) ? Math.round(Math.min(100, Math.max(0, x)) * 10) / 10 : 0);
const share = (part: number, whole: number): number => (whole > 0 ? Math.min(1, Math.max(0, part / whole)) : 1);
const pct = (x: number): string => `${(Math.round(x * 1000) / 10).toString()}%`;

export interface ColumnQualityInput {
  rows: number;
  profile: RawProfile;
  inferred: InferredType;
  facts: ExactFacts;
  /** Uniqueness is judged only where it is expected (keys, identifier-like names). */
  uniquenessExpected: boolean;
  /** Exact (or estimated) distinct non-empty values. */
  distinct: number;
  patternLabel?: string;
}

export function columnQuality(q: ColumnQualityInput): QualityScore | null {
  if (q.rows === 0) return null;
  const dims: QualityDimension[] = [completeness(q), validity(q)];
  if (q.uniquenessExpected) dims.push(uniqueness(q));
  dims.push(consistency(q));
  return combine(dims);
}

export function combine(dims: QualityDimension[]): QualityScore {
  const w = dims.reduce((a, d) => a + WEIGHTS[d.name], 0);
  const s = dims.reduce((a, d) => a + WEIGHTS[d.name] * d.score, 0);
  return { score: clampScore(w > 0 ? s / w : 100), dimensions: dims };
}

function completeness(q: ColumnQualityInput): QualityDimension {
  const missing = q.facts.empty + q.facts.nullTokens;
  const d: QualityDimension = { name: 'completeness', score: clampScore(100 * (1 - share(missing, q.rows))), reasons: [], samples: [] };
  if (missing > 0) {
    d.reasons.push(`${missing} of ${q.rows} values missing (${pct(share(missing, q.rows))})`);
    if (q.facts.nullTokens > 0) d.reasons.push(`${q.facts.nullTokens} written as ${q.facts.missingTokens.map((t) => JSON.stringify(t)).join(', ')} (missing-value tokens)`);
    d.advice = missing === q.rows ? 'The column is always empty: drop it or fix the source.' : 'Keep the column Nullable or decide a default in silver.';
  }
  return d;
}

function validity(q: ColumnQualityInput): QualityDimension {
  const present = q.rows - q.facts.empty - q.facts.nullTokens;
  const isText = q.inferred.type === 'String' || q.inferred.type === 'LowCardinality(String)';
  const bad = isText ? q.facts.patternMiss : q.facts.bad;
  const samples = isText ? q.facts.patternSamples : q.facts.badSamples;
  const d: QualityDimension = { name: 'validity', score: clampScore(100 * (1 - share(bad, present))), reasons: [], samples: samples.slice(0, 5) };
  if (bad > 0) {
    const what = isText ? `not ${q.patternLabel ?? 'in the expected pattern'}` : `do not convert to ${q.inferred.type}`;
    d.reasons.push(`${bad} of ${present} values ${what} (${pct(share(bad, present))})`);
    d.advice = isText ? 'Fix or null these values in silver.' : `These values become NULL in silver; clean them or override the type.`;
  }
  return d;
}

function uniqueness(q: ColumnQualityInput): QualityDimension {
  const present = q.rows - q.facts.empty - q.facts.nullTokens;
  const d: QualityDimension = { name: 'uniqueness', score: clampScore(100 * share(q.distinct, present)), reasons: [], samples: [] };
  if (q.distinct < present) {
    d.reasons.push(`${present - q.distinct} duplicate value(s) in an identifier-like column`);
    d.samples = q.profile.topValues.filter((t) => t.count > 1).map((t) => t.value).slice(0, 5);
    d.advice = 'Deduplicate in silver or choose another key.';
  }
  return d;
}

function consistency(q: ColumnQualityInput): QualityDimension {
  const present = Math.max(0, q.rows - q.facts.empty - q.facts.nullTokens);
  const padded = share(q.facts.padded, q.rows);
  const isText = q.inferred.type === 'String' || q.inferred.type === 'LowCardinality(String)';
  const variants = isText && q.facts.normalizedDistinct > 0 ? Math.max(0, q.facts.rawDistinct - q.facts.normalizedDistinct) : 0;
  const variantShare = isText ? share(variants, Math.max(q.facts.rawDistinct, 1)) : 0;
  const mixed = q.inferred.format === 'mixed' ? 0.5 : 1;
  const score = 100 * (1 - padded) * (1 - variantShare) * mixed;
  const d: QualityDimension = { name: 'consistency', score: clampScore(score), reasons: [], samples: q.facts.paddedSamples.slice(0, 3) };
  if (q.facts.padded > 0) d.reasons.push(`${q.facts.padded} value(s) with leading or trailing spaces`);
  if (variants > 0 && present > 0) d.reasons.push(`${variants} spelling variant(s) differing only in case or spaces`);
  if (mixed < 1) d.reasons.push('dates written in several formats');
  if (d.reasons.length > 0) d.advice = 'Trim and normalise the spelling in silver (trimBoth, a mapping for variants).';
  return d;
}

/** A table's score: per dimension, the mean over its columns; reasons name the worst columns. */
export function tableQuality(columns: { name: string; quality: QualityScore | null }[]): QualityScore | null {
  const scored = columns.filter((c) => c.quality !== null) as { name: string; quality: QualityScore }[];
  if (scored.length === 0) return null;
  const names: QualityDimension['name'][] = ['completeness', 'validity', 'uniqueness', 'consistency'];
  const dims: QualityDimension[] = [];
  for (const name of names) {
    const per = scored.flatMap((c) => c.quality.dimensions.filter((d) => d.name === name).map((d) => ({ col: c.name, d })));
    if (per.length === 0) continue;
    const mean = per.reduce((a, x) => a + x.d.score, 0) / per.length;
    const worst = per.filter((x) => x.d.score < 100).sort((a, b) => a.d.score - b.d.score).slice(0, 3);
    dims.push({
      name,
      score: clampScore(mean),
      reasons: worst.map((x) => `${x.col}: ${x.d.reasons[0] ?? `score ${x.d.score}`}`),
      samples: worst.flatMap((x) => x.d.samples.slice(0, 2)).slice(0, 5),
      advice: worst[0]?.d.advice,
    });
  }
  return combine(dims);
}
