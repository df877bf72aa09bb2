/**
 * Semantic checks of model files after JSON Schema validation: names unique,
 * relationship ends and keys pointing at columns that exist, dimension
 * references and hierarchy levels that resolve, and (against the ERD) the
 * columns a star reads. The first problem is thrown as a ProjectFileError
 * naming the file and the JSON path.
 */
import { ProjectFileError } from '../project/json-file';
import type { Dimension, Entity, ErdModel, HeaderJoin, StarModel } from './model-types';

type Fail = (pointer: string, problem: string) => never;

const failer =
  (file: string): Fail =>
  (pointer, problem) => {
    throw new ProjectFileError(file, pointer, problem);
  };

function unique(items: string[], pointer: (i: number) => string, what: string, fail: Fail): void {
  const seen = new Set<string>();
  items.forEach((n, i) => {
    if (seen.has(n)) fail(pointer(i), `duplicate ${what}: "${n}"`);
    seen.add(n);
  });
}

export function validateErd(model: ErdModel, file: string): void {
  const fail: Fail = failer(file);
  unique(model.entities.map((e) => e.name), (i) => `/entities/${i}/name`, 'entity name', fail);
  const entities = new Map(model.entities.map((e) => [e.name, e]));
  model.entities.forEach((e, i) => {
    unique(e.columns.map((c) => c.name), (j) => `/entities/${i}/columns/${j}/name`, `column name in entity "${e.name}"`, fail);
    e.primaryKey.forEach((k, j) => {
      if (!e.columns.some((c) => c.name === k)) fail(`/entities/${i}/primaryKey/${j}`, `primary key column "${k}" is not a column of entity "${e.name}"`);
    });
    if (e.derivedFrom && !entities.has(e.derivedFrom)) fail(`/entities/${i}/derivedFrom`, `entity "${e.derivedFrom}" does not exist`);
  });
  unique(model.relationships.map((r) => r.name), (i) => `/relationships/${i}/name`, 'relationship name', fail);
  model.relationships.forEach((r, i) => {
    for (const side of ['from', 'to'] as const) {
      const end = r[side];
      const e = entities.get(end.entity);
      if (!e) fail(`/relationships/${i}/${side}/entity`, `relationship "${r.name}" points at entity "${end.entity}", which does not exist`);
      end.columns.forEach((c, j) => {
        if (!e.columns.some((x) => x.name === c)) fail(`/relationships/${i}/${side}/columns/${j}`, `relationship "${r.name}": entity "${end.entity}" has no column "${c}"`);
      });
    }
    if (r.from.columns.length !== r.to.columns.length) fail(`/relationships/${i}/to/columns`, `relationship "${r.name}" has ${r.from.columns.length} from-columns but ${r.to.columns.length} to-columns`);
  });
  unique(model.groups.map((g) => g.name), (i) => `/groups/${i}/name`, 'group name', fail);
  model.groups.forEach((g, i) =>
    g.entities.forEach((n, j) => {
      if (!entities.has(n)) fail(`/groups/${i}/entities/${j}`, `group "${g.name}" lists entity "${n}", which does not exist`);
    }),
  );
  unique(model.decompositions.map((d) => d.id), (i) => `/decompositions/${i}/id`, 'decomposition id', fail);
  // Decomposition columns are not checked: an edit in the canvas may rename or drop them, which makes
  // the proposal stale, not the file wrong (applying a stale one fails with the missing column named).
  model.decompositions.forEach((d, i) => {
    if (d.status === 'proposed' && !entities.has(d.entity)) fail(`/decompositions/${i}/entity`, `decomposition "${d.id}" names entity "${d.entity}", which does not exist`);
  });
}

export function validateStar(model: StarModel, file: string, erd?: ErdModel): void {
  const fail: Fail = failer(file);
  const boxes = [...model.facts.map((f) => f.name), ...model.dimensions.map((d) => d.name)];
  unique(boxes, (i) => (i < model.facts.length ? `/facts/${i}/name` : `/dimensions/${i - model.facts.length}/name`), 'fact or dimension name', fail);
  const dims = new Map(model.dimensions.map((d) => [d.name, d]));
  model.facts.forEach((f, i) => {
    unique(f.measures.map((m) => m.name), (j) => `/facts/${i}/measures/${j}/name`, `measure name in fact "${f.name}"`, fail);
    f.dimensions.forEach((r, j) => {
      const d = dims.get(r.dimension);
      if (!d) return fail(`/facts/${i}/dimensions/${j}/dimension`, `fact "${f.name}" references dimension "${r.dimension}", which does not exist`);
      // The build joins the reference's columns to the natural key one by one.
      if (!d.generated && r.columns.length !== d.naturalKey.length) {
        fail(`/facts/${i}/dimensions/${j}/columns`, `reference "${r.role}" of fact "${f.name}" has ${r.columns.length} column(s) but the natural key of dimension "${d.name}" has ${d.naturalKey.length}`);
      }
    });
    unique(f.dimensions.map((r) => r.role), (j) => `/facts/${i}/dimensions/${j}/role`, `dimension role in fact "${f.name}"`, fail);
    f.dimensions.forEach((r, j) => {
      if (r.via && r.via.from.length !== r.via.to.length) fail(`/facts/${i}/dimensions/${j}/via/to`, `fact "${f.name}": the join to header "${r.via.entity}" has ${r.via.from.length} from-columns but ${r.via.to.length} to-columns`);
    });
    (f.headerDegenerate ?? []).forEach((h, j) => {
      if (h.via.from.length !== h.via.to.length) fail(`/facts/${i}/headerDegenerate/${j}/via/to`, `fact "${f.name}": the join to header "${h.via.entity}" has ${h.via.from.length} from-columns but ${h.via.to.length} to-columns`);
    });
    const e = erd?.entities.find((x) => x.name === f.entity);
    if (erd && !e) fail(`/facts/${i}/entity`, `fact "${f.name}" is built from entity "${f.entity}", which is not in the ERD`);
    if (!e) return;
    const has = (c: string) => e.columns.some((x) => x.name === c);
    const check = (ok: boolean, pointer: string, problem: string) => {
      if (!ok) fail(pointer, problem);
    };
    f.grain.forEach((c, j) => check(has(c), `/facts/${i}/grain/${j}`, `entity "${f.entity}" has no column "${c}"`));
    f.measures.forEach((m, j) => check(has(m.column), `/facts/${i}/measures/${j}/column`, `entity "${f.entity}" has no column "${m.column}"`));
    f.dimensions.forEach((r, j) => {
      const owner = r.via ? checkVia(erd as ErdModel, e, r.via, `/facts/${i}/dimensions/${j}/via`, fail) : e;
      r.columns.forEach((c, k) => check(owner.columns.some((x) => x.name === c), `/facts/${i}/dimensions/${j}/columns/${k}`, `entity "${owner.name}" has no column "${c}"`));
    });
    f.degenerate.forEach((c, j) => check(has(c), `/facts/${i}/degenerate/${j}`, `entity "${f.entity}" has no column "${c}"`));
    (f.headerDegenerate ?? []).forEach((h, j) => {
      const owner = checkVia(erd as ErdModel, e, h.via, `/facts/${i}/headerDegenerate/${j}/via`, fail);
      h.columns.forEach((c, k) => check(owner.columns.some((x) => x.name === c), `/facts/${i}/headerDegenerate/${j}/columns/${k}`, `entity "${owner.name}" has no column "${c}"`));
    });
  });
  model.dimensions.forEach((d, i) => {
    if (!d.entity && !d.generated) fail(`/dimensions/${i}`, `dimension "${d.name}" needs an entity (or generated: "date")`);
    unique(d.attributes.map((a) => a.name), (j) => `/dimensions/${i}/attributes/${j}/name`, `attribute name in dimension "${d.name}"`, fail);
    const attrs = new Set([...d.attributes.map((a) => a.name), ...d.naturalKey]);
    if (attrs.has(d.surrogateKey)) fail(`/dimensions/${i}/surrogateKey`, `surrogate key "${d.surrogateKey}" collides with a column of dimension "${d.name}"`);
    // Only attributes change between versions: the natural key identifies the member.
    (d.tracked ?? []).forEach((t, j) => {
      if (!d.attributes.some((a) => a.name === t)) fail(`/dimensions/${i}/tracked/${j}`, `dimension "${d.name}" has no attribute "${t}"`);
    });
    if (d.effectiveFrom !== undefined) {
      const root = erd?.entities.find((e) => e.name === d.entity);
      const c = root?.columns.find((x) => x.name === d.effectiveFrom);
      if (d.scdType !== 2) fail(`/dimensions/${i}/effectiveFrom`, `dimension "${d.name}" is SCD type 1: only an SCD2 dimension has versions that take effect`);
      else if (root && !c) fail(`/dimensions/${i}/effectiveFrom`, `entity "${root.name}" has no column "${d.effectiveFrom}"`);
      else if (c && !/^(Nullable\()?(Date|Date32|DateTime|DateTime64)\b/.test(c.type)) fail(`/dimensions/${i}/effectiveFrom`, `column "${d.effectiveFrom}" of entity "${root?.name}" is ${c.type}, not a date or time`);
    }
    unique(d.hierarchies.map((h) => h.name), (j) => `/dimensions/${i}/hierarchies/${j}/name`, `hierarchy name in dimension "${d.name}"`, fail);
    d.hierarchies.forEach((h, j) =>
      h.levels.forEach((l, k) => {
        if (!attrs.has(l.attribute)) fail(`/dimensions/${i}/hierarchies/${j}/levels/${k}/attribute`, `hierarchy "${h.name}" uses "${l.attribute}", which is not an attribute of dimension "${d.name}"`);
      }),
    );
    if (erd && d.entity && !erd.entities.some((e) => e.name === d.entity)) fail(`/dimensions/${i}/entity`, `dimension "${d.name}" is built from entity "${d.entity}", which is not in the ERD`);
  });
}

/**
 * validateStar, plus the columns the build reads from the ERD: each dimension's natural key and
 * attributes. A star read against its ERD (the build) gets this check; what `model star` writes
 * always passes it.
 */
export function validateStarColumns(model: StarModel, file: string, erd: ErdModel): void {
  validateStar(model, file, erd);
  const fail: Fail = failer(file);
  model.dimensions.forEach((d, i) => {
    if (d.entity) checkDimensionColumns(erd, d, `/dimensions/${i}`, fail);
  });
}

/** The fix for a star that no longer fits its ERD: designing again drops what no longer applies, with a note. */
export const RECONCILE_STAR = 'run "kimball model star" (Kimball: Design Star Schema) to reconcile it with the ERD';
/** The fix for an ERD that no longer validates: proposing again drops what no longer applies, with a note. */
export const RECONCILE_ERD = 'run "kimball model erd" (Kimball: Generate ERD) to reconcile it with the catalog';

/** Runs a semantic check; a problem it finds is thrown again with the fix appended, still on one line. */
export function withFix(check: () => void, fix: string): void {
  try {
    check();
  } catch (err) {
    if (err instanceof ProjectFileError) throw new ProjectFileError(err.file, err.pointer, `${err.problem}; ${fix}`);
    throw err;
  }
}

/** The dimension's entity holds its natural key, and every attribute's entity its column. */
function checkDimensionColumns(erd: ErdModel, d: Dimension, pointer: string, fail: Fail): void {
  const root = erd.entities.find((e) => e.name === d.entity);
  if (!root) return fail(`${pointer}/entity`, `dimension "${d.name}" is built from entity "${d.entity}", which is not in the ERD`);
  d.naturalKey.forEach((k, j) => {
    if (!root.columns.some((c) => c.name === k)) fail(`${pointer}/naturalKey/${j}`, `entity "${root.name}" has no column "${k}"`);
  });
  d.attributes.forEach((a, j) => {
    const owner = a.entity ? erd.entities.find((e) => e.name === a.entity) : root;
    if (!owner) return fail(`${pointer}/attributes/${j}/entity`, `attribute "${a.name}" of dimension "${d.name}" comes from entity "${a.entity}", which is not in the ERD`);
    if (!owner.columns.some((c) => c.name === a.column)) fail(`${pointer}/attributes/${j}/column`, `entity "${owner.name}" has no column "${a.column}"`);
  });
}

/** A header join resolves: the header entity exists, `from` are the fact entity's columns and `to` the header's. Returns the header. */
function checkVia(erd: ErdModel, fact: Entity, via: HeaderJoin, pointer: string, fail: Fail): Entity {
  const h = erd.entities.find((x) => x.name === via.entity);
  if (!h) return fail(`${pointer}/entity`, `header entity "${via.entity}" is not in the ERD`);
  via.from.forEach((c, k) => {
    if (!fact.columns.some((x) => x.name === c)) fail(`${pointer}/from/${k}`, `entity "${fact.name}" has no column "${c}"`);
  });
  via.to.forEach((c, k) => {
    if (!h.columns.some((x) => x.name === c)) fail(`${pointer}/to/${k}`, `entity "${h.name}" has no column "${c}"`);
  });
  return h;
}
