/** One line a user can act on, whatever was thrown. */
export function describeError(err: unknown): string {
  const text = err instanceof Error ? err.message.split('\n')[0] || err.name : String(err);
  return escapeControls(text);
}

/**
 * Control characters (a corrupt file's bytes quoted in a parser's message, a stray CR or escape
 * sequence) would garble a terminal or a log line: each shows as its \u escape instead.
 */
export function escapeControls(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
