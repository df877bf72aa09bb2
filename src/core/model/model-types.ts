/**
 * Model files: the silver ERD (`models/<name>.erd.json`) and the gold star
 * schema (`models/<name>.star.json`), schemas in schemas/erd.schema.json and
 * schemas/star.schema.json. Diagram positions live in `layout` so moving a box
 * touches nothing else.
 */

export interface Point {
  x: number;
  y: number;
}

export interface Layout {
  /** Box name -> top-left position. */
  positions: Record<string, Point>;
}

export interface ErdModel {
  version: 1;
  kind: 'erd';
  name: string;
  /** Catalog it was proposed from (workspace-relative path). */
  catalog?: string;
  entities: Entity[];
  relationships: ErdRelationship[];
  /** Subject areas. */
  groups: { name: string; entities: string[] }[];
  /** Denormalisation found in the data, with the decomposition proposed. */
  decompositions: Decomposition[];
  layout: Layout;
  /** What proposing again changed or dropped of the user's edits, one line each, newest last (see notes.ts). */
  notes?: string[];
}

export interface Entity {
  /** Silver table name. */
  name: string;
  /** Bronze table it is built from; absent for an entity split out by a decomposition. */
  sourceTable?: string;
  /** For split-out entities: the entity whose rows it is derived from (SELECT DISTINCT). */
  derivedFrom?: string;
  description?: string;
  columns: EntityColumn[];
  primaryKey: string[];
}

export interface EntityColumn {
  name: string;
  /** ClickHouse type, without Nullable(). */
  type: string;
  nullable: boolean;
  /** Bronze column it is converted from and the conversion, `{col}` standing for that column. */
  source?: { column: string; expression: string };
  description?: string;
}

export interface ErdRelationship {
  name: string;
  /** The referencing (many) side. */
  from: { entity: string; columns: string[] };
  /** The referenced (one) side: a key of `to.entity`. */
  to: { entity: string; columns: string[] };
  cardinality: 'one-to-one' | 'many-to-one';
  /** True when the reference may be empty. */
  optional: boolean;
  /** Catalog relationship id it came from. */
  catalogId?: string;
}

export interface Decomposition {
  id: string;
  entity: string;
  /** Determinant columns that stay in `entity` as a foreign key. */
  key: string[];
  /** Columns that move out to the new entity. */
  columns: string[];
  newEntity: string;
  status: 'proposed' | 'accepted' | 'rejected';
  reason: string;
}

export interface StarModel {
  version: 1;
  kind: 'star';
  name: string;
  /** ERD it was designed from (workspace-relative path). */
  erd?: string;
  facts: Fact[];
  dimensions: Dimension[];
  layout: Layout;
  /** What designing again changed or dropped of the user's edits, one line each, newest last (see notes.ts). */
  notes?: string[];
}

export type Aggregation = 'sum' | 'count' | 'avg' | 'min' | 'max' | 'countDistinct';
export type Additivity = 'additive' | 'semi-additive' | 'non-additive';

export interface Fact {
  name: string;
  /** ERD entity the fact rows come from. */
  entity: string;
  /** Columns of `entity` that identify one fact row. */
  grain: string[];
  grainDescription: string;
  measures: { name: string; column: string; aggregation: Aggregation; additivity: Additivity }[];
  /** References to dimensions: the fact's columns that hold the dimension's natural key. */
  dimensions: DimensionRef[];
  /** Identifiers kept on the fact without a dimension (order numbers). */
  degenerate: string[];
  /**
   * Columns of a header entity the fact's rows join to (order lines -> orders), copied onto the fact:
   * the header's identifiers and low-cardinality descriptors (order_number, status).
   */
  headerDegenerate?: { via: HeaderJoin; columns: string[] }[];
  reason: string;
}

/** Join from the fact's entity to a header entity: the fact's columns `from` reference the header's key `to`. */
export interface HeaderJoin {
  entity: string;
  from: string[];
  to: string[];
}

export interface DimensionRef {
  dimension: string;
  /** Role name for role-playing dimensions (e.g. order_date, ship_date); defaults to the dimension. */
  role: string;
  /** Columns holding the dimension's natural key: of the fact's entity, or of `via.entity` when set. */
  columns: string[];
  /** The reference is held by the header the fact's rows join to (a line inherits its order's customer). */
  via?: HeaderJoin;
}

export interface Dimension {
  name: string;
  /** ERD entity the members come from; absent for the generated date dimension. */
  entity?: string;
  generated?: 'date';
  naturalKey: string[];
  surrogateKey: string;
  attributes: { name: string; column: string; type: string; entity?: string }[];
  scdType: 1 | 2;
  /** SCD2: attributes whose change opens a new version (default: all). */
  tracked?: string[];
  /**
   * SCD2: a date or time column of the dimension's entity that says when a change took effect (an
   * `updated_at`): a new version is valid from its value. Absent: from the load time of the change.
   */
  effectiveFrom?: string;
  /** Snowflaked ERD entities folded into this dimension. */
  collapsed: string[];
  hierarchies: Hierarchy[];
  reason: string;
}

export interface Hierarchy {
  name: string;
  /** Root to leaf, e.g. country -> state -> city. */
  levels: { name: string; attribute: string; cardinality: number }[];
}
