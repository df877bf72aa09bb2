/** Warehouse view: databases -> tables (rows, bytes on disk) -> columns (type). */
import * as vscode from 'vscode';
import { listColumns, listTables, type TableInfo } from '../../core/warehouse/catalog-queries';
import { describeError } from '../../core/errors';
import type { KimballSession } from '../session';

type Node =
  | { kind: 'database'; name: string; tables: TableInfo[] }
  | { kind: 'table'; table: TableInfo }
  | { kind: 'column'; name: string; type: string }
  | { kind: 'message'; text: string };

export class WarehouseTree implements vscode.TreeDataProvider<Node> {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;

  constructor(private readonly session: KimballSession) {
    session.onDidChange((k) => {
      if (k !== 'models') this.refresh();
    });
  }

  refresh(): void {
    this.changed.fire();
  }

  getTreeItem(n: Node): vscode.TreeItem {
    switch (n.kind) {
      case 'database': {
        const item = new vscode.TreeItem(n.name, vscode.TreeItemCollapsibleState.Expanded);
        item.iconPath = new vscode.ThemeIcon('database');
        item.description = `${n.tables.length} table${n.tables.length === 1 ? '' : 's'}`;
        item.contextValue = 'database';
        return item;
      }
      case 'table': {
        const item = new vscode.TreeItem(n.table.name, vscode.TreeItemCollapsibleState.Collapsed);
        item.iconPath = new vscode.ThemeIcon('table');
        item.description = `${n.table.rows.toLocaleString('en-US')} rows · ${formatBytes(n.table.bytes)}`;
        item.tooltip = `${n.table.database}.${n.table.name}\nEngine: ${n.table.engine}`;
        item.contextValue = 'warehouseTable';
        return item;
      }
      case 'column': {
        const item = new vscode.TreeItem(n.name, vscode.TreeItemCollapsibleState.None);
        item.iconPath = new vscode.ThemeIcon('symbol-field');
        item.description = n.type;
        return item;
      }
      case 'message': {
        const item = new vscode.TreeItem(n.text, vscode.TreeItemCollapsibleState.None);
        item.iconPath = new vscode.ThemeIcon('warning');
        return item;
      }
    }
  }

  async getChildren(n?: Node): Promise<Node[]> {
    if (!this.session.hasProject) return [];
    try {
      const wh = await this.session.warehouse();
      if (!n) {
        const dbs = Object.values(wh.databases);
        const tables = await listTables(wh, dbs);
        if (tables.length === 0) return [];
        return dbs.map((name) => ({ kind: 'database', name, tables: tables.filter((t) => t.database === name) }));
      }
      if (n.kind === 'database') return n.tables.map((table) => ({ kind: 'table', table }));
      if (n.kind === 'table') {
        const cols = await listColumns(wh, n.table.database, n.table.name);
        return cols.map((c) => ({ kind: 'column', name: c.name, type: c.type }));
      }
      return [];
    } catch (err) {
      return [{ kind: 'message', text: `Warehouse unavailable: ${describeError(err)}` }];
    }
  }
}

export function formatBytes(n: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v < 10 && i > 0 ? v.toFixed(1) : Math.round(v)} ${units[i]}`;
}
