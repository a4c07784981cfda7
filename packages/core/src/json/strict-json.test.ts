import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseStrictJson, StrictJsonError } from './strict-json.js';

const refused = (input: string | Uint8Array, code: string, pointer?: string) =>
  assert.throws(
    () => parseStrictJson(input),
    (e: unknown) => {
      assert.ok(e instanceof StrictJsonError, String(e));
      assert.equal(e.code, code);
      if (pointer !== undefined) assert.equal(e.pointer, pointer);
      return true;
    },
  );

describe('strict JSON', () => {
  it('reads ordinary JSON exactly as JSON.parse does', () => {
    const text = '{"a":[1,2.5,-3e2,{"b":"x\\"y","c":null}],"d":true,"e":"é\\u00e9","k":{"a":1}}';
    assert.deepEqual(parseStrictJson(text), JSON.parse(text));
    assert.deepEqual(parseStrictJson(new TextEncoder().encode(text)), JSON.parse(text));
    assert.deepEqual(parseStrictJson('{"a":1,"b":{"a":2}}'), { a: 1, b: { a: 2 } }, 'the same key in different objects is fine');
  });

  it('refuses a key that appears twice in one object, naming where', () => {
    refused('{"a":1,"a":2}', 'duplicate_key', '/a');
    refused('{"list":[{"id":"x","q":1,"id":"y"}]}', 'duplicate_key', '/list/0/id');
    refused('{"a\\u0062":1,"ab":2}', 'duplicate_key', '/ab');
  });

  it('refuses numbers a double cannot hold instead of reading Infinity', () => {
    refused('{"q":1e309}', 'number_out_of_range', '/q');
    refused('[-1E400]', 'number_out_of_range', '/0');
    assert.deepEqual(parseStrictJson('[1e308, 5e-324]'), [1e308, 5e-324]);
  });

  it('bounds nesting without using the call stack', () => {
    refused(`${'['.repeat(1000)}${']'.repeat(1000)}`, 'too_deep');
    refused(`${'{"a":'.repeat(70)}1${'}'.repeat(70)}`, 'too_deep');
    assert.deepEqual(
      parseStrictJson(`${'['.repeat(60)}${']'.repeat(60)}`, { maxDepth: 64 }),
      JSON.parse(`${'['.repeat(60)}${']'.repeat(60)}`),
    );
  });

  it('refuses bytes that are not UTF-8 rather than replacing them', () => {
    refused(new Uint8Array([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xc3, 0x28, 0x22, 0x7d]), 'invalid_utf8');
    refused(new Uint8Array([0x22, 0xed, 0xa0, 0x80, 0x22]), 'invalid_utf8'); // an encoded lone surrogate
  });

  it('reports malformed JSON as bad_json', () => {
    refused('{"a":', 'bad_json');
    refused('{"a" 1}', 'bad_json');
    refused('', 'bad_json');
  });
});
