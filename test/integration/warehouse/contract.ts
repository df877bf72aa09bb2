/** One behavioural contract every Warehouse implementation must meet, run against embedded and server. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { HOSTILE_NAMES } from '../../fixtures/hostile-names';
import { quoteIdent, qualified } from '../../../src/core/warehouse/sql';
import { listColumns, listTables } from '../../../src/core/warehouse/catalog-queries';
import type { Warehouse } from '../../../src/core/warehouse/warehouse';

export function warehouseContract(label: string, open: () => Promise<Warehouse>): void {
  let wh: Warehouse;
  test(`${label}: opens and reports a modern ClickHouse`, async () => {
    wh = await open();
    const v = await wh.version();
    assert.match(v, /^2\d\.\d+/);
  });

  test(`${label}: values travel as parameters, never as SQL text`, async () => {
    const evil = "x'); DROP DATABASE bronze; --";
    const rows = await wh.query<{ v: string; n: string }>('SELECT {v:String} AS v, {n:UInt64} AS n', {
      params: { v: evil, n: 18446744073709551615n.toString() },
    });
    assert.deepEqual(rows, [{ v: evil, n: '18446744073709551615' }]);
    const dbs = await wh.query<{ name: string }>('SELECT name FROM system.databases WHERE name = {d:String}', { params: { d: 'bronze' } });
    assert.equal(dbs.length, 1);
  });

  test(`${label}: hostile identifiers round-trip as table and column names`, async () => {
    const names = HOSTILE_NAMES.filter((n) => !n.includes('\0'));
    for (const [i, name] of names.entries()) {
      // Table names become file names on disk (255-byte limit): long ones are tested as columns only.
      const table = name.length > 100 ? `t_${i}` : `t_${i}_${name}`;
      await wh.command(`CREATE TABLE ${qualified('bronze', table)} (${quoteIdent(name)} String) ENGINE = MergeTree ORDER BY tuple()`);
      await wh.command(`INSERT INTO ${qualified('bronze', table)} SELECT {v:String}`, { params: { v: name } });
      const cols = await listColumns(wh, 'bronze', table);
      assert.deepEqual(cols.map((c) => c.name), [name], `column name survives: ${JSON.stringify(name)}`);
      const rows = await wh.query<{ v: string }>(`SELECT ${quoteIdent(name)} AS v FROM ${qualified('bronze', table)}`);
      assert.deepEqual(rows, [{ v: name }]);
    }
    const tables = await listTables(wh, ['bronze']);
    for (const [i, name] of names.entries()) {
      const table = name.length > 100 ? `t_${i}` : `t_${i}_${name}`;
      assert.ok(tables.some((t) => t.name === table), name);
    }
  });

  test(`${label}: a NUL byte in a name is quoted safely (the engine may refuse it, never misparse it)`, async () => {
    const name = 'nul\0byte';
    try {
      await wh.command(`CREATE TABLE ${qualified('bronze', name)} (a String) ENGINE = Memory`);
      const cols = await listColumns(wh, 'bronze', name);
      assert.deepEqual(cols.map((c) => c.name), ['a']);
    } catch (err) {
      assert.match(String((err as Error).message), /name|identifier|character|NUL|\\0|zero/i);
    }
    const dbs = await wh.query<{ n: string }>("SELECT count() AS n FROM system.databases WHERE name = 'bronze'");
    assert.equal(dbs[0].n, '1');
  });

  test(`${label}: streamed TSV insert with backpressure keeps text exact`, async () => {
    await wh.command(`CREATE TABLE ${qualified('bronze', 'stream_t')} (a String, b String) ENGINE = MergeTree ORDER BY tuple()`);
    const n = 200_000;
    async function* body() {
      for (let i = 0; i < n; i += 10_000) {
        let s = '';
        for (let j = i; j < i + 10_000; j++) s += `${String(j).padStart(7, '0')}\tv\\t${j}\n`;
        yield s;
      }
    }
    let progressCalls = 0;
    const r = await wh.insert({
      database: 'bronze',
      table: 'stream_t',
      columns: ['a', 'b'],
      format: 'TSV',
      body: Readable.from(body()),
      onProgress: () => progressCalls++,
    });
    assert.equal(r.rows, n);
    assert.ok(progressCalls > 0);
    const rows = await wh.query<{ c: string; first: string; b: string }>(
      `SELECT count() AS c, min(a) AS first, any(b) AS b FROM ${qualified('bronze', 'stream_t')} WHERE a = '0000042'`,
    );
    assert.deepEqual(rows, [{ c: '1', first: '0000042', b: 'v\t42' }]);
  });

  test(`${label}: engine errors come back as one clear message`, async () => {
    await assert.rejects(wh.query('SELECT no_such_column FROM system.one'), (err: Error) => {
      assert.match(err.message, /Unknown expression identifier|Missing columns|no_such_column/);
      assert.doesNotMatch(err.message, /Stack trace/);
      return true;
    });
  });

  test(`${label}: closes`, async () => {
    await wh.close();
  });
}
