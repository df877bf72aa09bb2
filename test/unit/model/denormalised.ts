/**
 * A retail catalog with denormalised geography, the shape of issue 12: customers carry their city,
 * state and country and a home store; stores carry theirs too (city -> state -> country among
 * customers; only state -> country among the few stores, as real discovery reports for 14 cities over
 * 24 stores). No fact references stores, so the customer dimension collapses them and their clashing
 * columns become store_city, store_state, store_country there.
 */
import type { Catalog } from '../../../src/core/discover/catalog-types';
import { catalog, col, fd, rel, table } from './builders';

export function homeStores(): Catalog {
  const lines = table(
    'shop__sales_lines',
    50_000,
    [
      col('order_number', 'String', { distinct: 20_000 }),
      col('line_number', 'Int32', { distinct: 6 }),
      col('sale_date', 'Date32', { distinct: 700 }),
      col('customer_id', 'Int64', { distinct: 2000 }),
      col('product_id', 'Int64', { distinct: 300 }),
      col('product_name', 'String', { distinct: 300 }),
      col('quantity', 'Int32', { distinct: 6, min: 1, max: 6 }),
      col('amount', 'Decimal(18,2)', { distinct: 9000, min: 2, max: 1500 }),
    ],
    { pk: ['order_number', 'line_number'], deps: [fd(['product_id'], ['product_name'], 300)] },
  );
  const customers = table(
    'shop__customers',
    2000,
    [
      col('customer_id', 'Int64'),
      col('customer_name', 'String'),
      col('city', 'LowCardinality(String)', { distinct: 300 }),
      col('state', 'LowCardinality(String)', { distinct: 50 }),
      col('country', 'LowCardinality(String)', { distinct: 3 }),
      col('home_store_id', 'Int64', { distinct: 24 }),
    ],
    { pk: ['customer_id'], deps: [fd(['city'], ['state', 'country'], 300), fd(['state'], ['country'], 50)] },
  );
  const products = table('shop__products', 300, [col('product_id', 'Int64'), col('product_name', 'String'), col('category', 'LowCardinality(String)', { distinct: 8 })], {
    pk: ['product_id'],
    unique: [['product_name']],
  });
  const stores = table(
    'shop__stores',
    24,
    [
      col('store_id', 'Int64'),
      col('store_name', 'String'),
      col('city', 'LowCardinality(String)', { distinct: 14 }),
      col('state', 'LowCardinality(String)', { distinct: 8 }),
      col('country', 'LowCardinality(String)', { distinct: 2 }),
      col('floor_area', 'Int32', { distinct: 24, min: 300, max: 5000 }),
    ],
    { pk: ['store_id'], unique: [['store_name']], deps: [fd(['state'], ['country'], 8)] },
  );
  return catalog(
    [lines, customers, products, stores],
    [
      rel('shop__sales_lines', ['customer_id'], 'shop__customers', ['customer_id']),
      rel('shop__sales_lines', ['product_id'], 'shop__products', ['product_id']),
      rel('shop__customers', ['home_store_id'], 'shop__stores', ['store_id']),
    ],
  );
}
