/**
 * The model editors' document logic, pure (no 'vscode' import, unit-tested):
 * text -> the message the webview draws (the model, or an error naming the
 * JSON path and line), and (text, edit) -> the new whole text, written with
 * the stable key order so a moved box is a two-line diff.
 */
import { findNodeAtLocation, parseTree, printParseErrorCode, type ParseError } from 'jsonc-parser';
import { applyErdEdit, applyStarEdit, HOST_ONLY_OPS, type ErdEdit, type StarEdit, type StarEditContext } from '../../core/model/edits';
import { applyDecomposition, rejectDecomposition } from '../../core/model/erd-proposal';
import { parseErd, parseStar } from '../../core/model/files';
import type { ErdModel, StarModel } from '../../core/model/model-types';
import { ProjectFileError, stableStringify } from '../../core/project/json-file';
import { checkErd, checkStar } from '../../../webview/shared/model-check';
import type { HostMessage, ModelError, ModelKind } from '../../../webview/shared/protocol';

export type ReadModel =
  | { ok: true; kind: 'erd'; model: ErdModel }
  | { ok: true; kind: 'star'; model: StarModel }
  | { ok: false; error: ModelError };

/** 1-based line of a character offset. */
function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/** Line of the value at a JSON pointer, or of its nearest existing parent. */
export function lineOfPointer(text: string, pointer: string): number | undefined {
  const root = parseTree(text);
  if (!root) return undefined;
  const segments = pointer.split('/').slice(1).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  for (let n = segments.length; n >= 0; n--) {
    const path = segments.slice(0, n).map((s) => (/^\d+$/.test(s) ? Number(s) : s));
    const node = findNodeAtLocation(root, path);
    if (node) return lineAt(text, node.offset);
  }
  return undefined;
}

function syntaxError(text: string): ModelError | undefined {
  try {
    JSON.parse(text);
    return undefined; // the common case: skip the slower locating parse
  } catch {
    // locate it below
  }
  const errors: ParseError[] = [];
  parseTree(text, errors, { allowTrailingComma: false, disallowComments: true });
  const e = errors[0];
  if (!e) return { message: 'not valid JSON', path: '' };
  return { message: `not valid JSON: ${printParseErrorCode(e.error)}`, path: '', line: lineAt(text, e.offset) };
}

/** Parse and fully validate (JSON, schema, references) a model file's text. */
export function readModel(kind: ModelKind, text: string, file: string): ReadModel {
  const syntax = syntaxError(text);
  if (syntax) return { ok: false, error: syntax };
  try {
    if (kind === 'erd') {
      const model = parseErd(text, file);
      const c = checkErd(model);
      if (!c.ok) return { ok: false, error: { ...c.problem, line: lineOfPointer(text, c.problem.path) } };
      return { ok: true, kind, model };
    }
    const model = parseStar(text, file);
    const c = checkStar(model);
    if (!c.ok) return { ok: false, error: { ...c.problem, line: lineOfPointer(text, c.problem.path) } };
    return { ok: true, kind, model };
  } catch (err) {
    if (err instanceof ProjectFileError) {
      const path = err.pointer === '/' ? '' : err.pointer;
      return { ok: false, error: { message: err.problem, path: err.pointer, line: lineOfPointer(text, path) } };
    }
    throw err;
  }
}

export function hostMessageFor(kind: ModelKind, text: string, file: string): HostMessage {
  const r = readModel(kind, text, file);
  if (!r.ok) return { type: 'invalid', kind, error: r.error };
  return r.kind === 'erd' ? { type: 'erd', model: r.model } : { type: 'star', model: r.model };
}

/**
 * The document's new text after an edit, or the reason it cannot apply (the
 * file is invalid, or the edit is: then nothing is written). The result is
 * validated like a file read, so an edit never writes a file that would not
 * open again.
 */
export function applyEditToText(
  kind: ModelKind,
  text: string,
  edit: ErdEdit | StarEdit,
  file: string,
  context: StarEditContext = {},
): { ok: true; text: string } | { ok: false; message: string } {
  const r = readModel(kind, text, file);
  if (!r.ok) return { ok: false, message: `the file is not valid (${r.error.path || '/'}: ${r.error.message}); fix it first` };
  let next: ErdModel | StarModel;
  try {
    if (r.kind === 'erd' && edit.op === 'decideDecomposition') {
      next = edit.accept ? applyDecomposition(r.model, edit.id) : rejectDecomposition(r.model, edit.id);
    } else {
      next = r.kind === 'erd' ? applyErdEdit(r.model, edit as ErdEdit) : applyStarEdit(r.model, edit as StarEdit, context);
    }
  } catch (err) {
    return { ok: false, message: err instanceof Error ? err.message : String(err) };
  }
  const out = stableStringify(next);
  const check = readModel(kind, out, file);
  if (!check.ok) return { ok: false, message: `the edit would make the file invalid (${check.error.path || '/'}: ${check.error.message})` };
  return { ok: true, text: out };
}

/**
 * What one open editor must do when the document or the webview speaks,
 * without the echo loop (hediet/vscode-drawio's pattern): `shown` is the text
 * the webview already displays. A document change to exactly that text is the
 * editor's own edit coming back and is not re-sent; any other change (undo,
 * redo, revert, an external or git edit) is.
 */
export class DocumentSync {
  private shown: string | undefined;
  /** Star files: the source ERD's entities, when read, so new column names are checked against it. */
  context: StarEditContext = {};

  constructor(
    private readonly kind: ModelKind,
    private readonly file: string,
  ) {}

  /** The webview (re)started: send it the document as it is. */
  ready(text: string): HostMessage {
    this.shown = text;
    return hostMessageFor(this.kind, text, this.file);
  }

  /** The document changed: the message to send, or null when the webview shows this text already. */
  documentChanged(text: string): HostMessage | null {
    if (text === this.shown) return null;
    return this.ready(text);
  }

  /**
   * An edit from the webview: the whole new text to write (null when nothing
   * changes), or, when it cannot apply, a notice plus the current model so the
   * webview (which applied it optimistically) gets back in step with the file.
   */
  edit(text: string, edit: ErdEdit | StarEdit): { write: string | null } | { refuse: HostMessage[] } {
    const r = applyEditToText(this.kind, text, edit, this.file, this.context);
    if (!r.ok) return { refuse: [{ type: 'notice', level: 'error', message: `${edit.op}: ${r.message}` }, this.ready(text)] };
    if (r.text === text) return { write: null };
    // The webview applied the edit itself and shows r.text already, unless only the extension can apply it:
    // then leave `shown` alone so the document change sends the new model.
    if (!HOST_ONLY_OPS.has(edit.op)) this.shown = r.text;
    return { write: r.text };
  }

  /** Writing failed (e.g. read-only document): resend the document as it is. */
  writeFailed(text: string, op: string): HostMessage[] {
    return [{ type: 'notice', level: 'error', message: `${op}: VS Code refused the change (is the file read-only?)` }, this.ready(text)];
  }
}
