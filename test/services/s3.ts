/**
 * An S3-compatible server for tests: s3rver (npm dev dependency) in a child
 * process on a free loopback port, files under a temp dir. It serves
 * ListObjectsV2 with continuation tokens, ranged GET, multipart upload and
 * checks SigV4 signatures against its fixed credentials (S3RVER / S3RVER).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';

export interface S3Service {
  endpoint: string;
  port: number;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** A client for fixture setup. */
  client: S3Client;
  put(bucket: string, key: string, body: string | Buffer): Promise<void>;
  stop(): Promise<void>;
}

/** s3rver's own options for clients: it predates the SDK's default CRC32 trailers (aws-chunked bodies). */
export const S3RVER_CLIENT_OPTIONS = { requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' } as const;

function waitForListening(child: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`s3rver did not start: ${out}`)), 20_000);
    child.stdout?.on('data', (b: Buffer) => {
      out += b.toString();
      const m = /listening on [^:]+:(\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    child.stderr?.on('data', (b: Buffer) => (out += b.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`s3rver exited (${String(code)}): ${out}`));
    });
  });
}

export async function startS3(buckets: string[]): Promise<S3Service> {
  const dir = mkdtempSync(join(tmpdir(), 'kimball-s3-'));
  const bin = require.resolve('s3rver/bin/s3rver.js');
  const args = ['-d', dir, '-a', '127.0.0.1', '-p', '0', '--silent', ...buckets.flatMap((b) => ['--configure-bucket', b])];
  // The server exits when this process goes away (IPC channel closed), so a crashed test run leaves no server behind.
  const boot = `process.on('disconnect', () => process.exit(0)); process.argv = [process.argv[0], ${JSON.stringify(bin)}, ...process.argv.slice(1)]; require(${JSON.stringify(bin)});`;
  // s3rver encrypts continuation tokens with DES, which OpenSSL 3 only has in its legacy provider.
  const child = spawn(process.execPath, ['--openssl-legacy-provider', '-e', boot, '--', ...args], { stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
  let port: number;
  try {
    port = await waitForListening(child);
  } catch (err) {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  const endpoint = `http://127.0.0.1:${port}`;
  const creds = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
  const client = new S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true, credentials: creds, ...S3RVER_CLIENT_OPTIONS });
  return {
    endpoint,
    port,
    region: 'us-east-1',
    ...creds,
    client,
    async put(bucket, key, body) {
      await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
    },
    async stop() {
      client.destroy();
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
