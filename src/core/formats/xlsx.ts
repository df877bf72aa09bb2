/**
 * Excel .xlsx, streamed with exceljs' WorkbookReader: one sheet at a time, rows
 * as text. Formulas yield their cached result, merged cells the value of the
 * merge's top-left cell, dates ISO text. The streaming reader does not report
 * merges (they sit after the rows in the sheet XML), so a cheap first pass
 * over the workbook collects the sheet's merge ranges and used range, and
 * inflates every part once, counting bytes, before exceljs holds any of them.
 */
import type ExcelJS from 'exceljs';
import { statSync } from 'node:fs';
import type { Readable } from 'node:stream';

// unzipper ships no types; this is the part of its API used here.
interface ZipEntry {
  path: string;
  /** From the zip's central directory: what the part says it inflates to. */
  uncompressedSize: number;
  stream(): Readable;
  buffer(): Promise<Buffer>;
}
interface ZipDirectory {
  files: ZipEntry[];
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const unzipper = require('unzipper') as { Open: { file(path: string): Promise<ZipDirectory> } };

/**
 * A workbook's parts may inflate to this many times the file's size at most. Office XML compresses 5 to
 * 20 times; a deflate bomb up to 1,000 times, and exceljs holds shared strings whole in memory.
 */
export const XLSX_MAX_EXPANSION = 100;
/** Whatever its size, a workbook may inflate to this much, so small files of very repetitive XML still read. */
export const XLSX_MIN_EXPANDED_LIMIT = 256e6;

export interface SheetInfo {
  name: string;
  /** The sheet's XML inside the zip, e.g. xl/worksheets/sheet1.xml. */
  entry: string;
}

export class XlsxError extends Error {}

/** The zip's directory, refused before anything is inflated when its parts declare more than the limit. */
async function openZip(file: string): Promise<ZipDirectory> {
  let zip: ZipDirectory;
  try {
    zip = await unzipper.Open.file(file);
  } catch (err) {
    throw new XlsxError(`not a readable .xlsx workbook (${(err as Error).message})`);
  }
  const declared = zip.files.reduce((n, f) => n + f.uncompressedSize, 0);
  const limit = expandedLimit(file);
  if (declared > limit) throw expansionError(declared, limit);
  return zip;
}

function expandedLimit(file: string): number {
  return Math.max(XLSX_MIN_EXPANDED_LIMIT, XLSX_MAX_EXPANSION * statSync(file).size);
}

function expansionError(bytes: number, limit: number): XlsxError {
  return new XlsxError(`this workbook expands to ${sizeText(bytes)} (limit ${sizeText(limit)})`);
}

function sizeText(bytes: number): string {
  return bytes >= 1e8 ? `${(bytes / 1e9).toFixed(bytes < 1e9 ? 2 : 1)} GB` : `${Math.ceil(bytes / 1e6)} MB`;
}

/** The workbook's sheets in order, from xl/workbook.xml and its relationships. */
export async function listSheets(file: string): Promise<SheetInfo[]> {
  const zip = await openZip(file);
  const get = async (p: string) => {
    const e = zip.files.find((f) => f.path === p);
    if (!e) throw new XlsxError(`not a readable .xlsx workbook (${p} is missing)`);
    const chunks: Buffer[] = [];
    await inflateCounted(e, (c) => chunks.push(c));
    return Buffer.concat(chunks).toString('utf8');
  };
  const workbook = await get('xl/workbook.xml');
  const rels = await get('xl/_rels/workbook.xml.rels');
  const targets = new Map<string, string>();
  for (const m of rels.matchAll(/<Relationship\b[^>]*>/g)) {
    const id = attr(m[0], 'Id');
    const target = attr(m[0], 'Target');
    if (id && target) targets.set(id, target.startsWith('/') ? target.slice(1) : `xl/${target}`);
  }
  const sheets: SheetInfo[] = [];
  for (const m of workbook.matchAll(/<sheet\b[^>]*>/g)) {
    const name = attr(m[0], 'name');
    const rid = attr(m[0], 'r:id');
    const entry = rid ? targets.get(rid) : undefined;
    if (name !== undefined && entry) sheets.push({ name: xmlUnescape(name), entry });
  }
  return sheets;
}

function attr(tag: string, name: string): string | undefined {
  const m = new RegExp(`\\s${name.replace(':', '\\:')}="([^"]*)"`).exec(tag);
  return m?.[1];
}

function xmlUnescape(s: string): string {
  return s.replace(/&(lt|gt|amp|quot|apos|#\d+|#x[0-9a-fA-F]+);/g, (_, e: string) => {
    const named: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };
    if (named[e]) return named[e];
    return String.fromCodePoint(e[1] === 'x' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10));
  });
}

/** A merge range, clipped to the sheet's used range; `key` names its top-left cell. */
interface Merge {
  r1: number;
  c1: number;
  r2: number;
  c2: number;
  key: string;
}

/** What one pass over a sheet's XML finds: its merges and the extent of its cells. */
interface SheetScan {
  merges: Merge[];
  maxRow: number;
  maxCol: number;
}

/**
 * Inflates every part of the workbook once, counting bytes: a part that inflates past what the
 * directory declared (which openZip checked) is refused there, before exceljs reads it whole. The
 * sheet's own XML is scanned on the way for its merges and used range.
 */
async function inspectWorkbook(file: string, entry: string): Promise<SheetScan> {
  const zip = await openZip(file);
  const scan: SheetScan = { merges: [], maxRow: 0, maxCol: 0 };
  for (const part of zip.files) await inflateCounted(part, part.path === entry ? sheetScanner(scan) : () => undefined);
  scan.merges = scan.merges.flatMap((m) => clipMerge(m, scan));
  return scan;
}

/** Inflates one part, refused as soon as it passes the size the directory declared for it. */
async function inflateCounted(part: ZipEntry, onChunk: (chunk: Buffer) => void): Promise<void> {
  let inflated = 0;
  try {
    for await (const chunk of part.stream() as AsyncIterable<Buffer>) {
      inflated += chunk.length;
      if (inflated > part.uncompressedSize) throw new XlsxError(`this workbook expands past what its zip directory declares (${part.path}: more than ${part.uncompressedSize} bytes)`);
      onChunk(chunk);
    }
  } catch (err) {
    if (err instanceof XlsxError) throw err;
    throw new XlsxError(`not a readable .xlsx workbook (${part.path}: ${(err as Error).message})`);
  }
}

/** A merge never creates cells beyond the data: one over A1:XFD1048576 covers only the cells the sheet has. */
function clipMerge(m: Merge, used: SheetScan): Merge[] {
  if (m.r1 > used.maxRow || m.c1 > used.maxCol) return [];
  return [{ ...m, r2: Math.min(m.r2, used.maxRow), c2: Math.min(m.c2, used.maxCol) }];
}

/** Feeds chunks of a sheet's XML; rows and cells without an r attribute count by position. */
function sheetScanner(scan: SheetScan): (chunk: Buffer) => void {
  let tail = '';
  let row = 0;
  let col = 0;
  return (chunk) => {
    const text = tail + chunk.toString('latin1');
    for (const m of text.matchAll(/<(row|c|mergeCell)\b([^>]*)>/g)) {
      const ref = /\sr(?:ef)?="([A-Z]*)(\d+)(?::([A-Z]+)(\d+))?"/.exec(m[2]);
      if (m[1] === 'row') {
        row = ref ? Number(ref[2]) : row + 1;
        col = 0;
        scan.maxRow = Math.max(scan.maxRow, row);
      } else if (m[1] === 'c') {
        col = ref?.[1] ? colNumber(ref[1]) : col + 1;
        scan.maxCol = Math.max(scan.maxCol, col);
      } else if (ref?.[1] && ref[3]) {
        const [r1, c1] = [Number(ref[2]), colNumber(ref[1])];
        scan.merges.push({ r1, c1, r2: Number(ref[4]), c2: colNumber(ref[3]), key: `${r1}:${c1}` });
      }
    }
    const lastOpen = text.lastIndexOf('<');
    tail = lastOpen >= 0 && text.indexOf('>', lastOpen) < 0 ? text.slice(lastOpen) : '';
  };
}

/**
 * Fills a row's covered cells with their merge's top-left value. Rows come in ascending order (as the
 * sheet XML stores them), so the merges covering the current row are kept in a sweep.
 */
class MergeFill {
  private readonly masters = new Map<string, string>();
  private active: Merge[] = [];
  private next = 0;
  private lastRow = 0;

  constructor(private readonly merges: Merge[]) {
    merges.sort((a, b) => a.r1 - b.r1);
  }

  get empty(): boolean {
    return this.merges.length === 0;
  }

  apply(row: number, values: string[]): void {
    for (const m of this.covering(row)) {
      if (row === m.r1) this.masters.set(m.key, values[m.c1 - 1] ?? '');
      // A covered cell keeps its own text when the top-left cell was never read.
      const text = this.masters.get(m.key);
      if (text === undefined) continue;
      for (let c = m.c1; c <= m.c2; c++) if (row !== m.r1 || c !== m.c1) values[c - 1] = text;
    }
  }

  private covering(row: number): Merge[] {
    if (row < this.lastRow) {
      this.active = [];
      this.next = 0;
    }
    this.lastRow = row;
    while (this.next < this.merges.length && this.merges[this.next].r1 <= row) this.active.push(this.merges[this.next++]);
    this.active = this.active.filter((m) => m.r2 >= row);
    return this.active;
  }
}

function colNumber(letters: string): number {
  let n = 0;
  for (const ch of letters) n = n * 26 + (ch.charCodeAt(0) - 64);
  return n;
}

export interface SheetRow {
  /** Excel row number. */
  line: number;
  values: string[];
}

/** Rows of one sheet as text, empty rows left out; the first row returned is the header. */
export async function* readSheet(file: string, sheet: SheetInfo, signal?: AbortSignal): AsyncGenerator<SheetRow> {
  const merges = new MergeFill((await inspectWorkbook(file, sheet.entry)).merges);
  // exceljs is large: load it only when a workbook is read.
  const { default: Excel } = await import('exceljs');
  const reader = new Excel.stream.xlsx.WorkbookReader(file, {
    worksheets: 'emit',
    sharedStrings: 'cache',
    styles: 'cache',
    hyperlinks: 'ignore',
    entries: 'ignore',
  });
  let found = false;
  try {
    for await (const ws of reader) {
      if ((ws as unknown as { name?: string }).name !== sheet.name) continue;
      found = true;
      for await (const row of ws) {
        if (signal?.aborted) throw new Error('The load was cancelled.');
        const values: string[] = [];
        row.eachCell({ includeEmpty: true }, (cell, col) => {
          values[col - 1] = cellText(cell.value, cell.numFmt);
        });
        // Covered cells of a merge may be absent from the XML entirely.
        if (!merges.empty) merges.apply(row.number, values);
        for (let i = 0; i < values.length; i++) values[i] ??= '';
        if (values.some((v) => v !== '')) yield { line: row.number, values };
      }
      break;
    }
  } catch (err) {
    if (err instanceof XlsxError || signal?.aborted) throw err;
    throw new XlsxError(`not a readable .xlsx workbook (${(err as Error).message})`);
  }
  if (!found) throw new XlsxError(`the workbook has no sheet named "${sheet.name}"`);
}

type Cell = ExcelJS.CellValue;

/** A cell's value as text: the value a user sees, never a formula. */
export function cellText(v: Cell, numFmt?: string): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return isDateFormat(numFmt) ? isoDate(serialToDate(v)) : String(v);
  if (typeof v === 'boolean') return v ? 'TRUE' : 'FALSE';
  if (v instanceof Date) return isoDate(v);
  if ('richText' in v) return v.richText.map((r) => r.text).join('');
  if ('error' in v) return String(v.error);
  if ('formula' in v || 'sharedFormula' in v) {
    const result = (v as { result?: unknown }).result;
    if (result === undefined || result === null) return '';
    if (typeof result === 'object' && result !== null && 'error' in result) return String((result as { error: unknown }).error);
    return cellText(result as Cell, numFmt);
  }
  if ('text' in v) return typeof v.text === 'string' ? v.text : cellText(v.text as Cell);
  return JSON.stringify(v);
}

function serialToDate(serial: number): Date {
  return new Date(Math.round((serial - 25569) * 86400000));
}

/** YYYY-MM-DD for whole days, else YYYY-MM-DDTHH:MM:SS[.mmm] (Excel times carry no zone). */
export function isoDate(d: Date): string {
  const iso = d.toISOString();
  if (iso.endsWith('T00:00:00.000Z')) return iso.slice(0, 10);
  return iso.endsWith('.000Z') ? iso.slice(0, 19) : iso.slice(0, 23);
}

function isDateFormat(fmt?: string): boolean {
  if (!fmt || fmt === 'General') return false;
  const bare = fmt.replace(/"[^"]*"/g, '').replace(/\[[^\]]*\]/g, '').replace(/\\./g, '');
  return /[dmyhs]/i.test(bare) && !/^[#0.,%E+\-\s]*$/.test(bare);
}
