/**
 * Profiling cost against a plain full scan: full discovery of one N-row, 10-column bronze table
 * (profile scan, exact pass, keys, dependencies) against `SELECT count() FROM t WHERE NOT ignore(*)`
 * of the same table in the same engine. Ratio = ours / baseline (lower is better).
 * N from KIMBALL_BENCH_ROWS (default 5,000,000), and 2N to show how cost grows.
 */
import type { BenchCase, BenchResult } from '../harness';
import { timed, withWorkspace } from '../harness';
import type { Warehouse } from '../../src/core/warehouse/warehouse';
import { discover } from '../../src/core/discover/discover';
import { qualified } from '../../src/core/warehouse/sql';
import { bronzeFromSql } from '../../test/fixtures/discover/bronze';

/** Ten columns of the usual kinds: id, reference, amount, currency, timestamp, US date, status, email, flag, text. */
export async function scanTable(wh: Warehouse, table: string, rows: number): Promise<void> {
  await bronzeFromSql(
    wh,
    table,
    {
      id: 'number + 1',
      customer_id: 'cityHash64(number) % 100000 + 1',
      amount: 'round((cityHash64(number, 1) % 1000000) / 100, 2)',
      price: "concat('$', toString(cityHash64(number, 2) % 1000), '.', leftPad(toString(number % 100), 2, '0'))",
      created_at: "formatDateTime(toDateTime('2020-01-01 00:00:00') + number * 7, '%Y-%m-%dT%H:%i:%SZ')",
      ship_date: "formatDateTime(toDate('2020-01-01') + number % 1500, '%m/%d/%Y')",
      status: "['new','paid','shipped','returned'][number % 4 + 1]",
      email: "concat('user', toString(number % 200000), '@example.com')",
      is_gift: "if(number % 7 = 0, 'true', 'false')",
      note: "concat('note ', toString(cityHash64(number, 3) % 100000))",
    },
    rows,
  );
}

async function measure(rows: number): Promise<BenchResult> {
  return withWorkspace(`discover-scan-${rows}`, async ({ wh, context }) => {
    await scanTable(wh, 'bench__facts', rows);
    const ctx = context();
    const scan = await timed(() => wh.query(`SELECT count() AS n FROM ${qualified('bronze', 'bench__facts')} WHERE NOT ignore(*)`));
    const ours = await timed(() => discover(ctx));
    return {
      name: `discover-scan ${(rows / 1e6).toFixed(0)}M x 10`,
      value: ours.ms,
      unit: 'ms',
      baseline: scan.ms,
      ratio: ours.ms / scan.ms,
      target: 'profile in a few scans (ratio reported)',
    };
  });
}

const bench: BenchCase = {
  name: 'discover-scan',
  description: 'Full discovery of one N x 10 bronze table vs one full scan of it (and 2N)',
  async run(): Promise<BenchResult[]> {
    const rows = Number(process.env.KIMBALL_BENCH_ROWS ?? 5_000_000);
    return [await measure(rows), await measure(rows * 2)];
  },
};
export default bench;
