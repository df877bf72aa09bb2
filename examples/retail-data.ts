/**
 * Generates the demo's sample data: a small retail business (customers,
 * products, stores, orders, order lines), deterministic for a given seed.
 * Dates come in several formats and a few values are dirty on purpose, as in
 * real exports.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface RetailSizes {
  customers: number;
  products: number;
  stores: number;
  orders: number;
}

export const DEMO_SIZES: RetailSizes = { customers: 2000, products: 300, stores: 24, orders: 20000 };

const GEO: [string, string, string][] = [
  ['Seattle', 'WA', 'United States'],
  ['Spokane', 'WA', 'United States'],
  ['Portland', 'OR', 'United States'],
  ['Eugene', 'OR', 'United States'],
  ['Austin', 'TX', 'United States'],
  ['Dallas', 'TX', 'United States'],
  ['Houston', 'TX', 'United States'],
  ['Toronto', 'ON', 'Canada'],
  ['Ottawa', 'ON', 'Canada'],
  ['Vancouver', 'BC', 'Canada'],
  ['Victoria', 'BC', 'Canada'],
  ['Munich', 'BY', 'Germany'],
  ['Nuremberg', 'BY', 'Germany'],
  ['Berlin', 'BE', 'Germany'],
];
const FIRST = ['Ada', 'Ben', 'Cleo', 'Dan', 'Eva', 'Finn', 'Gia', 'Hugo', 'Iris', 'Jon', 'Kai', 'Lena', 'Max', 'Nia', 'Omar', 'Pia'];
const LAST = ['Smith', 'Jones', 'Brown', 'Garcia', 'Müller', 'Nguyen', 'Patel', 'Kim', "O'Neil", 'Rossi', 'Silva', 'Dubois'];
const CATEGORIES: [string, string[]][] = [
  ['Coffee', ['Beans', 'Ground', 'Capsules']],
  ['Tea', ['Green', 'Black', 'Herbal']],
  ['Bakery', ['Bread', 'Pastry']],
  ['Equipment', ['Grinders', 'Kettles', 'Mugs']],
];
const BRANDS = ['Northwind', 'Contoso', 'Fabrikam', 'Tailspin', 'Litware'];
const SEGMENTS = ['Consumer', 'Corporate', 'Home Office'];
const STATUSES = ['delivered', 'delivered', 'delivered', 'shipped', 'cancelled', 'returned'];

/** Small deterministic PRNG (mulberry32) so the demo data is the same on every machine. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function csvField(v: string): string {
  return /[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

function csv(header: string[], rows: string[][]): string {
  return [header, ...rows].map((r) => r.map(csvField).join(',')).join('\n') + '\n';
}

const pad = (n: number, w: number) => String(n).padStart(w, '0');
const iso = (d: Date) => `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1, 2)}-${pad(d.getUTCDate(), 2)}`;
const us = (d: Date) => `${pad(d.getUTCMonth() + 1, 2)}/${pad(d.getUTCDate(), 2)}/${d.getUTCFullYear()}`;
const eu = (d: Date) => `${pad(d.getUTCDate(), 2)}.${pad(d.getUTCMonth() + 1, 2)}.${d.getUTCFullYear()}`;

/**
 * The second day of the same business (same seed): a few order lines corrected (one more item, its total
 * again), a few removed, as a source system's next export would have them. Only order_lines.csv differs.
 */
export function reviseOrderLines(lines: string[][]): string[][] {
  return lines
    .filter((_, i) => i % 97 !== 96)
    .map((l, i) => {
      if (i % 50 !== 0) return l;
      const qty = Number(l[3]) + 1;
      const total = (qty * Number(l[4]) * (100 - parseInt(l[5], 10))) / 100;
      return [...l.slice(0, 3), String(qty), l[4], l[5], total.toFixed(2)];
    });
}

/** Write the retail files into `dir` (day 2: the order lines revised); returns the file names written. */
export function writeRetailData(dir: string, sizes: RetailSizes = DEMO_SIZES, seed = 42, day2 = false): string[] {
  const rnd = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
  const int = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));
  mkdirSync(dir, { recursive: true });
  const start = Date.UTC(2023, 0, 1);
  const day = 86_400_000;

  const customers: string[][] = [];
  for (let i = 1; i <= sizes.customers; i++) {
    const [city, state, country] = pick(GEO);
    const first = pick(FIRST);
    const last = pick(LAST);
    const email = rnd() < 0.03 ? '' : `${first}.${last}${i}@example.com`.toLowerCase().replace(/[^a-z0-9.@]/g, '');
    const phone = rnd() < 0.02 ? 'n/a' : `+1-555-${pad(int(0, 999), 3)}-${pad(int(0, 9999), 4)}`;
    customers.push([String(i), first, last, email, phone, city, state, country, us(new Date(start - int(0, 900) * day)), pick(SEGMENTS)]);
  }
  writeFileSync(
    join(dir, 'customers.csv'),
    csv(['customer_id', 'first_name', 'last_name', 'email', 'phone', 'city', 'state', 'country', 'signup_date', 'segment'], customers),
  );

  const products: string[][] = [];
  const prices: number[] = [0];
  for (let i = 1; i <= sizes.products; i++) {
    const [category, subs] = pick(CATEGORIES);
    const price = int(199, 25999) / 100;
    prices.push(price);
    products.push([String(i), `SKU-${pad(i, 5)}`, `${pick(BRANDS)} ${pick(subs)} ${i}`, category, pick(subs), pick(BRANDS), price.toFixed(2)]);
  }
  writeFileSync(
    join(dir, 'products.csv'),
    csv(['product_id', 'sku', 'product_name', 'category', 'subcategory', 'brand', 'list_price'], products),
  );

  const stores: string[] = [];
  for (let i = 1; i <= sizes.stores; i++) {
    const [city, state, country] = GEO[(i - 1) % GEO.length];
    stores.push(
      JSON.stringify({
        store_id: pad(i, 4),
        store_name: `${city} ${i <= GEO.length ? 'Central' : 'North'}`,
        address: { city, state, country },
        opened_on: iso(new Date(start - int(100, 3000) * day)),
        square_meters: int(80, 900),
      }),
    );
  }
  writeFileSync(join(dir, 'stores.ndjson'), stores.join('\n') + '\n');

  const orders: string[][] = [];
  const lines: string[][] = [];
  for (let i = 1; i <= sizes.orders; i++) {
    const ordered = new Date(start + int(0, 700) * day);
    const status = pick(STATUSES);
    const shipped = status === 'cancelled' ? '' : eu(new Date(ordered.getTime() + int(1, 9) * day));
    orders.push([String(i), `SO-${pad(i, 7)}`, String(int(1, sizes.customers)), pad(int(1, sizes.stores), 4), iso(ordered), shipped, status]);
    const n = int(1, 5);
    for (let l = 1; l <= n; l++) {
      const product = int(1, sizes.products);
      const qty = int(1, 6);
      const discount = pick([0, 0, 0, 5, 10, 15]);
      const total = (qty * prices[product] * (100 - discount)) / 100;
      lines.push([String(i), String(l), String(product), String(qty), prices[product].toFixed(2), `${discount}%`, total.toFixed(2)]);
    }
  }
  writeFileSync(
    join(dir, 'orders.csv'),
    csv(['order_id', 'order_number', 'customer_id', 'store_id', 'order_date', 'ship_date', 'status'], orders),
  );
  writeFileSync(
    join(dir, 'order_lines.csv'),
    csv(['order_id', 'line_number', 'product_id', 'quantity', 'unit_price', 'discount', 'line_total'], day2 ? reviseOrderLines(lines) : lines),
  );
  return ['customers.csv', 'products.csv', 'stores.ndjson', 'orders.csv', 'order_lines.csv'];
}
