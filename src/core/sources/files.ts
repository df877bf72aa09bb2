/**
 * Files and folders: every supported file under `path` (recursive, optionally
 * filtered by a glob) is an object, named from its relative path; each sheet
 * of a workbook is an object of its own. UTF-8 CSV/TSV and Parquet are read
 * by the warehouse itself when it runs on this machine (file() table
 * function); Parquet for a server is uploaded (its bytes sent, the server
 * parses them); everything else is streamed.
 */
import { constants, createReadStream } from 'node:fs';
import { access, open, readdir, stat } from 'node:fs/promises';
import { basename, isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { FilesSourceConfig, NativeRead, ReadOptions, Source, SourceDeps, SourceObject, StreamRead, TestResult, UploadRead } from './source';
import { delimitedLayout, delimitedRead, fastCsvSettings, formatOf, jsonRead, nativeCsv, nativeCsvReadable, SAMPLE_BYTES, xlsxRead, xmlRead, type DelimitedLayout, type FileFormat } from '../formats';
import { listSheets, type SheetInfo } from '../formats/xlsx';
import { headIsPadded, scanDelimitedFile } from '../formats/encoding';
import { PARQUET_READ_SETTINGS, parquetUpload } from '../formats/parquet';
import { objectNames } from '../acquire/names';

interface FileEntry {
  file: string;
  format: FileFormat;
  sheet?: SheetInfo;
}

export class FilesSource implements Source {
  private entries = new Map<string, FileEntry>();

  constructor(
    readonly config: FilesSourceConfig,
    private readonly deps: SourceDeps,
  ) {}

  /** The configured path, relative paths against the workspace root. */
  get root(): string {
    return isAbsolute(this.config.path) ? this.config.path : resolve(this.deps.root, this.config.path);
  }

  async test(): Promise<TestResult> {
    try {
      await access(this.root, constants.R_OK);
    } catch (err) {
      return { ok: false, message: `${this.root} cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)}).` };
    }
    const files = await this.files();
    const readable = files.filter((f) => f.format !== 'xls');
    if (readable.length === 0) {
      return { ok: false, message: `${this.root} holds no supported file (CSV, TSV, Parquet, JSON, NDJSON, XML, XLSX)${this.config.glob ? ` matching ${this.config.glob}` : ''}.` };
    }
    const xls = files.length - readable.length;
    const note = xls > 0 ? ` ${xls} legacy .xls file${xls === 1 ? '' : 's'} must be saved as .xlsx first.` : '';
    return { ok: true, message: `${readable.length} file${readable.length === 1 ? '' : 's'} in ${this.root}.${note}` };
  }

  async listObjects(): Promise<SourceObject[]> {
    const files = await this.files();
    const rows: { raw: string; entry: FileEntry; size: number; version: string }[] = [];
    for (const f of files) {
      const st = await stat(f.file);
      const version = `${Math.trunc(st.mtimeMs)}-${st.size}`;
      const rel = relative(this.root, f.file) || basename(f.file);
      const base = rel.replace(/\.[A-Za-z0-9]+$/, '').split(sep).join('/');
      if (f.format === 'xlsx') {
        let sheets: SheetInfo[];
        try {
          sheets = await listSheets(f.file);
        } catch {
          // Listed as one object, so that loading it reports the file as unreadable.
          rows.push({ raw: base, entry: f, size: st.size, version });
          continue;
        }
        const wanted = this.config.sheets;
        const file = base.split('/').pop() ?? base;
        for (const sheet of sheets.filter((s) => !wanted || wanted.includes(s.name))) {
          // customers.xlsx [Customers] is the object customers, not customers__customers.
          const raw = sheet.name.toLowerCase() === file.toLowerCase() ? base : `${base}__${sheet.name}`;
          rows.push({ raw, entry: { ...f, sheet }, size: st.size, version });
        }
      } else rows.push({ raw: base, entry: f, size: st.size, version });
    }
    const names = objectNames(rows.map((r) => r.raw));
    this.entries = new Map(names.map((n, i) => [n, rows[i].entry]));
    return rows.map((r, i) => ({
      name: names[i],
      location: r.entry.sheet ? `${r.entry.file} [${r.entry.sheet.name}]` : r.entry.file,
      size: r.size,
      version: r.version,
      format: r.entry.format,
    }));
  }

  async read(object: SourceObject, options: ReadOptions): Promise<NativeRead | StreamRead | UploadRead> {
    if (!this.entries.has(object.name)) await this.listObjects();
    const entry = this.entries.get(object.name);
    if (!entry) throw new Error(`${this.config.name} has no object ${object.name}.`);
    const { file, format } = entry;
    await access(file, constants.R_OK).catch((err: NodeJS.ErrnoException) => {
      throw new Error(`${file} cannot be read (${err.code ?? err.message}).`);
    });
    // file() treats * ? { } in a path as a glob: such names are streamed instead.
    const native = options.warehouseCanReach && !/[*?{}]/.test(file);
    const bytes = () => createReadStream(file, { highWaterMark: 1 << 20, signal: options.signal });
    switch (format) {
      case 'xls':
        throw new Error(`${basename(file)} is a legacy .xls workbook, which Kimball cannot read: open it in Excel and save it as .xlsx.`);
      case 'xlsx':
        if (!entry.sheet) throw new Error(`${basename(file)} is not a readable .xlsx workbook.`);
        return xlsxRead(file, entry.sheet, options.signal);
      case 'parquet':
        // A warehouse that cannot see the file (a server) gets its bytes sent, and still parses them itself.
        if (!native) return parquetFileUpload(file, options.signal);
        return { kind: 'native', from: 'file({kimball_path:String}, \'Parquet\')', params: { kimball_path: file }, columns: [], settings: { ...PARQUET_READ_SETTINGS } };
      case 'json':
      case 'ndjson':
        return jsonRead(bytes(), { ndjson: format === 'ndjson', signal: options.signal });
      case 'xml':
        return xmlRead(bytes(), options.signal);
      case 'csv': {
        const o = { delimiter: this.config.delimiter, header: this.config.header, encoding: this.config.encoding, fileName: file, signal: options.signal };
        if (native) {
          const first = await head(file);
          const layout = delimitedLayout(first, o);
          if (nativeCsvReadable(layout)) return nativeCsvFile(file, layout, first, await tail(file), options.signal);
        }
        return delimitedRead(bytes(), o);
      }
    }
  }

  /** Supported files under the configured path, sorted. */
  private async files(): Promise<FileEntry[]> {
    const root = this.root;
    const st = await stat(root).catch((err: NodeJS.ErrnoException) => {
      throw new Error(`${root} cannot be read (${err.code ?? err.message}).`);
    });
    if (!st.isDirectory()) {
      // A .txt file is read as delimited text only when chosen explicitly (folders hold READMEs too).
      const format = formatOf(root) ?? (/\.txt$/i.test(root) ? 'csv' : undefined);
      if (!format) throw new Error(`${root} is not a supported file (CSV, TSV, Parquet, JSON, NDJSON, XML, XLSX).`);
      return [{ file: root, format }];
    }
    const glob = this.config.glob ? globRegExp(this.config.glob) : undefined;
    const out: FileEntry[] = [];
    const walk = async (dir: string): Promise<void> => {
      const items = await readdir(dir, { withFileTypes: true });
      for (const it of items.sort((a, b) => a.name.localeCompare(b.name))) {
        if (it.name.startsWith('.')) continue;
        const p = join(dir, it.name);
        if (it.isDirectory()) await walk(p);
        else if (it.isFile()) {
          const format = formatOf(it.name);
          const rel = relative(root, p).split(sep).join('/');
          if (format && (!glob || glob.test(rel))) out.push({ file: p, format });
        }
      }
    };
    await walk(root);
    return out;
  }
}

/** The last bytes of a file (whether it ends with blank lines). */
async function tail(file: string): Promise<Buffer> {
  const fh = await open(file, 'r');
  try {
    const { size } = await fh.stat();
    const n = Math.min(size, 16);
    const buf = Buffer.alloc(n);
    const { bytesRead } = await fh.read(buf, 0, n, size - n);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

async function head(file: string): Promise<Buffer> {
  const fh = await open(file, 'r');
  try {
    const buf = Buffer.alloc(SAMPLE_BYTES);
    const { bytesRead } = await fh.read(buf, 0, SAMPLE_BYTES, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

/** A local Parquet file for a server: the footer read here, row groups streamed from disk part by part. */
async function parquetFileUpload(file: string, signal?: AbortSignal): Promise<UploadRead> {
  const fh = await open(file, 'r');
  try {
    const { size } = await fh.stat();
    const readAt = async (start: number, length: number): Promise<Buffer> => {
      const buf = Buffer.alloc(length);
      const { bytesRead } = await fh.read(buf, 0, length, start);
      return buf.subarray(0, bytesRead);
    };
    const range = (start: number, end: number): AsyncIterable<Buffer> => createReadStream(file, { start, end: end - 1, highWaterMark: 1 << 20, signal });
    return await parquetUpload(basename(file), size, readAt, range);
  } finally {
    await fh.close();
  }
}

/**
 * ClickHouse reads the CSV file itself (nativeCsv). A file whose scan finds no
 * value ending in a blank takes the faster read.
 */
function nativeCsvFile(file: string, layout: DelimitedLayout, first: Buffer, last: Buffer, signal?: AbortSignal): NativeRead {
  const { structure, ...csv } = nativeCsv(layout, last);
  return {
    kind: 'native',
    from: "file({kimball_path:String}, 'CSV', {kimball_structure:String})",
    params: { kimball_path: file, kimball_structure: structure },
    ...csv,
    // A blank before a delimiter in the first bytes already rules the faster read out.
    ...(headIsPadded(first, layout.delimiter) ? {} : { fastSettings: fastCsvSettings(layout, last) }),
    scan: () => scanDelimitedFile(file, layout.delimiter, signal),
  };
}

/** A glob over relative paths: ** any folders, * and ? within a name, {a,b} alternatives. */
export function globRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*' && glob[i + 1] === '*') {
      i++;
      if (glob[i + 1] === '/') {
        i++;
        re += '(?:.*/)?';
      } else re += '.*';
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '{') re += '(?:';
    else if (c === '}') re += ')';
    else if (c === ',' && re.lastIndexOf('(?:') > re.lastIndexOf(')')) re += '|';
    else re += c.replace(/[.+^$()|[\]\\]/g, '\\$&');
  }
  const anchored = glob.includes('/') ? `^${re}$` : `^(?:.*/)?${re}$`;
  return new RegExp(anchored);
}
