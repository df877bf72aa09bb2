/**
 * PostgreSQL table into embedded bronze: our acquire (native postgresql()
 * pushdown, staging table, lineage, atomic exchange, load record) against the
 * raw `COPY (SELECT ...) TO STDOUT` rate of the same table into a null sink,
 * in the same process. Ratio = ours rows/s / baseline rows/s (higher is
 * better). Also reports the streamed path (COPY through Node into the insert),
 * used when the warehouse cannot reach the database. N rows from
 * KIMBALL_BENCH_PG_ROWS (default 2,000,000) x 8 columns, made by generate_series.
 */
import { Client } from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import type { BenchCase, BenchResult } from '../harness';
import { mergesSettled, timed, withWorkspace } from '../harness';
import { EnvSecretStore, type Source } from '../../src/core/sources/source';
import { writeSource } from '../../src/core/sources';
import { PostgresSource } from '../../src/core/sources/postgres';
import { acquire, loadObject } from '../../src/core/acquire';
import { postgresAvailable, startPostgres, type PostgresService } from '../../test/services/postgres';

async function createTable(pg: PostgresService, rows: number): Promise<void> {
  await pg.sql(`CREATE UNLOGGED TABLE facts AS
    SELECT g::bigint AS id, lpad((g % 100000)::text, 6, '0') AS code, 'C' || (g % 50000) AS customer, (g % 17)::integer AS qty,
           (ARRAY['Oslo', 'Bergen', 'Lyon', 'São Paulo', 'Kyiv'])[1 + g % 5]::varchar(20) AS city,
           CASE WHEN g % 3 = 0 THEN 'closed' ELSE 'open' END AS status, 'note ' || g || ', with comma' AS note,
           md5(g::text)::uuid AS ref
      FROM generate_series(1, ${Math.trunc(rows)}) g`);
  await pg.sql('ANALYZE facts');
}

/** The baseline: PostgreSQL's own COPY of every row to STDOUT, bytes dropped as they arrive. */
async function rawCopy(pg: PostgresService): Promise<number> {
  const c = new Client({ host: pg.host, port: pg.port, user: pg.user, password: pg.password, database: pg.database });
  await c.connect();
  let bytes = 0;
  try {
    for await (const chunk of c.query(copyTo('COPY (SELECT * FROM facts) TO STDOUT WITH (FORMAT text)')) as AsyncIterable<Buffer>) bytes += chunk.length;
  } finally {
    await c.end();
  }
  return bytes;
}

/** The same source, told that the warehouse cannot reach the database: the streamed path. */
function streamedOnly(src: PostgresSource): Source {
  return {
    config: src.config,
    test: (s) => src.test(s),
    listObjects: (s) => src.listObjects(s),
    read: (o, opts) => src.read(o, { ...opts, warehouseCanReach: false }),
  };
}

const bench: BenchCase = {
  name: 'acquire-postgres',
  description: 'PostgreSQL table (N x 8) into embedded bronze: ours vs raw COPY TO STDOUT into a null sink',
  async run(): Promise<BenchResult[]> {
    if (!postgresAvailable()) {
      process.stderr.write('acquire-postgres: PostgreSQL binaries not installed (.ci/services.sh); skipped\n');
      return [];
    }
    const rows = Number(process.env.KIMBALL_BENCH_PG_ROWS ?? 2_000_000);
    return withWorkspace('acquire-pg', async ({ root, paths, wh, context }) => {
      const pg = await startPostgres();
      try {
        await createTable(pg, rows);
        const secrets = new EnvSecretStore({ KIMBALL_PG_PASSWORD: pg.password });
        const ctx = context(secrets);
        const config = { kind: 'postgres' as const, name: 'pg', host: pg.host, port: pg.port, database: pg.database, user: pg.user };
        writeSource(paths, config);
        await rawCopy(pg); // warm-up: the table sits in shared buffers / page cache for every run
        const base: number[] = [];
        const ours: number[] = [];
        // Three interleaved rounds, best of each, every step starting with no merges left from the one before.
        for (let i = 0; i < 3; i++) {
          await mergesSettled(wh);
          base.push((await timed(() => rawCopy(pg))).ms);
          await mergesSettled(wh);
          const r = await timed(() => acquire(ctx, { sources: ['pg'], force: true }));
          if (r.value[0]?.status !== 'loaded' || r.value[0].rows !== rows) throw new Error(`acquire-postgres: ${JSON.stringify(r.value[0])}`);
          ours.push(r.ms);
        }
        const src = new PostgresSource(config, { root, secrets });
        const [object] = await src.listObjects();
        const streamed = await timed(() => loadObject(ctx, streamedOnly(src), object, { force: true }));
        if (streamed.value.status !== 'loaded' || streamed.value.rows !== rows) throw new Error(`acquire-postgres (streamed): ${JSON.stringify(streamed.value)}`);
        const baseRate = rows / (Math.min(...base) / 1000);
        const oursRate = rows / (Math.min(...ours) / 1000);
        const streamRate = rows / (streamed.ms / 1000);
        return [
          { name: `acquire-postgres native (${rows.toLocaleString('en-US')} x 8)`, value: oursRate, unit: 'rows/s', baseline: baseRate, ratio: oursRate / baseRate, target: '>= 0.7' },
          { name: 'acquire-postgres streamed (COPY via Node)', value: streamRate, unit: 'rows/s', baseline: baseRate, ratio: streamRate / baseRate, target: 'info' },
        ];
      } finally {
        await pg.stop();
      }
    });
  },
};

export default bench;
