// Sharing between organisations, end to end: three member nodes over one real
// chain (carrier = owner, insurer = grantee, bank = a member without a grant).
// Signed requests (RFC 9421) checked against NodeDirectory and MemberRegistry,
// default deny with the same answer as for a record that does not exist,
// revocation, replay, suspension; replication that verifies before storing and
// refuses (with an alert) a tampered record, a wrong proof, a head not anchored
// or not consistent with the anchored history; evidence from the mirror with
// the owner's node down.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ed25519 } from '@noble/curves/ed25519.js';
import { bytesToHex, hexToBytes } from 'viem';
import { logAnchorAbi, memberRegistryAbi } from '@tradetwin/contracts/generated/index';
import { signRequest } from '@tradetwin/core/peer/http-signature';
import { verifyEvidence } from '@tradetwin/core/proof/evidence';
import type { PeerShipmentJson } from '@tradetwin/core/wire/peer';
import { readDevice } from '../chain/devices.js';
import { writeContractAndConfirm } from '../chain/transact.js';
import type { RunningNode } from '../node.js';
import { startTestConsortium, type TestConsortium } from '../test-support/consortium.js';
import { setMemberActive } from '../test-support/governance.js';
import { deviceKey, envelope } from '../test-support/node-fixture.js';
import { runCli } from '../test-support/cli.js';
import { peerGet } from './client.js';
import { ReplicationRefused } from './replicate.js';
import { listOwnerAt, tamperingPartner, waitFor } from './test-support.js';

let c: TestConsortium;
let owner: RunningNode;
let grantee: RunningNode;
let bank: RunningNode;
const reefer = deviceKey('reefer-peer-1', 2);
const T0 = Date.now() - 3_600_000;
const SHIPMENT = 'SHP-PEER-1';

const keyOf = (n: RunningNode) => ({ orgId: n.orgId, secretKey: n.peerKeys.httpSig.secretKey });
const shipmentUrl = (id = SHIPMENT) => `${owner.httpUrl}/peer/v1/shipments/${id}`;
const withoutInstance = (b: Record<string, unknown>) => ({ ...b, instance: undefined });

before(async () => {
  c = await startTestConsortium(['Carrier', 'Insurer', 'Bank']);
  [owner, grantee, bank] = c.nodes.map((t) => t.node) as [RunningNode, RunningNode, RunningNode];
  const t = c.nodes[0]!;
  assert.equal((await t.register(reefer)).status, 201);
  await owner.shipments.putShipment(
    {
      id: SHIPMENT,
      goods: { description: 'vaccines' },
      parties: [],
      legs: [],
      devices: [{ deviceId: reefer.deviceId, from: T0 }],
      rules: [],
    },
    T0,
  );
  const batch = Array.from({ length: 20 }, (_, i) => envelope(reefer, i + 1, { at: T0 + (i + 1) * 60_000, n: 10 }));
  assert.equal((await t.post(batch)).status, 200);
  await owner.grants.issue({ grantee: grantee.orgId, scope: { shipment: SHIPMENT } });
  await owner.anchorer.anchorNow();
});
after(() => c?.dispose());

describe('member authentication between nodes (RFC 9421)', () => {
  it('answers an unsigned request 401 unsigned_request, naming the Signature scheme', async () => {
    const res = await fetch(shipmentUrl());
    assert.equal(res.status, 401);
    assert.equal(res.headers.get('www-authenticate'), 'Signature');
    assert.match(res.headers.get('content-type') ?? '', /application\/problem\+json/);
    assert.equal(((await res.json()) as { type: string }).type, 'https://tradetwin.dev/problems/unsigned_request');
  });

  it('answers a forged request 401 bad_signature: another key under the grantee id, or a signature for another path', async () => {
    const forger = { orgId: grantee.orgId, secretKey: ed25519.utils.randomSecretKey() };
    const res = await peerGet(shipmentUrl(), forger);
    assert.equal(res.status, 401);
    assert.equal(((await res.json()) as { type: string }).type, 'https://tradetwin.dev/problems/bad_signature');
    const headers = signRequest(
      { method: 'GET', url: `${owner.httpUrl}/peer/v1/grants` },
      { secretKey: keyOf(grantee).secretKey, keyid: String(grantee.orgId) },
    );
    const moved = await fetch(shipmentUrl(), { headers });
    assert.equal(moved.status, 401);
    assert.equal(((await moved.json()) as { type: string }).type, 'https://tradetwin.dev/problems/bad_signature');
  });

  it('answers a replayed request 401 replayed_request', async () => {
    const headers = signRequest(
      { method: 'GET', url: shipmentUrl() },
      { secretKey: keyOf(grantee).secretKey, keyid: String(grantee.orgId) },
    );
    assert.equal((await fetch(shipmentUrl(), { headers })).status, 200);
    const again = await fetch(shipmentUrl(), { headers });
    assert.equal(again.status, 401);
    assert.equal(((await again.json()) as { type: string }).type, 'https://tradetwin.dev/problems/replayed_request');
  });

  it('answers an expired signature 401 expired_signature', async () => {
    const headers = signRequest(
      { method: 'GET', url: shipmentUrl() },
      { secretKey: keyOf(grantee).secretKey, keyid: String(grantee.orgId) },
      { now: Date.now() - 600_000 },
    );
    const res = await fetch(shipmentUrl(), { headers });
    assert.equal(res.status, 401);
    assert.equal(((await res.json()) as { type: string }).type, 'https://tradetwin.dev/problems/expired_signature');
  });
});

describe('sharing by grant, default deny', () => {
  it('serves the grantee the shipment with proofs to the anchored head', async () => {
    const res = await peerGet(shipmentUrl(), keyOf(grantee));
    assert.equal(res.status, 200);
    const body = (await res.json()) as PeerShipmentJson;
    assert.equal(body.owner, owner.orgId);
    assert.equal(body.records.length, 21, '20 envelopes and the grant leaf');
    assert.equal(body.consistency, null);
  });

  it('gives a member without a grant exactly the answer for a shipment that does not exist', async () => {
    const denied = await peerGet(shipmentUrl(), keyOf(bank));
    const absent = await peerGet(shipmentUrl('SHP-NOPE'), keyOf(grantee));
    assert.equal(denied.status, 404);
    assert.equal(absent.status, 404);
    const a = (await denied.json()) as Record<string, unknown>;
    const b = (await absent.json()) as Record<string, unknown>;
    assert.deepEqual(withoutInstance(a), withoutInstance(b));
    assert.equal(a.instance, `/peer/v1/shipments/${SHIPMENT}`, 'only the path asked differs');
    assert.equal(Object.keys(a).length, Object.keys(b).length, 'no count, no hint');
  });

  it('a revoked grant: the grantee then gets the not-found answer; its node learns the revocation', async () => {
    const g = await owner.grants.issue({ grantee: bank.orgId, scope: { shipment: SHIPMENT } });
    assert.equal((await peerGet(shipmentUrl(), keyOf(bank))).status, 200);
    assert.equal(await bank.replicator!.pullGrants(owner.orgId), 1);
    assert.equal((await bank.grants.received())[0]?.revokedAt, null);
    await owner.grants.revoke(g.grantId);
    const res = await peerGet(shipmentUrl(), keyOf(bank));
    assert.equal(res.status, 404);
    const absent = await peerGet(shipmentUrl('SHP-NOPE'), keyOf(bank));
    assert.deepEqual(
      withoutInstance((await res.json()) as Record<string, unknown>),
      withoutInstance((await absent.json()) as Record<string, unknown>),
    );
    await bank.replicator!.pullGrants(owner.orgId);
    assert.ok((await bank.grants.received())[0]?.revokedAt, 'revocation mirrored');
  });
});

describe('tradetwin grant', () => {
  it('adds, lists and revokes a grant; bad input is refused with a clear error', async () => {
    const dir = ['--data-dir', c.nodes[0]!.dataDir];
    const made = await runCli(['grant', 'add', '--to', String(bank.orgId), '--shipment', SHIPMENT, ...dir, '--json']);
    assert.equal(made.code, 0, made.stderr);
    const g = JSON.parse(made.stdout) as { grantId: string; status: string; leafIndex: number };
    assert.equal(g.status, 'live');
    assert.ok(Number.isInteger(g.leafIndex), 'the grant is a log leaf');
    const listed = await runCli(['grant', 'list', ...dir]);
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(listed.stdout, new RegExp(`${g.grantId}: org ${owner.orgId} → org ${bank.orgId}, shipment ${SHIPMENT}, live`));
    const revoked = await runCli(['grant', 'revoke', g.grantId, ...dir]);
    assert.equal(revoked.code, 0, revoked.stderr);
    assert.match(revoked.stdout, /revoked .*, revoked/);
    const again = await runCli(['grant', 'revoke', g.grantId, ...dir]);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /was revoked already/);
    const badOrg = await runCli(['grant', 'add', '--to', 'bank', '--shipment', SHIPMENT, ...dir]);
    assert.equal(badOrg.code, 2);
    assert.match(badOrg.stderr, /--to must be an organisation id/);
    const noShipment = await runCli(['grant', 'add', '--to', String(bank.orgId), '--shipment', 'SHP-NOPE', ...dir]);
    assert.equal(noShipment.code, 1);
    assert.match(noShipment.stderr, /no shipment SHP-NOPE/);
    const pulled = await runCli(['grant', 'pull', '--from-org', String(owner.orgId), '--data-dir', c.nodes[2]!.dataDir]);
    assert.equal(pulled.code, 0, pulled.stderr);
    assert.match(pulled.stdout, /nothing granted to pull/);
  });
});

describe('replication into a verified mirror', () => {
  it('pulls the granted shipment, verifies it and stores it; a second pull proves consistency', async () => {
    assert.equal(await grantee.replicator!.pullGrants(owner.orgId), 1);
    const first = await grantee.replicator!.replicate(owner.orgId);
    assert.equal(first.length, 1);
    assert.equal(first[0]!.readings, 200);
    assert.equal(await grantee.storage.mirror.count(owner.orgId), 21);
    // More data, anchored: the next pull carries a consistency proof from the head held.
    assert.equal((await c.nodes[0]!.post([envelope(reefer, 21, { at: T0 + 30 * 60_000, n: 10 })])).status, 201);
    await owner.anchorer.anchorNow();
    const second = await grantee.replicator!.pullShipment(owner.orgId, SHIPMENT);
    assert.ok(second.head.size > first[0]!.head.size);
    assert.equal(await grantee.storage.mirror.count(owner.orgId), 22);
  });

  it('refuses a partner serving a tampered leaf, a wrong proof, an unanchored head or an inconsistent one: alert raised, nothing stored', async () => {
    const proxy = await tamperingOwner();
    await listOwnerAt(owner, proxy.url);
    try {
      for (const [mode, code] of [
        ['leaf', 'not_included'],
        ['path', 'not_included'],
        ['head', 'not_anchored'],
        ['consistency', 'inconsistent_head'],
      ] as const) {
        const before = await grantee.storage.mirror.count(owner.orgId);
        const headBefore = await grantee.storage.mirror.head(owner.orgId);
        proxy.mode = mode;
        await assert.rejects(
          grantee.replicator!.pullShipment(owner.orgId, SHIPMENT),
          (e: unknown) => e instanceof ReplicationRefused && e.code === code,
          mode,
        );
        assert.equal(await grantee.storage.mirror.count(owner.orgId), before, `${mode}: nothing stored`);
        assert.deepEqual(await grantee.storage.mirror.head(owner.orgId), headBefore, `${mode}: head kept`);
        await waitFor(async () =>
          (await grantee.storage.alerts.alerts(50)).some(
            (a) => a.kind === 'replication_refused' && (a.detail as { code?: string }).code === code,
          ),
        );
      }
    } finally {
      await listOwnerAt(owner, owner.httpUrl);
      await proxy.close();
    }
  });

  it('pulls the EPCIS events of a granted business transaction, and only those; others get the not-found answer', async () => {
    const po = 'urn:epcglobal:cbv:bt:4012345000009:PO-77';
    const event = (id: string, biz: boolean) => ({
      '@context': ['https://ref.gs1.org/standards/epcis/epcis-context.jsonld'],
      type: 'ObjectEvent',
      eventTime: new Date(T0 + 60_000).toISOString(),
      eventTimeZoneOffset: '+00:00',
      epcList: [`urn:epc:id:sgtin:4012345.011111.${id}`],
      action: 'OBSERVE',
      bizStep: 'shipping',
      ...(biz ? { bizTransactionList: [{ type: 'po', bizTransaction: po }] } : {}),
    });
    for (const [id, biz] of [
      ['peer-1', true],
      ['peer-2', false],
    ] as const) {
      const res = await fetch(`${owner.httpUrl}/epcis/events`, {
        method: 'POST',
        headers: { authorization: `Bearer ${owner.adminToken}`, 'content-type': 'application/json' },
        body: JSON.stringify(event(id, biz)),
      });
      assert.equal(res.status, 201, await res.text());
    }
    await owner.grants.issue({ grantee: grantee.orgId, scope: { bizTransaction: po } });
    await owner.anchorer.anchorNow();
    const url = `${owner.httpUrl}/peer/v1/epcis?bizTransaction=${encodeURIComponent(po)}`;
    assert.equal((await peerGet(url, keyOf(bank))).status, 404);
    await grantee.replicator!.pullGrants(owner.orgId);
    const r = await grantee.replicator!.pullBizTransaction(owner.orgId, po);
    assert.equal(r.leaves, 2, 'the event naming the PO and the grant leaf');
    const kinds = (await grantee.storage.mirror.leaves(owner.orgId, po)).map((l) => l.kind);
    assert.deepEqual(kinds.sort(), ['epcis', 'grant']);
  });

  it('serves verified evidence from the mirror while the owner node is down', async () => {
    await c.nodes[0]!.stop();
    await assert.rejects(peerGet(shipmentUrl(), keyOf(grantee), 2000));
    const pkg = await grantee.replicator!.fetchEvidence(owner.orgId)({
      deviceId: reefer.deviceId,
      from: T0,
      to: T0 + 40 * 60_000,
    });
    assert.equal(pkg.leaves.length, 21);
    const readings = await verifyEvidence(pkg, {
      rootAt: async (publisher, size) => {
        const root = await grantee.clients.publicClient.readContract({
          address: grantee.contracts.logAnchor,
          abi: logAnchorAbi,
          functionName: 'rootAt',
          args: [publisher, BigInt(size)],
        });
        return /^0x0+$/.test(root) ? null : root;
      },
      device: (id) => readDevice(grantee.clients, grantee.contracts.deviceRegistry, id),
    });
    assert.equal(readings.length, 210);
  });
});

describe('a suspended member', () => {
  it('is refused 401 not_a_member from then on', async () => {
    const target = `${grantee.httpUrl}/peer/v1/grants`;
    assert.equal((await peerGet(target, keyOf(bank))).status, 200);
    // Suspension is a consortium decision: proposed by the owner's organisation, carried by the grantee's vote.
    await setMemberActive(c.nodes[0]!.node, bank.orgId, false, [grantee.clients]);
    const res = await peerGet(target, keyOf(bank));
    assert.equal(res.status, 401);
    assert.equal(((await res.json()) as { type: string }).type, 'https://tradetwin.dev/problems/not_a_member');
  });

  it('an account removed from its organisation: its node entry no longer speaks for it (401 not_a_member)', async () => {
    const target = `${bank.httpUrl}/peer/v1/grants`;
    assert.equal((await peerGet(target, keyOf(grantee))).status, 200);
    // An account may remove itself from its organisation.
    await writeContractAndConfirm(grantee.clients, {
      address: grantee.contracts.memberRegistry,
      abi: memberRegistryAbi,
      functionName: 'removeAccount',
      args: [grantee.address],
    });
    const res = await peerGet(target, keyOf(grantee));
    assert.equal(res.status, 401);
    assert.equal(((await res.json()) as { type: string }).type, 'https://tradetwin.dev/problems/not_a_member');
  });
});

/** A partner that answers with the owner's real response, altered (it asks the owner as the grantee). */
const tamperingOwner = () =>
  tamperingPartner<'leaf' | 'path' | 'head' | 'consistency'>(
    'leaf',
    (path) => peerGet(`${owner.httpUrl}${path}`, keyOf(grantee)),
    (body, mode) => {
      const rec = body.records[3]!;
      if (mode === 'leaf') {
        const data = Buffer.from(rec.data, 'base64');
        data[data.length - 1] = data[data.length - 1]! ^ 1;
        rec.data = data.toString('base64');
      } else if (mode === 'path') {
        rec.path[0] = bytesToHex(hexToBytes(rec.path[0]!).map((b, i) => (i === 0 ? b ^ 1 : b)));
      } else if (mode === 'head') {
        body.head.root = bytesToHex(new Uint8Array(32).fill(9));
      } else if (body.consistency) {
        body.consistency.path = body.consistency.path.map(() => bytesToHex(new Uint8Array(32).fill(7)));
        body.consistency.path.push(bytesToHex(new Uint8Array(32).fill(7)));
      }
    },
  );
