/** Data Sources view: sources -> objects, each object with its last load (time, rows, status icon). */
import * as vscode from 'vscode';
import { createSource, listSourceNames, readSource, type SourceConfig, type SourceObject } from '../../core/sources';
import { lastLoads, type LastLoad } from '../../core/acquire';
import { describeError } from '../../core/errors';
import type { KimballSession } from '../session';
import { formatBytes } from './warehouse-tree';

export type SourcesNode =
  | { kind: 'source'; config: SourceConfig }
  | { kind: 'object'; source: string; object: SourceObject; last?: LastLoad }
  | { kind: 'message'; text: string; detail?: string };

const KIND_ICONS: Record<SourceConfig['kind'], string> = { files: 'file-directory', postgres: 'database', s3: 'cloud', http: 'globe' };

export class SourcesTree implements vscode.TreeDataProvider<SourcesNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly subs: vscode.Disposable[];

  constructor(private readonly session: KimballSession) {
    // Sources added or edited outside the view (CLI, git, the JSON editor) show up too.
    const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(session.root, '.kimball/sources/*.json'));
    const refresh = () => this.changed.fire();
    this.subs = [
      watcher,
      watcher.onDidCreate(refresh),
      watcher.onDidChange(refresh),
      watcher.onDidDelete(refresh),
      session.onDidChange((k) => {
        if (k === 'sources' || k === 'project' || k === 'warehouse') refresh();
      }),
    ];
  }

  dispose(): void {
    for (const s of this.subs) s.dispose();
    this.changed.dispose();
  }

  getTreeItem(n: SourcesNode): vscode.TreeItem {
    switch (n.kind) {
      case 'source': {
        const item = new vscode.TreeItem(n.config.name, vscode.TreeItemCollapsibleState.Collapsed);
        item.iconPath = new vscode.ThemeIcon(KIND_ICONS[n.config.kind]);
        item.description = n.config.kind;
        item.contextValue = 'source';
        item.tooltip = JSON.stringify(n.config, null, 2);
        return item;
      }
      case 'object':
        return objectItem(n.object, n.last);
      case 'message': {
        const item = new vscode.TreeItem(n.text, vscode.TreeItemCollapsibleState.None);
        item.iconPath = new vscode.ThemeIcon('warning');
        item.tooltip = n.detail;
        return item;
      }
    }
  }

  async getChildren(n?: SourcesNode): Promise<SourcesNode[]> {
    if (!this.session.hasProject) return [];
    if (!n) return this.sources();
    if (n.kind !== 'source') return [];
    try {
      const src = await createSource(n.config, { root: this.session.root, secrets: this.session.secrets });
      const objects = await src.listObjects();
      const loads = await this.loads(n.config.name);
      if (objects.length === 0) return [{ kind: 'message', text: 'No objects' }];
      return objects.map((object) => ({ kind: 'object', source: n.config.name, object, last: loads.find((l) => l.object === object.name) }));
    } catch (err) {
      return [{ kind: 'message', text: `Cannot list objects: ${describeError(err)}`, detail: String(err) }];
    }
  }

  private sources(): SourcesNode[] {
    return listSourceNames(this.session.paths).map((name): SourcesNode => {
      try {
        return { kind: 'source', config: readSource(this.session.paths, name) };
      } catch (err) {
        return { kind: 'message', text: `${name}: ${describeError(err)}` };
      }
    });
  }

  /** Last loads, or none when the warehouse is unavailable (objects still show). */
  private async loads(source: string): Promise<LastLoad[]> {
    try {
      return await lastLoads(await this.session.warehouse(), [source]);
    } catch (err) {
      this.session.log.warn(`Data Sources: last loads unavailable: ${describeError(err)}`);
      return [];
    }
  }
}

function objectItem(o: SourceObject, last?: LastLoad): vscode.TreeItem {
  const item = new vscode.TreeItem(o.name, vscode.TreeItemCollapsibleState.None);
  item.contextValue = 'sourceObject';
  const size = o.size === undefined ? '' : formatBytes(o.size);
  if (!last) {
    item.iconPath = new vscode.ThemeIcon('circle-outline');
    item.description = [size, 'never loaded'].filter(Boolean).join(' · ');
  } else {
    const when = new Date(last.endedAt.replace(' ', 'T') + 'Z');
    const icon =
      last.status === 'loaded'
        ? new vscode.ThemeIcon('pass', new vscode.ThemeColor('testing.iconPassed'))
        : last.status === 'failed'
          ? new vscode.ThemeIcon('error', new vscode.ThemeColor('testing.iconFailed'))
          : new vscode.ThemeIcon('circle-slash');
    item.iconPath = icon;
    item.description = [`${last.rows.toLocaleString()} rows`, last.rejects ? `${last.rejects} rejects` : '', when.toLocaleString()].filter(Boolean).join(' · ');
  }
  const lines = [o.location, o.format ? `Format: ${o.format}` : '', size ? `Size: ${size}` : '', o.version ? `Version: ${o.version}` : ''];
  if (last) lines.push(`Last load: ${last.status} → ${last.table}`, last.error ? `Error: ${last.error}` : '');
  item.tooltip = lines.filter(Boolean).join('\n');
  return item;
}
