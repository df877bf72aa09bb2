/**
 * Notes of a model file: one line per edit a proposal changed or dropped because it no longer fits
 * (a hierarchy level whose attribute is gone, a decision on a decomposition no longer proposed).
 * The command that proposed prints the new ones; the file keeps them so they are not lost with the
 * terminal. Pure.
 */

/** Older notes beyond this many are let go: the file says what recent proposals did, not its whole history. */
export const MAX_NOTES = 50;

/** The model with `fresh` notes after its own, repeats dropped; no `notes` field when there are none. */
export function withNotes<T extends { notes?: string[] }>(model: T, fresh: string[]): T {
  const all = [...new Set([...(model.notes ?? []), ...fresh])].slice(-MAX_NOTES);
  const out = { ...model };
  if (all.length) out.notes = all;
  else delete out.notes;
  return out;
}

/** Notes `after` holds that `before` did not: what one proposal added. */
export function freshNotes(before: { notes?: string[] } | undefined, after: { notes?: string[] }): string[] {
  const old = new Set(before?.notes ?? []);
  return (after.notes ?? []).filter((n) => !old.has(n));
}
