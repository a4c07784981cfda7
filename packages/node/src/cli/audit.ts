// `tradetwin audit`: recompute the node's whole log from its store and check
// it against the signed heads and the heads anchored on chain. Exit 0 when
// intact; exit 3 naming the first bad leaf (index and record id) otherwise.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { privateKeyToAccount } from 'viem/accounts';
import { createChainClients } from '../chain/clients.js';
import { readDeployment } from '../chain/deploy.js';
import { startEmbeddedChain } from '../chain/embedded.js';
import { LogAnchorClient } from '../chain/log-anchor.js';
import { loadConfig } from '../config.js';
import { checkTelemetryLeaves } from '../ingest/telemetry-audit.js';
import { auditLog, type AnchoredHead, type AuditReport } from '../log/audit.js';
import { readNodeKey, readRuntimeInfo } from '../node.js';
import { SqliteStore } from '../store/sqlite.js';
import type { StoredLeaf } from '../store/types.js';
import { checkEpcisLeaves } from '../epcis/index.js';
import { COMMON, CliError, type Command, printJson, str } from './args.js';

export const AUDIT_FAILED = 3;

export const auditCommand: Command = {
  name: 'audit',
  summary: 'Recompute the log from the store and check it against signed and anchored heads.',
  usage: 'audit [--data-dir DIR] [--rpc URL] [--json]',
  options: { ...COMMON, rpc: { type: 'string' } },
  async run({ values }) {
    const config = loadConfig(str(values, 'data-dir') ?? '.tradetwin');
    const dbFile = join(config.dataDir, 'node.db');
    if (!existsSync(dbFile)) throw new CliError(`no node store in ${resolve(config.dataDir)} (expected ${dbFile})`);
    const signerKey = config.signerKey ?? readNodeKey(config.dataDir);
    const nodeAddress = privateKeyToAccount(signerKey).address;
    const store = new SqliteStore({ path: dbFile });
    const stops: (() => Promise<void>)[] = [() => store.close()];
    try {
      const anchoredHeads = await readAnchoredHeads(config, store, signerKey, nodeAddress, str(values, 'rpc'), stops);
      const telemetry = await checkTelemetryLeaves(store);
      const epcis = checkEpcisLeaves();
      const checkLeaf = async (leaf: StoredLeaf) => (await telemetry(leaf)) ?? epcis(leaf);
      const report = await auditLog({ store, anchoredHeads, nodeAddress, checkLeaf });
      if (values.json) printJson(report);
      else printReport(report);
      return report.ok ? 0 : AUDIT_FAILED;
    } finally {
      for (const stop of stops.reverse()) await stop();
    }
  },
};

/** Heads this node anchored, read from the chain: the running node's RPC, --rpc, or the embedded chain's saved state. */
async function readAnchoredHeads(
  config: ReturnType<typeof loadConfig>,
  store: SqliteStore,
  signerKey: `0x${string}`,
  nodeAddress: `0x${string}`,
  rpcFlag: string | undefined,
  stops: (() => Promise<void>)[],
): Promise<AnchoredHead[] | null> {
  const deployment = await readDeployment(store);
  if (!deployment) return null;
  let rpcUrl = rpcFlag ?? (config.chain.mode === 'external' ? config.chain.rpcUrl : readRuntimeInfo(config.dataDir)?.rpcUrl);
  if (!rpcUrl && config.chain.mode === 'embedded') {
    // The node is not running: bring its embedded chain up from the saved state, read-only use.
    const chain = await startEmbeddedChain(config.dataDir, { port: 0, chainId: config.chain.chainId });
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
  return new LogAnchorClient(clients, deployment.addresses.logAnchor).anchoredHeads(nodeAddress, deployment.fromBlock);
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
  if (r.ok) {
    out.write('AUDIT OK: every leaf, signed head and anchored head is consistent\n');
    return;
  }
  for (const f of r.findings.slice(0, 20)) out.write(`  ✘ ${f.problem}: ${f.detail}\n`);
  if (r.findings.length > 20) out.write(`  … and ${r.findings.length - 20} more\n`);
  const b = r.firstBad!;
  const where = b.leafIndex !== undefined ? `leaf ${b.leafIndex} (${b.recordId})` : `leaves [${b.range?.from}, ${b.range?.to})`;
  out.write(`AUDIT FAILED: first bad ${where}\n`);
}
