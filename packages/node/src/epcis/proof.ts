// Proof that a captured EPCIS event is in the node's transparency log: the
// event's leaf, an RFC 9162 inclusion proof to a signed tree head, and where
// that head was anchored on chain. The head is the newest one confirmed on
// chain that covers the leaf; before any such anchor, the newest signed head
// (anchor: null, "not yet anchored"), signed on the spot if none covers it.
import { bytesToHex, type Hex, hexToBytes } from 'viem';
import { hashEquals, leafHash } from '@tradetwin/core/merkle/hash';
import { verifyInclusion } from '@tradetwin/core/merkle/verify';
import { fromBase64, toBase64 } from '@tradetwin/core/proof/bundle';
import { recoverTreeHeadSigner } from '@tradetwin/core/proof/head';
import { decodeLeaf } from '@tradetwin/core/proof/leaf';
import type { TransparencyLog } from '../log/transparency-log.js';
import type { NodeStore, SignedTreeHead } from '../storage/types.js';
import { canonicalJson } from './canonical.js';
import { EpcisProblem } from './capture.js';
import { decodeEpcisBody, type EpcisRepository, LEAF_KIND } from './repository.js';
import { isoTime } from './time.js';

export const EVENT_PROOF_VERSION = 1;

export interface ChainRef {
  chainId: number;
  logAnchor: Hex;
}

export interface TreeHeadJson {
  size: number;
  root: Hex;
  timestamp: number;
  signature: Hex;
  signer: Hex;
}

export interface AnchorJson {
  chainId: number | null;
  logAnchor: Hex | null;
  publisher: Hex;
  txHash: Hex | null;
  blockNumber: number | null;
}

export interface EventProof {
  version: number;
  eventID: string;
  eventHashId: string;
  /** The event as logged: canonical JSON (RFC 8785) without recordTime. */
  event: Record<string, unknown>;
  recordTime: string;
  /** Set when an error declaration marks this event erroneous: that declaration's leaf. */
  declaredBy: number | null;
  isDeclaration: boolean;
  leaf: { index: number; data: string; hash: Hex };
  inclusion: { treeSize: number; path: Hex[] };
  treeHead: TreeHeadJson;
  anchor: AnchorJson | null;
}

export interface ProofDeps {
  repo: EpcisRepository;
  store: NodeStore;
  log: TransparencyLog;
  chain?: ChainRef;
}

/** The newest anchored head covering `maxLeaf` (else the newest signed head, signing one if needed). */
export async function coveringHead(
  store: NodeStore,
  log: TransparencyLog,
  maxLeaf: number,
): Promise<{ head: SignedTreeHead; anchor: { txHash: string | null; blockNumber: number | null } | null }> {
  const confirmed = await store.latestConfirmedAnchor();
  if (confirmed && confirmed.size > maxLeaf) {
    const head = await store.head(confirmed.size);
    if (head) return { head, anchor: confirmed };
  }
  let head = await store.latestHead();
  if (!head || head.size <= maxLeaf) head = await log.signHead();
  return { head, anchor: null };
}

function headJson(h: SignedTreeHead): TreeHeadJson {
  return {
    size: h.size,
    root: bytesToHex(h.root),
    timestamp: h.timestamp,
    signature: bytesToHex(h.signature),
    signer: h.signer as Hex,
  };
}

/** Proofs for several events (a trace's evidence) against one head. */
export async function buildEventProofs(leafIndexes: readonly number[], deps: ProofDeps): Promise<EventProof[]> {
  if (leafIndexes.length === 0) return [];
  const { repo, store, log } = deps;
  const { head, anchor } = await coveringHead(store, log, Math.max(...leafIndexes));
  const out: EventProof[] = [];
  for (const index of leafIndexes) {
    const e = repo.byLeaf(index);
    const leaf = index < log.size ? await store.leaf(index) : null;
    if (!e || !leaf)
      throw new EpcisProblem(404, 'epcisException:NoSuchResourceException', 'no_such_event', `no EPCIS event at leaf ${index}`);
    const path = await log.inclusionProof(index, head.size);
    out.push({
      version: EVENT_PROOF_VERSION,
      eventID: e.eventId,
      eventHashId: e.hashId,
      event: JSON.parse(e.json) as Record<string, unknown>,
      recordTime: isoTime(e.recordTime),
      declaredBy: e.declaredBy,
      isDeclaration: e.isDeclaration,
      leaf: { index, data: toBase64(leaf.data), hash: bytesToHex(leaf.hash) },
      inclusion: { treeSize: head.size, path: path.map((p) => bytesToHex(p)) },
      treeHead: headJson(head),
      anchor: anchor
        ? {
            chainId: deps.chain?.chainId ?? null,
            logAnchor: deps.chain?.logAnchor ?? null,
            publisher: head.signer as Hex,
            txHash: anchor.txHash as Hex | null,
            blockNumber: anchor.blockNumber,
          }
        : null,
    });
  }
  return out;
}

export interface ProofCheck {
  name: 'leaf' | 'leaf-hash' | 'event' | 'inclusion' | 'tree-head';
  ok: boolean;
  detail: string;
}

/**
 * Verify an event proof offline: the leaf is an "epcis" record whose body holds
 * the hash ID and the canonical JSON of the event, its hash is the leaf hash,
 * the inclusion proof leads to the head's root, and the head is signed by
 * `expectedSigner` (the node's account). Whether the head is anchored is a chain
 * question: ask LogAnchor.isAnchored(publisher, size, root).
 */
export async function verifyEventProof(p: EventProof, expectedSigner?: string): Promise<{ ok: boolean; checks: ProofCheck[] }> {
  const checks: ProofCheck[] = [];
  const data = fromBase64(p.leaf.data);
  let body: { hashId: string; json: string } | null = null;
  try {
    const rec = decodeLeaf(data);
    if (rec.kind !== LEAF_KIND) throw new Error(`leaf kind is ${rec.kind}, not ${LEAF_KIND}`);
    body = decodeEpcisBody(rec.body);
    checks.push({ name: 'leaf', ok: true, detail: `epcis leaf recorded at ${isoTime(rec.receivedAt)}` });
  } catch (err) {
    checks.push({ name: 'leaf', ok: false, detail: err instanceof Error ? err.message : String(err) });
  }
  const h = leafHash(data);
  checks.push({
    name: 'leaf-hash',
    ok: hashEquals(h, hexToBytes(p.leaf.hash)),
    detail: hashEquals(h, hexToBytes(p.leaf.hash)) ? 'SHA-256(0x00‖leaf) matches' : 'leaf hash does not match the leaf data',
  });
  if (body) {
    const sameJson = body.json === canonicalJson(p.event);
    const sameId = body.hashId === p.eventHashId;
    checks.push({
      name: 'event',
      ok: sameJson && sameId,
      detail:
        sameJson && sameId
          ? 'the leaf holds this event and hash ID'
          : sameJson
            ? 'hash ID differs from the leaf'
            : 'event JSON differs from the leaf',
    });
  }
  const inc = verifyInclusion(
    p.leaf.index,
    p.inclusion.treeSize,
    h,
    p.inclusion.path.map((x) => hexToBytes(x)),
    hexToBytes(p.treeHead.root),
  );
  checks.push({
    name: 'inclusion',
    ok: inc.ok && p.inclusion.treeSize === p.treeHead.size,
    detail: inc.ok ? `leaf ${p.leaf.index} is in the tree of size ${p.treeHead.size}` : inc.reason,
  });
  try {
    const signer = await recoverTreeHeadSigner(
      { size: p.treeHead.size, root: p.treeHead.root, timestamp: p.treeHead.timestamp },
      p.treeHead.signature,
    );
    const ok =
      signer.toLowerCase() === p.treeHead.signer.toLowerCase() &&
      (!expectedSigner || signer.toLowerCase() === expectedSigner.toLowerCase());
    checks.push({
      name: 'tree-head',
      ok,
      detail: ok ? `signed by ${signer}` : `signed by ${signer}, expected ${expectedSigner ?? p.treeHead.signer}`,
    });
  } catch (err) {
    checks.push({ name: 'tree-head', ok: false, detail: err instanceof Error ? err.message : String(err) });
  }
  return { ok: checks.every((c) => c.ok), checks };
}
