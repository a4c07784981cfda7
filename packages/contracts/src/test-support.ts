// Helpers shared by the contracts tests (not a test file itself).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import {
  BaseError,
  ContractFunctionRevertedError,
  createPublicClient,
  createTestClient,
  createWalletClient,
  decodeErrorResult,
  defineChain,
  getAddress,
  http,
  parseEventLogs,
  type Abi,
  type Account,
  type Address,
  type Hex,
  type TransactionReceipt,
} from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { COMPILER_SETTINGS, PACKAGE_DIR } from './compile.js';
import type { DevChain } from './devchain.js';
import { DEV_ACCOUNTS } from './devchain.js';
import {
  deviceRegistryAbi,
  deviceRegistryBytecode,
  logAnchorAbi,
  logAnchorBytecode,
  memberRegistryAbi,
  memberRegistryBytecode,
} from './generated/index.js';

/** viem clients for a dev chain, polling fast (anvil mines on every transaction). */
export function clientsFor(chain: DevChain) {
  const viemChain = defineChain({
    id: chain.chainId,
    name: 'anvil',
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: [chain.rpcUrl] } },
  });
  const transport = http(chain.rpcUrl);
  const publicClient = createPublicClient({ chain: viemChain, transport, pollingInterval: 20, cacheTime: 0 });
  const testClient = createTestClient({ chain: viemChain, transport, mode: 'anvil', pollingInterval: 20 });
  const wallet = (account: Account) =>
    createWalletClient({ chain: viemChain, transport, account, pollingInterval: 20, cacheTime: 0 });
  return { publicClient, testClient, wallet };
}
export type Clients = ReturnType<typeof clientsFor>;

/** The five funded anvil accounts as viem local accounts. */
export const accounts = DEV_ACCOUNTS.map((k) => privateKeyToAccount(k));

export function account(i: number): Account {
  const a = accounts[i];
  if (!a) throw new Error(`no dev account ${i}`);
  return a;
}

/** Waits for `hash` and asserts the transaction succeeded. */
export async function mined(c: Clients, hash: Hex): Promise<TransactionReceipt> {
  const receipt = await c.publicClient.waitForTransactionReceipt({ hash, pollingInterval: 20 });
  assert.equal(receipt.status, 'success', `transaction ${hash} reverted`);
  return receipt;
}

/** Block timestamp (seconds) of the block that included `receipt`. */
export async function blockTime(c: Clients, receipt: TransactionReceipt): Promise<bigint> {
  const block = await c.publicClient.getBlock({ blockHash: receipt.blockHash });
  return block.timestamp;
}

/** The decoded events named `eventName` from a receipt. */
export function eventsOf<const A extends Abi>(abi: A, receipt: TransactionReceipt, eventName: string) {
  return parseEventLogs({ abi, logs: receipt.logs }).filter((l) => l.eventName === eventName);
}

/** Asserts exactly one `eventName` event whose args deep-equal `args`. */
export function assertEvent<const A extends Abi>(
  abi: A,
  receipt: TransactionReceipt,
  eventName: string,
  args: Record<string, unknown>,
): void {
  const logs = eventsOf(abi, receipt, eventName);
  assert.equal(logs.length, 1, `expected one ${eventName}, got ${logs.length}`);
  assert.deepEqual({ ...(logs[0]?.args as Record<string, unknown>) }, args);
}

/**
 * Asserts that `promise` rejects with the custom error `errorName(...args)`, decoded with `abi`
 * (custom errors surfaced by viem as ContractFunctionRevertedError or raw revert data).
 * `args` absent = the error has no arguments; `null` = not checked. Returns the decoded args.
 */
export async function expectRevert(
  promise: Promise<unknown>,
  abi: Abi,
  errorName: string,
  args?: readonly unknown[] | null,
): Promise<readonly unknown[]> {
  let caught: unknown;
  try {
    await promise;
  } catch (err) {
    caught = err;
  }
  assert.ok(caught, `expected revert ${errorName}, but the call succeeded`);
  assert.ok(caught instanceof BaseError, `expected a viem error, got ${String(caught)}`);
  let name: string | undefined;
  let got: readonly unknown[] | undefined;
  const reverted = caught.walk((e) => e instanceof ContractFunctionRevertedError);
  if (reverted instanceof ContractFunctionRevertedError && reverted.data) {
    name = reverted.data.errorName;
    got = reverted.data.args ?? [];
  } else {
    // e.g. a constructor revert: find raw revert data on the error chain and decode it.
    const withData = caught.walk((e) => typeof (e as { data?: unknown }).data === 'string');
    const data = (withData as { data?: unknown } | null)?.data;
    assert.ok(typeof data === 'string' && data.startsWith('0x'), `no revert data in: ${caught.shortMessage}`);
    const decoded = decodeErrorResult({ abi, data: data as Hex });
    name = decoded.errorName;
    got = (decoded.args as readonly unknown[] | undefined) ?? [];
  }
  assert.equal(name, errorName, `expected ${errorName}, got ${name} (${caught.shortMessage})`);
  const gotArgs = [...(got ?? [])];
  // Without `args`, the error must have none; callers checking args themselves pass `null`.
  if (args !== null) assert.deepEqual(gotArgs, [...(args ?? [])], `${errorName} args`);
  return gotArgs;
}

export interface Deployment {
  memberRegistry: Address;
  deviceRegistry: Address;
  logAnchor: Address;
}

/** Deploys a contract and returns its address. */
export async function deploy(c: Clients, from: Account, abi: Abi, bytecode: Hex, args: readonly unknown[]): Promise<Address> {
  const hash = await c.wallet(from).deployContract({ abi, bytecode, args, account: from, chain: undefined });
  const receipt = await mined(c, hash);
  assert.ok(receipt.contractAddress, 'no contract address');
  return getAddress(receipt.contractAddress);
}

/** Deploys MemberRegistry(admin) and the two registries that depend on it. */
export async function deployAll(c: Clients, admin: Account): Promise<Deployment> {
  const memberRegistry = await deploy(c, admin, memberRegistryAbi, memberRegistryBytecode, [admin.address]);
  const deviceRegistry = await deploy(c, admin, deviceRegistryAbi, deviceRegistryBytecode, [memberRegistry]);
  const logAnchor = await deploy(c, admin, logAnchorAbi, logAnchorBytecode, [memberRegistry]);
  return { memberRegistry, deviceRegistry, logAnchor };
}

/** Role bits from docs/design.md ("Chain"). */
export const ROLE = {
  SHIPPER: 1n,
  CARRIER: 2n,
  CONSIGNEE: 4n,
  INSURER: 8n,
  FINANCIER: 16n,
  ORACLE: 32n,
  CUSTOMS: 64n,
  DEVICE_OWNER: 128n,
  PORT: 256n,
} as const;

/**
 * Compiles a self-contained test-only contract, `test-contracts/<name>.sol` (no imports), with
 * the production compiler settings. Not part of the committed artifacts.
 */
export function compileTestContract(name: string): { abi: Abi; bytecode: Hex } {
  const solc = createRequire(import.meta.url)('solc') as { compile(input: string): string };
  const content = readFileSync(join(PACKAGE_DIR, 'test-contracts', `${name}.sol`), 'utf8');
  const input = {
    language: 'Solidity',
    sources: { [`${name}.sol`]: { content } },
    settings: { ...COMPILER_SETTINGS, outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object'] } } },
  };
  const output = JSON.parse(solc.compile(JSON.stringify(input))) as {
    errors?: { severity: string; formattedMessage: string }[];
    contracts?: Record<string, Record<string, { abi: Abi; evm: { bytecode: { object: string } } }>>;
  };
  const errors = (output.errors ?? []).filter((e) => e.severity === 'error');
  if (errors.length > 0) throw new Error(errors.map((e) => e.formattedMessage).join('\n'));
  const c = output.contracts?.[`${name}.sol`]?.[name];
  if (!c) throw new Error(`no output for ${name}`);
  return { abi: c.abi, bytecode: `0x${c.evm.bytecode.object}` };
}
