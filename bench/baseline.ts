// The naive design: one chain transaction per reading. Each reading's hash is
// published as its own LogAnchor.publishHead(size = i, root = hash(reading),
// ts) by a member account — the same contracts (deployed by the node's own
// deploy code) on the same anvil binary as the node's embedded chain, but on a
// separate dev chain started for the baseline: the node's embedded chain
// persists its state every second (--state-interval 1), which stalls anvil
// under a transaction flood, and that would flatter the comparison.
//
// Two ways of mining, both measured; the faster one is the baseline:
//  - automine (as the node's embedded chain): a block per transaction. Sent in
//    nonce order with at most `window` sent-but-unmined transactions (a flood
//    trips anvil's automine, which then leaves ready transactions unmined:
//    foundry-rs/foundry#10122);
//  - 1 s interval mining: all transactions pipelined (window concurrent
//    sends), blocks filled up to the 30M gas limit: the chain's capacity.
// Transactions are signed beforehand (generous to the baseline); the clock
// runs from the first send until the last receipt is there.
import { createHash } from 'node:crypto';
import { Agent, request } from 'node:http';
import { encodeFunctionData, parseGwei, type Address, type Hex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { encodeCbor } from '@tradetwin/core/cose/cbor';
import { logAnchorAbi } from '@tradetwin/contracts/generated/index';
import { DEV_ACCOUNTS, startDevChain } from '@tradetwin/contracts/devchain';
import { createChainClients } from '../packages/node/src/chain/clients.js';
import { deployContracts } from '../packages/node/src/chain/deploy.js';
import { ALL_ROLES } from '../packages/node/src/chain/members.js';
import { nowMs, sleep } from './stats.js';

export interface NaiveRun {
  mining: 'automine' | 'interval-1s';
  readings: number;
  seconds: number;
  readingsPerSec: number;
  gasPerReading: number;
  blocks: number;
  presignMs: number;
}

export interface BaselineResult extends NaiveRun {
  runs: NaiveRun[];
}

class Rpc {
  private readonly agent: Agent;
  private readonly url: URL;
  constructor(rpcUrl: string, sockets: number) {
    this.url = new URL(rpcUrl);
    this.agent = new Agent({ keepAlive: true, maxSockets: sockets });
  }
  call<T>(method: string, params: unknown[]): Promise<T> {
    const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method, params });
    return new Promise((resolve, reject) => {
      const req = request(
        {
          agent: this.agent,
          host: this.url.hostname,
          port: this.url.port,
          path: this.url.pathname,
          method: 'POST',
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            try {
              const j = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { result?: T; error?: { message: string } };
              if (j.error) reject(new Error(`${method}: ${j.error.message}`));
              else resolve(j.result as T);
            } catch (err) {
              reject(err);
            }
          });
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }
  close(): void {
    this.agent.destroy();
  }
}

interface Receipt {
  status: Hex;
  gasUsed: Hex;
  blockNumber: Hex;
}

async function presign(opts: {
  key: Hex;
  chainId: number;
  logAnchor: Address;
  from: number;
  count: number;
  nonce0: number;
  size0: number;
}) {
  const account = privateKeyToAccount(opts.key);
  const ts0 = Date.now();
  const maxPriorityFeePerGas = parseGwei('1');
  const maxFeePerGas = parseGwei('20');
  const t = performance.now();
  const raw: Hex[] = [];
  for (let k = 0; k < opts.count; k++) {
    const i = opts.from + k;
    // A reading, and its hash as the "root" of a one-reading log.
    const reading = encodeCbor({ t: ts0 + i, k: 'temp', v: 2 + (i % 64) / 8 });
    const root: Hex = `0x${createHash('sha256').update(reading).digest('hex')}`;
    const data = encodeFunctionData({
      abi: logAnchorAbi,
      functionName: 'publishHead',
      args: [BigInt(opts.size0 + k + 1), root, BigInt(ts0 + i)],
    });
    raw.push(
      await account.signTransaction({
        chainId: opts.chainId,
        type: 'eip1559',
        to: opts.logAnchor,
        data,
        nonce: opts.nonce0 + k,
        gas: 120_000n,
        maxFeePerGas,
        maxPriorityFeePerGas,
      }),
    );
  }
  return { raw, presignMs: performance.now() - t };
}

async function receiptsOf(rpc: Rpc, hashes: Hex[]): Promise<Receipt[]> {
  const out: Receipt[] = [];
  for (let i = 0; i < hashes.length; i += 64) {
    out.push(...(await Promise.all(hashes.slice(i, i + 64).map((h) => rpc.call<Receipt>('eth_getTransactionReceipt', [h])))));
  }
  return out;
}

export async function runBaseline(opts: {
  automineReadings: number;
  intervalReadings: number;
  window: number;
  log: (s: string) => void;
}): Promise<BaselineResult> {
  const chain = await startDevChain({});
  const rpc = new Rpc(chain.rpcUrl, opts.window + 2);
  try {
    const key = DEV_ACCOUNTS[0];
    const address = privateKeyToAccount(key).address;
    const clients = createChainClients({
      rpcUrl: chain.rpcUrl,
      chainId: chain.chainId,
      signerKey: key,
      gasPrice: 'auto',
      pollingIntervalMs: 20,
    });
    const { addresses } = await deployContracts(clients, 'Naive baseline', ALL_ROLES);
    const runs: NaiveRun[] = [];
    let size0 = 0;
    const nonceNow = async () => Number(await rpc.call<Hex>('eth_getTransactionCount', [address, 'latest']));

    // 1. automine, in nonce order, at most `window` unmined.
    if (opts.automineReadings > 0) {
      const nonce0 = await nonceNow();
      const { raw, presignMs } = await presign({
        key,
        chainId: chain.chainId,
        logAnchor: addresses.logAnchor,
        from: 0,
        count: opts.automineReadings,
        nonce0,
        size0,
      });
      const block0 = Number(await rpc.call<Hex>('eth_blockNumber', []));
      const hashes: Hex[] = [];
      let mined = 0;
      let stalledSince = performance.now();
      const start = nowMs();
      const poller = (async () => {
        while (mined < raw.length) {
          const n = (await nonceNow()) - nonce0;
          if (n > mined) {
            mined = n;
            stalledSince = performance.now();
          } else if (performance.now() - stalledSince > 10_000) {
            throw new Error(`naive baseline (automine): stuck at ${mined} of ${raw.length} mined`);
          }
          await sleep(1);
        }
      })();
      while (hashes.length < raw.length) {
        if (hashes.length - mined >= opts.window) {
          await new Promise<void>((r) => setImmediate(r));
          continue;
        }
        hashes.push(await rpc.call<Hex>('eth_sendRawTransaction', [raw[hashes.length]]));
      }
      await poller;
      const end = nowMs();
      const receipts = await receiptsOf(rpc, hashes);
      runs.push(
        summarise(
          'automine',
          receipts,
          (end - start) / 1000,
          presignMs,
          Number(await rpc.call<Hex>('eth_blockNumber', [])) - block0,
        ),
      );
      size0 += raw.length;
      opts.log(
        `  automine: ${Math.round(runs[0]!.readingsPerSec)} readings/s (${raw.length} transactions, ${runs[0]!.blocks} blocks)`,
      );
    }

    // 2. 1 s interval mining, pipelined.
    if (opts.intervalReadings > 0) {
      await rpc.call('evm_setAutomine', [false]);
      await rpc.call('evm_setIntervalMining', [1]);
      const nonce0 = await nonceNow();
      const { raw, presignMs } = await presign({
        key,
        chainId: chain.chainId,
        logAnchor: addresses.logAnchor,
        from: size0,
        count: opts.intervalReadings,
        nonce0,
        size0,
      });
      const block0 = Number(await rpc.call<Hex>('eth_blockNumber', []));
      const hashes: Hex[] = new Array(raw.length);
      let next = 0;
      const start = nowMs();
      await Promise.all(
        Array.from({ length: opts.window }, async () => {
          for (;;) {
            const i = next++;
            if (i >= raw.length) return;
            hashes[i] = await rpc.call<Hex>('eth_sendRawTransaction', [raw[i]]);
          }
        }),
      );
      const deadline = performance.now() + 120_000;
      while ((await nonceNow()) - nonce0 < raw.length) {
        if (performance.now() > deadline)
          throw new Error('naive baseline (interval mining): not all transactions mined in 120 s');
        await sleep(2);
      }
      const end = nowMs();
      const receipts = await receiptsOf(rpc, hashes);
      const r = summarise(
        'interval-1s',
        receipts,
        (end - start) / 1000,
        presignMs,
        Number(await rpc.call<Hex>('eth_blockNumber', [])) - block0,
      );
      runs.push(r);
      opts.log(
        `  1 s interval mining: ${Math.round(r.readingsPerSec)} readings/s (${raw.length} transactions, ${r.blocks} blocks)`,
      );
    }
    const best = runs.reduce((a, b) => (b.readingsPerSec > a.readingsPerSec ? b : a));
    return { ...best, runs };
  } finally {
    rpc.close();
    await chain.stop();
  }
}

function summarise(
  mining: NaiveRun['mining'],
  receipts: Receipt[],
  seconds: number,
  presignMs: number,
  blocks: number,
): NaiveRun {
  let gas = 0;
  for (const r of receipts) {
    if (r?.status !== '0x1') throw new Error('a naive baseline transaction failed');
    gas += Number(r.gasUsed);
  }
  return {
    mining,
    readings: receipts.length,
    seconds,
    readingsPerSec: receipts.length / seconds,
    gasPerReading: gas / receipts.length,
    blocks,
    presignMs,
  };
}
