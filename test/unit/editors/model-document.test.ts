import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { stableStringify } from '../../../src/core/project/json-file';
import { applyEditToText, DocumentSync, hostMessageFor, lineOfPointer, readModel } from '../../../src/vscode/editors/model-document';
import { contentSecurityPolicy, webviewHtml } from '../../../src/vscode/editors/html';
import { parseHostMessage, parseWebviewMessage } from '../../../webview/shared/protocol';
import { denormalisedErd, retailErd, retailStar } from './fixtures';

const FILE = 'models/retail.erd.json';

describe('model document: text -> webview message', () => {
  it('a valid ERD and star become model messages', () => {
    const erd = hostMessageFor('erd', stableStringify(retailErd()), FILE);
    assert.equal(erd.type, 'erd');
    const star = hostMessageFor('star', stableStringify(retailStar()), 'models/retail.star.json');
    assert.equal(star.type, 'star');
  });

  it('a JSON syntax error names the line', () => {
    const text = stableStringify(retailErd()).replace('"kind": "erd",', '"kind": "erd"');
    const r = readModel('erd', text, FILE);
    assert.equal(r.ok, false);
    if (r.ok) return;
    assert.match(r.error.message, /not valid JSON/);
    const expected = text.split('\n').findIndex((l) => l.includes('"kind": "erd"')) + 2; // the error is reported at the next token
    assert.equal(r.error.line, expected);
  });

  it('a dangling relationship end names the JSON path and its line', () => {
    const m = retailErd();
    m.relationships[1].to.entity = 'ghost';
    const text = stableStringify(m);
    const r = readModel('erd', text, FILE);
    assert.equal(r.ok, false);
    if (r.ok) return;
    assert.equal(r.error.path, '/relationships/1/to/entity');
    assert.match(r.error.message, /ghost/);
    assert.equal(text.split('\n')[(r.error.line ?? 0) - 1].trim(), '"entity": "ghost"');
  });

  it('a schema error (wrong type) names the JSON path', () => {
    const m = retailErd() as unknown as { entities: { columns: { nullable: unknown }[] }[] };
    m.entities[2].columns[1].nullable = 'yes';
    const r = readModel('erd', stableStringify(m), FILE);
    assert.equal(r.ok, false);
    if (!r.ok) assert.equal(r.error.path, '/entities/2/columns/1/nullable');
  });

  it('duplicate names are errors', () => {
    const m = retailStar();
    m.dimensions[1].name = 'customer';
    const r = readModel('star', stableStringify(m), 'models/retail.star.json');
    assert.equal(r.ok, false);
    if (!r.ok) assert.equal(r.error.path, '/dimensions/1/name');
  });

  it('lineOfPointer falls back to the nearest existing parent', () => {
    const text = stableStringify(retailErd());
    assert.equal(lineOfPointer(text, ''), 1);
    const l = lineOfPointer(text, '/layout/positions/ghost') ?? 0;
    assert.equal(text.split('\n')[l - 1].trim(), '"positions": {');
  });
});

describe('model document: edit -> whole new text', () => {
  it('moving a box changes exactly its two coordinate lines', () => {
    const before = stableStringify(retailErd());
    const r = applyEditToText('erd', before, { op: 'moveEntity', entity: 'product', x: 500, y: 300 }, FILE);
    assert.ok(r.ok);
    if (!r.ok) return;
    const a = before.split('\n');
    const b = r.text.split('\n');
    assert.equal(a.length, b.length);
    const changed = a.map((l, i) => (l === b[i] ? null : `${l.trim()} -> ${b[i].trim()}`)).filter((x) => x !== null);
    assert.deepEqual(changed, ['"x": 420, -> "x": 500,', '"y": 260 -> "y": 300']);
  });

  it('load -> save of an unchanged model gives the same bytes', () => {
    const text = stableStringify(retailStar());
    const r = applyEditToText('star', text, { op: 'setScdType', dimension: 'customer', scdType: 2 }, 'models/retail.star.json');
    assert.deepEqual(r, { ok: true, text });
  });

  it('an edit on an invalid file or an invalid edit writes nothing and says why', () => {
    const bad = stableStringify(retailErd()).replace('"customer_id"', '"customer_id');
    const r1 = applyEditToText('erd', bad, { op: 'moveEntity', entity: 'customer', x: 1, y: 1 }, FILE);
    assert.equal(r1.ok, false);
    if (!r1.ok) assert.match(r1.message, /not valid/);
    const r2 = applyEditToText('erd', stableStringify(retailErd()), { op: 'deleteEntity', entity: 'ghost' }, FILE);
    assert.deepEqual(r2, { ok: false, message: 'entity "ghost" does not exist' });
  });
});

describe('DocumentSync: no echo loop', () => {
  it('the editor\'s own edit is not sent back; undo, external edits and fixes are', () => {
    const sync = new DocumentSync('erd', FILE);
    const v1 = stableStringify(retailErd());
    assert.equal(sync.ready(v1).type, 'erd');
    assert.equal(sync.documentChanged(v1), null, 'unchanged text is not re-sent');
    const r = sync.edit(v1, { op: 'moveEntity', entity: 'customer', x: 90, y: 40 });
    assert.ok('write' in r && r.write !== null);
    const v2 = 'write' in r && r.write ? r.write : '';
    assert.equal(sync.documentChanged(v2), null, 'the echo of our own WorkspaceEdit is skipped');
    const undo = sync.documentChanged(v1);
    assert.equal(undo?.type, 'erd', 'undo redraws');
    if (undo?.type === 'erd') assert.deepEqual(undo.model.layout.positions.customer, { x: 40, y: 40 });
    const broken = sync.documentChanged(v1.replace('"sales_order",', '"ghost",'));
    assert.equal(broken?.type, 'invalid', 'an external edit that breaks the file shows the error');
    assert.equal(sync.documentChanged(v1)?.type, 'erd', 'fixing the file redraws');
  });

  it('an edit that does not change the text writes nothing; a refused one resyncs the webview', () => {
    const sync = new DocumentSync('erd', FILE);
    const v1 = stableStringify(retailErd());
    sync.ready(v1);
    assert.deepEqual(sync.edit(v1, { op: 'moveEntity', entity: 'customer', x: 40, y: 40 }), { write: null });
    const r = sync.edit(v1, { op: 'renameEntity', entity: 'customer', newName: 'product' });
    assert.ok('refuse' in r);
    if ('refuse' in r) {
      assert.deepEqual(r.refuse[0], { type: 'notice', level: 'error', message: 'renameEntity: cannot rename "customer" to "product": an entity with that name exists' });
      assert.equal(r.refuse[1].type, 'erd');
    }
  });
});

describe('decompositions (applied by the extension only)', () => {
  it('accepting splits the columns out and the new model is sent back to the webview', () => {
    const sync = new DocumentSync('erd', FILE);
    const v1 = stableStringify(denormalisedErd());
    sync.ready(v1);
    const r = sync.edit(v1, { op: 'decideDecomposition', id: 'order_line-product_id', accept: true });
    assert.ok('write' in r && r.write);
    const v2 = 'write' in r && r.write ? r.write : '';
    const back = sync.documentChanged(v2);
    assert.equal(back?.type, 'erd', 'the webview did not apply it: the new model goes back');
    if (back?.type !== 'erd') return;
    assert.ok(back.model.entities.some((e) => e.name === 'product_title_by_id'));
    assert.equal(back.model.entities.find((e) => e.name === 'order_line')?.columns.some((c) => c.name === 'product_title'), false);
    assert.equal(back.model.decompositions[0].status, 'accepted');
    assert.equal(sync.documentChanged(v2), null);
  });

  it('rejecting records the decision', () => {
    const r = applyEditToText('erd', stableStringify(denormalisedErd()), { op: 'decideDecomposition', id: 'order_line-product_id', accept: false }, FILE);
    assert.ok(r.ok);
    if (r.ok) assert.match(r.text, /"status": "rejected"/);
    const bad = applyEditToText('erd', stableStringify(denormalisedErd()), { op: 'decideDecomposition', id: 'nope', accept: true }, FILE);
    assert.equal(bad.ok, false);
  });
});

describe('protocol', () => {
  it('accepts well-formed webview messages and rejects malformed ones with a path', () => {
    assert.ok(parseWebviewMessage({ type: 'ready' }).ok);
    assert.ok(parseWebviewMessage({ type: 'edit', kind: 'erd', edit: { op: 'moveEntity', entity: 'a', x: 1, y: 2 } }).ok);
    const bad = parseWebviewMessage({ type: 'edit', kind: 'erd', edit: { op: 'moveEntity', entity: 'a', x: '1', y: 2 } });
    assert.deepEqual(bad, { ok: false, problem: { path: '/edit/x', message: 'must be a finite number' } });
    const unknown = parseWebviewMessage({ type: 'edit', kind: 'erd', edit: { op: 'dropTable' } });
    assert.equal(unknown.ok, false);
    if (!unknown.ok) assert.equal(unknown.problem.path, '/edit/op');
    assert.equal(parseWebviewMessage({ type: 'edit', kind: 'star', edit: { op: 'renameEntity', entity: 'a', newName: 'b' } }).ok, false, 'ERD-only op in a star edit');
    assert.equal(parseWebviewMessage('ready').ok, false);
  });

  it('a model message with an invalid model becomes an invalid message on the webview side', () => {
    const m = retailErd();
    m.groups[0].entities.push('ghost');
    const r = parseHostMessage({ type: 'erd', model: m });
    assert.ok(r.ok);
    if (r.ok) assert.deepEqual(r.message, { type: 'invalid', kind: 'erd', error: { message: 'group "Sales" lists unknown entity "ghost"', path: '/groups/0/entities/2' } });
  });
});

describe('webview page', () => {
  it('has a strict CSP with a nonce and loads only our script and stylesheet', () => {
    const html = webviewHtml({ title: 'T <x>', cspSource: 'https://x.test', nonce: 'abc123', scriptUri: 'https://x.test/erd.js', styleUri: 'https://x.test/editor.css' });
    assert.equal(contentSecurityPolicy('https://x.test', 'abc123'), "default-src 'none'; style-src https://x.test 'nonce-abc123'; script-src 'nonce-abc123'; img-src https://x.test data:");
    assert.match(html, /<script nonce="abc123" src="https:\/\/x.test\/erd.js"><\/script>/);
    assert.match(html, /<title>T &lt;x&gt;<\/title>/);
    assert.equal((html.match(/<script/g) ?? []).length, 1, 'no inline script');
  });
});
