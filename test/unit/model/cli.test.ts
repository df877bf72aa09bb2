import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { main } from '../../../src/cli/main';
import { initProjectFiles } from '../../../src/core/project/project';
import { tempDir, removeDir } from '../../helpers/warehouse';
import { retail } from './builders';

const dir = tempDir('model-cli-');
after(() => removeDir(dir));

async function kimball(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const w1 = process.stdout.write.bind(process.stdout);
  const w2 = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((s: string) => (out.push(String(s)), true)) as typeof process.stdout.write;
  process.stderr.write = ((s: string) => (err.push(String(s)), true)) as typeof process.stderr.write;
  try {
    const code = await main(['node', 'kimball', '--workspace', dir, ...args]);
    return { code, out: out.join(''), err: err.join('') };
  } finally {
    process.stdout.write = w1;
    process.stderr.write = w2;
  }
}

test('kimball model erd|star|hierarchies|export|list over a workspace', async () => {
  initProjectFiles(dir, 'shop');
  const missing = await kimball('model', 'erd');
  assert.equal(missing.code, 1);
  assert.match(missing.err, /^kimball: \.kimball\/catalog\/bronze\.catalog\.json: file not found: discover the bronze tables first/);
  mkdirSync(join(dir, '.kimball', 'catalog'), { recursive: true });
  writeFileSync(join(dir, '.kimball', 'catalog', 'bronze.catalog.json'), JSON.stringify(retail().catalog));

  const noErd = await kimball('model', 'star');
  assert.match(noErd.err, /models\/shop\.erd\.json: file not found: generate the ERD first/);

  const erd = await kimball('model', 'erd');
  assert.equal(erd.code, 0, erd.err);
  assert.match(erd.out, /Wrote models\/shop\.erd\.json: 5 entities, 4 relationships/);
  // Proposing again keeps the user's positions and decisions.
  const erdFile = join(dir, 'models', 'shop.erd.json');
  const edited = JSON.parse(readFileSync(erdFile, 'utf8'));
  edited.layout.positions.customers = { x: 4321, y: 12 };
  edited.decompositions[0].status = 'rejected';
  writeFileSync(erdFile, JSON.stringify(edited));
  const again = await kimball('model', 'erd');
  assert.match(again.out, /^Updated models\/shop\.erd\.json/);
  const reread = JSON.parse(readFileSync(erdFile, 'utf8'));
  assert.deepEqual(reread.layout.positions.customers, { x: 4321, y: 12 });
  assert.equal(reread.decompositions[0].status, 'rejected');

  const id = reread.decompositions[1].id;
  const accepted = await kimball('model', 'accept', id);
  assert.equal(accepted.out, `models/shop.erd.json: decomposition ${id} accepted.\n`);
  assert.match((await kimball('model', 'reject', 'nope')).err, /kimball: No decomposition nope in model shop\./);

  const star = await kimball('--json', 'model', 'star');
  assert.equal(star.code, 0, star.err);
  assert.deepEqual(JSON.parse(star.out).facts.map((f: { name: string }) => f.name), ['sales_lines']);
  // The accepted split (customers:city -> city) is a snowflake the customer dimension folds back in.
  assert.deepEqual(JSON.parse(star.out).dimensions.find((d: { name: string }) => d.name === 'customer').collapsed, ['city']);
  const h = await kimball('model', 'hierarchies');
  assert.match(h.out, /customer\.country_city: country \(3\) > state \(50\) > city \(300\)/);
  const bytes = readFileSync(join(dir, 'models', 'shop.star.json'));
  assert.equal((await kimball('model', 'star')).code, 0);
  assert.ok(readFileSync(join(dir, 'models', 'shop.star.json')).equals(bytes), 'proposing again keeps hierarchies and positions');

  for (const format of ['mermaid', 'dbml', 'ddl', 'svg', 'png']) {
    const r = await kimball('model', 'export', 'models/shop.erd.json', '--format', format);
    assert.equal(r.code, 0, r.err);
  }
  for (const f of ['shop.erd.mmd', 'shop.erd.md', 'shop.erd.dbml', 'shop.erd.sql', 'shop.erd.svg', 'shop.erd.png']) assert.ok(existsSync(join(dir, 'models', f)), f);
  const png = readFileSync(join(dir, 'models', 'shop.erd.png'));
  assert.ok(png.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])), 'PNG signature');
  assert.ok(png.length > 1024, `PNG of ${png.length} bytes`);
  const out = await kimball('model', 'export', 'models/shop.star.json', '--format', 'ddl', '--out', 'build/gold.sql');
  assert.equal(out.code, 0, out.err);
  assert.match(readFileSync(join(dir, 'build', 'gold.sql'), 'utf8'), /CREATE TABLE IF NOT EXISTS `gold`.`sales_lines`/);
  const bad = await kimball('model', 'export', 'models/shop.erd.json', '--format', 'pdf');
  assert.match(bad.err, /kimball: unknown export format "pdf": use mermaid, dbml, ddl, svg, png/);

  const list = await kimball('model', 'list');
  assert.equal(list.out, 'models/shop.erd.json\terd\t6 entities, 5 relationships\nmodels/shop.star.json\tstar\t1 facts, 4 dimensions\n');
});
