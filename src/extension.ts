/** Activation: build the session, register views and commands. Opens nothing heavy. */
import * as vscode from 'vscode';
import { KimballSession } from './vscode/session';
import { WarehouseTree } from './vscode/views/warehouse-tree';
import { registerProjectCommands } from './vscode/commands/project';

let session: KimballSession | undefined;

export function activate(context: vscode.ExtensionContext): { session: KimballSession | undefined } {
  const log = vscode.window.createOutputChannel('Kimball', { log: true });
  context.subscriptions.push(log);
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) {
    context.subscriptions.push(
      vscode.commands.registerCommand('kimball.initProject', () =>
        vscode.window.showWarningMessage('Kimball: open a folder first; the project lives in the workspace.'),
      ),
    );
    return { session: undefined };
  }
  session = new KimballSession(folder.uri.fsPath, log, context);
  context.subscriptions.push(session);
  void vscode.commands.executeCommand('setContext', 'kimball.projectOpen', session.hasProject);

  const warehouseTree = new WarehouseTree(session);
  context.subscriptions.push(
    vscode.window.registerTreeDataProvider('kimball.warehouse', warehouseTree),
    ...registerProjectCommands(session),
  );
  return { session };
}

export async function deactivate(): Promise<void> {
  await session?.resetWarehouse();
  session = undefined;
}
