/** Discover commands: run discovery, record the user's decisions, show a table profile. */
import * as vscode from 'vscode';
import { discover } from '../../core/discover/discover';
import { setMissingTokens, setPrimaryKey, setRelationshipStatus, setRename, setTypeOverride } from '../../core/discover/catalog';
import type { Catalog, CatalogColumn, CatalogTable, Relationship } from '../../core/discover/catalog-types';
import { profileMarkdown } from '../../core/discover/report';
import { sqlType } from '../../core/warehouse/sql';
import type { KimballSession } from '../session';
import { guarded, runTask } from '../run-task';
import { loadCatalogs, type CatalogNode } from '../views/catalog-tree';

type Only = 'all' | 'quality' | 'relationships';

async function runDiscover(session: KimballSession, only: Only, title: string): Promise<void> {
  const catalog = await runTask(session, title, async ({ signal, progress }) => discover(await session.coreContext(), { only, signal, progress }));
  if (!catalog) return;
  session.fire('catalog');
  const rels = catalog.relationships.filter((r) => r.status !== 'rejected').length;
  void vscode.window.showInformationMessage(`Kimball: ${catalog.tables.length} table(s) profiled, ${rels} relationship(s) in the catalog.`);
}

/** The relationship a command acts on: the tree node, or one picked from a list. */
async function pickRelationship(session: KimballSession, node?: CatalogNode): Promise<{ catalog: Catalog; relationship: Relationship } | undefined> {
  if (node?.kind === 'relationship') return node;
  const items = loadCatalogs(session).flatMap((catalog) =>
    catalog.relationships.map((relationship) => ({ label: relationship.id, description: `${relationship.confidence} · ${relationship.status}`, catalog, relationship })),
  );
  if (items.length === 0) {
    void vscode.window.showInformationMessage('Kimball: no relationships in the catalog yet; run Discover first.');
    return undefined;
  }
  return vscode.window.showQuickPick(items, { title: 'Relationship' });
}

async function pickColumn(session: KimballSession, node?: CatalogNode): Promise<{ catalog: Catalog; table: CatalogTable; column: CatalogColumn } | undefined> {
  if (node?.kind === 'column') return node;
  const items = loadCatalogs(session).flatMap((catalog) =>
    catalog.tables.flatMap((table) => table.columns.map((column) => ({ label: `${table.name}.${column.name}`, description: column.inferred.type, catalog, table, column }))),
  );
  return items.length ? vscode.window.showQuickPick(items, { title: 'Column' }) : undefined;
}

async function pickTable(session: KimballSession, node?: CatalogNode): Promise<{ catalog: Catalog; table: CatalogTable } | undefined> {
  if (node?.kind === 'table') return node;
  const items = loadCatalogs(session).flatMap((catalog) => catalog.tables.map((table) => ({ label: table.name, description: `${table.rowCount} rows`, catalog, table })));
  return items.length ? vscode.window.showQuickPick(items, { title: 'Table' }) : undefined;
}

function setVerdict(session: KimballSession, verdict: 'accepted' | 'rejected') {
  return async (node?: CatalogNode) => {
    const r = await pickRelationship(session, node);
    if (!r) return;
    setRelationshipStatus(session.paths, r.catalog.database, r.relationship.id, verdict);
    session.fire('catalog');
  };
}

export function registerDiscoverCommands(session: KimballSession): vscode.Disposable[] {
  const cmd = (id: string, title: string, fn: (node?: CatalogNode) => Promise<unknown>) => vscode.commands.registerCommand(id, guarded(session, title, fn));
  return [
    cmd('kimball.discover', 'Discover', () => runDiscover(session, 'all', 'Discover')),
    cmd('kimball.discoverQuality', 'Discover Quality', () => runDiscover(session, 'quality', 'Discover Quality')),
    cmd('kimball.discoverRelationships', 'Discover Relationships', () => runDiscover(session, 'relationships', 'Discover Relationships')),
    vscode.commands.registerCommand('kimball.refreshCatalog', () => session.fire('catalog')),
    cmd('kimball.acceptRelationship', 'Accept Relationship', setVerdict(session, 'accepted')),
    cmd('kimball.rejectRelationship', 'Reject Relationship', setVerdict(session, 'rejected')),
    cmd('kimball.markPrimaryKey', 'Mark as Primary Key', async (node) => {
      const c = await pickColumn(session, node);
      if (!c) return;
      const picks = await vscode.window.showQuickPick(
        c.table.columns.map((x) => ({ label: x.name, picked: x.name === c.column.name })),
        { canPickMany: true, title: `Primary key of ${c.table.name} (one to three columns)` },
      );
      if (!picks || picks.length === 0) return;
      setPrimaryKey(session.paths, c.catalog.database, c.table.name, picks.map((p) => p.label));
      session.fire('catalog');
    }),
    cmd('kimball.overrideType', 'Override Column Type', async (node) => {
      const c = await pickColumn(session, node);
      if (!c) return;
      const type = await vscode.window.showInputBox({
        title: `Type of ${c.table.name}.${c.column.name} in silver`,
        value: c.column.inferred.type,
        prompt: 'A ClickHouse type, e.g. Int64, Decimal(18,2), Date32, LowCardinality(String)',
        validateInput: (v) => {
          try {
            sqlType(v.trim());
            return undefined;
          } catch (err) {
            return (err as Error).message;
          }
        },
      });
      if (!type) return;
      setTypeOverride(session.paths, c.catalog.database, c.table.name, c.column.name, type.trim());
      session.fire('catalog');
    }),
    cmd('kimball.renameColumn', 'Rename Column', async (node) => {
      const c = await pickColumn(session, node);
      if (!c) return;
      const current = c.catalog.decisions.renames[`${c.table.name}.${c.column.name}`] ?? c.column.name;
      const name = await vscode.window.showInputBox({ title: `Silver name of ${c.table.name}.${c.column.name}`, value: current });
      if (!name || name === current) return;
      setRename(session.paths, c.catalog.database, c.table.name, c.column.name, name.trim());
      session.fire('catalog');
    }),
    cmd('kimball.setMissingTokens', 'Set Missing-Value Tokens', async (node) => {
      const c = await pickColumn(session, node);
      if (!c) return;
      const value = await vscode.window.showInputBox({
        title: `Texts that mean "no value" in ${c.table.name}.${c.column.name}`,
        value: (c.column.missingTokens ?? []).join(', '),
        prompt: 'Separated by commas, each exactly as written (e.g. NA, N/A, #N/A, -); empty for none. They become NULL in silver for every type.',
      });
      if (value === undefined) return;
      const tokens = value.split(',').map((t) => t.trim()).filter((t) => t !== '');
      setMissingTokens(session.paths, c.catalog.database, c.table.name, c.column.name, tokens);
      session.fire('catalog');
    }),
    cmd('kimball.showProfile', 'Show Table Profile', async (node) => {
      const t = await pickTable(session, node);
      if (!t) return;
      const doc = await vscode.workspace.openTextDocument({ content: profileMarkdown(t.catalog, t.table), language: 'markdown' });
      await vscode.commands.executeCommand('markdown.showPreview', doc.uri);
    }),
  ];
}
