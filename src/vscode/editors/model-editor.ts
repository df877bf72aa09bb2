/**
 * Custom text editors for `*.erd.json` and `*.star.json`. The text document is
 * the truth: a webview edit becomes ONE WorkspaceEdit replacing the whole text
 * (stable key order), so dirty state, save, undo/redo, hot exit and git diff
 * are VS Code's. No echo loop (as in hediet/vscode-drawio): see DocumentSync.
 */
import { randomBytes } from 'node:crypto';
import { basename } from 'node:path';
import * as vscode from 'vscode';
import { describeProblem, parseWebviewMessage, type HostMessage, type ModelKind, type WebviewMessage } from '../../../webview/shared/protocol';
import type { Entity } from '../../core/model/model-types';
import { webviewHtml } from './html';
import { DocumentSync, readModel } from './model-document';

const VIEW_TYPES: Record<ModelKind, string> = { erd: 'kimball.erdEditor', star: 'kimball.starEditor' };
const TITLES: Record<ModelKind, string> = { erd: 'Kimball ERD', star: 'Kimball Star Schema' };

export function registerModelEditors(context: vscode.ExtensionContext, log: vscode.LogOutputChannel): vscode.Disposable[] {
  return (['erd', 'star'] as const).map((kind) =>
    vscode.window.registerCustomEditorProvider(VIEW_TYPES[kind], new ModelEditorProvider(kind, context.extensionUri, log), {
      // Keep the canvas (zoom, selection) when the tab is hidden; a large diagram is costly to rebuild.
      webviewOptions: { retainContextWhenHidden: true },
      supportsMultipleEditorsPerDocument: true,
    }),
  );
}

class ModelEditorProvider implements vscode.CustomTextEditorProvider {
  constructor(
    private readonly kind: ModelKind,
    private readonly extensionUri: vscode.Uri,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  resolveCustomTextEditor(document: vscode.TextDocument, panel: vscode.WebviewPanel): void {
    const webview = panel.webview;
    const dist = vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview');
    const media = vscode.Uri.joinPath(this.extensionUri, 'media');
    webview.options = { enableScripts: true, localResourceRoots: [dist, media] };
    webview.html = webviewHtml({
      title: `${TITLES[this.kind]}: ${basename(document.uri.path)}`,
      cspSource: webview.cspSource,
      nonce: randomBytes(16).toString('base64'),
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(dist, `${this.kind}.js`)).toString(),
      styleUri: webview.asWebviewUri(vscode.Uri.joinPath(media, 'editor.css')).toString(),
      placeholder: 'Loading the diagram…',
    });
    new EditorSession(this.kind, document, panel, this.log);
  }
}

/** One open editor: glue between the document, its webview and the pure DocumentSync. */
class EditorSession {
  /** Edits apply one at a time, each to the text the previous one produced. */
  private queue: Promise<void> = Promise.resolve();
  private readonly file: string;
  private readonly sync: DocumentSync;
  /** Star editor: the ERD file the star names, watched so its entities stay current in the editor. */
  private erdUri: vscode.Uri | undefined;

  constructor(
    private readonly kind: ModelKind,
    private readonly document: vscode.TextDocument,
    private readonly panel: vscode.WebviewPanel,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.file = vscode.workspace.asRelativePath(document.uri);
    this.sync = new DocumentSync(kind, this.file);
    const subs = [
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.contentChanges.length === 0) return;
        if (this.erdUri && e.document.uri.toString() === this.erdUri.toString()) void this.sendErdContext();
        if (e.document.uri.toString() !== document.uri.toString()) return;
        const m = this.sync.documentChanged(document.getText());
        if (m) this.post(m);
      }),
      panel.webview.onDidReceiveMessage((raw: unknown) => this.receive(raw)),
    ];
    panel.onDidDispose(() => subs.forEach((s) => s.dispose()));
  }

  private post(m: HostMessage): void {
    void this.panel.webview.postMessage(m);
  }

  private receive(raw: unknown): void {
    const parsed = parseWebviewMessage(raw);
    if (!parsed.ok) {
      this.log.warn(`${this.file}: ignored a malformed message from the editor: ${describeProblem(parsed.problem)}`);
      return;
    }
    const m: WebviewMessage = parsed.message;
    if (m.type === 'ready') {
      this.post(this.sync.ready(this.document.getText()));
      void this.sendErdContext();
    } else if (m.type === 'openText') void vscode.commands.executeCommand('vscode.openWith', this.document.uri, 'default');
    else if (m.type === 'export') void this.export();
    else if (m.kind !== this.kind) this.log.warn(`${this.file}: ignored a ${m.kind} edit in the ${this.kind} editor`);
    else this.queue = this.queue.then(() => this.applyEdit(m)).catch((err: unknown) => this.log.error(`${this.file}: ${String(err)}`));
  }

  /**
   * Star editor: send the entities of the ERD the star was designed from (the open document's text when
   * the ERD is open, so unsaved ERD edits count); new facts, dimensions and references are checked against them.
   */
  private async sendErdContext(): Promise<void> {
    if (this.kind !== 'star') return;
    const r = readModel('star', this.document.getText(), this.file);
    const erd = r.ok && r.kind === 'star' ? r.model.erd : undefined;
    // `erd` is relative to the project root, the folder that holds models/.
    this.erdUri = erd ? vscode.Uri.joinPath(this.document.uri, '..', '..', erd) : undefined;
    let entities: Entity[] | undefined;
    let problem: string | undefined;
    if (this.erdUri && erd) {
      try {
        const read = readModel('erd', (await vscode.workspace.openTextDocument(this.erdUri)).getText(), erd);
        if (read.ok && read.kind === 'erd') entities = read.model.entities;
        else if (!read.ok) problem = `${erd} is not valid (${read.error.path || '/'}: ${read.error.message})`;
      } catch {
        problem = `${erd} cannot be read`;
      }
    }
    this.sync.context = entities ? { entities } : {};
    if (problem) this.log.warn(`${this.file}: ${problem}; new columns are not checked against the ERD`);
    this.post({ type: 'erdContext', erd: entities && erd ? erd : null, entities: entities ?? [], problem });
  }

  /** Exports read the file from disk (they also run from the CLI), so unsaved edits must be saved first. */
  private async export(): Promise<void> {
    if (this.document.isDirty) {
      this.post({ type: 'notice', level: 'error', message: 'Save the file first: the export reads the model from disk.' });
      return;
    }
    await vscode.commands.executeCommand('kimball.exportModel', this.document.uri);
  }

  private async applyEdit(m: Extract<WebviewMessage, { type: 'edit' }>): Promise<void> {
    const text = this.document.getText();
    const r = this.sync.edit(text, m.edit);
    if ('refuse' in r) {
      this.log.warn(`${this.file}: edit ${m.edit.op} refused`);
      r.refuse.forEach((x) => this.post(x));
      return;
    }
    if (r.write === null) return;
    // One WorkspaceEdit replacing the whole text: one undo step, VS Code owns dirty state and save.
    const edit = new vscode.WorkspaceEdit();
    edit.replace(this.document.uri, new vscode.Range(0, 0, this.document.lineCount, 0), r.write);
    if (!(await vscode.workspace.applyEdit(edit))) this.sync.writeFailed(this.document.getText(), m.edit.op).forEach((x) => this.post(x));
  }
}
