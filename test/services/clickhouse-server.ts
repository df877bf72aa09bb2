/**
 * Starts a real ClickHouse 26.7 HTTP server for server-mode tests, built from
 * chDB's libchdb (no npm or Debian package ships a modern clickhouse-server).
 * The server lives as long as its stdin is open, so it dies with the test
 * process whatever happens.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

export interface ClickHouseServer {
  url: string;
  stop(): Promise<void>;
}

const ROOT = resolve(__dirname, '..', '..');

function libchdbDir(): string {
  const lib = require.resolve('@chdb/lib-linux-x64-gnu/package.json', { paths: [require.resolve('chdb')] });
  return dirname(lib);
}

/** Compile the launcher once (gcc + libchdb.so from node_modules). */
export function buildServerBinary(): string {
  const src = join(ROOT, 'test', 'services', 'clickhouse-server.c');
  const outDir = join(ROOT, 'test', '.tmp', 'bin');
  const bin = join(outDir, 'clickhouse-server');
  if (existsSync(bin) && statSync(bin).mtimeMs > statSync(src).mtimeMs) return bin;
  mkdirSync(outDir, { recursive: true });
  const lib = libchdbDir();
  execFileSync('gcc', ['-O1', '-o', bin, src, `-L${lib}`, '-lchdb', `-Wl,-rpath,${lib}`], { stdio: 'inherit' });
  return bin;
}

export async function startClickHouseServer(dataDir: string): Promise<ClickHouseServer> {
  const bin = buildServerBinary();
  mkdirSync(dataDir, { recursive: true });
  const portFile = join(dataDir, 'port.txt');
  const query = [
    'SYSTEM START LISTEN HTTP',
    `SELECT getServerPort('http_port') INTO OUTFILE '${portFile}' TRUNCATE FORMAT TSV`,
    "SELECT count() FROM file('stdin', 'LineAsString') FORMAT Null",
  ].join('; ');
  const child: ChildProcess = spawn(
    bin,
    [`--path=${join(dataDir, 'data')}`, '--listen_host=127.0.0.1', '--http_port=0', '--tcp_port=0', '--multiquery', `--query=${query}`],
    { stdio: ['pipe', 'ignore', 'pipe'], cwd: dataDir },
  );
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const port = await waitForPort(portFile, child, () => stderr);
  const url = `http://127.0.0.1:${port}`;
  await waitHealthy(url);
  return {
    url,
    stop: () =>
      new Promise<void>((done) => {
        if (child.exitCode !== null) return done();
        child.once('exit', () => done());
        child.stdin?.end();
        setTimeout(() => child.kill('SIGKILL'), 5000).unref();
      }),
  };
}

async function waitForPort(file: string, child: ChildProcess, stderr: () => string): Promise<number> {
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) throw new Error(`ClickHouse server exited (${child.exitCode}): ${stderr()}`);
    if (existsSync(file)) {
      const port = Number(readFileSync(file, 'utf8').trim());
      if (port > 0) return port;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`ClickHouse server did not report its port: ${stderr()}`);
}

async function waitHealthy(url: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    try {
      const r = await fetch(`${url}/ping`);
      if (r.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`ClickHouse server at ${url} did not answer /ping`);
}
