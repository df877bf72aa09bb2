import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { fork } from 'node:child_process';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { warehouseContract } from './contract';
import { tempDir, removeDir } from '../../helpers/warehouse';
import { EmbeddedWarehouse } from '../../../src/core/warehouse/embedded';
import { DEFAULT_DATABASES } from '../../../src/core/warehouse/warehouse';
import { ensureDatabases } from '../../../src/core/warehouse/catalog-queries';

const dir = tempDir('embedded-');
after(() => removeDir(dir));

warehouseContract('embedded', async () => {
  const wh = new EmbeddedWarehouse(join(dir, 'contract'), DEFAULT_DATABASES);
  await ensureDatabases(wh);
  return wh;
});

test('embedded: a 50 ms timer keeps firing while a multi-second query runs', async () => {
  const wh = new EmbeddedWarehouse(join(dir, 'eventloop'), DEFAULT_DATABASES);
  await wh.version();
  const ticks: number[] = [];
  const timer = setInterval(() => ticks.push(performance.now()), 50);
  const t0 = performance.now();
  await wh.query('SELECT count() FROM numbers(250000000) WHERE NOT ignore(sipHash64(number))');
  const elapsed = performance.now() - t0;
  clearInterval(timer);
  await wh.close();
  assert.ok(elapsed > 1500, `the query should take seconds (took ${Math.round(elapsed)} ms)`);
  const gaps = ticks.slice(1).map((t, i) => t - ticks[i]);
  const worst = Math.max(...gaps);
  assert.ok(ticks.length >= (elapsed / 50) * 0.7, `timer fired ${ticks.length} times in ${Math.round(elapsed)} ms`);
  assert.ok(worst < 250, `longest gap between 50 ms ticks: ${Math.round(worst)} ms`);
});

test('embedded: a second process on the same directory gets a clear "in use by" message', async () => {
  const path = join(dir, 'locked');
  const holder = new EmbeddedWarehouse(path, DEFAULT_DATABASES, 'kimball test holder');
  await holder.version();
  const script = join(dir, 'second.ts');
  writeFileSync(
    script,
    `import { EmbeddedWarehouse } from ${JSON.stringify(join(process.cwd(), 'src/core/warehouse/embedded'))};
     const wh = new EmbeddedWarehouse(${JSON.stringify(path)}, { bronze: 'bronze', silver: 'silver', gold: 'gold', meta: 'kimball' });
     wh.version().then(() => { console.log('OPENED'); return wh.close(); }, (e) => { console.log('ERROR ' + e.message); return wh.close(); });`,
  );
  const out = await new Promise<string>((resolveOut) => {
    const child = fork(script, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
    let s = '';
    child.stdout?.on('data', (d: Buffer) => (s += d.toString()));
    child.on('exit', () => resolveOut(s));
  });
  await holder.close();
  console.log(out);
  assert.match(out, /ERROR The embedded warehouse at .* is in use by process \d+ \(kimball test holder/);
  assert.match(out, /close that VS Code window or CLI command/);
});

test('embedded: when the engine dies, the caller gets a clear message and the next call restarts it', async () => {
  const wh = new EmbeddedWarehouse(join(dir, 'crash'), DEFAULT_DATABASES);
  await wh.command('CREATE TABLE default.keep (a String) ENGINE = MergeTree ORDER BY tuple()');
  await wh.command("INSERT INTO default.keep VALUES ('kept')");
  const pending = wh.query('SELECT count() FROM numbers(5000000000) WHERE NOT ignore(sipHash64(number))');
  await new Promise((r) => setTimeout(r, 500));
  const { execFileSync } = await import('node:child_process');
  const children = execFileSync('ps', ['-o', 'pid=,args=', '--ppid', String(process.pid)]).toString().split('\n');
  const engine = children.find((l) => l.includes('engine.js'));
  assert.ok(engine, 'the engine runs as a child process');
  process.kill(Number(engine.trim().split(/\s+/)[0]), 'SIGKILL');
  await assert.rejects(pending, /embedded warehouse engine stopped unexpectedly \(SIGKILL\); it restarts on the next operation/);
  const rows = await wh.query<{ a: string }>('SELECT a FROM default.keep');
  assert.deepEqual(rows, [{ a: 'kept' }]);
  await wh.close();
});
