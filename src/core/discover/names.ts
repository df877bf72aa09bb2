/**
 * Column and table name evidence for keys and relationships. Names are only
 * one signal among several: every fact is verified on the data.
 */

/** Lower-case word tokens of a name: `o_custKey` -> ['o', 'cust', 'key']; a short system prefix is dropped later. */
export function tokens(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((t) => t.length > 0);
}

const KEEP_SHORT = new Set(['id', 'no', 'nr']);

/** Tokens without a short leading prefix such as TPC-H's `l_`, `ps_` (only when other tokens remain). */
export function coreTokens(name: string): string[] {
  const t = tokens(name);
  if (t.length > 1 && t[0].length <= 2 && !KEEP_SHORT.has(t[0])) return t.slice(1);
  return t;
}

const KEY_SUFFIX = /(id|key|code|number|num|no|nr|uuid|sku|ref)$/;

/** True for names that read like identifiers: `id`, `customer_id`, `o_orderkey`, `CustomerNo`, `sku`. */
export function isKeyLikeName(name: string): boolean {
  const t = coreTokens(name);
  const last = t[t.length - 1] ?? '';
  if (['id', 'key', 'code', 'no', 'nr', 'num', 'number', 'uuid', 'sku', 'ref', 'pk'].includes(last)) return true;
  return /(id|key|code|number|uuid|sku)$/.test(t.join('')) && t.join('').length > 3;
}

/** The entity part of a name: `customer_id` -> `customer`, `o_custkey` -> `cust`, `id` -> ``. */
export function entity(name: string): string {
  const compact = coreTokens(name).join('');
  return compact.replace(KEY_SUFFIX, '');
}

export function singular(word: string): string {
  if (word.endsWith('ies') && word.length > 4) return word.slice(0, -3) + 'y';
  if (/(sses|xes|ches|shes)$/.test(word)) return word.slice(0, -2);
  if (word.endsWith('s') && !word.endsWith('ss') && word.length > 3) return word.slice(0, -1);
  return word;
}

/** Warehouse naming prefixes that say what kind of table it is, not what it holds. */
const TABLE_PREFIXES = new Set(['dim', 'fact', 'fct', 'stg', 'tbl', 'raw', 'src', 'ref', 'lkp', 'lookup']);

/** The object part of a bronze table name (`shop__customers` -> `customer`, `dw__dim_date` -> `date`), singular and compact. */
export function tableStem(table: string): string {
  const object = table.includes('__') ? table.slice(table.lastIndexOf('__') + 2) : table;
  const t = tokens(object);
  while (t.length > 1 && TABLE_PREFIXES.has(t[0])) t.shift();
  return singular(t.join(''));
}

/** True when the name's entity names this table (`cust` ~ `customer`, `customer` = `customer`). */
export function entityNamesTable(name: string, table: string): boolean {
  const fe = entity(name);
  const stem = tableStem(table);
  return fe.length >= 3 && (fe === stem || (fe.length >= 4 && stem.startsWith(fe)));
}

/**
 * How strongly the name of `fromColumn` says it references `toTable.toColumn`, 0..1.
 * 1: the same specific name (`customer_id` = `customer_id`, `o_custkey` ~ `c_custkey`);
 * 0.9: the entity names the target table (`customer_id` -> `customers.id`);
 * 0.7: the entity contains the table (`parent_category_id` -> `categories`);
 * 0.2: an identifier-like name with no link to the target; 0 otherwise.
 */
export function nameSimilarity(fromColumn: string, toTable: string, toColumn: string): number {
  const from = coreTokens(fromColumn).join('');
  const to = coreTokens(toColumn).join('');
  const fe = entity(fromColumn);
  const te = entity(toColumn);
  const stem = tableStem(toTable);
  // Equal names count only when they read like identifiers: `Time = Time` is no evidence.
  if (from === to && te.length >= 2 && isKeyLikeName(fromColumn)) return 1;
  if (fe.length >= 3 && (fe === stem || (stem.startsWith(fe) && fe.length >= 4) || (fe === te && isKeyLikeName(fromColumn)))) return 0.9;
  if (fe.length >= 3 && stem.length >= 3 && (fe.includes(stem) || (fe.endsWith(te) && te.length >= 3 && isKeyLikeName(fromColumn)))) return 0.7;
  if (from === to) return 0.1;
  return isKeyLikeName(fromColumn) ? 0.2 : 0;
}
