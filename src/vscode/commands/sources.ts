/** Data source commands: add / edit / delete / test sources, acquire all, one source or one object. */
import * as vscode from 'vscode';
import { createSource, deleteSource, listSourceNames, readSource, sourceExists, writeSource, type SourceConfig, type SourceKind } from '../../core/sources';
import { ProjectFileError } from '../../core/project/json-file';
import { sourceFile } from '../../core/project/paths';
import { SourceForms } from '../forms/source-form';
import { acquire, describeResult, type LoadResult } from '../../core/acquire';
import type { KimballSession } from '../session';
import { guarded, runTask } from '../run-task';
import type { SourcesNode } from '../views/sources-tree';

/** Thrown when the user dismisses an input: the command stops quietly. */
class Dismissed extends Error {}

async function pick<T extends string>(title: string, items: { label: string; value: T; description?: string }[]): Promise<T> {
  const p = await vscode.window.showQuickPick(items, { title, ignoreFocusOut: true });
  if (!p) throw new Dismissed();
  return p.value;
}

function isSourceConfig(v: unknown): v is SourceConfig {
  return typeof v === 'object' && v !== null && typeof (v as { kind?: unknown }).kind === 'string' && typeof (v as { name?: unknown }).name === 'string';
}

async function chooseSource(session: KimballSession, node?: SourcesNode): Promise<string> {
  if (node?.kind === 'source') return node.config.name;
  const names = listSourceNames(session.paths);
  if (names.length === 0) throw new Error('There are no sources yet: add one first.');
  return pick('Source', names.map((n) => ({ label: n, value: n })));
}

export function registerSourceCommands(session: KimballSession, extensionUri: vscode.Uri): vscode.Disposable[] {
  const quiet = <A extends unknown[]>(title: string, fn: (...args: A) => Promise<unknown>) =>
    guarded(session, title, async (...args: A) => {
      try {
        await fn(...args);
      } catch (err) {
        if (!(err instanceof Dismissed)) throw err;
      }
    });

  const runAcquire = async (title: string, opts: { sources?: string[]; objects?: string[]; force?: boolean }) => {
    const parallelism = vscode.workspace.getConfiguration('kimball.acquire').get<number>('parallelism', 2);
    const results = await runTask(session, title, async ({ signal, progress }) =>
      acquire(await session.coreContext(), { ...opts, signal, progress, parallelism }),
    );
    session.fire('sources');
    session.fire('warehouse');
    if (results) summarize(session, title, results);
  };

  const forms = new SourceForms(session, extensionUri, (config, mode) => {
    if (mode === 'edit') return void vscode.window.showInformationMessage(`Kimball: source ${config.name} saved.`);
    void vscode.window.showInformationMessage(`Kimball: source ${config.name} added.`, 'Test', 'Acquire').then(async (action) => {
      if (action === 'Test') await vscode.commands.executeCommand('kimball.testSource', { kind: 'source', config });
      if (action === 'Acquire') await runAcquire(`Acquire ${config.name}`, { sources: [config.name] });
    });
  });

  return [
    forms,
    vscode.commands.registerCommand(
      'kimball.addSource',
      quiet('Add Data Source', async (given?: unknown) => {
        // Automation (tests, other extensions) may pass a complete config: validated by its schema, no prompts.
        if (isSourceConfig(given)) {
          if (sourceExists(session.paths, given.name)) throw new Error(`A source named ${given.name} exists.`);
          writeSource(session.paths, given);
          session.fire('sources');
          session.log.info(`Added source ${given.name} (${given.kind}).`);
          return;
        }
        const kind = await pick<SourceKind>('Kind of data source', [
          { label: '$(file-directory) Files and folders', value: 'files', description: 'CSV, TSV, Excel, Parquet, JSON, XML' },
          { label: '$(database) PostgreSQL', value: 'postgres' },
          { label: '$(cloud) S3 or S3-compatible', value: 's3' },
          { label: '$(globe) REST API', value: 'http' },
        ]);
        forms.show({ mode: 'add', kind });
      }),
    ),
    vscode.commands.registerCommand(
      'kimball.editSource',
      quiet('Edit Data Source', async (node?: SourcesNode) => {
        const name = await chooseSource(session, node);
        try {
          forms.show({ mode: 'edit', name });
        } catch (err) {
          if (!(err instanceof ProjectFileError)) throw err;
          // A settings file the form cannot read is fixed by hand: offer it.
          const choice = await vscode.window.showErrorMessage(`Kimball: ${err.message}`, 'Open Settings File');
          if (choice) await vscode.window.showTextDocument(vscode.Uri.file(sourceFile(session.paths, name)));
        }
      }),
    ),
    vscode.commands.registerCommand(
      'kimball.deleteSource',
      quiet('Delete Data Source', async (node?: SourcesNode) => {
        const name = await chooseSource(session, node);
        const ok = await vscode.window.showWarningMessage(
          `Delete the data source ${name}?`,
          { modal: true, detail: 'Its settings file and stored secrets are removed. Tables already loaded into bronze stay.' },
          'Delete',
        );
        if (ok !== 'Delete') return;
        await deleteSource(session.paths, session.secrets, name);
        session.fire('sources');
        session.log.info(`Deleted source ${name}.`);
      }),
    ),
    vscode.commands.registerCommand(
      'kimball.testSource',
      quiet('Test Data Source', async (node?: SourcesNode) => {
        const name = await chooseSource(session, node);
        const src = await createSource(readSource(session.paths, name), { root: session.root, secrets: session.secrets });
        const r = await runTask(session, `Test ${name}`, ({ signal }) => src.test(signal));
        if (!r) return;
        session.log.info(`Test ${name}: ${r.ok ? 'OK' : 'FAILED'}: ${r.message}`);
        if (r.ok) void vscode.window.showInformationMessage(`Kimball: ${name} OK: ${r.message}`);
        else void vscode.window.showErrorMessage(`Kimball: ${name} failed its test: ${r.message}`);
      }),
    ),
    vscode.commands.registerCommand('kimball.refreshSources', () => session.fire('sources')),
    vscode.commands.registerCommand(
      'kimball.acquire',
      quiet('Acquire All Sources', () => runAcquire('Acquire all sources', {})),
    ),
    vscode.commands.registerCommand(
      'kimball.acquireSource',
      quiet('Acquire Source', async (node?: SourcesNode) => {
        const name = await chooseSource(session, node);
        await runAcquire(`Acquire ${name}`, { sources: [name] });
      }),
    ),
    vscode.commands.registerCommand(
      'kimball.acquireObject',
      quiet('Acquire Object', async (node?: SourcesNode) => {
        if (node?.kind !== 'object') throw new Error('Choose an object in the Data Sources view.');
        // An explicit request for one object reloads it even when unchanged.
        await runAcquire(`Acquire ${node.source}.${node.object.name}`, { sources: [node.source], objects: [node.object.name], force: true });
      }),
    ),
  ];
}

function summarize(session: KimballSession, title: string, results: LoadResult[]): void {
  for (const r of results) {
    const line = describeResult(r);
    if (r.status === 'failed') session.log.error(line);
    else if (r.status === 'cancelled') session.log.warn(line);
    else session.log.info(line);
  }
  const count = (s: LoadResult['status']) => results.filter((r) => r.status === s).length;
  const rows = results.reduce((a, r) => a + r.rows, 0);
  const rejects = results.reduce((a, r) => a + r.rejects, 0);
  const parts = [
    `${count('loaded')} loaded (${rows.toLocaleString()} rows${rejects ? `, ${rejects} rejects` : ''})`,
    count('skipped') ? `${count('skipped')} unchanged` : '',
    count('failed') ? `${count('failed')} failed` : '',
    count('cancelled') ? `${count('cancelled')} cancelled` : '',
  ].filter(Boolean);
  const message = `Kimball: ${title}: ${parts.join(', ')}.`;
  if (count('failed') > 0) {
    void vscode.window.showErrorMessage(message, 'Show Log').then((c) => c && session.log.show(true));
  } else void vscode.window.showInformationMessage(message);
}
