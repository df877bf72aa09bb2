/**
 * Hierarchies edited in the star editor: they survive "Detect Hierarchies" again (the user's version
 * stands, no duplicate of the proposal next to it), stay valid files and export like detected ones.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyStarEdit, type StarEdit } from '../../../src/core/model/edits';
import { proposeErd } from '../../../src/core/model/erd-proposal';
import { exportModel } from '../../../src/core/model/export';
import { parseStar } from '../../../src/core/model/files';
import { detectHierarchies } from '../../../src/core/model/hierarchies';
import type { StarModel } from '../../../src/core/model/model-types';
import { proposeStar } from '../../../src/core/model/star-proposal';
import { stableStringify } from '../../../src/core/project/json-file';
import { tpch } from './builders';

function detected() {
  const s = tpch();
  const erd = proposeErd(s.catalog, { name: 't' });
  return { s, erd, star: detectHierarchies(proposeStar(erd, s.catalog), s.catalog, erd).star };
}

const hierarchies = (m: StarModel, dim: string) =>
  m.dimensions.find((d) => d.name === dim)?.hierarchies.map((h) => `${h.name}: ${h.levels.map((l) => `${l.attribute}(${l.cardinality})`).join(' > ')}`);

test('user-edited and user-added hierarchies survive re-detection unchanged, without duplicates of the proposal', () => {
  const { s, erd, star } = detected();
  const [cust] = star.dimensions.find((d) => d.name === 'customer')?.hierarchies ?? [];
  assert.ok(cust && cust.levels.length === 3, 'tpch customer has region > nation > customer');
  const edits: StarEdit[] = [
    // Detected hierarchy edited in place: a level removed (its name kept).
    { op: 'removeLevel', dimension: 'customer', hierarchy: cust.name, attribute: 'n_name' },
    // The calendar reordered, renamed, and a level added.
    { op: 'moveLevel', dimension: 'date', hierarchy: 'calendar', attribute: 'year_quarter', to: 2 },
    { op: 'renameHierarchy', dimension: 'date', hierarchy: 'calendar', newName: 'cal' },
    { op: 'addLevel', dimension: 'date', hierarchy: 'cal', attribute: 'day_name' },
    // A hierarchy of the user's own.
    { op: 'addHierarchy', dimension: 'date', hierarchy: 'weeks', levels: ['year', 'week', 'date'] },
  ];
  const edited = edits.reduce((m, e) => applyStarEdit(m, e), star);
  const before = { customer: hierarchies(edited, 'customer'), date: hierarchies(edited, 'date') };
  assert.deepEqual(before.date, [
    'cal: year(7) > year_month(84) > year_quarter(28) > date(2554) > day_name(0)',
    'weeks: year(7) > week(0) > date(2554)',
  ]);
  const again = detectHierarchies(edited, s.catalog, erd);
  assert.deepEqual(again.added, [], 'nothing re-proposed next to the edited versions');
  assert.deepEqual({ customer: hierarchies(again.star, 'customer'), date: hierarchies(again.star, 'date') }, before);
});

test('a detected hierarchy the user removed is proposed again by an explicit re-detection', () => {
  const { s, erd, star } = detected();
  const edited = applyStarEdit(star, { op: 'removeHierarchy', dimension: 'date', hierarchy: 'calendar' });
  const again = detectHierarchies(edited, s.catalog, erd);
  assert.deepEqual(again.added, [{ dimension: 'date', hierarchy: 'calendar' }]);
});

test('an edited star (unknown cardinalities included) is a valid file and exports to every text format', () => {
  const { erd, star } = detected();
  const edited = applyStarEdit(star, { op: 'addHierarchy', dimension: 'date', hierarchy: 'weeks', levels: ['year', 'week'] });
  const text = stableStringify(edited);
  assert.deepEqual(parseStar(text, 'models/t.star.json', erd), edited, 'schema and semantic checks pass');
  for (const format of ['mermaid', 'dbml', 'ddl', 'svg'] as const) {
    const files = exportModel(edited, format, { erd });
    assert.ok(files.length > 0 && files.every((f) => f.text.length > 0), format);
  }
});
