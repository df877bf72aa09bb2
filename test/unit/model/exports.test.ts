import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { Session } from 'chdb';
import { Parser } from '@dbml/core';
import { proposeErd } from '../../../src/core/model/erd-proposal';
import { proposeStar } from '../../../src/core/model/star-proposal';
import { detectHierarchies } from '../../../src/core/model/hierarchies';
import { exportModel, svgToPng } from '../../../src/core/model/export';
import { erdBoxes, starBoxes, starRows } from '../../../src/core/model/layout';
import { starTables } from '../../../src/core/model/export/tables';
import { headerLineModels } from '../../helpers/build-fixtures';
import { tempDir, removeDir } from '../../helpers/warehouse';
import { tpch, retail } from './builders';

function models() {
  const r = retail();
  const erd = proposeErd(r.catalog, { name: 'shop' });
  const star = detectHierarchies(proposeStar(erd, r.catalog), r.catalog, erd).star;
  return { erd, star };
}

test('Mermaid erDiagram: entities, typed attributes with keys, crow-foot cardinalities; Markdown wraps it', () => {
  const { erd } = models();
  const [mmd, md] = exportModel(erd, 'mermaid');
  assert.equal(mmd.ext, '.mmd');
  const lines = mmd.text.split('\n');
  assert.equal(lines[0], 'erDiagram');
  assert.ok(lines.includes('    Decimal_18_2 unit_price'));
  assert.ok(lines.includes('    Int64 customer_id PK'));
  assert.ok(lines.includes('    Int64 product_id FK'));
  assert.ok(lines.includes('  sales_lines }o--|| products : "product_id"'));
  assert.ok(lines.includes('  sales_lines }o--o| customers : "customer_id"'), 'optional reference');
  assert.equal(lines.filter((l) => /^ {2}\w+ \{$/.test(l)).length, 5);
  assert.equal(md.ext, '.md');
  assert.ok(md.text.includes('```mermaid\nerDiagram\n'));
  assert.ok(md.text.trimEnd().endsWith('```'));
});

test('DBML: tables, composite primary keys as indexes, refs, table groups', () => {
  const { erd, star } = models();
  const [dbml] = exportModel(erd, 'dbml');
  assert.ok(dbml.text.includes('Table sales_lines {'));
  assert.ok(dbml.text.includes('    (order_number, line_number) [pk]'));
  assert.ok(dbml.text.includes('  customer_id Int64 [pk, not null]'));
  assert.ok(dbml.text.includes('Ref fk_sales_lines_customer_id: sales_lines.customer_id > customers.customer_id'));
  assert.ok(dbml.text.includes('TableGroup sales_lines {'));
  const [sdbml] = exportModel(star, 'dbml', { erd });
  assert.ok(sdbml.text.includes('Ref: sales_lines.customer_key > customer.customer_key'));
  // The DBML project's own parser reads both back with every table and reference.
  const e = Parser.parse(dbml.text, 'dbml').schemas[0];
  assert.deepEqual([e.tables.length, e.refs.length], [erd.entities.length, erd.relationships.length]);
  const t = tpch();
  const terd = proposeErd(t.catalog, { name: 'tpch' });
  const tstar = proposeStar(terd, t.catalog);
  const s = Parser.parse(exportModel(tstar, 'dbml', { erd: terd })[0].text, 'dbml').schemas[0];
  assert.deepEqual([s.tables.length, s.refs.length], [tstar.facts.length + tstar.dimensions.length, tstar.facts.reduce((n, f) => n + f.dimensions.length, 0)]);
});

test('ClickHouse DDL of the ERD and the star runs in real chDB and creates every table', async () => {
  const dir = tempDir('model-ddl-');
  const s = new Session(dir);
  after(() => {
    s.cleanup();
    removeDir(dir);
  });
  const t = tpch();
  const erd = proposeErd(t.catalog, { name: 'tpch' });
  // A name that needs quoting must survive too.
  erd.entities[0].columns.push({ name: 'weird `name`', type: 'LowCardinality(String)', nullable: true });
  const star = proposeStar(erd, t.catalog);
  // The proposal starts every dimension at SCD 1 (no observed change); the user chooses SCD 2 in the editor, as here.
  const customer = star.dimensions.find((d) => d.name === 'customer');
  assert.ok(customer);
  customer.scdType = 2;
  await s.queryAsync('CREATE DATABASE IF NOT EXISTS silver');
  await s.queryAsync('CREATE DATABASE IF NOT EXISTS gold');
  for (const [model, db, n] of [[erd, 'silver', erd.entities.length], [star, 'gold', star.facts.length + star.dimensions.length]] as const) {
    const [ddl] = exportModel(model, 'ddl', { erd });
    assert.equal(ddl.ext, '.sql');
    const statements = ddl.text.split(/;\n/).map((x) => x.trim()).filter((x) => x.includes('CREATE TABLE'));
    assert.equal(statements.length, n);
    for (const stmt of statements) await s.queryAsync(stmt);
    const r = await s.queryAsync(`SELECT count() AS n FROM system.tables WHERE database = '${db}'`, { format: 'TSV' });
    assert.equal(Number(r.text().trim()), n);
  }
  const cols = await s.queryAsync("SELECT name, type FROM system.columns WHERE database = 'gold' AND table = 'customer' ORDER BY position", { format: 'TSV' });
  const text = cols.text();
  assert.match(text, /^customer_key\tUInt64\n/);
  assert.match(text, /valid_to\tNullable\(DateTime64\(3\)\)/);
  const lineitem = await s.queryAsync("SELECT name FROM system.columns WHERE database = 'gold' AND table = 'lineitem' ORDER BY position", { format: 'TSV' });
  assert.ok(lineitem.text().includes('l_shipdate_key\nl_commitdate_key\nl_receiptdate_key'));
});

test('SVG: one box per entity at the layout positions, one line per relationship, escaped text', () => {
  const { erd, star } = models();
  erd.entities[1].columns[1].name = 'a<b&"c"';
  const [svg] = exportModel(erd, 'svg');
  assert.equal(svg.ext, '.svg');
  assert.ok(svg.text.startsWith('<svg xmlns="http://www.w3.org/2000/svg"'));
  assert.equal((svg.text.match(/<g class="box entity"/g) ?? []).length, erd.entities.length);
  assert.equal((svg.text.match(/<g class="rel"/g) ?? []).length, erd.relationships.length);
  assert.ok(svg.text.includes('a&lt;b&amp;&quot;c&quot;'));
  const b = erdBoxes(erd).get('customers');
  assert.ok(b && svg.text.includes(`<rect x="${b.x}" y="${b.y}" width="${b.width}" height="${b.height}"`));
  assert.equal((svg.text.match(/<circle /g) ?? []).length, 1, 'one optional reference');
  const [ssvg] = exportModel(star, 'svg', { erd });
  assert.equal((ssvg.text.match(/<g class="box fact"/g) ?? []).length, 1);
  assert.equal((ssvg.text.match(/<g class="box dimension"/g) ?? []).length, 4);
});

/** Width and height from the IHDR chunk, which a PNG must start with right after its signature. */
function pngSize(png: Buffer): { width: number; height: number } {
  assert.ok(png.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])), 'PNG signature');
  assert.equal(png.subarray(12, 16).toString('latin1'), 'IHDR');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

test('PNG: the SVG drawing rasterized at twice its size, text rendered', () => {
  const { erd, star } = models();
  const [svg] = exportModel(erd, 'svg');
  const [png] = exportModel(erd, 'png');
  assert.equal(png.ext, '.png');
  const size = pngSize(png.data);
  const [, w, h] = /<svg [^>]*width="([\d.]+)" height="([\d.]+)"/.exec(svg.text) ?? [];
  assert.ok(size.width > 0 && size.height > 0);
  assert.deepEqual(size, { width: Math.round(2 * Number(w)), height: Math.round(2 * Number(h)) });
  assert.ok(png.data.length > 1024, `PNG of ${png.data.length} bytes`);
  // Text is drawn (a font was found): the same drawing without its text elements is a different image.
  const noText = svgToPng(svg.text.replace(/<text[^>]*>[^<]*<\/text>/g, ''));
  assert.ok(!noText.equals(png.data), 'the text adds pixels');
  const [spng] = exportModel(star, 'png', { erd });
  assert.ok(pngSize(spng.data).width > 0);
});

test('star boxes are as tall as the rows their tables list (header degenerate columns included), in the SVG too', () => {
  const { erd, star } = headerLineModels();
  const { tables } = starTables(star, erd);
  const rows = starRows(star);
  for (const f of star.facts) assert.equal(rows.get(f.name), tables.find((t) => t.name === f.name)?.columns.length, f.name);
  assert.ok(star.facts.some((f) => (f.headerDegenerate ?? []).length > 0), 'the fixture has header degenerate columns');
  // Every row text of the fact's box lies inside the box.
  const [svg] = exportModel(star, 'svg', { erd });
  const fact = star.facts[0].name;
  const box = starBoxes(star).get(fact);
  assert.ok(box);
  const group = svg.text.slice(svg.text.indexOf(`data-name="${fact}"`));
  const ys = [...group.slice(0, group.indexOf('</g>')).matchAll(/<text[^>]* y="([\d.]+)"/g)].map((m) => Number(m[1]));
  assert.ok(ys.length > 3);
  for (const y of ys) assert.ok(y <= box.y + box.height, `row at ${y} inside the box ending at ${box.y + box.height}`);
});
