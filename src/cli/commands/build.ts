import type { Command } from 'commander';
import { buildProject, formatSummary, listRuns, readManifest, runPipeline, summarizeRun } from '../../core/build';
import type { RunRecord, RunStep } from '../../core/build/build-types';
import { projectPaths } from '../../core/project/paths';
import { loadProject } from '../../core/project/project';
import { CliError, interruptSignal, printJson, warehouseSettings, withContext, workspaceRoot, type GlobalOptions } from '../session';

export function registerBuildCommands(program: Command, globals: () => GlobalOptions): void {
  program
    .command('build')
    .description('Generate the pipeline (build/sql, build/manifest.json, the Airflow DAG) from the catalog, ERD and star schema')
    .option('-n, --name <model>', 'model name (models/<name>.erd.json and .star.json); default: the only or first model')
    .action((opts: { name?: string }) => {
      const o = globals();
      const root = workspaceRoot(o);
      const project = loadProject(root);
      const r = buildProject(projectPaths(root), project, warehouseSettings(root, project), opts.name);
      if (o.json) return printJson({ name: r.name, steps: r.steps, files: r.files });
      const layers = (l: string) => r.manifest.steps.filter((s) => s.layer === l).length;
      process.stdout.write(
        `Built pipeline ${r.name}: ${layers('silver')} silver, ${layers('gold')} gold, ${layers('check')} check steps; ${r.files.length} files under build/\n`,
      );
    });

  program
    .command('run')
    .description('Run the generated pipeline against the warehouse (incremental unless --full)')
    .option('--from-failed <runId>', 're-run a failed or cancelled run: its succeeded steps are kept')
    .option('--resume', 're-run the latest failed, cancelled or interrupted run from where it stopped')
    .option('--full', 'rebuild every table (staging tables swapped in atomically) instead of processing new loads only; steps whose SQL changed since they last ran, and their dependants, are rebuilt without it')
    .action(async (opts: { fromFailed?: string; resume?: boolean; full?: boolean }) => {
      const o = globals();
      await withContext(o, async (ctx) => {
        const manifest = readManifest(ctx.paths);
        let fromFailed = opts.fromFailed;
        if (opts.resume && !fromFailed) {
          const last = listRuns(ctx.paths).find((r) => r.pipeline === manifest.name);
          // A run still marked running was interrupted (the warehouse lock allows one process at a time): it can be resumed too.
          if (!last || last.status === 'succeeded') throw new CliError('Nothing to resume: the latest run succeeded (or there is none)');
          fromFailed = last.id;
        }
        const run = await runPipeline(ctx, {
          manifest,
          fromFailed,
          full: opts.full,
          signal: interruptSignal(),
          // Progress on stderr as steps finish; the table and summary go to stdout at the end.
          onStep: (s) => {
            if (s.status !== 'running' && s.status !== 'pending') ctx.log.info(`${s.status.padEnd(9)} ${s.id} ${duration(s.startedAt, s.endedAt)}`);
          },
        });
        const summary = summarizeRun(run, manifest);
        if (o.json) printJson({ run, summary });
        else process.stdout.write(`${stepTable(run)}\n${summary.checks.filter((c) => !c.ok).map((c) => `check failed: ${c.id} ${c.detail}\n`).join('')}${formatSummary(summary)}\n`);
        if (run.status !== 'succeeded') {
          const first = summary.errors[0];
          throw new CliError(
            `run ${run.id} ${run.status}${first ? `: ${summary.failed} step(s) failed, first ${first.id}: ${first.error.split('\n')[0]}` : ''} (resume: kimball run --from-failed ${run.id})`,
          );
        }
      });
    });

  program
    .command('runs')
    .description('List pipeline runs, newest first')
    .action(() => {
      const o = globals();
      const runs = listRuns(projectPaths(workspaceRoot(o)));
      if (o.json) return printJson(runs);
      for (const r of runs) {
        const failed = r.steps.filter((s) => s.status === 'failed').length;
        process.stdout.write(
          `${r.id}\t${r.pipeline}\t${r.status}\t${duration(r.startedAt, r.endedAt)}\t${r.steps.length} steps${failed ? `, ${failed} failed` : ''}${r.resumes ? `\tresumes ${r.resumes}` : ''}\n`,
        );
      }
    });
}

function duration(start?: string, end?: string): string {
  if (!start || !end) return '-';
  return `${((Date.parse(end) - Date.parse(start)) / 1000).toFixed(1)} s`;
}

function stepTable(run: RunRecord): string {
  const rows = run.steps.map((s: RunStep) => [
    s.status,
    s.id,
    s.mode ?? '',
    duration(s.startedAt, s.endedAt),
    s.rows === undefined ? '' : s.rows.toLocaleString('en-US'),
    (s.error ?? s.result ?? (s.mode === 'full' ? s.reason : undefined) ?? '').split('\n')[0].slice(0, 120),
  ]);
  const head = ['status', 'step', 'mode', 'time', 'rows', 'result / error / why rebuilt'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 4 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ').trimEnd();
  return [line(head), ...rows.map(line)].join('\n');
}
