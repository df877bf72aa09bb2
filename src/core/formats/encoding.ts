/**
 * Text encodings of delimited files: a BOM decides; otherwise the sample is
 * checked as UTF-8, and only text that is clearly not UTF-8 (invalid sequences
 * and next to no valid multi-byte ones) is read as Windows-1252 (a superset of
 * the printable Latin-1 range). Damaged UTF-8 stays UTF-8: its broken rows are rejects.
 */
import iconv from 'iconv-lite';
import { isUtf8 } from 'node:buffer';
import { closeSync, openSync, readSync } from 'node:fs';
import { paddingScanner } from './padding-scan';

export type TextEncoding = 'utf-8' | 'utf-16le' | 'utf-16be' | 'latin1' | 'windows-1252';

export interface DetectedEncoding {
  encoding: TextEncoding;
  /** Bytes of byte-order mark to skip. */
  bom: number;
  /** UTF-8 with a few invalid sequences: rows holding them become rejects. */
  invalidUtf8: number;
}

export function detectEncoding(sample: Buffer): DetectedEncoding {
  if (sample[0] === 0xef && sample[1] === 0xbb && sample[2] === 0xbf) return { encoding: 'utf-8', bom: 3, invalidUtf8: 0 };
  if (sample[0] === 0xff && sample[1] === 0xfe) return { encoding: 'utf-16le', bom: 2, invalidUtf8: 0 };
  if (sample[0] === 0xfe && sample[1] === 0xff) return { encoding: 'utf-16be', bom: 2, invalidUtf8: 0 };
  const utf16 = utf16WithoutBom(sample);
  if (utf16) return { encoding: utf16, bom: 0, invalidUtf8: 0 };
  const { valid, invalid } = utf8Sequences(sample);
  if (invalid === 0) return { encoding: 'utf-8', bom: 0, invalidUtf8: 0 };
  if (clearlySingleByte(valid, invalid)) return { encoding: 'windows-1252', bom: 0, invalidUtf8: 0 };
  // Damaged UTF-8: read as UTF-8, so the rows holding the broken bytes become rejects rather than mojibake.
  return { encoding: 'utf-8', bom: 0, invalidUtf8: invalid };
}

/**
 * Single-byte text (Windows-1252, Latin-1) forms a valid UTF-8 sequence only by chance: an accented
 * capital followed by a symbol byte ("Ã©"). So a sample with valid multi-byte sequences is UTF-8, unless
 * its invalid bytes outnumber them this many times over (a long Latin-1 text with a stray such pair).
 */
export const SINGLE_BYTE_EVIDENCE = 20;

function clearlySingleByte(valid: number, invalid: number): boolean {
  return valid === 0 || invalid > valid * SINGLE_BYTE_EVIDENCE;
}

/**
 * Share of the sample's bytes that no text file holds: control bytes other than tab, line feed, carriage
 * return, form feed, vertical tab, SUB and ESC (NUL included). Ask only for a single-byte or UTF-8
 * reading: UTF-16 has zero bytes by design.
 */
export function binaryShare(sample: Buffer): number {
  if (sample.length === 0) return 0;
  let n = 0;
  for (const b of sample) if (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0b && b !== 0x0c && b !== 0x0d && b !== 0x1a && b !== 0x1b) n++;
  return n / sample.length;
}

/** Above this share of binary bytes a "text" file is binary data (an image, an archive, a renamed file). */
export const BINARY_SHARE = 0.02;

/** ASCII text in UTF-16 has a zero byte in every other position. */
function utf16WithoutBom(sample: Buffer): TextEncoding | undefined {
  const n = Math.min(sample.length, 4096) & ~1;
  if (n < 8) return undefined;
  let evenZero = 0;
  let oddZero = 0;
  for (let i = 0; i < n; i += 2) {
    if (sample[i] === 0) evenZero++;
    if (sample[i + 1] === 0) oddZero++;
  }
  const pairs = n / 2;
  if (oddZero > pairs * 0.4 && evenZero < pairs * 0.05) return 'utf-16le';
  if (evenZero > pairs * 0.4 && oddZero < pairs * 0.05) return 'utf-16be';
  return undefined;
}

/** Count valid multi-byte UTF-8 sequences and invalid bytes (a sequence cut by the sample's end counts as neither). */
export function utf8Sequences(buf: Buffer): { valid: number; invalid: number } {
  let valid = 0;
  let invalid = 0;
  let i = 0;
  while (i < buf.length) {
    const b = buf[i];
    if (b < 0x80) {
      i++;
      continue;
    }
    const len = b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
    if (len === 0) {
      invalid++;
      i++;
      continue;
    }
    if (i + len > buf.length) break;
    let ok = true;
    for (let k = 1; k < len; k++) if ((buf[i + k] & 0xc0) !== 0x80) ok = false;
    if (ok) {
      valid++;
      i += len;
    } else {
      invalid++;
      i++;
    }
  }
  return { valid, invalid };
}

/** A streaming decoder: bytes in, text out, multi-byte characters split across chunks handled. */
export interface TextDecoderStream {
  write(chunk: Buffer): string;
  end(): string;
}

export function textDecoder(encoding: TextEncoding): TextDecoderStream {
  if (encoding === 'utf-8') {
    const d = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });
    return { write: (c) => d.decode(c, { stream: true }), end: () => d.decode() };
  }
  const d = iconv.getDecoder(encoding === 'latin1' ? 'latin1' : encoding, { stripBOM: false });
  return { write: (c) => d.write(c), end: () => d.end() ?? '' };
}

/** What one pass over a delimited file found. */
export interface DelimitedScan {
  utf8: boolean;
  /** A space or tab right before a delimiter, a line end or the end of the file: a value may end with one. */
  padded: boolean;
}

/**
 * One pass over a whole delimited file: valid UTF-8 (checked natively, a
 * character cut by a 1 MB slice boundary carried over) and whether any value
 * may end with a blank (a space or tab before a delimiter or line end; inside
 * quotes too, so the answer errs towards yes). Reads are synchronous (several
 * times faster than the thread-pool path here) but short, and the event loop
 * gets a turn between slices, so the caller never stalls.
 */
export async function scanDelimitedFile(file: string, delimiter: string, signal?: AbortSignal): Promise<DelimitedScan> {
  const scanner = paddingScanner(delimiter);
  const buf = scanner.slice;
  const blankBefore = (a: number | undefined, b: number): boolean => a !== undefined && scanner.pair(a, b);
  const fd = openSync(file, 'r');
  const result: DelimitedScan = { utf8: true, padded: false };
  try {
    let carry = 0;
    let last: number | undefined;
    for (;;) {
      const n = readSync(fd, buf, carry, buf.length - carry, null);
      const end = carry + n;
      if (n === 0) {
        if (carry > 0 && !isUtf8(buf.subarray(0, carry))) result.utf8 = false;
        // A blank as the file's last byte ends the last value too.
        if (!result.padded && blankBefore(last, 0x0a)) result.padded = true;
        return result;
      }
      const cut = safeCut(buf.subarray(0, end));
      if (result.utf8 && !isUtf8(buf.subarray(0, cut))) result.utf8 = false;
      // Carried bytes come round again at the front, with the pairs across the cut; without any, the pair across the slices is checked alone.
      if (!result.padded && (scanner.padded(end) || (carry === 0 && blankBefore(last, buf[0])))) result.padded = true;
      if ((!result.utf8 && result.padded) || signal?.aborted) return { utf8: false, padded: true };
      last = buf[end - 1];
      carry = end - cut;
      buf.copy(buf, 0, cut, end);
      await new Promise<void>((r) => setImmediate(r));
    }
  } finally {
    closeSync(fd);
  }
}

/** Whether the first bytes of a delimited file already hold a blank before a delimiter or line end. */
export function headIsPadded(head: Buffer, delimiter: string): boolean {
  const scanner = paddingScanner(delimiter);
  const n = head.copy(scanner.slice, 0, 0, scanner.slice.length);
  return scanner.padded(n);
}

/** The end of the last complete UTF-8 sequence (at most 3 bytes back). */
function safeCut(buf: Buffer): number {
  for (let i = buf.length - 1; i >= Math.max(0, buf.length - 4); i--) {
    const b = buf[i];
    if (b < 0x80) return buf.length;
    if (b >= 0xc0) {
      const len = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : 2;
      return i + len <= buf.length ? buf.length : i;
    }
  }
  return buf.length;
}
