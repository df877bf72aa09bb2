/** TSV as ClickHouse reads it: backslash escapes for \\, tab, newline and carriage return. */

const TSV_SPECIAL = /[\\\t\n\r]/;
const TSV_ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/** Escape one value for a TSV field (the common case, no special characters, is returned as is). */
export function tsvEscape(value: string): string {
  if (!TSV_SPECIAL.test(value)) return value;
  return value.replace(/[\\\t\n\r]/g, (c) => TSV_ESCAPES[c]);
}

/** One TSV line, newline included. */
export function tsvLine(values: readonly string[]): string {
  return tsvFields(values) + '\n';
}

/** TSV fields joined by tabs, no newline. */
export function tsvFields(values: readonly string[]): string {
  let out = '';
  for (let i = 0; i < values.length; i++) {
    if (i > 0) out += '\t';
    out += tsvEscape(values[i]);
  }
  return out;
}

/** Fields of one TSV line that are exactly `\N` (NULL; a literal backslash is always escaped as `\\`). */
export function tsvNullCount(line: string): number {
  if (!line.includes('\\N')) return 0;
  let n = 0;
  for (const field of line.split('\t')) if (field === '\\N') n++;
  return n;
}
