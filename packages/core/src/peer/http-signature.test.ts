import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ed25519 } from '@noble/curves/ed25519.js';
import { contentDigest, type SignatureErrorCode, signRequest, verifyRequest } from './http-signature.js';

const secretKey = ed25519.utils.randomSecretKey();
const publicKey = ed25519.getPublicKey(secretKey);
const other = ed25519.getPublicKey(ed25519.utils.randomSecretKey());
const URL_ = 'http://127.0.0.1:8080/peer/v1/shipments/S-1/records?after=3';
const body = new TextEncoder().encode('{"a":1}');
const NOW = 1_800_000_000_000;

function received(headers: Record<string, string>, over: Partial<{ method: string; url: string; body: Uint8Array }> = {}) {
  const h = new Headers(headers);
  return { method: 'POST', url: URL_, body, headers: h, ...over };
}
const keys = async (id: string) => (id === '2' ? publicKey : null);
const rejects = (p: Promise<unknown>, code: SignatureErrorCode) =>
  assert.rejects(p, (e: unknown) => (e as { code?: string }).code === code);

describe('RFC 9421 request signatures (ed25519, Content-Digest)', () => {
  const signed = () => ({ ...signRequest({ method: 'POST', url: URL_, body }, { secretKey, keyid: '2' }, { now: NOW }) });

  it('verifies a signed request and returns its parameters', async () => {
    const h = signed();
    assert.match(
      h['signature-input'],
      /^tt=\("@method" "@authority" "@path" "@query" "content-digest"\);created=\d+;expires=\d+;nonce="[^"]+";keyid="2";alg="ed25519"$/,
    );
    assert.equal(h['content-digest'], contentDigest(body));
    const p = await verifyRequest(received(h), keys, { now: NOW + 1000 });
    assert.equal(p.keyid, '2');
    assert.equal(p.expires - p.created, 60);
  });

  it('refuses an unsigned request, a malformed one and one covering other components', async () => {
    await rejects(verifyRequest(received({}), keys, { now: NOW }), 'unsigned');
    const h = signed();
    await rejects(verifyRequest(received({ ...h, signature: 'tt=:abc' }), keys, { now: NOW }), 'malformed_signature');
    await rejects(verifyRequest(received({ signature: h.signature }), keys, { now: NOW }), 'malformed_signature');
    const fewer = h['signature-input'].replace(' "content-digest"', '');
    await rejects(verifyRequest(received({ ...h, 'signature-input': fewer }), keys, { now: NOW }), 'unsupported_signature');
    const rsa = h['signature-input'].replace('alg="ed25519"', 'alg="rsa-pss-sha512"');
    await rejects(verifyRequest(received({ ...h, 'signature-input': rsa }), keys, { now: NOW }), 'unsupported_signature');
    await rejects(verifyRequest(received({ ...h, 'signature-input': 'x=()' }), keys, { now: NOW }), 'unsupported_signature');
  });

  it('refuses a forged request: other body, path, query, method, authority, parameters or key', async () => {
    const h = signed();
    await rejects(
      verifyRequest(received(h, { body: new TextEncoder().encode('{"a":2}') }), keys, { now: NOW }),
      'digest_mismatch',
    );
    for (const url of [URL_.replace('S-1', 'S-2'), URL_.replace('after=3', 'after=0'), URL_.replace('8080', '8081')]) {
      await rejects(verifyRequest(received(h, { url }), keys, { now: NOW }), 'bad_signature');
    }
    await rejects(verifyRequest(received(h, { method: 'PUT' }), keys, { now: NOW }), 'bad_signature');
    const longer = h['signature-input'].replace(/expires=(\d+)/, (_, e) => `expires=${Number(e) + 1}`);
    await rejects(verifyRequest(received({ ...h, 'signature-input': longer }), keys, { now: NOW }), 'bad_signature');
    await rejects(
      verifyRequest(received(h), async () => other, { now: NOW }),
      'bad_signature',
    );
    const stranger = h['signature-input'].replace('keyid="2"', 'keyid="3"');
    await rejects(verifyRequest(received({ ...h, 'signature-input': stranger }), keys, { now: NOW }), 'unknown_key');
  });

  it('refuses an expired signature, one from the future and one claiming too long a life', async () => {
    const h = signed();
    await rejects(verifyRequest(received(h), keys, { now: NOW + 120_000 }), 'expired_signature');
    await rejects(verifyRequest(received(h), keys, { now: NOW - 120_000 }), 'expired_signature');
    const long = signRequest({ method: 'POST', url: URL_, body }, { secretKey, keyid: '2' }, { now: NOW, lifetimeS: 3600 });
    await rejects(verifyRequest(received(long), keys, { now: NOW }), 'expired_signature');
  });
});
