/**
 * The Chromium that the webview tests, the editor benchmark and the end-to-end suite drive with
 * playwright-core: by default the build shipped in the npm package @sparticuz/chromium, so `npm ci` is
 * all a machine needs; `KIMBALL_BROWSER=/usr/bin/chromium` (any Chromium executable) picks another.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { chromium, type Browser, type LaunchOptions } from 'playwright-core';

const ROOT = join(__dirname, '..', '..');
/** The package's CommonJS entry; its compressed browser sits in ../../bin. */
const PACKAGE_ENTRY = require.resolve('@sparticuz/chromium');
const PACKAGE_VERSION = (JSON.parse(readFileSync(join(dirname(PACKAGE_ENTRY), '..', '..', 'package.json'), 'utf8')) as { version: string }).version;
/** Unpacked once per installed version; `npm ci` empties node_modules, and so this folder, with it. */
const UNPACKED = join(ROOT, 'node_modules', '.cache', `kimball-chromium-${PACKAGE_VERSION}`);

/** Headless and quiet on a closed network. Playwright adds --headless and a fresh --user-data-dir to every launch. */
const ARGS = [
  '--no-sandbox', // tests run as root, where Chromium's sandbox refuses to start
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export function launchChromium(): Promise<Browser> {
  return chromium.launch(launchOptions());
}

function launchOptions(): LaunchOptions {
  const system = process.env.KIMBALL_BROWSER;
  if (system) return { executablePath: system, headless: true, args: ARGS };
  const dir = unpackedBrowser();
  return {
    executablePath: join(dir, 'chromium'),
    headless: true,
    args: ARGS,
    env: {
      ...process.env,
      // The package's own libnss3, libnspr4 and libexpat: a fresh machine may have none.
      LD_LIBRARY_PATH: [join(dir, 'al2023', 'lib'), process.env.LD_LIBRARY_PATH].filter(Boolean).join(':'),
      FONTCONFIG_PATH: join(dir, 'fonts'),
    },
  };
}

/**
 * The unpacked browser folder. Each process unpacks into a folder of its own and renames it into
 * place, so a parallel run never sees a half-written binary: the first rename wins, the others
 * drop their copy.
 */
function unpackedBrowser(): string {
  if (existsSync(UNPACKED)) return UNPACKED;
  mkdirSync(dirname(UNPACKED), { recursive: true });
  const staging = mkdtempSync(`${UNPACKED}.partial-`);
  try {
    unpackInto(staging);
    writeFontConfig(staging);
    renameSync(staging, UNPACKED);
  } catch (err) {
    if (!existsSync(UNPACKED)) throw err;
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  return UNPACKED;
}

/**
 * The package unpacks into os.tmpdir() and adds its libraries (al2023/lib) only on AWS Lambda, both
 * read from the environment: a child process gets them without changing this process's environment.
 */
function unpackInto(dir: string): void {
  const script = `require(${JSON.stringify(PACKAGE_ENTRY)}).executablePath().then((p) => process.stdout.write(p))`;
  const r = spawnSync(process.execPath, ['-e', script], {
    env: { ...process.env, TMPDIR: dir, AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs20.x' },
    encoding: 'utf8',
  });
  if (r.status !== 0 || r.stdout !== join(dir, 'chromium')) {
    throw new Error(`unpacking @sparticuz/chromium into ${dir} failed: ${r.stderr || r.error?.message || r.stdout}`);
  }
}

/**
 * The package's fonts.conf lists /tmp/fonts only. This one keeps the system's fonts (what the tests
 * measured with Debian's chromium) and adds the package's Open Sans, so text has a font on a machine
 * with none.
 */
function writeFontConfig(dir: string): void {
  const conf = `<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig>
  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>
  <dir>${join(UNPACKED, 'fonts', 'fonts')}</dir>
  <cachedir prefix="xdg">fontconfig</cachedir>
</fontconfig>
`;
  writeFileSync(join(dir, 'fonts', 'fonts.conf'), conf);
}
