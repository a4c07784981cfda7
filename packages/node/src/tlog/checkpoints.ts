// The node's own C2SP checkpoints: signed on demand for the log's current size
// (cheap: one Ed25519 signature), one per size, and the same note every time it
// is asked again. The log is append-only, so no two ever conflict.
import { formatCheckpoint, parseCheckpoint } from '@tradetwin/core/tlog/checkpoint';
import { formatSignatureLine, parseNote, parseSignatureLine } from '@tradetwin/core/tlog/note';
import type { TransparencyLog } from '../log/transparency-log.js';
import type { WitnessStore } from '../storage/witness.js';
import type { LogIdentity } from './identity.js';

export interface SignedCheckpoint {
  size: number;
  root: Uint8Array;
  /** Note text (origin, size, root). */
  text: string;
  /** The signed note (the log's signature only). */
  note: string;
}

export class CheckpointSigner {
  private last: SignedCheckpoint | null = null;
  private running: Promise<SignedCheckpoint> | null = null;

  constructor(
    private readonly log: TransparencyLog,
    readonly identity: LogIdentity,
  ) {}

  /** The checkpoint of the log's current size. */
  current(): Promise<SignedCheckpoint> {
    if (this.last && this.last.size === this.log.size) return Promise.resolve(this.last);
    this.running ??= this.sign().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async sign(): Promise<SignedCheckpoint> {
    const size = this.log.size;
    const root = await this.log.root(size);
    const text = formatCheckpoint({ origin: this.identity.origin, size, root, extensions: [] });
    const sig = {
      name: this.identity.signer.name,
      keyId: this.identity.signer.keyId,
      signature: this.identity.signer.sign(text),
    };
    const cp = { size, root, text, note: `${text}\n${formatSignatureLine(sig)}` };
    if (!this.last || size > this.last.size) this.last = cp;
    return cp;
  }
}

/** The note with the signature lines of `extra` added (none twice): the log's note plus the cosignatures collected. */
export function mergeSignatures(note: string, extra: readonly string[]): string {
  // One line per signer (name and key ID): a witness asked again cosigns again with a later timestamp;
  // the first cosignature kept is as good, and a note listing one witness twice would only confuse.
  const signer = (line: string) => {
    const s = parseSignatureLine(line);
    return `${s.name} ${s.keyId}`;
  };
  const seen = new Set(
    note
      .slice(note.lastIndexOf('\n\n') + 2)
      .split('\n')
      .filter(Boolean)
      .map(signer),
  );
  let out = note;
  for (const l of extra) {
    const line = l.endsWith('\n') ? l.slice(0, -1) : l;
    if (line && !seen.has(signer(line))) {
      seen.add(signer(line));
      out += `${line}\n`;
    }
  }
  return out;
}

/** The node's checkpoint as /checkpoint serves it: the current one with the cosignatures collected for its size. */
export async function servedCheckpoint(signer: CheckpointSigner, store: WitnessStore): Promise<string> {
  const cp = await signer.current();
  const cosigned = await store.cosigned(cp.size);
  if (!cosigned) return cp.note;
  // Only if it is the same checkpoint (it is: one note per size, but a restarted node re-signs).
  const same = parseNote(cosigned.note).text === cp.text && parseCheckpoint(cp.text).size === cp.size;
  return same ? cosigned.note : cp.note;
}
