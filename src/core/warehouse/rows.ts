import type { Readable } from 'node:stream';
import type { Row } from './warehouse';

/** A JSON result cell as a number: 64-bit integers arrive as strings; missing or non-finite cells count as 0. */
export function toNumber(x: unknown): number {
  const n = typeof x === 'number' ? x : Number(x ?? 0);
  return Number.isFinite(n) ? n : 0;
}

export function parseJsonEachRow<T extends Row>(text: string): T[] {
  const rows: T[] = [];
  for (const line of text.split('\n')) {
    if (line.length > 0) rows.push(JSON.parse(line) as T);
  }
  return rows;
}

export interface LineChunk {
  bytes: Buffer;
  lines: number;
}

/**
 * Re-cut a byte stream into chunks of about `target` bytes that end on a line
 * boundary, so each chunk of a line-delimited format is a valid insert on its own.
 */
export async function* rechunkLines(
  body: Readable | AsyncIterable<Buffer | string>,
  target: number,
): AsyncGenerator<LineChunk> {
  let parts: Buffer[] = [];
  let size = 0;
  for await (const piece of body as AsyncIterable<Buffer | string>) {
    const buf = typeof piece === 'string' ? Buffer.from(piece) : piece;
    parts.push(buf);
    size += buf.length;
    if (size < target) continue;
    const all = Buffer.concat(parts, size);
    const cut = all.lastIndexOf(10);
    if (cut < 0) {
      parts = [all];
      continue;
    }
    const head = all.subarray(0, cut + 1);
    yield { bytes: head, lines: countLines(head) };
    const rest = all.subarray(cut + 1);
    parts = rest.length ? [Buffer.from(rest)] : [];
    size = rest.length;
  }
  if (size > 0) {
    let tail = Buffer.concat(parts, size);
    if (tail[tail.length - 1] !== 10) tail = Buffer.concat([tail, Buffer.from('\n')]);
    yield { bytes: tail, lines: countLines(tail) };
  }
}

/** Newline bytes in a buffer: the rows of a line-delimited insert body. */
export function countLines(buf: Buffer): number {
  let n = 0;
  let i = -1;
  while ((i = buf.indexOf(10, i + 1)) !== -1) n++;
  return n;
}
