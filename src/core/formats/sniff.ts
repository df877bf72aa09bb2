/**
 * Delimiter and header sniffing from the start of a delimited file: the
 * delimiter is the candidate that splits the sample lines into the same number
 * (> 1) of fields most consistently; the first line is a header unless one of
 * its fields looks like data (a number or a date), which header
 * names practically never are.
 */
import { CsvSplitter, lineBreakOf, lineEnd } from './csv';

export const DELIMITERS = [',', '\t', ';', '|'] as const;

/** Where the table starts in a sample, and its delimiter. */
export interface Preamble {
  /** Physical lines above the table (none for most files). */
  lines: number;
  delimiter: string;
  /** The sample from the table's first line on. */
  body: string;
}

/** Excel's first-line delimiter directive: `sep=;`. */
const SEP_DIRECTIVE = /^sep=([^\r\n])(\r\n|\n|\r)/i;
const MAX_TITLE_LINES = 5;

/**
 * Lines above the table: Excel's `sep=;` directive (which also names the
 * delimiter), then title lines of a report export (a name, a date, blank
 * lines): up to 5 leading records of at most one non-empty field, followed by
 * a record as wide as most records of the sample (2 fields or more).
 */
export function sniffPreamble(sample: string, known: { delimiter?: string } = {}, fileName = ''): Preamble {
  const directive = SEP_DIRECTIVE.exec(sample);
  const afterDirective = directive ? sample.slice(directive[0].length) : sample;
  const delimiter = known.delimiter ?? directive?.[1] ?? sniffDelimiter(afterDirective, fileName);
  const titles = titleLines(afterDirective, delimiter);
  const body = titles > 0 ? afterLines(afterDirective, titles) : afterDirective;
  return { lines: (directive ? 1 : 0) + titles, delimiter, body };
}

function titleLines(sample: string, delimiter: string): number {
  const records = new CsvSplitter(delimiter, lineBreakOf(sample)).push(completeLines(sample)).slice(0, 200);
  const width = modalWidth(records.map((r) => r.fields.length));
  if (width < 2 || records.length === 0 || records[0].fields.length === width) return 0;
  const table = records.findIndex((r) => r.fields.length === width);
  if (table < 1 || table > MAX_TITLE_LINES) return 0;
  const titled = records.slice(0, table).every((r) => r.fields.filter((f) => f.trim() !== '').length <= 1);
  return titled ? records[table].line - 1 : 0;
}

function modalWidth(widths: number[]): number {
  const counts = new Map<number, number>();
  for (const w of widths) counts.set(w, (counts.get(w) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || b[0] - a[0])[0]?.[0] ?? 0;
}

/** The text after its first `n` lines. */
function afterLines(text: string, n: number): string {
  const eol = lineEnd(lineBreakOf(text));
  let at = 0;
  for (let i = 0; i < n && at !== -1; i++) at = text.indexOf(eol, at) + 1 || -1;
  return at === -1 ? '' : text.slice(at);
}

/** The sample without its last, possibly cut, line. */
function completeLines(sample: string): string {
  const cut = sample.lastIndexOf(lineEnd(lineBreakOf(sample)));
  return cut > 0 ? sample.slice(0, cut + 1) : sample;
}

function sampleRecords(sample: string, delimiter: string, max = 200): string[][] {
  const s = new CsvSplitter(delimiter, lineBreakOf(sample));
  return s
    .push(completeLines(sample))
    .slice(0, max)
    .map((r) => r.fields);
}

export function sniffDelimiter(sample: string, fileName = ''): string {
  let best: { d: string; score: number } | undefined;
  for (const d of DELIMITERS) {
    const rows = sampleRecords(sample, d);
    if (rows.length === 0) continue;
    const width = modalWidth(rows.map((r) => r.length));
    const freq = rows.filter((r) => r.length === width).length;
    if (width < 2) continue;
    // Consistency first (share of lines with the modal width), then more columns.
    const score = (freq / rows.length) * 1000 + Math.min(width, 100);
    if (!best || score > best.score) best = { d, score };
  }
  if (best) return best.d;
  return /\.(tsv|tab)$/i.test(fileName) ? '\t' : ',';
}

const DATA_LIKE = /^\s*([-+]?(\d[\d,_ ]*)?\.?\d+([eE][-+]?\d+)?%?|\d{4}-\d{2}-\d{2}([ T].*)?|\d{1,2}[/.]\d{1,2}[/.]\d{2,4}|true|false)\s*$/i;

export function sniffHeader(sample: string, delimiter: string): boolean {
  const rows = sampleRecords(sample, delimiter, 2);
  if (rows.length === 0) return true;
  return rows[0].some((f) => f.trim().length > 0) && !rows[0].some((f) => DATA_LIKE.test(f));
}
