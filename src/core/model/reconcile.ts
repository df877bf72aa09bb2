/**
 * The last step of proposing over an existing file: the merge keeps the user's edits, and some of
 * them may no longer fit what the catalog or the ERD now hold (a hierarchy level whose attribute
 * moved to another entity, a measure whose column is gone, a hand-drawn relationship to a dropped
 * column). Every problem the JSON Schema or the semantic checks of validate.ts report is repaired by
 * dropping the smallest part that holds it, or by renaming a duplicate name, with a note saying what
 * went and why; the loop ends when the model validates, so a proposal never fails on a stale edit.
 * Pure.
 */
import { ProjectFileError, schemaProblems } from '../project/json-file';
import type { FileKind } from '../project/schemas';
import { MIN_LEVELS } from './edits';
import type { ErdModel, StarModel } from './model-types';
import { withNotes } from './notes';
import { subjectAreas } from './erd-proposal';
import { validateErd, validateStar, validateStarColumns } from './validate';

interface Problem {
  path: string;
  message: string;
}

/** A part of a model a repair may drop (or rename): its JSON path, `#` standing for an array index. */
interface Part<M> {
  at: string;
  /** How a note names the part, from the indexes matched by the `#`s. */
  label: (m: M, i: number[]) => string;
  /** The path ends at a name that is a duplicate: rename it instead of dropping the part. */
  rename?: boolean;
  /** Derived data (subject areas): repaired without a note. */
  quiet?: boolean;
}

const q = (s: string) => `"${s}"`;

const STAR_PARTS: Part<StarModel>[] = [
  { at: '/facts/#/name', rename: true, label: (m, [f]) => `fact ${q(m.facts[f].name)}` },
  { at: '/facts/#/measures/#/name', rename: true, label: (m, [f, j]) => `measure ${q(m.facts[f].measures[j].name)} of fact ${q(m.facts[f].name)}` },
  { at: '/facts/#/dimensions/#/role', rename: true, label: (m, [f, j]) => `role ${q(m.facts[f].dimensions[j].role)} of fact ${q(m.facts[f].name)}` },
  { at: '/dimensions/#/name', rename: true, label: (m, [d]) => `dimension ${q(m.dimensions[d].name)}` },
  { at: '/dimensions/#/surrogateKey', rename: true, label: (m, [d]) => `surrogate key ${q(m.dimensions[d].surrogateKey)} of dimension ${q(m.dimensions[d].name)}` },
  { at: '/dimensions/#/hierarchies/#/name', rename: true, label: (m, [d, h]) => `hierarchy ${q(m.dimensions[d].hierarchies[h].name)} of dimension ${q(m.dimensions[d].name)}` },
  { at: '/facts/#/measures/#', label: (m, [f, j]) => `measure ${q(m.facts[f].measures[j].name)} of fact ${q(m.facts[f].name)}` },
  { at: '/facts/#/dimensions/#', label: (m, [f, j]) => `reference ${q(m.facts[f].dimensions[j].role)} of fact ${q(m.facts[f].name)}` },
  { at: '/facts/#/grain/#', label: (m, [f, j]) => `grain column ${q(m.facts[f].grain[j])} of fact ${q(m.facts[f].name)}` },
  { at: '/facts/#/degenerate/#', label: (m, [f, j]) => `degenerate column ${q(m.facts[f].degenerate[j])} of fact ${q(m.facts[f].name)}` },
  {
    at: '/facts/#/headerDegenerate/#/columns/#',
    label: (m, [f, h, j]) => `header column ${q(m.facts[f].headerDegenerate?.[h].columns[j] ?? '')} of fact ${q(m.facts[f].name)}`,
  },
  { at: '/facts/#/headerDegenerate/#', label: (m, [f, h]) => `columns of header ${q(m.facts[f].headerDegenerate?.[h].via.entity ?? '')} on fact ${q(m.facts[f].name)}` },
  { at: '/facts/#', label: (m, [f]) => `fact ${q(m.facts[f].name)}` },
  {
    at: '/dimensions/#/hierarchies/#/levels/#',
    label: (m, [d, h, l]) => `level ${q(m.dimensions[d].hierarchies[h].levels[l].attribute)} of hierarchy ${q(m.dimensions[d].hierarchies[h].name)} of dimension ${q(m.dimensions[d].name)}`,
  },
  { at: '/dimensions/#/hierarchies/#', label: (m, [d, h]) => `hierarchy ${q(m.dimensions[d].hierarchies[h].name)} of dimension ${q(m.dimensions[d].name)}` },
  { at: '/dimensions/#/effectiveFrom', label: (m, [d]) => `effective-from column ${q(m.dimensions[d].effectiveFrom ?? '')} of dimension ${q(m.dimensions[d].name)}` },
  { at: '/dimensions/#/tracked/#', label: (m, [d, j]) => `tracked attribute ${q(m.dimensions[d].tracked?.[j] ?? '')} of dimension ${q(m.dimensions[d].name)}` },
  { at: '/dimensions/#/attributes/#', label: (m, [d, j]) => `attribute ${q(m.dimensions[d].attributes[j].name)} of dimension ${q(m.dimensions[d].name)}` },
  { at: '/dimensions/#', label: (m, [d]) => `dimension ${q(m.dimensions[d].name)}` },
];

const ERD_PARTS: Part<ErdModel>[] = [
  { at: '/relationships/#/name', rename: true, label: (m, [r]) => `relationship ${q(m.relationships[r].name)}` },
  { at: '/groups/#/name', rename: true, quiet: true, label: (m, [g]) => `group ${q(m.groups[g].name)}` },
  { at: '/entities/#/columns/#', label: (m, [e, c]) => `column ${q(m.entities[e].columns[c].name)} of entity ${q(m.entities[e].name)}` },
  { at: '/entities/#/primaryKey/#', label: (m, [e, c]) => `primary key column ${q(m.entities[e].primaryKey[c])} of entity ${q(m.entities[e].name)}` },
  { at: '/entities/#', label: (m, [e]) => `entity ${q(m.entities[e].name)}` },
  { at: '/relationships/#', label: (m, [r]) => `relationship ${q(m.relationships[r].name)}` },
  { at: '/groups/#', quiet: true, label: (m, [g]) => `group ${q(m.groups[g].name)}` },
  { at: '/decompositions/#', label: (m, [d]) => `decomposition ${q(m.decompositions[d].id)}` },
];

/** The star, repaired until it validates (against the ERD when given, as the build does); notes appended to its own. */
export function reconcileStar(model: StarModel, erd?: ErdModel): StarModel {
  const semantic = (m: StarModel) => (erd ? validateStarColumns(m, '', erd) : validateStar(m, ''));
  // A hierarchy down to one level goes whole, before its last level is found stale too.
  const check = (m: StarModel) => schemaProblem('star', m) ?? shortHierarchy(m) ?? semanticProblem(() => semantic(m));
  const { model: out, notes } = repair(model, check, STAR_PARTS);
  const boxes = new Set([...out.facts.map((f) => f.name), ...out.dimensions.map((d) => d.name)]);
  return withNotes({ ...out, layout: { positions: keep(out.layout.positions, boxes) } }, notes);
}

/** The ERD, repaired until it validates; subject areas and positions follow the entities that remain. */
export function reconcileErd(model: ErdModel): ErdModel {
  const check = (m: ErdModel) => schemaProblem('erd', m) ?? semanticProblem(() => validateErd(m, ''));
  const { model: out, notes } = repair(model, check, ERD_PARTS);
  if (notes.length === 0 && out === model) return model;
  const entities = new Set(out.entities.map((e) => e.name));
  return withNotes({ ...out, groups: subjectAreas(out), layout: { positions: keep(out.layout.positions, entities) } }, notes);
}

function keep<V>(rec: Record<string, V>, names: Set<string>): Record<string, V> {
  return Object.fromEntries(Object.entries(rec).filter(([k]) => names.has(k)));
}

/** A problem of the JSON Schema (an emptied list), checked before the semantic ones that assume the shape. */
function schemaProblem(kind: FileKind, model: unknown): Problem | undefined {
  return schemaProblems(kind, model)[0];
}

function semanticProblem(check: () => void): Problem | undefined {
  try {
    check();
    return undefined;
  } catch (err) {
    if (err instanceof ProjectFileError) return { path: err.pointer, message: err.problem };
    throw err;
  }
}

/** A hierarchy left with fewer levels than one can roll up along (the same bound the editor keeps). */
function shortHierarchy(m: StarModel): Problem | undefined {
  for (const [d, dim] of m.dimensions.entries()) {
    const h = dim.hierarchies.findIndex((x) => x.levels.length < MIN_LEVELS);
    if (h >= 0) return { path: `/dimensions/${d}/hierarchies/${h}/levels`, message: `fewer than ${MIN_LEVELS} levels left` };
  }
  return undefined;
}

/** Each repair drops or renames something, so the loop ends; the bound only guards against a check that never settles. */
const MAX_REPAIRS = 10_000;

function repair<M>(model: M, check: (m: M) => Problem | undefined, parts: Part<M>[]): { model: M; notes: string[] } {
  let m = model;
  const notes: string[] = [];
  for (let n = 0; n < MAX_REPAIRS; n++) {
    const p = check(m);
    if (!p) return { model: m, notes };
    const found = matchPart(parts, p.path);
    if (!found) throw new ProjectFileError('', p.path, p.message);
    // Copied before the first change: the caller's model is never mutated.
    if (m === model) m = structuredClone(model);
    const label = found.part.label(m, found.indexes);
    const what = found.part.rename ? `renamed to ${q(renameAt(m, found.segments))}` : (dropAt(m, found.segments), 'dropped');
    if (!found.part.quiet) notes.push(`${label} ${what}: ${p.message}`);
  }
  throw new Error(`Model repair did not settle after ${MAX_REPAIRS} changes.`);
}

interface Match<M> {
  part: Part<M>;
  /** Path segments of the part itself (a prefix of the problem's path). */
  segments: string[];
  indexes: number[];
}

/** The rename part the path names exactly, else the most specific part the path lies in. */
function matchPart<M>(parts: Part<M>[], path: string): Match<M> | undefined {
  const segs = path.split('/').slice(1);
  let best: Match<M> | undefined;
  for (const part of parts) {
    const pattern = part.at.split('/').slice(1);
    if (pattern.length > segs.length || (part.rename && pattern.length !== segs.length)) continue;
    const indexes: number[] = [];
    let fits = true;
    pattern.forEach((p, i) => {
      if (p === '#' && /^\d+$/.test(segs[i])) indexes.push(Number(segs[i]));
      else if (p !== segs[i]) fits = false;
    });
    if (!fits) continue;
    if (part.rename) return { part, segments: segs, indexes };
    if (!best || pattern.length > best.segments.length) best = { part, segments: segs.slice(0, pattern.length), indexes };
  }
  return best;
}

type Container = Record<string, unknown> | unknown[];

function parentOf(model: unknown, segments: string[]): { parent: Container; key: string } {
  let at = model as Container;
  for (const s of segments.slice(0, -1)) at = (Array.isArray(at) ? at[Number(s)] : at[s]) as Container;
  return { parent: at, key: segments[segments.length - 1] };
}

function dropAt(model: unknown, segments: string[]): void {
  const { parent, key } = parentOf(model, segments);
  if (Array.isArray(parent)) parent.splice(Number(key), 1);
  else delete parent[key];
}

/** A duplicate name gets the first `_2`, `_3`, ... suffix that no string of the model holds. */
function renameAt(model: unknown, segments: string[]): string {
  const { parent, key } = parentOf(model, segments);
  const old = String(Array.isArray(parent) ? parent[Number(key)] : parent[key]);
  const text = JSON.stringify(model);
  let name = old;
  for (let i = 2; text.includes(JSON.stringify(name)); i++) name = `${old}_${i}`;
  if (Array.isArray(parent)) parent[Number(key)] = name;
  else parent[key] = name;
  return name;
}
