/**
 * Labelled schemas for the failure patterns discovery showed on third-party data (issue 13), generated
 * here with numbers() so nothing is copied from a real dataset:
 * text keys (names and codes, one unmatched value longer than every key), a reference whose name shares
 * nothing with its key (`client` -> `cust_key`), tables keyed by the same column, unrelated small `id`
 * ranges, composite keys with a date, a long text member or a member at position 10 next to unique
 * measures, and decimal columns (latitude, age) that must read as numbers.
 */
import type { Warehouse } from '../../../src/core/warehouse/warehouse';
import { bronzeFromSql } from '../../fixtures/discover/bronze';
import type { Truth } from '../../fixtures/discover/schemas';

/** A labelled schema; `symmetric`: 1:1 links whose direction the data cannot fix (either direction is right). */
export interface PatternTruth extends Truth {
  symmetric?: string[];
}

const h = (salt: number, expr = 'number') => `cityHash64(${expr}, ${salt})`;
const arr = (xs: string[]) => `[${xs.map((x) => `'${x.replace(/'/g, "\\'")}'`).join(',')}]`;
const at = (xs: string[], i: string) => `${arr(xs)}[(${i}) % ${xs.length} + 1]`;

const STATES = [
  'Alabama', 'Alaska', 'Arizona', 'Arkansas', 'California', 'Colorado', 'Connecticut', 'Delaware', 'Florida', 'Georgia', 'Hawaii', 'Idaho', 'Illinois',
  'Indiana', 'Iowa', 'Kansas', 'Kentucky', 'Louisiana', 'Maine', 'Maryland', 'Massachusetts', 'Michigan', 'Minnesota', 'Mississippi', 'Missouri',
  'Montana', 'Nebraska', 'Nevada', 'New Hampshire', 'New Jersey', 'New Mexico', 'New York', 'North Carolina', 'North Dakota', 'Ohio', 'Oklahoma',
  'Oregon', 'Pennsylvania', 'Rhode Island', 'South Carolina', 'South Dakota', 'Tennessee', 'Texas', 'Utah', 'Vermont', 'Virginia', 'Washington',
  'West Virginia', 'Wisconsin', 'Wyoming',
];
const COUNTRIES = [
  'Argentina', 'Australia', 'Austria', 'Belgium', 'Brazil', 'Canada', 'Chile', 'China', 'Colombia', 'Czechia', 'Denmark', 'Egypt', 'Finland', 'France',
  'Germany', 'Greece', 'Hungary', 'India', 'Indonesia', 'Ireland', 'Israel', 'Italy', 'Japan', 'Kenya', 'Malaysia', 'Mexico', 'Morocco', 'Netherlands',
  'New Zealand', 'Nigeria', 'Norway', 'Pakistan', 'Peru', 'Philippines', 'Poland', 'Portugal', 'Romania', 'Saudi Arabia', 'Singapore', 'South Africa',
];
const t = (prefix: string) => (name: string) => `${prefix}__${name}`;
const fk = (from: string, to: string) => `${from}->${to}`;

/** Names and codes as keys; one unmatched value longer than every key value; tables keyed by the same `state`. */
export async function textKeys(wh: Warehouse): Promise<PatternTruth> {
  const n = t('geo');
  await bronzeFromSql(wh, n('states'), { state: at(STATES, 'number'), abbr: "concat(char(65 + number % 26), char(65 + intDiv(number, 26)))", region: at(['South', 'West', 'Northeast', 'Midwest'], 'number'), population: `${h(1)} % 30000000 + 500000` }, STATES.length);
  // One city names a territory longer than every state name: an orphan, not a reason to drop the link.
  await bronzeFromSql(wh, n('cities'), {
    city_id: 'number + 1', city: "concat('City ', toString(number + 1))",
    state_name: `if(number = 77, 'Federated Territories of the Outer Islands', ${at(STATES, h(2))})`, inhabitants: `${h(3)} % 900000 + 1000`,
  }, 600);
  await bronzeFromSql(wh, n('countries'), { country: at(COUNTRIES, 'number'), iso2: 'concat(char(65 + number % 26), char(75 + intDiv(number, 26)))', continent: at(['Europe', 'Asia', 'Americas', 'Africa', 'Oceania'], 'number') }, COUNTRIES.length);
  // `partner` shares nothing with `country`; 30 of the 40 countries trade.
  await bronzeFromSql(wh, n('trade'), { trade_id: 'number + 1', partner: at(COUNTRIES, `${h(4)} % 30`), year: `2000 + ${h(5)} % 20`, value_musd: `toString(round(${h(6)} % 1000000 / 100, 2))` }, 2000);
  // Keyed by `state` like geo__states: 45 of the 50 states (a partial 1:1), and all 50 (equal sets).
  await bronzeFromSql(wh, n('state_area'), { state: at(STATES, 'number'), area_sq_mi: `toString(round(${h(7)} % 60000000 / 100, 1))`, water_pct: `toString(round(${h(8)} % 4000 / 100, 2))` }, 45);
  await bronzeFromSql(wh, n('state_capitals'), { state: at(STATES, 'number'), capital: "concat('Capital ', toString(number))", founded: `1700 + ${h(9)} % 200` }, STATES.length);
  return {
    keys: { [n('states')]: ['state'], [n('cities')]: ['city_id'], [n('countries')]: ['country'], [n('trade')]: ['trade_id'], [n('state_area')]: ['state'], [n('state_capitals')]: ['state'] },
    fks: [
      fk(`${n('cities')}.state_name`, `${n('states')}.state`),
      fk(`${n('trade')}.partner`, `${n('countries')}.country`),
      fk(`${n('state_area')}.state`, `${n('states')}.state`),
      fk(`${n('state_capitals')}.state`, `${n('states')}.state`),
    ],
    symmetric: [fk(`${n('state_capitals')}.state`, `${n('states')}.state`)],
  };
}

/** `client` -> `cust_key`: no shared name, values inside the key and covering most of it; a quantity inside the same range. */
export async function namelessReference(wh: Warehouse): Promise<PatternTruth> {
  const n = t('sales');
  await bronzeFromSql(wh, n('customers'), { cust_key: 'number + 1', cust_name: "concat('Customer ', toString(number + 1))", segment: at(['retail', 'trade', 'public'], h(10)) }, 400);
  await bronzeFromSql(wh, n('orders'), {
    order_no: 'number + 50001', client: `${h(11)} % 400 + 1`, units: `${h(12)} % 20 + 1`,
    amount: `toString(round(${h(13)} % 100000 / 100, 2))`, ordered: `toString(toDate('2023-01-01') + ${h(14)} % 365)`,
  }, 3000);
  return { keys: { [n('customers')]: ['cust_key'], [n('orders')]: ['order_no'] }, fks: [fk(`${n('orders')}.client`, `${n('customers')}.cust_key`)] };
}

/** Two unrelated lookups numbered 1..N (`id` both), and a table that really references both. */
export async function smallIdRanges(wh: Warehouse): Promise<PatternTruth> {
  const n = t('ref');
  await bronzeFromSql(wh, n('colors'), { id: 'number + 1', color_name: "concat('color ', toString(number + 1))" }, 12);
  await bronzeFromSql(wh, n('sizes'), { id: 'number + 1', size_label: at(['XS', 'S', 'M', 'L', 'XL', 'XXL', '3XL', '4XL'], 'number') }, 8);
  await bronzeFromSql(wh, n('items'), { id: 'number + 1', item_name: "concat('item ', toString(number))", color_id: `${h(15)} % 12 + 1`, size_id: `${h(16)} % 8 + 1` }, 500);
  return {
    keys: { [n('colors')]: ['id'], [n('sizes')]: ['id'], [n('items')]: ['id'] },
    fks: [fk(`${n('items')}.color_id`, `${n('colors')}.id`), fk(`${n('items')}.size_id`, `${n('sizes')}.id`)],
  };
}

/** Natural composite keys next to unique measures: (symbol, date) with a unique price and volume; (country, year) with a unique count. */
export async function naturalComposites(wh: Warehouse): Promise<PatternTruth> {
  const n = t('mkt');
  const symbols = ['AAPL', 'MSFT', 'AMZN', 'GOOG', 'META', 'NVDA', 'TSLA', 'JPM', 'V', 'XOM', 'WMT', 'KO', 'PEP', 'DIS', 'NKE', 'IBM'];
  await bronzeFromSql(wh, n('symbols'), { symbol: at(symbols, 'number'), company: "concat('Company ', toString(number))", sector: at(['tech', 'energy', 'consumer'], 'number') }, symbols.length);
  const q = '(SELECT s.number AS s, d.number AS d FROM numbers(16) AS s CROSS JOIN numbers(250) AS d)';
  await bronzeFromSql(wh, n('quotes'), {
    symbol: at(symbols, 's'), date: "toString(toDate('2022-01-03') + d)",
    open: `toString(round(10 + (${h(17, 's * 1000 + d')} % 10000000) / 10000, 4))`, close: `toString(round(10 + (${h(18, 's * 1000 + d')} % 10000000) / 10000, 4))`,
    volume: `toString(100000 + ${h(19, 's * 1000 + d')} % 900000000)`,
  }, 0, q);
  const e = '(SELECT c.number AS c, y.number AS y FROM numbers(40) AS c CROSS JOIN numbers(30) AS y)';
  await bronzeFromSql(wh, n('employment'), {
    country: at(COUNTRIES, 'c'), year: 'toString(1990 + y)', employed: `toString(50000 + ${h(20, 'c * 100 + y')} % 90000000)`, rate: `toString(round(${h(21, 'c * 100 + y')} % 3000 / 100, 2))`,
  }, 0, e);
  return {
    keys: { [n('symbols')]: ['symbol'], [n('quotes')]: ['symbol', 'date'], [n('employment')]: ['country', 'year'] },
    fks: [fk(`${n('quotes')}.symbol`, `${n('symbols')}.symbol`)],
  };
}

/** A composite key whose members sit at positions 10 and 11, and one with a text member longer than 24 characters. */
export async function wideKeys(wh: Warehouse): Promise<PatternTruth> {
  const n = t('wide');
  const r = '(SELECT s.number AS s, d.number AS d FROM numbers(30) AS s CROSS JOIN numbers(60) AS d)';
  const attrs: Record<string, string> = {};
  for (let i = 0; i < 10; i++) attrs[`m${i}`] = i % 2 ? `toString(${h(30 + i, 's * 100 + d')} % 7)` : at(['low', 'mid', 'high'], h(30 + i, 's * 100 + d'));
  await bronzeFromSql(wh, n('readings'), { ...attrs, station: "concat('ST', leftPad(toString(s), 3, '0'))", day: "toString(toDate('2024-01-01') + d)", level: `toString(round(${h(41, 's * 100 + d')} % 100000 / 1000, 3))` }, 0, r);
  const titles = Array.from({ length: 25 }, (_, i) => `Foundations of Applied Topic Number ${String(i + 1).padStart(2, '0')}`);
  const c = '(SELECT a.number AS a, b.number AS b FROM numbers(25) AS a CROSS JOIN numbers(8) AS b)';
  await bronzeFromSql(wh, n('courses'), { course_title: at(titles, 'a'), term: "concat(toString(2020 + intDiv(b, 2)), if(b % 2 = 0, '-spring', '-fall'))", enrolled: `toString(${h(42, 'a * 10 + b')} % 40 + 5)`, room: at(['A1', 'B2', 'C3'], h(43, 'a * 10 + b')) }, 0, c);
  return { keys: { [n('readings')]: ['station', 'day'], [n('courses')]: ['course_title', 'term'] }, fks: [] };
}

/** Decimals that are no phone numbers: latitudes, longitudes and ages with long fractions. */
export async function decimals(wh: Warehouse): Promise<PatternTruth> {
  const n = t('ppl');
  await bronzeFromSql(wh, n('people'), {
    person_id: 'number + 1', age: `toString(round(18 + ${h(50)} % 6000 / 100, 8))`,
    latitude: `toString(round(25 + ${h(51)} % 2400000000 / 100000000, 8))`, longitude: `toString(round(-125 + ${h(52)} % 5800000000 / 100000000, 8))`,
  }, 300);
  return { keys: { [n('people')]: ['person_id'] }, fks: [] };
}

export const PATTERNS: { name: string; make: (wh: Warehouse) => Promise<PatternTruth> }[] = [
  { name: 'text keys', make: textKeys },
  { name: 'nameless reference', make: namelessReference },
  { name: 'small id ranges', make: smallIdRanges },
  { name: 'natural composites', make: naturalComposites },
  { name: 'wide keys', make: wideKeys },
  { name: 'decimals', make: decimals },
];
