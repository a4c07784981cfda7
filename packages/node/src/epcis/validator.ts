// Document validation against GS1's EPCIS 2.0 JSON schema, as a
// DocumentValidator (JSON pointer + message per violation).
// INTERIM: compiles core's vendored schema with ajv here until core/epcis
// exports its validator; then this file only adapts core's result shape.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Ajv, type ErrorObject } from 'ajv';
import type { DocumentValidator, SchemaError } from './capture.js';

const require = createRequire(import.meta.url);

function message(e: ErrorObject): string {
  if (e.keyword === 'enum') return `${e.message}: ${JSON.stringify((e.params as { allowedValues?: unknown[] }).allowedValues)}`;
  if (e.keyword === 'additionalProperties') return `unexpected property "${(e.params as { additionalProperty?: string }).additionalProperty}"`;
  if (e.keyword === 'propertyNames') return `property name "${(e.params as { propertyName?: string }).propertyName}" is not allowed here`;
  return e.message ?? e.keyword;
}

export function schemaValidator(): DocumentValidator {
  const schemaPath = join(dirname(require.resolve('@tradetwin/core/epcis/hash')), 'schema', 'EPCIS-JSON-Schema.json');
  const schema = JSON.parse(readFileSync(schemaPath, 'utf8')) as Record<string, unknown>;
  const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: true });
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const addFormats = require('ajv-formats') as (a: Ajv) => void;
  addFormats(ajv);
  const validate = ajv.compile(schema);
  return (doc: unknown): SchemaError[] => {
    if (validate(doc)) return [];
    const seen = new Set<string>();
    const out: SchemaError[] = [];
    for (const e of validate.errors ?? []) {
      // if/then/anyOf wrappers repeat the leaf errors: keep the informative ones.
      if (e.keyword === 'if' || e.keyword === 'anyOf' || e.keyword === 'allOf' || e.keyword === 'oneOf') continue;
      const key = `${e.instancePath}|${message(e)}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({ pointer: e.instancePath, message: message(e) });
    }
    if (out.length === 0) out.push({ pointer: '', message: 'the document does not validate against the EPCIS 2.0 JSON schema' });
    return out;
  };
}
