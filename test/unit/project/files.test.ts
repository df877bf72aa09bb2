import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseProjectFile, stableStringify, ProjectFileError } from '../../../src/core/project/json-file';
import type { FileKind } from '../../../src/core/project/schemas';

interface Case {
  kind: FileKind;
  text: string;
  error?: RegExp;
}

/** One valid and several invalid files per kind, each with the message a user sees. */
const CASES: Case[] = [
  { kind: 'project', text: '{"version":1,"warehouse":{"mode":"embedded"}}' },
  { kind: 'project', text: '{"version":1,"warehouse":{"mode":"server","url":"http://ch:8123","databases":{"bronze":"raw"}},"build":{"schedule":"@hourly"}}' },
  { kind: 'project', text: '{"version":1,"warehouse":{"mode":"cloud"}}', error: /at \/warehouse\/mode: must be one of "embedded", "server"/ },
  { kind: 'project', text: '{"version":1}', error: /at \/: missing required property "warehouse"/ },
  { kind: 'project', text: '{"version":1,"warehouse":{"mode":"embedded","password":"x"}}', error: /at \/warehouse: unknown property "password"/ },
  { kind: 'project', text: '{"version":1,"warehouse":{"mode":"embedded","databases":{"gold":"go ld"}}}', error: /at \/warehouse\/databases\/gold: must match pattern/ },
  { kind: 'project', text: '{"version":1,"warehouse":', error: /not valid JSON/ },
  { kind: 'source', text: '{"kind":"files","name":"shop","path":"data"}' },
  { kind: 'source', text: '{"kind":"postgres","name":"erp","host":"db","port":5432,"database":"erp","user":"ro","schemas":["public"]}' },
  { kind: 'source', text: '{"kind":"s3","name":"lake","bucket":"b","endpoint":"http://127.0.0.1:9000","pathStyle":true}' },
  { kind: 'source', text: '{"kind":"http","name":"api","baseUrl":"https://x.test","endpoints":[{"name":"users","path":"/users","pagination":{"kind":"link"}}]}' },
  { kind: 'source', text: '{"kind":"files","name":"shop"}', error: /missing required property "path"/ },
  { kind: 'source', text: '{"kind":"postgres","name":"erp","host":"db","port":"5432","database":"erp","user":"ro"}', error: /at \/port: must be integer/ },
  { kind: 'source', text: '{"kind":"postgres","name":"erp","host":"db","port":5432,"database":"erp","user":"ro","password":"secret"}', error: /unknown property "password"/ },
  { kind: 'source', text: '{"kind":"ftp","name":"x"}', error: /at \/kind: must be one of "files", "postgres", "s3", "http"/ },
  { kind: 'source', text: '{"kind":"files","name":"bad name","path":"x"}', error: /at \/name: must match pattern/ },
  { kind: 'source', text: '{"kind":"http","name":"api","baseUrl":"ftp://x","endpoints":[]}', error: /at \/(baseUrl: must match pattern|endpoints: must NOT have fewer than 1 items)/ },
];

for (const c of CASES) {
  test(`${c.kind}: ${c.error ? 'rejects' : 'accepts'} ${c.text.slice(0, 70)}`, () => {
    if (!c.error) {
      assert.doesNotThrow(() => parseProjectFile(c.kind, c.text, `example.${c.kind}.json`));
      return;
    }
    assert.throws(
      () => parseProjectFile(c.kind, c.text, `example.${c.kind}.json`),
      (err: unknown) => {
        assert.ok(err instanceof ProjectFileError);
        assert.ok(err.message.startsWith(`example.${c.kind}.json`), `names the file: ${err.message}`);
        assert.match(err.message, c.error!);
        return true;
      },
    );
  });
}

test('stableStringify sorts keys, indents by two and ends with a newline', () => {
  const text = stableStringify({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: null }, skipped: undefined });
  assert.equal(text, '{\n  "a": {\n    "c": null,\n    "d": [\n      3,\n      {\n        "y": 2,\n        "z": 1\n      }\n    ]\n  },\n  "b": 1\n}\n');
});

test('a one-field change is a one-line diff', () => {
  const before = stableStringify({ version: 1, warehouse: { mode: 'embedded', databases: { bronze: 'bronze', gold: 'gold' } } }).split('\n');
  const after = stableStringify({ version: 1, warehouse: { mode: 'embedded', databases: { bronze: 'raw', gold: 'gold' } } }).split('\n');
  assert.equal(before.length, after.length);
  assert.equal(before.filter((l, i) => l !== after[i]).length, 1);
});
