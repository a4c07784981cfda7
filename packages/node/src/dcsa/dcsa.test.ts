// DCSA Track & Trace 3.0 on a real node: the spec's sample events pushed and
// queried back with the spec's parameters and paging; pushes that do not
// validate (schema, ISO 6346 check digit, UN/LOCODE, missing codes) refused
// with 400 naming the JSONPath, nothing stored; events are log leaves and are
// indexed again from the log after a restart. Plus the pure checks.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { leafHash } from '@tradetwin/core/merkle/hash';
import { decodeLeaf, encodeLeaf } from '@tradetwin/core/proof/leaf';
import { SHARED_DIR } from '../test-support/shared.js';
import { startTestNode, type TestNode } from '../test-support/node-fixture.js';
import type { GeofenceEvent } from '@tradetwin/core/rules/index';
import type { ShipmentDefinition } from '../shipments/definition.js';
import { EVIDENCE_FIELD, eventsFromEpcis, eventsFromLocationEvent } from './derive.js';
import { iso6346CheckDigit, iso6346Problem } from './iso6346.js';
import { DCSA_LEAF_KIND, DcsaRepository, decodeDcsaBody, encodeDcsaBody, randomDcsaSalt } from './repository.js';
import { unLocodeProblem } from './unlocode.js';
import { derivedEventProblems, postEventsProblems, type TntEvent } from './validate.js';

const SAMPLE = JSON.parse(readFileSync(`${SHARED_DIR}standards/dcsa/tnt-samples/tnt-300-response.json`, 'utf8')) as {
  events: TntEvent[];
};
const clone = <T>(v: T): T => structuredClone(v);
const BASE = '/dcsa/tnt/v3/events';

describe('dcsa: pure checks', () => {
  it('ISO 6346: known container numbers pass, a wrong check digit is named', () => {
    assert.equal(iso6346CheckDigit('CSQU305438'), 3);
    assert.equal(iso6346Problem('CSQU3054383'), null);
    assert.equal(iso6346Problem('APZU4812090'), null);
    assert.match(iso6346Problem('APZU4812091') ?? '', /check digit: 1 given, 0 computed/);
    // Not ISO-shaped: allowed by the spec (SMDG Recommendation #2), not checked.
    assert.equal(iso6346Problem('TRAILER-12'), null);
  });

  it('UN/LOCODE format: country letters then A-Z / 2-9', () => {
    for (const ok of ['GBSOU', 'NLRTM', 'KEMBA', 'DEHA2']) assert.equal(unLocodeProblem(ok), null, ok);
    for (const bad of ['gbsou', 'GBSO', 'GB1OU', 'GBSO0', '12SOU']) assert.ok(unLocodeProblem(bad), bad);
  });

  it('a dcsa leaf body carries a fresh salt: the same event encoded twice is two leaf hashes', () => {
    const event = SAMPLE.events[0]!;
    const a = randomDcsaSalt();
    const b = randomDcsaSalt();
    assert.match(a, /^[0-9a-f]{32}$/);
    assert.notEqual(a, b);
    const leafOf = (body: Uint8Array) =>
      Buffer.from(leafHash(encodeLeaf({ kind: DCSA_LEAF_KIND, receivedAt: 1, body }))).toString('hex');
    assert.notEqual(leafOf(encodeDcsaBody('pushed', event, a)), leafOf(encodeDcsaBody('pushed', event, b)));
    assert.deepEqual(decodeDcsaBody(encodeDcsaBody('derived', event, a)), {
      origin: 'derived',
      event,
      json: JSON.stringify(event),
      salt: a,
    });
  });

  it('a legacy unsalted dcsa body still decodes; a malformed salt is refused, encoding and decoding', () => {
    const event = SAMPLE.events[0]!;
    const legacy = new TextEncoder().encode(JSON.stringify({ origin: 'pushed', event }));
    assert.deepEqual(decodeDcsaBody(legacy), { origin: 'pushed', event, json: JSON.stringify(event), salt: null });
    for (const salt of ['', 'ab', 'A'.repeat(32), 'g'.repeat(32), 'a'.repeat(33), 12, null]) {
      const body = new TextEncoder().encode(JSON.stringify({ origin: 'pushed', event, salt }));
      assert.throws(() => decodeDcsaBody(body), {
        name: 'DcsaError',
        code: 'corrupt',
        message: /dcsa leaf salt must be 32 lower-case hex/,
      });
      if (typeof salt === 'string')
        assert.throws(() => encodeDcsaBody('pushed', event, salt), { code: 'corrupt', message: /salt must be 32/ });
    }
  });

  it("the spec's own sample validates", () => {
    assert.deepEqual(postEventsProblems(SAMPLE), []);
  });

  it('every fault names its JSONPath', () => {
    const cases: [string, (e: TntEvent[]) => void, string, RegExp][] = [
      [
        'too long (schema)',
        (e) => {
          e[2]!.eventID = 'x'.repeat(501);
        },
        '$.events[2].eventID',
        /at most 500/,
      ],
      [
        'not a date-time (schema)',
        (e) => {
          e[0]!.eventDateTime = 'yesterday';
        },
        '$.events[0].eventDateTime',
        /date-time/,
      ],
      [
        'wrong type (schema)',
        (e) => {
          e[1]!.isRetracted = 'no';
        },
        '$.events[1].isRetracted',
        /boolean/,
      ],
      [
        'bad check digit',
        (e) => {
          (e[2]!.equipmentDetails as Record<string, unknown>).equipmentReference = 'APZU4812091';
        },
        '$.events[2].equipmentDetails.equipmentReference',
        /ISO 6346/,
      ],
      [
        'bad UN/LOCODE',
        (e) => {
          (e[1]!.eventLocation as Record<string, unknown>).UNLocationCode = 'GB1OU';
        },
        '$.events[1].eventLocation.UNLocationCode',
        /UN\/LOCODE/,
      ],
      [
        'type code missing',
        (e) => {
          delete (e[3]!.eventClassification as Record<string, unknown>).iotEventTypeCode;
        },
        '$.events[3].eventClassification.iotEventTypeCode',
        /DETC/,
      ],
      [
        'eventID missing',
        (e) => {
          delete e[4]!.eventID;
        },
        '$.events[4].eventID',
        /required/,
      ],
    ];
    for (const [name, spoil, path, message] of cases) {
      const body = clone(SAMPLE);
      spoil(body.events);
      const problems = postEventsProblems(body);
      assert.ok(
        problems.some((p) => p.propertyPath === path && message.test(p.message)),
        `${name}: ${JSON.stringify(problems)}`,
      );
    }
    assert.equal(postEventsProblems({ events: [] })[0]!.propertyPath, '$.events');
    assert.equal(postEventsProblems({ nope: 1 })[0]!.propertyPath, '$.events');
  });
});

describe('dcsa: events derived from EPCIS', () => {
  const node = { address: '0x00000000000000000000000000000000000000aa' };
  const epcis = (over: Record<string, unknown>) => ({
    type: 'ObjectEvent',
    eventTime: '2026-03-01T08:00:00.000Z',
    epcList: ['urn:epc:id:bic:CSQU3054383', 'urn:epc:id:sgtin:4012345.011111.1'],
    action: 'OBSERVE',
    bizStep: 'loading',
    bizLocation: { id: 'https://tradetwin.dev/unlocode/BEANR' },
    bizTransactionList: [{ type: 'bol', bizTransaction: 'urn:epcglobal:cbv:bt:HHL71800000' }],
    ...over,
  });
  const proof = { leafIndex: 42, hashId: 'ni:///sha-256;abc?ver=CBV2.0' };

  it('CBV steps map to equipment codes, per container, linked to the EPCIS event, and validate', () => {
    for (const [step, code] of [
      ['arriving', 'GTIN'],
      ['urn:epcglobal:cbv:bizstep:departing', 'GTOT'],
      ['loading', 'LOAD'],
      ['unloading', 'DISC'],
    ] as const) {
      const [e, more] = eventsFromEpcis(epcis({ bizStep: step }), proof, node);
      assert.equal(more, undefined);
      assert.equal((e!.eventClassification as Record<string, unknown>).equipmentEventTypeCode, code);
      assert.deepEqual(e!.equipmentDetails, { equipmentReference: 'CSQU3054383' });
      assert.deepEqual(e!.eventLocation, { UNLocationCode: 'BEANR' });
      assert.deepEqual(e!.shipmentDetails, { documentReference: { typeCode: 'TRD', reference: 'HHL71800000' } });
      assert.equal((e![EVIDENCE_FIELD] as { leafIndex: number }).leafIndex, 42);
      assert.deepEqual(derivedEventProblems(e!), []);
      // Deterministic: the same evidence, the same event.
      assert.deepEqual(eventsFromEpcis(epcis({ bizStep: step }), proof, node), [e]);
    }
  });

  it('no container or no mapped step: no event', () => {
    assert.deepEqual(eventsFromEpcis(epcis({ bizStep: 'receiving' }), proof, node), []);
    assert.deepEqual(eventsFromEpcis(epcis({ epcList: ['urn:epc:id:sgtin:4012345.011111.1'] }), proof, node), []);
  });
});

describe('dcsa: events derived from geofence crossings', () => {
  const node = { address: '0x00000000000000000000000000000000000000aa' };
  const fix = (readingId: string, leafIndex: number, t: number) => ({
    readingId,
    leafIndex,
    t,
    position: [51.25, 4.4] as [number, number],
    accuracyM: 5,
  });
  const crossing = (at: number, leaf: number) => ({
    at,
    position: [51.25, 4.4] as [number, number],
    fixes: [fix(`${leaf}:0`, leaf, at), fix(`${leaf}:2`, leaf, at + 60_000), fix(`${leaf + 1}:0`, leaf + 1, at + 120_000)],
    after: fix(`${leaf - 1}:4`, leaf - 1, at - 60_000),
  });
  const stay = (over: Partial<GeofenceEvent> = {}): GeofenceEvent => ({
    kind: 'geofence',
    id: `0x${'ab'.repeat(32)}`,
    shipmentId: 'SHP-1',
    ruleId: 'ports',
    deviceId: 'gps-1',
    zone: { id: 'antwerp', name: 'Port of Antwerp', unlocode: 'BEANR' },
    startedAt: Date.UTC(2026, 0, 1),
    endedAt: Date.UTC(2026, 0, 2),
    lastObservedAt: Date.UTC(2026, 0, 2),
    open: false,
    durationMinutes: 1440,
    entry: crossing(Date.UTC(2026, 0, 1), 10),
    exit: crossing(Date.UTC(2026, 0, 2), 20),
    evidence: { firstLeafIndex: 9, lastLeafIndex: 21, readingIds: [] },
    ...over,
  });
  const shipment = {
    id: 'SHP-1',
    references: { equipment: 'OCLU2026013' },
    legs: [
      { from: { name: 'Brussels', unlocode: 'BEBRU' }, to: { name: 'Antwerp', unlocode: 'BEANR' }, mode: 'road' },
      { from: { name: 'Antwerp', unlocode: 'BEANR' }, to: { name: 'Mombasa', unlocode: 'KEMBA' }, mode: 'sea' },
    ],
  } as unknown as ShipmentDefinition;

  it('entry and exit at a UN/LOCODE are ARRI and DEPA with the planned legs’ modes, linked to the confirming fixes, and validate', () => {
    const events = eventsFromLocationEvent(stay(), shipment, node);
    assert.deepEqual(
      events.map((e) => {
        const c = e.eventClassification as Record<string, string>;
        const t = e.transportDetails as { transportCall: { modeOfTransport: string } };
        return `${c.eventTypeCode}/${c.transportEventTypeCode}/${t.transportCall.modeOfTransport}`;
      }),
      ['TRANSPORT/ARRI/TRUCK', 'TRANSPORT/DEPA/VESSEL'],
    );
    for (const e of events) assert.deepEqual(derivedEventProblems(e), []);
    const arri = events[0]!;
    assert.equal((arri.eventLocation as { UNLocationCode: string }).UNLocationCode, 'BEANR');
    assert.equal(arri.eventDateTime, '2026-01-01T00:00:00.000Z');
    assert.deepEqual(arri[EVIDENCE_FIELD], {
      kind: 'geofence',
      locationEventId: stay().id,
      shipmentId: 'SHP-1',
      ruleId: 'ports',
      deviceId: 'gps-1',
      zone: { id: 'antwerp', name: 'Port of Antwerp', unlocode: 'BEANR' },
      crossing: 'entry',
      open: false,
      readingIds: ['10:0', '10:2', '11:0'],
      before: '9:4',
      leaves: { first: 10, last: 11 },
    });
    // The same stay derives the same eventIDs (deriving again adds nothing).
    assert.deepEqual(
      eventsFromLocationEvent(stay(), shipment, node).map((e) => e.eventID),
      events.map((e) => e.eventID),
    );
  });

  it('no crossing confirmed, no UN/LOCODE, no planned leg there: no event, or one without a mode', () => {
    assert.deepEqual(
      eventsFromLocationEvent(stay({ entry: null, exit: null, open: true }), shipment, node),
      [],
      'began inside and still there',
    );
    assert.deepEqual(eventsFromLocationEvent(stay({ zone: { id: 'd', name: 'Depot', unlocode: null } }), shipment, node), []);
    const elsewhere = eventsFromLocationEvent(stay({ zone: { id: 'r', name: 'Rotterdam', unlocode: 'NLRTM' } }), shipment, node);
    assert.equal(elsewhere.length, 2);
    for (const e of elsewhere) {
      assert.equal(e.transportDetails, undefined);
      assert.deepEqual(derivedEventProblems(e), []);
    }
  });
});

describe('dcsa: on a real node', () => {
  let t: TestNode;
  const auth = () => ({ authorization: `Bearer ${t.node.adminToken}` });
  const push = (body: unknown) =>
    fetch(`${t.node.httpUrl}${BASE}`, {
      method: 'POST',
      headers: { ...auth(), 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const get = async (query: string) => {
    const res = await fetch(`${t.node.httpUrl}${BASE}${query}`, { headers: auth() });
    const body = (await res.json()) as { events: TntEvent[]; field?: string };
    return { res, body, ids: (body.events ?? []).map((e) => e.eventID) };
  };

  before(async () => {
    t = await startTestNode();
  });
  after(async () => {
    await t?.stop();
  });

  it('a push of the sample is stored as "dcsa" log leaves and answered with API-Version', async () => {
    const before = t.node.log.size;
    const res = await push(SAMPLE);
    assert.equal(res.status, 200, await res.clone().text());
    assert.equal(res.headers.get('api-version'), '3.0.0');
    const body = (await res.json()) as { feedbackElements: { severity: string }[] };
    assert.equal(body.feedbackElements[0]!.severity, 'INFO');
    assert.equal(t.node.log.size, before + SAMPLE.events.length);
    const leaf = await t.node.store.leaf(before + 2);
    const rec = decodeLeaf(leaf!.data);
    assert.equal(rec.kind, DCSA_LEAF_KIND);
    assert.deepEqual(decodeDcsaBody(rec.body).event, SAMPLE.events[2]);
    // Each leaf is salted afresh: knowing the event and its receipt ms does not give its leaf hash.
    const salts = new Set<string>();
    for (let i = before; i < before + SAMPLE.events.length; i++) {
      const stored = decodeLeaf((await t.node.store.leaf(i))!.data);
      const { origin, event, salt } = decodeDcsaBody(stored.body);
      assert.match(String(salt), /^[0-9a-f]{32}$/);
      salts.add(salt!);
      const unsalted = encodeLeaf({
        kind: DCSA_LEAF_KIND,
        receivedAt: stored.receivedAt,
        body: new TextEncoder().encode(JSON.stringify({ origin, event })),
      });
      assert.notDeepEqual(leafHash(unsalted), leafHash((await t.node.store.leaf(i))!.data));
    }
    assert.equal(salts.size, SAMPLE.events.length);
  });

  it("the spec's filter combinations answer the right events", async () => {
    const all = SAMPLE.events.map((e) => e.eventID);
    const cases: [string, unknown[]][] = [
      ['', all],
      ['?carrierBookingReference=ABC709951', ['evt-resp-ship-001', 'evt-resp-trans-001']],
      ['?transportDocumentReference=HHL71800000', ['evt-resp-ship-001', 'evt-resp-trans-001']],
      ['?equipmentReference=APZU4812090', ['evt-resp-equip-001', 'evt-resp-iot-001', 'evt-resp-reefer-001']],
      ['?equipmentReference=APZU4812090&eventTypes=IOT,REEFER', ['evt-resp-iot-001', 'evt-resp-reefer-001']],
      ['?carrierBookingReference=ABC709951&equipmentReference=APZU4812090', []],
      ['?eventTypes=TRANSPORT', ['evt-resp-trans-001']],
      ['?equipmentEventTypeCode=GTIN', ['evt-resp-equip-001']],
      ['?eventUpdatedDateTimeMin=2025-01-27T01:23:45Z', ['evt-resp-equip-001', 'evt-resp-iot-001', 'evt-resp-reefer-001']],
      ['?eventUpdatedDateTimeMax=2025-01-25T01:23:45Z', ['evt-resp-ship-001', 'evt-resp-trans-001']],
    ];
    for (const [q, want] of cases) {
      const { res, ids } = await get(q);
      assert.equal(res.status, 200, q);
      assert.equal(res.headers.get('api-version'), '3.0.0');
      assert.deepEqual(ids, want, q);
    }
  });

  it('pages of limit with Next-Page-Cursor walk every match once; the last page has no cursor', async () => {
    const seen: unknown[] = [];
    let q = '?limit=2';
    for (let pages = 0; pages < 10; pages++) {
      const { res, ids } = await get(q);
      seen.push(...ids);
      const next = res.headers.get('next-page-cursor');
      if (!next) break;
      q = `?limit=2&cursor=${encodeURIComponent(next)}`;
    }
    assert.deepEqual(
      seen,
      SAMPLE.events.map((e) => e.eventID),
    );
    const bad = await get('?cursor=garbage');
    assert.equal(bad.res.status, 400);
    assert.equal(bad.body.field, 'cursor');
    const badType = await get('?eventTypes=EQUIPMENT,BOGUS');
    assert.equal(badType.res.status, 400);
    assert.equal(badType.body.field, 'eventTypes');
  });

  it('a push that does not validate is a 400 naming the field, and nothing of it is stored', async () => {
    const size = t.node.log.size;
    const body = clone(SAMPLE);
    for (const e of body.events) e.eventID = `${String(e.eventID)}-bad-push`;
    (body.events[2]!.equipmentDetails as Record<string, unknown>).equipmentReference = 'APZU4812091';
    const res = await push(body);
    assert.equal(res.status, 400);
    const p = (await res.json()) as { type: string; field: string; feedbackElements: { propertyPath: string }[] };
    assert.match(p.type, /\/invalid_event$/);
    assert.equal(p.field, '$.events[2].equipmentDetails.equipmentReference');
    assert.equal(p.feedbackElements[0]!.propertyPath, p.field);
    const schema = await push({ events: [{ ...SAMPLE.events[0], eventDateTime: 42 }] });
    assert.equal(schema.status, 400);
    assert.equal(((await schema.json()) as { field: string }).field, '$.events[0].eventDateTime');
    const notJson = await fetch(`${t.node.httpUrl}${BASE}`, {
      method: 'POST',
      headers: { ...auth(), 'content-type': 'application/json' },
      body: '{',
    });
    assert.equal(notJson.status, 400);
    assert.equal(t.node.log.size, size);
    assert.deepEqual((await get('?equipmentReference=APZU4812091')).ids, []);
  });

  it('a newer version of an event (same eventID, later eventUpdatedDateTime) replaces it in answers', async () => {
    const updated: TntEvent = { ...clone(SAMPLE.events[2]!), eventUpdatedDateTime: '2025-03-01T00:00:00Z' };
    (updated.eventClassification as Record<string, unknown>).equipmentEventTypeCode = 'GTOT';
    assert.equal((await push({ events: [updated] })).status, 200);
    const { body } = await get('?equipmentReference=APZU4812090&eventTypes=EQUIPMENT');
    assert.equal(body.events.length, 1);
    assert.equal((body.events[0]!.eventClassification as Record<string, unknown>).equipmentEventTypeCode, 'GTOT');
  });

  it('without dcsa scopes: no access', async () => {
    const res = await fetch(`${t.node.httpUrl}${BASE}`);
    assert.equal(res.status, 401);
  });

  it('a legacy unsalted leaf is indexed and answered; a malformed salt source is refused and stores nothing', async () => {
    const legacyEvent: TntEvent = { ...clone(SAMPLE.events[0]!), eventID: 'evt-legacy-unsalted-001' };
    const body = new TextEncoder().encode(JSON.stringify({ origin: 'pushed', event: legacyEvent }));
    const { firstIndex } = await t.node.log.append([
      { data: encodeLeaf({ kind: DCSA_LEAF_KIND, receivedAt: Date.now(), body }) },
    ]);
    assert.deepEqual(await t.node.dcsa.catchUp(), { indexed: 1 });
    const row = (await t.node.dcsa.query({}, 1000)).rows.find((r) => r.eventId === 'evt-legacy-unsalted-001');
    assert.equal(row?.rid, firstIndex);
    assert.ok((await get('')).ids.includes('evt-legacy-unsalted-001'));

    const logSize = t.node.log.size;
    const eventsBefore = (await get('')).ids.length;
    const faulty = new DcsaRepository({
      index: t.node.storage.dcsa,
      store: t.node.store,
      log: t.node.log,
      salt: () => 'not-a-salt',
    });
    const fresh: TntEvent = { ...clone(SAMPLE.events[1]!), eventID: 'evt-bad-salt-001' };
    await assert.rejects(faulty.append([fresh], 'pushed'), {
      name: 'DcsaError',
      code: 'corrupt',
      message: /dcsa leaf salt must be 32 lower-case hex digits, got "not-a-salt"/,
    });
    assert.equal(t.node.log.size, logSize, 'nothing logged');
    assert.equal((await get('')).ids.length, eventsBefore, 'nothing indexed');
  });

  it('after a restart the index answers the same; scanning the log again from its start adds no repeats', async () => {
    const dataDir = t.dataDir;
    const before = (await get('')).ids;
    await t.node.storage.dcsa.setMeta('scan_cursor', '0');
    await t.stop();
    t = await startTestNode({ dataDir });
    assert.deepEqual((await get('')).ids, before);
  });
});
