/**
 * The catalog: what discovery learned about every bronze table, plus the
 * user's decisions, in `.kimball/catalog/<database>.catalog.json`
 * (schema: schemas/catalog.schema.json). Downstream phases (model, build) read
 * only this shape.
 */

export interface Catalog {
  version: 1;
  /** The profiled database (bronze). */
  database: string;
  generatedAt: string;
  tables: CatalogTable[];
  /** Discovered and user-added relationships; status carries the user's decision. */
  relationships: Relationship[];
  /** User decisions, re-applied after every discovery. */
  decisions: Decisions;
}

export interface CatalogTable {
  /** Bronze table name, e.g. `shop__orders`. */
  name: string;
  /** Lineage from the load, when known. */
  source?: string;
  object?: string;
  rowCount: number;
  /** Profiling statistics estimated on a sample (facts below are still verified exactly). */
  sampled: boolean;
  /** Source columns only (lineage `_kimball_*` columns are left out). */
  columns: CatalogColumn[];
  /** Ranked; at most one has kind "primary". Every entry is verified exactly. */
  keys: KeyCandidate[];
  /** Exact functional dependencies among low-cardinality columns (for normalisation and hierarchies). */
  dependencies: FunctionalDependency[];
  /** null for an empty table: `qualityNote` says why there is no score. */
  quality: QualityScore | null;
  qualityNote?: string;
}

export interface CatalogColumn {
  /** Column name in bronze. */
  name: string;
  position: number;
  profile: ColumnProfile;
  inferred: InferredType;
  /**
   * Texts that mean "no value" in this column (e.g. `NA`, `N/A`, `#N/A`, `-`), compared exactly: NULL in
   * silver for every type, counted as missing (never as bad values). Discovery lists those it finds; the
   * user's list (decisions.missingTokens) wins. Absent in catalogs written before it existed: none.
   */
  missingTokens?: string[];
  quality: QualityScore | null;
  /** What the column is for (identifier, code, flag, measure, attribute, date, free text); absent in older catalogs. */
  role?: ColumnRole;
}

/** A column's semantic role, with the evidence that decided it (roles.ts). */
export interface ColumnRole {
  kind: 'identifier' | 'code' | 'flag' | 'measure' | 'attribute' | 'date' | 'text';
  evidence: string[];
}

export interface ColumnProfile {
  rows: number;
  /** Empty strings (bronze stores NULL as empty). */
  empty: number;
  distinct: number;
  /** True when `distinct` is exact, false when it is a sketch estimate. */
  distinctExact: boolean;
  minLength: number;
  maxLength: number;
  /** Share of non-empty values that parse as each kind, 0..1. */
  parseRates: Partial<Record<ParseKind, number>>;
  /** Share of non-empty values that match each pattern, 0..1. */
  patterns: Partial<Record<PatternKind, number>>;
  topValues: { value: string; count: number }[];
  numeric?: { min: number; max: number; mean: number; stddev: number; quantiles: Record<string, number> };
}

export type ParseKind = 'integer' | 'decimal' | 'float' | 'boolean' | 'date' | 'datetime' | 'uuid';
export type PatternKind = 'email' | 'url' | 'phone' | 'currency' | 'percent' | 'zeroPadded';

export interface InferredType {
  /** ClickHouse type for silver, without Nullable(): Int64, Decimal(18,2), Date32, DateTime64(3), UUID, Bool, LowCardinality(String), String, ... */
  type: string;
  /** Counted on the whole table: true when a value is empty, a missing token, or does not convert (all NULL in silver). */
  nullable: boolean;
  /**
   * SQL that converts the bronze string to `type`, written with the placeholder
   * `{col}` for the quoted bronze column, e.g. `toInt64OrNull({col})` or
   * `parseDateTime64BestEffortOrNull({col}, 3)`. Values that do not convert give NULL.
   */
  expression: string;
  /** Share of present values (neither empty nor a missing token) the expression converts, over the whole table, 0..1. */
  convertRate: number;
  confidence: number;
  /** Detected input format, e.g. `%m/%d/%Y`, for dates. */
  format?: string;
  /** Why this type, and anything undecidable (e.g. ambiguous day/month order). */
  notes: string[];
}

export interface QualityScore {
  /** 0..100, never outside. */
  score: number;
  dimensions: QualityDimension[];
}

export interface QualityDimension {
  name: 'completeness' | 'validity' | 'uniqueness' | 'consistency';
  score: number;
  reasons: string[];
  samples: string[];
  advice?: string;
}

export interface KeyCandidate {
  columns: string[];
  kind: 'primary' | 'candidate';
  confidence: number;
  /** How it was established: exact uniqueness and non-emptiness checks, and the ranking signals. */
  evidence: string[];
  /** Set when the user marked it. */
  userDefined?: boolean;
  /** Declared by the source (a PostgreSQL primary key or unique constraint): certain, whatever the ranking says. */
  declared?: boolean;
}

export interface FunctionalDependency {
  /** Determinant columns. */
  from: string[];
  /** Columns whose value is fixed by `from` in every row. */
  to: string[];
  /** Distinct values of the determinant. */
  fromDistinct: number;
}

export interface Relationship {
  /** Stable id: `<fromTable>.<cols>-><toTable>.<cols>`. */
  id: string;
  fromTable: string;
  fromColumns: string[];
  toTable: string;
  toColumns: string[];
  /** 0..1 */
  confidence: number;
  status: 'proposed' | 'accepted' | 'rejected';
  cardinality: 'many-to-one' | 'one-to-one';
  /** Share of from-rows whose value is empty (an optional reference). */
  nullRate: number;
  evidence: RelationshipEvidence;
  userDefined?: boolean;
  /** Declared by the source (a PostgreSQL foreign key). */
  declared?: boolean;
  /**
   * `reference`: many rows point at one key row (a foreign key); `shared-key`: both columns are keys of
   * their tables and hold the same entities (a 1:1 extension, e.g. two tables keyed by `state`).
   */
  kind?: 'reference' | 'shared-key';
}

export interface RelationshipEvidence {
  /** Share of distinct non-empty from-values found in the target, exact. */
  containment: number;
  orphans: number;
  nameSimilarity: number;
  targetIsKey: boolean;
  fromDistinct: number;
  toDistinct: number;
  notes: string[];
  /** Share of the target key's values that the from-column uses (inclusion the other way), exact. */
  coverage?: number;
  /** The evidence fed to the confidence model, by name (relationship-score.ts). */
  features?: Record<string, number>;
  /** Each feature's term in the model's log-odds (weight x value), and `intercept`: they sum to logit(confidence). */
  contributions?: Record<string, number>;
}

export interface Decisions {
  /** Relationship id -> the user's verdict. */
  relationships: Record<string, 'accepted' | 'rejected'>;
  /** Table -> columns the user made its primary key. */
  primaryKeys: Record<string, string[]>;
  /** `table.column` -> the type (and optionally the expression) the user chose. */
  typeOverrides: Record<string, { type: string; expression?: string }>;
  /** `table.column` -> silver column name the user chose. */
  renames: Record<string, string>;
  /** `table.column` -> the missing-value tokens the user chose (an empty list: every non-empty text is a value). */
  missingTokens?: Record<string, string[]>;
}
