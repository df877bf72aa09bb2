/**
 * Runs view: runs (newest first) -> steps, with an icon per status,
 * durations, rows and check results. Reads `.kimball/runs/*.json`, which the
 * runner rewrites on every step change, so a refresh shows a live run.
 */
import * as vscode from 'vscode';
import type { RunRecord, RunStep, StepStatus } from '../../core/build/build-types';
import { listRuns } from '../../core/build/run-store';
import type { KimballSession } from '../session';

export type RunsNode = { kind: 'run'; run: RunRecord } | { kind: 'step'; run: RunRecord; step: RunStep };

const MAX_RUNS = 50;

const ICONS: Record<StepStatus, [string, string | undefined]> = {
  pending: ['circle-outline', undefined],
  running: ['sync~spin', 'charts.blue'],
  succeeded: ['pass', 'testing.iconPassed'],
  failed: ['error', 'testing.iconFailed'],
  skipped: ['debug-step-over', 'disabledForeground'],
  cancelled: ['circle-slash', 'testing.iconSkipped'],
};

export function statusIcon(status: StepStatus): vscode.ThemeIcon {
  const [id, color] = ICONS[status];
  return new vscode.ThemeIcon(id, color ? new vscode.ThemeColor(color) : undefined);
}

export function formatDuration(start?: string, end?: string): string {
  if (!start) return '';
  const ms = (end ? Date.parse(end) : Date.now()) - Date.parse(start);
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

export class RunsTree implements vscode.TreeDataProvider<RunsNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly sub: vscode.Disposable;

  constructor(private readonly session: KimballSession) {
    this.sub = session.onDidChange((k) => {
      if (k === 'runs' || k === 'project') this.changed.fire();
    });
  }

  dispose(): void {
    this.sub.dispose();
    this.changed.dispose();
  }

  getTreeItem(n: RunsNode): vscode.TreeItem {
    return n.kind === 'run' ? runItem(n.run) : stepItem(n.run, n.step);
  }

  getChildren(n?: RunsNode): RunsNode[] {
    if (!n) {
      if (!this.session.hasProject) return [];
      const runs = listRuns(this.session.paths, (file, err) => this.session.log.warn(`Runs: skipped ${file}: ${String(err)}`));
      return runs.slice(0, MAX_RUNS).map((run) => ({ kind: 'run', run }));
    }
    if (n.kind === 'run') return n.run.steps.map((step) => ({ kind: 'step', run: n.run, step }));
    return [];
  }
}

function runItem(run: RunRecord): vscode.TreeItem {
  const started = new Date(run.startedAt);
  const item = new vscode.TreeItem(`${run.pipeline} · ${started.toLocaleString()}`, vscode.TreeItemCollapsibleState.Collapsed);
  const failed = run.steps.filter((s) => s.status === 'failed').length;
  const done = run.steps.filter((s) => s.status === 'succeeded').length;
  item.id = `run:${run.id}`;
  item.iconPath = statusIcon(run.status);
  item.description = `${run.status} · ${formatDuration(run.startedAt, run.endedAt)} · ${done}/${run.steps.length} steps${failed ? ` · ${failed} failed` : ''}`;
  item.tooltip = new vscode.MarkdownString(
    `**Run ${run.id}** (${run.status})${run.full ? ' · full rebuild' : ''}${run.resumes ? `\n\nResumes ${run.resumes}` : ''}\n\nStarted ${run.startedAt}${run.endedAt ? `, ended ${run.endedAt}` : ''}`,
  );
  item.contextValue = `run.${run.status}`;
  return item;
}

function stepItem(run: RunRecord, step: RunStep): vscode.TreeItem {
  const item = new vscode.TreeItem(step.id, vscode.TreeItemCollapsibleState.None);
  item.id = `step:${run.id}:${step.id}`;
  item.iconPath = statusIcon(step.status);
  // First, so a narrow sidebar still shows it.
  const rebuilt = step.mode === 'full' ? 'rebuilt' : '';
  const parts = [rebuilt, step.status, formatDuration(step.startedAt, step.endedAt), step.rows === undefined ? '' : `${step.rows.toLocaleString('en-US')} rows`];
  item.description = parts.filter(Boolean).join(' · ');
  const md = new vscode.MarkdownString();
  md.appendMarkdown(`**${step.id}** (${step.status})\n\n`);
  if (step.mode) md.appendText(`${step.mode === 'full' ? 'Rebuilt in full' : 'Incremental'}${step.reason ? `: ${step.reason}` : ''}\n\n`);
  if (step.result) md.appendCodeblock(step.result, 'json');
  if (step.error) md.appendCodeblock(step.error.slice(0, 1500), 'text');
  item.tooltip = md;
  item.contextValue = `step.${step.status}`;
  item.command = { command: 'kimball.openStep', title: 'Open Step SQL and Log', arguments: [{ kind: 'step', run, step }] };
  return item;
}
