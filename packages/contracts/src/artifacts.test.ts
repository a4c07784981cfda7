import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseAbi, type Abi, type AbiParameter } from 'viem';
import { CONTRACT_NAMES, GENERATED_DIR, compileContracts, renderAll } from './compile.js';
import * as generated from './generated/index.js';

// The interfaces as written in docs/design.md ("Contract interfaces"), the seam the node and
// the browser depend on. The compiled ABIs must contain every item here, exactly.
const SPEC: Record<(typeof CONTRACT_NAMES)[number], readonly string[]> = {
  MemberRegistry: [
    'constructor(address admin)',
    'function ADMISSION_ROLE() view returns (bytes32)',
    'function admitMember(address account, string name, uint256 roles) returns (uint256 orgId)',
    'function addAccount(uint256 orgId, address account)',
    'function removeAccount(address account)',
    'function setRoles(uint256 orgId, uint256 roles)',
    'function setActive(uint256 orgId, bool active)',
    'function orgOf(address) view returns (uint256)',
    'struct Member { string name; uint256 roles; bool active; uint64 admittedAt; }',
    'function member(uint256 orgId) view returns (Member)',
    'function hasMemberRole(address account, uint256 role) view returns (bool)',
    'function memberCount() view returns (uint256)',
    'function removeMember(uint256 orgId) returns (uint64)',
    'function removedAt(uint256 orgId) view returns (uint64)',
    'function activeMemberCount() view returns (uint256)',
    'event MemberRemoved(uint256 indexed orgId, uint64 removedAt)',
    'error MemberIsRemoved(uint256 orgId, uint64 removedAt)',
    'event MemberAdmitted(uint256 indexed orgId, address indexed account, string name, uint256 roles)',
    'event AccountAdded(uint256 indexed orgId, address indexed account)',
    'event AccountRemoved(uint256 indexed orgId, address indexed account)',
    'event RolesChanged(uint256 indexed orgId, uint256 roles)',
    'event MemberStatusChanged(uint256 indexed orgId, bool active)',
    'error NotAMember(address)',
    'error UnknownOrg(uint256)',
    'error AccountAlreadyMember(address account, uint256 orgId)',
    'error NotOrgAccount(address caller, uint256 orgId)',
    'error EmptyName()',
    'error NoRoles()',
    'error ZeroAddress()',
  ],
  DeviceRegistry: [
    'constructor(address members)',
    'function registerDevice(bytes32 deviceId, uint8 keyType, bytes publicKey, bytes32 metadataHash)',
    'function revokeDevice(bytes32 deviceId, uint64 effectiveAt)',
    'struct Device { uint256 ownerOrg; uint8 keyType; bytes publicKey; bytes32 metadataHash; uint64 registeredAt; uint64 revokedAt; }',
    'function device(bytes32) view returns (Device)',
    'function isActiveAt(bytes32 deviceId, uint64 t) view returns (bool)',
    'function deviceCount() view returns (uint256)',
    'event DeviceRegistered(bytes32 indexed deviceId, uint256 indexed ownerOrg, uint8 keyType, bytes publicKey, bytes32 metadataHash, uint64 registeredAt)',
    'event DeviceRevoked(bytes32 indexed deviceId, uint256 indexed ownerOrg, uint64 effectiveAt)',
    'error NotAMember(address)',
    'error MissingRole(address account, uint256 role)',
    'error DeviceExists(bytes32)',
    'error UnknownDevice(bytes32)',
    'error BadKeyType(uint8)',
    'error BadPublicKey(uint8 keyType, uint256 length)',
    'error NotDeviceOwner(address caller, bytes32 deviceId)',
    'error AlreadyRevoked(bytes32 deviceId, uint64 revokedAt)',
    'error RevocationBeforeRegistration(uint64 effectiveAt, uint64 registeredAt)',
  ],
  LogAnchor: [
    'constructor(address members)',
    'function publishHead(uint64 size, bytes32 root, uint64 timestamp)',
    'event HeadPublished(address indexed publisher, uint256 indexed orgId, uint64 size, bytes32 root, uint64 timestamp, uint256 count)',
    'struct Head { uint64 size; uint64 timestamp; bytes32 root; }',
    'function latestHead(address) view returns (Head)',
    'function rootAt(address, uint64 size) view returns (bytes32)',
    'function isAnchored(address publisher, uint64 size, bytes32 root) view returns (bool)',
    'function headCount(address) view returns (uint256)',
    'error NotAMember(address)',
    'error SizeNotIncreasing(uint64 latest, uint64 given)',
    'error TimestampWentBack(uint64 latest, uint64 given)',
    'error EmptyRoot()',
  ],
  SettlementToken: [
    'constructor(string name, string symbol, uint8 decimals, address minter)',
    'function mint(address to, uint256 amount)',
    'function decimals() view returns (uint8)',
    'function balanceOf(address) view returns (uint256)',
    'function transfer(address to, uint256 amount) returns (bool)',
    'function transferFrom(address from, address to, uint256 amount) returns (bool)',
    'function approve(address spender, uint256 amount) returns (bool)',
    'event Transfer(address indexed from, address indexed to, uint256 value)',
  ],
  // "Parametric cover": names and types fixed there; argument lists it leaves open are the
  // ones implemented (see the contract's NatSpec).
  ParametricCover: [
    'constructor(address members, address anchor, address token, uint8 threshold)',
    'function deposit(uint256 amount)',
    'function withdraw(uint256 amount)',
    'event CapitalDeposited(uint256 indexed orgId, uint256 amount)',
    'event CapitalWithdrawn(uint256 indexed orgId, uint256 amount)',
    'struct PolicyTerms { address holder; bytes32 shipmentId; uint256 premium; uint256 sumInsured; int32 minCentiC; int32 maxCentiC; uint32 toleranceMinutes; uint32 catastrophicMinutes; uint16 payoutPerHourBps; uint64 expiresAt; address logPublisher; }',
    'function offerPolicy(PolicyTerms terms) returns (uint256 policyId)',
    'event PolicyOffered(uint256 indexed policyId, uint256 indexed insurerOrg, address indexed holder, bytes32 shipmentId)',
    'function bindPolicy(uint256 policyId)',
    'event PolicyBound(uint256 indexed policyId, uint256 indexed insurerOrg, address indexed holder, uint256 premium, uint256 sumInsured)',
    'error Underfunded(uint256 available, uint256 needed)',
    'struct ExcursionAttestation { uint256 policyId; bytes32 excursionId; uint64 startedAt; uint64 endedAt; uint32 minutesOutside; int32 peakCentiC; address logPublisher; uint64 logSize; bytes32 logRoot; uint256 nonce; uint64 deadline; }',
    'function claim(ExcursionAttestation a, bytes[] signatures) returns (uint256 amount)',
    'event ClaimPaid(uint256 indexed policyId, bytes32 indexed excursionId, uint256 amount, uint256 orgBitmap)',
    'error DuplicateOrg(uint256 orgId)',
    'error NotEnoughAttestations(uint256 have, uint256 need)',
    'error EvidenceNotAnchored(address logPublisher, uint64 logSize, bytes32 logRoot)',
    'error NonceUsed(uint256 nonce)',
    'error AttestationExpired(uint64 deadline, uint64 now_)',
    'error BelowTolerance(uint32 minutesOutside, uint32 toleranceMinutes)',
    'error ECDSAInvalidSignatureS(bytes32 s)',
    'function expire(uint256 policyId)',
    'function cancelOffer(uint256 policyId)',
    'function setThreshold(uint8 threshold)',
    'function CLAIM_WINDOW() view returns (uint64)',
    'function threshold() view returns (uint8)',
    'struct Policy { PolicyTerms terms; uint256 insurerOrg; uint8 state; uint64 boundAt; uint8 threshold; }',
    'function policy(uint256 policyId) view returns (Policy)',
    'function capital(uint256 orgId) view returns (uint256 free, uint256 locked)',
    'function hashAttestation(ExcursionAttestation a) view returns (bytes32)',
    'function nonceUsed(uint256 nonce) view returns (bool)',
  ],
  // The shared interface of issue 13 (PLAN13.md): one node entry per member organisation.
  NodeDirectory: [
    'constructor(address members)',
    'function setNode(string endpoint, bytes32 httpSigKey, string logOrigin, bytes32 checkpointKey)',
    'struct NodeEntry { string endpoint; bytes32 httpSigKey; string logOrigin; bytes32 checkpointKey; address publisher; uint64 updatedAt; }',
    'function nodeOf(uint256 orgId) view returns (NodeEntry)',
    'event NodeSet(uint256 indexed orgId, address indexed publisher, string endpoint, bytes32 httpSigKey, string logOrigin, bytes32 checkpointKey)',
    'error UnknownNode(uint256 orgId)',
    'error NotActiveMember(address account)',
  ],
  ConsortiumGovernance: [
    'struct Settings { uint64 votingPeriod; uint64 executionDelay; uint64 executionWindow; uint16 approvalBps; }',
    'constructor(address members, Settings settings, uint8 oracleThreshold)',
    'function proposeAdmission(address account, string name, uint256 roles) returns (uint256)',
    'function proposeRemoval(uint256 orgId) returns (uint256)',
    'function proposeRoles(uint256 orgId, uint256 roles) returns (uint256)',
    'function proposeOracleThreshold(uint8 threshold, address target) returns (uint256)',
    'function proposeSettings(Settings settings) returns (uint256)',
    'function vote(uint256 proposalId, bool support)',
    'function execute(uint256 proposalId)',
    'function cancel(uint256 proposalId)',
    'function state(uint256 proposalId) view returns (uint8)',
    'function voteOf(uint256 proposalId, uint256 orgId) view returns (uint8)',
    'function proposalCount() view returns (uint256)',
    'function settings() view returns (Settings)',
    'function oracleThreshold() view returns (uint8)',
    'event VoteCast(uint256 indexed proposalId, uint256 indexed orgId, address indexed voter, bool support)',
    'event ProposalExecuted(uint256 indexed proposalId)',
    'error NotAMember(address account)',
    'error AlreadyVoted(uint256 proposalId, uint256 orgId)',
    'error ExecutionTooEarly(uint256 proposalId, uint64 executableAt, uint64 now_)',
    'error WrongProposalState(uint256 proposalId, uint8 state)',
  ],
};

/** Canonical form of an ABI item, ignoring parameter names. */
function canon(item: Abi[number]): string {
  const t = (p: AbiParameter): string =>
    p.type.startsWith('tuple')
      ? `(${((p as { components?: readonly AbiParameter[] }).components ?? []).map(t).join(',')})${p.type.slice(5)}`
      : p.type;
  const params = (ps: readonly AbiParameter[]) =>
    ps.map((p) => t(p) + ((p as { indexed?: boolean }).indexed ? ' indexed' : '')).join(',');
  switch (item.type) {
    case 'function':
      return `function ${item.name}(${params(item.inputs)}) ${item.stateMutability} returns (${params(item.outputs)})`;
    case 'event':
      return `event ${item.name}(${params(item.inputs)})`;
    case 'error':
      return `error ${item.name}(${params(item.inputs)})`;
    case 'constructor':
      return `constructor(${params(item.inputs)})`;
    default:
      return item.type;
  }
}

const GENERATED_ABIS: Record<(typeof CONTRACT_NAMES)[number], Abi> = {
  MemberRegistry: generated.memberRegistryAbi,
  DeviceRegistry: generated.deviceRegistryAbi,
  LogAnchor: generated.logAnchorAbi,
  SettlementToken: generated.settlementTokenAbi,
  ParametricCover: generated.parametricCoverAbi,
  NodeDirectory: generated.nodeDirectoryAbi,
  ConsortiumGovernance: generated.consortiumGovernanceAbi,
};

describe('artifacts', () => {
  let first: ReturnType<typeof compileContracts> | undefined;
  it('the committed src/generated files equal a fresh offline compilation', () => {
    first = compileContracts();
    const files = renderAll(first);
    const committed = readdirSync(GENERATED_DIR)
      .filter((f) => f.endsWith('.ts'))
      .sort();
    assert.deepEqual(committed, [...files.keys()].sort(), 'generated file set');
    for (const [file, text] of files) {
      assert.equal(readFileSync(join(GENERATED_DIR, file), 'utf8'), text, `${file} is stale: run npm run build:contracts`);
    }
  });

  it('compilation is deterministic', () => {
    const a = first ?? compileContracts();
    const b = compileContracts();
    assert.deepEqual(a, b);
    for (const c of a) assert.match(c.bytecode, /^0x(?:[0-9a-f]{2})+$/);
  });

  for (const name of CONTRACT_NAMES) {
    it(`${name} ABI implements the interface in docs/design.md`, () => {
      const abi = GENERATED_ABIS[name];
      const actual = new Set(abi.map(canon));
      for (const item of parseAbi(SPEC[name])) {
        assert.ok(actual.has(canon(item)), `${name} lacks ${canon(item)}`);
      }
    });
  }
});
