// The grantee's side of sharing: pull what another member granted this node's
// organisation, verify every record against the chain BEFORE storing it — the
// owner's head anchored in LogAnchor by the publisher NodeDirectory names, its
// consistency with the head verified before, each leaf's inclusion, each
// envelope's device signature under the DeviceRegistry key, each grant's
// signature under the owner's NodeDirectory key, each document's body and
// content hash and its shipment — and keep the verified mirror.
// A response failing any check is refused as a whole, logged and raised as an
// alert; nothing of it is stored. The mirror then serves evidence packages
// (core/proof/evidence.ts) when the owner's node is down.
import { type Address, bytesToHex, type Hex, hexToBytes } from 'viem';
import { logAnchorAbi } from '@tradetwin/contracts/generated/index';
import { verifyConsistency, verifyInclusion } from '@tradetwin/core/merkle/verify';
import { fromBase64 } from '@tradetwin/core/proof/bundle';
import type { EvidencePackage } from '@tradetwin/core/proof/evidence';
import { decodeLeaf, LeafFormatError } from '@tradetwin/core/proof/leaf';
import {
  decodeStatementLeafBody,
  GRANT_LEAF_KIND,
  type GrantStatement,
  type SignedStatement,
  verifyStatement,
} from '@tradetwin/core/peer/grant';
import type { PeerEpcisJson, PeerGrantsJson, PeerShipmentJson } from '@tradetwin/core/wire/peer';
import { decodeEpcisBody, EPCIS_LEAF_KIND } from '@tradetwin/core/proof/epcis-event';
import {
  DOCUMENT_LEAF_KIND,
  DocumentFormatError,
  decodeDocumentBody,
  verifyDocumentContent,
} from '@tradetwin/core/document/document';
import type { ChainClients } from '../chain/clients.js';
import { readDevice } from '../chain/devices.js';
import { chainCall } from '../chain/errors.js';
import { listNodes, type NodeEntry, readNode } from '../chain/node-directory.js';
import { importDeviceKey, type NodeDeviceKey, openWithNodeCrypto, type VerifyResult } from '../ingest/verify-worker.js';
import { hashLeaf } from '../log/transparency-log.js';
import type { GrantStore } from '../storage/grants.js';
import type { MirrorDocument, MirrorLeaf, MirrorStore } from '../storage/mirror.js';
import { type PeerClientKey, PeerUnavailable, peerGet } from './client.js';
import { rowOf } from './grants.js';

export type ReplicationRefusalCode =
  | 'wrong_owner'
  | 'not_anchored'
  | 'inconsistent_head'
  | 'not_included'
  | 'bad_leaf'
  | 'bad_envelope'
  | 'foreign_device'
  | 'bad_grant'
  | 'bad_document'
  | 'malformed';

/** A partner served something that does not verify: refused, never stored. */
export class ReplicationRefused extends Error {
  constructor(
    readonly code: ReplicationRefusalCode,
    message: string,
  ) {
    super(message);
    this.name = 'ReplicationRefused';
  }
}

export interface ReplicationRefusal {
  owner: number;
  scope: string;
  code: ReplicationRefusalCode;
  detail: string;
  at: number;
}

export interface ReplicatorDeps {
  /** This node's organisation and its RFC 9421 key. */
  key: PeerClientKey;
  clients: ChainClients;
  contracts: { nodeDirectory: Address; logAnchor: Address; deviceRegistry: Address };
  grants: GrantStore;
  mirror: MirrorStore;
  /** A refused response (the node raises an alert and logs it). */
  onRefused?: (r: ReplicationRefusal) => void;
  now?: () => number;
}

export interface PullResult {
  owner: number;
  shipmentId: string;
  head: { size: number; root: Hex };
  /** Leaves verified and stored. */
  leaves: number;
  /** Readings in the telemetry leaves. */
  readings: number;
  /** Documents among the leaves. */
  documents: number;
  /** Where the time went, ms: the owner answering (and the transfer), verifying, storing. */
  timings: { fetchMs: number; verifyMs: number; storeMs: number };
}

export class Replicator {
  constructor(private readonly deps: ReplicatorDeps) {}

  /** The other member organisations that run a node (NodeDirectory), by org id. */
  async peers(): Promise<number[]> {
    const nodes = await listNodes(this.deps.clients, this.deps.contracts.nodeDirectory);
    return nodes.map((n) => n.orgId).filter((id) => id !== this.deps.key.orgId);
  }

  /** Fetch the grants `owner` issued this organisation; store those whose signature verifies under the owner's key. */
  async pullGrants(owner: number): Promise<number> {
    const entry = await this.nodeOf(owner);
    const res = await peerGet(`${entry.endpoint}/peer/v1/grants`, this.deps.key);
    if (!res.ok) throw new PeerUnavailable(`org ${owner}'s node answered ${res.status} for its grants`);
    const body = (await res.json()) as PeerGrantsJson;
    let stored = 0;
    for (const g of body.grants ?? []) {
      const s = g.signed as SignedStatement<GrantStatement>;
      if (s.statement.owner !== owner || s.statement.grantee !== this.deps.key.orgId || !verifyStatement(s, entry.httpSigKey)) {
        this.refuse(owner, '(grants)', new ReplicationRefused('bad_grant', `grant ${s.statement?.grantId} does not verify`));
        continue;
      }
      await this.deps.grants.put(rowOf(s, g.leafIndex));
      const r = g.revocation;
      if (
        r &&
        r.signed.statement.type === 'revoke' &&
        r.signed.statement.grantId === s.statement.grantId &&
        verifyStatement(r.signed, entry.httpSigKey)
      ) {
        await this.deps.grants.revoke(owner, s.statement.grantId, {
          at: r.signed.statement.issuedAt,
          signature: r.signed.signature,
          leafIndex: r.leafIndex,
        });
      }
      stored++;
    }
    return stored;
  }

  /** Pull a granted shipment from its owner, verify everything, then store it in the mirror. */
  pullShipment(owner: number, shipmentId: string): Promise<PullResult> {
    return this.pull(owner, { shipment: shipmentId });
  }

  /** Pull the EPCIS events of a granted business transaction, verified, into the mirror. */
  pullBizTransaction(owner: number, bizTransaction: string): Promise<PullResult> {
    return this.pull(owner, { bizTransaction });
  }

  private async pull(owner: number, scope: { shipment: string } | { bizTransaction: string }): Promise<PullResult> {
    const entry = await this.nodeOf(owner);
    const prev = await this.deps.mirror.head(owner);
    const shipmentId = 'shipment' in scope ? scope.shipment : scope.bizTransaction;
    const since = prev ? `since=${prev.size}` : '';
    const url =
      'shipment' in scope
        ? `${entry.endpoint}/peer/v1/shipments/${encodeURIComponent(scope.shipment)}${since ? `?${since}` : ''}`
        : `${entry.endpoint}/peer/v1/epcis?bizTransaction=${encodeURIComponent(scope.bizTransaction)}${since ? `&${since}` : ''}`;
    const t0 = performance.now();
    const res = await peerGet(url, this.deps.key);
    if (res.status === 404) throw new PeerUnavailable(`org ${owner} shares no shipment ${shipmentId} with this organisation`);
    if (!res.ok) throw new PeerUnavailable(`org ${owner}'s node answered ${res.status} for shipment ${shipmentId}`);
    const body = (await res.json()) as PeerShipmentJson | PeerEpcisJson;
    const t1 = performance.now();
    try {
      const verified = await this.verifyShipment(owner, scope, entry, prev, body);
      const t2 = performance.now();
      await this.deps.mirror.putVerified(verified.head, verified.leaves, verified.documents);
      const t3 = performance.now();
      return {
        timings: { fetchMs: Math.round(t1 - t0), verifyMs: Math.round(t2 - t1), storeMs: Math.round(t3 - t2) },
        owner,
        shipmentId,
        head: { size: verified.head.size, root: bytesToHex(verified.head.root) },
        leaves: verified.leaves.length,
        readings: verified.readings,
        documents: verified.leaves.filter((l) => l.kind === DOCUMENT_LEAF_KIND).length,
      };
    } catch (err) {
      if (err instanceof ReplicationRefused) this.refuse(owner, shipmentId, err);
      throw err;
    }
  }

  /** Pull every live shipment grant this organisation holds (from one owner, or all). */
  async replicate(owner?: number): Promise<PullResult[]> {
    const out: PullResult[] = [];
    for (const g of await this.deps.grants.grantedTo(this.deps.key.orgId)) {
      if (g.revokedAt !== null || (owner !== undefined && g.owner !== owner)) continue;
      out.push(
        await (g.scopeKind === 'shipment'
          ? this.pullShipment(g.owner, g.scopeValue)
          : this.pullBizTransaction(g.owner, g.scopeValue)),
      );
    }
    return out;
  }

  /**
   * An evidence package from the mirror (core/proof/evidence.ts): the device's telemetry leaves in the
   * window, with their proofs to the owner's anchored head — what an Oracle's fetchEvidence returns
   * when the owner's node is down. The oracle re-verifies it against the chain as from the owner.
   */
  async evidence(q: { deviceId: string; from: number; to: number; owner?: number }): Promise<EvidencePackage> {
    const leaves = await this.deps.mirror.telemetry({ ...q, limit: 5001 });
    const owners = [...new Set(leaves.map((l) => l.owner))];
    const owner = q.owner ?? owners[0];
    if (owner === undefined)
      throw new ReplicationRefused('malformed', `the mirror holds no readings of ${q.deviceId} in the window`);
    if (owners.length > 1 && q.owner === undefined) {
      throw new ReplicationRefused(
        'malformed',
        `readings of ${q.deviceId} come from several owners (${owners.join(', ')}): name one`,
      );
    }
    const head = await this.deps.mirror.head(owner);
    if (!head) throw new ReplicationRefused('malformed', `no verified head of org ${owner}`);
    const mine = leaves.filter((l) => l.owner === owner);
    // One package, one head: the leaves of a shipment are proven together, to the head of their last pull.
    const size = mine[0]!.headSize;
    const mixed = mine.find((l) => l.headSize !== size);
    if (mixed)
      throw new ReplicationRefused('malformed', `leaf ${mixed.index} is proven to another head: pull org ${owner} again`);
    // The latest verified head's root is held; an earlier one (another scope pulled since) is read from LogAnchor.
    const root = size === head.size ? bytesToHex(head.root) : await this.anchoredRoot(head.publisher as Address, size);
    if (!root) throw new ReplicationRefused('not_anchored', `head ${size} of org ${owner} is not anchored`);
    return {
      deviceId: q.deviceId,
      from: q.from,
      to: q.to,
      publisher: head.publisher as Hex,
      head: { size, root, timestamp: size === head.size ? head.timestamp : 0, txHash: null },
      leaves: mine.map((l) => ({
        index: l.index,
        data: Buffer.from(l.data).toString('base64'),
        path: l.path.map((p) => bytesToHex(p)),
      })),
    };
  }

  /** An Oracle's fetchEvidence served from the mirror (oracle/oracle.ts OracleOptions.fetchEvidence). */
  fetchEvidence(owner?: number): (q: { deviceId: string; from: number; to: number }) => Promise<EvidencePackage> {
    return (q) => this.evidence({ ...q, owner });
  }

  private async verifyShipment(
    owner: number,
    scope: { shipment: string } | { bizTransaction: string },
    entry: NodeEntry,
    prev: Awaited<ReturnType<MirrorStore['head']>>,
    body: PeerShipmentJson | PeerEpcisJson,
  ): Promise<{
    head: Parameters<MirrorStore['putVerified']>[0];
    leaves: MirrorLeaf[];
    documents: MirrorDocument[];
    readings: number;
  }> {
    const shipment = 'shipment' in body ? body.shipment : undefined;
    const biz = 'bizTransaction' in body ? body.bizTransaction : undefined;
    if (!body || typeof body !== 'object' || !body.head || !Array.isArray(body.records) || (!shipment && !biz)) {
      throw new ReplicationRefused('malformed', 'the response is not a peer shipment or business transaction');
    }
    const shipmentId = 'shipment' in scope ? scope.shipment : scope.bizTransaction;
    const served = shipment?.id ?? biz;
    if (body.owner !== owner || served !== shipmentId || ('shipment' in scope ? !shipment : !biz)) {
      throw new ReplicationRefused('wrong_owner', `asked org ${owner} for ${shipmentId}, got org ${body.owner}'s ${served}`);
    }
    if (body.publisher.toLowerCase() !== entry.publisher.toLowerCase()) {
      throw new ReplicationRefused('wrong_owner', `publisher ${body.publisher} is not org ${owner}'s (${entry.publisher})`);
    }
    const size = body.head.size;
    if (!Number.isSafeInteger(size) || size < 1 || !/^0x[0-9a-fA-F]{64}$/.test(body.head.root)) {
      throw new ReplicationRefused('malformed', 'the head is not a size and a 32-byte root');
    }
    // 1. The head is the one the owner anchored on chain at that size.
    const anchored = await chainCall('rootAt', () =>
      this.deps.clients.publicClient.readContract({
        address: this.deps.contracts.logAnchor,
        abi: logAnchorAbi,
        functionName: 'rootAt',
        args: [entry.publisher, BigInt(size)],
      }),
    );
    if (/^0x0+$/.test(anchored) || anchored.toLowerCase() !== body.head.root.toLowerCase()) {
      throw new ReplicationRefused('not_anchored', `head ${size} (${body.head.root}) of org ${owner} is not anchored on chain`);
    }
    const root = hexToBytes(body.head.root);
    // 2. It extends the head verified before (an anchored history that forked is caught here).
    if (prev) {
      if (size < prev.size) {
        throw new ReplicationRefused('inconsistent_head', `head ${size} is older than the head ${prev.size} verified before`);
      }
      const c = body.consistency;
      if (!c || c.from !== prev.size || !Array.isArray(c.path)) {
        throw new ReplicationRefused('inconsistent_head', `no consistency proof from the verified head ${prev.size}`);
      }
      const ok = verifyConsistency(prev.size, size, prev.root, root, c.path.map(hashOf));
      if (!ok.ok)
        throw new ReplicationRefused('inconsistent_head', `head ${size} does not extend head ${prev.size}: ${ok.reason}`);
    }
    // 3. Every record is in it, and is what it claims to be.
    const devices = new Map((shipment?.devices ?? []).map((d) => [d.deviceId, d]));
    const keys = new Map<string, { key: NodeDeviceKey; revokedAt: number | null } | null>();
    const leaves: MirrorLeaf[] = [];
    const documents: MirrorDocument[] = [];
    let readings = 0;
    for (const r of body.records) {
      let data: Uint8Array;
      try {
        data = fromBase64(r.data);
      } catch {
        throw new ReplicationRefused('malformed', `record ${r.index}: data is not base64`);
      }
      // OpenSSL for the leaf hash (the same bytes as core's leafHash): leaves are up to kilobytes.
      const inc = verifyInclusion(r.index, size, hashLeaf(data), (r.path ?? []).map(hashOf), root);
      if (!inc.ok) throw new ReplicationRefused('not_included', `record ${r.index}: ${inc.reason}`);
      let leaf: ReturnType<typeof decodeLeaf>;
      try {
        leaf = decodeLeaf(data);
      } catch (err) {
        if (err instanceof LeafFormatError) throw new ReplicationRefused('bad_leaf', `record ${r.index}: ${err.message}`);
        throw err;
      }
      const base = { owner, index: r.index, data, kind: leaf.kind, scope: shipmentId, headSize: size, path: r.path.map(hashOf) };
      if (leaf.kind === 'telemetry') {
        const opened = await this.openEnvelope(leaf.body, keys);
        if (!opened.ok) throw new ReplicationRefused('bad_envelope', `record ${r.index}: ${opened.reason}: ${opened.detail}`);
        const m = opened.msg;
        if (!devices.has(m.deviceId)) {
          throw new ReplicationRefused(
            'foreign_device',
            `record ${r.index}: device ${m.deviceId} is not attached to ${shipmentId}`,
          );
        }
        const revokedAt = keys.get(m.deviceId)?.revokedAt ?? null;
        if (revokedAt !== null && (m.lastAt >= revokedAt || m.signedAt >= revokedAt)) {
          throw new ReplicationRefused('bad_envelope', `record ${r.index}: signed after the revocation of ${m.deviceId}`);
        }
        readings += m.readings;
        leaves.push({ ...base, deviceId: m.deviceId, firstAt: m.firstAt, lastAt: m.lastAt });
      } else if (leaf.kind === EPCIS_LEAF_KIND && biz !== undefined) {
        // The event must name the granted business transaction (the owner may not slip others in).
        let names = false;
        try {
          const event = JSON.parse(decodeEpcisBody(leaf.body).json) as { bizTransactionList?: { bizTransaction?: string }[] };
          names = (event.bizTransactionList ?? []).some((t) => t.bizTransaction === biz);
        } catch {
          throw new ReplicationRefused('bad_leaf', `record ${r.index}: not an EPCIS event`);
        }
        if (!names) throw new ReplicationRefused('bad_leaf', `record ${r.index}: the event does not name ${biz}`);
        leaves.push({ ...base, deviceId: null, firstAt: null, lastAt: null });
      } else if (leaf.kind === DOCUMENT_LEAF_KIND && shipment !== undefined) {
        // The body decodes, the content served beside it has the size and sha256 the leaf commits to,
        // and it is a document of the granted shipment (the owner may not slip another's in).
        if (typeof r.content !== 'string')
          throw new ReplicationRefused('bad_document', `record ${r.index}: a document leaf served without its content`);
        let content: Uint8Array;
        try {
          content = fromBase64(r.content);
        } catch {
          throw new ReplicationRefused('malformed', `record ${r.index}: content is not base64`);
        }
        let docShipment: string;
        try {
          const d = decodeDocumentBody(leaf.body);
          verifyDocumentContent(d, content);
          docShipment = d.shipmentId;
        } catch (err) {
          if (err instanceof DocumentFormatError)
            throw new ReplicationRefused('bad_document', `record ${r.index}: ${err.field}: ${err.message}`);
          throw err;
        }
        if (docShipment !== shipmentId) {
          throw new ReplicationRefused('bad_document', `record ${r.index}: a document of ${docShipment}, not of ${shipmentId}`);
        }
        leaves.push({ ...base, deviceId: null, firstAt: null, lastAt: null });
        documents.push({ owner, index: r.index, content });
      } else if (leaf.kind === GRANT_LEAF_KIND) {
        let s: SignedStatement;
        try {
          s = decodeStatementLeafBody(leaf.body);
        } catch {
          throw new ReplicationRefused('bad_grant', `record ${r.index}: not a grant statement`);
        }
        if (s.statement.owner !== owner || !verifyStatement(s, entry.httpSigKey)) {
          throw new ReplicationRefused('bad_grant', `record ${r.index}: the grant does not verify under org ${owner}'s key`);
        }
        leaves.push({ ...base, deviceId: null, firstAt: null, lastAt: null });
      } else {
        throw new ReplicationRefused('bad_leaf', `record ${r.index}: a ${leaf.kind} leaf is not part of a shipment`);
      }
    }
    const now = (this.deps.now ?? Date.now)();
    return {
      head: { owner, publisher: entry.publisher, size, root, timestamp: body.head.timestamp, verifiedAt: now },
      leaves,
      documents,
      readings,
    };
  }

  /** Open an envelope under its DeviceRegistry key (read once per device per pull; OpenSSL verifies). */
  private async openEnvelope(
    body: Uint8Array,
    keys: Map<string, { key: NodeDeviceKey; revokedAt: number | null } | null>,
  ): Promise<VerifyResult> {
    // The kid is read by a first open without a key; then the key is fetched and the open repeated.
    // The ingest path's checks and fast decoders (ingest/verify-worker.ts): the same outcome as core's openTelemetry.
    let wanted: string | undefined;
    const first = openWithNodeCrypto(body, (id) => {
      const k = keys.get(id);
      if (k === undefined) wanted = id;
      return k?.key;
    });
    if (wanted === undefined) return first;
    const d = await readDevice(this.deps.clients, this.deps.contracts.deviceRegistry, wanted);
    keys.set(wanted, d ? { key: importDeviceKey(d), revokedAt: d.revokedAt } : null);
    return openWithNodeCrypto(body, (id) => keys.get(id)?.key);
  }

  private async anchoredRoot(publisher: Address, size: number): Promise<Hex | null> {
    const root = await chainCall('rootAt', () =>
      this.deps.clients.publicClient.readContract({
        address: this.deps.contracts.logAnchor,
        abi: logAnchorAbi,
        functionName: 'rootAt',
        args: [publisher, BigInt(size)],
      }),
    );
    return /^0x0+$/.test(root) ? null : root;
  }

  private async nodeOf(owner: number): Promise<NodeEntry> {
    const entry = await readNode(this.deps.clients, this.deps.contracts.nodeDirectory, owner);
    if (!entry) throw new PeerUnavailable(`org ${owner} has no node in NodeDirectory`);
    return entry;
  }

  private refuse(owner: number, scope: string, err: ReplicationRefused): void {
    this.deps.onRefused?.({ owner, scope, code: err.code, detail: err.message, at: (this.deps.now ?? Date.now)() });
  }
}

function hashOf(h: string): Uint8Array {
  if (typeof h !== 'string' || !/^0x[0-9a-fA-F]{64}$/.test(h))
    throw new ReplicationRefused('malformed', 'a proof hash is not 32 bytes of hex');
  return hexToBytes(h as Hex);
}
