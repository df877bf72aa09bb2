/** Activation: the extension loads in the real host, measures itself, and registers its commands. */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { describe, it } from './mocha-api';
import { EXTENSION_ID, declaredCommands, declaredViews, kimballApi, metrics, registeredCommands } from './helpers';

describe('activation', () => {
  it('activates from the development folder and reports its own activation time', async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext, `${EXTENSION_ID} is not loaded: the host did not pick up the extension development path`);
    const api = await kimballApi();
    assert.ok(ext.isActive);
    assert.equal(typeof api.activationMs, 'number');
    assert.ok(api.session, 'a workspace folder is open, so activate() must create a session');
    metrics['activation (activate() body) ms'] = Math.round(api.activationMs * 10) / 10;
  });

  it('registers every command declared in package.json', async () => {
    await kimballApi();
    const declared = declaredCommands();
    assert.ok(declared.length > 0, 'package.json declares no commands');
    const registered = await registeredCommands();
    const missing = declared.filter((c) => !registered.has(c));
    console.log(`[e2e] commands: ${declared.length - missing.length}/${declared.length} declared commands registered`);
    if (missing.length > 0) {
      assert.fail(`declared in package.json but not registered by activate() (${missing.length}):\n  ${missing.join('\n  ')}`);
    }
  });

  it('registers no kimball command that package.json does not declare', async () => {
    await kimballApi();
    const declared = new Set(declaredCommands());
    // The workbench adds <view id>.focus / .open / .removeView ... for every contributed view: not ours.
    const views = new Set(declaredViews());
    const extra = [...(await registeredCommands())].filter((c) => !declared.has(c) && !views.has(c.slice(0, c.lastIndexOf('.'))));
    if (extra.length > 0) assert.fail(`registered but not declared in package.json contributes.commands: ${extra.join(', ')}`);
  });
});
