import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gs1CheckDigit, hasValidCheckDigit } from './gs1-check.js';
import { canonicalDigitalLink, digitalLinkToEpc, epcToDigitalLink } from './uris.js';

const DL = 'https://id.gs1.org';

/** [EPC URN, canonical Digital Link] pairs, GS1 Company Prefix of 7 digits unless stated. */
const PAIRS: [string, string, number?][] = [
  ['urn:epc:id:sgtin:4012345.011111.9876', `${DL}/01/04012345111118/21/9876`],
  ['urn:epc:id:sgtin:9506000.013435.ABC', `${DL}/01/09506000134352/21/ABC`],
  ['urn:epc:id:sgtin:0614141.107346.2017', `${DL}/01/10614141073464/21/2017`],
  ['urn:epc:id:sgtin:061414.1107346.2017', `${DL}/01/10614141073464/21/2017`, 6],
  ['urn:epc:id:sgtin:061414107346.1.2017', `${DL}/01/10614141073464/21/2017`, 12],
  ['urn:epc:id:sscc:4012345.0000000333', `${DL}/00/040123450000003338`],
  ['urn:epc:id:sscc:0614141.1234567890', `${DL}/00/106141412345678908`],
  ['urn:epc:class:lgtin:4012345.012345.998877', `${DL}/01/04012345123456/10/998877`],
  ['urn:epc:id:sgln:4012345.00011.987', `${DL}/414/4012345000115/254/987`],
  ['urn:epc:id:sgln:4012345.00005.0', `${DL}/414/4012345000054`],
  ['urn:epc:id:pgln:4012345.00001', `${DL}/417/4012345000016`],
  ['urn:epc:id:grai:4012345.55555.987', `${DL}/8003/04012345555554987`],
  ['urn:epc:id:giai:4000001.111', `${DL}/8004/4000001111`],
  ['urn:epc:id:giai:952005385.w2', `${DL}/8004/952005385w2`, 9],
  ['urn:epc:id:gsrn:4012345.0000000001', `${DL}/8018/401234500000000012`],
  ['urn:epc:id:gsrnp:4012345.0000000001', `${DL}/8017/401234500000000012`],
  ['urn:epc:id:gdti:95252084.0001.0003555480001000', `${DL}/253/95252084000140003555480001000`, 8],
  ['urn:epc:id:sgcn:4012345.67890.04711', `${DL}/255/401234567890104711`],
  ['urn:epc:id:ginc:0614141.xyz47(11)', `${DL}/401/0614141xyz47(11)`],
  ['urn:epc:id:gsin:4012345.222333444', `${DL}/402/40123452223334442`],
  ['urn:epc:id:itip:4012345.011111.01.02.987', `${DL}/8006/040123451111180102/21/987`],
  ["urn:epc:id:upui:1234567.089456.51qIgY)%3C%26Jp3*j7'SDB", `${DL}/01/01234567894560/235/51qIgY)%3C%26Jp3*j7'SDB`],
  ['urn:epc:id:cpi:0614141.5PQ7%2FZ43.12345', `${DL}/8010/06141415PQ7%2FZ43/8011/12345`],
  ['urn:epc:idpat:sgtin:4012345.098765.*', `${DL}/01/04012345987652`],
  ['urn:epc:idpat:grai:4012345.55555.*', `${DL}/8003/04012345555554`],
  ['urn:epc:idpat:gdti:4012345.00001.*', `${DL}/253/4012345000016`],
  ['urn:epc:idpat:itip:4012345.011111.01.02.*', `${DL}/8006/040123451111180102`],
  ['urn:epc:idpat:cpi:0614141.5PQ7%2FZ43.*', `${DL}/8010/06141415PQ7%2FZ43`],
];

describe('EPC URN ↔ GS1 Digital Link', () => {
  for (const [urn, dl, gcpLength] of PAIRS) {
    it(`${urn} ↔ ${dl}`, () => {
      assert.equal(epcToDigitalLink(urn), dl);
      assert.equal(digitalLinkToEpc(dl, { gcpLength: gcpLength ?? 7 }), urn);
    });
  }

  it('escapes serials and lots: URN and Digital Link alike escape " % & / < > ?; ! ( ) * + , : stay literal in a Digital Link', () => {
    const cases: [string, string][] = [
      ['a%2Fb%25c%26d%22e', 'a%2Fb%25c%26d%22e'],
      ['e%3Cf%3Eg%3Fh', 'e%3Cf%3Eg%3Fh'],
      ['h!i(j)k*l+m,n:o', 'h!i(j)k*l+m,n:o'],
      ["o;p=q'r-s.t_u", "o;p=q'r-s.t_u"],
    ];
    for (const [urnSerial, dlSerial] of cases) {
      const urn = `urn:epc:id:sgtin:4012345.011111.${urnSerial}`;
      const dl = `${DL}/01/04012345111118/21/${dlSerial}`;
      assert.equal(epcToDigitalLink(urn), dl);
      assert.equal(digitalLinkToEpc(dl), urn);
    }
    const lot = 'urn:epc:class:lgtin:4012345.012345.L%26M%2F2';
    assert.equal(epcToDigitalLink(lot), `${DL}/01/04012345123456/10/L%26M%2F2`);
    assert.equal(digitalLinkToEpc(`${DL}/01/04012345123456/10/L%26M%2F2`), lot);
    assert.equal(epcToDigitalLink('urn:epc:id:sgtin:4012345.011111.123456789012345678901'), null, 'over 20 characters');
    assert.equal(digitalLinkToEpc(`${DL}/01/04012345111118/21/123456789012345678901`), null, 'over 20 characters');
  });

  it('computes GTIN, SSCC and GLN check digits', () => {
    assert.equal(gs1CheckDigit('0950600013435'), '2');
    assert.equal(gs1CheckDigit('0401234511111'), '8');
    assert.equal(gs1CheckDigit('10614141234567890'), '8');
    assert.equal(gs1CheckDigit('401234500011'), '5');
    assert.ok(hasValidCheckDigit('09506000134352'));
    assert.ok(!hasValidCheckDigit('09506000134353'));
  });

  it('refuses a Digital Link whose check digit is wrong', () => {
    assert.equal(digitalLinkToEpc(`${DL}/01/09506000134353/21/ABC`), null);
    assert.equal(digitalLinkToEpc(`${DL}/414/4012345000116`), null);
  });

  it('returns null for malformed EPCs and schemes without a Digital Link form', () => {
    for (const bad of [
      'urn:epc:id:sgtin:4012345.01111.9876', // 12 digits, not 13
      'urn:epc:id:sgtin:40123.0111111.9876', // company prefix under 6 digits
      'urn:epc:id:sgtin:4012345.011111.123456789012345678901', // serial over 20
      'urn:epc:id:sgtin:4012345.011111.a b', // space
      'urn:epc:id:sgtin:4012345.011111', // no serial
      'urn:epc:id:sscc:4012345.000000033', // 16 digits
      'urn:epc:id:gid:95100000.12345.400',
      'urn:epc:idpat:sgtin:4012345.*.*',
      'https://id.gs1.org/01/04012345111118',
      'urn:uuid:6926712e-599f-4c4e-b6e9-8dd888c906bd',
    ]) {
      assert.equal(epcToDigitalLink(bad), null, bad);
    }
  });

  it('needs the company prefix length for the reverse way, and checks it', () => {
    assert.equal(digitalLinkToEpc(`${DL}/01/10614141073464/21/2017`, { gcpLength: 9 }), 'urn:epc:id:sgtin:061414107.1346.2017');
    assert.throws(() => digitalLinkToEpc(`${DL}/00/040123450000003338`, { gcpLength: 13 }), RangeError);
    assert.equal(digitalLinkToEpc('http://transaction.acme.com/po/12345678'), null);
  });
});

describe('constrained canonical Digital Link (CBV 2.0 §8.9)', () => {
  const cases: [string, string | null][] = [
    ['https://id.gs1.de/00/040123451111111110', `${DL}/00/040123451111111110`],
    ['https://example.com/shop/01/4012345111118/21/9876?linkType=gs1:pip#top', `${DL}/01/04012345111118/21/9876`],
    ['http://id.example.org/gtin/04012345111118/lot/L1/ser/9876/', `${DL}/01/04012345111118/21/9876`],
    ['https://id.gs1.org/01/04012345111118/22/2A/10/L1', `${DL}/01/04012345111118/10/L1`],
    ['https://id.gs1.org/01/12345670', `${DL}/01/00000012345670`],
    ['https://id.gs1.org/01/614141123452', `${DL}/01/00614141123452`],
    ['https://id.example.com/253/4012345000054987', `${DL}/253/4012345000054987`],
    ['https://example.org/8004/4000001111-20190402T150000000', `${DL}/8004/4000001111-20190402T150000000`],
    ['https://id.gs1.org/414/4012345000115/254/987', `${DL}/414/4012345000115/254/987`],
    ['https://id.gs1.org/8006/040123451111180102/21/9', `${DL}/8006/040123451111180102/21/9`],
    ['https://id.gs1.org/01/04012345111118/21/a%2fb', `${DL}/01/04012345111118/21/a%2Fb`],
    ['https://id.gs1.org/01/04012345111118/99/x', null],
    ['https://id.gs1.org/01/04012345111', null],
    ['https://example.com/docs/01/intro', null],
    ['http://transaction.acme.com/po/12345678', null],
    ['https://www.ncbi.nlm.nih.gov/taxonomy/1126011', null],
    ['geo:50.947573340894124,6.922120147375441', null],
  ];
  for (const [input, want] of cases) {
    it(`${input} → ${want}`, () => assert.equal(canonicalDigitalLink(input), want));
  }
});
