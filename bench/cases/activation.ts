/**
 * Activation time of the bundled extension: from `require` of dist/extension.js
 * to the end of `activate()`, with a stand-in `vscode` module (outside a host
 * there is none), median of 10 fresh loads. Baseline: requiring and running an
 * empty extension the same way, to separate our cost from the harness's.
 */
import Module from 'node:module';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchCase, BenchResult } from '../harness';

interface Stub {
  (...args: unknown[]): Stub;
  [key: string | symbol]: Stub;
}

/** Any property, call or construction yields the stub again; promises resolve to undefined. */
function makeStub(overrides: Record<string, unknown>): Stub {
  const handler: ProxyHandler<Stub> = {
    get: (_t, p) => (p in overrides ? overrides[p as string] : p === 'then' ? undefined : stub),
    apply: () => stub,
    construct: () => stub,
  };
  const stub: Stub = new Proxy(function () {} as unknown as Stub, handler);
  return stub;
}

/** The top-level API names as own properties: bundlers copy a module's own keys on import. */
const API = ['window', 'commands', 'workspace', 'languages', 'env', 'extensions', 'Uri', 'EventEmitter', 'Disposable',
  'TreeItem', 'TreeItemCollapsibleState', 'ThemeIcon', 'ThemeColor', 'ProgressLocation', 'MarkdownString', 'Range',
  'Position', 'WorkspaceEdit', 'CancellationTokenSource', 'ViewColumn', 'StatusBarAlignment', 'FileType', 'RelativePattern'];

function vscodeStub(workspace: string): Record<string, unknown> {
  const folder = { uri: { fsPath: workspace, scheme: 'file' }, name: 'bench', index: 0 };
  const api: Record<string, unknown> = Object.fromEntries(API.map((k) => [k, makeStub({})]));
  api.workspace = makeStub({ workspaceFolders: [folder], getConfiguration: () => makeStub({ get: () => undefined, inspect: () => undefined }) });
  api.commands = makeStub({ executeCommand: async () => undefined });
  return api;
}

function medianOf(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function measure(bundle: string, stub: Record<string, unknown>): number {
  const req = Module.createRequire(bundle);
  const cache = req.cache;
  const times: number[] = [];
  const M = Module as unknown as { _load: (r: string, ...a: unknown[]) => unknown };
  const load = M._load;
  M._load = function (request: string, ...rest: unknown[]) {
    return request === 'vscode' ? stub : load.call(this, request, ...rest);
  };
  try {
    for (let i = 0; i < 10; i++) {
      for (const k of Object.keys(cache)) if (k.includes('/dist/') || k.includes('bench-empty')) delete cache[k];
      const ctx = makeStub({ subscriptions: [], extensionPath: process.cwd() });
      const t0 = performance.now();
      const ext = req(bundle) as { activate: (c: unknown) => unknown };
      ext.activate(ctx);
      times.push(performance.now() - t0);
    }
  } finally {
    M._load = load;
  }
  return medianOf(times);
}

const activation: BenchCase = {
  name: 'activation',
  description: 'require(dist/extension.js, the production bundle that ships) to the end of activate(), median of 10',
  async run(): Promise<BenchResult[]> {
    const dir = join(process.cwd(), 'bench', 'data', 'activation');
    mkdirSync(join(dir, 'ws', '.kimball'), { recursive: true });
    writeFileSync(join(dir, 'ws', '.kimball', 'project.json'), '{"version":1,"warehouse":{"mode":"embedded"}}\n');
    const empty = join(dir, 'bench-empty.js');
    writeFileSync(empty, "exports.activate = function (c) { require('vscode'); return c; };\n");
    const stub = vscodeStub(join(dir, 'ws'));
    const baseline = measure(empty, stub);
    const ours = measure(join(process.cwd(), 'dist', 'extension.js'), stub);
    return [{ name: 'activation time (bundled extension)', value: ours, unit: 'ms', baseline, ratio: null, target: '< 100 ms' }];
  },
};

export default activation;
