/**
 * JSON records with their text kept exact: numbers stay the digits written in
 * the file (JSON.parse would turn 1.50 into 1.5 and round big integers), nested
 * objects flatten to dotted names, arrays stay JSON text (compact, numbers as written), null
 * becomes the empty string (and is counted).
 */

export type FlatRecord = Map<string, string>;

export class JsonSyntaxError extends Error {}

/** Parse one JSON value and flatten it; a top-level scalar or array becomes the column "value". */
export function flattenJson(text: string): { record: FlatRecord; nulls: number } {
  const record: FlatRecord = new Map();
  const nulls = flattenInto(text, record);
  return { record, nulls };
}

/** Where flattened fields go: a Map (last duplicate wins) or parallel arrays (the loader resolves duplicates). */
interface FieldSink {
  set(key: string, value: string): void;
  readonly size: number;
}

/** Fields as parallel arrays in document order: no Map per record on the hot path. */
export class FieldArrays implements FieldSink {
  readonly keys: string[] = [];
  readonly values: string[] = [];
  set(key: string, value: string): void {
    this.keys.push(key);
    this.values.push(value);
  }
  get size(): number {
    return this.keys.length;
  }
}

/** Parse one JSON value into `out`; returns the number of NULLs. */
export function flattenInto(text: string, out: FieldSink): number {
  const p = new FlatParser(text);
  p.ws();
  if (p.peek() === '{') p.object('', out);
  else out.set('value', p.scalarOrRaw(out, 'value') ?? '');
  p.ws();
  if (p.i < text.length) throw new JsonSyntaxError(`unexpected text after the value at offset ${p.i}`);
  return p.nulls;
}

const NUMBER = /-?(0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)?/y;

/** The members of a top-level object with each value's exact text; undefined when the text is not one object. */
export function topLevelMembers(text: string): { key: string; text: string }[] | undefined {
  const p = new FlatParser(text);
  const out: { key: string; text: string }[] = [];
  try {
    p.ws();
    if (p.peek() !== '{') return undefined;
    p.i++;
    p.ws();
    if (p.peek() === '}') return out;
    for (;;) {
      p.ws();
      if (p.peek() !== '"') p.fail('expected a property name');
      const key = p.string();
      p.ws();
      if (p.peek() !== ':') p.fail('expected ":"');
      p.i++;
      p.ws();
      const start = p.i;
      p.scalarOrRaw(new FieldArrays(), key);
      out.push({ key, text: text.slice(start, p.i) });
      p.ws();
      const c = p.peek();
      p.i++;
      if (c === '}') break;
      if (c !== ',') p.fail('expected "," or "}"');
    }
    p.ws();
    return p.i < text.length ? undefined : out;
  } catch (err) {
    if (err instanceof JsonSyntaxError) return undefined;
    throw err;
  }
}

class FlatParser {
  i = 0;
  nulls = 0;
  constructor(private readonly s: string) {}

  ws(): void {
    const s = this.s;
    while (this.i < s.length) {
      const c = s.charCodeAt(this.i);
      if (c === 32 || c === 9 || c === 10 || c === 13) this.i++;
      else break;
    }
  }

  peek(): string {
    return this.s[this.i] ?? '';
  }

  fail(what: string): never {
    throw new JsonSyntaxError(`${what} at offset ${this.i}`);
  }

  /** Object members flattened into `out` under `prefix`. */
  object(prefix: string, out: FieldSink): void {
    this.i++; // {
    this.ws();
    if (this.peek() === '}') {
      this.i++;
      if (prefix) out.set(prefix.slice(0, -1), '{}');
      return;
    }
    for (;;) {
      this.ws();
      if (this.peek() !== '"') this.fail('expected a property name');
      const key = prefix + this.string();
      this.ws();
      if (this.peek() !== ':') this.fail('expected ":"');
      this.i++;
      this.ws();
      if (this.peek() === '{') this.object(key + '.', out);
      else {
        const v = this.scalarOrRaw(out, key);
        out.set(key, v ?? '');
      }
      this.ws();
      const c = this.peek();
      this.i++;
      if (c === '}') return;
      if (c !== ',') this.fail('expected "," or "}"');
    }
  }

  /** A scalar as text, an array as its JSON text (compact, numbers as written), null as undefined (counted). */
  scalarOrRaw(out: FieldSink, key: string): string | undefined {
    const c = this.peek();
    if (c === '"') return this.string();
    if (c === '[' || c === '{') {
      const start = this.i;
      this.skipValue();
      return compactJson(this.s.slice(start, this.i));
    }
    if (this.s.startsWith('null', this.i)) {
      this.i += 4;
      this.nulls++;
      return undefined;
    }
    if (this.s.startsWith('true', this.i)) {
      this.i += 4;
      return 'true';
    }
    if (this.s.startsWith('false', this.i)) {
      this.i += 5;
      return 'false';
    }
    NUMBER.lastIndex = this.i;
    const r = NUMBER.exec(this.s);
    if (!r) this.fail(`unexpected ${c ? JSON.stringify(c) : 'end of text'} for "${key}" (${out.size} fields read)`);
    this.i += r[0].length;
    return r[0];
  }

  string(): string {
    const s = this.s;
    const start = ++this.i;
    let j = start;
    for (;;) {
      const c = s.charCodeAt(j);
      if (Number.isNaN(c)) this.fail('unterminated string');
      if (c === 34) break;
      if (c === 92) j += 2;
      else j++;
    }
    this.i = j + 1;
    const body = s.slice(start, j);
    if (body.indexOf('\\') === -1) return body;
    try {
      return JSON.parse(`"${body}"`) as string;
    } catch {
      return this.fail('invalid escape in a string');
    }
  }

  /** Skip one value (used for arrays, kept as raw text), checking its brackets and strings. */
  skipValue(): void {
    const s = this.s;
    const stack: string[] = [];
    do {
      const c = s[this.i];
      if (c === undefined) this.fail('unterminated array or object');
      if (c === '"') {
        this.string();
        continue;
      }
      if (c === '[' || c === '{') stack.push(c === '[' ? ']' : '}');
      else if (c === ']' || c === '}') {
        if (stack.pop() !== c) this.fail(`unexpected "${c}"`);
      }
      this.i++;
    } while (stack.length > 0);
  }
}

/** A JSON text cut into record texts: the elements of a top-level array, or each top-level value in sequence. */
export interface JsonChunk {
  text: string;
  line: number;
}

/**
 * One JSON value is held whole until it ends: a file that is one object wrapping its records (an API
 * dump) is read whole. Past this many characters the read fails rather than hold more.
 */
export const JSON_MAX_VALUE_CHARS = 256 * 1024 * 1024;

/**
 * Splits a stream of JSON text into record texts without parsing them (it
 * tracks strings and nesting only). Mode "array": the text is one array whose
 * elements are records. Mode "sequence": objects one after another
 * (pretty-printed documents; NDJSON is read line by line instead, so that one
 * broken line is one reject).
 */
export class JsonSplitter {
  /** The unfinished value's text from earlier chunks, kept in parts: appending to one string copies it at every chunk. */
  private held: string[] = [];
  private heldChars = 0;
  private open = false;
  private depth = 0;
  private inString = false;
  private escape = false;
  private line = 1;
  private startLine = 1;
  private closed = false;

  constructor(private readonly mode: 'array' | 'sequence') {}

  push(text: string): JsonChunk[] {
    const out: JsonChunk[] = [];
    const top = this.mode === 'array' ? 1 : 0;
    // Where the value in progress starts in this chunk: 0 when it began in an earlier one.
    let start = this.open ? 0 : -1;
    const value = (end: number): string => {
      const t = this.held.length > 0 ? this.held.join('') + text.slice(0, end) : text.slice(start, end);
      this.held = [];
      this.heldChars = 0;
      return t;
    };
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 10) this.line++;
      if (this.inString) {
        if (this.escape) this.escape = false;
        else if (c === 92) this.escape = true;
        else if (c === 34) this.inString = false;
        continue;
      }
      if (c === 32 || c === 9 || c === 10 || c === 13) continue;
      if (this.closed) throw new JsonSyntaxError(`unexpected text after the top-level array on line ${this.line}`);
      if (this.mode === 'array' && this.depth === 0) {
        if (c !== 91) throw new JsonSyntaxError(`expected "[" on line ${this.line}`);
        this.depth = 1;
        continue;
      }
      if (this.depth === top && this.mode === 'array' && (c === 44 || c === 93)) {
        if (start >= 0) out.push({ text: value(i), line: this.startLine });
        else if (c === 44) throw new JsonSyntaxError(`empty array element on line ${this.line}`);
        start = -1;
        if (c === 93) {
          this.depth = 0;
          this.closed = true;
        }
        continue;
      }
      if (start < 0) {
        start = i;
        this.startLine = this.line;
      }
      if (c === 34) this.inString = true;
      else if (c === 123 || c === 91) this.depth++;
      else if (c === 125 || c === 93) {
        this.depth--;
        if (this.depth < top) throw new JsonSyntaxError(`unbalanced "${String.fromCharCode(c)}" on line ${this.line}`);
        if (this.mode === 'sequence' && this.depth === 0) {
          out.push({ text: value(i + 1), line: this.startLine });
          start = -1;
        }
      }
    }
    // Keep only the unfinished record.
    this.open = start >= 0;
    if (this.open) {
      this.held.push(text.slice(start));
      this.heldChars += text.length - start;
    }
    if (this.heldChars > JSON_MAX_VALUE_CHARS) {
      throw new JsonSyntaxError(`the JSON value from line ${this.startLine} runs past ${JSON_MAX_VALUE_CHARS / 1024 / 1024} MB (the limit): write it as NDJSON, one record a line`);
    }
    return out;
  }

  end(): JsonChunk[] {
    if (this.inString || this.open || (this.mode === 'array' && !this.closed)) {
      throw new JsonSyntaxError(`the JSON text ends inside a value (from line ${this.startLine})`);
    }
    return [];
  }
}

/**
 * JSON text without the whitespace between tokens, so a pretty-printed
 * document and a minified one give an array the same text. Strings and
 * numbers stay as written (parsing and printing again would turn 1.50 into 1.5).
 */
export function compactJson(text: string): string {
  if (!/[ \t\r\n]/.test(text)) return text;
  let out = '';
  let from = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i++;
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 32 || c === 9 || c === 10 || c === 13) {
      out += text.slice(from, i);
      from = i + 1;
    }
  }
  return out + text.slice(from);
}
