/** Type inference accuracy on a labelled corpus of real-world formats (>= 150 columns), through real chDB. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { embeddedWarehouse } from '../../helpers/warehouse';
import { bronzeFromRows, testContext } from '../../fixtures/discover/bronze';
import { typeCorpus, CORPUS_ROWS } from '../../fixtures/discover/type-corpus';
import { discover } from '../../../src/core/discover/discover';
import type { Catalog } from '../../../src/core/discover/catalog-types';
import type { Warehouse } from '../../../src/core/warehouse/warehouse';
import { applyExpression } from '../../../src/core/discover/validate';
import { qualified } from '../../../src/core/warehouse/sql';

let env: { wh: Warehouse; dir: string; dispose: () => Promise<void> };
let catalog: Catalog;
const corpus = typeCorpus();

before(async () => {
  env = await embeddedWarehouse();
  const rows = Array.from({ length: CORPUS_ROWS }, (_, i) => corpus.map((c) => c.values[i]));
  await bronzeFromRows(env.wh, 'corpus__types', corpus.map((c) => c.name), rows);
  catalog = await discover(testContext(env.wh, env.dir), { only: 'quality' });
});
after(async () => env?.dispose());

test('the type corpus has at least 150 labelled columns', () => {
  assert.ok(corpus.length >= 150, `${corpus.length} columns`);
});

test('type inference accuracy >= 98% on the labelled corpus', () => {
  const cols = catalog.tables[0].columns;
  const wrong: string[] = [];
  let formatChecks = 0;
  let formatOk = 0;
  for (const c of corpus) {
    const got = cols.find((x) => x.name === c.name);
    assert.ok(got, c.name);
    if (got.inferred.type !== c.expected) wrong.push(`${c.name}: expected ${c.expected}, got ${got.inferred.type} (${got.inferred.notes.join('; ')})`);
    if (c.format) {
      formatChecks++;
      if (got.inferred.format === c.format) formatOk++;
      else wrong.push(`${c.name}: format ${got.inferred.format} instead of ${c.format}`);
    }
  }
  const accuracy = (corpus.length - wrong.filter((w) => !w.includes(': format')).length) / corpus.length;
  console.log(`type accuracy ${(accuracy * 100).toFixed(1)}% (${corpus.length} columns); date formats ${formatOk}/${formatChecks}`);
  for (const w of wrong) console.log('  miss:', w);
  assert.ok(accuracy >= 0.98, `accuracy ${accuracy}`);
  assert.equal(formatOk, formatChecks);
});

test('nullable follows empties; convert rates are exact; dirty values show up in validity with samples', () => {
  const cols = catalog.tables[0].columns;
  const byName = (n: string) => cols.find((c) => c.name === n)!;
  assert.equal(byName('rand_int').inferred.nullable, false);
  assert.equal(byName('rand_int_nulls').inferred.nullable, true);
  const dirty = byName('rand_int_dirty');
  assert.equal(dirty.inferred.type, 'Int32');
  assert.equal(dirty.inferred.convertRate, 0.99);
  const validity = dirty.quality!.dimensions.find((d) => d.name === 'validity')!;
  assert.ok(validity.score < 100 && validity.score >= 98, String(validity.score));
  assert.deepEqual(validity.samples, ['oops?!']);
  assert.match(byName('usd').inferred.expression, /replaceAll\(.*'\$', ''\)/);
  for (const c of cols) {
    if (c.quality) assert.ok(c.quality.score >= 0 && c.quality.score <= 100, `${c.name} ${c.quality.score}`);
  }
});

test('every inferred expression runs in ClickHouse and converts what it claims', async () => {
  const cols = catalog.tables[0].columns.filter((c) => !c.inferred.type.includes('String'));
  const sql = `SELECT ${cols.map((c, i) => `countIf(isNotNull(${applyExpression(c.inferred.expression, c.name)})) AS n${i}, toTypeName(${applyExpression(c.inferred.expression, c.name)}) AS t${i}`).join(', ')} FROM ${qualified('bronze', 'corpus__types')}`;
  const r = (await env.wh.query(sql))[0];
  cols.forEach((c, i) => {
    const nonEmpty = c.profile.rows - c.profile.empty;
    assert.ok(Number(r[`n${i}`]) >= Math.floor(nonEmpty * 0.98), `${c.name}: ${r[`n${i}`]} of ${nonEmpty}`);
    assert.ok(String(r[`t${i}`]).includes(c.inferred.type.replace('Decimal(18,', 'Decimal(18, ').replace('Decimal(38,', 'Decimal(38, ')), `${c.name}: ${r[`t${i}`]} vs ${c.inferred.type}`);
  });
});
