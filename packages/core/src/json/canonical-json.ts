// Canonical JSON (RFC 8785, JCS) for the bytes an EPCIS event is logged as:
// object keys sorted by UTF-16 code units, no insignificant whitespace, numbers
// and strings as ECMAScript serialises them (which is what JCS prescribes).
// The log leaf body is CBOR [eventHashId, canonicalJsonBytes, salt] (docs/design.md).

export class CanonicalJsonError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CanonicalJsonError';
  }
}

export function canonicalJson(value: unknown): string {
  const out: string[] = [];
  write(value, out, 0);
  return out.join('');
}

function write(v: unknown, out: string[], depth: number): void {
  if (depth > 64) throw new CanonicalJsonError('JSON nests deeper than 64 levels');
  if (v === null) {
    out.push('null');
    return;
  }
  switch (typeof v) {
    case 'boolean':
      out.push(v ? 'true' : 'false');
      return;
    case 'number':
      if (!Number.isFinite(v)) throw new CanonicalJsonError(`${v} has no JSON form`);
      out.push(JSON.stringify(v));
      return;
    case 'string':
      out.push(JSON.stringify(v));
      return;
    case 'object': {
      if (Array.isArray(v)) {
        out.push('[');
        v.forEach((item, i) => {
          if (i > 0) out.push(',');
          write(item === undefined ? null : item, out, depth + 1);
        });
        out.push(']');
        return;
      }
      const obj = v as Record<string, unknown>;
      // Default sort compares UTF-16 code units, as RFC 8785 §3.2.3 requires.
      const keys = Object.keys(obj)
        .filter((k) => obj[k] !== undefined)
        .sort();
      out.push('{');
      keys.forEach((k, i) => {
        if (i > 0) out.push(',');
        out.push(JSON.stringify(k), ':');
        write(obj[k], out, depth + 1);
      });
      out.push('}');
      return;
    }
    default:
      throw new CanonicalJsonError(`a ${typeof v} has no JSON form`);
  }
}

const utf8 = new TextEncoder();

export function canonicalJsonBytes(value: unknown): Uint8Array {
  return utf8.encode(canonicalJson(value));
}
