// Crash and outage harness for the embedded chain and the anchor outbox.
//
//   node --import tsx bench/crash-chain.ts [--kills 20] [--mode all|node|both|outage]
//                                          [--down-seconds 600] [--json FILE]
//
// node:   kill -9 of the node alone during ingest, N times on one data dir;
// both:   kill -9 of node and anvil together during ingest, N times;
//   after each restart: acknowledged readings lost, confirmed anchors the chain
//   had lost at restart (re-published), confirmed anchors missing once the
//   outbox caught up, anvil processes on the data dir's state, audit result.
// outage: an external chain taken down for --down-seconds during steady ingest:
//   readings accepted while it is down, and the time from its return until the
//   anchors cover every reading committed before the return.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DEV_ACCOUNTS, freePort, startDevChain } from '../packages/contracts/src/devchain.js';
import { compareAnchors } from '../packages/node/src/anchor/reconcile.js';
import { createChainClients } from '../packages/node/src/chain/clients.js';
import { LogAnchorClient } from '../packages/node/src/chain/log-anchor.js';
import { readRuntimeInfo } from '../packages/node/src/node.js';
import { TelemetryFollower } from '../packages/node/src/ingest/telemetry-follower.js';
import { nodeStore } from '../packages/node/src/storage/node-store.js';
import { openSqliteStorage } from '../packages/node/src/storage/sqlite/index.js';
import { runCli } from '../packages/node/src/test-support/cli.js';
import { deviceKey, envelope, startTestNode, tempDataDir } from '../packages/node/src/test-support/node-fixture.js';
import {
  chainProcesses,
  eventually,
  lockedChain,
  type NodeProcess,
  registerOn,
  spawnNode,
} from '../packages/node/src/test-support/node-process.js';

const { values } = parseArgs({
  options: {
    kills: { type: 'string', default: '20' },
    mode: { type: 'string', default: 'all' },
    'down-seconds': { type: 'string', default: '600' },
    json: { type: 'string' },
  },
});
const kills = Number(values.kills);
const mode = values.mode!;
const downSeconds = Number(values['down-seconds']);
const log = (s: string) => process.stderr.write(`[crash-chain] ${s}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const ENV = { TRADETWIN_ANCHOR_EVERY_MS: '300' };

interface KillRound {
  round: number;
  acked: number;
  ackedLost: number;
  anchorsLostByChainAtRestart: number;
  confirmedAnchorsMissingAfterCatchUp: number;
  chainProcessesAfterRestart: number;
  orphanedChainProcessesBeforeRestart: number;
  auditOk: boolean;
  auditExit: number | null;
}

interface Status {
  anchoring: { outboxDepth: number; lastCheck: { discrepancies: { kind: string }[] } | null };
}

async function killRounds(kind: 'node' | 'both'): Promise<{ rounds: KillRound[]; summary: Record<string, number> }> {
  const dataDir = tempDataDir(`tt-crash-${kind}-`);
  const key = deviceKey(`reefer-crash-${kind}`, 1);
  let node = await spawnNode(dataDir, ENV);
  if ((await registerOn(node, key)).status !== 201) throw new Error('registration failed');
  let nextSeq = 1;
  const acked = new Set<number>();
  const rounds: KillRound[] = [];
  for (let round = 1; round <= kills; round++) {
    let killed = false;
    const url = node.httpUrl;
    const sender = async () => {
      while (!killed) {
        const seqs = Array.from({ length: 50 }, () => nextSeq++);
        try {
          const res = await fetch(`${url}/api/v1/telemetry`, {
            method: 'POST',
            headers: { 'content-type': 'application/cbor-seq' },
            body: Buffer.concat(seqs.map((q) => envelope(key, q))),
          });
          const body = (await res.json()) as { results: { status: string; seq?: number }[] };
          for (const r of body.results) if (r.status === 'accepted') acked.add(r.seq!);
        } catch {
          return;
        }
      }
    };
    const senders = [sender(), sender()];
    await sleep(1500 + Math.random() * 1500);
    const chain = lockedChain(dataDir);
    process.kill(node.child.pid!, 'SIGKILL');
    if (kind === 'both' && chain?.anvil) process.kill(chain.anvil, 'SIGKILL');
    killed = true;
    await Promise.all(senders);
    await node.exited;
    const orphaned = chainProcesses(dataDir).length; // a node-alone kill: its watchdog is stopping anvil now

    node = await spawnNode(dataDir, ENV);
    const chainCount = chainProcesses(dataDir).length;
    const caughtUp = await eventually(
      'the outbox to reconcile and drain',
      async () => {
        const s = (await (await fetch(`${node.httpUrl}/api/v1/status`)).json()) as Status;
        return s.anchoring.lastCheck && s.anchoring.outboxDepth === 0 ? s : undefined;
      },
      120_000,
    );
    const lostAtRestart = caughtUp.anchoring.lastCheck!.discrepancies.filter((d) => d.kind === 'missing').length;
    const { ackedLost, missing } = await checkStore(dataDir, node, key.deviceId, acked);
    const audit = await runCli(['audit', '--data-dir', dataDir, '--json'], { timeoutMs: 300_000 });
    let auditOk = false;
    try {
      auditOk = (JSON.parse(audit.stdout) as { ok: boolean }).ok;
    } catch {
      auditOk = false;
    }
    const r: KillRound = {
      round,
      acked: acked.size,
      ackedLost,
      anchorsLostByChainAtRestart: lostAtRestart,
      confirmedAnchorsMissingAfterCatchUp: missing,
      chainProcessesAfterRestart: chainCount,
      orphanedChainProcessesBeforeRestart: orphaned,
      auditOk,
      auditExit: audit.code,
    };
    rounds.push(r);
    log(`${kind} #${round}: ${JSON.stringify(r)}`);
  }
  process.kill(node.child.pid!, 'SIGTERM');
  await node.exited;
  rmSync(dataDir, { recursive: true, force: true });
  const sum = (f: (r: KillRound) => number) => rounds.reduce((a, r) => a + f(r), 0);
  return {
    rounds,
    summary: {
      kills: rounds.length,
      ackedReadings: rounds.at(-1)?.acked ?? 0,
      ackedReadingsLost: sum((r) => r.ackedLost),
      anchorsLostByChainAndRepublished: sum((r) => r.anchorsLostByChainAtRestart),
      confirmedAnchorsMissingAfterRestart: sum((r) => r.confirmedAnchorsMissingAfterCatchUp),
      maxChainProcessesPerDataDir: Math.max(...rounds.map((r) => r.chainProcessesAfterRestart)),
      minChainProcessesPerDataDir: Math.min(...rounds.map((r) => r.chainProcessesAfterRestart)),
      auditsOk: rounds.filter((r) => r.auditOk).length,
    },
  };
}

/** Acknowledged readings absent from the store, and confirmed anchors absent from the chain. */
async function checkStore(dataDir: string, node: NodeProcess, deviceId: string, acked: Set<number>) {
  const storage = await openSqliteStorage({ dataDir });
  const store = nodeStore(storage);
  try {
    // The telemetry index follows the log: index what the kill left behind, as the node does at start.
    await new TelemetryFollower(storage.log, storage.telemetry).catchUp();
    const stored = new Set((await store.telemetry({ deviceId })).map((r) => r.seq));
    const ackedLost = [...acked].filter((q) => !stored.has(q)).length;
    const info = readRuntimeInfo(dataDir)!;
    const key = readFileSync(join(dataDir, 'node-key'), 'utf8').trim() as `0x${string}`;
    const clients = createChainClients({
      rpcUrl: info.rpcUrl,
      chainId: info.chainId,
      signerKey: key,
      gasPrice: 'auto',
      pollingIntervalMs: 100,
    });
    const heads = await new LogAnchorClient(clients, info.contracts.logAnchor).publishedHeads();
    const missing = compareAnchors(await store.anchors(), heads).length;
    void node;
    return { ackedLost, missing };
  } finally {
    await storage.close();
  }
}

async function outage(): Promise<Record<string, unknown>> {
  const chainDir = tempDataDir('tt-outage-');
  const stateFile = join(chainDir, 'anvil-state.json');
  const port = await freePort();
  let chain = await startDevChain({ port, stateFile });
  const t = await startTestNode({
    configure: (c) => {
      c.chain = { mode: 'external', rpcUrl: chain.rpcUrl, chainId: 31337, gasPrice: 'auto', pollingIntervalMs: 100 };
      c.signerKey = DEV_ACCOUNTS[0];
      c.anchor = { everyMs: 2000, pollMs: 250 };
    },
  });
  const key = deviceKey('reefer-outage', 1);
  await t.register(key);
  let seq = 1;
  let running = true;
  let accepted = 0;
  let refused = 0;
  const latencies: number[] = [];
  const sender = (async () => {
    while (running) {
      const t0 = performance.now();
      const res = await t.post(Array.from({ length: 20 }, () => envelope(key, seq++)));
      latencies.push(performance.now() - t0);
      const body = (await res.json()) as { accepted: number; rejected: number };
      accepted += body.accepted;
      refused += body.rejected;
      await sleep(100);
    }
  })();
  await sleep(5000);
  await t.node.anchorer.anchorNow();
  log(`chain down for ${downSeconds} s`);
  await chain.stop();
  const acceptedBefore = accepted;
  const latStart = latencies.length;
  await sleep(downSeconds * 1000);
  const acceptedDuring = accepted - acceptedBefore;
  const latDuring = latencies.slice(latStart).sort((a, b) => a - b);
  const outboxDuring = (await t.node.store.anchors('pending')).length;
  chain = await startDevChain({ port, stateFile });
  const back = Date.now();
  const sizeAtReturn = t.node.log.size;
  log(`chain back; log size ${sizeAtReturn}`);
  await eventually(
    'anchors to cover the outage',
    async () => ((await t.node.store.latestConfirmedAnchor())?.size ?? 0) >= sizeAtReturn || undefined,
    600_000,
  );
  const catchUpMs = Date.now() - back;
  running = false;
  await sender;
  await t.dispose();
  await chain.stop();
  rmSync(chainDir, { recursive: true, force: true });
  return {
    downSeconds,
    acceptedWhileDown: acceptedDuring,
    refusedTotal: refused,
    ackP99MsWhileDown: latDuring[Math.floor(latDuring.length * 0.99)] ?? null,
    pendingHeadsWhileDown: outboxDuring,
    logSizeAtReturn: sizeAtReturn,
    anchorsCaughtUpMsAfterReturn: catchUpMs,
  };
}

async function main() {
  const started = new Date().toISOString();
  const out: Record<string, unknown> = { started, kills, machine: { cores: (await import('node:os')).cpus().length } };
  if (mode === 'all' || mode === 'node') out.killNode = await killRounds('node');
  if (mode === 'all' || mode === 'both') out.killNodeAndChain = await killRounds('both');
  if (mode === 'all' || mode === 'outage') out.chainOutage = await outage();
  out.finished = new Date().toISOString();
  const text = `${JSON.stringify(out, null, 2)}\n`;
  if (values.json) writeFileSync(values.json, text);
  process.stdout.write(text);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    log(err instanceof Error ? (err.stack ?? err.message) : String(err));
    process.exit(1);
  },
);
