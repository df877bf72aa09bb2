/** Shared helpers for the real services tests start (PostgreSQL, S3, HTTP). */
import { createServer } from 'node:net';

/** True when CI demands every service: then a missing binary fails instead of skipping. */
export function servicesRequired(): boolean {
  const v = process.env.KIMBALL_REQUIRE_SERVICES;
  return v !== undefined && v !== '' && v !== '0' && v !== 'false';
}

/** A free TCP port on the loopback interface (asked from the kernel, then released). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * The skip reason for a test suite whose service is absent, or undefined when
 * it can run. With KIMBALL_REQUIRE_SERVICES set, absence is an error instead.
 */
export function skipUnless(available: boolean, what: string): string | undefined {
  if (available) return undefined;
  if (servicesRequired()) throw new Error(`${what} is required (KIMBALL_REQUIRE_SERVICES is set) but not installed; run .ci/services.sh`);
  return `${what} is not installed (run .ci/services.sh); skipping`;
}
