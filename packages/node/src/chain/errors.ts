// One place that turns whatever viem throws into a ChainError the node can act
// on: did the contract refuse (reverted, with its custom error decoded), did the
// node refuse the transaction (rejected: nonce, funds, fees), is the endpoint
// down (unreachable), or did we give up waiting (timeout)?
import {
  BaseError,
  ContractFunctionRevertedError,
  decodeErrorResult,
  ExecutionRevertedError,
  FeeCapTooLowError,
  HttpRequestError,
  InsufficientFundsError,
  IntrinsicGasTooHighError,
  IntrinsicGasTooLowError,
  NonceTooHighError,
  NonceTooLowError,
  RpcRequestError,
  TimeoutError,
  TipAboveFeeCapError,
  TransactionRejectedRpcError,
  TransactionTypeNotSupportedError,
  WaitForTransactionReceiptTimeoutError,
  WebSocketRequestError,
  SocketClosedError,
  type Abi,
  type Hex,
} from 'viem';
import {
  consortiumGovernanceAbi,
  deviceRegistryAbi,
  logAnchorAbi,
  memberRegistryAbi,
  parametricCoverAbi,
  settlementTokenAbi,
  nodeDirectoryAbi,
} from '@tradetwin/contracts/generated/index';
import { explainContractError, type HashNames } from './contract-errors.js';

type AbiError = Extract<Abi[number], { type: 'error' }>;

export type ChainErrorCode = 'reverted' | 'unreachable' | 'rejected' | 'timeout';

export class ChainError extends Error {
  readonly code: ChainErrorCode;
  /** The contract's custom error (e.g. 'SizeNotIncreasing'), 'Error'/'Panic' for require/assert, when decoded. */
  readonly errorName?: string;
  readonly args?: readonly unknown[];
  /** Raw revert data, when the node returned some. */
  readonly data?: Hex;
  /** A decoded refusal in words ("device 0x7888… is not registered"), for people (CLI, API problem details). */
  readonly explanation?: string;

  constructor(
    code: ChainErrorCode,
    message: string,
    opts: { errorName?: string; args?: readonly unknown[]; data?: Hex; cause?: unknown; explanation?: string } = {},
  ) {
    super(message, { cause: opts.cause });
    this.name = 'ChainError';
    this.code = code;
    if (opts.errorName !== undefined) this.errorName = opts.errorName;
    if (opts.args !== undefined) this.args = opts.args;
    if (opts.data !== undefined) this.data = opts.data;
    const explanation = opts.explanation ?? (opts.errorName ? explainContractError(opts.errorName, opts.args) : undefined);
    if (explanation !== undefined) this.explanation = explanation;
  }

  /** The same refusal, explained with names the caller knows for hashes in its arguments (a device id for its hash). */
  withNames(names: HashNames): ChainError {
    if (!this.errorName) return this;
    return new ChainError(this.code, this.message, {
      errorName: this.errorName,
      args: this.args,
      data: this.data,
      cause: this.cause,
      explanation: explainContractError(this.errorName, this.args, names) ?? this.explanation,
    });
  }
}

/** Every custom error of the contracts, deduplicated by name (NotAMember is in several). */
export const contractErrorsAbi: readonly AbiError[] = (() => {
  const seen = new Map<string, AbiError>();
  for (const item of [
    ...memberRegistryAbi,
    ...deviceRegistryAbi,
    ...logAnchorAbi,
    ...parametricCoverAbi,
    ...settlementTokenAbi,
    ...nodeDirectoryAbi,
    ...consortiumGovernanceAbi,
  ] as Abi) {
    if (item.type === 'error' && !seen.has(item.name)) seen.set(item.name, item);
  }
  return [...seen.values()];
})();

/** Decode revert data against all contract errors (and Solidity's Error/Panic). */
export function decodeRevert(data: Hex): { errorName: string; args: readonly unknown[] } | null {
  if (!/^0x[0-9a-fA-F]{8}/.test(data)) return null;
  try {
    const r = decodeErrorResult({ abi: contractErrorsAbi, data });
    return { errorName: r.errorName, args: r.args ?? [] };
  } catch {
    return null;
  }
}

const REJECTED = [
  NonceTooLowError,
  NonceTooHighError,
  InsufficientFundsError,
  FeeCapTooLowError,
  TipAboveFeeCapError,
  IntrinsicGasTooHighError,
  IntrinsicGasTooLowError,
  TransactionTypeNotSupportedError,
  TransactionRejectedRpcError,
];

const REJECTED_TEXT =
  /insufficient funds|exceeds allowance|nonce too (low|high)|underpriced|fee cap|intrinsic gas|gas price below/i;

function detailsOf(e: unknown): string {
  if (e instanceof BaseError) return e.details ?? '';
  return '';
}

/** Map any error from a chain call to a ChainError (returned unchanged if it already is one). */
export function toChainError(err: unknown, context?: string): ChainError {
  if (err instanceof ChainError) return err;
  const chain = causes(err);
  const prefix = context ? `${context}: ` : '';
  const summary = prefix + shortMessage(err);

  // 1. A revert: find the decoded error, or revert data we can decode ourselves.
  for (const e of chain) {
    if (e instanceof ContractFunctionRevertedError) {
      if (e.data?.errorName) {
        return reverted(prefix, e.data.errorName, e.data.args ?? [], e.raw, err);
      }
      const decoded = e.raw ? decodeRevert(e.raw) : null;
      if (decoded) return reverted(prefix, decoded.errorName, decoded.args, e.raw, err);
      return new ChainError('reverted', prefix + (e.reason ? `reverted: ${e.reason}` : 'reverted'), { data: e.raw, cause: err });
    }
  }
  for (const e of chain) {
    const data = revertData(e);
    const decoded = data ? decodeRevert(data) : null;
    if (data && decoded) return reverted(prefix, decoded.errorName, decoded.args, data, err);
  }

  // 2. The node refused the transaction itself (checked before a data-less revert: nodes report an
  //    unpayable transaction as "gas required exceeds allowance", which viem files under reverts).
  if (chain.some((e) => REJECTED.some((cls) => e instanceof cls) || REJECTED_TEXT.test(detailsOf(e)))) {
    return new ChainError('rejected', summary, { cause: err });
  }
  if (chain.some((e) => e instanceof ExecutionRevertedError)) return new ChainError('reverted', summary, { cause: err });

  // 3. Waiting ran out.
  if (chain.some((e) => e instanceof TimeoutError || e instanceof WaitForTransactionReceiptTimeoutError)) {
    return new ChainError('timeout', summary, { cause: err });
  }
  // 4. The endpoint could not be reached (connection refused, reset, DNS, proxy errors).
  if (chain.some((e) => e instanceof HttpRequestError || e instanceof WebSocketRequestError || e instanceof SocketClosedError)) {
    return new ChainError('unreachable', summary, { cause: err });
  }
  if (chain.some((e) => isNetworkError(e))) return new ChainError('unreachable', summary, { cause: err });
  // 5. Any other JSON-RPC error answer: the node said no.
  if (chain.some((e) => e instanceof RpcRequestError || (e instanceof BaseError && 'code' in e))) {
    return new ChainError('rejected', summary, { cause: err });
  }
  return new ChainError('unreachable', summary, { cause: err });
}

/** Run a chain call and rethrow its failure as a ChainError. */
export async function chainCall<T>(context: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw toChainError(err, context);
  }
}

function reverted(
  prefix: string,
  errorName: string,
  args: readonly unknown[],
  data: Hex | undefined,
  cause: unknown,
): ChainError {
  const shown = args.map((a) => (typeof a === 'bigint' ? a.toString() : JSON.stringify(a))).join(', ');
  return new ChainError('reverted', `${prefix}reverted with ${errorName}(${shown})`, { errorName, args, data, cause });
}

function causes(err: unknown): unknown[] {
  const out: unknown[] = [];
  let e: unknown = err;
  while (e !== undefined && e !== null && out.length < 20 && !out.includes(e)) {
    out.push(e);
    e = (e as { cause?: unknown }).cause;
  }
  return out;
}

/** Revert data as nodes return it: `error.data` as hex, or `{ data: hex }` (Besu, Geth variants). */
function revertData(e: unknown): Hex | undefined {
  if (typeof e !== 'object' || e === null) return undefined;
  const d = (e as { data?: unknown }).data;
  if (typeof d === 'string' && d.startsWith('0x')) return d as Hex;
  if (typeof d === 'object' && d !== null) {
    const inner = (d as { data?: unknown }).data;
    if (typeof inner === 'string' && inner.startsWith('0x')) return inner as Hex;
  }
  return undefined;
}

function isNetworkError(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return (
    typeof code === 'string' &&
    /^(ECONNREFUSED|ECONNRESET|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|EPIPE|UND_ERR_)/.test(code)
  );
}

function shortMessage(err: unknown): string {
  if (err instanceof BaseError) return err.shortMessage;
  return err instanceof Error ? err.message.split('\n')[0]! : String(err);
}
