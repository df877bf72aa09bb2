/** `kimball build`, `kimball run`, `kimball runs` through the real CLI on an embedded warehouse. */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { removeDir, tempDir } from '../../helpers/warehouse';
import { RETAIL, RETAIL_LOAD1, retailModels } from '../../helpers/build-fixtures';
import { stableStringify } from '../../../src/core/project/json-file';

function kimball(dir: string, ...args: string[]): { status: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', '--workspace', dir, ...args], { encoding: 'utf8', cwd: process.cwd() });
  return { status: r.status ?? 1, stdout: r.stdout, stderr: r.stderr };
}

/** Bronze rows as one INSERT ... VALUES through `kimball sql` (test data, written by the test itself). */
function bronzeInsert(table: string, columns: string[], rows: string[][]): string {
  const lit = (v: string) => `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  const values = rows.map((r, i) => `(${[...columns.map((_, j) => lit(r[j] ?? '')), "'shop'", lit(table), "'cli-load-1'", String(i + 1), "'2026-01-01 00:00:00'"].join(', ')})`);
  return `INSERT INTO bronze.${table} VALUES ${values.join(', ')}`;
}

describe('kimball build / run / runs', () => {
  const dir = tempDir('kimball-cli-build-');
  after(() => removeDir(dir));

  test('build writes the pipeline; run executes it and records the run; runs lists it', () => {
    assert.equal(kimball(dir, 'init').status, 0);
    for (const [object, cols] of Object.entries(RETAIL)) {
      const table = `shop__${object}`;
      const ddl = `CREATE TABLE bronze.${table} (${cols.map((c) => `\`${c}\` String`).join(', ')}, _kimball_source String, _kimball_object String, _kimball_load_id String, _kimball_row UInt64, _kimball_loaded_at DateTime64(3)) ENGINE = MergeTree ORDER BY tuple()`;
      assert.equal(kimball(dir, 'sql', ddl).status, 0);
      const r = kimball(dir, 'sql', bronzeInsert(table, cols, RETAIL_LOAD1[object as keyof typeof RETAIL]));
      assert.equal(r.status, 0, r.stderr);
    }
    const { erd, star, catalog } = retailModels();
    mkdirSync(join(dir, 'models'), { recursive: true });
    writeFileSync(join(dir, 'models', 'retail.erd.json'), stableStringify(erd));
    writeFileSync(join(dir, 'models', 'retail.star.json'), stableStringify(star));
    mkdirSync(join(dir, '.kimball', 'catalog'), { recursive: true });
    writeFileSync(join(dir, '.kimball', 'catalog', 'bronze.catalog.json'), stableStringify(catalog));

    const built = kimball(dir, 'build');
    assert.equal(built.status, 0, built.stderr);
    assert.match(built.stdout, /Built pipeline retail: 4 silver, 5 gold, \d+ check steps/);
    assert.ok(existsSync(join(dir, 'build', 'manifest.json')));
    assert.ok(existsSync(join(dir, 'build', 'airflow', 'retail_dag.py')));

    const ran = kimball(dir, '--json', 'run');
    assert.equal(ran.status, 0, ran.stderr);
    const out = JSON.parse(ran.stdout) as { run: { id: string; status: string }; summary: { checksFailed: number; tables: number } };
    assert.equal(out.run.status, 'succeeded');
    assert.equal(out.summary.checksFailed, 0);
    assert.equal(out.summary.tables, 9);

    const table = kimball(dir, 'run');
    assert.equal(table.status, 0, table.stderr);
    assert.match(table.stdout, /succeeded\s+gold\.fact_sales\s/);
    assert.match(table.stdout, /Run \S+ succeeded in [\d.]+ s: 9 tables/);

    const runs = kimball(dir, 'runs');
    assert.equal(runs.status, 0);
    assert.equal(runs.stdout.trim().split('\n').length, 2);
    assert.ok(runs.stdout.includes(out.run.id));

    const none = kimball(dir, 'run', '--resume');
    assert.equal(none.status, 1);
    assert.match(none.stderr, /kimball: Nothing to resume: the latest run succeeded/);
  });
});
