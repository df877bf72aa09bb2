/**
 * code-server as the VS Code host: VS Code's real server with a Node extension host, started detached in
 * its own process group (so stop() ends it and everything it spawned: extension hosts, chDB engines) with a
 * throwaway user-data dir, extensions dir and TMPDIR under the run's folder.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, openSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

export const PROJECT = join(__dirname, '..', '..', '..');
export const CODE_SERVER = join(PROJECT, 'test', 'e2e', 'host', 'node_modules', 'code-server', 'out', 'node', 'entry.js');
export const FIXTURE = join(PROJECT, 'test', 'e2e', 'fixtures', 'workspace');

export interface Host {
  port: number;
  base: string;
  dir: string;
  log: string;
  /** A fresh copy of the fixture workspace; `without` leaves out top-level entries (e.g. models). */
  workspace(name: string, without?: string[]): string;
  /** Workbench URL for `folder`, loading the extension from the project folder (no VSIX needed). */
  url(folder: string, testsPath?: string): string;
  stop(): void;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export async function startHost(dir: string, env: NodeJS.ProcessEnv): Promise<Host> {
  if (!existsSync(CODE_SERVER)) throw new Error(`code-server is not installed (${CODE_SERVER}); run bash test/e2e/install.sh`);
  const userData = join(dir, 'user-data');
  const extensions = join(dir, 'extensions');
  const tmp = join(dir, 'tmp');
  for (const d of [join(userData, 'User'), extensions, tmp]) mkdirSync(d, { recursive: true });
  writeFileSync(
    join(userData, 'User', 'settings.json'),
    JSON.stringify({
      'workbench.startupEditor': 'none',
      'workbench.tips.enabled': false,
      'security.workspace.trust.enabled': false,
      'extensions.autoCheckUpdates': false,
      'extensions.autoUpdate': false,
      'telemetry.telemetryLevel': 'off',
      'update.mode': 'none',
      'git.enabled': false,
      'window.restoreWindows': 'none',
    }),
  );
  const config = join(dir, 'code-server.yaml');
  writeFileSync(config, '');
  const port = await freePort();
  const log = join(dir, 'code-server.log');
  const out = openSync(log, 'a');
  const child: ChildProcess = spawn(
    process.execPath,
    [
      CODE_SERVER,
      '--auth', 'none',
      '--bind-addr', `127.0.0.1:${port}`,
      '--config', config,
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-workspace-trust',
      '--disable-getting-started-override',
      '--user-data-dir', userData,
      '--extensions-dir', extensions,
    ],
    { cwd: dir, detached: true, stdio: ['ignore', out, out], env: { ...process.env, ...env, TMPDIR: tmp } },
  );
  const stop = (): void => {
    if (child.pid === undefined || child.exitCode !== null) return;
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  };
  // Whatever happens to the runner (end, Ctrl-C, CI timeout), the host and its children go with it.
  process.once('exit', stop);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      stop();
      process.exit(130);
    });
  }
  const base = `http://127.0.0.1:${port}`;
  await waitHealthy(base, child, log);
  return {
    port,
    base,
    dir,
    log,
    workspace(name, without = []) {
      const ws = join(dir, name);
      cpSync(FIXTURE, ws, { recursive: true, filter: (src) => !without.some((w) => src === join(FIXTURE, w)) });
      return ws;
    },
    url(folder, testsPath) {
      const remote = (p: string): string => `vscode-remote://127.0.0.1:${port}${p}`;
      const payload: [string, string][] = [['extensionDevelopmentPath', remote(PROJECT)]];
      if (testsPath) payload.push(['extensionTestsPath', remote(testsPath)]);
      return `${base}/?folder=${encodeURIComponent(folder)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
    },
    stop,
  };
}

async function waitHealthy(base: string, child: ChildProcess, log: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`code-server exited with ${child.exitCode}; see ${log}`);
    try {
      const r = await fetch(`${base}/healthz`);
      if (r.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`code-server did not answer ${base}/healthz within 60 s; see ${log}`);
}
