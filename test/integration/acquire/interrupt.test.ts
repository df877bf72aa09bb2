import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { acquire } from '../../../src/core/acquire';
import { testWorkspace, type TestWorkspace } from './workspace';
import type { QueryOptions, Warehouse } from '../../../src/core/warehouse/warehouse';

function ndjson(rows: number, tag: string): string {
  let s = '';
  for (let i = 0; i < rows; i++) s += `{"id": ${i}, "tag": "${tag}", "payload": "${'x'.repeat(40)}"}\n`;
  return s;
}

/** The engine child processes of this test process. */
function enginePids(): number[] {
  try {
    return execFileSync('ps', ['--ppid', String(process.pid), '-o', 'pid=,args='], { encoding: 'utf8' })
      .split('\n')
      .filter((l) => l.includes('engine.js'))
      .map((l) => Number(l.trim().split(/\s+/)[0]));
  } catch {
    return [];
  }
}

async function stagingTables(w: TestWorkspace): Promise<string[]> {
  const rows = await w.wh.query<{ name: string }>("SELECT name FROM system.tables WHERE database = 'bronze' AND startsWith(name, '_kimball_staging_')");
  return rows.map((r) => r.name);
}

describe('acquire: cancel and kill in the middle of a load', () => {
  let w: TestWorkspace;
  before(async () => {
    w = await testWorkspace();
    w.write('big/events.ndjson', ndjson(1000, 'v1'));
    w.addFiles('big', 'big');
    const [r] = await acquire(w.ctx, { sources: ['big'] });
    assert.equal(r.status, 'loaded', r.error);
    w.write('big/events.ndjson', ndjson(300_000, 'v2'));
  });
  after(async () => {
    await w.dispose();
  });

  it('a cancelled load keeps the previous version and leaves no staging table', async () => {
    const ac = new AbortController();
    const [r] = await acquire(w.ctx, {
      sources: ['big'],
      signal: ac.signal,
      progress: { report: () => ac.abort() },
    });
    assert.equal(r.status, 'cancelled');
    const rows = await w.wh.query<{ n: string; tags: string[] }>('SELECT count() AS n, groupUniqArray(tag) AS tags FROM bronze.big__events');
    assert.deepEqual(rows[0], { n: '1000', tags: ['v1'] });
    assert.deepEqual(await stagingTables(w), []);
    const loads = await w.wh.query<{ status: string }>("SELECT status FROM kimball.loads WHERE source = 'big' ORDER BY started_at DESC LIMIT 1");
    assert.equal(loads[0].status, 'cancelled');
  });

  it('a killed engine fails the load; the previous version survives with no partial rows', async () => {
    let killed = false;
    const [r] = await acquire(w.ctx, {
      sources: ['big'],
      progress: {
        report: () => {
          if (killed) return;
          const pids = enginePids();
          assert.ok(pids.length > 0, 'engine process found');
          for (const pid of pids) process.kill(pid, 'SIGKILL');
          killed = true;
        },
      },
    });
    assert.ok(killed);
    assert.equal(r.status, 'failed');
    const rows = await w.wh.query<{ n: string; tags: string[] }>('SELECT count() AS n, groupUniqArray(tag) AS tags FROM bronze.big__events');
    assert.deepEqual(rows[0], { n: '1000', tags: ['v1'] });
    assert.deepEqual(await stagingTables(w), []);
    // The next run loads the new version completely.
    const [again] = await acquire(w.ctx, { sources: ['big'] });
    assert.equal(again.status, 'loaded', again.error);
    const after2 = await w.wh.query<{ n: string; tags: string[] }>('SELECT count() AS n, groupUniqArray(tag) AS tags FROM bronze.big__events');
    assert.deepEqual(after2[0], { n: '300000', tags: ['v2'] });
  });

  it('a load cancelled during a native CSV read keeps the previous version', async () => {
    w.write('nat/big.csv', 'id,tag\n1,v1\n');
    w.addFiles('nat', 'nat');
    assert.equal((await acquire(w.ctx, { sources: ['nat'] }))[0].status, 'loaded');
    let csv = 'id,tag\n';
    for (let i = 0; i < 400_000; i++) csv += `${i},v2\n`;
    w.write('nat/big.csv', csv);
    const ac = new AbortController();
    // Cancel once the engine is reading the file: the INSERT ... SELECT FROM file() is under way.
    let insertSeen = false;
    const wh = w.wh;
    const watched: Warehouse = {
      mode: wh.mode,
      databases: wh.databases,
      query: (sql, o) => wh.query(sql, o),
      queryText: (sql, f, o) => wh.queryText(sql, f, o),
      insert: (o) => wh.insert(o),
      version: () => wh.version(),
      close: () => wh.close(),
      command: (sql: string, o?: QueryOptions) => {
        const p = wh.command(sql, o);
        if (/^INSERT INTO .*FROM file/s.test(sql)) {
          insertSeen = true;
          setTimeout(() => ac.abort(), 20);
        }
        return p;
      },
    };
    const [r] = await acquire({ ...w.ctx, warehouse: watched }, { sources: ['nat'], signal: ac.signal });
    assert.ok(insertSeen);
    assert.equal(r.status, 'cancelled');
    const rows = await w.wh.query<{ n: string; tags: string[] }>('SELECT count() AS n, groupUniqArray(tag) AS tags FROM bronze.nat__big');
    assert.deepEqual(rows[0], { n: '1', tags: ['v1'] });
    assert.deepEqual(await stagingTables(w), []);
  });
});
