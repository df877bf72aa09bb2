/**
 * Record-oriented XML, streamed with saxes: the repeating child elements of the
 * root are the records; a record's attributes and the text of its child
 * elements are its columns (nested elements as dotted paths, attributes of a
 * child as child.attribute, a repeated child as a JSON array of its texts).
 */
import { SaxesParser, type SaxesTagPlain } from 'saxes';
import type { FlatRecord } from './json';

/**
 * A record (from its opening tag), or any text between records, may span this many characters: saxes
 * holds a text node whole until its end tag, so a huge one fails the read rather than fill memory.
 * (saxes expands no entity a DTD declares, so entity bombs fail as undefined entities.)
 */
export const XML_MAX_RECORD_CHARS = 64 * 1024 * 1024;

export interface XmlRecord {
  record: FlatRecord;
  line: number;
}

interface Open {
  path: string;
  text: string;
  children: number;
}

export class XmlRecordReader {
  private readonly parser = new SaxesParser({ xmlns: false, position: true });
  private out: XmlRecord[] = [];
  private error: Error | undefined;
  private depth = 0;
  private record: FlatRecord | undefined;
  private recordLine = 0;
  private stack: Open[] = [];
  private repeated = new Map<string, string[]>();
  /** Characters written, and where the current record (or the text since the last one) began. */
  private written = 0;
  private boundary = 0;
  private boundaryLine = 1;

  constructor() {
    this.parser.on('error', (e) => {
      this.error ??= e;
    });
    this.parser.on('opentag', (t) => this.open(t));
    this.parser.on('closetag', () => this.close());
    this.parser.on('text', (t) => this.text(t));
    this.parser.on('cdata', (t) => this.text(t));
  }

  push(text: string): XmlRecord[] {
    this.parser.write(text);
    this.written += text.length;
    if (this.written - this.boundary > XML_MAX_RECORD_CHARS) {
      throw new Error(`invalid XML: the record or text from line ${this.boundaryLine} runs past ${XML_MAX_RECORD_CHARS / 1024 / 1024} MB (the limit)`);
    }
    return this.take();
  }

  /** A record starts or ends here: the size limit counts from this point. */
  private mark(): void {
    this.boundary = this.parser.position;
    this.boundaryLine = this.parser.line;
  }

  end(): XmlRecord[] {
    this.parser.close();
    return this.take();
  }

  private take(): XmlRecord[] {
    if (this.error) throw new Error(`invalid XML: ${this.error.message}`);
    const out = this.out;
    this.out = [];
    return out;
  }

  private open(t: SaxesTagPlain): void {
    this.depth++;
    if (this.depth === 1) return; // the root
    if (this.depth === 2) {
      this.mark();
      this.record = new Map();
      this.repeated = new Map();
      this.recordLine = this.parser.line;
      for (const [k, v] of Object.entries(t.attributes)) this.record.set(k, v);
      this.stack = [{ path: '', text: '', children: 0 }];
      return;
    }
    const parent = this.stack[this.stack.length - 1];
    parent.children++;
    const path = parent.path ? `${parent.path}.${t.name}` : t.name;
    for (const [k, v] of Object.entries(t.attributes)) this.set(`${path}.${k}`, v);
    this.stack.push({ path, text: '', children: 0 });
  }

  private text(t: string): void {
    if (this.depth >= 2) this.stack[this.stack.length - 1].text += t;
  }

  private close(): void {
    this.depth--;
    if (this.depth === 0 || !this.record) return;
    const node = this.stack.pop();
    if (!node) return;
    if (this.depth === 1) {
      if (node.text.trim()) this.record.set('#text', node.text);
      for (const [k, values] of this.repeated) this.record.set(k, JSON.stringify(values));
      this.out.push({ record: this.record, line: this.recordLine });
      this.record = undefined;
      this.mark();
      return;
    }
    // A leaf keeps its text exactly; an element with children keeps text only if there is some.
    if (node.children === 0 || node.text.trim()) this.set(node.path, node.text);
  }

  private set(key: string, value: string): void {
    const record = this.record;
    if (!record) return;
    const rep = this.repeated.get(key);
    if (rep) rep.push(value);
    else if (record.has(key)) this.repeated.set(key, [record.get(key) ?? '', value]);
    else record.set(key, value);
  }
}
