/**
 * Thrift compact protocol, generically: a struct decodes to a tree of typed
 * values that encodes back to the same bytes, so code can change a few
 * fields of a Parquet footer (offsets, row groups) and keep everything else,
 * including fields this code does not know, exactly as written.
 */

/** Compact protocol type codes. */
export const T = {
  STOP: 0,
  TRUE: 1,
  FALSE: 2,
  I8: 3,
  I16: 4,
  I32: 5,
  I64: 6,
  DOUBLE: 7,
  BINARY: 8,
  LIST: 9,
  SET: 10,
  MAP: 11,
  STRUCT: 12,
} as const;

export type ThriftValue =
  | { type: typeof T.TRUE | typeof T.FALSE; value: boolean }
  | { type: typeof T.I8 | typeof T.I16 | typeof T.I32 | typeof T.I64; value: bigint }
  | { type: typeof T.DOUBLE | typeof T.BINARY; value: Buffer }
  | { type: typeof T.LIST | typeof T.SET; elem: number; items: ThriftValue[] }
  | { type: typeof T.MAP; key: number; val: number; entries: [ThriftValue, ThriftValue][] }
  | { type: typeof T.STRUCT; fields: ThriftStruct };

/** Field id -> value, in the order read (encoding sorts by id, as writers do). */
export type ThriftStruct = Map<number, ThriftValue>;

export class ThriftError extends Error {}

/** Decodes one struct starting at `offset`; `end` says where it stopped. */
export function decodeStruct(buf: Buffer, offset = 0): { struct: ThriftStruct; end: number } {
  const r = new Reader(buf, offset);
  const struct = r.struct(0);
  return { struct, end: r.pos };
}

export function encodeStruct(s: ThriftStruct): Buffer {
  const w = new Writer();
  w.struct(s);
  return w.finish();
}

/** Nesting deeper than any Parquet footer: guards against hostile input recursing without end. */
const MAX_DEPTH = 64;

class Reader {
  constructor(
    private readonly buf: Buffer,
    public pos: number,
  ) {}

  private byte(): number {
    if (this.pos >= this.buf.length) throw new ThriftError('truncated metadata');
    return this.buf[this.pos++];
  }

  private varint(): bigint {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      const b = this.byte();
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return result;
      shift += 7n;
      if (shift > 70n) throw new ThriftError('malformed varint');
    }
  }

  private zigzag(): bigint {
    const v = this.varint();
    return (v >> 1n) ^ -(v & 1n);
  }

  private size(): number {
    const n = Number(this.varint());
    if (n > this.buf.length - this.pos) throw new ThriftError('length beyond the metadata');
    return n;
  }

  private bytes(n: number): Buffer {
    if (this.pos + n > this.buf.length) throw new ThriftError('truncated metadata');
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  struct(depth: number): ThriftStruct {
    if (depth > MAX_DEPTH) throw new ThriftError('metadata nested too deeply');
    const fields: ThriftStruct = new Map();
    let last = 0;
    for (;;) {
      const head = this.byte();
      const type = head & 0x0f;
      if (type === T.STOP) return fields;
      const delta = head >> 4;
      const id = delta === 0 ? Number(this.zigzag()) : last + delta;
      last = id;
      fields.set(id, this.value(type, depth + 1, true));
    }
  }

  private value(type: number, depth: number, inField: boolean): ThriftValue {
    switch (type) {
      case T.TRUE:
      case T.FALSE:
        // In a field the type carries the value; in a list each bool is a byte.
        if (inField) return { type, value: type === T.TRUE };
        return this.byte() === 1 ? { type: T.TRUE, value: true } : { type: T.FALSE, value: false };
      case T.I8:
        return { type, value: BigInt((this.byte() << 24) >> 24) };
      case T.I16:
      case T.I32:
      case T.I64:
        return { type, value: this.zigzag() };
      case T.DOUBLE:
        return { type, value: this.bytes(8) };
      case T.BINARY:
        return { type, value: this.bytes(this.size()) };
      case T.LIST:
      case T.SET: {
        const head = this.byte();
        const elem = head & 0x0f;
        const n = head >> 4 === 15 ? this.size() : head >> 4;
        const items: ThriftValue[] = [];
        for (let i = 0; i < n; i++) items.push(this.value(elem, depth + 1, false));
        return { type, elem, items };
      }
      case T.MAP: {
        const n = this.size();
        const kv = n > 0 ? this.byte() : 0;
        const entries: [ThriftValue, ThriftValue][] = [];
        for (let i = 0; i < n; i++) entries.push([this.value(kv >> 4, depth + 1, false), this.value(kv & 0x0f, depth + 1, false)]);
        return { type, key: kv >> 4, val: kv & 0x0f, entries };
      }
      case T.STRUCT:
        return { type, fields: this.struct(depth) };
      default:
        throw new ThriftError(`unknown field type ${type}`);
    }
  }
}

class Writer {
  private chunks: Buffer[] = [];
  private cur = Buffer.alloc(1 << 16);
  private pos = 0;

  finish(): Buffer {
    this.chunks.push(this.cur.subarray(0, this.pos));
    return Buffer.concat(this.chunks);
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.cur.length) return;
    this.chunks.push(this.cur.subarray(0, this.pos));
    this.cur = Buffer.alloc(Math.max(1 << 16, n));
    this.pos = 0;
  }

  private byte(b: number): void {
    this.ensure(1);
    this.cur[this.pos++] = b & 0xff;
  }

  private varint(v: bigint): void {
    let x = BigInt.asUintN(64, v);
    while (x >= 0x80n) {
      this.byte(Number(x & 0x7fn) | 0x80);
      x >>= 7n;
    }
    this.byte(Number(x));
  }

  private zigzag(v: bigint): void {
    this.varint(BigInt.asUintN(64, (v << 1n) ^ (v >> 63n)));
  }

  private raw(b: Buffer): void {
    this.ensure(b.length);
    b.copy(this.cur, this.pos);
    this.pos += b.length;
  }

  struct(s: ThriftStruct): void {
    let last = 0;
    for (const id of [...s.keys()].sort((a, b) => a - b)) {
      const v = s.get(id) as ThriftValue;
      const delta = id - last;
      if (delta > 0 && delta <= 15) this.byte((delta << 4) | v.type);
      else {
        this.byte(v.type);
        this.zigzag(BigInt(id));
      }
      last = id;
      this.value(v, true);
    }
    this.byte(T.STOP);
  }

  private value(v: ThriftValue, inField: boolean): void {
    switch (v.type) {
      case T.TRUE:
      case T.FALSE:
        if (!inField) this.byte(v.value ? 1 : 2);
        return;
      case T.I8:
        this.byte(Number(BigInt.asUintN(8, v.value)));
        return;
      case T.I16:
      case T.I32:
      case T.I64:
        this.zigzag(v.value);
        return;
      case T.DOUBLE:
        this.raw(v.value);
        return;
      case T.BINARY:
        this.varint(BigInt(v.value.length));
        this.raw(v.value);
        return;
      case T.LIST:
      case T.SET:
        if (v.items.length < 15) this.byte((v.items.length << 4) | v.elem);
        else {
          this.byte(0xf0 | v.elem);
          this.varint(BigInt(v.items.length));
        }
        for (const item of v.items) this.value(item, false);
        return;
      case T.MAP:
        this.varint(BigInt(v.entries.length));
        if (v.entries.length > 0) this.byte((v.key << 4) | v.val);
        for (const [k, val] of v.entries) {
          this.value(k, false);
          this.value(val, false);
        }
        return;
      case T.STRUCT:
        this.struct(v.fields);
    }
  }
}
