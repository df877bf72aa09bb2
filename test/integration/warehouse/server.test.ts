import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { warehouseContract } from './contract';
import { tempDir, removeDir } from '../../helpers/warehouse';
import { startClickHouseServer, type ClickHouseServer } from '../../services/clickhouse-server';
import { ServerWarehouse } from '../../../src/core/warehouse/server';
import { DEFAULT_DATABASES } from '../../../src/core/warehouse/warehouse';
import { ensureDatabases } from '../../../src/core/warehouse/catalog-queries';

// Runs against KIMBALL_TEST_CLICKHOUSE_URL when set, else a real ClickHouse server built from libchdb.
const dir = tempDir('server-');
let server: ClickHouseServer | undefined;
after(async () => {
  await server?.stop();
  removeDir(dir);
});

async function serverUrl(): Promise<string> {
  if (process.env.KIMBALL_TEST_CLICKHOUSE_URL) return process.env.KIMBALL_TEST_CLICKHOUSE_URL;
  server ??= await startClickHouseServer(join(dir, 'clickhouse'));
  return server.url;
}

warehouseContract('server', async () => {
  const wh = new ServerWarehouse({
    url: await serverUrl(),
    username: process.env.KIMBALL_TEST_CLICKHOUSE_USER,
    password: process.env.KIMBALL_TEST_CLICKHOUSE_PASSWORD,
    databases: DEFAULT_DATABASES,
  });
  await ensureDatabases(wh);
  for (const t of await wh.query<{ name: string }>("SELECT name FROM system.tables WHERE database = 'bronze'")) {
    await wh.command(`DROP TABLE bronze.\`${t.name.replace(/[`\\]/g, (c) => '\\' + c)}\``).catch(() => undefined);
  }
  return wh;
});

test('server: an unreachable server gets a message naming the URL', async () => {
  const wh = new ServerWarehouse({ url: 'http://127.0.0.1:1', databases: DEFAULT_DATABASES });
  await assert.rejects(wh.version(), /Cannot reach the ClickHouse server at http:\/\/127\.0\.0\.1:1/);
  await wh.close();
});

test('server: a wrong password is reported as such', async () => {
  const wh = new ServerWarehouse({ url: await serverUrl(), username: 'nobody_here', password: 'wrong', databases: DEFAULT_DATABASES });
  await assert.rejects(wh.version(), /rejected user "nobody_here": wrong user name or password/);
  await wh.close();
});
