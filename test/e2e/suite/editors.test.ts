/** Custom editors in the real host: *.erd.json and *.star.json open in Kimball's editors, edits go through the document. */
import * as assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { describe, it } from './mocha-api';
import { EXTENSION_ID, kimballApi, waitFor, workspaceRoot } from './helpers';

/** The fixture model copied into the workspace under a name no generator uses. */
function fixtureModel(kind: 'erd' | 'star'): vscode.Uri {
  const ext = vscode.extensions.getExtension(EXTENSION_ID);
  assert.ok(ext);
  const dir = join(workspaceRoot(), 'models');
  mkdirSync(dir, { recursive: true });
  const target = join(dir, `e2e-fixture.${kind}.json`);
  copyFileSync(join(ext.extensionPath, 'test', 'e2e', 'fixtures', 'workspace', 'models', `shop.${kind}.json`), target);
  return vscode.Uri.file(target);
}

/** The host offers no list of registered custom editors: the bundle naming the view type means activate() registers it. */
function requireEditor(viewType: string): void {
  const ext = vscode.extensions.getExtension(EXTENSION_ID);
  const bundle = ext ? readFileSync(join(ext.extensionPath, 'dist', 'extension.js'), 'utf8') : '';
  if (!bundle.includes(`'${viewType}'`) && !bundle.includes(`"${viewType}"`)) {
    throw new Error(`the custom editor is not registered: dist/extension.js never names the view type ${viewType}`);
  }
}

async function openCustom(uri: vscode.Uri, viewType: string): Promise<vscode.TabInputCustom> {
  await vscode.commands.executeCommand('vscode.openWith', uri, viewType);
  // tabGroups lists a webview tab a little after the command returns.
  return waitFor(`a ${viewType} tab for ${uri.fsPath}`, () => {
    for (const tab of vscode.window.tabGroups.all.flatMap((g) => g.tabs)) {
      if (tab.input instanceof vscode.TabInputCustom && tab.input.uri.fsPath === uri.fsPath) return tab.input;
    }
    return undefined;
  }, 20_000);
}

describe('custom editors', () => {
  for (const [kind, viewType] of [['erd', 'kimball.erdEditor'], ['star', 'kimball.starEditor']] as const) {
    it(`opens *.${kind}.json in ${viewType}, and a document edit makes it dirty until reverted`, async function () {
      requireEditor(viewType);
      await kimballApi();
      const uri = fixtureModel(kind);
      const input = await openCustom(uri, viewType);
      assert.equal(input.viewType, viewType);
      // A text custom editor works on the text document: an edit there is the editor's edit.
      const doc = await waitFor('the model text document', () => vscode.workspace.textDocuments.find((d) => d.uri.fsPath === uri.fsPath));
      const original = doc.getText();
      const edit = new vscode.WorkspaceEdit();
      edit.insert(uri, doc.positionAt(original.indexOf('"layout"')), ' ');
      assert.ok(await vscode.workspace.applyEdit(edit));
      assert.equal(doc.isDirty, true);
      await vscode.commands.executeCommand('workbench.action.files.revert');
      await waitFor('the document to be clean after revert', () => !doc.isDirty || undefined, 10_000);
      assert.equal(doc.getText(), original);
      await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
    });
  }
});
