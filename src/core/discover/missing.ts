/**
 * Missing values: the texts that mean "no value" in a column (R's `NA`, Excel's `#N/A`, `null`, `-`).
 * Discovery records the ones it finds per column (`missingTokens` in the catalog), the user may change
 * them, and silver turns them into NULL for every type. An empty string is always missing.
 *
 * Tokens are data: they reach SQL only through `sqlString`, never as written.
 */

const ESCAPES: Record<string, string> = { '\\': '\\\\', "'": "\\'" };

/** A ClickHouse string literal for any text: backslashes and quotes escaped, control characters as \xHH (so a literal is one line). */
export function sqlString(text: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is escaped here
  const body = text.replace(/[\\']/g, (c) => ESCAPES[c]).replace(/[\x00-\x1f\x7f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
  return `'${body}'`;
}

/** A user's list of tokens, checked: duplicates dropped, order kept; an empty value is refused (it is always missing). */
export function normaliseTokens(tokens: readonly string[]): string[] {
  if (tokens.some((t) => t === '')) throw new Error('An empty value is always missing: list only the texts that stand for "no value", e.g. NA or N/A.');
  return [...new Set(tokens)];
}

/** SQL that is true where the bronze text `raw` is one of the tokens (false for none). */
export function tokenMatch(raw: string, tokens: readonly string[]): string {
  return tokens.length ? `${raw} IN (${tokens.map(sqlString).join(', ')})` : '0';
}

/** SQL that is true where the bronze text `raw` is missing: empty, or one of the tokens. */
export function isMissing(raw: string, tokens: readonly string[]): string {
  return tokens.length ? `(${raw} = '' OR ${tokenMatch(raw, tokens)})` : `(${raw} = '')`;
}

/** A conversion that gives NULL for the tokens before converting the rest (whatever its type, text included). */
export function withMissingTokens(conversion: string, raw: string, tokens: readonly string[]): string {
  return tokens.length ? `if(${tokenMatch(raw, tokens)}, NULL, ${conversion})` : conversion;
}
