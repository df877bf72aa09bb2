/** The page around the canvas: toolbar, side panel, error view, notices, and small form controls for the panel. */
import { isView, type Diagram } from './diagram';
import { clear, html } from './dom';
import { connectHost, type Host } from './host';
import type { HostMessage, ModelError, ModelKind } from './protocol';

export interface Shell {
  toolbar: HTMLElement;
  main: HTMLElement;
  panel: HTMLElement;
  showError(kind: ModelKind, error: ModelError, openText: () => void): void;
  hideError(): void;
  notice(level: 'info' | 'error', message: string): void;
}

export function createShell(title: string): Shell {
  // The page shows a static placeholder until this script runs, so a page never stays blank.
  document.getElementById('loading')?.remove();
  const app = html('div', { id: 'app' }, document.body);
  const toolbar = html('div', { class: 'toolbar', role: 'toolbar', 'aria-label': `${title} tools` }, app);
  const main = html('div', { class: 'main' }, app);
  const panel = html('aside', { id: 'panel', class: 'panel', 'aria-label': 'Properties', hidden: true }, main);
  const error = html('div', { id: 'error', class: 'error-view', role: 'alert', hidden: true }, app);
  const notice = html('div', { id: 'notice', class: 'notice', role: 'status', 'aria-live': 'polite' }, app);
  let noticeTimer: ReturnType<typeof setTimeout> | undefined;
  return {
    toolbar,
    main,
    panel,
    showError(kind, err, openText) {
      clear(error);
      html('h2', {}, error, `This ${kind === 'erd' ? 'ERD' : 'star schema'} file cannot be drawn`);
      html('p', { class: 'error-message' }, error, err.message);
      html('p', { class: 'error-path' }, error, `at ${err.path || '/'}${err.line ? ` (line ${err.line})` : ''}`);
      html('p', {}, error, 'Fix the file (the canvas redraws as soon as it is valid) or open it as text.');
      const b = html('button', { type: 'button' }, error, 'Open as text');
      b.addEventListener('click', openText);
      error.hidden = false;
      main.hidden = true;
      toolbar.hidden = true;
    },
    hideError() {
      error.hidden = true;
      main.hidden = false;
      toolbar.hidden = false;
    },
    notice(level, message) {
      notice.textContent = message;
      notice.className = `notice visible ${level}`;
      clearTimeout(noticeTimer);
      noticeTimer = setTimeout(() => (notice.className = 'notice'), level === 'error' ? 6000 : 2500);
    },
  };
}

type ModelOf<K extends ModelKind> = Extract<HostMessage, { type: K }>['model'];

export interface AppSpec<K extends ModelKind> {
  kind: K;
  shell: Shell;
  diagram: Diagram;
  buildToolbar(): void;
  /** A valid model arrived (the first one, a redraw after an edit elsewhere, or after undo): keep it and draw it. */
  onModel(model: ModelOf<K>): void;
  /** The file cannot be drawn (the error view is shown): forget the model. */
  onInvalid(): void;
  /** Messages other than the model, invalid and notice ones (e.g. the star editor's ERD context). */
  onOther?(m: HostMessage): void;
}

/**
 * The startup both model editors share: the canvas goes in the page, Escape in the side panel returns
 * to the selection, host messages are dispatched (model -> draw, invalid -> error view, notice -> toast),
 * the first model opens where the view was before a reload, and the extension is told the page is ready.
 */
export function startApp<K extends ModelKind>(spec: AppSpec<K>): Host {
  const { shell, diagram } = spec;
  shell.main.insertBefore(diagram.element, shell.panel);
  shell.panel.addEventListener('keydown', (ev) => {
    if (ev.key === 'Escape' && diagram.selected) diagram.focus(diagram.selected);
  });
  let drawn = false;
  const host = connectHost((m) => {
    if (m.type === spec.kind && 'model' in m) {
      const first = !drawn;
      drawn = true;
      shell.hideError();
      spec.onModel(m.model as ModelOf<K>);
      if (first) openView(host, diagram);
    } else if (m.type === 'invalid') {
      drawn = false;
      spec.onInvalid();
      shell.showError(m.kind, m.error, () => host.post({ type: 'openText' }));
    } else if (m.type === 'notice') {
      shell.notice(m.level, m.message);
    } else {
      spec.onOther?.(m);
    }
  });
  spec.buildToolbar();
  host.post({ type: 'ready' });
  return host;
}

/** First model: where the view was before this webview was reloaded, else the whole diagram. */
function openView(host: Host, diagram: Diagram): void {
  const state = host.getState() as { view?: unknown } | undefined;
  if (isView(state?.view)) diagram.setView(state.view);
  else diagram.fit();
}

export function button(parent: Element, label: string, title: string, onClick: () => void, id?: string): HTMLButtonElement {
  const b = html('button', { type: 'button', title, id }, parent, label);
  b.addEventListener('click', onClick);
  return b;
}

export interface ViewControls {
  /** What the search box finds (placeholder and accessible name). */
  searchLabel: string;
  /** Tooltips of the two layout buttons. */
  layoutTitle: string;
  relayoutTitle: string;
  autoLayout(all: boolean): void;
}

/** The toolbar part both editors share: search (Enter: next match), auto-layout, re-layout all, fit, zoom. */
export function viewControls(toolbar: Element, diagram: Diagram, c: ViewControls): void {
  const search = html('input', { type: 'search', id: 'search', placeholder: `Search ${c.searchLabel}`, 'aria-label': `Search ${c.searchLabel}` }, toolbar);
  const count = html('span', { class: 'count', 'aria-live': 'polite' }, toolbar);
  search.addEventListener('input', () => {
    const n = diagram.search(search.value, (id) => id);
    count.textContent = search.value.trim() ? `${n} found` : '';
  });
  search.addEventListener('keydown', (ev) => {
    if (ev.key === 'Enter') diagram.nextMatch();
  });
  button(toolbar, 'Auto-layout', c.layoutTitle, () => c.autoLayout(false), 'auto-layout');
  button(toolbar, 'Re-layout all', c.relayoutTitle, () => c.autoLayout(true), 'relayout-all');
  button(toolbar, 'Fit', 'Fit the diagram to the view', () => diagram.fit(), 'fit');
  button(toolbar, '−', 'Zoom out', () => diagram.zoomAt(1 / 1.25), 'zoom-out');
  button(toolbar, '+', 'Zoom in', () => diagram.zoomAt(1.25), 'zoom-in');
}

export function heading(panel: Element, text: string, sub?: string): void {
  html('h2', {}, panel, text);
  if (sub) html('p', { class: 'sub' }, panel, sub);
}

/** A labelled text field that commits on change (Enter or blur), not on every keystroke: one edit per change. */
export function textField(parent: Element, label: string, value: string, onCommit: (v: string) => void, name?: string): HTMLInputElement {
  const row = html('label', { class: 'field' }, parent);
  html('span', {}, row, label);
  const input = html('input', { type: 'text', value, name, spellcheck: 'false' }, row);
  input.addEventListener('change', () => {
    const v = input.value.trim();
    if (v && v !== value) onCommit(v);
    else input.value = value;
  });
  return input;
}

export function selectField<T extends string | number>(
  parent: Element,
  label: string,
  options: readonly T[],
  value: T,
  onChange: (v: T) => void,
  name?: string,
): HTMLSelectElement {
  const row = html('label', { class: 'field' }, parent);
  html('span', {}, row, label);
  // Named by its label alone (the label element also holds the selected value).
  const sel = html('select', { name, 'aria-label': label }, row);
  for (const o of options) html('option', { value: String(o), selected: o === value }, sel, String(o));
  sel.addEventListener('change', () => {
    const v = options.find((o) => String(o) === sel.value);
    if (v !== undefined && v !== value) onChange(v);
  });
  return sel;
}

export function checkField(parent: Element, label: string, checked: boolean, onChange: (v: boolean) => void, name?: string): HTMLInputElement {
  const row = html('label', { class: 'field check' }, parent);
  const input = html('input', { type: 'checkbox', checked, name }, row);
  html('span', {}, row, label);
  input.addEventListener('change', () => onChange(input.checked));
  return input;
}
