// `tradetwin verify <bundle.json|reading-id>`: check one reading's proof bundle
// against the chain itself — device key and revocation from DeviceRegistry,
// the anchored root from LogAnchor — so nothing rests on the node's database.
// `tradetwin verify --event <eventID>` (or an event proof file) does the same for
// a captured EPCIS event: hash ID recomputed, leaf, inclusion, head, anchor.
import { existsSync, readFileSync } from 'node:fs';
import { createPublicClient, type Hex, hexToBytes, http, type PublicClient } from 'viem';
import { encodeVerifierKey, SIG_TYPE_COSIGNATURE_V1, SIG_TYPE_ED25519 } from '@tradetwin/core/tlog/note';
import type { NodePublicClient } from '../chain/clients.js';
import { listNodes, type NodeEntry } from '../chain/node-directory.js';
import { witnessNameOf } from '../tlog/identity.js';
import { parsePolicy, type Policy, thresholdPolicy } from '@tradetwin/core/tlog/policy';
import { type TlogProofCheck, verifyTlogProof } from '@tradetwin/core/tlog/verify-proof';
import { bundleChainReaders } from '@tradetwin/contracts/bundle-readers';
import type { ProofBundle } from '@tradetwin/core/proof/bundle';
import { type EventProof, verifyEventProof } from '@tradetwin/core/proof/epcis-event';
import { verifyBundle } from '@tradetwin/core/proof/verify-bundle';
import type { StatusJson } from '@tradetwin/core/wire/status';
import { COMMON, CliError, type Command, EXIT, printJson, str } from './args.js';
import { nodeClient } from './node-client.js';

export const verifyCommand: Command = {
  name: 'verify',
  summary: "Verify a reading's proof bundle, or an EPCIS event's proof, against the chain (not the node's database).",
  usage:
    'verify <bundle.json|event-proof.json|reading-id> | --event <eventID> [--node URL] [--rpc URL] [--data-dir DIR] [--json]\n' +
    '       [--witnesses N [--log-key VKEY] [--witness-keys VKEY,VKEY…] [--node-directory ADDR] [--log-range BLOCKS] | --policy FILE]\n' +
    '       require a C2SP witness quorum (exit 3 without); keys not given are read from NodeDirectory on chain,\n' +
    "       at most --log-range blocks per eth_getLogs (default 5000, Besu's default limit)",
  options: {
    ...COMMON,
    node: { type: 'string' },
    rpc: { type: 'string' },
    event: { type: 'string' },
    witnesses: { type: 'string' },
    policy: { type: 'string' },
    'log-key': { type: 'string' },
    'witness-keys': { type: 'string' },
    'node-directory': { type: 'string' },
    'log-range': { type: 'string' },
  },
  async run({ values, positionals }) {
    const eventId = str(values, 'event');
    if (eventId !== undefined) {
      const node = nodeClient(values);
      const proof = await node.get<EventProof>(`/epcis/events/${encodeURIComponent(eventId)}/proof`);
      return verifyEvent(proof, str(values, 'rpc') ?? (await node.get<StatusJson>('/api/v1/status')).chain.rpcUrl, values);
    }
    const target = positionals[0];
    const quorumPolicy = await witnessPolicy(values);
    if (!target)
      throw new CliError('give a bundle file, an event proof file, a reading id (<leafIndex>:<position>) or --event <eventID>');
    let bundle: ProofBundle;
    let rpcUrl = str(values, 'rpc');
    if (existsSync(target)) {
      let parsed: ProofBundle | EventProof;
      try {
        parsed = JSON.parse(readFileSync(target, 'utf8')) as ProofBundle | EventProof;
      } catch (err) {
        throw new CliError(`${target} is not JSON: ${(err as Error).message}`);
      }
      if ('eventHashId' in parsed) return verifyEvent(parsed, rpcUrl, values);
      bundle = parsed;
    } else if (/^\d+:\d+$/.test(target)) {
      const node = nodeClient(values);
      bundle = await node.get<ProofBundle>(`/api/v1/readings/${target}/bundle`);
      rpcUrl ??= (await node.get<StatusJson>('/api/v1/status')).chain.rpcUrl;
    } else {
      throw new CliError(`"${target}" is neither a file nor a reading id`);
    }
    const anchor = bundle.anchor;
    const client = rpcUrl ? createPublicClient({ transport: http(rpcUrl) }) : null;
    if (client && anchor) {
      let chainId: number;
      try {
        chainId = await client.getChainId();
      } catch (err) {
        throw new CliError(
          `cannot reach the chain at ${rpcUrl}: ${(err as Error).message.split('\n')[0]}`,
          EXIT.unreachable,
          'chain_unreachable',
        );
      }
      if (chainId !== anchor.chainId)
        throw new CliError(`RPC ${rpcUrl} serves chain ${chainId}, the bundle names chain ${anchor.chainId}`);
    }
    const report = await verifyBundle(bundle, client && anchor ? bundleChainReaders(client, `RPC ${rpcUrl}`) : {});
    const witnessCheck = quorumPolicy
      ? checkWitnesses(bundle, await quorumPolicy({ client, publisher: anchor?.publisher ?? null }))
      : null;
    const verified = report.ok && report.complete && (witnessCheck?.ok ?? true);
    if (values.json) printJson({ verified, ...report, ...(witnessCheck ? { witnesses: witnessCheck } : {}) });
    else {
      for (const c of report.checks) process.stdout.write(`${c.skipped ? '–' : c.ok ? '✔' : '✘'} ${c.name}: ${c.detail}\n`);
      if (witnessCheck) process.stdout.write(`${witnessCheck.ok ? '✔' : '✘'} witnesses: ${witnessCheck.detail}\n`);
      const skipped = report.checks.filter((c) => c.skipped).map((c) => c.name);
      if (verified) process.stdout.write(`VERIFIED reading ${bundle.readingId}\n`);
      else if (report.ok && witnessCheck && !witnessCheck.ok)
        process.stdout.write(`NOT VERIFIED reading ${bundle.readingId}: no witness quorum\n`);
      else if (report.ok)
        process.stdout.write(
          `NOT FULLY VERIFIED reading ${bundle.readingId}: not checked: ${skipped.join(', ')}${client ? '' : ' (give --rpc URL)'}\n`,
        );
      else process.stdout.write(`NOT VERIFIED reading ${bundle.readingId}\n`);
    }
    return verified ? EXIT.ok : EXIT.notVerified;
  },
};

/** Where the keys of a --witnesses quorum come from when none are given: the chain's NodeDirectory. */
interface PolicyContext {
  client: PublicClient | null;
  /** The bundle's log publisher (its anchor's). */
  publisher: Hex | null;
}

/**
 * The witness policy asked for: --policy FILE (C2SP tlog-policy), or --witnesses N over the log key and
 * witness keys given (--log-key, --witness-keys) or, failing those, the ones NodeDirectory holds on
 * chain: the log key of the node whose account anchors the bundle's log (its logOrigin and
 * checkpointKey), and every other member node's witness key. The directory's address is
 * --node-directory, else the one the node names (GET /api/v1/status); the keys themselves never come
 * from the node. Null when no quorum was asked for.
 */
async function witnessPolicy(values: Record<string, unknown>): Promise<((ctx: PolicyContext) => Promise<Policy>) | null> {
  const file = str(values, 'policy');
  const n = str(values, 'witnesses');
  if (file !== undefined && n !== undefined) throw new CliError('give --witnesses N or --policy FILE, not both');
  if (file !== undefined) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      throw new CliError(`cannot read policy ${file}: ${(err as Error).message}`);
    }
    try {
      const policy = parsePolicy(text);
      return async () => policy;
    } catch (err) {
      throw new CliError(`${file}: ${(err as Error).message}`);
    }
  }
  if (n === undefined) return null;
  if (!/^(0|[1-9][0-9]?)$/.test(n)) throw new CliError(`--witnesses must be a small number, got "${n}"`);
  const k = Number(n);
  const logKey = str(values, 'log-key');
  const witnessKeys = str(values, 'witness-keys')?.split(',').filter(Boolean);
  const directoryOpt = str(values, 'node-directory');
  if (directoryOpt !== undefined && !/^0x[0-9a-fA-F]{40}$/.test(directoryOpt))
    throw new CliError(`--node-directory must be a contract address, got "${directoryOpt}"`);
  const rangeOpt = str(values, 'log-range');
  if (rangeOpt !== undefined && !/^[1-9][0-9]{0,6}$/.test(rangeOpt))
    throw new CliError(`--log-range must be a number of blocks (1 to 9999999), got "${rangeOpt}"`);
  const logRange = rangeOpt === undefined ? undefined : Number(rangeOpt);
  return async (ctx) => {
    let logs = logKey ? [logKey] : [];
    let witnesses = witnessKeys ?? [];
    if (!logKey || !witnessKeys) {
      if (!ctx.client || !ctx.publisher)
        throw new CliError(
          'the witness keys come from NodeDirectory on chain: give --rpc URL and an anchored bundle, or --log-key and --witness-keys',
        );
      const directory =
        (directoryOpt as Hex | undefined) ?? (await nodeClient(values).get<StatusJson>('/api/v1/status')).chain.nodeDirectory;
      if (!directory)
        throw new CliError('no NodeDirectory known: give --node-directory ADDRESS, or --log-key and --witness-keys');
      const keys = await directoryKeys(ctx.client, directory, ctx.publisher, logRange);
      if (!logKey) logs = [keys.log];
      if (!witnessKeys) witnesses = keys.witnesses;
    }
    if (k > witnesses.length) throw new CliError(`--witnesses ${k}: only ${witnesses.length} witness keys are known`);
    try {
      return thresholdPolicy(logs, witnesses, k);
    } catch (err) {
      throw new CliError((err as Error).message);
    }
  };
}

/** From NodeDirectory: the log key of `publisher`'s node and the witness keys of every other member node. */
async function directoryKeys(
  client: PublicClient,
  directory: Hex,
  publisher: Hex,
  logRange: number | undefined,
): Promise<{ log: string; witnesses: string[] }> {
  let entries: NodeEntry[];
  try {
    // Only a plain public client here; the node's reads are chunked the same way (chain/logs.ts).
    entries = await listNodes({ publicClient: client as NodePublicClient }, directory, 0, logRange);
  } catch (err) {
    throw new CliError(
      `cannot read NodeDirectory ${directory}: ${(err as Error).message.split('\n')[0]}`,
      EXIT.unreachable,
      'chain_unreachable',
    );
  }
  const own = entries.find((e) => e.publisher.toLowerCase() === publisher.toLowerCase());
  if (!own)
    throw new CliError(`no node in NodeDirectory ${directory} publishes log ${publisher}`, EXIT.notVerified, 'unknown_log');
  return {
    log: encodeVerifierKey(own.logOrigin, SIG_TYPE_ED25519, own.checkpointKey),
    witnesses: entries
      .filter((e) => e !== own && e.logOrigin !== '')
      .map((e) => encodeVerifierKey(witnessNameOf(e.logOrigin), SIG_TYPE_COSIGNATURE_V1, e.checkpointKey)),
  };
}

function checkWitnesses(bundle: ProofBundle, policy: Policy): TlogProofCheck {
  if (!bundle.tlog) {
    return {
      ok: false,
      valid: false,
      quorum: false,
      detail: 'the bundle carries no tlog proof (no cosigned checkpoint)',
      origin: null,
      size: null,
      cosigners: [],
    };
  }
  return verifyTlogProof(bundle.tlog, bundle.leaf.index, hexToBytes(bundle.leaf.hash), policy);
}

/** An EPCIS event proof, checked with core's verifyEventProof; the anchor read from LogAnchor over `rpcUrl`. */
async function verifyEvent(proof: EventProof, rpcUrl: string | undefined, values: Record<string, unknown>): Promise<number> {
  const client = rpcUrl ? createPublicClient({ transport: http(rpcUrl) }) : null;
  const report = await verifyEventProof(
    proof,
    client ? { readAnchor: bundleChainReaders(client, `RPC ${rpcUrl}`).readAnchor } : {},
  );
  const verified = report.ok && report.complete;
  if (values.json) printJson({ verified, ...report });
  else {
    for (const c of report.checks) process.stdout.write(`${c.skipped ? '–' : c.ok ? '✔' : '✘'} ${c.name}: ${c.detail}\n`);
    if (verified) process.stdout.write(`VERIFIED event ${proof.eventID}\n`);
    else if (report.ok)
      process.stdout.write(`NOT FULLY VERIFIED event ${proof.eventID}: the anchor was not checked (give --rpc URL)\n`);
    else process.stdout.write(`NOT VERIFIED event ${proof.eventID}\n`);
  }
  return verified ? EXIT.ok : EXIT.notVerified;
}
