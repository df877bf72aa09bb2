/**
 * Inputs built to exhaust memory or time (decompression bombs, huge merges, lying footers) are refused
 * fast, with one line naming the cause; bounded ones still read. Every bomb is made here from code.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { constants, crc32, deflateRawSync } from 'node:zlib';
import { removeDir, tempDir } from '../../helpers/warehouse';
import { Readable } from 'node:stream';
import { listSheets, readSheet } from '../../../src/core/formats/xlsx';
import { delimitedRead, jsonRead, xmlRead } from '../../../src/core/formats';
import { readParquetLayout } from '../../../src/core/formats/parquet';
import { decompress } from '../../../src/core/sources/s3';
import type { StreamRead } from '../../../src/core/sources/source';

/** A zip part: its bytes, or a unit repeated `count` times between a head and a tail (deflated without holding it whole). */
interface ZipPart {
  name: string;
  head: string;
  unit?: string;
  count?: number;
  tail?: string;
  /** The uncompressed size written in the zip's directory, when it should lie. */
  declared?: number;
}

/**
 * Writes a zip by hand. A repeated unit is deflated once with a full flush (a byte-aligned block that
 * refers to nothing before it), so its compressed bytes repeat as often as the unit does.
 */
async function writeZip(file: string, parts: ZipPart[]): Promise<void> {
  const out = createWriteStream(file);
  const write = (b: Buffer) => new Promise<void>((res, rej) => out.write(b, (e) => (e ? rej(e) : res())));
  const central: Buffer[] = [];
  let offset = 0;
  for (const p of parts) {
    const flush = { finishFlush: constants.Z_FULL_FLUSH };
    const head = Buffer.from(p.head);
    const unit = Buffer.from(p.unit ?? '');
    const tail = Buffer.from(p.tail ?? '');
    const count = p.count ?? 0;
    const dHead = deflateRawSync(head, flush);
    const dUnit = deflateRawSync(unit, flush);
    const dTail = deflateRawSync(tail);
    let crc = crc32(head);
    for (let i = 0; i < count; i++) crc = crc32(unit, crc);
    crc = crc32(tail, crc);
    const size = p.declared ?? head.length + unit.length * count + tail.length;
    const csize = dHead.length + dUnit.length * count + dTail.length;
    const name = Buffer.from(p.name);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(8, 8);
    local.writeUInt32LE(crc >>> 0, 14);
    local.writeUInt32LE(csize, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(name.length, 26);
    await write(Buffer.concat([local, name, dHead]));
    const batch = Buffer.concat(Array.from({ length: Math.min(count, 1024) }, () => dUnit));
    for (let left = count; left > 0; left -= 1024) await write(left >= 1024 ? batch : batch.subarray(0, dUnit.length * left));
    await write(dTail);
    const entry = Buffer.alloc(46);
    entry.writeUInt32LE(0x02014b50, 0);
    entry.writeUInt16LE(20, 4);
    entry.writeUInt16LE(20, 6);
    entry.writeUInt16LE(8, 10);
    entry.writeUInt32LE(crc >>> 0, 16);
    entry.writeUInt32LE(csize, 20);
    entry.writeUInt32LE(size, 24);
    entry.writeUInt16LE(name.length, 28);
    entry.writeUInt32LE(offset, 42);
    central.push(entry, name);
    offset += 30 + name.length + csize;
  }
  const dir = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(parts.length, 8);
  end.writeUInt16LE(parts.length, 10);
  end.writeUInt32LE(dir.length, 12);
  end.writeUInt32LE(offset, 16);
  await write(Buffer.concat([dir, end]));
  await new Promise<void>((res, rej) => out.end((e?: Error | null) => (e ? rej(e) : res())));
}

const NS = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
const REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';

/** The parts of a one-sheet workbook around a given sheet XML and shared strings. */
function workbookParts(sheet: ZipPart, sharedStrings: ZipPart): ZipPart[] {
  return [
    {
      name: '[Content_Types].xml',
      head: `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>`,
    },
    {
      name: '_rels/.rels',
      head: `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="${REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>`,
    },
    {
      name: 'xl/workbook.xml',
      head: `<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="${NS}" xmlns:r="${REL}"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>`,
    },
    {
      name: 'xl/_rels/workbook.xml.rels',
      head: `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="${REL}/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="${REL}/sharedStrings" Target="sharedStrings.xml"/></Relationships>`,
    },
    sharedStrings,
    sheet,
  ];
}

const sheetXml = (rows: string, merges: string): ZipPart => ({
  name: 'xl/worksheets/sheet1.xml',
  head: `<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="${NS}"><sheetData>${rows}</sheetData>${merges}</worksheet>`,
});
const strings = (list: string[]): ZipPart => ({
  name: 'xl/sharedStrings.xml',
  head: `<?xml version="1.0" encoding="UTF-8"?><sst xmlns="${NS}" count="${list.length}" uniqueCount="${list.length}">${list.map((s) => `<si><t>${s}</t></si>`).join('')}</sst>`,
});

/** One merge over the whole sheet (A1:XFD1048576) above a two-column table: 17 billion covered cells. */
const mergeBomb = (): ZipPart[] =>
  workbookParts(
    sheetXml(
      `<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row><row r="2"><c r="A2" t="s"><v>2</v></c><c r="B2" t="s"><v>3</v></c></row>`,
      `<mergeCells count="1"><mergeCell ref="A1:XFD1048576"/></mergeCells>`,
    ),
    strings(['id', 'name', '1', 'Ann']),
  );

/** Shared strings that inflate to `bytes` (0.8 GB by default) from a file of about a thousandth of that. */
const stringsBomb = (bytes = 800e6, declared?: number): ZipPart[] => {
  const unit = `<si><t>${'A'.repeat(4076)}</t></si>`.repeat(16);
  return workbookParts(sheetXml(`<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>0</v></c></row>`, ''), {
    name: 'xl/sharedStrings.xml',
    head: `<?xml version="1.0" encoding="UTF-8"?><sst xmlns="${NS}">`,
    unit,
    count: Math.round(bytes / unit.length),
    tail: '</sst>',
    ...(declared === undefined ? {} : { declared }),
  });
};

/** Runs fn and returns its time and how far the resident set grew (sampled every 10 ms). */
async function measured<T>(fn: () => Promise<T>): Promise<{ value: T | Error; ms: number; rssGrowth: number }> {
  const base = process.memoryUsage().rss;
  let peak = base;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 10);
  const t0 = performance.now();
  let value: T | Error;
  try {
    value = await fn();
  } catch (err) {
    value = err as Error;
  }
  clearInterval(timer);
  peak = Math.max(peak, process.memoryUsage().rss);
  return { value, ms: performance.now() - t0, rssGrowth: peak - base };
}

async function allRows(file: string): Promise<string[][]> {
  const [sheet] = await listSheets(file);
  const rows: string[][] = [];
  for await (const r of readSheet(file, sheet)) rows.push(r.values);
  return rows;
}

describe('spreadsheet bombs', () => {
  let dir: string;
  before(() => {
    dir = tempDir('kimball-bombs-');
  });
  after(() => removeDir(dir));

  it('caps a merge over the whole sheet to the cells the sheet has', async () => {
    const file = join(dir, 'merge.xlsx');
    await writeZip(file, mergeBomb());
    const r = await measured(() => allRows(file));
    assert.deepEqual(r.value, [
      ['id', 'id'],
      ['id', 'id'],
    ]);
    assert.ok(r.ms < 2000, `read in ${Math.round(r.ms)} ms`);
    assert.ok(r.rssGrowth < 150e6, `resident set grew ${Math.round(r.rssGrowth / 1e6)} MB`);
  });

  it('refuses shared strings that inflate to 0.8 GB before inflating them', async () => {
    const file = join(dir, 'strings.xlsx');
    await writeZip(file, stringsBomb());
    const r = await measured(() => allRows(file));
    assert.ok(r.value instanceof Error);
    assert.match(r.value.message, /^this workbook expands to 0\.80 GB \(limit 0\.26 GB\)$/);
    assert.ok(r.ms < 2000, `refused in ${Math.round(r.ms)} ms`);
    assert.ok(r.rssGrowth < 150e6, `resident set grew ${Math.round(r.rssGrowth / 1e6)} MB`);
  });

  it('refuses a part that inflates past the size its zip directory declares', async () => {
    const file = join(dir, 'lying.xlsx');
    await writeZip(file, stringsBomb(800e6, 4096));
    const r = await measured(() => allRows(file));
    assert.ok(r.value instanceof Error);
    assert.match(r.value.message, /^this workbook expands past what its zip directory declares \(xl\/sharedStrings.xml: more than 4096 bytes\)$/);
    assert.ok(r.ms < 2000, `refused in ${Math.round(r.ms)} ms`);
    assert.ok(r.rssGrowth < 150e6, `resident set grew ${Math.round(r.rssGrowth / 1e6)} MB`);
  });

  it('still reads a workbook within the limit, merges and all', async () => {
    const file = join(dir, 'small.xlsx');
    await writeZip(
      file,
      workbookParts(
        sheetXml(
          '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row><row r="2"><c r="A2" t="s"><v>2</v></c></row><row r="3"><c r="B3" t="s"><v>3</v></c></row>',
          '<mergeCells count="1"><mergeCell ref="A2:A3"/></mergeCells>',
        ),
        strings(['id', 'name', '7', 'Ann']),
      ),
    );
    assert.deepEqual(await allRows(file), [
      ['id', 'name'],
      ['7'],
      ['7', 'Ann'],
    ]);
  });
});

/**
 * A gzip stream of `head`, then `unit` repeated until `bytes` of it, made on the fly: the unit is
 * deflated once with a full flush and its compressed bytes repeated (never the inflated ones).
 */
function gzipBomb(head: string, unit: Buffer, bytes: number): AsyncIterable<Buffer> {
  const flush = { finishFlush: constants.Z_FULL_FLUSH };
  const header = Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff]);
  const dHead = deflateRawSync(Buffer.from(head), flush);
  const dUnit = Buffer.concat(Array.from({ length: 64 }, () => deflateRawSync(unit, flush)));
  const count = Math.ceil(bytes / (unit.length * 64));
  async function* compressed(): AsyncGenerator<Buffer> {
    yield Buffer.concat([header, dHead]);
    for (let i = 0; i < count; i++) yield dUnit;
  }
  return decompress(() => Promise.resolve(Readable.from(compressed())), 'gzip');
}

async function drain(read: () => Promise<StreamRead>): Promise<number> {
  let n = 0;
  for await (const r of (await read()).records) if (r) n++;
  return n;
}

const TEN_GB = 10 * 1024 ** 3;

describe('decompression and document bombs', () => {
  it('refuses a gzip of 10 GB of zeros from its first bytes, whatever the format', async () => {
    const zeros = Buffer.alloc(1 << 20);
    for (const read of [
      () => delimitedRead(gzipBomb('', zeros, TEN_GB), { fileName: 'zeros.csv' }),
      () => jsonRead(gzipBomb('', zeros, TEN_GB)),
      () => xmlRead(gzipBomb('', zeros, TEN_GB)),
    ]) {
      const r = await measured(() => drain(read));
      assert.ok(r.value instanceof Error);
      assert.match(r.value.message, /is not text: 100% of its first \d+ bytes are binary/);
      assert.ok(r.ms < 2000, `refused in ${Math.round(r.ms)} ms`);
    }
  });

  it('refuses one JSON value past 256 M characters, memory bounded', async () => {
    const r = await measured(() => drain(() => jsonRead(gzipBomb('{"a": "', Buffer.alloc(1 << 20, 'a'), TEN_GB))));
    assert.ok(r.value instanceof Error);
    assert.equal(r.value.message, 'the JSON value from line 1 runs past 256 MB (the limit): write it as NDJSON, one record a line');
    assert.ok(r.rssGrowth < 400e6, `resident set grew ${Math.round(r.rssGrowth / 1e6)} MB`);
  });

  it('refuses an NDJSON line past 256 M characters', async () => {
    const r = await measured(() => drain(() => jsonRead(gzipBomb('{"a": 1}\n{"b": "', Buffer.alloc(1 << 20, 'b'), TEN_GB), { ndjson: true })));
    assert.ok(r.value instanceof Error);
    assert.equal(r.value.message, 'line 2 runs past 256 MB (the limit of one JSON value)');
  });

  it('refuses an XML text node past 64 M characters', async () => {
    const r = await measured(() => drain(() => xmlRead(gzipBomb('<rows><row><v>1</v></row><row><v>', Buffer.alloc(1 << 20, 'x'), TEN_GB))));
    assert.ok(r.value instanceof Error);
    assert.equal(r.value.message, 'invalid XML: the record or text from line 1 runs past 64 MB (the limit)');
    assert.ok(r.rssGrowth < 400e6, `resident set grew ${Math.round(r.rssGrowth / 1e6)} MB`);
  });

  it('expands no entity a DTD declares (billion laughs)', async () => {
    const levels = Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i};`.repeat(10)}">`).join('');
    const xml = `<?xml version="1.0"?><!DOCTYPE rows [<!ENTITY lol0 "lol">${levels}]><rows><row><v>&lol9;</v></row></rows>`;
    const r = await measured(() => drain(() => xmlRead(Readable.from([Buffer.from(xml)]))));
    assert.ok(r.value instanceof Error);
    assert.match(r.value.message, /^invalid XML: .*undefined entity/i);
    assert.ok(r.ms < 2000);
  });

  it('refuses a Parquet footer that claims 4 GB before reading it', async () => {
    const reads: number[] = [];
    const size = 5 * 1024 ** 3;
    const readAt = (start: number, length: number): Promise<Buffer> => {
      reads.push(length);
      if (start === 0) return Promise.resolve(Buffer.from('PAR1'));
      const end = Buffer.alloc(8);
      end.writeUInt32LE(4 * 1024 ** 3 - 1, 0);
      end.write('PAR1', 4, 'latin1');
      return Promise.resolve(end);
    };
    await assert.rejects(readParquetLayout('huge.parquet', size, readAt), {
      message: 'huge.parquet is not a readable Parquet file (its footer claims 4294967295 bytes (limit 134217728)).',
    });
    assert.deepEqual(reads.sort(), [4, 8]);
  });
});
