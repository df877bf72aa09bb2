/** SQL generation as text: single node vs cluster, quoting, manifest shape, bad models. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { generatePipeline } from '../../../src/core/build/generate';
import { topologicalOrder } from '../../../src/core/build/graph';
import { probeOf, splitStatements } from '../../../src/core/build/ddl';
import { parseProjectFile } from '../../../src/core/project/json-file';
import { DEFAULT_DATABASES } from '../../../src/core/warehouse/warehouse';
import { col, entity, erd, retailModels, star, dim, attr, headerLineModels } from '../../helpers/build-fixtures';
import type { Manifest } from '../../../src/core/build/build-types';

const gen = (cluster?: string) => generatePipeline({ name: 'retail', ...retailModels(), databases: DEFAULT_DATABASES, cluster, generatedAt: '2026-01-01T00:00:00Z' });

const statements = (files: Record<string, string>): string[] => Object.values(files).flatMap(splitStatements);

describe('build generator', () => {
  test('single node: valid manifest, no ON CLUSTER, no Distributed tables', () => {
    const p = gen();
    const m = parseProjectFile<Manifest>('manifest', JSON.stringify(p.manifest), 'manifest.json');
    assert.equal(m.steps.length, p.manifest.steps.length);
    for (const s of p.manifest.steps) {
      assert.ok(p.files[s.file], `file of ${s.id}`);
      if (s.fullFile) assert.ok(p.files[s.fullFile]);
    }
    const all = statements(p.files);
    assert.ok(all.length > 50);
    assert.ok(all.every((s) => !/ON CLUSTER|Distributed\(/.test(s)));
    // Silver is a ReplacingMergeTree on the primary key with the version from the load.
    assert.match(p.files['sql/silver/orders.sql'], /ENGINE = ReplacingMergeTree\(`_kimball_version`\)\nORDER BY \(`order_id`\)/);
    assert.match(p.files['sql/silver/orders.full.sql'], /EXCHANGE TABLES `silver`.`orders` AND `silver`.`orders__staging`/);
    assert.match(p.files['sql/silver/orders.sql'], /toDecimal64OrNull\(`amount`, 2\)/);
    // The dependency graph follows the model.
    const step = (id: string) => p.manifest.steps.find((s) => s.id === id);
    assert.deepEqual(step('gold.fact_sales')?.dependsOn.sort(), ['gold.dim_customer', 'gold.dim_date', 'gold.dim_product', 'silver.orders']);
    assert.deepEqual(step('gold.dim_customer')?.dependsOn.sort(), ['silver.cities', 'silver.customers']);
    assert.deepEqual(step('silver.cities')?.dependsOn, ['silver.customers']);
    assert.ok(p.manifest.steps.filter((s) => s.layer === 'check').length >= 10);
  });

  test('cluster: every DDL statement is ON CLUSTER and every table has a Distributed twin', () => {
    const p = gen('main cluster');
    const all = statements(p.files);
    const ddl = all.filter((s) => /^(--[^\n]*\n)*\s*(CREATE|DROP|EXCHANGE|TRUNCATE)/.test(s));
    assert.ok(ddl.length > 20);
    for (const s of ddl) assert.match(s, /ON CLUSTER `main cluster`/, s.slice(0, 120));
    const created = all.filter((s) => /CREATE TABLE (IF NOT EXISTS )?`[^`]+`\.`[^`]+__local`/.test(s) && !/ AS `/.test(s.split('\n')[0]));
    for (const s of created) {
      const [, db, table] = /CREATE TABLE (?:IF NOT EXISTS )?`([^`]+)`\.`([^`]+)__local`/.exec(s) as RegExpExecArray;
      const twin = all.find((x) => x.includes(`\`${db}\`.\`${table}\` ON CLUSTER`) && x.includes(`ENGINE = Distributed(\`main cluster\`, \`${db}\`, \`${table}__local\``));
      assert.ok(twin, `Distributed twin of ${db}.${table}`);
    }
    assert.ok(created.length >= 8);
    // Inserts wait for the shards, so EXCHANGE after them sees every row.
    assert.ok(all.filter((s) => s.startsWith('INSERT') || /\nINSERT/.test(s)).every((s) => s.includes('distributed_foreground_insert = 1')));
    // Sharded by key, so ReplacingMergeTree de-duplication stays within a shard.
    assert.ok(all.some((s) => s.includes('ENGINE = Distributed(`main cluster`, `silver`, `orders__local`, cityHash64(`order_id`))')));
  });

  test('stale-load deletes: on the stored (local) rows, probed through the logical table, skipped by the runner at 0', () => {
    for (const [cluster, stored] of [[undefined, '`silver`.`orders`'], ['c1', '`silver`.`orders__local` ON CLUSTER `c1`']] as const) {
      const del = statements(gen(cluster).files).find((s) => /\nDELETE FROM `silver`\.`orders/.test(s));
      assert.ok(del, 'the incremental silver step deletes rows of loads bronze no longer holds');
      assert.ok(del.includes(`DELETE FROM ${stored} WHERE \`_kimball_load_id\` NOT IN (SELECT \`load_id\` FROM \`kimball\`.\`live__silver__orders\`)`), del);
      assert.equal(probeOf(del), 'SELECT count() AS n FROM `silver`.`orders` WHERE `_kimball_load_id` NOT IN (SELECT `load_id` FROM `kimball`.`live__silver__orders`)');
    }
    assert.equal(probeOf('INSERT INTO t SELECT 1'), undefined);
  });

  test('identifiers are quoted, never pasted: a name with a backtick stays one identifier', () => {
    const e = erd('odd', [entity('we`ird', 'src__we`ird', [col('id`x', 'Int64', false)], ['id`x'])], []);
    const p = generatePipeline({ name: 'odd', erd: e, star: star('odd', [], []), databases: DEFAULT_DATABASES, generatedAt: 'x' });
    const sql = p.files['sql/silver/we_ird.sql'];
    assert.ok(sql.includes('`silver`.`we\\`ird`'));
    assert.ok(sql.includes('toInt64OrNull(`id\\`x`)'));
    // Outside comments, every unescaped backtick opens or closes an identifier.
    for (const line of sql.split('\n').filter((l) => !l.startsWith('--'))) {
      assert.equal(line.replace(/\\./g, '').split('`').length % 2, 1, line);
    }
  });

  test('bad models fail with one line naming the object', () => {
    const bad = erd('bad', [entity('t', 'src__t', [{ name: 'a', type: 'Int64', nullable: true, source: { column: 'a', expression: 'toInt64OrNull(a)' } }], [])], []);
    assert.throws(() => generatePipeline({ name: 'bad', erd: bad, star: star('bad', [], []), databases: DEFAULT_DATABASES }), /Entity t, column a: the conversion expression has no \{col\} placeholder/);
    const inject = erd('bad', [entity('t', 'src__t', [{ name: 'a', type: 'Int64', nullable: true, source: { column: 'a', expression: 'toInt64OrNull({col}); DROP TABLE x' } }], [])], []);
    assert.throws(() => generatePipeline({ name: 'bad', erd: inject, star: star('bad', [], []), databases: DEFAULT_DATABASES }), /contains ";"/);
    const noEntity = star('bad', [], [dim('dim_x', 'missing', ['id'], [attr('name')])]);
    assert.throws(() => generatePipeline({ name: 'bad', erd: erd('bad', [], []), star: noEntity, databases: DEFAULT_DATABASES }), /Dimension dim_x: entity "missing" is not in the ERD/);
    const badType = erd('bad', [entity('t', 'src__t', [col('a', 'Int64); DROP TABLE x; --', true)], [])], []);
    assert.throws(() => generatePipeline({ name: 'bad', erd: badType, star: star('bad', [], []), databases: DEFAULT_DATABASES }), /Not a ClickHouse type/);
  });

  test('dependency order and cycles', () => {
    const order = topologicalOrder([
      { id: 'c', dependsOn: ['b'] },
      { id: 'b', dependsOn: ['a'] },
      { id: 'a', dependsOn: [] },
    ]).map((s) => s.id);
    assert.deepEqual(order, ['a', 'b', 'c']);
    assert.throws(() => topologicalOrder([{ id: 'a', dependsOn: ['b'] }, { id: 'b', dependsOn: ['a'] }]), /cycle: a -> b -> a/);
  });

  test('header/line fact: header columns read through the join; a bad join or header column names the fact and the cause', () => {
    const m = headerLineModels();
    const p = generatePipeline({ name: 'sales', ...m, databases: DEFAULT_DATABASES, generatedAt: '2026-01-01T00:00:00Z' });
    const sql = p.files['sql/gold/fact_sales_lines.sql'];
    assert.match(sql, /h0.`customer_id` AS `__h0__customer_id`/);
    assert.match(sql, /`order_number` Nullable\(String\)/, 'a line without its header has no header values');
    assert.match(sql, /processed__gold__fact_sales_lines__header__h0__orders/, 'header loads are tracked for re-processing');
    const check = p.files['sql/check/gold.fact_sales_lines.orphans.sql'];
    assert.match(check, /orders\.lines_without_header/);
    const badJoin = structuredClone(m);
    badJoin.star.facts[0].dimensions[1].via = { entity: 'orders', from: ['nope'], to: ['order_id'] };
    assert.throws(() => generatePipeline({ name: 'bad', ...badJoin, databases: DEFAULT_DATABASES }), /Fact fact_sales_lines join to header orders: column "nope" is not in entity order_lines/);
    const badCol = structuredClone(m);
    badCol.star.facts[0].dimensions[1].columns = ['missing'];
    assert.throws(() => generatePipeline({ name: 'bad', ...badCol, databases: DEFAULT_DATABASES }), /Fact fact_sales_lines reference dim_customer: column "missing" is not in entity orders/);
  });
});
