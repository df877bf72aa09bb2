/**
 * Catalog view: tables -> columns (inferred type, quality badge, key / link
 * icons, evidence in tooltips), and a Relationships node with confidence.
 * Reads only the catalog files; never opens the warehouse.
 */
import { existsSync, readdirSync } from 'node:fs';
import * as vscode from 'vscode';
import { readCatalog } from '../../core/discover/catalog';
import type { Catalog, CatalogColumn, CatalogTable, KeyCandidate, Relationship } from '../../core/discover/catalog-types';
import { describeError } from '../../core/errors';
import type { KimballSession } from '../session';

export type CatalogNode =
  | { kind: 'table'; catalog: Catalog; table: CatalogTable }
  | { kind: 'column'; catalog: Catalog; table: CatalogTable; column: CatalogColumn }
  | { kind: 'relationships'; catalog: Catalog }
  | { kind: 'relationship'; catalog: Catalog; relationship: Relationship }
  | { kind: 'message'; text: string };

/** Every catalog in the workspace (one per profiled database). */
export function loadCatalogs(session: KimballSession): Catalog[] {
  const dir = session.paths.catalogDir;
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.catalog.json'))
    .sort()
    .map((f) => readCatalog(session.paths, f.slice(0, -'.catalog.json'.length)));
}

const badge = (score: number | undefined): string => (score === undefined ? '' : `${score >= 90 ? '●' : score >= 70 ? '◐' : '○'} ${Math.round(score)}`);

function columnRole(n: { catalog: Catalog; table: CatalogTable; column: CatalogColumn }): 'pk' | 'fk' | undefined {
  const pk = n.table.keys.find((k) => k.kind === 'primary');
  if (pk?.columns.includes(n.column.name)) return 'pk';
  const fk = n.catalog.relationships.some((r) => r.status !== 'rejected' && r.fromTable === n.table.name && r.fromColumns.includes(n.column.name));
  return fk ? 'fk' : undefined;
}

function columnTooltip(n: { catalog: Catalog; table: CatalogTable; column: CatalogColumn }): vscode.MarkdownString {
  const c = n.column;
  const md = new vscode.MarkdownString();
  md.appendMarkdown(`**${c.name}** → \`${c.inferred.type}${c.inferred.nullable ? ' NULL' : ''}\`\n\n`);
  md.appendMarkdown(`Converts ${Math.round(c.inferred.convertRate * 1000) / 10}% · confidence ${c.inferred.confidence}\n\n`);
  md.appendMarkdown(`${c.inferred.notes.join('; ')}\n\n`);
  md.appendMarkdown(`${c.profile.distinct} distinct · ${c.profile.empty} empty of ${c.profile.rows}\n\n`);
  if (c.role) md.appendMarkdown(`Role: **${c.role.kind}** (${c.role.evidence.join('; ')})\n\n`);
  for (const d of c.quality?.dimensions ?? []) md.appendMarkdown(`- ${d.name} ${d.score}${d.reasons.length ? ': ' + d.reasons.join('; ') : ''}\n`);
  const refs = n.catalog.relationships.filter((r) => r.fromTable === n.table.name && r.fromColumns.includes(c.name));
  for (const r of refs) md.appendMarkdown(`\n→ ${r.toTable}.${r.toColumns.join(',')} (${r.status}, ${r.confidence})`);
  return md;
}

const signed = (x: number) => `${x >= 0 ? '+' : ''}${x}`;

function relationshipTooltip(r: Relationship): vscode.MarkdownString {
  const e = r.evidence;
  const md = new vscode.MarkdownString(`**${r.fromTable}.${r.fromColumns.join(',')} → ${r.toTable}.${r.toColumns.join(',')}**\n\n`);
  const kind = r.kind === 'shared-key' ? 'shared key (same entities in both tables)' : 'reference';
  md.appendMarkdown(`${r.status} · confidence ${r.confidence}${r.declared ? ' · **declared by the source**' : ''} · ${kind} · ${r.cardinality}\n\n`);
  md.appendMarkdown(`- containment ${e.containment} (${e.orphans} orphan value(s), exact)${e.coverage !== undefined ? `; uses ${Math.round(e.coverage * 100)}% of the key's values` : ''}\n`);
  md.appendMarkdown(`- name similarity ${e.nameSimilarity}\n- distinct ${e.fromDistinct} → ${e.toDistinct}; empty share ${r.nullRate}\n`);
  // The model's terms add up to the log-odds of the confidence: the strongest evidence first.
  const terms = Object.entries(e.contributions ?? {}).filter(([k]) => k !== 'intercept').sort((a, b) => Math.abs(b[1]) - Math.abs(a[1]));
  if (terms.length) md.appendMarkdown(`- evidence (feature = value, log-odds term): ${terms.map(([k, v]) => `${k} = ${e.features?.[k] ?? '?'} (${signed(v)})`).join(', ')}\n`);
  for (const note of e.notes) md.appendMarkdown(`- ${note}\n`);
  return md;
}

function keyLine(k: KeyCandidate): string {
  return `${k.columns.join(', ')}${k.declared ? ' — **declared by the source**' : ''} (${k.confidence}; ${k.evidence.join('; ')})`;
}

export class CatalogTree implements vscode.TreeDataProvider<CatalogNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly session: KimballSession) {
    this.disposables.push(
      session.onDidChange((k) => {
        if (k === 'catalog' || k === 'project') this.changed.fire();
      }),
    );
    // The CLI (or git) may rewrite a catalog file: follow it.
    const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(session.root, '.kimball/catalog/*.catalog.json'));
    const fire = () => this.changed.fire();
    this.disposables.push(watcher, watcher.onDidCreate(fire), watcher.onDidChange(fire), watcher.onDidDelete(fire), this.changed);
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }

  refresh(): void {
    this.changed.fire();
  }

  getTreeItem(n: CatalogNode): vscode.TreeItem {
    switch (n.kind) {
      case 'table': {
        const item = new vscode.TreeItem(n.table.name, vscode.TreeItemCollapsibleState.Collapsed);
        item.iconPath = new vscode.ThemeIcon('table');
        item.description = `${n.table.rowCount.toLocaleString('en-US')} rows ${badge(n.table.quality?.score)}`;
        const pk = n.table.keys.find((k) => k.kind === 'primary');
        const others = n.table.keys.filter((k) => k !== pk);
        item.tooltip = new vscode.MarkdownString(
          `**${n.table.name}**\n\n${n.table.rowCount} rows${n.table.sampled ? ' (profiled on a sample)' : ''}\n\n` +
            `Primary key: ${pk ? keyLine(pk) : 'none found'}\n\n` +
            (others.length ? `Other keys:\n${others.map((k) => `- ${keyLine(k)}`).join('\n')}\n\n` : '') +
            (n.table.quality ? n.table.quality.dimensions.map((d) => `- ${d.name} ${d.score}`).join('\n') : (n.table.qualityNote ?? '')),
        );
        item.contextValue = 'catalogTable';
        return item;
      }
      case 'column': {
        const item = new vscode.TreeItem(n.column.name, vscode.TreeItemCollapsibleState.None);
        const role = columnRole(n);
        item.iconPath = new vscode.ThemeIcon(role === 'pk' ? 'key' : role === 'fk' ? 'link' : 'symbol-field');
        item.description = `${n.column.inferred.type}${n.column.inferred.nullable ? '?' : ''} ${badge(n.column.quality?.score)}`;
        item.tooltip = columnTooltip(n);
        item.contextValue = 'catalogColumn';
        return item;
      }
      case 'relationships': {
        const item = new vscode.TreeItem('Relationships', vscode.TreeItemCollapsibleState.Collapsed);
        item.iconPath = new vscode.ThemeIcon('references');
        item.description = `${n.catalog.relationships.length}`;
        return item;
      }
      case 'relationship': {
        const r = n.relationship;
        const item = new vscode.TreeItem(`${r.fromTable}.${r.fromColumns.join(',')} → ${r.toTable}.${r.toColumns.join(',')}`, vscode.TreeItemCollapsibleState.None);
        item.iconPath = new vscode.ThemeIcon(r.status === 'accepted' ? 'pass' : r.status === 'rejected' ? 'circle-slash' : 'link');
        item.description = `${Math.round(r.confidence * 100)}% · ${r.status}`;
        item.tooltip = relationshipTooltip(r);
        item.contextValue = `relationship.${r.status}`;
        return item;
      }
      case 'message': {
        const item = new vscode.TreeItem(n.text, vscode.TreeItemCollapsibleState.None);
        item.iconPath = new vscode.ThemeIcon('warning');
        return item;
      }
    }
  }

  getChildren(n?: CatalogNode): CatalogNode[] {
    if (!this.session.hasProject) return [];
    try {
      if (!n) {
        return loadCatalogs(this.session).flatMap((catalog): CatalogNode[] => [
          ...catalog.tables.map((table) => ({ kind: 'table' as const, catalog, table })),
          ...(catalog.relationships.length ? [{ kind: 'relationships' as const, catalog }] : []),
        ]);
      }
      if (n.kind === 'table') return n.table.columns.map((column) => ({ kind: 'column', catalog: n.catalog, table: n.table, column }));
      if (n.kind === 'relationships') return n.catalog.relationships.map((relationship) => ({ kind: 'relationship', catalog: n.catalog, relationship }));
      return [];
    } catch (err) {
      return [{ kind: 'message', text: `Catalog unreadable: ${describeError(err)}` }];
    }
  }
}
