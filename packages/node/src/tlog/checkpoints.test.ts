import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ed25519 } from '@noble/curves/ed25519.js';
import { formatCheckpoint } from '@tradetwin/core/tlog/checkpoint';
import { cosign } from '@tradetwin/core/tlog/cosignature';
import { ed25519NoteSigner, formatSignatureLine, parseNote, signNote } from '@tradetwin/core/tlog/note';
import { mergeSignatures } from './checkpoints.js';

describe('mergeSignatures', () => {
  it('adds each cosigner once: a later cosignature by the same witness is not a second line', () => {
    const text = formatCheckpoint({ origin: 'o.test/log', size: 1, root: new Uint8Array(32), extensions: [] });
    const note = signNote(text, [ed25519NoteSigner('o.test/log', ed25519.utils.randomSecretKey())]);
    const w = ed25519.utils.randomSecretKey();
    const v = ed25519.utils.randomSecretKey();
    const first = formatSignatureLine(cosign(text, 'w.test', w, 1_700_000_000));
    const later = formatSignatureLine(cosign(text, 'w.test', w, 1_700_000_100));
    const other = formatSignatureLine(cosign(text, 'v.test', v, 1_700_000_000));
    const merged = mergeSignatures(mergeSignatures(note, [first]), [later, other, other]);
    assert.deepEqual(
      parseNote(merged).signatures.map((s) => s.name),
      ['o.test/log', 'w.test', 'v.test'],
    );
    assert.ok(merged.includes(first.trimEnd()));
  });
});
