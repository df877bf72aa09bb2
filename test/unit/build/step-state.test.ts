import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decideMode, stateAfter, type StepState } from '../../../src/core/build/step-state';
import type { ManifestStep } from '../../../src/core/build/build-types';

const step = (id: string, dependsOn: string[] = [], extra: Partial<ManifestStep> = {}): ManifestStep => ({
  id,
  layer: id.startsWith('silver') ? 'silver' : 'gold',
  file: `sql/${id}.sql`,
  dependsOn,
  description: id,
  fingerprint: `fp-${id}`,
  ...extra,
});

const silver = step('silver.orders');
const dim = step('gold.customer', ['silver.customers'], { history: true });
const fact = step('gold.order_lines', ['silver.orders', 'gold.customer']);

function ranAll(runId: string, steps: ManifestStep[]): Map<string, StepState> {
  const states = new Map<string, StepState>();
  for (const s of steps) states.set(s.id, stateAfter(s, 'full', runId, states));
  return states;
}

test('no recorded state: rebuilt in full, except a history table, whose rows the incremental SQL keeps', () => {
  assert.equal(decideMode(silver, new Map(), false).mode, 'full');
  assert.equal(decideMode(dim, new Map(), false).mode, 'incremental');
});

test('unchanged steps whose dependencies were not rebuilt run incrementally', () => {
  const states = ranAll('r1', [silver, step('silver.customers'), dim, fact]);
  for (const s of [silver, dim, fact]) {
    const d = decideMode(s, states, false);
    assert.equal(d.mode, 'incremental');
    assert.equal(d.reason, undefined);
  }
});

test('a changed SQL rebuilds the step and, through the recorded rebuild, its dependants', () => {
  const customers = step('silver.customers');
  const states = ranAll('r1', [silver, customers, dim, fact]);
  const changedDim = { ...dim, fingerprint: 'fp-other' };
  const d = decideMode(changedDim, states, false);
  assert.equal(d.mode, 'full');
  assert.match(d.reason ?? '', /SQL changed.*history starts again/);
  // The dimension is rebuilt in run r2; the fact then sees a rebuild it has not read.
  states.set(changedDim.id, stateAfter(changedDim, 'full', 'r2', states));
  const f = decideMode(fact, states, false);
  assert.equal(f.mode, 'full');
  assert.match(f.reason ?? '', /gold\.customer was rebuilt \(run r2\)/);
  states.set(fact.id, stateAfter(fact, 'full', 'r2', states));
  assert.equal(decideMode(fact, states, false).mode, 'incremental');
});

test('a dependant skipped in the run that rebuilt its dependency is rebuilt in the next run', () => {
  const states = ranAll('r1', [silver, step('silver.customers'), dim, fact]);
  const changed = { ...silver, fingerprint: 'fp-new' };
  states.set(changed.id, stateAfter(changed, 'full', 'r2', states));
  // r2 failed before the fact ran: its state is still r1's. r3 must rebuild it.
  assert.equal(decideMode(fact, states, false).mode, 'full');
});

test('--full rebuilds every step but keeps history tables, which a rebuilt dependency does not reset either', () => {
  const customers = step('silver.customers');
  const states = ranAll('r1', [silver, customers, dim, fact]);
  assert.deepEqual(decideMode(fact, states, true), { mode: 'full', reason: 'full rebuild requested' });
  assert.deepEqual(decideMode(dim, states, true), { mode: 'incremental', reason: 'a full rebuild keeps its history' });
  states.set(customers.id, stateAfter(customers, 'full', 'r2', states));
  assert.equal(decideMode(dim, states, false).mode, 'incremental');
  // The history table ran incrementally: its own last rebuild stays r1, so the fact is not forced by it.
  states.set(dim.id, stateAfter(dim, 'incremental', 'r2', states));
  assert.equal(states.get(dim.id)?.rebuilt, 'r1');
});
