/** Model fixtures for the editor tests: a small retail ERD and star, and a generated large ERD. */
import type { Entity, ErdModel, ErdRelationship, StarModel } from '../../../src/core/model/model-types';

const col = (name: string, type: string, nullable = false) => ({ name, type, nullable });

export function retailErd(): ErdModel {
  return {
    version: 1,
    kind: 'erd',
    name: 'retail',
    entities: [
      { name: 'customer', sourceTable: 'shop__customer', columns: [col('customer_id', 'UInt64'), col('name', 'String'), col('city', 'String', true)], primaryKey: ['customer_id'] },
      { name: 'product', sourceTable: 'shop__product', columns: [col('product_id', 'UInt64'), col('title', 'String'), col('category_id', 'UInt64', true)], primaryKey: ['product_id'] },
      { name: 'category', sourceTable: 'shop__category', columns: [col('category_id', 'UInt64'), col('label', 'String')], primaryKey: ['category_id'] },
      {
        name: 'sales_order',
        sourceTable: 'shop__orders',
        columns: [col('order_id', 'UInt64'), col('customer_id', 'UInt64'), col('ordered_at', 'DateTime')],
        primaryKey: ['order_id'],
      },
      {
        name: 'order_line',
        sourceTable: 'shop__order_lines',
        columns: [col('order_id', 'UInt64'), col('line_no', 'UInt16'), col('product_id', 'UInt64'), col('quantity', 'Int32'), col('amount', 'Decimal(18, 2)')],
        primaryKey: ['order_id', 'line_no'],
      },
    ],
    relationships: [
      { name: 'order_customer', from: { entity: 'sales_order', columns: ['customer_id'] }, to: { entity: 'customer', columns: ['customer_id'] }, cardinality: 'many-to-one', optional: false },
      { name: 'line_order', from: { entity: 'order_line', columns: ['order_id'] }, to: { entity: 'sales_order', columns: ['order_id'] }, cardinality: 'many-to-one', optional: false },
      { name: 'line_product', from: { entity: 'order_line', columns: ['product_id'] }, to: { entity: 'product', columns: ['product_id'] }, cardinality: 'many-to-one', optional: false },
      { name: 'product_category', from: { entity: 'product', columns: ['category_id'] }, to: { entity: 'category', columns: ['category_id'] }, cardinality: 'many-to-one', optional: true },
    ],
    groups: [
      { name: 'Sales', entities: ['sales_order', 'order_line'] },
      { name: 'Catalogue', entities: ['product', 'category'] },
    ],
    decompositions: [],
    layout: {
      positions: {
        customer: { x: 40, y: 40 },
        category: { x: 40, y: 260 },
        sales_order: { x: 420, y: 40 },
        product: { x: 420, y: 260 },
        order_line: { x: 800, y: 120 },
      },
    },
  };
}

export function retailStar(): StarModel {
  return {
    version: 1,
    kind: 'star',
    name: 'retail',
    facts: [
      {
        name: 'fact_sales',
        entity: 'order_line',
        grain: ['order_id', 'line_no'],
        grainDescription: 'one row per order line',
        measures: [
          { name: 'quantity', column: 'quantity', aggregation: 'sum', additivity: 'additive' },
          { name: 'amount', column: 'amount', aggregation: 'sum', additivity: 'additive' },
        ],
        dimensions: [
          { dimension: 'customer', role: 'customer', columns: ['customer_id'] },
          { dimension: 'product', role: 'product', columns: ['product_id'] },
          { dimension: 'date', role: 'order_date', columns: ['ordered_at'] },
        ],
        degenerate: ['order_id'],
        reason: 'numeric measures; many side of 2 relationships',
      },
    ],
    dimensions: [
      {
        name: 'customer',
        entity: 'customer',
        naturalKey: ['customer_id'],
        surrogateKey: 'customer_key',
        attributes: [
          { name: 'name', column: 'name', type: 'String' },
          { name: 'city', column: 'city', type: 'String' },
          { name: 'country', column: 'country', type: 'String' },
        ],
        scdType: 2,
        collapsed: [],
        hierarchies: [{ name: 'geography', levels: [{ name: 'country', attribute: 'country', cardinality: 3 }, { name: 'city', attribute: 'city', cardinality: 40 }] }],
        reason: 'referenced by the fact; address attributes change over time',
      },
      {
        name: 'product',
        entity: 'product',
        naturalKey: ['product_id'],
        surrogateKey: 'product_key',
        attributes: [
          { name: 'title', column: 'title', type: 'String' },
          { name: 'category', column: 'label', type: 'String', entity: 'category' },
        ],
        scdType: 1,
        collapsed: ['category'],
        hierarchies: [],
        reason: 'referenced by the fact',
      },
      {
        name: 'date',
        generated: 'date',
        naturalKey: ['date'],
        surrogateKey: 'date_key',
        attributes: [
          { name: 'year', column: 'year', type: 'UInt16' },
          { name: 'quarter', column: 'quarter', type: 'UInt8' },
          { name: 'month', column: 'month', type: 'UInt8' },
        ],
        scdType: 1,
        collapsed: [],
        hierarchies: [{ name: 'calendar', levels: [{ name: 'year', attribute: 'year', cardinality: 3 }, { name: 'quarter', attribute: 'quarter', cardinality: 12 }, { name: 'month', attribute: 'month', cardinality: 36 }] }],
        reason: 'generated calendar',
      },
    ],
    layout: { positions: {} },
  };
}

/** The retail ERD with order lines repeating the product title, and the decomposition proposed for it. */
export function denormalisedErd(): ErdModel {
  const m = retailErd();
  m.entities[4].columns.push(col('product_title', 'String'));
  m.decompositions.push({
    id: 'order_line-product_id',
    entity: 'order_line',
    key: ['product_id'],
    columns: ['product_title'],
    newEntity: 'product_title_by_id',
    status: 'proposed',
    reason: 'product_id determines product_title in all rows',
  });
  return m;
}

/** Deterministic pseudo-random numbers (no Math.random: the same diagram every run). */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/**
 * A large ERD: `n` entities with 4–12 columns and `rels` many-to-one
 * relationships from a later entity to an earlier one (so the graph is layered
 * like a real schema), no positions (auto-layout places them).
 */
export function generatedErd(n = 200, rels = 300, seed = 7): ErdModel {
  const rand = rng(seed);
  const entities: Entity[] = [];
  for (let i = 0; i < n; i++) {
    const cols = 4 + Math.floor(rand() * 9);
    const columns = [col(`e${i}_id`, 'UInt64')];
    for (let c = 1; c < cols; c++) columns.push(col(`attr_${c}`, ['String', 'Int64', 'Date', 'Decimal(18, 2)'][c % 4], c % 3 === 0));
    entities.push({ name: `entity_${i}`, columns, primaryKey: [`e${i}_id`] });
  }
  const relationships: ErdRelationship[] = [];
  for (let r = 0; r < rels; r++) {
    const a = 1 + Math.floor(rand() * (n - 1));
    const b = Math.floor(rand() * a);
    const fk = `ref_${r}`;
    entities[a].columns.push(col(fk, 'UInt64', r % 4 === 0));
    relationships.push({
      name: `rel_${r}`,
      from: { entity: entities[a].name, columns: [fk] },
      to: { entity: entities[b].name, columns: [`e${b}_id`] },
      cardinality: r % 10 === 0 ? 'one-to-one' : 'many-to-one',
      optional: r % 4 === 0,
    });
  }
  const groups = [0, 1, 2, 3].map((g) => ({ name: `area_${g}`, entities: entities.filter((_, i) => i % 4 === g).slice(0, 10).map((e) => e.name) }));
  return { version: 1, kind: 'erd', name: 'generated', entities, relationships, groups, decompositions: [], layout: { positions: {} } };
}
