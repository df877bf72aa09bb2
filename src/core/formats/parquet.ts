/**
 * Parquet for a warehouse that cannot reach the file (a ClickHouse server and
 * a local file or an unreachable store): the file's bytes are sent to the
 * server, which parses them itself. Parquet is not a stream (the footer at
 * the end says where everything is), and a server reading an HTTP body keeps
 * the whole body in memory, so the file is sent in parts: each part is a
 * complete Parquet file of whole row groups (their bytes untouched, the footer
 * rewritten with shifted offsets), at most about `partBytes` large unless one
 * row group is larger. Memory on both sides stays bounded by a part, not the
 * file. The server also reads the columns and their types from a schema-only
 * file (the footer without row groups), so it types values exactly as it
 * would reading the file itself.
 */
import type { UploadRead } from '../sources/source';
import { decodeStruct, encodeStruct, T, ThriftError, type ThriftStruct, type ThriftValue } from './thrift';

const MAGIC = Buffer.from('PAR1', 'latin1');

/**
 * Settings of every Parquet read: row groups come out in file order (the
 * reader otherwise decodes them in parallel and emits them as they finish), so
 * `_kimball_row` is the row's position in the file. Measured on 3M rows: the
 * same speed within noise.
 */
export const PARQUET_READ_SETTINGS: Readonly<Record<string, number>> = { input_format_parquet_preserve_order: 1 };

/** Knobs with production defaults; tests lower them to cross part boundaries with small files. */
export const parquetTuning = { partBytes: 64 << 20 };

/** Random access to the file: `length` bytes from `start` (a local read or a ranged GET). */
export type ReadAt = (start: number, length: number) => Promise<Buffer>;
/** The bytes from `start` up to `end` (exclusive), streamed. */
export type ReadRange = (start: number, end: number) => AsyncIterable<Buffer>;

export interface RowGroupSpan {
  /** First and one-past-last byte of the row group's column chunks. */
  start: number;
  end: number;
  rows: number;
  /** The RowGroup struct as written. */
  meta: ThriftStruct;
}

export interface ParquetLayout {
  size: number;
  rows: number;
  /** FileMetaData as written. */
  metadata: ThriftStruct;
  rowGroups: RowGroupSpan[];
}

export interface ParquetPart {
  start: number;
  end: number;
  rows: number;
  /** Footer, its length and the closing magic: appended after the row group bytes. */
  tail: Buffer;
}

/** An upload of a Parquet file through random access (footer) and ranged streams (row groups). */
export async function parquetUpload(name: string, size: number, readAt: ReadAt, range: ReadRange): Promise<UploadRead> {
  const layout = await readParquetLayout(name, size, readAt);
  return {
    kind: 'upload',
    format: 'Parquet',
    schema: parquetSchemaFile(layout),
    settings: { ...PARQUET_READ_SETTINGS },
    parts: parquetParts(layout).map((p) => () => parquetPartBytes(p, range)),
  };
}

/**
 * Footers hold the schema and every row group's offsets: kilobytes, a few megabytes for very wide
 * or long files. A larger length is a corrupt or hostile file, refused before it is read into memory.
 */
export const PARQUET_MAX_FOOTER_BYTES = 128 * 1024 * 1024;

/** Reads and checks the footer; `name` names the file in errors. */
export async function readParquetLayout(name: string, size: number, readAt: ReadAt): Promise<ParquetLayout> {
  const bad = (why: string): Error => new Error(`${name} is not a readable Parquet file (${why}).`);
  if (size < 12) throw bad(`${size} bytes is too short`);
  const [head, end] = await Promise.all([readAt(0, 4), readAt(size - 8, 8)]);
  const trailer = end.subarray(4).toString('latin1');
  if (trailer === 'PARE') throw new Error(`${name} is an encrypted Parquet file, which Kimball cannot read.`);
  if (!head.equals(MAGIC) || trailer !== 'PAR1') throw bad('no PAR1 marker at its start and end');
  const footerLength = end.readUInt32LE(0);
  if (footerLength === 0 || footerLength > size - 12) throw bad(`footer length ${footerLength} does not fit a ${size}-byte file`);
  if (footerLength > PARQUET_MAX_FOOTER_BYTES) throw bad(`its footer claims ${footerLength} bytes (limit ${PARQUET_MAX_FOOTER_BYTES})`);
  const footer = await readAt(size - 8 - footerLength, footerLength);
  let metadata: ThriftStruct;
  try {
    metadata = decodeStruct(footer).struct;
  } catch (err) {
    if (err instanceof ThriftError) throw bad(`corrupt footer: ${err.message}`);
    throw err;
  }
  const dataEnd = size - 8 - footerLength;
  const rowGroups = list(metadata, 4).map((g, i) => rowGroupSpan(g, dataEnd, (why) => bad(`row group ${i + 1}: ${why}`)));
  if (!list(metadata, 2).length) throw bad('no schema in its footer');
  return { size, rows: int(metadata, 3) ?? 0, metadata, rowGroups };
}

function rowGroupSpan(g: ThriftStruct, dataEnd: number, bad: (why: string) => Error): RowGroupSpan {
  let start = Infinity;
  let end = 0;
  for (const chunk of list(g, 1)) {
    if (chunk.has(1)) throw bad('its columns live in other files');
    const meta = struct(chunk, 3);
    if (!meta) throw bad('a column chunk has no metadata');
    const size = int(meta, 7);
    const offsets = [int(meta, 9), int(meta, 10), int(meta, 11)].filter((o): o is number => o !== undefined && o >= 4);
    if (size === undefined || offsets.length === 0) throw bad('a column chunk has no offsets');
    const first = Math.min(...offsets);
    start = Math.min(start, first);
    end = Math.max(end, first + size);
  }
  if (start === Infinity) return { start: 4, end: 4, rows: int(g, 3) ?? 0, meta: g };
  if (end > dataEnd) throw bad('column chunks run past the footer');
  return { start, end, rows: int(g, 3) ?? 0, meta: g };
}

/** A Parquet file with the same schema and no rows: enough for the server to tell columns and types. */
export function parquetSchemaFile(layout: ParquetLayout): Buffer {
  const meta = new Map(layout.metadata);
  meta.set(3, i64(0));
  meta.set(4, { type: T.LIST, elem: T.STRUCT, items: [] });
  return Buffer.concat([MAGIC, withLength(encodeStruct(meta))]);
}

/**
 * Consecutive row groups, in file order, gathered into parts of about
 * `partBytes` (a row group larger than that is a part of its own).
 */
export function parquetParts(layout: ParquetLayout, partBytes = parquetTuning.partBytes): ParquetPart[] {
  const parts: ParquetPart[] = [];
  let group: RowGroupSpan[] = [];
  let start = Infinity;
  let end = 0;
  const flush = (): void => {
    if (group.length > 0) parts.push(part(layout, group, start, end));
    group = [];
    start = Infinity;
    end = 0;
  };
  for (const g of layout.rowGroups) {
    if (group.length > 0 && Math.max(end, g.end) - Math.min(start, g.start) > partBytes) flush();
    group.push(g);
    start = Math.min(start, g.start);
    end = Math.max(end, g.end);
  }
  flush();
  return parts;
}

function part(layout: ParquetLayout, groups: RowGroupSpan[], start: number, end: number): ParquetPart {
  // Bytes before `start` are not sent: every offset moves back by this much (plus the leading magic).
  const shift = BigInt(MAGIC.length - start);
  const meta = new Map(layout.metadata);
  const rows = groups.reduce((n, g) => n + g.rows, 0);
  meta.set(3, i64(rows));
  meta.set(4, { type: T.LIST, elem: T.STRUCT, items: groups.map((g) => ({ type: T.STRUCT, fields: shiftedRowGroup(g.meta, shift) })) });
  return { start, end, rows, tail: withLength(encodeStruct(meta)) };
}

function shiftedRowGroup(g: ThriftStruct, shift: bigint): ThriftStruct {
  const out = new Map(g);
  shiftField(out, 5, shift);
  // The ordinal is the position in the original file (encryption only): meaningless in a part.
  out.delete(7);
  const chunks = list(g, 1).map((c): ThriftValue => {
    const chunk = new Map(c);
    const meta = new Map(struct(c, 3));
    for (const f of [9, 10, 11]) shiftField(meta, f, shift);
    // Bloom filters and page indexes sit elsewhere in the file and are not sent; readers do without them.
    for (const f of [14, 15]) meta.delete(f);
    for (const f of [4, 5, 6, 7]) chunk.delete(f);
    chunk.set(3, { type: T.STRUCT, fields: meta });
    shiftField(chunk, 2, shift);
    return { type: T.STRUCT, fields: chunk };
  });
  out.set(1, { type: T.LIST, elem: T.STRUCT, items: chunks });
  return out;
}

/** The bytes of one part: magic, the row groups' bytes as stored, the rewritten footer. */
export async function* parquetPartBytes(p: ParquetPart, range: ReadRange): AsyncGenerator<Buffer> {
  yield MAGIC;
  if (p.end > p.start) yield* range(p.start, p.end);
  yield p.tail;
}

function withLength(footer: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32LE(footer.length, 0);
  return Buffer.concat([footer, len, MAGIC]);
}

function shiftField(s: ThriftStruct, id: number, shift: bigint): void {
  const v = s.get(id);
  // Zero means "not set" for the deprecated file offsets some writers leave at 0.
  if (v && (v.type === T.I64 || v.type === T.I32) && v.value > 0n) s.set(id, { type: v.type, value: v.value + shift });
}

function i64(n: number): ThriftValue {
  return { type: T.I64, value: BigInt(n) };
}

function int(s: ThriftStruct, id: number): number | undefined {
  const v = s.get(id);
  return v && (v.type === T.I64 || v.type === T.I32 || v.type === T.I16 || v.type === T.I8) ? Number(v.value) : undefined;
}

function struct(s: ThriftStruct, id: number): ThriftStruct | undefined {
  const v = s.get(id);
  return v?.type === T.STRUCT ? v.fields : undefined;
}

function list(s: ThriftStruct, id: number): ThriftStruct[] {
  const v = s.get(id);
  if (!v || v.type !== T.LIST) return [];
  return v.items.flatMap((x) => (x.type === T.STRUCT ? [x.fields] : []));
}
