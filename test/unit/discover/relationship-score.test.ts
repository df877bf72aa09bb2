/** The relationship confidence model: features from counts, monotone evidence, explainable terms. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chance, confidenceOf, coverageOf, FEATURES, MODEL, nameEvidence, pairFeatures, rangeAlignment, specificity, type Features, type ScoredColumn } from '../../../src/core/discover/relationship-score';

const c = (o: Partial<ScoredColumn> = {}): ScoredColumn => ({ table: 't', name: 'x', rows: 1000, missing: 0, distinct: 100, minLength: 1, ...o });

test('chance of an accidental match: dense integer keys contain anything small, text and UUIDs almost nothing', () => {
  assert.equal(chance('int', c({ min: 1, max: 100, distinct: 100 }), c()), 1);
  assert.ok(chance('int', c({ min: 1, max: 400_000, distinct: 100_000 }), c()) <= 0.25);
  assert.ok(chance('text', c({ distinct: 50 }), c({ minLength: 4 })) < 1e-4);
  assert.ok(chance('uuid', c(), c()) < 1e-9);
  assert.equal(specificity(300, 1), 0);
  assert.ok(specificity(300, 1e-5) > 3);
});

test('range alignment tells a count inside an id range from a reference that spans it', () => {
  const ids = c({ min: 1, max: 300 });
  assert.ok(rangeAlignment('int', c({ min: 1, max: 250 }), ids) < 0.85);
  assert.ok(rangeAlignment('int', c({ min: 1, max: 12 }), ids) < 0.1);
  assert.ok(rangeAlignment('int', c({ min: 2, max: 299 }), ids) > 0.98);
  assert.equal(rangeAlignment('text', c(), c()), 1);
});

test('features from counts: containment both ways, repetition', () => {
  const f = pairFeatures({ fromDistinct: 200, matched: 190 }, c({ rows: 5000, missing: 1000 }), 0.9, 1, 1);
  assert.equal(f.containment, 0.95);
  assert.equal(coverageOf(190, 400), 0.475);
  assert.equal(f.repetition, 1.301);
  assert.equal(f.name, 0.9);
});

test('every feature is evidence for the link: raising one never lowers the confidence', () => {
  for (const k of FEATURES) assert.ok(MODEL.weights[k] >= 0, k);
  const base: Features = { containment: 0.9, name: 0.2, specificity: 1, repetition: 1, rangeAlignment: 0.8 };
  for (const k of FEATURES) assert.ok(confidenceOf({ ...base, [k]: base[k] + 0.5 }).confidence >= confidenceOf(base).confidence, k);
});

test('the terms add up to the log-odds of the confidence', () => {
  const f: Features = { containment: 1, name: 0, specificity: 2.5, repetition: 1.2, rangeAlignment: 1 };
  const s = confidenceOf(f);
  const logit = Object.values(s.contributions).reduce((a, b) => a + b, 0);
  assert.ok(Math.abs(1 / (1 + Math.exp(-logit)) - s.confidence) < 0.002);
});

test('name evidence: hierarchy words make a self-reference, equal specific names count, a name of another table counts against', () => {
  const tables = ['s__employees', 's__customers', 's__products'];
  assert.equal(nameEvidence('s__employees', 'reports_to', 's__employees', 'employee_id', tables), 1);
  assert.equal(nameEvidence('s__borders', 'cca3', 's__countries', 'cca3', tables), 0.6);
  assert.equal(nameEvidence('s__sizes', 'id', 's__colors', 'id', tables), 0.1);
  assert.equal(nameEvidence('s__currencies', 'numeric', 's__countries', 'numeric', tables), 0.1);
  assert.equal(nameEvidence('s__lines', 'l_quantity', 's__suppliers', 's_suppkey', tables), -1);
  assert.equal(nameEvidence('s__lines', 'count_id', 's__counts', 'id', tables), 0.9);
  assert.equal(nameEvidence('s__orders', 'customer_id', 's__products', 'id', tables), -1);
  assert.equal(nameEvidence('s__orders', 'customer_id', 's__customers', 'id', tables), 0.9);
  assert.equal(nameEvidence('s__orders', 'client', 's__customers', 'cust_key', tables), 0);
});
