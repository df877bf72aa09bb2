/** Naming rules shared by the proposals: silver/gold identifiers, de-duplication, singular forms. */

/** A plain lower-case identifier: letters, digits, underscores; never empty, never starting with a digit. */
export function sanitizeName(raw: string): string {
  const s = raw
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .replace(/[^a-z0-9_]+/g, '_')
    .replace(/_+/g, '_')
    .replace(/^_+|_+$/g, '');
  if (!s) return 'unnamed';
  return /^[0-9]/.test(s) ? `t_${s}` : s;
}

/** The object part of a bronze table name `<source>__<object>` (the whole name when there is no separator). */
export function objectPart(table: string): { source?: string; object: string } {
  const i = table.indexOf('__');
  if (i <= 0 || i + 2 >= table.length) return { object: table };
  return { source: table.slice(0, i), object: table.slice(i + 2) };
}

/** Hands out unique names: the first claimant keeps the name, later ones get `_2`, `_3`, ... */
export class NameAllocator {
  private readonly used = new Set<string>();
  constructor(taken: Iterable<string> = []) {
    for (const t of taken) this.used.add(t);
  }
  has(name: string): boolean {
    return this.used.has(name);
  }
  claim(wanted: string): string {
    let name = wanted;
    for (let i = 2; this.used.has(name); i++) name = `${wanted}_${i}`;
    this.used.add(name);
    return name;
  }
}

/** English singular for table-style names (`customers` -> `customer`, `categories` -> `category`); unchanged when unsure. */
export function singular(name: string): string {
  const m = /^(.*?)([a-z]+)$/.exec(name);
  if (!m) return name;
  const [, head, word] = m;
  const one = singularWord(word);
  return head + one;
}

function singularWord(w: string): string {
  if (w.length <= 3) return w;
  if (/(ss|us|is|news|data|series|status)$/.test(w)) return w;
  if (w.endsWith('ies')) return `${w.slice(0, -3)}y`;
  if (/(ches|shes|xes|sses|zes)$/.test(w)) return w.slice(0, -2);
  if (w.endsWith('s')) return w.slice(0, -1);
  return w;
}

/** Name tokens of an identifier, for rules that look at words (`unitPrice` -> unit, price). */
export function tokens(name: string): string[] {
  return sanitizeName(name).split('_').filter(Boolean);
}

/** Drops an identifier suffix: `product_id` -> `product`, `store_code` -> `store`; unchanged when nothing is left. */
export function stripKeySuffix(name: string): string {
  const s = name.replace(/_?(id|key|code|no|num|number|nr|sk)$/i, '').replace(/_+$/, '');
  return s || name;
}
