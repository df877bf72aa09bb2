/** Runs the built CLI (dist/cli.js: `npm run build` first) the way a user would, in a throw-away workspace. */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { after } from 'node:test';
import { removeDir, tempDir } from './warehouse';

const CLI = join(process.cwd(), 'dist', 'cli.js');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * A fresh workspace under test/.tmp (removed after the calling test file) and a
 * `kimball(...args)` that runs the CLI against it with `--workspace`.
 */
export function cliWorkspace(prefix: string): { ws: string; kimball: (...args: string[]) => CliResult } {
  const ws = tempDir(prefix);
  after(() => removeDir(ws));
  const kimball = (...args: string[]): CliResult => {
    const r = spawnSync(process.execPath, [CLI, '--workspace', ws, ...args], { encoding: 'utf8' });
    return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
  };
  return { ws, kimball };
}
