/** The star schema editor webview in headless Chromium. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { retailErd, retailStar } from '../../unit/editors/fixtures';
import { editorFixture, focusedAttr, headerPoint, waitForBoxes, waitUntil } from './harness';

const fx = editorFixture('star', () => ({ type: 'star', model: retailStar() }), 4);

/** The retail ERD with the fact's join columns, sent as the star's source ERD. */
function erdContext(): unknown {
  const erd = retailErd();
  erd.entities.find((e) => e.name === 'order_line')?.columns.push({ name: 'customer_id', type: 'UInt64', nullable: false }, { name: 'ordered_at', type: 'DateTime', nullable: false });
  return { type: 'erdContext', erd: 'models/retail.erd.json', entities: erd.entities };
}

const edits = async () => (await fx.ed.posted()).filter((m) => (m as { type: string }).type === 'edit').map((m) => (m as { edit: unknown }).edit);

describe('star webview', () => {
  it('draws the fact in the centre, dimensions around it, role-labelled lines and hierarchies', async () => {
    const p = fx.ed.page;
    assert.equal(await p.locator('g.fact').count(), 1);
    assert.equal(await p.locator('g.dimension').count(), 3);
    assert.equal(await p.locator('g.dimension.generated').count(), 1);
    assert.equal(await p.locator('.ref').count(), 3);
    assert.deepEqual((await p.locator('.ref .edge-label').allTextContents()).sort(), ['customer', 'order_date', 'product']);
    assert.equal(await p.locator('.ref .edge[marker-start="url(#m-many)"]').count(), 3);
    const texts = await p.locator('[data-box="date"] text').allTextContents();
    assert.ok(texts.includes('⤷ year › quarter › month'), `date hierarchy listed: ${texts.join(' | ')}`);
    assert.ok((await p.locator('[data-box="customer"] text').allTextContents()).includes('⤷ country › city'));
    // Radial: every dimension centre is farther from the picture's centre than the fact's.
    const centre = async (id: string) => {
      const r = await p.locator(`[data-box="${id}"] .box`).boundingBox();
      assert.ok(r);
      return { x: r.x + r.width / 2, y: r.y + r.height / 2 };
    };
    const f = await centre('fact_sales');
    const all = await Promise.all(['fact_sales', 'customer', 'product', 'date'].map(centre));
    const mid = { x: all.reduce((s, c) => s + c.x, 0) / 4, y: all.reduce((s, c) => s + c.y, 0) / 4 };
    const dist = (c: { x: number; y: number }) => Math.hypot(c.x - mid.x, c.y - mid.y);
    for (const d of all.slice(1)) assert.ok(dist(d) > dist(f));
    await fx.ed.screenshot('star-retail');
  });

  it('side panel: SCD type, measure aggregation, role and rename send their edits', async () => {
    const p = fx.ed.page;
    let pt = await headerPoint(p, 'customer');
    await p.mouse.click(pt.x, pt.y);
    await p.locator('#panel select[name="scd"]').selectOption('1');
    pt = await headerPoint(p, 'fact_sales');
    await p.mouse.click(pt.x, pt.y);
    await p.locator('#panel select[name="agg-amount"]').selectOption('avg');
    await p.locator('#panel input[name="role-2"]').fill('sale_date');
    await p.locator('#panel input[name="role-2"]').press('Enter');
    await p.locator('#panel input[name="fact-name"]').fill('sales');
    await p.locator('#panel input[name="fact-name"]').press('Enter');
    assert.deepEqual(await edits(), [
      { op: 'setScdType', dimension: 'customer', scdType: 1 },
      { op: 'updateMeasure', fact: 'fact_sales', measure: 'amount', aggregation: 'avg' },
      { op: 'setRole', fact: 'fact_sales', index: 2, role: 'sale_date' },
      { op: 'renameFact', fact: 'fact_sales', newName: 'sales' },
    ]);
    assert.ok((await p.locator('[data-box="customer"] text').allTextContents()).includes('SCD1'));
    assert.ok((await p.locator('.ref .edge-label').allTextContents()).includes('sale_date'));
    assert.equal(await p.locator('[data-box="sales"]').count(), 1);
    await fx.ed.screenshot('star-panel');
  });

  it('a drag sends one moveEntity', async () => {
    const p = fx.ed.page;
    const pt = await headerPoint(p, 'product');
    await p.mouse.move(pt.x, pt.y);
    await p.mouse.down();
    await p.mouse.move(pt.x + 50, pt.y - 40, { steps: 6 });
    await p.mouse.up();
    const sent = (await edits()) as { op: string; entity: string }[];
    assert.equal(sent.length, 1);
    assert.equal(sent[0].op, 'moveEntity');
    assert.equal(sent[0].entity, 'product');
  });

  it('a star file referencing a missing dimension shows the error path', async () => {
    const bad = retailStar();
    bad.facts[0].dimensions[1].dimension = 'store';
    await fx.ed.send({ type: 'star', model: bad });
    await fx.ed.page.locator('#error').waitFor({ state: 'visible' });
    assert.equal(await fx.ed.page.locator('#error .error-path').textContent(), 'at /facts/0/dimensions/1/dimension');
  });

  it('dragging from a fact to a dimension adds a role-playing reference on the matching column, drawn as a new line', async () => {
    const p = fx.ed.page;
    await fx.ed.send(erdContext());
    await p.locator('[data-box="fact_sales"] .box-header').hover();
    const h = await p.locator('.handle[data-entity="fact_sales"]').boundingBox();
    const target = await headerPoint(p, 'customer');
    assert.ok(h);
    await p.mouse.move(h.x + h.width / 2, h.y + h.height / 2);
    await p.mouse.down();
    await p.mouse.move(target.x, target.y, { steps: 8 });
    await p.mouse.up();
    assert.deepEqual(await edits(), [{ op: 'addReference', fact: 'fact_sales', reference: { dimension: 'customer', role: 'customer_2', columns: ['customer_id'] } }]);
    assert.equal(await p.locator('.ref').count(), 4);
    assert.ok((await p.locator('.ref .edge-label').allTextContents()).includes('customer_2'));
    assert.equal(await p.locator('#panel input[name="ref-role"]').inputValue(), 'customer_2', 'the new reference is selected');
    await fx.ed.screenshot('star-drag-reference');
  });

  it('a drag whose fact column cannot be guessed opens the reference form with that dimension chosen', async () => {
    const p = fx.ed.page;
    await fx.ed.send(erdContext());
    await p.locator('[data-box="fact_sales"] .box-header').hover();
    const h = await p.locator('.handle[data-entity="fact_sales"]').boundingBox();
    const target = await headerPoint(p, 'date');
    assert.ok(h);
    await p.mouse.move(h.x + h.width / 2, h.y + h.height / 2);
    await p.mouse.down();
    await p.mouse.move(target.x, target.y, { steps: 8 });
    await p.mouse.up();
    assert.deepEqual(await edits(), [], 'the only date column already plays order_date: nothing is guessed');
    assert.equal(await p.locator('#panel select[name="new-ref-dimension"]').inputValue(), 'date');
    await p.locator('#panel select[name="new-ref-col-0"]').selectOption('ordered_at');
    await p.locator('#panel input[name="new-ref-role"]').fill('ship_date');
    await p.locator('#panel #add-reference').click();
    assert.deepEqual(await edits(), [{ op: 'addReference', fact: 'fact_sales', reference: { dimension: 'date', role: 'ship_date', columns: ['ordered_at'] } }]);
    assert.equal(await p.locator('.ref').count(), 4);
  });

  it('a selected reference line is removed with Delete, and from the fact panel', async () => {
    const p = fx.ed.page;
    await p.locator('[data-line="fact_sales#1"]').focus();
    await p.keyboard.press('Delete');
    assert.equal(await p.locator('.ref').count(), 2);
    assert.equal(await p.locator('[data-line="fact_sales#2"]').count(), 0, 'the line is gone');
    let pt = await headerPoint(p, 'fact_sales');
    await p.mouse.click(pt.x, pt.y);
    await p.locator('#panel button[name="remove-ref-0"]').click();
    assert.deepEqual(await edits(), [
      { op: 'removeReference', fact: 'fact_sales', role: 'product' },
      { op: 'removeReference', fact: 'fact_sales', role: 'customer' },
    ]);
    assert.deepEqual(await p.locator('.ref .edge-label').allTextContents(), ['order_date']);
    pt = await headerPoint(p, 'product');
    assert.ok(pt, 'the dimension itself stays');
  });

  it('deleting a dimension removes its lines and says which references went with it', async () => {
    const p = fx.ed.page;
    await p.locator('[data-box="customer"]').focus();
    await p.keyboard.press('Delete');
    assert.deepEqual(await edits(), [{ op: 'deleteDimension', dimension: 'customer' }]);
    assert.equal(await p.locator('g.dimension').count(), 2);
    assert.equal(await p.locator('.ref').count(), 2);
    assert.match((await p.locator('#notice').textContent()) ?? '', /Deleted dimension "customer" and the reference to it \(fact_sales\.customer\)/);
  });

  it('toolbar: a dimension from an ERD entity gets its key and attributes; a fact from another entity', async () => {
    const p = fx.ed.page;
    await fx.ed.send(erdContext());
    await p.locator('#add-dimension').click();
    assert.equal(await focusedAttr(p, 'name'), 'new-entity', 'the form takes the focus');
    await p.locator('#panel select[name="new-entity"]').selectOption('category');
    assert.equal(await p.locator('#panel input[name="new-name"]').inputValue(), 'category');
    await fx.ed.screenshot('star-add-dimension');
    await p.locator('#panel #add-box').click();
    await waitForBoxes(p, 5);
    await p.locator('#add-fact').click();
    await p.locator('#panel select[name="new-entity"]').selectOption('sales_order');
    await p.keyboard.press('Tab');
    await p.locator('#panel #add-box').focus();
    await p.keyboard.press('Enter');
    await waitForBoxes(p, 6);
    const sent = (await edits()) as Record<string, unknown>[];
    assert.deepEqual(sent.map(({ x: _x, y: _y, ...e }) => e), [
      { op: 'addDimension', dimension: 'category', entity: 'category', naturalKey: ['category_id'], attributes: [{ name: 'label', column: 'label', type: 'String' }] },
      { op: 'addFact', fact: 'fact_sales_order', entity: 'sales_order', grain: ['order_id'] },
    ]);
    assert.equal(await p.locator('g.fact').count(), 2);
    assert.equal(await p.locator('#panel input[name="fact-name"]').inputValue(), 'fact_sales_order', 'the new fact is selected');
  });

  it('without a known ERD a blank fact is a typed name and entity', async () => {
    const p = fx.ed.page;
    await p.locator('#add-fact').click();
    await p.locator('#panel input[name="new-entity"]').fill('returns');
    await p.locator('#panel input[name="new-name"]').fill('fact_returns');
    await p.locator('#panel #add-box').click();
    await waitForBoxes(p, 5);
    const sent = (await edits()) as Record<string, unknown>[];
    assert.deepEqual(sent.map(({ x: _x, y: _y, ...e }) => e), [{ op: 'addFact', fact: 'fact_returns', entity: 'returns', grain: [] }]);
  });

  it('fact panel: add, rename, re-column and remove measures; keep and drop degenerate dimensions', async () => {
    const p = fx.ed.page;
    await fx.ed.send(erdContext());
    const pt = await headerPoint(p, 'fact_sales');
    await p.mouse.click(pt.x, pt.y);
    await p.locator('#panel select[name="new-measure-col"]').selectOption('line_no');
    await p.locator('#panel #add-measure').click();
    await p.locator('#panel input[name="measure-name-line_no"]').fill('lines');
    await p.locator('#panel input[name="measure-name-line_no"]').press('Enter');
    await p.locator('#panel select[name="agg-lines"]').selectOption('count');
    await p.locator('#panel select[name="measure-col-amount"]').selectOption('quantity');
    await p.locator('#panel button[name="remove-measure-quantity"]').click();
    await p.locator('#panel select[name="new-degenerate"]').selectOption('line_no');
    await p.locator('#panel #add-degenerate').click();
    await p.locator('#panel button[name="remove-degenerate-order_id"]').click();
    assert.deepEqual(await edits(), [
      { op: 'addMeasure', fact: 'fact_sales', measure: { name: 'line_no', column: 'line_no', aggregation: 'sum', additivity: 'additive' } },
      { op: 'updateMeasure', fact: 'fact_sales', measure: 'line_no', newName: 'lines' },
      { op: 'updateMeasure', fact: 'fact_sales', measure: 'lines', aggregation: 'count' },
      { op: 'updateMeasure', fact: 'fact_sales', measure: 'amount', column: 'quantity' },
      { op: 'removeMeasure', fact: 'fact_sales', measure: 'quantity' },
      { op: 'addDegenerate', fact: 'fact_sales', column: 'line_no' },
      { op: 'removeDegenerate', fact: 'fact_sales', column: 'order_id' },
    ]);
    const texts = await p.locator('[data-box="fact_sales"] text').allTextContents();
    assert.ok(texts.includes('Σ lines: count') && !texts.some((t) => t.startsWith('Σ quantity')), texts.join(' | '));
    assert.ok(texts.includes('# line_no'), texts.join(' | '));
    await fx.ed.screenshot('star-fact-panel');
  });

  it('dimension panel: natural key ticks send setNaturalKey; a refused one says why, sends nothing and redraws as it was', async () => {
    const p = fx.ed.page;
    await fx.ed.send(erdContext());
    const pt = await headerPoint(p, 'customer');
    await p.mouse.click(pt.x, pt.y);
    await p.locator('#panel input[name="nk-name"]').click(); // not check(): it would retry the refused tick
    await waitUntil(p, `document.querySelector('#notice').textContent.includes('joins on 1 column')`);
    assert.equal(await p.locator('#panel input[name="nk-name"]').isChecked(), false, 'the refused tick is undone');
    assert.deepEqual(await edits(), []);
    await p.locator('#panel input[name="nk-customer_id"]').click();
    assert.match((await p.locator('#notice').textContent()) ?? '', /needs at least one column/);
    const bad = retailStar();
    bad.facts[0].dimensions = bad.facts[0].dimensions.filter((r) => r.dimension !== 'customer');
    await fx.ed.send({ type: 'star', model: bad });
    await p.locator('#panel input[name="nk-name"]').check();
    assert.deepEqual(await edits(), [{ op: 'setNaturalKey', dimension: 'customer', columns: ['customer_id', 'name'] }]);
    const texts = await p.locator('[data-box="customer"] text').allTextContents();
    assert.ok(texts.some((t) => t.startsWith('key: customer_id, name')), texts.join(' | '));
    await fx.ed.screenshot('star-dimension-panel');
  });
  it('dimension panel: add a hierarchy, add a level, move it by mouse and keyboard, remove a level, rename and remove a hierarchy', async () => {
    const p = fx.ed.page;
    const pt = await headerPoint(p, 'customer');
    await p.mouse.click(pt.x, pt.y);
    await p.locator('#panel input[name="new-hierarchy-name"]').fill('by_name');
    await p.locator('#panel select[name="new-hierarchy-root"]').selectOption('country');
    await p.locator('#panel select[name="new-hierarchy-next"]').selectOption('name');
    await p.locator('#panel #add-hierarchy').click();
    const boxText = () => p.locator('[data-box="customer"] text').allTextContents();
    assert.ok((await boxText()).includes('⤷ country › name'), 'the redrawn box lists the new hierarchy');
    assert.equal(await focusedAttr(p, 'name'), 'add-level-by_name', 'the focus moves to the new hierarchy\'s level picker');
    await p.locator('#panel select[name="add-level-by_name"]').selectOption('customer_id');
    await p.locator('#panel button[name="add-level-button-by_name"]').click();
    assert.match((await p.locator('#panel fieldset.hierarchy').nth(1).textContent()) ?? '', /customer_id: unknown/, 'an unmeasured level says so');
    await p.locator('#panel button[name="level-up-by_name-customer_id"]').click();
    assert.equal(await focusedAttr(p, 'name'), 'level-up-by_name-customer_id', 'the focus stays on the moved level');
    await p.keyboard.press('Enter');
    assert.ok((await boxText()).includes('⤷ customer_id › country › name'), (await boxText()).join(' | '));
    assert.equal(await p.locator('#panel button[name="level-up-by_name-customer_id"]').isDisabled(), true, 'the root cannot move up');
    assert.equal(await focusedAttr(p, 'name'), 'level-down-by_name-customer_id', 'the keyboard stays on the level');
    await p.locator('#panel button[name="remove-level-by_name-name"]').click();
    await p.locator('#panel input[name="hier-name-geography"]').fill('geo');
    await p.locator('#panel input[name="hier-name-geography"]').press('Enter');
    await p.locator('#panel button[name="remove-hierarchy-geo"]').click();
    assert.deepEqual(await edits(), [
      { op: 'addHierarchy', dimension: 'customer', hierarchy: 'by_name', levels: ['country', 'name'] },
      { op: 'addLevel', dimension: 'customer', hierarchy: 'by_name', attribute: 'customer_id' },
      { op: 'moveLevel', dimension: 'customer', hierarchy: 'by_name', attribute: 'customer_id', to: 1 },
      { op: 'moveLevel', dimension: 'customer', hierarchy: 'by_name', attribute: 'customer_id', to: 0 },
      { op: 'removeLevel', dimension: 'customer', hierarchy: 'by_name', attribute: 'name' },
      { op: 'renameHierarchy', dimension: 'customer', hierarchy: 'geography', newName: 'geo' },
      { op: 'removeHierarchy', dimension: 'customer', hierarchy: 'geo' },
    ]);
    const texts = (await boxText()).filter((t) => t.startsWith('⤷'));
    assert.deepEqual(texts, ['⤷ customer_id › country']);
    assert.deepEqual(await fx.ed.problems(), []);
    await fx.ed.screenshot('star-hierarchies');
  });

  it('hierarchy refusals say why in one line and send nothing: a taken name, the same attribute twice, the last two levels', async () => {
    const p = fx.ed.page;
    const pt = await headerPoint(p, 'date');
    await p.mouse.click(pt.x, pt.y);
    const notice = async () => (await p.locator('#notice').textContent()) ?? '';
    await p.locator('#panel input[name="new-hierarchy-name"]').fill('calendar');
    await p.locator('#panel #add-hierarchy').click();
    assert.match(await notice(), /dimension "date" already has a hierarchy "calendar"/);
    await p.locator('#panel input[name="new-hierarchy-name"]').fill('years');
    await p.locator('#panel select[name="new-hierarchy-next"]').selectOption('year');
    await p.locator('#panel #add-hierarchy').click();
    assert.match(await notice(), /hierarchy "date.years" already has a level on "year"/);
    assert.deepEqual(await p.locator('#panel select[name="new-hierarchy-root"] option').allTextContents(), ['year', 'quarter', 'month', 'date'], 'calendar attributes and the date key');
    await p.locator('#panel button[name="remove-level-calendar-quarter"]').click();
    await p.locator('#panel button[name="remove-level-calendar-month"]').click();
    assert.match(await notice(), /hierarchy "date.calendar" needs at least 2 levels: remove the hierarchy instead/);
    assert.deepEqual(await edits(), [{ op: 'removeLevel', dimension: 'date', hierarchy: 'calendar', attribute: 'quarter' }]);
    assert.ok((await p.locator('[data-box="date"] text').allTextContents()).includes('⤷ year › month'));
  });
});
