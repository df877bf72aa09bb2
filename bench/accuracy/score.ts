/**
 * Scores one dataset's catalog, ERD and star against its ground truth. Pure: reads only the public
 * shapes (Catalog, ErdModel, StarModel) and the truth, through a name mapping from the truth's
 * source names to the bronze names the load gave them.
 */
import type { Catalog } from '../../src/core/discover/catalog-types';
import type { ErdModel, StarModel } from '../../src/core/model/model-types';
import { columnTruth, type DatasetTruth, type ForeignKeyTruth, type Part, type TypeName } from './truth';

/** Relationships at or above this confidence count as found. */
export const FOUND_AT = 0.5;
/** Reliability bins: [lower, upper) except the last, which includes 1.0. */
export const BINS = [0.5, 0.6, 0.7, 0.8, 0.9] as const;

/** truth table -> bronze table; (truth table, source column) -> bronze column. */
export interface NameMap {
  table(t: string): string | undefined;
  column(t: string, c: string): string | undefined;
}

export interface Tally {
  correct: number;
  total: number;
}

export interface DatasetScore {
  name: string;
  part: Part | 'synthetic';
  load: string;
  tables: number;
  rows: number;
  ms: { load: number; discover: number; model: number };
  pk: { single: Tally; composite: Tally; undocumentedChosen: number; misses: string[] };
  fk: { tp: number; fp: number; fn: number; acceptable: number; missed: string[]; falsePositives: string[] };
  /** Every relationship at >= FOUND_AT that is not an acceptable extra: its confidence and whether it is documented. */
  found: { confidence: number; correct: boolean }[];
  /** Documented foreign keys proposed below FOUND_AT (found but not trusted). */
  belowThreshold: number;
  /** Relationships proposed below FOUND_AT (not acceptable extras), and how many of them are documented. */
  below: Tally;
  types: Tally & { wrong: string[] };
  /** Column roles the catalog states (CatalogColumn.role, where discovery writes one) against documented roles. */
  roles: Tally & { wrong: string[] };
  measures: { summed: number; correct: number; errors: string[]; unlabelled: number; recall: Tally; missed: string[] };
  tableRoles: Tally & { wrong: string[] };
  /** Where the data disagrees with its documentation (a documented key with duplicates, an orphaned reference). */
  truthCheck: string[];
  /** The dataset could not be built or loaded (the run fails). */
  error?: string;
  /** Discovery or modelling threw on this dataset: reported, the run goes on. */
  crash?: string;
}

export function emptyScore(name: string, part: DatasetScore['part'], load: string): DatasetScore {
  return {
    name, part, load, tables: 0, rows: 0, ms: { load: 0, discover: 0, model: 0 },
    pk: { single: { correct: 0, total: 0 }, composite: { correct: 0, total: 0 }, undocumentedChosen: 0, misses: [] },
    fk: { tp: 0, fp: 0, fn: 0, acceptable: 0, missed: [], falsePositives: [] },
    found: [], belowThreshold: 0, below: { correct: 0, total: 0 },
    types: { correct: 0, total: 0, wrong: [] },
    roles: { correct: 0, total: 0, wrong: [] },
    measures: { summed: 0, correct: 0, errors: [], unlabelled: 0, recall: { correct: 0, total: 0 }, missed: [] },
    tableRoles: { correct: 0, total: 0, wrong: [] },
    truthCheck: [],
  };
}

/** A relationship or documented FK as comparable text: column pairs sorted, so composite column order does not matter. */
export function fkKey(fromTable: string, fromColumns: string[], toTable: string, toColumns: string[]): string {
  const pairs = fromColumns.map((c, i) => `${c}=${toColumns[i]}`).sort();
  return `${fromTable}(${pairs.map((p) => p.split('=')[0]).join(',')})->${toTable}(${pairs.map((p) => p.split('=')[1]).join(',')})`;
}

const sameSet = (a: string[], b: string[]) => a.length === b.length && [...a].sort().join('\u0000') === [...b].sort().join('\u0000');

/** The value family of a ClickHouse type, for comparison with documented types. */
export function typeFamily(chType: string): TypeName | 'uuid' | 'other' {
  let t = chType.trim();
  for (;;) {
    const m = /^(Nullable|LowCardinality)\((.*)\)$/.exec(t);
    if (!m) break;
    t = m[2];
  }
  if (/^U?Int\d+$/.test(t)) return 'integer';
  if (/^(Decimal|Float)/.test(t)) return 'number';
  if (/^Date(32)?$/.test(t)) return 'date';
  if (/^DateTime/.test(t)) return 'datetime';
  if (/^Bool/.test(t)) return 'boolean';
  if (t === 'UUID') return 'uuid';
  if (/^(String|FixedString|Enum)/.test(t)) return 'string';
  return 'other';
}

function typeAccepted(family: string, documented: TypeName[]): boolean {
  return documented.some((d) => d === family || (d === 'number' && family === 'integer'));
}

export function scoreDataset(score: DatasetScore, truth: DatasetTruth, names: NameMap, catalog: Catalog, erd: ErdModel | undefined, star: StarModel | undefined): void {
  const fkName = (fk: ForeignKeyTruth) => `${fk.from}(${fk.columns.join(',')}) -> ${fk.to}(${fk.toColumns.join(',')})`;
  const mapFk = (fk: ForeignKeyTruth): string | undefined => {
    const from = names.table(fk.from);
    const to = names.table(fk.to);
    const fc = fk.columns.map((c) => names.column(fk.from, c));
    const tc = fk.toColumns.map((c) => names.column(fk.to, c));
    if (!from || !to || fc.some((c) => !c) || tc.some((c) => !c)) return undefined;
    return fkKey(from, fc as string[], to, tc as string[]);
  };
  const tablesByBronze = new Map(catalog.tables.map((t) => [t.name, t]));
  const truthByBronze = new Map<string, string>();
  for (const t of Object.keys(truth.tables)) {
    const b = names.table(t);
    if (b) truthByBronze.set(b, t);
  }
  const sourceColumn = (t: string, bronzeCol: string): string | undefined => {
    const cols = truth.tables[t].columns ? Object.keys(truth.tables[t].columns ?? {}) : [];
    const bt = tablesByBronze.get(names.table(t) ?? '');
    // Documented names first, then every bronze column whose mapping comes back to itself.
    for (const c of cols) if (names.column(t, c) === bronzeCol) return c;
    return bt?.columns.some((c) => c.name === bronzeCol) ? bronzeCol : undefined;
  };

  // Primary keys.
  for (const [t, tt] of Object.entries(truth.tables)) {
    const bt = tablesByBronze.get(names.table(t) ?? '');
    const primary = bt?.keys.find((k) => k.kind === 'primary');
    if (!tt.primaryKey) {
      if (primary) score.pk.undocumentedChosen++;
      continue;
    }
    const tally = tt.primaryKey.length > 1 ? score.pk.composite : score.pk.single;
    tally.total++;
    const accepted = [tt.primaryKey, ...(tt.alternateKeys ?? [])].map((k) => k.map((c) => names.column(t, c) ?? `?${c}`));
    if (primary && accepted.some((k) => sameSet(k, primary.columns))) tally.correct++;
    else score.pk.misses.push(`${t}: chose ${primary ? primary.columns.join(',') : 'none'}, documented ${tt.primaryKey.join(',')}${tt.alternateKeys?.length ? ` (or ${tt.alternateKeys.map((k) => k.join(',')).join(' / ')})` : ''}`);
  }

  // Foreign keys.
  const documented = new Map<string, ForeignKeyTruth>();
  for (const fk of truth.foreignKeys) {
    const k = mapFk(fk);
    if (!k) {
      score.truthCheck.push(`foreign key ${fkName(fk)} names a table or column that was not loaded`);
      continue;
    }
    documented.set(k, fk);
    if (fk.symmetric) {
      const rev = mapFk({ ...fk, from: fk.to, columns: fk.toColumns, to: fk.from, toColumns: fk.columns });
      if (rev) documented.set(rev, fk);
    }
  }
  const acceptable = new Set((truth.acceptable ?? []).map(mapFk).filter((k): k is string => !!k));
  const hit = new Set<ForeignKeyTruth>();
  const hitBelow = new Set<ForeignKeyTruth>();
  for (const r of catalog.relationships) {
    if (r.status === 'rejected') continue;
    const k = fkKey(r.fromTable, r.fromColumns, r.toTable, r.toColumns);
    const fk = documented.get(k);
    if (r.confidence < FOUND_AT) {
      if (fk) hitBelow.add(fk);
      if (!acceptable.has(k)) {
        score.below.total++;
        if (fk) score.below.correct++;
      }
      continue;
    }
    if (fk) {
      if (!hit.has(fk)) score.found.push({ confidence: r.confidence, correct: true });
      hit.add(fk);
    } else if (acceptable.has(k)) score.fk.acceptable++;
    else {
      score.found.push({ confidence: r.confidence, correct: false });
      score.fk.fp++;
      score.fk.falsePositives.push(`${k} (${r.confidence.toFixed(2)})`);
    }
  }
  score.fk.tp = hit.size;
  for (const fk of truth.foreignKeys) {
    if (hit.has(fk) || !mapFk(fk)) continue;
    score.fk.fn++;
    if (hitBelow.has(fk)) score.belowThreshold++;
    score.fk.missed.push(`${fkName(fk)}${hitBelow.has(fk) ? ' (proposed below 0.5)' : ''}${fk.partial ? ' [partial]' : ''}`);
  }

  // Types.
  for (const [t, tt] of Object.entries(truth.tables)) {
    const bt = tablesByBronze.get(names.table(t) ?? '');
    if (!bt) continue;
    for (const col of bt.columns) {
      const src = sourceColumn(t, col.name);
      if (!src) continue;
      const { types, role } = columnTruth(tt, src);
      // Read without depending on the field: catalogs written before column roles have none.
      const stated = (col as { role?: { kind?: string } }).role?.kind;
      if (role && stated) {
        score.roles.total++;
        if (stated === role) score.roles.correct++;
        else score.roles.wrong.push(`${t}.${src}: ${stated}, documented ${role}`);
      }
      if (!types) continue;
      score.types.total++;
      const fam = typeFamily(col.inferred.type);
      if (typeAccepted(fam, types)) score.types.correct++;
      else score.types.wrong.push(`${t}.${src}: ${col.inferred.type}, documented ${types.join('|')}`);
    }
  }

  if (!erd || !star) return;
  const entityTable = new Map(erd.entities.map((e) => [e.name, e]));
  const truthTableOfEntity = (entity: string): string | undefined => {
    const src = entityTable.get(entity)?.sourceTable;
    return src ? truthByBronze.get(src) : undefined;
  };

  // Measures: summed measures against documented roles; documented measures of documented facts proposed at all.
  const proposed = new Set<string>();
  for (const f of star.facts) {
    const e = entityTable.get(f.entity);
    const t = truthTableOfEntity(f.entity);
    if (!e || !t) continue;
    for (const m of f.measures) {
      const bronzeCol = e.columns.find((c) => c.name === m.column)?.source?.column;
      const src = bronzeCol ? sourceColumn(t, bronzeCol) : undefined;
      if (src) proposed.add(`${t}.${src}`);
      if (m.aggregation !== 'sum') continue;
      score.measures.summed++;
      const role = src ? columnTruth(truth.tables[t], src).role : undefined;
      if (!role) score.measures.unlabelled++;
      else if (role === 'measure') score.measures.correct++;
      else score.measures.errors.push(`${t}.${src} summed, documented ${role}`);
    }
  }
  for (const [t, tt] of Object.entries(truth.tables)) {
    if (tt.role !== 'fact') continue;
    const bt = tablesByBronze.get(names.table(t) ?? '');
    for (const col of bt?.columns ?? []) {
      const src = sourceColumn(t, col.name);
      if (!src || columnTruth(tt, src).role !== 'measure') continue;
      score.measures.recall.total++;
      if (proposed.has(`${t}.${src}`)) score.measures.recall.correct++;
      else score.measures.missed.push(`${t}.${src}`);
    }
  }

  // Fact or dimension: a table is a fact when a fact is built from it or folds it in as its header.
  const predicted = new Map<string, 'fact' | 'dimension'>();
  for (const d of star.dimensions) {
    for (const e of [d.entity, ...d.collapsed]) {
      const t = e ? truthTableOfEntity(e) : undefined;
      if (t) predicted.set(t, 'dimension');
    }
  }
  for (const f of star.facts) {
    for (const e of [f.entity, ...(f.headerDegenerate ?? []).map((h) => h.via.entity)]) {
      const t = truthTableOfEntity(e);
      if (t) predicted.set(t, 'fact');
    }
  }
  for (const [t, tt] of Object.entries(truth.tables)) {
    if (tt.role !== 'fact' && tt.role !== 'dimension') continue;
    score.tableRoles.total++;
    const got = predicted.get(t) ?? 'neither';
    if (got === tt.role) score.tableRoles.correct++;
    else score.tableRoles.wrong.push(`${t}: ${got}, documented ${tt.role}`);
  }
}

export interface PartSummary {
  datasets: number;
  tables: number;
  pkSingle: Tally;
  pkComposite: Tally;
  fk: { tp: number; fp: number; fn: number; precision: number; recall: number };
  calibration: { bin: string; count: number; correct: number; share: number | null }[];
  /** Relationships proposed below 0.5, and how many are documented. */
  below: Tally;
  types: Tally;
  roles: Tally;
  measures: { summed: number; correct: number; precision: number | null; recall: Tally };
  tableRoles: Tally;
  failed: string[];
  crashed: string[];
}

const ratio = (a: number, b: number): number | null => (b > 0 ? a / b : null);

export function summarize(scores: DatasetScore[]): PartSummary {
  const sum = (f: (s: DatasetScore) => number) => scores.reduce((a, s) => a + f(s), 0);
  const tp = sum((s) => s.fk.tp);
  const fp = sum((s) => s.fk.fp);
  const fn = sum((s) => s.fk.fn);
  const found = scores.flatMap((s) => s.found);
  const calibration = BINS.map((lo, i) => {
    const hi = i + 1 < BINS.length ? BINS[i + 1] : 1.0001;
    const inBin = found.filter((f) => f.confidence >= lo && f.confidence < hi);
    const correct = inBin.filter((f) => f.correct).length;
    return { bin: `${lo.toFixed(1)}-${Math.min(hi, 1).toFixed(1)}`, count: inBin.length, correct, share: ratio(correct, inBin.length) };
  });
  const summed = sum((s) => s.measures.summed - s.measures.unlabelled);
  const correctMeasures = sum((s) => s.measures.correct);
  return {
    datasets: scores.length,
    tables: sum((s) => s.tables),
    pkSingle: { correct: sum((s) => s.pk.single.correct), total: sum((s) => s.pk.single.total) },
    pkComposite: { correct: sum((s) => s.pk.composite.correct), total: sum((s) => s.pk.composite.total) },
    fk: { tp, fp, fn, precision: tp + fp ? tp / (tp + fp) : 0, recall: tp + fn ? tp / (tp + fn) : 0 },
    calibration,
    below: { correct: sum((s) => s.below.correct), total: sum((s) => s.below.total) },
    types: { correct: sum((s) => s.types.correct), total: sum((s) => s.types.total) },
    roles: { correct: sum((s) => s.roles.correct), total: sum((s) => s.roles.total) },
    measures: { summed, correct: correctMeasures, precision: ratio(correctMeasures, summed), recall: { correct: sum((s) => s.measures.recall.correct), total: sum((s) => s.measures.recall.total) } },
    tableRoles: { correct: sum((s) => s.tableRoles.correct), total: sum((s) => s.tableRoles.total) },
    failed: scores.filter((s) => s.error).map((s) => `${s.name}: ${s.error}`),
    crashed: scores.filter((s) => s.crash).map((s) => `${s.name}: ${s.crash}`),
  };
}
