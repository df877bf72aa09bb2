/**
 * A REST response body parsed as its bytes arrive, so memory stays flat
 * whatever the size: an incremental tokenizer (@streamparser/json) follows
 * the document's structure, and each element of the records array is cut out
 * as its exact bytes and flattened by the JSON file reader's own code
 * (flattenInto): nested objects to dotted names, arrays as compact JSON text,
 * numbers as written. Only the current record's bytes are held, plus the one
 * scalar the next page may need (a cursor field anywhere outside the records).
 */
// Deep imports: the package index would also bundle its value parser, unused here.
import Tokenizer from '@streamparser/json/tokenizer.js';
import TokenType from '@streamparser/json/utils/types/tokenType.js';
import { FieldArrays, flattenInto } from '../formats/json';

/** One record: fields in document order (a repeated key: the last one wins downstream). */
export interface BodyRecord {
  keys: string[];
  values: string[];
  nulls: number;
}

/** A container being read: its dotted path (undefined inside an array) and, in objects, the key awaiting its value. */
interface Frame {
  array: boolean;
  path: string | undefined;
  key?: string;
  expectKey: boolean;
  records: boolean;
}

/** The tokenizer hands numbers over as JS numbers (1.50 -> 1.5); this keeps the text as written too. */
class ExactTokenizer extends Tokenizer {
  lastNumber = '';
  protected override parseNumber(text: string): number {
    this.lastNumber = text;
    return Number(text);
  }
}

/** A record past RECORD_MAX_BYTES: valid JSON, too large to hold. */
export class RecordTooLarge extends Error {}

interface Token {
  token: TokenType;
  value: unknown;
  offset: number;
}

export class RecordsParser {
  /** The captured scalar's text, when the body has it. */
  captured: string | undefined;
  /** Whether the records array was found (else the body does not have the expected shape). */
  found = false;
  private readonly tokenizer = new ExactTokenizer();
  private readonly stack: Frame[] = [];
  private out: BodyRecord[] = [];
  /** Bytes of the record being cut out: the earlier chunks' part, and where it started in the stream. */
  private pieces: Buffer[] = [];
  private recordStart = -1;
  private recordDepth = 0;
  private chunk: Buffer = Buffer.alloc(0);
  private chunkBase = 0;
  /** The first bytes, held until they are known to be a byte-order mark or not. */
  private head: Buffer | undefined = Buffer.alloc(0);
  private started = false;

  /**
   * @param recordsPath dotted path of the records array ('' : the body is the array)
   * @param capture dotted path of a scalar to keep (the next page's cursor)
   */
  constructor(
    readonly recordsPath: string,
    private readonly capture?: string,
  ) {
    this.tokenizer.onToken = (t) => this.onToken(t);
  }

  /** The records completed by this chunk. Throws the tokenizer's error on text that is not JSON. */
  push(bytes: Uint8Array): BodyRecord[] {
    let chunk = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (this.head) {
      // Token offsets do not count a BOM the tokenizer skips: it is cut here, so offsets and bytes agree.
      chunk = Buffer.concat([this.head, chunk]);
      if (chunk.length < BOM.length && BOM.subarray(0, chunk.length).equals(chunk)) {
        this.head = chunk;
        return [];
      }
      this.head = undefined;
      if (chunk.subarray(0, BOM.length).equals(BOM)) chunk = chunk.subarray(BOM.length);
    }
    this.feed(chunk);
    return this.take();
  }

  /** Checks the body ended after one complete value. */
  end(): BodyRecord[] {
    if (this.head?.length) this.feed(this.head);
    this.tokenizer.end();
    if (!this.started) throw new Error('the body is empty');
    if (this.stack.length > 0 || this.recordStart >= 0) throw new Error('the body ends inside a value');
    return this.take();
  }

  private feed(chunk: Buffer): void {
    this.chunk = chunk;
    this.tokenizer.write(chunk);
    this.chunkBase += chunk.length;
    if (this.recordStart < 0) return;
    this.pieces.push(chunk.subarray(Math.max(0, this.recordStart - (this.chunkBase - chunk.length))));
    // A record is held until it ends: one that never ends (or a body that is one huge value) must not take all memory.
    if (this.chunkBase - this.recordStart > RECORD_MAX_BYTES) throw new RecordTooLarge(`a record runs past ${RECORD_MAX_BYTES / 1024 / 1024} MB (the limit of one record)`);
  }

  private take(): BodyRecord[] {
    const out = this.out;
    this.out = [];
    return out;
  }

  private onToken(t: Token): void {
    this.started = true;
    if (this.recordStart >= 0) {
      this.insideRecord(t);
      return;
    }
    const top = this.stack[this.stack.length - 1];
    if (top && !top.array && this.objectSyntax(top, t)) return;
    if (top && top.array && t.token === TokenType.COMMA) return;
    if (t.token === TokenType.RIGHT_BRACE || t.token === TokenType.RIGHT_BRACKET) {
      this.stack.pop();
      return;
    }
    this.value(top, t);
  }

  /** Keys, colons and commas of an object; false for a value. */
  private objectSyntax(top: Frame, t: Token): boolean {
    if (t.token === TokenType.COMMA) top.expectKey = true;
    else if (t.token === TokenType.STRING && top.expectKey) {
      top.key = t.value as string;
      top.expectKey = false;
    } else if (t.token !== TokenType.COLON) return false;
    return true;
  }

  /** A value starts (a container) or is complete (a scalar) at the current position. */
  private value(top: Frame | undefined, t: Token): void {
    const opens = t.token === TokenType.LEFT_BRACE || t.token === TokenType.LEFT_BRACKET;
    if (top?.records) {
      if (opens) this.startRecord(t.offset);
      else this.out.push(scalarRecord(this.scalarText(t)));
      return;
    }
    const path = pathOf(top);
    if (!opens) {
      if (path !== undefined && path === this.capture) this.captured = this.scalarText(t) ?? '';
      return;
    }
    const array = t.token === TokenType.LEFT_BRACKET;
    const records = array && (this.recordsPath === '' ? top === undefined : path === this.recordsPath);
    if (records) this.found = true;
    this.stack.push({ array, path, expectKey: !array, records });
  }

  private startRecord(offset: number): void {
    this.recordStart = offset;
    this.recordDepth = 1;
    this.pieces = [];
  }

  /** Inside a record only the nesting counts: its end is where the record's bytes are cut. */
  private insideRecord(t: Token): void {
    if (t.token === TokenType.LEFT_BRACE || t.token === TokenType.LEFT_BRACKET) this.recordDepth++;
    else if (t.token === TokenType.RIGHT_BRACE || t.token === TokenType.RIGHT_BRACKET) {
      if (--this.recordDepth === 0) this.endRecord(t.offset + 1);
    }
  }

  private endRecord(end: number): void {
    const tail = this.chunk.subarray(Math.max(0, this.recordStart - this.chunkBase), end - this.chunkBase);
    const bytes = this.pieces.length > 0 ? Buffer.concat([...this.pieces, tail]) : tail;
    this.recordStart = -1;
    this.pieces = [];
    const fields = new FieldArrays();
    const nulls = flattenInto(bytes.toString('utf8'), fields);
    this.out.push({ keys: fields.keys, values: fields.values, nulls });
  }

  /** A scalar's text as the file reader gives it; undefined for null. */
  private scalarText(t: Token): string | undefined {
    switch (t.token) {
      case TokenType.NUMBER:
        return this.tokenizer.lastNumber;
      case TokenType.NULL:
        return undefined;
      default:
        return String(t.value);
    }
  }
}

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/** The largest record held, as the JSON file reader's limit of one value. */
export const RECORD_MAX_BYTES = 256 * 1024 * 1024;

/** The dotted path of the value about to be read in `top`; undefined inside an array (paths name object members only). */
function pathOf(top: Frame | undefined): string | undefined {
  if (!top) return '';
  if (top.array || top.path === undefined || top.key === undefined) return undefined;
  return top.path === '' ? top.key : `${top.path}.${top.key}`;
}

/** A scalar element of the records array is a record of one column, "value" (as in a JSON file). */
function scalarRecord(text: string | undefined): BodyRecord {
  return { keys: ['value'], values: [text ?? ''], nulls: text === undefined ? 1 : 0 };
}
