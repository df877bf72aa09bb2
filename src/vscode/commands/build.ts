/**
 * Generate Pipeline, Run Pipeline (progress per step, cancel), Re-run from
 * Failed, Cancel Run, Open Step (its SQL file and a read-only log document),
 * Refresh Runs. The summary and check results go to the log channel and a
 * notification.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { buildableModels, buildProject, formatSummary, listRuns, manifestPath, pickModel, readManifest, readRun, runPipeline, stepFile, summarizeRun } from '../../core/build';
import type { RunRecord, RunStep } from '../../core/build/build-types';
import { loadProject } from '../../core/project/project';
import type { KimballSession } from '../session';
import { guarded, runTask } from '../run-task';
import { RunsTree, type RunsNode } from '../views/runs-tree';

const LOG_SCHEME = 'kimball-run';

/** The run in progress in this window (one at a time), so Cancel Run can reach it. */
let active: { controller: AbortController } | undefined;

export function registerBuildCommands(session: KimballSession): vscode.Disposable[] {
  const tree = new RunsTree(session);
  const logs = new StepLogProvider(session);
  return [
    tree,
    vscode.window.registerTreeDataProvider('kimball.runs', tree),
    vscode.workspace.registerTextDocumentContentProvider(LOG_SCHEME, logs),
    vscode.commands.registerCommand('kimball.generatePipeline', guarded(session, 'Generate Pipeline', () => generate(session))),
    // An argument `{ full: true }` (from another extension or a keybinding) rebuilds every table instead of loading new data only.
    vscode.commands.registerCommand(
      'kimball.runPipeline',
      guarded(session, 'Run Pipeline', (arg?: { full?: boolean }) => run(session, { full: arg?.full === true })),
    ),
    vscode.commands.registerCommand('kimball.runPipelineFull', guarded(session, 'Run Pipeline (Full Rebuild)', () => run(session, { full: true }))),
    vscode.commands.registerCommand(
      'kimball.rerunFailed',
      guarded(session, 'Re-run from Failed', async (node?: RunsNode) => {
        const id = node?.run.id ?? listRuns(session.paths).find((r) => r.status === 'failed' || r.status === 'cancelled')?.id;
        if (!id) return void vscode.window.showInformationMessage('Kimball: no failed or cancelled run to resume.');
        await run(session, { fromFailed: id });
      }),
    ),
    vscode.commands.registerCommand('kimball.cancelRun', () => {
      if (!active) return void vscode.window.showInformationMessage('Kimball: no pipeline run in progress in this window.');
      active.controller.abort();
    }),
    vscode.commands.registerCommand(
      'kimball.openStep',
      guarded(session, 'Open Step', async (node?: RunsNode) => {
        if (node?.kind !== 'step') return;
        await openStep(session, node.run, node.step);
      }),
    ),
    vscode.commands.registerCommand('kimball.refreshRuns', () => session.fire('runs')),
  ];
}

async function generate(session: KimballSession): Promise<void> {
  const names = buildableModels(session.paths);
  let name: string | undefined;
  if (names.length > 1) {
    name = await vscode.window.showQuickPick(names, { title: 'Kimball: Generate Pipeline', placeHolder: 'Model to build (ERD + star schema)' });
    if (!name) return;
  }
  const r = await runTask(session, 'Generate Pipeline', async () => {
    const wh = await session.warehouse();
    return buildProject(session.paths, loadProject(session.root), { databases: wh.databases, cluster: wh.cluster }, pickModel(session.paths, name));
  });
  if (!r) return;
  session.log.info(`Generated pipeline ${r.name}: ${r.steps} steps, ${r.files.length} files under build/`);
  // Not awaited: the command finishes when the files are written, the buttons stay optional.
  void vscode.window.showInformationMessage(`Kimball: pipeline ${r.name} generated (${r.steps} steps).`, 'Run Pipeline', 'Open DAG').then(async (choice) => {
    if (choice === 'Run Pipeline') await vscode.commands.executeCommand('kimball.runPipeline');
    const dag = r.files.find((f) => f.endsWith('_dag.py'));
    if (choice === 'Open DAG' && dag) await vscode.window.showTextDocument(vscode.Uri.file(join(session.root, dag)));
  });
  session.fire('runs');
}

async function run(session: KimballSession, o: { fromFailed?: string; full?: boolean }): Promise<void> {
  if (active) return void vscode.window.showWarningMessage('Kimball: a pipeline run is already in progress; cancel it first.');
  if (!existsSync(manifestPath(session.paths))) {
    const choice = await vscode.window.showWarningMessage('Kimball: no pipeline yet (build/manifest.json).', 'Generate Pipeline');
    if (choice) await vscode.commands.executeCommand('kimball.generatePipeline');
    return;
  }
  const manifest = readManifest(session.paths);
  const controller = new AbortController();
  active = { controller };
  const refresh = throttle(() => session.fire('runs'), 300);
  try {
    const title = o.fromFailed ? `Re-run ${manifest.name} from failed` : `Run ${manifest.name}${o.full ? ' (full rebuild)' : ''}`;
    const record = await runTask(session, title, async ({ signal, progress }) => {
      signal.addEventListener('abort', () => controller.abort(), { once: true });
      let done = 0;
      const total = manifest.steps.length;
      return runPipeline(await session.coreContext(), {
        manifest,
        fromFailed: o.fromFailed,
        full: o.full,
        signal: controller.signal,
        onStep: (s) => {
          if (s.status === 'running') progress.report({ message: `${done}/${total} · ${s.id}` });
          else if (s.status !== 'pending') {
            done++;
            progress.report({ message: `${done}/${total} · ${s.id} ${s.status}`, increment: 100 / total });
          }
          refresh.call();
        },
      });
    });
    if (record) report(session, record, manifest);
  } finally {
    active = undefined;
    refresh.cancel();
    session.fire('runs');
    session.fire('warehouse');
  }
}

/** At most one call per `ms` (the Runs view re-reads the run files on each refresh); the last call is never lost. */
function throttle(fn: () => void, ms: number): { call: () => void; cancel: () => void } {
  let last = 0;
  let timer: NodeJS.Timeout | undefined;
  const fire = () => {
    timer = undefined;
    last = Date.now();
    fn();
  };
  return {
    call: () => {
      if (timer) return;
      const wait = last + ms - Date.now();
      if (wait <= 0) fire();
      else timer = setTimeout(fire, wait);
    },
    cancel: () => {
      if (timer) clearTimeout(timer);
      timer = undefined;
    },
  };
}

function report(session: KimballSession, record: RunRecord, manifest: Parameters<typeof summarizeRun>[1]): void {
  const s = summarizeRun(record, manifest);
  session.log.info(formatSummary(s));
  for (const c of s.checks) (c.ok ? session.log.info : session.log.warn).call(session.log, `check ${c.ok ? 'passed' : 'FAILED'}: ${c.id} ${c.detail}`);
  for (const e of s.errors) session.log.error(`step failed: ${e.id}: ${e.error}`);
  for (const st of record.steps) if (st.mode === 'full' && st.reason) session.log.info(`rebuilt ${st.id}: ${st.reason}`);
  const line = `${s.tables} tables, ${s.rows.toLocaleString('en-US')} rows, checks ${s.checksPassed} passed / ${s.checksFailed} failed`;
  if (record.status === 'succeeded') {
    void vscode.window.showInformationMessage(`Kimball: run ${record.pipeline} succeeded: ${line}.`);
    return;
  }
  const show = record.status === 'cancelled' ? vscode.window.showWarningMessage : vscode.window.showErrorMessage;
  void show(`Kimball: run ${record.pipeline} ${record.status} (${s.failed} failed, ${s.skipped} skipped): ${line}.`, 'Re-run from Failed', 'Show Log').then((c) => {
    if (c === 'Show Log') session.log.show(true);
    if (c === 'Re-run from Failed') void vscode.commands.executeCommand('kimball.rerunFailed', { kind: 'run', run: record });
  });
}

async function openStep(session: KimballSession, runRecord: RunRecord, step: RunStep): Promise<void> {
  const manifest = existsSync(manifestPath(session.paths)) ? readManifest(session.paths) : undefined;
  const m = manifest?.steps.find((s) => s.id === step.id);
  if (m) {
    const file = join(session.paths.buildDir, stepFile(m, runRecord.full ?? false));
    if (existsSync(file)) await vscode.window.showTextDocument(vscode.Uri.file(file), { preview: true, viewColumn: vscode.ViewColumn.One });
  }
  const uri = vscode.Uri.from({ scheme: LOG_SCHEME, path: `/${runRecord.id}/${encodeURIComponent(step.id)}.log` });
  const doc = await vscode.workspace.openTextDocument(uri);
  await vscode.window.showTextDocument(doc, { preview: true, viewColumn: vscode.ViewColumn.Two, preserveFocus: true });
}

/** Read-only documents with a step's log, read from the run file each time they open. */
class StepLogProvider implements vscode.TextDocumentContentProvider {
  constructor(private readonly session: KimballSession) {}

  provideTextDocumentContent(uri: vscode.Uri): string {
    const [, runId, file] = uri.path.split('/');
    const stepId = decodeURIComponent(file.replace(/\.log$/, ''));
    const r = readRun(this.session.paths, runId);
    const s = r.steps.find((x) => x.id === stepId);
    if (!s) return `Step ${stepId} is not in run ${runId}.`;
    return [
      `Run ${r.id} (${r.pipeline}, ${r.status}${r.full ? ', full rebuild' : ''})`,
      `Step ${s.id}: ${s.status}`,
      s.startedAt ? `Started ${s.startedAt}` : '',
      s.endedAt ? `Ended   ${s.endedAt}` : '',
      s.rows !== undefined ? `Rows    ${s.rows}` : '',
      s.result ? `Result  ${s.result}` : '',
      '',
      ...s.log,
      ...(s.error ? ['', 'Error:', s.error] : []),
      '',
    ]
      .filter((l, i, a) => l !== '' || a[i - 1] !== '')
      .join('\n');
  }
}
