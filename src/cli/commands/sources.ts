/** `kimball source add|edit|list|test|rm|objects` and `kimball acquire`. */
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
  type PostgresSourceConfig,
  type SourceConfig,
  type SourceKind,
} from '../../core/sources';
import { applySourceEdit, checkSourceFields } from '../../core/sources/edit';
import { schemaProblems } from '../../core/project/json-file';
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
  cursor?: string[];
  key?: string[];
  deleteScan?: string[];
  query?: string[];
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
  trustedOrigin?: string[];
  requestTimeout?: string;
  idleTimeout?: string;
  objectTimeout?: string;
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
        delimiter: delimiterOf(o.delimiter),
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
        cursors: o.cursor ? mergePairs(undefined, o.cursor, '--cursor') : undefined,
        keys: o.key ? mergeKeys(undefined, o.key) : undefined,
        deleteScan: o.deleteScan,
        queries: o.query ? mergePairs(undefined, o.query, '--query') : undefined,
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
        trustedOrigins: o.trustedOrigin,
        requestTimeoutSeconds: o.requestTimeout === undefined ? undefined : Number(o.requestTimeout),
        idleTimeoutSeconds: o.idleTimeout === undefined ? undefined : Number(o.idleTimeout),
        objectTimeoutSeconds: o.objectTimeout === undefined ? undefined : Number(o.objectTimeout),
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

/** `object=value` options merged into a map; `object=` removes the object. Undefined when the map ends up empty. */
function mergePairs(existing: Record<string, string> | undefined, specs: string[], option: string): Record<string, string> | undefined {
  const out = { ...(existing ?? {}) };
  for (const spec of specs) {
    const eq = spec.indexOf('=');
    if (eq <= 0) throw new CliError(`${option} ${spec}: expected <object>=<value>.`);
    const value = spec.slice(eq + 1).trim();
    if (value) out[spec.slice(0, eq).trim()] = value;
    else delete out[spec.slice(0, eq).trim()];
  }
  return Object.keys(out).length ? out : undefined;
}

/** `--key object=col1,col2` options merged into the keys map, like mergePairs (`object=` removes one). */
function mergeKeys(existing: Record<string, string[]> | undefined, specs: string[]): Record<string, string[]> | undefined {
  const flat = mergePairs(existing && Object.fromEntries(Object.entries(existing).map(([k, v]) => [k, v.join(',')])), specs, '--key');
  return flat && Object.fromEntries(Object.entries(flat).map(([k, v]) => [k, v.split(',').map((c) => c.trim()).filter(Boolean)]));
}

const delimiterOf = (d: string | undefined) => (d === '\\t' || d === 'tab' ? '\t' : d);

interface EditOptions extends Omit<AddOptions, 'kind' | 'force'> {
  unset?: string[];
}

/**
 * The fields `source edit` options change, for the kind of the source: an option of another kind is an
 * error (it would be ignored silently otherwise). A map emptied by `object=` lands in `unset`.
 */
export function patchFromOptions(config: SourceConfig, o: EditOptions): { patch: Record<string, unknown>; unset: string[] } {
  const patch: Record<string, unknown> = {};
  const unset: string[] = [];
  const set = (flag: string, kinds: SourceKind[], field: string, given: unknown, value: () => unknown = () => given) => {
    if (given === undefined) return;
    if (!kinds.includes(config.kind)) throw new CliError(`${flag} does not apply to ${config.name}, a ${config.kind} source.`);
    const v = value();
    if (v === undefined) unset.push(field);
    else patch[field] = v;
  };
  const c = config as Partial<PostgresSourceConfig>;
  set('--path', ['files'], 'path', o.path);
  set('--glob', ['files', 's3'], 'glob', o.glob);
  set('--delimiter', ['files'], 'delimiter', o.delimiter, () => delimiterOf(o.delimiter));
  set('--header/--no-header', ['files'], 'header', o.header);
  set('--encoding', ['files'], 'encoding', o.encoding);
  set('--sheets', ['files'], 'sheets', o.sheets);
  set('--host', ['postgres'], 'host', o.host);
  set('--port', ['postgres'], 'port', o.port, () => Number(o.port));
  set('--database', ['postgres'], 'database', o.database);
  set('--user', ['postgres'], 'user', o.user);
  set('--ssl-mode', ['postgres'], 'sslMode', o.sslMode);
  set('--schema', ['postgres'], 'schemas', o.schema);
  set('--cursor', ['postgres'], 'cursors', o.cursor, () => mergePairs(c.cursors, o.cursor ?? [], '--cursor'));
  set('--key', ['postgres'], 'keys', o.key, () => mergeKeys(c.keys, o.key ?? []));
  set('--delete-scan', ['postgres'], 'deleteScan', o.deleteScan);
  set('--query', ['postgres'], 'queries', o.query, () => mergePairs(c.queries, o.query ?? [], '--query'));
  set('--bucket', ['s3'], 'bucket', o.bucket);
  set('--prefix', ['s3'], 'prefix', o.prefix);
  set('--region', ['s3'], 'region', o.region);
  if (config.kind === 'http') set('--endpoint', ['http'], 'endpoints', o.endpoint, () => o.endpoint?.map(parseEndpoint));
  else set('--endpoint', ['s3'], 'endpoint', o.endpoint, () => o.endpoint?.at(-1));
  set('--path-style/--no-path-style', ['s3'], 'pathStyle', o.pathStyle);
  set('--access-key-id', ['s3'], 'accessKeyId', o.accessKeyId);
  set('--base-url', ['http'], 'baseUrl', o.baseUrl);
  set('--auth-header', ['http'], 'authHeader', o.authHeader);
  set('--auth-scheme', ['http'], 'authScheme', o.authScheme);
  set('--rate-limit', ['http'], 'rateLimit', o.rateLimit, () => Number(o.rateLimit));
  set('--trusted-origin', ['http'], 'trustedOrigins', o.trustedOrigin);
  set('--request-timeout', ['http'], 'requestTimeoutSeconds', o.requestTimeout, () => Number(o.requestTimeout));
  set('--idle-timeout', ['http'], 'idleTimeoutSeconds', o.idleTimeout, () => Number(o.idleTimeout));
  set('--object-timeout', ['http'], 'objectTimeoutSeconds', o.objectTimeout, () => Number(o.objectTimeout));
  return { patch, unset };
}

/** `--unset` takes the field name or the option's spelling: sslMode or ssl-mode, schemas or schema. */
function fieldName(s: string): string {
  const camel = s.replace(/^--?/, '').replace(/-([a-z])/g, (_, ch: string) => ch.toUpperCase());
  const fields: Record<string, string> = {
    schema: 'schemas',
    cursor: 'cursors',
    key: 'keys',
    query: 'queries',
    sheet: 'sheets',
    trustedOrigin: 'trustedOrigins',
    requestTimeout: 'requestTimeoutSeconds',
    idleTimeout: 'idleTimeoutSeconds',
    objectTimeout: 'objectTimeoutSeconds',
  };
  return fields[camel] ?? camel;
}

/** The per-kind options, shared by `source add` and `source edit` so both spell them the same. */
function kindOptions(cmd: Command): Command {
  return cmd
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
    .option('--cursor <object=column>', 'postgres: cursor column of a table for incremental loads (repeatable; edit: "object=" removes one)', collect)
    .option(
      '--key <object=columns>',
      'postgres: comma-separated columns identifying a row of a table, where it has no primary key: incremental loads keep one version per key (repeatable; edit: "object=" removes one)',
      collect,
    )
    .option('--delete-scan <object>', 'postgres: a table with a cursor whose rows deleted at the source leave bronze; each load reads every key (repeatable)', collect)
    .option('--query <object=select>', 'postgres: an extra object defined by a SELECT (repeatable; edit: "object=" removes one)', collect)
    .option('--bucket <bucket>', 's3: bucket')
    .option('--prefix <prefix>', 's3: key prefix')
    .option('--region <region>', 's3: region')
    .option('--endpoint <value>', 's3: endpoint URL of an S3-compatible store; http: an endpoint name=path[,records=a.b][,pagination=...] (repeatable)', collect)
    .option('--path-style', 's3: path-style addressing')
    .option('--no-path-style', 's3: virtual-hosted addressing')
    .option('--access-key-id <id>', 's3: access key id (the secret comes from KIMBALL_<NAME>_SECRET_ACCESS_KEY)')
    .option('--base-url <url>', 'http: base URL')
    .option('--auth-header <header>', 'http: header carrying the token, e.g. Authorization')
    .option('--auth-scheme <scheme>', 'http: token prefix, e.g. Bearer')
    .option('--rate-limit <n>', 'http: requests per second at most')
    .option('--trusted-origin <url>', 'http: another origin that may receive the token on redirects and next-page links, e.g. https://cdn.example.com (repeatable)', collect)
    .option('--request-timeout <seconds>', 'http: longest time for one request, headers and body (default 300)')
    .option('--idle-timeout <seconds>', 'http: longest silence of the server while a response is awaited (default 30)')
    .option('--object-timeout <seconds>', 'http: longest time for one endpoint, all pages and retries (default 1800)');
}

export function registerSourceCommands(program: Command, globals: () => GlobalOptions): void {
  const source = program.command('source').description('Data sources: files, PostgreSQL, S3, REST APIs');
  const paths = () => {
    const root = workspaceRoot(globals());
    loadProject(root);
    return projectPaths(root);
  };

  const add = source
    .command('add')
    .description(
      'Add (or with --force replace) a source in .kimball/sources/<name>.json. Secrets come from the environment: ' +
        'KIMBALL_<NAME>_PASSWORD (postgres), KIMBALL_<NAME>_SECRET_ACCESS_KEY (s3), KIMBALL_<NAME>_TOKEN (http)',
    )
    .argument('<name>', 'letters, digits and underscores; prefixes the bronze tables')
    .requiredOption('--kind <kind>', 'files | postgres | s3 | http')
    .option('--force', 'replace an existing source of that name');
  kindOptions(add).action((name: string, o: AddOptions) => {
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

  const edit = source
    .command('edit')
    .description(
      'Change settings of a source: only the options given change (a repeatable list option replaces the list; ' +
        '--cursor/--key/--query set or, with "object=", remove one entry); --unset removes an optional field. Secrets stay environment variables.',
    )
    .argument('<name>', 'the source')
    .option('--unset <field>', 'remove an optional field, e.g. glob, ssl-mode, schemas, cursors, endpoint (repeatable)', collect);
  kindOptions(edit).action((name: string, o: EditOptions) => {
    const p = paths();
    const before = readSource(p, name);
    const { patch, unset } = patchFromOptions(before, o);
    const removed = [...unset, ...(o.unset ?? []).map(fieldName)];
    if (Object.keys(patch).length === 0 && removed.length === 0) {
      throw new CliError(`Nothing to change in ${name}: give the options to change (see kimball source edit --help) or --unset <field>.`);
    }
    let after: SourceConfig;
    try {
      after = applySourceEdit(before, patch, removed);
    } catch (err) {
      throw new CliError((err as Error).message);
    }
    // The file's own schema too, so a bad value is reported like the others and nothing is written.
    const problems = [...checkSourceFields(after), ...schemaProblems('source', after)];
    if (problems.length > 0) throw new CliError(`Source ${name} not changed: ${problems.map((x) => `${x.path.slice(1)}: ${x.message}`).join('; ')}`);
    writeSource(p, after);
    if (globals().json) return printJson(after);
    const changed = Object.keys(patch).filter((k) => JSON.stringify((before as unknown as Record<string, unknown>)[k]) !== JSON.stringify(patch[k]));
    const gone = removed.filter((k) => k in before);
    const parts = [changed.length ? `changed ${changed.join(', ')}` : '', gone.length ? `removed ${gone.join(', ')}` : ''].filter(Boolean);
    process.stdout.write(`Saved .kimball/sources/${name}.json${parts.length ? `: ${parts.join('; ')}` : ' (no change)'}\n`);
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
