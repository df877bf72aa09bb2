/**
 * The Add / Edit Data Source form: one webview panel per source being edited
 * (one per kind for a new source), revealed again when asked twice. The
 * webview sends a whole config; here it is checked again (field checks and
 * the file's JSON schema), written with `writeSource`, and its secret goes to
 * SecretStorage, never to the file or the webview. Test runs the source's own
 * test on the form's values without saving anything.
 */
import { randomBytes } from 'node:crypto';
import { isAbsolute, relative } from 'node:path';
import * as vscode from 'vscode';
import { createSource, readSource, secretFieldOf, type SecretField, type SourceConfig, type SourceKind } from '../../core/sources';
import { newSourceConfig } from '../../core/sources/edit';
import { formProblems, saveSourceForm, secretsForTest, type FormTarget } from '../../core/sources/form-save';
import { sourceFile } from '../../core/project/paths';
import { describeError } from '../../core/errors';
import { describeProblem, parseWebviewMessage, type HostMessage, type SecretInfo, type WebviewMessage } from '../../../webview/source-form/protocol';
import { webviewHtml } from '../editors/html';
import type { KimballSession } from '../session';

export type SourceFormTarget = { mode: 'add'; kind: SourceKind } | { mode: 'edit'; name: string };

export const SECRET_LABELS: Record<SecretField, string> = { password: 'Password', secretAccessKey: 'Secret access key', token: 'API token' };

/** Called after a successful Save (the panel is closed by then). */
export type OnSaved = (config: SourceConfig, mode: 'add' | 'edit') => void;

export class SourceForms implements vscode.Disposable {
  private readonly panels = new Map<string, SourceFormPanel>();

  constructor(
    private readonly session: KimballSession,
    private readonly extensionUri: vscode.Uri,
    private readonly onSaved: OnSaved,
  ) {}

  show(target: SourceFormTarget): void {
    const key = target.mode === 'add' ? `add:${target.kind}` : `edit:${target.name}`;
    const open = this.panels.get(key);
    if (open) return open.reveal();
    // An unreadable settings file fails here, before a panel opens on nothing.
    const kind = target.mode === 'add' ? target.kind : readSource(this.session.paths, target.name).kind;
    const panel = new SourceFormPanel(this.session, this.extensionUri, target, kind, this.onSaved, () => this.panels.delete(key));
    this.panels.set(key, panel);
  }

  dispose(): void {
    for (const p of [...this.panels.values()]) p.dispose();
  }
}

class SourceFormPanel {
  private readonly panel: vscode.WebviewPanel;
  /** Aborts a running Test when the panel closes. */
  private readonly closing = new AbortController();
  private disposed = false;

  constructor(
    private readonly session: KimballSession,
    extensionUri: vscode.Uri,
    private readonly target: SourceFormTarget,
    private readonly kind: SourceKind,
    private readonly onSaved: OnSaved,
    onDispose: () => void,
  ) {
    const dist = vscode.Uri.joinPath(extensionUri, 'dist', 'webview');
    const media = vscode.Uri.joinPath(extensionUri, 'media');
    const title = target.mode === 'add' ? 'Add Data Source' : `Data Source: ${target.name}`;
    this.panel = vscode.window.createWebviewPanel('kimball.sourceForm', title, vscode.ViewColumn.Active, {
      enableScripts: true,
      localResourceRoots: [dist, media],
    });
    const webview = this.panel.webview;
    webview.html = webviewHtml({
      title,
      cspSource: webview.cspSource,
      nonce: randomBytes(16).toString('base64'),
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(dist, 'source-form.js')).toString(),
      styleUri: webview.asWebviewUri(vscode.Uri.joinPath(media, 'source-form.css')).toString(),
    });
    const sub = webview.onDidReceiveMessage((raw: unknown) => void this.receive(raw));
    this.panel.onDidDispose(() => {
      this.disposed = true;
      this.closing.abort();
      sub.dispose();
      onDispose();
    });
  }

  reveal(): void {
    this.panel.reveal();
  }

  dispose(): void {
    this.panel.dispose();
  }

  private post(m: HostMessage): void {
    // A Test or a Browse dialog may finish after the panel closed: nobody is left to tell.
    if (!this.disposed) void this.panel.webview.postMessage(m);
  }

  private async receive(raw: unknown): Promise<void> {
    const parsed = parseWebviewMessage(raw);
    if (!parsed.ok) {
      this.session.log.warn(`Source form: dropped a malformed message: ${describeProblem(parsed.problem)}`);
      return;
    }
    const m = parsed.message;
    try {
      await this.handle(m);
    } catch (err) {
      this.session.log.error(`Source form (${m.type}) failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      if (m.type === 'test') this.post({ type: 'testResult', ok: false, message: describeError(err) });
      else this.post({ type: 'problems', problems: [{ path: '', message: describeError(err) }] });
    }
  }

  private async handle(m: WebviewMessage): Promise<void> {
    switch (m.type) {
      case 'ready':
        return this.post(await this.init());
      case 'save':
        return this.save(m.config, m.secret);
      case 'test':
        return this.test(m.config, m.secret);
      case 'cancel':
        return this.dispose();
      case 'browse':
        return this.browse();
      case 'openSettings':
        if (this.target.mode === 'edit') await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(sourceFile(this.session.paths, this.target.name)));
        return;
    }
  }

  private async init(): Promise<HostMessage> {
    const t = this.target;
    const config = t.mode === 'add' ? newSourceConfig(t.kind) : readSource(this.session.paths, t.name);
    const field = secretFieldOf(config.kind);
    const secret: SecretInfo | undefined = field
      ? { field, label: SECRET_LABELS[field], stored: t.mode === 'edit' && (await this.session.secrets.get(t.name, field)) !== undefined }
      : undefined;
    const settingsFile = t.mode === 'edit' ? `.kimball/sources/${t.name}.json` : undefined;
    return { type: 'init', mode: t.mode, config, ...(secret ? { secret } : {}), ...(settingsFile ? { settingsFile } : {}) };
  }

  private get formTarget(): FormTarget {
    return this.target.mode === 'add' ? this.target : { ...this.target, kind: this.kind };
  }

  private async save(config: SourceConfig, secret: string): Promise<void> {
    const problems = await saveSourceForm(this.session.paths, this.session.secrets, this.formTarget, config, secret);
    if (problems.length > 0) return this.post({ type: 'problems', problems });
    this.session.fire('sources');
    this.session.log.info(`${this.target.mode === 'add' ? 'Added' : 'Saved'} source ${config.name} (${config.kind}).`);
    this.dispose();
    this.onSaved(config, this.target.mode);
  }

  private async test(config: SourceConfig, secret: string): Promise<void> {
    const problems = formProblems(this.session.paths, this.formTarget, config, false);
    if (problems.length > 0) return this.post({ type: 'problems', problems });
    const storedName = this.target.mode === 'edit' ? this.target.name : config.name;
    const secrets = secretsForTest(this.session.secrets, config.kind, secret, storedName);
    const src = await createSource(config, { root: this.session.root, secrets });
    const r = await src.test(this.closing.signal);
    this.session.log.info(`Test ${config.name} (unsaved settings): ${r.ok ? 'OK' : 'FAILED'}: ${r.message}`);
    this.post({ type: 'testResult', ok: r.ok, message: r.message });
  }

  private async browse(): Promise<void> {
    const chosen = await vscode.window.showOpenDialog({
      title: 'Kimball: file or folder of the source',
      canSelectFiles: true,
      canSelectFolders: true,
      canSelectMany: false,
      defaultUri: vscode.Uri.file(this.session.root),
      openLabel: 'Use as source',
    });
    if (!chosen?.[0]) return;
    const abs = chosen[0].fsPath;
    const rel = relative(this.session.root, abs);
    // Inside the workspace: relative, so the project moves with its folder.
    this.post({ type: 'picked', path: rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : abs });
  }
}
