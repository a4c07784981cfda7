// The contracts' custom errors in words. viem decodes a revert into a name and
// arguments (`UnknownDevice(0x7888…)`); a person needs the sentence: "device
// 0x7888… is not registered". One sentence per error of every contract, typed
// against the generated ABIs, so a new error without words fails the typecheck.
import type { Abi } from 'viem';
import type {
  consortiumGovernanceAbi,
  deviceRegistryAbi,
  logAnchorAbi,
  memberRegistryAbi,
  nodeDirectoryAbi,
  parametricCoverAbi,
  settlementTokenAbi,
} from '@tradetwin/contracts/generated/index';
import { ROLES } from './members.js';

type ErrorNames<abi extends Abi> = Extract<abi[number], { type: 'error' }>['name'];

/** Every custom error name the node's contracts can revert with. */
export type ContractErrorName =
  | ErrorNames<typeof memberRegistryAbi>
  | ErrorNames<typeof deviceRegistryAbi>
  | ErrorNames<typeof logAnchorAbi>
  | ErrorNames<typeof parametricCoverAbi>
  | ErrorNames<typeof settlementTokenAbi>
  | ErrorNames<typeof consortiumGovernanceAbi>
  | ErrorNames<typeof nodeDirectoryAbi>;

/**
 * Plain names for bytes32 hashes the caller knows (keccak256 of a device id or a shipment id), so a
 * sentence says `device "reefer-7"` rather than its hash. Keys are lower-case 0x-hex.
 */
export type HashNames = ReadonlyMap<string, string>;

// The ParametricCover PolicyState enum, in declaration order.
const POLICY_STATES = ['none', 'offered', 'bound', 'paid', 'expired', 'cancelled'];
// The ConsortiumGovernance ProposalState enum, in declaration order.
const PROPOSAL_STATES = ['open for votes', 'defeated', 'passed', 'executed', 'cancelled', 'expired'];

type Say = (args: readonly unknown[], names: Fmt) => string;

interface Fmt {
  device(v: unknown): string;
  time(v: unknown): string;
  role(v: unknown): string;
}

const SENTENCES: Record<ContractErrorName, Say> = {
  // MemberRegistry (NotAMember, MissingRole and ZeroAddress are shared with the other contracts)
  NotAMember: ([a]) => `account ${a} is not an account of an active consortium member`,
  UnknownOrg: ([org]) => `organisation ${org} is not a member of the consortium`,
  AccountAlreadyMember: ([a, org]) => `account ${a} already belongs to organisation ${org}`,
  NotOrgAccount: ([caller, org]) => `account ${caller} is not an account of organisation ${org} and may not change it`,
  EmptyName: () => 'an organisation needs a name',
  NoRoles: () => 'an organisation needs at least one role',
  ZeroAddress: () => 'the zero address is not allowed here',
  MemberIsRemoved: ([org, at], f) => `organisation ${org} was removed from the consortium at ${f.time(at)}`,
  // DeviceRegistry
  MissingRole: ([a, role], f) => `the organisation of account ${a} does not hold the ${f.role(role)} role`,
  DeviceExists: ([id], f) => `device ${f.device(id)} is already registered`,
  UnknownDevice: ([id], f) => `device ${f.device(id)} is not registered`,
  BadKeyType: ([t]) => `key type ${t} is not supported (1 = P-256, 2 = Ed25519)`,
  BadPublicKey: ([t, len]) =>
    Number(t) === 1
      ? `a P-256 public key is 65 bytes (uncompressed, 0x04…), not ${len}`
      : `an Ed25519 public key is 32 bytes, not ${len}`,
  NotDeviceOwner: ([caller, id], f) => `device ${f.device(id)} belongs to another organisation than account ${caller}'s`,
  AlreadyRevoked: ([id, at], f) => `device ${f.device(id)} is already revoked (since ${f.time(at)})`,
  RevocationBeforeRegistration: ([at, registered], f) =>
    `a revocation cannot take effect (${f.time(at)}) before the device was registered (${f.time(registered)})`,
  RevocationInFuture: ([at, now], f) =>
    `a revocation cannot take effect in the future (${f.time(at)}; the chain's time is ${f.time(now)})`,
  // LogAnchor
  SizeNotIncreasing: ([latest, given]) => `a log head of size ${given} is not larger than the one already anchored (${latest})`,
  TimestampWentBack: ([latest, given], f) =>
    `a log head dated ${f.time(given)} is older than the one already anchored (${f.time(latest)})`,
  EmptyRoot: () => 'a log head with an empty root cannot be anchored',
  // ParametricCover
  InvalidThreshold: ([t]) => `a claim threshold of ${t} organisations is not allowed (at least 1)`,
  NotGovernance: ([caller]) => `account ${caller} does not govern the consortium (MemberRegistry admission role)`,
  ZeroAmount: () => 'the amount must not be zero',
  TransferShortfall: ([expected, received]) =>
    `the token moved ${received} units instead of ${expected} (fee-on-transfer tokens are not supported)`,
  CapitalTooLarge: ([total]) => `the capital account would hold ${total} units, more than it can`,
  Underfunded: ([available, needed]) => `the insurer's free capital (${available} units) does not cover ${needed} units`,
  InvalidTemperatureRange: ([min, max]) =>
    `the temperature band ${centi(min)}…${centi(max)} °C is empty (minimum must be below maximum)`,
  InvalidDurations: ([tol, cat]) => `the tolerance (${tol} min) must be shorter than the catastrophic duration (${cat} min)`,
  ZeroSumInsured: () => 'the sum insured must not be zero',
  ExpiryNotInFuture: ([at, now], f) => `the policy would expire (${f.time(at)}) before the chain's time (${f.time(now)})`,
  PayoutRateTooHigh: ([bps]) => `a payout of ${Number(bps) / 100}% per hour exceeds 100%`,
  UnknownPolicy: ([id]) => `policy ${id} does not exist`,
  WrongPolicyState: ([id, state]) =>
    `policy ${id} is ${POLICY_STATES[Number(state)] ?? `in state ${state}`}, which does not allow this`,
  NotPolicyHolder: ([caller, id]) => `account ${caller} does not hold policy ${id}`,
  NotPolicyInsurer: ([caller, id]) => `account ${caller} is not an account of the insurer of policy ${id}`,
  OfferExpired: ([id, at], f) => `the offer of policy ${id} expired at ${f.time(at)} and can no longer be bound`,
  TooEarlyToExpire: ([id, after], f) => `policy ${id} can only be expired after ${f.time(after)}`,
  ClaimWindowClosed: ([id, at], f) => `the claim window of policy ${id} closed at ${f.time(at)}`,
  ExcursionEndsBeforeStart: ([from, to], f) => `the excursion ends (${f.time(to)}) before it starts (${f.time(from)})`,
  ExcursionInFuture: ([to, now], f) => `the excursion ends (${f.time(to)}) after the chain's time (${f.time(now)})`,
  ExcursionOutsideCover: ([from, to, coverFrom, coverTo], f) =>
    `the excursion (${f.time(from)} → ${f.time(to)}) is not within the cover (${f.time(coverFrom)} → ${f.time(coverTo)})`,
  PeakWithinRange: ([peak, min, max]) =>
    `the peak of ${centi(peak)} °C lies within the policy's band ${centi(min)}…${centi(max)} °C`,
  AttestationExpired: ([deadline, now], f) =>
    `the attestation's deadline (${f.time(deadline)}) has passed (chain time ${f.time(now)})`,
  NonceUsed: ([nonce]) => `attestation nonce ${nonce} was already used (this claim was submitted before)`,
  WrongLogPublisher: ([expected, given]) => `the evidence is in the log of ${given}, but the policy names the log of ${expected}`,
  EvidenceNotAnchored: ([publisher, size, root]) =>
    `the evidence's log head (size ${size}, root ${root}) of ${publisher} is not anchored on chain`,
  BelowTolerance: ([minutes, tol]) => `${minutes} min outside the band does not exceed the policy's tolerance of ${tol} min`,
  NoPayoutDue: ([id, minutes]) => `no payout is due on policy ${id} for ${minutes} min outside the band`,
  NotAnOracle: ([signer]) => `signer ${signer} is not an account of an active oracle member`,
  DuplicateOrg: ([org]) => `organisation ${org} signed twice (each organisation counts once)`,
  OrgIdTooLarge: ([org]) => `organisation ${org} cannot act as an oracle (ids above 255 are not counted)`,
  HolderOrgCannotAttest: ([org]) => `organisation ${org} holds the policy and cannot attest its own claim`,
  NotEnoughAttestations: ([have, need]) => `${have} organisations attested; the policy needs ${need}`,
  // ConsortiumGovernance
  NotInElectorate: ([id, org]) => `organisation ${org} joined after proposal ${id} was made and has no vote on it`,
  AlreadyVoted: ([id, org]) => `organisation ${org} has already voted on proposal ${id} (one organisation, one vote)`,
  UnknownProposal: ([id]) => `proposal ${id} does not exist`,
  WrongProposalState: ([id, state]) =>
    `proposal ${id} is ${PROPOSAL_STATES[Number(state)] ?? `in state ${state}`}, which does not allow this`,
  ExecutionTooEarly: ([id, at, now], f) =>
    `proposal ${id} passed but can be executed only from ${f.time(at)} (the execution delay; chain time ${f.time(now)})`,
  NotProposer: ([caller, id]) => `account ${caller} is not an account of the organisation that made proposal ${id}`,
  InvalidSettings: () =>
    'voting settings out of range (voting period and execution window above 0, approval between 5000 and 10000 basis points)',
  // NodeDirectory
  NotActiveMember: ([a]) => `account ${a} is not an account of an active consortium member: it cannot publish a node`,
  UnknownNode: ([org]) => `organisation ${org} has not published a node in NodeDirectory`,
  EmptyEndpoint: () => "a node's endpoint URL must not be empty",
  ZeroKey: () => "a node's request-signing and checkpoint keys must not be zero",
  // SettlementToken
  NotMinter: ([caller]) => `account ${caller} may not mint this token`,
  // OpenZeppelin (access control, signatures, ERC-20, EIP-712 strings, reentrancy guard)
  AccessControlBadConfirmation: () => 'a role can only be renounced by the account that holds it',
  AccessControlUnauthorizedAccount: ([a, role]) => `account ${a} lacks role ${role}`,
  ECDSAInvalidSignature: () => 'a signature does not recover to any account',
  ECDSAInvalidSignatureLength: ([len]) => `a signature is ${len} bytes long, not 65`,
  ECDSAInvalidSignatureS: ([sv]) => `a signature has a malleable s value (${sv})`,
  InvalidShortString: () => 'a short string is malformed',
  StringTooLong: ([str]) => `the string "${str}" is too long`,
  SafeCastOverflowedUintDowncast: ([bits, value]) => `${value} does not fit in ${bits} bits`,
  ReentrancyGuardReentrantCall: () => 'the contract was called again while still busy with the same call',
  SafeERC20FailedOperation: ([token]) => `token ${token} refused the transfer`,
  ERC20InsufficientAllowance: ([spender, allowance, needed]) =>
    `account ${spender} may spend ${allowance} units of the token, not ${needed} (approve more first)`,
  ERC20InsufficientBalance: ([sender, balance, needed]) => `account ${sender} holds ${balance} units of the token, not ${needed}`,
  ERC20InvalidApprover: ([a]) => `account ${a} cannot approve spending`,
  ERC20InvalidReceiver: ([a]) => `account ${a} cannot receive the token`,
  ERC20InvalidSender: ([a]) => `account ${a} cannot send the token`,
  ERC20InvalidSpender: ([a]) => `account ${a} cannot be allowed to spend the token`,
};

/**
 * A sentence for a contract's custom error with its arguments (Solidity's Error(string) and Panic
 * too); undefined for a name none of the contracts has.
 */
export function explainContractError(
  errorName: string,
  args: readonly unknown[] = [],
  names: HashNames = new Map(),
): string | undefined {
  if (errorName === 'Error' && typeof args[0] === 'string') return args[0];
  if (errorName === 'Panic') return `the contract failed an internal check (panic ${hex(args[0])})`;
  return (SENTENCES as Record<string, Say | undefined>)[errorName]?.(args, formatter(names));
}

function formatter(names: HashNames): Fmt {
  return {
    device: (v) => {
      const h = String(v).toLowerCase();
      const name = names.get(h);
      return name === undefined ? `${h.slice(0, 10)}…${h.slice(-4)}` : `"${name}" (${h.slice(0, 10)}…)`;
    },
    time: (v) => {
      const s = Number(v);
      return Number.isFinite(s) && s > 0 && s < 1e11 ? new Date(s * 1000).toISOString().replace('.000Z', 'Z') : String(v);
    },
    role: (v) => {
      const n = Number(v);
      const name = Object.entries(ROLES).find(([, bit]) => bit === n)?.[0];
      return name ?? `#${n}`;
    },
  };
}

const centi = (v: unknown) => (Number(v) / 100).toFixed(2).replace(/\.?0+$/, '');
const hex = (v: unknown) => (typeof v === 'bigint' || typeof v === 'number' ? `0x${v.toString(16)}` : String(v));
