import type { Command } from 'commander';
import { initProject } from '../../core/project/init';
import type { Warehouse } from '../../core/warehouse/warehouse';
import { listTables } from '../../core/warehouse/catalog-queries';
import { openCliWarehouse, printJson, withContext, workspaceRoot, type GlobalOptions } from '../session';

export function registerProjectCommands(program: Command, globals: () => GlobalOptions): void {
  program
    .command('init')
    .description('Create .kimball/project.json, the git-ignore entry and the warehouse databases')
    .action(async () => {
      const o = globals();
      const root = workspaceRoot(o);
      let opened: Warehouse | undefined;
      const r = await initProject(root, async (project) => (opened = openCliWarehouse(root, project))).finally(() => opened?.close());
      if (o.json) return printJson(r);
      process.stdout.write(
        `${r.created ? 'Created' : 'Kept'} ${r.projectFile}\nWarehouse ClickHouse ${r.version}: databases ${r.databases.join(', ')} ready.\n`,
      );
    });

  const warehouse = program.command('warehouse').description('The ClickHouse warehouse (embedded chDB or a server)');
  warehouse
    .command('test')
    .description('Connect to the configured warehouse and report its version')
    .action(async () => {
      const o = globals();
      await withContext(o, async (ctx) => {
        const version = await ctx.warehouse.version();
        const r = { ok: true, mode: ctx.warehouse.mode, version };
        if (o.json) return printJson(r);
        process.stdout.write(`OK: ${ctx.warehouse.mode} warehouse, ClickHouse ${version}\n`);
      });
    });
  warehouse
    .command('tables')
    .description('List the tables of the bronze, silver, gold and meta databases')
    .action(async () => {
      const o = globals();
      await withContext(o, async (ctx) => {
        const tables = await listTables(ctx.warehouse, Object.values(ctx.warehouse.databases));
        if (o.json) return printJson(tables);
        for (const t of tables) process.stdout.write(`${t.database}.${t.name}\t${t.rows} rows\t${t.bytes} bytes\n`);
      });
    });

  program
    .command('sql')
    .description('Run one SQL statement against the warehouse and print the result')
    .argument('<query>', 'the SQL statement')
    .option('--format <format>', 'a ClickHouse output format (default: a readable table)', 'PrettyCompactNoEscapes')
    .action(async (query: string, opts: { format: string }) => {
      const o = globals();
      await withContext(o, async (ctx) => {
        const format = o.json ? 'JSON' : opts.format;
        process.stdout.write(await ctx.warehouse.queryText(query, format));
      });
    });
}
