import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { proposeErd } from '../../../src/core/model/erd-proposal';
import { proposeStar } from '../../../src/core/model/star-proposal';
import { detectHierarchies } from '../../../src/core/model/hierarchies';
import { listModels, modelFile, parseErd, parseStar, readCatalog, readErd, readStar, writeErd, writeStar, checkModelName } from '../../../src/core/model/files';
import { projectPaths } from '../../../src/core/project/paths';
import { stableStringify } from '../../../src/core/project/json-file';
import { tempDir, removeDir } from '../../helpers/warehouse';
import { retail } from './builders';

const dir = tempDir('model-files-');
after(() => removeDir(dir));
const paths = projectPaths(dir);

function models() {
  const r = retail();
  const erd = proposeErd(r.catalog, { name: 'shop' });
  const star = detectHierarchies(proposeStar(erd, r.catalog), r.catalog, erd).star;
  return { r, erd, star };
}

test('round trip: load -> save gives the same bytes (ERD and star)', () => {
  const { erd, star } = models();
  const ef = modelFile(paths, 'shop', 'erd');
  const sf = modelFile(paths, 'shop', 'star');
  writeErd(ef, erd);
  writeStar(sf, star, erd);
  const bytesE = readFileSync(ef);
  const bytesS = readFileSync(sf);
  writeErd(ef, readErd(ef));
  writeStar(sf, readStar(sf, undefined, erd), erd);
  assert.ok(readFileSync(ef).equals(bytesE));
  assert.ok(readFileSync(sf).equals(bytesS));
  assert.deepEqual(readErd(ef), JSON.parse(JSON.stringify(erd)));
  assert.deepEqual(listModels(paths).map((m) => `${m.name}.${m.kind}`), ['shop.erd', 'shop.star']);
});

test('moving one box changes one line pair of the file (layout kept apart)', () => {
  const { erd } = models();
  const before = stableStringify(erd).split('\n');
  const moved = { ...erd, layout: { positions: { ...erd.layout.positions, customers: { x: 1, y: 2 } } } };
  const afterLines = stableStringify(moved).split('\n');
  assert.equal(before.length, afterLines.length);
  assert.equal(before.filter((l, i) => l !== afterLines[i]).length, 2);
});

function erdError(mutate: (m: Record<string, unknown> & ReturnType<typeof models>['erd']) => void): string {
  const m = structuredClone(models().erd) as ReturnType<typeof models>['erd'] & Record<string, unknown>;
  mutate(m);
  try {
    parseErd(JSON.stringify(m), 'models/shop.erd.json');
  } catch (err) {
    return (err as Error).message;
  }
  return 'no error';
}

test('bad ERD files give one clear error naming the file and the JSON path', () => {
  assert.equal(
    erdError((m) => ((m.entities[0].columns[0] as unknown as { nullable: string }).nullable = 'yes')),
    'models/shop.erd.json at /entities/0/columns/0/nullable: must be boolean',
  );
  assert.equal(
    erdError((m) => (m.relationships[0].to.entity = 'ghost')),
    'models/shop.erd.json at /relationships/0/to/entity: relationship "fk_sales_lines_product_id" points at entity "ghost", which does not exist',
  );
  assert.equal(
    erdError((m) => (m.relationships[1].from.columns = ['nope'])),
    'models/shop.erd.json at /relationships/1/from/columns/0: relationship "fk_sales_lines_store_id": entity "sales_lines" has no column "nope"',
  );
  assert.equal(erdError((m) => (m.entities[2].name = 'customers')), 'models/shop.erd.json at /entities/2/name: duplicate entity name: "customers"');
  assert.equal(
    erdError((m) => m.entities[1].columns.push({ ...m.entities[1].columns[0] })),
    'models/shop.erd.json at /entities/1/columns/10/name: duplicate column name in entity "customers": "customer_id"',
  );
  assert.equal(erdError((m) => (m.entities[1].primaryKey = ['zzz'])), 'models/shop.erd.json at /entities/1/primaryKey/0: primary key column "zzz" is not a column of entity "customers"');
  assert.equal(erdError((m) => (m.kind = 'star' as 'erd')), 'models/shop.erd.json at /kind: must be equal to constant');
  assert.equal(erdError((m) => (m.surprise = 1)), 'models/shop.erd.json at /: unknown property "surprise"');
  assert.throws(() => parseErd('{"version":', 'x.erd.json'), /x\.erd\.json: not valid JSON/);
});

test('bad star files: dangling dimension, unknown hierarchy attribute, duplicate names', () => {
  const { star, erd } = models();
  const bad = (f: (s: typeof star) => void) => {
    const s = structuredClone(star);
    f(s);
    try {
      parseStar(JSON.stringify(s), 'models/shop.star.json', erd);
      return 'no error';
    } catch (err) {
      return (err as Error).message;
    }
  };
  assert.match(bad((s) => (s.facts[0].dimensions[0].dimension = 'ghost')), /at \/facts\/0\/dimensions\/0\/dimension: fact "sales_lines" references dimension "ghost"/);
  assert.match(bad((s) => (s.dimensions[0].hierarchies[0].levels[0].attribute = 'nope')), /at \/dimensions\/0\/hierarchies\/0\/levels\/0\/attribute: hierarchy .* uses "nope"/);
  assert.match(bad((s) => (s.dimensions[1].name = s.dimensions[0].name)), /at \/dimensions\/1\/name: duplicate fact or dimension name: "customer"/);
  assert.match(bad((s) => (s.facts[0].measures[0].column = 'nope')), /at \/facts\/0\/measures\/0\/column: entity "sales_lines" has no column "nope"/);
  assert.match(bad((s) => ((s.dimensions[0] as { scdType: number }).scdType = 3)), /at \/dimensions\/0\/scdType: must be one of 1, 2/);
});

test('catalog reading: clear error for a missing file; model names must be file-safe', () => {
  assert.throws(() => readCatalog(join(dir, 'none.catalog.json')), /none\.catalog\.json: (file not found)/);
  const f = join(dir, 'bronze.catalog.json');
  writeFileSync(f, JSON.stringify(retail().catalog));
  assert.equal(readCatalog(f).tables.length, 5);
  assert.throws(() => checkModelName('../evil'), /not usable as a file name/);
  assert.equal(checkModelName('shop-2'), 'shop-2');
});
