/**
 * Relationship confidence: a logistic model over a few measured features of
 * a candidate (from-column values inside a key). Every feature is evidence
 * on the values except `name`, which is one feature among them and never a
 * gate. The weights are fitted (see MODEL) so that a relationship reported at
 * confidence c is right about c of the time on the labelled schemas.
 */
import { coreTokens, entity, entityNamesTable, isKeyLikeName, nameSimilarity, tokens } from './names';

export const FEATURES = ['containment', 'name', 'specificity', 'repetition', 'rangeAlignment'] as const;
export type FeatureName = (typeof FEATURES)[number];
export type Features = Record<FeatureName, number>;

/**
 * What a feature means (in evidence and tooltips):
 * - containment: share of distinct from-values found in the key;
 * - name: how the from-column's name points at the target (1 same identifier name ... 0 nothing; -1: it names
 *   another table's entity or a quantity);
 * - specificity: how unlikely the matches are by accident, log10 of (matched values x log10(1 / chance of one value matching));
 *   0 for a dense integer key, where any small integer is "in" the key;
 * - repetition: log10 of rows per distinct from-value (a reference repeats its keys; 0 for a key-to-key link);
 * - rangeAlignment: for integers, how well the from-values span the key's range (a reference to ids 1..N
 *   reaches near both ends even when it skips some; a count of 1..k inside them stops short); 1 for text and UUIDs.
 * Every feature is oriented as evidence for the link: the fit keeps every weight >= 0.
 * The share of the key's values the from-column uses (inclusion the other way, `coverage`) is measured
 * and shown but left out of the model: leave-one-dataset-out cross-validation found it hurts (a fact
 * often uses a small part of a large dimension: flights reach 5% of the airports). So did the plain
 * number of matched values: it rewards two tables numbered 1..N for the size of a coincidence, where
 * specificity counts only what chance does not explain.
 */
/**
 * Fitted by test/integration/discover/fit-confidence.ts (logistic regression, L2 0.1 chosen by
 * leave-one-dataset-out cross-validation, weights kept >= 0) on the 166 candidates discovery can report
 * (each column's chosen target; 79 right) of the synthetic schemas (test/fixtures/discover, the issue-13
 * patterns, the discover-schema bench's star) and the 6 datasets of the accuracy corpus's development
 * part, loaded as files so no declared constraint helps. Cross-validated Brier score 0.035. Refit with
 * that script after changing a feature.
 */
export const MODEL: { intercept: number; weights: Features } = {
  intercept: -10.5,
  weights: { containment: 4.99, name: 4.93, specificity: 0.28, repetition: 0.73, rangeAlignment: 4.88 },
};

/** The part of a column the features read. */
export interface ScoredColumn {
  table: string;
  name: string;
  rows: number;
  missing: number;
  distinct: number;
  min?: number;
  max?: number;
  minLength: number;
}

export interface PairCounts {
  /** Distinct non-empty from-values (tuples for a composite). */
  fromDistinct: number;
  /** Of them, found in the key. */
  matched: number;
}

const r3 = (x: number) => Math.round(x * 1000) / 1000;
const clamp = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));

/**
 * Words that name a reference to another row of the same table: employee -> manager (`reports_to`,
 * `manager_id`), category -> parent, version -> previous. Such a column never names its own table.
 */
const SELF_REFERENCE_WORDS = new Set([
  'parent', 'manager', 'mgr', 'supervisor', 'boss', 'reports', 'superior', 'head', 'lead', 'mentor',
  'referrer', 'referred', 'predecessor', 'successor', 'previous', 'prev', 'next', 'replaced', 'replaces', 'ancestor', 'upline',
]);

/** Words that name an attribute, not an entity: two columns called `name` or `numeric` are not thereby linked. */
const ATTRIBUTE_WORDS = new Set([
  'name', 'type', 'kind', 'value', 'numeric', 'number', 'status', 'label', 'title', 'description', 'level', 'flag',
  'note', 'comment', 'amount', 'count', 'total', 'size', 'rank', 'score', 'version', 'source', 'target', 'group',
]);

/** Words that name a quantity: a column called `quantity` or `units_sold` counts things, it does not point at them. */
const QUANTITY_WORDS = new Set([
  'quantity', 'qty', 'amount', 'amt', 'count', 'cnt', 'total', 'sum', 'price', 'cost', 'units', 'volume', 'weight', 'height',
  'width', 'length', 'depth', 'age', 'score', 'rating', 'duration', 'distance', 'balance', 'rate', 'percent', 'pct', 'revenue',
  'profit', 'tax', 'discount', 'freight', 'population', 'stock', 'availqty', 'onhand',
]);

/**
 * Words that name a position among siblings: `line_number`, `seq`, `position` number the rows of a parent
 * (1, 2, 3 in every order), so their small integers land in any dense key 1..N by accident.
 */
const ORDINAL_WORDS = new Set(['line', 'seq', 'sequence', 'position', 'pos', 'ordinal', 'idx', 'index', 'rank', 'step', 'sort', 'row', 'slot']);

/** A column of a table named as a link to another row of the same table (`reports_to`, `parent_id`). */
export const isHierarchy = (fromTable: string, fromColumn: string, toTable: string): boolean =>
  fromTable === toTable && tokens(fromColumn).some((t) => SELF_REFERENCE_WORDS.has(t));

/**
 * Name evidence of a pair, -1..1: the similarity of the names; a self-reference whose name says
 * hierarchy (`reports_to` in employees) names the table's own key as plainly as a name can (1); an
 * identical specific name (`cca3` = `cca3`, `state` = `state`; not a bare `id`) next to a verified key
 * counts (0.6); a name whose entity is another table's (`customer_id` looking at `products`), that
 * names a quantity (`l_quantity`, `units`) and no identifier, or a position among siblings (`line_number`), counts against (-1: as far from a link as
 * the same identifier name is close to one; the fit weighed both alike when they were separate features).
 */
export function nameEvidence(fromTable: string, fromColumn: string, toTable: string, toColumn: string, tables: readonly string[]): number {
  const s = nameSimilarity(fromColumn, toTable, toColumn);
  if (isHierarchy(fromTable, fromColumn, toTable)) return 1;
  const namesOther = tables.some((t) => t !== toTable && entityNamesTable(fromColumn, t)) && !entityNamesTable(fromColumn, toTable);
  if (namesOther && s < 0.7) return -1;
  if (s < 0.7 && !isKeyLikeName(fromColumn) && coreTokens(fromColumn).some((t) => QUANTITY_WORDS.has(t))) return -1;
  if (s < 0.7 && tokens(fromColumn).some((t) => ORDINAL_WORDS.has(t))) return -1;
  const core = coreTokens(fromColumn).join('');
  const same = core === coreTokens(toColumn).join('') && entity(fromColumn).length >= 2 && !ATTRIBUTE_WORDS.has(core);
  return same ? Math.max(s, 0.6) : s;
}

/**
 * Chance that one from-value lands in the key by accident: the key's density over its integer range
 * (1 for ids 1..N), about none for UUIDs, and for text the key's share of all strings as short as the
 * shortest from-value.
 */
export function chance(fam: 'int' | 'uuid' | 'text', to: ScoredColumn, from: ScoredColumn): number {
  if (fam === 'uuid') return 1e-12;
  if (fam === 'int') {
    if (to.min === undefined || to.max === undefined) return 1;
    return clamp(to.distinct / Math.max(1, to.max - to.min + 1), 1e-12, 1);
  }
  return clamp(to.distinct / 36 ** Math.max(1, from.minLength), 1e-12, 1);
}

export function specificity(matched: number, p: number): number {
  return r3(Math.min(4, Math.log10(1 + matched * Math.log10(1 / p))));
}

/** Share of the key's values the from-column uses (inclusion the other way). */
export const coverageOf = (matched: number, toDistinct: number): number => r3(toDistinct > 0 ? Math.min(1, matched / toDistinct) : 0);

/**
 * How well an integer column's range spans the key's: 1 when both ends meet, 0 when far apart. A
 * hierarchy points at the parents, typically the earliest rows: stopping short says nothing there.
 */
export function rangeAlignment(fam: 'int' | 'uuid' | 'text', from: ScoredColumn, to: ScoredColumn): number {
  if (isHierarchy(from.table, from.name, to.table)) return 1;
  if (fam !== 'int' || from.min === undefined || from.max === undefined || to.min === undefined || to.max === undefined) return 1;
  const span = Math.max(1, to.max - to.min);
  return r3(clamp(1 - (Math.abs(from.min - to.min) + Math.abs(from.max - to.max)) / span, 0, 1));
}

/** The features of a candidate from measured counts. */
export function pairFeatures(counts: PairCounts, from: ScoredColumn, name: number, p: number, alignment: number): Features {
  const { fromDistinct, matched } = counts;
  const present = Math.max(0, from.rows - from.missing);
  return {
    containment: r3(fromDistinct > 0 ? matched / fromDistinct : 0),
    name: r3(name),
    specificity: specificity(matched, p),
    repetition: r3(Math.min(3, Math.log10(Math.max(1, present / Math.max(1, fromDistinct))))),
    rangeAlignment: alignment,
  };
}

export interface Scored {
  confidence: number;
  /** Each feature's term in the log-odds, and the intercept. */
  contributions: Record<string, number>;
}

/** Logistic confidence and the terms that add up to its log-odds. */
export function confidenceOf(f: Features): Scored {
  const contributions: Record<string, number> = { intercept: MODEL.intercept };
  let logit = MODEL.intercept;
  for (const k of FEATURES) {
    const term = MODEL.weights[k] * f[k];
    contributions[k] = r3(term);
    logit += term;
  }
  return { confidence: r3(1 / (1 + Math.exp(-logit))), contributions };
}
