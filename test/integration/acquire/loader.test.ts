import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { loadObject } from '../../../src/core/acquire';
import type { NativeRead, Source, SourceObject, StreamRead, TestResult, FilesSourceConfig, PostgresSourceConfig, ReadOptions, StreamRecord } from '../../../src/core/sources/source';
import { testWorkspace, type TestWorkspace } from './workspace';

/** A source whose reads are raw ClickHouse TSV (as PostgreSQL COPY text is), to exercise the loader's TSV fast path. */
class TsvSource implements Source {
  readonly config: FilesSourceConfig = { kind: 'files', name: 'tsvsrc', path: '.' };
  constructor(private readonly chunks: Buffer[]) {}
  async test(): Promise<TestResult> {
    return { ok: true, message: 'ok' };
  }
  async listObjects(): Promise<SourceObject[]> {
    return [{ name: 'public.tåble_日本', location: 'memory' }];
  }
  async read(): Promise<StreamRead> {
    const chunks = this.chunks;
    return {
      kind: 'stream',
      columns: ['id', 'Name', 'note'],
      records: (async function* () {})(),
      tsv: (async function* () {
        yield* chunks;
      })(),
    };
  }
}

/** A table with a cursor column (as a PostgreSQL source with `cursors` is): version = max cursor; reads past cursorFrom only. */
class CursorSource implements Source {
  readonly config: PostgresSourceConfig = { kind: 'postgres', name: 'cur', host: 'h', port: 1, database: 'd', user: 'u', cursors: { events: 'id' } };
  rows: Record<string, string>[] = [];
  reads: (string | undefined)[] = [];
  async test(): Promise<TestResult> {
    return { ok: true, message: 'ok' };
  }
  async listObjects(): Promise<SourceObject[]> {
    return [{ name: 'events', location: 'memory', version: String(Math.max(...this.rows.map((r) => Number(r.id)))) }];
  }
  async read(_o: SourceObject, options: ReadOptions): Promise<StreamRead> {
    this.reads.push(options.cursorFrom);
    const from = Number(options.cursorFrom ?? -1);
    const rows = this.rows.filter((r) => Number(r.id) > from);
    const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))];
    return {
      kind: 'stream',
      columns: [],
      records: (async function* (): AsyncGenerator<StreamRecord> {
        for (const r of rows) yield { ok: true, columns: Object.keys(r), values: Object.values(r) };
        void columns;
      })(),
    };
  }
}

/** A native read with a cursor: numbers 1..last read by the warehouse itself, past cursorFrom only. */
class NativeCursorSource implements Source {
  readonly config: PostgresSourceConfig = { kind: 'postgres', name: 'ncur', host: 'h', port: 1, database: 'd', user: 'u', cursors: { ids: 'number' } };
  last = 2;
  async test(): Promise<TestResult> {
    return { ok: true, message: 'ok' };
  }
  async listObjects(): Promise<SourceObject[]> {
    return [{ name: 'ids', location: 'memory', version: String(this.last) }];
  }
  async read(_o: SourceObject, options: ReadOptions): Promise<NativeRead> {
    const from = Number(options.cursorFrom ?? 0);
    return {
      kind: 'native',
      from: 'numbers({lo:UInt64}, {n:UInt64})',
      params: { lo: from + 1, n: this.last - from },
      columns: ['number'],
    };
  }
}

describe('acquire: raw TSV fast path and incremental appends', () => {
  let w: TestWorkspace;
  before(async () => {
    w = await testWorkspace();
  });
  after(async () => {
    await w.dispose();
  });

  it('passes TSV bytes through exactly (escapes, \\N, multi-byte text split across chunks) and appends lineage', async () => {
    const text = '1\tÅsa\ttab\\there\n2\t\\N\tline\\nbreak\n3\t日本\tback\\\\slash\n';
    const bytes = Buffer.from(text, 'utf8');
    // Cut inside the multi-byte 日 so a chunk boundary splits a character.
    const cut = bytes.indexOf(Buffer.from('日本')) + 1;
    const src = new TsvSource([bytes.subarray(0, cut), bytes.subarray(cut)]);
    const [object] = await src.listObjects();
    const r = await loadObject(w.ctx, src, object);
    assert.equal(r.status, 'loaded', r.error);
    assert.equal(r.table, 'tsvsrc__public_table');
    assert.equal(r.rows, 3);
    const rows = await w.rows(r.table);
    assert.deepEqual(
      rows.map((x) => [x.id, x.name, x.note, x._kimball_row, x._kimball_object]),
      [
        ['1', 'Åsa', 'tab\there', '1', 'public.tåble_日本'],
        ['2', '', 'line\nbreak', '2', 'public.tåble_日本'],
        ['3', '日本', 'back\\slash', '3', 'public.tåble_日本'],
      ],
    );
  });

  it('appends only rows past the cursor, atomically, adding new columns; unchanged max cursor skips', async () => {
    const src = new CursorSource();
    src.rows = [{ id: '1', v: 'a' }, { id: '2', v: 'b' }];
    const load = async (force = false) => loadObject(w.ctx, src, (await src.listObjects())[0], { force });
    assert.equal((await load()).rows, 2);
    src.rows.push({ id: '3', v: 'c', extra: 'new' });
    const r = await load();
    assert.equal(r.status, 'loaded', r.error);
    assert.equal(r.rows, 1);
    assert.deepEqual(r.columnsAdded, ['extra']);
    assert.equal((await load()).status, 'skipped');
    assert.deepEqual(src.reads, [undefined, '2']);
    const rows = await w.rows('cur__events', 'id');
    assert.deepEqual(rows.map((x) => [x.id, x.v, x.extra]), [['1', 'a', ''], ['2', 'b', ''], ['3', 'c', 'new']]);
    // A forced load replaces everything from scratch.
    const forced = await load(true);
    assert.equal(forced.rows, 3);
    assert.equal((await w.rows('cur__events')).length, 3);
  });

  it('keeps the lineage of every load when a native full load (lineage as column defaults) is followed by appends, before and after merges', async () => {
    const src = new NativeCursorSource();
    const load = async () => loadObject(w.ctx, src, (await src.listObjects())[0]);
    const first = await load();
    assert.equal(first.status, 'loaded', first.error);
    src.last = 4;
    const second = await load();
    assert.equal(second.status, 'loaded', second.error);
    assert.equal(second.rows, 2);
    const lineage = async () =>
      (await w.rows('ncur__ids', 'toUInt64(number)')).map((x) => [x.number, x._kimball_source, x._kimball_object, x._kimball_load_id, x._kimball_row, x._kimball_loaded_at.length > 0]);
    const expected = [
      ['1', 'ncur', 'ids', first.loadId, '1', true],
      ['2', 'ncur', 'ids', first.loadId, '2', true],
      ['3', 'ncur', 'ids', second.loadId, '1', true],
      ['4', 'ncur', 'ids', second.loadId, '2', true],
    ];
    assert.deepEqual(await lineage(), expected);
    await w.wh.command('OPTIMIZE TABLE bronze.ncur__ids FINAL');
    assert.deepEqual(await lineage(), expected, 'a merge writes out the values of the first load, not those of the append');
    const times = await w.wh.query<{ n: string }>('SELECT uniqExact(_kimball_loaded_at) AS n FROM bronze.ncur__ids');
    assert.equal(times[0].n, '2');
  });
});
