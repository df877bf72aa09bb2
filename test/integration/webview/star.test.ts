/** The star schema editor webview in headless Chromium. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { retailStar } from '../../unit/editors/fixtures';
import { editorFixture, headerPoint } from './harness';

const fx = editorFixture('star', () => ({ type: 'star', model: retailStar() }), 4);

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
});
