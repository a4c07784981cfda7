// EIP-712 excursion attestations for ParametricCover (docs/design.md, "Parametric cover").
// Isomorphic (Node and browser): viem only. Oracles sign with `signAttestation`; the contract
// checks exactly `hashAttestation` (a test compares it with the contract's own digest).
import { hashTypedData, recoverTypedDataAddress, type Address, type Hex, type LocalAccount } from 'viem';

/** EIP-712 domain name of ParametricCover. */
export const DOMAIN_NAME = 'TradeTwin ParametricCover';
/** EIP-712 domain version of ParametricCover. */
export const DOMAIN_VERSION = '1';
/** The EIP-712 primary type. */
export const primaryType = 'ExcursionAttestation' as const;

/** The EIP-712 type string (its keccak256 is the contract's `ATTESTATION_TYPEHASH`). */
export const ATTESTATION_TYPE =
  'ExcursionAttestation(uint256 policyId,bytes32 excursionId,uint64 startedAt,uint64 endedAt,uint32 minutesOutside,' +
  'int32 peakCentiC,address logPublisher,uint64 logSize,bytes32 logRoot,uint256 nonce,uint64 deadline)';

/** The EIP-712 `types` for viem's signTypedData / hashTypedData. */
export const types = {
  ExcursionAttestation: [
    { name: 'policyId', type: 'uint256' },
    { name: 'excursionId', type: 'bytes32' },
    { name: 'startedAt', type: 'uint64' },
    { name: 'endedAt', type: 'uint64' },
    { name: 'minutesOutside', type: 'uint32' },
    { name: 'peakCentiC', type: 'int32' },
    { name: 'logPublisher', type: 'address' },
    { name: 'logSize', type: 'uint64' },
    { name: 'logRoot', type: 'bytes32' },
    { name: 'nonce', type: 'uint256' },
    { name: 'deadline', type: 'uint64' },
  ],
} as const;

/**
 * An excursion attestation, field for field the contract's `ExcursionAttestation` (and the
 * argument viem expects for `claim` / `hashAttestation`). Times in seconds, temperatures in
 * centi-degrees Celsius.
 */
export interface ExcursionAttestation {
  policyId: bigint;
  /** keccak256 of the excursion's canonical evidence (shipment, device, first and last leaf index). */
  excursionId: Hex;
  startedAt: bigint;
  endedAt: bigint;
  /** uint32 */
  minutesOutside: number;
  /** int32, centi-°C */
  peakCentiC: number;
  /** The publisher account whose log holds the evidence (must equal the policy's). */
  logPublisher: Address;
  /** An anchored head of that log (LogAnchor.isAnchored(logPublisher, logSize, logRoot)). */
  logSize: bigint;
  logRoot: Hex;
  /** Single use per cover contract; see {@link randomNonce}. */
  nonce: bigint;
  /** Refused after this block timestamp, seconds. */
  deadline: bigint;
}

/** The EIP-712 domain of the ParametricCover at `cover` on chain `chainId`. */
export function domain(chainId: number | bigint, cover: Address) {
  return { name: DOMAIN_NAME, version: DOMAIN_VERSION, chainId: BigInt(chainId), verifyingContract: cover } as const;
}

/** The EIP-712 digest the contract checks (ParametricCover.hashAttestation). */
export function hashAttestation(chainId: number | bigint, cover: Address, a: ExcursionAttestation): Hex {
  return hashTypedData({ domain: domain(chainId, cover), types, primaryType, message: a });
}

/** Anything that signs EIP-712 typed data locally, e.g. a viem local account. */
export type TypedDataSigner = Pick<LocalAccount, 'signTypedData'>;

/** Signs `a` for the cover at `cover` on `chainId`: a 65-byte r‖s‖v signature (low s). */
export function signAttestation(
  account: TypedDataSigner,
  chainId: number | bigint,
  cover: Address,
  a: ExcursionAttestation,
): Promise<Hex> {
  return account.signTypedData({ domain: domain(chainId, cover), types, primaryType, message: a });
}

/** The address that signed `a` with `signature` (what the contract recovers). */
export function recoverAttestationSigner(
  chainId: number | bigint,
  cover: Address,
  a: ExcursionAttestation,
  signature: Hex,
): Promise<Address> {
  return recoverTypedDataAddress({ domain: domain(chainId, cover), types, primaryType, message: a, signature });
}

/** A fresh random 256-bit nonce (Web Crypto, available in Node and browsers). */
export function randomNonce(): bigint {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  let n = 0n;
  for (const b of bytes) n = (n << 8n) | BigInt(b);
  return n;
}
