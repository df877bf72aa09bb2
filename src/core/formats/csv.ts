/**
 * Delimited text (CSV, TSV, ...) as RFC 4180 reads it, streamed: a quote opens
 * a quoted field only at the start of a field (a quote inside an unquoted
 * field is text, as in ClickHouse), "" inside quotes is one quote, and
 * newlines inside quotes belong to the value. Values are never trimmed or
 * converted: the text between delimiters is the value.
 */

export interface CsvRecord {
  fields: string[];
  /** 1-based line where the record starts. */
  line: number;
  /** 1-based line where the record ends (a quoted value may span lines). */
  endLine: number;
  /** The record's text as in the file, without its line break. */
  raw: string;
  /** Quoting gone wrong: text after a closing quote, or a quote still open at the end of the input. */
  badQuote?: 'text after a closing quote' | 'a quote never closed';
}

/**
 * A record may hold this many characters at most while a quote is open. An unbalanced quote swallows
 * the rest of the file into one value, so past this it fails the read rather than hold it all.
 */
export const CSV_MAX_QUOTED_CHARS = 64 * 1024 * 1024;

const QUOTE = 34;
const LF = 10;
const CR = 13;

/**
 * What ends a line: LF (with or without a CR before it), or a CR alone, as
 * classic Mac OS wrote text (Excel for Mac still offers "CSV (Macintosh)").
 */
export type LineBreak = 'lf' | 'cr';

/** CR alone ends lines when a sample has CRs and no LF at all. */
export function lineBreakOf(sample: string): LineBreak {
  return sample.includes('\r') && !sample.includes('\n') ? 'cr' : 'lf';
}

/** The character that ends a line. */
export function lineEnd(lineBreak: LineBreak): '\r' | '\n' {
  return lineBreak === 'cr' ? '\r' : '\n';
}

/** Splits text chunks into records; push() returns the records completed so far. */
export class CsvSplitter {
  private buf = '';
  private pos = 0;
  private state = 0; // 0 field start, 1 unquoted, 2 quoted, 3 quote seen inside quotes
  private broken = false; // text after a closing quote in the current record
  private line = 1;
  private readonly delim: number;
  private readonly eol: number;

  constructor(delimiter: string, lineBreak: LineBreak = 'lf') {
    if (delimiter.length !== 1) throw new Error(`A delimiter is one character, not ${JSON.stringify(delimiter)}.`);
    this.delim = delimiter.charCodeAt(0);
    this.eol = lineEnd(lineBreak).charCodeAt(0);
  }

  push(text: string): CsvRecord[] {
    this.buf += text;
    const out: CsvRecord[] = [];
    const buf = this.buf;
    let start = 0;
    let state = this.state;
    let broken = this.broken;
    for (let i = this.pos; i < buf.length; i++) {
      const c = buf.charCodeAt(i);
      if (state === 2) {
        if (c === QUOTE) state = 3;
        continue;
      }
      if (c === this.eol) {
        this.emit(out, buf.slice(start, i), broken ? 'text after a closing quote' : undefined);
        start = i + 1;
        state = 0;
        broken = false;
        continue;
      }
      if (c === this.delim) state = 0;
      else if (c === QUOTE) state = state === 0 || state === 3 ? 2 : state;
      else {
        // A CR after a closing quote is the CR of a CRLF line end.
        if (state === 3 && c !== CR) broken = true;
        state = 1;
      }
    }
    this.buf = buf.slice(start);
    this.pos = this.buf.length;
    this.state = state;
    this.broken = broken;
    if (state === 2 && this.buf.length > CSV_MAX_QUOTED_CHARS) {
      throw new Error(`line ${this.line}: a quoted value runs past ${CSV_MAX_QUOTED_CHARS / 1024 / 1024} MB (the limit); its opening quote is probably unbalanced`);
    }
    return out;
  }

  /** The last record when the text does not end with a line break. */
  end(): CsvRecord[] {
    const out: CsvRecord[] = [];
    const badQuote = this.state === 2 ? 'a quote never closed' : this.broken ? 'text after a closing quote' : undefined;
    // A quote never closed swallowed the file's last line break too, which ends a line rather than starts one.
    const text = badQuote && this.buf.endsWith(String.fromCharCode(this.eol)) ? this.buf.slice(0, -1) : this.buf;
    if (text.length > 0) this.emit(out, text, badQuote);
    this.buf = '';
    this.state = 0;
    this.broken = false;
    this.pos = 0;
    return out;
  }

  private emit(out: CsvRecord[], text: string, badQuote?: CsvRecord['badQuote']): void {
    const raw = this.eol === LF && text.charCodeAt(text.length - 1) === CR ? text.slice(0, -1) : text;
    const line = this.line;
    const eol = String.fromCharCode(this.eol);
    for (let i = text.indexOf(eol); i !== -1; i = text.indexOf(eol, i + 1)) this.line++;
    this.line++;
    if (raw.length === 0) return; // a blank line is not a record
    out.push({ fields: splitFields(raw, this.delim), line, endLine: this.line - 1, raw, ...(badQuote ? { badQuote } : {}) });
  }
}

/** Fields of one complete record. */
export function splitFields(raw: string, delim: number): string[] {
  const fields: string[] = [];
  let i = 0;
  const n = raw.length;
  for (;;) {
    if (i < n && raw.charCodeAt(i) === QUOTE) {
      let value = '';
      let j = i + 1;
      for (;;) {
        const q = raw.indexOf('"', j);
        if (q === -1) {
          // Unterminated quote: the rest of the record is the value.
          value += raw.slice(j);
          j = n;
          break;
        }
        value += raw.slice(j, q);
        if (raw.charCodeAt(q + 1) === QUOTE) {
          value += '"';
          j = q + 2;
        } else {
          j = q + 1;
          break;
        }
      }
      // Text after the closing quote up to the delimiter is kept (the splitter marks such a record badQuote).
      let k = j;
      while (k < n && raw.charCodeAt(k) !== delim) k++;
      fields.push(k > j ? value + raw.slice(j, k) : value);
      if (k >= n) return fields;
      i = k + 1;
    } else {
      let k = i;
      while (k < n && raw.charCodeAt(k) !== delim) k++;
      fields.push(raw.slice(i, k));
      if (k >= n) return fields;
      i = k + 1;
    }
  }
}
