/** Activation: build the session, register views and commands. Opens nothing heavy. */
import * as vscode from 'vscode';
import { KimballSession } from './vscode/session';
import { WarehouseTree } from './vscode/views/warehouse-tree';
import { registerProjectCommands } from './vscode/commands/project';

let session: KimballSession | undefined;

/** What activate() returns to other extensions and the e2e suite; activationMs measures activate() itself. */
export interface KimballApi {
  session: KimballSession | undefined;
  activationMs: number;
}

export function activate(context: vscode.ExtensionContext): KimballApi {
  const started = performance.now();
  const log = vscode.window.createOutputChannel('Kimball', { log: true });
  context.subscriptions.push(log);
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) {
    context.subscriptions.push(
      vscode.commands.registerCommand('kimball.initProject', () =>
        vscode.window.showWarningMessage('Kimball: open a folder first; the project lives in the workspace.'),
      ),
    );
    return { session: undefined, activationMs: performance.now() - started };
  }
  session = new KimballSession(folder.uri.fsPath, log, context);
  context.subscriptions.push(session);
  void vscode.commands.executeCommand('setContext', 'kimball.projectOpen', session.hasProject);

  const warehouseTree = new WarehouseTree(session);
  context.subscriptions.push(
    vscode.window.registerTreeDataProvider('kimball.warehouse', warehouseTree),
    ...registerProjectCommands(session),
    watchProjectFile(folder, session),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (!e.affectsConfiguration('kimball.warehouse') || !session) return;
      void session.resetWarehouse().then(() => session?.fire('warehouse'));
    }),
  );
  return { session, activationMs: performance.now() - started };
}

export async function deactivate(): Promise<void> {
  await session?.resetWarehouse();
  session = undefined;
}

/** The CLI (or git) may create or change the project file: keep the views' state in step. */
function watchProjectFile(folder: vscode.WorkspaceFolder, s: KimballSession): vscode.Disposable {
  const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(folder, '.kimball/project.json'));
  const update = () => {
    void vscode.commands.executeCommand('setContext', 'kimball.projectOpen', s.hasProject);
    void s.resetWarehouse().then(() => s.fire('project'));
  };
  watcher.onDidCreate(update);
  watcher.onDidChange(update);
  watcher.onDidDelete(update);
  return watcher;
}
