// Validation of an EPCIS 2.0 document or event: GS1's JSON schema (draft-07,
// vendored in schema/) through ajv, then the semantic rules of semantic.ts.
// Ajv reports a failed anyOf as every branch's failure plus wrappers; those are
// distilled here to one message per offending value, addressed by JSON pointer.
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import schema from './schema/EPCIS-JSON-Schema.json' with { type: 'json' };
import { type EpcisProblem, semanticProblems } from './semantic.js';

export type { EpcisProblem } from './semantic.js';

export interface EpcisValidation {
  valid: boolean;
  /** Each problem once, in document order of discovery. */
  errors: EpcisProblem[];
}

// ajv-formats is CommonJS: depending on the loader its default import is the plugin or its module.
type FormatsPlugin = (ajv: Ajv) => Ajv;
const addFormats = ((addFormatsModule as unknown as { default?: FormatsPlugin }).default ??
  addFormatsModule) as unknown as FormatsPlugin;

let compiled: ValidateFunction | undefined;

/** Compiling the schema takes a moment: done once, on first use. */
function schemaValidator(): ValidateFunction {
  if (!compiled) {
    const ajv = new Ajv({ allErrors: true, strict: false });
    addFormats(ajv);
    compiled = ajv.compile(schema);
  }
  return compiled;
}

/**
 * Validates a parsed EPCISDocument, EPCISQueryDocument or single event (which,
 * standing alone, needs its own @context). Errors name the value by JSON pointer.
 */
export function validateEpcis(input: unknown): EpcisValidation {
  const validate = schemaValidator();
  const schemaErrors = validate(input) ? [] : distil(validate.errors ?? [], input);
  const semantic = semanticProblems(input);
  // A semantic message is the more precise one for the same value.
  const flagged = new Set(semantic.map((p) => p.path));
  const errors = dedupe([...schemaErrors.filter((p) => !flagged.has(p.path)), ...semantic]).sort((a, b) =>
    byPointer(a.path, b.path),
  );
  return { valid: errors.length === 0, errors };
}

// ------------------------------------------------------------ distilling

const WRAPPERS = new Set(['anyOf', 'oneOf', 'allOf', 'if', 'then', 'else', 'not', '$ref']);

const escapePointer = (key: string) => key.replace(/~/g, '~0').replace(/\//g, '~1');

function valueAt(doc: unknown, pointer: string): unknown {
  let v = doc;
  for (const raw of pointer.split('/').slice(1)) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[key];
  }
  return v;
}

const isContainer = (v: unknown) => v !== null && typeof v === 'object';

function distil(raw: ErrorObject[], doc: unknown): EpcisProblem[] {
  const out: EpcisProblem[] = [];
  // Values where a whole anyOf failed: their branch errors merge into one message.
  const leafAnyOf = new Set(
    raw.filter((e) => e.keyword === 'anyOf' && !isContainer(valueAt(doc, e.instancePath))).map((e) => e.instancePath),
  );
  const merged = new Map<string, string[]>();
  for (const e of raw) {
    if (e.keyword === 'propertyNames') {
      const name = String((e.params as { propertyName?: unknown }).propertyName);
      out.push({ path: `${e.instancePath}/${escapePointer(name)}`, message: unknownProperty(e.instancePath, name, doc) });
      continue;
    }
    if (WRAPPERS.has(e.keyword) || (e as { propertyName?: string }).propertyName !== undefined) continue;
    if (e.keyword === 'required') {
      // A requirement inside an anyOf branch is one alternative, not a rule: semantic.ts states the rule.
      if (e.schemaPath.includes('/anyOf/')) continue;
      const missing = String((e.params as { missingProperty: string }).missingProperty);
      out.push({ path: `${e.instancePath}/${escapePointer(missing)}`, message: 'is required' });
      continue;
    }
    if (e.keyword === 'additionalProperties') {
      const extra = String((e.params as { additionalProperty: string }).additionalProperty);
      out.push({ path: `${e.instancePath}/${escapePointer(extra)}`, message: 'is not allowed here' });
      continue;
    }
    if (leafAnyOf.has(e.instancePath)) {
      const parts = merged.get(e.instancePath) ?? [];
      parts.push(describe(e));
      merged.set(e.instancePath, parts);
      continue;
    }
    // Other errors of an anyOf branch belong to an alternative of an enclosing object (see above).
    if (e.schemaPath.includes('/anyOf/')) continue;
    // On an object, value keywords come from its propertyNames (reported above).
    if (isContainer(valueAt(doc, e.instancePath)) && ['enum', 'format', 'pattern'].includes(e.keyword)) continue;
    out.push({ path: e.instancePath, message: DESCRIBED.has(e.keyword) ? `must be ${describe(e)}` : (e.message ?? e.keyword) });
  }
  for (const [path, parts] of merged) out.push({ path, message: `must be ${[...new Set(parts)].join(', or ')}` });
  return out;
}

function unknownProperty(objectPath: string, name: string, doc: unknown): string {
  const type = (valueAt(doc, objectPath) as { type?: unknown } | undefined)?.type;
  const where = /\/ilmd$/.test(objectPath)
    ? 'ILMD'
    : typeof type === 'string' && /Event$/.test(type)
      ? `an ${type}`.replace(/^an ([^AEIOU])/, 'a $1')
      : 'this object';
  return `"${name}" is not a standard field of ${where}; an extension needs a namespaced name (a prefix:name from the @context, or a URI)`;
}

/** Known patterns, said in words. */
const PATTERNS: [RegExp, string][] = [
  [/urn:epcglobal:cbv/, 'a URI other than a CBV 1.x URN or ns.gs1.org URI (write standard values bare, e.g. "shipping")'],
  [/gs1\\\.org\\\/voc/, 'a URI other than a GS1 Web Vocabulary URI (write GS1 terms bare, e.g. "Temperature")'],
  [/^\^\[A-Z0-9\]\{2,3\}\$$/, 'a UN/ECE Rec 20 unit code (2–3 capital letters or digits, e.g. "KGM")'],
  [/^\^\[A-Fa-f0-9\]\+\$$/, 'hexadecimal digits'],
  [/14:00/, 'a UTC offset ±hh:mm between -14:00 and +14:00'],
  [/\\d\+\(\\\.\\d\+\)\*/, 'a version such as "2.0"'],
];

const DESCRIBED = new Set(['enum', 'format', 'pattern', 'type']);

/** What a value must be, as a phrase to follow "must be". */
function describe(e: ErrorObject): string {
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'enum': {
      const values = (p['allowedValues'] as unknown[]).map((v) => JSON.stringify(v));
      return `one of ${values.length > 8 ? `${values.slice(0, 8).join(', ')}, … (${values.length} values)` : values.join(', ')}`;
    }
    case 'format':
      return p['format'] === 'uri'
        ? 'a URI'
        : p['format'] === 'date-time'
          ? 'a date-time with a time zone (RFC 3339)'
          : `a valid ${p['format']}`;
    case 'pattern': {
      const pattern = String(p['pattern']);
      return PATTERNS.find(([re]) => re.test(pattern))?.[1] ?? `text matching ${pattern}`;
    }
    case 'type':
      return `of type ${p['type']}`;
    default:
      return (e.message ?? e.keyword).replace(/^must be /, '');
  }
}

/** Document order: array indices compare as numbers, a parent before its children. */
function byPointer(a: string, b: string): number {
  const x = a.split('/');
  const y = b.split('/');
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    if (x[i] === y[i]) continue;
    const [m, n] = [Number(x[i]), Number(y[i])];
    return Number.isInteger(m) && Number.isInteger(n) ? m - n : 0;
  }
  return x.length - y.length;
}

function dedupe(problems: EpcisProblem[]): EpcisProblem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const k = `${p.path}\u0000${p.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
