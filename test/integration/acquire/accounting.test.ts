/**
 * Every source line ends up in bronze or in bronze._kimball_rejects, never in neither: lines in = rows
 * loaded + lines covered by rejects (a reject of broken quoting names its line range).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { loadObject } from '../../../src/core/acquire';
import { createSource } from '../../../src/core/sources';
import type { Source } from '../../../src/core/sources/source';
import { testWorkspace, type TestWorkspace } from './workspace';

const FILES: Record<string, string> = {
  // The file: a quote opened on line 2 and never closed.
  open: 'a,b\n1,"abc\n2,def\n3,...\n4,ok\n',
  // A quote opened on line 3 and closed on line 7 with text after it.
  unbalanced: 'id,v\n1,x\n2,"abc\n3,def\n4,...\n5,ok\n6,"q"\n7,z\n',
  // Both, among good rows and a row of the wrong width.
  mixed: 'id,v\n1,x\n2,"a"b\n3,y,z\n4,"ok"\n5,"never\n6,w\n',
};

/** Data lines of a file: all but the header and the final line break. */
const dataLines = (text: string) => text.split('\n').length - 2;

const covered = (reason: string) => {
  const m = /lines (\d+)-(\d+)/.exec(reason);
  return m ? Number(m[2]) - Number(m[1]) + 1 : 1;
};

describe('acquire: every CSV line is loaded or rejected', () => {
  let w: TestWorkspace;
  let source: Source;
  before(async () => {
    w = await testWorkspace();
    for (const [name, text] of Object.entries(FILES)) w.write(`acc/${name}.csv`, text);
    source = await createSource({ kind: 'files', name: 'acc', path: join(w.data, 'acc') }, { root: w.root, secrets: w.ctx.secrets });
  });
  after(async () => {
    await w.dispose();
  });

  async function account(name: string, warehouseCanReach: boolean): Promise<{ rows: number; covered: number; raws: string[] }> {
    const object = (await source.listObjects()).find((o) => o.name === name);
    assert.ok(object, name);
    const through: Source = { ...source, config: source.config, read: (o, opts) => source.read(o, { ...opts, warehouseCanReach }) };
    const r = await loadObject(w.ctx, through, object, { force: true });
    assert.equal(r.status, 'loaded', r.error);
    const rejects = await w.wh.query<{ reason: string; raw: string }>(
      `SELECT reason, raw FROM bronze._kimball_rejects WHERE source = 'acc' AND object = {o:String} AND load_id = {l:String} ORDER BY line`,
      { params: { o: name, l: r.loadId ?? '' } },
    );
    return { rows: r.rows, covered: rejects.reduce((n, x) => n + covered(x.reason), 0), raws: rejects.map((x) => x.raw) };
  }

  it('on the streamed path', async () => {
    for (const [name, text] of Object.entries(FILES)) {
      const a = await account(name, false);
      assert.equal(a.rows + a.covered, dataLines(text), `${name}: ${JSON.stringify(a)}`);
    }
    assert.deepEqual((await account('unbalanced', false)).raws, ['2,"abc\n3,def\n4,...\n5,ok\n6,"q"']);
  });

  it('on the native path', { todo: "ClickHouse's reader records only the first line of a broken quote's text and drops the rest" }, async () => {
    for (const [name, text] of Object.entries(FILES)) {
      const a = await account(name, true);
      assert.equal(a.rows + a.covered, dataLines(text), `${name}: ${JSON.stringify(a)}`);
    }
  });
});
