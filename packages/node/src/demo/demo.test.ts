// Scenario S1 end to end on a real node, chain and contracts: the breach at
// Mombasa is detected from the log, attested by two organisations' oracles
// that re-verified the evidence, and paid on chain — the amount the policy's
// terms give for the excursion, no more; the proof and the audit hold.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { computePayout } from '@tradetwin/contracts/cover';
import { type BandExcursion, claimFields, type GeofenceEvent, type LocationEvent } from '@tradetwin/core/rules/index';
import { documentEvents, validateEpcis } from '@tradetwin/core/epcis/index';
import { balanceOf } from '../chain/cover.js';
import { runCli } from '../test-support/cli.js';
import { startTestNode, type TestNode } from '../test-support/node-fixture.js';
import { type DemoEvent, type DemoResult, journeyStart, runDemo } from './run.js';
import { BAND_RULE_ID, GEOFENCE_RULE_ID, PLACES, SHIPMENT_ID, SHIPMENT_REFERENCES, TIMELINE } from './scenario.js';

let t: TestNode | undefined;
after(() => t?.dispose());

describe('demo: vaccine cold chain with parametric cover', () => {
  it('pays the policy for the Mombasa breach, on evidence anyone can check', async () => {
    const start = journeyStart(Date.now());
    t = await startTestNode({
      configure: (c) => {
        if (c.chain.mode === 'embedded') c.chain.genesisTimestamp = Math.floor((start - 3600_000) / 1000);
      },
    });
    const events: DemoEvent[] = [];
    const result = await runDemo(t.node, start, (e) => events.push(e));

    const temp = result.excursions.filter((x): x is BandExcursion => x.kind === 'band' && x.ruleId === BAND_RULE_ID);
    assert.equal(temp.length, 1, 'one temperature excursion: the transhipment');
    const x = temp[0]!;
    assert.equal(x.breached, true);
    assert.equal(x.open, false);
    // The door was open from TIMELINE.doorOpen for 95 min; the load warmed above 8 °C within minutes and cooled after.
    assert.ok(x.startedAt >= start + TIMELINE.doorOpen && x.startedAt < start + TIMELINE.doorOpen + 15 * 60_000);
    assert.ok(x.minutesOutside >= 90 && x.minutesOutside <= 120, `${x.minutesOutside} min outside`);
    assert.ok(x.peak > 12 && x.peak < 16, `peak ${x.peak}`);

    assert.equal(result.payouts.length, 1);
    const payout = result.payouts[0]!;
    const policy = result.policies[0] as {
      sumInsured: string;
      toleranceMinutes: number;
      catastrophicMinutes: number;
      payoutPerHourBps: number;
      holder: `0x${string}`;
    };
    const expected = computePayout(
      {
        sumInsured: BigInt(policy.sumInsured),
        toleranceMinutes: policy.toleranceMinutes,
        catastrophicMinutes: policy.catastrophicMinutes,
        payoutPerHourBps: policy.payoutPerHourBps,
      },
      claimFields(x).minutesOutside,
    );
    assert.equal(BigInt(payout.amount), expected);
    assert.equal(payout.signers.length, 2, 'two organisations attested');

    // DCSA Track & Trace: the container's events, derived from the evidence and linked to it.
    const dcsaRes = await fetch(`${t.node.httpUrl}/dcsa/tnt/v3/events?equipmentReference=${SHIPMENT_REFERENCES.equipment}`, {
      headers: { authorization: `Bearer ${t.node.adminToken}` },
    });
    assert.equal(dcsaRes.status, 200);
    const dcsa = ((await dcsaRes.json()) as { events: Record<string, Record<string, unknown>>[] }).events;
    const codeOf = (e: Record<string, Record<string, unknown>>) =>
      e.eventClassification!.equipmentEventTypeCode ??
      e.eventClassification!.reeferEventTypeCode ??
      e.eventClassification!.iotEventTypeCode;
    const kinds = dcsa.map((e) => `${e.eventClassification!.eventTypeCode}/${codeOf(e)}`);
    for (const k of ['EQUIPMENT/GTIN', 'EQUIPMENT/LOAD', 'EQUIPMENT/DISC', 'EQUIPMENT/GTOT', 'REEFER/MEAS', 'IOT/DETC'])
      assert.ok(kinds.includes(k), `${k} among ${kinds.join(', ')}`);
    const reefer = dcsa.find((e) => e.eventClassification!.eventTypeCode === 'REEFER')!;
    const evidence = reefer['x-tradetwin-evidence'] as { excursionId: string; readingIds: { peak: string } };
    assert.equal(evidence.excursionId, x.id);
    assert.equal(evidence.readingIds.peak, x.evidence.readingIds.peak);
    const gateIn = dcsa.find((e) => e.eventClassification!.equipmentEventTypeCode === 'GTIN')!;
    assert.equal(gateIn.eventLocation!.UNLocationCode, 'BEANR');
    assert.equal((gateIn['x-tradetwin-evidence'] as { kind: string }).kind, 'epcis');

    // The tracker's signed fixes through the location rules: the ports' fences entered and left, as the API shows them;
    // no route deviation and no unscheduled stop on a journey that kept to its plan.
    const locRes = await fetch(`${t.node.httpUrl}/api/v1/shipments/${SHIPMENT_ID}/location-events`, {
      headers: { authorization: `Bearer ${t.node.adminToken}` },
    });
    assert.equal(locRes.status, 200);
    const located = (await locRes.json()) as LocationEvent[];
    assert.deepEqual(located, result.locationEvents);
    assert.deepEqual(
      located.filter((e) => e.kind !== 'geofence'),
      [],
      'no deviation or stop on the planned route',
    );
    const stays = located.filter((e): e is GeofenceEvent => e.kind === 'geofence' && e.ruleId === GEOFENCE_RULE_ID);
    const stayAt = (locode: string) => stays.filter((e) => e.zone.unlocode === locode);
    for (const [place, arrive, depart] of [
      [PLACES.antwerp, TIMELINE.arriveAntwerp, TIMELINE.sail],
      [PLACES.mombasa, TIMELINE.arriveMombasa, TIMELINE.departMombasa],
    ] as const) {
      assert.equal(stayAt(place.unlocode).length, 1, `one stay at ${place.unlocode}`);
      const stay = stayAt(place.unlocode)[0]!;
      assert.ok(stay.entry && stay.exit, `${place.unlocode}: entry and exit confirmed`);
      // Fixes every 30 min: the crossing lies within the hour before the arrival / after the departure.
      assert.ok(Math.abs(stay.entry.at - (start + arrive)) <= 3600_000, `${place.unlocode} entry at ${stay.entry.at}`);
      assert.ok(stay.exit.at >= start + depart && stay.exit.at <= start + depart + 3600_000, `${place.unlocode} exit`);
      assert.ok(stay.entry.fixes.length >= 3, 'confirmed by three fixes');
    }
    // The plant was left, and the store reached, before three fixes (30 min apart) could confirm a stay: no event there.
    assert.deepEqual(stays.map((e) => e.zone.id).sort(), ['antwerp-port', 'mombasa-port']);
    assert.ok(events.some((e) => e.kind === 'location' && e.text.startsWith('geofence ENTRY Port of Mombasa (KEMBA)')));

    // DCSA Transport events derived from those crossings, at the ports' UN/LOCODEs, each naming the fixes that prove it.
    const transport = dcsa.filter((e) => e.eventClassification!.eventTypeCode === 'TRANSPORT');
    const crossing = (code: string, locode: string) =>
      transport.find((e) => e.eventClassification!.transportEventTypeCode === code && e.eventLocation!.UNLocationCode === locode);
    for (const [code, locode, mode, side] of [
      ['ARRI', 'BEANR', 'TRUCK', 'entry'],
      ['DEPA', 'BEANR', 'VESSEL', 'exit'],
      ['ARRI', 'KEMBA', 'VESSEL', 'entry'],
      ['DEPA', 'KEMBA', 'TRUCK', 'exit'],
    ] as const) {
      const e = crossing(code, locode);
      assert.ok(e, `TRANSPORT/${code} at ${locode} among ${transport.length} transport events`);
      assert.equal((e.transportDetails as { transportCall: { modeOfTransport: string } }).transportCall.modeOfTransport, mode);
      const stay = stayAt(locode)[0]!;
      const evidence = e['x-tradetwin-evidence'] as { kind: string; locationEventId: string; readingIds: string[] };
      assert.equal(evidence.kind, 'geofence');
      assert.equal(evidence.locationEventId, stay.id);
      assert.deepEqual(
        evidence.readingIds,
        stay[side]!.fixes.map((f) => f.readingId),
      );
      assert.equal(e.eventDateTime, new Date(stay[side]!.at).toISOString());
    }

    // On chain: the receipt succeeded and the holder holds the payout (minus the premium it paid).
    const receipt = await t.node.clients.publicClient.getTransactionReceipt({ hash: payout.txHash as `0x${string}` });
    assert.equal(receipt.status, 'success');
    const balance = await balanceOf(t.node.clients, result.contracts.token as `0x${string}`, policy.holder);
    assert.equal(balance, 10_000_000_000n - 1_200_000_000n + expected);

    assert.equal(result.proof.ok, true);
    assert.equal(result.audit.ok, true);
    assert.ok(events.some((e) => e.kind === 'claim' && e.text.startsWith('PAYOUT')));

    // Partners consume the same telemetry as EPCIS 2.0 sensor events that point at the readings' proofs,
    // with a credential the node's operator issued for this one shipment; without one they read nothing.
    const epcisUrl = `${t.node.httpUrl}/api/v1/shipments/${SHIPMENT_ID}/epcis?windowMinutes=60`;
    assert.equal((await fetch(epcisUrl)).status, 401);
    const partner = (await t.node.access.createCredential('partner - one shipment', [`shipments:read:${SHIPMENT_ID}`])).token;
    const doc = (await (await fetch(epcisUrl, { headers: { authorization: `Bearer ${partner}` } })).json()) as Record<
      string,
      unknown
    >;
    assert.deepEqual(validateEpcis(doc).errors, []);
    const sensorEvents = documentEvents(doc).events;
    assert.ok(sensorEvents.length > 400, `${sensorEvents.length} hourly windows`);
    const alarmed = sensorEvents.filter((e) => JSON.stringify(e).includes('ALARM_CONDITION'));
    const excursionHour = Math.floor(x.startedAt / 3600_000) * 3600_000;
    assert.ok(
      alarmed.some(
        (e) => Date.parse(String(e.eventTime)) >= excursionHour && Date.parse(String(e.eventTime)) <= x.lastObservedAt,
      ),
      'the transhipment windows carry temperature alarms',
    );
    // The reading ids (leaf:position) the window names under tradetwin:readings (times look alike: read only that list).
    const listed = /"tradetwin:readings":\[([^\]]*)\]/.exec(JSON.stringify(alarmed[0]))?.[1] ?? '';
    const readingIds = listed.match(/\d+:\d+/g) ?? [];
    assert.ok(readingIds.length > 0);
    const bundle = await fetch(`${t.node.httpUrl}/api/v1/readings/${readingIds[0]}/bundle`);
    assert.equal(bundle.status, 200);
  });

  it('runs headless from the CLI and ends with one JSON summary', async () => {
    const r = await runCli(['demo', '--headless', '--json'], { timeoutMs: 120_000 });
    assert.equal(r.code, 0, r.stderr);
    const summary = JSON.parse(r.stdout) as Record<string, unknown[] | { ok: boolean }>;
    for (const key of ['shipments', 'excursions', 'policies', 'payouts']) assert.ok(Array.isArray(summary[key]), key);
    const payouts = summary.payouts as DemoResult['payouts'];
    assert.equal(payouts.length, 1);
    // Raw units kept, and the amount as people read it, in the token the chain names.
    assert.deepEqual(payouts[0]!.money, { raw: payouts[0]!.amount, decimals: 6, symbol: 'tUSD', formatted: '100,000.00 tUSD' });
    assert.ok(
      payouts[0]!.signerOrgs.every((o, i) => o.address === payouts[0]!.signers[i] && o.name !== null),
      'every signer named',
    );
    assert.ok(
      payouts[0]!.signerOrgs.some((o) => o.label.startsWith('Cold Chain Insurance plc (0x')),
      JSON.stringify(payouts[0]),
    );
    assert.match(payouts[0]!.txHash, /^0x[0-9a-f]{64}$/);
    assert.deepEqual((summary.audit as { ok: boolean }).ok, true);
    assert.match(r.stderr, /\[claim\] PAYOUT 100,000\.00 tUSD on policy/);
  });
});
