/** The ERD editor webview in headless Chromium: what is drawn, and the exact edit messages user actions send. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { denormalisedErd, generatedErd, retailErd } from '../../unit/editors/fixtures';
import { editorFixture, focusedAttr, headerPoint, waitForBoxes, zoom } from './harness';

const fx = editorFixture('erd', () => ({ type: 'erd', model: retailErd() }), 5);

const edits = async () => (await fx.ed.posted()).filter((m) => (m as { type: string }).type === 'edit');

describe('ERD webview', () => {
  it('draws entities, columns with key markers, relationship lines with crow\'s-foot ends, and groups', async () => {
    const p = fx.ed.page;
    assert.equal(await p.locator('[data-box]').count(), 5);
    assert.equal(await p.locator('.rel').count(), 4);
    assert.equal(await p.locator('.rel .edge').count(), 4);
    // Every relationship in the fixture is many-to-one: a crow's foot at the referencing end.
    assert.equal(await p.locator('.rel .edge[marker-start="url(#m-many)"]').count(), 4);
    assert.equal(await p.locator('#m-many path.crow').count(), 1);
    // One optional reference (product -> category): circle-and-bar end; the other three mandatory (two bars).
    assert.equal(await p.locator('.rel .edge[marker-end="url(#m-one-optional)"]').count(), 1);
    assert.equal(await p.locator('.rel .edge[marker-end="url(#m-one-mandatory)"]').count(), 3);
    assert.equal(await p.locator('#m-one-optional circle.ring').count(), 1);
    assert.equal(await p.locator('[data-box="order_line"] .row').count(), 5);
    assert.deepEqual(await p.locator('[data-box="order_line"] .key').allTextContents(), ['PK', 'PK', 'FK']);
    assert.equal(await p.locator('[data-box="order_line"] .col-type').nth(4).textContent(), 'Decimal(18, 2)');
    assert.equal(await p.locator('[data-box="product"] .col-type').nth(2).textContent(), 'UInt64?', 'nullable marked');
    assert.equal(await p.locator('rect.group').count(), 2);
    assert.deepEqual(await p.locator('.group-label').allTextContents(), ['Sales', 'Catalogue']);
    for (const d of await p.locator('.rel .edge').evaluateAll((els) => els.map((e) => e.getAttribute('d') ?? ''))) assert.match(d, /^M[\d.-]+,[\d.-]+ /);
    assert.equal(await p.locator('#error').isHidden(), true);
    await fx.ed.screenshot('erd-retail');
  });

  it('a drag sends exactly one moveEntity with the dropped position, and moves only that box and its lines', async () => {
    const p = fx.ed.page;
    const k = await zoom(p);
    const start = await headerPoint(p, 'customer');
    const lineBefore = await p.locator('[data-line="order_customer"] .edge').getAttribute('d');
    const otherBefore = await p.locator('[data-line="line_product"] .edge').getAttribute('d');
    await p.mouse.move(start.x, start.y);
    await p.mouse.down();
    await p.mouse.move(start.x + 120, start.y + 60, { steps: 12 });
    assert.equal(await p.locator('.drag-layer [data-box="customer"]').count(), 1, 'while dragged, the box is on the drag layer');
    assert.equal(await p.locator('.drag-layer [data-line]').count(), 1, 'with its one incident line');
    await p.mouse.up();
    assert.equal(await p.locator('.drag-layer [data-box], .drag-layer [data-line]').count(), 0, 'dropped back onto the canvas');
    assert.deepEqual(await p.locator('#canvas [data-box]').evaluateAll((els) => els.map((e) => e.getAttribute('data-box'))),
      ['customer', 'product', 'category', 'sales_order', 'order_line'], 'in its place: Tab order unchanged');
    const expected = { x: 40 + Math.round(120 / k), y: 40 + Math.round(60 / k) };
    const sent = await edits();
    assert.equal(sent.length, 1, `one edit message, got ${JSON.stringify(sent)}`);
    const e = sent[0] as { kind: string; edit: { op: string; entity: string; x: number; y: number } };
    assert.equal(e.kind, 'erd');
    assert.equal(e.edit.op, 'moveEntity');
    assert.equal(e.edit.entity, 'customer');
    assert.ok(Math.abs(e.edit.x - expected.x) <= 1 && Math.abs(e.edit.y - expected.y) <= 1, `moved to ${e.edit.x},${e.edit.y}, expected ~${expected.x},${expected.y}`);
    assert.equal(await p.locator('[data-box="customer"]').getAttribute('transform'), `translate(${e.edit.x},${e.edit.y})`);
    assert.notEqual(await p.locator('[data-line="order_customer"] .edge').getAttribute('d'), lineBefore, 'incident line rerouted');
    assert.equal(await p.locator('[data-line="line_product"] .edge').getAttribute('d'), otherBefore, 'other lines untouched');
    await fx.ed.screenshot('erd-after-drag');
  });

  it('a click without movement selects and opens the side panel, and sends nothing', async () => {
    const p = fx.ed.page;
    const pt = await headerPoint(p, 'product');
    await p.mouse.click(pt.x, pt.y);
    assert.deepEqual(await edits(), []);
    assert.equal(await p.locator('#panel').isVisible(), true);
    assert.equal(await p.locator('#panel input[name="entity-name"]').inputValue(), 'product');
    assert.equal(await p.locator('[data-box="product"]').getAttribute('class'), 'entity selected');
  });

  it('side-panel rename sends renameEntity and redraws under the new name', async () => {
    const p = fx.ed.page;
    const pt = await headerPoint(p, 'customer');
    await p.mouse.click(pt.x, pt.y);
    await p.locator('#panel input[name="entity-name"]').fill('client');
    await p.locator('#panel input[name="entity-name"]').press('Enter');
    assert.deepEqual(await edits(), [{ type: 'edit', kind: 'erd', edit: { op: 'renameEntity', entity: 'customer', newName: 'client' } }]);
    assert.equal(await p.locator('[data-box="client"]').count(), 1);
    assert.equal(await p.locator('[data-box="customer"]').count(), 0);
    assert.equal(await p.locator('#panel input[name="entity-name"]').inputValue(), 'client', 'panel follows the renamed entity');
  });

  it('side-panel column edits send updateColumn / setPrimaryKey / addColumn / removeColumn', async () => {
    const p = fx.ed.page;
    const pt = await headerPoint(p, 'customer');
    await p.mouse.click(pt.x, pt.y);
    await p.locator('#panel input[name="col-type-city"]').fill('LowCardinality(String)');
    await p.locator('#panel input[name="col-type-city"]').press('Enter');
    await p.locator('#panel input[name="col-null-city"]').uncheck();
    await p.locator('#panel input[name="col-pk-name"]').check();
    await p.locator('#panel #add-column').click();
    await p.locator('#panel button[aria-label="Remove column new_column"]').click();
    assert.deepEqual((await edits()).map((m) => (m as { edit: unknown }).edit), [
      { op: 'updateColumn', entity: 'customer', column: 'city', changes: { type: 'LowCardinality(String)' } },
      { op: 'updateColumn', entity: 'customer', column: 'city', changes: { nullable: false } },
      { op: 'setPrimaryKey', entity: 'customer', columns: ['customer_id', 'name'] },
      { op: 'addColumn', entity: 'customer', column: { name: 'new_column', type: 'String', nullable: true } },
      { op: 'removeColumn', entity: 'customer', column: 'new_column' },
    ]);
    assert.deepEqual(await p.locator('[data-box="customer"] .key').allTextContents(), ['PK', 'PK']);
  });

  it('selecting a relationship edits cardinality and optionality', async () => {
    const p = fx.ed.page;
    await p.locator('[data-line="line_order"]').focus();
    await p.keyboard.press('Enter');
    assert.equal(await p.locator('#panel select[name="rel-cardinality"]').isVisible(), true);
    await p.locator('#panel select[name="rel-cardinality"]').selectOption('one-to-one');
    await p.locator('#panel input[name="rel-optional"]').check();
    assert.deepEqual((await edits()).map((m) => (m as { edit: unknown }).edit), [
      { op: 'updateRelationship', relationship: 'line_order', changes: { cardinality: 'one-to-one' } },
      { op: 'updateRelationship', relationship: 'line_order', changes: { optional: true } },
    ]);
    assert.equal(await p.locator('[data-line="line_order"] .edge').getAttribute('marker-start'), 'url(#m-one)');
    assert.equal(await p.locator('[data-line="line_order"] .edge').getAttribute('marker-end'), 'url(#m-one-optional)');
  });

  it('keyboard: Tab reaches an entity, arrows move it, Enter opens the panel, Delete deletes', async () => {
    const p = fx.ed.page;
    await p.locator('#export').focus();
    await p.keyboard.press('Tab'); // the canvas itself (its label explains the keys)
    assert.equal(await focusedAttr(p, 'id'), 'canvas');
    await p.keyboard.press('Tab');
    const focused = await focusedAttr(p, 'data-box');
    assert.equal(focused, 'customer', 'the first box in tab order');
    await p.keyboard.press('ArrowRight');
    await p.keyboard.press('Shift+ArrowDown');
    await p.keyboard.press('Enter');
    assert.equal(await focusedAttr(p, 'name'), 'entity-name', 'Enter moves focus into the side panel');
    await p.keyboard.press('Escape');
    await p.keyboard.press('Delete');
    assert.deepEqual((await edits()).map((m) => (m as { edit: unknown }).edit), [
      { op: 'moveEntity', entity: 'customer', x: 50, y: 40 },
      { op: 'moveEntity', entity: 'customer', x: 50, y: 90 },
      { op: 'deleteEntity', entity: 'customer' },
    ]);
    assert.equal(await p.locator('[data-box]').count(), 4);
    assert.equal(await p.locator('.rel').count(), 3);
    assert.equal(await focusedAttr(p, 'id'), 'canvas', 'focus stays on the canvas after a delete');
    await p.keyboard.press('Tab');
    assert.equal(await focusedAttr(p, 'data-box'), 'product', 'and Tab goes on to the next entity');
  });

  it('keyboard: a relationship is reached from its entity\'s panel and deleted with Delete', async () => {
    const p = fx.ed.page;
    await p.locator('[data-box="order_line"]').focus();
    await p.keyboard.press('Enter');
    await p.locator('#panel button[name="goto-line_product"]').focus();
    await p.keyboard.press('Enter');
    assert.equal(await focusedAttr(p, 'data-line'), 'line_product');
    assert.equal(await p.locator('#panel input[name="rel-name"]').inputValue(), 'line_product');
    await p.keyboard.press('Delete');
    assert.deepEqual((await edits()).map((m) => (m as { edit: unknown }).edit), [{ op: 'deleteRelationship', relationship: 'line_product' }]);
    assert.equal(await p.locator('.rel').count(), 3);
  });

  it('keyboard: a relationship is added from the entity panel', async () => {
    const p = fx.ed.page;
    await p.locator('[data-box="sales_order"]').focus();
    await p.keyboard.press('Enter');
    await p.locator('#panel select[name="new-rel-from"]').selectOption('ordered_at');
    await p.locator('#panel select[name="new-rel-entity"]').selectOption('product');
    assert.equal(await p.locator('#panel select[name="new-rel-to"]').inputValue(), 'product_id', 'the primary key is offered first');
    await p.locator('#panel #add-relationship').focus();
    await p.keyboard.press('Enter');
    assert.deepEqual((await edits()).map((m) => (m as { edit: unknown }).edit), [{
      op: 'addRelationship',
      relationship: { name: 'sales_order__product', from: { entity: 'sales_order', columns: ['ordered_at'] }, to: { entity: 'product', columns: ['product_id'] }, cardinality: 'many-to-one', optional: false },
    }]);
    assert.equal(await p.locator('.rel').count(), 5);
  });

  it('dragging from a column handle to another entity\'s column sends addRelationship', async () => {
    const p = fx.ed.page;
    await p.locator('[data-box="sales_order"] .row[data-column="ordered_at"]').hover();
    const h = await p.locator('.handle[data-column="ordered_at"][data-entity="sales_order"]').boundingBox();
    const target = await p.locator('[data-box="customer"] .row[data-column="customer_id"]').boundingBox();
    assert.ok(h && target);
    await p.mouse.move(h.x + h.width / 2, h.y + h.height / 2);
    await p.mouse.down();
    await p.mouse.move(target.x + target.width / 2, target.y + target.height / 2, { steps: 8 });
    await p.mouse.up();
    assert.deepEqual((await edits()).map((m) => (m as { edit: unknown }).edit), [{
      op: 'addRelationship',
      relationship: { name: 'sales_order__customer', from: { entity: 'sales_order', columns: ['ordered_at'] }, to: { entity: 'customer', columns: ['customer_id'] }, cardinality: 'many-to-one', optional: false },
    }]);
    assert.equal(await p.locator('.rel').count(), 5);
    assert.equal(await p.locator('.link-preview').count(), 0, 'preview line removed');
  });

  it('auto-layout places only entities without a position; re-layout all places every one', async () => {
    const m = retailErd();
    delete m.layout.positions.category;
    await fx.ed.send({ type: 'erd', model: m });
    await waitForBoxes(fx.ed.page, 5);
    await fx.ed.page.locator('#auto-layout').click();
    const first = (await edits()).map((x) => (x as { edit: { op: string; positions: Record<string, unknown> } }).edit);
    assert.equal(first.length, 1);
    assert.equal(first[0].op, 'setPositions');
    assert.deepEqual(Object.keys(first[0].positions), ['category']);
    await fx.ed.clearPosted();
    await fx.ed.page.locator('#relayout-all').click();
    const all = (await edits()).map((x) => (x as { edit: { positions: Record<string, unknown> } }).edit);
    assert.deepEqual(Object.keys(all[0].positions).sort(), ['category', 'customer', 'order_line', 'product', 'sales_order']);
  });

  it('search highlights matches; pan, zoom and fit change the view only', async () => {
    const p = fx.ed.page;
    await p.locator('#search').fill('order');
    assert.equal(await p.locator('[data-box].match').count(), 2);
    assert.equal(await p.locator('.toolbar .count').textContent(), '2 found');
    // Pan: dragging the background moves the view, not the boxes.
    const before = await p.locator('#canvas > g.world').getAttribute('transform');
    await p.mouse.move(1300, 850);
    await p.mouse.down();
    await p.mouse.move(1200, 800, { steps: 5 });
    await p.mouse.up();
    const after = await p.locator('#canvas > g.world').getAttribute('transform');
    assert.notEqual(after, before);
    assert.equal(after?.replace(/translate\([^)]*\)/, ''), before?.replace(/translate\([^)]*\)/, ''), 'same scale');
    const k0 = await zoom(p);
    await p.locator('#zoom-in').click();
    assert.ok((await zoom(p)) > k0);
    await p.mouse.move(700, 450);
    await p.mouse.wheel(0, 400);
    const k1 = await zoom(p);
    await p.locator('#fit').click();
    assert.notEqual(await zoom(p), k1);
    assert.deepEqual(await edits(), [], 'viewing sends no edits');
    await p.locator('#export').click();
    assert.deepEqual((await fx.ed.posted()).at(-1), { type: 'export' });
  });

  it('the view (zoom, pan) is kept in the webview state and restored when the webview reloads', async () => {
    const p = fx.ed.page;
    await p.locator('#zoom-in').click();
    const saved = (await fx.ed.state()) as { view: { k: number; tx: number; ty: number } };
    assert.equal(saved.view.k, await zoom(p));
    await fx.reopen({ state: saved });
    await fx.ed.send({ type: 'erd', model: retailErd() });
    await waitForBoxes(fx.ed.page, 5);
    assert.equal(await fx.ed.page.locator('#canvas > g.world').getAttribute('transform'), `translate(${saved.view.tx},${saved.view.ty}) scale(${saved.view.k})`);
  });

  it('an invalid model shows the error with its JSON path instead of a canvas; a valid one redraws', async () => {
    const p = fx.ed.page;
    const bad = retailErd();
    bad.relationships[2].to.entity = 'ghost';
    await fx.ed.send({ type: 'erd', model: bad });
    await p.locator('#error').waitFor({ state: 'visible' });
    assert.match((await p.locator('#error .error-message').textContent()) ?? '', /unknown entity "ghost"/);
    assert.equal(await p.locator('#error .error-path').textContent(), 'at /relationships/2/to/entity');
    assert.equal(await p.locator('#canvas').isVisible(), false);
    await fx.ed.screenshot('erd-invalid');
    await fx.ed.send({ type: 'invalid', kind: 'erd', error: { message: 'not valid JSON: CommaExpected', path: '', line: 12 } });
    await p.locator('#error .error-path', { hasText: 'at / (line 12)' }).waitFor();
    await p.locator('#error button').click();
    assert.deepEqual((await fx.ed.posted()).at(-1), { type: 'openText' });
    const fixed = retailErd();
    fixed.entities.pop();
    fixed.relationships = fixed.relationships.filter((r) => r.from.entity !== 'order_line');
    fixed.groups[0].entities = ['sales_order'];
    await fx.ed.send({ type: 'erd', model: fixed });
    await waitForBoxes(p, 4);
    assert.equal(await p.locator('#error').isHidden(), true);
  });

  it('a proposed decomposition is flagged on its entity and accepted from the side panel', async () => {
    const p = fx.ed.page;
    await fx.ed.send({ type: 'erd', model: denormalisedErd() });
    await p.locator('[data-box="order_line"] .split-badge').waitFor();
    await p.locator('[data-box="order_line"]').focus();
    await p.keyboard.press('Enter');
    await p.locator('#panel #accept-order_line-product_id').click();
    assert.deepEqual(await edits(), [{ type: 'edit', kind: 'erd', edit: { op: 'decideDecomposition', id: 'order_line-product_id', accept: true } }]);
    assert.equal(await p.locator('[data-box]').count(), 5, 'nothing changes until the extension sends the new model');
  });

  it('malformed messages are dropped without breaking the canvas', async () => {
    const p = fx.ed.page;
    await fx.ed.send({ type: 'explode' });
    await fx.ed.send({ type: 'erd' });
    await fx.ed.send('erd');
    await p.waitForTimeout(50);
    assert.equal(await p.locator('[data-box]').count(), 5);
    assert.equal(await p.locator('#error').isHidden(), true);
  });

  it('a 200-entity / 300-relationship ERD without positions is laid out and drawn whole; zoomed out, column text is hidden', async () => {
    const big = generatedErd(200, 300);
    // The editor is already open with the retail model; a new model replaces it but keeps the view: reload to fit.
    await fx.reopen();
    await fx.ed.send({ type: 'erd', model: big });
    await waitForBoxes(fx.ed.page, 200);
    const q = fx.ed.page;
    assert.equal(await q.locator('.rel').count(), 300);
    assert.equal(await q.locator('.rel .edge[marker-start="url(#m-one)"]').count(), 30, 'one-to-one ends');
    assert.equal(await q.locator('.rel .edge[marker-start="url(#m-many)"]').count(), 270, 'crow\'s feet');
    assert.equal(await q.locator('rect.group').count(), 4);
    // No overlapping boxes from the automatic layout.
    const rects = await Promise.all(big.entities.slice(0, 40).map((e) => q.locator(`[data-box="${e.name}"] .box`).boundingBox()));
    for (let i = 0; i < rects.length; i++) {
      for (let j = i + 1; j < rects.length; j++) {
        const a = rects[i], b = rects[j];
        assert.ok(a && b);
        const overlap = a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
        assert.equal(overlap, false, `${big.entities[i].name} overlaps ${big.entities[j].name}`);
      }
    }
    assert.ok(((await q.locator('.stage').getAttribute('class')) ?? '').includes('far'), 'fit to 200 boxes zooms far out');
    assert.equal(await q.locator('[data-box="entity_0"] .row').first().isVisible(), false);
    await fx.ed.screenshot('erd-200');
    for (let i = 0; i < 8; i++) await q.locator('#zoom-in').click();
    assert.equal(((await q.locator('.stage').getAttribute('class')) ?? '').includes('far'), false);
    assert.deepEqual(await edits(), [], 'drawing a model without positions does not write them');
    // Storing one box's position (a drag) leaves the other unplaced boxes where they are drawn.
    const others = async () => q.locator('#canvas [data-box]').evaluateAll((els) => els.slice(1).map((e) => e.getAttribute('transform')));
    const before = await others();
    await q.locator('#fit').click();
    const pt = await headerPoint(q, 'entity_0');
    await q.mouse.move(pt.x, pt.y);
    await q.mouse.down();
    await q.mouse.move(pt.x + 30, pt.y + 30, { steps: 3 });
    await q.mouse.up();
    const moved = (await edits()).map((m) => (m as { edit: { x: number; y: number } }).edit);
    assert.equal(moved.length, 1);
    // What the extension would send after an undo/redo or external change: entity_0 placed, the rest not.
    await fx.ed.send({ type: 'erd', model: { ...big, layout: { positions: { entity_0: { x: moved[0].x, y: moved[0].y } } } } });
    await q.waitForTimeout(50);
    assert.deepEqual(await others(), before);
  });
});
