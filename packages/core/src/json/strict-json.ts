// JSON that is hashed, signed or logged must mean one thing to every reader.
// JSON.parse is lenient where that matters: with a duplicated key it keeps the
// last value (another parser may keep the first), it turns 1e309 into Infinity,
// and it reads bytes that are not UTF-8 as U+FFFD. This reader refuses all three,
// and bounds nesting so a hostile document cannot exhaust the stack, before
// handing the text to JSON.parse.

export type StrictJsonCode = 'invalid_utf8' | 'bad_json' | 'duplicate_key' | 'too_deep' | 'number_out_of_range';

export class StrictJsonError extends Error {
  constructor(
    readonly code: StrictJsonCode,
    message: string,
    /** RFC 6901 pointer to where it was found ('' for the document). */
    readonly pointer = '',
  ) {
    super(message);
    this.name = 'StrictJsonError';
  }
}

export interface StrictJsonOptions {
  /** Deepest nesting of objects and arrays accepted (default 64). */
  maxDepth?: number;
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });
const escapePointer = (k: string) => k.replace(/~/g, '~0').replace(/\//g, '~1');

/** Decodes UTF-8 strictly (a malformed sequence is an error, not U+FFFD). */
export function decodeUtf8Strict(bytes: Uint8Array): string {
  try {
    return utf8.decode(bytes);
  } catch {
    throw new StrictJsonError('invalid_utf8', 'the body is not valid UTF-8');
  }
}

/**
 * Parses JSON text (or UTF-8 bytes), refusing duplicate keys in any object,
 * numbers outside the IEEE 754 double range, nesting deeper than `maxDepth`,
 * and malformed UTF-8.
 */
export function parseStrictJson(input: string | Uint8Array, opts: StrictJsonOptions = {}): unknown {
  const text = typeof input === 'string' ? input : decodeUtf8Strict(input);
  const maxDepth = opts.maxDepth ?? 64;
  scan(text, maxDepth);
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new StrictJsonError('bad_json', `not JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/**
 * One pass over the text checking structure only; anything malformed is left
 * for JSON.parse to report. Iterative, so depth is limited by `maxDepth`, not
 * by the call stack.
 */
function scan(text: string, maxDepth: number): void {
  type Frame =
    | { kind: 'object'; keys: Set<string>; key: string | null; path: string }
    | { kind: 'array'; index: number; path: string };
  const stack: Frame[] = [];
  const here = () => {
    const top = stack.at(-1);
    if (!top) return '';
    return top.kind === 'object' ? `${top.path}/${escapePointer(top.key ?? '')}` : `${top.path}/${top.index}`;
  };
  let i = 0;
  const n = text.length;
  while (i < n) {
    const ch = text.charCodeAt(i);
    if (ch === 0x7b /* { */ || ch === 0x5b /* [ */) {
      if (stack.length >= maxDepth) {
        throw new StrictJsonError('too_deep', `nesting deeper than ${maxDepth} levels is not accepted`, here());
      }
      const path = here();
      stack.push(ch === 0x7b ? { kind: 'object', keys: new Set(), key: null, path } : { kind: 'array', index: 0, path });
      i++;
    } else if (ch === 0x7d /* } */ || ch === 0x5d /* ] */) {
      stack.pop();
      i++;
    } else if (ch === 0x2c /* , */) {
      const top = stack.at(-1);
      if (top?.kind === 'array') top.index++;
      else if (top?.kind === 'object') top.key = null;
      i++;
    } else if (ch === 0x22 /* " */) {
      const end = stringEnd(text, i);
      if (end < 0) return; // unterminated: JSON.parse says so
      const top = stack.at(-1);
      // A string in an object before its ':' is a key.
      let j = end;
      while (j < n && (text[j] === ' ' || text[j] === '\t' || text[j] === '\n' || text[j] === '\r')) j++;
      if (top?.kind === 'object' && top.key === null && text[j] === ':') {
        let key: string;
        try {
          key = JSON.parse(text.slice(i, end)) as string;
        } catch {
          return;
        }
        if (top.keys.has(key)) {
          throw new StrictJsonError(
            'duplicate_key',
            `the key "${key}" appears twice in one object`,
            `${top.path}/${escapePointer(key)}`,
          );
        }
        top.keys.add(key);
        top.key = key;
      }
      i = end;
    } else if (ch === 0x2d /* - */ || (ch >= 0x30 && ch <= 0x39)) {
      let j = i + 1;
      while (j < n && /[0-9eE.+-]/.test(text[j]!)) j++;
      const v = Number(text.slice(i, j));
      if (!Number.isFinite(v) && !Number.isNaN(v)) {
        throw new StrictJsonError(
          'number_out_of_range',
          `the number ${text.slice(i, j)} is outside the range a double can hold`,
          here(),
        );
      }
      i = j;
    } else i++;
  }
}

/** The index just past the closing quote of the string starting at `start`, or -1. */
function stringEnd(text: string, start: number): number {
  for (let i = start + 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5c /* \ */) i++;
    else if (c === 0x22) return i + 1;
  }
  return -1;
}
