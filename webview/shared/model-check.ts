/**
 * Structure and references of ERD and star models, checked before anything is
 * drawn (both sides: the extension before sending, the webview on receipt), so
 * an invalid file shows an error naming the JSON path, never a blank canvas.
 * The JSON Schema (when registered) is stricter on fields; this adds the
 * cross references a schema cannot express (dangling ends, duplicate names).
 */
import type { ErdModel, StarModel } from '../../src/core/model/model-types';
import { arr, bool, int, lit, nonEmpty, num, obj, rec, str, type Check, type Problem } from './check';

export type Checked<T> = { ok: true; model: T } | { ok: false; problem: Problem };

const point = obj({ x: num, y: num });
const layout = obj({ positions: rec(point) });
const names = arr(nonEmpty);

const column = obj({ name: nonEmpty, type: nonEmpty, nullable: bool, 'source?': obj({ column: str, expression: str }), 'description?': str });
/** One ERD entity (also what the star editor is sent of its source ERD). */
export const entity = obj({
  name: nonEmpty,
  'sourceTable?': str,
  'derivedFrom?': str,
  'description?': str,
  columns: arr(column),
  primaryKey: names,
});
const end = obj({ entity: nonEmpty, columns: names });
const relationship = obj({
  name: nonEmpty,
  from: end,
  to: end,
  cardinality: lit('one-to-one', 'many-to-one'),
  optional: bool,
  'catalogId?': str,
});
const decomposition = obj({
  id: str,
  entity: str,
  key: names,
  columns: names,
  newEntity: str,
  status: lit('proposed', 'accepted', 'rejected'),
  reason: str,
});
const erdShape: Check = obj({
  version: lit(1),
  kind: lit('erd'),
  name: nonEmpty,
  'catalog?': str,
  entities: arr(entity),
  relationships: arr(relationship),
  groups: arr(obj({ name: str, entities: names })),
  decompositions: arr(decomposition),
  layout,
  'notes?': arr(str),
});

const measure = obj({
  name: nonEmpty,
  column: str,
  aggregation: lit('sum', 'count', 'avg', 'min', 'max', 'countDistinct'),
  additivity: lit('additive', 'semi-additive', 'non-additive'),
});
const headerJoin = obj({ entity: nonEmpty, from: names, to: names });
const fact = obj({
  name: nonEmpty,
  entity: str,
  grain: names,
  grainDescription: str,
  measures: arr(measure),
  dimensions: arr(obj({ dimension: nonEmpty, role: nonEmpty, columns: names, 'via?': headerJoin })),
  degenerate: names,
  'headerDegenerate?': arr(obj({ via: headerJoin, columns: names })),
  reason: str,
});
const dimension = obj({
  name: nonEmpty,
  'entity?': str,
  'generated?': lit('date'),
  naturalKey: names,
  surrogateKey: str,
  attributes: arr(obj({ name: str, column: str, type: str, 'entity?': str })),
  scdType: lit(1, 2),
  'tracked?': names,
  'effectiveFrom?': str,
  collapsed: names,
  hierarchies: arr(obj({ name: str, levels: arr(obj({ name: str, attribute: str, cardinality: int })) })),
  reason: str,
});
const starShape: Check = obj({
  version: lit(1),
  kind: lit('star'),
  name: nonEmpty,
  'erd?': str,
  facts: arr(fact),
  dimensions: arr(dimension),
  layout,
  'notes?': arr(str),
});

function duplicate(list: { name: string }[], base: string, what: string): Problem | null {
  const seen = new Set<string>();
  for (let i = 0; i < list.length; i++) {
    const n = list[i].name;
    if (seen.has(n)) return { path: `${base}/${i}/name`, message: `duplicate ${what} name "${n}"` };
    seen.add(n);
  }
  return null;
}

export function checkErd(value: unknown): Checked<ErdModel> {
  const shape = erdShape(value, '');
  if (shape) return { ok: false, problem: shape };
  const m = value as ErdModel;
  const problem = erdReferences(m);
  return problem ? { ok: false, problem } : { ok: true, model: m };
}

function erdReferences(m: ErdModel): Problem | null {
  const dup = duplicate(m.entities, '/entities', 'entity') ?? duplicate(m.relationships, '/relationships', 'relationship');
  if (dup) return dup;
  const columns = new Map<string, Set<string>>();
  for (let i = 0; i < m.entities.length; i++) {
    const e = m.entities[i];
    const d = duplicate(e.columns, `/entities/${i}/columns`, `column in "${e.name}"`);
    if (d) return d;
    const cols = new Set(e.columns.map((c) => c.name));
    columns.set(e.name, cols);
    const k = e.primaryKey.findIndex((c) => !cols.has(c));
    if (k >= 0) return { path: `/entities/${i}/primaryKey/${k}`, message: `primary key column "${e.primaryKey[k]}" is not a column of "${e.name}"` };
  }
  for (let i = 0; i < m.relationships.length; i++) {
    const r = m.relationships[i];
    for (const side of ['from', 'to'] as const) {
      const cols = columns.get(r[side].entity);
      if (!cols) return { path: `/relationships/${i}/${side}/entity`, message: `relationship "${r.name}" points to unknown entity "${r[side].entity}"` };
      const k = r[side].columns.findIndex((c) => !cols.has(c));
      if (k >= 0) {
        return { path: `/relationships/${i}/${side}/columns/${k}`, message: `relationship "${r.name}" uses unknown column "${r[side].entity}.${r[side].columns[k]}"` };
      }
    }
  }
  for (let g = 0; g < m.groups.length; g++) {
    const k = m.groups[g].entities.findIndex((n) => !columns.has(n));
    if (k >= 0) return { path: `/groups/${g}/entities/${k}`, message: `group "${m.groups[g].name}" lists unknown entity "${m.groups[g].entities[k]}"` };
  }
  return null;
}

export function checkStar(value: unknown): Checked<StarModel> {
  const shape = starShape(value, '');
  if (shape) return { ok: false, problem: shape };
  const m = value as StarModel;
  const dup = duplicate([...m.facts, ...m.dimensions], '', 'box');
  if (dup) {
    // Report the path inside the right array.
    const i = Number(dup.path.split('/')[1]);
    const path = i < m.facts.length ? `/facts/${i}/name` : `/dimensions/${i - m.facts.length}/name`;
    return { ok: false, problem: { path, message: `${dup.message.replace('box', 'fact/dimension')}` } };
  }
  const dims = new Set(m.dimensions.map((d) => d.name));
  for (let i = 0; i < m.facts.length; i++) {
    const refs = m.facts[i].dimensions;
    const k = refs.findIndex((r) => !dims.has(r.dimension));
    if (k >= 0) {
      return { ok: false, problem: { path: `/facts/${i}/dimensions/${k}/dimension`, message: `fact "${m.facts[i].name}" references unknown dimension "${refs[k].dimension}"` } };
    }
  }
  return { ok: true, model: m };
}
