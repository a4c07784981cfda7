// What `consortium demo` reports of witnessing: each node's checkpoint as it serves
// it, checked against a C2SP policy of its log key and every other node's witness
// key (quorum: all of them), and the equivocations each node has flagged.
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
  opts: { waitMs?: number; fetch?: typeof fetch } = {},
): Promise<WitnessReport> {
  const f = opts.fetch ?? fetch;
  const statuses = await Promise.all(
    nodes.map(
      async (n) => ((await (await f(`${n.httpUrl}/api/v1/status`)).json()) as { witness?: WitnessStatusJson }).witness ?? null,
    ),
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
