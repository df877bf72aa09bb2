/** Data source commands: add / edit / delete / test sources, acquire all, one source or one object. */
import * as vscode from 'vscode';
import { isAbsolute, relative } from 'node:path';
import {
  checkSourceName,
  createSource,
  deleteSource,
  listSourceNames,
  parseEndpoint,
  readSource,
  secretFieldOf,
  sourceExists,
  writeSource,
  type SecretField,
  type SourceConfig,
  type SourceKind,
} from '../../core/sources';
import { sourceFile } from '../../core/project/paths';
import { acquire, describeResult, type LoadResult } from '../../core/acquire';
import type { KimballSession } from '../session';
import { guarded, runTask } from '../run-task';
import type { SourcesNode } from '../views/sources-tree';

/** Thrown when the user dismisses an input: the command stops quietly. */
class Dismissed extends Error {}

async function ask(o: vscode.InputBoxOptions & { optional?: boolean }): Promise<string> {
  const v = await vscode.window.showInputBox({ ignoreFocusOut: true, ...o });
  if (v === undefined) throw new Dismissed();
  return v.trim();
}

async function pick<T extends string>(title: string, items: { label: string; value: T; description?: string }[]): Promise<T> {
  const p = await vscode.window.showQuickPick(items, { title, ignoreFocusOut: true });
  if (!p) throw new Dismissed();
  return p.value;
}

const optional = (v: string) => (v === '' ? undefined : v);
const required = (what: string) => (v: string) => (v.trim() ? undefined : `${what} is required.`);
const url = (v: string) => (/^https?:\/\/\S+$/.test(v.trim()) ? undefined : 'An http:// or https:// URL.');

const SECRET_PROMPTS: Record<SecretField, string> = { password: 'Password', secretAccessKey: 'Secret access key', token: 'API token' };

async function askFiles(session: KimballSession, name: string): Promise<SourceConfig> {
  const chosen = await vscode.window.showOpenDialog({
    title: `Kimball: files of source ${name}`,
    canSelectFiles: true,
    canSelectFolders: true,
    canSelectMany: false,
    defaultUri: vscode.Uri.file(session.root),
    openLabel: 'Use as source',
  });
  if (!chosen?.[0]) throw new Dismissed();
  const abs = chosen[0].fsPath;
  const rel = relative(session.root, abs);
  const path = rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : abs;
  const glob = await ask({ title: 'Glob filter (optional)', prompt: 'e.g. **/*.csv; empty: everything supported.' });
  return { kind: 'files', name, path, glob: optional(glob) };
}

async function askPostgres(name: string): Promise<SourceConfig> {
  const host = await ask({ title: 'PostgreSQL host', value: 'localhost', validateInput: required('The host') });
  const port = await ask({
    title: 'PostgreSQL port',
    value: '5432',
    validateInput: (v) => (/^\d+$/.test(v) && Number(v) > 0 && Number(v) < 65536 ? undefined : 'A port number (1-65535).'),
  });
  const database = await ask({ title: 'Database', validateInput: required('The database') });
  const user = await ask({ title: 'User', validateInput: required('The user') });
  const sslMode = await pick('SSL mode', (['prefer', 'disable', 'require', 'verify-full'] as const).map((m) => ({ label: m, value: m })));
  const schemas = await ask({ title: 'Schemas (optional)', prompt: 'Comma-separated; empty for public.' });
  const list = schemas.split(',').map((s) => s.trim()).filter(Boolean);
  return { kind: 'postgres', name, host, port: Number(port), database, user, sslMode, schemas: list.length ? list : undefined };
}

async function askS3(name: string): Promise<SourceConfig> {
  const bucket = await ask({ title: 'Bucket', validateInput: required('The bucket') });
  const prefix = await ask({ title: 'Key prefix (optional)' });
  const glob = await ask({ title: 'Only keys matching (optional)', prompt: 'A glob such as **/*.parquet' });
  const region = await ask({ title: 'Region (optional)', value: 'us-east-1' });
  const endpoint = await ask({ title: 'Endpoint URL (S3-compatible stores only; optional)', validateInput: (v) => (v.trim() ? url(v) : undefined) });
  const pathStyle = endpoint ? await pick('Addressing', [{ label: 'Path-style (most S3-compatible stores)', value: 'yes' }, { label: 'Virtual-hosted', value: 'no' }]) : 'no';
  const accessKeyId = await ask({ title: 'Access key id (optional)' });
  return {
    kind: 's3',
    name,
    bucket,
    prefix: optional(prefix),
    glob: optional(glob),
    region: optional(region),
    endpoint: optional(endpoint),
    pathStyle: pathStyle === 'yes' ? true : undefined,
    accessKeyId: optional(accessKeyId),
  };
}

async function askHttp(name: string): Promise<SourceConfig> {
  const baseUrl = await ask({ title: 'Base URL', placeHolder: 'https://api.example.com', validateInput: url });
  const spec = await ask({
    title: 'Endpoints',
    prompt: 'name=path[,records=data.items][,pagination=link|page:<param>|offset:<param>:<limitParam>:<limit>|cursor:<param>:<path>]; several separated by ";"',
    validateInput: (v) => {
      try {
        v.split(';').filter((s) => s.trim()).forEach((s) => parseEndpoint(s.trim()));
        return v.trim() ? undefined : 'At least one endpoint.';
      } catch (err) {
        return (err as Error).message;
      }
    },
  });
  const authHeader = await ask({ title: 'Auth header (optional)', placeHolder: 'Authorization' });
  const authScheme = authHeader ? await ask({ title: 'Token prefix (optional)', value: 'Bearer' }) : '';
  return {
    kind: 'http',
    name,
    baseUrl,
    endpoints: spec.split(';').map((s) => s.trim()).filter(Boolean).map(parseEndpoint),
    authHeader: optional(authHeader),
    authScheme: optional(authScheme),
  };
}

function isSourceConfig(v: unknown): v is SourceConfig {
  return typeof v === 'object' && v !== null && typeof (v as { kind?: unknown }).kind === 'string' && typeof (v as { name?: unknown }).name === 'string';
}

function compact<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

async function askSecret(session: KimballSession, name: string, field: SecretField, optionalSecret: boolean): Promise<void> {
  const value = await vscode.window.showInputBox({
    title: `${SECRET_PROMPTS[field]} of ${name}`,
    prompt: `Kept in VS Code secret storage, never in a file.${optionalSecret ? ' Empty: none.' : ''}`,
    password: true,
    ignoreFocusOut: true,
  });
  if (value === undefined) throw new Dismissed();
  if (value) await session.secrets.set(name, field, value);
}

async function chooseSource(session: KimballSession, node?: SourcesNode): Promise<string> {
  if (node?.kind === 'source') return node.config.name;
  const names = listSourceNames(session.paths);
  if (names.length === 0) throw new Error('There are no sources yet: add one first.');
  return pick('Source', names.map((n) => ({ label: n, value: n })));
}

export function registerSourceCommands(session: KimballSession): vscode.Disposable[] {
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

  return [
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
        const name = await ask({
          title: 'Source name',
          prompt: 'Letters, digits and underscores; bronze tables are named <source>__<object>.',
          validateInput: (v) => {
            try {
              checkSourceName(v.trim());
            } catch (err) {
              return (err as Error).message;
            }
            return sourceExists(session.paths, v.trim()) ? `A source named ${v.trim()} exists.` : undefined;
          },
        });
        const config =
          kind === 'files' ? await askFiles(session, name) : kind === 'postgres' ? await askPostgres(name) : kind === 's3' ? await askS3(name) : await askHttp(name);
        const field = secretFieldOf(kind);
        if (field) await askSecret(session, name, field, kind !== 'postgres');
        writeSource(session.paths, compact(config));
        session.fire('sources');
        session.log.info(`Added source ${name} (${kind}).`);
        const action = await vscode.window.showInformationMessage(`Kimball: source ${name} added.`, 'Test', 'Acquire');
        if (action === 'Test') await vscode.commands.executeCommand('kimball.testSource', { kind: 'source', config });
        if (action === 'Acquire') await runAcquire(`Acquire ${name}`, { sources: [name] });
      }),
    ),
    vscode.commands.registerCommand(
      'kimball.editSource',
      quiet('Edit Data Source', async (node?: SourcesNode) => {
        const name = await chooseSource(session, node);
        const config = readSource(session.paths, name);
        const field = secretFieldOf(config.kind);
        const what = field
          ? await pick('Edit', [
              { label: '$(json) Settings file', value: 'file' as const },
              { label: `$(key) ${SECRET_PROMPTS[field]}`, value: 'secret' as const },
            ])
          : 'file';
        if (what === 'secret' && field) {
          await askSecret(session, name, field, true);
          void vscode.window.showInformationMessage(`Kimball: ${SECRET_PROMPTS[field].toLowerCase()} of ${name} updated.`);
          return;
        }
        const doc = await vscode.workspace.openTextDocument(sourceFile(session.paths, name));
        await vscode.window.showTextDocument(doc);
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
