import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import iconv from 'iconv-lite';
import { acquire } from '../../../src/core/acquire';
import { testWorkspace, type TestWorkspace } from './workspace';

describe('acquire: delimited files', () => {
  let w: TestWorkspace;
  before(async () => {
    w = await testWorkspace();
  });
  after(async () => {
    await w.dispose();
  });

  it('loads a UTF-8 CSV natively with text kept exactly and lineage columns', async () => {
    w.write('plain/orders.csv', 'id,code,note\n1,0012,\n2,  x  ,"a, ""quoted""\nline"\n');
    w.addFiles('shop', 'plain');
    const [r] = await acquire(w.ctx, { sources: ['shop'] });
    assert.equal(r.status, 'loaded', r.error);
    assert.equal(r.table, 'shop__orders');
    assert.equal(r.rows, 2);
    assert.equal(r.rejects, 0);
    const rows = await w.rows('shop__orders');
    assert.deepEqual(
      rows.map((x) => [x.id, x.code, x.note, x._kimball_row, x._kimball_source, x._kimball_object]),
      [
        ['1', '0012', '', '1', 'shop', 'orders'],
        ['2', '  x  ', 'a, "quoted"\nline', '2', 'shop', 'orders'],
      ],
    );
    assert.equal(rows[0]._kimball_load_id, r.loadId);
  });

  it('reads tab, semicolon and pipe delimited files natively, keeping \\N and NULL as text', async () => {
    w.write('delims/t.tsv', 'k\tv\n1\t\\N\n2\tC:\\dir\\x\n');
    w.write('delims/s.csv', 'k;v\n1;NULL\n2;a,b\n3\n');
    w.write('delims/p.psv', 'k|v\n1|"x|y"\n');
    w.addFiles('delims', 'delims');
    const rs = await acquire(w.ctx, { sources: ['delims'] });
    for (const r of rs) assert.equal(r.status, 'loaded', `${r.object}: ${r.error}`);
    assert.deepEqual((await w.rows('delims__t')).map((x) => x.v), ['\\N', 'C:\\dir\\x']);
    assert.deepEqual((await w.rows('delims__s')).map((x) => x.v), ['NULL', 'a,b']);
    assert.deepEqual((await w.rows('delims__p')).map((x) => x.v), ['x|y']);
    const semi = rs.find((r) => r.object === 's');
    assert.equal(semi?.rejects, 1);
    const rej = await w.wh.query<{ line: string; raw: string }>("SELECT line, raw FROM bronze._kimball_rejects WHERE source = 'delims'");
    assert.deepEqual(rej, [{ line: '4', raw: '3' }]);
  });

  it('keeps leading blanks on the faster read, and reads again exactly when a padded value shows up past the sampled head', async () => {
    // 3,000 rows of about 40 bytes: the padded values sit well past the 64 KB head that decides on the faster read.
    const body = Array.from({ length: 3000 }, (_, i) => `${i},  lead ${i},"q ${i}, x",tail${i}`);
    w.write('blanks/early.csv', ['id,a,b,c', ...body].join('\n') + '\n');
    const late = [...body.slice(0, 2998), '2998,  lead,"q" ,tail  ', '2999,x,y', '3000,a,"b",tail\t'];
    w.write('blanks/late.csv', ['id,a,b,c', ...late].join('\n') + '\n');
    w.addFiles('blanks', 'blanks');
    const rs = await acquire(w.ctx, { sources: ['blanks'] });
    for (const r of rs) assert.equal(r.status, 'loaded', `${r.object}: ${r.error}`);
    const early = await w.wh.query<{ a: string; b: string; n: string }>("SELECT a, b, (SELECT count() FROM bronze.blanks__early) AS n FROM bronze.blanks__early WHERE id = '7'");
    assert.deepEqual(early, [{ a: '  lead 7', b: 'q 7, x', n: '3000' }]);
    const lateLoad = rs.find((r) => r.object === 'late');
    assert.equal(lateLoad?.rows, 3000, 'every row once: the faster read was replaced, not added to');
    assert.equal(lateLoad?.rejects, 1);
    const tail = await w.wh.query<{ id: string; a: string; b: string; c: string }>("SELECT id, a, b, c FROM bronze.blanks__late WHERE toUInt32(id) >= 2998 ORDER BY id");
    assert.deepEqual(tail, [
      { id: '2998', a: '  lead', b: 'q', c: 'tail  ' },
      { id: '3000', a: 'a', b: 'b', c: 'tail\t' },
    ]);
    const rej = await w.wh.query<{ line: string }>("SELECT line FROM bronze._kimball_rejects WHERE source = 'blanks'");
    assert.deepEqual(rej, [{ line: '3001' }]);
  });

  it('numbers rows in file order when ClickHouse parses a large file on several threads', async () => {
    // About 30 MB: ClickHouse cuts CSV into 10 MB segments parsed in parallel.
    const line = (i: number) => `${i},${'x'.repeat(90)}\n`;
    w.write('big/rows.csv', 'id,pad\n' + Array.from({ length: 320_000 }, (_, i) => line(i + 1)).join(''));
    w.addFiles('big', 'big');
    const [r] = await acquire(w.ctx, { sources: ['big'] });
    assert.equal(r.status, 'loaded', r.error);
    const check = await w.wh.query<{ n: string; misplaced: string }>('SELECT count() AS n, countIf(toUInt64(id) != _kimball_row) AS misplaced FROM bronze.big__rows');
    assert.deepEqual(check, [{ n: '320000', misplaced: '0' }]);
  });

  it('reads a file whose lines end with a CR alone (classic Mac) as lines, keeping CRs inside quotes', async () => {
    w.write('mac/old.csv', 'id,name\r1,Ann\r2,"Bo\rb"\r3,x,extra\r4,Dee\r');
    w.addFiles('mac', 'mac');
    const [r] = await acquire(w.ctx, { sources: ['mac'] });
    assert.equal(r.status, 'loaded', r.error);
    assert.deepEqual([r.rows, r.rejects], [3, 1]);
    assert.deepEqual((await w.rows('mac__old')).map((x) => [x.id, x.name]), [['1', 'Ann'], ['2', 'Bo\rb'], ['4', 'Dee']]);
    const rej = await w.wh.query<{ line: string; raw: string }>("SELECT line, raw FROM bronze._kimball_rejects WHERE source = 'mac'");
    assert.deepEqual(rej, [{ line: '5', raw: '3,x,extra' }]);
  });

  it("skips what sits above the table: Excel's sep= line, report titles and blank lines", async () => {
    w.write('pre/sep.csv', 'sep=;\nid;name;amount\n1;Ann;1,5\n2;Bob;2,25\n');
    w.write('pre/report.csv', 'Sales report 2024\r\nExported 2024-05-01\r\n\r\nid,name\r\n1,Ann\r\n2,Bob\r\n3\r\n');
    w.addFiles('pre', 'pre');
    const rs = await acquire(w.ctx, { sources: ['pre'] });
    for (const r of rs) assert.equal(r.status, 'loaded', `${r.object}: ${r.error}`);
    const data = async (t: string) => (await w.rows(t)).map((x) => Object.entries(x).filter(([k]) => !k.startsWith('_kimball_')));
    assert.deepEqual(await data('pre__sep'), [
      [['id', '1'], ['name', 'Ann'], ['amount', '1,5']],
      [['id', '2'], ['name', 'Bob'], ['amount', '2,25']],
    ]);
    assert.deepEqual(await data('pre__report'), [
      [['id', '1'], ['name', 'Ann']],
      [['id', '2'], ['name', 'Bob']],
    ]);
    const rej = await w.wh.query<{ line: string; raw: string }>("SELECT line, raw FROM bronze._kimball_rejects WHERE source = 'pre'");
    assert.deepEqual(rej, [{ line: '7', raw: '3' }], 'a short row below the header is a reject with its file line, never a title');
  });

  it('sends ragged rows of a native load to the rejects table with their line and text', async () => {
    w.write('ragged/r.csv', 'a,b,c\n1,2,3\n4,5\n6,7,8,9\n10,11,12\n');
    w.addFiles('rag', 'ragged');
    const [r] = await acquire(w.ctx, { sources: ['rag'] });
    assert.equal(r.status, 'loaded', r.error);
    assert.equal(r.rows, 2);
    assert.equal(r.rejects, 2);
    const rej = await w.wh.query<{ line: string; raw: string; reason: string }>(
      "SELECT line, raw, reason FROM bronze._kimball_rejects WHERE source = 'rag' ORDER BY line",
    );
    assert.deepEqual(rej.map((x) => [x.line, x.raw]), [['3', '4,5'], ['4', '6,7,8,9']]);
    assert.ok(rej.every((x) => x.reason.length > 0));
  });

  it('decodes Latin-1, Windows-1252 and UTF-16 files, sniffing ; and tab delimiters', async () => {
    w.write('enc/latin.csv', iconv.encode('nom;ville\nJosé;Besançon\nZoë;Orléans\n', 'latin1'));
    w.write('enc/win.csv', iconv.encode('name,price\nwidget,€5\nquote,“x”\n', 'windows-1252'));
    w.write('enc/utf16.tsv', Buffer.concat([Buffer.from([0xff, 0xfe]), iconv.encode('k\tv\nä\t1\n日本\t2\n', 'utf-16le')]));
    w.write('enc/utf16be.csv', Buffer.concat([Buffer.from([0xfe, 0xff]), iconv.encode('k,v\nß,1\n', 'utf-16be')]));
    w.write('enc/bom.csv', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('k,v\nü,1\n')]));
    w.write('enc/bomdata.csv', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('1,2\n3,4\n')]));
    w.write('enc/multiline_header.csv', '"first\nname",id\nAnn,1\n');
    w.addFiles('enc', 'enc');
    const rs = await acquire(w.ctx, { sources: ['enc'] });
    for (const r of rs) assert.equal(r.status, 'loaded', `${r.object}: ${r.error}`);
    assert.deepEqual((await w.rows('enc__latin')).map((x) => [x.nom, x.ville]), [['José', 'Besançon'], ['Zoë', 'Orléans']]);
    assert.deepEqual((await w.rows('enc__win')).map((x) => x.price), ['€5', '“x”']);
    assert.deepEqual((await w.rows('enc__utf16')).map((x) => [x.k, x.v]), [['ä', '1'], ['日本', '2']]);
    assert.deepEqual((await w.rows('enc__utf16be')).map((x) => [x.k, x.v]), [['ß', '1']]);
    assert.deepEqual((await w.rows('enc__bom')).map((x) => [x.k, x.v]), [['ü', '1']]);
    assert.deepEqual((await w.rows('enc__bomdata')).map((x) => [x.column_1, x.column_2]), [['1', '2'], ['3', '4']]);
    assert.deepEqual((await w.rows('enc__multiline_header')).map((x) => [x.first_name, x.id]), [['Ann', '1']]);
  });

  it('rejects rows with invalid UTF-8 beyond the sniffed sample on the native path', async () => {
    const head = Buffer.from('k,v\n' + 'plain,row\n'.repeat(8000));
    w.write('late/l.csv', Buffer.concat([head, Buffer.from([0x62, 0xff, 0x2c, 0x32, 0x0a]), Buffer.from('last,ok\n')]));
    w.addFiles('late', 'late');
    const [r] = await acquire(w.ctx, { sources: ['late'] });
    assert.equal(r.status, 'loaded', r.error);
    assert.equal(r.rows, 8001);
    assert.equal(r.rejects, 1);
    const rej = await w.wh.query<{ line: string; reason: string; raw: string }>("SELECT line, reason, hex(raw) AS raw FROM bronze._kimball_rejects WHERE source = 'late'");
    assert.deepEqual(rej, [{ line: '8002', reason: 'invalid UTF-8 bytes', raw: '62FF2C32' }]);
    const rows = await w.rows('late__l');
    assert.deepEqual(rows.slice(-1).map((x) => [x.k, x._kimball_row]), [['last', '8002']]);
  });

  it('rejects streamed ragged rows and rows with invalid UTF-8', async () => {
    const good = 'é,'.repeat(1).slice(0, -1);
    const lines = ['a,b', `${good},1`];
    for (let i = 0; i < 50; i++) lines.push(`ok${i},é`);
    const text = Buffer.concat([Buffer.from(lines.join('\n') + '\n'), Buffer.from([0x62, 0xff, 0x2c, 0x32, 0x0a]), Buffer.from('x,y,z\n')]);
    w.write('bad/b.csv', text);
    w.addFiles('bad', 'bad');
    const [r] = await acquire(w.ctx, { sources: ['bad'] });
    assert.equal(r.status, 'loaded', r.error);
    assert.equal(r.rows, 51);
    assert.equal(r.rejects, 2);
    const rej = await w.wh.query<{ line: string; reason: string }>("SELECT line, reason FROM bronze._kimball_rejects WHERE source = 'bad' ORDER BY line");
    assert.deepEqual(rej.map((x) => x.line), ['53', '54']);
    assert.match(rej[0].reason, /UTF-8/);
  });
});
