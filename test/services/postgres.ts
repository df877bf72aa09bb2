/**
 * A throwaway PostgreSQL cluster for tests: initdb in a temp dir, started on a
 * free loopback port with password (scram) auth, run as a non-root user.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { freePort } from './common';

export const PG_OS_USER = 'kimball-pg';

export interface PostgresService {
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
  /** Run SQL as the superuser (setup of fixtures). */
  sql(text: string, values?: unknown[]): Promise<void>;
  stop(): Promise<void>;
}

/** The directory with initdb and pg_ctl: Debian's /usr/lib/postgresql/<v>/bin (newest), else PATH. */
export function postgresBinDir(): string | undefined {
  const base = '/usr/lib/postgresql';
  if (existsSync(base)) {
    const versions = readdirSync(base)
      .filter((v) => existsSync(join(base, v, 'bin', 'initdb')))
      .sort((a, b) => Number(b) - Number(a));
    if (versions.length > 0) return join(base, versions[0], 'bin');
  }
  for (const dir of (process.env.PATH ?? '').split(':')) {
    if (dir && existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'pg_ctl'))) return dir;
  }
  return undefined;
}

export function postgresAvailable(): boolean {
  return postgresBinDir() !== undefined;
}

const isRoot = (): boolean => typeof process.getuid === 'function' && process.getuid() === 0;

/** PostgreSQL refuses to run as root: create (once) an unprivileged user to run it. */
function ensureOsUser(): void {
  try {
    execFileSync('id', ['-u', PG_OS_USER], { stdio: 'ignore' });
  } catch {
    execFileSync('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', PG_OS_USER], { stdio: 'ignore' });
  }
}

function runAsPg(bin: string, args: string[]): void {
  const cmd = isRoot() ? 'runuser' : bin;
  const full = isRoot() ? ['-u', PG_OS_USER, '--', bin, ...args] : args;
  execFileSync(cmd, full, { stdio: ['ignore', 'pipe', 'pipe'] });
}

export interface PostgresOptions {
  password?: string;
  /** Serve TLS only (hostssl), with a fresh self-signed certificate made with the openssl CLI. */
  ssl?: boolean;
}

/** A self-signed certificate and key for CN=localhost in `dir`, readable by the cluster user. */
function selfSignedCert(dir: string): { cert: string; key: string } {
  const cert = join(dir, 'server.crt');
  const key = join(dir, 'server.key');
  execFileSync('openssl', ['req', '-new', '-x509', '-nodes', '-days', '2', '-subj', '/CN=localhost', '-keyout', key, '-out', cert], { stdio: 'ignore' });
  chmodSync(key, 0o600);
  return { cert, key };
}

export async function startPostgres(options: PostgresOptions = {}): Promise<PostgresService> {
  const password = options.password ?? 'kimball-test-pw';
  const bin = postgresBinDir();
  if (!bin) throw new Error('PostgreSQL binaries (initdb, pg_ctl) not found; run .ci/services.sh');
  if (isRoot()) ensureOsUser();
  // The cluster user must traverse every parent: under root, a TMPDIR inside /root would not do.
  const base = isRoot() && existsSync('/tmp') ? '/tmp' : tmpdir();
  const dir = mkdtempSync(join(base, 'kimball-pg-'));
  const data = join(dir, 'data');
  const pwfile = join(dir, 'pw');
  writeFileSync(pwfile, password + '\n');
  chmodSync(dir, 0o777);
  chmodSync(pwfile, 0o644);
  const stopCluster = (): void => {
    try {
      runAsPg(join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop']);
    } catch {
      // Not running.
    }
    rmSync(dir, { recursive: true, force: true });
  };
  // A test process that exits without stop() (a crash, an uncaught error) still takes its cluster down.
  process.once('exit', stopCluster);
  let port: number;
  try {
    const tls = options.ssl ? selfSignedCert(dir) : undefined;
    if (isRoot()) execFileSync('chown', ['-R', PG_OS_USER, dir]);
    runAsPg(join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=scram-sha-256', `--pwfile=${pwfile}`, '-E', 'UTF8', '--locale=C', '--no-sync']);
    // TLS clusters refuse unencrypted TCP connections, so a test can tell that a client really used TLS.
    if (tls) writeFileSync(join(data, 'pg_hba.conf'), 'local all all scram-sha-256\nhostssl all all 127.0.0.1/32 scram-sha-256\n');
    port = await freePort();
    let opts = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c synchronous_commit=off`;
    if (tls) opts += ` -c ssl=on -c ssl_cert_file=${tls.cert} -c ssl_key_file=${tls.key}`;
    runAsPg(join(bin, 'pg_ctl'), ['-D', data, '-o', opts, '-l', join(dir, 'log'), '-w', '-t', '60', 'start']);
  } catch (err) {
    process.removeListener('exit', stopCluster);
    stopCluster();
    throw err;
  }
  const conn = { host: '127.0.0.1', port, user: 'postgres', password, database: 'postgres', ssl: options.ssl ? { rejectUnauthorized: false } : false };
  let stopped = false;
  return {
    host: conn.host,
    port,
    user: conn.user,
    password,
    database: conn.database,
    async sql(text: string, values?: unknown[]): Promise<void> {
      const c = new Client(conn);
      await c.connect();
      try {
        await c.query(text, values);
      } finally {
        await c.end();
      }
    },
    async stop(): Promise<void> {
      if (stopped) return;
      stopped = true;
      process.removeListener('exit', stopCluster);
      stopCluster();
    },
  };
}
