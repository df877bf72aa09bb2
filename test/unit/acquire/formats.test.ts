import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import iconv from 'iconv-lite';
import { tsvEscape, tsvLine, tsvNullCount } from '../../../src/core/formats/tsv';
import { detectEncoding, headIsPadded, scanDelimitedFile } from '../../../src/core/formats/encoding';
import { paddingScanner, SCAN_SLICE } from '../../../src/core/formats/padding-scan';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { removeDir, tempDir } from '../../helpers/warehouse';
import { sniffDelimiter, sniffHeader, sniffPreamble } from '../../../src/core/formats/sniff';
import { CsvSplitter, lineBreakOf } from '../../../src/core/formats/csv';
import { compactJson, flattenJson, JsonSplitter } from '../../../src/core/formats/json';
import { XmlRecordReader } from '../../../src/core/formats/xml';
import { cellText, isoDate } from '../../../src/core/formats/xlsx';

describe('TSV escaping', () => {
  it('escapes backslash, tab, newline and carriage return, and nothing else', () => {
    assert.equal(tsvEscape('plain "text", ok'), 'plain "text", ok');
    assert.equal(tsvEscape('a\\b\tc\nd\re'), 'a\\\\b\\tc\\nd\\re');
    assert.equal(tsvLine(['x', '', 'y\tz']), 'x\t\ty\\tz\n');
  });

  it('counts the NULL fields of a TSV line, never an escaped backslash before N', () => {
    assert.equal(tsvNullCount('1\t\\N\tx\t\\N'), 2);
    assert.equal(tsvNullCount('\\N'), 1);
    assert.equal(tsvNullCount('\\\\N\tNo\t\\Nope'), 0);
  });
});

describe('encoding detection', () => {
  it('uses byte-order marks', () => {
    assert.deepEqual(detectEncoding(Buffer.from([0xef, 0xbb, 0xbf, 0x61])), { encoding: 'utf-8', bom: 3, invalidUtf8: 0 });
    assert.equal(detectEncoding(Buffer.from([0xff, 0xfe, 0x61, 0])).encoding, 'utf-16le');
    assert.equal(detectEncoding(Buffer.from([0xfe, 0xff, 0, 0x61])).encoding, 'utf-16be');
  });
  it('recognises UTF-16 without a BOM, UTF-8, and Windows-1252 text', () => {
    assert.equal(detectEncoding(iconv.encode('name,city\nAnn,Oslo\n', 'utf-16le')).encoding, 'utf-16le');
    assert.equal(detectEncoding(iconv.encode('name,city\nAnn,Oslo\n', 'utf-16be')).encoding, 'utf-16be');
    assert.equal(detectEncoding(Buffer.from('naïve,café,日本\n')).encoding, 'utf-8');
    assert.equal(detectEncoding(iconv.encode('naïve,café,€\n', 'windows-1252')).encoding, 'windows-1252');
  });
  it('checks whole files as UTF-8 across chunk boundaries that cut characters', async () => {
    const dir = tempDir('utf8-');
    try {
      const good = join(dir, 'good.txt');
      writeFileSync(good, 'a' + '日'.repeat(2_000_000));
      assert.deepEqual(await scanDelimitedFile(good, ','), { utf8: true, padded: false });
      const bad = join(dir, 'bad.txt');
      writeFileSync(bad, Buffer.concat([Buffer.from('a' + 'é'.repeat(3_000_000)), Buffer.from([0xc3])]));
      assert.equal((await scanDelimitedFile(bad, ',')).utf8, false);
    } finally {
      removeDir(dir);
    }
  });
  it('finds a blank before a delimiter or line end anywhere in a file, across slice boundaries and at its end', async () => {
    const dir = tempDir('padded-');
    try {
      const slice = 8 << 20;
      const file = join(dir, 'f.csv');
      const check = async (text: string | Buffer, delimiter = ',') => {
        writeFileSync(file, text);
        return (await scanDelimitedFile(file, delimiter)).padded;
      };
      assert.equal(await check('a, b,"c, d"\n1,2,3\n'), false, 'a blank after a delimiter is kept by both reads');
      assert.equal(await check('a,b \n'), true);
      assert.equal(await check('a,b\t,c\r\n'), true);
      assert.equal(await check('a,b '), true, 'at the end of the file');
      // The blank is the last byte of the first 8 MB slice, its delimiter the first of the next.
      assert.equal(await check('x'.repeat(slice - 1) + ' ,y\n'), true);
      // A multi-byte character cut by the slice boundary is carried over: the pair after it is still seen.
      assert.equal(await check('x'.repeat(slice - 1) + 'é ,y\n'), true);
      assert.equal(await check('x'.repeat(slice - 1) + 'é,y\n'), false);
      assert.equal(await check('a \tb\tc\n', '\t'), true, 'a space before a tab delimiter');
      assert.equal(await check('a\t\tb\n', '\t'), false, 'empty fields between tabs are no padding');
    } finally {
      removeDir(dir);
    }
  });
  it('finds padding with the SIMD scan exactly where a byte-by-byte check does, in every lane and at slice ends', () => {
    const naive = (b: Buffer, n: number, delimiter: string) => {
      const blank = (c: number) => (c === 0x20 || c === 0x09) && c !== delimiter.charCodeAt(0);
      const ends = (c: number) => c === delimiter.charCodeAt(0) || c === 0x0a || c === 0x0d;
      for (let i = 0; i + 1 < n; i++) if (blank(b[i]) && ends(b[i + 1])) return true;
      return false;
    };
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) / 65536;
    const alphabet = [0x61, 0x20, 0x09, 0x2c, 0x0a, 0x0d, 0x7c, 0x22, 0xc3];
    for (const delimiter of [',', '\t', ' ', '|']) {
      const scanner = paddingScanner(delimiter);
      let hits = 0;
      for (let round = 0; round < 3000; round++) {
        const n = round % 50 === 0 ? SCAN_SLICE - Math.floor(random() * 40) : 1 + Math.floor(random() * 70);
        // Mostly letters, so padding is rare and lands anywhere in a 16-byte step.
        for (let i = 0; i < n; i++) scanner.slice[i] = random() < 0.75 ? 0x61 : alphabet[Math.floor(random() * alphabet.length)];
        const want = naive(scanner.slice, n, delimiter);
        assert.equal(scanner.padded(n), want, `${JSON.stringify(delimiter)}, ${n} bytes`);
        if (want) hits++;
      }
      assert.ok(hits > 150 && hits < 2850, `a fair share of both answers for ${JSON.stringify(delimiter)} (${hits})`);
    }
    assert.equal(headIsPadded(Buffer.from('a,b\n1,2 \n'), ','), true);
    assert.equal(headIsPadded(Buffer.from('a, b\n1,"2 "\n'), ','), false);
  });
  it('treats mostly valid UTF-8 with a stray byte as damaged UTF-8', () => {
    const buf = Buffer.concat([Buffer.from('é'.repeat(100)), Buffer.from([0xff])]);
    assert.deepEqual(detectEncoding(buf), { encoding: 'utf-8', bom: 0, invalidUtf8: 1 });
  });
});

describe('delimiter and header sniffing', () => {
  it('picks the delimiter that splits lines most consistently', () => {
    assert.equal(sniffDelimiter('a,b,c\n1,2,3\n4,5,6\n'), ',');
    assert.equal(sniffDelimiter('a;b;c\n1,5;2;3\n4;5,1;6\n'), ';');
    assert.equal(sniffDelimiter('a\tb\n"x, y"\t2\n'), '\t');
    assert.equal(sniffDelimiter('a|b|c\n1|2|3\n'), '|');
  });
  it("finds the lines above a table: Excel's sep= directive and report titles, never a table's own rows", () => {
    assert.deepEqual(sniffPreamble('sep=|\na|b\n1|2\n'), { lines: 1, delimiter: '|', body: 'a|b\n1|2\n' });
    assert.equal(sniffPreamble('Report\n\nid,x\n1,2\n3,4\n').lines, 2);
    assert.equal(sniffPreamble('Report\rid,x\r1,2\r3,4\r').lines, 1);
    assert.equal(sniffPreamble('id,x\n1\n2,3\n4,5\n').lines, 0, 'a full-width first line is the table');
    assert.equal(sniffPreamble('a,b\nc,d\n1,2,3\n4,5,6\n7,8,9\n').lines, 0, 'two-field lines are no titles');
    assert.equal(sniffPreamble('t1\nt2\nt3\nt4\nt5\nt6\nid,x\n1,2\n').lines, 0, 'at most 5 title lines');
    assert.equal(sniffPreamble('name\nAnn\nBob\n').lines, 0, 'a one-column file has no titles');
  });
  it('finds a header unless the first line looks like data', () => {
    assert.equal(sniffHeader('id,name\n1,Ann\n', ','), true);
    assert.equal(sniffHeader(',name\n1,Ann\n', ','), true);
    assert.equal(sniffHeader('1,Ann\n2,Bob\n', ','), false);
    assert.equal(sniffHeader('2024-01-01,x\n', ','), false);
  });
});

describe('CSV splitting', () => {
  it('ends lines at a CR alone when told to, keeping CRs inside quotes and counting lines by CR', () => {
    const s = new CsvSplitter(',', 'cr');
    const recs = [...s.push('a,b\r1,"x\ry"\r'), ...s.push('2,z'), ...s.end()];
    assert.deepEqual(recs.map((r) => [r.line, r.fields]), [
      [1, ['a', 'b']],
      [2, ['1', 'x\ry']],
      [4, ['2', 'z']],
    ]);
    assert.equal(lineBreakOf('a,b\r1,2\r'), 'cr');
    assert.equal(lineBreakOf('a,b\r\n1,2\r\n'), 'lf');
    assert.equal(lineBreakOf('a,b'), 'lf');
  });

  it('handles quotes, escaped quotes, embedded newlines, CRLF and quotes inside unquoted fields', () => {
    const s = new CsvSplitter(',');
    const recs = [...s.push('a,"b,1","c ""q""\r\nnext"\r\n5" screen,x'), ...s.push(',y\n\n'), ...s.end()];
    assert.deepEqual(recs.map((r) => [r.line, r.fields]), [
      [1, ['a', 'b,1', 'c "q"\r\nnext']],
      [3, ['5" screen', 'x', 'y']],
    ]);
  });
  it('gives records split across chunks whole, and a last line without newline', () => {
    const s = new CsvSplitter(';');
    const out = [...s.push('x;"y\n'), ...s.push('z";1\n2;'), ...s.end()];
    assert.deepEqual(out.map((r) => r.fields), [['x', 'y\nz', '1'], ['2', '']]);
  });
});

describe('JSON flattening', () => {
  it('flattens objects to dotted names, keeps arrays as compact JSON and numbers as written, counts nulls', () => {
    const { record, nulls } = flattenJson('{"a": 1.50, "b": {"c": {"d": "x"}}, "arr": [1, {"k": 2.0}], "n": null, "t": true, "u": "\\u00e9\\n"}');
    assert.deepEqual([...record], [['a', '1.50'], ['b.c.d', 'x'], ['arr', '[1,{"k":2.0}]'], ['n', ''], ['t', 'true'], ['u', 'é\n']]);
    assert.equal(nulls, 1);
  });
  it('compacts JSON text between tokens only, never inside strings', () => {
    assert.equal(compactJson('[\n  1.50,\n  { "a b": "x \\" y",\t"c": [ ] }\r\n]'), '[1.50,{"a b":"x \\" y","c":[]}]');
    assert.equal(compactJson('[1,2]'), '[1,2]');
  });
  it('rejects malformed text', () => {
    assert.throws(() => flattenJson('{"a": 1,'));
    assert.throws(() => flattenJson('{"a": 1} x'));
  });
  it('splits a top-level array into elements across chunks', () => {
    const s = new JsonSplitter('array');
    const out = [...s.push('[{"a": "],"}, {"b'), ...s.push('": [1,2]}\n, 3]'), ...s.end()];
    assert.deepEqual(out.map((c) => c.text.trim()), ['{"a": "],"}', '{"b": [1,2]}', '3']);
    assert.equal(out[2].line, 2);
  });
});

describe('XML records', () => {
  it('turns the children of the root into records', () => {
    const r = new XmlRecordReader();
    const out = [...r.push('<rows><row a="1"><b>x</b><c><d>y</d></c><e>1</e><e>2</e></row>'), ...r.push('<row a="2"/></rows>'), ...r.end()];
    assert.deepEqual(out.map((x) => [...x.record]), [[['a', '1'], ['b', 'x'], ['c.d', 'y'], ['e', '["1","2"]']], [['a', '2']]]);
  });
  it('reports malformed XML', () => {
    const r = new XmlRecordReader();
    assert.throws(() => {
      r.push('<rows><row></rows>');
      r.end();
    }, /invalid XML/);
  });
});

describe('Excel cell text', () => {
  it('shows formula results, rich text, booleans and dates as text', () => {
    assert.equal(cellText({ formula: 'A1*2', result: 4 }), '4');
    assert.equal(cellText({ richText: [{ text: 'a' }, { text: 'b' }] }), 'ab');
    assert.equal(cellText(true), 'TRUE');
    assert.equal(cellText(45322, 'yyyy-mm-dd'), '2024-01-31');
    assert.equal(cellText(45322.5, '0.00'), '45322.5');
    assert.equal(isoDate(new Date(Date.UTC(2024, 0, 31, 13, 30))), '2024-01-31T13:30:00');
  });
});
