// What `consortium demo` reports of witnessing: each node's checkpoint as it serves
// it, checked against a C2SP policy of its log key and every other node's witness
// key (quorum: all of them), and the equivocations each node has flagged.
import { verifyEquivocation } from '@tradetwin/core/tlog/equivocation';
import { checkCheckpoint, thresholdPolicy } from '@tradetwin/core/tlog/policy';
import type { WitnessStatusJson } from '@tradetwin/core/wire/witness';

export interface WitnessReport {
  /** How many nodes' checkpoints carry a valid cosignature from every other node. */
  cosigned: number;
  checkpoints: { org: string; origin: string; size: number; cosigners: number; quorum: boolean; error?: string }[];
  /** Logs flagged by any node, with who flagged them. */
  flagged: { origin: string; kind: string; by: string }[];
}

export async function witnessReport(
  nodes: { name: string; httpUrl: string }[],
  opts: {
    waitMs?: number;
    fetch?: typeof fetch;
    /** Each node's log and witness keys from elsewhere than its status (the chain's NodeDirectory); null: unknown. */
    keys?: ({ logVkey: string; witnessVkey: string } | null)[];
  } = {},
): Promise<WitnessReport> {
  const f = opts.fetch ?? fetch;
  const statuses = await Promise.all(
    nodes.map(async (n, i) => {
      const s = ((await (await f(`${n.httpUrl}/api/v1/status`)).json()) as { witness?: WitnessStatusJson }).witness ?? null;
      const k = opts.keys?.[i];
      // The keys given win over what the node says of itself.
      return s && opts.keys ? (k ? { ...s, logVkey: k.logVkey, witnessVkey: k.witnessVkey } : null) : s;
    }),
  );
  const check = async (i: number) => {
    const n = nodes[i]!;
    const own = statuses[i];
    if (!own) return { org: n.name, origin: '', size: 0, cosigners: 0, quorum: false, error: 'the node does not witness' };
    const others = statuses.filter((s, j): s is WitnessStatusJson => j !== i && s !== null).map((s) => s.witnessVkey);
    const policy = thresholdPolicy([own.logVkey], others, others.length);
    try {
      const note = await (await f(`${n.httpUrl}/checkpoint`)).text();
      const c = checkCheckpoint(note, policy);
      return { org: n.name, origin: own.origin, size: c.checkpoint.size, cosigners: c.cosigners.length, quorum: c.quorum };
    } catch (err) {
      return { org: n.name, origin: own.origin, size: 0, cosigners: 0, quorum: false, error: (err as Error).message };
    }
  };
  // The witnessing loop pushes every 100 ms: give the last heads a moment to be cosigned.
  const end = Date.now() + (opts.waitMs ?? 5000);
  let checkpoints = await Promise.all(nodes.map((_, i) => check(i)));
  while (checkpoints.some((c) => !c.quorum && !c.error) && Date.now() < end) {
    await new Promise((r) => setTimeout(r, 100));
    checkpoints = await Promise.all(nodes.map((_, i) => check(i)));
  }
  const flagged = statuses.flatMap((s, i) =>
    s ? s.flagged.map((x) => ({ origin: x.origin, kind: x.kind, by: nodes[i]!.name })) : [],
  );
  return { cosigned: checkpoints.filter((c) => c.quorum).length, checkpoints, flagged };
}

export interface ForkReport {
  /** The organisation whose node was made to equivocate. */
  org: string;
  origin: string;
  kind: 'same-size' | 'not-extending';
  /** What each peer's witness answered to the conflicting checkpoint (422: refused). */
  submitted: { origin: string; status: number }[];
  /** Each other node: how long until its witness held an equivocation proof, and whether it verifies with the log's key alone. */
  detectedBy: { org: string; ms: number | null; verified: boolean }[];
}

/**
 * `consortium demo --fork`: the node of `forker` (started with tlog.allowFork) signs a checkpoint that
 * conflicts with its log and sends it to the others' witnesses; each must hold a verifying proof.
 */
export async function forkAndDetect(
  nodes: { name: string; httpUrl: string; adminToken: string }[],
  forker: number,
  kind: ForkReport['kind'] = 'same-size',
  opts: { timeoutMs?: number; fetch?: typeof fetch } = {},
): Promise<ForkReport> {
  const f = opts.fetch ?? fetch;
  const auth = (n: { adminToken: string }) => ({ authorization: `Bearer ${n.adminToken}` });
  const bad = nodes[forker]!;
  const status = ((await (await f(`${bad.httpUrl}/api/v1/status`)).json()) as { witness?: WitnessStatusJson }).witness;
  if (!status) throw new Error(`${bad.name}'s node does not witness`);
  const t0 = Date.now();
  const res = await f(`${bad.httpUrl}/api/v1/admin/tlog/fork`, {
    method: 'POST',
    headers: { ...auth(bad), 'content-type': 'application/json' },
    body: JSON.stringify({ kind }),
  });
  if (res.status !== 200) throw new Error(`${bad.name}: POST /api/v1/admin/tlog/fork: HTTP ${res.status} ${await res.text()}`);
  const forked = (await res.json()) as { submitted: { origin: string; status: number }[] };
  const end = t0 + (opts.timeoutMs ?? 15_000);
  const detectedBy = await Promise.all(
    nodes
      .filter((_, i) => i !== forker)
      .map(async (n) => {
        for (;;) {
          const r = await f(`${n.httpUrl}/api/v1/witness/equivocations`, { headers: auth(n) });
          const body = (await r.json()) as { equivocations: { origin: string; proof: unknown }[] };
          const hit = body.equivocations.find((e) => e.origin === status.origin);
          if (hit) return { org: n.name, ms: Date.now() - t0, verified: verifyEquivocation(hit.proof, status.logVkey).ok };
          if (Date.now() > end) return { org: n.name, ms: null, verified: false };
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      }),
  );
  return {
    org: bad.name,
    origin: status.origin,
    kind,
    submitted: forked.submitted.map((s) => ({ origin: s.origin, status: s.status })),
    detectedBy,
  };
}
