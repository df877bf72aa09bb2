import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { utimesSync } from 'node:fs';
import { acquire } from '../../../src/core/acquire';
import { HOSTILE_NAMES } from '../../fixtures/hostile-names';
import { testWorkspace, type TestWorkspace } from './workspace';

function csvField(v: string): string {
  return /[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

describe('acquire: re-runs, incremental skips, drift, hostile names', () => {
  let w: TestWorkspace;
  before(async () => {
    w = await testWorkspace();
  });
  after(async () => {
    await w.dispose();
  });

  it('skips an unchanged file, and a forced re-run replaces rows instead of duplicating them', async () => {
    const file = w.write('inc/items.csv', 'id,name\n1,a\n2,b\n3,c\n');
    w.addFiles('inc', 'inc');
    const [first] = await acquire(w.ctx, { sources: ['inc'] });
    assert.equal(first.status, 'loaded', first.error);
    const [second] = await acquire(w.ctx, { sources: ['inc'] });
    assert.equal(second.status, 'skipped');
    const [forced] = await acquire(w.ctx, { sources: ['inc'], force: true });
    assert.equal(forced.status, 'loaded');
    assert.equal((await w.rows('inc__items')).length, 3);
    // A changed file (mtime + size) loads again.
    w.write('inc/items.csv', 'id,name\n1,a\n2,b\n3,c\n4,d\n');
    utimesSync(file, new Date(), new Date(Date.now() + 5000));
    const [changed] = await acquire(w.ctx, { sources: ['inc'] });
    assert.equal(changed.status, 'loaded');
    assert.equal((await w.rows('inc__items')).length, 4);
    const loads = await w.wh.query<{ status: string }>("SELECT status FROM kimball.loads WHERE source = 'inc' ORDER BY started_at");
    assert.deepEqual(loads.map((l) => l.status), ['loaded', 'loaded', 'loaded']);
  });

  it('adds new columns and loads missing ones empty, reporting both', async () => {
    w.write('drift/people.csv', 'id,name,city\n1,Ann,Oslo\n');
    w.addFiles('drift', 'drift');
    await acquire(w.ctx, { sources: ['drift'] });
    w.write('drift/people.csv', 'id,name,email\n2,Bob,bob@x.org\n3,Cy,cy@x.org\n');
    const [r] = await acquire(w.ctx, { sources: ['drift'], force: true });
    assert.equal(r.status, 'loaded', r.error);
    assert.deepEqual(r.columnsAdded, ['email']);
    assert.deepEqual(r.columnsMissing, ['city']);
    const rows = await w.rows('drift__people');
    assert.deepEqual(rows.map((x) => [x.id, x.name, x.city, x.email]), [['2', 'Bob', '', 'bob@x.org'], ['3', 'Cy', '', 'cy@x.org']]);
    const loads = await w.wh.query<{ columns_added: string[]; columns_missing: string[] }>(
      "SELECT columns_added, columns_missing FROM kimball.loads WHERE source = 'drift' ORDER BY started_at DESC LIMIT 1",
    );
    assert.deepEqual(loads[0], { columns_added: ['email'], columns_missing: ['city'] });
  });

  it('sanitizes and de-duplicates hostile column names, recording the originals', async () => {
    const names = HOSTILE_NAMES.filter((n) => !n.includes('\0'));
    const header = [...names, '', 'plain', 'PLAIN', '_kimball_row'];
    const row = header.map((_, i) => `v${i}`);
    w.write('hostile/we`ird \'name".csv', `${header.map(csvField).join(',')}\n${row.join(',')}\n`);
    w.addFiles('hostile', 'hostile');
    const [r] = await acquire(w.ctx, { sources: ['hostile'] });
    assert.equal(r.status, 'loaded', r.error);
    assert.match(r.table, /^hostile__[a-z0-9_]+$/);
    const cols = await w.wh.query<{ column: string; original: string; position: number }>(
      'SELECT column, original, position FROM kimball.bronze_columns FINAL WHERE table = {t:String} ORDER BY position',
      { params: { t: r.table } },
    );
    assert.deepEqual(cols.map((c) => c.original), header);
    for (const c of cols) assert.match(c.column, /^[a-z0-9_]+$/);
    assert.equal(new Set(cols.map((c) => c.column)).size, header.length);
    const [data] = await w.rows(r.table);
    cols.forEach((c, i) => assert.equal(data[c.column], `v${i}`));
    assert.equal(data._kimball_row, '1');
  });
});
