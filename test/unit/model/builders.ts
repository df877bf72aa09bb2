/** Small builders for hand-made catalogs, and the labelled schemas the model tests measure accuracy on. */
import type {
  Catalog,
  CatalogColumn,
  CatalogTable,
  ColumnRole,
  Decisions,
  FunctionalDependency,
  KeyCandidate,
  PatternKind,
  Relationship,
} from '../../../src/core/discover/catalog-types';

export interface ColOpts {
  distinct?: number;
  empty?: number;
  nullable?: boolean;
  patterns?: Partial<Record<PatternKind, number>>;
  min?: number;
  max?: number;
  maxLength?: number;
}

export interface ColSpec {
  name: string;
  type: string;
  opts: ColOpts;
}

export const col = (name: string, type: string, opts: ColOpts = {}): ColSpec => ({ name, type, opts });

function expressionFor(type: string): string {
  if (/^U?Int/.test(type)) return `to${type}OrNull({col})`;
  if (type.startsWith('Decimal')) return `toDecimal64OrNull({col}, 2)`;
  if (type.startsWith('Float')) return 'toFloat64OrNull({col})';
  if (type.startsWith('Date32') || type === 'Date') return 'toDate32OrNull({col})';
  if (type.startsWith('DateTime')) return 'parseDateTime64BestEffortOrNull({col}, 3)';
  return '{col}';
}

function column(spec: ColSpec, position: number, rows: number): CatalogColumn {
  const o = spec.opts;
  const numeric = o.min !== undefined && o.max !== undefined ? { min: o.min, max: o.max, mean: (o.min + o.max) / 2, stddev: 1, quantiles: {} } : undefined;
  return {
    name: spec.name,
    position,
    profile: {
      rows,
      empty: o.empty ?? 0,
      distinct: o.distinct ?? rows,
      distinctExact: true,
      minLength: 1,
      maxLength: o.maxLength ?? 20,
      parseRates: {},
      patterns: o.patterns ?? {},
      topValues: [],
      ...(numeric ? { numeric } : {}),
    },
    inferred: { type: spec.type, nullable: o.nullable ?? (o.empty ?? 0) > 0, expression: expressionFor(spec.type), convertRate: 1, confidence: 0.99, notes: [] },
    quality: null,
  };
}

export interface TableOpts {
  pk?: string[];
  /** Other verified unique keys. */
  unique?: string[][];
  deps?: FunctionalDependency[];
}

export function table(name: string, rowCount: number, cols: ColSpec[], opts: TableOpts = {}): CatalogTable {
  const keys: KeyCandidate[] = [];
  if (opts.pk) keys.push({ columns: opts.pk, kind: 'primary', confidence: 0.99, evidence: ['unique, never empty'] });
  for (const u of opts.unique ?? []) keys.push({ columns: u, kind: 'candidate', confidence: 0.8, evidence: ['unique, never empty'] });
  const [source, object] = name.includes('__') ? name.split('__') : [undefined, name];
  return {
    name,
    ...(source ? { source, object } : {}),
    rowCount,
    sampled: false,
    columns: cols.map((c, i) => column(c, i + 1, rowCount)),
    keys,
    dependencies: opts.deps ?? [],
    quality: null,
  };
}

/** Gives the table's columns the semantic roles discovery would (columns not named keep none). */
export function withRoles(t: CatalogTable, kinds: Record<string, ColumnRole['kind']>): CatalogTable {
  for (const c of t.columns) {
    const kind = kinds[c.name];
    if (kind) c.role = { kind, evidence: ['test'] };
  }
  return t;
}

export const fd = (from: string[], to: string[], fromDistinct: number): FunctionalDependency => ({ from, to, fromDistinct });

export interface RelOpts {
  confidence?: number;
  status?: Relationship['status'];
  nullRate?: number;
  orphans?: number;
  cardinality?: Relationship['cardinality'];
}

export function rel(fromTable: string, fromColumns: string[], toTable: string, toColumns: string[], o: RelOpts = {}): Relationship {
  return {
    id: `${fromTable}.${fromColumns.join(',')}->${toTable}.${toColumns.join(',')}`,
    fromTable,
    fromColumns,
    toTable,
    toColumns,
    confidence: o.confidence ?? 0.95,
    status: o.status ?? 'proposed',
    cardinality: o.cardinality ?? 'many-to-one',
    nullRate: o.nullRate ?? 0,
    evidence: { containment: o.orphans ? 0.99 : 1, orphans: o.orphans ?? 0, nameSimilarity: 0.5, targetIsKey: true, fromDistinct: 1, toDistinct: 1, notes: [] },
  };
}

export function catalog(tables: CatalogTable[], relationships: Relationship[], decisions: Partial<Decisions> = {}): Catalog {
  return {
    version: 1,
    database: 'bronze',
    generatedAt: '2026-01-01T00:00:00Z',
    tables,
    relationships,
    decisions: { relationships: {}, primaryKeys: {}, typeOverrides: {}, renames: {}, ...decisions },
  };
}

// ---------------------------------------------------------------------------------------------
// Labelled schemas. Truth: role per entity ('fact' | 'dimension' | 'collapsed:<into>'); hierarchies per
// dimension as the attributes of their levels, root -> leaf.

export interface Labelled {
  catalog: Catalog;
  roles: Record<string, string>;
  hierarchies: Record<string, string[][]>;
}

/** Retail: sales lines with customers, products (-> categories), stores. */
export function retail(): Labelled {
  const sales = table(
    'shop__sales_lines',
    200_000,
    [
      col('order_number', 'String', { distinct: 60_000 }),
      col('line_number', 'Int32', { distinct: 8 }),
      col('product_id', 'Int64', { distinct: 1000 }),
      col('store_id', 'Int64', { distinct: 40 }),
      col('customer_id', 'Int64', { distinct: 4800, empty: 10_000 }),
      col('sale_date', 'Date32', { distinct: 730 }),
      col('quantity', 'Int32', { distinct: 20, min: 1, max: 20 }),
      col('unit_price', 'Decimal(18,2)', { distinct: 900, min: 0.5, max: 900 }),
      col('discount_pct', 'Decimal(5,4)', { distinct: 7, min: 0, max: 0.3 }),
      col('amount', 'Decimal(18,2)', { distinct: 50_000, min: 0.5, max: 18_000 }),
      col('product_name', 'String', { distinct: 1000 }),
      col('payment_type', 'LowCardinality(String)', { distinct: 4 }),
    ],
    { pk: ['order_number', 'line_number'], deps: [fd(['product_id'], ['product_name'], 1000)] },
  );
  const customers = table(
    'shop__customers',
    5000,
    [
      col('customer_id', 'Int64'),
      col('first_name', 'String', { distinct: 900 }),
      col('last_name', 'String', { distinct: 1500 }),
      col('email', 'String', { patterns: { email: 1 } }),
      col('phone', 'String', { patterns: { phone: 0.98 } }),
      col('city', 'LowCardinality(String)', { distinct: 300 }),
      col('state', 'LowCardinality(String)', { distinct: 50 }),
      col('country', 'LowCardinality(String)', { distinct: 3 }),
      col('signup_date', 'Date32', { distinct: 1200 }),
      col('segment', 'LowCardinality(String)', { distinct: 4 }),
    ],
    { pk: ['customer_id'], unique: [['email']], deps: [fd(['city'], ['state', 'country'], 300), fd(['state'], ['country'], 50)] },
  );
  const products = table(
    'shop__products',
    1000,
    [
      col('product_id', 'Int64'),
      col('product_name', 'String'),
      col('category_id', 'Int32', { distinct: 12 }),
      col('list_price', 'Decimal(18,2)', { distinct: 800, min: 1, max: 999 }),
      col('brand', 'LowCardinality(String)', { distinct: 80 }),
    ],
    { pk: ['product_id'], unique: [['product_name']] },
  );
  const categories = table(
    'shop__categories',
    12,
    [col('category_id', 'Int32'), col('category_name', 'String'), col('department', 'LowCardinality(String)', { distinct: 3 })],
    { pk: ['category_id'], unique: [['category_name']], deps: [fd(['category_name'], ['department'], 12)] },
  );
  const stores = table(
    'shop__stores',
    40,
    [
      col('store_id', 'Int64'),
      col('store_name', 'String'),
      col('city', 'LowCardinality(String)', { distinct: 30 }),
      col('state', 'LowCardinality(String)', { distinct: 10 }),
      col('country', 'LowCardinality(String)', { distinct: 2 }),
      col('opened_date', 'Date32', { distinct: 40 }),
      col('floor_area', 'Int32', { distinct: 38, min: 300, max: 5000 }),
    ],
    { pk: ['store_id'], unique: [['store_name']], deps: [fd(['city'], ['state', 'country'], 30), fd(['state'], ['country'], 10)] },
  );
  const rels = [
    rel('shop__sales_lines', ['product_id'], 'shop__products', ['product_id'], { status: 'accepted' }),
    rel('shop__sales_lines', ['store_id'], 'shop__stores', ['store_id'], { confidence: 0.95 }),
    rel('shop__sales_lines', ['customer_id'], 'shop__customers', ['customer_id'], { confidence: 0.9, nullRate: 0.05 }),
    rel('shop__products', ['category_id'], 'shop__categories', ['category_id'], { confidence: 0.97 }),
    // Never taken: rejected by the user, and a weak guess.
    rel('shop__sales_lines', ['line_number'], 'shop__categories', ['category_id'], { confidence: 0.85, status: 'rejected' }),
    rel('shop__stores', ['floor_area'], 'shop__products', ['product_id'], { confidence: 0.4 }),
  ];
  return {
    catalog: catalog([sales, customers, products, categories, stores], rels),
    roles: { sales_lines: 'fact', customers: 'dimension', products: 'dimension', stores: 'dimension', categories: 'collapsed:products' },
    hierarchies: {
      customer: [['country', 'state', 'city']],
      store: [['country', 'state', 'city']],
      product: [['department', 'category_name', 'product_name']],
      date: [['year', 'year_quarter', 'year_month', 'date']],
    },
  };
}

/**
 * TPC-H shaped (scale factor 1 row counts). Truth: lineitem is the fact; orders is its header, folded
 * into it (Kimball's TPC-H star: lineitem is the sales fact at the line grain, inheriting the order's
 * customer and order date; o_orderkey stays on it as a degenerate dimension), and orders is also a
 * fact at its own grain for its header-level measure o_totalprice, which on the lines would repeat on
 * every line. Decision on o_totalprice: in TPC-H it is derived from the lines (the sum of
 * l_extendedprice * (1 - l_discount) * (1 + l_tax)), but no profile proves a derivation, and at its
 * own grain a header measure is never double counted; so the order-grain fact is proposed (order
 * counts and order values by customer and order date) and a user who wants the line fact only deletes
 * it. partsupp is an inventory snapshot fact (availqty is a level: semi-additive); customer, supplier,
 * part are dimensions; nation and region are snowflaked into customer and supplier.
 */
export function tpch(): Labelled {
  const region = table('tpch__region', 5, [col('r_regionkey', 'Int32'), col('r_name', 'String'), col('r_comment', 'String', { maxLength: 115 })], {
    pk: ['r_regionkey'],
    unique: [['r_name'], ['r_comment']],
  });
  const nation = table(
    'tpch__nation',
    25,
    [col('n_nationkey', 'Int32'), col('n_name', 'String'), col('n_regionkey', 'Int32', { distinct: 5 }), col('n_comment', 'String', { maxLength: 114 })],
    { pk: ['n_nationkey'], unique: [['n_name'], ['n_comment']] },
  );
  const supplier = table(
    'tpch__supplier',
    10_000,
    [
      col('s_suppkey', 'Int64'),
      col('s_name', 'String'),
      col('s_address', 'String'),
      col('s_nationkey', 'Int32', { distinct: 25 }),
      col('s_phone', 'String', { patterns: { phone: 1 } }),
      col('s_acctbal', 'Decimal(15,2)', { distinct: 9955, min: -999.99, max: 9999.99 }),
      col('s_comment', 'String', { maxLength: 101 }),
    ],
    { pk: ['s_suppkey'], unique: [['s_name'], ['s_phone']] },
  );
  const customer = table(
    'tpch__customer',
    150_000,
    [
      col('c_custkey', 'Int64'),
      col('c_name', 'String'),
      col('c_address', 'String'),
      col('c_nationkey', 'Int32', { distinct: 25 }),
      col('c_phone', 'String', { patterns: { phone: 1 } }),
      col('c_acctbal', 'Decimal(15,2)', { distinct: 140_000, min: -999.99, max: 9999.99 }),
      col('c_mktsegment', 'LowCardinality(String)', { distinct: 5 }),
      col('c_comment', 'String', { maxLength: 117 }),
    ],
    { pk: ['c_custkey'], unique: [['c_name']] },
  );
  const part = table(
    'tpch__part',
    200_000,
    [
      col('p_partkey', 'Int64'),
      col('p_name', 'String', { distinct: 199_997 }),
      col('p_mfgr', 'LowCardinality(String)', { distinct: 5 }),
      col('p_brand', 'LowCardinality(String)', { distinct: 25 }),
      col('p_type', 'LowCardinality(String)', { distinct: 150 }),
      col('p_size', 'Int32', { distinct: 50, min: 1, max: 50 }),
      col('p_container', 'LowCardinality(String)', { distinct: 40 }),
      col('p_retailprice', 'Decimal(15,2)', { distinct: 20_899, min: 900, max: 2098.99 }),
      col('p_comment', 'String', { distinct: 130_000, maxLength: 23 }),
    ],
    { pk: ['p_partkey'], deps: [fd(['p_brand'], ['p_mfgr'], 25)] },
  );
  const partsupp = table(
    'tpch__partsupp',
    800_000,
    [
      col('ps_partkey', 'Int64', { distinct: 200_000 }),
      col('ps_suppkey', 'Int64', { distinct: 10_000 }),
      col('ps_availqty', 'Int32', { distinct: 9999, min: 1, max: 9999 }),
      col('ps_supplycost', 'Decimal(15,2)', { distinct: 99_865, min: 1, max: 1000 }),
      col('ps_comment', 'String', { distinct: 799_124, maxLength: 199 }),
    ],
    { pk: ['ps_partkey', 'ps_suppkey'] },
  );
  const orders = table(
    'tpch__orders',
    1_500_000,
    [
      col('o_orderkey', 'Int64'),
      col('o_custkey', 'Int64', { distinct: 99_996 }),
      col('o_orderstatus', 'LowCardinality(String)', { distinct: 3 }),
      col('o_totalprice', 'Decimal(15,2)', { distinct: 1_464_556, min: 857.71, max: 555_285.16 }),
      col('o_orderdate', 'Date32', { distinct: 2406 }),
      col('o_orderpriority', 'LowCardinality(String)', { distinct: 5 }),
      col('o_clerk', 'LowCardinality(String)', { distinct: 1000 }),
      col('o_shippriority', 'Int32', { distinct: 1, min: 0, max: 0 }),
      col('o_comment', 'String', { distinct: 1_482_071, maxLength: 79 }),
    ],
    { pk: ['o_orderkey'] },
  );
  const lineitem = table(
    'tpch__lineitem',
    6_001_215,
    [
      col('l_orderkey', 'Int64', { distinct: 1_500_000 }),
      col('l_partkey', 'Int64', { distinct: 200_000 }),
      col('l_suppkey', 'Int64', { distinct: 10_000 }),
      col('l_linenumber', 'Int32', { distinct: 7 }),
      col('l_quantity', 'Decimal(15,2)', { distinct: 50, min: 1, max: 50 }),
      col('l_extendedprice', 'Decimal(15,2)', { distinct: 933_900, min: 901, max: 104_949.5 }),
      col('l_discount', 'Decimal(15,2)', { distinct: 11, min: 0, max: 0.1 }),
      col('l_tax', 'Decimal(15,2)', { distinct: 9, min: 0, max: 0.08 }),
      col('l_returnflag', 'LowCardinality(String)', { distinct: 3 }),
      col('l_linestatus', 'LowCardinality(String)', { distinct: 2 }),
      col('l_shipdate', 'Date32', { distinct: 2526 }),
      col('l_commitdate', 'Date32', { distinct: 2466 }),
      col('l_receiptdate', 'Date32', { distinct: 2554 }),
      col('l_shipinstruct', 'LowCardinality(String)', { distinct: 4 }),
      col('l_shipmode', 'LowCardinality(String)', { distinct: 7 }),
      col('l_comment', 'String', { distinct: 4_580_667, maxLength: 44 }),
    ],
    { pk: ['l_orderkey', 'l_linenumber'] },
  );
  const rels = [
    rel('tpch__nation', ['n_regionkey'], 'tpch__region', ['r_regionkey']),
    rel('tpch__supplier', ['s_nationkey'], 'tpch__nation', ['n_nationkey']),
    rel('tpch__customer', ['c_nationkey'], 'tpch__nation', ['n_nationkey']),
    rel('tpch__partsupp', ['ps_partkey'], 'tpch__part', ['p_partkey']),
    rel('tpch__partsupp', ['ps_suppkey'], 'tpch__supplier', ['s_suppkey']),
    rel('tpch__orders', ['o_custkey'], 'tpch__customer', ['c_custkey']),
    rel('tpch__lineitem', ['l_orderkey'], 'tpch__orders', ['o_orderkey']),
    rel('tpch__lineitem', ['l_partkey'], 'tpch__part', ['p_partkey']),
    rel('tpch__lineitem', ['l_suppkey'], 'tpch__supplier', ['s_suppkey']),
    rel('tpch__lineitem', ['l_partkey', 'l_suppkey'], 'tpch__partsupp', ['ps_partkey', 'ps_suppkey'], { confidence: 0.9 }),
  ];
  return {
    catalog: catalog([region, nation, supplier, customer, part, partsupp, orders, lineitem], rels),
    roles: {
      lineitem: 'fact',
      orders: 'header:lineitem+fact',
      partsupp: 'fact',
      customer: 'dimension',
      supplier: 'dimension',
      part: 'dimension',
      nation: 'collapsed:customer,supplier',
      region: 'collapsed:customer,supplier',
    },
    hierarchies: {
      customer: [['r_name', 'n_name', 'c_name']],
      supplier: [['r_name', 'n_name', 's_name']],
      part: [['p_mfgr', 'p_brand']],
      date: [['year', 'year_quarter', 'year_month', 'date']],
    },
  };
}

/**
 * Misleading names: `dim_activity` is the fact (events with amounts), `fact_people` a dimension of people,
 * `metrics_groups` a snowflaked group table under `lookup_items`. Column names carry no meaning.
 */
export function misleading(): Labelled {
  const activity = table(
    'app__dim_activity',
    500_000,
    [
      col('ref_a', 'Int64', { distinct: 20_000 }),
      col('ref_b', 'Int64', { distinct: 300 }),
      col('when_ts', 'DateTime64(3)', { distinct: 480_000 }),
      col('val1', 'Decimal(18,2)', { distinct: 40_000, min: 1, max: 5000 }),
      col('val2', 'Int32', { distinct: 30, min: 1, max: 30 }),
      col('note', 'String', { distinct: 12 }),
    ],
  );
  const people = table(
    'app__fact_people',
    20_000,
    [
      col('pid', 'Int64'),
      col('fact_value', 'String', { distinct: 19_000 }),
      col('contact', 'String', { patterns: { email: 0.99 } }),
      col('total_sales', 'Decimal(18,2)', { distinct: 15_000, min: 0, max: 90_000 }),
      col('town', 'LowCardinality(String)', { distinct: 120 }),
      col('area', 'LowCardinality(String)', { distinct: 9 }),
    ],
    { pk: ['pid'], unique: [['contact']], deps: [fd(['town'], ['area'], 120)] },
  );
  const items = table(
    'app__lookup_items',
    300,
    [col('item', 'Int64'), col('label', 'String'), col('grp', 'Int32', { distinct: 10 }), col('weight_kg', 'Decimal(10,3)', { distinct: 250, min: 0.1, max: 40 })],
    { pk: ['item'], unique: [['label']] },
  );
  const groups = table(
    'app__metrics_groups',
    10,
    [col('g', 'Int32'), col('g_name', 'String'), col('g_parent', 'LowCardinality(String)', { distinct: 3 })],
    { pk: ['g'], unique: [['g_name']], deps: [fd(['g_name'], ['g_parent'], 10)] },
  );
  const rels = [
    rel('app__dim_activity', ['ref_a'], 'app__fact_people', ['pid']),
    rel('app__dim_activity', ['ref_b'], 'app__lookup_items', ['item']),
    rel('app__lookup_items', ['grp'], 'app__metrics_groups', ['g']),
  ];
  return {
    catalog: catalog([activity, people, items, groups], rels),
    roles: { dim_activity: 'fact', fact_people: 'dimension', lookup_items: 'dimension', metrics_groups: 'collapsed:lookup_items' },
    hierarchies: {
      fact_people: [['area', 'town']],
      lookup_item: [['g_parent', 'g_name', 'label']],
      date: [['year', 'year_quarter', 'year_month', 'date']],
    },
  };
}

/**
 * The 14-table / 237-column benchmark schema: retail + TPC-H shaped + one event table, with
 * descriptive attributes added to the dimensions until the column count is reached.
 */
export function benchCatalog(): Catalog {
  const r = retail().catalog;
  const t = tpch().catalog;
  const m = misleading().catalog;
  const tables = [...r.tables, ...t.tables, m.tables[0]];
  const relationships = [...r.relationships, ...t.relationships];
  let total = tables.reduce((s, x) => s + x.columns.length, 0);
  const dims = tables.filter((x) => x.rowCount < 200_000);
  for (let i = 0; total < 237; i++, total++) {
    const d = dims[i % dims.length];
    d.columns.push({ ...d.columns[d.columns.length - 1], name: `attr_${i}`, position: d.columns.length + 1 });
  }
  return catalog(tables, relationships);
}

/**
 * Retail with an order header, shaped like the demo data (examples/retail-data.ts). Truth: order_lines
 * is the fact; orders is its header, folded into it (customer, store, order and ship dates inherited
 * via the join; order_id, order_number, status kept as degenerates); customers, products, stores are dimensions.
 */
export function retailWithHeader(): Labelled {
  const orders = table(
    'shop__orders',
    20_000,
    [
      col('order_id', 'Int64'),
      col('order_number', 'String', { maxLength: 10 }),
      col('customer_id', 'Int64', { distinct: 1990 }),
      col('store_id', 'String', { distinct: 24, patterns: { zeroPadded: 1 } }),
      col('order_date', 'Date32', { distinct: 730 }),
      col('ship_date', 'Date32', { distinct: 736, empty: 800 }),
      col('status', 'LowCardinality(String)', { distinct: 4 }),
    ],
    { pk: ['order_id'], unique: [['order_number']] },
  );
  const lines = table(
    'shop__order_lines',
    50_000,
    [
      col('order_id', 'Int64', { distinct: 20_000 }),
      col('line_number', 'Int32', { distinct: 5 }),
      col('product_id', 'Int64', { distinct: 300 }),
      col('quantity', 'Int32', { distinct: 6, min: 1, max: 6 }),
      col('unit_price', 'Decimal(18,2)', { distinct: 290, min: 2, max: 250 }),
      col('discount', 'Float64', { distinct: 4, patterns: { percent: 1 }, min: 0, max: 15 }),
      col('line_total', 'Decimal(18,2)', { distinct: 9000, min: 2, max: 1500 }),
    ],
    { pk: ['order_id', 'line_number'] },
  );
  const customers = retail().catalog.tables[1];
  customers.rowCount = 2000;
  const products = table(
    'shop__products',
    300,
    [
      col('product_id', 'Int64'),
      col('sku', 'String', { maxLength: 9 }),
      col('product_name', 'String'),
      col('category', 'LowCardinality(String)', { distinct: 8 }),
      col('subcategory', 'LowCardinality(String)', { distinct: 20 }),
      col('brand', 'LowCardinality(String)', { distinct: 6 }),
      col('list_price', 'Decimal(18,2)', { distinct: 290, min: 2, max: 250 }),
    ],
    { pk: ['product_id'], unique: [['sku'], ['product_name']], deps: [fd(['subcategory'], ['category'], 20)] },
  );
  const stores = table(
    'shop__stores',
    24,
    [
      col('store_id', 'String', { patterns: { zeroPadded: 1 } }),
      col('store_name', 'String'),
      col('city', 'LowCardinality(String)', { distinct: 20 }),
      col('state', 'LowCardinality(String)', { distinct: 8 }),
      col('country', 'LowCardinality(String)', { distinct: 2 }),
      col('opened_on', 'Date32', { distinct: 24 }),
      col('square_meters', 'Int32', { distinct: 24, min: 200, max: 900 }),
    ],
    { pk: ['store_id'], unique: [['store_name']], deps: [fd(['city'], ['state', 'country'], 20), fd(['state'], ['country'], 8)] },
  );
  const rels = [
    rel('shop__order_lines', ['order_id'], 'shop__orders', ['order_id'], { confidence: 0.93 }),
    rel('shop__order_lines', ['product_id'], 'shop__products', ['product_id'], { confidence: 0.93 }),
    rel('shop__orders', ['customer_id'], 'shop__customers', ['customer_id'], { confidence: 0.93 }),
    rel('shop__orders', ['store_id'], 'shop__stores', ['store_id'], { confidence: 0.9 }),
  ];
  return {
    catalog: catalog([customers, products, stores, orders, lines], rels),
    roles: { order_lines: 'fact', orders: 'header:order_lines', customers: 'dimension', products: 'dimension', stores: 'dimension' },
    hierarchies: {
      customer: [['country', 'state', 'city']],
      store: [['country', 'state', 'city']],
      product: [['category', 'subcategory']],
      date: [['year', 'year_quarter', 'year_month', 'date']],
    },
  };
}

/**
 * Retail with an order header that carries measures of its own (freight, discount_total). Truth:
 * order_lines is the line fact (customer, store, dates inherited from orders; no freight); orders is
 * its header and also a fact at the order grain for freight and discount_total (on the lines they
 * would be counted once per line).
 */
export function retailWithHeaderMeasures(): Labelled {
  const r = retailWithHeader();
  const orders = r.catalog.tables.find((t) => t.name === 'shop__orders') as CatalogTable;
  const rows = orders.rowCount;
  const freight = column(col('freight', 'Decimal(18,2)', { distinct: 1800, min: 0, max: 45 }), orders.columns.length + 1, rows);
  const discount = column(col('discount_total', 'Decimal(18,2)', { distinct: 600, min: 0, max: 120, empty: 12_000 }), orders.columns.length + 2, rows);
  orders.columns.push(freight, discount);
  return { ...r, roles: { ...r.roles, orders: 'header:order_lines+fact' } };
}

/**
 * A header chain: deliveries (order_id, line_number, delivery_seq) -> order_lines (order_id,
 * line_number) -> orders (order_id), the identifying key carried down (deliveries also reference
 * orders through order_id). Truth: deliveries is the line fact, inheriting the product from its order
 * line and customer, store and order date from its order (joined on its own order_id); order_lines
 * and orders are its headers, each also a fact at its own grain for its own measures (quantity and
 * line_total; freight), order_lines inheriting from orders in turn.
 */
export function retailChain(): Labelled {
  const r = retailWithHeaderMeasures();
  const deliveries = table(
    'shop__deliveries',
    80_000,
    [
      col('order_id', 'Int64', { distinct: 19_000 }),
      col('line_number', 'Int32', { distinct: 5 }),
      col('delivery_seq', 'Int32', { distinct: 3 }),
      col('delivered_on', 'Date32', { distinct: 740 }),
      col('delivered_qty', 'Int32', { distinct: 6, min: 1, max: 6 }),
      col('carrier', 'LowCardinality(String)', { distinct: 5 }),
    ],
    { pk: ['order_id', 'line_number', 'delivery_seq'] },
  );
  r.catalog.tables.push(deliveries);
  r.catalog.relationships.push(
    rel('shop__deliveries', ['order_id', 'line_number'], 'shop__order_lines', ['order_id', 'line_number'], { confidence: 0.95 }),
    rel('shop__deliveries', ['order_id'], 'shop__orders', ['order_id'], { confidence: 0.95 }),
  );
  return {
    ...r,
    roles: { ...r.roles, deliveries: 'fact', order_lines: 'header:deliveries+fact', orders: 'header:deliveries+fact' },
  };
}

/**
 * Misleading names with a header: `dim_entries` is the line fact (its key: a reference to the header
 * and a sequence), `lookup_batches` its header (the person, a timestamp, a status and an amount of its
 * own, `dim_cost`), which is also a fact at its grain. Names say the opposite of the roles.
 */
export function misleadingWithHeader(): Labelled {
  const m = misleading();
  const [, people, items, groups] = m.catalog.tables;
  const batches = table(
    'app__lookup_batches',
    40_000,
    [
      col('bid', 'Int64'),
      col('who', 'Int64', { distinct: 15_000 }),
      col('at_ts', 'DateTime64(3)', { distinct: 39_000 }),
      col('dim_cost', 'Decimal(18,2)', { distinct: 3000, min: 0, max: 80 }),
      col('flag', 'LowCardinality(String)', { distinct: 3 }),
    ],
    { pk: ['bid'] },
  );
  const entries = table(
    'app__dim_entries',
    150_000,
    [
      col('bid', 'Int64', { distinct: 40_000 }),
      col('seq', 'Int32', { distinct: 9 }),
      col('thing', 'Int64', { distinct: 290 }),
      col('fact_count', 'Int32', { distinct: 12, min: 1, max: 12 }),
      col('fact_value', 'Decimal(18,2)', { distinct: 20_000, min: 1, max: 900 }),
    ],
    { pk: ['bid', 'seq'] },
  );
  const rels = [
    rel('app__dim_entries', ['bid'], 'app__lookup_batches', ['bid']),
    rel('app__dim_entries', ['thing'], 'app__lookup_items', ['item']),
    rel('app__lookup_batches', ['who'], 'app__fact_people', ['pid']),
    rel('app__lookup_items', ['grp'], 'app__metrics_groups', ['g']),
  ];
  return {
    catalog: catalog([people, items, groups, batches, entries], rels),
    roles: { dim_entries: 'fact', lookup_batches: 'header:dim_entries+fact', fact_people: 'dimension', lookup_items: 'dimension', metrics_groups: 'collapsed:lookup_items' },
    hierarchies: m.hierarchies,
  };
}
