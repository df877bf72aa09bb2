#!/usr/bin/env node
/** The `kimball` command: the same core as the extension, headless. */
import { Command, CommanderError } from 'commander';
import { registerProjectCommands } from './commands/project';
import { registerModelCommands } from './commands/model';
import { registerSourceCommands } from './commands/sources';
import { registerDiscoverCommands } from './commands/discover';
import { registerBuildCommands } from './commands/build';
import type { GlobalOptions } from './session';
import { describeError } from '../core/errors';

export function buildProgram(): Command {
  const program = new Command();
  program
    .name('kimball')
    .description('Kimball: raw data to a ClickHouse data warehouse (acquire, discover, model, build, run)')
    .option('-w, --workspace <dir>', 'workspace folder (default: the current directory)')
    .option('--json', 'machine-readable output')
    .option('-v, --verbose', 'more log output on stderr')
    .showHelpAfterError()
    .exitOverride();
  const globals = () => program.opts<GlobalOptions>();
  registerProjectCommands(program, globals);
  registerModelCommands(program, globals);
  registerSourceCommands(program, globals);
  registerDiscoverCommands(program, globals);
  registerBuildCommands(program, globals);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 1;
    process.stderr.write(`kimball: ${describeError(err)}\n`);
    if (program.opts<GlobalOptions>().verbose && err instanceof Error && err.stack) process.stderr.write(err.stack + '\n');
    return 1;
  }
}

if (require.main === module) {
  main(process.argv).then((code) => {
    process.exitCode = code;
  });
}
