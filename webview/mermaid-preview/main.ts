/**
 * Markdown preview script (package.json `markdown.previewScripts`): renders ```mermaid blocks
 * (e.g. the `<model>.md` page of `kimball model export --format mermaid`) as SVG diagrams in
 * VS Code's built-in Markdown preview, the way Markdown extensions do.
 */
import mermaid from 'mermaid';

/** Blocks the preview renders for a ```mermaid fence; `data-kimball-mermaid` marks those already handled. */
const BLOCKS = 'pre > code.language-mermaid, div.mermaid';

let counter = 0;
let rendering: Promise<void> = Promise.resolve();

/** Light or dark diagram colours following the preview's theme (body classes set by VS Code). */
function theme(): 'default' | 'dark' {
  const c = document.body.classList;
  if (c.contains('vscode-light') || c.contains('vscode-high-contrast-light')) return 'default';
  return c.contains('vscode-dark') || c.contains('vscode-high-contrast') ? 'dark' : 'default';
}

/** The element replaced by the diagram: the whole `<pre>` for a code block. */
function container(block: Element): Element {
  return block.matches('pre > code') && block.parentElement ? block.parentElement : block;
}

function errorBox(message: string): HTMLElement {
  const pre = document.createElement('pre');
  pre.className = 'kimball-mermaid-error';
  pre.style.color = 'var(--vscode-errorForeground, #c00)';
  pre.style.whiteSpace = 'pre-wrap';
  pre.textContent = `Mermaid diagram could not be rendered: ${message}`;
  return pre;
}

async function renderBlock(block: Element): Promise<void> {
  const target = container(block);
  const text = block.textContent ?? '';
  const id = `kimball-mermaid-${++counter}`;
  const host = document.createElement('div');
  host.className = 'kimball-mermaid';
  host.dataset.kimballMermaid = 'done';
  try {
    const { svg, bindFunctions } = await mermaid.render(id, text);
    host.innerHTML = svg;
    bindFunctions?.(host);
  } catch (e) {
    // mermaid may leave its scratch element behind after a parse error.
    document.getElementById(id)?.remove();
    document.getElementById(`d${id}`)?.remove();
    host.replaceChildren(errorBox(e instanceof Error ? e.message : String(e)));
  }
  target.replaceWith(host);
}

/** Render every not-yet-rendered block, one at a time (mermaid.render is not re-entrant). */
async function renderAll(): Promise<void> {
  mermaid.initialize({ startOnLoad: false, securityLevel: 'strict', theme: theme() });
  for (const block of Array.from(document.querySelectorAll(BLOCKS))) {
    if (block.closest('[data-kimball-mermaid]')) continue;
    await renderBlock(block);
  }
}

function schedule(): void {
  rendering = rendering.then(renderAll, renderAll);
}

window.addEventListener('vscode.markdown.updateContent', schedule);
if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', schedule);
else schedule();
