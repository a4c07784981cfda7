// Tag format: issue, parse, the signature's construction (checked independently
// of viem's signMessage), what tampering does, and every malformed input's code.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { toHttpProblem } from '../http/errors.js';
import QRCode from 'qrcode';
import { concat, getAddress, keccak256, recoverAddress, toBytes } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { tagQrSvg } from './qr.js';
import { decodeSignature, issueTag, itemOf, parseTag, recoverTagSigner, TAG_DOMAIN, TagError, tagDigest } from './tag.js';

// A fixed brand key (anvil's well-known account #9: public test key, never a real one).
const BRAND = privateKeyToAccount('0x2a871d0798f97d79848a013d4936a73bf4cc922c825d33c1cf7073dff6d409c6');
const EPC = 'urn:epc:id:sgtin:0614141.107346.2018';
const ITEM = 'https://id.gs1.org/01/10614141073464/21/2018';

// A coded domain error (the HTTP edge maps every TagError to 400: http/errors.ts).
const code = (fn: () => unknown, expected: string) =>
  assert.throws(fn, (e: unknown) => e instanceof TagError && e.code === expected && toHttpProblem(e)?.status === 400, expected);

describe('issueTag / parseTag', () => {
  it('issues a GS1 Digital Link with the issuer and an 87-character base64url signature, and reads it back', async () => {
    const tag = await issueTag({ account: BRAND, item: EPC });
    assert.equal(tag.item, ITEM);
    assert.equal(tag.epc, EPC);
    assert.equal(tag.issuer, getAddress(BRAND.address));
    const m = /^https:\/\/id\.gs1\.org\/01\/10614141073464\/21\/2018\?iss=(0x[0-9a-fA-F]{40})&sig=([A-Za-z0-9_-]{87})$/.exec(
      tag.uri,
    );
    assert.ok(m, tag.uri);
    assert.equal(m[1], tag.issuer);
    assert.ok(tag.uri.length < 200, `${tag.uri.length} characters: fits a QR code and an NTAG215`);

    const parsed = parseTag(tag.uri);
    assert.deepEqual(parsed, { uri: tag.uri, item: ITEM, epc: EPC, issuer: tag.issuer, signature: tag.signature });
    assert.equal(await recoverTagSigner(parsed), tag.issuer);
  });

  it('signs EIP-191 personal_sign over keccak256("TradeTwin tag v1" ‖ 0x00 ‖ canonical Digital Link)', async () => {
    const tag = await issueTag({ account: BRAND, item: EPC });
    const digest = keccak256(concat([toBytes(TAG_DOMAIN), new Uint8Array([0]), toBytes(ITEM)]));
    assert.equal(tagDigest(ITEM), digest);
    // EIP-191 version 0x45 by hand: "\x19Ethereum Signed Message:\n32" ‖ digest.
    const hash = keccak256(concat([toBytes('\x19Ethereum Signed Message:\n32'), toBytes(digest)]));
    assert.equal(await recoverAddress({ hash, signature: tag.signature }), tag.issuer);
    // A bare keccak of the Digital Link (no domain) is not what was signed.
    const undomained = keccak256(concat([toBytes('\x19Ethereum Signed Message:\n32'), toBytes(keccak256(toBytes(ITEM)))]));
    assert.notEqual(await recoverAddress({ hash: undomained, signature: tag.signature }), tag.issuer);
    // Deterministic (RFC 6979): the same brand and item give the same tag.
    assert.equal((await issueTag({ account: BRAND, item: EPC })).uri, tag.uri);
  });

  it("binds the item's identity, not the resolver domain, short names or unsigned query attributes", async () => {
    const gs1 = await issueTag({ account: BRAND, item: EPC });
    const own = await issueTag({ account: BRAND, item: EPC, base: 'https://brand.example/p/' });
    assert.match(own.uri, /^https:\/\/brand\.example\/p\/01\/10614141073464\/21\/2018\?iss=/);
    assert.equal(own.signature, gs1.signature);
    // The brand's own spelling (short names, GTIN without padding) is kept, and signs the same identity.
    const spelled = await issueTag({ account: BRAND, item: 'https://brand.example/gtin/10614141073464/ser/2018?linkType=all' });
    assert.match(spelled.uri, /^https:\/\/brand\.example\/gtin\/10614141073464\/ser\/2018\?iss=/);
    assert.equal(spelled.signature, gs1.signature);
    // A data attribute added to the query does not change the tag's identity or break it.
    const withExpiry = `${own.uri}&17=261231`;
    assert.equal(await recoverTagSigner(parseTag(withExpiry)), own.issuer);
  });

  it('a changed serial no longer recovers to the issuer', async () => {
    const tag = await issueTag({ account: BRAND, item: EPC });
    const forged = parseTag(tag.uri.replace('/21/2018?', '/21/2019?'));
    assert.equal(forged.epc, 'urn:epc:id:sgtin:0614141.107346.2019');
    const signer = await recoverTagSigner(forged);
    assert.notEqual(signer, tag.issuer);
  });

  it('serials with reserved characters survive the round trip', async () => {
    const tag = await issueTag({ account: BRAND, item: 'urn:epc:id:sgtin:0614141.107346.A%2FB-7' });
    assert.match(tag.uri, /\/21\/A%2FB-7\?/);
    const p = parseTag(tag.uri);
    assert.equal(p.epc, 'urn:epc:id:sgtin:0614141.107346.A%2FB-7');
    assert.equal(await recoverTagSigner(p), tag.issuer);
  });

  it('other instance keys are tags too (SSCC, GIAI); a class is not', async () => {
    for (const epc of ['urn:epc:id:sscc:0614141.1234567890', 'urn:epc:id:giai:0614141.RING-0042']) {
      const tag = await issueTag({ account: BRAND, item: epc });
      assert.equal(parseTag(tag.uri).epc, epc);
    }
    code(() => itemOf('https://id.gs1.org/01/10614141073464'), 'not_an_item');
    code(() => itemOf('https://id.gs1.org/01/10614141073464/10/LOT7'), 'not_an_item');
    await assert.rejects(
      issueTag({ account: BRAND, item: 'urn:epc:class:lgtin:0614141.107346.LOT7' }),
      (e: unknown) => e instanceof TagError && e.code === 'not_an_item',
    );
  });
});

describe('malformed tags are refused with a precise code', () => {
  it('URI, key and parameters', async () => {
    const tag = await issueTag({ account: BRAND, item: EPC });
    const sig = new URL(tag.uri).searchParams.get('sig')!;
    code(() => parseTag('not a uri'), 'malformed_uri');
    code(() => parseTag('ftp://id.gs1.org/01/10614141073464/21/2018'), 'malformed_uri');
    code(() => parseTag(`https://id.gs1.org/${'x'.repeat(3000)}`), 'malformed_uri');
    code(() => parseTag('https://brand.example/products/shoe?sig=x'), 'not_a_digital_link');
    code(() => parseTag(tag.uri.replace('10614141073464', '10614141073465')), 'invalid_gs1_key');
    code(() => parseTag(tag.uri.split('?')[0]!), 'missing_signature');
    code(() => parseTag(`${ITEM}?sig=${sig}`), 'missing_issuer');
    code(() => parseTag(`${tag.uri}&sig=${sig}`), 'duplicate_parameter');
    code(() => parseTag(tag.uri.replace(/iss=0x[0-9a-fA-F]+/, 'iss=0x1234')), 'bad_issuer');
    code(() => parseTag(tag.uri.replace(/iss=0x[0-9a-fA-F]+/, 'iss=brand')), 'bad_issuer');
    code(() => parseTag(tag.uri.replace(sig, sig.slice(0, 80))), 'bad_signature_format');
    code(() => parseTag(tag.uri.replace(sig, `${sig}=`)), 'bad_signature_format');
    code(() => parseTag(tag.uri.replace(sig, sig.replace(/^./, '+'))), 'bad_signature_format');
    code(
      () => parseTag(tag.uri.replace(sig, encodeURIComponent(Buffer.from(tag.signature.slice(2), 'hex').toString('base64')))),
      'bad_signature_format',
    );
  });

  it('signature values: v, r and s ranges, and high s (malleability)', async () => {
    const tag = await issueTag({ account: BRAND, item: EPC });
    const bytes = Buffer.from(tag.signature.slice(2), 'hex');
    const with_ = (f: (b: Buffer) => void) => {
      const b = Buffer.from(bytes);
      f(b);
      return b.toString('base64url');
    };
    code(() => decodeSignature(with_((b) => (b[64] = 29))), 'bad_signature_format');
    code(() => decodeSignature(with_((b) => b.fill(0, 0, 32))), 'bad_signature_format');
    code(() => decodeSignature(with_((b) => b.fill(0xff, 32, 64))), 'bad_signature_format');
    // The same signature with s' = n - s (and v flipped) recovers to the same key: refused, one spelling per tag.
    const n = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
    const s = BigInt(`0x${bytes.subarray(32, 64).toString('hex')}`);
    const high = with_((b) => {
      Buffer.from((n - s).toString(16).padStart(64, '0'), 'hex').copy(b, 32);
      b[64] = b[64] === 27 ? 28 : 27;
    });
    assert.throws(() => decodeSignature(high), /low-s/);
    assert.equal(decodeSignature(bytes.toString('base64url')), tag.signature);
  });

  it('a well-formed signature that recovers to no key gives null, not an exception', async () => {
    // r = 5 is no x-coordinate of a curve point with either parity for most digests; try a few.
    let nulls = 0;
    for (let r = 1; r < 40 && nulls === 0; r++) {
      const b = Buffer.alloc(65);
      b[31] = r;
      b[63] = 1;
      b[64] = 27;
      if ((await recoverTagSigner({ item: ITEM, signature: `0x${b.toString('hex')}` })) === null) nulls++;
    }
    assert.ok(nulls > 0);
  });

  it('a resolver base must be an http(s) URI without query', async () => {
    for (const base of ['brand.example', 'https://brand.example/?x=1', 'mailto:a@b']) {
      await assert.rejects(
        issueTag({ account: BRAND, item: EPC, base }),
        (e: unknown) => e instanceof TagError && e.code === 'bad_base',
        base,
      );
    }
  });
});

describe('tagQrSvg', () => {
  it('draws the tag as an SVG QR code at error correction M, version 10 or lower', async () => {
    const key = privateKeyToAccount(generatePrivateKey());
    const tag = await issueTag({
      account: key,
      item: 'urn:epc:id:sgtin:0614141.107346.ABCDEFGHIJKLMNOPQRST',
      base: 'https://brand.example',
    });
    const svg = await tagQrSvg(tag.uri);
    assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    const qr = QRCode.create(tag.uri, { errorCorrectionLevel: 'M' });
    assert.ok(qr.version <= 10, `version ${qr.version}`);
    const size = qr.modules.size + 8;
    assert.match(svg, new RegExp(`viewBox="0 0 ${size} ${size}"`));
  });
});
