// Known-answer tests from the C2SP specs' own examples, and round trips of every format.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ed25519 } from '@noble/curves/ed25519.js';
import { leafHash } from '../merkle/hash.js';
import { consistencyProof, inclusionProof, memorySubtree, treeRoot } from '../merkle/proof.js';
import { verifyInclusion } from '../merkle/verify.js';
import { decodeBase64 } from './base64.js';
import { formatCheckpoint, parseCheckpoint } from './checkpoint.js';
import { cosign, cosignatureTimestamp, cosignatureVerifier, cosignerKeyId } from './cosignature.js';
import { buildEquivocation, verifyEquivocation } from './equivocation.js';
import {
  ed25519NoteSigner,
  ed25519NoteVerifier,
  encodeSignerKey,
  encodeVerifierKey,
  formatSignatureLine,
  keyIdHex,
  openNote,
  parseNote,
  parseSignerKey,
  parseVerifierKey,
  SIG_TYPE_COSIGNATURE_V1,
  SIG_TYPE_ED25519,
  signNote,
} from './note.js';
import { checkCheckpoint, parsePolicy, quorumMet, thresholdPolicy } from './policy.js';
import {
  encodeEntryBundle,
  encodeTileIndex,
  parseEntryBundle,
  parseTilePath,
  tilePath,
  tilesForSize,
  withTiles,
} from './tiles.js';
import { formatTlogProof, parseTlogProof } from './tlog-proof.js';
import { verifyTlogProof } from './verify-proof.js';
import { formatAddCheckpoint, parseAddCheckpoint } from './witness-protocol.js';

const SOFA = `example.com/behind-the-sofa
20852163
CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=
`;

describe('signed-note: the spec examples', () => {
  it('the example vkey verifies the example note, and its key ID is the one the spec derives', () => {
    const vkey = 'example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k';
    const note =
      'This is an example message.\n\n— example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n';
    const k = parseVerifierKey(vkey);
    assert.equal(k.type, SIG_TYPE_ED25519);
    assert.equal(keyIdHex(k.keyId), '530d903a');
    assert.equal(encodeVerifierKey(k.name, k.type, k.publicKey), vkey);
    const opened = openNote(note, [ed25519NoteVerifier(k.name, k.publicKey)]);
    assert.equal(opened.text, 'This is an example message.\n');
    // One changed byte of text: the known key's signature fails and the note is rejected.
    assert.throws(
      () => openNote(note.replace('example message', 'example massage'), [ed25519NoteVerifier(k.name, k.publicKey)]),
      {
        code: 'bad_signature',
      },
    );
    // A key with the same name but another key ID is unknown: ignored, then "no known signature".
    const other = ed25519.getPublicKey(ed25519.utils.randomSecretKey());
    assert.throws(() => openNote(note, [ed25519NoteVerifier('example.com/foo', other)]), { code: 'unknown_key' });
  });

  it('parses the quasimodo note: text with an empty line, separated at the last blank line', () => {
    const note =
      'Ognuno sta solo sul cuor della terra\ntrafitto da un raggio di sole:\n\ned è subito sera.\n\n— quasimodo.example/salvatore NnugSzTjtVAewIS+Z/iJhUPeFDkO/5QQ2i5ddnGITLlC+EhfLW9oJKONrMouFSQU0xMcXxj99ihAQwaqP3ZekRwNtIc=\n';
    const n = parseNote(note);
    assert.equal(n.text, 'Ognuno sta solo sul cuor della terra\ntrafitto da un raggio di sole:\n\ned è subito sera.\n');
    assert.equal(n.signatures.length, 1);
    assert.equal(n.signatures[0]!.name, 'quasimodo.example/salvatore');
    assert.equal(keyIdHex(n.signatures[0]!.keyId), '367ba04b');
    assert.equal(n.signatures[0]!.signature.length, 64);
    assert.equal(formatSignatureLine(n.signatures[0]!), `${note.split('\n\n').at(-1)}`);
  });

  it('refuses malformed notes with a clear error', () => {
    for (const bad of [
      'no blank line\n— a AAAAAAA=\n',
      'text\n\n— a AAAAAAA=', // no final newline
      'text\n\n- a AAAAAAA=\n', // hyphen, not em dash
      'text\n\n— a+b AAAAAAAAAA==\n', // '+' in key name
      'text\n\n— a AAAA\n', // fewer than 5 bytes
      'te\u0001xt\n\n— a AAAAAAA=\n', // control character
      'text\n\n— a AAAAAAA\n', // unpadded base64
    ]) {
      assert.throws(() => parseNote(bad), { name: 'TlogError', code: 'malformed' }, JSON.stringify(bad));
    }
  });

  it('signs with several keys; a verifier ignores the ones it does not know', () => {
    const a = ed25519.utils.randomSecretKey();
    const b = ed25519.utils.randomSecretKey();
    const note = signNote('hello\n', [ed25519NoteSigner('a.example/k', a), ed25519NoteSigner('b.example/k', b)]);
    const opened = openNote(note, [ed25519NoteVerifier('b.example/k', ed25519.getPublicKey(b))]);
    assert.deepEqual(
      opened.verified.map((s) => s.name),
      ['b.example/k'],
    );
    assert.deepEqual(
      opened.others.map((s) => s.name),
      ['a.example/k'],
    );
  });

  it('round-trips a private key in the PRIVATE+KEY encoding', () => {
    const sk = ed25519.utils.randomSecretKey();
    const parsed = parseSignerKey(encodeSignerKey('log.example/x', sk));
    assert.deepEqual(parsed.secretKey, sk);
    assert.equal(parsed.name, 'log.example/x');
    assert.throws(
      () => parseSignerKey(encodeSignerKey('log.example/x', sk).replace('+log.example/x+', '+log.example/y+')),
      /key ID/,
    );
  });
});

describe('tlog-checkpoint and tlog-cosignature: the spec examples', () => {
  it('parses the behind-the-sofa checkpoint and the witness cosignature (timestamp 1679315147)', () => {
    const c = parseCheckpoint(SOFA);
    assert.equal(c.origin, 'example.com/behind-the-sofa');
    assert.equal(c.size, 20852163);
    assert.equal(formatCheckpoint(c), SOFA);
    const note = `${SOFA}\n— example.com/behind-the-sofa Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=\n— witness.example.com/w1 jWbPPwAAAABkGFDLEZMHwSRaJNiIDoe9DYn/zXcrtPHeolMI5OWXEhZCB9dlrDJsX3b2oyin1nPZqhf5nNo0xUe+mbIUBkBIfZ+qnA==\n`;
    const n = parseNote(note);
    assert.equal(n.text, SOFA);
    const w = n.signatures[1]!;
    assert.equal(w.signature.length, 72);
    // The cosignature's timestamp is the one the spec's signed-message example shows.
    assert.equal(cosignatureTimestamp(w.signature), 1679315147);
  });

  it('refuses checkpoints that break the format', () => {
    for (const bad of [
      'o\n01\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n', // leading zero
      'o\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I\n', // unpadded
      'o\n1\n', // two lines
      '\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n', // empty origin
      'o\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n\n', // empty extension line
    ]) {
      assert.throws(() => parseCheckpoint(bad), { code: 'malformed' }, JSON.stringify(bad));
    }
  });

  it('cosigns: the signed message is exactly "cosignature/v1\\ntime <t>\\n" + checkpoint, extension lines included', () => {
    const sk = ed25519.utils.randomSecretKey();
    const pk = ed25519.getPublicKey(sk);
    const text = `${SOFA}ext-line\n`;
    const sig = cosign(text, 'witness.example/w', sk, 1679315147);
    assert.equal(sig.keyId, cosignerKeyId('witness.example/w', pk));
    const msg = new TextEncoder().encode(`cosignature/v1\ntime 1679315147\n${text}`);
    assert.ok(ed25519.verify(sig.signature.subarray(8), msg, pk));
    const v = cosignatureVerifier('witness.example/w', pk);
    assert.ok(v.verify(text, sig.signature));
    assert.equal(v.verify(SOFA, sig.signature), false, 'extension lines are signed');
    // The timestamp is signed: moving it breaks the cosignature.
    const moved = sig.signature.slice();
    moved[7]! ^= 1;
    assert.equal(v.verify(text, moved), false);
    // The note key ID (type 0x01) and the cosignature key ID (type 0x04) of one key differ.
    assert.notEqual(ed25519NoteVerifier('witness.example/w', pk).keyId, v.keyId);
    assert.equal(parseVerifierKey(encodeVerifierKey('witness.example/w', SIG_TYPE_COSIGNATURE_V1, pk)).keyId, v.keyId);
  });
});

describe('tlog-witness add-checkpoint and tlog-proof: the spec examples', () => {
  it('parses the add-checkpoint example body and formats it back byte for byte', () => {
    const body = `old 20852014
PlRNCrwHpqhGrupue0L7gxbjbMiKA9temvuZZDDpkaw=
jrJZDmY8Y7SyJE0MWLpLozkIVMSMZcD5kvuKxPC3swk=
5+pKlUdi2LeF/BcMHBn+Ku6yhPGNCswZZD1X/6QgPd8=
/6WVhPs2CwSsb5rYBH5cjHV/wSmA79abXAwhXw3Kj/0=

${SOFA}
— example.com/behind-the-sofa Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=
— example.com/behind-the-sofa opLqBQsREYCgu6xQkYQwJr9fo45a62DN9EdmHXnZdXNqlcVGlCum2Wks+49/V6267UEjw6QUXTS5Rovnzv++qbSzm9Q=
`;
    const r = parseAddCheckpoint(body);
    assert.equal(r.oldSize, 20852014);
    assert.equal(r.proof.length, 4);
    assert.equal(parseNote(r.checkpoint).signatures.length, 2);
    assert.equal(formatAddCheckpoint(r), body);
    assert.throws(() => parseAddCheckpoint('old 01\n\nx'), { code: 'malformed' });
    assert.throws(() => parseAddCheckpoint('old 1\nnot-base64\n\nx'), { code: 'malformed' });
    assert.throws(() => parseAddCheckpoint(`old 1\n${'PlRNCrwHpqhGrupue0L7gxbjbMiKA9temvuZZDDpkaw=\n'.repeat(64)}\nx`), /63/);
  });

  it('parses the tlog-proof example (extra, index, five hashes, checkpoint) and round-trips', () => {
    const proof = `c2sp.org/tlog-proof@v1
extra YWdlLXYxLjIuMS1kYXJ3aW4tYXJtNjQudGFyLmd6kYXJ3aW4tYXJ
index 73894
gSKyXoYZUgZ6jduWYrkDOARinOMGJveXjgMkBTcdPlQ=
B95lDa8R83lS8n0eG+o0buTxRKQTYFi//1U8anccXmA=
EKNzoDWG8LGC0Yp9o+sv3qllpMP9uHQ9B20KNL+Q1zs=
RoopEkOdqkYqMB4MJXrbt/hMjOxsVn0IrWjpz1ZMMes=
AHCioX9nLjsrse6YhjRRmk1WUEirVOLLRoOQ6vfO5vk=

example.com/fancylog
109482
sFodV/vSp5O8n9a8QpW6PRY97tfOSW5bsc2Xl/EQi08=

— example.com/fancylog hI2DJw[...]1roloI=
`;
    const p = parseTlogProof(proof);
    assert.equal(p.extra?.length, 39);
    assert.equal(p.index, 73894);
    assert.equal(p.inclusion.length, 5);
    assert.ok(p.checkpoint.startsWith('example.com/fancylog\n109482\n'));
    assert.equal(formatTlogProof(p), proof);
    const noExtra = formatTlogProof({ ...p, extra: null });
    assert.equal(parseTlogProof(noExtra).extra, null);
    assert.throws(() => parseTlogProof(proof.replace('index 73894', 'index 073894')), { code: 'malformed' });
  });
});

describe('tlog-tiles', () => {
  it('encodes tile indices and paths as the spec shows', () => {
    assert.equal(encodeTileIndex(1234067), 'x001/x234/067');
    assert.equal(encodeTileIndex(0), '000');
    assert.equal(tilePath({ level: 0, index: 1234067, width: 256 }), 'tile/0/x001/x234/067');
    assert.equal(tilePath({ level: 'entries', index: 5, width: 7 }), 'tile/entries/005.p/7');
    assert.deepEqual(parseTilePath('0/x001/x234/067'), { level: 0, index: 1234067, width: 256 });
    assert.deepEqual(parseTilePath('entries/005.p/7'), { level: 'entries', index: 5, width: 7 });
    for (const bad of ['0/1', '0/x000/001', '64/000', '00/000', '0/000.p/0', '0/000.p/256', '0/000.p/07', 'x/000', '0/000/']) {
      assert.equal(parseTilePath(bad), null, bad);
    }
  });

  it('a tree of 70,000 and one of 256 are made of the tiles the spec lists', () => {
    const t = tilesForSize(70000);
    const at = (level: number) => t.filter((x) => x.level === level);
    assert.equal(at(0).filter((x) => x.width === 256).length, 273);
    assert.deepEqual(
      at(0)
        .filter((x) => x.width !== 256)
        .map((x) => x.width),
      [112],
    );
    assert.deepEqual(
      at(1).map((x) => x.width),
      [256, 17],
    );
    assert.deepEqual(
      at(2).map((x) => x.width),
      [1],
    );
    assert.deepEqual(tilesForSize(256), [
      { level: 0, index: 0, width: 256 },
      { level: 1, index: 0, width: 1 },
    ]);
  });

  it('proofs computed from tiles alone equal the proofs from the full tree', async () => {
    const n = 70000;
    const leaves = Array.from({ length: n }, (_, i) => leafHash(new Uint8Array([i & 255, (i >> 8) & 255, i >> 16])));
    const sub = memorySubtree(leaves);
    const tile = async (level: number, index: number, width: number) => {
      const span = 256 ** level;
      const out = new Uint8Array(width * 32);
      for (let i = 0; i < width; i++) out.set(sub((index * 256 + i) * span, (index * 256 + i + 1) * span), i * 32);
      return out;
    };
    const root = treeRoot(n, sub);
    assert.deepEqual(await withTiles(n, tile, (s) => treeRoot(n, s)), root);
    for (const [m, size] of [
      [1, n],
      [256, n],
      [65536, n],
      [12345, 69999],
    ] as const) {
      assert.deepEqual(
        await withTiles(size, tile, (s) => consistencyProof(m, size, s)),
        consistencyProof(m, size, sub),
        `${m}->${size}`,
      );
    }
    const path = await withTiles(n, tile, (s) => inclusionProof(66000, n, s));
    assert.deepEqual(verifyInclusion(66000, n, leaves[66000]!, path, root), { ok: true });
  });

  it('entry bundles are uint16-length-prefixed entries', () => {
    const e = [new Uint8Array([1, 2]), new Uint8Array(0), new Uint8Array(300).fill(7)];
    assert.deepEqual(parseEntryBundle(encodeEntryBundle(e)), e);
    assert.throws(() => parseEntryBundle(new Uint8Array([0, 5, 1])), /ends inside an entry/);
  });
});

describe('tlog-policy', () => {
  const keys = Array.from({ length: 7 }, () => ed25519.getPublicKey(ed25519.utils.randomSecretKey()));
  const w = (i: number) => encodeVerifierKey(`w${i}.example`, SIG_TYPE_COSIGNATURE_V1, keys[i]!);

  it('parses the spec example (two groups, X-and-Y) and evaluates its quorum', () => {
    const policy = parsePolicy(`# example
log ${encodeVerifierKey('log.example', SIG_TYPE_ED25519, keys[0]!)}

witness X1 ${w(1)}
witness X2 ${w(2)}
witness X3 ${w(3)}
group X-witnesses 2 X1 X2 X3

  witness Y1 ${w(4)}\thttps://y1.example/
witness Y2 ${w(5)}
witness Y3 ${w(6)}
group Y-witnesses any Y1 Y2 Y3

group X-and-Y all X-witnesses Y-witnesses
quorum X-and-Y
`);
    assert.equal(policy.witnesses[3]!.url, 'https://y1.example/');
    assert.equal(quorumMet(policy, new Set(['X1', 'X2', 'Y3'])), true);
    assert.equal(quorumMet(policy, new Set(['X1', 'Y1', 'Y2'])), false);
    assert.equal(quorumMet(policy, new Set(['X1', 'X2', 'X3'])), false);
  });

  it('refuses policies that break the rules, naming the line', () => {
    const log = `log ${encodeVerifierKey('log.example', SIG_TYPE_ED25519, keys[0]!)}`;
    for (const [text, why] of [
      [`${log}\n`, /no quorum/],
      [`witness A ${w(1)}\nquorum B\n`, /line 2/],
      [`witness A ${w(1)}\nwitness B ${w(1)}\nquorum A\n`, /duplicate/],
      [`witness A ${w(1)}\ngroup G 2 A\nquorum G\n`, /threshold 2/],
      [`witness A ${w(1)}\ngroup G any A A\nquorum G\n`, /twice/],
      [`witness A ${w(1)}\ngroup G any none\nquorum G\n`, /none/],
      [`quorum none\nquorum none\n`, /exactly one/],
      [`witness A ${encodeVerifierKey('a', SIG_TYPE_ED25519, keys[1]!)}\nquorum A\n`, /0x04/],
      [`frob\nquorum none\n`, /unknown keyword/],
    ] as const) {
      assert.throws(() => parsePolicy(text), why, text);
    }
  });
});

describe('checkpoints with cosignatures against a policy; equivocation proofs', () => {
  const logSk = ed25519.utils.randomSecretKey();
  const logPk = ed25519.getPublicKey(logSk);
  const origin = 'tradetwin.test/log';
  const logKey = encodeVerifierKey(origin, SIG_TYPE_ED25519, logPk);
  const wit = [0, 1, 2].map((i) => {
    const sk = ed25519.utils.randomSecretKey();
    return {
      sk,
      name: `w${i}.tradetwin.test`,
      vkey: encodeVerifierKey(`w${i}.tradetwin.test`, SIG_TYPE_COSIGNATURE_V1, ed25519.getPublicKey(sk)),
    };
  });
  const leaves = Array.from({ length: 20 }, (_, i) => leafHash(new Uint8Array([i])));
  const signed = (size: number, ls = leaves) => {
    const text = formatCheckpoint({ origin, size, root: treeRoot(size, memorySubtree(ls)), extensions: [] });
    return { text, note: signNote(text, [ed25519NoteSigner(origin, logSk)]) };
  };
  const withCosigs = (c: { text: string; note: string }, ws: typeof wit) =>
    c.note + ws.map((x) => formatSignatureLine(cosign(c.text, x.name, x.sk, 1_700_000_000))).join('');

  it('two cosignatures meet "2 of 3", one does not; a tampered cosignature rejects the note', () => {
    const policy = thresholdPolicy(
      [logKey],
      wit.map((x) => x.vkey),
      2,
    );
    const c = signed(10);
    const two = checkCheckpoint(withCosigs(c, wit.slice(0, 2)), policy);
    assert.equal(two.quorum, true);
    assert.deepEqual(
      two.cosigners.map((x) => x.timestamp),
      [1_700_000_000, 1_700_000_000],
    );
    assert.equal(checkCheckpoint(withCosigs(c, wit.slice(0, 1)), policy).quorum, false);
    const tampered = withCosigs(c, wit.slice(0, 2)).replace(
      /(— w1\.tradetwin\.test \S{20})(\S)/,
      (_, a, ch) => a + (ch === 'A' ? 'B' : 'A'),
    );
    assert.throws(() => checkCheckpoint(tampered, policy), { code: 'bad_signature' });
    // A checkpoint signed by someone else under the log's name is not the log's.
    const forged = signNote(c.text, [ed25519NoteSigner(origin, ed25519.utils.randomSecretKey())]);
    assert.throws(() => checkCheckpoint(forged, policy), { code: 'unknown_key' });
  });

  it('same size, different roots: the proof verifies for a third party holding only the log key', () => {
    const other = leaves.slice();
    other[4] = leafHash(new Uint8Array([99]));
    const a = signed(10);
    const b = signed(10, other);
    const proof = buildEquivocation(
      logKey,
      { note: a.note, checkpoint: parseCheckpoint(a.text) },
      { note: b.note, checkpoint: parseCheckpoint(b.text) },
    );
    const portable = JSON.parse(JSON.stringify(proof));
    assert.deepEqual(verifyEquivocation(portable, logKey), { ok: true, origin, sizes: [10, 10] });
    assert.equal(verifyEquivocation({ ...portable, b: a.note }).ok, false, 'same root twice is no equivocation');
    assert.equal(
      verifyEquivocation(
        portable,
        encodeVerifierKey(origin, SIG_TYPE_ED25519, ed25519.getPublicKey(ed25519.utils.randomSecretKey())),
      ).ok,
      false,
    );
  });

  it('a larger checkpoint that does not extend the smaller: the path from the larger tree proves it', () => {
    const other = leaves.slice();
    other[2] = leafHash(new Uint8Array([77]));
    for (const m of [6, 8]) {
      const a = signed(m);
      const b = signed(17, other);
      const sub = memorySubtree(other);
      const proof = buildEquivocation(
        logKey,
        { note: a.note, checkpoint: parseCheckpoint(a.text) },
        { note: b.note, checkpoint: parseCheckpoint(b.text) },
        { path: consistencyProof(m, 17, sub), prefixRoot: m === 8 ? treeRoot(8, sub) : null },
      );
      assert.deepEqual(verifyEquivocation(JSON.parse(JSON.stringify(proof))), { ok: true, origin, sizes: [m, 17] });
      // An honest pair cannot be framed: the genuine path reproduces the smaller root.
      const honest = buildEquivocation(
        logKey,
        { note: a.note, checkpoint: parseCheckpoint(a.text) },
        { note: signed(17).note, checkpoint: parseCheckpoint(signed(17).text) },
        { path: consistencyProof(m, 17, memorySubtree(leaves)), prefixRoot: m === 8 ? treeRoot(8, memorySubtree(leaves)) : null },
      );
      assert.match((verifyEquivocation(honest) as { reason: string }).reason, /consistent/);
      // Garbage instead of the path does not count.
      const junk = { ...proof, consistency: proof.consistency!.map(() => 'PlRNCrwHpqhGrupue0L7gxbjbMiKA9temvuZZDDpkaw=') };
      assert.match((verifyEquivocation(junk) as { reason: string }).reason, /does not lead|wrong shape/);
    }
  });

  it('strict base64 refuses what atob accepts', () => {
    assert.equal(decodeBase64('AAA'), null);
    assert.equal(decodeBase64('AA A='), null);
    assert.equal(decodeBase64('AB=='), null, 'non-canonical trailing bits');
    assert.deepEqual(decodeBase64('AA=='), new Uint8Array([0]));
  });
});

describe('verifyTlogProof: the four steps of tlog-proof', () => {
  it('binds the leaf at its index to a cosigned checkpoint, and says when the quorum is missing', () => {
    const sk = ed25519.utils.randomSecretKey();
    const origin = 'tradetwin.test/p';
    const wsk = ed25519.utils.randomSecretKey();
    const leaves = Array.from({ length: 9 }, (_, i) => leafHash(new Uint8Array([i, 1])));
    const sub = memorySubtree(leaves);
    const text = formatCheckpoint({ origin, size: 9, root: treeRoot(9, sub), extensions: [] });
    const note =
      signNote(text, [ed25519NoteSigner(origin, sk)]) + formatSignatureLine(cosign(text, 'w.test', wsk, 1_700_000_000));
    const policy = thresholdPolicy(
      [encodeVerifierKey(origin, SIG_TYPE_ED25519, ed25519.getPublicKey(sk))],
      [encodeVerifierKey('w.test', SIG_TYPE_COSIGNATURE_V1, ed25519.getPublicKey(wsk))],
      1,
    );
    const proof = formatTlogProof({ extra: null, index: 4, inclusion: inclusionProof(4, 9, sub), checkpoint: note });
    assert.equal(verifyTlogProof(proof, 4, leaves[4]!, policy).ok, true);
    assert.match(verifyTlogProof(proof, 5, leaves[4]!, policy).detail, /entry 4, not 5/);
    assert.match(verifyTlogProof(proof, 4, leaves[5]!, policy).detail, /inclusion/);
    const bare = formatTlogProof({
      extra: null,
      index: 4,
      inclusion: inclusionProof(4, 9, sub),
      checkpoint: signNote(text, [ed25519NoteSigner(origin, sk)]),
    });
    const r = verifyTlogProof(bare, 4, leaves[4]!, policy);
    assert.deepEqual([r.ok, r.valid, r.quorum], [false, true, false]);
    assert.equal(verifyTlogProof('not a proof', 4, leaves[4]!, policy).valid, false);
  });
});
