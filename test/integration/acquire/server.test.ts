import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { acquire } from '../../../src/core/acquire';
import { initProjectFiles, loadProject } from '../../../src/core/project/project';
import { ServerWarehouse } from '../../../src/core/warehouse/server';
import { DEFAULT_DATABASES, type Warehouse } from '../../../src/core/warehouse/warehouse';
import { ensureDatabases } from '../../../src/core/warehouse/catalog-queries';
import { silentLogger, type CoreContext } from '../../../src/core/context';
import { EnvSecretStore } from '../../../src/core/sources/source';
import { writeSource } from '../../../src/core/sources';
import { removeDir, tempDir } from '../../helpers/warehouse';
import { startClickHouseServer, type ClickHouseServer } from '../../services/clickhouse-server';

// Server mode: the warehouse cannot read local files, so every format takes the streamed path.
describe('acquire into a ClickHouse server', () => {
  const root = tempDir('acquire-server-');
  let server: ClickHouseServer | undefined;
  let wh: Warehouse;
  let ctx: CoreContext;
  before(async () => {
    const url = process.env.KIMBALL_TEST_CLICKHOUSE_URL ?? (server = await startClickHouseServer(join(root, 'clickhouse'))).url;
    wh = new ServerWarehouse({
      url,
      username: process.env.KIMBALL_TEST_CLICKHOUSE_USER,
      password: process.env.KIMBALL_TEST_CLICKHOUSE_PASSWORD,
      databases: { ...DEFAULT_DATABASES, bronze: 'bronze_acq_test', meta: 'kimball_acq_test' },
    });
    await ensureDatabases(wh);
    const { paths } = initProjectFiles(root);
    ctx = { paths, project: loadProject(root), warehouse: wh, secrets: new EnvSecretStore({}), log: silentLogger };
  });
  after(async () => {
    await wh.command('DROP DATABASE IF EXISTS bronze_acq_test').catch(() => undefined);
    await wh.command('DROP DATABASE IF EXISTS kimball_acq_test').catch(() => undefined);
    await wh.close();
    await server?.stop();
    removeDir(root);
  });

  it('streams CSV (with rejects), NDJSON and XLSX, then skips unchanged objects', async () => {
    const data = join(root, 'data');
    mkdirSync(data, { recursive: true });
    writeFileSync(join(data, 'orders.csv'), 'id,code\n1,0012\n2,x\n3\n');
    writeFileSync(join(data, 'events.ndjson'), '{"id": 1, "v": {"w": 1.50}}\n');
    const wb = new ExcelJS.Workbook();
    wb.addWorksheet('S').addRows([['k', 'n'], ['a', { formula: '1+1', result: 2 }]]);
    await wb.xlsx.writeFile(join(data, 'book.xlsx'));
    writeSource(ctx.paths, { kind: 'files', name: 'srv', path: 'data' });
    const rs = await acquire(ctx, { sources: ['srv'] });
    assert.deepEqual(rs.map((r) => [r.object, r.status, r.rows, r.rejects]), [
      ['book__s', 'loaded', 1, 0],
      ['events', 'loaded', 1, 0],
      ['orders', 'loaded', 2, 1],
    ]);
    const rows = await wh.query<{ id: string; code: string }>('SELECT id, code FROM bronze_acq_test.srv__orders ORDER BY _kimball_row');
    assert.deepEqual(rows, [{ id: '1', code: '0012' }, { id: '2', code: 'x' }]);
    assert.deepEqual(await wh.query('SELECT v_w, id FROM bronze_acq_test.srv__events'), [{ v_w: '1.50', id: '1' }]);
    assert.deepEqual(await wh.query('SELECT k, n FROM bronze_acq_test.srv__book__s'), [{ k: 'a', n: '2' }]);
    const again = await acquire(ctx, { sources: ['srv'] });
    assert.deepEqual(again.map((r) => r.status), ['skipped', 'skipped', 'skipped']);
  });
});
