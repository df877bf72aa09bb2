/**
 * Property (issue 12, item 6): whatever the user does between proposals (catalog renames and type
 * overrides, columns gone from the catalog, decisions on decompositions, ERD editor renames and
 * hand-drawn relationships, measures added and removed, dimensions deleted, hierarchies edited),
 * proposing again (model erd, model star, model hierarchies) never throws and always writes files
 * that pass the JSON Schema (ajv) and the semantic checks the build applies. Seeded random
 * sequences over the pure merge functions; a failure prints the seed and the steps to replay it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Catalog, CatalogTable } from '../../../src/core/discover/catalog-types';
import { overrideExpression } from '../../../src/core/discover/catalog';
import { schemaProblems } from '../../../src/core/project/json-file';
import { applyDecomposition, proposeErd, rejectDecomposition } from '../../../src/core/model/erd-proposal';
import { applyErdEdit, applyStarEdit, levelChoices, type ErdEdit, type StarEdit } from '../../../src/core/model/edits';
import { detectHierarchies, fitStar } from '../../../src/core/model/hierarchies';
import { mergeErd } from '../../../src/core/model/merge';
import type { ErdModel, StarModel } from '../../../src/core/model/model-types';
import { mergeStar, proposeStar } from '../../../src/core/model/star-proposal';
import { validateErd, validateStarColumns } from '../../../src/core/model/validate';
import { retail, retailWithHeader, tpch } from './builders';
import { homeStores } from './denormalised';

/** mulberry32: a small, well-mixed seeded generator. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface World {
  catalog: Catalog;
  erd: ErdModel;
  star: StarModel;
  pick: <T>(xs: readonly T[]) => T | undefined;
}

type Step = (w: World) => string | undefined;

const TYPES = ['String', 'LowCardinality(String)', 'Int64', 'Decimal(18,2)', 'Date32'];

function anyColumn(w: World): { t: CatalogTable; c: string } | undefined {
  const t = w.pick(w.catalog.tables.filter((x) => x.columns.length > 1));
  const c = t && w.pick(t.columns)?.name;
  return t && c ? { t, c } : undefined;
}

// ------------------------------------------------------------------ catalog decisions and rediscovery

const catalogRename: Step = (w) => {
  const at = anyColumn(w);
  if (!at) return undefined;
  // Fresh names, and names that clash with another column of the table or an ERD name.
  const name = w.pick([`${at.c}_renamed`, w.pick(at.t.columns)?.name ?? 'x', 'city', 'country', 'amount']) as string;
  w.catalog.decisions.renames[`${at.t.name}.${at.c}`] = name;
  return `catalog rename ${at.t.name}.${at.c} -> ${name}`;
};

const catalogType: Step = (w) => {
  const at = anyColumn(w);
  const type = w.pick(TYPES) as string;
  if (!at) return undefined;
  w.catalog.decisions.typeOverrides[`${at.t.name}.${at.c}`] = { type };
  const col = at.t.columns.find((x) => x.name === at.c);
  // What `kimball catalog type` writes (setTypeOverride).
  if (col) col.inferred = { ...col.inferred, type, expression: overrideExpression(type) };
  return `catalog type ${at.t.name}.${at.c} ${type}`;
};

/** Discovery again after the source dropped a column: it leaves the table, its dependencies, keys and relationships. */
const catalogDrop: Step = (w) => {
  const at = anyColumn(w);
  if (!at) return undefined;
  const { t, c } = at;
  t.columns = t.columns.filter((x) => x.name !== c);
  t.dependencies = t.dependencies.filter((d) => !d.from.includes(c)).map((d) => ({ ...d, to: d.to.filter((x) => x !== c) })).filter((d) => d.to.length > 0);
  t.keys = t.keys.filter((k) => !k.columns.includes(c));
  const uses = (table: string, cols: string[]) => table === t.name && cols.includes(c);
  w.catalog.relationships = w.catalog.relationships.filter((r) => !uses(r.fromTable, r.fromColumns) && !uses(r.toTable, r.toColumns));
  return `catalog drops ${t.name}.${c}`;
};

// ------------------------------------------------------------------ ERD editor

const decide: Step = (w) => {
  const d = w.pick(w.erd.decompositions.filter((x) => x.status === 'proposed'));
  if (!d) return undefined;
  const accept = w.pick([true, false]) as boolean;
  try {
    w.erd = accept ? applyDecomposition(w.erd, d.id) : rejectDecomposition(w.erd, d.id);
  } catch {
    return `${accept ? 'accept' : 'reject'} ${d.id} (refused)`;
  }
  return `${accept ? 'accept' : 'reject'} ${d.id}`;
};

function erdEdit(w: World, edit: ErdEdit): string {
  try {
    w.erd = applyErdEdit(w.erd, edit);
    return JSON.stringify(edit);
  } catch {
    return `${JSON.stringify(edit)} (refused)`;
  }
}

const erdRenameColumn: Step = (w) => {
  const e = w.pick(w.erd.entities);
  const c = e && w.pick(e.columns);
  return e && c ? erdEdit(w, { op: 'updateColumn', entity: e.name, column: c.name, changes: { name: `${c.name}_e` } }) : undefined;
};

const erdRenameEntity: Step = (w) => {
  const e = w.pick(w.erd.entities);
  return e ? erdEdit(w, { op: 'renameEntity', entity: e.name, newName: `${e.name}_e` }) : undefined;
};

const erdRelationship: Step = (w) => {
  const [a, b] = [w.pick(w.erd.entities), w.pick(w.erd.entities)];
  const [ca, cb] = [a && w.pick(a.columns), b && w.pick(b.columns)];
  if (!a || !b || !ca || !cb) return undefined;
  const relationship = { name: `hand_${ca.name}_${cb.name}`, from: { entity: a.name, columns: [ca.name] }, to: { entity: b.name, columns: [cb.name] }, cardinality: 'many-to-one' as const, optional: true };
  return erdEdit(w, { op: 'addRelationship', relationship });
};

// ------------------------------------------------------------------ star editor

function starEdit(w: World, edit: StarEdit): string {
  try {
    w.star = applyStarEdit(w.star, edit, { entities: w.erd.entities });
    return JSON.stringify(edit);
  } catch {
    return `${JSON.stringify(edit)} (refused)`;
  }
}

const addMeasure: Step = (w) => {
  const f = w.pick(w.star.facts);
  const c = f && w.pick(w.erd.entities.find((e) => e.name === f.entity)?.columns ?? []);
  if (!f || !c) return undefined;
  const measure = { name: `m_${c.name}`, column: c.name, aggregation: w.pick(['sum', 'max', 'countDistinct'] as const) ?? 'sum', additivity: 'non-additive' as const };
  return starEdit(w, { op: 'addMeasure', fact: f.name, measure });
};

const removeMeasure: Step = (w) => {
  const f = w.pick(w.star.facts);
  const m = f && w.pick(f.measures);
  return f && m ? starEdit(w, { op: 'removeMeasure', fact: f.name, measure: m.name }) : undefined;
};

const deleteDimension: Step = (w) => {
  const d = w.pick(w.star.dimensions);
  return d ? starEdit(w, { op: 'deleteDimension', dimension: d.name }) : undefined;
};

const editHierarchy: Step = (w) => {
  const d = w.pick(w.star.dimensions);
  if (!d) return undefined;
  const h = w.pick(d.hierarchies);
  const l = h && w.pick(h.levels);
  const choices = levelChoices(d);
  const some = [w.pick(choices), w.pick(choices), w.pick(choices)].filter((x): x is string => !!x);
  const edits: StarEdit[] = [{ op: 'addHierarchy', dimension: d.name, hierarchy: `h_${some.join('_')}`, levels: [...new Set(some)] }];
  if (h) edits.push({ op: 'renameHierarchy', dimension: d.name, hierarchy: h.name, newName: `${h.name}_r` }, { op: 'removeHierarchy', dimension: d.name, hierarchy: h.name });
  if (h && l) {
    edits.push({ op: 'removeLevel', dimension: d.name, hierarchy: h.name, attribute: l.attribute }, { op: 'moveLevel', dimension: d.name, hierarchy: h.name, attribute: l.attribute, to: 0 });
  }
  return starEdit(w, w.pick(edits) as StarEdit);
};

// ------------------------------------------------------------------ proposing again, and the property

function checkErd(erd: ErdModel): void {
  assert.deepEqual(schemaProblems('erd', erd), []);
  validateErd(erd, 'shop.erd.json');
}

function checkStar(star: StarModel, erd: ErdModel): void {
  assert.deepEqual(schemaProblems('star', star), []);
  validateStarColumns(star, 'shop.star.json', erd);
}

const modelErd: Step = (w) => {
  w.erd = mergeErd(w.erd, proposeErd(w.catalog, { name: 'shop' }), w.catalog);
  checkErd(w.erd);
  return 'model erd';
};

const modelStar: Step = (w) => {
  w.star = mergeStar(w.star, proposeStar(w.erd, w.catalog, { name: 'shop' }), { erd: w.erd, catalog: w.catalog });
  checkStar(w.star, w.erd);
  return 'model star';
};

const modelHierarchies: Step = (w) => {
  w.star = detectHierarchies(fitStar(w.star, { erd: w.erd, catalog: w.catalog }), w.catalog, w.erd).star;
  checkStar(w.star, w.erd);
  return 'model hierarchies';
};

const EDITS: Step[] = [catalogRename, catalogType, catalogDrop, decide, decide, erdRenameColumn, erdRenameEntity, erdRelationship, addMeasure, removeMeasure, deleteDimension, editHierarchy, editHierarchy];
const PROPOSALS: Step[] = [modelErd, modelStar, modelHierarchies];
const CATALOGS = [homeStores, () => retail().catalog, () => retailWithHeader().catalog, () => tpch().catalog];

function run(seed: number, steps: number): string[] {
  const rand = random(seed);
  const pick = <T>(xs: readonly T[]): T | undefined => (xs.length ? xs[Math.floor(rand() * xs.length)] : undefined);
  const catalog = CATALOGS[seed % CATALOGS.length]();
  const erd = proposeErd(catalog, { name: 'shop' });
  const w: World = { catalog, erd, star: detectHierarchies(proposeStar(erd, catalog, { name: 'shop' }), catalog, erd).star, pick };
  const log: string[] = [];
  try {
    for (let i = 0; i < steps; i++) {
      const step = rand() < 0.3 ? (pick(PROPOSALS) as Step) : (pick(EDITS) as Step);
      log.push(step(w) ?? '(nothing to do)');
    }
    // However the sequence ended, proposing everything again settles it.
    for (const step of PROPOSALS) log.push(step(w) ?? '');
  } catch (err) {
    assert.fail(`seed ${seed}: ${(err as Error).message}\n  after: ${log.join('\n         ')}`);
  }
  return log;
}

test('random edits between proposals: model erd, model star and model hierarchies never throw and always write valid files', () => {
  let proposals = 0;
  for (let seed = 1; seed <= 100; seed++) proposals += run(seed, 30).filter((l) => l.startsWith('model ')).length;
  assert.ok(proposals > 100 * 3, `${proposals} proposals checked`);
});
