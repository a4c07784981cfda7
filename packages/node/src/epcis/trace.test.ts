// A recall over a small, realistic tomato-ketchup chain captured into a real
// node: three farms → raw lots → paste lots (transformation) → ketchup lots and
// bottles (transformation, with salt) → pallets (aggregation) → a reusable truck
// and a despatch advice → two retailers; one shipment recorded wrongly and
// corrected by an error declaration. Forward from the contaminated paste lot
// reaches every ketchup lot, bottle, pallet, the truck and both retailers — not
// the lot made without it, not the truck's earlier trip, not the retailer of the
// erroneous event. Backward from a bottle sold in a shop reaches exactly the two
// farms it came from. Every hop cites its event's hash ID and leaf, and each
// cited event comes with an inclusion proof that verifies.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { bundleChainReaders } from '@tradetwin/contracts/bundle-readers';
import { type EventProof, verifyEventProof } from '@tradetwin/core/proof/epcis-event';
import { epcToDigitalLink, eventHashId } from '@tradetwin/core/epcis/index';
import { type EpcisTestNode, startEpcisNode } from './test-support.js';
import type { TraceResult } from './trace.js';

type Json = Record<string, unknown>;
let n: EpcisTestNode;

const CTX = ['https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld'];
const k = (urn: string) => epcToDigitalLink(urn) ?? urn;

// Places (SGLN) and parties (PGLN)
const FARM_N = 'urn:epc:id:sgln:0614141.00001.0';
const FARM_S = 'urn:epc:id:sgln:0614141.00002.0';
const FARM_E = 'urn:epc:id:sgln:0614141.00003.0';
const SALT_MINE = 'urn:epc:id:sgln:4000001.00001.0';
const PLANT = 'urn:epc:id:sgln:4012345.00010.0';
const FACTORY = 'urn:epc:id:sgln:4012345.00020.0';
const R1_DC = 'urn:epc:id:sgln:5012345.00001.0';
const R1_SHOP = 'urn:epc:id:sgln:5012345.00002.0';
const R2_DC = 'urn:epc:id:sgln:6012345.00001.0';
const R3_DC = 'urn:epc:id:sgln:7012345.00001.0';
const R9_DC = 'urn:epc:id:sgln:9012345.00001.0';
const P_FARM_N = 'urn:epc:id:pgln:0614141.00001';
const P_PLANT = 'urn:epc:id:pgln:4012345.00010';
const P_FACTORY = 'urn:epc:id:pgln:4012345.00020';
const P_R1 = 'urn:epc:id:pgln:5012345.00000';
const P_R2 = 'urn:epc:id:pgln:6012345.00000';
const P_R3 = 'urn:epc:id:pgln:7012345.00000';
const P_R9 = 'urn:epc:id:pgln:9012345.00000';

// Lots (LGTIN classes), bottles (SGTIN), pallets (SSCC), the truck (GIAI)
const lot = (ref: string, l: string) => `urn:epc:class:lgtin:${ref}.${l}`;
const RAW_N = lot('0614141.000010', 'RAW-N1');
const RAW_S = lot('0614141.000010', 'RAW-S1');
const RAW_E = lot('0614141.000010', 'RAW-E1');
const PASTE_1 = lot('4012345.000020', 'PASTE-1');
const PASTE_2 = lot('4012345.000020', 'PASTE-2');
const SALT = lot('4000001.000030', 'SALT-9');
const KA = lot('4012345.000040', 'KA');
const KB = lot('4012345.000040', 'KB');
const KC = lot('4012345.000040', 'KC');
const bottle = (s: string) => `urn:epc:id:sgtin:4012345.000040.${s}`;
const A = ['A1', 'A2', 'A3', 'A4'].map(bottle);
const B = ['B1', 'B2', 'B3', 'B4'].map(bottle);
const C = ['C1', 'C2', 'C3', 'C4'].map(bottle);
const P0 = 'urn:epc:id:sscc:4012345.0000000000';
const P1 = 'urn:epc:id:sscc:4012345.0000000001';
const P2 = 'urn:epc:id:sscc:4012345.0000000002';
const P3 = 'urn:epc:id:sscc:4012345.0000000003';
const TRUCK = 'urn:epc:id:giai:4012345.TRUCK7';
const DESADV = 'urn:epcglobal:cbv:bt:4012345000009:DESADV-1';

let clock = Date.parse('2024-05-01T06:00:00Z');
const at = (hours: number) => {
  clock += hours * 3600_000;
  return { eventTime: new Date(clock).toISOString(), eventTimeZoneOffset: '+00:00' };
};
const place = (readPoint: string, bizLocation = readPoint) => ({
  readPoint: { id: readPoint },
  bizLocation: { id: bizLocation },
});
const q = (epcClass: string, quantity: number, uom = 'KGM') => ({ epcClass, quantity, uom });
let seq = 0;
const id = () => `urn:uuid:00000000-0000-4000-8000-${String(++seq).padStart(12, '0')}`;

function chain(): { events: Json[]; wrong: Json; fix: Json } {
  const ev = (e: Json): Json => ({ eventID: id(), ...e });
  const harvest = (raw: string, farm: string, party: string) => [
    ev({
      type: 'ObjectEvent',
      action: 'ADD',
      bizStep: 'commissioning',
      disposition: 'active',
      ...at(1),
      quantityList: [q(raw, 2000)],
      ...place(farm),
    }),
    ev({
      type: 'ObjectEvent',
      action: 'OBSERVE',
      bizStep: 'shipping',
      disposition: 'in_transit',
      ...at(1),
      quantityList: [q(raw, 2000)],
      ...place(farm),
      sourceList: [{ type: 'owning_party', source: party }],
      destinationList: [
        { type: 'owning_party', destination: P_PLANT },
        { type: 'location', destination: PLANT },
      ],
    }),
  ];
  const events: Json[] = [
    // the truck's earlier, unrelated trip (before any of this product existed)
    ev({
      type: 'AggregationEvent',
      action: 'ADD',
      bizStep: 'loading',
      ...at(1),
      parentID: TRUCK,
      childEPCs: [P0],
      ...place(FACTORY),
    }),
    ev({
      type: 'ObjectEvent',
      action: 'OBSERVE',
      bizStep: 'shipping',
      ...at(1),
      epcList: [TRUCK],
      ...place(FACTORY),
      destinationList: [
        { type: 'owning_party', destination: P_R9 },
        { type: 'location', destination: R9_DC },
      ],
    }),
    ev({
      type: 'AggregationEvent',
      action: 'DELETE',
      bizStep: 'unloading',
      ...at(5),
      parentID: TRUCK,
      childEPCs: [P0],
      ...place(R9_DC),
    }),
    ...harvest(RAW_N, FARM_N, P_FARM_N),
    ...harvest(RAW_S, FARM_S, 'urn:epc:id:pgln:0614141.00002'),
    ...harvest(RAW_E, FARM_E, 'urn:epc:id:pgln:0614141.00003'),
    ev({
      type: 'ObjectEvent',
      action: 'ADD',
      bizStep: 'commissioning',
      ...at(1),
      quantityList: [q(SALT, 800)],
      ...place(SALT_MINE),
    }),
    // paste: PASTE-1 from the north and south farms, PASTE-2 from the east farm
    ev({
      type: 'ObjectEvent',
      action: 'OBSERVE',
      bizStep: 'receiving',
      ...at(6),
      quantityList: [q(RAW_N, 2000), q(RAW_S, 2000), q(RAW_E, 2000)],
      ...place(PLANT),
    }),
    ev({
      type: 'TransformationEvent',
      bizStep: 'commissioning',
      ...at(2),
      inputQuantityList: [q(RAW_N, 2000), q(RAW_S, 2000)],
      outputQuantityList: [q(PASTE_1, 900)],
      ...place(PLANT),
    }),
    ev({
      type: 'TransformationEvent',
      bizStep: 'commissioning',
      ...at(1),
      inputQuantityList: [q(RAW_E, 2000)],
      outputQuantityList: [q(PASTE_2, 450)],
      ...place(PLANT),
    }),
    ev({
      type: 'ObjectEvent',
      action: 'OBSERVE',
      bizStep: 'shipping',
      ...at(2),
      quantityList: [q(PASTE_1, 900), q(PASTE_2, 450)],
      ...place(PLANT),
      sourceList: [{ type: 'owning_party', source: P_PLANT }],
      destinationList: [{ type: 'owning_party', destination: P_FACTORY }],
    }),
    // ketchup: KA = PASTE-1 + salt, KB = PASTE-1 + PASTE-2, KC = PASTE-2 only
    ev({
      type: 'TransformationEvent',
      bizStep: 'commissioning',
      ...at(8),
      inputQuantityList: [q(PASTE_1, 400), q(SALT, 10)],
      outputEPCList: A,
      outputQuantityList: [q(KA, 4, 'EA')],
      ...place(FACTORY),
      ilmd: { 'cbvmda:lotNumber': 'KA' },
    }),
    ev({
      type: 'TransformationEvent',
      bizStep: 'commissioning',
      ...at(1),
      inputQuantityList: [q(PASTE_1, 300), q(PASTE_2, 100)],
      outputEPCList: B,
      outputQuantityList: [q(KB, 4, 'EA')],
      ...place(FACTORY),
    }),
    ev({
      type: 'TransformationEvent',
      bizStep: 'commissioning',
      ...at(1),
      inputQuantityList: [q(PASTE_2, 350)],
      outputEPCList: C,
      outputQuantityList: [q(KC, 4, 'EA')],
      ...place(FACTORY),
    }),
    // pallets: P3 mixes the KC bottles with one KB bottle
    ev({ type: 'AggregationEvent', action: 'ADD', bizStep: 'packing', ...at(1), parentID: P1, childEPCs: A, ...place(FACTORY) }),
    ev({
      type: 'AggregationEvent',
      action: 'ADD',
      bizStep: 'packing',
      ...at(0.1),
      parentID: P2,
      childEPCs: B.slice(0, 3),
      ...place(FACTORY),
    }),
    ev({
      type: 'AggregationEvent',
      action: 'ADD',
      bizStep: 'packing',
      ...at(0.1),
      parentID: P3,
      childEPCs: [...C, B[3]!],
      ...place(FACTORY),
    }),
    // P1 and P2 go by truck to retailer 1 under one despatch advice
    ev({
      type: 'TransactionEvent',
      action: 'ADD',
      bizStep: 'shipping',
      ...at(1),
      bizTransactionList: [{ type: 'desadv', bizTransaction: DESADV }],
      epcList: [P1, P2],
      ...place(FACTORY),
    }),
    ev({
      type: 'AggregationEvent',
      action: 'ADD',
      bizStep: 'loading',
      ...at(0.5),
      parentID: TRUCK,
      childEPCs: [P1, P2],
      ...place(FACTORY),
    }),
    ev({
      type: 'ObjectEvent',
      action: 'OBSERVE',
      bizStep: 'shipping',
      disposition: 'in_transit',
      ...at(0.5),
      epcList: [TRUCK],
      ...place(FACTORY),
      sourceList: [{ type: 'owning_party', source: P_FACTORY }],
      destinationList: [
        { type: 'owning_party', destination: P_R1 },
        { type: 'location', destination: R1_DC },
      ],
    }),
    ev({
      type: 'ObjectEvent',
      action: 'OBSERVE',
      bizStep: 'receiving',
      disposition: 'in_progress',
      ...at(6),
      epcList: [P1, P2],
      ...place(R1_DC),
    }),
    ev({
      type: 'AggregationEvent',
      action: 'DELETE',
      bizStep: 'unpacking',
      ...at(20),
      parentID: P1,
      childEPCs: A,
      ...place(R1_SHOP),
    }),
    ev({
      type: 'ObjectEvent',
      action: 'OBSERVE',
      bizStep: 'retail_selling',
      disposition: 'retail_sold',
      ...at(30),
      epcList: [A[2]!],
      ...place(R1_SHOP),
    }),
  ];
  // P3 goes to retailer 2 — first recorded, wrongly, as going to retailer 3
  const wrong = ev({
    type: 'ObjectEvent',
    action: 'OBSERVE',
    bizStep: 'shipping',
    ...at(2),
    epcList: [P3],
    ...place(FACTORY),
    destinationList: [
      { type: 'owning_party', destination: P_R3 },
      { type: 'location', destination: R3_DC },
    ],
  });
  const fix = ev({
    type: 'ObjectEvent',
    action: 'OBSERVE',
    bizStep: 'shipping',
    eventTime: wrong.eventTime,
    eventTimeZoneOffset: '+00:00',
    epcList: [P3],
    ...place(FACTORY),
    destinationList: [
      { type: 'owning_party', destination: P_R2 },
      { type: 'location', destination: R2_DC },
    ],
  });
  events.push(
    wrong,
    ev({ type: 'ObjectEvent', action: 'OBSERVE', bizStep: 'receiving', ...at(8), epcList: [P3], ...place(R2_DC) }),
  );
  return { events, wrong, fix };
}

const byId = new Map<string, Json>();

before(async () => {
  n = await startEpcisNode();
  const { events, wrong, fix } = chain();
  for (const e of events) byId.set(e.eventID as string, e);
  // captured in three documents, as the parties would
  const docOf = (list: Json[]) => ({
    '@context': CTX,
    type: 'EPCISDocument',
    schemaVersion: '2.0',
    creationDate: new Date().toISOString(),
    epcisBody: { eventList: list },
  });
  const r1 = await n.capture(docOf(events.slice(0, 12)));
  const r2 = await n.capture(docOf(events.slice(12)));
  assert.equal(
    r1.job?.success && r2.job?.success,
    true,
    JSON.stringify([r1.problem, r2.problem, r1.job?.errors, r2.job?.errors]),
  );
  const declaration = {
    ...wrong,
    errorDeclaration: { declarationTime: new Date().toISOString(), reason: 'incorrect_data', correctiveEventIDs: [fix.eventID] },
  };
  byId.set(fix.eventID as string, fix);
  const r3 = await n.capture(docOf([declaration, fix]));
  assert.equal(r3.job?.success, true, JSON.stringify(r3.job?.errors ?? r3.problem));
  await n.t.node.anchorer.anchorNow();
});
after(() => n.dispose());

async function traceOf(epc: string, direction: 'forward' | 'backward'): Promise<TraceResult & { proofs: EventProof[] }> {
  const res = await n.request(`/epcis/trace/${encodeURIComponent(epc)}?direction=${direction}&proofs=true`);
  assert.equal(res.status, 200);
  return (await res.json()) as TraceResult & { proofs: EventProof[] };
}

async function checkEvidence(r: TraceResult & { proofs: EventProof[] }): Promise<void> {
  const cited = new Set(r.hops.map((h) => h.leafIndex));
  assert.deepEqual(
    [...cited].sort((a, b) => a - b),
    r.events.map((e) => e.leafIndex),
    'every cited event is listed once',
  );
  assert.equal(r.proofs.length, r.events.length);
  for (const [i, e] of r.events.entries()) {
    const original = byId.get(e.eventID);
    assert.ok(original, `evidence ${e.eventID} is a captured event`);
    assert.equal(e.eventHashId, eventHashId(original as never, CTX), `hash ID of ${e.eventID}`);
    const p = r.proofs[i]!;
    assert.equal(p.leaf.index, e.leafIndex);
    assert.equal(p.eventHashId, e.eventHashId);
    assert.ok(p.anchor?.txHash, 'anchored on chain');
    const v = await verifyEventProof(p, proofChecks());
    assert.deepEqual(
      v.checks.filter((c) => !c.ok),
      [],
      `proof of ${e.eventID}`,
    );
  }
}

describe('recall trace', () => {
  it('forward from the contaminated paste lot: every ketchup lot, bottle, pallet, the truck and retailer it reached', async () => {
    const r = await traceOf(PASTE_1, 'forward');
    assert.deepEqual(r.lots, [KA, KB].map(k).sort());
    assert.deepEqual(r.items, [...A, ...B].map(k).sort());
    assert.deepEqual(r.containers, [P1, P2, P3, TRUCK].map(k).sort());
    assert.deepEqual(r.transactions, [{ type: 'desadv', value: DESADV }]);
    const parties = r.parties.map((p) => p.value).sort();
    assert.deepEqual(parties, [P_FACTORY, P_R1, P_R2].map(k).sort());
    for (const loc of [FACTORY, R1_DC, R1_SHOP, R2_DC]) assert.ok(r.locations.includes(k(loc)), `reached ${loc}`);
    for (const loc of [R3_DC, R9_DC, FARM_N, FARM_E]) assert.ok(!r.locations.includes(k(loc)), `did not reach ${loc}`);
    assert.ok(!r.lots.includes(k(KC)) && !r.items.includes(k(C[0]!)), 'KC was made without PASTE-1');
    assert.ok(!r.containers.includes(k(P0)), "the truck's earlier load is not in the recall");
    // hops name their relation and evidence
    assert.ok(r.hops.some((h) => h.from === k(PASTE_1) && h.to === k(KA) && h.relation === 'transformed_into'));
    assert.ok(r.hops.some((h) => h.from === k(B[3]!) && h.to === k(P3) && h.relation === 'packed_into'));
    assert.ok(r.hops.some((h) => h.from === k(TRUCK) && h.to === k(P_R1) && h.relation === 'shipped_to'));
    assert.equal(r.truncated, false);
    await checkEvidence(r);
  });

  it('backward from a bottle sold in a shop: every input, container, location and the two farms it came from', async () => {
    const r = await traceOf(A[2]!, 'backward');
    assert.deepEqual(r.lots, [PASTE_1, SALT, RAW_N, RAW_S].map(k).sort());
    assert.deepEqual(r.containers, [P1, TRUCK].map(k).sort());
    for (const loc of [FARM_N, FARM_S, SALT_MINE, PLANT, FACTORY, R1_DC, R1_SHOP])
      assert.ok(r.locations.includes(k(loc)), `came through ${loc}`);
    for (const loc of [FARM_E, R9_DC, R2_DC, R3_DC]) assert.ok(!r.locations.includes(k(loc)), `did not come through ${loc}`);
    const farms = r.locations.filter((l) => [FARM_N, FARM_S, FARM_E].map(k).includes(l));
    assert.deepEqual(farms.sort(), [FARM_N, FARM_S].map(k).sort());
    assert.ok(r.parties.some((p) => p.value === k(P_FARM_N) && p.type === 'owning_party'));
    assert.ok(r.hops.some((h) => h.from === k(PASTE_1) && h.to === k(RAW_S) && h.relation === 'made_from'));
    assert.ok(!r.items.includes(k(A[0]!)), 'siblings in the pallet are not inputs of this bottle');
    await checkEvidence(r);
  });

  it('backward from a pallet opens it: its bottles and their farms, including all three', async () => {
    const r = await traceOf(P3, 'backward');
    assert.deepEqual(r.items, [...C, B[3]!].map(k).sort());
    const farms = r.locations.filter((l) => [FARM_N, FARM_S, FARM_E].map(k).includes(l));
    assert.deepEqual(farms.sort(), [FARM_N, FARM_S, FARM_E].map(k).sort());
  });

  it('refuses a bad direction and an unknown identifier with problems', async () => {
    const bad = await n.request(`/epcis/trace/${encodeURIComponent(PASTE_1)}?direction=sideways`);
    assert.equal(bad.status, 400);
    assert.equal(((await bad.json()) as Json).code, 'bad_direction');
    const unknown = await n.request('/epcis/trace/urn:epc:id:sgtin:9999999.000001.X');
    assert.equal(unknown.status, 404);
  });
});

/** Verify against the node's account and its chain (the anchor check reads LogAnchor). */
function proofChecks() {
  return {
    expectedSigner: n.t.node.address,
    readAnchor: bundleChainReaders(n.t.node.clients.publicClient, 'the embedded chain').readAnchor,
  };
}
