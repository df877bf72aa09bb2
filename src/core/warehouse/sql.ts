/**
 * The only place identifiers become SQL text. Values never do: they travel as
 * query parameters (`{name:Type}`), bound by the engine.
 */

const IDENT_ESCAPES: Record<string, string> = {
  '\\': '\\\\',
  '`': '\\`',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\0': '\\0',
  '\b': '\\b',
  '\f': '\\f',
};

/** Quote one identifier (database, table or column name) for ClickHouse. */
export function quoteIdent(name: string): string {
  if (name.length === 0) throw new Error('An identifier cannot be empty.');
  return '`' + name.replace(/[\\`\n\r\t\0\b\f]/g, (c) => IDENT_ESCAPES[c]) + '`';
}

/** `db`.`table`, each part quoted. */
export function qualified(database: string, table: string): string {
  return `${quoteIdent(database)}.${quoteIdent(table)}`;
}

/** A comma-separated list of quoted identifiers. */
export function identList(names: readonly string[]): string {
  return names.map(quoteIdent).join(', ');
}

/** ` ON CLUSTER <name>` for DDL on a cluster, nothing on a single node. */
export function onClusterClause(cluster: string | undefined): string {
  return cluster ? ` ON CLUSTER ${quoteIdent(cluster)}` : '';
}

/** Parameter placeholder `{name:Type}`; the name must be a plain word chosen by code, never by a user. */
export function param(name: string, type: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new Error(`Invalid parameter name: ${name}`);
  if (!/^[A-Za-z0-9_(), ]+$/.test(type)) throw new Error(`Invalid parameter type: ${type}`);
  return `{${name}:${type}}`;
}

/** Plain SQL types written by code (e.g. from the catalog); rejects anything that is not a type expression. */
export function sqlType(type: string): string {
  if (!/^[A-Za-z][A-Za-z0-9_]*(\([A-Za-z0-9_, ()'/+-]*\))?$/.test(type)) {
    throw new Error(`Not a ClickHouse type: ${type}`);
  }
  return type;
}
