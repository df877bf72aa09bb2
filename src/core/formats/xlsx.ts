/**
 * Excel .xlsx, streamed with exceljs' WorkbookReader: one sheet at a time, rows
 * as text. Formulas yield their cached result, merged cells the value of the
 * merge's top-left cell, dates ISO text. The streaming reader does not report
 * merges (they sit after the rows in the sheet XML), so a cheap first pass
 * over the sheet's XML collects the merge ranges.
 */
import type ExcelJS from 'exceljs';
import type { Readable } from 'node:stream';

// unzipper ships no types; this is the part of its API used here.
interface ZipEntry {
  path: string;
  stream(): Readable;
  buffer(): Promise<Buffer>;
}
interface ZipDirectory {
  files: ZipEntry[];
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const unzipper = require('unzipper') as { Open: { file(path: string): Promise<ZipDirectory> } };

export interface SheetInfo {
  name: string;
  /** The sheet's XML inside the zip, e.g. xl/worksheets/sheet1.xml. */
  entry: string;
}

export class XlsxError extends Error {}

async function openZip(file: string): Promise<ZipDirectory> {
  try {
    return await unzipper.Open.file(file);
  } catch (err) {
    throw new XlsxError(`not a readable .xlsx workbook (${(err as Error).message})`);
  }
}

/** The workbook's sheets in order, from xl/workbook.xml and its relationships. */
export async function listSheets(file: string): Promise<SheetInfo[]> {
  const zip = await openZip(file);
  const get = async (p: string) => {
    const e = zip.files.find((f) => f.path === p);
    if (!e) throw new XlsxError(`not a readable .xlsx workbook (${p} is missing)`);
    return (await e.buffer()).toString('utf8');
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

/** Merge ranges of one sheet: each covered cell (but the top-left) -> its top-left cell. */
async function mergeMap(file: string, entry: string): Promise<Map<string, string>> {
  const zip = await openZip(file);
  const e = zip.files.find((f) => f.path === entry);
  const map = new Map<string, string>();
  if (!e) return map;
  let tail = '';
  for await (const chunk of e.stream() as AsyncIterable<Buffer>) {
    const text = tail + chunk.toString('latin1');
    const re = /<mergeCell\b[^>]*\bref="([A-Z]+)(\d+):([A-Z]+)(\d+)"/g;
    for (const m of text.matchAll(re)) {
      const c1 = colNumber(m[1]);
      const r1 = Number(m[2]);
      const c2 = colNumber(m[3]);
      const r2 = Number(m[4]);
      for (let r = r1; r <= r2; r++) for (let c = c1; c <= c2; c++) if (r !== r1 || c !== c1) map.set(`${r}:${c}`, `${r1}:${c1}`);
    }
    const lastOpen = text.lastIndexOf('<');
    tail = lastOpen >= 0 && text.indexOf('>', lastOpen) < 0 ? text.slice(lastOpen) : '';
  }
  return map;
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
  const merges = await mergeMap(file, sheet.entry);
  const byRow = mergesByRow(merges);
  const masterKeys = new Set(merges.values());
  const masters = new Map<string, string>();
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
          const key = `${row.number}:${col}`;
          let text = cellText(cell.value, cell.numFmt);
          if (merges.size > 0) {
            const master = merges.get(key);
            if (master !== undefined) text = masters.get(master) ?? text;
            else if (masterKeys.has(key)) masters.set(key, text);
          }
          values[col - 1] = text;
        });
        // Covered cells of a merge may be absent from the XML entirely.
        if (merges.size > 0) fillMerged(values, row.number, byRow, masters);
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

function fillMerged(values: string[], row: number, byRow: Map<number, [number, string][]>, masters: Map<string, string>): void {
  for (const [c, master] of byRow.get(row) ?? []) {
    if (values[c - 1] === undefined || values[c - 1] === '') values[c - 1] = masters.get(master) ?? '';
  }
}

/** Covered cells grouped by row, so each row looks only at its own merges. */
function mergesByRow(merges: Map<string, string>): Map<number, [number, string][]> {
  const byRow = new Map<number, [number, string][]>();
  for (const [key, master] of merges) {
    const [r, c] = key.split(':').map(Number);
    let list = byRow.get(r);
    if (!list) byRow.set(r, (list = []));
    list.push([c, master]);
  }
  return byRow;
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
