/** A small deterministic TPC-H-shaped data set as CSV files (dbgen-like columns and value shapes). */
import { mkdirSync, writeFileSync } from 'node:fs';

export interface TpchSizes {
  suppliers: number;
  customers: number;
  parts: number;
  orders: number;
}

export function writeTpchData(dir: string, n: TpchSizes = { suppliers: 50, customers: 600, parts: 800, orders: 5000 }): void {
  mkdirSync(dir, { recursive: true });
  let s = 7;
  const r = () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
  const int = (a: number, b: number) => a + Math.floor(r() * (b - a + 1));
  const pick = <T>(xs: T[]) => xs[int(0, xs.length - 1)];
  const w = (name: string, head: string[], rows: (string | number)[][]) =>
    writeFileSync(`${dir}/${name}.csv`, [head.join(','), ...rows.map((x) => x.join(','))].join('\n') + '\n');
  const phone = () => `${int(10, 34)}-${int(100, 999)}-${int(100, 999)}-${int(1000, 9999)}`;
  const money = (lo: number, hi: number) => (int(lo * 100, hi * 100) / 100).toFixed(2);
  const day = (d: number) => new Date(Date.UTC(1992, 0, 1) + d * 86_400_000).toISOString().slice(0, 10);
  const regions = ['AFRICA', 'AMERICA', 'ASIA', 'EUROPE', 'MIDDLE EAST'];
  w('region', ['r_regionkey', 'r_name', 'r_comment'], regions.map((name, i) => [i, name, `region comment ${i} lorem ipsum dolor`]));
  w('nation', ['n_nationkey', 'n_name', 'n_regionkey', 'n_comment'], Array.from({ length: 25 }, (_, i) => [i, `NATION${i}`, i % 5, `nation comment ${i} sit amet`]));
  w('supplier', ['s_suppkey', 's_name', 's_address', 's_nationkey', 's_phone', 's_acctbal', 's_comment'],
    Array.from({ length: n.suppliers }, (_, i) => [i + 1, `Supplier#${String(i + 1).padStart(9, '0')}`, `addr${int(1, 1e6)}`, int(0, 24), phone(), money(-999, 9999), `supplier comment ${i} words here`]));
  w('customer', ['c_custkey', 'c_name', 'c_address', 'c_nationkey', 'c_phone', 'c_acctbal', 'c_mktsegment', 'c_comment'],
    Array.from({ length: n.customers }, (_, i) => [i + 1, `Customer#${String(i + 1).padStart(9, '0')}`, `addr${int(1, 1e6)}`, int(0, 24), phone(), money(-999, 9999), pick(['AUTOMOBILE', 'BUILDING', 'FURNITURE', 'HOUSEHOLD', 'MACHINERY']), `customer comment ${i} more words`]));
  w('part', ['p_partkey', 'p_name', 'p_mfgr', 'p_brand', 'p_type', 'p_size', 'p_container', 'p_retailprice', 'p_comment'],
    Array.from({ length: n.parts }, (_, i) => {
      const m = int(1, 5);
      return [i + 1, `part name ${i} ${int(1, 1e6)}`, `Manufacturer#${m}`, `Brand#${m}${int(1, 5)}`, `TYPE ${int(1, 150)}`, int(1, 50), `CONT${int(1, 40)}`, (900 + (i % 1000) + int(0, 99) / 100).toFixed(2), `c${i}`];
    }));
  const ps: (string | number)[][] = [];
  const supplierOf = (p: number, k: number) => ((p + k * Math.floor(n.suppliers / 4)) % n.suppliers) + 1;
  for (let p = 1; p <= n.parts; p++) for (let k = 0; k < 4; k++) ps.push([p, supplierOf(p, k), int(1, 9999), money(1, 1000), `partsupp comment ${p} ${k} blah blah`]);
  w('partsupp', ['ps_partkey', 'ps_suppkey', 'ps_availqty', 'ps_supplycost', 'ps_comment'], ps);
  const orders: (string | number)[][] = [];
  const lines: (string | number)[][] = [];
  for (let o = 1; o <= n.orders; o++) {
    const od = int(0, 2400);
    let total = 0;
    for (let l = 1, count = int(1, 7); l <= count; l++) {
      const p = int(1, n.parts);
      const q = int(1, 50);
      const price = q * (900 + (p % 1000));
      total += price;
      lines.push([o, p, supplierOf(p, int(0, 3)), l, q, price.toFixed(2), (int(0, 10) / 100).toFixed(2), (int(0, 8) / 100).toFixed(2), pick(['A', 'N', 'R']), pick(['F', 'O']),
        day(od + int(1, 121)), day(od + int(30, 90)), day(od + int(2, 150)), pick(['DELIVER IN PERSON', 'COLLECT COD', 'NONE', 'TAKE BACK RETURN']), pick(['AIR', 'MAIL', 'SHIP', 'TRUCK', 'RAIL', 'FOB', 'REG AIR']), `line comment ${o} ${l} xx`]);
    }
    orders.push([o, int(1, n.customers), pick(['F', 'O', 'P']), total.toFixed(2), day(od), pick(['1-URGENT', '2-HIGH', '3-MEDIUM', '4-NOT SPECIFIED', '5-LOW']), `Clerk#${String(int(1, 100)).padStart(9, '0')}`, 0, `order comment ${o} text`]);
  }
  w('orders', ['o_orderkey', 'o_custkey', 'o_orderstatus', 'o_totalprice', 'o_orderdate', 'o_orderpriority', 'o_clerk', 'o_shippriority', 'o_comment'], orders);
  w('lineitem', ['l_orderkey', 'l_partkey', 'l_suppkey', 'l_linenumber', 'l_quantity', 'l_extendedprice', 'l_discount', 'l_tax', 'l_returnflag', 'l_linestatus', 'l_shipdate', 'l_commitdate', 'l_receiptdate', 'l_shipinstruct', 'l_shipmode', 'l_comment'], lines);
}
