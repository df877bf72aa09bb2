/**
 * Delimiter and header sniffing from the start of a delimited file: the
 * delimiter is the candidate that splits the sample lines into the same number
 * (> 1) of fields most consistently; the first line is a header unless one of
 * its fields looks like data (a number or a date), which header
 * names practically never are.
 */
import { CsvSplitter, lineBreakOf } from './csv';

export const DELIMITERS = [',', '\t', ';', '|'] as const;

export interface CsvDialect {
  delimiter: string;
  header: boolean;
}

export function sniffDialect(sample: string, known: { delimiter?: string; header?: boolean } = {}, fileName = ''): CsvDialect {
  const delimiter = known.delimiter ?? sniffDelimiter(sample, fileName);
  const header = known.header ?? sniffHeader(sample, delimiter);
  return { delimiter, header };
}

/** The sample without its last, possibly cut, line. */
function completeLines(sample: string): string {
  const cut = sample.lastIndexOf(lineBreakOf(sample) === 'cr' ? '\r' : '\n');
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
    const counts = new Map<number, number>();
    for (const r of rows) counts.set(r.length, (counts.get(r.length) ?? 0) + 1);
    const [width, freq] = [...counts.entries()].sort((a, b) => b[1] - a[1] || b[0] - a[0])[0];
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
