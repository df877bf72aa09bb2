/**
 * A tiny runtime shape checker used on both sides of the webview protocol.
 * Small on purpose (the webview bundle stays a few KB): each check returns the
 * first problem with its JSON pointer, or null. No DOM, no Node.
 */

export interface Problem {
  /** JSON pointer inside the checked value, "" for the root. */
  path: string;
  message: string;
}

export type Check = (v: unknown, path: string) => Problem | null;

const fail = (path: string, message: string): Problem => ({ path, message });

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export const str: Check = (v, p) => (typeof v === 'string' ? null : fail(p, 'must be a string'));
export const nonEmpty: Check = (v, p) => (typeof v === 'string' && v.length > 0 ? null : fail(p, 'must be a non-empty string'));
export const num: Check = (v, p) => (typeof v === 'number' && Number.isFinite(v) ? null : fail(p, 'must be a finite number'));
export const int: Check = (v, p) => (Number.isInteger(v) ? null : fail(p, 'must be an integer'));
export const bool: Check = (v, p) => (typeof v === 'boolean' ? null : fail(p, 'must be true or false'));

export function lit(...values: readonly (string | number | boolean)[]): Check {
  return (v, p) => (values.includes(v as string) ? null : fail(p, `must be one of ${values.map((x) => JSON.stringify(x)).join(', ')}`));
}

export function arr(item: Check): Check {
  return (v, p) => {
    if (!Array.isArray(v)) return fail(p, 'must be an array');
    for (let i = 0; i < v.length; i++) {
      const e = item(v[i], `${p}/${i}`);
      if (e) return e;
    }
    return null;
  };
}

/** Object with required fields and optional ones (`?` suffix in the key). Unknown fields are allowed: the schema owns strictness. */
export function obj(fields: Record<string, Check>): Check {
  const entries = Object.entries(fields).map(([k, c]) => {
    const optional = k.endsWith('?');
    return { key: optional ? k.slice(0, -1) : k, optional, check: c };
  });
  return (v, p) => {
    if (!isRecord(v)) return fail(p, 'must be an object');
    for (const f of entries) {
      const x = v[f.key];
      if (x === undefined) {
        if (f.optional) continue;
        return fail(p, `missing required property "${f.key}"`);
      }
      const e = f.check(x, `${p}/${escapePointer(f.key)}`);
      if (e) return e;
    }
    return null;
  };
}

export function rec(value: Check): Check {
  return (v, p) => {
    if (!isRecord(v)) return fail(p, 'must be an object');
    for (const [k, x] of Object.entries(v)) {
      const e = value(x, `${p}/${escapePointer(k)}`);
      if (e) return e;
    }
    return null;
  };
}

/** Tagged union: the tag picks the check, an unknown tag is the error. */
export function tagged(tag: string, cases: Record<string, Check>): Check {
  return (v, p) => {
    if (!isRecord(v)) return fail(p, 'must be an object');
    const t = v[tag];
    const c = typeof t === 'string' && Object.prototype.hasOwnProperty.call(cases, t) ? cases[t] : undefined;
    if (!c) return fail(`${p}/${tag}`, `unknown ${tag} ${JSON.stringify(t)}`);
    return c(v, p);
  };
}

export function escapePointer(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}
