/** Activation: build the session, register views and commands. Opens nothing heavy. */
import * as vscode from 'vscode';
import { KimballSession } from './vscode/session';
import { WarehouseTree } from './vscode/views/warehouse-tree';
import { registerProjectCommands } from './vscode/commands/project';
import { ModelsTree } from './vscode/views/models-tree';
import { registerModelCommands } from './vscode/commands/model';
import { SourcesTree } from './vscode/views/sources-tree';
import { registerSourceCommands } from './vscode/commands/sources';
import { CatalogTree } from './vscode/views/catalog-tree';
import { registerDiscoverCommands } from './vscode/commands/discover';
import { registerModelEditors } from './vscode/editors/model-editor';
import { registerBuildCommands } from './vscode/commands/build';

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
  // Model editors work on any *.erd.json / *.star.json, with or without a project open.
  context.subscriptions.push(...registerModelEditors(context, log));
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
  const modelsTree = new ModelsTree(session);
  const sourcesTree = new SourcesTree(session);
  const catalogTree = new CatalogTree(session);
  context.subscriptions.push(
    catalogTree,
    vscode.window.registerTreeDataProvider('kimball.warehouse', warehouseTree),
    ...registerProjectCommands(session),
    modelsTree,
    vscode.window.registerTreeDataProvider('kimball.models', modelsTree),
    ...registerModelCommands(session),
    sourcesTree,
    vscode.window.registerTreeDataProvider('kimball.sources', sourcesTree),
    ...registerSourceCommands(session, context.extensionUri),
    vscode.window.registerTreeDataProvider('kimball.catalog', catalogTree),
    ...registerDiscoverCommands(session),
    ...registerBuildCommands(session),
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
    void s.reopenIfSettingsChanged().then(() => s.fire('project'));
  };
  watcher.onDidCreate(update);
  watcher.onDidChange(update);
  watcher.onDidDelete(update);
  return watcher;
}
