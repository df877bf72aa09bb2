/**
 * Missing values as text (no engine): token literals, the silver conversion and the conversion check built
 * from the catalog's tokens, the ERD's nullability, and the one-line finding of every check kind.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isMissing, normaliseTokens, sqlString, tokenMatch, withMissingTokens } from '../../../src/core/discover/missing';
import { generatePipeline } from '../../../src/core/build/generate';
import { splitStatements } from '../../../src/core/build/ddl';
import { proposeErd } from '../../../src/core/model/erd-proposal';
import { DEFAULT_DATABASES } from '../../../src/core/warehouse/warehouse';
import { retailModels } from '../../helpers/build-fixtures';
import { catalog, col, table } from '../model/builders';

describe('missing-value tokens in SQL', () => {
  test('a token becomes one escaped string literal, whatever it holds', () => {
    assert.equal(sqlString('NA'), "'NA'");
    assert.equal(sqlString("it's"), "'it\\'s'");
    assert.equal(sqlString('a\\b'), "'a\\\\b'");
    assert.equal(sqlString("x'); DROP TABLE silver.orders; --"), "'x\\'); DROP TABLE silver.orders; --'");
    // A newline or tab would end a line of the SQL file (and `;\n` a statement): escaped as \xHH.
    assert.equal(sqlString('a;\nb\tc\x7f'), "'a;\\x0ab\\x09c\\x7f'");
    assert.equal(sqlString('n/a ünïcode'), "'n/a ünïcode'");
  });

  test('tokens map to NULL before the conversion; without tokens the conversion is unchanged', () => {
    assert.equal(withMissingTokens('toInt32OrNull(`q`)', '`q`', ['NA', '#N/A']), "if(`q` IN ('NA', '#N/A'), NULL, toInt32OrNull(`q`))");
    assert.equal(withMissingTokens("nullIf(`c`, '')", '`c`', []), "nullIf(`c`, '')");
    assert.equal(isMissing('`q`', ['NA']), "(`q` = '' OR `q` IN ('NA'))");
    assert.equal(isMissing('`q`', []), "(`q` = '')");
    assert.equal(tokenMatch('`q`', []), '0');
  });

  test("a user's list keeps its order, drops duplicates and refuses an empty value", () => {
    assert.deepEqual(normaliseTokens(['NA', 'N/A', 'NA']), ['NA', 'N/A']);
    assert.deepEqual(normaliseTokens([]), []);
    assert.throws(() => normaliseTokens(['NA', '']), /An empty value is always missing/);
  });
});

describe('silver and checks from the catalog tokens', () => {
  const models = retailModels();
  const amount = models.catalog?.tables[0].columns.find((c) => c.name === 'amount');
  assert.ok(amount);
  amount.missingTokens = ['n/a', "it's"];
  const p = generatePipeline({ name: 'retail', ...models, databases: DEFAULT_DATABASES, generatedAt: '2026-01-01T00:00:00Z' });
  /** The check's SELECT, without the file's header comment. */
  const lastStatement = (file: string): string => (splitStatements(file).at(-1) ?? '').replace(/^--.*\n/gm, '');
  const checkSql = (id: string): string => lastStatement(p.files[`sql/check/${id}.sql`]);

  test('silver converts a token to NULL for the column that has it, and only there', () => {
    const silver = p.files['sql/silver/orders.sql'];
    assert.match(silver, /if\(`amount` IN \('n\/a', 'it\\'s'\), NULL, toDecimal64OrNull\(`amount`, 2\)\)/);
    assert.match(silver, /\n {2}toInt64OrNull\(`quantity`\),\n/);
    assert.ok(!/IN \('n\/a'/.test(p.files['sql/silver/customers.sql']));
  });

  test('the conversion check counts empty and token values as missing, not as failures', () => {
    const sql = checkSql('silver.orders.conversion');
    const missing = "(`amount` = '' OR `amount` IN ('n/a', 'it\\'s'))";
    assert.ok(sql.includes(`countIf(NOT ${missing} AND (if(\`amount\` IN ('n/a', 'it\\'s'), NULL, toDecimal64OrNull(\`amount\`, 2))) IS NULL) AS \`amount.failed\``));
    assert.ok(sql.includes(`countIf(NOT ${missing}) AS \`amount.present\``));
    assert.ok(sql.includes(`countIf(${missing}) AS \`amount.missing\``));
    assert.ok(sql.includes("countIf(NOT (`quantity` = '') AND (toInt64OrNull(`quantity`)) IS NULL) AS `quantity.failed`"));
    // The catalog saw 15% failures in amount: that share plus the margin is allowed.
    assert.ok(sql.includes('(tupleElement(t, 21) <= 0.16 * tupleElement(t, 22))'));
  });

  test('a column that is not Nullable (the key) allows no failure and no missing value: NULL would become 0', () => {
    const sql = checkSql('silver.orders.conversion');
    assert.ok(sql.includes('(tupleElement(t, 1) <= 0 * tupleElement(t, 2)) AND (tupleElement(t, 4) = 0)'));
    assert.ok(sql.includes("'silver orders.order_id: ', toString(tupleElement(t, 4)), ' values of bronze shop__orders.order_id are missing"));
    assert.ok(sql.includes('choose a key without missing values (kimball keys set shop__orders <columns>)'));
  });

  test('every check returns ok, the figures and a one-line message naming table, column, count and fix', () => {
    const checks = p.manifest.steps.filter((s) => s.layer === 'check');
    assert.ok(checks.length >= 8);
    for (const s of checks) {
      const sql = lastStatement(p.files[s.file]);
      assert.match(sql, /^SELECT toUInt8\(.*\) AS ok, toJSONString\(t\) AS detail,\n {2}arrayStringConcat\(arrayFilter\(x -> x != '', \[if\(/, s.id);
      assert.match(sql, /\) AS message\nFROM \(SELECT \(/, s.id);
      assert.match(sql, /fix: /, s.id);
    }
    assert.ok(checkSql('silver.orders.conversion').includes("' values of bronze shop__orders.amount do not convert to Decimal(18,2) (NULL in silver; '"));
    assert.ok(checkSql('silver.orders.conversion').includes("'), e.g. ', arrayStringConcat(arrayMap(x -> toJSONString(x), tupleElement(t, 23)), ', ')"));
    assert.ok(checkSql('silver.orders.reconcile').includes("concat('silver orders: ', toString(tupleElement(t, 2)), ' rows, but bronze shop__orders has ', toString(tupleElement(t, 1)), ' distinct keys (order_id); fix: rebuild it with kimball run --full')"));
    assert.ok(checkSql('gold.dim_customer.keys').includes("' distinct natural keys (customer_id); fix: rebuild it with kimball run --full'"));
    const orphans = checkSql('gold.fact_sales.orphans');
    assert.ok(orphans.includes("concat('gold fact_sales.customer_key: ', toString(tupleElement(t, 1)), ' customer_id value(s) of silver orders have no member in dim_customer '"));
    assert.ok(orphans.includes('groupUniqArrayIf(5)(substring(concatWithSeparator'));
    assert.ok(checkSql('gold.fact_sales.reconcile').includes("concat('gold fact_sales.amount sums to ', toString(tupleElement(t, 7))"));
  });

  test('names reach a message only as escaped literals', () => {
    const odd = retailModels();
    const name = "note'); DROP TABLE x; --";
    odd.erd.entities.find((e) => e.name === 'orders')?.columns.push({ name, type: 'String', nullable: true, source: { column: name, expression: "nullIf({col}, '')" } });
    const q = generatePipeline({ name: 'retail', ...odd, databases: DEFAULT_DATABASES, generatedAt: '2026-01-01T00:00:00Z' });
    const sql = lastStatement(q.files['sql/check/silver.orders.conversion.sql']);
    assert.ok(sql.includes("'silver orders.note\\'); DROP TABLE x; --: '"));
    assert.ok(sql.includes("countIf(NOT (`note'); DROP TABLE x; --` = '')"), 'as an identifier in the figures');
    const count = (needle: string) => sql.split(needle).length - 1;
    assert.equal(count("'); DROP"), count("\\'); DROP") + count("`note'); DROP"), 'never as SQL text');
  });
});

describe('ERD nullability from the catalog', () => {
  test('a column with missing tokens, empties or failures is Nullable, even when the catalog says it is not; a key never is', () => {
    const cat = catalog(
      [
        table(
          'shop__orders',
          100,
          [col('id', 'Int64'), col('qty', 'Int32', { nullable: false }), col('day', 'Date', { nullable: false }), col('note', 'String', { nullable: false }), col('code', 'String', { nullable: false })],
          { pk: ['id'] },
        ),
      ],
      [],
    );
    const cols = cat.tables[0].columns;
    cols[1].missingTokens = ['NA'];
    cols[2].inferred.convertRate = 0.99;
    cols[3].profile.empty = 2;
    cols[0].missingTokens = ['NA'];
    const e = proposeErd(cat, { name: 'm' }).entities[0];
    assert.deepEqual(
      e.columns.map((c) => [c.name, c.nullable]),
      [
        ['id', false],
        ['qty', true],
        ['day', true],
        ['note', true],
        ['code', false],
      ],
    );
  });
});
