/**
 * The one message protocol between the model editors' extension side
 * (src/vscode/editors) and their webviews (webview/erd, webview/star).
 * Every message that crosses is checked at runtime by `parseHostMessage` /
 * `parseWebviewMessage`: a malformed message is dropped with a logged reason,
 * never half-applied.
 */
import type { ErdEdit, StarEdit } from '../../src/core/model/edits';
import type { Entity, ErdModel, StarModel } from '../../src/core/model/model-types';
import { arr, bool, int, isRecord, lit, nonEmpty, num, obj, rec, str, tagged, type Check, type Problem } from './check';
import { checkErd, checkStar, entity } from './model-check';

export type ModelKind = 'erd' | 'star';

/** A file that cannot be drawn: where (JSON pointer, line when known) and why. */
export interface ModelError {
  message: string;
  path: string;
  line?: number;
}

// ---------------------------------------------------------------- host -> webview
export type HostMessage =
  | { type: 'erd'; model: ErdModel }
  | { type: 'star'; model: StarModel }
  | { type: 'invalid'; kind: ModelKind; error: ModelError }
  /**
   * Star editor only: the entities of the ERD the star was designed from (its `erd` file), so new facts,
   * dimensions, measures and references offer real columns; `erd` null with `problem` when it cannot be read.
   */
  | { type: 'erdContext'; erd: string | null; entities: Entity[]; problem?: string }
  /** An edit the extension refused (stale or invalid): shown, and the model is re-sent. */
  | { type: 'notice'; level: 'info' | 'error'; message: string };

// ---------------------------------------------------------------- webview -> host
export type WebviewMessage =
  | { type: 'ready' }
  | { type: 'edit'; kind: 'erd'; edit: ErdEdit }
  | { type: 'edit'; kind: 'star'; edit: StarEdit }
  /** "Open as text" on the error view. */
  | { type: 'openText' }
  /** "Export…" in the toolbar: the extension runs Kimball: Export Model on this file. */
  | { type: 'export' };

export type Parsed<T> = { ok: true; message: T } | { ok: false; problem: Problem };

const point = obj({ x: num, y: num });
const moveEntity = obj({ entity: nonEmpty, x: num, y: num });
const setPositions = obj({ positions: rec(point) });
const column = obj({ name: nonEmpty, type: nonEmpty, nullable: bool });
const end = obj({ entity: nonEmpty, columns: arr(nonEmpty) });

const erdEdit: Check = tagged('op', {
  moveEntity,
  setPositions,
  addEntity: moveEntity,
  renameEntity: obj({ entity: nonEmpty, newName: nonEmpty }),
  deleteEntity: obj({ entity: nonEmpty }),
  addColumn: obj({ entity: nonEmpty, column }),
  updateColumn: obj({
    entity: nonEmpty,
    column: nonEmpty,
    changes: obj({ 'name?': nonEmpty, 'type?': nonEmpty, 'nullable?': bool }),
  }),
  removeColumn: obj({ entity: nonEmpty, column: nonEmpty }),
  setPrimaryKey: obj({ entity: nonEmpty, columns: arr(nonEmpty) }),
  addRelationship: obj({
    relationship: obj({ name: nonEmpty, from: end, to: end, cardinality: lit('one-to-one', 'many-to-one'), optional: bool }),
  }),
  updateRelationship: obj({
    relationship: nonEmpty,
    changes: obj({ 'name?': nonEmpty, 'cardinality?': lit('one-to-one', 'many-to-one'), 'optional?': bool }),
  }),
  deleteRelationship: obj({ relationship: nonEmpty }),
  decideDecomposition: obj({ id: nonEmpty, accept: bool }),
});

const aggregation = lit('sum', 'count', 'avg', 'min', 'max', 'countDistinct');
const additivity = lit('additive', 'semi-additive', 'non-additive');
const names = arr(nonEmpty);

const starEdit: Check = tagged('op', {
  moveEntity,
  setPositions,
  addFact: obj({ fact: nonEmpty, entity: nonEmpty, grain: names, x: num, y: num }),
  addDimension: obj({
    dimension: nonEmpty,
    entity: nonEmpty,
    naturalKey: names,
    attributes: arr(obj({ name: nonEmpty, column: nonEmpty, type: nonEmpty, 'entity?': nonEmpty })),
    x: num,
    y: num,
  }),
  setNaturalKey: obj({ dimension: nonEmpty, columns: names }),
  addMeasure: obj({ fact: nonEmpty, measure: obj({ name: nonEmpty, column: nonEmpty, aggregation, additivity }) }),
  removeMeasure: obj({ fact: nonEmpty, measure: nonEmpty }),
  addDegenerate: obj({ fact: nonEmpty, column: nonEmpty }),
  removeDegenerate: obj({ fact: nonEmpty, column: nonEmpty }),
  addReference: obj({ fact: nonEmpty, reference: obj({ dimension: nonEmpty, role: nonEmpty, columns: names }) }),
  removeReference: obj({ fact: nonEmpty, role: nonEmpty }),
  renameFact: obj({ fact: nonEmpty, newName: nonEmpty }),
  renameDimension: obj({ dimension: nonEmpty, newName: nonEmpty }),
  setScdType: obj({ dimension: nonEmpty, scdType: lit(1, 2) }),
  updateMeasure: obj({ fact: nonEmpty, measure: nonEmpty, 'newName?': nonEmpty, 'column?': nonEmpty, 'aggregation?': aggregation, 'additivity?': additivity }),
  setRole: obj({ fact: nonEmpty, index: int, role: nonEmpty }),
  deleteFact: obj({ fact: nonEmpty }),
  deleteDimension: obj({ dimension: nonEmpty }),
  addHierarchy: obj({ dimension: nonEmpty, hierarchy: nonEmpty, levels: names }),
  renameHierarchy: obj({ dimension: nonEmpty, hierarchy: nonEmpty, newName: nonEmpty }),
  removeHierarchy: obj({ dimension: nonEmpty, hierarchy: nonEmpty }),
  addLevel: obj({ dimension: nonEmpty, hierarchy: nonEmpty, attribute: nonEmpty, 'at?': int }),
  removeLevel: obj({ dimension: nonEmpty, hierarchy: nonEmpty, attribute: nonEmpty }),
  moveLevel: obj({ dimension: nonEmpty, hierarchy: nonEmpty, attribute: nonEmpty, to: int }),
});

const webviewMessage: Check = tagged('type', {
  ready: obj({}),
  openText: obj({}),
  export: obj({}),
  edit: (v, p) => {
    const kind = isRecord(v) ? v.kind : undefined;
    if (kind === 'erd') return obj({ edit: erdEdit })(v, p);
    if (kind === 'star') return obj({ edit: starEdit })(v, p);
    return { path: `${p}/kind`, message: 'must be "erd" or "star"' };
  },
});

const hostShape: Check = tagged('type', {
  erd: obj({ model: obj({}) }),
  star: obj({ model: obj({}) }),
  invalid: obj({ kind: lit('erd', 'star'), error: obj({ message: str, path: str, 'line?': int }) }),
  notice: obj({ level: lit('info', 'error'), message: str }),
  erdContext: obj({ erd: (v, p) => (v === null ? null : nonEmpty(v, p)), entities: arr(entity), 'problem?': str }),
});

/** Extension side: check a message from the webview before acting on it. */
export function parseWebviewMessage(v: unknown): Parsed<WebviewMessage> {
  const problem = webviewMessage(v, '');
  return problem ? { ok: false, problem } : { ok: true, message: v as WebviewMessage };
}

/**
 * Webview side: check a message from the extension. A model message whose
 * model fails the checks becomes an `invalid` message, so the canvas shows the
 * error instead of drawing half a model.
 */
export function parseHostMessage(v: unknown): Parsed<HostMessage> {
  const problem = hostShape(v, '');
  if (problem) return { ok: false, problem };
  const m = v as HostMessage;
  if (m.type === 'erd' || m.type === 'star') {
    const c = m.type === 'erd' ? checkErd(m.model) : checkStar(m.model);
    if (!c.ok) return { ok: true, message: { type: 'invalid', kind: m.type, error: { message: c.problem.message, path: c.problem.path || '/' } } };
  }
  return { ok: true, message: m };
}

export function describeProblem(p: Problem): string {
  return `${p.path || '/'}: ${p.message}`;
}
