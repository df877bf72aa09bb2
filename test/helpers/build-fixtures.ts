/**
 * Hand-built models for the build tests: small builders for ERD entities,
 * star dimensions and facts, bronze tables created with SQL (all String plus
 * lineage), and two datasets (retail-shaped and TPC-H-shaped).
 */
import { Readable } from 'node:stream';
import type { Catalog, CatalogColumn, Relationship } from '../../src/core/discover/catalog-types';
import type { Dimension, Entity, EntityColumn, ErdModel, ErdRelationship, Fact, StarModel } from '../../src/core/model/model-types';
import { qualified, quoteIdent } from '../../src/core/warehouse/sql';
import type { Warehouse } from '../../src/core/warehouse/warehouse';

export const EXPR: Record<string, string> = {
  String: "nullIf({col}, '')",
  Int64: 'toInt64OrNull({col})',
  'Decimal(18,2)': 'toDecimal64OrNull({col}, 2)',
  Date32: 'toDate32OrNull({col})',
  Float64: 'toFloat64OrNull({col})',
};

/** A column converted from the bronze column of the same name. */
export function col(name: string, type: string, nullable = true, source = name): EntityColumn {
  return { name, type, nullable, source: { column: source, expression: EXPR[type] ?? `accurateCastOrNull({col}, '${type}')` } };
}

export function entity(name: string, sourceTable: string | undefined, columns: EntityColumn[], primaryKey: string[], derivedFrom?: string): Entity {
  return { name, ...(sourceTable ? { sourceTable } : {}), ...(derivedFrom ? { derivedFrom } : {}), columns, primaryKey };
}

export function rel(from: string, fromCols: string[], to: string, toCols: string[], catalogId?: string): ErdRelationship {
  return { name: `${from}_${to}`, from: { entity: from, columns: fromCols }, to: { entity: to, columns: toCols }, cardinality: 'many-to-one', optional: true, ...(catalogId ? { catalogId } : {}) };
}

export function erd(name: string, entities: Entity[], relationships: ErdRelationship[]): ErdModel {
  return { version: 1, kind: 'erd', name, entities, relationships, groups: [], decompositions: [], layout: { positions: {} } };
}

export function dim(name: string, entityName: string | undefined, naturalKey: string[], attributes: Dimension['attributes'], scdType: 1 | 2 = 1, extra: Partial<Dimension> = {}): Dimension {
  return {
    name,
    ...(entityName ? { entity: entityName } : {}),
    naturalKey,
    surrogateKey: `${name.replace(/^dim_/, '')}_key`,
    attributes,
    scdType,
    collapsed: [],
    hierarchies: [],
    reason: 'test',
    ...extra,
  };
}

export function dateDim(name = 'dim_date'): Dimension {
  return { name, generated: 'date', naturalKey: ['date'], surrogateKey: 'date_key', attributes: [], scdType: 1, collapsed: [], hierarchies: [], reason: 'test' };
}

export function star(name: string, facts: Fact[], dimensions: Dimension[]): StarModel {
  return { version: 1, kind: 'star', name, facts, dimensions, layout: { positions: {} } };
}

export const attr = (name: string, type = 'String', column = name, entityName?: string): Dimension['attributes'][number] => ({
  name,
  column,
  type,
  ...(entityName ? { entity: entityName } : {}),
});

/** A minimal catalog: conversion rates per column and relationship evidence (orphans). */
export function catalog(tables: { name: string; columns: { name: string; convertRate: number; type: string }[] }[], relationships: Relationship[] = []): Catalog {
  return {
    version: 1,
    database: 'bronze',
    generatedAt: '2026-01-01T00:00:00Z',
    tables: tables.map((t) => ({
      name: t.name,
      rowCount: 0,
      sampled: false,
      columns: t.columns.map(
        (c, i): CatalogColumn => ({
          name: c.name,
          position: i + 1,
          profile: { rows: 0, empty: 0, distinct: 0, distinctExact: true, minLength: 0, maxLength: 0, parseRates: {}, patterns: {}, topValues: [] },
          inferred: { type: c.type, nullable: true, expression: EXPR[c.type] ?? '{col}', convertRate: c.convertRate, confidence: 1, notes: [] },
          quality: null,
        }),
      ),
      keys: [],
      dependencies: [],
      quality: null,
    })),
    relationships,
    decisions: { relationships: {}, primaryKeys: {}, typeOverrides: {}, renames: {} },
  };
}

export function catalogRel(id: string, fromTable: string, fromColumns: string[], toTable: string, toColumns: string[], orphans: number): Relationship {
  return {
    id,
    fromTable,
    fromColumns,
    toTable,
    toColumns,
    confidence: 1,
    status: 'accepted',
    cardinality: 'many-to-one',
    nullRate: 0,
    evidence: { containment: 1, orphans, nameSimilarity: 1, targetIsKey: true, fromDistinct: 0, toDistinct: 0, notes: [] },
  };
}

// ---------------------------------------------------------------- bronze

const LINEAGE = '`_kimball_source` String, `_kimball_object` String, `_kimball_load_id` String, `_kimball_row` UInt64, `_kimball_loaded_at` DateTime64(3)';

export async function createBronze(wh: Warehouse, table: string, columns: string[]): Promise<void> {
  await wh.command(
    `CREATE TABLE IF NOT EXISTS ${qualified(wh.databases.bronze, table)} (${columns.map((c) => `${quoteIdent(c)} String`).join(', ')}, ${LINEAGE}) ENGINE = MergeTree ORDER BY tuple()`,
  );
}

/** Append one load of string rows to a bronze table (as acquire would). */
export async function loadBronze(wh: Warehouse, table: string, columns: string[], rows: string[][], loadId: string, loadedAt: string): Promise<void> {
  const [source, object] = table.split('__');
  const lines = rows.map(
    (r, i) =>
      JSON.stringify({
        ...Object.fromEntries(columns.map((c, j) => [c, r[j] ?? ''])),
        _kimball_source: source,
        _kimball_object: object,
        _kimball_load_id: loadId,
        _kimball_row: i + 1,
        _kimball_loaded_at: loadedAt,
      }) + '\n',
  );
  await wh.insert({
    database: wh.databases.bronze,
    table,
    columns: [...columns, '_kimball_source', '_kimball_object', '_kimball_load_id', '_kimball_row', '_kimball_loaded_at'],
    format: 'JSONEachRow',
    body: Readable.from(lines),
  });
}

// ---------------------------------------------------------------- retail

export const RETAIL = {
  customers: ['customer_id', 'name', 'city', 'country', 'segment'],
  products: ['product_id', 'name', 'category', 'price'],
  orders: ['order_id', 'customer_id', 'product_id', 'order_date', 'quantity', 'amount'],
};

export function retailModels(withCatalog = true): { erd: ErdModel; star: StarModel; catalog?: Catalog } {
  const e = erd(
    'retail',
    [
      entity(
        'customers',
        'shop__customers',
        [col('customer_id', 'String', false), col('name', 'String'), col('city', 'String'), col('country', 'String'), col('segment', 'String')],
        ['customer_id'],
      ),
      entity('cities', undefined, [{ name: 'city', type: 'String', nullable: false }, { name: 'country', type: 'String', nullable: true }], ['city'], 'customers'),
      entity('products', 'shop__products', [col('product_id', 'String', false), col('name', 'String'), col('category', 'String'), col('price', 'Decimal(18,2)')], ['product_id']),
      entity(
        'orders',
        'shop__orders',
        [col('order_id', 'Int64', false), col('customer_id', 'String'), col('product_id', 'String'), col('order_date', 'Date32'), col('quantity', 'Int64'), col('amount', 'Decimal(18,2)')],
        ['order_id'],
      ),
    ],
    [
      rel('orders', ['customer_id'], 'customers', ['customer_id'], 'shop__orders.customer_id->shop__customers.customer_id'),
      rel('orders', ['product_id'], 'products', ['product_id'], 'shop__orders.product_id->shop__products.product_id'),
      rel('customers', ['city'], 'cities', ['city']),
    ],
  );
  const s = star(
    'retail',
    [
      {
        name: 'fact_sales',
        entity: 'orders',
        grain: ['order_id'],
        grainDescription: 'one row per order',
        measures: [
          { name: 'quantity', column: 'quantity', aggregation: 'sum', additivity: 'additive' },
          { name: 'amount', column: 'amount', aggregation: 'sum', additivity: 'additive' },
        ],
        dimensions: [
          { dimension: 'dim_customer', role: 'dim_customer', columns: ['customer_id'] },
          { dimension: 'dim_product', role: 'dim_product', columns: ['product_id'] },
          { dimension: 'dim_date', role: 'order_date', columns: ['order_date'] },
        ],
        degenerate: ['order_id'],
        reason: 'test',
      },
    ],
    [
      dim('dim_customer', 'customers', ['customer_id'], [attr('name'), attr('city'), attr('segment'), attr('country', 'String', 'country', 'cities')], 2, { tracked: ['city', 'segment', 'country'] }),
      dim('dim_product', 'products', ['product_id'], [attr('name'), attr('category'), attr('price', 'Decimal(18,2)')], 1),
      dateDim(),
    ],
  );
  const cat = catalog(
    [
      { name: 'shop__orders', columns: [{ name: 'amount', convertRate: 0.85, type: 'Decimal(18,2)' }, { name: 'order_id', convertRate: 1, type: 'Int64' }] },
    ],
    [
      catalogRel('shop__orders.customer_id->shop__customers.customer_id', 'shop__orders', ['customer_id'], 'shop__customers', ['customer_id'], 1),
      catalogRel('shop__orders.product_id->shop__products.product_id', 'shop__orders', ['product_id'], 'shop__products', ['product_id'], 1),
    ],
  );
  return { erd: e, star: s, ...(withCatalog ? { catalog: cat } : {}) };
}

export const RETAIL_LOAD1 = {
  customers: [
    ['C1', 'Ann', 'Paris', 'France', 'retail'],
    ['C2', 'Bob', 'Lyon', 'France', 'retail'],
    ['C3', 'Cid', 'Berlin', 'Germany', 'business'],
    ['C4', 'Dee', 'Munich', 'Germany', 'retail'],
  ],
  products: [
    ['P1', 'Pen', 'office', '1.50'],
    ['P2', 'Desk', 'furniture', '120.00'],
    ['P3', 'Lamp', 'furniture', '35.25'],
  ],
  orders: [
    ['1', 'C1', 'P1', '2024-01-05', '10', '15.00'],
    ['2', 'C2', 'P2', '2024-01-07', '1', '120.00'],
    ['3', 'C3', 'P3', '2024-02-01', '2', '70.50'],
    ['4', 'C1', 'P2', '2024-02-03', '1', '118.00'],
    ['5', 'C999', 'P1', '2024-02-10', '3', '4.50'],
    ['6', 'C4', 'P9', '2024-03-01', '1', 'n/a'],
    ['7', 'C2', 'P3', '', '1', '35.25'],
  ],
};

export const RETAIL_LOAD2 = {
  // C1 moves (tracked attribute), C2 renamed (tracked? no: name is not tracked), C5 is new.
  customers: [
    ['C1', 'Ann', 'Berlin', 'Germany', 'retail'],
    ['C2', 'Bobby', 'Lyon', 'France', 'retail'],
    ['C5', 'Eve', 'Paris', 'France', 'business'],
    // A member that arrives after the order referencing it (order 5): its fact row is looked up again.
    ['C999', 'Zed', 'Lyon', 'France', 'retail'],
  ],
  products: [['P1', 'Pen', 'stationery', '1.60']],
  orders: [
    ['8', 'C5', 'P1', '2024-03-05', '4', '6.40'],
    ['9', 'C1', 'P3', '2024-03-06', '1', '35.25'],
    ['2', 'C2', 'P2', '2024-01-07', '2', '240.00'],
  ],
};

export async function loadRetail(wh: Warehouse, data: typeof RETAIL_LOAD1, loadId: string, loadedAt: string): Promise<void> {
  for (const [object, rows] of Object.entries(data) as [keyof typeof RETAIL, string[][]][]) {
    await createBronze(wh, `shop__${object}`, RETAIL[object]);
    await loadBronze(wh, `shop__${object}`, RETAIL[object], rows, loadId, loadedAt);
  }
}

// ---------------------------------------------------------------- TPC-H shaped

/** Bronze tables shaped like TPC-H, generated with SQL from numbers() (deterministic). */
export async function loadTpch(wh: Warehouse, scale: { customers: number; orders: number; parts: number; suppliers: number }): Promise<void> {
  const b = (t: string) => qualified(wh.databases.bronze, t);
  const lineage = (t: string) => `'tpch', '${t}', 'tpch-load-1', number + 1, toDateTime64('2026-01-01 00:00:00', 3)`;
  const tables: [string, string[], string][] = [
    ['region', ['r_regionkey', 'r_name'], `SELECT toString(number), ['AFRICA','AMERICA','ASIA','EUROPE','MIDDLE EAST'][number + 1], ${lineage('region')} FROM numbers(5)`],
    ['nation', ['n_nationkey', 'n_name', 'n_regionkey'], `SELECT toString(number), concat('NATION', toString(number)), toString(number % 5), ${lineage('nation')} FROM numbers(25)`],
    [
      'customer',
      ['c_custkey', 'c_name', 'c_nationkey', 'c_mktsegment', 'c_acctbal'],
      `SELECT toString(number + 1), concat('Customer#', toString(number + 1)), toString(number % 25), ['BUILDING','AUTOMOBILE','MACHINERY','HOUSEHOLD','FURNITURE'][number % 5 + 1], toString(round((number * 7919) % 10000 / 3.0, 2)), ${lineage('customer')} FROM numbers(${scale.customers})`,
    ],
    [
      'part',
      ['p_partkey', 'p_name', 'p_brand', 'p_type'],
      `SELECT toString(number + 1), concat('part ', toString(number + 1)), concat('Brand#', toString(number % 5 + 1), toString(number % 3 + 1)), ['STANDARD','SMALL','MEDIUM','LARGE'][number % 4 + 1], ${lineage('part')} FROM numbers(${scale.parts})`,
    ],
    [
      'supplier',
      ['s_suppkey', 's_name', 's_nationkey'],
      `SELECT toString(number + 1), concat('Supplier#', toString(number + 1)), toString((number * 3) % 25), ${lineage('supplier')} FROM numbers(${scale.suppliers})`,
    ],
    [
      'orders',
      ['o_orderkey', 'o_custkey', 'o_orderdate', 'o_orderstatus'],
      `SELECT toString(number + 1), toString(number * 13 % ${scale.customers} + 1), toString(toDate('1995-01-01') + number % 1500), ['F','O','P'][number % 3 + 1], ${lineage('orders')} FROM numbers(${scale.orders})`,
    ],
    [
      'lineitem',
      ['l_orderkey', 'l_linenumber', 'l_partkey', 'l_suppkey', 'l_quantity', 'l_extendedprice', 'l_discount', 'l_shipdate'],
      `SELECT toString(o + 1), toString(l + 1), toString((o * 7 + l * 11) % ${scale.parts} + 1), toString((o + l * 5) % ${scale.suppliers} + 1), toString((o + l) % 50 + 1), toString(round(((o * 31 + l * 17) % 100000) / 100.0 + 900, 2)), toString(((o + l) % 11) / 100), toString(toDate('1995-01-01') + o % 1500 + l * 3), 'tpch', 'lineitem', 'tpch-load-1', o * 10 + l + 1, toDateTime64('2026-01-01 00:00:00', 3) FROM (SELECT number AS o, arrayJoin(range(o % 7 + 1)) AS l FROM numbers(${scale.orders}))`,
    ],
  ];
  for (const [t, cols, select] of tables) {
    await createBronze(wh, `tpch__${t}`, cols);
    await wh.command(`INSERT INTO ${b(`tpch__${t}`)} ${select}`);
  }
}

export function tpchModels(): { erd: ErdModel; star: StarModel } {
  const e = erd(
    'tpch',
    [
      entity('region', 'tpch__region', [col('r_regionkey', 'Int64', false), col('r_name', 'String')], ['r_regionkey']),
      entity('nation', 'tpch__nation', [col('n_nationkey', 'Int64', false), col('n_name', 'String'), col('n_regionkey', 'Int64')], ['n_nationkey']),
      entity('customer', 'tpch__customer', [col('c_custkey', 'Int64', false), col('c_name', 'String'), col('c_nationkey', 'Int64'), col('c_mktsegment', 'String'), col('c_acctbal', 'Decimal(18,2)')], ['c_custkey']),
      entity('part', 'tpch__part', [col('p_partkey', 'Int64', false), col('p_name', 'String'), col('p_brand', 'String'), col('p_type', 'String')], ['p_partkey']),
      entity('supplier', 'tpch__supplier', [col('s_suppkey', 'Int64', false), col('s_name', 'String'), col('s_nationkey', 'Int64')], ['s_suppkey']),
      entity('orders', 'tpch__orders', [col('o_orderkey', 'Int64', false), col('o_custkey', 'Int64'), col('o_orderdate', 'Date32'), col('o_orderstatus', 'String')], ['o_orderkey']),
      entity(
        'lineitem',
        'tpch__lineitem',
        [
          col('l_orderkey', 'Int64', false),
          col('l_linenumber', 'Int64', false),
          col('l_partkey', 'Int64'),
          col('l_suppkey', 'Int64'),
          col('l_quantity', 'Int64'),
          col('l_extendedprice', 'Decimal(18,2)'),
          col('l_discount', 'Decimal(18,2)'),
          col('l_shipdate', 'Date32'),
        ],
        ['l_orderkey', 'l_linenumber'],
      ),
    ],
    [
      rel('nation', ['n_regionkey'], 'region', ['r_regionkey']),
      rel('customer', ['c_nationkey'], 'nation', ['n_nationkey']),
      rel('supplier', ['s_nationkey'], 'nation', ['n_nationkey']),
      rel('orders', ['o_custkey'], 'customer', ['c_custkey']),
      rel('lineitem', ['l_orderkey'], 'orders', ['o_orderkey']),
      rel('lineitem', ['l_partkey'], 'part', ['p_partkey']),
      rel('lineitem', ['l_suppkey'], 'supplier', ['s_suppkey']),
    ],
  );
  const s = star(
    'tpch',
    [
      {
        name: 'fact_lineitem',
        entity: 'lineitem',
        grain: ['l_orderkey', 'l_linenumber'],
        grainDescription: 'one row per order line',
        measures: [
          { name: 'quantity', column: 'l_quantity', aggregation: 'sum', additivity: 'additive' },
          { name: 'extended_price', column: 'l_extendedprice', aggregation: 'sum', additivity: 'additive' },
          { name: 'discount', column: 'l_discount', aggregation: 'avg', additivity: 'non-additive' },
        ],
        dimensions: [
          { dimension: 'dim_part', role: 'dim_part', columns: ['l_partkey'] },
          { dimension: 'dim_supplier', role: 'dim_supplier', columns: ['l_suppkey'] },
          { dimension: 'dim_date', role: 'ship_date', columns: ['l_shipdate'] },
        ],
        degenerate: ['l_orderkey'],
        reason: 'test',
      },
      {
        name: 'fact_orders',
        entity: 'orders',
        grain: ['o_orderkey'],
        grainDescription: 'one row per order',
        measures: [{ name: 'orders', column: '', aggregation: 'count', additivity: 'additive' }],
        dimensions: [
          { dimension: 'dim_customer', role: 'dim_customer', columns: ['o_custkey'] },
          { dimension: 'dim_date', role: 'order_date', columns: ['o_orderdate'] },
        ],
        degenerate: ['o_orderkey', 'o_orderstatus'],
        reason: 'test',
      },
    ],
    [
      dim('dim_part', 'part', ['p_partkey'], [attr('p_name'), attr('p_brand'), attr('p_type')]),
      dim('dim_supplier', 'supplier', ['s_suppkey'], [attr('s_name'), attr('nation', 'String', 'n_name', 'nation'), attr('region', 'String', 'r_name', 'region')]),
      dim('dim_customer', 'customer', ['c_custkey'], [attr('c_name'), attr('c_mktsegment'), attr('nation', 'String', 'n_name', 'nation'), attr('region', 'String', 'r_name', 'region')], 2),
      dateDim(),
    ],
  );
  return { erd: e, star: s };
}

// ---------------------------------------------------------------- retail header/line

/** Bronze columns of the header/line dataset (order header + order lines, as the demo's retail data). */
export const SALES = {
  customers: ['customer_id', 'name', 'city'],
  products: ['product_id', 'name', 'category'],
  stores: ['store_id', 'name'],
  orders: ['order_id', 'order_number', 'customer_id', 'store_id', 'order_date', 'ship_date', 'status'],
  order_lines: ['order_id', 'line_number', 'product_id', 'quantity', 'line_total'],
};

/**
 * One fact at the line grain (order_lines) that inherits its header's (orders) customer, store and
 * dates via the join order_lines.order_id -> orders.order_id, with order_number and status copied on.
 * The catalog accepted one line without a header (`orphans`) for the late-header scenario.
 */
export function headerLineModels(orphanLines = 1): { erd: ErdModel; star: StarModel; catalog: Catalog } {
  const e = erd(
    'sales',
    [
      entity('customers', 'shop__customers', [col('customer_id', 'String', false), col('name', 'String'), col('city', 'String')], ['customer_id']),
      entity('products', 'shop__products', [col('product_id', 'String', false), col('name', 'String'), col('category', 'String')], ['product_id']),
      entity('stores', 'shop__stores', [col('store_id', 'String', false), col('name', 'String')], ['store_id']),
      entity(
        'orders',
        'shop__orders',
        [
          col('order_id', 'Int64', false),
          col('order_number', 'String'),
          col('customer_id', 'String'),
          col('store_id', 'String'),
          col('order_date', 'Date32'),
          col('ship_date', 'Date32'),
          col('status', 'String'),
        ],
        ['order_id'],
      ),
      entity(
        'order_lines',
        'shop__order_lines',
        [col('order_id', 'Int64', false), col('line_number', 'Int64', false), col('product_id', 'String'), col('quantity', 'Int64'), col('line_total', 'Decimal(18,2)')],
        ['order_id', 'line_number'],
      ),
    ],
    [
      rel('order_lines', ['order_id'], 'orders', ['order_id'], 'lines->orders'),
      rel('order_lines', ['product_id'], 'products', ['product_id']),
      rel('orders', ['customer_id'], 'customers', ['customer_id']),
      rel('orders', ['store_id'], 'stores', ['store_id']),
    ],
  );
  const via = { entity: 'orders', from: ['order_id'], to: ['order_id'] };
  const s = star(
    'sales',
    [
      {
        name: 'fact_sales_lines',
        entity: 'order_lines',
        grain: ['order_id', 'line_number'],
        grainDescription: 'one row per order line',
        measures: [
          { name: 'quantity', column: 'quantity', aggregation: 'sum', additivity: 'additive' },
          { name: 'line_total', column: 'line_total', aggregation: 'sum', additivity: 'additive' },
        ],
        dimensions: [
          { dimension: 'dim_product', role: 'dim_product', columns: ['product_id'] },
          { dimension: 'dim_customer', role: 'dim_customer', columns: ['customer_id'], via },
          { dimension: 'dim_store', role: 'dim_store', columns: ['store_id'], via },
          { dimension: 'dim_date', role: 'order_date', columns: ['order_date'], via },
          { dimension: 'dim_date', role: 'ship_date', columns: ['ship_date'], via },
        ],
        degenerate: ['order_id', 'line_number'],
        headerDegenerate: [{ via, columns: ['order_number', 'status'] }],
        reason: 'test',
      },
    ],
    [
      dim('dim_customer', 'customers', ['customer_id'], [attr('name'), attr('city')], 2, { tracked: ['city'] }),
      dim('dim_product', 'products', ['product_id'], [attr('name'), attr('category')], 1),
      dim('dim_store', 'stores', ['store_id'], [attr('name')], 1),
      dateDim(),
    ],
  );
  const cat = catalog([], [catalogRel('lines->orders', 'shop__order_lines', ['order_id'], 'shop__orders', ['order_id'], orphanLines)]);
  return { erd: e, star: s, catalog: cat };
}

type SalesData = Partial<Record<keyof typeof SALES, string[][]>>;

export const SALES_LOAD1: SalesData = {
  customers: [
    ['C1', 'Ann', 'Paris'],
    ['C2', 'Bob', 'Lyon'],
  ],
  products: [
    ['P1', 'Pen', 'office'],
    ['P2', 'Desk', 'furniture'],
  ],
  stores: [
    ['S1', 'Downtown'],
    ['S2', 'Airport'],
  ],
  orders: [
    ['1', 'SO-1', 'C1', 'S1', '2024-01-05', '2024-01-08', 'shipped'],
    ['2', 'SO-2', 'C2', 'S2', '2024-01-07', '', 'open'],
  ],
  order_lines: [
    ['1', '1', 'P1', '10', '15.00'],
    ['1', '2', 'P2', '1', '120.00'],
    ['2', '1', 'P1', '3', '4.50'],
  ],
};

/** Header 1 changes (store, status) with no new line; order 3 comes complete; order 4's lines arrive before their header. */
export const SALES_LOAD2: SalesData = {
  customers: [['C1', 'Ann', 'Berlin']],
  orders: [
    ['1', 'SO-1', 'C1', 'S2', '2024-01-05', '2024-01-08', 'returned'],
    ['3', 'SO-3', 'C1', 'S1', '2024-02-01', '2024-02-03', 'shipped'],
  ],
  order_lines: [
    ['3', '1', 'P2', '2', '240.00'],
    ['4', '1', 'P1', '5', '7.50'],
  ],
};

/** The late header of order 4. */
export const SALES_LOAD3: SalesData = {
  orders: [['4', 'SO-4', 'C2', 'S1', '2024-02-10', '', 'open']],
};

export async function loadSales(wh: Warehouse, data: SalesData, loadId: string, loadedAt: string): Promise<void> {
  for (const object of Object.keys(SALES) as (keyof typeof SALES)[]) {
    await createBronze(wh, `shop__${object}`, SALES[object]);
    const rows = data[object];
    if (rows) await loadBronze(wh, `shop__${object}`, SALES[object], rows, loadId, loadedAt);
  }
}
