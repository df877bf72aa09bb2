/** Helpers shared by the source tests. */
import assert from 'node:assert/strict';
import type { SecretField, SecretStore, StreamRead } from '../../../src/core/sources/source';

/** Secrets keyed `<source>/<field>`, held in memory (no environment or keychain in tests). */
export class MapSecrets implements SecretStore {
  constructor(private readonly values: Record<string, string>) {}
  async get(source: string, field: SecretField): Promise<string | undefined> {
    return this.values[`${source}/${field}`];
  }
  async set(): Promise<void> {}
  async delete(): Promise<void> {}
}

/** Every record of a streamed read, asserting none was rejected; columns as last announced by the read. */
export async function readRows(read: StreamRead): Promise<{ columns: string[]; values: string[][] }> {
  const values: string[][] = [];
  let columns = read.columns;
  for await (const r of read.records) {
    assert.ok(r.ok, JSON.stringify(r));
    values.push(r.values);
    if (r.columns) columns = r.columns;
  }
  return { columns, values };
}

/** The values of every record of a streamed read. */
export async function collect(read: StreamRead): Promise<string[][]> {
  return (await readRows(read)).values;
}
