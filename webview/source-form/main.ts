/**
 * The Add / Edit Data Source form. Inputs hold text (FormState); Save and Test
 * convert it to a source config, check it (the same checks the extension and
 * CLI use) and post it; the extension validates again with the JSON schema and
 * answers with problems or a test result. Errors show next to their field.
 * Native form controls only, so everything works from the keyboard; labels on
 * every input; no inline styles (CSP). Secrets never enter the webview state.
 */
import { clear, html } from '../shared/dom';
import type { FieldProblem } from '../../src/core/sources/edit';
import type { SourceKind } from '../../src/core/sources/config-types';
import { blankEndpointDraft, configFromForm, formFromConfig, formPaths, type EndpointDraft, type FormState, type Pair, type PaginationKind, type PairList } from './form-model';
import { describeProblem, parseHostMessage, parseWebviewMessage, type FormMode, type HostMessage, type SecretInfo, type WebviewMessage } from './protocol';

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

/** What survives a reload of the webview: the typed values of the source being edited (no secrets). */
interface SavedState {
  key: string;
  form: FormState;
}

const KIND_LABEL: Record<SourceKind, string> = { files: 'Files and folders', postgres: 'PostgreSQL', s3: 'S3 or S3-compatible', http: 'REST API' };

const api = acquireVsCodeApi();
const root = html('main', { class: 'form-page' }, document.body);

let mode: FormMode = 'edit';
let form: FormState | undefined;
let secret: SecretInfo | undefined;
let settingsFile: string | undefined;
let stateKey = '';
/** Set by the first Save/Test: from then on the errors follow the typing. */
let validated = false;
let hostProblems: FieldProblem[] = [];
/** Field wrappers by the JSON pointer(s) of the config value they edit. */
const fields = new Map<string, HTMLElement>();

function post(m: WebviewMessage): void {
  const parsed = parseWebviewMessage(m);
  if (!parsed.ok) {
    console.error(`Kimball: refused to send a malformed message: ${describeProblem(parsed.problem)}`);
    return;
  }
  api.postMessage(m);
}

function persist(): void {
  if (form) api.setState({ key: stateKey, form } satisfies SavedState);
}

function savedForm(key: string): FormState | undefined {
  const s = api.getState() as Partial<SavedState> | undefined;
  // State saved before the form had keys lacks them.
  return s && s.key === key && s.form ? { ...s.form, keys: s.form.keys ?? [] } : undefined;
}

// ---------------------------------------------------------------- fields

const idOf = (path: string) => `f${path.replace(/[^A-Za-z0-9]/g, '-')}`;

interface FieldOpts {
  hint?: string;
  required?: boolean;
  placeholder?: string;
}

/** A labelled field wrapper with hint and error slots; `control` builds the input and returns it. */
function field(parent: HTMLElement, path: string, label: string, opts: FieldOpts, control: () => HTMLElement): HTMLElement {
  const id = idOf(path);
  const wrap = html('div', { class: 'field', 'data-path': path }, parent);
  // The star sits beside the label, not in it: the input's name stays exactly the label (aria-required says the rest).
  const head = html('div', { class: 'label-row' }, wrap);
  html('label', { for: id }, head, label);
  if (opts.required) html('span', { class: 'required', 'aria-hidden': 'true' }, head, '*');
  const input = control();
  input.setAttribute('id', id);
  wrap.appendChild(input);
  if (opts.required) input.setAttribute('aria-required', 'true');
  const described: string[] = [];
  if (opts.hint) {
    html('p', { class: 'hint', id: `${id}-hint` }, wrap, opts.hint);
    described.push(`${id}-hint`);
  }
  html('p', { class: 'error', id: `${id}-error`, hidden: true }, wrap);
  described.push(`${id}-error`);
  input.setAttribute('aria-describedby', described.join(' '));
  fields.set(path, wrap);
  return wrap;
}

function textInput(parent: HTMLElement, path: string, label: string, value: string, onInput: (v: string) => void, opts: FieldOpts & { numeric?: boolean; readOnly?: boolean } = {}): HTMLInputElement {
  let input!: HTMLInputElement;
  field(parent, path, label, opts, () => {
    input = html('input', { type: 'text', spellcheck: 'false', placeholder: opts.placeholder, inputmode: opts.numeric ? 'numeric' : undefined, readonly: opts.readOnly });
    input.value = value;
    input.addEventListener('input', () => changed(() => onInput(input.value)));
    return input;
  });
  return input;
}

function select(parent: HTMLElement, path: string, label: string, options: [string, string][], value: string, onChange: (v: string) => void, opts: FieldOpts = {}): HTMLSelectElement {
  let sel!: HTMLSelectElement;
  field(parent, path, label, opts, () => {
    sel = html('select', {});
    for (const [v, text] of options) html('option', { value: v }, sel, text);
    sel.value = value;
    sel.addEventListener('change', () => changed(() => onChange(sel.value)));
    return sel;
  });
  return sel;
}

function checkbox(parent: HTMLElement, path: string, label: string, checked: boolean, onChange: (v: boolean) => void, opts: FieldOpts = {}): void {
  const id = idOf(path);
  const wrap = html('div', { class: 'field check', 'data-path': path }, parent);
  const box = html('input', { type: 'checkbox', id }, wrap);
  box.checked = checked;
  box.addEventListener('change', () => changed(() => onChange(box.checked)));
  html('label', { for: id }, wrap, label);
  const described: string[] = [];
  if (opts.hint) {
    html('p', { class: 'hint', id: `${id}-hint` }, wrap, opts.hint);
    described.push(`${id}-hint`);
  }
  html('p', { class: 'error', id: `${id}-error`, hidden: true }, wrap);
  box.setAttribute('aria-describedby', [...described, `${id}-error`].join(' '));
  fields.set(path, wrap);
}

/** A scalar config field bound to `form.values[key]`. */
function value(parent: HTMLElement, key: string, label: string, opts: FieldOpts & { numeric?: boolean } = {}): HTMLInputElement {
  const f = current();
  return textInput(parent, `/${key}`, label, f.values[key] ?? '', (v) => (f.values[key] = v), opts);
}

function choice(parent: HTMLElement, key: string, label: string, options: [string, string][], opts: FieldOpts = {}): void {
  const f = current();
  select(parent, `/${key}`, label, options, f.values[key] ?? '', (v) => (f.values[key] = v), opts);
}

function current(): FormState {
  if (!form) throw new Error('the form has no source yet');
  return form;
}

/** After every edit: keep the state, and once validated keep the errors in step with the values. */
function changed(apply: () => void): void {
  apply();
  // What the extension last said is about values that just changed.
  hostProblems = [];
  persist();
  if (validated) showProblems(problemsNow());
}

function section(parent: HTMLElement, title: string): HTMLElement {
  const fs = html('fieldset', { class: 'section' }, parent);
  html('legend', {}, fs, title);
  return fs;
}

// ---------------------------------------------------------------- kinds

function filesFields(parent: HTMLElement): void {
  const where = section(parent, 'Location');
  const input = value(where, 'path', 'File or folder', { required: true, hint: 'Relative to the workspace folder, or absolute.' });
  const browse = html('button', { type: 'button', class: 'browse', id: 'browse' }, undefined, 'Browse…');
  browse.setAttribute('aria-label', 'Browse for the file or folder');
  browse.addEventListener('click', () => post({ type: 'browse' }));
  const row = html('div', { class: 'with-button' });
  input.replaceWith(row);
  row.append(input, browse);
  value(where, 'glob', 'Only files matching', { placeholder: '**/*.csv', hint: 'A glob relative to the folder; empty: every supported file.' });
  const csv = section(parent, 'CSV / TSV (sniffed when empty)');
  value(csv, 'delimiter', 'Delimiter', { placeholder: ',', hint: 'One character; \\t for a tab.' });
  choice(csv, 'header', 'Header line', [['', 'Sniffed'], ['true', 'First line is a header'], ['false', 'No header line']]);
  choice(csv, 'encoding', 'Encoding', [['', 'Detected'], ...(['utf-8', 'utf-16le', 'utf-16be', 'latin1', 'windows-1252'] as const).map((e): [string, string] => [e, e])]);
  const xlsx = section(parent, 'Excel');
  value(xlsx, 'sheets', 'Sheets', { hint: 'Comma-separated; empty: every sheet.' });
}

function postgresFields(parent: HTMLElement): void {
  const conn = section(parent, 'Connection');
  value(conn, 'host', 'Host', { required: true });
  value(conn, 'port', 'Port', { required: true, numeric: true });
  value(conn, 'database', 'Database', { required: true });
  value(conn, 'user', 'User', { required: true });
  secretField(conn);
  choice(conn, 'sslMode', 'SSL mode', [['', 'Default'], ['disable', 'disable'], ['prefer', 'prefer'], ['require', 'require'], ['verify-full', 'verify-full']]);
  const objects = section(parent, 'Objects');
  value(objects, 'schemas', 'Schemas', { hint: 'Comma-separated; empty: public.' });
  pairEditor(objects, 'cursors', 'Cursor columns (incremental loads)', { key: 'Table', value: 'Cursor column', add: 'Add cursor column' }, false);
  pairEditor(objects, 'keys', 'Keys of tables without a primary key (one version per key)', { key: 'Table', value: 'Key columns (comma-separated)', add: 'Add key' }, false);
  value(objects, 'deleteScan', 'Scan for deleted rows', { hint: 'Tables with a cursor, comma-separated: each load reads every key, and rows deleted at the source leave bronze.' });
  pairEditor(objects, 'queries', 'Queries as objects', { key: 'Object name', value: 'SELECT query', add: 'Add query' }, true);
}

function s3Fields(parent: HTMLElement): void {
  const where = section(parent, 'Bucket');
  value(where, 'bucket', 'Bucket', { required: true });
  value(where, 'prefix', 'Key prefix');
  value(where, 'glob', 'Only keys matching', { placeholder: '**/*.parquet' });
  const conn = section(parent, 'Connection');
  value(conn, 'region', 'Region', { placeholder: 'us-east-1' });
  value(conn, 'endpoint', 'Endpoint URL', { placeholder: 'http://localhost:9000', hint: 'S3-compatible stores only.' });
  const f = current();
  checkbox(conn, '/pathStyle', 'Path-style addressing (most S3-compatible stores)', f.values.pathStyle === 'true', (v) => (f.values.pathStyle = v ? 'true' : ''));
  value(conn, 'accessKeyId', 'Access key id');
  secretField(conn);
}

function httpFields(parent: HTMLElement): void {
  const api_ = section(parent, 'API');
  value(api_, 'baseUrl', 'Base URL', { required: true, placeholder: 'https://api.example.com' });
  value(api_, 'rateLimit', 'Rate limit (requests per second)', { numeric: true, hint: 'Empty: no limit.' });
  const auth = section(parent, 'Authentication');
  value(auth, 'authHeader', 'Auth header', { placeholder: 'Authorization' });
  value(auth, 'authScheme', 'Token prefix', { placeholder: 'Bearer' });
  secretField(auth);
  value(auth, 'trustedOrigins', 'Other origins trusted with the token', {
    placeholder: 'https://cdn.example.com',
    hint: "Comma-separated. Redirects and next-page links to any origin but the base URL's and these get no token.",
  });
  const limits = section(parent, 'Time limits (seconds)');
  value(limits, 'requestTimeoutSeconds', 'One request, headers and body', { numeric: true, hint: 'Empty: 300.' });
  value(limits, 'idleTimeoutSeconds', 'Server silent while awaited', { numeric: true, hint: 'Empty: 30.' });
  value(limits, 'objectTimeoutSeconds', 'One endpoint, all pages and retries', { numeric: true, hint: 'Empty: 1800.' });
  endpointsEditor(parent);
}

function secretField(parent: HTMLElement): void {
  if (!secret) return;
  const s = secret;
  const hint = s.stored ? 'Stored in VS Code secret storage. Leave empty to keep it.' : 'Not stored yet. Kept in VS Code secret storage, never in a file.';
  field(parent, '/secret', s.label, { hint }, () => {
    const input = html('input', { type: 'password', autocomplete: 'off', placeholder: s.stored ? '•••••• (stored)' : '' });
    input.dataset.secret = s.field;
    return input;
  });
}

// ---------------------------------------------------------------- list editors

function pairEditor(parent: HTMLElement, key: PairList, title: string, labels: { key: string; value: string; add: string }, multiline: boolean): void {
  const f = current();
  const rows: Pair[] = f[key];
  const box = html('div', { class: 'list', 'data-path': `/${key}` }, parent);
  fields.set(`/${key}`, box);
  html('h3', { id: `${key}-title` }, box, title);
  html('p', { class: 'error', id: `${idOf(`/${key}`)}-error`, hidden: true }, box);
  rows.forEach((row, i) => {
    const item = html('div', { class: 'list-item', role: 'group', 'aria-labelledby': `${key}-title` }, box);
    const rowPath = `/${key}/#${i}`;
    textInput(item, rowPath, `${labels.key} ${i + 1}`, row.key, (v) => (row.key = v));
    if (multiline) {
      field(item, `${rowPath}/value`, `${labels.value} ${i + 1}`, {}, () => {
        const ta = html('textarea', { rows: 3, spellcheck: 'false' });
        ta.value = row.value;
        ta.addEventListener('input', () => changed(() => (row.value = ta.value)));
        return ta;
      });
    } else textInput(item, `${rowPath}/value`, `${labels.value} ${i + 1}`, row.value, (v) => (row.value = v));
    removeButton(item, `Remove ${labels.key.toLowerCase()} ${i + 1}`, () => rows.splice(i, 1), `add-${key}`);
  });
  const add = html('button', { type: 'button', id: `add-${key}` }, box, labels.add);
  add.addEventListener('click', () => {
    rows.push({ key: '', value: '' });
    restructure(idOf(`/${key}/#${rows.length - 1}`));
  });
}

function endpointsEditor(parent: HTMLElement): void {
  const f = current();
  const box = section(parent, 'Endpoints');
  box.setAttribute('data-path', '/endpoints');
  fields.set('/endpoints', box);
  html('p', { class: 'error', id: `${idOf('/endpoints')}-error`, hidden: true }, box);
  f.endpoints.forEach((e, i) => endpointItem(box, f.endpoints, e, i));
  const add = html('button', { type: 'button', id: 'add-endpoint' }, box, 'Add endpoint');
  add.addEventListener('click', () => {
    f.endpoints.push(blankEndpointDraft(f.endpoints.length + 1));
    restructure(idOf(`/endpoints/${f.endpoints.length - 1}/name`));
  });
}

const PAGINATION: [PaginationKind, string][] = [
  ['none', 'None (one request)'],
  ['page', 'Page number'],
  ['offset', 'Offset and limit'],
  ['cursor', 'Cursor from the response'],
  ['link', 'Link header'],
];

function endpointItem(box: HTMLElement, list: EndpointDraft[], e: EndpointDraft, i: number): void {
  const p = `/endpoints/${i}`;
  const item = html('div', { class: 'list-item endpoint', role: 'group', 'aria-label': `Endpoint ${i + 1}` }, box);
  const t = (k: keyof EndpointDraft, label: string, opts: FieldOpts & { numeric?: boolean } = {}) =>
    textInput(item, `${p}/${k === 'name' || k === 'path' || k === 'recordsPath' ? k : `pagination/${k}`}`, label, e[k], (v) => ((e as unknown as Record<string, string>)[k] = v), opts);
  t('name', `Endpoint ${i + 1} name`, { required: true, hint: 'Object name in bronze.' });
  t('path', 'Path', { placeholder: '/v1/orders?status=all', hint: 'Appended to the base URL.' });
  t('recordsPath', 'Records path', { placeholder: 'data.items', hint: 'Dotted path to the records array; empty: the response is the array.' });
  select(item, `${p}/pagination/kind`, 'Pagination', PAGINATION, e.pagination, (v) => {
    e.pagination = v as PaginationKind;
    restructure(idOf(`${p}/pagination/kind`));
  });
  if (e.pagination === 'page') {
    t('param', 'Page parameter', { required: true, placeholder: 'page' });
    t('sizeParam', 'Page size parameter', { placeholder: 'per_page' });
    t('size', 'Page size', { numeric: true });
    t('start', 'First page number', { numeric: true, placeholder: '1' });
  } else if (e.pagination === 'offset') {
    t('param', 'Offset parameter', { required: true, placeholder: 'offset' });
    t('limitParam', 'Limit parameter', { required: true, placeholder: 'limit' });
    t('limit', 'Limit', { required: true, numeric: true });
  } else if (e.pagination === 'cursor') {
    t('param', 'Cursor parameter', { required: true, placeholder: 'cursor' });
    t('cursorPath', 'Next cursor path in the response', { required: true, placeholder: 'meta.next' });
  }
  removeButton(item, `Remove endpoint ${i + 1}`, () => list.splice(i, 1), 'add-endpoint');
}

function removeButton(parent: HTMLElement, label: string, remove: () => void, focusAfter: string): void {
  const b = html('button', { type: 'button', class: 'remove', 'aria-label': label, title: label }, parent, 'Remove');
  b.addEventListener('click', () => {
    remove();
    restructure(focusAfter);
  });
}

/** The set of fields changed (a row added or removed, another pagination): draw again and put the focus back. */
function restructure(focusId: string): void {
  persist();
  render();
  document.getElementById(focusId)?.focus();
  if (validated) showProblems(problemsNow());
}

// ---------------------------------------------------------------- page

function render(): void {
  const f = current();
  clear(root);
  fields.clear();
  html('h1', {}, root, mode === 'add' ? `Add data source: ${KIND_LABEL[f.kind]}` : `Edit data source ${f.name} (${KIND_LABEL[f.kind]})`);
  if (settingsFile) {
    const p = html('p', { class: 'file' }, root, `Settings file: ${settingsFile} `);
    const a = html('a', { href: '#', id: 'open-settings' }, p, 'Open settings file');
    a.addEventListener('click', (ev) => {
      ev.preventDefault();
      post({ type: 'openSettings' });
    });
  }
  html('div', { class: 'general-errors', id: 'general-errors', role: 'alert', hidden: true }, root);
  const formEl = html('form', { novalidate: true, 'aria-label': 'Data source settings' }, root);
  const general = section(formEl, 'Source');
  textInput(general, '/name', 'Name', f.name, (v) => (f.name = v), {
    required: mode === 'add',
    readOnly: mode === 'edit',
    hint: mode === 'add' ? 'Letters, digits and underscores; bronze tables are named <source>__<object>.' : 'A source cannot be renamed: its bronze tables and secrets carry the name.',
  });
  if (f.kind === 'files') filesFields(formEl);
  else if (f.kind === 'postgres') postgresFields(formEl);
  else if (f.kind === 's3') s3Fields(formEl);
  else httpFields(formEl);
  const buttons = html('div', { class: 'buttons' }, formEl);
  html('button', { type: 'submit', class: 'primary', id: 'save' }, buttons, 'Save');
  const test = html('button', { type: 'button', id: 'test' }, buttons, 'Test');
  const cancel = html('button', { type: 'button', id: 'cancel' }, buttons, 'Cancel');
  html('div', { class: 'test-result', id: 'test-result', role: 'status', 'aria-live': 'polite' }, formEl);
  formEl.addEventListener('submit', (ev) => {
    ev.preventDefault();
    submit('save');
  });
  test.addEventListener('click', () => submit('test'));
  cancel.addEventListener('click', () => post({ type: 'cancel' }));
}

function problemsNow(): FieldProblem[] {
  return [...configFromForm(current()).problems, ...hostProblems];
}

/** Save or Test: check locally first (errors shown, focus on the first), then let the extension do the rest. */
function submit(type: 'save' | 'test'): void {
  validated = true;
  hostProblems = [];
  const { config, problems } = configFromForm(current());
  showProblems(problems);
  if (problems.length > 0) {
    focusProblem(problems);
    return;
  }
  const secretInput = document.querySelector<HTMLInputElement>('input[data-secret]');
  const secretValue = secretInput?.value ?? '';
  if (type === 'test') {
    const out = document.getElementById('test-result');
    if (out) {
      out.className = 'test-result running';
      out.textContent = 'Testing…';
    }
    document.getElementById('test')?.setAttribute('disabled', '');
  }
  post({ type, config, secret: secretValue });
}

/** The wrapper of the field a pointer names: itself, or the nearest enclosing field. */
function fieldOf(path: string): HTMLElement | undefined {
  for (let p = path; p; p = p.slice(0, p.lastIndexOf('/'))) {
    const f = fields.get(p);
    if (f) return f;
  }
  return undefined;
}

function showProblems(problems: FieldProblem[]): void {
  for (const wrap of new Set(fields.values())) {
    wrap.classList.remove('invalid');
    wrap.querySelectorAll(':scope > .error').forEach((e) => {
      e.textContent = '';
      e.setAttribute('hidden', '');
    });
    wrap.querySelectorAll(':scope > input, :scope > select, :scope > textarea, :scope > .with-button > input').forEach((i) => i.removeAttribute('aria-invalid'));
  }
  const general = document.getElementById('general-errors');
  if (general) {
    clear(general);
    general.setAttribute('hidden', '');
  }
  for (const p of problems) {
    const wrap = fieldOf(p.path);
    const err = wrap?.querySelector(':scope > .error');
    if (wrap && err) {
      wrap.classList.add('invalid');
      err.textContent = err.textContent ? `${err.textContent} ${p.message}` : p.message;
      err.removeAttribute('hidden');
      wrap.querySelector(':scope > input, :scope > select, :scope > textarea, :scope > .with-button > input')?.setAttribute('aria-invalid', 'true');
    } else if (general) {
      html('p', {}, general, `${p.path || 'Source'}: ${p.message}`);
      general.removeAttribute('hidden');
    }
  }
}

/** Focus the first field with a problem in page order (the problems come in check order). */
function focusProblem(problems: FieldProblem[]): void {
  const wraps = problems.map((p) => fieldOf(p.path)).filter((w): w is HTMLElement => w !== undefined);
  wraps.sort((a, b) => (a.compareDocumentPosition(b) & Node.DOCUMENT_POSITION_FOLLOWING ? -1 : 1));
  wraps[0]?.querySelector<HTMLElement>('input, select, textarea')?.focus();
}

function showTestResult(ok: boolean, message: string): void {
  document.getElementById('test')?.removeAttribute('disabled');
  const out = document.getElementById('test-result');
  if (!out) return;
  out.className = `test-result ${ok ? 'ok' : 'failed'}`;
  out.textContent = `${ok ? 'Test passed' : 'Test failed'}: ${message}`;
}

function receive(m: HostMessage): void {
  switch (m.type) {
    case 'init': {
      mode = m.mode;
      secret = m.secret;
      settingsFile = m.settingsFile;
      stateKey = `${m.mode}:${m.config.kind}:${m.config.name}`;
      form = savedForm(stateKey) ?? formFromConfig(m.config);
      validated = false;
      hostProblems = [];
      persist();
      render();
      document.getElementById(idOf(mode === 'add' ? '/name' : firstFieldPath(form.kind)))?.focus();
      break;
    }
    case 'problems':
      if (!form) {
        // Nothing to edit (the settings file became unreadable before the form opened): say why.
        clear(root);
        const box = html('div', { class: 'general-errors', role: 'alert' }, root);
        for (const p of m.problems) html('p', {}, box, p.message);
        break;
      }
      document.getElementById('test')?.removeAttribute('disabled');
      if (document.getElementById('test-result')?.classList.contains('running')) showTestResult(false, 'not run: fix the settings first.');
      hostProblems = formPaths(current(), m.problems);
      showProblems([...configFromForm(current()).problems, ...hostProblems]);
      focusProblem(hostProblems);
      break;
    case 'testResult':
      showTestResult(m.ok, m.message);
      break;
    case 'picked': {
      current().values.path = m.path;
      persist();
      const input = document.getElementById(idOf('/path')) as HTMLInputElement | null;
      if (input) {
        input.value = m.path;
        input.focus();
      }
      if (validated) showProblems(problemsNow());
      break;
    }
  }
}

function firstFieldPath(kind: SourceKind): string {
  return { files: '/path', postgres: '/host', s3: '/bucket', http: '/baseUrl' }[kind];
}

window.addEventListener('message', (ev: MessageEvent<unknown>) => {
  const parsed = parseHostMessage(ev.data);
  if (!parsed.ok) {
    console.error(`Kimball: dropped a malformed message from the extension: ${describeProblem(parsed.problem)}`);
    return;
  }
  receive(parsed.message);
});
post({ type: 'ready' });
