/**
 * Messages between the source form panel (src/vscode/forms/source-form.ts)
 * and its webview (webview/source-form/main.ts). Both sides check every
 * message with these functions before acting on it. Secrets cross only in
 * `save` / `test` (the typed value, '' = keep the stored one), never in
 * `init`: the extension says only whether one is stored.
 */
import type { SecretField, SourceConfig } from '../../src/core/sources/config-types';
import type { FieldProblem } from '../../src/core/sources/edit';
import { arr, bool, lit, obj, str, tagged, type Check, type Problem } from '../shared/check';

export type FormMode = 'add' | 'edit';

export interface SecretInfo {
  field: SecretField;
  /** Label of the input, e.g. "Password". */
  label: string;
  stored: boolean;
}

// ---------------------------------------------------------------- host -> webview
export type HostMessage =
  /** What to edit: sent when the webview is ready. `config` may be a draft (a new source's defaults). */
  | { type: 'init'; mode: FormMode; config: SourceConfig; secret?: SecretInfo; settingsFile?: string }
  /** Problems the extension found (schema, name taken...); replaces those shown. */
  | { type: 'problems'; problems: FieldProblem[] }
  | { type: 'testResult'; ok: boolean; message: string }
  /** The path chosen with Browse… (files sources). */
  | { type: 'picked'; path: string };

// ---------------------------------------------------------------- webview -> host
export type WebviewMessage =
  | { type: 'ready' }
  | { type: 'save'; config: SourceConfig; secret: string }
  | { type: 'test'; config: SourceConfig; secret: string }
  | { type: 'cancel' }
  | { type: 'browse' }
  | { type: 'openSettings' };

export type Parsed<T> = { ok: true; message: T } | { ok: false; problem: Problem };

/** The shape only: the config's fields are judged by the config checks and the JSON schema, as problems per field. */
const config = obj({ kind: lit('files', 'postgres', 's3', 'http'), name: str });
const secretInfo = obj({ field: lit('password', 'secretAccessKey', 'token'), label: str, stored: bool });
const problem = obj({ path: str, message: str });

const hostMessage: Check = tagged('type', {
  init: obj({ mode: lit('add', 'edit'), config, 'secret?': secretInfo, 'settingsFile?': str }),
  problems: obj({ problems: arr(problem) }),
  testResult: obj({ ok: bool, message: str }),
  picked: obj({ path: str }),
});

const webviewMessage: Check = tagged('type', {
  ready: obj({}),
  save: obj({ config, secret: str }),
  test: obj({ config, secret: str }),
  cancel: obj({}),
  browse: obj({}),
  openSettings: obj({}),
});

export function parseHostMessage(v: unknown): Parsed<HostMessage> {
  const p = hostMessage(v, '');
  return p ? { ok: false, problem: p } : { ok: true, message: v as HostMessage };
}

export function parseWebviewMessage(v: unknown): Parsed<WebviewMessage> {
  const p = webviewMessage(v, '');
  return p ? { ok: false, problem: p } : { ok: true, message: v as WebviewMessage };
}

export function describeProblem(p: Problem): string {
  return `${p.path || '/'}: ${p.message}`;
}
