// `tradetwin audit`: recompute the node's whole log from its store and check
// it against the signed heads and the heads anchored on chain, and check every
// anchor the node records as confirmed against the chain. Exit 0 when intact;
// exit 3 naming the first bad leaf (index and record id), or the anchors the
// chain lost, otherwise.
//
// It runs beside a live node: the chain's heads are read first, then every
// store read happens inside the storage's snapshot (on SQLite one read
// transaction, one WAL snapshot), so leaves, tiles, signed heads, devices and
// the outbox describe one moment and a head signed meanwhile cannot look like a
// mismatch. The store is the node's: node.db in the data dir, or PostgreSQL
// (--database-url / TRADETWIN_DATABASE_URL).
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { privateKeyToAccount } from 'viem/accounts';
import { createChainClients } from '../chain/clients.js';
import { readDeployment } from '../chain/deploy.js';
import { startEmbeddedChain } from '../chain/embedded.js';
import { LogAnchorClient } from '../chain/log-anchor.js';
import { loadConfig } from '../config.js';
import { checkTelemetryLeaves } from '../ingest/telemetry-audit.js';
import { auditLog, type AuditReport } from '../log/audit.js';
import { readNodeKey, readRuntimeInfo } from '../node.js';
import { openStorage } from '../storage/index.js';
import { nodeStore } from '../storage/node-store.js';
import type { NodeStore, StoredLeaf } from '../storage/types.js';
import { checkEpcisLeaves } from '../epcis/index.js';
import { COMMON, CliError, type Command, printJson, STORE_OPTIONS, storeOverride, str } from './args.js';

export const AUDIT_FAILED = 3;

export const auditCommand: Command = {
  name: 'audit',
  summary: 'Recompute the log from the store and check it against signed and anchored heads.',
  usage: 'audit [--data-dir DIR] [--database-url postgres://…] [--rpc URL] [--json]',
  options: { ...COMMON, ...STORE_OPTIONS, rpc: { type: 'string' } },
  async run({ values }) {
    const config = loadConfig(str(values, 'data-dir') ?? '.tradetwin', process.env, storeOverride(values));
    const dbFile = join(config.dataDir, 'node.db');
    if (config.store.kind === 'sqlite' && !existsSync(dbFile))
      throw new CliError(`no node store in ${resolve(config.dataDir)} (expected ${dbFile})`);
    const signerKey = config.signerKey ?? readNodeKey(config.dataDir);
    const nodeAddress = privateKeyToAccount(signerKey).address;
    const storage = await openStorage({ dataDir: config.dataDir, store: config.store });
    const store = nodeStore(storage);
    const stops: (() => Promise<void>)[] = [() => storage.close()];
    try {
      const chain = await openAnchorClient(config, store, signerKey, str(values, 'rpc'), stops);
      // Chain first: every head on it was committed before, so the snapshot taken next holds its leaves.
      const published = chain ? await chain.client.anchoredHeads(nodeAddress, chain.fromBlock) : null;
      const report = await storage.readSnapshot(async () => {
        const telemetry = await checkTelemetryLeaves(store);
        const epcis = checkEpcisLeaves();
        const checkLeaf = async (leaf: StoredLeaf) => (await telemetry(leaf)) ?? epcis(leaf);
        return auditLog({
          store,
          anchoredHeads: published,
          chainAnchors: published,
          recheckChainAnchors: chain ? () => chain.client.anchoredHeads(nodeAddress, chain.fromBlock) : undefined,
          nodeAddress,
          checkLeaf,
        });
      });
      if (values.json) printJson(report);
      else printReport(report);
      return report.ok ? 0 : AUDIT_FAILED;
    } finally {
      for (const stop of stops.reverse()) await stop();
    }
  },
};

/** LogAnchor on the chain: the running node's RPC, --rpc, or the embedded chain brought up from its saved state. */
async function openAnchorClient(
  config: ReturnType<typeof loadConfig>,
  store: NodeStore,
  signerKey: `0x${string}`,
  rpcFlag: string | undefined,
  stops: (() => Promise<void>)[],
): Promise<{ client: LogAnchorClient; fromBlock: number } | null> {
  const deployment = await readDeployment(store);
  if (!deployment) return null;
  let rpcUrl = rpcFlag ?? (config.chain.mode === 'external' ? config.chain.rpcUrl : readRuntimeInfo(config.dataDir)?.rpcUrl);
  if (!rpcUrl && config.chain.mode === 'embedded') {
    // The node is not running: bring its embedded chain up from the saved state (under the
    // chain lock, so no node can start a second chain on it meanwhile), for reading only.
    const chain = await startEmbeddedChain(config.dataDir, {
      port: 0,
      chainId: config.chain.chainId,
      role: `tradetwin audit (pid ${process.pid})`,
      supervise: false,
    });
    stops.push(() => chain.stop());
    rpcUrl = chain.rpcUrl;
  }
  if (!rpcUrl) return null;
  const clients = createChainClients({
    rpcUrl,
    chainId: deployment.chainId,
    signerKey,
    gasPrice: 'auto',
    pollingIntervalMs: 500,
  });
  return {
    client: new LogAnchorClient(clients, deployment.addresses.logAnchor, deployment.fromBlock),
    fromBlock: deployment.fromBlock,
  };
}

function printReport(r: AuditReport): void {
  const out = process.stdout;
  out.write(`log size ${r.size}, ${r.leavesChecked} leaves recomputed\n`);
  out.write(
    `signed heads: ${r.signedHeads.checked} (latest size ${r.signedHeads.latestSize}); unsigned tail ${r.unsignedTail}\n`,
  );
  out.write(
    `anchored heads: ${r.anchoredHeads.source === 'chain' ? `${r.anchoredHeads.checked} read from the chain (latest size ${r.anchoredHeads.latestSize})` : 'chain not reachable — NOT checked'}\n`,
  );
  const ra = r.recordedAnchors;
  out.write(
    `recorded anchors: ${ra.source === 'chain' ? `${ra.checked} confirmed by this node checked on chain: ${ra.missing} missing, ${ra.different} different` : 'chain not reachable — NOT checked'}\n`,
  );
  if (r.ok) {
    out.write('AUDIT OK: every leaf, signed head and anchored head is consistent\n');
    return;
  }
  for (const f of r.findings.slice(0, 20)) out.write(`  ✘ ${f.problem}: ${f.detail}\n`);
  if (r.findings.length > 20) out.write(`  … and ${r.findings.length - 20} more\n`);
  const b = r.firstBad!;
  const where =
    b.leafIndex !== undefined
      ? `leaf ${b.leafIndex} (${b.recordId})`
      : b.range
        ? `leaves [${b.range.from}, ${b.range.to})`
        : `${b.problem}: ${b.detail}`;
  out.write(`AUDIT FAILED: first bad ${where}\n`);
}
