/**
 * Helpers for tests that run inside the real extension host: the extension's exported API, phase guards,
 * captured messages and scripted answers to the prompts a command shows.
 *
 * Scripted input replaces functions of the real `vscode.window` object (the one the extension itself uses:
 * the host hands one API object per extension, and this suite lives inside the extension's folder), so the
 * command runs unchanged and only the human at the keyboard is replaced.
 */
import * as vscode from 'vscode';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { KimballApi } from '../../../src/extension';
import type { KimballSession } from '../../../src/vscode/session';
import type { TestContext } from './mocha-api';

export const EXTENSION_ID = 'kimball.kimball';

export async function kimballApi(): Promise<KimballApi> {
  const ext = vscode.extensions.getExtension<KimballApi>(EXTENSION_ID);
  if (!ext) throw new Error(`extension ${EXTENSION_ID} is not loaded in this host`);
  return ext.isActive ? ext.exports : ext.activate();
}

export async function kimballSession(): Promise<KimballSession> {
  const { session } = await kimballApi();
  if (!session) throw new Error('the extension activated without a workspace folder: no session');
  return session;
}

export function workspaceRoot(): string {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) throw new Error('the e2e host was opened without a workspace folder');
  return folder.uri.fsPath;
}

/** Commands declared in package.json's contributes.commands. */
export function declaredCommands(): string[] {
  const ext = vscode.extensions.getExtension(EXTENSION_ID);
  const pkg = ext?.packageJSON as { contributes?: { commands?: { command: string }[] } } | undefined;
  return (pkg?.contributes?.commands ?? []).map((c) => c.command);
}

/** View ids declared in package.json's contributes.views. */
export function declaredViews(): string[] {
  const ext = vscode.extensions.getExtension(EXTENSION_ID);
  const pkg = ext?.packageJSON as { contributes?: { views?: Record<string, { id: string }[]> } } | undefined;
  return Object.values(pkg?.contributes?.views ?? {}).flatMap((list) => list.map((v) => v.id));
}

export async function registeredCommands(): Promise<Set<string>> {
  return new Set((await vscode.commands.getCommands(true)).filter((c) => c.startsWith('kimball.')));
}

/** Tests skipped because their phase has not landed, with the reason (reported by index.ts). */
export const skipReasons = new Map<string, string>();

/** Skip the running test, saying so loudly, unless every command it drives is registered. */
export async function requireCommands(phase: string, commands: string[]): Promise<void> {
  const registered = await registeredCommands();
  const missing = commands.filter((c) => !registered.has(c));
  if (missing.length > 0) throw new Error(`${phase}: ${missing.join(', ')} not registered`);
}

/** Skip with a reason printed and recorded (a silent skip would hide a missing feature). */
export function skip(ctx: TestContext, reason: string): never {
  const title = ctx.test?.fullTitle() ?? ctx.currentTest?.fullTitle() ?? '(unknown test)';
  skipReasons.set(title, reason);
  console.log(`SKIPPED: ${title}: ${reason}`);
  return ctx.skip();
}

export async function waitFor<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export function listFiles(dir: string, suffix: string): string[] {
  return existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith(suffix)).map((f) => join(dir, f)) : [];
}

type Mutable = Record<string, unknown>;

export interface Messages {
  errors: string[];
  warnings: string[];
  infos: string[];
}

/** A scripted answer: `match` is tested against the prompt's title, prompt and placeholder. */
export interface InputRule {
  match: RegExp;
  answer: string;
}

export interface PickRule {
  /** Tested against the picker's title/placeholder, or (when no such rule fits) against item labels. */
  match: RegExp;
}

export interface Script {
  inputs?: InputRule[];
  picks?: PickRule[];
  /** Answer to an open dialog. */
  open?: vscode.Uri[];
}

/**
 * Run `work` with the window's message functions recording what the extension shows, and with prompts
 * answered from `script`: an input box takes the first rule whose pattern fits its text, else what it holds
 * (Enter), and cancels when its own validation rejects that; a quick pick takes the first item whose label fits a pick rule, else its first item
 * (every item for a multi-select); a modal or warning with buttons takes its first button (confirmations).
 * Everything is restored afterwards, whatever happens.
 */
export async function withScriptedUi<T>(script: Script, work: (messages: Messages) => Promise<T>): Promise<T> {
  const w = vscode.window as unknown as Mutable;
  const saved = new Map<string, unknown>();
  const messages: Messages = { errors: [], warnings: [], infos: [] };
  const replace = (name: string, fn: unknown): void => {
    saved.set(name, w[name]);
    w[name] = fn;
  };
  const firstButton = (items: unknown[]): unknown => items.find((i) => typeof i === 'string' || (typeof i === 'object' && i !== null && 'title' in i));
  replace('showErrorMessage', (message: string) => {
    messages.errors.push(message);
    console.log(`[e2e] error message: ${message}`);
    return Promise.resolve(undefined);
  });
  replace('showWarningMessage', (message: string, ...rest: unknown[]) => {
    messages.warnings.push(message);
    console.log(`[e2e] warning message: ${message}`);
    return Promise.resolve(firstButton(rest));
  });
  replace('showInformationMessage', (message: string) => {
    messages.infos.push(message);
    console.log(`[e2e] info message: ${message}`);
    return Promise.resolve(undefined);
  });
  replace('showInputBox', async (options?: vscode.InputBoxOptions) => {
    const text = [options?.title, options?.prompt, options?.placeHolder].filter(Boolean).join(' | ');
    const rule = script.inputs?.find((r) => r.match.test(text));
    // No rule: the user presses Enter on what the box holds.
    let answer: string | undefined = rule ? rule.answer : (options?.value ?? '');
    // Like the real box, an answer its validation rejects is never returned: the user gives up (Escape).
    const problem = await options?.validateInput?.(answer);
    const message = typeof problem === 'string' ? problem : problem?.message;
    if (message) {
      console.log(`[e2e] input box "${text}" rejected ${JSON.stringify(answer)}: ${message}`);
      answer = undefined;
    }
    console.log(`[e2e] input box "${text}" -> ${answer === undefined ? '(cancel)' : JSON.stringify(answer)}`);
    return answer;
  });
  replace('showQuickPick', async (items: readonly (string | vscode.QuickPickItem)[] | Thenable<readonly (string | vscode.QuickPickItem)[]>, options?: vscode.QuickPickOptions) => {
    const list = await items;
    const label = (i: string | vscode.QuickPickItem): string => (typeof i === 'string' ? i : `${i.label} ${i.description ?? ''} ${i.detail ?? ''}`);
    const text = [options?.title, options?.placeHolder].filter(Boolean).join(' | ');
    const chosen = list.find((i) => script.picks?.some((r) => r.match.test(label(i)))) ?? list[0];
    console.log(`[e2e] quick pick "${text}" -> ${chosen === undefined ? '(none)' : label(chosen).trim()}`);
    if (options?.canPickMany) return list.slice();
    return chosen;
  });
  replace('showOpenDialog', () => Promise.resolve(script.open));
  try {
    return await work(messages);
  } finally {
    for (const [name, fn] of saved) w[name] = fn;
  }
}

/** Figures measured in the host, printed by the runner. */
export const metrics: Record<string, number> = {};
