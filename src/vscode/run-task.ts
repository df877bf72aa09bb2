/**
 * Long work from a command: a progress notification with Cancel (as an
 * AbortSignal for core), failures as one actionable line, details in the log.
 */
import * as vscode from 'vscode';
import type { ProgressSink } from '../core/context';
import { describeError } from '../core/errors';
import type { KimballSession } from './session';

export interface TaskTools {
  signal: AbortSignal;
  progress: ProgressSink;
}

export async function runTask<T>(
  session: KimballSession,
  title: string,
  work: (tools: TaskTools) => Promise<T>,
): Promise<T | undefined> {
  return vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Kimball: ${title}`, cancellable: true },
    async (progress, token) => {
      const ac = new AbortController();
      const sub = token.onCancellationRequested(() => ac.abort());
      try {
        return await work({ signal: ac.signal, progress: { report: (u) => progress.report(u) } });
      } catch (err) {
        if (ac.signal.aborted) {
          session.log.warn(`${title}: cancelled`);
          void vscode.window.showWarningMessage(`Kimball: ${title} was cancelled; nothing partial was kept.`);
          return undefined;
        }
        reportError(session, title, err);
        return undefined;
      } finally {
        sub.dispose();
      }
    },
  );
}

/** Show a failure as one line a user can act on; the log keeps the detail. */
export function reportError(session: KimballSession, title: string, err: unknown): void {
  session.log.error(`${title} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  void vscode.window.showErrorMessage(`Kimball: ${title} failed: ${describeError(err)}`, 'Show Log').then((choice) => {
    if (choice) session.log.show(true);
  });
}

/** Wrap a command handler so a thrown error is reported, never lost. */
export function guarded<A extends unknown[]>(session: KimballSession, title: string, fn: (...args: A) => Promise<unknown>) {
  return async (...args: A): Promise<void> => {
    try {
      await fn(...args);
    } catch (err) {
      reportError(session, title, err);
    }
  };
}
