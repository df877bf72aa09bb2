/** `kimball source add|list|test|rm|objects` and `kimball acquire`. */
import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { projectPaths } from '../../core/project/paths';
import { loadProject } from '../../core/project/project';
import {
  createSource,
  deleteSource,
  listSources,
  readSource,
  secretEnvName,
  secretFieldOf,
  sourceExists,
  writeSource,
  EnvSecretStore,
  parseEndpoint,
  type SourceConfig,
  type SourceKind,
} from '../../core/sources';
import { acquire, describeResult, lastLoads, type LoadResult } from '../../core/acquire';
import { CliError, interruptSignal, printJson, withContext, workspaceRoot, type GlobalOptions } from '../session';

interface AddOptions {
  kind: SourceKind;
  force?: boolean;
  path?: string;
  glob?: string;
  delimiter?: string;
  header?: boolean;
  encoding?: string;
  sheets?: string[];
  host?: string;
  port?: string;
  database?: string;
  user?: string;
  sslMode?: string;
  schema?: string[];
  bucket?: string;
  prefix?: string;
  region?: string;
  endpoint?: string[];
  pathStyle?: boolean;
  accessKeyId?: string;
  baseUrl?: string;
  authHeader?: string;
  authScheme?: string;
  rateLimit?: string;
}

const collect = (v: string, prev: string[] = []) => [...prev, v];

function need<T>(value: T | undefined, option: string, kind: string): T {
  if (value === undefined || value === '') throw new CliError(`A ${kind} source needs ${option}.`);
  return value;
}

export function configFromOptions(name: string, o: AddOptions): SourceConfig {
  switch (o.kind) {
    case 'files':
      return {
        kind: 'files',
        name,
        path: need(o.path, '--path', 'files'),
        glob: o.glob,
        delimiter: o.delimiter === '\\t' || o.delimiter === 'tab' ? '\t' : o.delimiter,
        header: o.header,
        encoding: o.encoding as 'utf-8' | undefined,
        sheets: o.sheets,
      };
    case 'postgres':
      return {
        kind: 'postgres',
        name,
        host: need(o.host, '--host', 'postgres'),
        port: Number(o.port ?? 5432),
        database: need(o.database, '--database', 'postgres'),
        user: need(o.user, '--user', 'postgres'),
        sslMode: o.sslMode as 'disable' | undefined,
        schemas: o.schema,
      };
    case 's3':
      return {
        kind: 's3',
        name,
        bucket: need(o.bucket, '--bucket', 's3'),
        prefix: o.prefix,
        glob: o.glob,
        region: o.region,
        endpoint: o.endpoint?.[0],
        pathStyle: o.pathStyle,
        accessKeyId: o.accessKeyId,
      };
    case 'http':
      return {
        kind: 'http',
        name,
        baseUrl: need(o.baseUrl, '--base-url', 'http'),
        endpoints: need(o.endpoint, '--endpoint name=path', 'http').map(parseEndpoint),
        authHeader: o.authHeader,
        authScheme: o.authScheme,
        rateLimit: o.rateLimit === undefined ? undefined : Number(o.rateLimit),
      };
    default:
      throw new CliError(`--kind must be files, postgres, s3 or http, not "${String(o.kind)}".`);
  }
}

/** Drop undefined fields so the file holds only what was given. */
function compact<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

function table(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd()).join('\n') + '\n';
}

function resultTable(results: LoadResult[]): string {
  const rows = [['SOURCE', 'OBJECT', 'STATUS', 'ROWS', 'REJECTS', 'SECONDS', 'NOTE']];
  for (const r of results) {
    const note =
      r.error ??
      [r.columnsAdded.length ? `new columns: ${r.columnsAdded.join(', ')}` : '', r.columnsMissing.length ? `missing columns: ${r.columnsMissing.join(', ')}` : '']
        .filter(Boolean)
        .join('; ');
    rows.push([r.source, r.object, r.status, String(r.rows), String(r.rejects), (r.ms / 1000).toFixed(1), note]);
  }
  return table(rows);
}

export function registerSourceCommands(program: Command, globals: () => GlobalOptions): void {
  const source = program.command('source').description('Data sources: files, PostgreSQL, S3, REST APIs');
  const paths = () => {
    const root = workspaceRoot(globals());
    loadProject(root);
    return projectPaths(root);
  };

  source
    .command('add')
    .description(
      'Add (or with --force replace) a source in .kimball/sources/<name>.json. Secrets come from the environment: ' +
        'KIMBALL_<NAME>_PASSWORD (postgres), KIMBALL_<NAME>_SECRET_ACCESS_KEY (s3), KIMBALL_<NAME>_TOKEN (http)',
    )
    .argument('<name>', 'letters, digits and underscores; prefixes the bronze tables')
    .requiredOption('--kind <kind>', 'files | postgres | s3 | http')
    .option('--force', 'replace an existing source of that name')
    .option('--path <path>', 'files: a file or folder (relative to the workspace or absolute)')
    .option('--glob <glob>', 'files/s3: only matching files, e.g. "**/*.csv"')
    .option('--delimiter <char>', 'files: CSV delimiter (default: sniffed; "tab" for tabs)')
    .option('--header', 'files: the first line is a header (default: sniffed)')
    .option('--no-header', 'files: there is no header line')
    .option('--encoding <encoding>', 'files: utf-8 | utf-16le | utf-16be | latin1 | windows-1252 (default: detected)')
    .option('--sheets <name>', 'files: an Excel sheet to load (repeatable; default: all)', collect)
    .option('--host <host>', 'postgres: server host')
    .option('--port <port>', 'postgres: server port (default 5432)')
    .option('--database <db>', 'postgres: database')
    .option('--user <user>', 'postgres: user')
    .option('--ssl-mode <mode>', 'postgres: disable | prefer | require | verify-full')
    .option('--schema <schema>', 'postgres: a schema to include (repeatable; default public)', collect)
    .option('--bucket <bucket>', 's3: bucket')
    .option('--prefix <prefix>', 's3: key prefix')
    .option('--region <region>', 's3: region')
    .option('--endpoint <value>', 's3: endpoint URL of an S3-compatible store; http: an endpoint name=path[,records=a.b][,pagination=...] (repeatable)', collect)
    .option('--path-style', 's3: path-style addressing')
    .option('--access-key-id <id>', 's3: access key id (the secret comes from KIMBALL_<NAME>_SECRET_ACCESS_KEY)')
    .option('--base-url <url>', 'http: base URL')
    .option('--auth-header <header>', 'http: header carrying the token, e.g. Authorization')
    .option('--auth-scheme <scheme>', 'http: token prefix, e.g. Bearer')
    .option('--rate-limit <n>', 'http: requests per second at most')
    .action((name: string, o: AddOptions) => {
      const p = paths();
      if (sourceExists(p, name) && !o.force) throw new CliError(`A source named ${name} exists: use --force to replace it.`);
      const config = compact(configFromOptions(name, o));
      writeSource(p, config);
      const field = secretFieldOf(config.kind);
      if (globals().json) return printJson(config);
      process.stdout.write(`Saved .kimball/sources/${name}.json\n`);
      if (config.kind === 'files' && !existsSync(resolve(p.root, config.path))) {
        process.stderr.write(`warning: ${config.path} does not exist (yet); \`kimball source test ${name}\` checks it.\n`);
      }
      if (field) process.stdout.write(`Its ${field} comes from the environment variable ${secretEnvName(name, field)}.\n`);
    });

  source
    .command('list')
    .description('List the sources')
    .action(() => {
      const configs = listSources(paths());
      if (globals().json) return printJson(configs);
      if (configs.length === 0) return void process.stdout.write('No sources yet: kimball source add <name> --kind files --path <folder>\n');
      const rows = [['NAME', 'KIND', 'WHERE']];
      for (const c of configs) rows.push([c.name, c.kind, where(c)]);
      process.stdout.write(table(rows));
    });

  source
    .command('test')
    .description('Check that a source can be reached and read')
    .argument('<name>')
    .action(async (name: string) => {
      const p = paths();
      const src = await createSource(readSource(p, name), { root: p.root, secrets: new EnvSecretStore() });
      const r = await src.test(interruptSignal());
      if (globals().json) printJson(r);
      else process.stdout.write(`${r.ok ? 'OK' : 'FAILED'}: ${r.message}\n`);
      if (!r.ok) throw new CliError(`Source ${name} failed its test.`);
    });

  source
    .command('rm')
    .description('Delete a source (its config; its secrets from secret storage)')
    .argument('<name>')
    .action(async (name: string) => {
      await deleteSource(paths(), new EnvSecretStore(), name);
      if (!globals().json) process.stdout.write(`Deleted source ${name} (its bronze tables stay).\n`);
    });

  source
    .command('objects')
    .description("List a source's objects with size, version and last load")
    .argument('<name>')
    .action(async (name: string) => {
      const o = globals();
      await withContext(o, async (ctx) => {
        const src = await createSource(readSource(ctx.paths, name), { root: ctx.paths.root, secrets: ctx.secrets });
        const objects = await src.listObjects(interruptSignal());
        // Objects still list when the warehouse is busy (e.g. held by VS Code); only the last loads are missing then.
        const loads = await lastLoads(ctx.warehouse, [name]).catch((err: unknown) => {
          ctx.log.warn(`last loads unavailable: ${(err as Error).message}`);
          return [];
        });
        const rows = objects.map((obj) => ({ ...obj, lastLoad: loads.find((l) => l.object === obj.name) }));
        if (o.json) return printJson(rows);
        const out = [['OBJECT', 'FORMAT', 'SIZE', 'LAST LOAD', 'ROWS', 'LOCATION']];
        for (const r of rows) {
          out.push([r.name, r.format ?? '', r.size === undefined ? '' : String(r.size), r.lastLoad ? `${r.lastLoad.status} ${r.lastLoad.endedAt}` : 'never', r.lastLoad ? String(r.lastLoad.rows) : '', r.location]);
        }
        process.stdout.write(table(out));
      });
    });

  program
    .command('acquire')
    .description('Load sources into bronze (all sources, one source, or some of its objects); unchanged objects are skipped')
    .argument('[source]', 'a source name (default: every source)')
    .argument('[objects...]', 'objects of that source (default: all)')
    .option('--force', 'reload objects even when unchanged')
    .option('--parallelism <n>', 'objects loaded at once (default: project setting or 2)')
    .action(async (sourceName: string | undefined, objects: string[], opts: { force?: boolean; parallelism?: string }) => {
      const o = globals();
      const results = await withContext(o, async (ctx) => {
        const tty = process.stderr.isTTY;
        return acquire(ctx, {
          sources: sourceName ? [sourceName] : undefined,
          objects,
          force: opts.force,
          parallelism: opts.parallelism ? Number(opts.parallelism) : undefined,
          signal: interruptSignal(),
          progress: { report: (u) => u.message && tty && process.stderr.write(`\r${u.message}\x1b[K`) },
        }).finally(() => tty && process.stderr.write('\r\x1b[K'));
      });
      if (o.json) printJson(results);
      else if (results.length === 0) process.stdout.write('Nothing to acquire: no sources or objects.\n');
      else process.stdout.write(resultTable(results));
      const failed = results.filter((r) => r.status === 'failed' || r.status === 'cancelled');
      if (failed.length > 0) throw new CliError(`${failed.length} of ${results.length} objects did not load: ${failed.map(describeResult).join(' | ')}`);
    });
}

function where(c: SourceConfig): string {
  switch (c.kind) {
    case 'files':
      return c.path + (c.glob ? ` (${c.glob})` : '');
    case 'postgres':
      return `${c.user}@${c.host}:${c.port}/${c.database}`;
    case 's3':
      return `s3://${c.bucket}/${c.prefix ?? ''}${c.endpoint ? ` at ${c.endpoint}` : ''}`;
    case 'http':
      return `${c.baseUrl} (${c.endpoints.length} endpoint${c.endpoints.length === 1 ? '' : 's'})`;
  }
}
