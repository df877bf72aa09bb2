/**
 * Byte streams -> string records for the streamed path. Generic over where the
 * bytes come from (a file, an S3 object, an HTTP body), so every source kind
 * reads the same formats the same way.
 */
import { basename } from 'node:path';
import type { NativeRead, StreamRead, StreamRecord } from '../sources/source';
import { CsvSplitter, lineBreakOf, lineEnd, type CsvRecord, type LineBreak } from './csv';
import { BINARY_SHARE, binaryShare, detectEncoding, textDecoder, type TextEncoding } from './encoding';
import { FieldArrays, flattenInto, flattenJson, JSON_MAX_VALUE_CHARS, JsonSplitter, topLevelMembers, type FlatRecord } from './json';
import { sniffHeader, sniffPreamble } from './sniff';
import { XmlRecordReader } from './xml';
import { readSheet, type SheetInfo } from './xlsx';

export type FileFormat = 'csv' | 'parquet' | 'json' | 'ndjson' | 'xml' | 'xlsx' | 'xls';

const EXTENSIONS: Record<string, FileFormat> = {
  csv: 'csv',
  tsv: 'csv',
  tab: 'csv',
  psv: 'csv',
  parquet: 'parquet',
  json: 'json',
  ndjson: 'ndjson',
  jsonl: 'ndjson',
  xml: 'xml',
  xlsx: 'xlsx',
  xls: 'xls',
};

/** The format of a file from its extension, undefined for files Kimball does not read. */
export function formatOf(fileName: string): FileFormat | undefined {
  const m = /\.([A-Za-z0-9]+)$/.exec(fileName);
  return m ? EXTENSIONS[m[1].toLowerCase()] : undefined;
}

export const SAMPLE_BYTES = 64 * 1024;

export type ByteSource = AsyncIterable<Buffer | Uint8Array | string>;

/** The first `size` bytes of a stream and the whole stream again (the head is replayed). */
export async function peek(bytes: ByteSource, size = SAMPLE_BYTES): Promise<{ head: Buffer; all: AsyncIterable<Buffer> }> {
  const it = bytes[Symbol.asyncIterator]();
  const parts: Buffer[] = [];
  let n = 0;
  let finished = false;
  while (n < size) {
    const r = await it.next();
    if (r.done) {
      finished = true;
      break;
    }
    const b = toBuffer(r.value);
    parts.push(b);
    n += b.length;
  }
  const head = Buffer.concat(parts, n);
  async function* all(): AsyncGenerator<Buffer> {
    if (head.length > 0) yield head;
    if (finished) return;
    for (;;) {
      const r = await it.next();
      if (r.done) return;
      yield toBuffer(r.value);
    }
  }
  return { head, all: all() };
}

function toBuffer(v: Buffer | Uint8Array | string): Buffer {
  return typeof v === 'string' ? Buffer.from(v) : Buffer.isBuffer(v) ? v : Buffer.from(v.buffer, v.byteOffset, v.byteLength);
}

async function* decoded(bytes: AsyncIterable<Buffer>, encoding: TextEncoding, bom: number): AsyncGenerator<string> {
  const d = textDecoder(encoding);
  let first = true;
  for await (const chunk of bytes) {
    const text = d.write(first && bom > 0 ? chunk.subarray(bom) : chunk);
    first = false;
    if (text) yield text;
  }
  const rest = d.end();
  if (rest) yield rest;
}

export interface DelimitedOptions {
  delimiter?: string;
  header?: boolean;
  encoding?: TextEncoding;
  fileName?: string;
  signal?: AbortSignal;
}

/** What a delimited file looks like, from its first bytes. */
export interface DelimitedLayout {
  encoding: TextEncoding;
  bom: number;
  invalidUtf8: number;
  delimiter: string;
  header: boolean;
  /** Source column names (header fields, or column_1..n). */
  columns: string[];
  /** Physical lines of the header (a quoted header name may span lines); 0 without a header. */
  headerLines: number;
  lineBreak: LineBreak;
  /** Physical lines above the table (Excel's sep= line, report titles), never loaded. */
  preambleLines: number;
}

export function delimitedLayout(head: Buffer, o: DelimitedOptions = {}): DelimitedLayout {
  const detected = detectEncoding(head);
  const encoding = o.encoding ?? detected.encoding;
  // A binary file named .csv would otherwise load as one garbled row of mojibake.
  assertText(head, encoding, o.fileName);
  const bom = o.encoding ? bomLength(head, o.encoding) : detected.bom;
  const d = textDecoder(encoding);
  const sample = d.write(head.subarray(bom));
  const lineBreak = lineBreakOf(sample);
  const eol = lineEnd(lineBreak);
  const { lines: preambleLines, delimiter, body } = sniffPreamble(sample, { delimiter: o.delimiter }, o.fileName);
  const header = o.header ?? sniffHeader(body, delimiter);
  const first = new CsvSplitter(delimiter, lineBreak).push(body.includes(eol) ? body : body + eol)[0];
  const width = first?.fields.length ?? 0;
  const columns = header && first ? first.fields : Array.from({ length: width }, (_, i) => `column_${i + 1}`);
  const headerLines = header && first ? first.raw.split(eol).length : 0;
  return { encoding, bom, invalidUtf8: o.encoding ? 0 : detected.invalidUtf8, delimiter, header, columns, headerLines, lineBreak, preambleLines };
}

/** What ClickHouse's own CSV reader needs, wherever the bytes are (file(), s3()): all but `from` and `params`. */
export type NativeCsv = Omit<NativeRead, 'kind' | 'from' | 'params'> & {
  /** The read's structure: columns by position under safe names (c1..cn), so hostile header names never reach SQL. */
  structure: string;
};

/**
 * A native CSV read: every value String and untrimmed, unparsable rows
 * recorded for the rejects table. Rows are numbered by the reader's
 * `_row_number`, in file order (rowNumberInAllBlocks() numbers blocks as
 * threads finish them). The header is read as row 0 and filtered out rather
 * than skipped: a skipped header shifts the numbers of the first 10 MB
 * segment against the others. (Rejected rows are counted between segments but
 * not within one, so numbers after a reject may skip one; they stay unique
 * and in file order.)
 */
export function nativeCsv(layout: DelimitedLayout, tail?: Buffer): NativeCsv {
  const positional = layout.columns.map((_, i) => `c${i + 1}`);
  return {
    structure: positional.map((c) => `${c} String`).join(', '),
    columns: layout.columns,
    select: positional.map((c) => `\`${c}\``),
    ...(layout.header ? { rowNumber: '_row_number', where: '_row_number > 0', headerRows: 1 } : { rowNumber: '_row_number + 1', headerRows: 0 }),
    settings: nativeCsvSettings(layout, tail),
    recordErrors: true,
    headerLines: layout.headerLines,
  };
}

/** A null marker no real file contains, so ClickHouse never turns a value into NULL. */
const CSV_NO_NULL = 'kimball:no-null:6f1d0c2e';

/**
 * Settings for ClickHouse's own CSV reader (file(), s3(), url()) that keep
 * every value's text exactly as the streamed path does: no trimming, no
 * single quotes, an unquoted \N stays text, a tab or space delimiter allowed.
 */
export function nativeCsvSettings(layout: DelimitedLayout, tail?: Buffer): Record<string, string | number> {
  return {
    format_csv_delimiter: layout.delimiter,
    input_format_csv_allow_whitespace_or_tab_as_delimiter: layout.delimiter === '\t' || layout.delimiter === ' ' ? 1 : 0,
    // The header is a row to filter (nativeCsv); never guessed by ClickHouse (a header named c1, c2, ... would be).
    input_format_csv_detect_header: 0,
    // Blank lines at the end (spreadsheet exports) are no records, as on the streamed path. Only for a file
    // that has them (its last bytes say so): with the setting, ClickHouse checks after every row (about 2x slower).
    ...(tail && endsWithBlankLine(tail) ? { input_format_csv_skip_trailing_empty_lines: 1 } : {}),
    input_format_csv_trim_whitespaces: 0,
    format_csv_allow_single_quotes: 0,
    format_csv_allow_double_quotes: 1,
    input_format_csv_allow_variable_number_of_columns: 0,
    format_csv_null_representation: CSV_NO_NULL,
  };
}

/**
 * A faster read for files with no value ending in a blank. The exact read
 * (trimming off) costs about 40% more CPU: ClickHouse then checks each
 * field's type, a shared-pointer copy per value that threads contend on.
 * With trimming on and blanks allowed as delimiters, leading blanks stay and
 * only a value's trailing blanks are cut, and nothing else changes: so a file
 * with no blank before a delimiter or line end (scanDelimitedFile) reads the same.
 */
export function fastCsvSettings(layout: DelimitedLayout, tail?: Buffer): Record<string, string | number> {
  return { ...nativeCsvSettings(layout, tail), input_format_csv_trim_whitespaces: 1, input_format_csv_allow_whitespace_or_tab_as_delimiter: 1 };
}

/** Whether text ends with an empty line (a newline right after the last record's newline). */
export function endsWithBlankLine(tail: Buffer): boolean {
  return /\n(\r?\n)+$/.test(tail.toString('latin1'));
}

/** Whether the warehouse's CSV reader gives the same text as the streamed path for this layout. */
export function nativeCsvReadable(layout: DelimitedLayout): boolean {
  // ClickHouse keeps a byte-order mark as text unless it sits in the skipped header line.
  const bomSafe = layout.bom === 0 || layout.headerLines > 0;
  // ClickHouse ends lines at LF only: a CR alone would join the whole file into one record.
  // Nor can it tell lines above the table from rows.
  const plain = layout.lineBreak === 'lf' && layout.preambleLines === 0;
  return layout.encoding === 'utf-8' && layout.invalidUtf8 === 0 && layout.columns.length > 0 && bomSafe && plain;
}

/** Binary bytes (a renamed archive, a stream of zeros from a decompression bomb) are refused from the first bytes. */
function assertText(head: Buffer, encoding: TextEncoding, fileName?: string): void {
  if (encoding.startsWith('utf-16') || binaryShare(head) <= BINARY_SHARE) return;
  throw new Error(`${basename(fileName ?? 'the file')} is not text: ${Math.round(binaryShare(head) * 1000) / 10}% of its first ${head.length} bytes are binary (NUL or control bytes)`);
}

function bomLength(head: Buffer, encoding: TextEncoding): number {
  if (encoding === 'utf-8' && head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return 3;
  if (encoding === 'utf-16le' && head[0] === 0xff && head[1] === 0xfe) return 2;
  if (encoding === 'utf-16be' && head[0] === 0xfe && head[1] === 0xff) return 2;
  return 0;
}

/**
 * Delimited text streamed: decoded to UTF-8, split into records; a record
 * whose field count differs from the header's, or that holds bytes that are
 * not valid UTF-8, is a reject with its line and text.
 */
export async function delimitedRead(bytes: ByteSource, o: DelimitedOptions = {}): Promise<StreamRead> {
  const { head, all } = await peek(bytes);
  const layout = delimitedLayout(head, o);
  return { kind: 'stream', columns: layout.columns, records: delimitedRecords(all, layout, o.signal) };
}

async function* delimitedRecords(bytes: AsyncIterable<Buffer>, layout: DelimitedLayout, signal?: AbortSignal): AsyncGenerator<StreamRecord> {
  const splitter = new CsvSplitter(layout.delimiter, layout.lineBreak);
  const width = layout.columns.length;
  const checkUtf8 = layout.encoding === 'utf-8';
  let skipHeader = layout.header;
  const convert = (r: CsvRecord): StreamRecord | undefined => {
    if (r.line <= layout.preambleLines) return undefined;
    if (skipHeader) {
      skipHeader = false;
      return undefined;
    }
    // The whole text a broken quote swallowed is the reject, so every line it covers is accounted for.
    if (r.badQuote) return { ok: false, line: r.line, reason: `unbalanced quote, ${r.badQuote} (lines ${r.line}-${r.endLine})`, raw: r.raw };
    if (checkUtf8 && r.raw.includes('\uFFFD')) return { ok: false, line: r.line, reason: 'invalid UTF-8 bytes', raw: r.raw };
    if (r.fields.length !== width) {
      return { ok: false, line: r.line, reason: `expected ${width} fields, found ${r.fields.length}`, raw: r.raw };
    }
    return { ok: true, values: r.fields };
  };
  for await (const text of decoded(bytes, layout.encoding, layout.bom)) {
    if (signal?.aborted) throw new Error('The load was cancelled.');
    for (const r of splitter.push(text)) {
      const rec = convert(r);
      if (rec) yield rec;
    }
  }
  for (const r of splitter.end()) {
    const rec = convert(r);
    if (rec) yield rec;
  }
}

function flatRecord(record: FlatRecord, nulls = 0): StreamRecord {
  return { ok: true, columns: [...record.keys()], values: [...record.values()], nulls };
}

/** One JSON record text -> a keyed record (duplicate keys: the loader keeps the last), or a reject. */
function jsonRecord(text: string, line: number): StreamRecord {
  const fields = new FieldArrays();
  try {
    const nulls = flattenInto(text, fields);
    return { ok: true, columns: fields.keys, values: fields.values, nulls };
  } catch (err) {
    return { ok: false, line, reason: `invalid JSON: ${(err as Error).message}`, raw: text };
  }
}

/**
 * JSON: NDJSON line by line (a broken line is one reject); a top-level array
 * element by element; otherwise objects in sequence (pretty-printed).
 */
export async function jsonRead(bytes: ByteSource, o: { ndjson?: boolean; signal?: AbortSignal } = {}): Promise<StreamRead> {
  const { head, all } = await peek(bytes);
  const { encoding, bom } = detectEncoding(head);
  assertText(head, encoding);
  const text = textDecoder(encoding).write(head.subarray(bom)).trimStart();
  const firstLine = text.split('\n', 1)[0];
  const lineMode = o.ndjson || (!text.startsWith('[') && isCompleteJson(firstLine));
  const source = decoded(all, encoding, bom);
  // A .json file of one line may be an envelope around the records (a minified API dump); a .ndjson line never is.
  const texts = lineMode ? ndjsonTexts(source, o.signal) : splitJsonTexts(source, text.startsWith('[') ? 'array' : 'sequence', o.signal);
  const mayWrap = lineMode ? !o.ndjson : !text.startsWith('[');
  return { kind: 'stream', columns: [], records: jsonRecords(texts, mayWrap) };
}

function isCompleteJson(line: string): boolean {
  try {
    flattenJson(line);
    return true;
  } catch {
    return false;
  }
}

interface JsonText {
  text: string;
  line: number;
}

/** NDJSON: one value per non-blank line, a batch per chunk of text. */
async function* ndjsonTexts(text: AsyncIterable<string>, signal?: AbortSignal): AsyncGenerator<JsonText[]> {
  let rest: string[] = [];
  let restChars = 0;
  let line = 0;
  const batch = (lines: string[]): JsonText[] => {
    const out: JsonText[] = [];
    for (const raw of lines) {
      line++;
      const body = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
      if (body.trim() !== '') out.push({ text: body, line });
    }
    return out;
  };
  for await (const chunk of text) {
    if (signal?.aborted) throw new Error('The load was cancelled.');
    const nl = chunk.lastIndexOf('\n');
    if (nl < 0) {
      // The line goes on: its parts are joined once it ends, not copied at every chunk.
      rest.push(chunk);
      restChars += chunk.length;
      if (restChars > JSON_MAX_VALUE_CHARS) throw new Error(`line ${line + 1} runs past ${JSON_MAX_VALUE_CHARS / 1024 / 1024} MB (the limit of one JSON value)`);
      continue;
    }
    const lines = (rest.join('') + chunk.slice(0, nl)).split('\n');
    rest = [chunk.slice(nl + 1)];
    restChars = rest[0].length;
    yield batch(lines);
  }
  yield batch([rest.join('')]);
}

/** A JSON array's elements, or values in sequence, a batch per chunk of text. */
async function* splitJsonTexts(text: AsyncIterable<string>, mode: 'array' | 'sequence', signal?: AbortSignal): AsyncGenerator<JsonText[]> {
  const splitter = new JsonSplitter(mode);
  for await (const chunk of text) {
    if (signal?.aborted) throw new Error('The load was cancelled.');
    yield splitter.push(chunk);
  }
  yield splitter.end();
}

/**
 * Value texts -> records. When the file may be one object wrapping its records
 * (`mayWrap`), the first value waits until a second shows up: a file of one
 * value is read through envelopeRecords.
 */
async function* jsonRecords(batches: AsyncIterable<JsonText[]>, mayWrap: boolean): AsyncGenerator<StreamRecord> {
  let held: JsonText | undefined;
  let seen = 0;
  for await (const batch of batches) {
    for (const t of batch) {
      seen++;
      if (mayWrap && seen === 1) {
        held = t;
        continue;
      }
      if (held) yield jsonRecord(held.text, held.line);
      held = undefined;
      yield jsonRecord(t.text, t.line);
    }
  }
  if (!held) return;
  const inner = envelopeRecords(held.text);
  if (inner) for (const c of inner) yield jsonRecord(c.text, held.line + c.line - 1);
  else yield jsonRecord(held.text, held.line);
}

/**
 * The records of a file that is one object wrapping them, as API dumps are ({"meta": {...}, "data":
 * [{...}, ...]}): its longest array of objects, at any depth, each element's exact text (numbers as
 * written). Else, an object keyed by id whose values are records sharing a field ({"u1": {"name": ...},
 * "u2": {"name": ...}}, as Firebase exports are): one record per member, its key in a column "key".
 * None (the object is the one record) otherwise.
 */
export function envelopeRecords(text: string): { text: string; line: number }[] | undefined {
  let fields: FlatRecord;
  try {
    fields = flattenJson(text).record;
  } catch {
    return undefined;
  }
  return longestObjectArray(fields) ?? keyedRecords(text);
}

function keyedRecords(text: string): { text: string; line: number }[] | undefined {
  const members = topLevelMembers(text);
  if (!members || members.length < 2 || !members.every((m) => m.text.startsWith('{'))) return undefined;
  const fieldsOf = members.map((m) => new Set((topLevelMembers(m.text) ?? []).map((f) => f.key)));
  const counts = new Map<string, number>();
  for (const f of fieldsOf) for (const k of f) counts.set(k, (counts.get(k) ?? 0) + 1);
  // Records share fields: one in 4 of 5 members at least (a configuration's sections share none).
  if (Math.max(0, ...counts.values()) < members.length * 0.8) return undefined;
  // The member's key leads its record; a record with a field named "key" of its own keeps it, the map key goes to "key_1".
  const keyColumn = fieldsOf.some((f) => f.has('key')) ? 'key_1' : 'key';
  return members.map((m) => {
    const rest = m.text.slice(1).trimStart();
    return { text: `{${JSON.stringify(keyColumn)}:${JSON.stringify(m.key)}${rest.startsWith('}') ? '' : ','}${rest}`, line: 1 };
  });
}

function longestObjectArray(fields: FlatRecord): { text: string; line: number }[] | undefined {
  let best: { text: string; line: number }[] | undefined;
  for (const value of fields.values()) {
    if (!value.startsWith('[')) continue;
    const splitter = new JsonSplitter('array');
    let items: { text: string; line: number }[];
    try {
      items = [...splitter.push(value), ...splitter.end()];
    } catch {
      continue;
    }
    if (items.length > (best?.length ?? 0) && items.every((x) => x.text.trimStart().startsWith('{'))) best = items;
  }
  return best;
}

/** Record-oriented XML (see xml.ts). */
export async function xmlRead(bytes: ByteSource, signal?: AbortSignal): Promise<StreamRead> {
  const { head, all } = await peek(bytes);
  const { encoding, bom } = detectEncoding(head);
  assertText(head, encoding);
  return { kind: 'stream', columns: [], records: xmlRecords(decoded(all, encoding, bom), signal) };
}

async function* xmlRecords(text: AsyncIterable<string>, signal?: AbortSignal): AsyncGenerator<StreamRecord> {
  const reader = new XmlRecordReader();
  for await (const chunk of text) {
    if (signal?.aborted) throw new Error('The load was cancelled.');
    for (const r of reader.push(chunk)) yield flatRecord(r.record);
  }
  for (const r of reader.end()) yield flatRecord(r.record);
}

/** Rows searched for the header below title lines. */
const HEADER_SEARCH_ROWS = 10;

/** A header names two columns or more: a title above it is one cell, or one text merged across cells. */
const namesColumns = (values: string[]) => new Set(values.filter((v) => v !== '')).size >= 2;

/**
 * One sheet of a workbook: the header is the first non-empty row that names two columns or more, so a
 * report's title lines above the table ("Sales Report 2024", a merged banner) are skipped; a sheet of
 * one column has its first row as header.
 */
export async function xlsxRead(file: string, sheet: SheetInfo, signal?: AbortSignal): Promise<StreamRead> {
  const rows = readSheet(file, sheet, signal);
  const head: string[][] = [];
  while (head.length < HEADER_SEARCH_ROWS) {
    const r = await rows.next();
    if (r.done) break;
    head.push(r.value.values);
    if (namesColumns(r.value.values)) break;
  }
  const at = Math.max(0, head.findIndex(namesColumns));
  const columns = head[at] ?? [];
  const buffered = head.slice(at + 1);
  async function* records(): AsyncGenerator<StreamRecord> {
    for (const values of buffered) yield { ok: true, values };
    for await (const row of rows) yield { ok: true, values: row.values };
  }
  return { kind: 'stream', columns, records: records() };
}
