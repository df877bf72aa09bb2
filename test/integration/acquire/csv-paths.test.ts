/**
 * The native CSV read (ClickHouse's reader, fast or exact) and the streamed
 * read (Kimball's own splitter) load the same text: generated RFC 4180 files
 * with every awkward field there is, under four delimiters and both line ends,
 * with and without a header.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { loadObject } from '../../../src/core/acquire';
import { createSource } from '../../../src/core/sources';
import type { FilesSourceConfig, ReadOptions, Source } from '../../../src/core/sources/source';
import { testWorkspace, type TestWorkspace } from './workspace';

const FIELDS = ['', 'abc', ' lead', 'trail ', ' both ', '\ttabbed\t', 'a b', '0012', 'é ü', '日本', 'say "hi"', 'x,y', 'a;b', 'p|q', 't\tu', 'line\nbreak', 'cr\r\nlf', 'NULL', '\\N', ' "q" '];

/** One field as a CSV writer following RFC 4180 writes it: quoted when it must be, sometimes when it need not. */
function csvField(v: string, delimiter: string, quoteAnyway: boolean): string {
  const must = v.includes(delimiter) || /["\r\n]/.test(v) || (delimiter === '\t' && v.includes('\t')) || (delimiter === ' ' && v.includes(' '));
  return must || quoteAnyway ? `"${v.replace(/"/g, '""')}"` : v;
}

function generated(seed: number): { text: string; delimiter: string; rows: number } {
  let s = seed;
  const random = (n: number) => ((s = (s * 1103515245 + 12345) >>> 0) >>> 8) % n;
  const delimiter = [',', ';', '\t', '|'][seed % 4];
  const eol = seed % 3 === 0 ? '\r\n' : '\n';
  // Two columns or more: a file of one column has no delimiter to sniff.
  const width = 2 + random(5);
  const rows = 1 + random(200);
  // Every other file has no value ending in a blank, so the faster native read takes it.
  const pool = seed % 2 === 0 ? FIELDS : FIELDS.filter((v) => !/[ \t]$/.test(v));
  // One file in five has no header: its rows start with a number, so the sniffer sees data in the first line.
  const headerless = seed % 5 === 1;
  const lines = headerless ? [] : [Array.from({ length: width }, (_, i) => `col ${i + 1}`).join(delimiter)];
  for (let r = 0; r < rows; r++) {
    const fields = Array.from({ length: width }, () => csvField(pool[random(pool.length)], delimiter, random(5) === 0));
    if (headerless) fields[0] = String(r + 1);
    lines.push(fields.join(delimiter));
  }
  return { text: lines.join(eol) + eol, delimiter, rows };
}

type Read = ReturnType<Source['read']>;

/** A files source whose reads go through `through` (which may change the read options and look at the read). */
async function readingThrough(w: TestWorkspace, config: FilesSourceConfig, through: (read: (over?: Partial<ReadOptions>) => Read) => Read): Promise<Source> {
  const src = await createSource(config, { root: w.root, secrets: w.ctx.secrets });
  return {
    config: src.config,
    test: (s) => src.test(s),
    listObjects: (s) => src.listObjects(s),
    read: (o, opts) => through((over = {}) => src.read(o, { ...opts, ...over })),
  };
}

describe('acquire: native and streamed CSV reads agree', () => {
  let w: TestWorkspace;
  before(async () => {
    w = await testWorkspace();
  });
  after(async () => {
    await w.dispose();
  });

  it('loads the same rows, text and row numbers both ways for 40 generated files', async () => {
    const files = Array.from({ length: 40 }, (_, i) => ({ name: `f${i}`, ...generated(i + 1) }));
    for (const f of files) w.write(`gen/${f.name}.csv`, f.text);
    const config = (name: string): FilesSourceConfig => ({ kind: 'files', name, path: join(w.data, 'gen') });
    const reads = { fast: 0, exact: 0 };
    const native = await readingThrough(w, config('nat'), async (read) => {
      const r = await read();
      assert.equal(r.kind, 'native');
      if (r.kind === 'native') reads[r.fastSettings ? 'fast' : 'exact']++;
      return r;
    });
    const streamed = await readingThrough(w, config('str'), (read) => read({ warehouseCanReach: false }));
    const objects = await native.listObjects();
    assert.equal(objects.length, files.length);
    for (const object of objects) {
      const f = files.find((x) => x.name === object.name);
      assert.ok(f, object.name);
      const a = await loadObject(w.ctx, native, object);
      const b = await loadObject(w.ctx, streamed, object);
      assert.equal(a.status, 'loaded', a.error);
      assert.equal(b.status, 'loaded', b.error);
      assert.deepEqual([a.rows, a.rejects], [f.rows, 0], `${object.name} native (${JSON.stringify(f.delimiter)})`);
      assert.deepEqual([b.rows, b.rejects], [f.rows, 0], `${object.name} streamed`);
      const data = async (table: string) => (await w.rows(table)).map((r) => Object.entries(r).filter(([k]) => !k.startsWith('_kimball_') || k === '_kimball_row'));
      assert.deepEqual(await data(a.table), await data(b.table), `${object.name}: ${JSON.stringify(f.text.slice(0, 300))}`);
    }
    assert.ok(reads.fast >= 10 && reads.exact >= 10, `both native reads taken: ${JSON.stringify(reads)}`);
  });
});
