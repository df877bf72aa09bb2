import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir, removeDir } from '../../helpers/warehouse';

const CLI = join(process.cwd(), 'dist', 'cli.js');
const ws = tempDir('cli-');
after(() => removeDir(ws));

function kimball(...args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, '--workspace', ws, ...args], { encoding: 'utf8' });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

test('kimball without a project says how to start', () => {
  const r = kimball('warehouse', 'test');
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^kimball: No Kimball project in .*: run "Kimball: Initialize Project" \(CLI: kimball init\) first\.\n$/);
});

test('kimball init creates the project, the git-ignore entry and the databases', () => {
  const r = kimball('init');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /Created .*project\.json/);
  assert.ok(existsSync(join(ws, '.kimball', 'project.json')));
  assert.match(readFileSync(join(ws, '.gitignore'), 'utf8'), /^\.kimball\/warehouse\/$/m);
  const again = kimball('init', '--json');
  assert.equal(again.code, 0, again.stderr);
  const j = JSON.parse(again.stdout) as { created: boolean; databases: string[] };
  assert.equal(j.created, false);
  assert.deepEqual(j.databases, ['bronze', 'silver', 'gold', 'kimball']);
});

test('kimball sql prints a readable table, passes --format through and --json as data', () => {
  const table = kimball('sql', "SELECT name FROM system.databases WHERE name IN ('bronze', 'gold') ORDER BY name");
  assert.equal(table.code, 0, table.stderr);
  assert.match(table.stdout, /│ bronze │/);
  const tsv = kimball('sql', 'SELECT 1 AS a, 2 AS b', '--format', 'TSVWithNames');
  assert.equal(tsv.stdout, 'a\tb\n1\t2\n');
  const json = kimball('--json', 'sql', 'SELECT 7 AS n');
  assert.deepEqual((JSON.parse(json.stdout) as { data: unknown[] }).data, [{ n: 7 }]);
});

test('kimball sql reports a bad query as one line and exit code 1', () => {
  const r = kimball('sql', 'SELEC 1');
  assert.equal(r.code, 1);
  assert.equal(r.stderr.trim().split('\n').length, 1);
  assert.match(r.stderr, /^kimball: .*Syntax error/);
});

test('kimball warehouse test reports the engine', () => {
  const r = kimball('warehouse', 'test', '--json');
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout) as { ok: boolean; mode: string; version: string };
  assert.equal(j.mode, 'embedded');
  assert.match(j.version, /^2\d\./);
});

test('every command has --help', () => {
  for (const args of [['--help'], ['init', '--help'], ['sql', '--help'], ['warehouse', 'test', '--help']]) {
    const r = kimball(...args);
    assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stdout, /Usage: kimball/);
  }
});
