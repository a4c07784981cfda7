// Splits an RFC 8742 CBOR sequence (application/cbor-seq) into its items
// without decoding them: HTTP ingest takes many COSE messages per request this
// way, and each item is then verified on its own.

export class CborSequenceError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
    this.name = 'CborSequenceError';
  }
}

/** More items than the caller takes: a limit, not malformed input. */
export class CborSequenceLimitError extends CborSequenceError {
  constructor(
    readonly maxItems: number,
    offset: number,
  ) {
    super(`more than ${maxItems} items`, offset);
    this.name = 'CborSequenceLimitError';
  }
}

const MAX_DEPTH = 32;

/** Byte length of the definite-length CBOR item starting at `pos`. */
function itemEnd(buf: Uint8Array, pos: number, depth: number): number {
  if (depth > MAX_DEPTH) throw new CborSequenceError('CBOR nesting too deep', pos);
  const b = buf[pos];
  if (b === undefined) throw new CborSequenceError('truncated CBOR item', pos);
  const major = b >> 5;
  const info = b & 0x1f;
  let p = pos + 1;
  let arg: number;
  if (info < 24) arg = info;
  else if (info <= 27) {
    const n = 1 << (info - 24);
    if (p + n > buf.length) throw new CborSequenceError('truncated CBOR head', pos);
    arg = 0;
    for (let i = 0; i < n; i++) arg = arg * 256 + buf[p + i]!;
    p += n;
  } else throw new CborSequenceError('indefinite-length or reserved CBOR item', pos);
  switch (major) {
    case 0:
    case 1:
    case 7:
      return p;
    case 2:
    case 3:
      if (p + arg > buf.length) throw new CborSequenceError('truncated CBOR string', pos);
      return p + arg;
    case 4:
    case 5: {
      const items = major === 4 ? arg : arg * 2;
      if (items > buf.length - p) throw new CborSequenceError('CBOR container longer than the body', pos);
      for (let i = 0; i < items; i++) p = itemEnd(buf, p, depth + 1);
      return p;
    }
    default: // 6: tag, then one item
      return itemEnd(buf, p, depth + 1);
  }
}

export function splitCborSequence(buf: Uint8Array, maxItems = 100_000): Uint8Array[] {
  const items: Uint8Array[] = [];
  let pos = 0;
  while (pos < buf.length) {
    if (items.length >= maxItems) throw new CborSequenceLimitError(maxItems, pos);
    const end = itemEnd(buf, pos, 0);
    items.push(buf.subarray(pos, end));
    pos = end;
  }
  return items;
}
