/** Models view: the model files in models/ (ERD and star), opened in their custom editors on click. */
import * as vscode from 'vscode';
import { relative } from 'node:path';
import { listModels, readErd, readStar, type ModelFileInfo } from '../../core/model/files';
import { describeError } from '../../core/errors';
import type { KimballSession } from '../session';

export const MODEL_VIEW_TYPES = { erd: 'kimball.erdEditor', star: 'kimball.starEditor' } as const;

export interface ModelNode {
  kind: 'model';
  info: ModelFileInfo;
  summary: string;
  problem?: string;
}

export class ModelsTree implements vscode.TreeDataProvider<ModelNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly subs: vscode.Disposable[] = [];

  constructor(private readonly session: KimballSession) {
    this.subs.push(
      session.onDidChange((k) => {
        if (k === 'models' || k === 'project') this.changed.fire();
      }),
    );
    // Files edited outside (git, another editor, the CLI) show up without a manual refresh.
    const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(session.root, 'models/*.{erd,star}.json'));
    const refresh = () => this.changed.fire();
    this.subs.push(watcher, watcher.onDidCreate(refresh), watcher.onDidDelete(refresh), watcher.onDidChange(refresh), this.changed);
  }

  getTreeItem(n: ModelNode): vscode.TreeItem {
    const uri = vscode.Uri.file(n.info.file);
    const item = new vscode.TreeItem(`${n.info.name}.${n.info.kind}.json`, vscode.TreeItemCollapsibleState.None);
    item.resourceUri = uri;
    item.description = n.problem ? 'invalid' : n.summary;
    item.tooltip = n.problem ?? `${relative(this.session.root, n.info.file)}\n${n.info.kind === 'erd' ? 'Silver ERD' : 'Gold star schema'}: ${n.summary}`;
    item.iconPath = new vscode.ThemeIcon(n.problem ? 'warning' : n.info.kind === 'erd' ? 'type-hierarchy' : 'star-empty');
    item.contextValue = 'model';
    item.command = { command: 'vscode.openWith', title: 'Open Model', arguments: [uri, MODEL_VIEW_TYPES[n.info.kind]] };
    return item;
  }

  getChildren(n?: ModelNode): ModelNode[] {
    if (n) return [];
    return listModels(this.session.paths).map((info) => {
      try {
        if (info.kind === 'erd') {
          const m = readErd(info.file, this.session.root);
          return { kind: 'model', info, summary: `${m.entities.length} entities · ${m.relationships.length} relationships` };
        }
        const m = readStar(info.file, this.session.root);
        return { kind: 'model', info, summary: `${m.facts.length} facts · ${m.dimensions.length} dimensions` };
      } catch (err) {
        return { kind: 'model', info, summary: '', problem: describeError(err) };
      }
    });
  }

  dispose(): void {
    for (const s of this.subs) s.dispose();
  }
}
