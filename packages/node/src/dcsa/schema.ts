// TNT 3.0's component schemas (tnt-v3.0.0-schemas.json, converted from
// TNT_v3.0.0.yaml) compiled with Ajv: the structural check of a pushed request
// (types, lengths, date-time formats). The spec's OpenAPI 3.0 formats float and
// int32 are only annotations here (Ajv's type check covers "number"/"integer").
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import spec from './tnt-v3.0.0-schemas.json' with { type: 'json' };

const SPEC_ID = 'https://dcsa.org/tnt/v3.0.0';

// ajv-formats is CommonJS: its default export is the plugin function under `default` or itself.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as unknown as (
  ajv: Ajv,
  formats?: string[],
) => Ajv;

let compiled: { request: ValidateFunction; event: ValidateFunction } | null = null;

function validators(): { request: ValidateFunction; event: ValidateFunction } {
  if (compiled) return compiled;
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv, ['date-time', 'date']);
  ajv.addFormat('float', true);
  ajv.addFormat('int32', true);
  ajv.addSchema({ $id: SPEC_ID, components: { schemas: spec.schemas } });
  compiled = {
    request: ajv.compile({ $ref: `${SPEC_ID}#/components/schemas/PostEventsRequest` }),
    event: ajv.compile({ $ref: `${SPEC_ID}#/components/schemas/Event` }),
  };
  return compiled;
}

export const TNT_VERSION: string = spec.version;

/** A JSON Pointer ("/events/0/eventID") as the JSONPath TNT's FeedbackElement uses ("$.events[0].eventID"). */
export function jsonPath(pointer: string, base = '$'): string {
  if (pointer === '') return base;
  return pointer
    .split('/')
    .slice(1)
    .map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((path, t) => (/^\d+$/.test(t) ? `${path}[${t}]` : `${path}.${t}`), base);
}

export interface SchemaProblem {
  path: string;
  message: string;
}

const describe = (e: ErrorObject): string => {
  if (e.keyword === 'maxLength') return `must be at most ${(e.params as { limit: number }).limit} characters`;
  if (e.keyword === 'format') return `must be a ${(e.params as { format: string }).format} (RFC 3339)`;
  return e.message ?? e.keyword;
};

function problemsOf(errors: readonly ErrorObject[] | null | undefined, base: string): SchemaProblem[] {
  // allOf wrappers report the same fault twice: keep one per path and message.
  const seen = new Set<string>();
  const out: SchemaProblem[] = [];
  for (const e of errors ?? []) {
    const p = { path: jsonPath(e.instancePath, base), message: describe(e) };
    const k = `${p.path} ${p.message}`;
    if (!seen.has(k)) {
      seen.add(k);
      out.push(p);
    }
  }
  return out;
}

/** Structural problems of a POST /events body against PostEventsRequest (empty: it validates). */
export function requestSchemaProblems(body: unknown): SchemaProblem[] {
  const v = validators().request;
  return v(body) ? [] : problemsOf(v.errors, '$');
}

/** Structural problems of one event against Event, paths under `base` (e.g. "$.events[3]"). */
export function eventSchemaProblems(event: unknown, base = '$'): SchemaProblem[] {
  const v = validators().event;
  return v(event) ? [] : problemsOf(v.errors, base);
}
