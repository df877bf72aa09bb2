import type { Command } from 'commander';
import { discover } from '../../core/discover/discover';
import { columnKey, readCatalog, setMissingTokens, setPrimaryKey, setRelationshipStatus, setTypeOverride, setRename } from '../../core/discover/catalog';
import type { Catalog, CatalogTable } from '../../core/discover/catalog-types';
import { profileMarkdown } from '../../core/discover/report';
import { loadProject, resolveWarehouseSettings } from '../../core/project/project';
import { projectPaths } from '../../core/project/paths';
import { CliError, interruptSignal, printJson, withContext, workspaceRoot, type GlobalOptions } from '../session';

/** The bronze database name from the project settings, without opening the warehouse. */
function bronzeDatabase(o: GlobalOptions, database?: string): string {
  if (database) return database;
  const root = workspaceRoot(o);
  return resolveWarehouseSettings(projectPaths(root), loadProject(root), {}).databases.bronze;
}

function catalogOf(o: GlobalOptions, database?: string): Catalog {
  return readCatalog(projectPaths(workspaceRoot(o)), bronzeDatabase(o, database));
}

function tableLine(t: CatalogTable): string {
  const pk = t.keys.find((k) => k.kind === 'primary');
  const q = t.quality ? `quality ${t.quality.score}` : (t.qualityNote ?? 'no quality score');
  return `${t.name}\t${t.rowCount} rows\t${t.columns.length} columns\tkey ${pk ? pk.columns.join('+') : '-'}\t${q}${t.sampled ? '\t(profiled on a sample)' : ''}`;
}

/** A column's missing-value tokens and who chose them, e.g. `shop__orders.qty: "NA", "N/A" (found by discovery)`. */
export function missingTokensOf(c: Catalog, table: string, column: string): { table: string; column: string; missingTokens: string[]; chosenByUser: boolean } {
  const col = c.tables.find((t) => t.name === table)?.columns.find((x) => x.name === column);
  if (!col) throw new CliError(`Column ${table}.${column} is not in the ${c.database} catalog.`);
  return { table, column, missingTokens: col.missingTokens ?? [], chosenByUser: c.decisions.missingTokens?.[columnKey(table, column)] !== undefined };
}

function missingLine(m: ReturnType<typeof missingTokensOf>): string {
  const list = m.missingTokens.length ? m.missingTokens.map((x) => JSON.stringify(x)).join(', ') : 'no missing-value tokens (only empty values are missing)';
  return `${m.table}.${m.column}: ${list} (${m.chosenByUser ? 'chosen by you' : 'found by discovery'})`;
}

/** Keys with how they were established: `declared` by the source, or discovered with the ranking's evidence. */
export function keysOf(c: Catalog) {
  return c.tables.flatMap((t) =>
    t.keys.map((k) => ({ table: t.name, columns: k.columns, kind: k.kind, confidence: k.confidence, declared: k.declared ?? false, evidence: k.evidence })),
  );
}

export function relationshipsOf(c: Catalog) {
  return c.relationships.map((r) => ({
    id: r.id,
    fromTable: r.fromTable,
    fromColumns: r.fromColumns,
    toTable: r.toTable,
    toColumns: r.toColumns,
    confidence: r.confidence,
    status: r.status,
    kind: r.kind ?? 'reference',
    cardinality: r.cardinality,
    declared: r.declared ?? false,
    evidence: r.evidence,
  }));
}

export function registerDiscoverCommands(program: Command, globals: () => GlobalOptions): void {
  program
    .command('discover')
    .description('Profile every bronze table: types, quality, keys, relationships -> .kimball/catalog/<database>.catalog.json')
    .argument('[database]', 'the database to profile (default: bronze)')
    .option('--only <what>', 'quality | relationships (default: everything)')
    .action(async (database: string | undefined, opts: { only?: string }) => {
      const o = globals();
      if (opts.only && opts.only !== 'quality' && opts.only !== 'relationships') throw new CliError(`--only must be quality or relationships, not "${opts.only}".`);
      await withContext(o, async (ctx) => {
        const t0 = Date.now();
        const catalog = await discover(ctx, {
          database,
          only: (opts.only as 'quality' | 'relationships' | undefined) ?? 'all',
          signal: interruptSignal(),
          progress: { report: (u) => (u.message && o.verbose ? process.stderr.write(`${u.message}\n`) : undefined) },
        });
        if (o.json) return printJson(catalog);
        for (const t of catalog.tables) process.stdout.write(tableLine(t) + '\n');
        const accepted = catalog.relationships.filter((r) => r.status !== 'rejected').length;
        process.stdout.write(
          `${catalog.tables.length} tables, ${accepted} relationship(s) in ${((Date.now() - t0) / 1000).toFixed(1)} s -> .kimball/catalog/${catalog.database}.catalog.json\n`,
        );
      });
    });

  const keys = program.command('keys').description('Primary-key candidates from the catalog');
  keys
    .command('list', { isDefault: true })
    .description('List key candidates (verified exactly)')
    .option('--database <db>', 'catalog database (default: bronze)')
    .action((opts: { database?: string }) => {
      const o = globals();
      const list = keysOf(catalogOf(o, opts.database));
      if (o.json) return printJson(list);
      for (const k of list) process.stdout.write(`${k.table}\t${k.columns.join('+')}\t${k.kind}\t${k.confidence}${k.declared ? '\tdeclared' : ''}\n`);
    });
  keys
    .command('set')
    .description('Make columns the primary key of a table (kept across discoveries)')
    .argument('<table>')
    .argument('<columns...>')
    .option('--database <db>')
    .action((table: string, columns: string[], opts: { database?: string }) => {
      const o = globals();
      setPrimaryKey(projectPaths(workspaceRoot(o)), bronzeDatabase(o, opts.database), table, columns);
      process.stdout.write(`Primary key of ${table}: ${columns.join(', ')}\n`);
    });

  const rels = program.command('relationships').description('Relationships (foreign keys) from the catalog');
  rels
    .command('list', { isDefault: true })
    .description('List relationships with confidence and status')
    .option('--database <db>')
    .action((opts: { database?: string }) => {
      const o = globals();
      const list = relationshipsOf(catalogOf(o, opts.database));
      if (o.json) return printJson(list);
      for (const r of list) process.stdout.write(`${r.id}\t${r.confidence}\t${r.status}${r.kind === 'shared-key' ? '\tshared key' : ''}${r.declared ? '\tdeclared' : ''}\n`);
    });
  for (const verdict of ['accept', 'reject'] as const) {
    rels
      .command(verdict)
      .description(`${verdict === 'accept' ? 'Accept' : 'Reject'} a relationship by id (kept across discoveries)`)
      .argument('<id>')
      .option('--database <db>')
      .action((id: string, opts: { database?: string }) => {
        const o = globals();
        setRelationshipStatus(projectPaths(workspaceRoot(o)), bronzeDatabase(o, opts.database), id, verdict === 'accept' ? 'accepted' : 'rejected');
        process.stdout.write(`${id}: ${verdict}ed\n`);
      });
  }

  const catalog = program.command('catalog').description('Catalog decisions');
  catalog
    .command('type')
    .description('Override the inferred type of a column')
    .argument('<table>')
    .argument('<column>')
    .argument('<type>', 'a ClickHouse type, e.g. Int64 or Decimal(18,2)')
    .option('--expression <sql>', 'conversion SQL using {col} for the bronze column')
    .option('--database <db>')
    .action((table: string, column: string, type: string, opts: { expression?: string; database?: string }) => {
      const o = globals();
      setTypeOverride(projectPaths(workspaceRoot(o)), bronzeDatabase(o, opts.database), table, column, type, opts.expression);
      process.stdout.write(`${table}.${column}: ${type}\n`);
    });
  catalog
    .command('missing')
    .description('Show or choose the texts that mean "no value" in a column: NULL in silver for every type, never a conversion failure (kept across discoveries)')
    .argument('<table>')
    .argument('<column>')
    .argument('[tokens...]', 'the new list, each text exactly as written, e.g. NA N/A "#N/A" -')
    .option('--none', 'no tokens: every non-empty text is a value')
    .option('--reset', 'let discovery choose again (at the next kimball discover)')
    .option('--database <db>')
    .action((table: string, column: string, tokens: string[], opts: { none?: boolean; reset?: boolean; database?: string }) => {
      const o = globals();
      if ([tokens.length > 0, opts.none, opts.reset].filter(Boolean).length > 1) throw new CliError('Give the tokens, --none or --reset: only one of them.');
      const database = bronzeDatabase(o, opts.database);
      const paths = projectPaths(workspaceRoot(o));
      const change = tokens.length > 0 || opts.none || opts.reset;
      const c = change ? setMissingTokens(paths, database, table, column, opts.reset ? undefined : tokens) : readCatalog(paths, database);
      const m = missingTokensOf(c, table, column);
      if (o.json) return printJson(m);
      process.stdout.write(`${missingLine(m)}\n${change ? 'Run kimball build to apply it to silver; kimball discover recounts the column.\n' : ''}`);
    });
  catalog
    .command('profile')
    .description('Print a table profile as Markdown: per-column statistics, types, quality findings, keys, relationships')
    .argument('<table>')
    .option('--database <db>')
    .action((table: string, opts: { database?: string }) => {
      const c = catalogOf(globals(), opts.database);
      const t = c.tables.find((x) => x.name === table);
      if (!t) throw new CliError(`Table ${table} is not in the ${c.database} catalog.`);
      process.stdout.write(profileMarkdown(c, t) + '\n');
    });
  catalog
    .command('rename')
    .description('Choose the silver name of a column')
    .argument('<table>')
    .argument('<column>')
    .argument('<name>')
    .option('--database <db>')
    .action((table: string, column: string, name: string, opts: { database?: string }) => {
      const o = globals();
      setRename(projectPaths(workspaceRoot(o)), bronzeDatabase(o, opts.database), table, column, name);
      process.stdout.write(`${table}.${column} -> ${name}\n`);
    });
}
