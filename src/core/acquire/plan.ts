/**
 * Column plan of one load: which bronze column each source column goes to.
 * Columns of the previous load keep their bronze names (matched by original
 * name, then by sanitized name); new ones get fresh unique names and are
 * appended; previous ones the new version lacks stay (loaded empty) and are
 * reported missing. Bronze keeps the union: nothing is dropped silently.
 */
import { LINEAGE_COLUMNS, NULLS_COLUMN, sanitizeName } from './names';

export interface BronzeColumn {
  name: string;
  original: string;
}

export class ColumnPlan {
  /** Staging columns in table order. */
  readonly columns: BronzeColumn[];
  /** Originals new in this load (only when there was a previous load). */
  readonly added: string[] = [];
  private readonly used: Set<string>;
  private readonly unmatched: BronzeColumn[];
  private readonly byOriginal = new Map<string, number>();
  private readonly hadPrevious: boolean;

  constructor(previous: BronzeColumn[] | undefined) {
    this.hadPrevious = previous !== undefined;
    this.columns = [...(previous ?? [])];
    this.unmatched = [...this.columns];
    this.used = new Set<string>([...LINEAGE_COLUMNS, NULLS_COLUMN, ...this.columns.map((c) => c.name)]);
  }

  /** Map source columns in order (duplicates allowed); returns the column index of each. */
  mapAll(originals: readonly string[]): number[] {
    const taken = new Set<BronzeColumn>();
    const exact = originals.map((o) => {
      const c = this.unmatched.find((u) => !taken.has(u) && u.original === o);
      if (c) taken.add(c);
      return c;
    });
    const bySanitized = exact.map((c, i) => {
      if (c) return c;
      const s = sanitizeName(originals[i]);
      const m = s ? this.unmatched.find((u) => !taken.has(u) && u.name === s) : undefined;
      if (m) taken.add(m);
      return m;
    });
    const index = originals.map((o, i) => {
      const c = bySanitized[i];
      const idx = c ? this.columns.indexOf(c) : this.add(o, i);
      if (!this.byOriginal.has(o)) this.byOriginal.set(o, idx);
      return idx;
    });
    for (const c of taken) this.unmatched.splice(this.unmatched.indexOf(c), 1);
    return index;
  }

  /** The column of one named source column (keyed records), added when new. */
  indexOf(original: string): number | undefined {
    return this.byOriginal.get(original);
  }

  /** Map one new original (keyed records: JSON, XML). */
  resolve(original: string): number {
    const known = this.byOriginal.get(original);
    if (known !== undefined) return known;
    return this.mapAll([original])[0];
  }

  private add(original: string, position: number): number {
    const base = sanitizeName(original) || `column_${position + 1}`;
    let name = base;
    for (let n = 2; this.used.has(name); n++) name = `${base}_${n}`;
    this.used.add(name);
    this.columns.push({ name, original });
    if (this.hadPrevious) this.added.push(original);
    return this.columns.length - 1;
  }

  /** Columns of the previous load that this load never filled. */
  get missing(): string[] {
    return this.unmatched.map((c) => c.original);
  }
}
