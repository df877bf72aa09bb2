/** Model commands: propose the ERD and the star schema, detect hierarchies, export. Core does the work. */
import * as vscode from 'vscode';
import { basename, extname } from 'node:path';
import { loadProject } from '../../core/project/project';
import { listModels, modelKindOf, type ModelKind } from '../../core/model/files';
import { designStarFile, detectHierarchiesFile, exportModelFile, generateErdFile, modelName } from '../../core/model/service';
import type { ExportFormat } from '../../core/model/export';
import type { KimballSession } from '../session';
import { guarded, runTask } from '../run-task';
import { MODEL_VIEW_TYPES, type ModelNode } from '../views/models-tree';

export function registerModelCommands(session: KimballSession): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand('kimball.generateErd', guarded(session, 'Generate ERD', () => generateErd(session))),
    vscode.commands.registerCommand('kimball.designStar', guarded(session, 'Design Star Schema', (arg?: ModelArg) => designStar(session, arg))),
    vscode.commands.registerCommand('kimball.detectHierarchies', guarded(session, 'Detect Hierarchies', (arg?: ModelArg) => hierarchies(session, arg))),
    vscode.commands.registerCommand('kimball.refreshModels', () => session.fire('models')),
    vscode.commands.registerCommand('kimball.exportModel', guarded(session, 'Export Model', (node?: ModelNode | vscode.Uri) => exportCommand(session, node))),
  ];
}

async function openModel(file: string, kind: ModelKind): Promise<void> {
  await vscode.commands.executeCommand('vscode.openWith', vscode.Uri.file(file), MODEL_VIEW_TYPES[kind]);
}

/** A model file open with unsaved edits would be overwritten on disk: ask the user to save first. */
function refuseDirty(file: string): void {
  const doc = vscode.workspace.textDocuments.find((d) => d.uri.fsPath === file);
  if (doc?.isDirty) throw new Error(`${basename(file)} has unsaved changes: save or revert it first.`);
}

async function generateErd(session: KimballSession): Promise<void> {
  const project = loadProject(session.root);
  const name = await vscode.window.showInputBox({
    title: 'Kimball: Generate ERD',
    prompt: 'Model name: writes models/<name>.erd.json (an existing file keeps its positions and decisions)',
    value: modelName(project),
    validateInput: (v) => (/^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/.test(v) && !v.includes('..') ? undefined : 'Letters, digits, "_", "-" or "."'),
  });
  if (!name) return;
  refuseDirty(`${session.paths.modelsDir}/${name}.erd.json`);
  const r = await runTask(session, 'Generate ERD', async () => generateErdFile(session.paths, project, name));
  if (!r) return;
  session.fire('models');
  session.log.info(`ERD ${r.file}: ${r.entities} entities, ${r.relationships} relationships, ${r.decompositions} decompositions proposed`);
  for (const s of r.skipped) session.log.warn(`ERD: skipped ${s.table}: ${s.reason}`);
  await openModel(r.file, 'erd');
  void vscode.window.showInformationMessage(
    `Kimball: ERD with ${r.entities} entities and ${r.relationships} relationships` +
      (r.decompositions ? `; ${r.decompositions} decomposition${r.decompositions === 1 ? '' : 's'} proposed to review.` : '.') +
      (r.skipped.length ? ` Skipped ${r.skipped.map((s) => s.table).join(', ')} (no columns).` : '') +
      reportNotes(session, r.file, r.notes),
  );
}

/** Edits a proposal changed or dropped because they no longer fit: each in the log; the message says where to read them. */
function reportNotes(session: KimballSession, file: string, notes: string[]): string {
  for (const n of notes) session.log.warn(`${basename(file)}: ${n}`);
  if (notes.length === 0) return '';
  return ` Edits that no longer fit were changed or dropped (${notes.length}): see "notes" in ${basename(file)} and the Kimball log.`;
}

/** A command's argument: a Models tree node, or the Uri of a model file (explorer, editor title, tests). */
type ModelArg = ModelNode | vscode.Uri;

const modelNameOf = (file: string) => basename(file).replace(/\.(erd|star)\.json$/, '');

/** The model a command acts on: the clicked node or file, the active model editor, the only model of that kind, or the user's pick. */
async function pickModel(session: KimballSession, kind: ModelKind, arg?: ModelArg): Promise<string | undefined> {
  if (arg instanceof vscode.Uri) {
    if (!modelKindOf(arg.fsPath)) throw new Error(`${basename(arg.fsPath)} is not a model file (*.erd.json or *.star.json).`);
    return modelNameOf(arg.fsPath);
  }
  if (arg?.info) return arg.info.name;
  const active = vscode.window.activeTextEditor?.document.uri.fsPath ?? activeCustomEditorFile();
  if (active && modelKindOf(active)) return modelNameOf(active);
  const names = listModels(session.paths)
    .filter((m) => m.kind === kind)
    .map((m) => m.name);
  if (names.length === 0) throw new Error(kind === 'erd' ? 'no ERD yet: run "Kimball: Generate ERD" first.' : 'no star schema yet: run "Kimball: Design Star Schema" first.');
  if (names.length === 1) return names[0];
  return vscode.window.showQuickPick(names, { title: `Kimball: choose the ${kind === 'erd' ? 'ERD' : 'star schema'}` });
}

function activeCustomEditorFile(): string | undefined {
  const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
  return input instanceof vscode.TabInputCustom ? input.uri.fsPath : undefined;
}

async function designStar(session: KimballSession, arg?: ModelArg): Promise<void> {
  const name = await pickModel(session, 'erd', arg);
  if (!name) return;
  refuseDirty(`${session.paths.modelsDir}/${name}.star.json`);
  const project = loadProject(session.root);
  const r = await runTask(session, 'Design Star Schema', async () => designStarFile(session.paths, project, name));
  if (!r) return;
  session.fire('models');
  await openModel(r.file, 'star');
  void vscode.window.showInformationMessage(
    `Kimball: star schema with facts ${r.facts.join(', ') || '(none)'} and dimensions ${r.dimensions.join(', ')}.` + reportNotes(session, r.file, r.notes),
  );
}

async function hierarchies(session: KimballSession, arg?: ModelArg): Promise<void> {
  const name = await pickModel(session, 'star', arg);
  if (!name) return;
  refuseDirty(`${session.paths.modelsDir}/${name}.star.json`);
  const project = loadProject(session.root);
  const r = await runTask(session, 'Detect Hierarchies', async () => detectHierarchiesFile(session.paths, project, name));
  if (!r) return;
  session.fire('models');
  const lines = r.added.map((a) => `${a.dimension}.${a.hierarchy}`);
  session.log.info(`Hierarchies added to ${r.file}: ${lines.join(', ') || 'none'}`);
  const found = r.added.length ? `Kimball: ${r.added.length} hierarchies added (${lines.join(', ')}).` : 'Kimball: no new hierarchies found.';
  void vscode.window.showInformationMessage(found + reportNotes(session, r.file, r.notes));
}

const FORMATS: (vscode.QuickPickItem & { format: ExportFormat })[] = [
  { label: 'Mermaid', description: '.mmd and a Markdown page with the diagram', format: 'mermaid' },
  { label: 'DBML', description: '.dbml (dbdiagram.io)', format: 'dbml' },
  { label: 'ClickHouse DDL', description: '.sql: CREATE TABLE per table', format: 'ddl' },
  { label: 'SVG', description: '.svg drawing with the diagram layout', format: 'svg' },
  { label: 'PNG', description: '.png image of the SVG drawing', format: 'png' },
];

async function exportCommand(session: KimballSession, node?: ModelArg): Promise<void> {
  let file: string | undefined;
  if (node instanceof vscode.Uri) file = node.fsPath;
  else if (node?.info) file = node.info.file;
  else {
    const active = vscode.window.activeTextEditor?.document.uri.fsPath ?? activeCustomEditorFile();
    if (active && modelKindOf(active)) file = active;
  }
  if (!file) {
    const models = listModels(session.paths);
    if (models.length === 0) throw new Error('no model files in models/ yet.');
    const pick = await vscode.window.showQuickPick(
      models.map((m) => ({ label: basename(m.file), file: m.file })),
      { title: 'Kimball: Export Model' },
    );
    file = pick?.file;
  }
  if (!file) return;
  const format = await vscode.window.showQuickPick(FORMATS, { title: `Export ${basename(file)} as` });
  if (!format) return;
  const project = loadProject(session.root);
  const written = exportModelFile(session.paths, project, file, format.format);
  session.log.info(`Exported ${file}: ${written.join(', ')}`);
  const md = written.find((f) => extname(f) === '.md');
  if (md) await vscode.commands.executeCommand('markdown.showPreview', vscode.Uri.file(md));
  // An image is not a text document: let VS Code pick its image preview.
  else if (extname(written[0]) === '.png') await vscode.commands.executeCommand('vscode.open', vscode.Uri.file(written[0]));
  else await vscode.window.showTextDocument(vscode.Uri.file(written[0]), { preview: true });
  void vscode.window.showInformationMessage(`Kimball: exported ${written.map((f) => basename(f)).join(', ')}.`);
}
