/**
 * Every source line ends up loaded or in a reject, never in neither: broken quoting is a reject
 * holding all the text it swallowed, with its line range; damaged UTF-8 stays UTF-8 with rejects.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import iconv from 'iconv-lite';
import { delimitedRead } from '../../../src/core/formats';
import { CSV_MAX_QUOTED_CHARS, CsvSplitter } from '../../../src/core/formats/csv';
import { detectEncoding } from '../../../src/core/formats/encoding';
import type { StreamRecord } from '../../../src/core/sources/source';

async function* chunks(text: string | Buffer, size = 7): AsyncGenerator<Buffer> {
  const b = Buffer.from(text);
  for (let i = 0; i < b.length; i += size) yield b.subarray(i, i + size);
}

async function read(text: string | Buffer): Promise<{ rows: string[][]; rejects: Extract<StreamRecord, { ok: false }>[] }> {
  const r = await delimitedRead(chunks(text), { delimiter: ',', header: true });
  const rows: string[][] = [];
  const rejects: Extract<StreamRecord, { ok: false }>[] = [];
  for await (const rec of r.records) {
    if (rec.ok) rows.push(rec.values);
    else rejects.push(rec);
  }
  return { rows, rejects };
}

/** Lines a reject covers, from the range its reason names (a reject of one line names none). */
function covered(reject: { reason: string }): number {
  const m = /lines (\d+)-(\d+)/.exec(reject.reason);
  return m ? Number(m[2]) - Number(m[1]) + 1 : 1;
}

describe('CSV accounting', () => {
  it('rejects an unbalanced quote with all the lines it swallowed', async () => {
    const { rows, rejects } = await read('id,v\n1,x\n2,"abc\n3,def\n4,...\n5,ok\n6,"q"\n7,z\n');
    assert.deepEqual(rows, [
      ['1', 'x'],
      ['7', 'z'],
    ]);
    assert.equal(rejects.length, 1);
    assert.deepEqual(rejects[0], {
      ok: false,
      line: 3,
      reason: 'unbalanced quote, text after a closing quote (lines 3-7)',
      raw: '2,"abc\n3,def\n4,...\n5,ok\n6,"q"',
    });
  });

  it('rejects a quote never closed, up to the end of the file', async () => {
    const { rows, rejects } = await read('a,b\n1,"abc\n2,def\n3,...\n4,ok');
    assert.deepEqual(rows, []);
    assert.deepEqual(
      rejects.map((r) => [r.line, r.reason, r.raw]),
      [[2, 'unbalanced quote, a quote never closed (lines 2-5)', '1,"abc\n2,def\n3,...\n4,ok']],
    );
  });

  it('accounts for every line: rows loaded + lines covered by rejects = lines in', async () => {
    const lines: string[] = [];
    for (let i = 0; i < 500; i++) {
      const kind = (i * 7919) % 23;
      lines.push(kind === 0 ? `${i},"open` : kind === 1 ? `${i},"x"y` : kind === 2 ? `${i},"ok ""q"""` : kind === 3 ? `${i},a,b` : `${i},v${i}`);
    }
    const { rows, rejects } = await read(`id,v\n${lines.join('\r\n')}\r\n`);
    assert.ok(rejects.length > 10);
    assert.equal(rows.length + rejects.reduce((n, r) => n + covered(r), 0), lines.length);
  });

  it('keeps quoted line breaks and doubled quotes in one row', async () => {
    const { rows, rejects } = await read('id,v\n1,"a\nb ""c"""\n2,d\n');
    assert.deepEqual(rows, [
      ['1', 'a\nb "c"'],
      ['2', 'd'],
    ]);
    assert.deepEqual(rejects, []);
  });

  it('fails the read, naming the line, when an open quote runs past the limit', () => {
    const s = new CsvSplitter(',');
    s.push('id,v\n1,x\n2,"');
    const part = 'a'.repeat(8 * 1024 * 1024);
    assert.throws(() => {
      for (let i = 0; i <= CSV_MAX_QUOTED_CHARS / part.length; i++) s.push(part);
    }, /^Error: line 3: a quoted value runs past 64 MB \(the limit\); its opening quote is probably unbalanced$/);
  });
});

describe('mixed UTF-8', () => {
  const mixed = Buffer.concat([Buffer.from('id,name\n1,café\n2,ok\n3,'), Buffer.from([0xe9, 0x2c, 0x78]), Buffer.from('\n4,'), Buffer.from([0xff, 0xfe]), Buffer.from('\n5,fine\n')]);

  it('reads a file that is mostly valid UTF-8 as UTF-8, its broken rows rejected', async () => {
    assert.deepEqual(detectEncoding(mixed), { encoding: 'utf-8', bom: 0, invalidUtf8: 3 });
    const { rows, rejects } = await read(mixed);
    assert.deepEqual(rows, [
      ['1', 'café'],
      ['2', 'ok'],
      ['5', 'fine'],
    ]);
    assert.deepEqual(
      rejects.map((r) => [r.line, r.reason]),
      [
        [4, 'invalid UTF-8 bytes'],
        [5, 'invalid UTF-8 bytes'],
      ],
    );
  });

  it('decodes a file that is clearly Windows-1252 as such', async () => {
    const latin = iconv.encode('id,name\n1,café\n2,naïve\n3,Zoë\n4,crème brûlée\n', 'windows-1252');
    assert.equal(detectEncoding(latin).encoding, 'windows-1252');
    const { rows, rejects } = await read(latin);
    assert.deepEqual(rows.map((r) => r[1]), ['café', 'naïve', 'Zoë', 'crème brûlée']);
    assert.deepEqual(rejects, []);
  });

  it('stays Windows-1252 when a stray pair of its bytes happens to be valid UTF-8', () => {
    const text = `${'é,à,ü\n'.repeat(30)}Ã©\n`;
    assert.equal(detectEncoding(iconv.encode(text, 'windows-1252')).encoding, 'windows-1252');
  });
});
